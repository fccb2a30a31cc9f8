"""The daily cocooning plan: zones active on a date and the ranked households to visit."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pyproj import CRS, Transformer

from cocoon.errors import InputError
from cocoon.geo.crs import WGS84, Bounds, choose_metric_crs, crs_label, lonlat_bounds, parse_crs, to_lonlat
from cocoon.geo.privacy import NearestRule
from cocoon.inputs.households import HouseholdTable
from cocoon.risk.model import model_from_settings
from cocoon.risk.ranking import rank_households
from cocoon.risk.victims import Victims
from cocoon.risk.zones import (
    ELEVATED,
    EXPIRED,
    HIGH,
    NOT_YET,
    active_zones,
    burglary_windows,
    merged_outlines,
)
from cocoon.settings import Settings

if TYPE_CHECKING:
    import geopandas as gpd


@dataclass
class Plan:
    """Everything a plan produces; writers turn it into files."""

    date: dt.date
    crs: CRS
    settings: Settings
    burglaries: gpd.GeoDataFrame
    """All burglaries read (metric CRS) with their window: age_days, phase, start, high_until, end, days_left."""
    zones: gpd.GeoDataFrame
    """One zone per active burglary (metric CRS)."""
    outlines: gpd.GeoDataFrame
    """Merged zone outline per phase (metric CRS)."""
    visits: pd.DataFrame
    """Ranked households, with lon/lat added."""
    excluded: int = 0
    """Households in a zone left out by ``--exclude``."""
    done: dict[str, int] = field(default_factory=dict)
    """Households in a zone left out because the store has them done in the window, per outcome."""
    burgled: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"burglary_id": [], "household_id": []}))
    """Per active burglary, the household taken as the burgled address (None where none was found)."""
    victims: Victims = field(default_factory=Victims)
    """The victims of the active burglaries and the homes around them (see :mod:`cocoon.risk.victims`)."""
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    register: pd.DataFrame | None = None
    """Every household read (``household_id``, ``label``, ``dwellings`` and metric ``x``, ``y``), for
    what is made without the victims' homes: the volunteers' list (:mod:`cocoon.risk.volunteers`)."""
    _counts: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def privacy_rule(self) -> NearestRule:
        """The nearest-households rule for anything published or put up near these zones."""
        p = self.settings.privacy
        return NearestRule(
            homes=self.victims.homes, is_victim=self.victims.is_victim, k=p.k_nearest, min_distance=p.min_distance_m
        )

    @property
    def crs_label(self) -> str:
        return crs_label(self.crs)

    def counts(self) -> dict[str, Any]:
        """Burglaries per phase and households per tier and phase (computed once)."""
        if self._counts is None:
            phases = self.burglaries["phase"].value_counts()
            tiers = pd.Categorical(self.visits["tier"], categories=list("ABC")).codes.astype(np.int64)
            # compared as the column is (a categorical compares its codes), not as strings per household
            high = (self.visits["phase"] == HIGH).to_numpy(dtype=bool, na_value=False).astype(np.int64)
            grid = (
                np.bincount(tiers * 2 + (1 - high), minlength=6).reshape(3, 2)
                if len(self.visits)
                else np.zeros((3, 2), dtype=np.int64)
            )
            self._counts = {
                "burglaries": len(self.burglaries),
                "high": int(phases.get(HIGH, 0)),
                "elevated": int(phases.get(ELEVATED, 0)),
                "expired": int(phases.get(EXPIRED, 0)),
                "not_yet": int(phases.get(NOT_YET, 0)),
                "households": len(self.visits),
                "dwellings": int(self.visits["dwellings"].sum()) if len(self.visits) else 0,
                "excluded": int(self.excluded),
                "done": dict(self.done),
                "by_tier_phase": {
                    tier: {HIGH: int(grid[i, 0]), ELEVATED: int(grid[i, 1])} for i, tier in enumerate("ABC")
                },
            }
        return self._counts


def project(gdf: gpd.GeoDataFrame, crs: CRS, *, what: str) -> gpd.GeoDataFrame:
    """``gdf`` in the metric CRS; a GeoDataFrame without a CRS is refused."""
    if gdf.crs is None:
        raise InputError("input.no_crs", what=what)
    return gdf if CRS.from_user_input(gdf.crs).equals(crs) else gdf.to_crs(crs)


def make_plan(
    burglaries: gpd.GeoDataFrame,
    households: gpd.GeoDataFrame | HouseholdTable,
    *,
    on: dt.date,
    settings: Settings = Settings(),
    crs: CRS | None = None,
    exclude: Iterable[str] = (),
    done: Mapping[str, str] | None = None,
) -> Plan:
    """Zones active on ``on`` and every household within the radius of one, ranked.

    ``burglaries`` is a GeoDataFrame and ``households`` a GeoDataFrame or the columns the
    reader gives (:class:`~cocoon.inputs.households.HouseholdTable`, whose points are then never
    made), in any CRS; both are converted once to one metric CRS (``crs``, the settings' CRS,
    the burglaries' own metric CRS, SWEREF 99 TM in Sweden, or the local UTM zone).

    ``exclude`` (``--exclude``) and ``done`` (household id → the outcome that settled it, from the
    store) are left out of the list; the plan counts each apart.
    """
    if burglaries.crs is None:
        raise InputError("input.no_crs", what="burglaries")
    register = _register(households)
    if crs is None and settings.crs:
        crs = parse_crs(settings.crs, what="crs")
    h_bounds = register.lonlat_bounds()
    bounds = _union(lonlat_bounds(burglaries), h_bounds)
    metric = choose_metric_crs(bounds, requested=crs, native=CRS.from_user_input(burglaries.crs))
    _refuse_swapped_file(burglaries, h_bounds)

    b = project(burglaries, metric, what="burglaries")
    h = register.frame
    hxy = register.projected(metric)  # once: every step below uses them
    _refuse_far_apart(b, hxy, burglaries, register, radius_m=settings.zones.radius_m, check_pairs=False)
    windows = burglary_windows(b, on=on, zones=settings.zones)
    b = pd.concat([b, windows], axis=1)
    zones = active_zones(
        b[["burglary_id", "first_day", "last_day", "address", "note", "modus", "row", "geometry"]],
        on=on,
        zones=settings.zones,
    )
    active_points = b[b["phase"].isin([HIGH, ELEVATED])]
    model = model_from_settings(settings.model)
    history = None
    if model is not None:
        history = pd.DataFrame(
            {
                "x": b.geometry.x.to_numpy(),
                "y": b.geometry.y.to_numpy(),
                "burglary_id": b["burglary_id"].to_numpy(),
                "age_days": b["age_days"].to_numpy(),
            }
        )
    given = {str(i) for i in exclude}
    settled = {str(k): v for k, v in (done or {}).items()}
    ranking = rank_households(
        h,  # the ranking reads only its columns, and the places from household_xy
        active_points,
        ranking=settings.ranking,
        radius_m=settings.zones.radius_m,
        exclude=given | set(settled),
        model=model,
        history=history,
        household_xy=hxy,
    )
    visits = ranking.visits
    lon, lat = to_lonlat(visits["x"].to_numpy(), visits["y"].to_numpy(), metric)
    visits.insert(visits.columns.get_loc("x"), "lon", lon)
    visits.insert(visits.columns.get_loc("x"), "lat", lat)
    notes: list[tuple[str, dict[str, Any]]] = []
    if len(visits) == 0 and ranking.excluded == 0:
        _refuse_far_apart(b, hxy, burglaries, register, radius_m=settings.zones.radius_m, check_pairs=True)
    if len(zones) and len(visits) == 0:
        notes.append(("notes.no_households_in_zones", {}))
    if model is not None:
        notes.append(("notes.ranked_with_model", {"n": settings.model.fitted_burglaries}))
    everyone = pd.DataFrame(
        {
            "household_id": h["household_id"].array,  # as read: Arrow text stays Arrow text
            "label": h["label"].array if "label" in h else "",
            "dwellings": h["dwellings"].to_numpy() if "dwellings" in h else 1,
            "x": hxy[0],
            "y": hxy[1],
        }
    )
    return Plan(
        date=on,
        crs=metric,
        settings=settings,
        burglaries=b,
        zones=zones,
        outlines=merged_outlines(zones),
        visits=visits,
        excluded=sum(i in given for i in ranking.left_out),
        done=dict(Counter(settled[i] for i in ranking.left_out if i not in given)),
        burgled=ranking.burgled,
        victims=ranking.victims,
        notes=notes,
        register=everyone,
    )


@dataclass
class _Register:
    """The households as make_plan uses them: their columns, and x/y in their own CRS."""

    frame: pd.DataFrame
    x: np.ndarray
    y: np.ndarray
    crs: CRS
    source: str

    def lonlat_bounds(self) -> Bounds:
        """The longitude/latitude box around the households, as :func:`lonlat_bounds` gives it."""
        if len(self.x) == 0:
            return (0.0, 0.0, 0.0, 0.0)
        box = (float(np.nanmin(self.x)), float(np.nanmin(self.y)), float(np.nanmax(self.x)), float(np.nanmax(self.y)))
        if not self.crs.equals(WGS84):
            box = Transformer.from_crs(self.crs, WGS84, always_xy=True).transform_bounds(*box, densify_pts=21)
        return (float(box[0]), float(box[1]), float(box[2]), float(box[3]))

    def projected(self, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
        """x and y in ``crs``, transformed as :meth:`geopandas.GeoDataFrame.to_crs` does."""
        if self.crs.equals(crs):
            return np.asarray(self.x, dtype=float), np.asarray(self.y, dtype=float)
        x, y = Transformer.from_crs(self.crs, crs, always_xy=True).transform(self.x, self.y)
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _register(households: gpd.GeoDataFrame | HouseholdTable) -> _Register:
    """The households' columns and coordinates, without making points where the reader gave none."""
    if isinstance(households, HouseholdTable):
        return _Register(households.frame, households.x, households.y, households.crs, households.source)
    if households.crs is None:
        raise InputError("input.no_crs", what="households")
    return _Register(
        pd.DataFrame(households.drop(columns=households.geometry.name)),
        households.geometry.x.to_numpy(),
        households.geometry.y.to_numpy(),
        CRS.from_user_input(households.crs),
        households.attrs.get("source", "households"),
    )


def _union(*boxes: Bounds) -> Bounds:
    """The box around the boxes that are not empty (``(0, 0, 0, 0)``, as :func:`lonlat_bounds` gives for none)."""
    kept = [box for box in boxes if box != (0.0, 0.0, 0.0, 0.0)]
    if not kept:
        return (0.0, 0.0, 0.0, 0.0)
    arr = np.array(kept)
    return (float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()), float(arr[:, 3].max()))


FAR_APART_M = 50_000.0
"""Burglaries and households farther apart than this were read in different coordinate systems."""


def _refuse_far_apart(
    b: gpd.GeoDataFrame,
    hxy: tuple[np.ndarray, np.ndarray],
    burglaries: gpd.GeoDataFrame,
    households: _Register,
    *,
    radius_m: float,
    check_pairs: bool,
) -> None:
    """Stop when the two files cannot be of one area: more than 50 km apart, or (``check_pairs``)
    no burglary within the radius of any household (at ``hxy``, metric). Names the CRS each file
    was read in."""
    hx, hy = hxy
    if len(b) == 0 or len(hx) == 0:
        return
    bx, by = b.geometry.x.to_numpy(), b.geometry.y.to_numpy()
    gap_x = max(0.0, float(max(bx.min() - hx.max(), hx.min() - bx.max())))
    gap_y = max(0.0, float(max(by.min() - hy.max(), hy.min() - by.max())))
    apart = float(np.hypot(gap_x, gap_y))
    if apart <= FAR_APART_M and not check_pairs:
        return
    if apart <= FAR_APART_M:
        near = (
            (hx >= bx.min() - radius_m)
            & (hx <= bx.max() + radius_m)
            & (hy >= by.min() - radius_m)
            & (hy <= by.max() + radius_m)
        )
        if near.any():
            from scipy.spatial import cKDTree

            distance, _ = cKDTree(np.column_stack([hx[near], hy[near]])).query(
                np.column_stack([bx, by]), distance_upper_bound=radius_m
            )
            if np.isfinite(distance).any():
                return
    raise InputError(
        "input.far_apart",
        burglaries=burglaries.attrs.get("source", "burglaries"),
        households=households.source,
        burglaries_crs=crs_label(CRS.from_user_input(burglaries.crs)),
        households_crs=crs_label(households.crs),
        km=f"{apart / 1000:.0f}",
        radius=float(radius_m),
    )


def _refuse_swapped_file(burglaries: gpd.GeoDataFrame, hb: Bounds) -> None:
    """All burglaries far from every household, but near them with lat/lon swapped: a swapped file."""
    if len(burglaries) == 0 or hb == (0.0, 0.0, 0.0, 0.0) or not CRS.from_user_input(burglaries.crs).equals(WGS84):
        return
    pad = 0.5
    x = burglaries.geometry.x.to_numpy()
    y = burglaries.geometry.y.to_numpy()

    def inside(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        return (xs >= hb[0] - pad) & (xs <= hb[2] + pad) & (ys >= hb[1] - pad) & (ys <= hb[3] + pad)

    if not inside(x, y).any() and inside(y, x).mean() > 0.5:
        raise InputError("input.swapped_file", file=burglaries.attrs.get("source", "burglaries"))
