"""The volunteers' walks: their own routes through the households of :mod:`cocoon.risk.volunteers`.

They start where the officers start, with as many walks as officers and the same hours, but
they are routed afresh from the volunteers' households alone: stop numbers, order and arrival
times then follow the public map's points, never a victim's home (a route through the police's
list with the victims cut out would leave a gap pointing at them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from cocoon.errors import InputError
from cocoon.field.walks import ROUTE_COLUMNS, plan_routes
from cocoon.geo.crs import to_lonlat
from cocoon.risk.volunteers import keep_out_m, volunteer_visits

if TYPE_CHECKING:
    from cocoon.field.walks import Routes
    from cocoon.risk.daily_plan import Plan


@dataclass
class VolunteerWalks:
    stops: pd.DataFrame
    """One row per stop (the columns of :data:`~cocoon.field.walks.ROUTE_COLUMNS`; ``officer`` is the walk)."""
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def volunteer_walks(plan: Plan, routes: Routes, *, exclude: Iterable[str] = ()) -> VolunteerWalks:
    """Walks for the volunteers from the officers' start, walk count, hours and network."""
    found = volunteer_visits(plan, exclude=exclude)
    notes: list[tuple[str, dict[str, Any]]] = []
    if found.left_to_police:
        notes.append(
            (
                "volunteers.left_to_police",
                {"n": found.left_to_police, "total": len(plan.zones), "keep_out": round(keep_out_m(plan.settings))},
            )
        )
    empty = pd.DataFrame(columns=ROUTE_COLUMNS)
    if len(found.visits) == 0:
        return VolunteerWalks(stops=empty, notes=notes)
    lon, lat = to_lonlat(found.visits["x"].to_numpy(dtype=float), found.visits["y"].to_numpy(dtype=float), plan.crs)
    visits = found.visits.assign(lon=lon, lat=lat)
    try:
        walked = plan_routes(
            visits,
            start=routes.start,
            officers=len(routes.summary),
            settings=plan.settings.routes,
            network=routes.network,
        )
    except InputError:  # nobody within reach of the start: the police's list still stands
        notes.append(("volunteers.not_routed", {"hours": f"{plan.settings.routes.hours:g}"}))
        return VolunteerWalks(stops=empty, notes=notes)
    return VolunteerWalks(stops=walked.stops, notes=notes)
