"""Writing the officer's field pack: routes (CSV, GPX), visit lists, the handout, signs and
the sign poster, and property-owner notices."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cocoon.field.property_owners import property_owner_notices
from cocoon.field.signs import SIGN_COLUMNS, plan_signs
from cocoon.field.volunteer_walks import volunteer_walks
from cocoon.geo.walking import WalkingNetwork
from cocoon.publish.files import write_bytes, write_csv, write_text
from cocoon.publish.geojson import signs_geojson
from cocoon.publish.pdf import Document, Overflow
from cocoon.publish.phone.gpx import routes_gpx
from cocoon.publish.phone.officer_page import officer_pages
from cocoon.publish.phone.xlsform import DOORS_FILE, door_list, xlsform_bytes
from cocoon.publish.printouts.handout import handout_document, handout_html, handout_texts
from cocoon.publish.printouts.sign_poster import (
    sign_poster_document,
    sign_poster_html,
    sign_poster_texts,
)
from cocoon.publish.printouts.visit_lists import (
    visit_list_document,
    visit_list_html,
    visit_sections,
    volunteer_sections,
)
from cocoon.risk.volunteers import volunteer_visits
from cocoon.risk.zones import PHASES

if TYPE_CHECKING:
    from cocoon.field.walks import Routes
    from cocoon.publish.maps.basemap import Basemap
    from cocoon.risk.daily_plan import Plan


VISIT_LIST_FILES = {"internal": "visit-list", "volunteer": "visit-list-volunteer"}
POSTER_FILES = {"A4": "sign-poster.pdf", "A3": "sign-poster-a3.pdf"}


@dataclass
class FieldPack:
    written: list[Path]
    signs: pd.DataFrame
    """The sign sites (metric x/y and lon/lat) with their dates."""
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    overflows: dict[str, list[Overflow]] = field(default_factory=dict)
    """Per PDF written, the texts that did not fit their box (none, normally)."""


def write_field_pack(
    plan: Plan,
    routes: Routes | None,
    out_dir: Path,
    *,
    lang: str,
    area: str,
    network: WalkingNetwork | None = None,
    dialect: str = "plain",
    exclude: Iterable[str] = (),
    basemap: Basemap | None = None,
    xlsform: bool = False,
) -> FieldPack:
    """routes.csv and routes.gpx (when routed), each officer's page for the phone (officer-N.html,
    with ``basemap`` as its map's picture when given), both visit lists, the handout and door
    hangers and the sign poster (HTML and PDF; the poster also on A3), signs.csv/.geojson and
    property-owners.csv; with ``xlsform``, visit-form.xlsx and doors.csv for ODK Collect / KoboToolbox.

    The volunteers' list is made and walked afresh from the public map's points (see
    :mod:`cocoon.risk.volunteers`), leaving out ``exclude`` (the households named with --exclude)."""
    out_dir = Path(out_dir)
    written: list[Path] = []
    overflows: dict[str, list[Overflow]] = {}
    glyphs: dict[str, list[str]] = {}

    def pdf(name: str, doc: Document) -> None:
        written.append(write_bytes(out_dir / name, doc.to_bytes()))
        overflows[name] = list(doc.overflows)
        glyphs[name] = list(doc.missing_glyphs)

    if routes is not None:
        written.append(write_csv(routes.stops, out_dir / "routes.csv", dialect=dialect))
        written.append(write_text(out_dir / "routes.gpx", routes_gpx(routes.stops, routes.start, plan.crs, lang=lang)))
        for page in officer_pages(plan, routes.stops, routes.start, lang=lang, area=area, basemap=basemap):
            written.append(write_text(out_dir / page.file_name, page.html))
        if xlsform:
            written.append(
                write_bytes(out_dir / "visit-form.xlsx", xlsform_bytes(routes.stops, date=plan.date, lang=lang))
            )
            written.append(write_csv(door_list(routes.stops), out_dir / DOORS_FILE))
        extra = [c for c in ("household_id", "burgled", "distance_m", "revisit") if c in plan.visits]
        stops = routes.stops.merge(plan.visits[extra], on="household_id", how="left")
    else:
        stops = plan.visits.head(plan.settings.routes.max_stops)
    typed = stops[[c for c in ("officer", "stop", "household_id", "label", "tier") if c in stops]].copy()
    typed["outcome"], typed["time"], typed["visitor"] = "", "", ""
    written.append(write_csv(typed, out_dir / "visit-list.csv", dialect=dialect))
    pack_notes: list[tuple[str, dict[str, Any]]] = []
    if routes is not None:
        walks = volunteer_walks(plan, routes, exclude=exclude)
        volunteer_stops, pack_notes = walks.stops, walks.notes
    else:
        volunteer_stops = volunteer_visits(plan, exclude=exclude).visits.head(plan.settings.routes.max_stops)
    for variant, name in VISIT_LIST_FILES.items():
        sections = (
            volunteer_sections(volunteer_stops, lang)
            if variant == "volunteer"
            else visit_sections(stops, plan.burglaries, lang=lang, burgled=plan.burgled)
        )
        written.append(
            write_text(
                out_dir / f"{name}.html",
                visit_list_html(sections, area=area, date=plan.date, variant=variant, lang=lang),
            )
        )
        pdf(f"{name}.pdf", visit_list_document(sections, area=area, date=plan.date, variant=variant, lang=lang))
    active = plan.burglaries[plan.burglaries["phase"].isin(PHASES)]
    latest = pd.Timestamp(active["last_day"].max()).date() if len(active) else None
    texts = handout_texts(latest=latest, settings=plan.settings.handout, lang=lang)
    written.append(write_text(out_dir / "handout.html", handout_html(texts, lang=lang)))
    pdf("handout.pdf", handout_document(texts, lang=lang))
    signs, notes = plan_signs(plan, settings=plan.settings.signs, network=network)
    written.append(write_csv(signs[SIGN_COLUMNS], out_dir / "signs.csv", dialect=dialect))
    written.append(write_text(out_dir / "signs.geojson", signs_geojson(signs, plan.crs)))
    poster = sign_poster_texts(
        signs, contact=str(texts["contact"]), lang=lang, phone=plan.settings.handout.police_phone
    )
    written.append(write_text(out_dir / "sign-poster.html", sign_poster_html(poster, lang=lang)))
    for paper, name in POSTER_FILES.items():
        pdf(name, sign_poster_document(poster, lang=lang, paper=paper))
    owners = property_owner_notices(
        plan.visits, happened=str(texts["happened"]), contact=str(texts["contact"]), lang=lang
    )
    written.append(write_csv(owners, out_dir / "property-owners.csv", dialect=dialect))
    notes = [
        *pack_notes,
        *notes,
        *[
            ("printouts.overflow", {"file": name, "n": len(found), "text": found[0].text[:60]})
            for name, found in overflows.items()
            if found
        ],
        *[
            ("printouts.missing_glyphs", {"file": name, "n": len(found), "characters": ", ".join(found[:10])})
            for name, found in glyphs.items()
            if found
        ],
    ]
    return FieldPack(written=written, signs=signs, notes=notes, overflows=overflows)
