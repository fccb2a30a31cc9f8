"""Reading what the user gives: burglary files, household registers and OpenStreetMap extracts.

Owns opening input files (:mod:`~cocoon.inputs.tables`), finding columns by their common
names, reading numbers, dates and coordinates, and refusing unusable rows with the file, row
and column (:mod:`~cocoon.inputs.rejects`). It gives GeoDataFrames in the file's own CRS; the
metric CRS is chosen later. May import :mod:`cocoon.geo`, :mod:`cocoon.errors` and
:mod:`cocoon.settings`; never the risk model, the field pack, publishing or the store.
"""
