"""The sign poster: "A burglary has happened in this area", the advice, the police phone number
large, the contact and the weeks it is up.

The PDF fills an A4 or A3 landscape page inside a yellow border; every text shrinks until it
fits its part of the page, so a headline of any length stays inside the border."""

from __future__ import annotations

import pandas as pd

from cocoon.catalogue import text
from cocoon.publish.html import render
from cocoon.publish.pdf import Document
from cocoon.publish.weeks import iso_week

PAPERS = {"A4": 297.0, "A3": 420.0}
"""The poster's paper sizes and the width of each in landscape (mm); the layout is drawn for A4
and scaled."""
BORDER, BAND, PAD, GAP = 8.0, 10.0, 8.0, 2.5
"""On A4 (mm): the page's edge to the yellow band, the band's width, the band to the text, and
the space between two texts."""
PARTS = (
    ("headline", 64.0, 80.0, 14.0, "B"),
    ("advice", 24.0, 26.0, 9.0, ""),
    ("phone_label", 10.0, 22.0, 9.0, ""),
    ("phone", 26.0, 64.0, 14.0, "B"),
    ("contact", 12.0, 13.0, 7.0, ""),
    ("dates", 10.0, 18.0, 8.0, "B"),
)
"""From top to bottom, each text's share of the height (mm on A4), its largest size, its smallest
size (points on A4) and its style."""


def sign_poster_texts(signs: pd.DataFrame, *, contact: str, lang: str, phone: str = "") -> dict[str, str]:
    """The poster's words in ``lang``, with the week the signs go up and the week the last comes
    down: weeks, never dates, so that nobody can count back from the take-down day to a burglary."""
    if len(signs):
        dates = text("signs.dates", lang, up=iso_week(signs["up"].min())[1], down=iso_week(signs["down"].max())[1])
    else:
        dates = ""
    return {
        "headline": text("signs.headline", lang),
        "advice": text("signs.advice", lang),
        "phone_label": text("signs.phone_label", lang) if phone else "",
        "phone": phone,
        "contact": contact,
        "dates": dates,
    }


def headline_points(headline: str) -> float:
    """A headline size for the HTML poster: large, smaller for a long headline."""
    return max(18.0, min(60.0, 60.0 * float((55 / max(len(headline), 1)) ** 0.5)))


def sign_poster_html(texts: dict[str, str], *, lang: str) -> str:
    return render("sign-poster.html.j2", lang=lang, headline_pt=round(headline_points(texts["headline"]), 1), **texts)


def sign_poster_document(texts: dict[str, str], *, lang: str, paper: str = "A4") -> Document:
    """One landscape page of ``paper`` (A4 or A3): a yellow border, the headline as large as fits,
    then the advice, the phone number large, the contact and the weeks; no page number."""
    doc = Document(orientation="L", lang=lang, paper=paper, page_numbers=False)
    doc.set_auto_page_break(auto=False)
    doc.add_page()
    scale = doc.w / PAPERS["A4"]
    edge, band, pad = BORDER * scale, BAND * scale, PAD * scale
    doc.set_fill_color(242, 197, 0)
    doc.rect(edge, edge, doc.w - 2 * edge, doc.h - 2 * edge, style="F")
    doc.set_fill_color(255, 255, 255)
    inner = edge + band
    doc.rect(inner, inner, doc.w - 2 * inner, doc.h - 2 * inner, style="F")
    left, top = inner + pad, inner + pad
    width, height = doc.w - 2 * (inner + pad), doc.h - 2 * (inner + pad)
    parts = [part for part in PARTS if texts.get(part[0])]
    share = height / sum(part[1] for part in parts)
    y, gap = top, GAP * scale
    for key, part_height, size, min_size, style in parts:
        box = part_height * share
        doc.text_box(
            left,
            y + gap / 2,
            width,
            box - gap,
            texts[key],
            size=size * scale,
            min_size=min_size * scale,
            style=style,
            align="C",
        )
        y += box
    return doc
