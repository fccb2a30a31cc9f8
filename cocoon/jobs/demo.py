"""``cocoon demo``: make the demo inputs for each area, then run the plan job on them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
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


def run_demo(settings: Settings, out_dir: Path, *, areas: list[str], plan_date: dt.date | None = None,
             seed: int | None = None, settings_file: Path | None = None, overwrite: bool = False) -> DemoResult:
    """``cocoon demo``: write each area's inputs, then run the same plan job on them (``settings_file``
    is where ``settings`` came from, never written over)."""
    language = resolve_language(settings.language)
    settings = replace(settings, language=language)
    on = plan_date or DEMO_DATE
    output = OutputFolder(out_dir, overwrite=overwrite, inputs=(settings_file,))
    done = []
    with output as root:
        for name in areas:
            area = AREAS[name]
            folder = root / area.name
            inputs = folder / "inputs"
            inputs.mkdir(parents=True)
            register, burglaries = demo_inputs(area, on=on, seed=DEMO_SEED if seed is None else seed,
                                               osm_settings=settings.osm, lang=language)
            write_csv(register, inputs / "households.csv")
            write_csv(burglaries, inputs / "burglaries-simulated.csv")
            run = PlanRun(burglaries=inputs / "burglaries-simulated.csv", households=inputs / "households.csv",
                          plan_date=on, out_dir=folder, settings_file=settings_file, officers=DEMO_OFFICERS,
                          start=area.start, network_path=Path(extract_path(area)), maps=True, offline=True,
                          allow_future=True)
            changes: dict[str, Any] = {"handout.area_name": area.area_name, "routes.solve_seconds": DEMO_SOLVE_SECONDS}
            area_settings = override(settings, **changes)
            done.append((area, plan_into(area_settings, run, folder)))
    for _, result in done:
        result.written = [output.final(p) for p in result.written]
        result.rejects_path = output.final(result.rejects_path) if result.rejects_path else None
    return DemoResult(date=on, lang=language, areas=done, out_dir=output.target, moved_aside=output.moved_aside)
