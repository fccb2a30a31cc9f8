"""Turning results into files people open: CSV, GeoJSON, PDF, HTML pages, charts and maps.

Owns the one place where output files are written (:mod:`~cocoon.publish.files`), GeoJSON
(:mod:`~cocoon.publish.geojson`), a plan's files (:mod:`~cocoon.publish.plan_files`), PDF
pages (:mod:`~cocoon.publish.pdf`), HTML templates (:mod:`~cocoon.publish.html`), the Knox and
backtest reports (:mod:`~cocoon.publish.reports`), charts (:mod:`~cocoon.publish.charts`), the
internal and public maps (:mod:`~cocoon.publish.maps`), the field pack's printouts
(:mod:`~cocoon.publish.printouts`: visit lists, handout, sign poster) and phone files
(:mod:`~cocoon.publish.phone`: the officer's page, GPX, the visit form) and the delivery report
(:mod:`~cocoon.publish.status_report`). May import the layers below (store, evidence, risk,
inputs, geo); never the field pack, jobs or the CLI.
"""
