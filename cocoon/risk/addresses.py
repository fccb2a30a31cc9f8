"""Addresses compared the way a person would: street names without case or extra spaces, house
numbers by their side of the street, and "Storgatan 12B" split into street and number."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_HOUSE = re.compile(r"^\s*(?P<street>.*?\D)\s*(?P<number>\d+)\s*[a-zA-Z]?\s*(?:[,].*)?$")


def street_key(values: pd.Series) -> np.ndarray:
    """Street names compared without case or extra spaces ("Storgatan " == "storgatan"); "" if none.

    Works on the distinct values only, so a million rows with a few thousand streets is quick.
    """
    codes, names = street_codes(values)
    return np.asarray(np.append(names, "")[codes])  # code -1 (none) picks the trailing ""


def street_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The :func:`street_key` of each value as a code into the distinct keys (-1 for ""), and
    those keys: streets compared as integers."""
    codes, uniques = pd.factorize(_comparable(values), use_na_sentinel=True)
    keys = [" ".join(str(u).casefold().split()) for u in uniques]
    names = np.array(sorted(set(keys) - {""}), dtype=object)
    lookup = {name: i for i, name in enumerate(names)}
    table = np.array([lookup.get(k, -1) for k in keys] + [-1], dtype=np.int64)
    return table[codes], names


def number_parity(values: pd.Series) -> np.ndarray:
    """0/1 for even/odd house numbers ("12B" -> 0); -1 where unknown."""
    codes, uniques = pd.factorize(_comparable(values), use_na_sentinel=True)
    digits = pd.Series([str(u) for u in uniques], dtype=object).str.extract(r"^\s*(\d+)", expand=False)
    numbers = pd.to_numeric(digits, errors="coerce").to_numpy(dtype=float)
    parity = np.append(np.where(np.isnan(numbers), -1, np.nan_to_num(numbers) % 2), -1).astype(np.int8)
    return np.asarray(parity[codes])


def _comparable(values: pd.Series) -> pd.Series:
    """Text columns as they are (factorized by Arrow, no object array); other columns as objects."""
    return values if isinstance(values.dtype, pd.StringDtype) else values.astype(object)


def split_address(addresses: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Street and number from "Storgatan 12B" style addresses; None where it does not parse."""
    parts = addresses.astype(object).where(addresses.notna(), "").astype(str).str.extract(_HOUSE)
    street = parts["street"].str.strip().where(parts["street"].notna(), None)
    return street, parts["number"].where(parts["number"].notna(), None)
