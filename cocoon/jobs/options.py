"""The options that change a setting, one table per command: the single place where an option
such as ``--radius`` is tied to its setting (``zones.radius_m``).

The command line builds its options from these tables (with the setting's default in the help),
and :func:`command_settings` applies what was given on top of the settings file, so that an
error names the option that set a value ("--radius: ...") and a value from the file names the
file and the setting. The jobs then take the :class:`~cocoon.settings.Settings` that result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cocoon.settings import CSV_DIALECTS, SOLVERS, Settings, load_settings, override


@dataclass(frozen=True)
class SettingOption:
    """One option that sets one setting."""

    flag: str
    """The option as typed, ``--radius``."""
    setting: str
    """The dotted setting it changes, ``zones.radius_m``."""
    kind: type = float
    """float, int, str, or Path for a file name (the setting holds it as text)."""
    choices: tuple[str, ...] = ()
    """The words it takes, when it takes only a few."""
    metavar: str | None = None
    unset: str = "none"
    """Catalogue key (under ``options.unset.``) saying what an empty default means."""
    envvar: str | None = None
    """An environment variable that gives the option when it is not typed."""
    help: str = ""
    """Catalogue key of its help under ``options.``; empty: :attr:`name`. Commands that take the
    option share its help."""

    @property
    def name(self) -> str:
        """The option's name without the dashes, ``radius``."""
        return self.flag.lstrip("-").replace("-", "_")

    @property
    def help_key(self) -> str:
        return f"options.{self.help or self.name}"


RADIUS = SettingOption("--radius", "zones.radius_m", float)
HIGH_DAYS = SettingOption("--high-days", "zones.high_days", int)
ELEVATED_DAYS = SettingOption("--elevated-days", "zones.elevated_days", int)
ZONE_OPTIONS = (RADIUS, HIGH_DAYS, ELEVATED_DAYS)
"""The zones' radius and windows: plan and backtest draw zones."""
METRIC_CRS = SettingOption("--metric-crs", "crs", str, unset="metric_crs")
ROUTE_OPTIONS = (
    SettingOption("--hours", "routes.hours", float),
    SettingOption("--start-time", "routes.start_time", str, metavar="HH:MM"),
    SettingOption("--minutes-per-stop", "routes.minutes_per_stop", float),
    SettingOption("--minutes-per-dwelling", "routes.minutes_per_dwelling", float),
    SettingOption("--solver", "routes.solver", str, choices=SOLVERS),
    SettingOption("--solve-seconds", "routes.solve_seconds", float),
)
"""How the officers' walks are routed."""
AREA_NAME = SettingOption("--area-name", "handout.area_name", str, unset="area_name")
PLAN_STORE = SettingOption("--store", "store.path", Path, envvar="COCOON_STORE", help="plan_store")
CSV_DIALECT = SettingOption("--csv-dialect", "csv_dialect", str, choices=CSV_DIALECTS)

PLAN_OPTIONS = (*ZONE_OPTIONS, METRIC_CRS, *ROUTE_OPTIONS, AREA_NAME, PLAN_STORE, CSV_DIALECT)
"""``cocoon plan``'s options that change a setting."""
BACKTEST_OPTIONS = (*ZONE_OPTIONS, METRIC_CRS)
"""``cocoon backtest``'s options that change a setting."""
CALIBRATE_OPTIONS = (METRIC_CRS,)
"""``cocoon calibrate``'s options that change a setting (the zones it tests are its own bands)."""
TRIAL_START_OPTIONS = (
    SettingOption("--delay-days", "trial.delay_days", int),
    SettingOption("--area-km", "trial.area_km", float),
    SettingOption("--per-stratum", "trial.per_stratum", int),
)
"""``cocoon trial start``'s options that change a setting (how the trial is laid out)."""
TRIAL_OPTIONS = ()
"""``cocoon trial status``, ``verify`` and ``stop`` change no setting: the settings file alone."""
STATUS_OPTIONS = (CSV_DIALECT,)
"""``cocoon status``'s options that change a setting."""


def option_names(table: tuple[SettingOption, ...]) -> dict[str, str]:
    """Each setting of ``table`` and the option that sets it, for the messages."""
    return {option.setting: option.flag for option in table}


def command_settings(
    table: tuple[SettingOption, ...],
    settings_file: str | Path | None,
    given: Mapping[str, Any] | None = None,
    *,
    language: str | None = None,
) -> Settings:
    """The settings file (or the defaults), with the options of ``table`` that were given on top,
    and ``language`` (``--lang``) when given.

    ``given`` holds the options' values by setting (``{"zones.radius_m": 400}``); None is an option
    not given. A value given for a setting that is not in the table is a mistake in cocoon."""
    values = dict(given or {})
    unknown = set(values) - {option.setting for option in table}
    if unknown:
        raise ValueError(f"not options of this command: {sorted(unknown)}")
    settings = override(load_settings(settings_file), option_names(table), **values)
    return replace(settings, language=language) if language else settings
