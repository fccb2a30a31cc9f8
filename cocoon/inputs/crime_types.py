"""Which rows of a police export are residential burglaries, and which are attempts.

A police export often holds more than burglaries: bicycle thefts, vandalism, burglaries of
shops, cellars or garages. Only residential burglaries make near-repeat zones. When the file
has a crime-type column (``primary_type``, ``offense``, ``brottstyp``, ``brottskod``,
``rubricering``...), each row is read by the words of that column and of its qualifier
columns (``description``, ``location_description``, ``premise``...):

- a row is a burglary when it names one (burglary, break and enter, housebreaking, inbrott,
  bostadsinbrott, inbrottsstöld...), or holds one of the codes of ``inputs.burglary_codes``;
- it is residential when it names a home (residential, residence, dwelling, home, house,
  apartment, flat, villa, lägenhet, bostad, radhus, fritidshus...), or when no row of the
  file names any kind of place (a file of "Burglary" only);
- a row that names a place that is not a home (commercial, business, shop, office, school,
  garage, shed, cellar, attic, vehicle; källare, vind, förråd, garage, butik, kontor...) is
  not a residential burglary, whatever else it says. Swedish statistics count burglaries of
  cellars and attics apart from residential burglaries ("bostadsinbrott"; Brå's figures for
  2013 list 21,000 residential burglaries and, separately, 14,100 in cellars and attics), and
  the police describe theft in a garage, cellar or attic as not a burglary of the home
  (polisen.se, "Bostadsinbrott - lagar och fakta");
- an attempt names one (attempt, attempted, försök, inbrottsförsök) or holds one of the codes
  of ``inputs.attempt_codes``; ``inputs.attempts`` says whether attempts count.

The Swedish numeric crime codes (brottskoder) change from year to year (Brå, "Klassificering
av brott", new and removed codes every December), so none is built in: an agency whose export
has codes only names its codes for residential burglary in ``inputs.burglary_codes``. A file
whose crime column matches nothing is refused with the values it holds, never read as empty.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cocoon.errors import InputError
from cocoon.inputs.tables import RawTable, find_column
from cocoon.settings import InputSettings

CRIME_NAMES = (
    "crime_type",
    "primary_type",
    "offense",
    "offence",
    "offense_type",
    "offence_type",
    "offense_description",
    "offence_description",
    "offense_code",
    "offence_code",
    "crime",
    "crime_code",
    "crime_category",
    "category",
    "incident_type",
    "ucr_description",
    "nibrs_description",
    "brottstyp",
    "brottskod",
    "brottsrubricering",
    "rubricering",
    "brott",
    "brottsbeteckning",
    "handelsetyp",
    "typ_av_brott",
)
"""Columns that name the kind of crime; all of them that are present are read."""
QUALIFIER_NAMES = (
    "description",
    "crime_description",
    "location_description",
    "premise",
    "premises",
    "premise_type",
    "premise_description",
    "location_type",
    "place_type",
    "platstyp",
    "lokaltyp",
    "objekt",
    "objektstyp",
    "brottsplatstyp",
)
"""Columns that qualify the kind (the place, "ATTEMPT FORCIBLE ENTRY"); read only beside a crime column."""

# Words are matched on text folded to ASCII lower case ("Lägenhet" is "lagenhet"): English words
# as whole words (so that "house" is not found in "warehouse"), Swedish stems anywhere in a word,
# as Swedish writes compounds ("villainbrott", "inbrottsförsök").
_BURGLARY_WORDS = r"burglary|burglaries|burglar|burglarized|burgled|housebreaking|break[- ]?ins?|breaking|b&e|b & e"
_BURGLARY_STEMS = r"inbrott"
_HOME_WORDS = (
    r"residential|residence|residences|dwelling|dwellings|home|homes|house|houses|apartment|apartments|"
    r"flat|flats|condo|condominium|townhouse|bungalow|domestic"
)
_HOME_STEMS = r"bostad|bostader|lagenhet|villa|radhus|parhus|kedjehus|fritidshus|smahus|egnahem|hyreshus|flerfamiljshus"
_OTHER_WORDS = (
    r"commercial|business|businesses|shop|shops|store|stores|retail|office|offices|school|schools|"
    r"church|warehouse|factory|industrial|restaurant|bar|hotel|motel|garage|garages|shed|sheds|"
    r"outbuilding|barn|cellar|basement|attic|storage|vehicle|vehicles|car|cars|auto|automobile|boat|"
    r"bicycle|bike|construction|government|hospital|bank|nonresidential|non-residential|other structure"
)
_OTHER_STEMS = (
    r"kallare|vind|forrad|garage|butik|affar|kontor|skola|forskola|kyrka|lager|fabrik|industri|"
    r"restaurang|hotell|foretag|lokal|bil|fordon|bat|cykel|byggarbetsplats|bod|uthus|ladugard"
)
_ATTEMPT_WORDS = r"attempt|attempted|attempts|attempting"
_ATTEMPT_STEMS = r"forsok"


def _pattern(words: str, stems: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9])(?:{words})(?![a-z0-9])|{stems}")


BURGLARY = _pattern(_BURGLARY_WORDS, _BURGLARY_STEMS)
HOME = _pattern(_HOME_WORDS, _HOME_STEMS)
OTHER_PLACE = re.compile(rf"(?<![a-z0-9])(?:{_OTHER_WORDS})(?![a-z0-9])|(?<![a-z])(?:{_OTHER_STEMS})")
"""Swedish place stems begin a word or a compound's last part is not checked: "bil" must start a
word ("bilinbrott"), so that "mobil" or "automobil" in a note is not taken for a car."""
ATTEMPT = _pattern(_ATTEMPT_WORDS, _ATTEMPT_STEMS)


_NEGATED = re.compile(r"(?<![a-z])(?:ej|inte|utom|exkl|not|except|excluding|excl)(?![a-z])[^|;,()]*")
"""A negated part ("Inbrott i lägenhet, ej källare/vind", "not garage") names no place."""


def fold(value: object) -> str:
    """Lower case ASCII: accents dropped ("Försök" is "forsok")."""
    text = unicodedata.normalize("NFKD", str(value).casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


@dataclass
class CrimeTypes:
    """What the crime-type columns say of each row."""

    columns: list[str]
    keep: np.ndarray
    """Rows to read as burglaries."""
    reason: np.ndarray
    """Per row left out: the message key (``input.not_residential_burglary`` or ``input.attempt_left_out``)."""
    value: np.ndarray
    """Per row: the crime-type cells as given, joined with " | "."""
    attempts: int = 0
    """Attempts among the rows kept."""
    left_out: dict[str, int] = field(default_factory=dict)
    """Rows left out per kind (the value as given)."""

    def notes(self, file: str, attempts: str) -> list[tuple[str, dict[str, Any]]]:
        column = ", ".join(self.columns)
        out: list[tuple[str, dict[str, Any]]] = []
        if self.left_out:
            kinds = "; ".join(f"{kind} ({n})" for kind, n in sorted(self.left_out.items(), key=lambda kv: -kv[1]))
            out.append(
                (
                    "notes.crimes_left_out",
                    {"file": file, "column": column, "n": sum(self.left_out.values()), "kinds": kinds},
                )
            )
        if self.attempts and attempts == "count":
            out.append(("notes.attempts_counted", {"file": file, "column": column, "n": self.attempts}))
        return out


def crime_columns(table: RawTable, given: str | None) -> list[str]:
    """The crime-type column named by ``--crime-column``, else every common one present, with
    their qualifier columns; empty when the file has none."""
    if given:
        main = [find_column(table, given=given, candidates=(), option="--crime-column")]
    else:
        main = [find_column(table, given=None, candidates=(name,), option="--crime-column") for name in CRIME_NAMES]
    found = [c for c in dict.fromkeys(main) if c is not None]
    if not found:
        return []
    qualifiers = [
        find_column(table, given=None, candidates=(name,), option="--crime-column") for name in QUALIFIER_NAMES
    ]
    return found + [c for c in dict.fromkeys(qualifiers) if c is not None and c not in found]


def read_crime_types(table: RawTable, *, given: str | None, settings: InputSettings) -> CrimeTypes | None:
    """The rows that are residential burglaries, or None when the file has no crime-type column
    (or ``inputs.crime_types`` is "all"): then every row is taken as a burglary, as before."""
    if settings.crime_types == "all":
        return None
    columns = crime_columns(table, given)
    if not columns:
        return None
    frame = table.frame
    cells = [frame[c].astype(object).where(frame[c].notna(), "").astype(str).str.strip() for c in columns]
    joined = cells[0]
    for more in cells[1:]:
        joined = joined.str.cat(more, sep=" | ")
    joined = joined.str.replace(r"(?:\s*\|\s*)+$", "", regex=True).str.replace(r"^(?:\s*\|\s*)+", "", regex=True)
    codes, distinct = pd.factorize(joined)
    burglary_codes = {fold(c).strip() for c in settings.burglary_codes}
    attempt_codes = {fold(c).strip() for c in settings.attempt_codes}
    kinds = []
    for value, parts in zip(distinct, _distinct_parts(cells, codes, len(distinct)), strict=True):
        text = fold(value)
        plain = _NEGATED.sub(" ", text)
        coded = {fold(p).strip() for p in parts} & (burglary_codes | attempt_codes)
        kinds.append(
            (
                bool(BURGLARY.search(text)) or bool(coded),
                bool(HOME.search(plain)),
                bool(OTHER_PLACE.search(plain)),
                bool(ATTEMPT.search(text)) or bool(coded & attempt_codes),
            )
        )
    kind = np.array(kinds, dtype=bool).reshape(-1, 4)
    homes_named = bool(kind[:, 1].any())
    residential = kind[:, 0] & ~kind[:, 2] & (kind[:, 1] | (not homes_named))
    if not residential.any():
        seen = Counter(joined.tolist()).most_common(12)
        raise InputError(
            "input.no_residential_burglaries",
            file=table.name,
            column=", ".join(columns),
            values="; ".join(f"'{v}' ({n})" for v, n in seen),
        )
    attempt = kind[:, 3]
    row_residential = residential[codes]
    row_attempt = attempt[codes] & row_residential
    keep = row_residential & ~(row_attempt & (settings.attempts == "leave_out"))
    reason = np.full(len(frame), "", dtype=object)
    reason[~row_residential] = "input.not_residential_burglary"
    reason[row_attempt & ~keep] = "input.attempt_left_out"
    value = joined.to_numpy(dtype=object)
    left = Counter(value[~keep].tolist())
    return CrimeTypes(
        columns=columns,
        keep=keep,
        reason=reason,
        value=value,
        attempts=int((row_attempt & keep).sum()),
        left_out=dict(left),
    )


def _distinct_parts(cells: list[pd.Series], codes: np.ndarray, n: int) -> list[list[str]]:
    """For each distinct joined value, the cells it was made of (to compare with the codes)."""
    first = np.full(n, -1)
    seen = np.unique(codes, return_index=True)
    first[seen[0]] = seen[1]
    return [[str(c.iloc[i]) for c in cells] for i in first]


def left_out_records(table: RawTable, crimes: CrimeTypes, attempts: str) -> list[dict[str, Any]]:
    """One reject record per row left out, in the form of :meth:`Problems.records`."""
    column = ", ".join(crimes.columns)
    out = []
    for i in map(int, np.flatnonzero(~crimes.keep)):
        row = int(table.rows[i])
        value = str(crimes.value[i])
        out.append(
            {
                "index": i,
                "row": row,
                "column": column,
                "value": value,
                "key": str(crimes.reason[i]),
                "params": {"file": table.name, "row": row, "column": column, "value": value, "attempts": attempts},
            }
        )
    return out


def subset(table: RawTable, keep: np.ndarray) -> RawTable:
    """The rows of ``table`` in ``keep``, with their row numbers and geometry."""
    geometry = table.geometry[keep] if table.geometry is not None else None
    return RawTable(
        path=table.path,
        frame=table.frame[keep].reset_index(drop=True),
        rows=table.rows[keep],
        geometry=geometry.reset_index(drop=True) if geometry is not None else None,
        crs=table.crs,
        point_xy=(xy[0][keep], xy[1][keep], xy[2][keep]) if (xy := table.point_xy) is not None else None,
    )
