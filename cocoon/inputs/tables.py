"""Reading input files into raw tables: the one place where input files are opened.

A :class:`RawTable` keeps the columns as found (CSV values stay text, so a bad value can be
shown exactly as the user typed it), the geometry and CRS when the format has them, and the
row numbers users see: for a CSV the line in the file as a spreadsheet shows it (the header is
row 1), for GeoJSON, GeoPackage and Parquet the feature number counting from 1.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pyproj import CRS

from cocoon.catalogue import catalogue, languages
from cocoon.errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd
    import pyarrow as pa

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
GEO_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".fgb"}
PARQUET_SUFFIXES = {".parquet", ".geoparquet", ".pq"}
MAX_COLUMNS = 5000
"""More columns than any export of burglaries or households has: a header wider than this is not
a table cocoon can use (a line of repeated names, a file that is one long line)."""
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
"""The start of an old Excel workbook (.xls) and other Office files of before 2007."""


@dataclass
class RawTable:
    """Columns as read, plus where they came from."""

    path: Path
    frame: pd.DataFrame
    rows: np.ndarray
    """The row number users see for each row of ``frame``."""
    geometry: gpd.GeoSeries | None = None
    """A GeoSeries when the file carries geometry, else None (also for points in ``point_xy``)."""
    crs: CRS | None = None
    """The pyproj CRS of ``geometry`` or ``point_xy``."""
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """How the file was read where the user should know (a catalogue key and its parameters)."""
    point_xy: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    """For a file whose every geometry is a point: x, y and the rows without geometry, read
    straight from the file (:func:`_points_from_wkb`); no shapely point is made for them."""

    @property
    def name(self) -> str:
        return str(self.path)


def suffix_of(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".osm.pbf"):
        return ".osm.pbf"
    return path.suffix.lower()


def read_table(path: str | Path, *, layer: str | None = None, option: str = "--layer") -> RawTable:
    """Read a CSV, GeoJSON, GeoPackage or (Geo)Parquet file; ``layer`` names the layer of a file
    that has several (``option`` is the command-line option that names it, for messages)."""
    path = Path(path)
    if not path.exists():
        raise InputError("errors.file_not_found", file=str(path))
    if path.is_dir():
        raise InputError("errors.file_unreadable", file=str(path), reason="it is a folder")
    suffix = suffix_of(path)
    if suffix not in GEO_SUFFIXES and suffix not in PARQUET_SUFFIXES:
        _refuse_archives(path)
    if layer is not None and suffix not in GEO_SUFFIXES:
        raise InputError("input.layer_needs_layers", file=str(path), option=option, layer=layer)
    if suffix in CSV_SUFFIXES:
        return read_csv(path)
    if suffix in GEO_SUFFIXES:
        return _read_geo(path, layer=layer, option=option)
    if suffix in PARQUET_SUFFIXES:
        return _read_parquet(path)
    raise InputError("errors.unknown_format", file=str(path), suffix=suffix or path.name)


def _refuse_archives(path: Path) -> None:
    """An Excel workbook or a zip archive, whatever its name, named as what it is."""
    try:
        with path.open("rb") as handle:
            start = handle.read(8)
    except OSError as exc:
        raise InputError("errors.file_unreadable", file=str(path), reason=exc.strerror or str(exc)) from None
    if start.startswith(_OLE_MAGIC) or path.suffix.lower() in (".xls", ".xlsx", ".xlsm", ".xlsb"):
        raise InputError("file_checks.excel", file=str(path))
    if not start.startswith(_ZIP_MAGIC):
        return
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
    except (zipfile.BadZipFile, OSError):
        names = []
    if any(n.startswith("xl/") for n in names):
        raise InputError("file_checks.excel", file=str(path))
    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    raise InputError("file_checks.zip", file=str(path), n=len(names), names=shown or "-")


def _utf16(raw: bytes) -> str | None:
    """The codec of UTF-16 text: by its byte-order mark, or without one by the zero bytes that
    every second byte of Latin text is in UTF-16 (and that text in UTF-8 or Windows-1252 never
    has); None for anything else."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") and raw[:4] != b"\xff\xfe\x00\x00":
        return "utf-16"
    sample = raw[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    zero_even, zero_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zero_odd >= 0.9 and zero_even <= 0.02:
        return "utf-16-le"
    if zero_even >= 0.9 and zero_odd <= 0.02:
        return "utf-16-be"
    return None


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Latin-1 (Windows-1252 where it differs)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def sniff_delimiter(sample: str) -> str:
    """The delimiter of the header line: ``;``, ``,``, tab or ``|``, ignoring quoted text."""
    first = next((line for line in sample.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


_NUMBER = re.compile(r"^\s*[-+]?\d+([.,]\d+)?\s*$")


def _looks_headerless(first_row: Sequence[str]) -> bool:
    """True for a Near Repeat Calculator style file: X,Y,date with no header line."""
    return len(first_row) >= 2 and all(_NUMBER.match(v or "") for v in first_row[:2])


def read_csv(path: Path) -> RawTable:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError("errors.file_unreadable", file=str(path), reason=exc.strerror or str(exc)) from None
    notes: list[tuple[str, dict[str, Any]]] = []
    codec = _utf16(raw)
    if codec is not None:
        try:
            text = raw.decode(codec).removeprefix("\ufeff")
        except UnicodeDecodeError:
            raise InputError("file_checks.bad_utf16", file=str(path)) from None
        notes.append(("file_checks.read_as_utf16", {"file": str(path)}))
    else:
        text = decode(raw)
    if "\r" in text and "\n" not in text:  # old Mac line endings (CR only), as some exports still write
        text = text.replace("\r", "\n")
    if not text.strip():
        raise InputError("input.empty_file", file=str(path))
    delimiter = sniff_delimiter(text[:65536])
    first = _first_record(path, text, delimiter)
    if len(first) > MAX_COLUMNS:
        raise InputError("file_checks.too_many_columns", file=str(path), n=len(first), most=MAX_COLUMNS)
    headerless = _looks_headerless(first)
    if headerless:
        names = ["x", "y", "date", *[f"column_{i}" for i in range(4, len(first) + 1)]][: len(first)]
    else:
        names = [name.strip() or f"Unnamed: {i}" for i, name in enumerate(first)]
        _check_unique_names(names, path)
    frame = _parse(path, text, delimiter, names, headerless)
    if not isinstance(frame.index, pd.RangeIndex):  # rows wider than the header: pandas took an index
        _check_row_widths(path, text, delimiter, len(names))
        frame = _parse(path, text, delimiter, names, headerless, trailing_blank=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    offset = 1 if headerless else 2
    return RawTable(path=path, frame=frame, rows=np.arange(len(frame)) + offset, notes=notes)


def _first_record(path: Path, text: str, delimiter: str) -> list[str]:
    """The header (or first row) as fields, read once from the start of the text, however long."""
    try:
        return next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    except csv.Error as exc:
        raise InputError("input.bad_csv", file=str(path), reason=str(exc).strip()) from None


def _parse(
    path: Path, text: str, delimiter: str, names: list[str], headerless: bool, *, trailing_blank: bool = False
) -> pd.DataFrame:
    """The table under the header, with the names already checked (so pandas renames nothing)."""
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            header=None if headerless else 0,
            names=names,
            usecols=range(len(names)) if trailing_blank else None,
            skipinitialspace=True,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        if "Expected" in str(exc) and "fields" in str(exc):
            _check_row_widths(path, text, delimiter, len(names))
            if not trailing_blank:  # only blank fields after the last column
                return _parse(path, text, delimiter, names, headerless, trailing_blank=True)
        raise InputError("input.bad_csv", file=str(path), reason=str(exc).strip()) from None
    except ValueError as exc:
        raise InputError("input.bad_csv", file=str(path), reason=str(exc).strip()) from None


_WHOLE = re.compile(r"^\s*[-+]?\d+\s*$")
_DIGITS = re.compile(r"^\d+\s*$")


def _split_number(fields: list[str]) -> str | None:
    """'18,0686' when two neighbouring fields look like the halves of a number split at its comma."""
    for left, right in itertools.pairwise(fields):
        if _WHOLE.match(left) and _DIGITS.match(right):
            return f"{left.strip()},{right.strip()}"
    return None


def _wide_rows(text: str, delimiter: str, width: int) -> Iterator[tuple[int, list[str]]]:
    """Rows (as a spreadsheet numbers them, the first line is row 1) with more fields than ``width``."""
    for number, fields in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if len(fields) > width:
            yield number, fields


def _check_row_widths(path: Path, text: str, delimiter: str, width: int) -> None:
    """Refuse rows with more fields than the header, unless the extra fields are all blank (a
    separator at the end of the line), naming the first such row and what split it."""
    try:
        wide = [
            (row, fields)
            for row, fields in _wide_rows(text, delimiter, width)
            if any(f.strip() for f in fields[width:])
        ]
    except csv.Error as exc:
        raise InputError("input.bad_csv", file=str(path), reason=str(exc).strip()) from None
    if not wide:
        return
    row, fields = wide[0]
    params = {"file": str(path), "row": row, "fields": len(fields), "columns": width, "n": len(wide)}
    example = _split_number(fields) if delimiter == "," else None
    if example is not None:
        raise InputError("file_checks.decimal_comma", example=example, **params)
    raise InputError("file_checks.too_many_fields", **params)


def _check_unique_names(names: Sequence[str], path: Path) -> None:
    seen: dict[str, str] = {}
    for column in names:
        key = normalise_name(column)
        if key in seen and key:
            raise InputError("input.duplicate_column", file=str(path), column=column, other=seen[key])
        seen[key] = column


def _check_unique_columns(frame: pd.DataFrame, path: Path) -> None:
    if len(frame.columns) > MAX_COLUMNS:
        raise InputError("file_checks.too_many_columns", file=str(path), n=len(frame.columns), most=MAX_COLUMNS)
    _check_unique_names([str(c) for c in frame.columns], path)


def _read_geo(path: Path, *, layer: str | None = None, option: str = "--layer") -> RawTable:
    import pyogrio

    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise InputError("errors.file_unreadable", file=str(path), reason=str(exc).strip()) from None
    if layer is None and len(layers) > 1:
        raise InputError(
            "input.several_layers",
            file=str(path),
            n=len(layers),
            layers=", ".join(layers),
            option=option,
            example=layers[0],
        )
    if layer is not None and layer not in layers:
        raise InputError("input.no_such_layer", file=str(path), layer=layer, layers=", ".join(layers), option=option)
    try:
        points = _read_point_layer(path, layer)
        if points is not None:
            return points
        gdf = pyogrio.read_dataframe(path, layer=layer, use_arrow=True)
    except InputError:
        raise
    except Exception as exc:
        raise InputError("errors.file_unreadable", file=str(path), reason=str(exc).strip()) from None
    return _from_geodataframe(path, gdf)


def _read_point_layer(path: Path, layer: str | None) -> RawTable | None:
    """A layer of 2-D points only (GeoPackage, GeoJSON, shapefile, FlatGeobuf) read with Arrow,
    the coordinates straight from the WKB bytes as for GeoParquet. None for a layer of other
    geometry, or whose columns geopandas converts after reading (date-times, JSON): that layer
    is read by geopandas instead, so every layer gives the columns it always gave. The layer's
    description is looked at before any feature is read, so such a layer is not read twice."""
    import pyogrio

    with pyogrio.open_arrow(path, layer=layer, datetime_as_string=True, use_pyarrow=True) as (meta, reader):
        if meta["geometry_type"] != "Point":
            return None
        if any(str(d).startswith("datetime") and d != "datetime64[D]" for d in meta["dtypes"]):
            return None
        if "OFSTJSON" in meta["ogr_subtypes"]:
            return None
        table = reader.read_all()
    return _point_table(path, table, meta["geometry_name"] or "wkb_geometry", meta["crs"] or None)


def _read_parquet(path: Path) -> RawTable:
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
    except Exception as exc:
        raise InputError("errors.file_unreadable", file=str(path), reason=str(exc).strip()) from None
    if b"geo" in meta:
        try:
            points = _read_point_parquet(path, meta[b"geo"])
            if points is not None:
                return points
            import geopandas as gpd  # only for geometry other than points

            gdf = gpd.read_parquet(path)
        except Exception as exc:
            raise InputError("errors.file_unreadable", file=str(path), reason=str(exc).strip()) from None
        return _from_geodataframe(path, gdf)
    frame = pd.read_parquet(path)
    frame.columns = [str(c).strip() for c in frame.columns]
    _check_unique_columns(frame, path)
    return RawTable(path=path, frame=frame, rows=np.arange(len(frame)) + 1)


def _read_point_parquet(path: Path, geo: bytes) -> RawTable | None:
    """A GeoParquet file with one WKB geometry column of 2-D points only, read with Arrow: the
    coordinates come straight from the WKB bytes, and points are made from them only where a
    reader asks for geometry. None for any other file (read by geopandas instead)."""
    import pyarrow.parquet as pq

    info = json.loads(geo)
    columns = info.get("columns", {})
    name = info.get("primary_column")
    if len(columns) != 1 or name not in columns or str(columns[name].get("encoding", "")).upper() != "WKB":
        return None
    crs = columns[name].get("crs", "OGC:CRS84")  # GeoParquet: absent means lon/lat, null means unknown
    if isinstance(crs, dict):
        _drop_member_ids(crs)
    with pq.ParquetFile(path) as parquet:  # one file: no need for pyarrow.dataset, which read_table imports
        table = parquet.read()
    return _point_table(path, table, name, crs)


def _point_table(path: Path, table: pa.Table, name: str, crs: Any) -> RawTable | None:
    """The columns of an Arrow ``table`` and the coordinates of its WKB column ``name`` when every
    geometry in it is a 2-D point (None otherwise); ``crs`` as pyproj takes it, or None."""
    import pyarrow as pa

    if name not in table.column_names:
        return None
    wkb = table.column(name).combine_chunks()
    if isinstance(wkb.type, pa.ExtensionType):  # geoarrow.wkb, where its extension type is registered
        wkb = wkb.storage
    decoded = _points_from_wkb(wkb)
    if decoded is None:
        return None
    frame = table.drop_columns([name]).to_pandas()
    frame.columns = [str(c).strip() for c in frame.columns]
    _check_unique_columns(frame, path)
    return RawTable(
        path=path,
        frame=frame,
        rows=np.arange(len(frame)) + 1,
        crs=CRS.from_user_input(crs) if crs is not None else None,
        point_xy=decoded,
    )


def _points_from_wkb(wkb: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """x, y and the rows without a point (null, or POINT EMPTY) of an Arrow array of WKB, when
    every value is a little-endian 2-D point (21 bytes); None otherwise."""
    import pyarrow as pa

    if not (pa.types.is_binary(wkb.type) or pa.types.is_large_binary(wkb.type)):
        return None
    n = len(wkb)
    offsets = np.frombuffer(
        wkb.buffers()[1],
        dtype=np.int64 if pa.types.is_large_binary(wkb.type) else np.int32,
        count=n + 1,
        offset=wkb.offset * (8 if pa.types.is_large_binary(wkb.type) else 4),
    )
    null = wkb.is_null().to_numpy(zero_copy_only=False)
    sizes = np.diff(offsets)
    if n == 0 or not bool(np.all(sizes[~null] == 21)):
        return None
    data = (
        np.frombuffer(wkb.buffers()[2], dtype=np.uint8) if wkb.buffers()[2] is not None else np.empty(0, dtype=np.uint8)
    )
    starts = offsets[:-1][~null].astype(np.int64)
    if len(starts) == 0:  # every geometry is null
        return np.full(n, np.nan), np.full(n, np.nan), null
    first = int(starts[0])
    if np.array_equal(starts, first + 21 * np.arange(len(starts))):  # one after the other, as written
        block = data[first : first + 21 * len(starts)]
    else:
        block = data[starts[:, None] + np.arange(21)].ravel()

    def field(dtype: str, offset: int) -> np.ndarray:
        """One field of every point's 21 bytes, read in place (a strided view of ``block``)."""
        return np.ndarray((len(starts),), dtype=dtype, buffer=block, offset=offset, strides=(21,))

    # little-endian (1), type 1 (a 2-D point)
    if not (bool(np.all(field("u1", 0) == 1)) and bool(np.all(field("<u4", 1) == 1))):
        return None
    if not null.any():
        x, y = field("<f8", 5).copy(), field("<f8", 13).copy()
    else:
        x = np.full(n, np.nan)
        y = np.full(n, np.nan)
        x[~null] = field("<f8", 5)
        y[~null] = field("<f8", 13)
    return x, y, null | (np.isnan(x) & np.isnan(y))


def _drop_member_ids(crs: dict[str, Any]) -> None:
    """The ids of datum ensemble members left out of a PROJJSON CRS, as geopandas reads it
    (older PROJ databases do not know them)."""
    for key, value in crs.items():
        if isinstance(value, dict):
            _drop_member_ids(value)
        elif key == "members" and isinstance(value, list):
            for member in value:
                if isinstance(member, dict):
                    member.pop("id", None)


def _from_geodataframe(path: Path, gdf: gpd.GeoDataFrame) -> RawTable:
    geometry = gdf.geometry if gdf.geometry.name in gdf.columns else None
    frame = pd.DataFrame(gdf.drop(columns=[gdf.geometry.name])) if geometry is not None else pd.DataFrame(gdf)
    frame.columns = [str(c).strip() for c in frame.columns]
    _check_unique_columns(frame, path)
    return RawTable(
        path=path,
        frame=frame,
        rows=np.arange(len(frame)) + 1,
        geometry=geometry,
        crs=gdf.crs if geometry is not None else None,
    )


def normalise_name(name: str) -> str:
    """Column names compare without case, accents, spaces, dashes or underscores."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[\s_\-.:/()]+", "", text.lower())


def own_headers(table: RawTable) -> RawTable:
    """One of cocoon's own CSV files read back in any dialect: a heading written in another
    language ("Hushålls-id", "Skylt-id") becomes the column name it stands for (``household_id``,
    ``sign_id``), unless the file has that column already."""
    names: dict[str, str] = {}
    for lang in languages():
        for key, heading in catalogue(lang).items():
            if key.startswith("csv_header."):
                names.setdefault(normalise_name(str(heading)), key.removeprefix("csv_header."))
    present = {str(c) for c in table.frame.columns}
    renames: dict[object, str] = {}
    taken: set[str] = set()
    for column in table.frame.columns:
        name = names.get(normalise_name(str(column)))
        if name and name not in present and name not in taken:
            renames[column] = name
            taken.add(name)
    if renames:
        table.frame = table.frame.rename(columns=renames)
    return table


def find_column(table: RawTable, *, given: str | None, candidates: Sequence[str], option: str) -> str | None:
    """The column named by an option (it must exist), or the first common name present."""
    lookup = {normalise_name(c): str(c) for c in table.frame.columns}
    if given:
        found = lookup.get(normalise_name(given))
        if found is None:
            raise InputError(
                "input.no_such_column",
                file=table.name,
                column=given,
                option=option,
                columns=", ".join(map(str, table.frame.columns)),
            )
        return found
    for candidate in candidates:
        found = lookup.get(normalise_name(candidate))
        if found is not None:
            return found
    return None


_BLANK = ("nan", "none", "null", "na")
_SPACES = re.compile("[\u00a0\u202f]")
"""No-break and narrow no-break spaces, which spreadsheets put between digit groups."""
_SPACED_GROUPS = re.compile(r"^[-+]?\d{1,3}(?: \d{3})+(?:[.,]\d+)?$")
"""A number whose whole part is split by single spaces into groups of three digits."""


def to_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Numbers from a column, and a mask of the cells that held something that is not a number.

    Columns that are already numeric are taken as they are. Text cells are read by one rule:

    - the decimal separator is a point or a comma: ``59.123`` and ``59,123`` are both 59.123,
      and ``-12,5`` is -12.5; a lone comma is always a decimal comma (``1,234`` is 1.234), as
      there is no option that names a thousands separator;
    - a cell with both a point and a comma (``1,234.5``, ``1.234,5``) is not a number: one of
      the two would be a thousands separator, and the cell alone cannot say which, so it is
      reported (with file, row and column, by the callers) rather than guessed; so is a cell
      with two decimal separators (``1.234.567``);
    - spaces, also no-break and narrow no-break spaces, may split the whole part into groups of
      three digits (``6 580 000``, ``-1 234,5``), as Swedish and Finnish spreadsheets write
      numbers; a space anywhere else (``59 33``) makes the cell not a number;
    - a missing cell, an empty one, spaces only, ``nan``, ``none``, ``null`` or ``na`` is blank:
      NaN, and not marked as unreadable.

    Returns the values (NaN where blank or unreadable) and the mask of unreadable cells.
    """
    if values.dtype != object and not pd.api.types.is_string_dtype(values.dtype):
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        return numbers, np.zeros(len(values), dtype=bool)
    text = values.astype(str).fillna("").str.replace(_SPACES, " ", regex=True).str.strip()
    empty = (text == "") | text.str.lower().isin(_BLANK)
    both = text.str.contains(".", regex=False) & text.str.contains(",", regex=False)
    spaced = text.str.contains(" ", regex=False)
    badly_spaced = spaced & ~text.str.match(_SPACED_GROUPS)
    cleaned = text.str.replace(" ", "", regex=False).str.replace(",", ".", regex=False)
    readable = ~empty & ~both & ~badly_spaced
    numbers = pd.to_numeric(cleaned.where(readable, None), errors="coerce").to_numpy(dtype=float)
    unreadable = ~empty.to_numpy() & np.isnan(numbers)
    return numbers, unreadable


def _distinct_text(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes, the distinct raw values and their stripped text (None where blank)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = pd.Series(uniques)
    if pd.api.types.is_string_dtype(distinct.dtype):
        stripped = distinct.str.strip()
        # A cell cocoon wrote as '=... (so that a spreadsheet would not run it) reads back as =...
        quoted = stripped.str.startswith("'").fillna(False).to_numpy(dtype=bool)
        if quoted.any():  # a regular expression on the few quoted cells only, not on every id
            stripped = stripped.copy()
            stripped[quoted] = stripped[quoted].str.replace(r"^'(?=[=+\-@\t\r])", "", regex=True)
        cleaned = np.array(stripped.to_numpy(dtype=object), dtype=object)
        cleaned[pd.isna(cleaned) | (cleaned == "")] = None  # blank is None, whatever the string dtype
    else:
        cleaned = np.array([_clean_text(u) for u in uniques], dtype=object)
    return codes, np.asarray(uniques, dtype=object), cleaned


def text_values(values: pd.Series) -> pd.Series:
    """Cells as stripped text, None where blank (None, NaN or only spaces).

    Works on the distinct values, so repeated values (streets, types) cost once.
    """
    codes, _, cleaned = _distinct_text(values)
    return pd.Series(_per_row(cleaned, codes), index=values.index, dtype="object")


STR = pd.StringDtype("pyarrow", na_value=np.nan)
"""pandas' Arrow-backed text (``str``): text columns are read in it, and the household register keeps it."""


def arrow_text(values: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow strings behind a column of Arrow-backed text (as large_string); None for any other column."""
    import pyarrow as pa

    dtype = values.dtype
    arrow_backed = (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow") or (
        isinstance(dtype, pd.ArrowDtype)
        and (pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype))
    )
    return _chunked(pa.array(values.array)) if arrow_backed else None


def as_arrow_text(values: pd.Series) -> pa.ChunkedArray:
    """A column of text (None where missing) as Arrow strings, converted only when not Arrow-backed already."""
    import pyarrow as pa

    text = arrow_text(values)
    return text if text is not None else _chunked(pa.array(values.astype(STR).array))


def _chunked(array: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    import pyarrow as pa

    chunked = array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])
    return chunked.cast(pa.large_string())


def text_column(values: pd.Series) -> pd.Series:
    """:func:`text_values` in :data:`STR` (NaN where blank). Arrow-backed text is cleaned in Arrow,
    by the same rules and without a Python string per cell; other columns as :func:`text_values`."""
    text = arrow_text(values)
    if text is None:
        return pd.Series(text_values(values).to_numpy(), index=values.index, dtype=STR)
    return pd.Series(pd.array(_clean_arrow(text), dtype=STR), index=values.index)


def _clean_arrow(text: pa.ChunkedArray) -> pa.ChunkedArray:
    """:func:`_distinct_text`'s cleaning of Arrow strings: stripped (as pandas' ``str.strip`` strips
    them), a cell cocoon wrote as '=... read back as =..., blank made null."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if _clean_already(text):  # most columns: nothing to strip, no quote, nothing blank
        return text
    stripped = pc.utf8_trim_whitespace(text)
    if pc.any(pc.starts_with(stripped, "'")).as_py():
        stripped = pc.replace_substring_regex(stripped, pattern=r"^'([=+\-@\t\r])", replacement=r"\1")
    return pc.if_else(pc.equal(stripped, ""), pa.scalar(None, stripped.type), stripped)


def _clean_already(text: pa.ChunkedArray) -> bool:
    """Whether :func:`_clean_arrow` would leave every string as it is: each one not empty and
    beginning and ending with printable ASCII other than a space (no whitespace to strip, Unicode
    or not), and none beginning with a quote. Read from the first and last byte of each string."""
    for chunk in text.chunks:
        if len(chunk) == chunk.null_count:
            continue
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64, count=len(chunk) + 1, offset=chunk.offset * 8)
        starts, ends = offsets[:-1], offsets[1:]
        if chunk.null_count:
            valid = chunk.is_valid().to_numpy(zero_copy_only=False)
            starts, ends = starts[valid], ends[valid]
        if not bool(np.all(ends > starts)):
            return False
        data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
        first, last = data[starts], data[ends - 1]
        printable = np.uint8(0x7E - 0x21)
        if not (bool(np.all(first - np.uint8(0x21) <= printable)) and bool(np.all(last - np.uint8(0x21) <= printable))):
            return False
        if bool(np.any(first == ord("'"))):
            return False
    return True


def blank_text(index: pd.Index) -> pd.Series:
    """A column of text without any value, in :data:`STR`."""
    import pyarrow as pa

    return pd.Series(pd.array(pa.nulls(len(index), pa.large_string()), dtype=STR), index=index)


def _per_row(distinct: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The distinct value of each row by its code; None where the code is -1 (a missing cell)."""
    lookup = np.empty(len(distinct) + 1, dtype=object)
    lookup[:-1] = distinct
    lookup[-1] = None
    return np.asarray(lookup[codes])


def _clean_text(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float):
        if np.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else str(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    text = str(value).strip()
    return None if not text or text.lower() in ("nan", "none", "nat", "<na>") else text
