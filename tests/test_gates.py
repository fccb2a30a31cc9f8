"""The test suite's own gates: under CI a skipped test fails, for any true value of CI."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFTEST = Path(__file__).with_name("conftest.py")
A_SKIPPING_TEST = """
import pytest

def test_needs_a_program():
    pytest.skip("the program is not installed")

def test_passes():
    assert True
"""


@pytest.mark.parametrize("value", ["true", "1", "yes", "TRUE", "on"])
def test_a_skip_under_ci_is_a_failure(pytester, monkeypatch, value):
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(A_SKIPPING_TEST)
    monkeypatch.setenv("CI", value)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*skipped under CI, which counts as a failure*the program is not installed*"])


@pytest.mark.parametrize("value", [None, "", "false", "0"])
def test_outside_ci_a_skip_stays_a_skip(pytester, monkeypatch, value):
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(A_SKIPPING_TEST)
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    pytester.runpytest().assert_outcomes(skipped=1, passed=1)
