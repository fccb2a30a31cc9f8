"""Police exports with other crimes than residential burglary, and dates whose order is unclear."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import X0, Y0, to_lonlat

from cocoon.cli import main
from cocoon.errors import InputError
from cocoon.inputs.burglaries import BurglaryColumns, read_burglaries
from cocoon.settings import InputSettings

PLAN = dt.date(2026, 5, 4)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def places(n: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Points within about a kilometre of the fixtures' households (Stockholm, SWEREF 99 TM)."""
    rng = np.random.default_rng(seed)
    return to_lonlat(X0 + rng.uniform(-700, 700, n), Y0 + rng.uniform(-700, 700, n))


def police_uk_export(path):
    """An export in the style of police.uk street-level crime files: every kind of crime, a
    "Crime type" column, "Burglary" with no word of the place."""
    kinds = [
        "Burglary",
        "Bicycle theft",
        "Criminal damage and arson",
        "Burglary",
        "Vehicle crime",
        "Anti-social behaviour",
        "Burglary",
        "Bicycle theft",
    ]
    lon, lat = places(len(kinds))
    frame = pd.DataFrame(
        {
            "Crime ID": [f"c{i}" for i in range(len(kinds))],
            "Date": "2026-05-01",
            "Longitude": lon.round(6),
            "Latitude": lat.round(6),
            "Crime type": kinds,
        }
    )
    frame.to_csv(path, index=False)
    return frame


def test_other_crimes_of_an_export_are_left_out_and_counted_per_kind(tmp_path):
    frame = police_uk_export(tmp_path / "street.csv")
    table = read_burglaries(tmp_path / "street.csv")
    kept = frame.loc[frame["Crime type"] == "Burglary", "Crime ID"].tolist()
    assert table.burglaries["burglary_id"].tolist() == kept
    assert table.left_out == len(frame) - len(kept)
    assert table.unusable == 0
    params = next(p for k, p in table.notes if k == "notes.crimes_left_out")

    assert params["n"] == 5 and params["column"] == "Crime type"
    assert "Bicycle theft (2)" in params["kinds"] and "Vehicle crime (1)" in params["kinds"]
    # the rows are in the rejects file, with their reason
    assert sorted(table.rejects["row"]) == [i + 2 for i in range(len(frame)) if frame["Crime type"][i] != "Burglary"]
    assert set(table.rejects["reason_key"]) == {"input.not_residential_burglary"}
    assert table.reading["crime_columns"] == ["Crime type"]


def swedish_export(path, *, sep=";"):
    """A Swedish export: Brottstyp in words, residential and other burglaries, attempts."""
    rows = [
        ("A1", "Stöld genom inbrott i lägenhet, ej källare/vind"),
        ("A2", "Bostadsinbrott, villa"),
        ("A3", "Försök till bostadsinbrott"),
        ("A4", "Inbrott i källare"),
        ("A5", "Cykelstöld"),
        ("A6", "Skadegörelse"),
        ("A7", "Inbrott i butik"),
        ("A8", "Inbrottsstöld i radhus"),
        ("A9", "Inbrott i förråd"),
    ]
    lon, lat = places(len(rows), seed=5)
    frame = pd.DataFrame(
        {
            "Ärendenummer": [r[0] for r in rows],
            "Brottstyp": [r[1] for r in rows],
            "Brottsdatum": "2026-05-02",
            "lat": lat.round(6),
            "lon": lon.round(6),
        }
    )
    frame.to_csv(path, index=False, sep=sep)
    return frame


def test_swedish_words_keep_residential_burglary_and_attempts_count_by_default(tmp_path):
    swedish_export(tmp_path / "export.csv")
    table = read_burglaries(tmp_path / "export.csv")
    assert table.burglaries["burglary_id"].tolist() == ["A1", "A2", "A3", "A8"]
    counted = dict(table.notes)["notes.attempts_counted"]
    assert counted["n"] == 1
    left = dict(table.notes)["notes.crimes_left_out"]
    assert left["n"] == 5 and "Inbrott i källare (1)" in left["kinds"]


def test_attempts_left_out_by_setting_or_option(tmp_path):
    swedish_export(tmp_path / "export.csv")
    by_setting = read_burglaries(tmp_path / "export.csv", settings=InputSettings(attempts="leave_out"))
    by_option = read_burglaries(tmp_path / "export.csv", columns=BurglaryColumns(attempts="leave_out"))
    for table in (by_setting, by_option):
        assert table.burglaries["burglary_id"].tolist() == ["A1", "A2", "A8"]
        row = table.rejects[table.rejects["reason_key"] == "input.attempt_left_out"]
        assert row["row"].tolist() == [4]
        assert "notes.attempts_counted" not in dict(table.notes)


def test_all_crime_types_reads_every_row(tmp_path):
    frame = swedish_export(tmp_path / "export.csv")
    table = read_burglaries(tmp_path / "export.csv", settings=InputSettings(crime_types="all"))
    assert len(table.burglaries) == len(frame) and table.left_out == 0


def test_a_file_without_a_crime_column_is_read_whole(tmp_path, burglary_frame):
    burglary_frame.drop(columns=["x", "y"]).to_csv(tmp_path / "b.csv", index=False)
    table = read_burglaries(tmp_path / "b.csv")
    assert len(table.burglaries) == len(burglary_frame) and len(table.rejects) == 0
    assert "crime" not in table.columns


def test_codes_only_are_refused_with_the_values_then_read_with_the_codes_named(tmp_path):
    lon, lat = places(5, seed=8)
    codes = ["1201", "1201", "0857", "1202", "0403"]
    pd.DataFrame({"id": list("abcde"), "Brottskod": codes, "datum": "2026-05-01", "lat": lat, "lon": lon}).to_csv(
        tmp_path / "codes.csv", index=False
    )
    with pytest.raises(InputError) as error:
        read_burglaries(tmp_path / "codes.csv")
    message = error.value.render("en")
    assert "column 'Brottskod'" in message and "'1201' (2)" in message and "'0403' (1)" in message
    assert "burglary_codes" in message
    table = read_burglaries(
        tmp_path / "codes.csv", settings=InputSettings(burglary_codes=("1201",), attempt_codes=("1202",))
    )
    assert table.burglaries["burglary_id"].tolist() == ["a", "b", "d"]
    assert dict(table.notes)["notes.attempts_counted"]["n"] == 1


def test_codes_setting_from_toml(tmp_path):
    from cocoon.settings import load_settings

    (tmp_path / "s.toml").write_text('[inputs]\nburglary_codes = ["1201", 1202]\nattempts = "leave_out"\n')
    settings = load_settings(tmp_path / "s.toml")
    assert settings.inputs.burglary_codes == ("1201", "1202") and settings.inputs.attempts == "leave_out"
    (tmp_path / "bad.toml").write_text('[inputs]\nattempts = "sometimes"\n')
    from cocoon.errors import SettingsError

    with pytest.raises(SettingsError) as error:
        load_settings(tmp_path / "bad.toml")
    assert "inputs.attempts" in error.value.render("en")


def test_plan_lists_left_out_crimes_on_screen_and_in_the_rejects_file(tmp_path, files):
    _, households = files
    police_uk_export(tmp_path / "street.csv")
    out = tmp_path / "plan"
    result = run(
        "plan",
        "--burglaries",
        tmp_path / "street.csv",
        "--households",
        households,
        "--date",
        "2026-05-04",
        "--out",
        out,
        "--lang",
        "en",
        "--crime-column",
        "Crime type",
    )
    assert result.exit_code == 0, result.output
    assert "5 rows are not residential burglaries by column 'Crime type'" in result.output
    assert "Bicycle theft (2)" in result.output
    assert "Burglaries read: 3 " in result.output
    assert "unusable" not in result.output  # left out on purpose, not unusable
    rejects = pd.read_csv(out / "rejected-rows.csv")
    assert len(rejects) == 5
    assert rejects["reason"].str.contains("is not a residential burglary").all()
    plan = json.loads((out / "plan.json").read_text())
    assert plan["inputs"]["burglary_reading"]["crimes_left_out"]["Bicycle theft"] == 2


def test_ingest_leaves_out_other_crimes_and_writes_their_rows(tmp_path, monkeypatch):
    police_uk_export(tmp_path / "street.csv")
    monkeypatch.chdir(tmp_path)
    result = run("ingest", tmp_path / "street.csv", "--store", tmp_path / "s.sqlite", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Bicycle theft (2)" in result.output
    assert len(pd.read_csv(tmp_path / "street-rejected-rows.csv")) == 5


# ---- the order of day and month ----------------------------------------------------------


def us_export(path, days):
    """A month/day/year export (as US police portals write it) whose days are all 12 or less."""
    lon, lat = places(len(days), seed=9)
    pd.DataFrame(
        {"incident_id": [f"i{i}" for i in range(len(days))], "date": days, "lat": lat.round(6), "lon": lon.round(6)}
    ).to_csv(path, index=False)


def test_month_first_dates_that_read_both_ways_are_refused_not_read_day_first(tmp_path):
    # 1 May, 3 May and 2 April month-first; 5 January, 5 March and 4 February day-first: the newest
    # burglaries would silently fall out of the high-risk window.
    us_export(tmp_path / "us.csv", ["05/01/2026", "05/03/2026", "04/02/2026"])
    with pytest.raises(InputError) as error:
        read_burglaries(tmp_path / "us.csv", plan_date=PLAN, active_days=56)
    message = error.value.render("en")
    assert "--date-order" in message and "'05/01/2026' on row 2" in message
    assert "2026-01-05 day first but 2026-05-01 month first" in message
    table = read_burglaries(tmp_path / "us.csv", plan_date=PLAN, columns=BurglaryColumns(date_order="mdy"))
    assert table.burglaries["first_day"].dt.date.tolist() == [
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 3),
        dt.date(2026, 4, 2),
    ]
    assert table.reading["date_order"] == "mdy"
    assert "notes.date_order_given" in dict(table.notes)


def test_a_day_above_12_anywhere_decides_and_is_named(tmp_path):
    us_export(tmp_path / "us.csv", ["05/01/2026", "04/25/2026", "04/02/2026"])
    table = read_burglaries(tmp_path / "us.csv", plan_date=PLAN)
    assert table.burglaries["first_day"].dt.date.tolist()[0] == dt.date(2026, 5, 1)
    note = dict(table.notes)["notes.date_order_data"]
    assert note["order"] == "mdy" and note["row"] == 3 and note["value"] == "04/25/2026"


def test_another_date_column_decides(tmp_path):
    lon, lat = places(2, seed=4)
    pd.DataFrame(
        {
            "id": ["a", "b"],
            "date_from": ["05/01/2026", "04/02/2026"],
            "date_to": ["05/02/2026", "04/13/2026"],
            "lat": lat,
            "lon": lon,
        }
    ).to_csv(tmp_path / "w.csv", index=False)
    table = read_burglaries(tmp_path / "w.csv", plan_date=PLAN)
    assert table.burglaries["first_day"].dt.date.tolist() == [dt.date(2026, 5, 1), dt.date(2026, 4, 2)]
    assert table.reading["date_order_from"] == "other_column"


def test_the_plan_date_decides_when_one_order_puts_burglaries_in_the_future(tmp_path):
    # 06/04/2026 is 6 April day first, but 4 June month first: after the plan date
    us_export(tmp_path / "eu.csv", ["01/05/2026", "03/04/2026", "06/04/2026"])
    table = read_burglaries(tmp_path / "eu.csv", plan_date=dt.date(2026, 5, 4), active_days=56)
    assert table.burglaries["first_day"].dt.date.tolist() == [
        dt.date(2026, 5, 1),
        dt.date(2026, 4, 3),
        dt.date(2026, 4, 6),
    ]
    assert table.reading["date_order_from"] == "plan_date"
    # without that row no order puts a burglary after the plan date: refused
    us_export(tmp_path / "eu2.csv", ["01/05/2026", "03/04/2026"])
    with pytest.raises(InputError):
        read_burglaries(tmp_path / "eu2.csv", plan_date=dt.date(2026, 5, 4), active_days=56)


def test_plan_says_the_order_on_screen_and_in_plan_json(tmp_path, files):
    _, households = files
    us_export(tmp_path / "us.csv", ["05/01/2026", "04/25/2026", "04/02/2026"])
    out = tmp_path / "plan"
    result = run(
        "plan",
        "--burglaries",
        tmp_path / "us.csv",
        "--households",
        households,
        "--date",
        "2026-05-04",
        "--out",
        out,
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    assert "dates read in the order mdy" in result.output
    plan = json.loads((out / "plan.json").read_text())
    assert plan["inputs"]["burglary_reading"]["date_order"] == "mdy"
    refused = run(
        "plan",
        "--burglaries",
        tmp_path / "us.csv",
        "--households",
        households,
        "--date",
        "2026-05-04",
        "--out",
        tmp_path / "plan2",
        "--lang",
        "en",
        "--date-format",
        "%d/%m/%Y",
    )
    assert refused.exit_code == 1  # 04/25/2026 is no date day first


def test_ambiguous_plan_is_refused_at_the_command_line_and_the_option_decides(tmp_path, files):
    _, households = files
    us_export(tmp_path / "us.csv", ["05/01/2026", "05/03/2026", "04/02/2026"])
    args = [
        "plan",
        "--burglaries",
        tmp_path / "us.csv",
        "--households",
        households,
        "--date",
        "2026-05-04",
        "--lang",
        "en",
    ]
    refused = run(*args, "--out", tmp_path / "a")
    assert refused.exit_code == 1 and "--date-order" in refused.output and "Traceback" not in refused.output
    done = run(*args, "--out", tmp_path / "b", "--date-order", "mdy")
    assert done.exit_code == 0, done.output
    assert "Burglaries read: 3 (active: 2 high risk, 1 elevated" in done.output
