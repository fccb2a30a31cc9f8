"""Geometry that every stage shares: the one metric CRS, grids, walking distances, privacy.

Owns choosing and checking the metric CRS (:mod:`~cocoon.geo.crs`), the square grid of the
backtest (:mod:`~cocoon.geo.grid`), walking distances on the footpath network
(:mod:`~cocoon.geo.walking`) and moving published points away from victims' homes
(:mod:`~cocoon.geo.privacy`). May import :mod:`cocoon.errors` and :mod:`cocoon.settings`
only.
"""
