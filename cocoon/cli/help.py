"""``--help`` in the user's language: command descriptions and headings from the catalogue.

The language is ``--lang`` as typed on the command line (before or after ``--help``), else
COCOON_LANG, else the settings file's ``language``, else the system locale. The English
descriptions are the commands' docstrings; another language's are the catalogue's
``command_help.*`` entries (the command path with ``_`` between words, ``main`` for cocoon
itself). The options' descriptions are catalogue entries in every language (``options.*``, see
:mod:`cocoon.cli.options`), ``--help`` itself included.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from cocoon.catalogue import entry, resolve_language, text
from cocoon.errors import CocoonError
from cocoon.settings import load_settings


def _root_context() -> click.Context | None:
    context = click.get_current_context(silent=True)
    while context is not None and context.parent is not None:
        context = context.parent
    return context


def _typed(words: list[str], option: str) -> str | None:
    for i, word in enumerate(words):
        if word == option and i + 1 < len(words):
            return words[i + 1]
        if word.startswith(option + "="):
            return word.split("=", 1)[1]
    return None


def user_language(lang: str | None, settings_path: str | None) -> str:
    """``--lang`` (or COCOON_LANG), else the settings file's ``language``, else the locale's."""
    if lang:
        return resolve_language(lang)
    try:
        return resolve_language(load_settings(settings_path).language)
    except CocoonError:  # a broken settings file is reported by the command itself
        return resolve_language(None)


def help_language() -> str:
    """The language ``--help`` is shown in, worked out once per command line."""
    root = _root_context()
    if root is not None and "cocoon_help_language" in root.meta:
        return str(root.meta["cocoon_help_language"])
    typed = root.meta.get("cocoon_words") if root is not None else None
    words = list(typed) if typed is not None else sys.argv[1:]
    lang = user_language(
        _typed(words, "--lang") or os.environ.get("COCOON_LANG"),
        _typed(words, "--settings") or os.environ.get("COCOON_SETTINGS"),
    )
    if root is not None and typed is not None:  # not before the command line is known (click reads help early)
        root.meta["cocoon_help_language"] = lang
    return lang


def command_words(ctx: click.Context) -> list[str]:
    """The command's names below cocoon itself (``["visits", "import"]``), however cocoon was
    started (``cocoon``, ``python -m cocoon``)."""
    words = []
    while ctx.parent is not None:
        words.append(ctx.info_name or "")
        ctx = ctx.parent
    return words[::-1]


def _translated(words: list[str], lang: str) -> str:
    try:
        return str(entry("command_help." + ("_".join(words) or "main"), lang)) if lang != "en" else ""
    except KeyError:
        return ""


class TranslatedHelp:
    """What :class:`CocoonCommand` and :class:`cocoon.cli.common.CocoonGroup` add to click."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=text("help.usage", help_language()) + " ")

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        translated = _translated(command_words(ctx), help_language())
        if not translated:
            super().format_help_text(ctx, formatter)  # type: ignore[misc]
            return
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(translated)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """``--help``, described in the user's language."""
        option: click.Option | None = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = text("options.help", help_language())
        return option

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [
            record
            for param in self.get_params(ctx)  # type: ignore[attr-defined]
            if not isinstance(param, click.Argument) and (record := param.get_help_record(ctx)) is not None
        ]
        if rows:
            with formatter.section(text("help.options", help_language())):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def short_help_in(self, words: list[str], limit: int) -> str:
        translated = _translated(words, help_language())
        if translated:
            first = translated.split("\n\n", 1)[0].replace("\n", " ")
            return first if len(first) <= limit else first[: limit - 3].rsplit(" ", 1)[0] + "..."
        return str(self.get_short_help_str(limit))  # type: ignore[attr-defined]


class CocoonCommand(TranslatedHelp, click.Command):
    """A command whose ``--help`` follows the user's language."""


def format_commands(group: click.Group, ctx: click.Context, formatter: click.HelpFormatter) -> None:
    """The group's commands with their one-line help, in the user's language."""
    commands: list[tuple[str, Any]] = [
        (name, command)
        for name in group.list_commands(ctx)
        if (command := group.get_command(ctx, name)) is not None and not command.hidden
    ]
    if not commands:
        return
    limit = formatter.width - 6 - max(len(name) for name, _ in commands)
    rows = []
    for name, command in commands:
        short = (
            command.short_help_in([*command_words(ctx), name], limit)
            if isinstance(command, TranslatedHelp)
            else command.get_short_help_str(limit)
        )
        rows.append((name, short))
    with formatter.section(text("help.commands", help_language())):
        formatter.write_dl(rows)
