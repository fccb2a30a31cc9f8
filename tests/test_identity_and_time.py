"""What the store relies on: household ids that last, burglary ids, the time of a report, and
visits imported once however often the file is read."""

from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest
from click.testing import CliRunner
from pyproj import CRS

from cocoon.cli import main
from cocoon.inputs.dates import parse_times
from cocoon.inputs.households import read_households
from cocoon.inputs.stable_ids import normalise_address
from cocoon.store.visit_records import parse_outcome


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def register(frame: pd.DataFrame, path, **kwargs):
    frame.to_csv(path, index=False, **kwargs)
    return read_households(path).households


@pytest.mark.parametrize("name", ["Hushålls-ID", "HushållsID", "hushall_id", "Lägenhets-ID", "household_id", "id"])
def test_the_registers_own_id_column_is_found_by_its_common_names(household_frame, tmp_path, name):
    frame = household_frame.drop(columns=["x", "y"]).rename(columns={"household_id": name})
    households = register(frame, tmp_path / "h.csv")
    assert list(households["household_id"][:3]) == ["H000", "H001", "H002"]


def test_a_swedish_register_export_keeps_its_ids(household_frame, tmp_path):
    """The export as a Swedish office writes it: ';', decimal comma, BOM, SWEREF 99 TM."""
    frame = pd.DataFrame(
        {
            "Hushålls-ID": household_frame["household_id"],
            "Gatuadress": household_frame["street"] + " 1",
            "Postnummer": "112 34",
            "X": household_frame["x"].map(lambda v: f"{v:.1f}".replace(".", ",")),
            "Y": household_frame["y"].map(lambda v: f"{v:.1f}".replace(".", ",")),
            "Antal lägenheter": household_frame["dwellings"],
            "Byggnads-ID": "B1",
        }
    )
    path = tmp_path / "register.csv"
    frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    table = read_households(path, crs=CRS.from_epsg(3006))
    households = table.households
    assert table.columns["id"] == "Hushålls-ID" and not table.notes
    assert households["household_id"].tolist()[:2] == ["H000", "H001"]
    assert households["dwellings"].tolist()[:5] == household_frame["dwellings"].tolist()[:5]


def without_ids(household_frame: pd.DataFrame) -> pd.DataFrame:
    return household_frame.drop(columns=["household_id", "x", "y"]).assign(postcode="11234")


def test_a_register_without_ids_gets_ids_that_survive_resorting_and_new_rows(household_frame, tmp_path):
    frame = without_ids(household_frame)
    first = register(frame, tmp_path / "a.csv")
    assert first["household_id"].str.match(r"^addr-[0-9a-f]{10}$").all()
    assert first["household_id"].is_unique
    shuffled = frame.sample(frac=1, random_state=3)
    grown = pd.concat([shuffled, frame.iloc[[0]].assign(street="Nygatan", number="99")], ignore_index=True)
    second = register(grown, tmp_path / "b.csv")

    def by_address(households):
        return {
            (s, str(n), round(x, 6), round(y, 6)): i
            for s, n, x, y, i in zip(
                households["street"],
                households["number"],
                households.geometry.x,
                households.geometry.y,
                households["household_id"],
                strict=True,
            )
        }

    before, after = by_address(first), by_address(second)
    assert len(after) == len(before) + 1
    assert all(after[k] == v for k, v in before.items())


def test_case_accents_and_spacing_do_not_make_another_address():
    assert (
        normalise_address("Storgatan 12 A")
        == normalise_address("STORGATAN 12a")
        == normalise_address("Storgatan  12-A")
    )
    assert normalise_address("Ågatan 5") != normalise_address("Agatan 6")


def test_rows_without_an_address_are_named_by_position(household_frame, tmp_path):
    frame = without_ids(household_frame).drop(columns=["street", "number", "postcode"])
    households = register(frame, tmp_path / "h.csv")
    assert households["household_id"].str.match(r"^xy-[0-9a-f]{10}$").all()
    again = register(frame.iloc[::-1], tmp_path / "r.csv")
    assert set(again["household_id"]) == set(households["household_id"])


def test_flats_listed_one_by_one_at_one_entrance_get_an_id_each(household_frame, tmp_path):
    frame = without_ids(household_frame).iloc[:3].copy()
    frame.loc[:, ["street", "number", "lon", "lat"]] = frame.iloc[0][["street", "number", "lon", "lat"]].tolist()
    frame["flat"] = ["1101", "1102", "1201"]
    households = register(frame, tmp_path / "h.csv")
    assert households["household_id"].is_unique
    assert households["household_id"].str.startswith("addr-").all()


def test_a_row_repeated_in_every_column_is_reported(household_frame, tmp_path):
    frame = without_ids(household_frame).iloc[:5]
    frame = pd.concat([frame, frame.iloc[[2]]], ignore_index=True)
    path = tmp_path / "h.csv"
    frame.to_csv(path, index=False)
    b = tmp_path / "b.csv"
    pd.DataFrame({"id": ["B1"], "date": ["2026-05-01"], "lon": [frame["lon"][0]], "lat": [frame["lat"][0]]}).to_csv(
        b, index=False
    )
    result = run(
        "plan", "--burglaries", b, "--households", path, "--date", "2026-05-04", "--out", tmp_path / "o", "--lang", "en"
    )
    assert result.exit_code == 1
    assert f"{path}, row 7: the same as row 4 in every column" in result.output
    assert "Traceback" not in result.output
    result = run(
        "plan",
        "--burglaries",
        b,
        "--households",
        path,
        "--date",
        "2026-05-04",
        "--out",
        tmp_path / "o",
        "--skip-bad-rows",
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    rejected = pd.read_csv(tmp_path / "o" / "rejected-rows.csv")
    assert rejected["row"].tolist() == [7]


def test_a_visit_follows_its_household_when_the_register_is_resorted(files, household_frame, tmp_path):
    """Reached face to face at one address: the next plan leaves out that address, not the one
    that happens to be on the same row of a re-sorted export."""
    b, _ = files
    frame = without_ids(household_frame)
    h1, h2 = tmp_path / "h1.csv", tmp_path / "h2.csv"
    frame.to_csv(h1, index=False)
    frame.iloc[::-1].to_csv(h2, index=False)
    store = tmp_path / "cocoon.sqlite"
    assert run("ingest", b, "--store", store).exit_code == 0
    assert (
        run(
            "plan",
            "--burglaries",
            b,
            "--households",
            h1,
            "--date",
            "2026-05-04",
            "--out",
            tmp_path / "p1",
            "--store",
            store,
        ).exit_code
        == 0
    )
    first = pd.read_csv(tmp_path / "p1" / "visits.csv", dtype=str)
    visited = first.iloc[0]
    assert (
        run(
            "visits",
            "add",
            visited["household_id"],
            "--outcome",
            "face",
            "--time",
            "2026-05-04 10:00",
            "--store",
            store,
        ).exit_code
        == 0
    )
    result = run("plan", "--households", h2, "--date", "2026-05-05", "--out", tmp_path / "p2", "--store", store)
    assert result.exit_code == 0, result.output
    second = pd.read_csv(tmp_path / "p2" / "visits.csv", dtype=str)
    assert visited["household_id"] not in set(second["household_id"])
    assert set(first["household_id"]) - set(second["household_id"]) == {visited["household_id"]}
    assert len(second) == len(first) - 1


def test_a_burglary_file_without_ids_plans_but_does_not_go_into_the_store(files, tmp_path):
    b, h = files
    no_ids = tmp_path / "no-ids.csv"
    pd.read_csv(b).drop(columns=["id"]).to_csv(no_ids, index=False)
    result = run("plan", "--burglaries", no_ids, "--households", h, "--date", "2026-05-04", "--out", tmp_path / "o")
    assert result.exit_code == 0 and "burglaries are named by their row" in result.output
    store = tmp_path / "cocoon.sqlite"
    result = run("ingest", no_ids, "--store", store)
    assert result.exit_code == 1 and not store.exists()
    assert f"{no_ids} has no id column, and the store needs each burglary's own id" in result.output
    assert run("ingest", b, "--store", store).exit_code == 0
    result = run(
        "plan",
        "--burglaries",
        no_ids,
        "--households",
        h,
        "--date",
        "2026-05-04",
        "--out",
        tmp_path / "o2",
        "--store",
        store,
    )
    assert result.exit_code == 1
    assert f"{no_ids} has no id column, and the store needs each burglary's own id" in result.output
    assert "--id-column" in result.output
    assert not (tmp_path / "o2").exists()
    assert sqlite3.connect(store).execute("SELECT COUNT(*) FROM burglaries").fetchone() == (4,)


def test_times_of_day_are_read_in_the_ways_people_write_them():
    cells = pd.Series(["21:30", "2130", "930", "kl. 21.30", "07:05:09", "2026-05-01 14:15", "", None, "25:00", "x"])
    parsed = parse_times(cells)
    shown = [None if pd.isna(v) else str(v)[-8:] for v in parsed.values]
    assert shown == ["21:30:00", "21:30:00", "09:30:00", "21:30:00", "07:05:09", "14:15:00", None, None, None, None]
    assert parsed.unreadable.tolist() == [False] * 8 + [True, True]


def swedish_burglaries(burglary_frame, path, times=("21:30", "0815", "", "kl. 7.05")):
    frame = pd.DataFrame(
        {
            "Ärendenummer": ["K104714", "K104715", "K104716", "K104717"],
            "Brottsdatum": burglary_frame["date"],
            "Klockslag": list(times),
            "Adress": burglary_frame["address"],
            "X": burglary_frame["x"].map(lambda v: f"{v:.1f}".replace(".", ",")),
            "Y": burglary_frame["y"].map(lambda v: f"{v:.1f}".replace(".", ",")),
        }
    )
    frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path


def test_a_time_column_is_added_to_the_date_and_named_in_plan_json(files, burglary_frame, tmp_path):
    _, h = files
    b = swedish_burglaries(burglary_frame, tmp_path / "inbrott.csv")
    result = run(
        "plan",
        "--burglaries",
        b,
        "--crs",
        "EPSG:3006",
        "--households",
        h,
        "--date",
        "2026-05-04",
        "--out",
        tmp_path / "o",
        "--lang",
        "sv",
    )
    assert result.exit_code == 0, result.output
    plan = json.loads((tmp_path / "o" / "plan.json").read_text(encoding="utf-8"))
    assert plan["inputs"]["burglary_columns"]["time"] == "Klockslag"
    assert plan["inputs"]["burglary_columns"]["date"] == "Brottsdatum"
    assert plan["inputs"]["burglary_columns"]["id"] == "Ärendenummer"


def test_status_counts_from_the_hour_of_the_report(files, burglary_frame, tmp_path):
    """Reported at 21:30: a visit at 20:00 the next day is 22.5 h later, within 24 h; counted
    from midnight, as when the time column was ignored, it would be 44 h."""
    _, h = files
    b = swedish_burglaries(burglary_frame, tmp_path / "inbrott.csv")
    store = tmp_path / "cocoon.sqlite"
    assert run("ingest", b, "--crs", "EPSG:3006", "--store", store).exit_code == 0
    assert (
        run(
            "plan",
            "--burglaries",
            b,
            "--crs",
            "EPSG:3006",
            "--households",
            h,
            "--date",
            "2026-05-04",
            "--out",
            tmp_path / "p",
            "--store",
            store,
        ).exit_code
        == 0
    )
    listed = pd.read_csv(tmp_path / "p" / "visits.csv", dtype=str)
    near = listed[listed["burglary_ids"].str.contains("K104714") & listed["tier"].isin(["A", "B"])]["household_id"]
    assert (
        run(
            "visits", "add", near.iloc[0], "--outcome", "nothome", "--time", "2026-05-02 20:00", "--store", store
        ).exit_code
        == 0
    )
    result = run("status", "--date", "2026-05-04", "--out", tmp_path / "s", "--store", store, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "2026-05-01 21:30" in result.output
    status = pd.read_csv(tmp_path / "s" / "status.csv", dtype=str).set_index("burglary_id")
    assert status.loc["K104714", "reported"] == "2026-05-01 21:30"
    assert status.loc["K104714", "attempted_24h"] == "1" and status.loc["K104714", "attempted_48h"] == "1"


def test_an_unreadable_time_names_the_file_row_and_column(files, burglary_frame, tmp_path):
    _, h = files
    b = swedish_burglaries(burglary_frame, tmp_path / "inbrott.csv", times=("21:30", "25:99", "", ""))
    result = run(
        "plan",
        "--burglaries",
        b,
        "--crs",
        "EPSG:3006",
        "--households",
        h,
        "--date",
        "2026-05-04",
        "--out",
        tmp_path / "o",
        "--lang",
        "en",
    )
    assert result.exit_code == 1
    assert f"{b}, row 3, column 'Klockslag': cannot read '25:99' as a time of day" in result.output


def test_the_time_column_can_be_named(files, burglary_frame, tmp_path):
    _, h = files
    b = tmp_path / "b.csv"
    swedish_burglaries(burglary_frame, b)
    frame = pd.read_csv(b, sep=";", encoding="utf-8-sig", dtype=str).rename(columns={"Klockslag": "Kl anm"})
    frame.to_csv(b, sep=";", index=False)
    result = run(
        "plan",
        "--burglaries",
        b,
        "--crs",
        "EPSG:3006",
        "--households",
        h,
        "--date",
        "2026-05-04",
        "--out",
        tmp_path / "o",
        "--time-column",
        "Kl anm",
    )
    assert result.exit_code == 0, result.output
    plan = json.loads((tmp_path / "o" / "plan.json").read_text(encoding="utf-8"))
    assert plan["inputs"]["burglary_columns"]["time"] == "Kl anm"
    result = run(
        "plan",
        "--burglaries",
        b,
        "--crs",
        "EPSG:3006",
        "--households",
        h,
        "--date",
        "2026-05-04",
        "--out",
        tmp_path / "o2",
        "--time-column",
        "Tid",
    )
    assert result.exit_code == 1 and "there is no column 'Tid'" in result.output


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("ej hemma", "nothome"),
        ("Inte hemma.", "nothome"),
        ("PRATADE MED", "face"),
        ("lapp lämnad", "leaflet"),
        ("N", "nothome"),
        ("nothome", "nothome"),
        ("spoke to", "face"),
        ("ingen hemma", "nothome"),
        ("hyresvärd", "owner"),
        ("återbesök", "revisit"),
    ],
)
def test_outcomes_are_read_in_swedish_and_english_words(word, code):
    assert parse_outcome(word) == code


def test_importing_the_same_visits_twice_stores_them_once(files, tmp_path):
    b, h = files
    store = tmp_path / "cocoon.sqlite"
    assert run("ingest", b, "--store", store).exit_code == 0
    assert (
        run(
            "plan",
            "--burglaries",
            b,
            "--households",
            h,
            "--date",
            "2026-05-04",
            "--out",
            tmp_path / "p",
            "--store",
            store,
        ).exit_code
        == 0
    )
    ids = pd.read_csv(tmp_path / "p" / "visits.csv", dtype=str)["household_id"].tolist()
    visits = tmp_path / "visits.csv"
    pd.DataFrame(
        {
            "household_id": [ids[0], ids[1], ids[1]],
            "outcome": ["ej hemma", "face", "face"],
            "time": ["2026-05-04 10:00", "2026-05-04 10:10", "2026-05-04 10:10"],
            "visitor": "PA 1",
        }
    ).to_csv(visits, index=False)
    first = run("visits", "import", visits, "--store", store, "--lang", "en")
    assert "Visits recorded: 2; 1 was already recorded and is not stored again" in first.output
    second = run("visits", "import", visits, "--store", store, "--lang", "en")
    assert "Visits recorded: 0; 3 were already recorded and are not stored again" in second.output
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM visits").fetchone() == (2,)
    again = run("visits", "add", ids[0], "--outcome", "N", "--time", "2026-05-04 10:00", "--store", store)
    assert "was already recorded; nothing changed" in again.output
    other = run("visits", "add", ids[0], "--outcome", "N", "--time", "2026-05-05 10:00", "--store", store)
    assert f"Visit to {ids[0]} recorded." in other.output
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM visits").fetchone() == (3,)
