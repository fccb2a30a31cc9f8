"""Notices for property owners and housing associations of multi-dwelling buildings in the zones."""

from __future__ import annotations

import pandas as pd

from cocoon.catalogue import text

OWNER_COLUMNS = ["owner", "building", "entrances", "dwellings", "household_ids", "notice"]


def property_owner_notices(visits: pd.DataFrame, *, happened: str, contact: str, lang: str) -> pd.DataFrame:
    """One row per building with more than one dwelling and a known owner: its entrances, its
    dwellings, and a notice for the stairwell (the week and area, never the victim's address)."""
    if len(visits) == 0 or "owner" not in visits:
        return pd.DataFrame(columns=OWNER_COLUMNS)
    owned = visits[
        visits["owner"].notna() & (visits["owner"].astype(str).str.strip() != "") & (visits["dwellings"] > 1)
    ].copy()
    if len(owned) == 0:
        return pd.DataFrame(columns=OWNER_COLUMNS)
    building = (
        owned["building_id"].where(
            owned["building_id"].notna() & (owned["building_id"].astype(str) != ""), owned["label"]
        )
        if "building_id" in owned
        else owned["label"]
    )
    owned["building"] = building.astype(str)
    notice = text("owners.notice", lang, happened=happened, contact=contact)
    rows = []
    for (owner, key), group in owned.groupby(["owner", "building"], sort=True):
        rows.append(
            {
                "owner": owner,
                "building": key,
                "entrances": "; ".join(sorted(set(group["label"].astype(str)))),
                "dwellings": int(group["dwellings"].sum()),
                "household_ids": ";".join(group["household_id"].astype(str)),
                "notice": notice,
            }
        )
    return pd.DataFrame(rows, columns=OWNER_COLUMNS)
