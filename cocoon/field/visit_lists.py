"""Printable visit lists: one section per officer's route, as HTML (print CSS) and PDF.

Two variants:

- ``internal``: for police officers; each row shows the burglaries that put the household on
  the list (id and date);
- ``volunteer``: for volunteers; no burglary details at all, and the burgled households
  themselves are left out (the police visit victims), with every other household at the same
  address, so no victim address appears.

Each row carries the household id, so that outcomes can be typed back in later, and boxes
for the outcome codes below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cocoon.catalogue import text, translator
from cocoon.publish.html import render
from cocoon.publish.pdf import Document
from cocoon.store.outcomes import OUTCOMES

LIST_COLUMNS = {"stop": 10, "household_id": 22, "address": 62, "dwellings": 14, "tier": 10, "arrival": 16,
                "distance": 16, "note": 62}
"""The printed list's columns and their widths (mm, before scaling to the page)."""
MAX_BURGLARIES_SHOWN = 2
"""A row names at most this many burglaries, then "+ N more"."""


def list_columns(variant: str) -> list[str]:
    """The columns of a list: the volunteer list has no distance to the burglary."""
    return [key for key in LIST_COLUMNS if not (variant == "volunteer" and key == "distance")]


@dataclass
class VisitSection:
    officer: int | None
    rows: list[dict[str, Any]]


def visit_sections(stops: pd.DataFrame, burglaries: pd.DataFrame, *, variant: str, lang: str,
                   victims: frozenset[str] = frozenset()) -> list[VisitSection]:
    """Rows per officer from routed stops (or from the ranked visits, as one section when
    ``stops`` has no ``officer`` column).

    The volunteer variant leaves out every household in ``victims`` (the burgled households and
    everyone at their address or in their building), numbers its stops 1..n without gaps, and
    shows no distance, so nothing on it points at a victim."""
    dates = {}
    if len(burglaries):
        days = pd.to_datetime(burglaries["first_day"]).dt.strftime("%Y-%m-%d")
        dates = dict(zip(burglaries["burglary_id"].astype(str), days, strict=True))
    by_officer = stops.groupby("officer", sort=True) if "officer" in stops else [(None, stops)]
    victim_labels = set()
    if "burgled" in stops:
        victim_labels = set(stops.loc[stops["burgled"].fillna(False).astype(bool), "label"].astype(str))
    volunteer = variant == "volunteer"
    sections = []
    for officer, group in by_officer:
        rows: list[dict[str, Any]] = []
        for k, row in enumerate(group.itertuples(index=False), start=1):
            burgled = bool(getattr(row, "burgled", False))
            if volunteer and (burgled or str(row.label) in victim_labels or str(row.household_id) in victims):
                continue
            ids = [i for i in str(getattr(row, "burglary_ids", "") or "").split(";") if i]
            note = ""
            if variant == "internal":
                shown = [f"{i} ({dates[i]})" if i in dates else i for i in ids[:MAX_BURGLARIES_SHOWN]]
                if len(ids) > MAX_BURGLARIES_SHOWN:
                    shown.append(text("visit_list.more", lang, n=len(ids) - MAX_BURGLARIES_SHOWN))
                note = ", ".join(shown)
                if burgled:
                    note = text("visit_list.burgled_here", lang) + (": " + note if note else "")
            again = str(getattr(row, "revisit", "") or "")
            if again:
                note = (note + "; " if note else "") + text("visit_list.revisit", lang, date=again)
            rows.append({"stop": len(rows) + 1 if volunteer else int(getattr(row, "stop", k)),
                         "household_id": str(row.household_id), "label": str(row.label), "address": str(row.label),
                         "dwellings": int(row.dwellings), "tier": str(row.tier),
                         "arrival": str(getattr(row, "arrival", "") or ""),
                         "distance": "" if volunteer else _distance(getattr(row, "distance_m", None)), "note": note})
        sections.append(VisitSection(officer=None if officer is None else int(officer), rows=rows))
    return sections


def _distance(value: object) -> str:
    try:
        return f"{float(value):.0f} m"  # type: ignore[arg-type]  # anything else is caught below
    except (TypeError, ValueError):
        return ""


def visit_list_html(sections: list[VisitSection], *, area: str, date: dt.date, variant: str, lang: str) -> str:
    t = translator(lang)
    return render(
        "visit-list.html.j2", lang=lang, t=t, sections=sections, area=area, date=date.isoformat(), variant=variant,
        outcomes=OUTCOMES, title=t(f"visit_list.title_{variant}"), columns=list_columns(variant))


def visit_list_pdf(sections: list[VisitSection], *, area: str, date: dt.date, variant: str, lang: str) -> bytes:
    """A4 landscape; the header (area, date, officer) and the table header repeat on every page."""
    t = translator(lang)
    doc = Document(orientation="L", lang=lang)
    columns = list_columns(variant)
    widths = (*[LIST_COLUMNS[key] for key in columns], *([7] * len(OUTCOMES)), 20)
    headings = (*[t(f"visit_list.{key}") for key in columns], *[t(f"outcome_code.{o}") for o in OUTCOMES],
                t("visit_list.time_visitor"))
    for section in sections:
        officer = t("visit_list.officer", n=section.officer) if section.officer else t("visit_list.all_stops")
        doc.page_header = f"{t(f'visit_list.title_{variant}')} · {area} · {date.isoformat()} · {officer}"
        doc.add_page()
        rows = [(*[str(r[key]) for key in columns], *(["☐"] * len(OUTCOMES)), "") for r in section.rows]
        doc.repeating_table(headings, rows, widths)
    doc.page_header = ""
    doc.add_page()
    doc.heading(t("visit_list.legend"))
    for o in OUTCOMES:
        doc.paragraph(f"{t(f'outcome_code.{o}')} = {t(f'outcome.{o}')} ({o})")
    return doc.to_bytes()
