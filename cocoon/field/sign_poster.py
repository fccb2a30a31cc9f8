"""The sign poster: "A burglary has happened in this area", the advice, the contact and the dates."""

from __future__ import annotations

import pandas as pd

from cocoon.catalogue import text
from cocoon.publish.html import render
from cocoon.publish.pdf import Document
from cocoon.publish.weeks import iso_week


def sign_poster_texts(signs: pd.DataFrame, *, contact: str, lang: str) -> dict[str, str]:
    """The poster's words in ``lang``, with the week the signs go up and the week the last comes
    down: weeks, never dates, so that nobody can count back from the take-down day to a burglary."""
    if len(signs):
        dates = text("signs.dates", lang, up=iso_week(signs["up"].min())[1], down=iso_week(signs["down"].max())[1])
    else:
        dates = ""
    return {"headline": text("signs.headline", lang), "advice": text("signs.advice", lang),
            "contact": contact, "dates": dates}


def sign_poster_html(texts: dict[str, str], *, lang: str) -> str:
    return render("sign-poster.html.j2", lang=lang, **texts)


def sign_poster_pdf(texts: dict[str, str], *, lang: str) -> bytes:
    """One A4 landscape page: a yellow border, the headline large, then advice, contact and dates."""
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
    return doc.to_bytes()
