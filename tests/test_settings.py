from __future__ import annotations

import pytest

from cocoon.errors import SettingsError
from cocoon.settings import Settings, load_settings, override, settings_from_dict


def test_toml_overrides_and_keeps_other_defaults(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('crs = "EPSG:3006"\n[zones]\nradius_m = 400\n[ranking]\ntime_weights = [[7, 1.0], [56, 0.3]]\n')
    s = load_settings(path)
    assert s.zones.radius_m == 400 and s.zones.high_days == 14 and s.crs == "EPSG:3006"
    assert s.ranking.time_weights == ((7.0, 1.0), (56.0, 0.3))


@pytest.mark.parametrize(
    "data,key",
    [
        ({"zone": {}}, "settings.unknown_key"),
        ({"zones": {"radius": 1}}, "settings.unknown_key"),
        ({"maps": {"max_househlods": 10}}, "settings.unknown_key"),  # no section is taken unchecked but calibrate's
        ({"zones": {"radius_m": "far"}}, "settings.bad_number"),
        ({"zones": {"radius_m": -5}}, "settings.must_be_positive"),
        ({"ranking": {"distance_weights": [[100, 1], [50, 0.5]]}}, "settings.table_order"),
        ({"zones": {"high_days": 1.5}}, "settings.bad_integer"),
        ({"csv_dialect": "excel"}, "settings.bad_choice"),
        ({"csv_dialect": 3}, "settings.bad_text"),
    ],
)
def test_bad_settings_are_refused(data, key):
    with pytest.raises(SettingsError) as err:
        settings_from_dict(data, "s.toml")
    assert err.value.key == key


def test_override_ignores_none_and_validates():
    s = override(Settings(), **{"zones.radius_m": None, "zones.high_days": 7})
    assert s.zones.radius_m == 500 and s.zones.high_days == 7
    with pytest.raises(SettingsError):
        override(Settings(), **{"zones.radius_m": 0.0})


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(SettingsError) as err:
        load_settings(tmp_path / "none.toml")
    assert err.value.key == "settings.missing"
    bad = tmp_path / "bad.toml"
    bad.write_text("[zones\n")
    with pytest.raises(SettingsError) as err:
        load_settings(bad)
    assert err.value.key == "settings.not_toml"


@pytest.mark.parametrize("value", ["[" * 5000 + "]" * 5000, "{a = " * 5000 + "1" + "}" * 5000])
def test_settings_nested_thousands_deep_are_refused_without_a_traceback(tmp_path, value):
    from click.testing import CliRunner

    from cocoon.cli import main

    path = tmp_path / "deep.toml"
    path.write_text(f"[zones]\nradius_m = {value}\n")
    with pytest.raises(SettingsError) as err:
        load_settings(path)
    assert err.value.key == "settings.too_deep"
    result = CliRunner().invoke(
        main,
        [
            "plan",
            "--burglaries",
            "b.csv",
            "--households",
            "h.csv",
            "--date",
            "2026-05-04",
            "--out",
            str(tmp_path / "out"),
            "--settings",
            str(path),
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "nests arrays or tables thousands of levels deep" in " ".join(result.output.split())
