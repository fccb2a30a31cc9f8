"""``cocoon demo``: make the demo inputs for each area, then run the plan job on them."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from cocoon.catalogue import resolve_language
from cocoon.demo.areas import (
    AREAS,
    DEMO_DATE,
    DEMO_OFFICERS,
    DEMO_SEED,
    DEMO_SOLVE_SECONDS,
    DemoArea,
    demo_inputs,
    extract_path,
)
from cocoon.errors import CocoonError
from cocoon.jobs.plan import PlanResult, PlanRun, plan_into
from cocoon.publish.files import OutputFolder, write_csv
from cocoon.settings import Settings, override


@dataclass
class DemoResult:
    date: dt.date
    lang: str
    areas: list[tuple[DemoArea, PlanResult]]
    out_dir: Path
    moved_aside: Path | None = None
    """Where an earlier folder holding files cocoon did not write was moved (--overwrite)."""


def run_demo(
    settings: Settings,
    out_dir: Path,
    *,
    areas: list[str],
    plan_date: dt.date | None = None,
    seed: int | None = None,
    settings_file: Path | None = None,
    overwrite: bool = False,
) -> DemoResult:
    """``cocoon demo``: write each area's inputs, then run the same plan job on them (``settings_file``
    is where ``settings`` came from, never written over).

    The areas do not depend on each other: with more than one core, every area after the first
    is planned in a child process while this one plans the first (the files are the same)."""
    language = resolve_language(settings.language)
    settings = replace(settings, language=language)
    on = plan_date or DEMO_DATE
    output = OutputFolder(out_dir, overwrite=overwrite, inputs=(settings_file,))
    chosen = [AREAS[name] for name in areas]
    with output as root:
        jobs = [
            partial(
                _plan_area,
                settings,
                area,
                root / area.name,
                on=on,
                seed=DEMO_SEED if seed is None else seed,
                settings_file=settings_file,
            )
            for area in chosen
        ]
        outcomes = _run_beside(jobs)
        for outcome in outcomes:
            if isinstance(outcome, _Failed):
                raise outcome.error()
    done = [(area, outcome) for area, outcome in zip(chosen, outcomes, strict=True) if isinstance(outcome, PlanResult)]
    for _, result in done:
        result.written = [output.final(p) for p in result.written]
        result.rejects_path = output.final(result.rejects_path) if result.rejects_path else None
        result.notes = [(key, _final_paths(params, root, output)) for key, params in result.notes]
    return DemoResult(date=on, lang=language, areas=done, out_dir=output.target, moved_aside=output.moved_aside)


def _final_paths(params: dict[str, Any], root: Path, output: OutputFolder) -> dict[str, Any]:
    """A note's values with the demo's own files (its inputs, read from the folder being written)
    named where they end up, not in the temporary folder."""
    inside = f"{root}{os.sep}"
    return {
        name: str(output.final(Path(value))) if isinstance(value, str) and value.startswith(inside) else value
        for name, value in params.items()
    }


def _plan_area(
    settings: Settings, area: DemoArea, folder: Path, *, on: dt.date, seed: int, settings_file: Path | None
) -> PlanResult | _Failed:
    """One area's inputs and plan, in ``folder``; a cocoon error comes back as a value, so that it
    crosses from a child process whole (key and parameters)."""
    try:
        inputs = folder / "inputs"
        inputs.mkdir(parents=True)
        register, burglaries = demo_inputs(area, on=on, seed=seed, osm_settings=settings.osm, lang=settings.language)
        write_csv(register, inputs / "households.csv")
        write_csv(burglaries, inputs / "burglaries-simulated.csv")
        run = PlanRun(
            burglaries=inputs / "burglaries-simulated.csv",
            households=inputs / "households.csv",
            plan_date=on,
            out_dir=folder,
            settings_file=settings_file,
            officers=DEMO_OFFICERS,
            start=area.start,
            network_path=Path(extract_path(area)),
            maps=True,
            offline=True,
            allow_future=True,
        )
        changes: dict[str, Any] = {"handout.area_name": area.area_name, "routes.solve_seconds": DEMO_SOLVE_SECONDS}
        return plan_into(override(settings, **changes), run, folder)
    except CocoonError as exc:
        return _Failed(type(exc), exc.key, exc.params)


@dataclass
class _Failed:
    """A cocoon error raised while planning an area."""

    kind: type[CocoonError]
    key: str
    params: dict[str, Any]

    def error(self) -> CocoonError:
        return self.kind(self.key, **self.params)


def _run_beside(jobs: Sequence[Callable[[], PlanResult | _Failed]]) -> list[PlanResult | _Failed]:
    """Run the jobs, in order: the first here and, on a machine with more than one core, the others
    in one child process (forked, so it starts with every module already imported) at the same time."""
    if len(jobs) < 2 or (os.cpu_count() or 1) < 2 or not sys.platform.startswith("linux"):  # forking is safe there
        return [job() for job in jobs]
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork")) as child:
        later = [child.submit(job) for job in jobs[1:]]
        first = jobs[0]()
        return [first, *(future.result() for future in later)]
