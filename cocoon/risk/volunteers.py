"""The households volunteers visit: made from what the public map shows, never from a victim's home.

The police's own list is ranked from each burglary's exact point, so its scores, its order, its
walking times and the households missing from it (the victims') would each lead back to that
point: with the public address register, a few numbers are enough to work it out. The
volunteers' list is therefore made from the public map's points alone (:mod:`cocoon.risk.public_points`):

- only a zone whose public point is the centre of its burglary's own grid cell gives volunteers
  an area; the burglary is then somewhere in that cell, and nothing on the list says where;
- the area is every household in the register within the zone radius of that point, except
  those within :func:`keep_out_m` of it: wherever in the cell the burglary was, its victims,
  the households at their address and the nearest neighbours are inside that circle, which the
  police visit themselves;
- a household's score comes from its distance to the public point and the zone's phase only;
- an area that would still hold a victim's home (another burglary's, or one at the same address
  far away) is left to the police as a whole, rather than listed with a hole in it.

So two burglaries anywhere in the same cell give the same volunteers' list, household for
household, and the list tells nobody more than the public map does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cocoon.risk.public_points import public_points
from cocoon.risk.weights import distance_weight, time_weight
from cocoon.risk.zones import HIGH

if TYPE_CHECKING:
    from cocoon.risk.daily_plan import Plan
    from cocoon.settings import Settings

VOLUNTEER_COLUMNS = (
    "household_id",
    "label",
    "dwellings",
    "x",
    "y",
    "score",
    "priority",
    "tier",
    "rank",
    "burglary_ids",
)
"""What :func:`volunteer_visits` gives, in the form the routing takes (tier and burglaries blank)."""


@dataclass
class VolunteerVisits:
    visits: pd.DataFrame
    """One row per household (:data:`VOLUNTEER_COLUMNS`), best first."""
    zones: int = 0
    """Zones that gave volunteers an area."""
    left_to_police: int = 0
    """Active zones that did not (their public point was moved or left out, or the area holds a victim)."""
    notes: list[tuple[str, dict[str, object]]] = field(default_factory=list)


def keep_out_m(settings: Settings) -> float:
    """The radius around a zone's public point that volunteers never get: half the cell's
    diagonal (where in the cell the burglary may be), plus the farthest a victim household
    (matched by position or by address) or the police's nearest neighbours may be from the
    burglary, plus the building around a victim's home."""
    r = settings.ranking
    cell = settings.privacy.zone_cell_m
    return cell * math.sqrt(2) / 2 + max(r.victim_match_m, r.tier_a_max_m) + r.same_building_m


def volunteer_visits(plan: Plan, *, exclude: Iterable[str] = ()) -> VolunteerVisits:
    """The volunteers' households for ``plan``, ranked from the public points alone (see the module).

    ``exclude``: households never to list (those the user named with --exclude). Households the
    police already reached are not left out: which doors they reached follows the victim's home."""
    from scipy.spatial import cKDTree

    register = plan.register
    if register is None or len(register) == 0 or len(plan.zones) == 0:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in VOLUNTEER_COLUMNS})
        return VolunteerVisits(visits=empty, left_to_police=len(plan.zones))
    settings = plan.settings
    points = public_points(plan)
    xy = np.column_stack([register["x"].to_numpy(dtype=float), register["y"].to_numpy(dtype=float)])
    ids = register["household_id"].astype(str).to_numpy()
    tree = cKDTree(xy)
    radius, keep_out = settings.zones.radius_m, keep_out_m(settings)
    placed = points.zones[points.zone_placed]
    kept_out = np.zeros(len(xy), dtype=bool)  # near a public point: the police's part of every zone
    for found in tree.query_ball_point(placed, keep_out) if len(placed) else []:
        kept_out[found] = True
    homes = plan.victims.homes[plan.victims.is_victim]
    homes_out = np.ones(len(homes), dtype=bool)
    if len(homes) and len(placed):
        homes_out = cKDTree(placed).query(homes)[0] > keep_out
    victims = np.isin(ids, list(plan.victims.household_ids))
    weights = {
        True: float(time_weight(0.0, settings.ranking)),
        False: float(time_weight(settings.zones.high_days + 1.0, settings.ranking)),
    }
    score = np.zeros(len(xy))
    zones = 0
    high = plan.zones["phase"].to_numpy() == HIGH
    for centre, is_high in zip(points.zones[points.zone_in_own_cell], high[points.zone_in_own_cell], strict=True):
        inside = np.asarray(tree.query_ball_point(centre, radius), dtype=np.int64)
        area = inside[~kept_out[inside]]
        stray = homes_out & (np.hypot(*(homes - centre).T) <= radius) if len(homes) else homes_out
        if len(area) == 0 or victims[area].any() or stray.any():
            continue  # nothing outside the police's part, or a victim's home would be a hole in the list
        zones += 1
        distance = np.hypot(*(xy[area] - centre).T)
        score[area] += settings.ranking.points * distance_weight(distance, settings.ranking) * weights[bool(is_high)]
    listed = (score > 0) & ~np.isin(ids, [str(i) for i in exclude])
    dwellings = register["dwellings"].to_numpy(dtype=float)[listed]
    frame = pd.DataFrame(
        {
            "household_id": ids[listed],
            "label": register["label"].to_numpy(dtype=object)[listed],
            "dwellings": dwellings.astype(np.int64),
            "x": xy[listed, 0],
            "y": xy[listed, 1],
            "score": score[listed],
            "priority": score[listed] * dwellings**settings.ranking.dwelling_exponent,
        }
    )
    frame = frame.sort_values(["priority", "household_id"], ascending=[False, True], kind="stable")
    frame["tier"], frame["burglary_ids"] = "", ""
    frame["rank"] = np.arange(1, len(frame) + 1)
    return VolunteerVisits(
        visits=frame[list(VOLUNTEER_COLUMNS)].reset_index(drop=True),
        zones=zones,
        left_to_police=len(plan.zones) - zones,
    )
