"""Benchmark: the whole `cocoon demo` (both areas) beside its areas run one after the other.

Run from the repository root:  python benchmarks/bench_demo.py [--repeat 3] [--json FILE]

Target (issue 22): `cocoon demo`, both areas, with routes (2 s of solving each), the field pack
and offline maps, at most 10 s. The demo plans its second area in a child process beside the
first; the peer, measured in the same run, is the same work one area at a time in one process
(`cocoon demo --area helsinki`, then `--area kotka`: the two times added). Every figure is a whole
command in a fresh process, run ``--repeat`` times: the best is shown and the spread (slowest -
best) beside it, as other work on the machine slows single runs down.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results import Results, as_installed, json_option


def seconds_of(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    json_option(parser)
    args = parser.parse_args()
    as_installed()
    results = Results(
        "bench_demo",
        title="`cocoon demo`, both areas, beside its areas one after the other",
        columns=["what", "best s", "spread s", "note / target"],
    )
    with tempfile.TemporaryDirectory() as folder:

        def demo(*extra: str) -> list[str]:
            return [
                sys.executable,
                "-m",
                "cocoon",
                "demo",
                "--out",
                str(Path(folder) / "demo"),
                "--lang",
                "en",
                "--overwrite",
                *extra,
            ]

        ours, peer = [], []
        for _ in range(args.repeat):  # interleaved, so that both see the same load
            ours.append(seconds_of(demo()))
            peer.append(seconds_of(demo("--area", "helsinki")) + seconds_of(demo("--area", "kotka")))
    print(f"{'what':52} {'best s':>7} {'spread':>7}")
    for name, runs, note in (
        ("cocoon demo (both areas)", ours, "<= 10 s"),
        ("  peer: the two areas one after the other", peer, "--area helsinki + --area kotka"),
    ):
        print(f"{name:52} {min(runs):7.2f} {max(runs) - min(runs):7.2f}  {note}")
        results.row(name.strip(), round(min(runs), 2), round(max(runs) - min(runs), 2), note)
    print(f"\nmachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {args.repeat} runs each")
    results.note(f"peer / cocoon demo: {min(peer) / min(ours):.2f}")
    results.note(f"every figure the best of {args.repeat} runs, each a whole command in a fresh process")
    results.write(args.json)


if __name__ == "__main__":
    main()
