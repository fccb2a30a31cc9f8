"""The whole evaluation from a store's records: delivery, the comparisons by design, the Knox
ratio before and after, and the de-identified episodes to keep.

Episodes whose burglaries, plans and visits are still in the store are built from them
(:mod:`~cocoon.evaluation.episodes`); a month for which the store keeps more de-identified
episodes than it can still build (purge removed its records) is taken from the kept ones. A
month is kept once all its windows have closed (56 days after its end), and kept again whenever
the store can still build at least as many of its episodes. Live episodes are clustered by the
week of their report, kept ones by their month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from cocoon.errors import InputError
from cocoon.evaluation.balance import SMD_NOTABLE
from cocoon.evaluation.covariates import CATEGORIES, with_store_covariates
from cocoon.evaluation.delivery_figures import (
    coverage_band,
    delivery_summary,
    episode_delivery,
    latency_band,
)
from cocoon.evaluation.dose import COVERAGE_BANDS, LATENCY_BANDS, dose_table
from cocoon.evaluation.episodes import (
    ELEVATED_DAYS,
    build_episodes,
    overlap_share,
    projected_burglaries,
    zone_households,
)
from cocoon.evaluation.estimate import Evaluation, evaluate
from cocoon.evaluation.knox_change import KnoxChange, knox_change
from cocoon.evaluation.rates import RateRatio, exact_rate_ratio
from cocoon.store.queries import ARCHIVED_COLUMNS

if TYPE_CHECKING:
    import geopandas as gpd

    from cocoon.store.queries import EvaluationTables

LATE_REPORT_H = 24.0
"""A median reporting delay above this: follow-ons come to light late, and delivery starts late."""
KNOX_SIMULATIONS = 499


@dataclass
class StoreEvaluation:
    main: Evaluation
    """Days 1–14: served within 48 h against eligible zones not served, adjusted."""
    elevated: Evaluation | None
    spillover: Evaluation | None
    repeats: RateRatio | None
    delivery: dict[str, float]
    latency: list[dict[str, object]]
    coverage: list[dict[str, object]]
    knox: KnoxChange | None
    live: int
    archived: int
    overlap: tuple[int, int]
    archive_rows: pd.DataFrame
    months_to_archive: list[str]
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def comparison(e: Evaluation | None) -> dict[str, Any] | None:
            return e.to_dict() if e is not None else None

        return {
            "delivery": self.delivery,
            "elevated_window": comparison(self.elevated),
            "spillover_ring": comparison(self.spillover),
            "same_address_repeats": vars(self.repeats) if self.repeats else None,
            "dose_response": {"latency": self.latency, "coverage": self.coverage},
            "knox_before_after": vars(self.knox) if self.knox else None,
            "episodes_from_records": self.live,
            "episodes_kept": self.archived,
            "follow_ons_in_several_zones": self.overlap[0],
            "distinct_follow_ons": self.overlap[1],
        }


def _month_end(month: str) -> pd.Timestamp:
    return pd.Timestamp(f"{month}-01") + pd.offsets.MonthEnd(0) + pd.Timedelta(days=1)


def store_evaluation(
    tables: EvaluationTables,
    located: gpd.GeoDataFrame,
    *,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    source: str,
    covariates: list[str],
) -> StoreEvaluation:
    burglaries = projected_burglaries(located)
    visits_end = pd.to_datetime(tables.visits["visited_at"]).max() if len(tables.visits) else pd.NaT
    latest = pd.to_datetime(burglaries["reported"]).max() if len(burglaries) else pd.NaT
    data_end = (
        end + pd.Timedelta(days=1)
        if end is not None
        else max(t for t in (latest, visits_end, pd.Timestamp("1970-01-01")) if not pd.isna(t))
    )
    zones = zone_households(tables.listed, tables.plans)
    live = build_episodes(burglaries, zones, data_end=data_end, start=start, end=end)
    live = _with_delivery(live, tables, on=data_end)
    archive_rows = pd.DataFrame(columns=list(ARCHIVED_COLUMNS))
    months_to_archive: list[str] = []
    archived = tables.archived.copy()
    if start is not None:
        archived = archived[archived["month"] >= start.strftime("%Y-%m")]
    if end is not None:
        archived = archived[archived["month"] <= end.strftime("%Y-%m")]
    live_counts = live["month"].value_counts() if len(live) else pd.Series(dtype=int)
    kept_counts = archived["month"].value_counts()
    use_kept = [m for m in kept_counts.index if kept_counts[m] > live_counts.get(m, 0)]
    if len(live):
        archive_rows = live.assign(
            served=live["served"].astype(int),
            hours_to_first_attempt=live["hours_to_first_attempt"].round(0),
            reporting_delay_h=live["reporting_delay_h"].round(0),
        )[list(ARCHIVED_COLUMNS)]
        closed = [m for m in live_counts.index if _month_end(m) + pd.Timedelta(days=ELEVATED_DAYS) <= data_end]
        months_to_archive = sorted(m for m in closed if m not in use_kept)
    live_used = live[~live["month"].isin(use_kept)] if len(live) else live
    kept = archived[archived["month"].isin(use_kept)].assign(cluster=lambda f: "month " + f["month"])
    kept = kept.assign(served=kept["served"].astype(bool))
    episodes = pd.concat([live_used, kept], ignore_index=True) if len(kept) else live_used.reset_index(drop=True)
    if not len(episodes):
        raise InputError("evaluate.no_store_episodes", file=source)
    episodes = with_store_covariates(episodes.assign(treated=episodes["served"].astype(bool)))
    if episodes["treated"].all() or not episodes["treated"].any():
        key = "evaluate.store_all_served" if episodes["treated"].all() else "evaluate.store_none_served"
        raise InputError(key, file=source, n=len(episodes))
    clusters = episodes["cluster"].astype(str).to_numpy()
    categorical = set(CATEGORIES) & set(covariates)
    overlap = overlap_share(live_used) if len(live_used) else (0, 0)
    extra = _store_pitfalls(episodes, overlap)
    main = evaluate(episodes, adjust=covariates, categorical=categorical, clusters=clusters, extra_pitfalls=extra)

    def window(count: str, exposure: str) -> Evaluation | None:
        frame = episodes.assign(follow_on=episodes[count].astype(int), household_days=episodes[exposure])
        usable = frame["household_days"] > 0
        frame = frame[usable]
        if frame["treated"].all() or not frame["treated"].any():
            return None
        return evaluate(frame, adjust=covariates, categorical=categorical, clusters=clusters[usable.to_numpy()])

    t = episodes["treated"].to_numpy()
    days = episodes["household_days"].to_numpy(dtype=float)
    repeats = exact_rate_ratio(
        int(episodes.loc[t, "repeat"].sum()), days[t].sum(), int(episodes.loc[~t, "repeat"].sum()), days[~t].sum()
    )
    hours = episodes["hours_to_first_attempt"].astype(float).fillna(math.inf)
    share = episodes["attempted_48h_share"].astype(float).fillna(0.0)
    latency = dose_table(
        episodes,
        hours.map(latency_band),
        LATENCY_BANDS,
        "never",
        adjust=covariates,
        categorical=categorical,
        clusters=clusters,
    )
    coverage = dose_table(
        episodes,
        share.map(coverage_band),
        COVERAGE_BANDS,
        "none",
        adjust=covariates,
        categorical=categorical,
        clusters=clusters,
    )
    knox = _knox(tables, burglaries, zones.radius_m, start=start, end=end)
    return StoreEvaluation(
        main=main,
        elevated=window("follow_on_elevated", "household_days_elevated"),
        spillover=window("ring_follow_on", "ring_household_days"),
        repeats=repeats if repeats.treated_events + repeats.control_events else None,
        delivery=delivery_summary(
            episodes.assign(**{c: episodes[c].astype(float) for c in ("hours_to_first_attempt", "days_to_sign")})
        ),
        latency=latency,
        coverage=coverage,
        knox=knox,
        live=len(live_used),
        archived=len(kept),
        overlap=overlap,
        archive_rows=archive_rows,
        months_to_archive=months_to_archive,
    )


def _store_pitfalls(episodes: pd.DataFrame, overlap: tuple[int, int]) -> list[tuple[str, dict[str, Any]]]:
    """Pitfalls only the store can see: overlapping zones, late reporting, and the trend."""
    found: list[tuple[str, dict[str, Any]]] = []
    several, distinct = overlap
    if several:
        found.append(("evaluate.pitfall_overlap", {"several": several, "distinct": distinct}))
    delay = float(episodes["reporting_delay_h"].astype(float).median())
    if delay > LATE_REPORT_H:
        found.append(("evaluate.pitfall_late_reporting", {"hours": round(delay)}))
    month_index = pd.to_datetime(episodes["month"] + "-01")
    months = (month_index.dt.year * 12 + month_index.dt.month).to_numpy(dtype=float)
    t = episodes["treated"].to_numpy(dtype=bool)
    spread = math.sqrt((months[t].var() + months[~t].var()) / 2)
    if spread > 0 and abs(months[t].mean() - months[~t].mean()) / spread > SMD_NOTABLE:
        found.append(("evaluate.pitfall_trend", {}))
    return found


def _knox(
    tables: EvaluationTables,
    burglaries: pd.DataFrame,
    radius_m: pd.Series,
    *,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
) -> KnoxChange | None:
    """The Knox ratio before and after the first recorded visit, within the period."""
    knox = None
    if len(tables.visits):
        started = pd.to_datetime(tables.visits["visited_at"]).min().normalize()
        in_period = pd.Series(True, index=burglaries.index)
        if start is not None:
            in_period &= pd.to_datetime(burglaries["reported"]) >= start
        if end is not None:
            in_period &= pd.to_datetime(burglaries["reported"]) < end + pd.Timedelta(days=1)
        b = burglaries[in_period]
        day = (pd.to_datetime(b["reported"]).dt.normalize() - pd.Timestamp("1970-01-01")).dt.days.to_numpy()
        radius = float(radius_m.median()) if len(radius_m) else 500.0
        knox = knox_change(
            b["x"].to_numpy(),
            b["y"].to_numpy(),
            day,
            started=int((started - pd.Timestamp("1970-01-01")).days),
            radius_m=radius,
            nrep=KNOX_SIMULATIONS,
            seed=1,
        )
    return knox


def _with_delivery(live: pd.DataFrame, tables: EvaluationTables, *, on: pd.Timestamp) -> pd.DataFrame:
    """The live episodes with their delivery figures, served or not, and their cluster (the week)."""
    if len(live):
        done = episode_delivery(tables.burglaries, tables.listed, tables.visits, tables.signs, on=on.date()).reindex(
            live["burglary_id"]
        )
        for column in done.columns:
            live[column] = done[column].to_numpy()
        live["served"] = live["served"].fillna(False).astype(bool)
        live["ab_households"] = live["ab_households"].fillna(0).astype(int)
        live["with_sign"] = live["days_to_sign"].notna().astype(int)
        live["cluster"] = live["week"]
    return live
