"""The risk model: which zones are active on a day and which households to visit first.

Owns the zone windows (:mod:`~cocoon.risk.zones`), the weights of the ranking model
(:mod:`~cocoon.risk.weights`), the ranking itself (:mod:`~cocoon.risk.ranking`) and the daily
plan that ties them together (:mod:`~cocoon.risk.daily_plan`). Functions take and return
tables; nothing here reads or writes files. May import :mod:`cocoon.geo`,
:mod:`cocoon.errors` and :mod:`cocoon.settings`.
"""
