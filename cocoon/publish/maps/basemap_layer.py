"""The basemap on a map page: the picture, drawn once for both maps, and the street names over it."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from cocoon.catalogue import text
from cocoon.geo.crs import to_lonlat
from cocoon.geo.privacy import NearestRule
from cocoon.publish.maps.basemap import basemap_png
from cocoon.publish.maps.map_data import MapData
from cocoon.publish.maps.page import escape, plan_from_lonlat
from cocoon.publish.maps.public_view import picture_corners
from cocoon.publish.maps.street_labels import street_labels

LABEL_PANE = "cocoonStreetNames"
"""The map pane of the street names: over the basemap picture, under zones, households and routes."""


def basemap_picture(data: MapData) -> tuple[np.ndarray, bytes] | None:
    """The basemap picture and its corners (lon/lat), drawn once and shared by both maps."""
    if data.basemap is None:
        return None
    if data._picture is None:
        corners = picture_corners(data)
        if corners is None:
            return None
        lon, lat = to_lonlat(corners[:, 0], corners[:, 1], data.plan.crs)
        lonlat = np.column_stack([lon, lat])
        data._picture = (lonlat, basemap_png(data.basemap, lonlat))
    return data._picture


def add_basemap(m: Any, data: MapData, lang: str, rule: NearestRule | None = None) -> None:
    """The basemap picture, and the street names over it; with ``rule``, names only where it holds."""
    import folium

    picture = basemap_picture(data)
    if picture is None or data.basemap is None:
        return
    corners, png = picture
    folium.map.CustomPane(LABEL_PANE, z_index=350, pointer_events=False).add_to(m)  # over the picture, under the rest
    group = folium.FeatureGroup(name=text("maps.basemap", lang))
    (west, south), (east, north) = corners
    folium.raster_layers.ImageOverlay(
        f"data:image/png;base64,{base64.b64encode(png).decode('ascii')}",
        bounds=[[south, west], [north, east]],
        opacity=1.0,
        pixelated=False,
        interactive=False,
        pane="tilePane",
        attribution=escape(text("maps.osm_attribution", lang)),
    ).add_to(group)
    plan = data.plan

    def allowed(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        assert rule is not None
        x, y = plan_from_lonlat(plan, lon, lat)
        return rule.clear(np.column_stack([x, y]))

    for label in street_labels(data.basemap, corners, None if rule is None else allowed):
        kind = "major" if label.major else "minor"
        icon = folium.DivIcon(
            html=f'<div style="--a:{label.angle:.1f}deg">{escape(label.name)}</div>',
            icon_size=(0, 0),
            icon_anchor=(0, 0),
            class_name=f"cocoon-street cocoon-street-{kind} cocoon-label-{label.zoom}",
        )
        folium.Marker(
            [round(label.lat, 6), round(label.lon, 6)], icon=icon, interactive=False, keyboard=False, pane=LABEL_PANE
        ).add_to(group)
    group.add_to(m)
