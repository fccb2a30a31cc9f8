"""What was done, kept in one SQLite file: burglaries, plans, visits, signs and an audit log.

Owns opening and checking the file (:mod:`~cocoon.store.database`), the queries that read and
write it (:mod:`~cocoon.store.queries`), visit records read from filled lists
(:mod:`~cocoon.store.visit_records`) and the delivery measures (:mod:`~cocoon.store.delivery`).
May import :mod:`cocoon.inputs` (to read visit files), :mod:`cocoon.errors`,
:mod:`cocoon.catalogue` and :mod:`cocoon.settings`.
"""
