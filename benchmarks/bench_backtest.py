"""Benchmark: cocoon backtest on all Chicago burglaries 2014-2017, beside a GeoPandas peer.

Run from the repository root:  python benchmarks/bench_backtest.py [--peer-days 30]

Target (issue "Backtest"): 45,319 events, the whole period, the cocoon policy plus the three
baselines, in at most 120 s. The whole command is timed in a separate process. The peer does
the zone part only (the usual GIS way: buffer the burglaries of the last 14 days, dissolve,
clip to the study area, measure the area and test today's burglaries, for the high-risk and
the all-zones windows), for --peer-days days from day 60 (full windows); its per-day time is
multiplied out to the whole period and marked as such.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from results import Results, json_option

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "chicago_burglary_2014_2017.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer-days", type=int, default=30)
    json_option(parser)
    args = parser.parse_args()
    results = Results(
        "bench_backtest",
        title="`cocoon backtest` on every day of 2014-2017, beside the usual GIS way",
        columns=["what", "seconds", "peak MB", "note"],
    )
    out = Path(tempfile.mkdtemp()) / "backtest.json"
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cocoon",
            "backtest",
            str(DATA),
            "--from",
            "2014-01-02",
            "--to",
            "2017-12-31",
            "--json",
            str(out),
            "--lang",
            "en",
        ],
        check=True,
        capture_output=True,
    )
    ours = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    import json

    result = json.loads(out.read_text())
    days = result["days"]
    print(
        f"cocoon backtest, 2014-01-02..2017-12-31 ({result['n_events_scored']:,} burglaries scored, {days} days, "
        f"zones + 3 baselines + ranking model): {ours:.1f} s, peak {peak:.0f} MB"
    )
    print(
        f"  hit rate high {result['hit_rate_high']:.3f} at area share {result['mean_area_share_high']:.3f}; "
        f"Bowers-Johnson {result['baselines']['bowers_johnson']['hit_rate']:.3f}"
    )
    results.row(
        "cocoon backtest, the whole command (zones, 3 baselines, ranking model)",
        round(ours, 1),
        round(peak),
        f"{result['n_events_scored']:,} burglaries scored over {days:,} days",
    )

    import geopandas as gpd
    import shapely

    df = pd.read_csv(DATA)
    day = pd.to_datetime(df["date_single"], format="%d/%m/%Y")
    d = (day - day.min()).dt.days.to_numpy()
    points = gpd.GeoDataFrame({"day": d}, geometry=gpd.points_from_xy(df["x"], df["y"]))
    hull = shapely.MultiPoint(np.column_stack([df["x"], df["y"]])).convex_hull
    start = time.perf_counter()
    hits, shares = 0, []
    for today in range(60, 60 + args.peer_days):  # full 56-day windows
        now = points[points["day"] == today]
        for window in (14, 56):
            recent = points[(points["day"] >= today - window) & (points["day"] <= today - 1)]
            zones = shapely.union_all(recent.geometry.buffer(500, quad_segs=16).values).intersection(hull)
            shares.append(zones.area / hull.area)
            hits += int(shapely.intersects_xy(zones, now.geometry.x.to_numpy(), now.geometry.y.to_numpy()).sum())
    theirs = (time.perf_counter() - start) / args.peer_days
    print(
        f"peer (GeoPandas buffer + dissolve + clip per day, zones only, 14 and 56 days): {theirs:.3f} s per day over "
        f"{args.peer_days} days -> about {theirs * days:.0f} s for {days} days (projected)"
    )
    print(f"cocoon per day, everything: {ours / days:.3f} s -> cocoon {theirs * days / ours:.1f}x faster")
    results.row(
        "peer: GeoPandas buffer + dissolve + clip, zones only (14 and 56 days), per day",
        round(theirs, 3),
        None,
        f"measured on {args.peer_days} days; about {theirs * days:.0f} s for {days:,} days",
    )
    results.note(f"cocoon per day, everything: {ours / days:.3f} s; cocoon {theirs * days / ours:.1f}x faster")
    results.write(args.json)


if __name__ == "__main__":
    main()
