"""The fitted risk model: a background rate plus what each earlier burglary adds nearby.

A self-exciting model (Mohler et al. 2011) with a step-shaped triggering kernel::

    rate(x, t) = background + sum over earlier burglaries i of  w[k, j] / (area_k x days_j)

where ``k`` is the distance band that holds the distance from x to burglary i ("same place"
first, then rings out to the last bound) and ``j`` the time band that holds the days since it.
``w[k, j]`` reads as "follow-on burglaries per burglary, in this band": the model is fitted by
:mod:`cocoon.evidence.fitting`, which gives the numbers and how sure they are.

The time bands up to the zone window are **recent burglaries nearby**; the later ones are **this
place's own history** (same-address repeats months later, streets that are burgled year after
year). A household's score is today's rate at its address (a disc of ``same_place_m``) times
:data:`SCORE_DAYS` days, times 1,000, split into those two parts (:mod:`cocoon.risk.model_scores`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from cocoon.catalogue import number, text
from cocoon.settings import ModelSettings

DISTANCE_BANDS_M = (10.0, 50.0, 100.0, 200.0, 300.0, 400.0, 500.0, 1000.0)
"""Upper bounds of the distance bands, metres; the first is "same place"."""
TIME_BANDS_DAYS = (7, 14, 28, 56, 182, 365, 730)
"""Upper bounds of the time bands, days since the burglary (the first band starts at 1)."""
SCORE_DAYS = 30
"""A score is the burglaries expected at the address over this many days at today's rate, x 1,000."""


@dataclass(frozen=True)
class RiskModel:
    """A fitted model, ready to score (see the module text)."""

    distance_m: np.ndarray
    """Upper bounds of the distance bands, metres (the first: same place)."""
    days: np.ndarray
    """Upper bounds of the time bands, days."""
    weights: np.ndarray
    """Follow-on burglaries per burglary, per (distance band, time band)."""
    background_per_km2_day: float
    """Burglaries per km2 per day that no earlier burglary explains."""
    recent_days: int
    """Time bands ending at or before this many days are "recent"; later ones "history"."""

    @property
    def reach_m(self) -> float:
        return float(self.distance_m[-1])

    @property
    def memory_days(self) -> int:
        return int(self.days[-1])

    @property
    def same_place_m(self) -> float:
        return float(self.distance_m[0])

    def ring_areas(self) -> np.ndarray:
        """Area of each distance band, m2."""
        outer = np.pi * self.distance_m**2
        return np.diff(np.concatenate([[0.0], outer]))

    def band_days(self) -> np.ndarray:
        """Length of each time band, days."""
        return np.diff(np.concatenate([[0], self.days])).astype(float)

    def density(self) -> np.ndarray:
        """Burglaries per m2 per day that one burglary adds, per (distance band, time band)."""
        return np.asarray(self.weights / self.ring_areas()[:, None] / self.band_days()[None, :])

    def points(self) -> np.ndarray:
        """The score one burglary adds to an address (see :data:`SCORE_DAYS`), per (distance band,
        time band), with a last row of zeros for distances beyond the reach."""
        per_band = self.density() * self.address_m2 * SCORE_DAYS * 1000.0
        return np.vstack([per_band, np.zeros((1, len(self.days)))])

    def distance_bands(self, distance: np.ndarray) -> np.ndarray:
        """The distance band of each of ``distance`` (metres): how many band bounds lie below it,
        ``len(distance_m)`` beyond the reach. A few comparisons, cheaper than a sorted search."""
        band = np.zeros(len(distance), dtype=np.int8)
        for bound in self.distance_m:
            band += distance > bound
        return band

    def bands(self, distance: np.ndarray, age: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(distance band, time band, inside) for pairs at ``distance`` metres and ``age`` days
        (age >= 1: the same day never counts)."""
        distance, age = np.asarray(distance, dtype=float), np.asarray(age)
        k = np.searchsorted(self.distance_m, distance, side="left")
        j = np.searchsorted(self.days, age, side="left")
        inside = (k < len(self.distance_m)) & (j < len(self.days)) & (age >= 1)
        return np.minimum(k, len(self.distance_m) - 1), np.minimum(j, len(self.days) - 1), inside

    def recent_bands(self) -> np.ndarray:
        """True for the time bands counted as "recent burglaries nearby"."""
        return self.days <= self.recent_days

    @property
    def address_m2(self) -> float:
        """The area an address stands for: a disc of the same-place distance."""
        return float(np.pi * self.same_place_m**2)

    def to_settings(self, **details: float | int | str) -> ModelSettings:
        return ModelSettings(
            distance_m=tuple(map(float, self.distance_m)),
            days=tuple(map(int, self.days)),
            weights=tuple(tuple(float(f"{v:.6g}") for v in row) for row in self.weights),
            background_per_km2_day=float(f"{self.background_per_km2_day:.6g}"),
            recent_days=int(self.recent_days),
            **details,  # type: ignore[arg-type]
        )


def model_from_settings(settings: ModelSettings) -> RiskModel | None:
    """The fitted model a settings file holds, or None when it holds none."""
    if not settings.weights:
        return None
    return RiskModel(
        distance_m=np.asarray(settings.distance_m, dtype=float),
        days=np.asarray(settings.days, dtype=np.int64),
        weights=np.asarray(settings.weights, dtype=float),
        background_per_km2_day=settings.background_per_km2_day,
        recent_days=settings.recent_days,
    )


def band_names(distance_m: np.ndarray, lang: str) -> list[str]:
    """ "same place", "10–50 m", ...: the model's distance bands for people."""
    names = [text("calibrate.same_place", lang)]
    names += [f"{number(float(a), lang)}–{number(float(b), lang)} m" for a, b in itertools.pairwise(distance_m)]
    return names
