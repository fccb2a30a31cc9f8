"""``cocoon trial``: start, status, verify and stop a randomised trial of immediate against delayed cocooning."""

from __future__ import annotations

import click

from cocoon.catalogue import text
from cocoon.cli.common import (
    CocoonGroup,
    command_line,
    console,
    handle_errors,
    lang_option,
    optional_date,
    optional_path,
    overwrite_option,
    parse_date,
    settings_option,
    user_language,
)
from cocoon.cli.options import option
from cocoon.cli.store import store_option


@click.group(name="trial", cls=CocoonGroup)
def trial_group() -> None:
    """Run a randomised trial: each new burglary is assigned to immediate or delayed cocooning.

    The allocation is fixed before the trial starts (a logged seed, permuted blocks in each
    stratum) and its SHA-256 hash is written to a receipt you can send to someone first;
    cocoon plan holds the delayed burglaries back until their delay has passed, and cocoon
    evaluate --store then compares the arms as assigned.
    """


@trial_group.command(name="start")
@store_option
@option("--seed", type=int, key="trial_start.seed")
@option("--strata", metavar="LIST", key="trial_start.strata")
@option("--delay-days", type=int, key="trial_start.delay_days")
@option("--area-km", type=float, key="trial_start.area_km")
@option("--per-stratum", type=int, key="trial_start.per_stratum")
@option("--from", "starts", metavar="YYYY-MM-DD", key="trial_start.from")
@option("--receipt", "receipt_path", type=click.Path(dir_okay=False), key="trial_start.receipt")
@overwrite_option
@settings_option
@lang_option
@handle_errors
def trial_start_command(
    store: str | None,
    seed: int | None,
    strata: str | None,
    delay_days: int | None,
    area_km: float | None,
    per_stratum: int | None,
    starts: str | None,
    receipt_path: str | None,
    overwrite: bool,
    settings_path: str | None,
    lang: str | None,
) -> None:
    """Fix the allocation of a trial and start it.

    Stratified by the area (grid cells over the burglaries in the store) and by the zone's
    burglaries in the 12 months before (none, 1-2, 3 or more). Each stratum gets its own
    sequence of arms in blocks of 2 or 4; the whole sequence and the design are hashed
    (SHA-256), kept in the store and written to the receipt. Send the receipt to someone
    before the first burglary; cocoon trial verify checks it later.

    \b
    Example:
      cocoon trial start --store cocoon.sqlite --from 2026-06-01 --delay-days 14
    """
    from cocoon.jobs.options import TRIAL_START_OPTIONS, command_settings
    from cocoon.jobs.trial import run_trial_start

    language = user_language(lang, settings_path)
    given = {"trial.delay_days": delay_days, "trial.area_km": area_km, "trial.per_stratum": per_stratum}
    done = run_trial_start(
        command_settings(TRIAL_START_OPTIONS, settings_path, given),
        store=store,
        seed=seed,
        strata=strata,
        starts=optional_date(starts, "--from"),
        receipt_path=optional_path(receipt_path),
        overwrite=overwrite,
        lang=language,
        command=command_line(),
    )
    out = console()
    design = done.design
    out.print(
        text(
            "trial.started",
            language,
            trial=done.trial_id,
            starts=design.starts,
            delay=design.delay_days,
            strata=done.strata,
            places=done.places,
        )
    )
    out.print(text("trial.seed", language, seed=design.seed))
    out.print(text("trial.hash", language, digest=done.digest))
    out.print(text("trial.receipt_written", language, path=str(done.receipt)), style="bold")
    for key, params in done.notes:
        out.print(text(key, language, **params))


@trial_group.command(name="status")
@store_option
@option("--date", "day", metavar="YYYY-MM-DD", key="trial_status.date")
@settings_option
@lang_option
@handle_errors
def trial_status_command(store: str | None, day: str | None, settings_path: str | None, lang: str | None) -> None:
    """How many burglaries each arm has, in each stratum, and how balanced they are.

    \b
    Example:
      cocoon trial status --store cocoon.sqlite
    """
    from rich.table import Table

    from cocoon.jobs.options import TRIAL_OPTIONS, command_settings
    from cocoon.jobs.trial import run_trial_status

    language = user_language(lang, settings_path)
    status = run_trial_status(
        command_settings(TRIAL_OPTIONS, settings_path),
        store=store,
        on=parse_date(day, "--date"),
        command=command_line(),
    )
    out = console()
    state = (
        text("trial.state_stopped", language, stopped=str(status.stopped_at)[:10])
        if status.stopped_at
        else text("trial.state_running", language)
    )
    out.print(
        text("trial.status_title", language, trial=status.trial_id, started=status.started_at[:10], state=state),
        style="bold",
    )
    out.print(
        text(
            "trial.status_arms",
            language,
            immediate=status.arms["immediate"],
            delayed=status.arms["delayed"],
            waiting=status.waiting,
            days=status.design.delay_days,
        )
    )
    if status.beyond:
        out.print(
            text("trial.beyond", language, n=status.beyond, per_stratum=status.design.per_stratum), style="yellow"
        )
    if status.strata:
        table = Table(
            text("trial.column_stratum", language),
            text("trial.arm_immediate", language),
            text("trial.arm_delayed", language),
        )
        for row in status.strata:
            table.add_row(str(row["stratum"]), str(row["immediate"]), str(row["delayed"]))
        out.print(table)
    out.print(text("trial.balance", language, gap=status.largest_gap))


@trial_group.command(name="verify")
@store_option
@option("--receipt", "receipt_path", type=click.Path(dir_okay=False), key="trial_verify.receipt")
@settings_option
@lang_option
@handle_errors
def trial_verify_command(
    store: str | None, receipt_path: str | None, settings_path: str | None, lang: str | None
) -> None:
    """Check that the allocation was not changed: make it again from the seed and compare.

    The hash must be the one stored (and the receipt's, with --receipt), every stored place the
    one the seed gives, and every burglary's arm the one of its place. Exits with 1 when any
    check fails.

    \b
    Example:
      cocoon trial verify --store cocoon.sqlite --receipt trial-2026-06-01-receipt.txt
    """
    from cocoon.jobs.options import TRIAL_OPTIONS, command_settings
    from cocoon.jobs.trial import run_trial_verify

    language = user_language(lang, settings_path)
    check = run_trial_verify(
        command_settings(TRIAL_OPTIONS, settings_path),
        store=store,
        receipt=optional_path(receipt_path),
        command=command_line(),
    )
    out = console()
    if check.ok:
        out.print(
            text("trial.verified", language, trial=check.trial_id, digest=check.digest, n=check.assignments),
            style="green",
        )
        return
    for key, params in check.problems:
        out.print(text(key, language, **params), style="red")
    raise SystemExit(1)


@trial_group.command(name="stop")
@store_option
@option("--date", "day", metavar="YYYY-MM-DD", key="trial_status.date")
@settings_option
@lang_option
@handle_errors
def trial_stop_command(store: str | None, day: str | None, settings_path: str | None, lang: str | None) -> None:
    """Stop assigning burglaries to the trial; those assigned keep their arm and delay.

    \b
    Example:
      cocoon trial stop --store cocoon.sqlite
    """
    from cocoon.jobs.options import TRIAL_OPTIONS, command_settings
    from cocoon.jobs.trial import run_trial_stop

    language = user_language(lang, settings_path)
    done = run_trial_stop(
        command_settings(TRIAL_OPTIONS, settings_path),
        store=store,
        on=parse_date(day, "--date"),
        command=command_line(),
    )
    console().print(text("trial.stopped", language, trial=done.trial_id, n=done.assigned, waiting=done.waiting))
