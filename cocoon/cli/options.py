"""Options whose help is a catalogue entry, shown in the language of ``--help``; and the options
built from a command's table of settings (:mod:`cocoon.jobs.options`), with the setting's default.

An option's help is ``options.<key>`` in ``cocoon/catalogue/<lang>/options.toml``: the options that
several commands take have one key (``options.radius``), the others one per command
(``options.plan.officers``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cocoon.catalogue import text
from cocoon.cli.help import help_language
from cocoon.inputs.columns import HOUSEHOLD_ROLES
from cocoon.jobs.options import SettingOption
from cocoon.settings import Settings, value_of
from cocoon.store.outcomes import OUTCOMES

DEFAULTS = Settings()
"""The defaults, shown in the options' help."""
HELP_VALUES: dict[str, Any] = {
    "roles": ", ".join(HOUSEHOLD_ROLES),
    "outcomes": ", ".join(OUTCOMES),
    "retention_days": DEFAULTS.store.retention_days,
    "detour": DEFAULTS.routes.detour_factor,
    "trial_strata": ",".join(DEFAULTS.trial.strata),
    "trial_delay_days": DEFAULTS.trial.delay_days,
    "trial_area_km": DEFAULTS.trial.area_km,
    "trial_per_stratum": DEFAULTS.trial.per_stratum,
}
"""What the help texts may name: the lists of words an option takes, and defaults that are no
option's own."""


def option_help(key: str, lang: str, setting: SettingOption | None = None) -> str:
    """The help of the option whose catalogue key is ``key``, in ``lang``; for an option that sets a
    setting, followed by the setting's default and name."""
    help_text = text(key, lang, **HELP_VALUES)
    if setting is None:
        return help_text
    default = value_of(DEFAULTS, setting.setting)
    shown = text(f"options.unset.{setting.unset}", lang) if default in (None, "") else default
    suffix = "options.default.setting_env" if setting.envvar else "options.default.setting"
    return f"{help_text}  {text(suffix, lang, value=shown, setting=setting.setting, env=setting.envvar or '')}"


class CatalogueOption(click.Option):
    """A click option whose help is a catalogue entry, in the language ``--help`` is shown in."""

    def __init__(self, *args: Any, help_key: str, setting: SettingOption | None = None, **kwargs: Any) -> None:
        self.help_key = help_key
        self.setting = setting
        super().__init__(*args, **kwargs)

    @property
    def help(self) -> str:
        return option_help(self.help_key, help_language(), self.setting)

    @help.setter
    def help(self, value: str | None) -> None:
        """click sets the help it was given (none, or the version option's): the catalogue's wins."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        """As click's, with what click adds in brackets ("default: ...", "required") in the same language."""
        if self.hidden:
            return None
        lang = help_language()
        extra = self.get_help_extra(ctx)
        items = []
        if "envvars" in extra:
            items.append(text("options.extra.envvar", lang, var=", ".join(extra["envvars"])))
        if "default" in extra:
            items.append(text("options.extra.default", lang, default=extra["default"]))
        if "range" in extra:
            items.append(extra["range"])
        if "required" in extra:
            items.append(text("options.extra.required", lang))
        described = f"{self.help}  [{'; '.join(items)}]" if items else self.help
        return self.get_help_spec(ctx), described


def option(*decls: str, key: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``click.option`` with its help from the catalogue entry ``options.<key>``."""
    return click.option(*decls, cls=CatalogueOption, help_key=f"options.{key}", **kwargs)


def setting_options(table: tuple[SettingOption, ...]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The options of ``table``, each with the setting's default in its help. The command receives
    their values together as ``given``, by setting (None: not given), for
    :func:`cocoon.jobs.options.command_settings`."""

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(f)
        def command(*args: Any, **kwargs: Any) -> Any:
            kwargs["given"] = {item.setting: kwargs.pop(item.name) for item in table}
            return f(*args, **kwargs)

        for item in reversed(table):
            kind: Any = (
                click.Path(dir_okay=False)
                if item.kind is Path
                else click.Choice(item.choices)
                if item.choices
                else item.kind
            )
            command = click.option(
                item.flag,
                item.name,
                type=kind,
                default=None,
                metavar=item.metavar,
                envvar=item.envvar,
                cls=CatalogueOption,
                help_key=item.help_key,
                setting=item,
            )(command)
        return command

    return decorate
