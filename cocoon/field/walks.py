"""From the ranked visits to each officer's walk: stops, order, arrival times, walking distance.

The best ``max_stops`` households by priority are routed (every tier A household among them).
Each stop's prize is its risk, score × dwellings; its time is minutes_per_stop plus
minutes_per_dwelling × dwellings. Officers start and end at the start point.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pyproj import CRS, Transformer

from cocoon.errors import InputError
from cocoon.field.solver import RouteProblem, solve
from cocoon.geo.crs import is_lonlat
from cocoon.geo.walking import WalkingNetwork, walking_metres
from cocoon.settings import RouteSettings

if TYPE_CHECKING:
    import geopandas as gpd

MAX_OFFICERS = 1000
"""More officers than this on one plan is a typing mistake."""
ROUTE_COLUMNS = ["officer", "stop", "household_id", "label", "lon", "lat", "dwellings", "tier", "score", "risk",
                 "arrival", "minutes_from_start", "walk_m_from_previous", "walk_m_total", "burglary_ids"]


@dataclass
class StartPoint:
    x: float
    y: float
    label: str


@dataclass
class Routes:
    stops: pd.DataFrame
    """One row per routed stop (:data:`ROUTE_COLUMNS`), officers in order."""
    summary: pd.DataFrame
    """One row per officer: stops, dwellings, risk, walking metres, minutes."""
    start: StartPoint
    lines: list[Any]
    """A LineString per officer (metric CRS), start - stops - start."""
    solver: str
    on_network: bool
    candidates: int
    risk_available: float
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    network: WalkingNetwork | None = None

    def line_frame(self, crs: CRS) -> gpd.GeoDataFrame:
        """Each officer's route line with the officer's summary (officers with no stops left out)."""
        import geopandas as gpd

        lines = gpd.GeoDataFrame(self.summary.assign(geometry=self.lines), geometry="geometry", crs=crs)
        return lines[lines.geometry.notna()]


def find_start(text: str, visits: pd.DataFrame, households: gpd.GeoDataFrame, crs: CRS) -> StartPoint:
    """``LON,LAT`` or an address or household id: the plan's visits first, then the whole register
    (a GeoDataFrame in any CRS)."""
    value = text.strip()
    match = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*", value)
    if match:
        lon, lat = float(match.group(1)), float(match.group(2))
        if not bool(is_lonlat(lon, lat)):
            raise InputError("routes.bad_start", value=text)
        x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
        return StartPoint(float(x), float(y), f"{lon:.6f}, {lat:.6f}")
    wanted = value.casefold()
    for frame in (visits, households):
        if frame is None or len(frame) == 0:
            continue
        ids = frame["household_id"].astype(str).str.casefold()
        labels = frame["label"].astype(str).str.casefold()
        hit = np.flatnonzero((ids == wanted).to_numpy() | (labels == wanted).to_numpy())
        if len(hit):
            row = frame.iloc[int(hit[0])]
            if "x" in frame:  # the plan's visits, already in the metric CRS
                return StartPoint(float(row["x"]), float(row["y"]), str(row["label"]))
            point = frame.iloc[[int(hit[0])]].to_crs(crs).geometry.iloc[0]  # only the match is projected
            return StartPoint(float(point.x), float(point.y), str(row["label"]))
    raise InputError("routes.start_not_found", value=text)


def parse_clock(text: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text.strip())
    except ValueError:
        raise InputError("routes.bad_start_time", value=text) from None


def plan_routes(visits: pd.DataFrame, *, start: StartPoint, officers: int, settings: RouteSettings,
                network: WalkingNetwork | None = None) -> Routes:
    """Route the best visits for ``officers`` officers with ``settings.hours`` each."""
    import shapely

    if not 1 <= officers <= MAX_OFFICERS:
        raise InputError("routes.bad_officers", value=officers, limit=MAX_OFFICERS)
    clock = parse_clock(settings.start_time)
    notes: list[tuple[str, dict[str, Any]]] = []
    if network is None:
        notes.append(("routes.straight_lines", {"factor": f"{settings.detour_factor:g}"}))
    chosen = visits.sort_values("priority", ascending=False, kind="stable")
    chosen = pd.concat([chosen[chosen["tier"] == "A"], chosen[chosen["tier"] != "A"]]).head(settings.max_stops)
    chosen = chosen.sort_values("rank", kind="stable").reset_index(drop=True)
    if len(chosen) < len(visits):
        notes.append(("routes.limited", {"n": len(chosen), "total": len(visits)}))
    speed = settings.walking_speed_kmh / 3.6
    xs = np.r_[start.x, chosen["x"].to_numpy(dtype=float)]
    ys = np.r_[start.y, chosen["y"].to_numpy(dtype=float)]
    budget = settings.hours * 3600.0
    metres = walking_metres(xs, ys, network=network, detour=settings.detour_factor, limit_m=speed * budget)
    dwellings = chosen["dwellings"].to_numpy(dtype=float)
    risk = chosen["score"].to_numpy(dtype=float) * dwellings
    problem = RouteProblem(seconds=metres / speed, prize=risk,
                           service=60.0 * (settings.minutes_per_stop + settings.minutes_per_dwelling * dwellings),
                           tier_a=(chosen["tier"] == "A").to_numpy(), officers=officers, budget=budget)
    solution = solve(problem, solver=settings.solver, seconds=settings.solve_seconds)
    notes += solution.notes
    rows, summary, lines = [], [], []
    origin = dt.datetime.combine(dt.date(2000, 1, 1), clock)
    for officer, route in enumerate(solution.routes, start=1):
        elapsed, walked, previous = 0.0, 0.0, 0
        for order, stop in enumerate(route, start=1):
            leg = metres[previous, stop + 1]
            elapsed += leg / speed
            walked += leg
            row = chosen.iloc[stop]
            rows.append({"officer": officer, "stop": order, "household_id": row["household_id"], "label": row["label"],
                         "lon": row.get("lon"), "lat": row.get("lat"), "dwellings": int(row["dwellings"]),
                         "tier": row["tier"], "score": float(row["score"]), "risk": float(risk[stop]),
                         "arrival": (origin + dt.timedelta(seconds=elapsed)).strftime("%H:%M"),
                         "minutes_from_start": round(elapsed / 60, 1), "walk_m_from_previous": round(leg),
                         "walk_m_total": round(walked), "burglary_ids": row.get("burglary_ids")})
            elapsed += problem.service[stop]
            previous = stop + 1
        back = metres[previous, 0] if route else 0.0
        total_walk = walked + back
        summary.append({"officer": officer, "stops": len(route), "dwellings": int(dwellings[route].sum()),
                        "risk": float(risk[route].sum()), "walk_m": round(total_walk),
                        "minutes": round(problem.route_seconds(route) / 60, 1),
                        "back_at": (origin + dt.timedelta(seconds=problem.route_seconds(route))).strftime("%H:%M")})
        path = [(start.x, start.y), *[(xs[s + 1], ys[s + 1]) for s in route], (start.x, start.y)]
        lines.append(shapely.LineString(path) if route else None)
    stops = pd.DataFrame(rows, columns=ROUTE_COLUMNS)
    return Routes(stops=stops, summary=pd.DataFrame(summary), start=start, lines=lines, solver=solution.solver,
                  on_network=network is not None, candidates=len(chosen), risk_available=float(risk.sum()),
                  notes=notes, network=network)
