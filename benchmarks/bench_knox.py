"""Benchmark: the Knox test on Chicago burglaries, beside pointpats.Knox in the same run.

Run from the repository root:  python benchmarks/bench_knox.py [--nrep 999] [--peer-nrep 99]

Targets (issue "Near-repeat calibration"): Chicago 2016 (11,701 events), the default bands
including inf, 999 permutations, at most 3 s; all 45,319 events 2014-2017, at most 30 s and
2 GB. Memory is the peak of this process after cocoon's runs, before the peer is imported.
The peer, pointpats.Knox, tests one band only (200 m, 14 days); it needs `pip install pointpats`.
The whole `cocoon calibrate` command (reading the CSV too) is timed in a separate process.
"""

from __future__ import annotations

import argparse
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cocoon.evidence.knox import knox_test

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


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nrep", type=int, default=999)
    parser.add_argument("--peer-nrep", type=int, default=99)
    args = parser.parse_args()
    data = {name: load(first, last) for name, first, last in PERIODS}
    print(f"{'data':30} {'what':44} {'seconds':>8}")
    ones = {}
    for name, _, _ in PERIODS:
        x, y, t = data[name]
        start = time.perf_counter()
        knox_test(x, y, t, sds=SDS, tds=TDS, nrep=args.nrep, seed=1)
        print(f"{name + f' ({len(x):,})':30} {f'cocoon, 7x7 bands with inf, {args.nrep} perms':44} "
              f"{time.perf_counter() - start:8.2f}")
        start = time.perf_counter()
        ones[name] = knox_test(x, y, t, sds=[0, 200], tds=[0, 14], nrep=args.peer_nrep, seed=1, closed="right")
        ones[name + " seconds"] = time.perf_counter() - start
        print(f"{'':30} {f'cocoon, 1 band, {args.peer_nrep} perms':44} {ones[name + ' seconds']:8.2f}"
              f"   observed {int(ones[name].observed[0, 0])}")
    print(f"\npeak memory of this process after cocoon's runs: {peak_mb():.0f} MB\n")
    for name, first, last in PERIODS:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cocoon", "calibrate", str(DATA), "--from", first, "--to", last,
                        "--nrep", str(args.nrep), "--seed", "1", "--lang", "en"], check=True, capture_output=True)
        print(f"{name:30} {'cocoon calibrate command, CSV read included':44} {time.perf_counter() - start:8.2f}")
    try:
        from pointpats import Knox
    except ImportError:
        print("pointpats not installed: pip install pointpats to run the peer")
        return
    for name, _, _ in PERIODS:
        x, y, t = data[name]
        start = time.perf_counter()
        peer = Knox(np.column_stack([x, y]), t.reshape(-1, 1).astype(float), delta=200, tau=14,
                    permutations=args.peer_nrep)
        theirs = time.perf_counter() - start
        print(f"{name:30} {f'pointpats.Knox, 1 band, {args.peer_nrep} perms':44} {theirs:8.2f}   observed "
              f"{int(peer.statistic_)}   -> cocoon {theirs / ones[name + ' seconds']:.0f}x faster")


if __name__ == "__main__":
    main()
