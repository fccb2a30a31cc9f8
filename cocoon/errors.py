"""The one exception family of cocoon.

Every error carries a message key from the catalogue (``cocoon/catalogue/<lang>/*.toml``)
and the values to fill in, so the command line can show it in the user's language.
``str(error)`` gives the English text.
"""

from __future__ import annotations

from typing import Any

from cocoon.catalogue import text


class CocoonError(Exception):
    """Base class: something the user can fix (bad input, bad settings, bad output place)."""

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(key)

    def render(self, lang: str = "en") -> str:
        message = text(self.key, lang, **self.params)
        for key, params in self.params.get("details", ()):  # one line per bad row, each in the user's language
            message += "\n  " + text(key, lang, **params)
        if "more" in self.params:  # a bad input row: say what else is wrong and how to go on
            more = self.params["more"]
            message += " " + (text("input.more_rows", lang, more=more) if more else text("input.skip_hint", lang))
        return message

    def __str__(self) -> str:
        return self.render("en")


class InputError(CocoonError):
    """An input file or value cannot be used: names the file, row and column."""


class SettingsError(CocoonError):
    """A settings file or option value is not valid."""


class OutputError(CocoonError):
    """An output cannot be written where asked (for example a non-empty directory)."""


class StoreError(CocoonError):
    """The store file cannot be used (missing, damaged, read-only, another program's file)."""
