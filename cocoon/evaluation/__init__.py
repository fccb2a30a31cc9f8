"""Did cocooning work here? The evaluation of delivered cocooning against the burglaries that followed.

Owns the statistics of a comparison of zones (:mod:`~cocoon.evaluation.rates`: the exact
conditional rate ratio and the minimum detectable reduction; :mod:`~cocoon.evaluation.poisson`:
the Poisson model with a log household-days offset and cluster-robust errors;
:mod:`~cocoon.evaluation.balance`: standardised mean differences and propensity weights;
:mod:`~cocoon.evaluation.estimate`: the estimates, verdict and pitfalls of one design), the
episode table an analyst gives (:mod:`~cocoon.evaluation.episode_table`) and the episodes built
from a store's records (:mod:`~cocoon.evaluation.episodes`, :mod:`~cocoon.evaluation.dose`,
:mod:`~cocoon.evaluation.knox_change`). Pure functions on tables and plain values: no files, no
printing. May import :mod:`cocoon.store` (the delivery measures), :mod:`cocoon.evidence` (the Knox
test), :mod:`cocoon.inputs` (the table reader's problem list), :mod:`cocoon.geo`,
:mod:`cocoon.errors` and :mod:`cocoon.catalogue`.
"""
