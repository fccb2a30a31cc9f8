"""Texts in several languages, kept as data.

Each language is a folder of TOML files under this package (``en/``, ``sv/``). Keys are
dotted names (``errors.file_not_found``); values are ``str.format`` templates. Adding a
language means adding a folder: no code changes. A key missing in a language falls back to
English.
"""

from __future__ import annotations

import locale
import math
import os
import re
import string
import tomllib
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

DEFAULT_LANGUAGE = "en"


@cache
def languages() -> tuple[str, ...]:
    """The languages that have a catalogue folder."""
    root = resources.files(__name__)
    return tuple(sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("_")))


def _flatten(prefix: str, table: dict[str, Any], out: dict[str, str], source: str) -> None:
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            _flatten(f"{key}.", value, out, source)
        else:
            if key in out:
                raise ValueError(f"catalogue key {key!r} defined twice ({source})")
            out[key] = value


@cache
def catalogue(lang: str) -> dict[str, Any]:
    """All entries of one language, merged from every file of its folder."""
    folder = resources.files(__name__) / lang
    entries: dict[str, Any] = {}
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".toml"):
            _flatten("", tomllib.loads(item.read_text(encoding="utf-8")), entries, f"{lang}/{item.name}")
    return entries


def resolve_language(lang: str | None) -> str:
    """``auto``/None picks Swedish for a Swedish locale, otherwise English."""
    if lang in (None, "", "auto"):
        env = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
        if not env:
            env = locale.getlocale()[0] or ""
        return "sv" if env.lower().startswith("sv") else DEFAULT_LANGUAGE
    return lang if lang in languages() else DEFAULT_LANGUAGE


def entry(key: str, lang: str = DEFAULT_LANGUAGE) -> Any:
    """A raw entry (a template string, or a list for lists of advice), English as fallback."""
    table = catalogue(lang) if lang in languages() else {}
    if key in table:
        return table[key]
    base = catalogue(DEFAULT_LANGUAGE)
    if key in base:
        return base[key]
    raise KeyError(f"no text for {key!r}")


class _Formatter(string.Formatter):
    """``str.format`` in one language.

    - Plural forms: ``{n:one|other}`` writes the word for ``n``, so a template says
      "{n} {n:plan|plans}" or "{n} {n:utgången|utgångna}". Both forms may be empty.
    - Decimal numbers (floats) are written the language's way, "0.8" or "0,8": with the
      template's format (``{km:.1f}``), or else in as few digits as they need (500.0 is "500").
      Whole numbers (ints) are written as they are, unless the format asks for groups (``{n:,}``).
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> Any:
        if "|" in format_spec and isinstance(value, int | float):
            one, _, other = format_spec.partition("|")
            return one if value == 1 else other
        if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool) and "," in format_spec):
            if isinstance(value, float) and not math.isfinite(value):
                return "–" if math.isnan(value) else ("∞" if value > 0 else "-∞")
            if format_spec:
                written = format(value, format_spec)
            else:
                written = str(int(value)) if float(value).is_integer() else repr(float(value))
            return localise(written, self.lang)
        return super().format_field(value, format_spec)


def localise(written: str, lang: str) -> str:
    """A number written the English way ("1,234.5") in ``lang``'s way ("1 234,5")."""
    decimal, thousands = str(entry("format.decimal", lang)), str(entry("format.thousands", lang))
    return written.replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)


STRICT_ENV = "COCOON_STRICT_TEXTS"
"""Set (to anything but empty or 0) to make a template that cannot be filled an error: the tests do."""


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "–"


def text(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    """The text for ``key`` in ``lang`` with ``params`` filled in.

    A template that needs a value not given is a mistake in cocoon: under :data:`STRICT_ENV` it
    raises; otherwise the missing value is shown as "–", never as ``{name}``."""
    template = str(entry(key, lang))
    formatter = _Formatter(lang)
    try:
        return formatter.format(template, **params)
    except (KeyError, IndexError, ValueError) as exc:
        if os.environ.get(STRICT_ENV, "") not in ("", "0"):
            raise ValueError(f"text {key!r} ({lang}) cannot be filled from {sorted(params)}: {exc!r}") from exc
    try:
        return formatter.vformat(template, (), _Blank(params))
    except (KeyError, IndexError, ValueError):
        return re.sub(r"\{[^{}]*\}", "–", template)


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **params)``: :func:`text` in one language, for code that renders many texts."""

    def t(key: str, /, **params: Any) -> str:
        return text(key, lang, **params)

    return t


def number(value: float, lang: str, digits: int = 0) -> str:
    """``value`` written the way ``lang`` writes numbers: "1,234.5" in English, "1 234,5" in Swedish
    (the separators are catalogue entries ``format.decimal`` and ``format.thousands``)."""
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return localise(f"{value:,.{digits}f}", lang)


def percent(fraction: float, lang: str, digits: int = 1) -> str:
    """A share as per cent in ``lang``: "69.4 %" or "69,4 %"."""
    return "–" if math.isnan(fraction) else f"{number(fraction * 100, lang, digits)}\u00a0%"
