"""Benchmark: the Knox test on Chicago burglaries, beside pointpats.Knox in the same run.

Run from the repository root:
    python benchmarks/bench_knox.py [--nrep 999] [--peer-nrep 99] [--repeat 3] [--json FILE]

Targets: Chicago 2016 (11,701 events), the default bands including inf, 999 permutations, at
most 3 s; all 45,319 events 2014-2017, the Knox test at most 8 s of computation and 2 GB, and
the whole `cocoon calibrate` command (reading the CSV, the Knox test, fitting the risk model,
writing the JSON) at most 10 s. Memory is the peak of this process after cocoon's runs, before
the peer is imported. The whole command is timed in a separate process. Every timing is run
``--repeat`` times: the best is shown, and the spread (slowest - best) beside it, as other work
on the machine slows single runs down.
The peer, pointpats.Knox, tests one band only (200 m, 14 days); it needs `pip install pointpats`.
"""

from __future__ import annotations

import argparse
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
from results import Results, as_installed, json_option

from cocoon.evidence.knox import knox_test
from cocoon.jobs.calibrate import fit_events
from cocoon.settings import Settings

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "chicago_burglary_2014_2017.csv"
SDS = [0, 1, 100, 200, 300, 400, 500, math.inf]
TDS = [0, 7, 14, 21, 28, 42, 56, math.inf]
PERIODS = (("Chicago 2016", "2016-01-01", "2016-12-31"), ("Chicago 2014-2017", "2014-01-01", "2017-12-31"))


def load(first: str, last: str):
    df = pd.read_csv(DATA)
    day = pd.to_datetime(df["date_single"], format="%d/%m/%Y")
    keep = (day >= first) & (day <= last)
    days = (day[keep] - pd.Timestamp(first)).dt.days.to_numpy()
    return df.loc[keep, "x"].to_numpy(), df.loc[keep, "y"].to_numpy(), days


def timed(repeat: int, run) -> tuple[float, float, object]:
    """(best seconds, slowest - best, the last result) of ``repeat`` runs."""
    seconds, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - start)
    return min(seconds), max(seconds) - min(seconds), result


def shown(best: float, spread: float) -> str:
    return f"{best:8.2f} {spread:7.2f}"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nrep", type=int, default=999)
    parser.add_argument("--peer-nrep", type=int, default=99)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timing (the best is shown)")
    json_option(parser)
    args = parser.parse_args()
    as_installed()
    results = Results(
        "bench_knox",
        title="The Knox test and `cocoon calibrate` on the Chicago burglaries",
        columns=["data", "what", "best s", "spread s", "note"],
    )
    data = {name: load(first, last) for name, first, last in PERIODS}
    print(f"{'data':30} {'what':48} {'best s':>8} {'spread':>7}")
    ones = {}
    for name, _, _ in PERIODS:
        x, y, t = data[name]
        best, spread, _ = timed(
            args.repeat, lambda x=x, y=y, t=t: knox_test(x, y, t, sds=SDS, tds=TDS, nrep=args.nrep, seed=1)
        )
        what = f"cocoon Knox, 7x7 bands with inf, {args.nrep} perms"
        print(f"{name + f' ({len(x):,})':30} {what:48} {shown(best, spread)}")
        results.row(f"{name} ({len(x):,})", what, round(best, 2), round(spread, 2), "")
        best, spread, ones[name] = timed(
            args.repeat,
            lambda x=x, y=y, t=t: knox_test(
                x, y, t, sds=[0, 200], tds=[0, 14], nrep=args.peer_nrep, seed=1, closed="right"
            ),
        )
        ones[name + " seconds"] = best
        what = f"cocoon Knox, 1 band, {args.peer_nrep} perms"
        print(f"{'':30} {what:48} {shown(best, spread)}   observed {int(ones[name].observed[0, 0])}")
        results.row(
            f"{name} ({len(x):,})", what, round(best, 2), round(spread, 2), f"observed {int(ones[name].observed[0, 0])}"
        )
        events = SimpleNamespace(x=x.astype(float), y=y.astype(float), day=t.astype(np.int64))
        best, spread, _ = timed(args.repeat, lambda events=events: fit_events(events, Settings()))
        print(f"{'':30} {'cocoon fitting the risk model':48} {shown(best, spread)}")
        results.row(f"{name} ({len(x):,})", "cocoon fitting the risk model", round(best, 2), round(spread, 2), "")
    print(f"\npeak memory of this process after cocoon's runs: {peak_mb():.0f} MB\n")
    results.note(f"peak memory of the benchmark's process after cocoon's runs: {peak_mb():.0f} MB")
    for name, first, last in PERIODS:
        with tempfile.TemporaryDirectory() as folder:
            command = [
                sys.executable,
                "-m",
                "cocoon",
                "calibrate",
                str(DATA),
                "--from",
                first,
                "--to",
                last,
                "--nrep",
                str(args.nrep),
                "--seed",
                "1",
                "--lang",
                "en",
                "--json",
                str(Path(folder) / "knox.json"),
                "--overwrite",
            ]
            best, spread, _ = timed(
                args.repeat, lambda command=command: subprocess.run(command, check=True, capture_output=True)
            )
        what = "cocoon calibrate command (read, Knox, fit, JSON)"
        print(f"{name:30} {what:48} {shown(best, spread)}")
        results.row(
            name,
            what,
            round(best, 2),
            round(spread, 2),
            "whole command; target <= 10 s" if name == PERIODS[-1][0] else "whole command",
        )
    try:
        from pointpats import Knox
    except ImportError:
        print("pointpats not installed: pip install pointpats to run the peer")
        results.note("peer not measured: pointpats is not installed")
        results.write(args.json)
        return
    for name, _, _ in PERIODS:
        x, y, t = data[name]
        start = time.perf_counter()
        peer = Knox(
            np.column_stack([x, y]), t.reshape(-1, 1).astype(float), delta=200, tau=14, permutations=args.peer_nrep
        )
        theirs = time.perf_counter() - start
        what = f"peer: pointpats.Knox, 1 band, {args.peer_nrep} perms"
        faster = f"cocoon {theirs / ones[name + ' seconds']:.0f}x faster"
        print(f"{name:30} {what:48} {theirs:8.2f}         observed {int(peer.statistic_)}   -> {faster}")
        results.row(f"{name} ({len(x):,})", what, round(theirs, 2), None, f"observed {int(peer.statistic_)}; {faster}")
    results.write(args.json)


if __name__ == "__main__":
    main()
