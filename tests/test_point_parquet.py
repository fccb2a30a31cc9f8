"""GeoParquet households read with Arrow: the points' coordinates straight from the WKB bytes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from cocoon.errors import InputError
from cocoon.inputs.households import read_households
from cocoon.inputs.tables import read_table


def register(geometry, crs=3006) -> gpd.GeoDataFrame:
    n = len(geometry)
    return gpd.GeoDataFrame(
        {"household_id": [f"H{i}" for i in range(n)], "street": ["Gata"] * n, "number": [str(i + 1) for i in range(n)]},
        geometry=geometry,
        crs=crs,
    )


def test_points_are_read_from_the_bytes_as_geopandas_reads_them(tmp_path):
    rng = np.random.default_rng(3)
    xy = rng.uniform([650_000, 6_550_000], [700_000, 6_600_000], (500, 2))
    path = tmp_path / "h.parquet"
    register(gpd.points_from_xy(xy[:, 0], xy[:, 1])).to_parquet(path)
    table = read_table(path)
    assert table.point_xy is not None
    assert table.point_xy[0].tolist() == xy[:, 0].tolist() and table.point_xy[1].tolist() == xy[:, 1].tolist()
    expected = gpd.read_parquet(path)
    assert table.crs == expected.crs
    households = read_households(path).households
    assert households.crs == expected.crs
    assert households.geometry.x.tolist() == expected.geometry.x.tolist()
    assert households.geometry.y.tolist() == expected.geometry.y.tolist()


def test_a_missing_or_empty_point_is_named_by_its_row(tmp_path):
    geometry = [shapely.Point(674_000, 6_580_000), None, shapely.Point(), shapely.Point(674_010, 6_580_000)]
    path = tmp_path / "h.parquet"
    register(gpd.GeoSeries(geometry)).to_parquet(path)
    assert read_table(path).point_xy is not None
    with pytest.raises(InputError) as err:
        read_households(path)
    assert err.value.key == "input.no_geometry" and "row 2, column 'geometry'" in str(err.value)
    skipped = read_households(path, skip_bad_rows=True)
    assert skipped.households["household_id"].tolist() == ["H0", "H3"]
    assert skipped.rejects["row"].tolist() == [2, 3]


def test_other_geometries_are_read_as_before(tmp_path):
    geometry = [shapely.Point(674_000, 6_580_000), shapely.box(674_100, 6_580_100, 674_120, 6_580_120)]
    path = tmp_path / "h.parquet"
    register(gpd.GeoSeries(geometry)).to_parquet(path)
    table = read_table(path)
    assert table.point_xy is None
    households = read_households(path).households
    assert households.geometry.x.tolist() == [674_000, 674_110]
