"""The same walk for ODK Collect or KoboToolbox: an XLSForm and the door list it reads.

``visit-form.xlsx`` has the three sheets of an XLSForm: ``survey`` (the phone's own ``start``,
``end``, ``deviceid``, ``username`` and an ``audit`` log of every question's times; the officer;
the door, from ``doors.csv`` with ``select_one_from_file`` filtered to that officer's stops; the
outcome, one of the codes of ``cocoon visits import``), ``choices`` (the officers and the
outcomes, labelled in every language of the catalogue) and ``settings`` (title, id, version and
default language). ``doors.csv`` lists the stops in walking order (``name`` is the household id,
``label`` the stop and address, then ``officer``, ``stop`` and ``tier``), with no mark of a
burgled home. The server's CSV export reads back with ``cocoon visits import`` as it is.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from cocoon.catalogue import catalogue, languages, text
from cocoon.store.outcomes import OUTCOMES

DOORS_FILE = "doors.csv"
LANGUAGE_NAMES = {"en": "English (en)", "sv": "Svenska (sv)"}
"""XLSForm language column names: the name and its code, as ODK asks."""


def door_list(stops: pd.DataFrame) -> pd.DataFrame:
    """One row per routed stop, officers and stops in walking order."""
    walk = stops.sort_values(["officer", "stop"], kind="stable")
    return pd.DataFrame(
        {
            "name": walk["household_id"].astype(str).to_numpy(),
            "label": [
                f"{int(o)}.{int(s)} {label}"
                for o, s, label in zip(walk["officer"], walk["stop"], walk["label"].astype(str), strict=True)
            ],
            "officer": walk["officer"].astype(int).to_numpy(),
            "stop": walk["stop"].astype(int).to_numpy(),
            "tier": walk["tier"].astype(str).to_numpy(),
        }
    )


def _language(lang: str) -> str:
    return LANGUAGE_NAMES.get(lang, f"{lang} ({lang})")


def xlsform_bytes(stops: pd.DataFrame, *, date: dt.date, lang: str) -> bytes:
    """The XLSForm workbook (.xlsx) for the plan's walks."""
    from openpyxl import Workbook

    langs = [lang, *[other for other in languages() if other != lang]]
    label = [f"label::{_language(language)}" for language in langs]
    hint = [f"hint::{_language(language)}" for language in langs]

    def words(key: str, **params: object) -> list[str]:
        return [text(key, language, **params) for language in langs]

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", *label, *hint, "required", "choice_filter", "parameters"])
    blank = [""] * len(langs)
    for kind, name in (("start", "start"), ("end", "end"), ("deviceid", "deviceid"), ("username", "username")):
        survey.append([kind, name, *blank, *blank, "", "", ""])
    survey.append(["audit", "audit", *blank, *blank, "", "", ""])
    survey.append(["select_one officer", "officer", *words("xlsform.officer"), *blank, "yes", "", ""])
    survey.append(
        [
            f"select_one_from_file {DOORS_FILE}",
            "household_id",
            *words("xlsform.door"),
            *words("xlsform.door_hint"),
            "yes",
            "officer=${officer}",
            "",
        ]
    )
    survey.append(["select_one outcome", "outcome", *words("xlsform.outcome"), *blank, "yes", "", ""])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", *label])
    officers = sorted({int(o) for o in stops["officer"]}) if len(stops) else [1]
    for officer in officers:
        choices.append(["officer", officer, *words("visit_list.officer", n=officer)])
    for code in OUTCOMES:
        choices.append(
            [
                "outcome",
                code,
                *[
                    f"{catalogue(language)[f'outcome_code.{code}']} · {catalogue(language)[f'outcome.{code}']}"
                    for language in langs
                ],
            ]
        )
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append(
        [
            text("xlsform.title", lang, date=date.isoformat()),
            f"cocoon_visits_{date.strftime('%Y%m%d')}",
            dt.datetime.now().strftime("%Y%m%d%H"),
            _language(lang),
        ]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
