"""What can happen at a door: the outcome codes of a visit."""

OUTCOMES = ("face", "nothome", "leaflet", "refused", "noaccess", "owner", "revisit", "kit", "watch")
"""Outcome codes, the same in every language; the catalogue has each one's letter
(``outcome_code.*``, printed on the lists) and words (``outcome.*``)."""
