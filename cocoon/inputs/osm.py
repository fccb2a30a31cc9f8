"""Households (visit stops) from an OpenStreetMap extract (``.osm.pbf``), read with pyrosm.

What counts as a stop:

- every **address point** (a node with ``addr:housenumber``) that is not a shop, office or
  amenity, and every **entrance** node (``entrance=*``) on a residential building: an entrance
  without an address of its own takes its building's address;
- every **residential building** with no address point inside it: its own address if tagged,
  else a label made from the nearest named street and a number ("Keskikatu [3]": the square
  brackets mark a number made by cocoon, numbered along the street, not a real house number).

Residential buildings are ``apartments, residential, house, detached, semidetached_house,
terrace, bungalow, dormitory, cabin, farm`` and ``yes`` buildings that have an address (in
central Helsinki most addressed blocks are tagged ``yes``; unaddressed ``yes`` buildings are
mostly sheds and garages and are left out).

How many dwellings: ``building:flats`` when tagged. Otherwise houses, detached houses,
bungalows, cabins and farms are 1, semi-detached houses 2; apartment buildings (and other
residential buildings larger than ``house_max_footprint_m2``) get
footprint × levels × ``usable_share`` / ``m2_per_dwelling``, with ``building:levels`` when
tagged and ``apartment_levels`` (apartments) or ``other_levels`` otherwise. A building with
several address points shares its dwellings between them, each at least 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cocoon.errors import InputError
from cocoon.geo.crs import choose_metric_crs, lonlat_bounds
from cocoon.settings import OsmSettings

if TYPE_CHECKING:
    import geopandas as gpd
    from pyproj import CRS

RESIDENTIAL = {
    "apartments",
    "residential",
    "house",
    "detached",
    "semidetached_house",
    "terrace",
    "bungalow",
    "dormitory",
    "cabin",
    "farm",
}
ONE_DWELLING = {"house", "detached", "bungalow", "cabin", "farm"}
NOT_HOMES = ("shop", "amenity", "office", "tourism", "craft")
COLUMNS = [
    "household_id",
    "label",
    "street",
    "number",
    "postcode",
    "dwellings",
    "building_type",
    "owner",
    "building_id",
    "dwellings_estimated",
    "geometry",
]


TAG_KEYS = (
    "addr:street",
    "addr:housenumber",
    "addr:postcode",
    "building:flats",
    "building:levels",
    "operator",
    *NOT_HOMES,
)


def _expand_tags(frame: pd.DataFrame) -> pd.DataFrame:
    """Tags that pyrosm left inside the JSON ``tags`` column, as columns of their own."""

    if "tags" not in frame or len(frame) == 0:
        return frame
    parsed = [json.loads(t) if isinstance(t, str) else (t if isinstance(t, dict) else {}) for t in frame["tags"]]
    frame = frame.copy()
    for key in TAG_KEYS:
        from_tags = pd.Series([d.get(key) for d in parsed], index=frame.index, dtype=object)
        frame[key] = frame[key].astype(object).where(frame[key].notna(), from_tags) if key in frame else from_tags
    return frame


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    values = frame[column].astype(object)
    return values.where(values.notna() & (values.astype(str).str.strip() != ""), None)


def _levels(frame: pd.DataFrame) -> pd.Series:
    if "building:levels" not in frame:
        return pd.Series(np.nan, index=frame.index)
    digits = frame["building:levels"].astype(str).str.extract(r"(\d+(?:\.\d+)?)", expand=False)
    return pd.to_numeric(digits, errors="coerce")


def _flats(frame: pd.DataFrame) -> pd.Series:
    tags = frame["tags"] if "tags" in frame else pd.Series([None] * len(frame), index=frame.index)

    def one(value: object) -> float:
        if isinstance(value, str) and "building:flats" in value:
            try:
                return float(json.loads(value).get("building:flats"))
            except (ValueError, TypeError):
                return np.nan
        if isinstance(value, dict):
            try:
                return float(value.get("building:flats"))  # type: ignore[arg-type]  # None is caught below
            except (TypeError, ValueError):
                return np.nan
        return np.nan

    flats = pd.to_numeric(frame["building:flats"], errors="coerce") if "building:flats" in frame else None
    parsed = tags.map(one).astype(float)
    return parsed if flats is None else flats.fillna(parsed)


def estimate_dwellings(
    building_type: pd.Series, footprint_m2: np.ndarray, levels: pd.Series, flats: pd.Series, settings: OsmSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Dwellings per building and whether the number is an estimate (see the module text)."""
    kind = building_type.fillna("yes").to_numpy(dtype=object)
    default_levels = np.where(kind == "apartments", settings.apartment_levels, settings.other_levels)
    floors = np.where(levels.notna(), levels.to_numpy(dtype=float), default_levels).clip(min=1)
    by_area = np.maximum(1, np.round(footprint_m2 * floors * settings.usable_share / settings.m2_per_dwelling))
    small = footprint_m2 <= settings.house_max_footprint_m2
    estimate = np.where(
        np.isin(kind, list(ONE_DWELLING)),
        1,
        np.where(kind == "semidetached_house", 2, np.where((kind != "apartments") & small, 1, by_area)),
    )
    known = flats.notna().to_numpy() & (flats.to_numpy(dtype=float) >= 1)
    dwellings = np.where(known, np.round(flats.to_numpy(dtype=float, na_value=np.nan)), estimate)
    return np.nan_to_num(dwellings, nan=1).astype(np.int64), ~known


def _read_extract(path: Path) -> tuple[gpd.GeoDataFrame, Any, Any, Any]:
    """Buildings, address points, entrances and streets of an extract; clear errors for bad files."""
    import pyrosm

    if not path.exists():
        raise InputError("errors.file_not_found", file=str(path))
    try:
        osm = pyrosm.OSM(str(path))
        buildings = osm.get_buildings()
        points = osm.get_data_by_custom_criteria(
            custom_filter={"addr:housenumber": True},
            filter_type="keep",
            keep_nodes=True,
            keep_ways=False,
            keep_relations=False,
        )
        entrances = osm.get_data_by_custom_criteria(
            custom_filter={"entrance": True}, filter_type="keep", keep_nodes=True, keep_ways=False, keep_relations=False
        )
        streets = osm.get_network(network_type="all")
    except Exception as exc:  # pyrosm raises plain exceptions for files it cannot parse
        raise InputError("osm.unreadable", file=str(path), reason=str(exc).strip()[:200]) from None
    if buildings is None or len(buildings) == 0:
        raise InputError("osm.no_buildings", file=str(path))
    return buildings, points, entrances, streets


def _residential(buildings: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The buildings that are homes (see the module text), with their tags as columns."""
    buildings = buildings[buildings.geometry.notna()].copy()
    buildings = buildings[buildings.geom_type.isin(["Polygon", "MultiPolygon"])]
    buildings = _expand_tags(buildings)
    kind = _text(buildings, "building").fillna("yes")
    has_address = _text(buildings, "addr:housenumber").notna()
    keep = (kind.isin(RESIDENTIAL) | ((kind == "yes") & has_address)).to_numpy() & ~_not_homes(buildings)
    return buildings[keep].reset_index(drop=True)


def _not_homes(frame: pd.DataFrame) -> np.ndarray:
    """Rows tagged as a shop, amenity, office, tourism or craft."""
    away = np.zeros(len(frame), dtype=bool)
    for tag in NOT_HOMES:
        away |= _text(frame, tag).notna().to_numpy()
    return away


def _door_points(points: Any, entrances: Any) -> gpd.GeoDataFrame:
    """Address points that are homes, and entrance nodes without an address (``entrance_only``)."""
    import geopandas as gpd

    if points is not None and len(points):
        points = _expand_tags(points[points.geom_type == "Point"])
        points = points[~_not_homes(points)].reset_index(drop=True)
    else:
        points = gpd.GeoDataFrame({"id": []}, geometry=[], crs="EPSG:4326")
    points["entrance_only"] = False
    if entrances is not None and len(entrances):
        extra = _expand_tags(entrances[entrances.geom_type == "Point"])
        extra = extra[~extra["id"].isin(points["id"])].copy()
        extra["entrance_only"] = True
        points = pd.concat([points, extra], ignore_index=True) if len(points) else extra.reset_index(drop=True)
    return points


def households_from_osm(
    path: str | Path, *, settings: OsmSettings = OsmSettings(), lang: str = "en"
) -> gpd.GeoDataFrame:
    """One stop per address point or residential building, in EPSG:4326 (see the module text)."""
    import geopandas as gpd

    path = Path(path)
    buildings, points, entrances, streets = _read_extract(path)
    buildings = _residential(buildings)
    if len(buildings) == 0:
        raise InputError("osm.no_buildings", file=str(path))

    metric = choose_metric_crs(lonlat_bounds(buildings))
    projected = buildings.to_crs(metric)
    footprint = projected.geometry.area.to_numpy()
    dwellings, estimated = estimate_dwellings(
        _text(buildings, "building"), footprint, _levels(buildings), _flats(buildings), settings
    )
    building_ids = ("osm-w" + buildings["id"].astype(str)).to_numpy(dtype=object)

    # Address points that are homes, and the building each one stands in.
    points = _door_points(points, entrances)
    pts = points.to_crs(metric)
    # Entrances sit on the outline, so a point within 2 m of a residential building belongs to it.
    inside = gpd.sjoin(pts[["geometry"]], projected[["geometry"]], predicate="dwithin", distance=2.0, how="left")
    inside = inside[~inside.index.duplicated(keep="first")]
    owner_b = inside["index_right"].to_numpy()
    in_building = ~pd.isna(owner_b)
    # An entrance without an address counts only as a door of a residential building.
    keep = in_building | ~points["entrance_only"].to_numpy(dtype=bool)
    points, pts = points[keep].reset_index(drop=True), pts[keep].reset_index(drop=True)
    owner_b = np.where(in_building[keep], owner_b[keep], -1).astype(np.int64)
    in_building = owner_b >= 0
    per_building = np.bincount(owner_b[in_building], minlength=len(buildings))

    rows = []
    if len(points):
        share = np.where(
            in_building,
            np.maximum(1, dwellings[np.maximum(owner_b, 0)] // np.maximum(per_building[np.maximum(owner_b, 0)], 1)),
            1,
        )
        # keep the building total: the first entrances take the remainder
        for b in np.flatnonzero(per_building > 1):
            members = np.flatnonzero(owner_b == b)
            total = max(int(dwellings[b]), len(members))
            base, extra = divmod(total, len(members))
            share[members] = base + (np.arange(len(members)) < extra)
        # An entrance without its own address takes its building's.
        b_street = np.where(
            in_building, _text(buildings, "addr:street").to_numpy(dtype=object)[np.maximum(owner_b, 0)], None
        )
        b_number = np.where(
            in_building, _text(buildings, "addr:housenumber").to_numpy(dtype=object)[np.maximum(owner_b, 0)], None
        )
        street = _text(points, "addr:street").fillna(pd.Series(b_street, index=points.index))
        number = _text(points, "addr:housenumber").fillna(pd.Series(b_number, index=points.index))
        rows.append(
            pd.DataFrame(
                {
                    "household_id": ("osm-n" + points["id"].astype(str)).to_numpy(dtype=object),
                    "street": street.to_numpy(dtype=object),
                    "number": number.to_numpy(dtype=object),
                    "postcode": _text(points, "addr:postcode").to_numpy(dtype=object),
                    "dwellings": share.astype(np.int64),
                    "building_type": np.where(
                        in_building, _text(buildings, "building").to_numpy(dtype=object)[np.maximum(owner_b, 0)], None
                    ),
                    "owner": _text(points, "operator").to_numpy(dtype=object),
                    "building_id": np.where(in_building, building_ids[np.maximum(owner_b, 0)], None),
                    "dwellings_estimated": np.where(in_building, estimated[np.maximum(owner_b, 0)], True),
                    "x": pts.geometry.x.to_numpy(),
                    "y": pts.geometry.y.to_numpy(),
                }
            )
        )

    # Buildings with no address point: one stop at a point inside the building.
    alone = np.flatnonzero(per_building == 0)
    inner = projected.geometry.iloc[alone].representative_point()
    rows.append(
        pd.DataFrame(
            {
                "household_id": building_ids[alone],
                "street": _text(buildings, "addr:street").to_numpy(dtype=object)[alone],
                "number": _text(buildings, "addr:housenumber").to_numpy(dtype=object)[alone],
                "postcode": _text(buildings, "addr:postcode").to_numpy(dtype=object)[alone],
                "dwellings": dwellings[alone],
                "building_type": _text(buildings, "building").to_numpy(dtype=object)[alone],
                "owner": _text(buildings, "operator").to_numpy(dtype=object)[alone],
                "building_id": building_ids[alone],
                "dwellings_estimated": estimated[alone],
                "x": inner.x.to_numpy(),
                "y": inner.y.to_numpy(),
            }
        )
    )
    stops = pd.concat(rows, ignore_index=True)
    stops["label"] = _labels(stops, streets, metric)
    stops = stops.sort_values("household_id", kind="stable").reset_index(drop=True)
    result = gpd.GeoDataFrame(
        stops.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(stops.x, stops.y), crs=metric
    ).to_crs("EPSG:4326")
    result["dwellings_estimated"] = result["dwellings_estimated"].astype(bool)
    return result[COLUMNS]


def _labels(stops: pd.DataFrame, streets: gpd.GeoDataFrame | None, metric: CRS) -> np.ndarray:
    """The address where there is one; else "<nearest street> [n]", numbered along that street."""
    labels = np.array(
        [
            f"{s} {n}" if isinstance(s, str) and isinstance(n, str) else None
            for s, n in zip(stops["street"], stops["number"], strict=True)
        ],
        dtype=object,
    )
    missing = np.flatnonzero(pd.isna(labels))
    if not len(missing):
        return labels
    named = None
    if streets is not None and len(streets) and "name" in streets:
        named = streets[streets["name"].notna()][["name", "geometry"]].to_crs(metric).reset_index(drop=True)
    if named is None or len(named) == 0:
        labels[missing] = [f"[{i + 1}]" for i in range(len(missing))]
        return labels
    import geopandas as gpd

    where = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(stops.x.to_numpy()[missing], stops.y.to_numpy()[missing]), crs=metric
    )
    nearest = gpd.sjoin_nearest(where, named, how="left")
    nearest = nearest[~nearest.index.duplicated(keep="first")]
    names = nearest["name"].to_numpy(dtype=object)
    lines = named.geometry.to_numpy()[nearest["index_right"].to_numpy().astype(np.int64)]
    along = np.array([line.project(point) for line, point in zip(lines, where.geometry.to_numpy(), strict=True)])
    table = pd.DataFrame({"name": names, "along": along, "id": stops["household_id"].to_numpy()[missing]})
    table["n"] = table.sort_values(["name", "along", "id"]).groupby("name").cumcount() + 1
    labels[missing] = [f"{name} [{n}]" for name, n in zip(table["name"], table["n"], strict=True)]
    return labels
