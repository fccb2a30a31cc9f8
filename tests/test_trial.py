"""`cocoon trial`: the allocation made from the seed, its hash, stratified balance, plans that hold
the delayed arm back, and the analysis by assignment, end to end from a store."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from cocoon.cli import main
from cocoon.evaluation.trial_allocation import (
    DELAYED,
    IMMEDIATE,
    Design,
    allocation,
    allocation_hash,
    stratum_sequence,
)
from cocoon.store.database import SCHEMA_VERSION, open_store
from tests.conftest import X0, Y0, to_lonlat


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


DESIGN = Design(seed=12345, starts="2026-02-01", delay_days=14, strata=("history",), per_stratum=40, radius_m=500.0)


def test_the_allocation_is_made_again_from_the_seed_alone():
    assert allocation(DESIGN) == allocation(DESIGN)
    other = Design(**{**vars(DESIGN), "seed": 12346})
    assert [p.arm for p in allocation(other)] != [p.arm for p in allocation(DESIGN)]
    # a fixed reference: the first places of one stratum for seed 12345 (SHA-256 based, so the same
    # on every machine and Python version)
    first = [arm for _, arm in stratum_sequence(12345, "history 0", 8)]
    assert first == [arm for _, arm in stratum_sequence(12345, "history 0", 40)][:8]
    assert len(first) >= 8 and set(first) <= {IMMEDIATE, DELAYED}


def test_every_block_is_half_immediate_and_block_sizes_are_mixed():
    places = allocation(DESIGN)
    blocks = Counter((p.stratum, p.block) for p in places)
    immediate = Counter((p.stratum, p.block) for p in places if p.arm == IMMEDIATE)
    assert all(immediate[key] * 2 == size for key, size in blocks.items())
    assert set(blocks.values()) == {2, 4}
    assert {p.stratum for p in places} == {"history 0", "history 1-2", "history 3+"}


def test_the_hash_changes_with_one_changed_place_or_the_design():
    places = allocation(DESIGN)
    digest = allocation_hash(DESIGN, places)
    assert len(digest) == 64 and digest == allocation_hash(DESIGN, allocation(DESIGN))
    flipped = list(places)
    p = flipped[5]
    flipped[5] = type(p)(p.stratum, p.position, p.block, DELAYED if p.arm == IMMEDIATE else IMMEDIATE)
    assert allocation_hash(DESIGN, flipped) != digest
    assert allocation_hash(Design(**{**vars(DESIGN), "delay_days": 7}), places) != digest


def burglary_file(path, start, n, seed, prefix):
    """``n`` burglaries over 120 days from ``start`` in the households' 3 km square, 40 % near an
    earlier one."""
    rng = np.random.default_rng(seed)
    days, x, y = [], [], []
    for k in range(n):
        if k > 5 and rng.uniform() < 0.4:
            j = int(rng.integers(0, k))
            days.append(days[j] + float(rng.uniform(1, 12)))
            x.append(x[j] + float(rng.normal(0, 150)))
            y.append(y[j] + float(rng.normal(0, 150)))
        else:
            days.append(float(rng.uniform(0, 120)))
            x.append(X0 + float(rng.uniform(-1400, 1400)))
            y.append(Y0 + float(rng.uniform(-1400, 1400)))
    lon, lat = to_lonlat(np.array(x), np.array(y))
    times = [pd.Timestamp(start) + pd.Timedelta(days=d) for d in days]
    frame = pd.DataFrame(
        {
            "id": [f"{prefix}{k:03d}" for k in range(n)],
            "date": [t.strftime("%Y-%m-%d %H:%M") for t in times],
            "lon": lon.round(7),
            "lat": lat.round(7),
            "address": "",
        }
    )
    frame.to_csv(path, index=False)
    return frame.assign(time=times)


@pytest.fixture
def trial_store(tmp_path, household_frame):
    """A store with last winter's burglaries, a trial started on 2026-02-01, and the burglaries since."""
    store = tmp_path / "cocoon.sqlite"
    before = burglary_file(tmp_path / "before.csv", "2025-10-01", 30, 3, "P")
    assert run("ingest", tmp_path / "before.csv", "--store", store, "--lang", "en").exit_code == 0
    result = run(
        "trial",
        "start",
        "--store",
        store,
        "--seed",
        "2026",
        "--from",
        "2026-02-01",
        "--receipt",
        tmp_path / "receipt.txt",
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    assert "Seed (logged in the store): 2026" in result.output
    after = burglary_file(tmp_path / "after.csv", "2026-02-01", 90, 5, "T")
    result = run("ingest", tmp_path / "after.csv", "--store", store, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Trial 1: 90 new burglaries given an arm." in result.output
    h = tmp_path / "households.csv"
    household_frame.drop(columns=["x", "y"]).to_csv(h, index=False)
    return store, tmp_path, before, after, h


def arms(store):
    with sqlite3.connect(store) as db:
        return dict(db.execute("SELECT burglary_id, arm FROM trial_assignments"))


def test_start_writes_the_receipt_and_verify_checks_it(trial_store):
    store, tmp_path, *_ = trial_store
    receipt = (tmp_path / "receipt.txt").read_text()
    assert "sha256=" in receipt and "seed=" not in receipt and "starts=2026-02-01" in receipt
    with sqlite3.connect(store) as db:
        stored = db.execute("SELECT allocation_hash FROM trials").fetchone()[0]
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert f"sha256={stored}" in receipt
    result = run("trial", "verify", "--store", store, "--receipt", tmp_path / "receipt.txt", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "all 90 assignments match it" in result.output
    assert set(arms(store)) == {f"T{k:03d}" for k in range(90)}  # none of the burglaries before the start


def test_verify_fails_when_a_place_or_an_arm_was_changed(trial_store):
    store, tmp_path, *_ = trial_store
    with sqlite3.connect(store) as db:
        db.execute(
            "UPDATE trial_allocation SET arm = CASE arm WHEN 'immediate' THEN 'delayed' ELSE 'immediate' END "
            "WHERE rowid = 3"
        )
    result = run("trial", "verify", "--store", store, "--lang", "en")
    assert result.exit_code == 1
    assert "1 stored place differs from the allocation made again from the seed" in result.output
    with sqlite3.connect(store) as db:
        db.execute(
            "UPDATE trial_allocation SET arm = CASE arm WHEN 'immediate' THEN 'delayed' ELSE 'immediate' END "
            "WHERE rowid = 3"
        )
        burglary, arm = db.execute("SELECT burglary_id, arm FROM trial_assignments LIMIT 1").fetchone()
        db.execute(
            "UPDATE trial_assignments SET arm = ? WHERE burglary_id = ?",
            ("delayed" if arm == "immediate" else "immediate", burglary),
        )
    result = run("trial", "verify", "--store", store, "--lang", "en")
    assert result.exit_code == 1 and f"Burglary {burglary} has the arm" in result.output
    other = tmp_path / "other.txt"
    other.write_text("sha256=" + "0" * 64 + "\n")
    result = run("trial", "verify", "--store", store, "--receipt", other, "--lang", "en")
    assert result.exit_code == 1 and "is not the one the receipt was written for" in result.output


def test_the_same_seed_gives_the_same_arms_in_another_store(trial_store, tmp_path_factory):
    store, tmp_path, *_ = trial_store
    again = tmp_path_factory.mktemp("again")
    copy = again / "cocoon.sqlite"
    assert run("ingest", tmp_path / "before.csv", "--store", copy).exit_code == 0
    assert (
        run(
            "trial", "start", "--store", copy, "--seed", "2026", "--from", "2026-02-01", "--receipt", again / "r.txt"
        ).exit_code
        == 0
    )
    assert run("ingest", tmp_path / "after.csv", "--store", copy).exit_code == 0
    assert arms(copy) == arms(store)
    assert (again / "r.txt").read_text().splitlines()[-1] == (tmp_path / "receipt.txt").read_text().splitlines()[-1]


def test_arms_are_balanced_within_each_stratum(trial_store):
    store, *_ = trial_store
    result = run("trial", "status", "--store", store, "--date", "2026-06-30", "--lang", "en")
    assert result.exit_code == 0, result.output
    with sqlite3.connect(store) as db:
        rows = db.execute("SELECT stratum, arm, COUNT(*) FROM trial_assignments GROUP BY stratum, arm").fetchall()
    counts: dict[str, dict[str, int]] = {}
    for stratum, arm, n in rows:
        counts.setdefault(stratum, {IMMEDIATE: 0, DELAYED: 0})[arm] = n
    assert len(counts) > 1  # stratified by area and history
    assert all(abs(c[IMMEDIATE] - c[DELAYED]) <= 2 for c in counts.values())  # blocks of at most 4
    total = {arm: sum(c[arm] for c in counts.values()) for arm in (IMMEDIATE, DELAYED)}
    assert abs(total[IMMEDIATE] - total[DELAYED]) <= 2 * len(counts)
    assert f"Immediate: {total[IMMEDIATE]}; delayed: {total[DELAYED]}" in result.output


def test_plan_holds_the_delayed_burglaries_back_until_their_delay_has_passed(trial_store):
    store, tmp_path, _, after, h = trial_store
    given = arms(store)
    day = "2026-03-15"
    out = tmp_path / "plan"
    result = run("plan", "--store", store, "--households", h, "--date", day, "--out", out, "--lang", "en")
    assert result.exit_code == 0, result.output
    reported = after.set_index("id")["time"]
    waiting = {
        b
        for b, arm in given.items()
        if arm == DELAYED
        and reported[b].normalize() + pd.Timedelta(days=14) > pd.Timestamp(day)
        and reported[b] < pd.Timestamp(day) + pd.Timedelta(days=1)
    }
    released = {
        b
        for b, arm in given.items()
        if arm == DELAYED and reported[b].normalize() + pd.Timedelta(days=14) <= pd.Timestamp(day)
    }
    assert waiting and released
    plan = json.loads((out / "plan.json").read_text())
    held = {b["burglary_id"] for b in plan["inputs"]["trial"]["held_back_burglaries"]}
    assert waiting <= held
    listed = pd.read_csv(out / "visits.csv", dtype=str)
    named = set(";".join(listed["burglary_ids"]).split(";"))
    assert not named & held
    assert named & {b for b, arm in given.items() if arm == IMMEDIATE}
    assert "of the delayed arm are held back" in result.output
    with sqlite3.connect(store) as db:  # the zones' households, both arms alike, are kept for the analysis
        sizes = dict(db.execute("SELECT burglary_id, households FROM trial_assignments WHERE households IS NOT NULL"))
    assert set(sizes) == {b for b in given if reported[b] < pd.Timestamp(day) + pd.Timedelta(days=1)}
    assert all(n >= 0 for n in sizes.values()) and held <= set(sizes)


def plans_and_visits(trial_store):
    """Plans every fortnight from the trial's start, and face-to-face visits 20 h after the report
    at the tier A/B doors of the immediate burglaries; the arms given."""
    store, tmp_path, _, after, h = trial_store
    given = arms(store)
    times = after.set_index("id")["time"]
    visits = []
    for week in range(0, 18, 2):
        day = (pd.Timestamp("2026-02-01") + pd.Timedelta(weeks=week, days=6)).date().isoformat()
        out = tmp_path / f"plan-{day}"
        result = run("plan", "--store", store, "--households", h, "--date", day, "--out", out, "--lang", "en")
        assert result.exit_code == 0, result.output
        listed = pd.read_csv(out / "visits.csv", dtype={"household_id": str, "burglary_ids": str})
        for row in listed.itertuples(index=False):
            first = str(row.burglary_ids).split(";")[0]
            if first in given and given[first] == IMMEDIATE and row.tier in ("A", "B"):
                visits.append(
                    (row.household_id, "face", (times[first] + pd.Timedelta(hours=20)).strftime("%Y-%m-%d %H:%M"))
                )
    path = tmp_path / "visits.csv"
    pd.DataFrame(visits, columns=["household_id", "outcome", "time"]).drop_duplicates("household_id").assign(
        visitor="PA 1"
    ).to_csv(path, index=False)
    assert run("visits", "import", path, "--store", store).exit_code == 0
    return given


def test_end_to_end_plan_visits_evaluate_by_assignment(trial_store):
    store, tmp_path, *_ = trial_store
    given = plans_and_visits(trial_store)
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
    page = (tmp_path / "e.html").read_text()
    assert "analysed by assignment (intention to treat)" in page and "Delivery by arm (as assigned)" in page
    assert "data:image/png;base64," in page
    figures = json.loads((tmp_path / "e.json").read_text())
    assert figures["design"] == "randomised"
    assert figures["trial"]["analysis"] == "intention_to_treat"
    by_arm = {a["arm"]: a for a in figures["trial"]["arms"]}
    assert by_arm[IMMEDIATE]["assigned"] == sum(a == IMMEDIATE for a in given.values())
    assert by_arm[DELAYED]["assigned"] == sum(a == DELAYED for a in given.values())
    assert figures["n_treated"] == by_arm[IMMEDIATE]["episodes"]
    assert figures["n_control"] == by_arm[DELAYED]["episodes"]
    assert 0 < by_arm[IMMEDIATE]["served_48h"] <= by_arm[IMMEDIATE]["episodes"]
    # a delayed zone can share doors with an immediate one visited at the time: counted, not hidden
    assert by_arm[DELAYED]["served_48h"] < by_arm[IMMEDIATE]["served_48h"]
    assert by_arm[DELAYED]["served_48h"] <= by_arm[DELAYED]["before_delay"]
    if by_arm[DELAYED]["before_delay"]:
        assert "delayed burglaries had a door attempted before their 14 days had passed" in result.output
    assert figures["verdict"] in ("reduced", "no_difference", "increased", "underpowered")
    plain = figures["trial"]["unadjusted"]
    # the unadjusted ratio as assigned, from the arms' own totals when no episode was left out
    if figures["trial"]["episodes_dropped_from_adjustment"] == 0:
        assert plain["rate_ratio"] == pytest.approx(
            (figures["treated_follow_ons"] / figures["treated_household_days"])
            / (figures["control_follow_ons"] / figures["control_household_days"])
        )
    assert plain["n_episodes"] == by_arm[IMMEDIATE]["episodes"] + by_arm[DELAYED]["episodes"]
    assert "As assigned, not adjusted for the strata: rate ratio" in result.output
    assert "As assigned, not adjusted for the strata" in page
    if figures["trial"]["adjusted_for_strata"]:
        assert figures["adjusted_for"] == ["stratum"] and figures["estimate"] == "model"
    else:
        assert "Not adjusted for the strata" in result.output
    assert "analysed by assignment (intention to treat)" in result.output
    assert "Delivery by arm (as assigned)" in result.output
    sv = run("evaluate", "--store", store, "--to", "2026-06-30", "--lang", "sv", "--html", tmp_path / "sv.html")
    assert sv.exit_code == 0 and "analyserat efter lottad arm" in sv.output
    # the trial speaks of its arms, never of served and not served zones
    assert figures["trial"]["arm_labels"] == {"treated": IMMEDIATE, "control": DELAYED}
    for shown in (result.output, page):
        assert "immediate" in shown and "delayed" in shown
        assert not any(word in shown for word in ("served zones", "Not served", "not served", "where served"))
    sv_page = (tmp_path / "sv.html").read_text()
    for shown in (sv.output, sv_page):
        assert "omedelbart" in shown and "fördröjt" in shown
        assert not any(word in shown for word in ("Med besök", "Utan besök", "besökta zoner", "zonerna med besök"))


def test_the_trial_analysis_survives_purge_with_the_same_figures(trial_store):
    store, tmp_path, *_ = trial_store
    plans_and_visits(trial_store)
    period = ("--to", "2026-06-30", "--lang", "en")
    assert run("evaluate", "--store", store, *period, "--json", tmp_path / "before.json").exit_code == 0
    with sqlite3.connect(store) as db:
        reached = db.execute(
            "SELECT COUNT(*) FROM trial_assignments WHERE reported < '2026-03-15' AND arm != 'beyond'"
        ).fetchone()[0]
    result = run("purge", "--store", store, "--before", "2026-03-15", "--yes", "--lang", "en")
    assert result.exit_code == 0, result.output
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM burglaries WHERE last_time < '2026-03-15'").fetchone()[0] == 0
        kept = pd.read_sql_query("SELECT * FROM trial_episodes", db)
    # one de-identified row per assigned burglary purge reached: no ids, addresses or times
    assert reached > 0 and len(kept) == reached
    assert not {"burglary_id", "reported", "address", "lon", "lat"} & set(kept.columns)
    assert kept["month"].str.fullmatch(r"2026-0[23]").all()
    assert kept["week"].between(0, 7).all()  # weeks since the trial's first week, before 15 March
    assert run("evaluate", "--store", store, *period, "--json", tmp_path / "after.json").exit_code == 0
    before = json.loads((tmp_path / "before.json").read_text())
    after = json.loads((tmp_path / "after.json").read_text())
    for key in (
        "rate_ratio",
        "ci_low",
        "ci_high",
        "n_episodes",
        "n_treated",
        "treated_follow_ons",
        "control_follow_ons",
        "treated_household_days",
        "control_household_days",
        "clusters",
    ):
        assert after[key] == pytest.approx(before[key]), key
    assert after["trial"]["arms"] == before["trial"]["arms"]
    assert after["trial"]["unadjusted"] == pytest.approx(before["trial"]["unadjusted"])
    # the purged month alone: the kept episodes, counted once
    month = ("--from", "2026-02-01", "--to", "2026-02-28", "--lang", "en")
    assert run("evaluate", "--store", store, *month, "--json", tmp_path / "feb.json").exit_code == 0
    february = json.loads((tmp_path / "feb.json").read_text())
    assigned = sum(a["assigned"] for a in february["trial"]["arms"])
    assert assigned == int((kept["month"] == "2026-02").sum())
    # a second purge keeps nothing twice
    assert run("purge", "--store", store, "--before", "2026-03-15", "--yes", "--lang", "en").exit_code == 0
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM trial_episodes").fetchone()[0] == reached
    assert run("evaluate", "--store", store, *period, "--json", tmp_path / "again.json").exit_code == 0
    assert json.loads((tmp_path / "again.json").read_text())["rate_ratio"] == pytest.approx(before["rate_ratio"])


def test_stop_ends_the_assignment(trial_store):
    store, tmp_path, *_ = trial_store
    result = run("trial", "stop", "--store", store, "--date", "2026-06-30", "--lang", "en")
    assert result.exit_code == 0 and "Trial 1 stopped" in result.output
    late = burglary_file(tmp_path / "late.csv", "2026-07-01", 5, 9, "L")
    assert len(late) == 5
    assert run("ingest", tmp_path / "late.csv", "--store", store).exit_code == 0
    assert not {b for b in arms(store) if b.startswith("L")}
    again = run("trial", "stop", "--store", store, "--lang", "en")
    assert again.exit_code == 1 and "was stopped on" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--strata", "beat"), "--strata: 'beat' is not something to stratify by; use area, history"),
        (("--seed", "-4"), "--seed: -4 is negative"),
        (("--delay-days", "-1"), "--delay-days"),
        (("--per-stratum", "0"), "--per-stratum"),
        (("--from", "2026-13-01"), "--from"),
    ],
)
def test_bad_start_options_are_refused(trial_store, args, message):
    store, tmp_path, *_ = trial_store
    assert run("trial", "stop", "--store", store).exit_code == 0
    result = run("trial", "start", "--store", store, "--receipt", tmp_path / "r2.txt", *args, "--lang", "en")
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "r2.txt").exists()


def test_a_second_running_trial_and_a_bad_receipt_are_refused(trial_store):
    store, tmp_path, *_ = trial_store
    result = run("trial", "start", "--store", store, "--receipt", tmp_path / "r2.txt", "--lang", "en")
    assert result.exit_code == 1 and "already has a running trial" in result.output
    bad = tmp_path / "bad.txt"
    bad.write_text("cocoon trial\nsha256=12ab\n")
    result = run("trial", "verify", "--store", store, "--receipt", bad, "--lang", "en")
    assert result.exit_code == 1
    assert f"{bad}, line 2, column sha256: '12ab' is not a SHA-256 hash" in result.output


def test_status_without_a_trial_and_area_strata_without_burglaries(tmp_path):
    store = tmp_path / "empty.sqlite"
    open_store(store).close()
    result = run("trial", "status", "--store", store, "--lang", "en")
    assert result.exit_code == 1 and "has no trial. Start one with cocoon trial start" in result.output
    result = run("trial", "start", "--store", store, "--strata", "area", "--receipt", tmp_path / "r.txt")
    assert result.exit_code == 1 and "has no burglaries" in result.output
    result = run("trial", "start", "--store", store, "--strata", "history", "--receipt", tmp_path / "r.txt")
    assert result.exit_code == 0, result.output


def test_a_store_of_schema_4_gets_the_trial_tables(tmp_path):
    store = tmp_path / "old.sqlite"
    open_store(store).close()
    with sqlite3.connect(store) as db:  # what cocoon before trials wrote
        db.executescript(
            "DROP TABLE trial_episodes; DROP TABLE trial_assignments; DROP TABLE trial_allocation; DROP TABLE trials; "
            "ALTER TABLE evaluation_episodes DROP COLUMN weekday; PRAGMA user_version = 4;"
        )
    with open_store(store) as opened:
        tables = {r[0] for r in opened.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = opened.db.execute("PRAGMA user_version").fetchone()[0]
    assert {"trials", "trial_allocation", "trial_assignments"} <= tables and version == SCHEMA_VERSION


def test_a_store_of_schema_6_gets_the_kept_trial_episodes_and_keeps_its_trial(trial_store):
    store, *_ = trial_store
    given = arms(store)
    with sqlite3.connect(store) as db:  # what cocoon wrote before trial episodes were kept
        db.executescript("DROP TABLE trial_episodes; PRAGMA user_version = 6;")
    result = run("purge", "--store", store, "--before", "2026-03-01", "--yes", "--lang", "en")
    assert result.exit_code == 0, result.output
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
        assert db.execute("SELECT COUNT(*) FROM trial_assignments").fetchone()[0] == len(given)
        columns = {r[1] for r in db.execute("PRAGMA table_info(trial_episodes)")}
    assert {"stratum", "position", "arm", "month", "week", "follow_on", "household_days"} <= columns
    assert run("trial", "verify", "--store", store, "--lang", "en").exit_code == 0


def test_purge_takes_the_burglary_ids_out_of_the_assignments_and_verify_still_passes(trial_store):
    store, *_ = trial_store
    before = arms(store)
    result = run("purge", "--store", store, "--before", "2026-03-01", "--yes", "--lang", "en")
    assert result.exit_code == 0, result.output
    after = arms(store)
    purged = [b for b in after if b.startswith("purged-")]
    assert purged and len(after) == len(before)
    assert f"Burglary ids taken out of {len(purged)} trial assignments" in result.output
    with sqlite3.connect(store) as db:
        assert not db.execute("SELECT COUNT(*) FROM burglaries WHERE last_time < '2026-03-01'").fetchone()[0]
    assert sorted(Counter(after.values()).items()) == sorted(Counter(before.values()).items())
    check = run("trial", "verify", "--store", store, "--lang", "en")
    assert check.exit_code == 0, check.output


def test_plan_with_new_burglaries_assigns_them_before_it_holds_any_back(trial_store):
    store, tmp_path, _, _, h = trial_store
    late = burglary_file(tmp_path / "late.csv", "2026-06-01", 12, 17, "N")
    assert len(late) == 12
    out = tmp_path / "plan-late"
    result = run(
        "plan",
        "--store",
        store,
        "--burglaries",
        tmp_path / "late.csv",
        "--households",
        h,
        "--date",
        "2026-10-05",
        "--out",
        out,
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    new = {b: a for b, a in arms(store).items() if b.startswith("N")}
    assert len(new) == 12 and "Trial 1: 12 new burglaries given an arm." in result.output
    held = {
        b["burglary_id"] for b in json.loads((out / "plan.json").read_text())["inputs"]["trial"]["held_back_burglaries"]
    }
    reported = late.set_index("id")["time"]
    waiting = {
        b
        for b, a in new.items()
        if a == DELAYED and reported[b].normalize() + pd.Timedelta(days=14) > pd.Timestamp("2026-10-05")
    }
    assert waiting <= held


def test_a_trial_without_strata_has_one_sequence(tmp_path):
    store = tmp_path / "s.sqlite"
    open_store(store).close()
    result = run(
        "trial",
        "start",
        "--store",
        store,
        "--strata",
        "none",
        "--seed",
        "1",
        "--per-stratum",
        "10",
        "--receipt",
        tmp_path / "r.txt",
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    assert "1 strata, 10 places." in result.output or "1 strata, 12 places." in result.output
    assert "strata=none" in (tmp_path / "r.txt").read_text()
    with sqlite3.connect(store) as db:
        assert {r[0] for r in db.execute("SELECT stratum FROM trial_allocation")} == {"all"}


def test_places_are_given_in_order_of_report_within_each_stratum(trial_store):
    store, *_ = trial_store
    with sqlite3.connect(store) as db:
        given = pd.read_sql_query("SELECT stratum, position, reported, burglary_id FROM trial_assignments", db)
    for _, rows in given.groupby("stratum"):
        ordered = rows.sort_values(["reported", "burglary_id"])
        assert ordered["position"].tolist() == list(range(1, len(rows) + 1))


def test_start_takes_the_settings_file_with_its_options_on_top(tmp_path):
    store = tmp_path / "cocoon.sqlite"
    open_store(store).close()
    toml = tmp_path / "settings.toml"
    toml.write_text("[trial]\ndelay_days = 21\nper_stratum = 12\n")
    result = run(
        "trial", "start", "--store", store, "--strata", "none", "--seed", "1", "--settings", toml,
        "--receipt", tmp_path / "r.txt", "--lang", "en",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "delayed ones wait 21 days" in result.output and "1 strata, 12 places" in result.output
    result = run(
        "trial", "start", "--store", tmp_path / "other.sqlite", "--strata", "none", "--seed", "1",
        "--settings", toml, "--delay-days", "7", "--receipt", tmp_path / "r2.txt", "--lang", "en",
    )  # fmt: skip
    assert result.exit_code == 1 and "other.sqlite" in result.output  # a store that does not exist
    open_store(tmp_path / "other.sqlite").close()
    result = run(
        "trial", "start", "--store", tmp_path / "other.sqlite", "--strata", "none", "--seed", "1",
        "--settings", toml, "--delay-days", "7", "--receipt", tmp_path / "r2.txt", "--lang", "en",
    )  # fmt: skip
    assert result.exit_code == 0 and "delayed ones wait 7 days" in result.output and "12 places" in result.output
    toml.write_text("[trial]\ndelay_days = -3\n")
    result = run("trial", "status", "--store", store, "--settings", toml, "--lang", "en")
    assert result.exit_code == 1 and "delay_days" in result.output and "Traceback" not in result.output
