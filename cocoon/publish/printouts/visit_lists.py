"""Printable visit lists: one section per walk, as HTML (print CSS) and PDF.

Two variants:

- ``internal``: for police officers, one section per officer's route; each row shows the
  burglaries that put the household on the list (at most two, as id and day, then "+ N more");
  the burgled household itself is marked "BURGLED HERE" with the burglary that happened there,
  and only that one;
- ``volunteer``: for volunteers, one section per walk of their own (:func:`volunteer_sections`),
  made from the public map's points alone (:mod:`cocoon.risk.volunteers`): no burglary, score,
  tier or distance, and stops and times of a route of its own, so nothing on it leads to a victim.

Each row carries the household id, so that outcomes can be typed back in later, and boxes
for the outcome codes below. The PDF is A4 landscape; every page has the header (area, date,
officer or walk, "page x of y" counted per section), a line for the name and signature, the
table header and the legend of the outcome codes. Column widths come from the text in them,
so that no id and no heading breaks inside a word.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cocoon.catalogue import number, text, translator
from cocoon.publish.html import render
from cocoon.publish.pdf import Document, line_height
from cocoon.store.outcomes import OUTCOMES

LIST_COLUMNS = ("stop", "household_id", "address", "dwellings", "tier", "arrival", "distance", "note")
"""The printed list's columns with text in them, in order."""
WRAPPING = ("address", "note")
"""Columns whose text may wrap onto more lines (at spaces only); the others keep to one line.
The address gets the width it needs first, the note the rest."""
WRITE_IN = {"time": 13.0, "visitor": 24.0}
"""The empty columns to write in after the outcome boxes, and their widths (mm)."""
BOX_WIDTH = 6.0
"""Width of each outcome code's column (mm)."""
MAX_BURGLARIES_SHOWN = 2
"""A row names at most this many burglaries, then "+ N more"."""

FONT, MIN_FONT = 8.0, 6.0
"""Size of the table's text, and the smallest it may shrink to (points)."""
HEAD_FONT, MIN_HEAD_FONT = 7.5, 6.0
"""Size of the table's headings (bold), and the smallest (points)."""
TOP, HEADER_H, NAME_H, HEAD_H, ROW_H, LEGEND_H, BOTTOM = 9.0, 7.0, 9.0, 8.5, 8.5, 10.0, 7.0
"""The page from top to bottom (mm): margin, header line, name and signature line, table
heading, each row, the legend of the outcome codes, margin."""


VOLUNTEER_HIDDEN = ("tier", "distance")
"""Columns the volunteers' list leaves out: both follow the burglary's exact point."""


def list_columns(variant: str) -> list[str]:
    """The columns of a list: the volunteers' list has no tier and no distance to the burglary."""
    return [key for key in LIST_COLUMNS if not (variant == "volunteer" and key in VOLUNTEER_HIDDEN)]


@dataclass
class VisitSection:
    officer: int | None
    rows: list[dict[str, Any]]
    name: str = ""
    """The officer's name, when the plan was given names (else "Officer N" is shown)."""
    walk: bool = False
    """A volunteers' walk: shown as "Walk N", with no name."""


def visit_sections(
    stops: pd.DataFrame, burglaries: pd.DataFrame, *, lang: str, burgled: pd.DataFrame | None = None
) -> list[VisitSection]:
    """The police's list: rows per officer from routed stops (or from the ranked visits, as one
    section when ``stops`` has no ``officer`` column).

    ``burgled`` (``burglary_id``, ``household_id``: the plan's burgled households) says which
    burglary happened at which household: the "burgled here" marker names that burglary only."""
    days = burglary_days(burglaries, lang)
    own: dict[str, list[str]] = {}
    if burgled is not None and len(burgled):
        for burglary, household in zip(burgled["burglary_id"], burgled["household_id"], strict=True):
            if household is not None and not pd.isna(household):
                own.setdefault(str(household), []).append(str(burglary))
    by_officer = stops.groupby("officer", sort=True) if "officer" in stops else [(None, stops)]
    sections = []
    for officer, group in by_officer:
        rows: list[dict[str, Any]] = []
        for k, row in enumerate(group.itertuples(index=False), start=1):
            household = str(row.household_id)
            is_burgled = bool(getattr(row, "burgled", False)) or household in own
            lines = _burglary_lines(row, own.get(household, []), is_burgled, days, lang)
            again = str(getattr(row, "revisit", "") or "")
            if again:
                lines.append(text("visit_list.revisit", lang, date=again))
            rows.append(
                {
                    "stop": int(getattr(row, "stop", k)),
                    "household_id": household,
                    "label": str(row.label),
                    "address": str(row.label),
                    "dwellings": number(int(row.dwellings), lang),
                    "tier": str(row.tier),
                    "arrival": str(getattr(row, "arrival", "") or ""),
                    "distance": _distance(getattr(row, "distance_m", None), lang),
                    "note": "\n".join(lines),
                    "burgled": is_burgled,
                }
            )
        sections.append(
            VisitSection(officer=None if officer is None else int(officer), rows=rows, name=_officer_name(group))
        )
    return sections


def burglary_days(burglaries: pd.DataFrame, lang: str) -> dict[str, str]:
    """Each burglary's day as the lists show it ("26/11"), by burglary id."""
    if not len(burglaries):
        return {}
    first = pd.to_datetime(burglaries["first_day"])
    return {
        str(b): text("visit_list.day_month", lang, day=d.day, month=d.month)
        for b, d in zip(burglaries["burglary_id"], first, strict=True)
    }


def reason_line(row: Any, days: dict[str, str], lang: str) -> str:
    """Why a household is listed, in one line and the same for every household: the score's parts
    and the burglaries behind it, with no mark of the burgled home (for the officer's phone page)."""
    return " ".join(_burglary_lines(row, [], False, days, lang))


def volunteer_sections(stops: pd.DataFrame, lang: str) -> list[VisitSection]:
    """The volunteers' list: one section per walk of :func:`cocoon.field.volunteer_walks.volunteer_walks`,
    with the walk's own stop numbers and times (or, unrouted, one section by rank), and an empty
    column for notes."""
    walks = stops.groupby("officer", sort=True) if "officer" in stops else [(None, stops)]
    sections = []
    for walk, group in walks:
        rows = [
            {
                "stop": int(getattr(row, "stop", k)),
                "household_id": str(row.household_id),
                "label": str(row.label),
                "address": str(row.label),
                "dwellings": number(int(row.dwellings), lang),
                "arrival": str(getattr(row, "arrival", "") or ""),
                "note": "",
                "burgled": False,
            }
            for k, row in enumerate(group.itertuples(index=False), start=1)
        ]
        sections.append(VisitSection(officer=None if walk is None else int(walk), rows=rows, walk=True))
    return sections or [VisitSection(officer=None, rows=[], walk=True)]


def _burglary_lines(row: Any, own: list[str], burgled: bool, days: dict[str, str], lang: str) -> list[str]:
    """ "BURGLED HERE: <the burglary at this household>" first, then why the household is listed:
    "49 = 40 recent (B5 (3/5), B6 (28/4) + 2 more) + 9 history" (or "49 recent (...)" with no
    history), naming the burglaries adding most first; the legend
    at the foot of the page says what the parts are."""

    def named(i: str) -> str:
        return f"{i} ({days[i]})" if i in days else i

    lines = []
    if burgled:
        marker = text("visit_list.burgled_here", lang)
        lines.append(f"{marker}: {', '.join(named(i) for i in own)}" if own else marker)
    burglaries = ""
    listed = [i for i in str(getattr(row, "burglary_ids", "") or "").split(";") if i]
    top = [r.split("|")[0] for r in str(getattr(row, "reasons", "") or "").split(";") if r]
    others = [i for i in dict.fromkeys([*top, *listed]) if i not in own]
    if others:
        shown = ", ".join(named(i) for i in others[:MAX_BURGLARIES_SHOWN])
        if len(others) > MAX_BURGLARIES_SHOWN:
            shown += " " + text("visit_list.more", lang, n=len(others) - MAX_BURGLARIES_SHOWN)
        burglaries = text("visit_list.score_burglaries", lang, list=shown)
    score = float(getattr(row, "score", 0.0) or 0.0)
    history = float(getattr(row, "score_history", 0.0) or 0.0)
    key = "visit_list.score" if round(history) > 0 else "visit_list.score_recent_only"
    lines.append(
        text(
            key,
            lang,
            score=number(score, lang),
            history=number(history, lang),
            burglaries=burglaries,
            recent=number(float(getattr(row, "score_recent", score) or 0.0), lang),
        )
    )
    return lines


def _officer_name(group: pd.DataFrame) -> str:
    if "officer_name" not in group:
        return ""
    names = [str(v).strip() for v in group["officer_name"] if not pd.isna(v) and str(v).strip()]
    return names[0] if names else ""


def _distance(value: object, lang: str) -> str:
    try:
        metres = float(value)  # type: ignore[arg-type]  # anything else is caught below
    except (TypeError, ValueError):
        return ""
    return "" if math.isnan(metres) else f"{number(metres, lang)} m"


def officer_label(section: VisitSection, lang: str) -> str:
    """The officer as the list names them: their name, else "Officer N" (or all stops); a
    volunteers' walk as "Walk N"."""
    if section.name:
        return section.name
    if section.officer:
        return text("visit_list.walk" if section.walk else "visit_list.officer", lang, n=section.officer)
    return text("visit_list.all_stops", lang)


def legend(lang: str, variant: str = "internal") -> str:
    """The outcome codes and their words, for the foot of every page (a code never on another line
    than its words); the police's list also says what its score is."""
    codes = " · ".join(f"{text(f'outcome_code.{o}', lang)}\u00a0=\u00a0{text(f'outcome.{o}', lang)}" for o in OUTCOMES)
    score = "" if variant == "volunteer" else f" {text('visit_list.score_legend', lang)}."
    return f"{text('visit_list.legend', lang)}: {codes}.{score}"


def visit_list_html(sections: list[VisitSection], *, area: str, date: dt.date, variant: str, lang: str) -> str:
    t = translator(lang)
    return render(
        "visit-list.html.j2",
        lang=lang,
        t=t,
        sections=sections,
        area=area,
        date=date.isoformat(),
        variant=variant,
        outcomes=OUTCOMES,
        title=t(f"visit_list.title_{variant}"),
        columns=list_columns(variant),
        empty=t(f"visit_list.empty_{variant}"),
        officers=[officer_label(s, lang) for s in sections],
        legend=legend(lang, variant),
        write_in=list(WRITE_IN),
    )


# --- the PDF ------------------------------------------------------------------------------------


def rows_per_page(doc: Document) -> int:
    """How many stops a page holds below the header, name line and table heading, above the legend."""
    table = doc.h - TOP - HEADER_H - NAME_H - HEAD_H - LEGEND_H - BOTTOM - 2
    return int(table // ROW_H)


def visit_list_document(sections: list[VisitSection], *, area: str, date: dt.date, variant: str, lang: str) -> Document:
    """The list as a PDF document (its :attr:`~Document.overflows` name any text that did not fit)."""
    t = translator(lang)
    doc = Document(orientation="L", lang=lang, page_numbers=False)
    doc.set_auto_page_break(auto=False)
    columns = list_columns(variant)
    headings = [
        t("visit_list.notes" if variant == "volunteer" and key == "note" else f"visit_list.{key}") for key in columns
    ]
    codes = [t(f"outcome_code.{o}") for o in OUTCOMES]
    every_row = [row for section in sections for row in section.rows]
    size, widths = _column_widths(doc, columns, headings, every_row)
    per_page = rows_per_page(doc)
    title = t(f"visit_list.title_{variant}")
    for section in sections:
        pages = [section.rows[i : i + per_page] for i in range(0, len(section.rows), per_page)] or [[]]
        for at, rows in enumerate(pages, start=1):
            doc.add_page()
            page = t("visit_list.page", page=at, pages=len(pages))
            doc.text_box(
                doc.l_margin,
                TOP,
                doc.epw,
                HEADER_H,
                f"{title} · {area} · {date.isoformat()} · {officer_label(section, lang)} · {page}",
                size=11,
                min_size=7,
                style="B",
            )
            _name_line(doc, section.name, lang)
            y = TOP + HEADER_H + NAME_H
            _heading_row(doc, y, [*headings, *codes, *[t(f"visit_list.{w}") for w in WRITE_IN]], widths)
            y += HEAD_H
            if not rows:
                doc.text_box(
                    doc.l_margin,
                    y + 2,
                    doc.epw,
                    ROW_H,
                    t(f"visit_list.empty_{variant}"),
                    size=10,
                    min_size=7,
                    valign="T",
                )
            for k, row in enumerate(rows):
                _row(
                    doc,
                    y + k * ROW_H,
                    [str(row[key]) for key in columns],
                    widths,
                    size=size,
                    shade=k % 2 == 1,
                    tier_a=row.get("tier") == "A",
                    tier_at=columns.index("tier") if "tier" in columns else -1,
                    marked=bool(row.get("burgled")),
                )
            doc.text_box(
                doc.l_margin,
                doc.h - BOTTOM - LEGEND_H,
                doc.epw,
                LEGEND_H,
                legend(lang, variant),
                size=7.5,
                min_size=6,
                valign="T",
            )
    return doc


def _column_widths(
    doc: Document, columns: list[str], headings: list[str], rows: Sequence[dict[str, Any]]
) -> tuple[float, list[float]]:
    """The text size and the width of every column (mm): each column as wide as its longest
    text (a wrapping column at least as wide as its longest word), the note taking what is left;
    the text shrinks until the columns fit the page."""
    fixed = [BOX_WIDTH] * len(OUTCOMES) + list(WRITE_IN.values())
    room = doc.epw - sum(fixed)
    size = FONT
    least, two_lines, want = _natural_widths(doc, columns, headings, rows, size)
    while sum(least) > room and size > MIN_FONT:
        size -= 0.25
        least, two_lines, want = _natural_widths(doc, columns, headings, rows, size)
    if sum(least) > room:  # even the smallest text is too wide: the widest column gives way, the text
        size = FONT  # keeps its size, and the overflow is reported
        least, two_lines, want = _natural_widths(doc, columns, headings, rows, size)
        widest = least.index(max(least))
        others = sum(two_lines) - two_lines[widest]
        widths = [*two_lines[:widest], max(room - others, 15.0), *two_lines[widest + 1 :]]
        return size, [*_capped(widths, room), *fixed]
    widths = list(least)
    spare = room - sum(widths)
    for goal in (two_lines, want):  # first every wrapping column to two lines, then to one
        missing = [max(g - w, 0.0) for g, w in zip(goal, widths, strict=True)]
        share = min(1.0, spare / sum(missing)) if sum(missing) else 0.0
        widths = [w + m * share for w, m in zip(widths, missing, strict=True)]
        spare -= sum(missing) * share
    widths[columns.index("note")] += spare
    return size, [*widths, *fixed]


def _capped(widths: list[float], room: float) -> list[float]:
    """``widths`` with the widest cut down to one common width, so that they add up to ``room``."""
    ordered = sorted(widths)
    below = 0.0
    for k, width in enumerate(ordered):
        cap = (room - below) / (len(ordered) - k)
        if width >= cap:
            return [min(w, cap) for w in widths]
        below += width
    return widths


def _natural_widths(
    doc: Document, columns: list[str], headings: list[str], rows: Sequence[dict[str, Any]], size: float
) -> tuple[list[float], list[float], list[float]]:
    """Per column, at ``size``: the least width (its longest word, or for a column that keeps to
    one line its longest text), the width that holds its texts on two lines, and on one line."""
    pad = 2 * doc.c_margin + 0.5
    least, two_lines, want = [], [], []
    for key, heading in zip(columns, headings, strict=True):
        values = [str(row[key]) for row in rows]
        head = doc.widest_word(heading, HEAD_FONT, "B") + pad
        full = max([doc.text_width(v, size) for v in values], default=0.0) + pad
        words = max([doc.widest_word(v, size) for v in values], default=0.0) + pad
        halves = max([doc.text_width(v, size) * (1.0 if "\n" in v else 0.6) for v in values], default=0.0) + pad
        wrapping = key in WRAPPING
        least.append(max(head, words) if wrapping else max(head, full))
        two_lines.append(max(least[-1], halves) if wrapping else least[-1])
        want.append(max(head, full))
    return least, two_lines, want


def _name_line(doc: Document, name: str, lang: str) -> None:
    """ "Name ______  Signature ______" below the header; the name filled in when known."""
    y = TOP + HEADER_H + NAME_H - 2.5
    half = doc.epw / 2
    for k, (label, value) in enumerate(
        ((text("visit_list.name", lang), name), (text("visit_list.signature", lang), ""))
    ):
        x = doc.l_margin + k * (half + 6)
        doc.set_font("DejaVu", "B", 8.5)
        width = doc.get_string_width(label) + 2
        doc.set_xy(x, y - 4.5)
        doc.cell(width, 4.5, label)
        doc.line(x + width, y, x + half - 6, y)
        if value:
            doc.text_box(x + width + 1, y - 5.5, half - width - 8, 5.5, value, size=10, min_size=7, valign="B")


def _heading_row(doc: Document, y: float, headings: list[str], widths: list[float]) -> None:
    x = doc.l_margin
    doc.set_fill_color(221, 221, 221)
    doc.set_draw_color(68, 68, 68)
    for heading, width in zip(headings, widths, strict=True):
        doc.rect(x, y, width, HEAD_H, style="DF")
        doc.text_box(
            x,
            y,
            width,
            HEAD_H,
            heading,
            size=HEAD_FONT,
            min_size=MIN_HEAD_FONT,
            style="B",
            align="C" if len(heading) <= 2 else "L",
        )
        x += width


def _row(
    doc: Document,
    y: float,
    values: list[str],
    widths: list[float],
    *,
    size: float,
    shade: bool,
    tier_a: bool,
    tier_at: int,
    marked: bool,
) -> None:
    """One stop: its texts, then a box for each outcome code and the columns to write in. On a
    burgled household's row (``marked``) the note's first line, "BURGLED HERE: ...", is bold."""
    x = doc.l_margin
    for k, width in enumerate(widths):
        if k == tier_at and tier_a:
            doc.set_fill_color(253, 224, 220)
            doc.rect(x, y, width, ROW_H, style="DF")
        elif shade:
            doc.set_fill_color(244, 244, 244)
            doc.rect(x, y, width, ROW_H, style="DF")
        else:
            doc.rect(x, y, width, ROW_H)
        if k == len(values) - 1 and marked:
            _marked_note(doc, x, y, width, values[k], size=size)
        elif k < len(values):
            doc.text_box(x, y, width, ROW_H, values[k], size=size, min_size=MIN_FONT, style="B" if k == 0 else "")
        elif k < len(values) + len(OUTCOMES):
            side = 3.4
            doc.set_fill_color(255, 255, 255)
            doc.rect(x + (width - side) / 2, y + (ROW_H - side) / 2, side, side, style="DF")
        x += width


def _marked_note(doc: Document, x: float, y: float, width: float, note: str, *, size: float) -> None:
    """The note of a burgled household: the marker line bold in the upper half, the rest below."""
    marker, _, rest = note.partition("\n")
    if not rest:
        doc.text_box(x, y, width, ROW_H, marker, size=size, min_size=MIN_FONT, style="B")
        return
    top = line_height(size) + 0.6
    if doc.fitting_size(rest, width, ROW_H - top - 0.3, size=size, min_size=MIN_FONT) is None:
        doc.text_box(x, y, width, ROW_H, note, size=size, min_size=MIN_FONT, style="B")
        return
    used = doc.text_box(x, y + 0.3, width, top - 0.3, marker, size=size, min_size=MIN_FONT, style="B", valign="B")
    doc.text_box(x, y + top, width, ROW_H - top - 0.3, rest, size=used, min_size=MIN_FONT, valign="T")
