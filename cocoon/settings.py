"""All defaults in one typed place, overridable by a TOML settings file.

The same objects feed the library functions and the command-line defaults. A settings file
holds any subset of the sections below, for example::

    [zones]
    radius_m = 400
    high_days = 14
    elevated_days = 42

    [ranking]
    time_weights = [[7, 1.0], [14, 0.6], [56, 0.25]]

Unknown sections or keys are refused with a message naming the file and the key, so a typo
never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, get_type_hints

from cocoon.errors import SettingsError

SOLVERS = ("auto", "vroom", "ortools", "greedy")
"""The route solvers ``routes.solver`` and ``--solver`` can name (see :mod:`cocoon.field.solver`)."""
TAKE_DOWN = ("elevated", "high")
"""Which window's end ``signs.take_down`` names."""
CSV_DIALECTS = ("auto", "excel-sv", "plain")
"""How CSV files meant for people are written (see :mod:`cocoon.publish.spreadsheets`)."""
CRIME_TYPES = ("residential_burglary", "all")
"""Which rows of a burglary file with a crime-type column are read (``inputs.crime_types``)."""
ATTEMPTS = ("count", "leave_out")
"""Whether attempted burglaries count (``inputs.attempts``)."""
DATE_ORDERS = ("auto", "dmy", "mdy", "ymd")
"""How dates such as 03/04/2026 are read (``inputs.date_order``): decided by the data, or day,
month and year in the order named."""


@dataclass(frozen=True)
class ZoneSettings:
    """Where and how long risk is raised after a burglary."""

    radius_m: float = 500.0
    """Zone radius around each burglary, metres."""
    high_days: int = 14
    """Ages 0..high_days (days since the burglary) are the high-risk phase."""
    elevated_days: int = 42
    """The elevated phase follows for this many days; later the zone has expired."""

    @property
    def active_days(self) -> int:
        return self.high_days + self.elevated_days


@dataclass(frozen=True)
class RankingSettings:
    """The household risk model (see README, "How households are ranked")."""

    time_weights: tuple[tuple[float, float], ...] = ((7, 1.0), (14, 0.6), (56, 0.25))
    """(up to age in days, weight): week 1 highest, week 2 lower, weeks 3-8 low."""
    distance_weights: tuple[tuple[float, float], ...] = ((0, 1.0), (100, 0.7), (200, 0.4), (500, 0.05))
    """(distance m, weight) knots, linearly interpolated; the last weight holds beyond."""
    same_building: float = 2.0
    """Multiplier for the burgled building or entrance."""
    same_street_same_side: float = 1.5
    """Multiplier for the same street, same side (same house-number parity)."""
    same_street: float = 1.2
    """Multiplier for the same street, other or unknown side."""
    points: float = 100.0
    """Points for one burglary at distance 0 in week 1, before the street multiplier."""
    dwelling_exponent: float = 0.5
    """Priority = score x dwellings ** exponent: bigger entrances first, with diminishing weight."""
    tier_a_neighbours: int = 8
    """Tier A: this many nearest households around each burglary (victim +- 4 doors)..."""
    tier_a_max_m: float = 100.0
    """... but none farther than this."""
    tier_b_max_m: float = 200.0
    """Tier B: within this distance; tier C: the rest of the zone."""
    victim_match_m: float = 25.0
    """A household this close to a burglary (nearest one) is taken as the burgled address."""
    same_building_m: float = 10.0
    """Without building ids, households this close to the burgled address share its building."""


@dataclass(frozen=True)
class OsmSettings:
    """How households are made from an OpenStreetMap extract (see README)."""

    m2_per_dwelling: float = 70.0
    """Average floor area of one dwelling, m2."""
    usable_share: float = 0.8
    """Share of gross floor area (footprint x levels) that is dwellings."""
    apartment_levels: int = 4
    """Levels assumed for an apartment building whose levels are not tagged."""
    other_levels: int = 2
    """Levels assumed for other multi-dwelling buildings without a levels tag."""
    house_max_footprint_m2: float = 250.0
    """A generic residential building up to this footprint is one house (one dwelling)."""


@dataclass(frozen=True)
class RouteSettings:
    """Walking routes for the officers on duty (see README, "Walking routes")."""

    walking_speed_kmh: float = 4.5
    """Walking speed between doors."""
    detour_factor: float = 1.3
    """Without a walking network: straight-line distance × this."""
    minutes_per_stop: float = 5.0
    """Time at each door or entrance."""
    minutes_per_dwelling: float = 0.5
    """Extra time per dwelling behind the door (stairwells)."""
    hours: float = 2.0
    """Hours each officer has, walking and doors."""
    solver: str = "auto"
    """One of :data:`SOLVERS` (see README)."""
    solve_seconds: float = 5.0
    """Time limit for the solver."""
    max_stops: int = 1000
    """Only the best this many households are routed (tier A always)."""
    start_time: str = "10:00"
    """Clock time the walks start, for arrival times."""


@dataclass(frozen=True)
class SignSettings:
    """Where warning signs go up in each zone, and when they come down (see README, "Signs")."""

    sight_m: float = 60.0
    """A household within this distance of a sign can see it."""
    min_per_zone: int = 3
    """Fewest signs in a zone (fewer only when there are not enough sites)."""
    max_per_zone: int = 5
    """Most signs in a zone."""
    households_per_sign: int = 40
    """One sign per this many households in the zone, between the two limits above."""
    min_spacing_m: float = 100.0
    """No two signs closer than this."""
    take_down: str = "elevated"
    """Signs come down at the end of the "elevated" window (default) or of the "high" window."""


@dataclass(frozen=True)
class StoreSettings:
    """The local store of burglaries, plans, visits and signs (see README, "The store")."""

    path: str = ""
    """The store file (SQLite); --store on the command line wins. Empty: no store."""
    retention_days: int = 90
    """Personal data is kept this many days after the zone window ends; cocoon purge removes older."""


@dataclass(frozen=True)
class HandoutSettings:
    """What the handout and door hanger say about reaching the police."""

    area_name: str = ""
    """How the handout names the area ("Karhula"); empty: "your neighbourhood"."""
    police_phone: str = "114 14"
    """Non-emergency number (Sweden: 114 14)."""
    emergency_phone: str = "112"
    """Emergency number (Sweden and the EU: 112)."""
    website: str = "polisen.se"
    """Where to report and read more."""


@dataclass(frozen=True)
class PrivacySettings:
    """What keeps public maps and sign sites from leading to a victim (see README, "Privacy")."""

    k_nearest: int = 8
    """A published point or sign site never has a victim's home among its this many nearest households."""
    min_distance_m: float = 60.0
    """... nor closer than this, metres."""
    zone_cell_m: float = 250.0
    """Zone centres on the public map move to the centre of a grid cell this wide."""
    sign_cell_m: float = 100.0
    """Sign sites on the public map move to the centre of a grid cell this wide."""


@dataclass(frozen=True)
class LimitsSettings:
    """How much a calibrate or backtest run may take of the machine."""

    memory_gb: float = 0.0
    """Memory a run may use, in GB; 0: 70 % of the machine's memory. A run that would need more is
    refused before it starts, with the estimate."""


@dataclass(frozen=True)
class BacktestSettings:
    """How ``cocoon backtest`` measures areas and builds the baselines (see README, "Backtest")."""

    cell_m: float = 50.0
    """Grid cell size, metres: areas are counted in cells, and the baselines rank cells."""
    bj_max_cells: int = 8
    """Bowers-Johnson: an event adds nothing at this distance in cells or farther."""
    bj_max_weeks: int = 8
    """Bowers-Johnson: an event adds nothing at this age in whole weeks or older."""
    kde_days: int = 56
    """Kernel density: events of the last this many days count."""
    kde_bandwidth_m: float = 150.0
    """Kernel density: Gaussian bandwidth, metres (cut off at three bandwidths)."""
    hotspot_days: int = 365
    """Hotspot counts: events per cell over the last this many days."""


@dataclass(frozen=True)
class ModelSettings:
    """A risk model fitted by ``cocoon calibrate --write-settings`` (see README, "The fitted model").

    Empty (no weights): ``plan`` ranks with [ranking]'s published defaults instead."""

    distance_m: tuple[float, ...] = ()
    """Upper bounds of the distance bands, metres; the first band is "same place"."""
    days: tuple[int, ...] = ()
    """Upper bounds of the time bands, days since the burglary."""
    weights: tuple[tuple[float, ...], ...] = ()
    """Follow-on burglaries per burglary: one row per distance band, one value per time band."""
    background_per_km2_day: float = 0.0
    """Burglaries per km2 per day that no earlier burglary explains."""
    recent_days: int = 56
    """Time bands up to this many days are "recent burglaries nearby"; later ones "this place's history"."""
    fitted_burglaries: int = 0
    """How many burglaries the model was fitted on."""


@dataclass(frozen=True)
class InputSettings:
    """How burglary files are read (see README, "Input formats")."""

    crime_types: str = "residential_burglary"
    """With a crime-type column: "residential_burglary" reads only residential burglaries (other
    crimes are left out and listed), "all" reads every row."""
    attempts: str = "count"
    """Attempted burglaries: "count" (an attempt shows the same offenders at work nearby) or "leave_out"."""
    burglary_codes: tuple[str, ...] = ()
    """Crime codes (as in the file) that are residential burglaries, for exports with codes only."""
    attempt_codes: tuple[str, ...] = ()
    """Crime codes (as in the file) that are attempted residential burglaries."""
    date_order: str = "auto"
    """Dates like 03/04/2026: "auto" (decided by the data; refused when the data cannot decide and
    the order changes the plan), or "dmy", "mdy", "ymd"."""


@dataclass(frozen=True)
class TrialSettings:
    """How ``cocoon trial start`` lays out a randomised trial (see README, "A randomised trial")."""

    delay_days: int = 14
    """Days a burglary of the delayed arm waits before it is cocooned (14: after the high window)."""
    strata: tuple[str, ...] = ("area", "history")
    """What the allocation is stratified by: "area" (a grid cell) and "history" (the zone's burglaries
    in the 12 months before: none, 1-2, 3 or more)."""
    area_km: float = 2.0
    """Width of the grid cells of the area stratum, km."""
    per_stratum: int = 100
    """Places made for each stratum; a burglary beyond them is cocooned as usual and counted apart."""


@dataclass(frozen=True)
class Settings:
    """Every default of cocoon. Load with :func:`load_settings`; change with :func:`override`."""

    zones: ZoneSettings = field(default_factory=ZoneSettings)
    ranking: RankingSettings = field(default_factory=RankingSettings)
    osm: OsmSettings = field(default_factory=OsmSettings)
    routes: RouteSettings = field(default_factory=RouteSettings)
    signs: SignSettings = field(default_factory=SignSettings)
    handout: HandoutSettings = field(default_factory=HandoutSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    backtest: BacktestSettings = field(default_factory=BacktestSettings)
    limits: LimitsSettings = field(default_factory=LimitsSettings)
    model: ModelSettings = field(default_factory=ModelSettings)
    inputs: InputSettings = field(default_factory=InputSettings)
    trial: TrialSettings = field(default_factory=TrialSettings)
    crs: str | None = None
    """Metric CRS for all distances (e.g. "EPSG:3006"); None chooses one automatically."""
    language: str = "auto"
    """"sv", "en" or "auto" (from the system locale)."""
    csv_dialect: str = "auto"
    """CSV files for people: "excel-sv" (``;``, decimal comma, BOM, Swedish headings), "plain"
    (``,``, decimal point, column names), or "auto": excel-sv when the language is Swedish."""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    """Sections that other parts of cocoon own (for example [calibration]); kept as read."""


SECTIONS = {
    "zones": ZoneSettings,
    "ranking": RankingSettings,
    "osm": OsmSettings,
    "routes": RouteSettings,
    "signs": SignSettings,
    "handout": HandoutSettings,
    "store": StoreSettings,
    "privacy": PrivacySettings,
    "backtest": BacktestSettings,
    "limits": LimitsSettings,
    "model": ModelSettings,
    "inputs": InputSettings,
    "trial": TrialSettings,
}
#: Settings outside any section.
TOP_LEVEL = ("crs", "language", "csv_dialect")
#: Sections written by calibrate and read by other commands; kept in ``Settings.extra`` without checking here.
FOREIGN_SECTIONS = {"calibration"}
#: Earlier names of sections, still read: ``[leaflet]`` is now ``[handout]``.
RENAMED_SECTIONS = {"leaflet": "handout"}


def _coerce(value: Any, annotation: Any, where: str) -> Any:
    text = str(annotation)
    if text in ("tuple[tuple[float, ...], ...]", "tuple[float, ...]", "tuple[int, ...]", "tuple[str, ...]"):
        return _coerce_list(value, text, where)
    if text.startswith("tuple[tuple"):
        if not isinstance(value, list) or not all(
            isinstance(row, list) and len(row) == 2 and all(isinstance(v, (int, float)) for v in row) for row in value
        ):
            raise SettingsError("settings.bad_table", where=where)
        return tuple((float(a), float(b)) for a, b in value)
    if annotation is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SettingsError("settings.bad_number", where=where, value=value)
        return float(value)
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError("settings.bad_integer", where=where, value=value)
        return value
    if "str" in text:
        if value is not None and not isinstance(value, str):
            raise SettingsError("settings.bad_text", where=where, value=value)
        return value
    return value


def _coerce_list(value: Any, text: str, where: str) -> tuple[Any, ...]:
    """A list of numbers, or of rows of numbers (the fitted model's bands and weights), or of texts
    (codes: a number is taken as the text it is written as)."""
    if text == "tuple[str, ...]":
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
            raise SettingsError("settings.bad_text_list", where=where)
        return tuple(str(v) for v in value)
    if text == "tuple[tuple[float, ...], ...]":
        if not isinstance(value, list) or not all(
            isinstance(row, list) and all(_is_number(v) for v in row) for row in value
        ):
            raise SettingsError("settings.bad_matrix", where=where)
        return tuple(tuple(float(v) for v in row) for row in value)
    integer = text == "tuple[int, ...]"
    if not isinstance(value, list) or not all(
        (isinstance(v, int) and not isinstance(v, bool)) if integer else _is_number(v) for v in value
    ):
        raise SettingsError("settings.bad_list", where=where)
    return tuple(int(v) if integer else float(v) for v in value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _section(cls: type, values: dict[str, Any], source: str, name: str) -> Any:
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    kwargs = {}
    for key, value in values.items():
        if key not in known:
            raise SettingsError(
                "settings.unknown_key", file=source, key=f"{name}.{key}", known=", ".join(sorted(known))
            )
        kwargs[key] = _coerce(value, hints[key], f"{source}: {name}.{key}")
    return cls(**kwargs)


def settings_from_dict(data: dict[str, Any], source: str = "settings") -> Settings:
    """Build settings from a parsed TOML table, checking every section and key."""
    parts: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for old, new in RENAMED_SECTIONS.items():
        if old in data:
            if new in data:
                raise SettingsError("settings.renamed_twice", file=source, old=old, new=new)
            data = {(new if k == old else k): v for k, v in data.items()}
    for key, value in data.items():
        if key in SECTIONS:
            if not isinstance(value, dict):
                raise SettingsError("settings.not_a_section", file=source, key=key)
            parts[key] = _section(SECTIONS[key], value, source, key)
        elif key in TOP_LEVEL:
            parts[key] = _coerce(value, str, f"{source}: {key}")
        elif key in FOREIGN_SECTIONS:
            extra[key] = value
        else:
            known = ", ".join(sorted([*SECTIONS, *TOP_LEVEL, *FOREIGN_SECTIONS]))
            raise SettingsError("settings.unknown_key", file=source, key=key, known=known)
    result = Settings(**parts, extra=extra)
    validate(result, source)
    return result


def load_settings(path: str | Path | None) -> Settings:
    """Defaults, overridden by the TOML file at ``path`` when given."""
    if path is None:
        return Settings()
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SettingsError("settings.missing", file=str(path)) from None
    except OSError as exc:
        raise SettingsError("settings.unreadable", file=str(path), reason=exc.strerror or str(exc)) from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError("settings.not_toml", file=str(path), reason=str(exc)) from None
    except RecursionError:  # arrays or inline tables nested thousands deep: no settings file looks like that
        raise SettingsError("settings.too_deep", file=str(path)) from None
    return settings_from_dict(data, str(path))


def override(settings: Settings, names: Mapping[str, str] | None = None, **changes: Any) -> Settings:
    """A copy with dotted changes applied, e.g. ``override(s, **{"zones.radius_m": 400})``.

    ``None`` values are ignored, so command-line options that were not given change nothing.
    ``names`` maps settings to the options that set them, so errors name the option.
    """
    result = settings
    for dotted, value in changes.items():
        if value is None:
            continue
        section, _, key = dotted.partition(".")
        if key:
            result = replace(result, **{section: replace(getattr(result, section), **{key: value})})
        else:
            result = replace(result, **{section: value})
    validate(result, "options", names=names)
    return result


POSITIVE = (
    "trial.area_km",
    "trial.per_stratum",
    "zones.radius_m",
    "routes.walking_speed_kmh",
    "routes.detour_factor",
    "routes.solve_seconds",
    "routes.max_stops",
    "routes.hours",
    "signs.sight_m",
    "signs.households_per_sign",
    "signs.max_per_zone",
    "backtest.cell_m",
    "backtest.kde_bandwidth_m",
    "backtest.bj_max_cells",
    "backtest.bj_max_weeks",
    "backtest.kde_days",
    "backtest.hotspot_days",
    "privacy.k_nearest",
    "privacy.zone_cell_m",
    "privacy.sign_cell_m",
    "osm.m2_per_dwelling",
    "osm.usable_share",
    "osm.apartment_levels",
    "osm.other_levels",
    "osm.house_max_footprint_m2",
    "ranking.points",
)
"""Settings that must be greater than 0."""
NOT_NEGATIVE = (
    "zones.high_days",
    "zones.elevated_days",
    "ranking.tier_a_max_m",
    "ranking.tier_b_max_m",
    "ranking.victim_match_m",
    "ranking.same_building_m",
    "ranking.tier_a_neighbours",
    "ranking.dwelling_exponent",
    "routes.minutes_per_stop",
    "routes.minutes_per_dwelling",
    "signs.min_per_zone",
    "signs.min_spacing_m",
    "store.retention_days",
    "privacy.min_distance_m",
    "limits.memory_gb",
    "trial.delay_days",
)
"""Settings that may be 0 but not less."""
AT_LEAST_ONE = ("ranking.same_building", "ranking.same_street_same_side", "ranking.same_street", "routes.detour_factor")
"""Multipliers that raise, never lower: 1 or more."""
LIMITS = {
    "trial.delay_days": 365,
    "trial.per_stratum": 100_000,
    "trial.area_km": 1000,
    "zones.radius_m": 5000,
    "zones.high_days": 365,
    "zones.elevated_days": 365,
    "routes.hours": 24,
    "routes.minutes_per_stop": 240,
    "routes.minutes_per_dwelling": 60,
    "routes.solve_seconds": 3600,
    "routes.walking_speed_kmh": 30,
    "routes.detour_factor": 10,
    "routes.max_stops": 100_000,
    "ranking.tier_a_max_m": 5000,
    "ranking.tier_b_max_m": 5000,
    "ranking.victim_match_m": 1000,
    "ranking.same_building_m": 1000,
    "ranking.tier_a_neighbours": 1000,
    "ranking.dwelling_exponent": 2,
    "signs.sight_m": 5000,
    "signs.min_spacing_m": 5000,
    "signs.max_per_zone": 100,
    "signs.households_per_sign": 100_000,
    "osm.usable_share": 1,
    "osm.apartment_levels": 200,
    "osm.other_levels": 200,
    "store.retention_days": 36_500,
    "privacy.k_nearest": 1000,
    "privacy.min_distance_m": 5000,
    "privacy.zone_cell_m": 5000,
    "privacy.sign_cell_m": 5000,
    "backtest.cell_m": 5000,
    "backtest.kde_bandwidth_m": 5000,
    "backtest.bj_max_cells": 1000,
    "backtest.bj_max_weeks": 520,
    "backtest.kde_days": 3650,
    "backtest.hotspot_days": 3650,
    "limits.memory_gb": 100_000,
}
"""Largest sensible values: anything beyond is a typo or a unit mistake (5 km, a year of zone...)."""
MAX_WINDOW_DAYS = 365
"""High-risk and elevated days together at most this long."""
CHOICES = {
    "routes.solver": SOLVERS,
    "signs.take_down": TAKE_DOWN,
    "csv_dialect": CSV_DIALECTS,
    "inputs.crime_types": CRIME_TYPES,
    "inputs.attempts": ATTEMPTS,
    "inputs.date_order": DATE_ORDERS,
}
"""Settings that must be one of a few words."""
WEIGHT_TABLES = ("ranking.time_weights", "ranking.distance_weights")
"""Settings that are [bound, weight] rows with increasing bounds and weights of 0 or more."""
CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
"""A clock time, HH:MM or HH:MM:SS (``routes.start_time``)."""


def parse_clock(text: str, where: str = "routes.start_time") -> dt.time:
    """A clock time ``HH:MM`` (or ``HH:MM:SS``); ``where`` names the option or setting it came from."""
    match = CLOCK.fullmatch(str(text).strip())
    if match:
        hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
        if hour < 24 and minute < 60 and second < 60:
            return dt.time(hour, minute, second)
    raise SettingsError("routes.bad_start_time", where=where, value=text)


def value_of(settings: Settings, dotted: str) -> Any:
    """The value of a dotted setting name, e.g. ``value_of(s, "zones.radius_m")``."""
    section, _, key = dotted.partition(".")
    return getattr(getattr(settings, section), key) if key else getattr(settings, section)


def validate(settings: Settings, source: str, *, names: Mapping[str, str] | None = None) -> None:
    """Refuse values that make no sense (negative radius, unsorted weight tables, 50 km zones...).

    Errors name ``source`` and the setting ("settings.toml: zones.radius_m"), or the option that
    set it when ``names`` maps the setting to one ("--radius")."""

    def where(dotted: str) -> str:
        return names[dotted] if names and dotted in names else f"{source}: {dotted}"

    _check_numbers(settings, where)
    parse_clock(settings.routes.start_time, where("routes.start_time"))
    if settings.zones.active_days > MAX_WINDOW_DAYS:
        raise SettingsError(
            "settings.window_too_long",
            where=where("zones.elevated_days"),
            days=settings.zones.active_days,
            limit=MAX_WINDOW_DAYS,
        )
    if settings.signs.min_per_zone > settings.signs.max_per_zone:
        raise SettingsError(
            "settings.min_above_max",
            where=where("signs.min_per_zone"),
            low=settings.signs.min_per_zone,
            high=settings.signs.max_per_zone,
        )
    for dotted, choices in CHOICES.items():
        if value_of(settings, dotted) not in choices:
            raise SettingsError(
                "settings.bad_choice", where=where(dotted), value=value_of(settings, dotted), choices=", ".join(choices)
            )
    if not _model_ok(settings.model):
        raise SettingsError("settings.bad_model", where=where("model.weights"))
    for dotted in WEIGHT_TABLES:
        table = value_of(settings, dotted)
        if not table:
            raise SettingsError("settings.bad_table", where=where(dotted))
        if not all(math.isfinite(v) for row in table for v in row):
            raise SettingsError("settings.must_be_finite", where=where(dotted), value=list(table))
        bounds = [a for a, _ in table]
        if any(b <= a for a, b in itertools.pairwise(bounds)) or any(w < 0 for _, w in table):
            raise SettingsError("settings.table_order", where=where(dotted))


def _model_ok(model: ModelSettings) -> bool:
    """An empty model, or bands that increase from above 0 and a weight for every pair of bands."""
    if not model.weights and not model.distance_m and not model.days:
        return True
    values = [*model.distance_m, *model.days, *(v for row in model.weights for v in row), model.background_per_km2_day]
    return (
        len(model.weights) == len(model.distance_m) > 0
        and len(model.days) > 0
        and all(len(row) == len(model.days) for row in model.weights)
        and all(math.isfinite(v) and v >= 0 for v in values)
        and model.distance_m[0] > 0
        and model.days[0] >= 1
        and all(b > a for a, b in itertools.pairwise(model.distance_m))
        and all(b > a for a, b in itertools.pairwise(model.days))
    )


def _check_numbers(settings: Settings, where: Callable[[str], str]) -> None:
    """Every number finite, and within its lower and upper limits."""
    rules: list[tuple[tuple[str, ...], Callable[[float], bool], str]] = [
        ((*POSITIVE, *NOT_NEGATIVE, *AT_LEAST_ONE, *LIMITS), math.isfinite, "settings.must_be_finite"),
        (POSITIVE, lambda v: v > 0, "settings.must_be_positive"),
        (NOT_NEGATIVE, lambda v: v >= 0, "settings.must_not_be_negative"),
        (AT_LEAST_ONE, lambda v: v >= 1, "settings.at_least_one"),
    ]
    for names, ok, key in rules:
        for dotted in names:
            value = value_of(settings, dotted)
            if not ok(value):
                raise SettingsError(key, where=where(dotted), value=value)
    for dotted, limit in LIMITS.items():
        if value_of(settings, dotted) > limit:
            raise SettingsError(
                "settings.too_large", where=where(dotted), value=value_of(settings, dotted), limit=limit
            )


def settings_toml(
    settings: Settings, *, comment: list[str] | tuple[str, ...] = (), sections: dict[str, Any] | None = None
) -> str:
    """A settings file that :func:`load_settings` reads back to ``settings`` (plus ``sections``,
    which must be among the sections other commands own, such as [calibration]).

    Written by hand rather than with a TOML library so that weight tables stay one row per line."""
    data: dict[str, Any] = {}
    if settings.crs:
        data["crs"] = settings.crs
    if settings.language != "auto":
        data["language"] = settings.language
    if settings.csv_dialect != "auto":
        data["csv_dialect"] = settings.csv_dialect
    for name in SECTIONS:
        if name == "model" and not settings.model.weights:
            continue  # no fitted model: nothing to say
        values = dataclasses.asdict(getattr(settings, name))
        data[name] = {
            k: [list(row) if isinstance(row, (tuple, list)) else row for row in v]
            if isinstance(v, (tuple, list))
            else v
            for k, v in values.items()
        }
    data.update(sections or {})
    lines = [f"# {line}" for line in comment]
    lines += [f"{key} = {_toml_value(value)}" for key, value in data.items() if not isinstance(value, dict)]
    for name, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{name}]"]
            lines += [f"{key} = {_toml_value(value)}" for key, value in table.items() if value is not None]
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if (
        isinstance(value, (list, tuple))
        and value
        and all(isinstance(row, (list, tuple)) and len(row) > 2 for row in value)
    ):
        # a matrix (the fitted model's weights): one row per line
        return "[\n" + "".join(f"    {_toml_value(row)},\n" for row in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else "nan" if math.isnan(value) else repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def as_dict(settings: Settings) -> dict[str, Any]:
    """Plain values, for writing next to outputs (what exactly was used)."""
    data = dataclasses.asdict(settings)
    data.pop("extra", None)
    return data
