"""The options: one table per command ties an option to its setting (defaults in --help, overrides,
names in messages), the zone options are one set shared by the commands that draw zones, and every
option of every command is described in English and in Swedish."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from cocoon.catalogue import catalogue, text
from cocoon.cli import main
from cocoon.cli.options import CatalogueOption, option_help
from cocoon.errors import SettingsError
from cocoon.jobs.options import (
    BACKTEST_OPTIONS,
    CALIBRATE_OPTIONS,
    PLAN_OPTIONS,
    STATUS_OPTIONS,
    ZONE_OPTIONS,
    command_settings,
)
from cocoon.settings import Settings, value_of

TABLES = {"plan": PLAN_OPTIONS, "backtest": BACKTEST_OPTIONS, "calibrate": CALIBRATE_OPTIONS, "status": STATUS_OPTIONS}


def every_command(group: click.Group = main, words: tuple[str, ...] = ()) -> dict[tuple[str, ...], click.Command]:
    """Every command and group, by the words that run it (``()`` is cocoon itself)."""
    found: dict[tuple[str, ...], click.Command] = {words: group}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.update(every_command(command, (*words, name)))
        else:
            found[(*words, name)] = command
    return found


def options_of(command: click.Command) -> list[click.Option]:
    context = click.Context(command, info_name="cocoon")
    return [p for p in command.get_params(context) if isinstance(p, click.Option)]


def help_of(words: tuple[str, ...], lang: str) -> str:
    result = CliRunner(env={"COCOON_LANG": lang}).invoke(
        main, [*words, "--help"], prog_name="cocoon", terminal_width=10_000
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("words", sorted(every_command()), ids=lambda w: " ".join(("cocoon", *w)))
def test_every_option_of_every_command_has_an_english_and_a_swedish_text(words):
    command = every_command()[words]
    english, swedish = help_of(words, "en"), help_of(words, "sv")
    options = options_of(command)
    assert options
    for param in options:
        if param.name == "_click_default_help":  # click's own --help: its text is options.help
            key = "options.help"
        else:
            assert isinstance(param, CatalogueOption), f"{param.opts[0]} of {words} has its help in the code"
            key = param.help_key
        en, sv = catalogue("en").get(key), catalogue("sv").get(key)
        assert en and sv, f"{key} ({param.opts[0]} of cocoon {' '.join(words)}) lacks a text in en or sv"
        assert en != sv, f"{key} is not translated"
        setting = getattr(param, "setting", None)
        for lang, page in (("en", english), ("sv", swedish)):
            shown = option_help(key, lang, setting)  # fills every parameter (COCOON_STRICT_TEXTS)
            assert " ".join(shown.split()) in " ".join(page.split()), f"{key} not in {lang} --help of {words}"


@pytest.mark.parametrize("prog_name", ["cocoon", "python -m cocoon"])
def test_command_descriptions_are_in_swedish_however_cocoon_is_started(prog_name):
    """The catalogue's description of a command is found by the command's names, not by the
    words cocoon was started with (``python -m cocoon plan`` as well as ``cocoon plan``)."""
    swedish = catalogue("sv")
    for words in (("plan",), ("visits", "import")):
        result = CliRunner(env={"COCOON_LANG": "sv"}).invoke(
            main, [*words, "--help"], prog_name=prog_name, terminal_width=10_000
        )
        assert result.exit_code == 0, result.output
        first = str(swedish["command_help." + "_".join(words)]).split("\n\n")[0]
        assert " ".join(first.split()) in " ".join(result.output.split())
    listing = CliRunner(env={"COCOON_LANG": "sv"}).invoke(main, ["visits", "--help"], prog_name=prog_name)
    add = " ".join(str(swedish["command_help.visits_add"]).split())
    assert add[:30] in " ".join(listing.output.split())


def test_the_swedish_help_describes_the_options_in_swedish():
    page = help_of(("plan",), "sv")
    assert "Zonens radie i meter.  [standard: 500; inställning zones.radius_m]" in page
    assert "Poliser i tjänst" in page and "Zone radius" not in page and "Show this message" not in page
    assert "Visa den här hjälpen och avsluta." in help_of((), "sv")
    assert "[standard: 0,5; inställning routes.minutes_per_dwelling]" in page  # a Swedish decimal comma
    assert "Utmapp.  [krävs]" in page and "required" not in page  # what click adds is in Swedish too
    assert "[standard: 999]" in help_of(("calibrate",), "sv")


@pytest.mark.parametrize("command", sorted(TABLES))
def test_each_option_of_a_table_shows_the_default_and_name_of_its_setting(command):
    page = " ".join(help_of((command,), "en").split())
    defaults = Settings()
    for item in TABLES[command]:
        value = value_of(defaults, item.setting)
        if value in (None, ""):
            shown = text(f"options.unset.{item.unset}", "en")
        else:
            shown = f"{value:g}" if isinstance(value, float) else str(value)
        assert f"{item.flag} " in page
        assert f"[default: {shown}; setting {item.setting}" in page, (item.flag, shown)


def test_the_zone_options_are_the_same_for_every_command_that_draws_zones():
    pages = {name: help_of((name,), "en") for name in ("plan", "backtest")}
    for item in ZONE_OPTIONS:
        helps = set()
        for page in pages.values():
            row = re.search(rf"^  {re.escape(item.flag)} \S+\s+(.*)$", page, re.M)
            assert row, f"{item.flag} missing"
            helps.add(row.group(1))
        assert len(helps) == 1, f"{item.flag} is described differently: {helps}"


def test_options_go_on_top_of_the_settings_file_and_errors_name_them(tmp_path):
    path = tmp_path / "local.toml"
    path.write_text("[zones]\nradius_m = 300\nhigh_days = 7\n", encoding="utf-8")
    settings = command_settings(
        PLAN_OPTIONS,
        path,
        {"zones.radius_m": 250.0, "zones.high_days": None, "routes.start_time": "08:15"},
        language="sv",
    )
    assert (settings.zones.radius_m, settings.zones.high_days) == (250.0, 7)
    assert (settings.routes.start_time, settings.language) == ("08:15", "sv")
    with pytest.raises(SettingsError) as error:
        command_settings(BACKTEST_OPTIONS, path, {"zones.radius_m": -1.0})
    assert str(error.value).startswith("--radius: ")
    with pytest.raises(SettingsError) as error:
        command_settings(PLAN_OPTIONS, path, {"routes.start_time": "noon"})
    assert str(error.value).startswith("--start-time: 'noon'")
    with pytest.raises(ValueError, match="not options of this command"):
        command_settings(CALIBRATE_OPTIONS, path, {"zones.radius_m": 250.0})


def test_a_bad_value_in_the_settings_file_names_the_file_not_the_option(tmp_path):
    path = tmp_path / "local.toml"
    path.write_text("[zones]\nradius_m = -3\n", encoding="utf-8")
    with pytest.raises(SettingsError) as error:
        command_settings(PLAN_OPTIONS, path, {"zones.radius_m": None})
    assert str(error.value).startswith(f"{path}: zones.radius_m")


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "--households", "h.csv", "--burglaries", "b.csv", "--out", "o"),
        ("backtest", "b.csv", "--from", "2026-01-01", "--to", "2026-02-01"),
    ],
)
def test_a_bad_zone_option_is_refused_with_the_option_named(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner(env={"COCOON_LANG": "en"}).invoke(main, [*args, "--high-days", "-2"], prog_name="cocoon")
    assert result.exit_code == 1
    assert "--high-days: " in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()
