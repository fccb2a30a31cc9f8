"""Writing a plan's files: the one place where outputs are written.

GeoJSON is written in WGS 84 longitude/latitude (RFC 7946); all distances were computed in
the plan's metric CRS, which ``plan.json`` and the summary name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cocoon import __version__
from cocoon.catalogue import text
from cocoon.geo.crs import WGS84
from cocoon.errors import OutputError
from cocoon.settings import as_dict

VISIT_COLUMNS = ["rank", "household_id", "label", "lon", "lat", "dwellings", "score", "tier", "distance_m",
                 "burglary_ids", "phase", "days_left", "priority", "burglaries", "relation", "burgled", "street",
                 "number", "postcode", "building_type", "owner", "building_id", "revisit"]
ZONE_PROPERTIES = ["burglary_id", "phase", "start", "high_until", "end", "days_left", "age_days", "radius_m",
                   "address"]


def prepare_output_dir(path: str | Path, *, overwrite: bool) -> Path:
    """Create ``path``; refuse a non-empty folder unless ``overwrite``."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError("output.not_a_folder", path=str(path))
    if path.exists() and any(path.iterdir()) and not overwrite:
        raise OutputError("output.not_empty", path=str(path))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError("output.cannot_create", path=str(path), reason=exc.strerror or str(exc)) from None
    return path


def prepare_output_file(path: str | Path, *, overwrite: bool) -> Path:
    """Refuse to replace an existing file unless ``overwrite``; create the folder it goes in."""
    path = Path(path)
    if path.is_dir():
        raise OutputError("output.is_a_folder", path=str(path))
    if path.exists() and not overwrite:
        raise OutputError("output.file_exists", path=str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError("output.cannot_create", path=str(path.parent), reason=exc.strerror or str(exc)) from None
    return path


def write_json(data: Any, path: Path) -> Path:
    return _write_text(Path(path), json.dumps(data, indent=2, ensure_ascii=False, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    converted = _json_value(value)
    return str(converted) if converted is value else converted


def write_bytes(path: Path, content: bytes) -> Path:
    try:
        Path(path).write_bytes(content)
    except OSError as exc:
        raise OutputError("output.cannot_write", path=str(path), reason=exc.strerror or str(exc)) from None
    return Path(path)


def write_text(path: Path, content: str) -> Path:
    return _write_text(Path(path), content)


def _write_text(path: Path, content: str) -> Path:
    try:
        path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise OutputError("output.cannot_write", path=str(path), reason=exc.strerror or str(exc)) from None
    return path


def _json_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if isinstance(value, pd.Timestamp) else value.isoformat()
    return value


def features(gdf, properties: list[str], **constant: Any) -> list[str]:
    """GeoJSON features (as JSON text) in WGS 84 with the given properties."""
    import shapely

    if len(gdf) == 0:
        return []
    lonlat = gdf.to_crs(WGS84) if not gdf.crs.equals(WGS84) else gdf
    geometries = shapely.to_geojson(lonlat.geometry.values)
    columns = [c for c in properties if c in gdf.columns]
    rows = gdf[columns].to_dict("records")
    return [
        '{"type": "Feature", "properties": ' + json.dumps({**constant, **{k: _json_value(v) for k, v in row.items()}},
                                                          ensure_ascii=False)
        + ', "geometry": ' + geometry + "}"
        for row, geometry in zip(rows, geometries)
    ]


def zones_geojson(plan, routes=None) -> str:
    """Each active zone, the merged outline of each phase, and each officer's route line when
    routed (``layer`` tells them apart)."""
    items = features(plan.zones, ZONE_PROPERTIES, layer="zone")
    items += features(plan.outlines, ["phase", "burglaries", "days_left", "area_km2"], layer="outline")
    if routes is not None:
        import geopandas as gpd

        lines = gpd.GeoDataFrame(routes.summary.assign(geometry=routes.lines), geometry="geometry", crs=plan.crs)
        lines = lines[lines.geometry.notna()]
        items += features(lines, ["officer", "stops", "dwellings", "walk_m", "minutes", "back_at"], layer="route")
    head = json.dumps({"type": "FeatureCollection", "name": "zones", "plan_date": plan.date.isoformat(),
                       "metric_crs": plan.crs_label})[:-1]
    return head + ', "features": [\n' + ",\n".join(items) + "\n]}\n"


def visits_table(plan) -> pd.DataFrame:
    visits = plan.visits
    table = pd.DataFrame({c: visits[c] for c in VISIT_COLUMNS if c in visits})
    for column, digits in (("score", 1), ("priority", 1), ("distance_m", 1), ("lon", 6), ("lat", 6)):
        if column in table:
            table[column] = table[column].astype(float).round(digits)
    return table


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """UTF-8, comma-separated, decimal point; text quoted only where needed."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        table = pa.Table.from_pandas(_csv_ready(frame), preserve_index=False)
        pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))
    except OSError as exc:
        raise OutputError("output.cannot_write", path=str(path), reason=exc.strerror or str(exc)) from None
    return path


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns arrow can write: mixed or odd objects become text, missing stays empty."""
    out = {}
    for name, column in frame.items():
        if column.dtype == object:
            values = column.to_numpy(dtype=object)
            mask = pd.isna(column).to_numpy()
            if not all(isinstance(v, str) for v in values[~mask][:1000]):
                values = np.array([None if m else (v if isinstance(v, str) else str(v)) for v, m in zip(values, mask)],
                                  dtype=object)
            out[str(name)] = pd.Series(values, dtype=object).where(~mask, None)
        else:
            out[str(name)] = column.reset_index(drop=True)
    return pd.DataFrame(out)


def plan_metadata(plan, *, inputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "cocoon_version": __version__,
        "plan_date": plan.date.isoformat(),
        "metric_crs": plan.crs_label,
        "inputs": inputs,
        "counts": plan.counts(),
        "settings": as_dict(plan.settings),
        "notes": [{"key": k, **{p: str(v) for p, v in params.items()}} for k, params in plan.notes],
    }


def write_plan(plan, out_dir: Path, *, inputs: dict[str, Any], routes=None) -> list[Path]:
    """zones.geojson, visits.csv and plan.json in ``out_dir`` (already prepared)."""
    out_dir = Path(out_dir)
    written = [
        _write_text(out_dir / "zones.geojson", zones_geojson(plan, routes)),
        write_csv(visits_table(plan), out_dir / "visits.csv"),
        _write_text(out_dir / "plan.json", json.dumps(plan_metadata(plan, inputs=inputs), indent=2,
                                                        ensure_ascii=False, default=str)),
    ]
    return written


def write_rejects(rejects: pd.DataFrame, path: Path, *, lang: str) -> Path:
    """Skipped rows as given, with the row number, column and the reason in words."""
    table = rejects.copy()
    table.insert(3, "reason", [text(k, lang, **p) for k, p in zip(table["reason_key"], table["reason_params"])])
    table = table.drop(columns=["reason_params"])
    return write_csv(table, path)
