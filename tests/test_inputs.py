"""Reading burglaries and households: formats, columns, and every unusable-row case."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import PLAN_DATE
from pyproj import CRS

from cocoon.errors import InputError
from cocoon.inputs.burglaries import BurglaryColumns, read_burglaries
from cocoon.inputs.households import read_households
from cocoon.inputs.points import CoordinateColumns
from cocoon.inputs.tables import to_numbers


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_semicolon_decimal_comma_reads_like_its_comma_point_twin(tmp_path, burglary_frame):
    comma = tmp_path / "comma.csv"
    semi = tmp_path / "semi.csv"
    frame = burglary_frame.drop(columns=["x", "y"])
    frame.to_csv(comma, index=False)
    frame.to_csv(semi, index=False, sep=";", decimal=",")
    assert ";" in semi.read_text() and "," in semi.read_text().splitlines()[1]
    a = read_burglaries(comma).burglaries
    b = read_burglaries(semi).burglaries
    pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry")))
    assert a.geometry.geom_equals_exact(b.geometry, 1e-12).all()


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("latin-1", False)])
def test_encodings(tmp_path, encoding, bom):
    text = "id;datum;lat;lon;adress\nB1;2026-05-01;59,33;18,06;Ågatan 1\n"
    path = tmp_path / "b.csv"
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    table = read_burglaries(path)
    assert table.burglaries["address"].tolist() == ["Ågatan 1"]
    assert table.burglaries["burglary_id"].tolist() == ["B1"]
    assert table.columns["date"] == "datum"


@pytest.mark.parametrize("suffix", ["geojson", "gpkg", "parquet"])
def test_geo_formats(tmp_path, burglary_frame, suffix):
    gdf = gpd.GeoDataFrame(
        burglary_frame.drop(columns=["x", "y", "lon", "lat"]),
        geometry=gpd.points_from_xy(burglary_frame.x, burglary_frame.y),
        crs=3006,
    )
    path = tmp_path / f"b.{suffix}"
    if suffix == "parquet":
        gdf.to_parquet(path)
    else:
        gdf.to_file(path)
    table = read_burglaries(path)
    assert table.burglaries.crs.to_epsg() == 3006
    assert table.burglaries["burglary_id"].tolist() == ["B1", "B2", "B3", "B4"]
    assert table.burglaries.geometry.x.round(3).tolist() == burglary_frame.x.round(3).tolist()


def test_household_parquet_and_defaults(tmp_path, household_frame):
    gdf = gpd.GeoDataFrame(
        household_frame[["household_id", "street", "number"]],
        geometry=gpd.points_from_xy(household_frame.x, household_frame.y),
        crs=3006,
    )
    path = tmp_path / "h.parquet"
    gdf.to_parquet(path)
    table = read_households(path)
    h = table.households
    assert len(h) == len(household_frame)
    assert (h["dwellings"] == 1).all()
    assert h["label"].iloc[0] == f"{household_frame.street[0]} {household_frame.number[0]}"


def test_xy_with_crs_and_named_columns(tmp_path):
    path = write(tmp_path / "b.csv", "ärende,händelsedag,E,N\nA1,2026-05-02,674000,6580000\n")
    with pytest.raises(InputError) as err:
        read_burglaries(path, columns=BurglaryColumns(date="händelsedag"))
    assert err.value.key == "input.xy_needs_crs"  # E/N are found as x/y, but need a CRS
    table = read_burglaries(
        path,
        crs=CRS.from_epsg(3006),
        columns=BurglaryColumns(date="händelsedag", coordinates=CoordinateColumns(x="E", y="N")),
    )
    assert table.burglaries["burglary_id"].tolist() == ["A1"]
    assert table.columns["id"] == "ärende"


def test_xy_without_crs_is_refused(tmp_path):
    path = write(tmp_path / "b.csv", "id,date,x,y\nA1,2026-05-02,674000,6580000\n")
    with pytest.raises(InputError) as err:
        read_burglaries(path)
    assert err.value.key == "input.xy_needs_crs"
    assert "--crs" in str(err.value)


def test_time_window(tmp_path):
    path = write(tmp_path / "b.csv", "id,from,to,lat,lon\nW1,2026-04-30 18:00,2026-05-02 09:00,59.33,18.06\n")
    b = read_burglaries(path).burglaries
    assert b["first_day"].iloc[0] == pd.Timestamp("2026-04-30")
    assert b["last_day"].iloc[0] == pd.Timestamp("2026-05-02")
    reversed_ = write(tmp_path / "r.csv", "id,from,to,lat,lon\nW1,2026-05-03,2026-05-01,59.33,18.06\n")
    with pytest.raises(InputError) as err:
        read_burglaries(reversed_)
    assert err.value.key == "input.window_reversed"


BAD_ROWS = [
    ("B2,2026-05-01,,18.06", "input.no_coordinate", "'lat'"),
    ("B2,31/02/2026,59.33,18.06", "input.bad_date", "'date'"),
    ("B2,2026-05-09,59.33,18.06", "input.after_plan_date", "'date'"),
    ("B2,2026-05-01,95.0,18.06", "input.swapped", "lat/lon"),
    ("B2,2026-05-01,18.06,59.33", "input.swapped", "lat/lon"),
    ("B2,2026-05-01,59.33,abc", "input.not_a_number", "'lon'"),
]


@pytest.mark.parametrize("row,key,column", BAD_ROWS)
def test_bad_row_names_file_row_and_column(tmp_path, row, key, column):
    good = "\n".join(f"G{i},2026-05-01,59.33{i},18.06{i}" for i in range(5))
    path = write(tmp_path / "b.csv", f"id,date,lat,lon\n{good}\n{row}\n")
    with pytest.raises(InputError) as err:
        read_burglaries(path, plan_date=PLAN_DATE)
    message = str(err.value)
    assert err.value.key == key
    assert str(path) in message and "row 7" in message and column in message
    skipped = read_burglaries(path, plan_date=PLAN_DATE, skip_bad_rows=True)
    assert len(skipped.burglaries) == 5
    assert skipped.rejects["row"].tolist() == [7]
    assert skipped.rejects["reason_key"].tolist() == [key]


def test_outside_crs_area(tmp_path):
    path = write(tmp_path / "b.csv", "id,date,x,y\nA1,2026-05-02,18.06,59.33\n")
    with pytest.raises(InputError) as err:
        read_burglaries(path, crs=CRS.from_epsg(3006))
    assert err.value.key == "input.outside_crs_area"
    assert "row 2" in str(err.value) and "EPSG:3006" in str(err.value)


def test_duplicate_ids(tmp_path):
    path = write(tmp_path / "b.csv", "id,date,lat,lon\nB1,2026-05-01,59.33,18.06\nB1,2026-05-02,59.34,18.07\n")
    with pytest.raises(InputError) as err:
        read_burglaries(path)
    assert err.value.key == "input.duplicate_id"
    assert "'B1'" in str(err.value) and "rows 2, 3" in str(err.value)


def test_same_file_twice_same_result(files):
    b, _ = files
    first = read_burglaries(b).burglaries
    second = read_burglaries(b).burglaries
    pd.testing.assert_frame_equal(first, second)


def test_bad_dwellings(tmp_path):
    path = write(tmp_path / "h.csv", "id,lat,lon,dwellings\nH1,59.33,18.06,2\nH2,59.33,18.07,zero\n")
    with pytest.raises(InputError) as err:
        read_households(path)
    assert err.value.key == "input.bad_dwellings" and "row 3" in str(err.value)


@pytest.mark.parametrize(
    "cell,expected",
    [
        ("59,123", 59.123),  # decimal comma
        ("59.123", 59.123),  # decimal point
        ("-12,5", -12.5),  # a negative number with a decimal comma
        ("1,234", 1.234),  # a lone comma is a decimal comma
        ("6 580 000", 6_580_000.0),  # spaces between groups of three digits
        ("6\u00a0580\u00a0000", 6_580_000.0),  # the same with no-break spaces, as spreadsheets write them
        ("-1 234,5", -1234.5),  # digit groups and a decimal comma
    ],
)
def test_numbers_with_a_decimal_comma_or_point_and_digit_groups(cell, expected):
    values, unreadable = to_numbers(pd.Series([cell], dtype=object))
    assert values.tolist() == [expected] and unreadable.tolist() == [False]


@pytest.mark.parametrize(
    "cell",
    [
        "1,234.5",  # a thousands comma and a decimal point: read as 1.2345 before
        "1.234,5",  # a thousands point and a decimal comma
        "1.234.567",  # two decimal separators
        "59 33",  # a space that does not separate groups of three digits
        "abc",
    ],
)
def test_cells_that_are_not_numbers(cell):
    values, unreadable = to_numbers(pd.Series([cell], dtype=object))
    assert np.isnan(values).tolist() == [True] and unreadable.tolist() == [True]


@pytest.mark.parametrize("cell", [" ", "", "\u00a0", None])
def test_blank_cells_are_missing_not_unreadable(cell):
    values, unreadable = to_numbers(pd.Series([cell], dtype=object))
    assert np.isnan(values).tolist() == [True] and unreadable.tolist() == [False]


def test_text_columns_as_pandas_strings_read_the_same():
    cells = ["59,123", "1,234.5", "6 580 000", " "]
    values, unreadable = to_numbers(pd.Series(cells, dtype="string"))
    np.testing.assert_array_equal(values, [59.123, np.nan, 6_580_000.0, np.nan])
    assert unreadable.tolist() == [False, True, False, False]


def test_thousands_separator_in_x_is_an_error_naming_file_row_and_column(tmp_path):
    path = write(tmp_path / "b.csv", 'id,date,x,y\nA1,2026-05-02,674000,6580000\nA2,2026-05-02,"1,234.5",6580000\n')
    with pytest.raises(InputError) as err:
        read_burglaries(path, crs=CRS.from_epsg(3006))
    assert err.value.key == "input.not_a_number"
    assert str(err.value).startswith(f"{path}, row 3, column 'x': '1,234.5' is not a number.")
