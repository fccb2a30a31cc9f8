"""Writing the officer's field pack: routes (CSV, GPX), visit lists and the leaflet (HTML, PDF)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cocoon.geo.crs import to_lonlat
from cocoon.publish.files import write_bytes, write_csv, write_text

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


def sign_poster_texts(signs: pd.DataFrame, *, leaflet: dict, lang: str) -> dict[str, str]:
    from cocoon.catalogue import text

    up = signs["up"].min() if len(signs) else ""
    down = signs["down"].max() if len(signs) else ""
    return {"headline": text("signs.headline", lang), "advice": text("signs.advice", lang),
            "contact": str(leaflet["contact"]), "dates": text("signs.dates", lang, up=up, down=down)}


def sign_poster_pdf(texts: dict[str, str], *, lang: str) -> bytes:
    from cocoon.publish.pdf import Document

    doc = Document(orientation="L", lang=lang)
    doc.add_page()
    doc.set_fill_color(242, 197, 0)
    doc.rect(8, 8, doc.w - 16, doc.h - 16, style="F")
    doc.set_fill_color(255, 255, 255)
    doc.rect(16, 16, doc.w - 32, doc.h - 32, style="F")
    doc.set_y(40)
    doc.set_font("DejaVu", "B", 36)
    doc.multi_cell(0, 16, texts["headline"], align="C", new_x="LMARGIN", new_y="NEXT")
    doc.ln(6)
    for key, size in (("advice", 18), ("contact", 14), ("dates", 14)):
        doc.set_font("DejaVu", "", size)
        doc.multi_cell(0, size * 0.55, texts[key], align="C", new_x="LMARGIN", new_y="NEXT")
        doc.ln(4)
    return doc.output()


def signs_geojson(signs: pd.DataFrame, crs) -> str:
    """Sign sites as points, without the burglaries behind them."""
    import geopandas as gpd

    from cocoon.publish.files import features

    frame = gpd.GeoDataFrame(signs.drop(columns=["burglaries"]), geometry=gpd.points_from_xy(signs["x"], signs["y"]),
                             crs=crs)
    items = features(frame, ["sign_id", "zone", "kind", "households_covered", "dwellings_covered", "up", "down"],
                     layer="sign")
    return '{"type": "FeatureCollection", "name": "signs", "features": [\n' + ",\n".join(items) + "\n]}\n"


def write_field_pack(plan, routes, out_dir: Path, *, lang: str, area: str, network=None) -> tuple[list[Path], pd.DataFrame]:
    """routes.csv and routes.gpx (when routed), both visit lists, the leaflet and the sign poster
    (HTML and PDF), signs.csv/.geojson and property-owners.csv."""
    from cocoon.field.handout import leaflet_html, leaflet_pdf, leaflet_texts
    from cocoon.field.property_owners import property_owner_notices
    from cocoon.field.signs import SIGN_COLUMNS, plan_signs
    from cocoon.field.visit_lists import visit_list_html, visit_list_pdf, visit_sections

    out_dir = Path(out_dir)
    written: list[Path] = []
    if routes is not None:
        written.append(write_csv(routes.stops, out_dir / "routes.csv"))
        written.append(write_text(out_dir / "routes.gpx", routes_gpx(routes, plan.crs, lang=lang)))
        extra = [c for c in ("household_id", "burgled", "distance_m", "revisit") if c in plan.visits]
        stops = routes.stops.merge(plan.visits[extra], on="household_id", how="left")
    else:
        stops = plan.visits.head(plan.settings.routes.max_stops)
    typed = stops[[c for c in ("officer", "stop", "household_id", "label", "tier") if c in stops]].copy()
    typed["outcome"], typed["time"], typed["visitor"] = "", "", ""
    written.append(write_csv(typed, out_dir / "visit-list.csv"))
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
    signs = plan_signs(plan, settings=plan.settings.signs, network=network)
    written.append(write_csv(signs[SIGN_COLUMNS], out_dir / "signs.csv"))
    written.append(write_text(out_dir / "signs.geojson", signs_geojson(signs, plan.crs)))
    poster = sign_poster_texts(signs, leaflet=texts, lang=lang)
    from cocoon.publish.reports import _environment

    written.append(write_text(out_dir / "sign-poster.html",
                              _environment().get_template("sign-poster.html.j2").render(lang=lang, **poster)))
    written.append(write_bytes(out_dir / "sign-poster.pdf", sign_poster_pdf(poster, lang=lang)))
    owners = property_owner_notices(plan.visits, happened=str(texts["happened"]), contact=str(texts["contact"]),
                                    lang=lang)
    written.append(write_csv(owners, out_dir / "property-owners.csv"))
    return written, signs
