"""The embedded demo: real OpenStreetMap households and simulated burglaries.

Owns the demo areas (:mod:`~cocoon.demo.areas`) and the seeded near-repeat simulator
(:mod:`~cocoon.demo.simulate`). May import every library layer; only jobs and the CLI import it.
"""
