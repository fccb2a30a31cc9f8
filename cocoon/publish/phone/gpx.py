"""Routes as GPX for a phone's map app: one route (``rte``) per officer in walking order, from the
start through every stop and back, so that OsmAnd and similar apps navigate stop by stop; and a
waypoint per stop, named as on the visit list (officer.stop and the address)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyproj import CRS

from cocoon.catalogue import text
from cocoon.geo.crs import to_lonlat

if TYPE_CHECKING:
    import pandas as pd

    from cocoon.publish.phone.walk_start import WalkStart


#: Characters XML 1.0 does not allow (control characters other than tab, line feed and carriage return).
_NOT_XML = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])


def xml_text(value: object) -> str:
    """``value`` as text an XML file may hold: control characters from the inputs left out."""
    return str(value).translate(_NOT_XML)


def routes_gpx(stops: pd.DataFrame, start: WalkStart, crs: CRS, *, lang: str) -> str:
    """One GPX route per officer (``start``, the officer's ``stops`` in order, ``start``) and a waypoint per stop."""
    import gpxpy.gpx

    gpx = gpxpy.gpx.GPX()
    gpx.creator = "cocoon"
    slon, slat = to_lonlat([start.x], [start.y], crs)
    for officer, group in stops.groupby("officer", sort=True):
        walk = group.sort_values("stop", kind="stable")
        names = [str(v).strip() for v in walk.get("officer_name", []) if isinstance(v, str) and v.strip()]
        title = xml_text(names[0]) if names else text("visit_list.officer", lang, n=int(officer))
        route = gpxpy.gpx.GPXRoute(name=title, number=int(officer))
        home = xml_text(start.label)
        route.points.append(gpxpy.gpx.GPXRoutePoint(float(slat[0]), float(slon[0]), name=home))
        for row in walk.itertuples(index=False):
            name = xml_text(f"{int(officer)}.{int(row.stop)} {row.label}")
            arrival = str(getattr(row, "arrival", "") or "")
            route.points.append(
                gpxpy.gpx.GPXRoutePoint(
                    float(row.lat), float(row.lon), name=name, description=xml_text(arrival) or None
                )
            )
            gpx.waypoints.append(
                gpxpy.gpx.GPXWaypoint(
                    float(row.lat), float(row.lon), name=name, description=xml_text(f"{row.household_id} · {row.tier}")
                )
            )
        route.points.append(gpxpy.gpx.GPXRoutePoint(float(slat[0]), float(slon[0]), name=home))
        gpx.routes.append(route)
    return gpx.to_xml()
