"""Ids that differ only in what no one sees, GeoPackages of several layers, Swedish time windows,
swapped files and metric CRSs meant for elsewhere."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from cocoon.cli import main
from cocoon.errors import InputError, SettingsError
from cocoon.geo.crs import choose_metric_crs, parse_crs
from cocoon.inputs.burglaries import BurglaryColumns, read_burglaries
from cocoon.inputs.households import read_households


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_ids_differing_in_case_or_invisible_characters_are_one_burglary(tmp_path):
    rows = [
        "id,date,lat,lon",
        "K-2026-17,2026-05-01,60.17,24.94",
        "k-2026-17\u200b,2026-05-01,60.17,24.94",
        "\u00a0K-2026-18\x00,2026-05-02,60.18,24.95",
        "K-2026-18,2026-05-02,60.18,24.95",
        "K-2026-19\ufeff,2026-05-03,60.19,24.96",
    ]
    path = tmp_path / "b.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    table = read_burglaries(path)
    assert table.burglaries["burglary_id"].tolist() == ["K-2026-17", "K-2026-18", "K-2026-19"]
    note = dict(table.notes)["notes.ids_merged"]
    assert note["n"] == 2 and "'k-2026-17' (row 3) = 'K-2026-17' (row 2)" in note["pairs"]
    assert table.rejects["reason_key"].tolist() == ["input.same_burglary_merged"] * 2
    assert table.unusable == 0


def test_ids_differing_only_in_case_but_not_in_time_are_refused_as_one_id_twice(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("id,date,lat,lon\nAB1,2026-05-01,60.17,24.94\nab1,2026-05-03,60.17,24.94\n")
    with pytest.raises(InputError) as error:
        read_burglaries(path)
    assert error.value.key == "input.duplicate_id" and "rows 2, 3" in error.value.render("en")


def test_household_ids_differing_in_invisible_characters_are_refused(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("household_id,lat,lon\nH1,60.17,24.94\nH1\u200b,60.171,24.941\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_households(path)
    assert error.value.key == "input.duplicate_id"


def two_layer_geopackage(path):
    points = gpd.GeoDataFrame(
        {"id": ["a", "b"], "date": ["2026-05-01", "2026-05-02"]},
        geometry=gpd.points_from_xy([24.94, 24.95], [60.17, 60.18]),
        crs=4326,
    )
    points.to_file(path, layer="burglaries_2026")
    gpd.GeoDataFrame(
        {"id": ["x"], "date": ["2026-01-01"]}, geometry=gpd.points_from_xy([25.0], [60.2]), crs=4326
    ).to_file(path, layer="archive")


def test_geopackage_with_two_layers_names_them_and_reads_the_one_named(tmp_path):
    path = tmp_path / "two.gpkg"
    two_layer_geopackage(path)
    with pytest.raises(InputError) as error:
        read_burglaries(path)
    message = error.value.render("en")
    assert "burglaries_2026" in message and "archive" in message and "--layer" in message
    assert read_burglaries(path, columns=BurglaryColumns(layer="archive")).burglaries["burglary_id"].tolist() == ["x"]
    with pytest.raises(InputError) as error:
        read_burglaries(path, columns=BurglaryColumns(layer="nope"))
    assert "burglaries_2026, archive" in error.value.render("en")


def test_plan_household_layer_option(tmp_path):
    path = tmp_path / "reg.gpkg"
    gpd.GeoDataFrame(
        {"household_id": ["h1", "h2"]}, geometry=gpd.points_from_xy([24.94, 24.941], [60.17, 60.171]), crs=4326
    ).to_file(path, layer="entrances")
    gpd.GeoDataFrame({"household_id": ["s1"]}, geometry=gpd.points_from_xy([24.9], [60.1]), crs=4326).to_file(
        path, layer="schools"
    )
    b = tmp_path / "b.csv"
    b.write_text("id,date,lat,lon\nB1,2026-05-01,60.17,24.94\n")
    args = ["plan", "--burglaries", b, "--households", path, "--date", "2026-05-04", "--lang", "en"]
    refused = run(*args, "--out", tmp_path / "a")
    assert refused.exit_code == 1 and "--household-layer" in refused.output and "entrances, schools" in refused.output
    done = run(*args, "--out", tmp_path / "b", "--household-layer", "entrances")
    assert done.exit_code == 0, done.output


def test_klockslag_from_and_to_beside_a_date_window_give_its_times(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "Ärende;Datum från;Klockslag från;Datum till;Klockslag till;lat;lon\n"
        "A1;2026-05-01;08:15;2026-05-01;16:40;59,33;18,06\n"
        "A2;2026-05-02;2130;2026-05-03;0710;59,34;18,07\n",
        encoding="utf-8",
    )
    table = read_burglaries(path)
    b = table.burglaries
    assert b["first_time"].tolist() == [pd.Timestamp("2026-05-01 08:15"), pd.Timestamp("2026-05-02 21:30")]
    assert b["last_time"].tolist() == [pd.Timestamp("2026-05-01 16:40"), pd.Timestamp("2026-05-03 07:10")]
    assert table.columns["time_from"] == "Klockslag från" and table.columns["time_to"] == "Klockslag till"


@pytest.mark.parametrize(
    "place,lon,lat,epsg",
    [
        ("Oslo", 10.75, 59.91, 32632),
        ("Copenhagen", 12.57, 55.68, 32633),
        ("Turku", 22.27, 60.45, 32634),
        ("Stockholm", 18.07, 59.33, 3006),
        ("Malmö", 13.0, 55.6, 3006),
        ("Kiruna", 20.23, 67.86, 3006),
        ("Mariehamn", 19.94, 60.1, 32634),
    ],
)
def test_sweref_is_chosen_for_sweden_only(place, lon, lat, epsg):
    assert choose_metric_crs((lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01)).to_epsg() == epsg, place


def test_a_metric_crs_far_from_the_data_is_refused():
    helsinki = (24.9, 60.15, 24.97, 60.2)
    with pytest.raises(SettingsError) as error:
        choose_metric_crs(helsinki, requested=parse_crs("EPSG:32611"))
    assert "EPSG:32611" in error.value.render("en") and "24.9" in error.value.render("en")
    assert choose_metric_crs(helsinki, requested=parse_crs("EPSG:32635")).to_epsg() == 32635


def test_plan_refuses_a_metric_crs_far_from_the_data(files, tmp_path):
    b, h = files
    result = run(
        "plan",
        "--burglaries",
        b,
        "--households",
        h,
        "--date",
        "2026-05-04",
        "--out",
        tmp_path / "o",
        "--lang",
        "en",
        "--metric-crs",
        "EPSG:32611",
    )
    assert result.exit_code == 1 and "EPSG:32611" in result.output and "Traceback" not in result.output


def test_ingest_refuses_a_wholly_swapped_file_against_the_store(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    good = tmp_path / "good.csv"
    good.write_text("id,date,lat,lon\nB1,2026-04-01,60.17,24.94\nB2,2026-04-02,60.18,24.95\n")
    swapped = tmp_path / "swapped.csv"
    swapped.write_text("id,date,lat,lon\nB3,2026-05-01,24.94,60.17\nB4,2026-05-02,24.95,60.18\n")
    store = tmp_path / "s.sqlite"
    assert run("ingest", good, "--store", store, "--lang", "en").exit_code == 0
    result = run("ingest", swapped, "--store", store, "--lang", "en")
    assert result.exit_code == 1 and "swapped" in result.output, result.output
    from cocoon.store import queries
    from cocoon.store.database import open_store

    with open_store(store) as opened:
        assert sorted(queries.stored_burglaries(opened)["burglary_id"]) == ["B1", "B2"]


def test_ingest_refuses_burglaries_outside_the_settings_metric_crs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text('crs = "EPSG:32611"\n')
    good = tmp_path / "good.csv"
    good.write_text("id,date,lat,lon\nB1,2026-04-01,60.17,24.94\n")
    result = run("ingest", good, "--store", tmp_path / "s.sqlite", "--settings", tmp_path / "s.toml", "--lang", "en")
    assert result.exit_code == 1 and "EPSG:32611" in result.output


def test_entrance_letters_are_kept_in_the_label_and_id(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(
        "Gatunamn;Nummer;Bokstav;lat;lon\n"
        "Storgatan;5;A;59,3300;18,0600\nStorgatan;5;B;59,3301;18,0601\nStorgatan;7;;59,3302;18,0602\n"
        "Storgatan;9B;B;59,3303;18,0603\n",
        encoding="utf-8",
    )
    table = read_households(path)
    labels = table.households["label"].tolist()
    assert labels == ["Storgatan 5 A", "Storgatan 5 B", "Storgatan 7", "Storgatan 9B"]
    assert table.households["household_id"].nunique() == 4
    assert table.columns["entrance"] == "Bokstav"
    assert "notes.house_numbers_missing" not in dict(table.notes)


def test_a_register_with_streets_but_no_house_numbers_is_warned_about(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(
        "household_id,street,number,lat,lon\nh1,Kyrkvägen,,59.33,18.06\nh2,Kyrkvägen,4,59.331,18.061\n"
        "h3,Kyrkvägen,,59.332,18.062\n"
    )
    note = dict(read_households(path).notes)["notes.house_numbers_missing"]
    assert note["n"] == 2 and note["total"] == 3


def test_the_registers_xy_error_names_the_household_options(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text("household_id,x,y\nh1,674000,6580000\n")
    with pytest.raises(InputError) as error:
        read_households(path)
    message = error.value.render("en")
    assert "--household-crs EPSG:3006" in message and "--crs" not in message.replace("--household-crs", "")
    path.write_text("household_id,where\nh1,somewhere\n")
    with pytest.raises(InputError) as error:
        read_households(path)
    assert "--household-column lon=..." in error.value.render("en")


def test_a_csv_with_cr_only_line_endings_is_read(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(b"id;datum;lat;lon\rB1;2026-05-01;59,33;18,06\rB2;2026-05-02;59,34;18,07\r")
    assert read_burglaries(path).burglaries["burglary_id"].tolist() == ["B1", "B2"]


def test_the_utm_zone_is_the_databases_at_every_point_and_asked_once_per_degree_cell():
    """utm_crs keeps one database answer per whole-degree cell: the answer must be the database's
    own for any point, on both sides of a zone edge and of the equator."""
    from pyproj.aoi import AreaOfInterest
    from pyproj.database import query_utm_crs_info

    from cocoon.geo.crs import _utm_of_cell, utm_crs

    rng = np.random.default_rng(7)
    points = [*map(tuple, rng.uniform([-180, -80], [180, 84], (40, 2))), (5.999, 60.0), (6.001, 60.0)]
    points += [(10.0, -0.001), (10.0, 0.001), (24.94, 60.17), (-87.63, 41.88)]
    for lon, lat in points:
        found = query_utm_crs_info(datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat))
        assert utm_crs(lon, lat).to_epsg() == int(found[0].code), (lon, lat)
    assert utm_crs(5.999, 60.0).to_epsg() == 32631 and utm_crs(6.001, 60.0).to_epsg() == 32632
    assert utm_crs(10.0, -0.001).to_epsg() == 32732
    before = _utm_of_cell.cache_info().misses
    utm_crs(24.10, 60.90)
    utm_crs(24.99, 60.01)
    assert _utm_of_cell.cache_info().misses <= before + 1
