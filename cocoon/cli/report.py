"""Screen output of the commands: summaries as tables, in the user's language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cocoon.catalogue import number, percent, text, translator
from cocoon.cli.common import console, printable
from cocoon.evidence.breaks import band_labels
from cocoon.evidence.comparisons import MIN_WEEKS, TOO_FEW
from cocoon.publish.reports import backtest_rows, comparison_table, model_lines, model_table, model_verdict
from cocoon.publish.status_report import MEASURES

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable
    from pathlib import Path

    from cocoon.field.walks import Routes
    from cocoon.jobs.backtest import BacktestResult
    from cocoon.jobs.calibrate import CalibrateResult
    from cocoon.jobs.demo import DemoResult
    from cocoon.jobs.plan import PlanResult
    from cocoon.store.delivery import Delivery
    from cocoon.store.queries import IngestResult


def print_plan_summary(result: PlanResult) -> None:
    from rich.table import Table

    lang = result.lang
    plan = result.plan
    counts = plan.counts()
    out = console()
    t = translator(lang)
    out.print(t("summary.title", date=plan.date.isoformat()), style="bold")
    out.print(t("summary.crs", crs=plan.crs_label))
    out.print(
        t(
            "summary.burglaries",
            total=counts["burglaries"],
            high=counts["high"],
            elevated=counts["elevated"],
            expired=counts["expired"],
        )
    )
    for kind, n in result.rejected.items():
        if n:
            out.print(
                t("summary.rejected", n=n, what=t(f"summary.what_{kind}"), path=str(result.rejects_path)),
                style="yellow",
            )
    table = Table(title=t("summary.table_title"))
    table.add_column(t("summary.tier"))
    table.add_column(t("phase.high"), justify="right")
    table.add_column(t("phase.elevated"), justify="right")
    table.add_column(t("summary.total"), justify="right")
    ranking, model = plan.settings.ranking, bool(plan.settings.model.weights)
    for tier in "ABC":
        row = counts["by_tier_phase"][tier]
        key = f"tier.{tier}_model" if model and tier in "AB" else f"tier.{tier}"
        table.add_row(
            t(key, m=ranking.tier_b_max_m, a=ranking.tier_a_max_m, b=ranking.tier_b_max_m),
            number(row["high"], lang),
            number(row["elevated"], lang),
            number(row["high"] + row["elevated"], lang),
        )
    table.add_row(
        t("summary.total"),
        *[number(sum(counts["by_tier_phase"][x][p] for x in "ABC"), lang) for p in ("high", "elevated")],
        number(counts["households"], lang),
        style="bold",
    )
    out.print(table)
    out.print(t("summary.dwellings", households=counts["households"], dwellings=counts["dwellings"]))
    if counts["excluded"]:
        out.print(t("summary.excluded", n=counts["excluded"]))
    if counts["done"]:
        outcomes = ", ".join(f"{t('outcome.' + code)} {n}" for code, n in sorted(counts["done"].items()))
        out.print(t("summary.done", n=sum(counts["done"].values()), outcomes=outcomes))
    if result.routes is not None:
        print_routes(result.routes, lang)
    for key, params in result.notes:
        out.print(text(key, lang, **params), style="yellow")
    out.print(
        t("summary.written", files=", ".join(p.name for p in result.written), folder=str(result.written[0].parent))
    )


def print_routes(routes: Routes, lang: str) -> None:
    from rich.table import Table

    t = translator(lang)
    table = Table(
        title=t(
            "routes.summary_title",
            solver=t(f"solver.{routes.solver}"),
            network=t("routes.on_network" if routes.on_network else "routes.straight"),
        )
    )
    for k, key in enumerate(("officer", "stops", "dwellings", "risk", "walk", "back_at")):
        table.add_column(t(f"routes.{key}"), justify="left" if k == 0 else "right")
    for row in routes.summary.itertuples(index=False):
        table.add_row(
            str(row.officer),
            str(row.stops),
            str(row.dwellings),
            number(row.risk, lang),
            f"{number(row.walk_m / 1000, lang, 1)} km",
            row.back_at,
        )
    out = console()
    out.print(table)
    collected = float(routes.summary["risk"].sum())
    share = 100 * collected / routes.risk_available if routes.risk_available else 0.0
    out.print(
        t(
            "routes.collected",
            collected=number(collected, lang),
            available=number(routes.risk_available, lang),
            share=number(share, lang),
            candidates=routes.candidates,
        )
    )


def print_demo_summary(result: DemoResult) -> None:
    out = console()
    out.print(text("demo.simulated_warning", result.lang), style="bold yellow")
    for area, plan_result in result.areas:
        out.rule(area.title)
        print_plan_summary(plan_result)
    if result.moved_aside is not None:
        out.print(
            text("output.moved_aside", result.lang, path=str(result.out_dir), aside=str(result.moved_aside)),
            style="yellow",
        )
    out.print(text("demo.next", result.lang, folder=str(result.out_dir)))


def print_calibration(result: CalibrateResult) -> None:
    """The Knox ratios per band with significant cells marked, the verdict, what was written."""
    from rich.table import Table
    from rich.text import Text

    lang = result.lang
    knox, events = result.knox, result.events
    out = console()
    t = translator(lang)
    out.print(
        t("calibrate.title", n=knox.n_events, first=events.first.isoformat(), last=events.last.isoformat()),
        style="bold",
    )
    out.print(
        t(
            "calibrate.setup",
            crs=events.crs_label(lang),
            metric=t(f"knox.metric_{knox.metric}"),
            closed=t(f"knox.closed_{knox.closed}"),
            simulations=knox.simulations,
            seed=knox.seed,
            pairs=knox.n_pairs,
        )
    )
    if knox.nrc:
        out.print(t("calibrate.nrc", nrep=knox.nrep, simulations=knox.simulations))
    if events.windows:
        out.print(t("calibrate.windows", n=events.windows))
    if events.left_out:
        out.print(t("calibrate.left_out", n=events.left_out))
    if result.rejected:
        out.print(
            t("summary.rejected", n=result.rejected, what=t("summary.what_burglaries"), path=str(result.rejects_path)),
            style="yellow",
        )
    sig = knox.significant()
    table = Table(title=t("calibrate.table_title"), caption=t("calibrate.table_caption"))
    table.add_column(t("knox_table.corner"))
    for label in band_labels(knox.tds):
        table.add_column(label, justify="right")
    for r, label in enumerate(knox.distance_labels(lang)):
        cells = []
        for c in range(knox.observed.shape[1]):
            ratio = float(knox.knox_ratio[r, c])
            value = number(ratio, lang, 2)
            cells.append(Text(f"{value}*", style="bold red") if sig[r, c] else Text(value))
        table.add_row(label, *cells)
    out.print(table)
    for key, params in result.verdict:
        out.print(t(key, **params), style="bold" if key != "verdict.rule" else None)
    if result.suggestion is not None and result.settings is not None:
        s, zones = result.suggestion, result.settings.zones
        out.print(
            t(
                "calibrate.suggestion",
                radius=float(s.radius_m),
                high=s.high_days,
                elevated=s.elevated_days,
                last=s.high_days + s.elevated_days,
                zone_radius=float(zones.radius_m),
                zone_high=zones.high_days,
                zone_elevated=zones.elevated_days,
            )
        )
    print_model(result, out, t)
    for key, params in result.notes:
        out.print(text(key, lang, **params), style="yellow")
    if result.written:
        out.print(t("calibrate.written", files=", ".join(str(p) for p in result.written)))


def print_model(result: CalibrateResult, out: Any, t: Callable[..., str]) -> None:
    """The fitted risk model: where its burglaries came from, how much is data, its weights."""
    from rich.table import Table
    from rich.text import Text

    fit, lang = result.fit, result.lang
    if fit is None:
        out.print(t("calibrate.no_model"), style="yellow")
        return
    for key, params, style in model_lines(fit, lang):
        out.print(t(key, **params), style=style or None)
    shown = model_table(fit, lang)
    table = Table(title=shown["title"], caption=shown["caption"])
    for k, header in enumerate(shown["header"]):
        table.add_column(header, justify="left" if k == 0 else "right")
    for row in shown["rows"]:
        table.add_row(row["label"], *[Text(c["text"], style="dim" if c["grey"] else "") for c in row["cells"]])
    out.print(table)
    if result.settings_out is not None:
        out.print(t("calibrate.model_written", file=str(result.settings_out)))
    else:
        out.print(t("calibrate.model_write_hint"))


def print_backtest(result: BacktestResult) -> None:
    """Hit rate, area share and PAI of the zones and of each baseline at the same area."""
    from rich.table import Table

    from cocoon.jobs.backtest import area_label

    lang = result.lang
    b = result.backtest
    out = console()
    t = translator(lang)
    out.print(
        t("backtest.title", n=b.n_events_scored, start=result.start.isoformat(), end=result.end.isoformat()),
        style="bold",
    )
    out.print(
        t(
            "backtest.setup",
            radius=float(b.policy.radius_m),
            high=b.policy.high_days,
            active=b.policy.active_days,
            crs=result.events.crs_label(lang),
            area=area_label(result, lang),
            km2=number(b.area_km2, lang, 1),
            cell=float(b.cell_m),
        )
    )
    if result.rejected:
        out.print(
            t("summary.rejected", n=result.rejected, what=t("summary.what_burglaries"), path=str(result.rejects_path)),
            style="yellow",
        )
    rows = backtest_rows(b, lang)
    for which, days in (("high", b.policy.high_days), ("zone", b.policy.active_days)):
        table = Table(title=t(f"backtest.table_{which}", days=days))
        for k, header in enumerate([t("backtest.method"), t("backtest.area_share"), t("backtest.hit_rate"), "PAI"]):
            table.add_column(header, justify="left" if k == 0 else "right")
        for row in rows[which]:
            table.add_row(*row)
        out.print(table)
    if rows["sweep"]:
        table = Table(title=t("backtest.table_sweep"))
        for header in [
            t("backtest.radius"),
            t("backtest.days"),
            t("backtest.area_share"),
            t("backtest.hit_rate"),
            "PAI",
        ]:
            table.add_column(header, justify="right")
        for row in rows["sweep"]:
            table.add_row(*row)
        out.print(table)
    print_comparisons(result, out, t)
    print_model_verdict(result, out, t)
    near, far = b.follow_on["within_200m_14d"], b.follow_on["within_500m_56d"]
    out.print(
        t(
            "backtest.follow_on",
            near=number(near["share_with_any"] * 100, lang, 1),
            near_mean=number(near["mean"], lang, 2),
            far=number(far["share_with_any"] * 100, lang, 1),
            far_mean=number(far["mean"], lang, 2),
        )
    )
    for key, params in result.notes:
        out.print(text(key, lang, **params), style="yellow")
    if result.written:
        out.print(t("calibrate.written", files=", ".join(str(p) for p in result.written)))


def print_comparisons(result: BacktestResult, out: Any, t: Callable[..., str]) -> None:
    """The ranking model against each method at 1-30 % of the area, or why it is not judged."""
    from rich.table import Table

    if not result.comparisons:
        return
    if all(c.verdict == TOO_FEW for c in result.comparisons):
        out.print(t("backtest.compare_too_few", weeks=MIN_WEEKS))
        return
    compared = comparison_table(result.comparisons, result.lang)
    table = Table(title=compared["title"], caption=compared["caption"])
    for k, header in enumerate(compared["header"]):
        table.add_column(header, justify="left" if k == 0 else "right")
    for row in compared["rows"]:
        table.add_row(*row)
    out.print(table)


def print_model_verdict(result: BacktestResult, out: Any, t: Callable[..., str]) -> None:
    """How the ranking model did: the defaults against Bowers-Johnson, or a fitted model against
    the defaults, with what to do next (never "calibrate" after a calibrated run)."""
    for line, style in model_verdict(result.backtest, result.comparisons, result.model_source, result.lang):
        out.print(line, style=style or None)


def print_ingest(result: IngestResult, lang: str) -> None:
    out = console()
    out.print(text("store.ingest_done", lang, added=result.added, unchanged=result.unchanged))
    if result.conflicting:
        out.print(text("store.conflicting", lang, n=len(result.conflicting)), style="yellow")
        for conflict in result.conflicting[:20]:
            out.print(
                text(
                    "store.conflict",
                    lang,
                    id=conflict.burglary_id,
                    stored=conflict.stored,
                    given=conflict.given,
                    metres=number(conflict.metres, lang),
                ),
                style="yellow",
            )
    if result.rejected:
        out.print(text("store.rejected", lang, n=result.rejected, path=str(result.rejects_path)), style="yellow")
    for key, params in result.notes:
        out.print(text(key, lang, **params), style="yellow")


def print_status(
    result: Delivery, *, on: dt.date, lang: str, written: list[Path], moved_aside: tuple[Path, Path] | None = None
) -> None:
    from rich.table import Table

    out = console()
    t = translator(lang)
    out.print(t("status.title", date=on.isoformat()), style="bold")
    out.print(t("status.overall", burglaries=result.overall["burglaries"], households=result.overall["households"]))
    table = Table(caption=t("status.caption"), caption_justify="left")
    longest = max((len(str(i)) for i in result.per_burglary["burglary_id"]), default=0)
    table.add_column(t("status.burglary"), min_width=max(longest, len(t("summary.total"))), overflow="fold")
    table.add_column(t("status.reported"), no_wrap=True)
    table.add_column(t("status.households"), justify="right", min_width=len(t("status.households")))
    for m in MEASURES:
        table.add_column(t(f"status.short_{m}"), justify="right", no_wrap=True)
    for row in result.per_burglary.itertuples(index=False):
        table.add_row(
            printable(str(row.burglary_id)),
            str(row.reported),
            str(row.households),
            *[str(getattr(row, m)) for m in MEASURES],
        )
    total = result.overall
    table.add_row(
        t("summary.total"), "", str(total["households"]), *[percent(total[m], lang, 0) for m in MEASURES], style="bold"
    )
    out.print(table)
    n = len(result.overdue_signs)
    out.print(t("status.overdue_title", n=n), style="yellow" if n else None)
    for sign in result.overdue_signs.itertuples(index=False):
        out.print(f"  {sign.sign_id}: {t('status.planned_down')} {sign.planned_down}")
    if moved_aside is not None:
        out.print(t("output.moved_aside", path=str(moved_aside[0]), aside=str(moved_aside[1])), style="yellow")
    out.print(t("calibrate.written", files=", ".join(str(p) for p in written)))
