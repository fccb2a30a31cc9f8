"""The officer's page for the phone (officer-N.html), driven in a real Chromium with no network:
taps survive a reload, the export reads into the store once however often it is imported, and
text from the inputs stays text."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import X0, Y0, chrome, to_lonlat

from cocoon.cli import main

START = "{:.6f},{:.6f}".format(*(float(v[0]) for v in to_lonlat([X0 + 100], [Y0 - 100])))
SCRIPT_LABEL = "<script>window.pwned = 1</script>Storgatan"
IMAGE_LABEL = '<img src=x onerror="window.pwned = 2">Ågatan'
TODAY = dt.date.today()


def tapped_since_today(times: pd.Series) -> bool:
    """Every tap time from the plan's day (TODAY) or, where the tests ran past midnight, the next."""
    days = {TODAY.isoformat(), dt.date.today().isoformat()}
    return bool(times.str[:10].isin(days).all())


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture()
def pack(tmp_path, household_frame, burglary_frame):
    """A plan for today, two officers with a store, and streets whose names carry HTML."""
    households = household_frame.copy()
    households.loc[households.index % 3 == 0, "street"] = SCRIPT_LABEL
    households.loc[households.index % 3 == 1, "street"] = IMAGE_LABEL
    burglaries = burglary_frame.assign(date=[(TODAY - dt.timedelta(days=d)).isoformat() for d in (1, 3, 200, 10)])
    h, b = tmp_path / "households.csv", tmp_path / "burglaries.csv"
    households.drop(columns=["x", "y"]).to_csv(h, index=False)
    burglaries.drop(columns=["x", "y"]).to_csv(b, index=False)
    store = tmp_path / "cocoon.sqlite"
    assert run("ingest", b, "--store", store).exit_code == 0

    def plan(out: str, lang: str) -> Path:
        result = run(
            "plan",
            "--burglaries",
            b,
            "--households",
            h,
            "--date",
            TODAY.isoformat(),
            "--out",
            tmp_path / out,
            "--officers",
            2,
            "--hours",
            1.5,
            "--start",
            START,
            "--store",
            store,
            "--lang",
            lang,
        )
        assert result.exit_code == 0, result.output
        return tmp_path / out

    return plan, store


@pytest.fixture()
def browser(tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = chrome(window="390,844", downloads=downloads, performance=True)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*", "ws://*", "wss://*"]})
    driver.downloads = downloads
    yield driver
    driver.quit()


def open_page(driver, path: Path) -> None:
    driver.get(path.as_uri())
    for _ in range(100):
        if driver.execute_script("return document.body.getAttribute('data-ready')") == "1":
            return
        time.sleep(0.05)
    raise AssertionError(f"the page did not start: {driver.get_log('browser')}")


def tap(driver, household: str, outcome: str) -> None:
    driver.find_element("css selector", f'[data-household-id="{household}"] [data-outcome="{outcome}"]').click()


def stop_ids(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('[data-household-id]')).map(e => e.dataset.householdId)"
    )


def downloaded(driver, suffix: str) -> Path:
    for _ in range(100):
        found = [p for p in driver.downloads.iterdir() if p.name.endswith(suffix)]
        if found:
            time.sleep(0.1)
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no {suffix} downloaded: {list(driver.downloads.iterdir())}")


def requests_made(driver) -> list[str]:
    """Every URL the page asked for (from the performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_taps_survive_a_reload_and_the_export_imports_once(pack, browser, tmp_path):
    plan, store = pack
    out = plan("p", "en")
    page = out / "officer-1.html"
    open_page(browser, page)
    ids = stop_ids(browser)
    routes = pd.read_csv(out / "routes.csv", dtype=str)
    assert ids == routes[routes["officer"] == "1"]["household_id"].tolist()  # walking order
    assert len(ids) >= 4
    tap(browser, ids[0], "face")
    tap(browser, ids[1], "nothome")
    tap(browser, ids[2], "leaflet")
    browser.find_element("id", "undo").click()  # the leaflet was a slip
    tap(browser, ids[2], "kit")
    browser.refresh()
    open_page(browser, page)
    status = browser.find_element("css selector", f'[data-household-id="{ids[0]}"] .stop-status').text
    assert status.startswith("Done: spoke face to face at ")
    assert browser.find_element("id", "doors-done").text == f"Doors done: 3 of {len(ids)}"
    log = [e.text for e in browser.find_elements("css selector", "#log li")]
    assert len(log) == 5 and "undone: stop 3 · leaflet left" in log[1]
    browser.find_element("css selector", '[data-action="export-csv"]').click()
    export = downloaded(browser, ".csv")
    assert export.name == f"officer-1-visits-{TODAY.isoformat()}.csv"
    records = pd.read_csv(export, dtype=str, encoding="utf-8-sig")
    assert records["household_id"].tolist() == ids[:3]
    assert records["outcome"].tolist() == ["face", "nothome", "kit"]
    assert records["record_id"].is_unique
    offset = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
    assert all(offset.match(t) for t in records["time"]) and tapped_since_today(records["time"])

    first = run("visits", "import", export, "--store", store, "--lang", "en")
    assert first.output == "Visits recorded: 3 (rows without an outcome skipped: 0).\n", first.output
    again = run("visits", "import", export, "--store", store, "--lang", "en")
    assert "Visits recorded: 0; 3 were already recorded" in again.output

    # The second officer's export, then the first again: each visit once, in any order.
    open_page(browser, out / "officer-2.html")
    other = stop_ids(browser)
    assert not set(other) & set(ids)
    tap(browser, other[0], "refused")
    browser.find_element("css selector", '[data-action="export-csv"]').click()
    second = downloaded(browser, "officer-2-visits-" + TODAY.isoformat() + ".csv")
    assert "Visits recorded: 1 (" in run("visits", "import", second, "--store", store, "--lang", "en").output
    assert "Visits recorded: 0; 3 were" in run("visits", "import", export, "--store", store, "--lang", "en").output
    with sqlite3.connect(store) as db:
        stored = db.execute("SELECT household_id, outcome, visited_at, record_id FROM visits").fetchall()
    assert len(stored) == 4 and len({r[3] for r in stored}) == 4
    assert sorted(r[2] for r in stored)[0] == min(records["time"])[:16]  # the phone's own clock
    # Nothing at all left the machine: only the page itself was fetched.
    assert [u for u in requests_made(browser) if not u.startswith(("file:", "data:", "blob:"))] == []


def test_export_and_clear_needs_an_export_and_leaves_nothing(pack, browser):
    plan, _ = pack
    out = plan("p", "en")
    page = out / "officer-1.html"
    open_page(browser, page)
    ids = stop_ids(browser)
    tap(browser, ids[0], "watch")
    clear = browser.find_element("id", "clear")
    clear.click()
    assert browser.find_element("id", "message").text.startswith("Export first")
    browser.find_element("css selector", '[data-action="export-geojson"]').click()
    geojson = json.loads(downloaded(browser, ".geojson").read_text(encoding="utf-8"))
    assert geojson["type"] == "FeatureCollection" and len(geojson["features"]) == 1
    feature = geojson["features"][0]
    lon, lat = feature["geometry"]["coordinates"]
    assert feature["properties"]["household_id"] == ids[0] and feature["properties"]["outcome"] == "watch"
    assert all(len(repr(v).split(".")[1]) <= 7 for v in (lon, lat))
    routes = pd.read_csv(out / "routes.csv")
    stop = routes[routes["household_id"].astype(str) == ids[0]].iloc[0]
    assert abs(lon - stop["lon"]) < 1e-6 and abs(lat - stop["lat"]) < 1e-6  # WGS 84, lon before lat
    clear.click()
    assert "Tap again to clear: 1 record" in clear.text
    clear.click()
    assert browser.execute_script("return Object.keys(localStorage).filter(k => k.startsWith('cocoon-field:'))") == []
    browser.refresh()
    open_page(browser, page)
    assert browser.find_element("id", "doors-done").text == f"Doors done: 0 of {len(ids)}"


def test_text_from_the_inputs_stays_text_and_no_victim_is_shown(pack, browser):
    plan, _ = pack
    out = plan("p", "en")
    html = (out / "officer-1.html").read_text(encoding="utf-8")
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html).group(1)
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy
    assert re.search(r"script-src 'sha256-[^']+' 'sha256-[^']+';", policy) and "unsafe-inline" not in policy
    assert "<script>window.pwned" not in html and "<img src=x" not in html
    assert not re.search(r"burgled|victim|inbrott har skett här", html, re.IGNORECASE)
    open_page(browser, out / "officer-1.html")
    labels = [e.text for e in browser.find_elements("css selector", ".stop-label")]
    assert any(SCRIPT_LABEL in label for label in labels) or any(IMAGE_LABEL in label for label in labels)
    assert browser.execute_script("return window.pwned === undefined")
    assert browser.find_elements("css selector", "#stops img, #stops script") == []
    ids = stop_ids(browser)
    tap(browser, ids[0], "face")
    assert browser.execute_script("return window.pwned === undefined")
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []  # no script or style refused by the policy, no error


def test_a_script_the_page_did_not_bring_is_refused(pack, browser, tmp_path):
    """The policy itself works: a script added to the page (as an injection would) does not run."""
    plan, _ = pack
    out = plan("p", "en")
    html = (out / "officer-1.html").read_text(encoding="utf-8")
    tampered = tmp_path / "tampered.html"
    tampered.write_text(html.replace("</body>", "<script>window.pwned = 3</script></body>"), encoding="utf-8")
    open_page(browser, tampered)
    assert browser.execute_script("return window.pwned === undefined")
    assert any("Content Security Policy" in e["message"] for e in browser.get_log("browser"))


def test_the_page_in_swedish_and_english_at_phone_size(pack, browser, tmp_path):
    plan, _ = pack
    out = plan("p", "sv")
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",  # a phone: headless windows are 500 px at least
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )
    open_page(browser, out / "officer-1.html")
    ids = stop_ids(browser)
    tap(browser, ids[0], "face")
    words = browser.find_element("css selector", f'[data-household-id="{ids[0]}"] [data-outcome="nothome"]').text
    assert "ingen hemma" in words
    assert browser.find_element("id", "doors-done").text == f"Dörrar klara: 1 av {len(ids)}"
    assert browser.execute_script("return window.innerWidth") == 390
    shots = {"sv": tmp_path / "officer-page-sv.png", "en": tmp_path / "officer-page-en.png"}
    browser.save_screenshot(str(shots["sv"]))
    browser.find_element("id", "switch-language").click()
    assert browser.find_element("id", "doors-done").text == f"Doors done: 1 of {len(ids)}"
    assert "not home" in browser.find_element("css selector", '[data-outcome="nothome"]').text
    reason = browser.find_element("css selector", f'[data-household-id="{ids[0]}"] .stop-reason').text
    assert " recent" in reason and "nya" not in reason
    browser.execute_script("document.getElementById('stops').scrollIntoView()")
    browser.save_screenshot(str(shots["en"]))
    for path in shots.values():
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 20_000
    keep = os.environ.get("COCOON_SCREENSHOTS")
    if keep:
        for path in shots.values():
            shutil.copy(path, Path(keep) / path.name)


def test_every_officer_with_stops_gets_a_page_named_as_on_the_visit_list(pack):
    plan, _ = pack
    out = plan("p", "en")
    officers = sorted(pd.read_csv(out / "routes.csv")["officer"].unique())
    assert sorted(p.name for p in out.glob("officer-*.html")) == [f"officer-{n}.html" for n in officers]
    html = (out / "officer-1.html").read_text(encoding="utf-8")
    data = json.loads(
        re.search(r'<script type="application/json" id="cocoon-data">(.*?)</script>', html, re.DOTALL).group(1)
    )
    assert data["storage_key"] == f"cocoon-field:{TODAY.isoformat()}:officer-1"
    assert [s["stop"] for s in data["stops"]] == list(range(1, len(data["stops"]) + 1))
    assert all(
        set(s) == {"household_id", "stop", "label", "tier", "dwellings", "arrival", "reason", "revisit", "lon", "lat"}
        for s in data["stops"]
    )
    assert all(
        set(s["reason"]) == {"en", "sv"} and all(r and "\n" not in r for r in s["reason"].values())
        for s in data["stops"]
    )
    assert data["burglaries"] and all(np.isfinite(pd.Timestamp(b["reported"]).value) for b in data["burglaries"])
    assert len(html.encode("utf-8")) < 3_000_000


def test_the_map_picture_is_kept_under_its_size_with_its_colours():
    import io

    from PIL import Image

    from cocoon.publish.phone.officer_page import compact_png

    rng = np.random.default_rng(3)
    noisy = Image.fromarray(rng.integers(0, 255, (900, 900, 3), dtype=np.uint8))
    raw = io.BytesIO()
    noisy.save(raw, format="PNG")
    assert len(raw.getvalue()) > 2_000_000
    small = compact_png(raw.getvalue(), 300_000)
    assert len(small) <= 300_000 and small[:8] == b"\x89PNG\r\n\x1a\n"
    streets = Image.new("RGB", (400, 300), (232, 230, 225))
    streets.paste((255, 255, 255), (0, 140, 400, 160))
    kept = Image.open(io.BytesIO(compact_png(_png(streets), 300_000))).convert("RGB")
    assert kept.size == (400, 300) and kept.getpixel((10, 150)) == (255, 255, 255)
    assert kept.getpixel((10, 10)) == (232, 230, 225)


def _png(image) -> bytes:
    import io

    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_the_phone_position_is_kept_with_its_accuracy_when_asked_for(pack, browser):
    """With "position" ticked, a tap keeps where the phone was and how sure it was (7 decimals);
    without it, or when the phone has no position, the record keeps its time and outcome only."""
    plan, _ = pack
    out = plan("p", "en")
    browser.execute_cdp_cmd("Browser.grantPermissions", {"permissions": ["geolocation"]})
    browser.execute_cdp_cmd("Emulation.setGeolocationOverride", {})  # no position to be had
    open_page(browser, out / "officer-1.html")
    ids = stop_ids(browser)
    tap(browser, ids[0], "face")  # position not ticked
    browser.find_element("id", "position").click()
    tap(browser, ids[1], "nothome")  # ticked, but the phone has no position
    time.sleep(0.5)
    browser.execute_cdp_cmd(
        "Emulation.setGeolocationOverride",
        {"latitude": 59.329323456789, "longitude": 18.068581234567, "accuracy": 12.4},
    )
    tap(browser, ids[2], "leaflet")
    for _ in range(100):
        if "position ± 12 m" in browser.find_element("id", "log").text:
            break
        time.sleep(0.05)
    browser.find_element("css selector", '[data-action="export-csv"]').click()
    records = pd.read_csv(downloaded(browser, ".csv"), dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert records["outcome"].tolist() == ["face", "nothome", "leaflet"]
    assert records.loc[0, ["lat", "lon", "accuracy_m"]].tolist() == ["", "", ""]
    assert records.loc[1, ["lat", "lon", "accuracy_m"]].tolist() == ["", "", ""]
    assert records.loc[2, ["lat", "lon", "accuracy_m"]].tolist() == ["59.3293235", "18.0685812", "12"]
    assert tapped_since_today(records["time"])
    log = browser.find_element("id", "log").text
    assert log.count("position ± 12 m") == 1
