"""The team's map (``map.html``): zones by phase, burglaries, households by tier (with the latest
outcome when a store is used), each officer's route and the sign sites."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cocoon.catalogue import number, translator
from cocoon.geo.crs import to_lonlat
from cocoon.publish.explain import why_column
from cocoon.publish.maps.basemap_layer import add_basemap
from cocoon.publish.maps.map_data import MapData
from cocoon.publish.maps.page import (
    PHASE_COLOURS,
    SIGN_SWATCH,
    TIER_COLOURS,
    bind,
    dot_swatch,
    escape,
    finish,
    fit_view,
    legend,
    new_map,
    plan_lonlat,
    title_panel,
    zone_swatch,
)
from cocoon.publish.maps.routes import route_layer
from cocoon.publish.maps.signs import add_signs
from cocoon.risk.zones import PHASES

if TYPE_CHECKING:
    from cocoon.risk.daily_plan import Plan


def internal_map(data: MapData, *, lang: str, offline: bool = False) -> str:
    """The team's map: zones, burglaries, households, routes and signs."""
    import folium

    plan = data.plan
    t = translator(lang)
    title = t("maps.title_internal", date=plan.date.isoformat())
    m = new_map(title, offline=offline, lang=lang)
    if offline:
        add_basemap(m, data, lang)
    lines = [("small", t("maps.internal_note"))]
    if len(plan.visits) > data.max_households:
        lines.append(("small", t("maps.households_limited", shown=data.max_households, total=len(plan.visits))))
    title_panel(m, title, lines)
    _zone_layers(m, plan, t)
    visits = plan.visits.head(data.max_households)
    _household_layer(m, visits, data.outcomes, lang)
    _burglary_layer(m, plan, t)
    routes: list[tuple[str, str]] = []
    if data.route_stops is not None and data.route_start is not None:
        routes = route_layer(m, plan, data.route_stops, data.route_start, t)
    add_signs(m, data.signs, lang=lang, weeks=False)
    folium.LayerControl(collapsed=False).add_to(m)
    legend(
        m,
        t("maps.legend"),
        [
            (zone_swatch(PHASE_COLOURS["high"]), t("phase.high")),
            (zone_swatch(PHASE_COLOURS["elevated"]), t("phase.elevated")),
            (dot_swatch("black"), t("maps.burglaries")),
            *[(dot_swatch(TIER_COLOURS[k]), t("maps.tier", tier=k)) for k in "ABC"],
            *routes,
            *([(SIGN_SWATCH, t("maps.signs"))] if data.signs is not None and len(data.signs) else []),
        ],
    )
    zones = plan.zones
    lon, lat = (
        to_lonlat(np.r_[zones.total_bounds[[0, 2]]], np.r_[zones.total_bounds[[1, 3]]], plan.crs)
        if len(zones)
        else (visits["lon"].to_numpy(), visits["lat"].to_numpy())
    )
    fit_view(m, lon, lat, top=80)
    return finish(m, offline=offline)


def _zone_layers(m: Any, plan: Plan, t: Callable[..., str]) -> None:
    """One layer per phase: a circle per zone with its burglary, phase and days left."""
    import folium

    zones = plan.zones
    zlon, zlat = plan_lonlat(plan, zones.geometry.centroid.x.to_numpy(), zones.geometry.centroid.y.to_numpy())
    for phase in ("elevated", "high"):
        group = folium.FeatureGroup(name=t(f"maps.zones_{phase}"))
        for k in np.flatnonzero(zones["phase"].to_numpy() == phase):
            row = zones.iloc[k]
            circle = folium.Circle(
                [float(zlat[k]), float(zlon[k])],
                radius=float(row["radius_m"]),
                color=PHASE_COLOURS[phase],
                fill=True,
                fill_opacity=0.08,
                weight=2,
            )
            bind(
                circle,
                popup=f"<b>{escape(row['burglary_id'])}</b><br>{escape(t('phase.' + phase))}<br>"
                f"{escape(t('maps.days_left', n=int(row['days_left'])))}",
            )
            circle.add_to(group)
        group.add_to(m)


def _burglary_layer(m: Any, plan: Plan, t: Callable[..., str]) -> None:
    """The active burglaries with id, date and address."""
    import folium

    active = plan.burglaries[plan.burglaries["phase"].isin(PHASES)]
    blon, blat = plan_lonlat(plan, active.geometry.x, active.geometry.y)
    group = folium.FeatureGroup(name=t("maps.burglaries"))
    for k, row in enumerate(active.itertuples(index=False)):
        marker = folium.CircleMarker(
            [float(blat[k]), float(blon[k])],
            radius=6,
            color="white",
            fill=True,
            fill_color="black",
            fill_opacity=1.0,
            weight=2,
        )
        day = str(row.last_day)[:10]
        bind(marker, popup=f"<b>{escape(row.burglary_id)}</b><br>{escape(day)}<br>{escape(row.address or '')}")
        marker.add_to(group)
    group.add_to(m)


def _household_layer(m: Any, visits: pd.DataFrame, outcomes: dict[str, tuple[str, str]], lang: str) -> None:
    """Households coloured by tier, with the latest outcome from the store."""
    import folium

    t = translator(lang)
    group = folium.FeatureGroup(name=t("maps.households"))
    sentences = why_column(visits, lang)
    for row, sentence in zip(visits.itertuples(index=False), sentences, strict=True):
        marker = folium.CircleMarker(
            [float(row.lat), float(row.lon)],
            radius=3.5,
            stroke=False,
            fill=True,
            fill_color=TIER_COLOURS.get(str(row.tier), "#555"),
            fill_opacity=0.75,
        )
        line = t(
            "maps.household_line",
            tier=row.tier,
            dwellings=number(float(row.dwellings), lang),
            score=number(float(row.score), lang, 1),
            distance=number(float(row.distance_m), lang),
        )
        lines = [f"<b>{escape(row.label)}</b>", escape(line), escape(sentence)]
        if str(row.household_id) in outcomes:
            outcome, when = outcomes[str(row.household_id)]
            lines.append(escape(t("maps.outcome", outcome=t(f"outcome.{outcome}"), time=when)))
        bind(marker, popup="<br>".join(lines))
        marker.add_to(group)
    group.add_to(m)
