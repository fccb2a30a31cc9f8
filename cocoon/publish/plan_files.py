"""A plan's own files: zones.geojson, visits.csv and plan.json."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cocoon import __version__
from cocoon.publish.explain import why_array
from cocoon.publish.files import write_csv, write_text
from cocoon.publish.geojson import zones_geojson
from cocoon.settings import as_dict

if TYPE_CHECKING:
    import geopandas as gpd

    from cocoon.risk.daily_plan import Plan

VISIT_COLUMNS = [
    "rank",
    "household_id",
    "label",
    "lon",
    "lat",
    "dwellings",
    "score",
    "tier",
    "distance_m",
    "burglary_ids",
    "phase",
    "days_left",
    "why",
    "score_recent",
    "score_history",
    "priority",
    "burglaries",
    "relation",
    "burgled",
    "street",
    "number",
    "postcode",
    "building_type",
    "owner",
    "building_id",
    "revisit",
]


def visits_table(plan: Plan, lang: str = "en") -> pd.DataFrame:
    """visits.csv: the ranked households with rounded numbers, and why each is there (in ``lang``)."""
    visits = plan.visits
    why = pd.Series(why_array(visits, lang).to_pandas(), index=visits.index)
    table = pd.DataFrame(
        {c: why if c == "why" else visits[c] for c in VISIT_COLUMNS if c == "why" or c in visits},
        copy=False,  # the plan's own columns, not copied: the rounded ones below are replaced, never changed in place
    )
    for column, digits in (
        ("score", 1),
        ("score_recent", 1),
        ("score_history", 1),
        ("priority", 1),
        ("distance_m", 1),
        ("lon", 6),
        ("lat", 6),
    ):
        if column in table:
            table[column] = table[column].astype(float).round(digits)
    return table


def plan_metadata(plan: Plan, *, inputs: dict[str, Any]) -> dict[str, Any]:
    """plan.json: the date, CRS, inputs, counts and every setting in force."""
    return {
        "cocoon_version": __version__,
        "plan_date": plan.date.isoformat(),
        "metric_crs": plan.crs_label,
        "inputs": inputs,
        "counts": plan.counts(),
        "settings": as_dict(plan.settings),
        "notes": [{"key": k, **{p: str(v) for p, v in params.items()}} for k, params in plan.notes],
    }


def write_plan(
    plan: Plan,
    out_dir: Path,
    *,
    inputs: dict[str, Any],
    route_lines: gpd.GeoDataFrame | None = None,
    dialect: str = "plain",
    lang: str = "en",
) -> list[Path]:
    """zones.geojson (with each officer's route line when routed), visits.csv (in the CSV
    ``dialect``) and plan.json in ``out_dir`` (already prepared)."""
    out_dir = Path(out_dir)
    with ThreadPoolExecutor(1) as beside:  # the zones' GeoJSON is made on the other core meanwhile
        zones = beside.submit(zones_geojson, plan, route_lines)
        visits = visits_table(plan, lang)
        zones_text = zones.result()
    written = [
        write_text(out_dir / "zones.geojson", zones_text),
        write_csv(visits, out_dir / "visits.csv", dialect=dialect),
        write_text(
            out_dir / "plan.json",
            json.dumps(plan_metadata(plan, inputs=inputs), indent=2, ensure_ascii=False, default=str),
        ),
    ]
    return written
