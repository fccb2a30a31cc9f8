"""The store's commands: ingest, visits, signs, status and purge.

Each builds the settings (the settings file, ``--lang`` and any option that changes a setting on
top) and hands them to its job in :mod:`cocoon.jobs.store` with the files and run choices."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cocoon.catalogue import resolve_language, text
from cocoon.cli.common import (
    CocoonCommand,
    CocoonGroup,
    burglary_column_options,
    command_line,
    console,
    handle_errors,
    lang_option,
    optional_date,
    optional_path,
    overwrite_option,
    parse_date,
    printable,
    settings_option,
)
from cocoon.cli.options import option, setting_options
from cocoon.inputs.columns import BurglaryColumns
from cocoon.jobs.options import STATUS_OPTIONS, command_settings


def store_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return option("--store", "store", type=click.Path(dir_okay=False), envvar="COCOON_STORE", key="store")(f)


@click.command(name="ingest", cls=CocoonCommand)
@click.argument("burglaries_path", metavar="FILE", type=click.Path(dir_okay=False))
@store_option
@option("--rejects", "rejects_path", type=click.Path(dir_okay=False), key="rejects_here")
@burglary_column_options
@settings_option
@lang_option
@overwrite_option
@handle_errors
def ingest_command(
    burglaries_path: str,
    store: str | None,
    rejects_path: str | None,
    burglary_columns: BurglaryColumns,
    date_format: str | None,
    input_crs: str | None,
    skip_bad_rows: bool,
    settings_path: str | None,
    lang: str | None,
    overwrite: bool,
) -> None:
    """Add reported burglaries to the store, by id: importing the same file again adds nothing.

    A burglary already in the store with another date, or more than 10 m from where it is stored,
    is reported with both versions; the stored one is kept.

    \b
    Example:
      cocoon ingest burglaries.csv --store cocoon.sqlite
    """
    from cocoon.cli.report import print_ingest
    from cocoon.jobs.store import run_ingest

    settings = command_settings((), settings_path, language=lang)
    result = run_ingest(
        settings,
        Path(burglaries_path),
        store=store,
        columns=burglary_columns,
        input_crs=input_crs,
        date_format=date_format,
        skip_bad_rows=skip_bad_rows,
        rejects_path=optional_path(rejects_path),
        overwrite=overwrite,
        command=command_line(),
    )
    print_ingest(result, resolve_language(settings.language))


@click.group(name="visits", cls=CocoonGroup)
def visits_group() -> None:
    """Record what was done at the doors."""


@visits_group.command(name="import")
@click.argument("visits_path", metavar="FILE", type=click.Path(dir_okay=False))
@option("--date", "day", metavar="YYYY-MM-DD", key="visits_import.date")
@option("--skip-bad-rows", is_flag=True, default=False, key="visits_import.skip_bad_rows")
@option("--rejects", "rejects_path", type=click.Path(dir_okay=False), key="rejects_here")
@option("--audit", "audit_path", metavar="FILE", type=click.Path(dir_okay=False), key="visits_import.audit")
@store_option
@settings_option
@lang_option
@overwrite_option
@handle_errors
def visits_import_command(
    visits_path: str,
    day: str | None,
    skip_bad_rows: bool,
    rejects_path: str | None,
    audit_path: str | None,
    store: str | None,
    settings_path: str | None,
    lang: str | None,
    overwrite: bool,
) -> None:
    """Import outcomes: the filled visit-list.csv, an officer's page export (officer-N.html), an
    ODK Collect / KoboToolbox CSV export, or a CSV typed in from the paper list.

    Columns: household_id, outcome (a code: face, nothome, leaflet, refused, noaccess, owner,
    revisit, kit, watch; or its letter from the printed list, or its words), time
    (YYYY-MM-DD HH:MM, or HH:MM with --date; ODK's start/end), visitor and, optionally, record_id
    (a unique id per record; ODK's meta-instanceID, Kobo's _uuid). Rows without an outcome are
    skipped. Every row is checked first: a bad outcome, time or unknown household id stops the
    import, names the rows, and stores nothing (with --skip-bad-rows the other rows are stored).
    A visit already in the store (same record id, or same household, time and outcome) is not
    stored again. With ODK's audit log (--audit, or ODK Central's FORM - audit.csv found beside
    FORM.csv) a record's time is when its outcome was tapped at the door.

    \b
    Example:
      cocoon visits import visit-list.csv --store cocoon.sqlite --date 2026-05-04
    """
    from cocoon.jobs.store import run_visits_import

    date = parse_date(day, "--date")
    settings = command_settings((), settings_path, language=lang)
    language = resolve_language(settings.language)
    result = run_visits_import(
        settings,
        Path(visits_path),
        store=store,
        date=date,
        skip_bad_rows=skip_bad_rows,
        rejects_path=optional_path(rejects_path),
        overwrite=overwrite,
        command=command_line(),
        audit_path=optional_path(audit_path),
    )
    console().print(
        text(
            "visits.imported_again" if result.already else "visits.imported",
            language,
            added=result.added,
            blank=result.blank,
            already=result.already,
        )
    )
    if result.audit is not None:
        audit = result.audit
        console().print(text("visit_audit.used", language, path=audit.path, n=audit.used, total=audit.total))
        for key, n in (("without", audit.without), ("no_offset", audit.no_offset), ("others", audit.others)):
            if n:
                console().print(text(f"visit_audit.{key}", language, n=n), style="yellow")
    if result.rejected:
        console().print(
            text("visit_import.skipped_rows", language, n=len(result.rejected), path=str(result.rejects_path)),
            style="yellow",
        )
        for key, params in result.rejected[:20]:
            console().print("  " + printable(text(key, language, **params)), style="yellow")
        if len(result.rejected) > 20:
            console().print(
                "  " + text("visit_import.more_skipped", language, more=len(result.rejected) - 20), style="yellow"
            )


@visits_group.command(name="add")
@click.argument("household")
@option("--outcome", required=True, key="visits_add.outcome")
@option("--time", "when", required=True, metavar="'YYYY-MM-DD HH:MM'", key="visits_add.time")
@option("--visitor", key="visits_add.visitor")
@store_option
@settings_option
@lang_option
@handle_errors
def visits_add_command(
    household: str,
    outcome: str,
    when: str,
    visitor: str | None,
    store: str | None,
    settings_path: str | None,
    lang: str | None,
) -> None:
    """Record one visit to HOUSEHOLD (its household id from the visit list).

    \b
    Example:
      cocoon visits add osm-n2932338775 --outcome face --time "2026-05-04 10:05" --visitor "PA 1234"
    """
    from cocoon.jobs.store import run_visit_add

    settings = command_settings((), settings_path, language=lang)
    added = run_visit_add(
        settings,
        household,
        outcome=outcome,
        time=when,
        visitor=visitor,
        store=store,
        command=command_line(),
    )
    console().print(
        text(
            "visits.added" if added else "visits.already",
            resolve_language(settings.language),
            household=printable(household),
        )
    )


@click.group(name="signs", cls=CocoonGroup)
def signs_group() -> None:
    """Record warning signs put up and taken down."""


@signs_group.command(name="up")
@click.argument("signs_path", metavar="SIGNS.CSV", type=click.Path(dir_okay=False))
@option("--sign", "sign_ids", multiple=True, key="signs_up.sign")
@option("--date", "day", metavar="YYYY-MM-DD", key="signs_up.date")
@store_option
@settings_option
@lang_option
@handle_errors
def signs_up_command(
    signs_path: str,
    sign_ids: tuple[str, ...],
    day: str | None,
    store: str | None,
    settings_path: str | None,
    lang: str | None,
) -> None:
    """Record the signs of a plan's signs.csv as put up.

    \b
    Example:
      cocoon signs up plan-2026-05-04/signs.csv --store cocoon.sqlite
    """
    from cocoon.jobs.store import run_signs_up

    date = parse_date(day, "--date")
    settings = command_settings((), settings_path, language=lang)
    done = run_signs_up(
        settings,
        Path(signs_path),
        store=store,
        sign_ids=tuple(sign_ids),
        date=date,
        command=command_line(),
    )
    language = resolve_language(settings.language)
    console().print(text("signs.recorded_up", language, n=len(done.added)))
    if done.already_up:
        console().print(
            text("signs.already_up", language, n=len(done.already_up), ids=printable(", ".join(done.already_up)))
        )
    if done.taken_down:
        console().print(
            text("signs.already_down", language, n=len(done.taken_down), ids=printable(", ".join(done.taken_down))),
            style="yellow",
        )


@signs_group.command(name="down")
@click.argument("sign_ids", nargs=-1, metavar="[SIGN_ID]...")
@option("--due", is_flag=True, default=False, key="signs_down.due")
@option("--date", "day", metavar="YYYY-MM-DD", key="signs_down.date")
@store_option
@settings_option
@lang_option
@handle_errors
def signs_down_command(
    sign_ids: tuple[str, ...],
    due: bool,
    day: str | None,
    store: str | None,
    settings_path: str | None,
    lang: str | None,
) -> None:
    """Record signs as taken down: the ids given, or --due for all due by the date.

    \b
    Example:
      cocoon signs down S1-1 S1-2 --store cocoon.sqlite
    """
    from cocoon.jobs.store import run_signs_down

    date = parse_date(day, "--date")
    settings = command_settings((), settings_path, language=lang)
    n = run_signs_down(
        settings,
        tuple(sign_ids),
        store=store,
        date=date,
        due=due,
        command=command_line(),
    )
    console().print(text("signs.recorded_down", resolve_language(settings.language), n=n))


@click.command(name="status", cls=CocoonCommand)
@option("--date", "day", metavar="YYYY-MM-DD", key="status.date")
@option("--out", "out_dir", type=click.Path(file_okay=False), key="status.out")
@store_option
@settings_option
@lang_option
@setting_options(STATUS_OPTIONS)
@option("--overwrite", is_flag=True, default=False, key="status.overwrite")
@handle_errors
def status_command(
    day: str | None,
    out_dir: str | None,
    store: str | None,
    settings_path: str | None,
    lang: str | None,
    given: dict[str, Any],
    overwrite: bool,
) -> None:
    """Report delivery per burglary and overall: tier A and B households attempted within 24 h and
    48 h of the report, face to face, leaflet only, nothing; and signs overdue for removal.

    \b
    Example:
      cocoon status --store cocoon.sqlite --date 2026-05-06
    """
    from cocoon.cli.report import print_status
    from cocoon.jobs.store import run_status

    on = parse_date(day, "--date")
    settings = command_settings(STATUS_OPTIONS, settings_path, given, language=lang)
    result = run_status(
        settings, store, on=on, out_dir=optional_path(out_dir), overwrite=overwrite, command=command_line()
    )
    aside = (result.written[0].parent, result.moved_aside) if result.moved_aside and result.written else None
    language = resolve_language(settings.language)
    print_status(result.delivery, on=on, lang=language, written=result.written, moved_aside=aside)


@click.command(name="purge", cls=CocoonCommand)
@option("--before", metavar="YYYY-MM-DD", key="purge.before")
@option("--yes", is_flag=True, default=False, key="purge.yes")
@store_option
@settings_option
@lang_option
@handle_errors
def purge_command(
    before: str | None, yes: bool, store: str | None, settings_path: str | None, lang: str | None
) -> None:
    """Remove burglaries, visits, plans and signs past retention: first say what will be removed,
    then remove it and say what was removed.

    \b
    Example:
      cocoon purge --store cocoon.sqlite
    """
    from cocoon.jobs.store import PurgePreview
    from cocoon.jobs.trial import run_trial_purge

    cut = optional_date(before, "--before")
    settings = command_settings((), settings_path, language=lang)
    language = resolve_language(settings.language)

    def show(preview: PurgePreview) -> None:
        console().print(text("purge.will_remove", language, before=preview.before.isoformat(), **preview.counts))

    def ask(preview: PurgePreview) -> bool:
        return click.confirm(
            text("purge.confirm", language, before=preview.before.isoformat(), cut=preview.retention_cut.isoformat()),
            default=False,
        )

    result = run_trial_purge(
        settings,
        store=store,
        before=cut,
        yes=yes,
        show=show,
        confirm=ask if sys.stdin.isatty() else None,
        command=command_line(),
    )
    console().print(text("store.purged", language, before=result.before.isoformat(), **result.counts))
    if result.counts.get("trial_assignments"):
        console().print(text("trial.purged", language, n=result.counts["trial_assignments"]))
