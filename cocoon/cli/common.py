"""What every command shares: language, settings, output folder, errors, screen output."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import os
import shlex
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cocoon.catalogue import text
from cocoon.cli.help import CocoonCommand, TranslatedHelp, format_commands, help_language, user_language
from cocoon.cli.options import option
from cocoon.errors import CocoonError, InputError
from cocoon.inputs.columns import (
    HOUSEHOLD_ROLES,
    BurglaryColumns,
    CoordinateColumns,
    HouseholdColumns,
)
from cocoon.publish import staging

if TYPE_CHECKING:
    from rich.console import Console


def lang_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return option("--lang", type=click.Choice(["sv", "en", "auto"]), default=None, envvar="COCOON_LANG", key="lang")(f)


def settings_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return option(
        "--settings",
        "settings_path",
        type=click.Path(dir_okay=False),
        default=None,
        envvar="COCOON_SETTINGS",
        key="settings",
    )(f)


def overwrite_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return option("--overwrite", is_flag=True, default=False, key="overwrite")(f)


#: Control characters (and the invisible bidirectional overrides) that must not reach a terminal
#: raw: an input cell holding an escape sequence would otherwise recolour or rewrite the screen.
_UNPRINTABLE = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F)}
_UNPRINTABLE.update({c: f"\\u{c:04x}" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})


def printable(value: str) -> str:
    """``value`` with control characters shown as escapes (\\x1b) instead of sent to the terminal."""
    return value.translate(_UNPRINTABLE)


def console(stderr: bool = False) -> Console:
    """A console that prints text as given: no markup (a value like "[draft]" stays as it is), and
    no control characters from the inputs."""
    from rich.console import Console

    class SafeConsole(Console):
        def print(self, *objects: Any, **kwargs: Any) -> None:
            super().print(*(printable(o) if isinstance(o, str) else o for o in objects), **kwargs)

    return SafeConsole(stderr=stderr, highlight=False, soft_wrap=True, markup=False)


@contextlib.contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on standard error; yields ``update(done, total)`` for the library to call."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    out = console(stderr=True)
    if not out.is_terminal:  # a log file or a pipe gets no bar, and no empty line where it was
        yield lambda done, total: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=out, transient=True) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def job_loaded() -> None:
    """Once a command has imported its job: the objects made so far (the modules, their functions
    and tables, tens of thousands of them) are set aside from the garbage collector, so that its
    full passes during a long job look only at what the job itself makes."""
    gc.freeze()


def handle_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn cocoon's errors into ``Error: ...`` on standard error and exit code 1.

    The language comes from the command's ``--lang`` (or the environment), so the message is
    in the user's language. Anything else is a bug and keeps its traceback.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        lang = user_language(kwargs.get("lang"), kwargs.get("settings_path"))
        try:
            return command(*args, **kwargs)
        except CocoonError as error:
            click.echo(printable(f"{text('errors.prefix', lang)}: {error.render(lang)}"), err=True)
            sys.exit(1)

    return wrapper


def optional_path(value: str | None) -> Path | None:
    """A path option's value as a Path, or None when it was not given."""
    return Path(value) if value else None


class CocoonGroup(TranslatedHelp, click.Group):
    """A command group: it keeps the words the user typed (for the store's audit log), and its
    ``--help`` follows the user's language, as do its commands'."""

    command_class = CocoonCommand

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        format_commands(self, ctx, formatter)

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        words = list(args)
        context = super().make_context(info_name, args, parent=parent, **extra)
        context.meta.setdefault("cocoon_words", words)
        return context


def command_line() -> str:
    """What the user ran, for the store's audit log."""
    context = click.get_current_context(silent=True)
    words = context.meta.get("cocoon_words") if context is not None else None
    return "cocoon " + " ".join(shlex.quote(a) for a in (sys.argv[1:] if words is None else words))


def parse_date(value: str | None, option: str) -> dt.date:
    """``YYYY-MM-DD`` from an option; today when it was not given."""
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError("cli.bad_date_option", option=option, value=value) from None


def optional_date(value: str | None, option: str) -> dt.date | None:
    """``YYYY-MM-DD`` from an option; None when it was not given."""
    return parse_date(value, option) if value else None


COLUMN_PARAMS = (
    "id_column",
    "date_column",
    "time_column",
    "from_column",
    "to_column",
    "lon_column",
    "lat_column",
    "x_column",
    "y_column",
    "address_column",
    "crime_column",
    "layer",
    "date_order",
    "attempts",
)


def burglary_column_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Options naming the columns of a burglary file (shared with other commands).

    The command receives them together as ``burglary_columns`` (a :class:`BurglaryColumns`), and
    ``date_format``, ``input_crs`` and ``skip_bad_rows`` as they are.
    """

    @functools.wraps(f)
    def command(*args: Any, **kwargs: Any) -> Any:
        kwargs["burglary_columns"] = burglary_columns(*(kwargs.pop(name) for name in COLUMN_PARAMS))
        return f(*args, **kwargs)

    options = [
        option("--id-column", key="id_column"),
        option("--date-column", key="date_column"),
        option("--time-column", key="time_column"),
        option("--from-column", key="from_column"),
        option("--to-column", key="to_column"),
        option("--lon", "lon_column", key="lon"),
        option("--lat", "lat_column", key="lat"),
        option("--x", "x_column", key="x"),
        option("--y", "y_column", key="y"),
        option("--address-column", key="address_column"),
        option("--crime-column", key="crime_column"),
        option("--attempts", type=click.Choice(["count", "leave_out"]), default=None, key="attempts"),
        option("--layer", key="layer"),
        option("--date-format", key="date_format"),
        option("--date-order", type=click.Choice(["dmy", "mdy", "ymd"]), default=None, key="date_order"),
        option("--crs", "input_crs", key="crs"),
        option("--skip-bad-rows", is_flag=True, default=False, key="skip_bad_rows"),
    ]
    for add in reversed(options):
        command = add(command)
    return command


def burglary_columns(
    id_column: str | None,
    date_column: str | None,
    time_column: str | None,
    from_column: str | None,
    to_column: str | None,
    lon_column: str | None,
    lat_column: str | None,
    x_column: str | None,
    y_column: str | None,
    address_column: str | None,
    crime_column: str | None = None,
    layer: str | None = None,
    date_order: str | None = None,
    attempts: str | None = None,
) -> BurglaryColumns:
    return BurglaryColumns(
        id=id_column,
        date=date_column,
        time=time_column,
        date_from=from_column,
        date_to=to_column,
        address=address_column,
        crime=crime_column,
        layer=layer,
        date_order=date_order,
        attempts=attempts,
        coordinates=CoordinateColumns(lon=lon_column, lat=lat_column, x=x_column, y=y_column),
    )


def household_columns(pairs: tuple[str, ...], layer: str | None = None) -> HouseholdColumns:
    """``--household-column ROLE=NAME`` pairs (and ``--household-layer``) as :class:`HouseholdColumns`."""
    given: dict[str, str] = {}
    for pair in pairs:
        role, sep, name = pair.partition("=")
        role = role.strip().replace("-", "_")
        if not sep or role not in HOUSEHOLD_ROLES or not name.strip():
            raise InputError("cli.bad_household_column", value=pair, roles=", ".join(HOUSEHOLD_ROLES))
        given[role] = name.strip()
    coords = CoordinateColumns(**{k: given.pop(k) for k in ("lon", "lat", "x", "y") if k in given})
    return HouseholdColumns(**given, coordinates=coords, layer=layer)


ARROW_POOL = "ARROW_DEFAULT_MEMORY_POOL"
NUMPY_HUGE_PAGES = "NUMPY_MADVISE_HUGEPAGE"


def use_system_memory() -> None:
    """How a command takes memory, unless the user chose (``ARROW_DEFAULT_MEMORY_POOL``,
    ``NUMPY_MADVISE_HUGEPAGE``). Both save the kernel's time, not cocoon's work (measured with
    benchmarks/bench_plan.py and by hand):

    - Arrow's memory from the C library's allocator. Arrow's default, mimalloc, gives freed
      memory back to the system and takes fresh memory again, which the kernel zeroes each time;
      the C library keeps freed memory for the next array. On a plan of a million households
      that is one to three seconds less system time, and peak memory is up to a quarter lower.
    - numpy's large arrays in ordinary pages: numpy asks Linux for huge pages, and where the
      kernel compacts memory to find them when asked (transparent huge pages set to ``madvise``,
      a common default) each new array waits for it. On the same plan that is 0.4-0.9 s less
      system time, and on calibrate with the Chicago burglaries about 0.9 s. numpy reads the
      choice when it is loaded, which the command line does after this; a process that loaded
      numpy before keeps numpy's own choice.
    """
    if NUMPY_HUGE_PAGES not in os.environ and "numpy" not in sys.modules:
        os.environ[NUMPY_HUGE_PAGES] = "0"
    if ARROW_POOL in os.environ:
        return
    if "pyarrow" in sys.modules:  # already loaded (the library used in this process): switch now
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
    else:  # read by Arrow when it first allocates
        os.environ[ARROW_POOL] = "system"


def remove_stale_output() -> None:
    """Remove what interrupted runs left half-written (see :mod:`cocoon.publish.staging`), and
    say so on the error stream; not when only help is asked for."""
    context = click.get_current_context(silent=True)
    words = context.meta.get("cocoon_words", []) if context is not None else []
    if any(word in ("-h", "--help") for word in words):
        return
    removed = staging.remove_stale_output()
    if not removed:
        return
    lang = help_language()
    out = console(stderr=True)
    for item in removed:
        if item.restored is not None:
            out.print(text("output.stale_restored", lang, pid=item.pid, path=str(item.restored)), style="yellow")
        if item.path is not None:
            out.print(text("output.stale_removed", lang, pid=item.pid, path=str(item.path)), style="yellow")
