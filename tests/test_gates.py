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


def _pins() -> dict[str, str]:
    from packaging.utils import canonicalize_name

    pins = {}
    for line in (Path(__file__).parents[1] / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: '{line}' is not an exact pin (NAME==VERSION)"
            pins[canonicalize_name(name)] = version
    return pins


def test_ci_installs_exact_versions_of_everything_cocoon_and_its_tests_need():
    """constraints.txt pins each requirement (and the test extra's) to a version its range allows;
    .ci/run installs with it, so a package's new release cannot change a screen test overnight."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    root = Path(__file__).parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = _pins()
    assert "cocoon" not in pins
    for text in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {requirement.name}=={pins[name]}, outside pyproject's '{requirement.specifier}'"
        )
    assert 'export PIP_CONSTRAINT="$PWD/constraints.txt"' in (root / ".ci" / "run").read_text(encoding="utf-8")


def test_ci_measures_coverage_and_fails_below_the_threshold():
    import tomllib

    root = Path(__file__).parents[1]
    coverage = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["coverage"]
    assert coverage["run"]["source"] == ["cocoon"] and coverage["report"]["fail_under"] >= 90
    assert 'export PYTEST_ADDOPTS="--cov --cov-report=term"' in (root / ".ci" / "run").read_text(encoding="utf-8")
