"""Writing the officer's field pack: routes (CSV, GPX), visit lists, the handout, signs and
the sign poster, and property-owner notices."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cocoon.field.gpx import routes_gpx
from cocoon.field.handout import handout_html, handout_pdf, handout_texts
from cocoon.field.property_owners import property_owner_notices
from cocoon.field.sign_poster import (
    sign_poster_html,
    sign_poster_pdf,
    sign_poster_texts,
)
from cocoon.field.signs import SIGN_COLUMNS, plan_signs
from cocoon.field.visit_lists import visit_list_html, visit_list_pdf, visit_sections
from cocoon.geo.walking import WalkingNetwork
from cocoon.publish.files import write_bytes, write_csv, write_text
from cocoon.publish.geojson import signs_geojson
from cocoon.risk.zones import PHASES

if TYPE_CHECKING:
    from cocoon.field.walks import Routes
    from cocoon.risk.daily_plan import Plan


VISIT_LIST_FILES = {"internal": "visit-list", "volunteer": "visit-list-volunteer"}


@dataclass
class FieldPack:
    written: list[Path]
    signs: pd.DataFrame
    """The sign sites (metric x/y and lon/lat) with their dates."""
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def write_field_pack(plan: Plan, routes: Routes | None, out_dir: Path, *, lang: str, area: str,
                     network: WalkingNetwork | None = None) -> FieldPack:
    """routes.csv and routes.gpx (when routed), both visit lists, the handout and the sign poster
    (HTML and PDF), signs.csv/.geojson and property-owners.csv."""
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
        sections = visit_sections(stops, plan.burglaries, variant=variant, lang=lang,
                                  victims=plan.victims.household_ids)
        written.append(write_text(out_dir / f"{name}.html",
                                  visit_list_html(sections, area=area, date=plan.date, variant=variant, lang=lang)))
        written.append(write_bytes(out_dir / f"{name}.pdf",
                                   visit_list_pdf(sections, area=area, date=plan.date, variant=variant, lang=lang)))
    active = plan.burglaries[plan.burglaries["phase"].isin(PHASES)]
    latest = pd.Timestamp(active["last_day"].max()).date() if len(active) else None
    texts = handout_texts(latest=latest, settings=plan.settings.handout, lang=lang)
    written.append(write_text(out_dir / "handout.html", handout_html(texts, lang=lang)))
    written.append(write_bytes(out_dir / "handout.pdf", handout_pdf(texts, lang=lang)))
    signs, notes = plan_signs(plan, settings=plan.settings.signs, network=network)
    written.append(write_csv(signs[SIGN_COLUMNS], out_dir / "signs.csv"))
    written.append(write_text(out_dir / "signs.geojson", signs_geojson(signs, plan.crs)))
    poster = sign_poster_texts(signs, contact=str(texts["contact"]), lang=lang)
    written.append(write_text(out_dir / "sign-poster.html", sign_poster_html(poster, lang=lang)))
    written.append(write_bytes(out_dir / "sign-poster.pdf", sign_poster_pdf(poster, lang=lang)))
    owners = property_owner_notices(plan.visits, happened=str(texts["happened"]), contact=str(texts["contact"]),
                                    lang=lang)
    written.append(write_csv(owners, out_dir / "property-owners.csv"))
    return FieldPack(written=written, signs=signs, notes=notes)
