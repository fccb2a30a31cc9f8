"""What a trial shows: its receipt, and the comparison by assignment with delivery by arm on the
screen and in the page, speaking of the arms (immediate and delayed) where a comparison of served
zones speaks of served and not served."""

from __future__ import annotations

from typing import Any

from cocoon.catalogue import number, text
from cocoon.evaluation.trial_allocation import ARMS, Design, design_lines
from cocoon.evaluation.trial_analysis import TrialEvaluation
from cocoon.publish.evaluation_report import Words, chart_rows, evaluation_page, screen_blocks, section

TRIAL_WORDS: Words = {
    "evaluate.episodes": "trial.episodes",
    "evaluate.served": "trial.arm_immediate",
    "evaluate.not_served": "trial.arm_delayed",
    "evaluate.weighted_control": "trial.label_delayed_weighted",
    "evaluate.balance_caption": "trial.balance_caption",
    "evaluate.balance_caption_weighted": "trial.balance_caption_weighted",
    "evaluate.difference": "trial.difference",
    "evaluate.zones_per_prevented": "trial.zones_per_prevented",
    "evaluate.pitfall_small_counts": "trial.pitfall_small_counts",
    "evaluate.chart_title": "trial.chart_title",
    "evaluate.chart_axis": "trial.chart_axis",
}
"""The comparison's words for served and not served, said as the trial's arms."""


def receipt_text(design: Design, digest: str, *, lang: str, strata: int, places: int) -> str:
    """What the analyst sends before the trial starts: the design without the seed, and the hash."""
    lines = [text("trial.receipt_title", lang), text("trial.receipt_intro", lang, strata=strata, places=places), ""]
    lines += [line for line in design_lines(design) if not line.startswith("seed=")]
    lines += [f"sha256={digest}", ""]
    return "\n".join(lines)


def trial_screen(report: TrialEvaluation, lang: str, *, source: str, trial_id: int) -> list[dict[str, Any]]:
    """What the terminal shows for a trial: the comparison by assignment, then delivery per arm."""
    title = text("trial.evaluate_title", lang, source=source, trial=trial_id)
    blocks = screen_blocks(report.main, lang, title=title, words=TRIAL_WORDS)
    blocks.append(delivery_block(report, lang))
    blocks.append({"lines": [(unadjusted_line(report, lang), "")]})
    if report.notes:
        blocks.append({"lines": [(text(key, lang, **params), "yellow") for key, params in report.notes]})
    if report.beyond:
        blocks.append({"lines": [(text("trial.beyond_in_evaluation", lang, n=report.beyond), "")]})
    return blocks


def unadjusted_line(report: TrialEvaluation, lang: str) -> str:
    """The ratio as assigned without the strata, beside the adjusted headline."""
    plain = report.unadjusted.headline
    return text(
        "trial.unadjusted",
        lang,
        ratio=number(plain.rate_ratio, lang, 2),
        low=number(plain.ci_low, lang, 2),
        high=number(plain.ci_high, lang, 2),
        n=report.unadjusted.n_episodes,
    )


def delivery_block(report: TrialEvaluation, lang: str) -> dict[str, Any]:
    """Delivery by arm: assigned, episodes, served within 48 h, attempted, visited before the delay, left out."""
    measures = ("assigned", "episodes", "served", "attempted", "before_delay", "left_out")
    values = {
        a.arm: (a.assigned, a.episodes, a.served_48h, a.attempted, a.before_delay, a.no_zone + a.not_yet_observed)
        for a in report.arms
    }
    rows = [[text(f"trial.column_{m}", lang), *(str(values[arm][k]) for arm in ARMS)] for k, m in enumerate(measures)]
    return {
        "title": text("trial.delivery_title", lang),
        "header": [text("trial.column_measure", lang), *(text(f"trial.arm_{arm}", lang) for arm in ARMS)],
        "rows": rows,
    }


def trial_page(report: TrialEvaluation, lang: str, *, source: str, trial_id: int) -> str:
    """The report page for a trial: the comparison by assignment (arms as assigned), then delivery by arm."""
    title = text("trial.evaluate_title", lang, source=source, trial=trial_id)
    main = section(report.main, lang, title=title, words=TRIAL_WORDS)
    notes = [unadjusted_line(report, lang), *(text(key, lang, **params) for key, params in report.notes)]
    return evaluation_page(
        [main],
        chart_rows(report.main, lang),
        lang=lang,
        source=source,
        after=[{**delivery_block(report, lang), "lines": notes}],
        words=TRIAL_WORDS,
    )
