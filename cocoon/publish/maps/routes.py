"""Each officer's route on the internal map: a line and numbered stops in the officer's own colour,
stops close together moved apart on the screen so that every number stays readable."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from cocoon.publish.maps.basemap import to_web, units_per_pixel
from cocoon.publish.maps.page import NUMBERS_ZOOM, STOP_SIZE, bind, escape, line_swatch, plan_lonlat

if TYPE_CHECKING:
    from cocoon.risk.daily_plan import Plan

ROUTE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00")
"""One colour per officer: the Okabe-Ito palette, which colour-blind readers tell apart (without its
yellow, which does not show on a light map, and its black, which is the burglaries' colour)."""
ROUTE_DASHES: tuple[str | None, ...] = (None, "12 8", "2 8", "16 6 2 6")
"""With more officers than colours, the colours come round again with these dash patterns."""


def route_style(officer: int) -> tuple[str, str | None]:
    """Officer ``officer``'s (1, 2, ...) colour, and dash pattern once the colours have come round."""
    k = max(int(officer) - 1, 0)
    return ROUTE_COLOURS[k % len(ROUTE_COLOURS)], ROUTE_DASHES[(k // len(ROUTE_COLOURS)) % len(ROUTE_DASHES)]


def officer_names(route_stops: pd.DataFrame, t: Callable[..., str]) -> dict[int, str]:
    """Each officer's name where the officers were named (``officer_name``), else "Officer N"."""
    names = {}
    for officer, stops in route_stops.groupby("officer", sort=True):
        given = (
            [str(v).strip() for v in stops["officer_name"] if not pd.isna(v) and str(v).strip()]
            if "officer_name" in stops
            else []
        )
        names[int(officer)] = given[0] if given else t("maps.officer", n=int(officer))
    return names


def stop_offsets(lon: ArrayLike, lat: ArrayLike, *, zoom: float = NUMBERS_ZOOM, size: float = STOP_SIZE) -> np.ndarray:
    """Screen offsets (pixels, x right, y down) that keep numbered stops ``size`` pixels apart at
    ``zoom``: stops at one place or close together are pushed apart as little as needed. At higher
    zooms the stops only move further apart, so they stay readable."""
    from scipy.spatial import cKDTree

    x, y = to_web(lon, lat)
    upp = units_per_pixel(zoom)
    start = np.column_stack([x / upp, -y / upp])
    points = start.copy()
    golden = math.pi * (3.0 - math.sqrt(5.0))
    for _ in range(300):
        pairs = cKDTree(points).query_pairs(size - 1e-6, output_type="ndarray")
        if len(pairs) == 0:
            break
        a, b = pairs[:, 0], pairs[:, 1]
        gap = points[b] - points[a]
        distance = np.hypot(gap[:, 0], gap[:, 1])
        same = distance < 1e-6
        turn = golden * b[same]
        gap[same] = np.column_stack([np.cos(turn), np.sin(turn)])
        distance[same] = 1.0
        push = ((size - distance) / 2.0 + 0.05)[:, None] * gap / distance[:, None]
        move = np.zeros_like(points)
        np.add.at(move, a, -push)
        np.add.at(move, b, push)
        points += move
    return points - start


def route_layer(
    m: Any, plan: Plan, route_stops: pd.DataFrame, start: tuple[float, float], t: Callable[..., str]
) -> list[tuple[str, str]]:
    """Each officer's route line and numbered stops, in the officer's colour; the legend's entries."""
    import folium

    group = folium.FeatureGroup(name=t("maps.routes"))
    slon, slat = plan_lonlat(plan, [start[0]], [start[1]])
    home = [float(slat[0]), float(slon[0])]
    names = officer_names(route_stops, t)
    stops = route_stops.sort_values(["officer", "stop"])
    offsets = (
        stop_offsets(stops["lon"].to_numpy(dtype=float), stops["lat"].to_numpy(dtype=float))
        if len(stops)
        else np.empty((0, 2))
    )
    legend = []
    at = 0
    for officer, own in stops.groupby("officer", sort=True):
        colour, dash = route_style(int(officer))
        name = escape(names[int(officer)])
        path = [home, *[[float(a), float(o)] for a, o in zip(own["lat"], own["lon"], strict=True)], home]
        line = folium.PolyLine(path, color=colour, weight=5, opacity=0.9, dash_array=dash, class_name="cocoon-route")
        bind(line, tooltip=name)
        line.add_to(group)
        shape = " square" if dash else ""
        for row in own.itertuples(index=False):
            dx, dy = offsets[at]
            at += 1
            icon = folium.DivIcon(
                html=f'<div class="cocoon-stop{shape}" style="background:{colour};'
                f'--dx:{dx:.1f}px;--dy:{dy:.1f}px">{int(row.stop)}</div>',
                icon_size=(round(STOP_SIZE), round(STOP_SIZE)),
                icon_anchor=(round(STOP_SIZE / 2), round(STOP_SIZE / 2)),
            )
            marker = folium.Marker([float(row.lat), float(row.lon)], icon=icon)
            bind(
                marker,
                popup=f"<b>{name} · {int(row.stop)}</b><br>{escape(row.label)}<br>{escape(row.arrival)}",
                tooltip=f"{name} · {int(row.stop)}",
            )
            marker.add_to(group)
        legend.append((line_swatch(colour, dash), names[int(officer)]))
    group.add_to(m)
    return legend
