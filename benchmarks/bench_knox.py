"""Benchmark: the Knox test on Chicago burglaries, beside pointpats.Knox in the same run.

Run from the repository root:  python benchmarks/bench_knox.py [--nrep 999] [--peer-nrep 99]

Targets (issue "Near-repeat calibration"): Chicago 2016 (11,701 events), the default bands
including inf, 999 permutations, at most 3 s; all 45,319 events 2014-2017, at most 30 s and
2 GB. The peer, pointpats.Knox, tests one band only (200 m, 14 days); it needs
`pip install pointpats`.
"""

from __future__ import annotations

import argparse
import math
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cocoon.knox import knox_test

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "chicago_burglary_2014_2017.csv"
SDS = [0, 1, 100, 200, 300, 400, 500, math.inf]
TDS = [0, 7, 14, 21, 28, 42, 56, math.inf]


def load(first: str, last: str):
    df = pd.read_csv(DATA)
    day = pd.to_datetime(df["date_single"], format="%d/%m/%Y")
    keep = (day >= first) & (day <= last)
    return df.loc[keep, "x"].to_numpy(), df.loc[keep, "y"].to_numpy(), (day[keep] - pd.Timestamp(first)).dt.days.to_numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nrep", type=int, default=999)
    parser.add_argument("--peer-nrep", type=int, default=99)
    args = parser.parse_args()
    print(f"{'data':32} {'what':34} {'seconds':>8}")
    for name, first, last in (("Chicago 2016", "2016-01-01", "2016-12-31"), ("Chicago 2014-2017", "2014-01-01", "2017-12-31")):
        x, y, t = load(first, last)
        start = time.perf_counter()
        result = knox_test(x, y, t, sds=SDS, tds=TDS, nrep=args.nrep, seed=1)
        ours = time.perf_counter() - start
        print(f"{name + f' ({len(x):,})':32} {f'cocoon, 7x7 bands, {args.nrep} perms':34} {ours:8.2f}")
        start = time.perf_counter()
        one = knox_test(x, y, t, sds=[0, 200], tds=[0, 14], nrep=args.peer_nrep, seed=1, closed="right")
        ours_one = time.perf_counter() - start
        print(f"{'':32} {f'cocoon, 1 band, {args.peer_nrep} perms':34} {ours_one:8.2f}   observed {int(one.observed[0, 0])}")
        try:
            from pointpats import Knox
        except ImportError:
            print(f"{'':32} {'pointpats not installed':34}")
            continue
        start = time.perf_counter()
        peer = Knox(np.column_stack([x, y]), t.reshape(-1, 1).astype(float), delta=200, tau=14,
                    permutations=args.peer_nrep)
        theirs = time.perf_counter() - start
        print(f"{'':32} {f'pointpats.Knox, 1 band, {args.peer_nrep} perms':34} {theirs:8.2f}   observed {int(peer.statistic_)}"
              f"   -> cocoon {theirs / ours_one:.1f}x faster")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
