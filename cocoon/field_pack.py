"""Writing the officer's field pack: routes (CSV, GPX), visit lists and the leaflet (HTML, PDF)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cocoon.crs import to_lonlat
from cocoon.outputs import write_bytes, write_csv, write_text

VISIT_LIST_FILES = {"internal": "visit-list", "volunteer": "visit-list-volunteer"}


def routes_gpx(routes, crs, *, lang: str) -> str:
    """One GPX route per officer (start, stops, start) and a waypoint per stop, for phones."""
    import gpxpy.gpx

    from cocoon.catalogue import text

    gpx = gpxpy.gpx.GPX()
    gpx.creator = "cocoon"
    slon, slat = to_lonlat([routes.start.x], [routes.start.y], crs)
    for officer, group in routes.stops.groupby("officer", sort=True):
        route = gpxpy.gpx.GPXRoute(name=text("visit_list.officer", lang, n=int(officer)))
        route.points.append(gpxpy.gpx.GPXRoutePoint(float(slat[0]), float(slon[0]), name=routes.start.label))
        for row in group.itertuples(index=False):
            name = f"{int(officer)}.{int(row.stop)} {row.label}"
            route.points.append(gpxpy.gpx.GPXRoutePoint(float(row.lat), float(row.lon), name=name))
            gpx.waypoints.append(gpxpy.gpx.GPXWaypoint(float(row.lat), float(row.lon), name=name,
                                                        description=f"{row.household_id} · {row.tier}"))
        route.points.append(gpxpy.gpx.GPXRoutePoint(float(slat[0]), float(slon[0]), name=routes.start.label))
        gpx.routes.append(route)
    return gpx.to_xml()


def write_field_pack(plan, routes, out_dir: Path, *, lang: str, area: str) -> list[Path]:
    """routes.csv and routes.gpx (when routed), both visit lists and the leaflet, as HTML and PDF."""
    from cocoon.leaflet import leaflet_html, leaflet_pdf, leaflet_texts
    from cocoon.visit_lists import visit_list_html, visit_list_pdf, visit_sections

    out_dir = Path(out_dir)
    written: list[Path] = []
    if routes is not None:
        written.append(write_csv(routes.stops, out_dir / "routes.csv"))
        written.append(write_text(out_dir / "routes.gpx", routes_gpx(routes, plan.crs, lang=lang)))
        stops = routes.stops.merge(plan.visits[["household_id", "burgled", "distance_m"]], on="household_id", how="left")
    else:
        stops = plan.visits.head(plan.settings.routes.max_stops)
    for variant, name in VISIT_LIST_FILES.items():
        sections = visit_sections(stops, plan.burglaries, variant=variant, lang=lang)
        written.append(write_text(out_dir / f"{name}.html",
                                  visit_list_html(sections, area=area, date=plan.date, variant=variant, lang=lang)))
        written.append(write_bytes(out_dir / f"{name}.pdf",
                                   visit_list_pdf(sections, area=area, date=plan.date, variant=variant, lang=lang)))
    active = plan.burglaries[plan.burglaries["phase"].isin(["high", "elevated"])]
    latest = pd.Timestamp(active["last_day"].max()).date() if len(active) else None
    texts = leaflet_texts(latest=latest, settings=plan.settings.leaflet, lang=lang)
    written.append(write_text(out_dir / "leaflet.html", leaflet_html(texts, lang=lang)))
    written.append(write_bytes(out_dir / "leaflet.pdf", leaflet_pdf(texts, lang=lang)))
    return written
