"""Point files read with Arrow: the points' coordinates straight from the WKB bytes, for
GeoParquet and for the layers GDAL reads (GeoPackage, GeoJSON, shapefile, FlatGeobuf)."""

from __future__ import annotations

import contextlib
import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cocoon.errors import InputError
from cocoon.inputs.households import read_households
from cocoon.inputs.tables import read_table

FORMATS = ["parquet", "gpkg", "geojson", "fgb"]


def register(geometry, crs=3006) -> gpd.GeoDataFrame:
    n = len(geometry)
    return gpd.GeoDataFrame(
        {"household_id": [f"H{i}" for i in range(n)], "street": ["Gata"] * n, "number": [str(i + 1) for i in range(n)]},
        geometry=geometry,
        crs=crs,
    )


def write(frame: gpd.GeoDataFrame, path) -> None:
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_file(path, engine="pyogrio")


def read_plainly(path) -> gpd.GeoDataFrame:
    """The file as geopandas reads it, the reference for every column."""
    if path.suffix == ".parquet":
        return gpd.read_parquet(path)
    return gpd.read_file(path, engine="pyogrio", use_arrow=True)


@pytest.mark.parametrize("kind", FORMATS)
def test_points_are_read_from_the_bytes_as_geopandas_reads_them(tmp_path, kind):
    rng = np.random.default_rng(3)
    xy = rng.uniform([650_000, 6_550_000], [700_000, 6_600_000], (500, 2))
    path = tmp_path / f"h.{kind}"
    frame = register(gpd.points_from_xy(xy[:, 0], xy[:, 1]))
    frame["dwellings"] = rng.integers(1, 40, len(frame))
    write(frame, path)
    table = read_table(path)
    assert table.point_xy is not None and table.geometry is None
    expected = read_plainly(path)  # in the file's order (FlatGeobuf sorts its features)
    assert table.point_xy[0].tolist() == expected.geometry.x.tolist()
    assert table.point_xy[1].tolist() == expected.geometry.y.tolist()
    assert sorted(table.point_xy[0].tolist()) == sorted(xy[:, 0].tolist())
    assert table.crs == expected.crs
    pd.testing.assert_frame_equal(table.frame, pd.DataFrame(expected.drop(columns=expected.geometry.name)))
    households = read_households(path).households
    assert households.crs == expected.crs
    assert households.geometry.x.tolist() == expected.geometry.x.tolist()
    assert households.geometry.y.tolist() == expected.geometry.y.tolist()


@pytest.mark.parametrize("kind", ["parquet", "geojson"])
def test_a_missing_or_empty_point_is_named_by_its_row(tmp_path, kind):
    geometry = [shapely.Point(674_000, 6_580_000), None, shapely.Point(), shapely.Point(674_010, 6_580_000)]
    path = tmp_path / f"h.{kind}"
    write(register(gpd.GeoSeries(geometry)), path)
    assert read_table(path).point_xy is not None
    with pytest.raises(InputError) as err:
        read_households(path)
    assert err.value.key == "input.no_geometry" and "row 2, column 'geometry'" in str(err.value)
    skipped = read_households(path, skip_bad_rows=True)
    assert skipped.households["household_id"].tolist() == ["H0", "H3"]
    assert skipped.rejects["row"].tolist() == [2, 3]


@pytest.mark.parametrize("kind", FORMATS)
def test_other_geometries_are_read_as_before(tmp_path, kind):
    geometry = [shapely.Point(674_000, 6_580_000), shapely.box(674_100, 6_580_100, 674_120, 6_580_120)]
    path = tmp_path / f"h.{kind}"
    write(register(gpd.GeoSeries(geometry)), path)
    table = read_table(path)
    assert table.point_xy is None and table.geometry is not None
    households = read_households(path).households
    assert sorted(households.geometry.x.tolist()) == [674_000, 674_110]


def test_points_with_height_are_read_by_geopandas(tmp_path):
    path = tmp_path / "h.gpkg"
    points = [shapely.Point(674_000, 6_580_000, 12.0), shapely.Point(674_010, 6_580_000, 3.0)]
    write(register(gpd.GeoSeries(points)), path)
    table = read_table(path)
    assert table.point_xy is None
    assert read_households(path).households.geometry.x.tolist() == [674_000, 674_010]


def test_a_layer_with_date_times_is_read_as_geopandas_reads_it(tmp_path):
    """Date-time fields come as text from Arrow; geopandas parses them, so such a layer goes to geopandas."""
    frame = register(gpd.points_from_xy([674_000, 674_010], [6_580_000, 6_580_000]))
    frame["registered"] = pd.to_datetime(["2026-01-02 10:00", "2026-03-04 12:30"])
    path = tmp_path / "h.gpkg"
    write(frame, path)
    table = read_table(path)
    assert table.point_xy is None
    expected = read_plainly(path)
    pd.testing.assert_series_equal(table.frame["registered"], expected["registered"])


def test_a_layer_with_dates_keeps_them_as_dates(tmp_path):
    frame = register(gpd.points_from_xy([674_000, 674_010], [6_580_000, 6_580_000]))
    frame["registered"] = [dt.date(2026, 1, 2), dt.date(2026, 3, 4)]
    path = tmp_path / "h.geojson"
    frame.to_file(path, engine="pyogrio")
    table = read_table(path)
    assert table.point_xy is not None
    assert table.frame["registered"].tolist() == read_plainly(path)["registered"].tolist()


@pytest.mark.parametrize("kind", ["parquet", "gpkg"])
def test_a_layer_without_a_crs_has_none(tmp_path, kind):
    """As geopandas reads it: no CRS (GeoParquet's null), not an unreadable file."""
    path = tmp_path / f"h.{kind}"
    with pytest.warns(UserWarning, match="crs") if kind == "gpkg" else contextlib.nullcontext():
        write(register(gpd.points_from_xy([674_000], [6_580_000]), crs=None), path)
    table = read_table(path)
    assert table.point_xy is not None and table.crs is None and read_plainly(path).crs is None


def test_a_layer_is_chosen_by_name(tmp_path):
    path = tmp_path / "two.gpkg"
    write(register(gpd.points_from_xy([674_000], [6_580_000])), path)
    other = register(gpd.points_from_xy([1.0, 2.0], [3.0, 4.0]))
    other.to_file(path, layer="other", engine="pyogrio")
    with pytest.raises(InputError) as err:
        read_table(path)
    assert err.value.key == "input.several_layers"
    table = read_table(path, layer="other")
    assert table.point_xy is not None and table.point_xy[0].tolist() == [1.0, 2.0]
