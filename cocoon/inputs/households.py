"""The household register in: one point per address or entrance, with its number of dwellings.

From a file (CSV, GeoJSON, GeoPackage, (Geo)Parquet) with an id and coordinates, and
optionally label/address, street, number, postcode, dwellings, building type, property owner
and building id; or from an OpenStreetMap extract (``.osm.pbf``, see :mod:`cocoon.inputs.osm`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pyproj import CRS

from cocoon.errors import InputError
from cocoon.geo.crs import to_lonlat
from cocoon.inputs.columns import HouseholdColumns
from cocoon.inputs.osm import households_from_osm
from cocoon.inputs.points import Points, read_points
from cocoon.inputs.rejects import Problems, refuse_duplicate_ids
from cocoon.inputs.stable_ids import has_repeats, id_keys, stable_household_ids
from cocoon.inputs.tables import (
    STR,
    RawTable,
    as_arrow_text,
    blank_text,
    find_column,
    own_headers,
    read_table,
    suffix_of,
    text_column,
    to_numbers,
)
from cocoon.settings import OsmSettings

if TYPE_CHECKING:
    import geopandas as gpd

ID_NAMES = (
    "household_id",
    "hushalls_id",
    "hushall_id",
    "household",
    "dwelling_id",
    "lagenhets_id",
    "lgh_id",
    "bostads_id",
    "id",
    "address_id",
    "adress_id",
    "entrance_id",
    "stop_id",
    "objekt_id",
    "fid",
    "uuid",
)
"""Compared without case, accents, spaces, dashes or underscores: "Hushålls-ID" and "HushållsID"
are ``hushalls_id``."""
LABEL_NAMES = ("label", "address", "adress", "full_address", "gatuadress", "name", "namn")
STREET_NAMES = ("street", "gata", "gatunamn", "street_name", "addr:street", "addr_street")
NUMBER_NAMES = (
    "number",
    "house_number",
    "housenumber",
    "nummer",
    "gatunummer",
    "addr:housenumber",
    "addr_housenumber",
    "nr",
)
ENTRANCE_NAMES = (
    "entrance",
    "entrance_letter",
    "letter",
    "bokstav",
    "husbokstav",
    "uppgang",
    "uppgangsbokstav",
    "trappuppgang",
    "trapphus",
    "port",
    "house_letter",
    "addr:unit",
)
"""The entrance letter of a house number, in a column of its own (Swedish registers: ``Bokstav``)."""
POSTCODE_NAMES = ("postcode", "postal_code", "zip", "zipcode", "postnummer", "postnr", "addr:postcode")
DWELLING_NAMES = (
    "dwellings",
    "units",
    "households",
    "flats",
    "apartments",
    "lagenheter",
    "antal_lagenheter",
    "antal_lgh",
    "lgh",
    "bostader",
    "hushall",
)
TYPE_NAMES = ("building_type", "type", "byggnadstyp", "hustyp", "building")
OWNER_NAMES = ("owner", "property_owner", "landlord", "fastighetsagare", "agare", "hyresvard", "brf", "operator")
BUILDING_NAMES = ("building_id", "byggnad_id", "byggnads_id", "building")

MAX_DWELLINGS = 10_000
"""More dwellings than this behind one door is a typing mistake."""
COLUMNS = [
    "household_id",
    "label",
    "street",
    "number",
    "postcode",
    "dwellings",
    "building_type",
    "owner",
    "building_id",
]


@dataclass
class HouseholdTable:
    """The households read, as columns: what each is (:data:`COLUMNS`) and where (``x``, ``y``
    in ``crs``, the file's CRS). The GeoDataFrame is made only when asked for (:attr:`households`)."""

    frame: pd.DataFrame
    """One row per household, columns :data:`COLUMNS`."""
    x: np.ndarray
    y: np.ndarray
    crs: CRS
    rejects: pd.DataFrame
    source: str
    columns: dict[str, str]
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    shapes: np.ndarray | None = None
    """The households' own point geometries when the file had them as shapely points; else
    :attr:`households` makes them from ``x`` and ``y``."""

    @cached_property
    def households(self) -> gpd.GeoDataFrame:
        """GeoDataFrame in the source CRS, columns :data:`COLUMNS` + geometry (made once, on first use)."""
        import geopandas as gpd

        geometry = self.shapes if self.shapes is not None else gpd.points_from_xy(self.x, self.y)
        households = gpd.GeoDataFrame(self.frame, geometry=geometry, crs=self.crs)
        households.attrs["source"] = self.source
        return households


def read_households(
    path: str | Path,
    *,
    columns: HouseholdColumns = HouseholdColumns(),
    crs: CRS | None = None,
    skip_bad_rows: bool = False,
    osm: OsmSettings = OsmSettings(),
    lang: str = "en",
) -> HouseholdTable:
    """Read a household register, or make one from an OpenStreetMap extract."""
    path = Path(path)
    if suffix_of(path) == ".osm.pbf":
        gdf = households_from_osm(path, settings=osm, lang=lang)
        return HouseholdTable(
            frame=pd.DataFrame(gdf[COLUMNS]),
            x=gdf.geometry.x.to_numpy(),
            y=gdf.geometry.y.to_numpy(),
            crs=CRS.from_user_input(gdf.crs),
            rejects=pd.DataFrame(),
            source=str(path),
            columns={"osm": str(path)},
            notes=[("notes.households_from_osm", {"file": str(path)})],
            shapes=np.asarray(gdf.geometry.values, dtype=object),
        )
    return households_from_table(
        read_table(path, layer=columns.layer, option="--household-layer"),
        columns=columns,
        crs=crs,
        skip_bad_rows=skip_bad_rows,
    )


def households_from_table(
    table: RawTable,
    *,
    columns: HouseholdColumns = HouseholdColumns(),
    crs: CRS | None = None,
    skip_bad_rows: bool = False,
) -> HouseholdTable:
    frame = table.frame
    if len(frame) == 0:
        raise InputError("input.no_rows", file=table.name)
    problems = Problems(table)
    notes: list[tuple[str, dict[str, Any]]] = list(table.notes)  # what reading the file said (UTF-16...)
    used: dict[str, str] = {}
    n = len(frame)

    def optional(name: str, given: str | None, candidates: tuple[str, ...]) -> pd.Series:
        column = find_column(table, given=given, candidates=candidates, option=f"--household-column {name}=...")
        if column is None or (given is None and column in used.values()):
            return blank_text(frame.index)
        used[name] = column
        return text_column(frame[column])

    id_c = find_column(table, given=columns.id, candidates=ID_NAMES, option="--household-column id=...")
    if id_c:
        used["id"] = id_c
        ids, keys = id_keys(text_column(frame[id_c]))  # "H1", "h1" and "H1" with a zero-width space are one
        problems.add(ids.isna().to_numpy(), column=id_c, key="input.no_id")

    points = read_points(
        table,
        problems,
        columns=columns.coordinates,
        crs=crs,
        options={**{k: f"--household-column {k}=..." for k in ("lon", "lat", "x", "y")}, "crs": "--household-crs"},
    )
    used["x"], used["y"] = points.columns

    dwell_c = find_column(
        table, given=columns.dwellings, candidates=DWELLING_NAMES, option="--household-column dwellings=..."
    )
    if dwell_c:
        used["dwellings"] = dwell_c
        values, unreadable = to_numbers(frame[dwell_c])
        blank = np.isnan(values) & ~unreadable
        given = ~np.isnan(values)
        with np.errstate(invalid="ignore"):
            bad = unreadable | (
                given & (~np.isfinite(values) | (values < 1) | (values > MAX_DWELLINGS) | (values != np.round(values)))
            )
        problems.add(bad, column=dwell_c, key="input.bad_dwellings", values=frame[dwell_c])
        dwellings = np.where(blank | bad, 1, values).astype(np.int64)
    else:
        dwellings = np.ones(n, dtype=np.int64)

    street = optional("street", columns.street, STREET_NAMES)
    number = with_entrance(
        optional("number", columns.number, NUMBER_NAMES), optional("entrance", columns.entrance, ENTRANCE_NAMES)
    )
    if "street" in used and (missing := int(number.isna().sum())):
        notes.append(
            (
                "notes.house_numbers_missing",
                {"file": table.name, "n": missing, "total": n, "column": used.get("number", "-")},
            )
        )
    label = optional("label", columns.label, LABEL_NAMES)
    postcode = optional("postcode", columns.postcode, POSTCODE_NAMES)
    if not id_c:
        ids = _ids_from_address(table, problems, points, street=street, number=number, postcode=postcode, label=label)
        notes.append(("notes.household_ids_made", {"file": table.name}))
    label = fill_labels(label, street, number, ids)
    data = pd.DataFrame(  # the text stays in Arrow (STR): no Python string is made per cell
        {
            "household_id": ids.array,
            "label": label.array,
            "street": street.array,
            "number": number.array,
            "postcode": postcode.array,
            "dwellings": dwellings,
            "building_type": optional("building_type", columns.building_type, TYPE_NAMES).array,
            "owner": optional("owner", columns.owner, OWNER_NAMES).array,
            "building_id": optional("building_id", columns.building_id, BUILDING_NAMES).array,
        }
    )

    rejects = problems.settle(skip_bad_rows=skip_bad_rows)
    good = ~problems.bad
    if id_c and has_repeats(keys):
        refuse_duplicate_ids(table, keys, good, id_c, shown=data["household_id"])
    data = data[good].reset_index(drop=True)
    assert points.crs is not None  # households' x/y always need a CRS (read_points refuses them without)
    return HouseholdTable(
        frame=data,
        x=points.x[good],
        y=points.y[good],
        crs=points.crs,
        rejects=rejects,
        source=table.name,
        columns=used,
        notes=notes,
        shapes=None if points.source_points is None else np.asarray(points.source_points[good]),
    )


def _ids_from_address(
    table: RawTable,
    problems: Problems,
    points: Points,
    *,
    street: pd.Series,
    number: pd.Series,
    postcode: pd.Series,
    label: pd.Series,
) -> pd.Series:
    """Stable ids for a register without an id column; rows repeated in every cell are problems."""
    lon, lat = (points.x, points.y) if points.crs is None else to_lonlat(points.x, points.y, points.crs)
    made = stable_household_ids(
        street=street, number=number, postcode=postcode, label=label, lon=lon, lat=lat, rows=table.frame
    )
    problems.add(
        made.repeats >= 0, column="", key="input.repeated_household", values=lambda i: str(table.rows[made.repeats[i]])
    )
    return pd.Series(made.ids.to_numpy(), index=made.ids.index, dtype=STR)


def with_entrance(number: pd.Series, entrance: pd.Series) -> pd.Series:
    """House numbers with their entrance letters: "5" and "B" are "5 B"; a letter the number
    already ends with ("5B" and "B") is not added twice. Text in :data:`STR`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    has = entrance.notna().to_numpy() & number.notna().to_numpy()
    if not has.any():
        return number
    numbers = as_arrow_text(number).combine_chunks()
    mask = pa.array(has)
    letters = pc.filter(as_arrow_text(entrance), mask).to_pylist()
    joined = [
        value
        if value.replace(" ", "").upper().endswith(letter.strip().upper())
        else f"{value.strip()} {letter.strip()}"
        for value, letter in zip(pc.filter(numbers, mask).to_pylist(), letters, strict=True)
    ]
    out = pc.replace_with_mask(numbers, mask, pa.array(joined, type=numbers.type))
    return pd.Series(pd.array(out, dtype=STR), index=number.index)


def fill_labels(label: pd.Series, street: pd.Series, number: pd.Series, ids: pd.Series) -> pd.Series:
    """The given label; else "street number"; else the street; else the id. Text in :data:`STR`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not label.isna().any():
        return label
    street_text = as_arrow_text(street)
    space = pa.scalar(" ", pa.large_string())
    both = pc.binary_join_element_wise(street_text, as_arrow_text(number), space)  # null unless both are given
    out = pc.coalesce(as_arrow_text(label), both, street_text, as_arrow_text(ids))
    return pd.Series(pd.array(out, dtype=STR), index=label.index)


def read_household_ids(path: str | Path) -> set[str]:
    """Household ids from a CSV (column household_id or id) or a plain list, one id per line."""
    path = Path(path)
    if suffix_of(path) in (".txt", ""):
        if not path.exists():
            raise InputError("errors.file_not_found", file=str(path))
        try:
            lines = path.read_bytes().decode("utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError("errors.file_unreadable", file=str(path), reason=str(exc)) from None
        return {line.strip() for line in lines if line.strip()}
    table = own_headers(read_table(path))
    column = find_column(table, given=None, candidates=("household_id", "id"), option="--exclude")
    if column is None:
        raise InputError("input.bad_exclude", file=str(path))
    return {str(v).strip() for v in table.frame[column] if str(v).strip()}
