"""Benchmark: `cocoon plan` with 1,000,000 households and 2,000 active burglaries, and `cocoon demo`.

Run from the repository root:  python benchmarks/bench_plan.py [--households 1000000] [--burglaries 2000]

Targets (issue "The daily cocooning plan"): plan end to end <= 8 s and <= 2 GB peak memory
(GeoParquet and GeoPackage households); demo <= 20 s. Beside our figures it measures a peer
in the same run: the same neighbour search done the common GeoPandas way (buffers + sjoin).
It also times the plan with a fitted model ([model] in --settings) and two years of older
burglaries (3 x --burglaries) behind the active ones, which the model's history part reads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PLAN_DATE = dt.date(2026, 5, 4)


def make_households(n: int, seed: int = 1):
    """Households clustered like a city region around Stockholm, in SWEREF 99 TM."""
    import geopandas as gpd
    import pandas as pd

    rng = np.random.default_rng(seed)
    centres = rng.uniform([654_000, 6_560_000], [694_000, 6_600_000], size=(60, 2))
    which = rng.integers(0, len(centres), n)
    spread = rng.uniform(600, 2500, len(centres))[which]
    xy = centres[which] + rng.normal(0, 1, (n, 2)) * spread[:, None]
    frame = pd.DataFrame({
        "household_id": np.char.add("H", np.arange(n).astype(str)),
        "street": np.char.add("Gata ", (which % 400).astype(str)),
        "number": rng.integers(1, 120, n).astype(str),
        "dwellings": np.where(rng.random(n) < 0.3, rng.integers(2, 40, n), 1),
    })
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=3006)


def make_burglaries(households, n: int, seed: int = 2, *, ages: tuple[int, int] = (0, 57), prefix: str = "B"):
    """Burglaries at ``n`` random households, dated ``ages`` days (from, up to) before the plan date:
    active ones by default; older ones (57 days to two years) for the model's history part."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    pick = rng.choice(len(households), n, replace=False)
    lonlat = households.iloc[pick].to_crs(4326)
    days = rng.integers(ages[0], ages[1], n)
    return pd.DataFrame({
        "id": [f"{prefix}{i}" for i in range(n)],
        "date": [(PLAN_DATE - dt.timedelta(days=int(a))).isoformat() for a in days],
        "lon": lonlat.geometry.x.round(7), "lat": lonlat.geometry.y.round(7),
    })


def model_settings(path: Path) -> None:
    """A settings file with a fitted model of the shape cocoon calibrate writes (weights as on Chicago)."""
    from dataclasses import replace

    from cocoon.risk.model import DISTANCE_BANDS_M, TIME_BANDS_DAYS, RiskModel
    from cocoon.settings import Settings, settings_toml

    weights = np.outer([3.0, 1.0, 0.1, 1.5, 2.5, 1.0, 2.0, 2.5], [1.0, 0.6, 1.0, 1.3, 2.5, 2.0, 1.5]) / 1000
    model = RiskModel(distance_m=np.array(DISTANCE_BANDS_M), days=np.array(TIME_BANDS_DAYS), weights=weights,
                      background_per_km2_day=0.004, recent_days=56)
    path.write_text(settings_toml(replace(Settings(), model=model.to_settings(fitted_burglaries=20000))))


def peak_of(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of one command, measured in a fresh wrapper process."""
    code = ("import resource,subprocess,sys,time;t=time.perf_counter();"
            "p=subprocess.run(sys.argv[1:]);s=time.perf_counter()-t;"
            "print(s, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024);sys.exit(p.returncode)")
    proc = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"command failed: {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
    seconds, mb = proc.stdout.strip().splitlines()[-1].split()
    return float(seconds), float(mb)


def peer_sjoin(households, burglaries) -> float:
    """The common GeoPandas way: buffer every burglary, sjoin the households, aggregate."""
    import geopandas as gpd

    start = time.perf_counter()
    b = gpd.GeoDataFrame(burglaries, geometry=gpd.points_from_xy(burglaries.lon, burglaries.lat), crs=4326).to_crs(3006)
    zones = b.set_geometry(b.buffer(500))
    joined = gpd.sjoin(households, zones[["id", "geometry"]], predicate="within")
    joined.groupby(level=0)["id"].agg(";".join)
    return time.perf_counter() - start


def ours_query(households, burglaries) -> float:
    """The same neighbour search as cocoon plan does it (cocoon.risk.ranking.zone_pairs)."""
    import geopandas as gpd

    from cocoon.risk.ranking import zone_pairs

    start = time.perf_counter()
    b = gpd.GeoDataFrame(burglaries, geometry=gpd.points_from_xy(burglaries.lon, burglaries.lat), crs=4326).to_crs(3006)
    zone_pairs(households.geometry.x.to_numpy(), households.geometry.y.to_numpy(), b.geometry.x.to_numpy(),
               b.geometry.y.to_numpy(), radius_m=500, k=8)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--burglaries", type=int, default=2_000)
    args = parser.parse_args()
    cocoon = [sys.executable, "-m", "cocoon"]
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        t = time.perf_counter()
        households = make_households(args.households)
        burglaries = make_burglaries(households, args.burglaries)
        households.to_parquet(tmp / "households.parquet")
        households.to_file(tmp / "households.gpkg", engine="pyogrio")
        burglaries.to_csv(tmp / "burglaries.csv", index=False)
        made = time.perf_counter() - t
        print(f"made {args.households:,} households and {args.burglaries:,} burglaries in {made:.1f} s")

        rows = []
        for kind in ("parquet", "gpkg"):
            out = tmp / f"plan-{kind}"
            seconds, mb = peak_of([*cocoon, "plan", "--burglaries", str(tmp / "burglaries.csv"), "--households",
                                   str(tmp / f"households.{kind}"), "--date", PLAN_DATE.isoformat(), "--out", str(out),
                                   "--lang", "en"])
            with open(out / "visits.csv", encoding="utf-8") as visits:
                listed = sum(1 for _ in visits) - 1
            rows.append((f"cocoon plan ({kind})", seconds, mb, f"{listed:,} households listed", "<= 8 s, <= 2048 MB"))
        history = make_burglaries(households, 3 * args.burglaries, seed=3, ages=(57, 730), prefix="H")
        import pandas as pd

        pd.concat([burglaries, history]).to_csv(tmp / "burglaries-with-history.csv", index=False)
        model_settings(tmp / "model.toml")
        out = tmp / "plan-model"
        seconds, mb = peak_of([*cocoon, "plan", "--burglaries", str(tmp / "burglaries-with-history.csv"),
                               "--households", str(tmp / "households.parquet"), "--date", PLAN_DATE.isoformat(),
                               "--out", str(out), "--settings", str(tmp / "model.toml"), "--lang", "en"])
        with open(out / "visits.csv", encoding="utf-8") as visits:
            listed = sum(1 for _ in visits) - 1
        rows.append(("cocoon plan (parquet, fitted model)", seconds, mb,
                     f"{listed:,} households listed, {3 * args.burglaries:,} older burglaries", "<= 8 s, <= 2048 MB"))
        q_ours = ours_query(households, burglaries)
        q_peer = peer_sjoin(households, burglaries)
        seconds, mb = peak_of([*cocoon, "demo", "--out", str(tmp / "demo"), "--lang", "en"])
        rows.append(("cocoon demo (both areas)", seconds, mb, "", "<= 20 s"))

        print(f"\n{'what':34} {'seconds':>8} {'peak MB':>8}  note / target")
        for name, s, m, note, target in rows:
            print(f"{name:34} {s:8.2f} {m:8.0f}  {note} {target}")
        print(f"\nneighbour query, {args.households:,} households x {args.burglaries:,} zones of 500 m:")
        print(f"  cocoon (KD-tree)            {q_ours:6.2f} s")
        print(f"  peer (GeoPandas buffer+sjoin) {q_peer:6.2f} s   -> cocoon is {q_peer / q_ours:.1f}x faster")
        print(f"\nmachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
