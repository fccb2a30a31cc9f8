"""Benchmark: calibrate and backtest on 5 million burglaries refuse at once, in bounded memory.

Run from the repository root:  python benchmarks/bench_limits.py [--events 5000000]

5 million synthetic burglaries (x, y in metres over a 40 km square, dates over four years) would
give tens of billions of pairs within 500 m: no machine holds them. Target (issue "hardening"):
the command either runs in bounded memory or refuses before starting, with an estimate and a
suggestion, under 8 GB. Each command is timed in its own process with its peak memory. The peer
is reading the same file with pandas alone, in the same way: the least any tool must do.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

PEAK = (
    "import resource,subprocess,sys,time;t=time.perf_counter();"
    "p=subprocess.run(sys.argv[1:],capture_output=True,text=True);s=time.perf_counter()-t;"
    "print(p.returncode, s, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024);"
    "print(p.stdout[-400:]);print(p.stderr[-600:])"
)


def measured(cmd: list[str]) -> tuple[int, float, float, str]:
    """Exit code, wall seconds, peak MB and the end of what the command printed."""
    proc = subprocess.run([sys.executable, "-c", PEAK, *cmd], capture_output=True, text=True, check=False)
    first, *rest = proc.stdout.splitlines()
    code, seconds, mb = first.split()
    return int(code), float(seconds), float(mb), "\n".join(rest).strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5_000_000)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.csv"
        t = time.perf_counter()
        days = pd.Timestamp("2014-01-01") + pd.to_timedelta(rng.integers(0, 1461, args.events), unit="D")
        table = pa.table(
            {
                "x": rng.uniform(0, 40_000, args.events).round(1),
                "y": rng.uniform(0, 40_000, args.events).round(1),
                "date": days.strftime("%Y-%m-%d"),
            }
        )
        pacsv.write_csv(table, path)
        print(f"made {args.events:,} events ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s")
        peer = [sys.executable, "-c", f"import pandas as pd; pd.read_csv({str(path)!r}, dtype=str)"]
        cocoon = [sys.executable, "-m", "cocoon"]
        runs = [
            ("peer: pandas reads the file", peer),
            ("cocoon calibrate", [*cocoon, "calibrate", str(path), "--nrep", "9", "--seed", "1", "--lang", "en"]),
            (
                "cocoon backtest",
                [*cocoon, "backtest", str(path), "--from", "2017-01-01", "--to", "2017-12-31", "--lang", "en"],
            ),
        ]
        print(f"\n{'what':32} {'exit':>4} {'seconds':>8} {'peak MB':>8}  (target: refuse or run under 8,000 MB)")
        for name, cmd in runs:
            code, seconds, mb, said = measured(cmd)
            print(f"{name:32} {code:>4} {seconds:8.1f} {mb:8.0f}")
            if code != 0 and said:
                print("   " + said.splitlines()[-1][:400])


if __name__ == "__main__":
    main()
