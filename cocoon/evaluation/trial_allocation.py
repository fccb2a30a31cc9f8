"""A trial's allocation: which arm each burglary of each stratum gets, fixed before the trial starts.

Each stratum has its own sequence of arms, ``immediate`` or ``delayed``, in **permuted blocks**
of 2 or 4 (each block half and half, in a shuffled order, the block sizes mixed so that the
next arm cannot be guessed from the last ones). The sequence is made from the seed alone, with
SHA-256 rather than a random-number generator, so that it is the same on every machine and in
every version of Python or NumPy, and anyone with the seed and this description can make it again:

- block ``b`` (from 0) of stratum ``s`` has 4 places when the first byte of
  ``sha256("{seed}|{s}|{b}|size")`` is odd, else 2;
- its places are half ``immediate`` then half ``delayed``, reordered by the hex digest of
  ``sha256("{seed}|{s}|{b}|{i}")`` for place ``i`` (smallest first);
- blocks follow each other until the stratum has at least ``per_stratum`` places.

The **hash** of the allocation is the SHA-256 of :func:`allocation_text`: the design (seed,
first day, delay, strata and their definition) and every place of every stratum, one line each.
It is written down before the first burglary is assigned; a changed seed, design or place gives
another hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

IMMEDIATE = "immediate"
DELAYED = "delayed"
BEYOND = "beyond"
"""A burglary of a stratum whose places are all used: not in the trial, cocooned as usual."""
ARMS = (IMMEDIATE, DELAYED)
BLOCK_SIZES = (2, 4)
STRATIFIERS = ("area", "history")
"""What a trial can be stratified by: the area (a grid cell) and the zone's earlier burglaries."""
HISTORY_LEVELS = ("0", "1-2", "3+")
"""The zone's burglaries in the 12 months before the report: none, one or two, three or more."""
OUTSIDE = "outside"
"""The area stratum of a burglary outside the grid laid over the store's burglaries at the start."""
FORMAT = "cocoon trial allocation 1"


@dataclass(frozen=True)
class Design:
    """What fixes a trial's allocation: everything here is hashed with the places."""

    seed: int
    starts: str
    """The first report day in the trial (YYYY-MM-DD)."""
    delay_days: int
    strata: tuple[str, ...]
    per_stratum: int
    radius_m: float
    """The zone's radius, for the history stratum."""
    area_km: float = 0.0
    area_crs: str = ""
    area_origin: tuple[float, float] = (0.0, 0.0)
    """West and south edge of the grid, metres in ``area_crs``."""
    area_cells: tuple[int, int] = (0, 0)
    """Columns and rows of the grid."""

    def stratum_names(self) -> list[str]:
        """Every stratum, in order: the grid's cells (``c{column}r{row}``, then ``outside``) crossed
        with the history levels."""
        parts: list[list[str]] = []
        if "area" in self.strata:
            columns, rows = self.area_cells
            parts.append([f"area {cell_name(c, r)}" for r in range(rows) for c in range(columns)] + [f"area {OUTSIDE}"])
        if "history" in self.strata:
            parts.append([f"history {level}" for level in HISTORY_LEVELS])
        names = [""]
        for options in parts:
            names = [f"{n}, {o}" if n else o for n in names for o in options]
        return names if parts else ["all"]


def cell_name(column: int, row: int) -> str:
    return f"c{column}r{row}"


def history_level(prior: int) -> str:
    return HISTORY_LEVELS[0] if prior <= 0 else HISTORY_LEVELS[1] if prior <= 2 else HISTORY_LEVELS[2]


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).digest()


def stratum_sequence(seed: int, stratum: str, per_stratum: int) -> list[tuple[int, str]]:
    """The (block, arm) of one stratum's places, in order (at least ``per_stratum``, whole blocks)."""
    places: list[tuple[int, str]] = []
    block = 0
    while len(places) < per_stratum:
        size = BLOCK_SIZES[1] if _digest(seed, stratum, block, "size")[0] % 2 else BLOCK_SIZES[0]
        arms = [IMMEDIATE] * (size // 2) + [DELAYED] * (size // 2)
        order = sorted(range(size), key=lambda i: _digest(seed, stratum, block, i).hex())
        places.extend((block, arms[i]) for i in order)
        block += 1
    return places


@dataclass(frozen=True)
class Place:
    stratum: str
    position: int
    """From 1: the position-th burglary of the stratum gets this place."""
    block: int
    arm: str


def allocation(design: Design) -> list[Place]:
    """Every place of every stratum."""
    return [
        Place(stratum, k + 1, block, arm)
        for stratum in design.stratum_names()
        for k, (block, arm) in enumerate(stratum_sequence(design.seed, stratum, design.per_stratum))
    ]


def design_lines(design: Design) -> list[str]:
    lines = [
        FORMAT,
        f"seed={design.seed}",
        f"starts={design.starts}",
        f"delay_days={design.delay_days}",
        f"strata={','.join(design.strata) or 'none'}",
        f"per_stratum={design.per_stratum}",
        f"radius_m={design.radius_m:g}",
    ]
    if "area" in design.strata:
        lines += [
            f"area_km={design.area_km:g}",
            f"area_crs={design.area_crs}",
            f"area_origin={design.area_origin[0]:.1f},{design.area_origin[1]:.1f}",
            f"area_cells={design.area_cells[0]}x{design.area_cells[1]}",
        ]
    return lines


def allocation_text(design: Design, places: Iterable[Place]) -> str:
    """The text that is hashed: the design, then ``stratum;position;block;arm`` for every place."""
    rows = [f"{p.stratum};{p.position};{p.block};{p.arm}" for p in places]
    return "\n".join([*design_lines(design), "stratum;position;block;arm", *rows]) + "\n"


def allocation_hash(design: Design, places: Iterable[Place]) -> str:
    """SHA-256 (hex) of :func:`allocation_text`."""
    return hashlib.sha256(allocation_text(design, places).encode("utf-8")).hexdigest()


def design_json(design: Design) -> str:
    """The design as JSON, as the store keeps it."""
    return json.dumps(asdict(design), sort_keys=True)


def design_from_json(value: str) -> Design:
    data = json.loads(value)
    return Design(
        seed=int(data["seed"]),
        starts=str(data["starts"]),
        delay_days=int(data["delay_days"]),
        strata=tuple(data["strata"]),
        per_stratum=int(data["per_stratum"]),
        radius_m=float(data["radius_m"]),
        area_km=float(data["area_km"]),
        area_crs=str(data["area_crs"]),
        area_origin=(float(data["area_origin"][0]), float(data["area_origin"][1])),
        area_cells=(int(data["area_cells"][0]), int(data["area_cells"][1])),
    )


def place_rows(places: Iterable[Place]) -> list[tuple[str, int, int, str]]:
    return [(p.stratum, p.position, p.block, p.arm) for p in places]
