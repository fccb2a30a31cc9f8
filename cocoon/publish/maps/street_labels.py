"""Where the offline maps write the street names, and from which zoom: readable at every zoom,
never overlapping, main streets first."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cocoon.publish.maps.basemap import (
    MAJOR_STREETS,
    MINOR_STREETS,
    WEB_MERCATOR_UNITS_PER_PIXEL_Z0,
    Basemap,
    to_web,
    units_per_pixel,
    web_geometries,
)

LABEL_ZOOM = {"major": 13, "minor": 15}
"""From which zoom on the names of main streets and of the other streets may show."""
LABEL_MAX_ZOOM = 18


@dataclass
class StreetLabel:
    """A street's name where the map writes it."""

    lon: float
    lat: float
    angle: float
    """Degrees clockwise on the screen, between -90 and 90 so that the name reads left to right."""
    name: str
    major: bool
    zoom: int
    """The name shows from this zoom on: where it first fits its street and no other name."""


LABEL_HEIGHT = 18.0
"""A street name's height in pixels, halo included."""


def _label_width(name: str) -> float:
    """A street name's length in pixels, roughly (12 px sans-serif, halo included)."""
    return 7.0 * len(name) + 10.0


def _label_candidates(named: Any, view: Any) -> list[tuple[bool, float, str, float, float, float]]:
    """Places along each named street (Web Mercator) where its name could go, middle of each
    stretch first: (main street, stretch length, name, x, y, angle)."""
    import shapely
    from shapely.ops import linemerge

    candidates = []
    for name, group in named.groupby("name", sort=True):
        major = bool(group["major"].any())
        width = _label_width(str(name)) * units_per_pixel(LABEL_ZOOM["major" if major else "minor"])
        merged = shapely.get_parts(linemerge(shapely.get_parts(group["web"].to_numpy()).tolist()))
        for line in merged:
            for piece in shapely.get_parts(shapely.intersection(line, view)):
                length = float(shapely.length(piece))
                if length < 0.9 * width / 2 ** (LABEL_MAX_ZOOM - LABEL_ZOOM["major" if major else "minor"]):
                    continue
                count = max(1, min(int(length // (3 * width)), 8))
                fractions = sorted(((k + 0.5) / count for k in range(count)), key=lambda f: abs(f - 0.5))
                chord = min(width, length) / 2
                for fraction in fractions:
                    at = length * fraction
                    a = shapely.get_coordinates(piece.interpolate(max(at - chord, 0.0)))[0]
                    b = shapely.get_coordinates(piece.interpolate(min(at + chord, length)))[0]
                    centre = shapely.get_coordinates(piece.interpolate(at))[0]
                    angle = (-math.degrees(math.atan2(b[1] - a[1], b[0] - a[0])) + 90.0) % 180.0 - 90.0
                    candidates.append((major, length, str(name), float(centre[0]), float(centre[1]), angle))
    candidates.sort(key=lambda c: (not c[0], -c[1]))
    return candidates


def street_labels(
    basemap: Basemap, corners_lonlat: np.ndarray, keep: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
) -> list[StreetLabel]:
    """Where to write the extract's street names, and from which zoom: along each named street,
    main streets first (from zoom 13, the others from 15), each name from the first zoom at which it
    fits its street without overlapping a name already placed; long streets named again further
    along as the map is zoomed in.

    ``keep(lon, lat)`` says which places may carry a name (the public map keeps its rule for
    every point it shows)."""
    import shapely
    from pyproj import Transformer
    from shapely import affinity

    streets = basemap.streets
    if streets is None or len(streets) == 0 or "name" not in streets:
        return []
    highway = streets["highway"].astype(str).str.replace("_link", "", regex=False)
    tunnel = streets["tunnel"].astype(str) == "yes" if "tunnel" in streets else pd.Series(False, index=streets.index)
    named = streets[
        streets["name"].notna()
        & (streets["name"].astype(str).str.strip() != "")
        & ~tunnel
        & highway.isin(MAJOR_STREETS + MINOR_STREETS).to_numpy()
    ].copy()
    if len(named) == 0:
        return []
    named["major"] = highway[named.index].isin(MAJOR_STREETS).to_numpy()
    named["web"] = web_geometries(named)
    (x0, x1), (y0, y1) = to_web(corners_lonlat[:, 0], corners_lonlat[:, 1])
    candidates = _label_candidates(named, shapely.box(x0, y0, x1, y1))
    if not candidates:
        return []
    xy = np.array([(c[3], c[4]) for c in candidates])
    lon, lat = Transformer.from_crs(3857, 4326, always_xy=True).transform(xy[:, 0], xy[:, 1])
    allowed = np.ones(len(candidates), dtype=bool) if keep is None else np.asarray(keep(lon, lat), dtype=bool)

    def box(x: float, y: float, width: float, angle: float, zoom: float) -> Any:
        upp = units_per_pixel(zoom)
        w, h = width * upp / 2, LABEL_HEIGHT * upp / 2
        return affinity.rotate(shapely.box(x - w, y - h, x + w, y + h), -angle, origin=(x, y))

    placed: list[tuple[float, float, float, float, int, str]] = []  # x, y, width (px), angle, zoom, name
    labels = []
    for k, (major, length, name, x, y, angle) in enumerate(candidates):
        if not allowed[k]:
            continue
        width = _label_width(name)
        fits = math.ceil(math.log2(max(0.9 * width * WEB_MERCATOR_UNITS_PER_PIXEL_Z0 / length, 1.0)))
        first = max(LABEL_ZOOM["major" if major else "minor"], fits)
        others = np.array([p[:5] for p in placed]).reshape(-1, 5)
        apart = np.hypot(others[:, 0] - x, others[:, 1] - y)
        same = np.array([p[5] == name for p in placed], dtype=bool)
        for zoom in range(first, LABEL_MAX_ZOOM + 1):
            upp = units_per_pixel(np.maximum(zoom, others[:, 4]))  # both names show from the later zoom
            if (same & (apart < 4 * width * upp)).any():
                continue  # the same name nearby already
            near = np.flatnonzero(
                apart < (np.hypot(width, LABEL_HEIGHT) + np.hypot(others[:, 2], LABEL_HEIGHT)) / 2 * upp
            )
            mine = box(x, y, width, angle, zoom)
            if any(
                mine.intersects(box(others[i, 0], others[i, 1], others[i, 2], others[i, 3], max(zoom, others[i, 4])))
                for i in near
            ):
                continue
            placed.append((x, y, width, angle, zoom, name))
            labels.append(
                StreetLabel(lon=float(lon[k]), lat=float(lat[k]), angle=angle, name=name, major=major, zoom=zoom)
            )
            break
    return labels
