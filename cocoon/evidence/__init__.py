"""The evidence behind the defaults: the Knox test, what it says, and backtests.

Owns burglaries as events in metres and whole days (:mod:`~cocoon.evidence.events`), the
Knox test (:mod:`~cocoon.evidence.knox`), its verdict and the settings it suggests
(:mod:`~cocoon.evidence.verdict`), the baselines a targeting policy is compared with
(:mod:`~cocoon.evidence.baselines`) and the day-by-day scoring of a policy
(:mod:`~cocoon.evidence.scoring`). May import :mod:`cocoon.risk`, :mod:`cocoon.geo`,
:mod:`cocoon.errors` and :mod:`cocoon.settings`; no files, no printing.
"""
