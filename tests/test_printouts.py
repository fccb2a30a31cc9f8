"""What the officers print: the visit lists, the door hangers and the sign poster, read back from
the PDFs (pypdf) and looked at as pictures (pdftoppm; the PNGs are kept in tests/artifacts/)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import X0, Y0, to_lonlat

from cocoon.cli import main
from cocoon.publish.printouts.handout import handout_document, handout_texts
from cocoon.publish.printouts.sign_poster import BAND, BORDER, sign_poster_document, sign_poster_texts
from cocoon.publish.printouts.visit_lists import visit_list_document, visit_sections
from cocoon.settings import HandoutSettings

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
START = "{:.6f},{:.6f}".format(*(float(v[0]) for v in to_lonlat([X0 + 100], [Y0 - 100])))
PLAN_DAY = dt.date(2026, 5, 4)
PACK_PDFS = ("visit-list.pdf", "visit-list-volunteer.pdf", "handout.pdf", "sign-poster.pdf", "sign-poster-a3.pdf")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def pages_of(path_or_bytes) -> list[str]:
    """The text of each page, line by line as pypdf lays it out."""
    from pypdf import PdfReader

    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def flat(value: str) -> str:
    return " ".join(value.split())


def pdftoppm() -> str:
    """The pdftoppm program; missing, the test is skipped (under CI the skip is a failure)."""
    found = shutil.which("pdftoppm")
    if not found:
        pytest.skip("pdftoppm (poppler-utils) is not installed (apt-get install poppler-utils)")
    return found


def to_png(pdf: Path, name: str, *, page: int = 1, dpi: int = 100) -> Path:
    """Page ``page`` of ``pdf`` as tests/artifacts/NAME.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    subprocess.run(
        [pdftoppm(), "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(target)],
        check=True,
        capture_output=True,
    )
    png = target.with_suffix(".png")
    assert png.stat().st_size > 5_000, png
    return png


# --- a plan where one household has several burglaries nearby and one at its own address ----------


@pytest.fixture(scope="module")
def area(tmp_path_factory):
    """The shared households plus VICTIM at Storgatan 12, where B1 happened (1 May); B5 (3 May,
    newer) and B6 (28 April) happened 40 and 70 m away, at no household's address."""
    import numpy as np
    from conftest import burglary_frame, household_frame

    folder = tmp_path_factory.mktemp("printouts")
    households = household_frame.__wrapped__()
    burglaries = burglary_frame.__wrapped__()
    victim = households.iloc[[0]].assign(
        household_id="VICTIM", x=X0, y=Y0, street="Storgatan", number="12", dwellings=1
    )
    lon, lat = to_lonlat([X0], [Y0])
    victim = victim.assign(lon=lon.round(8), lat=lat.round(8))
    households = pd.concat([households, victim], ignore_index=True)
    x, y = np.array([X0 + 40.0, X0 - 60.0]), np.array([Y0, Y0 + 36.0])
    lon, lat = to_lonlat(x, y)
    nearby = pd.DataFrame(
        {
            "id": ["B5", "B6"],
            "date": ["2026-05-03", "2026-04-28"],
            "lon": lon.round(8),
            "lat": lat.round(8),
            "x": x,
            "y": y,
            "address": ["", ""],
        }
    )
    burglaries = pd.concat([burglaries, nearby], ignore_index=True)
    h, b = folder / "households.csv", folder / "burglaries.csv"
    households.drop(columns=["x", "y"]).to_csv(h, index=False)
    burglaries.drop(columns=["x", "y"]).to_csv(b, index=False)
    return b, h, folder


@pytest.fixture(scope="module")
def pack(area):
    """Two officers with three hours each: officer 1's list runs over more than one page."""
    b, h, folder = area
    out = folder / "out"
    result = run(
        "plan",
        "--burglaries",
        b,
        "--households",
        h,
        "--date",
        PLAN_DAY.isoformat(),
        "--out",
        out,
        "--lang",
        "en",
        "--officers",
        "2",
        "--hours",
        "3",
        "--minutes-per-stop",
        "2",
        "--start",
        START,
        "--solver",
        "greedy",
        "--area-name",
        "Testby",
    )
    assert result.exit_code == 0, result.output
    return result, out


def test_the_pack_writes_every_printout_and_nothing_overflows(pack):
    result, out = pack
    for name in (*PACK_PDFS, "visit-list.html", "visit-list-volunteer.html", "handout.html", "sign-poster.html"):
        assert (out / name).exists(), name
    assert "sign-poster.pdf, sign-poster-a3.pdf" in result.output
    assert "did not fit their box" not in result.output  # the field pack reports any text that overflows


def test_burgled_here_names_the_burglary_at_that_address_only(pack, area):
    _, out = pack
    burglaries = pd.read_csv(area[0]).fillna("")
    address = dict(zip(burglaries["id"], burglaries["address"], strict=True))
    routes = pd.read_csv(out / "routes.csv")
    assert "VICTIM" in set(routes["household_id"]), "the burgled household is on a route"
    victim_ids = str(routes.set_index("household_id").loc["VICTIM", "burglary_ids"]).split(";")
    assert victim_ids[0] == "B5" and {"B1", "B6"} <= set(victim_ids)  # newest first: B5 would have been named
    lines = [line for page in pages_of(out / "visit-list.pdf") for line in page.splitlines()]
    markers = [line for line in lines if "BURGLED HERE" in line]
    assert markers, "the burgled household is marked"
    victim_marker = None
    for line in markers:
        named = re.split(r"\s*\d+ (?:= \d+ )?recent", re.findall(r"BURGLED HERE: (.*)$", line)[0])[0].strip()
        ids = re.findall(r"(\S+) \(\d+/\d+\)", named)
        assert ids and re.fullmatch(r"(\S+ \(\d+/\d+\)(, )?)+", named), line  # only the burglaries at the address
        row = lines[lines.index(line) - 1] + " " + line + " " + lines[lines.index(line) + 1]
        for burglary in ids:
            assert address[burglary] == "" or address[burglary] in row, (burglary, row)
        if "VICTIM" in row:
            victim_marker = named
    assert victim_marker == "B1 (1/5)"
    content = flat(" ".join(pages_of(out / "visit-list.pdf")))
    assert re.search(r"BURGLED HERE: B1 \(1/5\) \d+ recent \(B5 \(3/5\), B6 \(28/4\)", content), content


def test_burglaries_are_shown_as_id_and_day_at_most_two(pack):
    _, out = pack
    content = flat(" ".join(pages_of(out / "visit-list.pdf")))
    assert not re.search(r"\(\d{4}-\d\d-\d\d\)", content)  # no ISO dates in the burglary column
    for shown in re.findall(r"((?:B\d \(\d+/\d+\)(?:, )?)+)", content):
        assert shown.count("(") <= 2, shown
    routes = pd.read_csv(out / "routes.csv")
    if (routes["burglary_ids"].str.count(";") >= 2).any():
        assert re.search(r"\+ \d+ more", content)


def test_ids_stops_legend_and_pages_per_officer(pack):
    _, out = pack
    routes = pd.read_csv(out / "routes.csv")
    pages = pages_of(out / "visit-list.pdf")
    per_officer = routes.groupby("officer")["household_id"].apply(list).to_dict()
    assert max(len(ids) for ids in per_officer.values()) > 18, "the fixture must fill a page"
    at = 0
    for officer, ids in sorted(per_officer.items()):
        count = -(-len(ids) // 18)
        for k in range(count):
            page = pages[at]
            at += 1
            assert f"Officer {officer} · page {k + 1} of {count}" in page
            lines = page.splitlines()
            on_page = [i for i in ids if any(i in line.split() for line in lines)]  # whole ids, on one line
            assert on_page == ids[k * 18 : (k + 1) * 18], (officer, k)
            if k + 1 < count:
                assert len(on_page) >= 12  # a full page holds at least 12 stops
            legend = flat(page)
            assert (
                "Outcome codes" in legend
                and "F = spoke face to face" in legend
                and "W = interested in neighbourhood watch" in legend
            )
            assert "Name" in page and "Signature" in page
    assert at == len(pages)
    for line in (line for page in pages for line in page.splitlines()):
        assert "Arriv e" not in line and "Househol d" not in line  # headings are never broken in a word


def test_volunteer_list_keeps_no_distance_no_burglaries_and_numbers_stops(pack):
    _, out = pack
    pages = pages_of(out / "visit-list-volunteer.pdf")
    content = flat(" ".join(pages))
    assert "Distance" not in content and "BURGLED HERE" not in content and "VICTIM" not in content
    assert not re.search(r"\bB\d \(", content) and " m " not in content
    for page in pages:
        assert "Outcome codes" in flat(page) and "Notes" in page


def test_pngs_of_every_printout(pack):
    """Page 1 of each PDF (and the door hangers) as pictures in tests/artifacts/, to look at."""
    _, out = pack
    pngs = [to_png(out / name, name.replace(".pdf", "")) for name in PACK_PDFS]
    pngs.append(to_png(out / "handout.pdf", "door-hangers", page=2))
    assert all(p.exists() for p in pngs)


# --- the documents themselves ---------------------------------------------------------------------


def stops_frame(n1: int = 20, n2: int = 3, names: tuple[object, object] = ("Anna", "")) -> pd.DataFrame:
    n = n1 + n2
    return pd.DataFrame(
        {
            "officer": [1] * n1 + [2] * n2,
            "stop": list(range(1, n1 + 1)) + list(range(1, n2 + 1)),
            "household_id": [f"osm-n29323387{k:02d}" for k in range(n)],
            "label": [f"Aleksanterinkatu {k}" for k in range(n)],
            "dwellings": [1] * (n - 1) + [1234],
            "tier": ["A"] * n,
            "arrival": ["10:08"] * n,
            "distance_m": [33.4] * (n - 1) + [1234.5],
            "burglary_ids": ["K104715;K104714;K1;K2;K3"] + ["K104714"] * (n - 1),
            "burgled": [True] + [False] * (n - 1),
            "officer_name": [names[0]] * n1 + [names[1]] * n2,
        }
    )


BURGLARIES = pd.DataFrame(
    {
        "burglary_id": ["K104714", "K104715", "K1", "K2", "K3"],
        "first_day": ["2025-11-26", "2025-11-27", "2025-11-20", "2025-11-19", "2025-11-18"],
    }
)
BURGLED = pd.DataFrame({"burglary_id": ["K104714", "K104715"], "household_id": ["osm-n2932338700", None]})


def test_rows_name_two_burglaries_with_day_and_month_and_the_officers_by_name():
    sections = visit_sections(stops_frame(), BURGLARIES, lang="sv", burgled=BURGLED)
    first = sections[0].rows[0]
    assert first["note"] == "INBROTT HÄR: K104714 (26/11)\n0 nya (K104715 (27/11), K1 (20/11) + 2 till)"
    assert sections[0].rows[1]["note"] == "0 nya (K104714 (26/11))"
    assert sections[0].rows[0]["distance"] == "33 m"
    assert sections[1].rows[-1]["distance"] == "1\u00a0234 m" and sections[1].rows[-1]["dwellings"] == "1\u00a0234"
    assert [s.name for s in sections] == ["Anna", ""]
    english = visit_sections(stops_frame(), BURGLARIES, lang="en", burgled=BURGLED)
    assert english[0].rows[0]["note"] == (
        "BURGLED HERE: K104714 (26/11)\n0 recent (K104715 (27/11), K1 (20/11) + 2 more)"
    )
    assert english[1].rows[-1]["distance"] == "1,234 m"


@pytest.mark.parametrize(
    "lang,first,second",
    [
        ("sv", "Anna · sida {k} av 2", "Polis 2 · sida 1 av 1"),
        ("en", "Anna · page {k} of 2", "Officer 2 · page 1 of 1"),
    ],
)
def test_pages_are_counted_per_officer_under_the_officers_name(lang, first, second):
    sections = visit_sections(stops_frame(), BURGLARIES, lang=lang, burgled=BURGLED)
    doc = visit_list_document(sections, area="Kungsholmen", date=PLAN_DAY, variant="internal", lang=lang)
    assert doc.overflows == []
    pages = pages_of(doc.to_bytes())
    assert len(pages) == 3
    assert first.format(k=1) in pages[0] and first.format(k=2) in pages[1] and second in pages[2]
    assert "Anna" in pages[0].split(first.format(k=1))[1]  # the name is also on the name line
    legend = "Utfallskoder" if lang == "sv" else "Outcome codes"
    assert all(legend in page for page in pages)


def test_missing_or_empty_officer_names_fall_back_to_officer_n():
    for names in ((None, None), ("", " ")):
        sections = visit_sections(stops_frame(names=names), BURGLARIES, lang="sv")
        pages = pages_of(
            visit_list_document(sections, area="A", date=PLAN_DAY, variant="internal", lang="sv").to_bytes()
        )
        assert "Polis 1 · sida 1 av 2" in pages[0] and "Polis 2 · sida 1 av 1" in pages[2]
    sections = visit_sections(stops_frame().drop(columns="officer_name"), BURGLARIES, lang="en")
    assert [s.name for s in sections] == ["", ""]


def test_a_text_that_cannot_fit_is_reported():
    stops = stops_frame(n1=2, n2=0)
    stops.loc[0, "label"] = "X" * 400  # one word wider than the page
    sections = visit_sections(stops, BURGLARIES, lang="en", burgled=BURGLED)
    doc = visit_list_document(sections, area="A", date=PLAN_DAY, variant="internal", lang="en")
    assert [(o.text, o.reason, o.page) for o in doc.overflows] == [("X" * 400, "word", 1)]  # only that cell


def test_the_plan_says_when_a_text_did_not_fit(area, tmp_path):
    b, h, _ = area
    households = pd.read_csv(h)
    households.loc[households["household_id"] == "VICTIM", "street"] = "X" * 400  # its label: "XXX…X 12"
    households.to_csv(tmp_path / "h.csv", index=False)
    result = run(
        "plan",
        "--burglaries",
        b,
        "--households",
        tmp_path / "h.csv",
        "--date",
        PLAN_DAY.isoformat(),
        "--out",
        tmp_path / "out",
        "--lang",
        "en",
        "--officers",
        "1",
        "--start",
        "VICTIM",
        "--solver",
        "greedy",
    )
    assert result.exit_code == 0, result.output
    assert "visit-list.pdf: 1 text did not fit its box on the page" in flat(result.output)


def test_long_ids_and_addresses_fit_without_breaking_a_word():
    stops = stops_frame(n1=18, n2=0)
    stops["household_id"] = [f"osm-way-{k:04d}-entrance-B-{k:06d}" for k in range(len(stops))]
    stops.loc[3, "label"] = "Drottning Kristinas väg 27 A, trappuppgång 3, port mot gården (kod 1234)"
    sections = visit_sections(stops, BURGLARIES, lang="sv", burgled=BURGLED)
    doc = visit_list_document(sections, area="Kungsholmen", date=PLAN_DAY, variant="internal", lang="sv")
    assert doc.overflows == []
    lines = pages_of(doc.to_bytes())[0].splitlines()
    for household in stops["household_id"]:
        assert any(household in line.split() for line in lines), household


def test_door_hangers_have_boxes_cut_marks_and_no_page_number(tmp_path):
    settings = HandoutSettings(area_name="Norra Kungsholmen med Fredhäll, Stadshagen och Lilla Essingen")
    for lang, words in (
        ("sv", ("Polis", "Datum", "Klockan", "Ring mig på", "Polisen 114 14")),
        ("en", ("Police officer", "Date", "Time", "Call me back on", "Police 114 14")),
    ):
        texts = handout_texts(latest=dt.date(2026, 5, 1), settings=settings, lang=lang)
        doc = handout_document(texts, lang=lang)
        assert doc.overflows == []
        pdf = tmp_path / f"handout-{lang}.pdf"
        pdf.write_bytes(doc.to_bytes())
        pages = pages_of(pdf)
        assert len(pages) == 2
        hangers = flat(pages[1])
        for word in words:
            assert hangers.count(word) >= 3, word  # three hangers to a sheet
        assert "18" in hangers and "2026-05-01" not in hangers  # the week, never the date
        assert "Sida" not in flat(" ".join(pages)) and "Page" not in flat(" ".join(pages))
        to_png(pdf, f"door-hangers-{lang}", page=2)


@pytest.mark.parametrize("paper,size", [("A4", (297, 210)), ("A3", (420, 297))])
def test_a_200_character_headline_stays_inside_the_border(paper, size, tmp_path):
    from PIL import Image

    signs = pd.DataFrame({"up": [dt.date(2026, 11, 23)], "down": [dt.date(2027, 2, 22)]})
    texts = sign_poster_texts(signs, contact="Ring polisen på 114 14.", lang="sv", phone="114 14")
    texts["headline"] = ("Inbrott har skett i detta område – var extra vaksam " * 4)[:200]
    assert len(texts["headline"]) == 200
    doc = sign_poster_document(texts, lang="sv", paper=paper)
    assert doc.overflows == []
    pdf = tmp_path / f"poster-{paper}.pdf"
    pdf.write_bytes(doc.to_bytes())
    (content,) = pages_of(pdf)
    assert flat(texts["headline"]) in flat(content) and "114 14" in content
    assert "Uppsatt vecka 48 · tas ned vecka 8" in flat(content) and "Sida" not in content
    from pypdf import PdfReader

    box = PdfReader(pdf).pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == size
    png = to_png(pdf, f"sign-poster-long-headline-{paper}", dpi=40)
    image = Image.open(png).convert("RGB")
    scale = image.width / size[0] * size[0] / 297  # pixels per A4 millimetre of the layout
    inside = (BORDER + BAND) * scale
    width, height = image.size
    band = [
        (x, y) for x in range(width) for y in range(height) if min(x, y, width - 1 - x, height - 1 - y) < inside - 2
    ]
    dark = [p for p in band if sum(image.getpixel(p)) < 300]
    assert not dark, f"text on the border at {dark[:5]}"
    headline_area = image.crop((int(inside) + 2, int(inside) + 2, width - int(inside) - 2, height // 2))
    assert any(sum(pixel) < 100 for pixel in headline_area.get_flattened_data()), "the headline is drawn"


def font_sizes(data: bytes) -> dict[str, float]:
    """Each text drawn on the first page and its size in points."""
    from pypdf import PdfReader

    sizes: dict[str, float] = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes[text.strip()] = max(sizes.get(text.strip(), 0.0), size * tm[0] * cm[0])

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return sizes


def test_the_poster_shows_the_phone_large_and_weeks_only():
    signs = pd.DataFrame({"up": [dt.date(2026, 11, 23)], "down": [dt.date(2027, 2, 22)]})
    texts = sign_poster_texts(signs, contact="Ring polisen på 114 14 för att anmäla.", lang="sv", phone="114 14")
    data = sign_poster_document(texts, lang="sv").to_bytes()
    (content,) = pages_of(data)
    assert "Uppsatt vecka 48 · tas ned vecka 8" in flat(content) and "Ring polisen" in content
    assert "2026-11-23" not in content and "23/11" not in content
    sizes = font_sizes(data)
    assert sizes["114 14"] >= 48  # the number, large enough to read from across the street
    assert sizes["114 14"] > sizes["Uppsatt vecka 48 · tas ned vecka 8"]
    a3 = font_sizes(sign_poster_document(texts, lang="sv", paper="A3").to_bytes())
    assert a3["114 14"] == pytest.approx(sizes["114 14"] * 420 / 297, rel=0.01)  # A3 is A4 scaled up
