"""``cocoon demo``: make the demo inputs for each area, then run the plan job on them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

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
from cocoon.jobs.plan import PlanRequest, PlanResult, plan_into
from cocoon.publish.files import OutputFolder, write_csv
from cocoon.settings import load_settings


@dataclass
class DemoResult:
    date: dt.date
    lang: str
    areas: list[tuple[DemoArea, PlanResult]]
    out_dir: Path
    moved_aside: Path | None = None
    """Where an earlier folder holding files cocoon did not write was moved (--overwrite)."""


def run_demo(out_dir: Path, *, areas: list[str], plan_date: dt.date | None = None, seed: int | None = None,
             settings_path: str | Path | None = None, overwrite: bool = False, lang: str | None = None) -> DemoResult:
    """``cocoon demo``: write each area's inputs, then run the same plan job on them."""
    settings = load_settings(settings_path)
    language = resolve_language(lang or settings.language)
    on = plan_date or DEMO_DATE
    output = OutputFolder(out_dir, overwrite=overwrite,
                          inputs=(Path(settings_path) if settings_path else None,))
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
            request = PlanRequest(burglaries=inputs / "burglaries-simulated.csv",
                                  households=inputs / "households.csv", plan_date=on, out_dir=folder,
                                  settings_path=settings_path, lang=language, officers=DEMO_OFFICERS,
                                  start=area.start, network_path=Path(extract_path(area)), area_name=area.area_name,
                                  maps=True, offline=True, solve_seconds=DEMO_SOLVE_SECONDS, allow_future=True)
            done.append((area, plan_into(request, folder)))
    for _, result in done:
        result.written = [output.final(p) for p in result.written]
        result.rejects_path = output.final(result.rejects_path) if result.rejects_path else None
    return DemoResult(date=on, lang=language, areas=done, out_dir=output.target, moved_aside=output.moved_aside)
