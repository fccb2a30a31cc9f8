"""The residents' map (``map-public.html``): zones and signs only, with week labels, under a title
that says in plain words what the areas mean, the week, and how to reach the police. Every point in it
is first moved away from victims' homes (:mod:`cocoon.geo.privacy`, :mod:`cocoon.risk.public_points`),
and it carries no households and no free text."""

from __future__ import annotations

from typing import Any

import numpy as np

from cocoon.catalogue import translator
from cocoon.publish.maps.basemap_layer import add_basemap
from cocoon.publish.maps.map_data import MapData
from cocoon.publish.maps.page import (
    PHASE_COLOURS,
    SIGN_SWATCH,
    bind,
    escape,
    finish,
    fit_view,
    legend,
    new_map,
    plan_lonlat,
    title_panel,
    zone_swatch,
)
from cocoon.publish.maps.public_view import public_view
from cocoon.publish.maps.signs import add_signs
from cocoon.publish.weeks import iso_week, week_label
from cocoon.risk.public_points import public_points


def public_map(data: MapData, *, lang: str, offline: bool = False) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """For residents: zones and signs only, generalised, with week labels; no households, no free
    text. Titled with what the areas mean, the week and how to reach the police. Also notes on zones
    and signs left off because no place near them keeps the privacy rule."""
    import folium

    plan = data.plan
    t = translator(lang)
    handout = plan.settings.handout
    area = handout.area_name.strip()
    heading = t("maps.title_public_area", area=area) if area else t("maps.title_public")
    m = new_map(heading, offline=offline, lang=lang)
    points = public_points(plan, data.signs)
    notes: list[tuple[str, dict[str, Any]]] = []
    if (~points.zone_placed).any():
        notes.append(("maps.zones_left_out", {"n": int((~points.zone_placed).sum()), "k": plan.privacy_rule.k}))
    if (~points.sign_placed).any():
        notes.append(("maps.signs_left_out", {"n": int((~points.sign_placed).sum()), "k": plan.privacy_rule.k}))
    if offline:
        add_basemap(m, data, lang, rule=plan.privacy_rule)
    title_panel(
        m,
        heading,
        [
            ("lead", t("maps.public_explanation", week=iso_week(plan.date)[1])),
            ("", t("maps.public_advice")),
            (
                "small",
                t(
                    "maps.public_contact",
                    police=handout.police_phone,
                    emergency=handout.emergency_phone,
                    website=handout.website,
                ),
            ),
        ],
    )
    zones = plan.zones
    view = None
    corners = public_view(plan, points)
    if corners is not None:
        view = plan_lonlat(plan, corners[:, 0], corners[:, 1])
    zlon, zlat = plan_lonlat(plan, points.zones[:, 0], points.zones[:, 1])
    seen = set()
    for phase in ("elevated", "high"):
        group = folium.FeatureGroup(name=t(f"maps.zones_{phase}"))
        for k in np.flatnonzero((zones["phase"].to_numpy() == phase) & points.zone_placed):
            row = zones.iloc[k]
            key = (round(float(zlat[k]), 6), round(float(zlon[k]), 6), phase)
            if key in seen:  # burglaries in the same cell show as one zone
                continue
            seen.add(key)
            circle = folium.Circle(
                [float(zlat[k]), float(zlon[k])],
                radius=float(row["radius_m"]),
                color=PHASE_COLOURS[phase],
                fill=True,
                fill_opacity=0.12,
                weight=2,
            )
            bind(
                circle,
                popup=escape(
                    t(
                        "maps.zone_weeks",
                        phase=t(f"phase.{phase}"),
                        up=week_label(row["start"]),
                        down=week_label(row["end"]),
                    )
                ),
            )
            circle.add_to(group)
        group.add_to(m)
    if data.signs is not None and points.sign_placed.any():
        slon, slat = plan_lonlat(plan, points.signs[:, 0], points.signs[:, 1])
        keep = points.sign_placed
        add_signs(m, data.signs[keep], lang=lang, weeks=True, points=(slon[keep], slat[keep]))
    folium.LayerControl(collapsed=True).add_to(m)
    legend(
        m,
        t("maps.legend"),
        [
            (zone_swatch(PHASE_COLOURS["high"]), t("maps.public_high")),
            (zone_swatch(PHASE_COLOURS["elevated"]), t("maps.public_elevated")),
            (SIGN_SWATCH, t("maps.public_signs")),
        ],
    )
    if view is not None:
        fit_view(m, *view, top=120)
    return finish(m, offline=offline), notes
