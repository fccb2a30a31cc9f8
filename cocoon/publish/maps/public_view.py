"""What the public page may show beyond its zones and signs: the corners of its view and of the
basemap picture, both published too, so both kept to the privacy rule (:mod:`cocoon.geo.privacy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cocoon.risk.public_points import PublicPoints, public_points

if TYPE_CHECKING:
    from cocoon.publish.maps.map_data import MapData
    from cocoon.risk.daily_plan import Plan


def public_view(plan: Plan, points: PublicPoints) -> np.ndarray | None:
    """The corners of the public map's view, which are published too: kept to the privacy rule."""
    placed = points.zones[points.zone_placed]
    if len(placed) == 0:
        return None
    x, y = placed[:, 0], placed[:, 1]
    pad = float(plan.zones["radius_m"].max())
    corners = np.array([[x.min() - pad, y.min() - pad], [x.max() + pad, y.max() + pad]])
    for _ in range(50):
        if plan.privacy_rule.clear(corners).all():
            break
        pad += 100.0
        corners = np.array([[x.min() - pad, y.min() - pad], [x.max() + pad, y.max() + pad]])
    return corners


def picture_corners(data: MapData) -> np.ndarray | None:
    """Corners (metric CRS) of the basemap picture: around the internal map's view and the public
    map's, and kept to the privacy rule, since the public page carries them."""
    plan = data.plan
    if not len(plan.zones):
        return None
    box = plan.zones.total_bounds
    corners = np.array([[box[0] - 300.0, box[1] - 300.0], [box[2] + 300.0, box[3] + 300.0]])
    public = public_view(plan, public_points(plan, data.signs))
    if public is not None:
        corners = np.array([np.minimum(corners[0], public[0]), np.maximum(corners[1], public[1])])
    rule = plan.privacy_rule
    for _ in range(50):
        four = np.array([corners[0], corners[1], [corners[0, 0], corners[1, 1]], [corners[1, 0], corners[0, 1]]])
        if rule.clear(four).all():
            break
        corners = corners + np.array([[-100.0, -100.0], [100.0, 100.0]])
    return corners
