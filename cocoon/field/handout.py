"""The leaflet and door hanger: what happened nearby (the week and the area, never an
address), prevention advice, and how to reach the police. Texts come from the catalogue."""

from __future__ import annotations

import datetime as dt

from cocoon.catalogue import text
from cocoon.settings import LeafletSettings


def leaflet_texts(*, latest: dt.date | None, settings: LeafletSettings, lang: str) -> dict[str, object]:
    """Title, what happened, advice lines and contact lines in ``lang``."""
    area = settings.area_name or text("leaflet.default_area", lang)
    if latest is not None:
        year, week, _ = latest.isocalendar()
        happened = text("leaflet.happened", lang, week=week, year=year, area=area)
    else:
        happened = text("leaflet.happened_recently", lang, area=area)
    advice = [line.strip() for line in text("leaflet.advice", lang).splitlines() if line.strip()]
    contact = text("leaflet.contact", lang, phone=settings.police_phone, emergency=settings.emergency_phone,
                   website=settings.website)
    return {"title": text("leaflet.title", lang), "happened": happened, "advice_title": text("leaflet.advice_title", lang),
            "advice": advice, "contact": contact, "door_hanger": text("leaflet.door_hanger", lang)}


def leaflet_html(texts: dict[str, object], *, lang: str) -> str:
    from cocoon.publish.reports import _environment

    return _environment().get_template("leaflet.html.j2").render(lang=lang, **texts)


def leaflet_pdf(texts: dict[str, object], *, lang: str) -> bytes:
    """Page 1: the leaflet; page 2: the door hanger (the same words, shorter)."""
    from cocoon.publish.pdf import Document

    doc = Document(lang=lang)
    doc.add_page()
    doc.heading(str(texts["title"]), size=20)
    doc.paragraph(str(texts["happened"]), size=12)
    doc.heading(str(texts["advice_title"]), size=13)
    for line in texts["advice"]:
        doc.paragraph(f"• {line}", size=11)
    doc.ln(2)
    doc.paragraph(str(texts["contact"]), size=12)
    doc.add_page()
    doc.heading(str(texts["door_hanger"]), size=18)
    doc.paragraph(str(texts["happened"]), size=12)
    doc.paragraph(str(texts["contact"]), size=12)
    return doc.output()
