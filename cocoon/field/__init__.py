"""The officers' field work: walking routes, the volunteers' walks, sign sites, and writing the pack.

Owns the route solvers (:mod:`~cocoon.field.solver`), each officer's walk
(:mod:`~cocoon.field.walks`), the volunteers' walks (:mod:`~cocoon.field.volunteer_walks`), sign
sites (:mod:`~cocoon.field.signs`), property-owner notices (:mod:`~cocoon.field.property_owners`)
and writing the pack (:mod:`~cocoon.field.pack`), whose printouts and phone files are made in
:mod:`cocoon.publish.printouts` and :mod:`cocoon.publish.phone`. May import :mod:`cocoon.publish`
for its writers, :mod:`cocoon.store` for the outcome codes, and the layers below; never jobs or the CLI.
"""
