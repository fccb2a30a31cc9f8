"""Which column of an input file holds what, when the user names it (None: found by name)."""

from __future__ import annotations

from dataclasses import dataclass, field

HOUSEHOLD_ROLES = ("id", "label", "street", "number", "postcode", "dwellings", "building_type", "owner",
                   "building_id", "lon", "lat", "x", "y")
"""The household columns ``--household-column ROLE=NAME`` can name."""


@dataclass(frozen=True)
class CoordinateColumns:
    lon: str | None = None
    lat: str | None = None
    x: str | None = None
    y: str | None = None


@dataclass(frozen=True)
class BurglaryColumns:
    """Column names of a burglary file given by the user; None means "find it by its common names"."""

    id: str | None = None
    date: str | None = None
    time: str | None = None
    """A time of day in a column of its own, added to ``date``'s day."""
    date_from: str | None = None
    date_to: str | None = None
    address: str | None = None
    note: str | None = None
    modus: str | None = None
    coordinates: CoordinateColumns = field(default_factory=CoordinateColumns)


@dataclass(frozen=True)
class HouseholdColumns:
    """Column names of a household register given by the user."""

    id: str | None = None
    label: str | None = None
    street: str | None = None
    number: str | None = None
    postcode: str | None = None
    dwellings: str | None = None
    building_type: str | None = None
    owner: str | None = None
    building_id: str | None = None
    coordinates: CoordinateColumns = field(default_factory=CoordinateColumns)
