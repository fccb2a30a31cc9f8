"""Text from the user's files reaches every page, PDF and map as data, never as code.

folium renders each map element's script as a Jinja template, and renders the result again; a
household label such as ``{{ 7*7 }}`` used to come out as "49", and
``{{ lipsum.__globals__.os.makedirs(...) }}`` ran on the workstation. The payloads below go into
household labels, a burglary id and address, and the area name, and must come out literally.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import X0, Y0, chrome, to_lonlat

from cocoon.cli import main

MAKEDIRS = "{{ lipsum.__globals__.os.makedirs('INJECTED') }}"
PAYLOADS = ["{{7*7}}", "{% raw %}", "{{ lipsum.__globals__ }}", "${7*7}", "<%= 7*7 %>", MAKEDIRS]
START = "{:.6f},{:.6f}".format(*(float(v[0]) for v in to_lonlat([X0 + 60], [Y0 - 60])))


@pytest.fixture(scope="module")
def plan_with_payloads(tmp_path_factory):
    """A plan with the field pack and offline maps, its labels, ids and area name full of payloads."""
    folder = tmp_path_factory.mktemp("injection")
    n = 96  # 16 x 6 homes 50 m apart: some beyond the police's part of the zone, for the volunteers
    x = X0 + (pd.Series(range(n)) % 16) * 50.0
    y = Y0 + (pd.Series(range(n)) // 16) * 50.0
    lon, lat = to_lonlat(x, y)
    labels = [f"Gata {PAYLOADS[i % len(PAYLOADS)]} {i}" for i in range(n)]
    households = pd.DataFrame(
        {
            "household_id": [f"H{i}" for i in range(n)],
            "label": labels,
            "lon": lon.round(8),
            "lat": lat.round(8),
            "dwellings": 1,
        }
    )
    burglaries = pd.DataFrame(
        {
            "id": ["B{{7*7}}", "B2"],
            "date": ["2026-05-01", "2026-04-20"],
            "lon": lon[[0, 7]].round(8),
            "lat": lat[[0, 7]].round(8),
            "address": ["${7*7} <%= 7*7 %>", MAKEDIRS],
        }
    )
    households.to_csv(folder / "households.csv", index=False)
    burglaries.to_csv(folder / "burglaries.csv", index=False)
    before = set(Path.cwd().iterdir())
    result = CliRunner().invoke(
        main,
        [
            "plan",
            "--burglaries",
            str(folder / "burglaries.csv"),
            "--households",
            str(folder / "households.csv"),
            "--date",
            "2026-05-04",
            "--out",
            str(folder / "out"),
            "--lang",
            "en",
            "--officers",
            "2",
            "--start",
            START,
            "--solver",
            "greedy",
            "--maps",
            "--offline",
            "--area-name",
            "Områd{{7*7}}",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    created = set(Path.cwd().iterdir()) - before
    return folder / "out", labels, created


def page_texts(page: str) -> str:
    """What a reader sees of a page: HTML entities decoded, and JavaScript strings bound to popups
    and tooltips decoded as the browser would."""
    strings = [json.loads(s) for s in re.findall(r"bind(?:Popup|Tooltip)\((\"(?:[^\"\\]|\\.)*\")\)", page)]
    return html.unescape(page) + "\n" + "\n".join(html.unescape(s) for s in strings)


def test_no_file_or_folder_is_created_by_text_in_the_inputs(plan_with_payloads, tmp_path_factory):
    out, _, created = plan_with_payloads
    assert not created, created
    assert not list(out.parent.rglob("INJECTED")) and not Path("INJECTED").exists()


def test_every_payload_appears_literally_in_the_internal_map(plan_with_payloads):
    out, labels, _ = plan_with_payloads
    page = (out / "map.html").read_text(encoding="utf-8")
    shown = page_texts(page)
    for label in labels:
        assert label in shown, label
    assert "B{{7*7}}" in shown and "${7*7} <%= 7*7 %>" in shown
    assert "Gata 49" not in shown and "B49" not in shown


@pytest.mark.parametrize(
    "name", ["visit-list.html", "visit-list-volunteer.html", "handout.html", "sign-poster.html", "map-public.html"]
)
def test_every_html_output_shows_input_text_literally(plan_with_payloads, name):
    out, _, _ = plan_with_payloads
    shown = page_texts((out / name).read_text(encoding="utf-8"))
    assert "Gata 49" not in shown and "Områd49" not in shown and "B49" not in shown
    if name.startswith("visit-list"):
        listed = pd.read_csv(out / "visit-list.csv")["label"]
        assert any(label in shown for label in listed)
        for label in listed if name == "visit-list.html" else []:
            assert label in shown, label
    if name in ("handout.html", "visit-list.html"):
        assert "Områd{{7*7}}" in shown


@pytest.mark.parametrize("name", ["visit-list.pdf", "handout.pdf"])
def test_pdf_outputs_show_input_text_literally(plan_with_payloads, name):
    from pypdf import PdfReader

    out, _, _ = plan_with_payloads
    text = " ".join(page.extract_text() for page in PdfReader(out / name).pages)
    flat = re.sub(r"\s+", "", text)
    assert "Gata49" not in flat and "Områd49" not in flat
    assert "Områd{{7*7}}" in flat
    if name == "visit-list.pdf":
        assert "{%raw%}" in flat and "<%=7*7%>" in flat


POPUP_TEXTS = """
var out = [];
for (var key in window) {
  var v; try { v = window[key]; } catch (e) { continue; }
  if (v && typeof v.getPopup === 'function' && v.getPopup()) {
    var d = document.createElement('div'); d.innerHTML = v.getPopup().getContent(); out.push(d.textContent);
  }
}
return out;
"""


@pytest.mark.slow
def test_payloads_show_as_text_in_a_real_browser(plan_with_payloads):
    out, labels, _ = plan_with_payloads
    driver = chrome()
    try:
        driver.get((out / "map.html").as_uri())
        texts = "\n".join(driver.execute_script(POPUP_TEXTS))
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        driver.quit()
    for label in labels:
        assert label in texts, label
    assert "${7*7} <%= 7*7 %>" in texts and "B{{7*7}}" in texts
    assert "Gata 49" not in texts
    assert not errors, errors


def test_report_pages_show_file_names_and_ids_literally(tmp_path):
    """The Knox, backtest and delivery pages: a file name and burglary ids full of payloads."""
    import numpy as np

    rng = np.random.default_rng(4)
    path = tmp_path / "{{7*7}} {% raw %} ${7*7}.csv"
    n = 80
    pd.DataFrame(
        {
            "id": [f"{{{{7*7}}}}-{i}" for i in range(n)],
            "x": rng.uniform(0, 1500, n),
            "y": rng.uniform(0, 1500, n),
            "date": pd.date_range("2026-01-01", periods=n).strftime("%Y-%m-%d"),
        }
    ).to_csv(path, index=False)
    runner = CliRunner()
    for args in (
        ["calibrate", str(path), "--nrep", "9", "--seed", "1", "--html", str(tmp_path / "knox.html")],
        [
            "backtest",
            str(path),
            "--from",
            "2026-02-15",
            "--to",
            "2026-03-20",
            "--html",
            str(tmp_path / "backtest.html"),
        ],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
    for name in ("knox.html", "backtest.html"):
        shown = page_texts((tmp_path / name).read_text(encoding="utf-8"))
        assert "{{7*7}} {% raw %} ${7*7}.csv" in shown


def test_control_characters_in_labels_reach_neither_the_terminal_nor_the_paper(tmp_path):
    """fpdf2 names the characters its font lacks in a log message; with ESC and BEL in a label
    that message used to rewrite the terminal. Now nothing unprintable goes on paper, and the
    characters the font lacks are named, escaped, in the plan's notes."""
    from pypdf import PdfReader

    n = 12
    lon, lat = to_lonlat(X0 + pd.Series(range(n)) * 30.0, pd.Series([Y0] * n))
    labels = [f"Gata\x1b[31m {i}\x07 \u202eA\u202c \u4e2d" for i in range(n)]
    pd.DataFrame(
        {"household_id": [f"H{i}" for i in range(n)], "label": labels, "lon": lon.round(8), "lat": lat.round(8)}
    ).to_csv(tmp_path / "h.csv", index=False)
    pd.DataFrame(
        {
            "id": ["B1"],
            "date": ["2026-05-01"],
            "lon": lon[:1].round(8),
            "lat": lat[:1].round(8),
            "address": ["Gata 1\x1b]0;owned\x07"],
        }
    ).to_csv(tmp_path / "b.csv", index=False)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from cocoon.cli import main; main()",
            "plan",
            "--burglaries",
            tmp_path / "b.csv",
            "--households",
            tmp_path / "h.csv",
            "--date",
            "2026-05-04",
            "--out",
            tmp_path / "out",
            "--lang",
            "en",
            "--officers",
            "1",
            "--start",
            START,
            "--solver",
            "greedy",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    screen = done.stdout + done.stderr  # everything the terminal would get, the libraries' logging included
    assert done.returncode == 0, screen
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e]", screen)
    flat = " ".join(screen.split())
    assert (
        "visit-list.pdf: 1 character in the data cannot be printed with the font and shows as a box: \\u4e2d." in flat
    )
    pages = " ".join(page.extract_text() for page in PdfReader(tmp_path / "out" / "visit-list.pdf").pages)
    assert "Gata[31m" in pages  # the label is there, without ESC, BEL or overrides
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e]", pages)
