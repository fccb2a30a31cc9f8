"""Small data built in fixtures: households and burglaries around Stockholm in SWEREF 99 TM; and
the screen snapshots: a test's expected screen kept in a file beside it (``snapshot``), rewritten
by ``python -m pytest --update-screens``."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("COCOON_STRICT_TEXTS", "1")  # a text missing a value fails the test that shows it
if "COCOON_STAGING_DIR" not in os.environ:  # the register of unfinished outputs, kept out of the user's home
    import tempfile

    os.environ["COCOON_STAGING_DIR"] = tempfile.mkdtemp(prefix="cocoon-staging-")

TRUE_WORDS = {"1", "true", "yes", "on", "y", "t"}


def under_ci() -> bool:
    """Whether the tests run under CI: any true value of ``CI`` (true, 1, yes, on...)."""
    return os.environ.get("CI", "").strip().lower() in TRUE_WORDS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI a skipped test is a failed test: a skip there means missing setup, not a choice."""
    outcome = yield
    report = outcome.get_result()
    if under_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, which counts as a failure: {reason}"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-screens",
        action="store_true",
        default=False,
        help="write the screens printed now into the snapshot files (screens/ beside the tests) instead of "
        "comparing them; review the change with git diff",
    )


@dataclass(frozen=True)
class Snapshot:
    """A test's expected screens, one file each in ``folder``: ``<test>-<case>-<lang>.txt``
    (the test's name without ``test_``, the case given by the test, the test's parameters)."""

    folder: Path
    test: str
    params: str
    update: bool

    def path(self, case: str = "") -> Path:
        return self.folder / ("-".join(part for part in (self.test, case, self.params) if part) + ".txt")

    def __call__(self, shown: str, case: str = "") -> None:
        """``shown`` must be the file's text, exactly; with --update-screens it becomes the file's text.
        A missing file fails the test: only --update-screens writes one."""
        path = self.path(case)
        if self.update:
            if not path.exists() or path.read_bytes() != shown.encode("utf-8"):
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(shown.encode("utf-8"))
            return
        if not path.exists():
            pytest.fail(f"no snapshot {path}: run python -m pytest --update-screens to write it, then check it")
        expected = path.read_bytes().decode("utf-8")  # as written: no newline translation
        assert shown == expected, f"the screen is not {path}; if the change is meant, run with --update-screens"


@pytest.fixture
def snapshot(request: pytest.FixtureRequest) -> Snapshot:
    """Compares a screen with its snapshot file in screens/ beside the test (see :class:`Snapshot`)."""
    callspec = getattr(request.node, "callspec", None)
    return Snapshot(
        folder=Path(request.node.path).parent / "screens",
        test=request.node.originalname.removeprefix("test_"),
        params=callspec.id if callspec is not None else "",
        update=bool(request.config.getoption("update_screens")),
    )


PLAN_DATE = dt.date(2026, 5, 4)
CHICAGO = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "chicago_burglary_2014_2017.csv"
"""Real burglaries for the reference tests; kept beside the project, never in it."""
X0, Y0 = 674_000.0, 6_580_000.0


def to_lonlat(x, y):
    points = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=3006).to_crs(4326)
    return points.x.to_numpy(), points.y.to_numpy()


@pytest.fixture
def household_frame() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 400
    x = X0 + rng.uniform(-1500, 1500, n)
    y = Y0 + rng.uniform(-1500, 1500, n)
    lon, lat = to_lonlat(x, y)
    return pd.DataFrame(
        {
            "household_id": [f"H{i:03d}" for i in range(n)],
            "lon": lon.round(8),
            "lat": lat.round(8),
            "x": x,
            "y": y,
            "street": rng.choice(["Storgatan", "Kyrkvägen", "Ågatan"], n),
            "number": rng.integers(1, 60, n).astype(str),
            "dwellings": rng.integers(1, 12, n),
        }
    )


@pytest.fixture
def burglary_frame() -> pd.DataFrame:
    x = np.array([X0, X0 + 300, X0 - 800, X0 + 900])
    y = np.array([Y0, Y0 + 200, Y0 - 700, Y0 + 900])
    lon, lat = to_lonlat(x, y)
    return pd.DataFrame(
        {
            "id": ["B1", "B2", "B3", "B4"],
            "date": ["2026-05-01", "2026-04-10", "2026-01-01", "2026-04-20"],
            "lon": lon.round(8),
            "lat": lat.round(8),
            "x": x,
            "y": y,
            "address": ["Storgatan 12", "Kyrkvägen 3", "", "Ågatan 5"],
        }
    )


@pytest.fixture
def files(tmp_path, household_frame, burglary_frame):
    h = tmp_path / "households.csv"
    b = tmp_path / "burglaries.csv"
    household_frame.drop(columns=["x", "y"]).to_csv(h, index=False)
    burglary_frame.drop(columns=["x", "y"]).to_csv(b, index=False)
    return b, h


def chicago_csv() -> Path:
    """The Chicago file; a missing file fails the test (it is never skipped)."""
    assert CHICAGO.exists(), f"reference data missing: {CHICAGO} (it lives in ../shared/data beside the project)"
    return CHICAGO


def chrome(*, window: str = "1200,800", downloads: Path | None = None, performance: bool = False):
    """Headless Chromium via chromedriver; skipped where missing (under CI the skip is a failure).
    ``downloads``: the folder files downloaded by the page go to; ``performance``: keep the
    performance log (every network request the page makes)."""
    import shutil

    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (binary and driver):
        pytest.skip("Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--window-size={window}",
    ):
        options.add_argument(arg)
    options.binary_location = binary
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", **({"performance": "ALL"} if performance else {})})
    if downloads is not None:
        options.add_experimental_option(
            "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
        )
    browser = webdriver.Chrome(service=Service(driver), options=options)
    if downloads is not None:
        browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    return browser
