"""The handout and door hanger: what happened nearby (the week and the area, never an
address), prevention advice, and how to reach the police. Texts come from the catalogue.

The PDF's first page is the handout (A4 portrait); its second is an A4 landscape sheet of three
door hangers to cut out (cut marks, dashed cut lines, a round hole for the door handle with a
slit), each with the short message and boxes for the officer, the date, the time and a number
to call back."""

from __future__ import annotations

import datetime as dt

from cocoon.catalogue import text
from cocoon.publish.html import render
from cocoon.publish.pdf import Document
from cocoon.publish.weeks import iso_week
from cocoon.settings import HandoutSettings

HANGERS = 3
"""Door hangers on one A4 landscape sheet."""
SHEET_MARGIN_X, SHEET_MARGIN_Y = 6.0, 9.0
"""The sheet's margins outside the hangers (mm): the cut marks stand in them."""
HOLE_RADIUS, HOLE_FROM_TOP = 15.0, 25.0
"""The hole for the door handle: radius and centre below the hanger's top edge (mm)."""
PAD = 7.0
"""Space between a hanger's edge and its text (mm)."""
FIELDS = ("door_officer", "door_date", "door_time", "door_callback")
"""The boxes the officer fills in on each hanger."""


def handout_texts(*, latest: dt.date | None, settings: HandoutSettings, lang: str) -> dict[str, object]:
    """Title, what happened, advice lines and contact lines in ``lang``, and the door hanger's words."""
    area = settings.area_name or text("handout.default_area", lang)
    if latest is not None:
        year, week = iso_week(latest)
        happened = text("handout.happened", lang, week=week, year=year, area=area)
        door_message = text("handout.door_message", lang, week=week, area=area)
    else:
        happened = text("handout.happened_recently", lang, area=area)
        door_message = text("handout.door_message_recently", lang, area=area)
    advice = [line.strip() for line in text("handout.advice", lang).splitlines() if line.strip()]
    contact = text(
        "handout.contact",
        lang,
        phone=settings.police_phone,
        emergency=settings.emergency_phone,
        website=settings.website,
    )
    return {
        "title": text("handout.title", lang),
        "happened": happened,
        "advice_title": text("handout.advice_title", lang),
        "advice": advice,
        "contact": contact,
        "door_hanger": text("handout.door_hanger", lang),
        "door_message": door_message,
        "door_fields": [text(f"handout.{key}", lang) for key in FIELDS],
        "door_phone": text("handout.door_phone", lang, phone=settings.police_phone),
        "door_emergency": text(
            "handout.door_emergency", lang, emergency=settings.emergency_phone, website=settings.website
        ),
        "door_cut": text("handout.door_cut", lang),
    }


def handout_html(texts: dict[str, object], *, lang: str) -> str:
    return render("handout.html.j2", lang=lang, hangers=range(HANGERS), **texts)


def handout_document(texts: dict[str, object], *, lang: str) -> Document:
    """Page 1: the handout; page 2: three door hangers to cut out (see :func:`door_hangers`)."""
    doc = Document(lang=lang, page_numbers=False)
    doc.add_page()
    doc.heading(str(texts["title"]), size=20)
    doc.paragraph(str(texts["happened"]), size=12)
    doc.heading(str(texts["advice_title"]), size=13)
    for line in texts["advice"]:  # type: ignore[attr-defined]
        doc.paragraph(f"• {line}", size=11)
    doc.ln(2)
    doc.paragraph(str(texts["contact"]), size=12)
    door_hangers(doc, texts)
    return doc


def door_hangers(doc: Document, texts: dict[str, object]) -> None:
    """An A4 landscape page of :data:`HANGERS` door hangers side by side, with cut marks."""
    doc.set_auto_page_break(auto=False)
    doc.add_page(orientation="L")
    width = (doc.w - 2 * SHEET_MARGIN_X) / HANGERS
    height = doc.h - 2 * SHEET_MARGIN_Y
    doc.set_draw_color(0, 0, 0)
    doc.set_line_width(0.2)
    edges = [SHEET_MARGIN_X + k * width for k in range(HANGERS + 1)]
    for x in edges:  # cut marks in the margins, in line with every cut
        doc.line(x, 1.5, x, SHEET_MARGIN_Y - 1.5)
        doc.line(x, doc.h - SHEET_MARGIN_Y + 1.5, x, doc.h - 1.5)
    for y in (SHEET_MARGIN_Y, doc.h - SHEET_MARGIN_Y):
        doc.line(1.5, y, SHEET_MARGIN_X - 1.5, y)
        doc.line(doc.w - SHEET_MARGIN_X + 1.5, y, doc.w - 1.5, y)
    for x in edges[:-1]:
        _hanger(doc, x, SHEET_MARGIN_Y, width, height, texts)
    doc.set_text_color(90, 90, 90)
    doc.text_box(
        SHEET_MARGIN_X,
        doc.h - SHEET_MARGIN_Y + 0.5,
        doc.w - 2 * SHEET_MARGIN_X,
        SHEET_MARGIN_Y - 2,
        str(texts["door_cut"]),
        size=7,
        min_size=5,
        align="C",
    )
    doc.set_text_color(0, 0, 0)
    doc.set_auto_page_break(auto=True, margin=15)


def _hanger(doc: Document, x: float, y: float, width: float, height: float, texts: dict[str, object]) -> None:
    """One hanger: dashed outline, the hole and its slit, the message, the boxes, the phone numbers."""
    doc.set_dash_pattern(dash=2.5, gap=1.5)
    doc.rect(x, y, width, height)
    cx, cy = x + width / 2, y + HOLE_FROM_TOP
    doc.circle(cx, cy, HOLE_RADIUS)
    doc.line(cx + HOLE_RADIUS * 0.7071, cy - HOLE_RADIUS * 0.7071, x + width - 6, y)  # the slit
    doc.set_dash_pattern()
    left, inner = x + PAD, width - 2 * PAD
    top = cy + HOLE_RADIUS + 5
    doc.set_fill_color(0, 63, 135)
    doc.rect(left, top, inner, 1.2, style="F")
    doc.text_box(left, top + 3, inner, 22, str(texts["door_hanger"]), size=17, min_size=10, style="B", valign="T")
    doc.text_box(left, top + 27, inner, 40, str(texts["door_message"]), size=10.5, min_size=7.5, valign="T")
    boxes = top + 70
    labels = [str(label) for label in texts["door_fields"]]  # type: ignore[attr-defined]
    half = (inner - 3) / 2
    places = [
        (left, boxes, inner),
        (left, boxes + 15, half),
        (left + half + 3, boxes + 15, half),
        (left, boxes + 30, inner),
    ]
    for label, (bx, by, bw) in zip(labels, places, strict=True):
        doc.rect(bx, by, bw, 12)
        doc.text_box(bx + 0.5, by + 0.5, bw - 1, 4, label, size=7, min_size=5.5, style="B", valign="T")
    bottom = y + height - 23
    doc.text_box(left, bottom, inner, 10, str(texts["door_phone"]), size=16, min_size=9, style="B", align="C")
    doc.text_box(left, bottom + 10, inner, 9, str(texts["door_emergency"]), size=9, min_size=6.5, align="C")
