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
from cocoon.evidence.comparisons import TOO_FEW, tally
from cocoon.evidence.fitting import PRIOR_BURGLARIES
from cocoon.publish.charts import hit_rate_curve, knox_heatmap
from cocoon.publish.html import render
from cocoon.risk.model import band_names

if TYPE_CHECKING:
    from cocoon.evidence.comparisons import Comparison
    from cocoon.evidence.events import Events
    from cocoon.evidence.fitting import ModelFit
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


def model_lines(fit: ModelFit, lang: str) -> list[tuple[str, dict[str, Any], str]]:
    """What the fitted model says, as (message key, values, emphasis): where its burglaries came
    from, the data's verdict on near repeats, and how much of it is data."""
    model = fit.model
    n = max(fit.n_burglaries, 1)
    lines: list[tuple[str, dict[str, Any], str]] = [
        (
            "calibrate.model_title",
            {"n": fit.n_burglaries, "days": fit.days, "km2": number(fit.area_km2, lang, 1)},
            "bold",
        )
    ]
    if fit.enough_data:
        lines.append(
            (
                "calibrate.model_split",
                {
                    "recent": percent(fit.recent_triggered / n, lang, 0),
                    "window": model.recent_days,
                    "history": percent((fit.triggered - fit.recent_triggered) / n, lang, 0),
                    "background": percent(fit.background_share, lang, 0),
                },
                "",
            )
        )
        low, high = fit.recent_interval
        lines.append(
            (
                "calibrate.model_near" if fit.near_repeats else "calibrate.model_no_near",
                {
                    "total": number(1000 * fit.recent_estimate, lang, 1),
                    "low": number(1000 * low, lang, 1),
                    "high": number(1000 * high, lang, 1),
                    "window": model.recent_days,
                },
                "bold",
            )
        )
    lines.append(("calibrate.model_share", {"share": round(100 * fit.data_share), "prior": PRIOR_BURGLARIES}, ""))
    if not fit.enough_data:
        lines.append(("calibrate.model_few", {}, "yellow"))
    return lines


def model_table(fit: ModelFit, lang: str) -> dict[str, Any]:
    """The fitted weights as follow-on burglaries per 1,000, one row per distance band; "grey"
    marks the cells that are mostly the defaults."""
    model = fit.model
    first = [1, *(int(d) + 1 for d in model.days[:-1])]
    header = [text("knox_table.corner", lang), *(f"{lo}–{int(hi)}" for lo, hi in zip(first, model.days, strict=True))]
    rows = [
        {
            "label": name,
            "cells": [
                {"text": number(1000 * float(model.weights[k, j]), lang, 1), "grey": bool(fit.from_data[k, j] < 0.5)}
                for j in range(len(model.days))
            ],
        }
        for k, name in enumerate(band_names(model.distance_m, lang))
    ]
    return {
        "title": text("calibrate.model_table_title", lang),
        "header": header,
        "rows": rows,
        "caption": text("calibrate.model_table_caption", lang, m=model.same_place_m),
    }


def knox_page(
    result: KnoxResult,
    events: Events,
    verdict: list[tuple[str, dict[str, Any]]],
    *,
    lang: str,
    source: str,
    fit: ModelFit | None = None,
) -> str:
    """The Knox test as a page that opens offline: the verdict, the tables and the heat-map."""

    t = translator(lang)
    sig = result.significant()
    rows_labels = result.distance_labels(lang)
    ratio = np.asarray(result.knox_ratio, dtype=float)

    def cells(values: np.ndarray, fmt: Callable[[float], str]) -> list[list[dict[str, Any]]]:
        return [
            [
                {"text": fmt(values[r, c]), "sig": bool(sig[r, c]), "colour": _colour(ratio[r, c], bool(sig[r, c]))}
                for c in range(values.shape[1])
            ]
            for r in range(values.shape[0])
        ]

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
    meta = t(
        "knox_table.meta",
        n=result.n_events,
        pairs=result.n_pairs,
        first=events.first.isoformat(),
        last=events.last.isoformat(),
        crs=events.crs_label(lang),
        metric=t(f"knox.metric_{result.metric}"),
        closed=t(f"knox.closed_{result.closed}"),
        simulations=result.simulations,
        seed=result.seed,
    )
    model = None
    if fit is not None:
        model = {**model_table(fit, lang), "lines": [text(k, lang, **p) for k, p, _ in model_lines(fit, lang)]}
    return render(
        "knox.html.j2",
        lang=lang,
        t=t,
        source=source,
        verdict=[text(k, lang, **p) for k, p in verdict],
        tables=tables,
        columns=band_labels(result.tds),
        plot=plot,
        meta=meta,
        model=model,
    )


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
        rows = [
            [
                text(f"methods.zones_{'high' if which == 'high' else 'all'}", lang, days=days),
                pct(s[share_key]),
                pct(s[rate_key]),
                num(s[pai_key]),
            ]
        ]
        for name, values in backtest.baselines.items():
            chosen = values if which == "high" else values["at_zone_share"]
            rows.append(
                [
                    text(f"methods.{name}", lang),
                    pct(chosen["mean_area_share"]),
                    pct(chosen["hit_rate"]),
                    num(chosen["pai"]),
                ]
            )
        tables[which] = rows
    tables["sweep"] = [
        [
            f"{number(row['radius_m'], lang)} m",
            str(row["days"]),
            pct(row["mean_area_share"]),
            pct(row["hit_rate"]),
            num(row["pai"]),
        ]
        for row in backtest.sweep
    ]
    return tables


def comparison_table(comparisons: list[Comparison], lang: str) -> dict[str, Any]:
    """The ranking model against each method: one row per share of the area, one column per method."""
    shares = sorted({c.share for c in comparisons})
    names = list(dict.fromkeys(c.baseline for c in comparisons))
    header = [text("backtest.area_share", lang), *(text(f"methods_short.{name}", lang) for name in names)]

    def points(value: float, sign: bool = True) -> str:
        return ("+" if sign and value > 0 else "") + number(100 * value, lang, 1)

    cells = {
        (c.share, c.baseline): text(
            "backtest.compare_cell",
            lang,
            difference=points(c.difference),
            low=points(c.low, False),
            high=points(c.high, False),
            verdict=text(f"backtest.{c.verdict}", lang),
        )
        for c in comparisons
    }
    rows = [[percent(s, lang, 0), *(cells.get((s, name), "") for name in names)] for s in shares]
    return {
        "title": text("backtest.table_compare", lang),
        "header": header,
        "rows": rows,
        "caption": text("backtest.compare_caption", lang),
    }


def model_verdict(
    backtest: Backtest, comparisons: list[Comparison], model_source: str, lang: str
) -> list[tuple[str, str]]:
    """How the ranking model did, as (text, style) lines: the defaults against Bowers-Johnson, or
    a fitted model against the defaults with what to do next (never "calibrate" after a
    calibrated run)."""
    t = translator(lang)
    if model_source == "defaults":
        model, bj = backtest.baselines["ranking_model"]["hit_rate"], backtest.baselines["bowers_johnson"]["hit_rate"]
        return [
            (
                t(
                    "backtest.model_vs_bj",
                    model=number(model * 100, lang, 1),
                    bj=number(bj * 100, lang, 1),
                    verdict=t("backtest.at_least" if model >= bj else "backtest.below"),
                ),
                "bold",
            )
        ]
    counts = tally(comparisons, "default_model")
    n = sum(counts.values())
    if n and counts["too_few_weeks"] == n:
        advice = "backtest.advice_too_few"
    elif counts["better"] and not counts["worse"]:
        advice = "backtest.advice_use" if model_source == "settings" else "backtest.advice_refit_use"
    elif counts["worse"] and not counts["better"]:
        advice = "backtest.advice_keep_defaults"
    elif counts["worse"]:
        advice = "backtest.advice_mixed"
    else:
        advice = "backtest.advice_same"
    return [
        (
            t(
                "backtest.model_vs_defaults",
                kind=t(f"backtest.kind_{model_source}"),
                n=n,
                better=counts["better"],
                same=counts["indistinguishable"],
                worse=counts["worse"],
            ),
            "bold",
        ),
        (t(advice), ""),
    ]


def backtest_page(
    backtest: Backtest,
    *,
    lang: str,
    source: str,
    start: dt.date,
    end: dt.date,
    comparisons: list[Comparison] | None = None,
    model_source: str = "defaults",
) -> str:
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
        tables.append(
            {
                "title": t("backtest.table_sweep"),
                "rows": rows["sweep"],
                "header": [
                    t("backtest.radius"),
                    t("backtest.days"),
                    t("backtest.area_share"),
                    t("backtest.hit_rate"),
                    "PAI",
                ],
            }
        )
    plot = base64.b64encode(hit_rate_curve(backtest, lang=lang, title=source)).decode("ascii")
    intro = t(
        "backtest.intro",
        n=backtest.n_events_scored,
        start=start.isoformat(),
        end=end.isoformat(),
        radius=float(backtest.policy.radius_m),
        high=backtest.policy.high_days,
        active=backtest.policy.active_days,
    )
    meta = t("backtest.meta", area=number(backtest.area_km2, lang, 1), cell=float(backtest.cell_m))
    verdict = [line for line, _ in model_verdict(backtest, comparisons or [], model_source, lang)]
    return render(
        "backtest.html.j2",
        lang=lang,
        t=t,
        source=source,
        intro=intro,
        tables=tables,
        plot=plot,
        meta=meta,
        verdict=verdict,
    )
