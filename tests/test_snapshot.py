"""The ``snapshot`` fixture of tests/conftest.py: a screen must be its file exactly, a missing file
fails, and only --update-screens writes the files."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFTEST = Path(__file__).with_name("conftest.py")

SCREENS = """
import pytest

SHOWN = {"en": "Signs recorded as up: 2.\\n", "sv": "Skyltar registrerade som uppsatta: 2.\\n"}


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_signs(lang, snapshot):
    snapshot(SHOWN[lang], "some")


def test_help(snapshot):
    snapshot("Usage: cocoon [OPTIONS]\\n")
"""
"""Two parametrised screens with a case and one plain screen, as tests/test_cli_output.py has them."""

FILES = {
    "signs-some-en.txt": "Signs recorded as up: 2.\n",
    "signs-some-sv.txt": "Skyltar registrerade som uppsatta: 2.\n",
    "help.txt": "Usage: cocoon [OPTIONS]\n",
}


@pytest.fixture
def screens(pytester: pytest.Pytester) -> Path:
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_screens=SCREENS)
    return pytester.path / "screens"


def test_a_missing_snapshot_fails_and_is_not_written(pytester, screens):
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(["*no snapshot *screens/help.txt: run python -m pytest --update-screens*"])
    assert not screens.exists()


def test_update_screens_writes_each_file_by_test_case_and_language(pytester, screens):
    pytester.runpytest_inprocess("-p", "no:cacheprovider", "--update-screens").assert_outcomes(passed=3)
    assert {path.name: path.read_bytes().decode("utf-8") for path in screens.iterdir()} == FILES
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_a_screen_that_is_not_its_file_fails_until_updated(pytester, screens):
    screens.mkdir()
    for name, content in FILES.items():
        (screens / name).write_bytes(content.encode("utf-8"))
    (screens / "signs-some-sv.txt").write_bytes(b"Skyltar registrerade som uppsatta: 3.\n")
    (screens / "help.txt").write_bytes(b"Usage: cocoon [OPTIONS]\r\n")  # a line ending is a difference too
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*the screen is not *signs-some-sv.txt*", "*the screen is not *help.txt*"])
    pytester.runpytest_inprocess("-p", "no:cacheprovider", "--update-screens").assert_outcomes(passed=3)
    assert (screens / "signs-some-sv.txt").read_bytes().decode("utf-8") == FILES["signs-some-sv.txt"]
    assert (screens / "help.txt").read_bytes() == b"Usage: cocoon [OPTIONS]\n"
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=3)
