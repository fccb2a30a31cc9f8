"""`cocoon evaluate --store`, end to end on simulated data: ingest, plan, visits import, evaluate,
purge, evaluate again from the de-identified episodes."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from cocoon.cli import main
from cocoon.store.database import SCHEMA_VERSION
from tests.conftest import X0, Y0, to_lonlat


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def simulated(tmp_path, household_frame):
    """90 burglaries over five months in the households' 3 km square, some close to an earlier
    one; ingested, planned every four weeks, and every other burglary's nearest tier A/B doors
    visited within 20 hours of its report."""
    rng = np.random.default_rng(21)
    days, x, y = [], [], []
    for k in range(90):
        day = float(rng.uniform(0, 150))
        if k > 10 and rng.uniform() < 0.4:  # a near repeat of an earlier burglary
            j = int(rng.integers(0, k))
            day = days[j] + float(rng.uniform(1, 12))
            x.append(x[j] + float(rng.normal(0, 150)))
            y.append(y[j] + float(rng.normal(0, 150)))
        else:
            x.append(X0 + float(rng.uniform(-1400, 1400)))
            y.append(Y0 + float(rng.uniform(-1400, 1400)))
        days.append(day)
    lon, lat = to_lonlat(np.array(x), np.array(y))
    start = pd.Timestamp("2026-01-05")
    times = [start + pd.Timedelta(days=d) for d in days]
    burglaries = pd.DataFrame(
        {
            "id": [f"S{k:03d}" for k in range(90)],
            "date": [t.strftime("%Y-%m-%d %H:%M") for t in times],
            "lon": lon.round(7),
            "lat": lat.round(7),
            "address": "",
        }
    )
    b = tmp_path / "burglaries.csv"
    h = tmp_path / "households.csv"
    burglaries.to_csv(b, index=False)
    household_frame.drop(columns=["x", "y"]).to_csv(h, index=False)
    store = tmp_path / "cocoon.sqlite"
    assert run("ingest", b, "--store", store, "--lang", "en").exit_code == 0
    visits = []
    for week in range(0, 24, 4):
        day = (start + pd.Timedelta(weeks=week, days=6)).date().isoformat()
        out = tmp_path / f"plan-{day}"
        result = run("plan", "--store", store, "--households", h, "--date", day, "--out", out, "--lang", "en")
        assert result.exit_code == 0, result.output
        listed = pd.read_csv(out / "visits.csv", dtype={"household_id": str, "burglary_ids": str})
        for row in listed.itertuples(index=False):
            first = str(row.burglary_ids).split(";")[0]
            k = int(first[1:])
            if k % 2 == 0 and row.tier in ("A", "B"):
                visits.append(
                    (
                        row.household_id,
                        "face" if k % 4 == 0 else "leaflet",
                        (times[k] + pd.Timedelta(hours=20)).strftime("%Y-%m-%d %H:%M"),
                    )
                )
    path = tmp_path / "visits.csv"
    pd.DataFrame(visits, columns=["household_id", "outcome", "time"]).drop_duplicates("household_id").assign(
        visitor="PA 1"
    ).to_csv(path, index=False)
    result = run("visits", "import", path, "--store", store, "--lang", "en")
    assert result.exit_code == 0, result.output
    return store, tmp_path, burglaries


def test_evaluate_from_the_store_then_after_purge_from_the_kept_episodes(simulated):
    store, tmp_path, burglaries = simulated
    result = run(
        "evaluate",
        "--store",
        store,
        "--to",
        "2026-06-30",
        "--json",
        tmp_path / "e.json",
        "--html",
        tmp_path / "e.html",
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    figures = json.loads((tmp_path / "e.json").read_text())
    for key in (
        "rate_ratio",
        "ci_low",
        "ci_high",
        "p_value",
        "min_detectable_reduction",
        "verdict",
        "naive_rate_ratio",
        "n_episodes",
        "design",
        "delivery",
        "dose_response",
        "knox_before_after",
    ):
        assert key in figures
    assert figures["design"] == "observational_adjusted" or figures["design"] == "observational_unadjusted"
    assert figures["verdict"] in ("reduced", "no_difference", "increased", "underpowered")
    assert figures["n_episodes"] == figures["episodes_from_records"] and figures["episodes_kept"] == 0
    assert figures["n_treated"] + figures["n_control"] == figures["n_episodes"] <= len(burglaries)
    # The doors visited for a burglary were visited 20 hours after its report; some of them are
    # tier A/B doors of other burglaries too, whose first attempt may come later.
    delivery = figures["delivery"]
    assert delivery["median_hours_to_first_attempt"] >= 20.0
    assert delivery["served_48h"] == pytest.approx(figures["n_treated"] / figures["n_episodes"])
    assert 0 < delivery["attempted_24h"] <= delivery["attempted_48h"] <= 1
    assert "Delivery first: what was done" in result.output and "Field audit" in result.output
    assert "1. Days 1–14: zones served within 48 h" in result.output
    page = (tmp_path / "e.html").read_text()
    assert "Knox ratio before and after cocooning started" in page and "data:image/png;base64," in page

    # The de-identified episodes: no ids, addresses or times; months whose windows have closed.
    with sqlite3.connect(store) as db:
        kept = pd.read_sql_query("SELECT * FROM evaluation_episodes", db)
        version = db.execute("PRAGMA user_version").fetchone()[0]
    assert version == SCHEMA_VERSION and len(kept) > 0
    assert kept["weekday"].between(1, 7).all()
    assert not {"burglary_id", "household_id", "address", "reported", "lon", "lat"} & set(kept.columns)
    assert set(kept["month"]) <= {"2026-01", "2026-02", "2026-03", "2026-04"}
    assert kept["month"].str.fullmatch(r"\d{4}-\d{2}").all()
    months = set(kept["month"])

    result = run("purge", "--store", store, "--before", "2026-04-01", "--yes", "--lang", "en")
    assert result.exit_code == 0, result.output
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM burglaries WHERE last_time < '2026-03-01'").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM evaluation_episodes").fetchone()[0] == len(kept)
    result = run("evaluate", "--store", store, "--to", "2026-06-30", "--json", tmp_path / "after.json", "--lang", "en")
    assert result.exit_code == 0, result.output
    after = json.loads((tmp_path / "after.json").read_text())
    purged_months = {m for m in months if m < "2026-04"}
    assert after["episodes_kept"] == int(kept["month"].isin(purged_months).sum()) > 0
    assert after["n_episodes"] >= after["episodes_kept"]


def test_a_store_without_visits_has_nothing_to_compare(tmp_path, files):
    b, h = files
    store = tmp_path / "cocoon.sqlite"
    assert run("ingest", b, "--store", store, "--lang", "en").exit_code == 0
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
            "--lang",
            "en",
        ).exit_code
        == 0
    )
    result = run("evaluate", "--store", store, "--lang", "en")
    assert result.exit_code == 1
    assert "was served within 48 hours" in result.output and "cocoon visits import" in result.output


def test_the_store_adjusts_for_month_and_weekday_and_says_so_in_swedish(simulated):
    store, tmp_path, _ = simulated
    result = run(
        "evaluate",
        "--store",
        store,
        "--to",
        "2026-06-30",
        "--json",
        tmp_path / "sv.json",
        "--html",
        tmp_path / "sv.html",
        "--lang",
        "sv",
    )
    assert result.exit_code == 0, result.output
    figures = json.loads((tmp_path / "sv.json").read_text())
    assert figures["adjusted_for"] == ["prior_rate", "log_households", "calendar_month", "weekday", "reporting_delay_h"]
    columns = {row["covariate"] for row in figures["balance"]}
    # Months January to June (the commonest level is the reference), weekdays 1-7 as levels.
    assert {c.split("=")[0] for c in columns} >= {"prior_rate", "calendar_month", "weekday"}
    assert {c.split("=")[1] for c in columns if c.startswith("calendar_month=")} <= {f"0{m}" for m in range(1, 7)}
    page = (tmp_path / "sv.html").read_text()
    for shown in (result.output, page):
        assert "Tidigare inbrott per hushåll" in shown and "Månad: " in shown and "Veckodag: " in shown
        assert "prior_rate" not in shown and "calendar_month" not in shown and "weekday" not in shown
    # The pitfall names the covariates whose levels are out of balance, each once.
    imbalance = next(line for line in result.output.splitlines() if line.startswith("- Grupperna skiljer sig i"))
    assert imbalance.count("Veckodag") <= 1 and imbalance.count("Månad") <= 1
    (tmp_path.parent / "evaluate-sv.txt").write_text(result.output)


def test_a_store_of_schema_5_gets_the_weekday_and_keeps_its_episodes(simulated):
    store, tmp_path, _ = simulated
    assert run("evaluate", "--store", store, "--to", "2026-06-30", "--lang", "en").exit_code == 0
    with sqlite3.connect(store) as db:  # what cocoon wrote before the weekday was kept
        kept = db.execute("SELECT COUNT(*) FROM evaluation_episodes").fetchone()[0]
        db.executescript(
            "DROP TABLE trial_episodes; ALTER TABLE evaluation_episodes DROP COLUMN weekday; PRAGMA user_version = 5;"
        )
    assert kept > 0
    result = run("purge", "--store", store, "--before", "2026-04-01", "--yes", "--lang", "en")
    assert result.exit_code == 0, result.output
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
        old = pd.read_sql_query("SELECT month, weekday FROM evaluation_episodes", db)
    assert len(old) == kept and old["weekday"].isna().all()
    # The purged months come from the kept episodes, whose weekday is "not recorded".
    result = run("evaluate", "--store", store, "--to", "2026-06-30", "--json", tmp_path / "old.json", "--lang", "en")
    assert result.exit_code == 0, result.output
    figures = json.loads((tmp_path / "old.json").read_text())
    assert figures["episodes_kept"] > 0
    # Most episodes are kept ones without a weekday: "not recorded" is the commonest level, the
    # reference, so each of the seven weekdays has its own column.
    levels = {row["covariate"] for row in figures["balance"]}
    assert {f"weekday={d}" for d in range(1, 8)} <= levels and "weekday=?" not in levels
