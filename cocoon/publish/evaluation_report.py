"""What ``cocoon evaluate`` shows, the same on the screen and in its page: the arms, the
estimates, the verdict, the balance table and the pitfalls; and the page itself (opens offline)."""

from __future__ import annotations

import base64
import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from cocoon.catalogue import DEFAULT_LANGUAGE, catalogue, number, text, translator
from cocoon.evaluation.covariates import UNKNOWN_LEVEL
from cocoon.evaluation.delivery_figures import AUDITS
from cocoon.publish.charts import figure, png_bytes
from cocoon.publish.html import render

if TYPE_CHECKING:
    from cocoon.evaluation.estimate import Estimate, Evaluation
    from cocoon.evaluation.store_evaluation import StoreEvaluation


Words = dict[str, str]
"""Catalogue keys to say instead of others (a trial says its arms, immediate and delayed, where a
comparison of served zones says served and not served)."""


def _translator(lang: str, words: Words | None) -> Any:
    t = translator(lang)
    if not words:
        return t
    return lambda key, **values: t(words.get(key, key), **values)


def ratio_text(ratio: float, low: float, high: float, p: float, lang: str) -> str:
    return text(
        "evaluate.ratio_cell",
        lang,
        ratio=number(ratio, lang, 2),
        low=number(low, lang, 2),
        high=number(high, lang, 2),
        p=number(p, lang, 3),
    )


def covariate_label(name: str, lang: str) -> str:
    """A model column's name as the reader knows it: a store covariate in ``lang``
    ("calendar_month=07" is "Month: July", "Månad: juli"); a column of the analyst's own table as
    it is named there."""
    t = translator(lang)
    covariate, _, level = name.partition("=")
    if f"evaluate_covariates.{covariate}" not in catalogue(DEFAULT_LANGUAGE):
        return name
    label = t(f"evaluate_covariates.{covariate}")
    if not level:
        return label
    if level == UNKNOWN_LEVEL:
        shown = t("evaluate_covariates.unknown")
    elif f"evaluate_covariates.{covariate}_{level}" in catalogue(DEFAULT_LANGUAGE):
        shown = t(f"evaluate_covariates.{covariate}_{level}")
    else:
        shown = level
    return t("evaluate_covariates.level", covariate=label, level=shown)


def design_text(evaluation: Evaluation, lang: str) -> str:
    t = translator(lang)
    return t(
        "evaluate.design",
        design=t(
            f"evaluate.design_{evaluation.design}",
            covariates=", ".join(covariate_label(c, lang) for c in evaluation.adjusted_for),
        ),
    )


def arm_rows(evaluation: Evaluation, lang: str) -> list[list[str]]:
    """Follow-ons, household-days and the rate per 1,000 household-days, served and not."""
    t = translator(lang)
    n = evaluation.naive
    return [
        [t("evaluate.follow_ons"), number(n.treated_events, lang), number(n.control_events, lang)],
        [t("evaluate.household_days"), number(n.treated_exposure, lang), number(n.control_exposure, lang)],
        [t("evaluate.rate"), number(1000 * n.treated_rate, lang, 3), number(1000 * n.control_rate, lang, 3)],
    ]


def estimate_rows(evaluation: Evaluation, lang: str, words: Words | None = None) -> list[list[str]]:
    """Each estimate with its interval, the minimum detectable reduction and the absolute figures."""
    t = _translator(lang, words)
    rows = []
    naive = evaluation.naive
    rows.append(
        [t("evaluate.estimate_naive"), ratio_text(naive.rate_ratio, naive.ci_low, naive.ci_high, naive.p_value, lang)]
    )
    for estimate in (evaluation.model, evaluation.weighted):
        if estimate is not None:
            rows.append([t(f"evaluate.estimate_{estimate.method}"), _estimate_text(estimate, lang)])
    h = evaluation.headline
    rows.append([t("evaluate.headline") + ": " + t(f"evaluate.estimate_{h.method}"), _estimate_text(h, lang)])
    rows.append([t("evaluate.mdr"), f"{number(100 * evaluation.min_detectable_reduction, lang)} %"])

    def signed(v: float) -> str:
        return ("+" if v > 0 else "") + number(v, lang, 1)

    rows.append(
        [
            t("evaluate.difference"),
            t(
                "evaluate.difference_cell",
                difference=signed(evaluation.difference_per_100),
                low=signed(evaluation.difference_low),
                high=signed(evaluation.difference_high),
            ),
        ]
    )
    zones = evaluation.zones_per_prevented
    rows.append(
        [
            t("evaluate.zones_per_prevented"),
            number(zones, lang, 1) if math.isfinite(zones) else t("evaluate.none_prevented"),
        ]
    )
    return rows


def _estimate_text(estimate: Estimate, lang: str) -> str:
    return ratio_text(estimate.rate_ratio, estimate.ci_low, estimate.ci_high, estimate.p_value, lang)


def verdict_text(evaluation: Evaluation, lang: str) -> str:
    return text(f"evaluate.verdict_{evaluation.verdict}", lang, mdr=round(100 * evaluation.min_detectable_reduction))


def balance_rows(evaluation: Evaluation, lang: str, words: Words | None = None) -> tuple[list[str], list[list[str]]]:
    """The balance table's header and rows (with the weighted columns when there are weights)."""
    t = _translator(lang, words)
    weighted = bool(evaluation.balance) and "weighted_smd" in evaluation.balance[0]
    header = [t("evaluate.covariate"), t("evaluate.served"), t("evaluate.not_served"), t("evaluate.smd")]
    if weighted:
        header += [t("evaluate.weighted_control"), t("evaluate.weighted_smd")]
    rows = []
    for row in evaluation.balance:
        cells = [
            covariate_label(str(row["covariate"]), lang),
            number(float(row["treated_mean"]), lang, 2),
            number(float(row["control_mean"]), lang, 2),
            number(float(row["smd"]), lang, 2),
        ]
        if weighted:
            cells += [number(float(row["weighted_control_mean"]), lang, 2), number(float(row["weighted_smd"]), lang, 2)]
        rows.append(cells)
    return header, rows


def pitfall_lines(evaluation: Evaluation, lang: str, words: Words | None = None) -> list[str]:
    lines = []
    t = _translator(lang, words)
    for key, params in evaluation.pitfalls:
        values = dict(params)
        if "columns_out_of_balance" in values:  # the covariates (not each level) by their names in lang
            covariates = dict.fromkeys(str(c).partition("=")[0] for c in values["columns_out_of_balance"])
            values["covariates"] = ", ".join(covariate_label(c, lang) for c in covariates)
        lines.append(t(key, **values))
    return lines


def estimates_chart(rows: list[tuple[str, float, float, float]], *, lang: str, words: Words | None = None) -> bytes:
    """Rate ratios with their 95 % intervals on a log scale, one line each (label, ratio, low, high)."""
    fig = figure(7.0, 1.2 + 0.45 * len(rows))
    ax = fig.add_subplot()
    for k, (_, ratio, low, high) in enumerate(rows):
        y = len(rows) - 1 - k
        shown_low = low if math.isfinite(low) and low > 0 else 0.01
        shown_high = high if math.isfinite(high) else 100.0
        ax.plot([shown_low, shown_high], [y, y], color="#333333", linewidth=2)
        if math.isfinite(ratio) and ratio > 0:
            ax.plot([ratio], [y], marker="s", color="#1f77b4", markersize=7)
    ax.axvline(1.0, color="#d62728", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_yticks(range(len(rows)), [label for label, *_ in reversed(rows)])
    t = _translator(lang, words)
    ax.set_xlabel(t("evaluate.chart_axis"))
    ax.set_title(t("evaluate.chart_title"), fontsize=9)
    ax.grid(alpha=0.3, axis="x")
    return png_bytes(fig)


def chart_rows(evaluation: Evaluation, lang: str, prefix: str = "") -> list[tuple[str, float, float, float]]:
    t = translator(lang)
    naive = evaluation.naive
    rows = [(prefix + t("evaluate.estimate_naive"), naive.rate_ratio, naive.ci_low, naive.ci_high)]
    for estimate in (evaluation.model, evaluation.weighted):
        if estimate is not None:
            rows.append(
                (
                    prefix + t(f"evaluate.estimate_{estimate.method}"),
                    estimate.rate_ratio,
                    estimate.ci_low,
                    estimate.ci_high,
                )
            )
    return rows


def section(evaluation: Evaluation, lang: str, title: str = "", words: Words | None = None) -> dict[str, Any]:
    """One comparison as the page shows it."""
    t = _translator(lang, words)
    header, rows = balance_rows(evaluation, lang, words)
    return {
        "title": title,
        "design": design_text(evaluation, lang),
        "episodes": t(
            "evaluate.episodes", n=evaluation.n_episodes, treated=evaluation.n_treated, control=evaluation.n_control
        ),
        "arms": {
            "header": [t("evaluate.measure"), t("evaluate.served"), t("evaluate.not_served")],
            "rows": arm_rows(evaluation, lang),
        },
        "estimates": {
            "header": [t("evaluate.measure"), t("evaluate.value")],
            "rows": estimate_rows(evaluation, lang, words),
        },
        "verdict": verdict_text(evaluation, lang),
        "verdict_key": evaluation.verdict,
        "balance": {
            "header": header,
            "rows": rows,
            "caption": t("evaluate.balance_caption")
            + (" " + t("evaluate.balance_caption_weighted") if len(header) > 4 else ""),
        }
        if rows
        else None,
        "pitfalls": pitfall_lines(evaluation, lang, words),
    }


def screen_blocks(
    evaluation: Evaluation, lang: str, title: str = "", words: Words | None = None
) -> list[dict[str, Any]]:
    """One comparison for the terminal: blocks of (title, lines with a style, a table)."""
    t = _translator(lang, words)
    page = section(evaluation, lang, title, words)
    blocks: list[dict[str, Any]] = [
        {"title": title, "lines": [(page["design"], ""), (page["episodes"], "")]},
        {**page["arms"]},
        {**page["estimates"]},
    ]
    if page["balance"]:
        blocks.append({"title": t("evaluate.balance_title"), **page["balance"]})
    blocks.append({"lines": [(page["verdict"], "bold")]})
    if page["pitfalls"]:
        blocks.append({"title": t("evaluate.pitfalls"), "lines": [(f"- {line}", "") for line in page["pitfalls"]]})
    return blocks


def evaluation_page(
    sections: list[dict[str, Any]],
    chart: list[tuple[str, float, float, float]],
    *,
    lang: str,
    source: str,
    intro: list[str] | None = None,
    before: list[dict[str, Any]] | None = None,
    after: list[dict[str, Any]] | None = None,
    words: Words | None = None,
) -> str:
    """The page: intro lines, tables before the comparisons (delivery), each comparison with the
    chart, and tables after them (dose-response, Knox)."""
    t = _translator(lang, words)
    plot = base64.b64encode(estimates_chart(chart, lang=lang, words=words)).decode("ascii") if chart else ""
    return render(
        "evaluate.html.j2",
        lang=lang,
        t=t,
        source=source,
        intro=intro or [],
        sections=sections,
        before=before or [],
        after=after or [],
        plot=plot,
    )


def _pct(value: float, lang: str) -> str:
    return "–" if not math.isfinite(value) else f"{number(100 * value, lang)} %"


def delivery_table(report: StoreEvaluation, lang: str) -> dict[str, Any]:
    """Delivery, beside what the field audits found."""
    t = translator(lang)
    d = report.delivery
    audits = AUDITS

    def hours(v: float, digits: int = 1) -> str:
        return "–" if not math.isfinite(v) else number(v, lang, digits)

    rows = [
        [t("evaluate.delivery_served"), _pct(d["served_48h"], lang), ""],
        [t("evaluate.delivery_hours"), hours(d["median_hours_to_first_attempt"]), ""],
        [t("evaluate.delivery_24h"), _pct(d["attempted_24h"], lang), ""],
        [t("evaluate.delivery_48h"), _pct(d["attempted_48h"], lang), _pct(audits["manchester_48h"], lang)],
        [t("evaluate.delivery_face"), _pct(d["face_to_face"], lang), _pct(audits["manchester_face"], lang)],
        [t("evaluate.delivery_leaflet"), _pct(d["leaflet_only"], lang), ""],
        [t("evaluate.delivery_nothing"), _pct(d["nothing"], lang), _pct(audits["manchester_nothing"], lang)],
        [t("evaluate.delivery_sign"), _pct(d["with_sign"], lang), ""],
        [t("evaluate.delivery_sign_days"), hours(d["median_days_to_sign"], 0), ""],
    ]
    return {
        "title": t("evaluate.delivery_title"),
        "lines": [t("evaluate.delivery_intro", episodes=d["episodes"], households=d["households"])],
        "header": [t("evaluate.measure"), t("evaluate.this_store"), t("evaluate.audit")],
        "rows": rows,
        "caption": t("evaluate.delivery_caption", wa=round(100 * audits["western_australia"])),
    }


def dose_rows(rows: list[dict[str, object]], lang: str, kind: str) -> dict[str, Any]:
    t = translator(lang)

    def n(v: object, digits: int) -> str:
        value = float(v)  # type: ignore[arg-type]
        return "–" if not math.isfinite(value) else number(value, lang, digits)

    body = [
        [
            t(f"evaluate.band_{row['band']}"),
            str(row["episodes"]),
            str(row["follow_ons"]),
            f"{n(row['rate'], 3)} ({n(row['rate_low'], 3)}–{n(row['rate_high'], 3)})",
            f"{n(row['rate_ratio'], 2)} ({n(row['ci_low'], 2)}–{n(row['ci_high'], 2)})",
        ]
        for row in rows
    ]
    return {
        "title": t(f"evaluate.dose_{kind}"),
        "header": [
            t("evaluate.band"),
            t("evaluate.episodes_short"),
            t("evaluate.follow_ons"),
            t("evaluate.rate"),
            t("evaluate.dose_ratio"),
        ],
        "rows": body,
        "caption": t("evaluate.dose_caption"),
    }


def knox_lines(report: StoreEvaluation, lang: str) -> dict[str, Any]:
    t = translator(lang)
    k = report.knox
    if k is None:
        return {"title": t("evaluate.knox_title"), "lines": [t("evaluate.knox_too_few")]}
    started = (dt.date(1970, 1, 1) + dt.timedelta(days=k.started)).isoformat()
    return {
        "title": t("evaluate.knox_title"),
        "lines": [
            t("evaluate.knox_started", date=started, before=k.n_before, after=k.n_after),
            t(
                "evaluate.knox_ratios",
                before=number(k.ratio_before, lang, 2),
                p_before=number(k.p_before, lang, 3),
                after=number(k.ratio_after, lang, 2),
                p_after=number(k.p_after, lang, 3),
            ),
            t(
                "evaluate.knox_difference",
                difference=number(k.difference, lang, 2),
                p=number(k.p_difference, lang, 3),
                n=k.simulations,
                seed=k.seed,
            ),
            t("evaluate.knox_caution"),
        ],
    }


def _store_intro(report: StoreEvaluation, lang: str) -> list[str]:
    t = translator(lang)
    lines = [
        t("evaluate.store_episodes", live=report.live, kept=report.archived),
        t("evaluate.overlap_rule", several=report.overlap[0], distinct=report.overlap[1]),
        t("evaluate.clusters", clusters=report.main.clusters, by=t("evaluate.clusters_week")),
    ]
    if report.repeats is not None:
        r = report.repeats
        lines.append(
            t(
                "evaluate.repeats",
                treated=r.treated_events,
                control=r.control_events,
                ratio=ratio_text(r.rate_ratio, r.ci_low, r.ci_high, r.p_value, lang),
            )
        )
    return lines


def _comparisons(report: StoreEvaluation, lang: str) -> list[tuple[str, Evaluation]]:
    t = translator(lang)
    found = [(t("evaluate.section_main"), report.main)]
    if report.elevated is not None:
        found.append((t("evaluate.section_elevated"), report.elevated))
    if report.spillover is not None:
        found.append((t("evaluate.section_spillover"), report.spillover))
    return found


def store_blocks(report: StoreEvaluation, lang: str, *, source: str) -> list[dict[str, Any]]:
    """The store's evaluation for the terminal: delivery first, then the comparisons."""
    t = translator(lang)
    blocks: list[dict[str, Any]] = [
        {"title": t("evaluate.title", source=source), "lines": [(line, "") for line in _store_intro(report, lang)]}
    ]
    table = delivery_table(report, lang)
    blocks.append({**table, "lines": [(line, "") for line in table["lines"]]})
    for title, evaluation in _comparisons(report, lang):
        blocks.extend(screen_blocks(evaluation, lang, title))
    for kind, rows in (("latency", report.latency), ("coverage", report.coverage)):
        blocks.append(dose_rows(rows, lang, kind))
    knox = knox_lines(report, lang)
    blocks.append({"title": knox["title"], "lines": [(line, "") for line in knox["lines"]]})
    return blocks


def store_page(report: StoreEvaluation, lang: str, *, source: str) -> str:
    """The store's evaluation as a page that opens offline."""
    comparisons = _comparisons(report, lang)
    sections = [section(evaluation, lang, title) for title, evaluation in comparisons]
    chart = [row for title, evaluation in comparisons[:1] for row in chart_rows(evaluation, lang)]
    for title, evaluation in comparisons[1:]:
        h = evaluation.headline
        chart.append((title.split(":")[0], h.rate_ratio, h.ci_low, h.ci_high))
    after = [
        *(dose_rows(rows, lang, kind) for kind, rows in (("latency", report.latency), ("coverage", report.coverage))),
        knox_lines(report, lang),
    ]
    return evaluation_page(
        sections,
        chart,
        lang=lang,
        source=source,
        intro=_store_intro(report, lang),
        before=[delivery_table(report, lang)],
        after=after,
    )
