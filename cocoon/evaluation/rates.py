"""Two arms of zones compared by their follow-on burglaries per household-day.

**Exact conditional rate ratio.** With Poisson counts ``y1`` (treated) and ``y0`` (control) over
exposures ``e1`` and ``e0`` household-days, the treated count given the total ``n = y1 + y0``
is binomial: ``y1 | n ~ Bin(n, p)`` with ``p = RR e1 / (RR e1 + e0)``. The Clopper-Pearson
interval for ``p`` turns into an exact interval for the rate ratio ``RR = p / (1 - p) * e0 / e1``;
the p-value is the exact two-sided binomial test of ``p0 = e1 / (e1 + e0)`` (no difference),
twice the smaller tail, so that it is below 5 % exactly when the 95 % interval leaves out 1.

**Minimum detectable reduction** (80 % power, two-sided 5 %): the smallest reduction ``1 - RR``
for which ``|log RR| = (z_0.975 + z_0.8) * SE(log RR)``, with ``SE^2 = deff * (1 / mu1 + 1 / mu0)``,
``mu1 = rate * RR * e1`` and ``mu0 = rate * e0`` the expected follow-ons in each arm at the
pooled rate, and ``deff`` the design effect of the model's clustered errors (1 when the
follow-ons are independent Poisson counts). It says what reduction these data could have shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LEVEL = 0.95
POWER = 0.8
UNDERPOWERED_ABOVE = 0.5
"""Above this minimum detectable reduction (50 %) the data cannot tell a real effect from none."""


@dataclass(frozen=True)
class RateRatio:
    """Follow-ons per household-day in the treated arm over the control arm, with its interval."""

    rate_ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    treated_events: int
    control_events: int
    treated_exposure: float
    control_exposure: float

    @property
    def treated_rate(self) -> float:
        return self.treated_events / self.treated_exposure

    @property
    def control_rate(self) -> float:
        return self.control_events / self.control_exposure


def _to_ratio(p: float, e1: float, e0: float) -> float:
    return math.inf if p >= 1 else p / (1 - p) * e0 / e1


def clopper_pearson(x: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """The exact (Clopper-Pearson) interval for a binomial proportion: ``x`` of ``n``."""
    from scipy.stats import beta

    alpha = 1 - level
    low = 0.0 if x == 0 else float(beta.ppf(alpha / 2, x, n - x + 1))
    high = 1.0 if x == n else float(beta.ppf(1 - alpha / 2, x + 1, n - x))
    return low, high


def binomial_two_sided(x: int, n: int, p0: float) -> float:
    """The exact two-sided binomial test that matches the Clopper-Pearson interval: twice the
    smaller tail, ``min(1, 2 min(P(X <= x), P(X >= x)))`` when ``p0`` is true. The interval
    leaves ``p0`` out exactly when this is below ``1 - level``."""
    from scipy.stats import binom

    if n == 0:
        return 1.0
    lower = float(binom.cdf(x, n, p0))
    upper = float(binom.sf(x - 1, n, p0))
    return min(1.0, 2 * min(lower, upper))


def exact_rate_ratio(
    treated_events: int, treated_exposure: float, control_events: int, control_exposure: float, *, level: float = LEVEL
) -> RateRatio:
    """The rate ratio of treated over control with its exact conditional interval and p-value."""
    y1, y0, e1, e0 = int(treated_events), int(control_events), float(treated_exposure), float(control_exposure)
    if e1 <= 0 or e0 <= 0:
        raise ValueError("both arms need exposure above 0")
    n = y1 + y0
    if n == 0:
        return RateRatio(math.nan, 0.0, math.inf, 1.0, y1, y0, e1, e0)
    ratio = math.inf if y0 == 0 else (y1 / e1) / (y0 / e0)
    low, high = clopper_pearson(y1, n, level)
    p_value = binomial_two_sided(y1, n, e1 / (e1 + e0))
    return RateRatio(ratio, _to_ratio(low, e1, e0), _to_ratio(high, e1, e0), p_value, y1, y0, e1, e0)


def z_sum(level: float = LEVEL, power: float = POWER) -> float:
    """``z_(1 - alpha/2) + z_power``: 1.96 + 0.84 = 2.80 at 5 % and 80 %."""
    from scipy.stats import norm

    return float(norm.ppf(1 - (1 - level) / 2) + norm.ppf(power))


def minimum_detectable_reduction(
    rate: float,
    treated_exposure: float,
    control_exposure: float,
    *,
    design_effect: float = 1.0,
    level: float = LEVEL,
    power: float = POWER,
) -> float:
    """The smallest reduction (0..1) these exposures would detect with ``power`` at ``rate``
    follow-ons per household-day; 1.0 when not even a 100 % reduction could be told apart."""
    if not (rate > 0 and treated_exposure > 0 and control_exposure > 0) or not math.isfinite(design_effect):
        return 1.0
    z = z_sum(level, power)
    deff = max(design_effect, 1e-9)

    def gap(ratio: float) -> float:
        """Positive while ``ratio`` is too close to 1 to be detected."""
        se = math.sqrt(deff * (1 / (rate * ratio * treated_exposure) + 1 / (rate * control_exposure)))
        return z * se - math.log(1 / ratio)

    # The log-scale normal test loses power again as the ratio nears 0 (the treated arm's
    # expected count vanishes), so look for the largest detectable ratio from above.
    grid = [k / 1000 for k in range(1, 1000)]
    detectable = [r for r in grid if gap(r) <= 0]
    if not detectable:
        return 1.0
    low, high = detectable[-1], detectable[-1] + 0.001
    for _ in range(60):
        mid = (low + high) / 2
        if gap(mid) > 0:
            high = mid
        else:
            low = mid
    return 1.0 - low
