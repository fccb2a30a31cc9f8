"""The victims of the active burglaries: one pass finds the burgled address and everyone at it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from conftest import PLAN_DATE, X0, Y0
from hypothesis import given, settings
from hypothesis import strategies as st
from test_ranking import burglaries, households

from cocoon.risk.addresses import street_codes, street_key
from cocoon.risk.daily_plan import make_plan
from cocoon.settings import Settings


def test_the_address_text_names_the_burgled_household_and_both_doors_are_victims():
    # Recorded as "Storgatan 15" at the point of number 14; number 15 is 30 m away.
    hxy = np.array([[X0, Y0], [X0 + 30, Y0], [X0 + 200, Y0]])
    h = households(hxy)
    h["label"] = ["Storgatan 14", "Storgatan 15", "Storgatan 40"]
    plan = make_plan(burglaries(np.array([[X0, Y0]]), [2], addresses=["storgatan  15"]), h, on=PLAN_DATE)
    assert plan.burgled["household_id"].tolist() == ["H0001"]
    assert plan.victims.household_ids == {"H0000", "H0001"}
    burgled = plan.visits.set_index("household_id")["burgled"]
    assert burgled.to_dict() == {"H0000": False, "H0001": True, "H0002": False}


def test_without_an_address_the_nearest_household_within_reach_is_the_burgled_one():
    hxy = np.array([[X0 + 3, Y0], [X0 + 30, Y0]])
    plan = make_plan(burglaries(np.array([[X0, Y0]]), [2]), households(hxy), on=PLAN_DATE)
    assert plan.burgled["household_id"].tolist() == ["H0000"]
    assert plan.victims.household_ids == {"H0000"}
    victims = plan.victims
    assert victims.homes[victims.is_victim].tolist() == [[X0 + 3, Y0], [X0, Y0]]


near = st.floats(-40, 40, allow_nan=False)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.tuples(near, near), min_size=1, max_size=25))
def test_every_household_within_reach_of_the_burgled_one_is_a_victim_and_none_further(points):
    hxy = np.array(points) + np.array([X0, Y0])
    plan = make_plan(burglaries(np.array([[X0, Y0]]), [2]), households(hxy), on=PLAN_DATE)
    reach = Settings().ranking.same_building_m
    burgled = plan.burgled["household_id"].dropna().tolist()
    expected: set[str] = set()
    if burgled:
        at = hxy[int(burgled[0][1:])]
        expected = {f"H{i:04d}" for i in np.flatnonzero(np.hypot(*(hxy - at).T) <= reach)}
    assert plan.victims.household_ids == expected


@given(st.lists(st.one_of(st.none(), st.sampled_from(["Storgatan", " storgatan ", "STORGATAN", "Lillgatan", ""]))))
def test_street_codes_are_equal_where_the_street_keys_are(streets):
    values = pd.Series(streets, dtype=object)
    codes, names = street_codes(values)
    keys = street_key(values)
    assert [names[c] if c >= 0 else "" for c in codes] == keys.tolist()
    assert len(set(names)) == len(names) and "" not in set(names)
