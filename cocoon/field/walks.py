"""From the ranked visits to each officer's walk: stops, order, arrival times, walking distance.

The best ``max_stops`` households by priority are routed (every tier A household among them).
Each stop's prize is its risk, score × dwellings; its time is minutes_per_stop plus
minutes_per_dwelling × dwellings. Officers start and end at the start point.

A start given as two numbers is read in the order that lies in the households' area (map apps
copy ``lat,lon``; cocoon's own order is ``lon,lat``), and must lie within :data:`MAX_START_M` of
a household of the plan. Routes that would collect nothing are refused with the reason: no
household to visit, a budget too short for one stop, or a start too far away.
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
from cocoon.geo.crs import crs_label, is_lonlat, lonlat_bounds, metres_apart
from cocoon.geo.walking import WalkingNetwork, walking_metres
from cocoon.settings import RouteSettings, parse_clock

if TYPE_CHECKING:
    import geopandas as gpd
    import shapely

MAX_OFFICERS = 1000
"""More officers than this on one plan is a typing mistake."""
MAX_START_M = 5000.0
"""A start further than this from every household of the plan is a mistake (numbers swapped, another town)."""
ROUTE_COLUMNS = [
    "officer",
    "officer_name",
    "stop",
    "household_id",
    "label",
    "lon",
    "lat",
    "dwellings",
    "tier",
    "score",
    "risk",
    "arrival",
    "minutes_from_start",
    "walk_m_from_previous",
    "walk_m_total",
    "burglary_ids",
]


Note = tuple[str, dict[str, Any]]
COORDINATES = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*")
"""Two numbers, as typed or copied from a map app: "18.0686,59.3293", "56.65864, 16.34745"."""


@dataclass
class StartPoint:
    x: float
    y: float
    label: str
    notes: list[Note] = field(default_factory=list)
    """How the start was read, when not as given (``lat,lon``)."""


@dataclass
class Routes:
    stops: pd.DataFrame
    """One row per routed stop (:data:`ROUTE_COLUMNS`), officers in order."""
    summary: pd.DataFrame
    """One row per officer: stops, dwellings, risk, walking metres, minutes."""
    start: StartPoint
    lines: list[shapely.LineString | None]
    """A LineString per officer (metric CRS), start - stops - start; None for an officer with no stops."""
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
    """``LON,LAT`` (or ``LAT,LON``, as map apps copy it) or an address or household id: the plan's
    visits first, then the whole register (a GeoDataFrame in any CRS).

    Two numbers are read in the order that lies inside the register's area, or nearer to it (then
    nearer to a household of the plan; ``LON,LAT`` when that cannot tell). A start more than
    :data:`MAX_START_M` from every household of the plan is refused, naming both orders' distances."""
    value = text.strip()
    match = COORDINATES.fullmatch(value)
    if match:
        return _start_from_numbers(text, float(match.group(1)), float(match.group(2)), visits, households, crs)
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
            start = StartPoint(float(point.x), float(point.y), str(row["label"]))
            nearest = _nearest_stop_m(visits, *_to_lonlat(start, crs))
            if nearest > MAX_START_M:
                raise InputError(
                    "routes.start_too_far_address",
                    value=text,
                    distance=_distance(nearest),
                    limit=float(MAX_START_M / 1000),
                )
            return start
    raise InputError("routes.start_not_found", value=text)


def _start_from_numbers(
    text: str, first: float, second: float, visits: pd.DataFrame, households: gpd.GeoDataFrame, crs: CRS
) -> StartPoint:
    """Two numbers as a start: as ``lon,lat`` or as ``lat,lon``, whichever lies in the households' area."""
    readings = {
        order: (lon, lat)
        for order, (lon, lat) in (("lonlat", (first, second)), ("latlon", (second, first)))
        if bool(is_lonlat(lon, lat))
    }
    if not readings:
        return _start_from_metres(text, first, second, visits, households, crs)
    west, south, east, north = lonlat_bounds(households) if len(households) else (first, second, first, second)

    def from_area(lon: float, lat: float) -> float:
        """Metres to the register's box (0 inside it)."""
        near_lon, near_lat = min(max(lon, west), east), min(max(lat, south), north)
        return float(metres_apart([near_lon], [near_lat], lon, lat)[0])

    nearest = {order: _nearest_stop_m(visits, lon, lat) for order, (lon, lat) in readings.items()}
    order = min(readings, key=lambda o: (from_area(*readings[o]), nearest[o], o != "lonlat"))
    lon, lat = readings[order]
    if nearest[order] > MAX_START_M:
        shown = {o: _distance(nearest[o]) for o in readings}
        key = "routes.start_too_far" if len(readings) == 2 else f"routes.start_too_far_only_{order}"
        raise InputError(
            key,
            value=text,
            lonlat=shown.get("lonlat", ""),
            latlon=shown.get("latlon", ""),
            limit=float(MAX_START_M / 1000),
        )
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    notes: list[Note] = []
    if order == "latlon":
        notes.append(("routes.start_read_as_latlon", {"value": text.strip(), "lon": f"{lon:.6f}", "lat": f"{lat:.6f}"}))
    return StartPoint(float(x), float(y), f"{lon:.6f}, {lat:.6f}", notes)


def _start_from_metres(
    text: str, first: float, second: float, visits: pd.DataFrame, households: gpd.GeoDataFrame, crs: CRS
) -> StartPoint:
    """Two numbers that are not degrees: coordinates in the plan's metric system (SWEREF 99 TM in
    Sweden, the local UTM zone elsewhere), east,north or north,east, whichever lies nearer the plan."""
    back = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    readings: dict[str, tuple[float, float, float]] = {}
    for name, (x, y) in (("en", (first, second)), ("ne", (second, first))):
        lon, lat = back.transform(x, y)
        if bool(is_lonlat(lon, lat)):
            readings[name] = (x, y, _nearest_stop_m(visits, float(lon), float(lat)))
    order = min(readings, key=lambda o: readings[o][2], default=None)
    if order is None or readings[order][2] > MAX_START_M:
        raise InputError(
            "routes.start_not_here",
            value=text,
            crs=crs_label(crs),
            limit=float(MAX_START_M / 1000),
            **_start_examples(visits, households, crs),
        )
    x, y, _ = readings[order]
    note = (
        "routes.start_read_as_metres",
        {"value": text.strip(), "crs": crs_label(crs), "east": f"{x:.0f}", "north": f"{y:.0f}"},
    )
    return StartPoint(float(x), float(y), f"{x:.0f}, {y:.0f}", [note])


def _start_examples(visits: pd.DataFrame, households: gpd.GeoDataFrame, crs: CRS) -> dict[str, str]:
    """A start in the plan's own area, written each way cocoon reads it, for an error message."""
    if visits is not None and len(visits) and "lon" in visits:
        lon, lat = float(visits["lon"].iloc[0]), float(visits["lat"].iloc[0])
    elif households is not None and len(households):
        west, south, east, north = lonlat_bounds(households)
        lon, lat = (west + east) / 2, (south + north) / 2
    else:
        return {"lonlat": "LON,LAT", "latlon": "LAT,LON", "metres": "EAST,NORTH"}
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    return {"lonlat": f"{lon:.4f},{lat:.4f}", "latlon": f"{lat:.4f},{lon:.4f}", "metres": f"{x:.0f},{y:.0f}"}


def _to_lonlat(start: StartPoint, crs: CRS) -> tuple[float, float]:
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(start.x, start.y)
    return float(lon), float(lat)


def _nearest_stop_m(visits: pd.DataFrame | None, lon: float, lat: float) -> float:
    """Metres from (lon, lat) to the nearest household of the plan; 0 when the plan has none (nothing
    to measure: the routes then say there is nobody to visit)."""
    if visits is None or len(visits) == 0 or "lon" not in visits or "lat" not in visits:
        return 0.0
    return float(
        np.nanmin(metres_apart(visits["lon"].to_numpy(dtype=float), visits["lat"].to_numpy(dtype=float), lon, lat))
    )


def _distance(metres: float) -> str:
    """A distance for a message, without decimals (the same in every language): metres up to 10 km."""
    if not np.isfinite(metres):
        return "–"
    return f"{round(metres, -1):.0f} m" if metres < 10_000 else f"{metres / 1000:.0f} km"


def officer_names(text: str | None, officers: int) -> list[str]:
    """``"Anna,Bertil"``: one name per officer, in the officers' order; none given: no names."""
    if text is None:
        return []
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise InputError("routes.empty_officer_name", value=text)
    if len(names) != officers:
        raise InputError("routes.bad_officer_names", value=text, n=len(names), officers=officers)
    return names


def plan_routes(
    visits: pd.DataFrame,
    *,
    start: StartPoint,
    officers: int,
    settings: RouteSettings,
    network: WalkingNetwork | None = None,
    names: list[str] | None = None,
) -> Routes:
    """Route the best visits for ``officers`` officers with ``settings.hours`` each, starting at
    ``settings.start_time``; ``names`` (one per officer) go into the ``officer_name`` column.

    Routes that would collect nothing are an error saying why (see :func:`_why_nothing`)."""
    import shapely

    if not 1 <= officers <= MAX_OFFICERS:
        raise InputError("routes.bad_officers", value=officers, limit=MAX_OFFICERS)
    if names and len(names) != officers:
        raise InputError("routes.bad_officer_names", value=",".join(names), n=len(names), officers=officers)
    clock = parse_clock(settings.start_time)
    if len(visits) == 0:
        raise InputError("routes.nobody_to_visit")
    notes: list[Note] = list(start.notes)
    if network is None:
        notes.append(("routes.straight_lines", {"factor": float(settings.detour_factor)}))
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
    problem = RouteProblem(
        seconds=metres / speed,
        prize=risk,
        service=60.0 * (settings.minutes_per_stop + settings.minutes_per_dwelling * dwellings),
        tier_a=(chosen["tier"] == "A").to_numpy(),
        officers=officers,
        budget=budget,
    )
    _why_nothing(problem, chosen, start, settings)
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
            rows.append(
                {
                    "officer": officer,
                    "officer_name": names[officer - 1] if names else "",
                    "stop": order,
                    "household_id": row["household_id"],
                    "label": row["label"],
                    "lon": row.get("lon"),
                    "lat": row.get("lat"),
                    "dwellings": int(row["dwellings"]),
                    "tier": row["tier"],
                    "score": float(row["score"]),
                    "risk": float(risk[stop]),
                    "arrival": (origin + dt.timedelta(seconds=elapsed)).strftime("%H:%M"),
                    "minutes_from_start": round(elapsed / 60, 1),
                    "walk_m_from_previous": round(leg),
                    "walk_m_total": round(walked),
                    "burglary_ids": row.get("burglary_ids"),
                }
            )
            elapsed += problem.service[stop]
            previous = stop + 1
        back = metres[previous, 0] if route else 0.0
        total_walk = walked + back
        summary.append(
            {
                "officer": officer,
                "stops": len(route),
                "dwellings": int(dwellings[route].sum()),
                "risk": float(risk[route].sum()),
                "walk_m": round(total_walk),
                "minutes": round(problem.route_seconds(route) / 60, 1),
                "back_at": (origin + dt.timedelta(seconds=problem.route_seconds(route))).strftime("%H:%M"),
            }
        )
        path = [(start.x, start.y), *[(xs[s + 1], ys[s + 1]) for s in route], (start.x, start.y)]
        lines.append(shapely.LineString(path) if route else None)
    stops = pd.DataFrame(rows, columns=ROUTE_COLUMNS)
    return Routes(
        stops=stops,
        summary=pd.DataFrame(summary),
        start=start,
        lines=lines,
        solver=solution.solver,
        on_network=network is not None,
        candidates=len(chosen),
        risk_available=float(risk.sum()),
        notes=notes,
        network=network,
    )


def _why_nothing(problem: RouteProblem, chosen: pd.DataFrame, start: StartPoint, settings: RouteSettings) -> None:
    """Refuse routes that can collect nothing, saying why: no stop fits in the budget even alone
    (its time at the door is too long), or none can be walked to and back from the start in time."""
    there_and_back = problem.seconds[0, 1:] + problem.seconds[1:, 0] + problem.service
    if bool((there_and_back <= problem.budget).any()):
        return
    hours = f"{settings.hours:g}"  # as typed after --hours
    shortest = float(problem.service.min())
    if shortest > problem.budget:
        raise InputError(
            "routes.budget_too_short",
            hours=hours,
            budget=f"{problem.budget / 60:.0f}",
            stop=round(shortest / 60, 1),
            per_stop=f"{settings.minutes_per_stop:g}",
            per_dwelling=f"{settings.minutes_per_dwelling:g}",
        )
    straight = np.hypot(chosen["x"].to_numpy(dtype=float) - start.x, chosen["y"].to_numpy(dtype=float) - start.y)
    raise InputError(
        "routes.start_too_far_to_walk", value=start.label, hours=hours, distance=_distance(float(straight.min()))
    )
