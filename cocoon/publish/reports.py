"""Self-contained HTML reports (no web access needed to open them): the Knox test and the backtest."""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from cocoon.catalogue import number, percent, text, translator
from cocoon.evidence.breaks import band_labels
from cocoon.evidence.comparisons import TOO_FEW
from cocoon.publish.charts import hit_rate_curve, knox_heatmap
from cocoon.publish.html import render

if TYPE_CHECKING:
    from cocoon.evidence.comparisons import Comparison
    from cocoon.evidence.events import Events
    from cocoon.evidence.knox import KnoxResult
    from cocoon.evidence.scoring import Backtest


def _colour(ratio: float, significant: bool) -> str:
    """Red above 1, blue below; paler when not significant."""
    if not math.isfinite(ratio) or ratio <= 0:
        return "#ffffff"
    strength = min(1.0, abs(math.log(ratio)) / math.log(3))
    alpha = strength * (0.75 if significant else 0.3)
    rgb = "214, 39, 40" if ratio > 1 else "31, 119, 180"
    return f"rgba({rgb}, {alpha:.2f})"


def knox_page(result: KnoxResult, events: Events, verdict: list[tuple[str, dict[str, Any]]], *, lang: str,
              source: str) -> str:
    """The Knox test as a page that opens offline: the verdict, the tables and the heat-map."""

    t = translator(lang)
    sig = result.significant()
    rows_labels = result.distance_labels(lang)
    ratio = np.asarray(result.knox_ratio, dtype=float)

    def cells(values: np.ndarray, fmt: Callable[[float], str]) -> list[list[dict[str, Any]]]:
        return [[{"text": fmt(values[r, c]), "sig": bool(sig[r, c]), "colour": _colour(ratio[r, c], bool(sig[r, c]))}
                 for c in range(values.shape[1])] for r in range(values.shape[0])]

    tables = []
    for title, values, fmt in (
        (t("knox_table.ratio"), ratio, lambda v: number(v, lang, 2)),
        (t("knox_table.observed"), result.observed, lambda v: number(v, lang)),
        (t("knox_table.expected"), result.sim_mean, lambda v: number(v, lang, 1)),
        (t("knox_table.p_value"), result.p_value, lambda v: number(v, lang, 3)),
    ):
        grid = cells(np.asarray(values, dtype=float), fmt)
        tables.append({"title": title, "rows": [{"label": rows_labels[r], "cells": grid[r]} for r in range(len(grid))]})
    plot = base64.b64encode(knox_heatmap(result, lang=lang, title=source)).decode("ascii")
    meta = t("knox_table.meta", n=result.n_events, pairs=result.n_pairs, first=events.first.isoformat(),
             last=events.last.isoformat(), crs=events.crs_label(lang), metric=t(f"knox.metric_{result.metric}"),
             closed=t(f"knox.closed_{result.closed}"),
             simulations=result.simulations, seed=result.seed)
    return render(
        "knox.html.j2", lang=lang, t=t, source=source, verdict=[text(k, lang, **p) for k, p in verdict], tables=tables,
        columns=band_labels(result.tds), plot=plot, meta=meta)


def backtest_rows(backtest: Backtest, lang: str) -> dict[str, list[list[str]]]:
    """The tables a backtest report shows (screen and HTML): methods at each zone share, and the sweep."""

    def pct(v: float) -> str:
        return percent(v, lang)

    def num(v: float) -> str:
        return number(v, lang, 2)

    s = backtest.summary
    tables = {}
    for which, share_key, rate_key, pai_key, days in (
        ("high", "mean_area_share_high", "hit_rate_high", "pai_high", backtest.policy.high_days),
        ("zone", "mean_area_share_zone", "hit_rate_zone", "pai_zone", backtest.policy.active_days),
    ):
        rows = [[text(f"methods.zones_{'high' if which == 'high' else 'all'}", lang, days=days), pct(s[share_key]),
                 pct(s[rate_key]), num(s[pai_key])]]
        for name, values in backtest.baselines.items():
            chosen = values if which == "high" else values["at_zone_share"]
            rows.append([text(f"methods.{name}", lang), pct(chosen["mean_area_share"]), pct(chosen["hit_rate"]),
                         num(chosen["pai"])])
        tables[which] = rows
    tables["sweep"] = [[f"{number(row['radius_m'], lang)} m", str(row["days"]), pct(row["mean_area_share"]),
                        pct(row["hit_rate"]),
                        num(row["pai"])] for row in backtest.sweep]
    return tables


def comparison_table(comparisons: list[Comparison], lang: str) -> dict[str, Any]:
    """The ranking model against each method: one row per share of the area, one column per method."""
    shares = sorted({c.share for c in comparisons})
    names = list(dict.fromkeys(c.baseline for c in comparisons))
    header = [text("backtest.area_share", lang), *(text(f"methods_short.{name}", lang) for name in names)]

    def points(value: float, sign: bool = True) -> str:
        return ("+" if sign and value > 0 else "") + number(100 * value, lang, 1)

    cells = {(c.share, c.baseline): text("backtest.compare_cell", lang, difference=points(c.difference),
                                         low=points(c.low, False), high=points(c.high, False),
                                         verdict=text(f"backtest.{c.verdict}", lang)) for c in comparisons}
    rows = [[percent(s, lang, 0), *(cells.get((s, name), "") for name in names)] for s in shares]
    return {"title": text("backtest.table_compare", lang), "header": header, "rows": rows,
            "caption": text("backtest.compare_caption", lang)}


def backtest_page(backtest: Backtest, *, lang: str, source: str, start: dt.date, end: dt.date,
                  comparisons: list[Comparison] | None = None) -> str:
    """The backtest as a page that opens offline: the tables at equal area and the curve."""
    t = translator(lang)
    rows = backtest_rows(backtest, lang)
    header = [t("backtest.method"), t("backtest.area_share"), t("backtest.hit_rate"), "PAI"]
    tables = [
        {"title": t("backtest.table_high", days=backtest.policy.high_days), "header": header, "rows": rows["high"]},
        {"title": t("backtest.table_zone", days=backtest.policy.active_days), "header": header, "rows": rows["zone"]},
    ]
    if comparisons and any(c.verdict != TOO_FEW for c in comparisons):
        tables.append(comparison_table(comparisons, lang))
    if rows["sweep"]:
        tables.append({"title": t("backtest.table_sweep"), "rows": rows["sweep"],
                       "header": [t("backtest.radius"), t("backtest.days"), t("backtest.area_share"),
                                  t("backtest.hit_rate"), "PAI"]})
    plot = base64.b64encode(hit_rate_curve(backtest, lang=lang, title=source)).decode("ascii")
    intro = t("backtest.intro", n=backtest.n_events_scored, start=start.isoformat(), end=end.isoformat(),
              radius=float(backtest.policy.radius_m), high=backtest.policy.high_days,
              active=backtest.policy.active_days)
    meta = t("backtest.meta", area=number(backtest.area_km2, lang, 1), cell=float(backtest.cell_m))
    return render("backtest.html.j2", lang=lang, t=t, source=source, intro=intro, tables=tables, plot=plot,
                  meta=meta)
