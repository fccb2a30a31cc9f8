"""The officers' field pack: walking routes, visit lists, the handout, signs and notices.

Owns the route solvers (:mod:`~cocoon.field.solver`), each officer's walk
(:mod:`~cocoon.field.walks`), sign sites (:mod:`~cocoon.field.signs`), the printed visit
lists (:mod:`~cocoon.field.visit_lists`), the handout and door hanger
(:mod:`~cocoon.field.handout`), the sign poster (:mod:`~cocoon.field.sign_poster`), GPX
(:mod:`~cocoon.field.gpx`), property-owner notices (:mod:`~cocoon.field.property_owners`) and
writing the pack (:mod:`~cocoon.field.pack`). May import :mod:`cocoon.publish` for its writers,
:mod:`cocoon.store` for the outcome codes, and the layers below; never jobs or the CLI.
"""
