"""The handout and door hanger: what happened nearby (the week and the area, never an
address), prevention advice, and how to reach the police. Texts come from the catalogue."""

from __future__ import annotations

import datetime as dt

from cocoon.catalogue import text
from cocoon.publish.html import render
from cocoon.publish.pdf import Document
from cocoon.publish.weeks import iso_week
from cocoon.settings import HandoutSettings


def handout_texts(*, latest: dt.date | None, settings: HandoutSettings, lang: str) -> dict[str, object]:
    """Title, what happened, advice lines and contact lines in ``lang``."""
    area = settings.area_name or text("handout.default_area", lang)
    if latest is not None:
        year, week = iso_week(latest)
        happened = text("handout.happened", lang, week=week, year=year, area=area)
    else:
        happened = text("handout.happened_recently", lang, area=area)
    advice = [line.strip() for line in text("handout.advice", lang).splitlines() if line.strip()]
    contact = text("handout.contact", lang, phone=settings.police_phone, emergency=settings.emergency_phone,
                   website=settings.website)
    return {"title": text("handout.title", lang), "happened": happened, "advice_title": text("handout.advice_title",
                                                                                             lang),
            "advice": advice, "contact": contact, "door_hanger": text("handout.door_hanger", lang)}


def handout_html(texts: dict[str, object], *, lang: str) -> str:
    return render("handout.html.j2", lang=lang, **texts)


def handout_pdf(texts: dict[str, object], *, lang: str) -> bytes:
    """Page 1: the handout; page 2: the door hanger (the same words, shorter)."""
    doc = Document(lang=lang)
    doc.add_page()
    doc.heading(str(texts["title"]), size=20)
    doc.paragraph(str(texts["happened"]), size=12)
    doc.heading(str(texts["advice_title"]), size=13)
    for line in texts["advice"]:  # type: ignore[attr-defined]
        doc.paragraph(f"• {line}", size=11)
    doc.ln(2)
    doc.paragraph(str(texts["contact"]), size=12)
    doc.add_page()
    doc.heading(str(texts["door_hanger"]), size=18)
    doc.paragraph(str(texts["happened"]), size=12)
    doc.paragraph(str(texts["contact"]), size=12)
    return doc.to_bytes()
