"""Benchmark: a 1 MB header line of repeated names costs about what a normal 1 MB file costs.

Run from the repository root:  python benchmarks/bench_header.py [--megabytes 1]

Target (issue 24): reading the header is linear, so a single-line header of repeated names (it
took over 300 s) is refused at once, like any header of more than MAX_COLUMNS columns. Timed in
the same run:

- the wide header: "date,date,...,id" of about 1 MB, one data row (refused: too many columns);
- the widest header cocoon reads: MAX_COLUMNS distinct names and a few rows of blanks;
- the peer: a normal burglary CSV (id, date, lon, lat, address) of the same size, read in full.

Each is read with cocoon's reader (``read_table``), the best of three runs.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from cocoon.errors import InputError
from cocoon.inputs.tables import MAX_COLUMNS, read_table


def best_of(times: int, work: Callable[[], str]) -> tuple[float, str]:
    best, outcome = float("inf"), ""
    for _ in range(times):
        start = time.perf_counter()
        outcome = work()
        best = min(best, time.perf_counter() - start)
    return best, outcome


def reading(path: Path) -> Callable[[], str]:
    def work() -> str:
        try:
            table = read_table(path)
        except InputError as exc:
            return f"refused: {exc.key}"
        return f"read {len(table.frame):,} rows x {len(table.frame.columns):,} columns"

    return work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=1.0)
    size = int(parser.parse_args().megabytes * 1_000_000)
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as folder:
        wide = Path(folder) / "wide-header.csv"
        wide.write_text("date," * (size // 5) + "id\nB1\n", encoding="utf-8")
        widest = Path(folder) / "widest-header.csv"
        names = ["id", "date", "lon", "lat", *[f"extra column {i}" for i in range(MAX_COLUMNS - 4)]]
        widest.write_text(",".join(names) + "\n" + ("," * (MAX_COLUMNS - 1) + "\n") * 10, encoding="utf-8")
        normal = Path(folder) / "normal.csv"
        lines, length = ["id,date,lon,lat,address"], 0
        while length < size:
            line = (
                f"B{len(lines)},2026-{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d},"
                f"{18 + rng.random():.6f},{59 + rng.random():.6f},Storgatan {rng.integers(1, 99)}"
            )
            lines.append(line)
            length += len(line) + 1
        normal.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{'file':<44} {'bytes':>11} {'seconds':>9}  outcome")
        for label, path in (
            (f"header of {size // 5 + 1:,} repeated names", wide),
            (f"header of {MAX_COLUMNS:,} distinct names", widest),
            ("peer: normal burglary file, same size", normal),
        ):
            seconds, outcome = best_of(3, reading(path))
            print(f"{label:<44} {path.stat().st_size:>11,} {seconds:>9.3f}  {outcome}")


if __name__ == "__main__":
    main()
