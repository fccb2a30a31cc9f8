"""What the maps show (:class:`MapData`): the plan, and the field pack's routes and signs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from cocoon.publish.maps.basemap import Basemap
    from cocoon.risk.daily_plan import Plan


@dataclass
class MapData:
    """What the maps show: the plan, and when the field pack was made, its routes and signs."""

    plan: Plan
    route_stops: pd.DataFrame | None = None
    """One row per routed stop (officer, stop, label, lon, lat, arrival; ``officer_name`` where the
    officers were named), or None without routes."""
    route_start: tuple[float, float] | None = None
    """Where the walks start and end, in the plan's metric CRS."""
    signs: pd.DataFrame | None = None
    outcomes: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Latest outcome and time per household id (from the store)."""
    basemap: Basemap | None = None
    """Streets, buildings, parks and water for the offline basemap, or None."""
    max_households: int = 2000
    _picture: tuple[np.ndarray, bytes] | None = field(default=None, init=False, repr=False)
    """The basemap picture and its corners (lon/lat), drawn once for both maps."""
