"""Phase boundaries and zone windows."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest

from cocoon.risk.zones import active_zones, burglary_windows, merged_outlines
from cocoon.settings import ZoneSettings

DAY = dt.date(2026, 5, 4)


def burglaries(ages, first_offsets=None, xs=None):
    last = [pd.Timestamp(DAY) - pd.Timedelta(days=a) for a in ages]
    first = [d - pd.Timedelta(days=o) for d, o in zip(last, first_offsets or [0] * len(ages), strict=True)]
    xs = xs or [674_000.0 + 5000 * i for i in range(len(ages))]
    return gpd.GeoDataFrame(
        {"burglary_id": [f"B{i}" for i in range(len(ages))], "first_day": first, "last_day": last},
        geometry=gpd.points_from_xy(xs, [6_580_000.0] * len(ages)),
        crs=3006,
    )


def test_phase_boundaries_default():
    w = burglary_windows(burglaries([0, 14, 15, 56, 57]), on=DAY, zones=ZoneSettings())
    assert w["phase"].tolist() == ["high", "high", "elevated", "elevated", "expired"]
    assert w["days_left"].tolist() == [56, 42, 41, 0, -1]


@pytest.mark.parametrize("high,elevated", [(7, 21), (10, 0)])
def test_phase_boundaries_configured(high, elevated):
    ages = [high, high + 1, high + elevated, high + elevated + 1]
    w = burglary_windows(burglaries(ages), on=DAY, zones=ZoneSettings(high_days=high, elevated_days=elevated))
    expected = ["high", "elevated", "elevated", "expired"] if elevated else ["high", "expired", "high", "expired"]
    assert w["phase"].tolist() == expected


def test_time_window_active_from_first_day_until_56_days_after_last():
    b = burglaries([3], first_offsets=[2])
    w = burglary_windows(b, on=DAY, zones=ZoneSettings())
    # the window is 29 April to 1 May (4 May minus 5 and 3 days); 1 May + 56 days = 26 June
    assert w["start"].iloc[0] == dt.date(2026, 4, 29)
    assert w["end"].iloc[0] == dt.date(2026, 6, 26)
    assert w["days_left"].iloc[0] == 53  # 4 May to 26 June: 27 + 26 days
    assert w["phase"].iloc[0] == "high"
    before = burglary_windows(b, on=DAY - dt.timedelta(days=6), zones=ZoneSettings())
    assert before["phase"].iloc[0] == "not_yet"


def test_zones_and_merged_outlines():
    b = burglaries([1, 2, 30, 80], xs=[674_000.0, 674_400.0, 690_000.0, 700_000.0])
    zones = active_zones(b, on=DAY, zones=ZoneSettings())
    assert zones["burglary_id"].tolist() == ["B0", "B1", "B2"]
    assert zones.geometry.area.round(-3).iloc[0] == pytest.approx(3.1416 * 500**2, rel=0.01)
    merged = merged_outlines(zones)
    assert merged["phase"].tolist() == ["high", "elevated"]
    assert merged["burglaries"].tolist() == [2, 1]
    assert merged.geometry.iloc[0].geom_type == "Polygon"  # two overlapping circles make one outline
