"""Every text exists in every language, with the same placeholders, and every key used exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

from cocoon.catalogue import catalogue, languages

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
