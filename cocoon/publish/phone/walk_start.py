"""Where the officers' walks start and end, as the phone's files need it: a point in the plan's
metric CRS and its name (the route planner's start point has both)."""

from __future__ import annotations

from typing import Protocol


class WalkStart(Protocol):
    x: float
    y: float
    label: str
