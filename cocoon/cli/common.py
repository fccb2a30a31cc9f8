"""What every command shares: language, settings, output folder, errors, screen output."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from cocoon.catalogue import resolve_language, text
from cocoon.errors import CocoonError

LANG_HELP = "Language of messages and outputs: sv, en, or auto (from the system locale)."


def lang_option(f: Callable) -> Callable:
    return click.option("--lang", type=click.Choice(["sv", "en", "auto"]), default=None, envvar="COCOON_LANG",
                        help=LANG_HELP + "  [default: auto; env COCOON_LANG]")(f)


def settings_option(f: Callable) -> Callable:
    return click.option("--settings", "settings_path", type=click.Path(dir_okay=False), default=None,
                        envvar="COCOON_SETTINGS",
                        help="TOML settings file overriding the defaults (see README, 'Settings').")(f)


def overwrite_option(f: Callable) -> Callable:
    return click.option("--overwrite", is_flag=True, default=False,
                        help="Write into a non-empty output folder, replacing cocoon's files there.")(f)


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


@contextlib.contextmanager
def progress_bar(description: str):
    """A progress bar on standard error; yields ``update(done, total)`` for the library to call."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console(stderr=True), transient=True) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def handle_errors(command: Callable) -> Callable:
    """Turn cocoon's errors into ``Error: ...`` on standard error and exit code 1.

    The language comes from the command's ``--lang`` (or the environment), so the message is
    in the user's language. Anything else is a bug and keeps its traceback.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        lang = resolve_language(kwargs.get("lang"))
        try:
            return command(*args, **kwargs)
        except CocoonError as error:
            click.echo(f"{text('errors.prefix', lang)}: {error.render(lang)}", err=True)
            sys.exit(1)

    return wrapper


def optional_path(value: str | None):
    """A path option's value as a Path, or None when it was not given."""
    from pathlib import Path

    return Path(value) if value else None


def command_line() -> str:
    """What the user ran, for the store's audit log."""
    import shlex

    return "cocoon " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def parse_date(value: str | None, option: str, lang: str):
    import datetime as dt

    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        from cocoon.errors import InputError

        raise InputError("cli.bad_date_option", option=option, value=value) from None
