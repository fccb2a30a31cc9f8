"""The fitted risk model on Chicago: does it win on burglaries it was not fitted on, and how fast?

    python benchmarks/bench_model.py            # everything (about 7 minutes on 2 cores)
    python benchmarks/bench_model.py --quick    # the two fixed splits only

Reads ../shared/data/chicago_burglary_2014_2017.csv (EPSG:26971; not part of the repository)
and runs ``cocoon calibrate`` and ``cocoon backtest`` as a user would, through their jobs:

1. fit on 2014-2015 (calibrate --write-settings), score 2016 (backtest --settings);
2. fit on 2014-2016, score 2017;
3. rolling origin over 2015-2017: refit every 8 weeks on everything before the block;
4. small areas, as a police area's own file would be: 8 squares of 5 x 5 km picked at random,
   each fitted on its 2015 burglaries (a few hundred) and scored on its 2016 ones;
5. speed: fitting on all 45,319 burglaries (target: at most 60 s), beside the Knox test on the
   same burglaries with 99 shuffles, measured in the same run; and a rolling-origin backtest
   over four years (2014-03-01 to 2017-12-31, target: at most 180 s), beside the same backtest
   with the default model.

Each split prints hit rates at 1-30 % of the area for the model, Bowers-Johnson, KDE, last
year's counts and the default model, and the model's difference from each with its 95 %
interval (weeks resampled) and verdict.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from results import Results, json_option

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cocoon.evidence.comparisons import COMPARE_SHARES, compare, tally  # noqa: E402
from cocoon.evidence.events import burglary_events  # noqa: E402
from cocoon.evidence.fitting import fit_model  # noqa: E402
from cocoon.evidence.knox import knox_test  # noqa: E402
from cocoon.evidence.scoring import run_backtest  # noqa: E402
from cocoon.jobs.backtest import BacktestRun, run_backtest_job  # noqa: E402
from cocoon.jobs.calibrate import CalibrateRun, fit_events, run_calibrate  # noqa: E402
from cocoon.jobs.common import read_event_file  # noqa: E402
from cocoon.settings import Settings, load_settings  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "chicago_burglary_2014_2017.csv"
METHODS = ("ranking_model", "bowers_johnson", "kde", "hotspot", "default_model")
NAMES = {
    "ranking_model": "fitted model",
    "bowers_johnson": "Bowers-Johnson",
    "kde": "KDE 56 d",
    "hotspot": "last year's counts",
    "default_model": "default model",
}


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def calibrate(source: Path, start: str, end: str, out: Path) -> float:
    t0 = time.perf_counter()
    run_calibrate(
        Settings(language="en"),
        CalibrateRun(
            burglaries=source,
            start=day(start),
            end=day(end),
            nrep=19,
            seed=1,
            settings_out=out,
            input_crs="EPSG:26971",
            overwrite=True,
        ),
    )
    return time.perf_counter() - t0


def backtest(
    source: Path, start: str, end: str, settings_file: Path | None = None, **options: object
) -> tuple[object, float]:
    t0 = time.perf_counter()
    settings = replace(load_settings(settings_file), language="en")
    result = run_backtest_job(
        settings,
        BacktestRun(
            burglaries=source,
            start=day(start),
            end=day(end),
            input_crs="EPSG:26971",
            overwrite=True,
            settings_file=settings_file,
            **options,
        ),
    )  # type: ignore[arg-type]
    return result, time.perf_counter() - t0


def report(title: str, result: object) -> None:
    b = result.backtest  # type: ignore[attr-defined]
    comparisons = result.comparisons  # type: ignore[attr-defined]
    print(f"\n## {title}: {b.n_events_scored:,} burglaries scored\n")
    columns = list(COMPARE_SHARES)
    print("| method | " + " | ".join(f"{s:.0%}" for s in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for name in METHODS:
        if name not in b.curves:
            continue
        rates = dict(b.curves[name])
        print(f"| {NAMES[name]} | " + " | ".join(f"{100 * rates[s]:.1f} %" for s in columns) + " |")
    print("\nFitted model minus each method, percentage points [95 % interval], verdict:\n")
    print("| against | " + " | ".join(f"{s:.0%}" for s in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for name in METHODS[1:]:
        cells = {c.share: c for c in comparisons if c.baseline == name}
        if not cells:
            continue
        print(
            f"| {NAMES[name]} | "
            + " | ".join(
                f"{100 * cells[s].difference:+.1f} [{100 * cells[s].low:+.1f}, {100 * cells[s].high:+.1f}] "
                f"{cells[s].verdict}"
                for s in columns
            )
            + " |"
        )
        counts = tally(comparisons, name)
        print(
            f"|  | better at {counts['better']}, indistinguishable at {counts['indistinguishable']}, "
            f"worse at {counts['worse']} |"
        )


def small_areas(source: Path, squares: int = 8, side: float = 5000.0, seed: int = 3) -> None:
    """Fit on one year of a 5 x 5 km square, score the next year, for several squares."""
    import shapely

    table = read_event_file(CalibrateRun(burglaries=source, input_crs="EPSG:26971"))
    events = burglary_events(table.burglaries, source=str(source))
    origin = np.datetime64(events.first, "D")
    first_2015 = int((np.datetime64("2015-01-01") - origin).astype(int))
    first_2016 = int((np.datetime64("2016-01-01") - origin).astype(int))
    last_2016 = int((np.datetime64("2016-12-31") - origin).astype(int))
    rng = np.random.default_rng(seed)
    settings = Settings()
    totals: dict[str, dict[str, int]] = {}
    curves: dict[str, list[list[float]]] = {}
    sizes = []
    for _ in range(squares):
        centre = rng.integers(len(events.x))
        inside = (np.abs(events.x - events.x[centre]) < side / 2) & (np.abs(events.y - events.y[centre]) < side / 2)
        x, y, day = events.x[inside], events.y[inside], events.day[inside]
        keep = day <= last_2016
        x, y, day = x[keep], y[keep], day[keep]
        area = shapely.MultiPoint(np.column_stack([x, y])).convex_hull
        fit = fit_model(x, y, day, first_day=first_2015, last_day=first_2016 - 1, area=area)
        result = run_backtest(
            x,
            y,
            day,
            first_day=first_2016,
            last_day=last_2016,
            area=area,
            zones=settings.zones,
            ranking=settings.ranking,
            settings=settings.backtest,
            models=[(first_2016, fit.model)],
        )
        sizes.append((fit.n_burglaries, result.n_events_scored, fit.data_share))
        for name in METHODS:
            curves.setdefault(name, []).append([dict(result.curves[name])[s] for s in COMPARE_SHARES])
        comparisons = compare(result)
        for name in METHODS[1:]:
            for verdict, count in tally(comparisons, name).items():
                totals.setdefault(name, {}).setdefault(verdict, 0)
                totals[name][verdict] += count
    km = f"{side / 1000:g}"
    print(f"\n## Small areas: {squares} squares of {km} x {km} km, fitted on 2015, scored on 2016\n")
    print(
        "Burglaries fitted / scored / share of the model from the data: "
        + "; ".join(f"{a} / {b} / {c:.0%}" for a, b, c in sizes)
    )
    print("\nMean hit rate over the squares:\n")
    print("| method | " + " | ".join(f"{s:.0%}" for s in COMPARE_SHARES) + " |")
    print("|---|" + "---:|" * len(COMPARE_SHARES))
    for name in METHODS:
        mean = np.mean(curves[name], axis=0)
        print(f"| {NAMES[name]} | " + " | ".join(f"{100 * v:.1f} %" for v in mean) + " |")
    print("\nVerdicts of the fitted model, summed over squares and shares (95 % intervals, weeks resampled):\n")
    for name in METHODS[1:]:
        counts = totals[name]
        print(
            f"- against {NAMES[name]}: better {counts['better']}, indistinguishable {counts['indistinguishable']}, "
            f"worse {counts['worse']}"
        )


def speed(source: Path, results: Results) -> None:
    table = read_event_file(CalibrateRun(burglaries=source, input_crs="EPSG:26971"))
    events = burglary_events(table.burglaries, source=str(source))
    t0 = time.perf_counter()
    fit = fit_events(events, Settings())
    fit_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    knox_test(
        events.x,
        events.y,
        events.day,
        sds=(0, 1, 100, 200, 300, 400, 500, np.inf),
        tds=(0, 7, 14, 21, 28, 42, 56, np.inf),
        nrep=99,
        seed=1,
    )
    knox_seconds = time.perf_counter() - t0
    assert fit is not None
    print(
        f"\n## Speed\n\nFitting the model on all {fit.n_burglaries:,} burglaries: {fit_seconds:.1f} s "
        f"({fit.iterations} EM steps; target 60 s). Peer, same run: the Knox test on the same burglaries, "
        f"99 shuffles: {knox_seconds:.1f} s."
    )
    results.row(
        f"fitting the model on all {fit.n_burglaries:,} burglaries of 2014-2017",
        round(fit_seconds, 1),
        f"{fit.iterations} EM steps; target 60 s",
    )
    results.row("peer: the Knox test on the same burglaries, 99 shuffles", round(knox_seconds, 1), "")
    _, rolling_seconds = backtest(source, "2014-03-01", "2017-12-31", refit_every=56)
    _, plain_seconds = backtest(source, "2014-03-01", "2017-12-31")
    print(
        f"Rolling-origin backtest 2014-03-01..2017-12-31, refit every 8 weeks: {rolling_seconds:.1f} s "
        f"(target 180 s). Peer, same run: the same backtest with the default model: {plain_seconds:.1f} s."
    )
    results.row(
        "rolling-origin backtest 2014-03-01 to 2017-12-31, refitting every 8 weeks",
        round(rolling_seconds, 1),
        "target 180 s",
    )
    results.row("peer: the same backtest with the default model", round(plain_seconds, 1), "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the two fixed splits only")
    json_option(parser)
    args = parser.parse_args()
    results = Results(
        "bench_model",
        title="Fitting and backtesting the risk model on the Chicago burglaries",
        columns=["what", "seconds", "note"],
    )
    if not DATA.exists():
        sys.exit(f"{DATA} not found: this benchmark needs the shared Chicago data")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "chicago.csv"
        frame = pd.read_csv(DATA)
        frame["date"] = pd.to_datetime(frame["date_single"], format="%d/%m/%Y").dt.strftime("%Y-%m-%d")
        frame[["x", "y", "date"]].to_csv(source, index=False)
        for fit_to, score in (
            ("2015-12-31", ("2016-01-01", "2016-12-31")),
            ("2016-12-31", ("2017-01-01", "2017-12-31")),
        ):
            settings = Path(folder) / f"fit-{fit_to}.toml"
            seconds = calibrate(source, "2014-01-01", fit_to, settings)
            result, scored = backtest(source, *score, settings_file=settings)
            report(f"Fit 2014-01-01..{fit_to} ({seconds:.0f} s), score {score[0]}..{score[1]} ({scored:.0f} s)", result)
        if not args.quick:
            result, seconds = backtest(source, "2015-01-01", "2017-12-31", refit_every=56)
            report(f"Rolling origin 2015-2017, refit every 8 weeks ({seconds:.0f} s)", result)
            small_areas(source)
            speed(source, results)
            results.write(args.json)


if __name__ == "__main__":
    main()
