"""The victims of the active burglaries: one pass finds the burgled address and everyone at it."""

from __future__ import annotations

import numpy as np
from conftest import PLAN_DATE, X0, Y0
from test_ranking import burglaries, households

from cocoon.risk.daily_plan import make_plan


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
