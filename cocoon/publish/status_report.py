"""The delivery report: status.csv (one row per burglary) and status.html with a chart."""

from __future__ import annotations

import base64
import datetime as dt
import math
from pathlib import Path

from cocoon.catalogue import number, percent, text, translator
from cocoon.publish.charts import figure, png_bytes
from cocoon.publish.files import write_csv, write_text
from cocoon.publish.html import render
from cocoon.store.delivery import Delivery

MEASURES = ("attempted_24h", "attempted_48h", "face_to_face", "leaflet_only", "nothing")


def delivery_chart(result: Delivery, *, lang: str) -> bytes:
    """Bars: share of tier A and B households per measure."""

    fig = figure(7.0, 3.6)
    ax = fig.add_subplot()
    values = [0.0 if math.isnan(result.overall[m]) else result.overall[m] * 100 for m in MEASURES]
    ax.barh([text(f"status.{m}", lang) for m in MEASURES][::-1], values[::-1], color="#1f77b4")
    for y, v in enumerate(values[::-1]):
        ax.text(v + 1, y, f"{number(v, lang)} %", va="center", fontsize=8)
    ax.set_xlim(0, 110)
    ax.set_xlabel(text("status.axis", lang))
    return png_bytes(fig)


def write_status(result: Delivery, out_dir: Path, *, on: dt.date, lang: str, dialect: str = "plain") -> list[Path]:
    """status.csv (in the CSV ``dialect``) and status.html in ``out_dir`` (already prepared)."""
    written = [write_csv(result.per_burglary, out_dir / "status.csv", dialect=dialect)]

    def pct(v: float) -> str:
        return percent(v, lang, 0)

    chart = base64.b64encode(delivery_chart(result, lang=lang)).decode("ascii")
    page = render(
        "status.html.j2",
        lang=lang,
        t=translator(lang),
        on=on.isoformat(),
        overall=result.overall,
        measures=MEASURES,
        pct=pct,
        rows=result.per_burglary.to_dict("records"),
        overdue=result.overdue_signs.to_dict("records"),
        chart=chart,
    )
    written.append(write_text(out_dir / "status.html", page))
    return written
