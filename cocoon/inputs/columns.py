"""Which column of an input file holds what, when the user names it (None: found by name)."""

from __future__ import annotations

from dataclasses import dataclass, field

HOUSEHOLD_ROLES = (
    "id",
    "label",
    "street",
    "number",
    "entrance",
    "postcode",
    "dwellings",
    "building_type",
    "owner",
    "building_id",
    "lon",
    "lat",
    "x",
    "y",
)
"""The household columns ``--household-column ROLE=NAME`` can name."""


@dataclass(frozen=True)
class CoordinateColumns:
    lon: str | None = None
    lat: str | None = None
    x: str | None = None
    y: str | None = None


@dataclass(frozen=True)
class BurglaryColumns:
    """How to read a burglary file, as the user said: column names (None means "find it by its common
    names"), the layer, and the choices that override the settings."""

    id: str | None = None
    date: str | None = None
    time: str | None = None
    """A time of day in a column of its own, added to ``date``'s day."""
    date_from: str | None = None
    date_to: str | None = None
    address: str | None = None
    note: str | None = None
    modus: str | None = None
    crime: str | None = None
    """The crime-type column (``--crime-column``); None: found by its common names."""
    coordinates: CoordinateColumns = field(default_factory=CoordinateColumns)
    layer: str | None = None
    """The layer of a GeoPackage (or other file of several layers) to read (``--layer``)."""
    date_order: str | None = None
    """``--date-order``: dmy, mdy or ymd; None: the setting ``inputs.date_order``."""
    attempts: str | None = None
    """``--attempts``: count or leave_out; None: the setting ``inputs.attempts``."""


@dataclass(frozen=True)
class HouseholdColumns:
    """Column names of a household register given by the user."""

    id: str | None = None
    label: str | None = None
    street: str | None = None
    number: str | None = None
    entrance: str | None = None
    """The entrance letter beside the house number (``Bokstav``, ``uppgång``): "5" and "B" are "5 B"."""
    postcode: str | None = None
    dwellings: str | None = None
    building_type: str | None = None
    owner: str | None = None
    building_id: str | None = None
    coordinates: CoordinateColumns = field(default_factory=CoordinateColumns)
    layer: str | None = None
    """The layer of a GeoPackage to read (``--household-layer``)."""
