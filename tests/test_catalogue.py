"""Every text exists in every language, with the same placeholders, and every key used exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from cocoon.catalogue import STRICT_ENV, catalogue, languages, text

PACKAGE = Path(__file__).resolve().parents[1] / "cocoon"


def placeholders(template) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(str(template)) if name}


def test_languages_have_the_same_keys_and_placeholders():
    assert {"en", "sv"} <= set(languages())
    english = catalogue("en")
    for lang in languages():
        other = catalogue(lang)
        assert set(other) == set(english), f"{lang}: {set(other) ^ set(english)}"
        for key, value in english.items():
            assert placeholders(other[key]) == placeholders(value), f"{lang}: {key}"


def test_every_key_used_in_the_code_exists():
    english = catalogue("en")
    pattern = re.compile(r"""(?:Error|text|say|warn|t)\(\s*f?["']([a-z_]+\.[a-z_A-Z{}]+)["']""")
    used = set()
    for path in PACKAGE.rglob("*.py"):
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    missing = [k for k in used if "{" not in k and k not in english]
    assert used and not missing, missing


def test_counts_choose_singular_or_plural():
    counts = {"burglaries": 1, "visits": 0, "plans": 1, "plan_households": 2, "signs": 1, "audit": 1}
    assert text("store.purged", "en", before="2026-01-01", **counts) == (
        "Removed everything dated before 2026-01-01: 1 burglary, 0 visits, 1 plan (2 listed households), "
        "1 sign taken down; visitor names and household ids removed from 1 audit entry."
    )
    assert text("store.purged", "sv", before="2026-01-01", **counts) == (
        "Tog bort allt daterat före 2026-01-01: 1 inbrott, 0 besök, 1 plan (2 listade hushåll), "
        "1 nedtagen skylt; besökarnamn och hushålls-id togs bort ur 1 post i loggen."
    )


def test_plural_forms_are_well_formed():
    """A plural spec is ``{count:one|other}``: one bar, on a placeholder that is a count."""
    for lang in languages():
        for key, value in catalogue(lang).items():
            for _, name, spec, _ in string.Formatter().parse(str(value)):
                if spec and "|" in spec:
                    assert spec.count("|") == 1, f"{lang}: {key}: {spec}"
                    shown = [s for _, n, s, _ in string.Formatter().parse(str(value)) if n == name and "|" not in s]
                    assert shown, f"{lang}: {key}: {name} is not shown as a number"


def test_a_text_missing_a_value_fails_under_tests_and_never_shows_braces(monkeypatch):
    with pytest.raises(ValueError, match=r"settings\.unknown_key"):
        text("settings.unknown_key", "en", file="a.toml")
    monkeypatch.setenv(STRICT_ENV, "0")
    shown = text("settings.unknown_key", "en", file="a.toml")
    assert "a.toml" in shown and "{" not in shown and "–" in shown
