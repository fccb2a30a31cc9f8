"""The officer's page for the phone: one self-contained HTML file per officer (``officer-N.html``).

The page lists the officer's stops in walking order (address, tier, dwellings, the reason in one
line), with one large button per outcome code of ``cocoon visits import``. A tap records the
outcome with the time (ISO 8601 with the phone's offset) and, if the officer allows it, the
phone's position and its accuracy. Undo takes back the last tap; the edit log keeps both. The
counters show the doors done and the hours since each burglary's report against the 24 h and
48 h targets. The officer's part of the map shows the start (S) and the numbered stops.

It works without any network: Leaflet (from the installed ``django-js-lib-leaflet`` package),
the map picture, the texts in every language and the plan's data are inline, and a
Content-Security-Policy allows only the page's own two scripts (by hash) and no connection at
all. The plan's data travels in a JSON script element and is put on the page with
``textContent``, so no text from the inputs is ever read as HTML or run. The page shows no
victim as such: no stop is marked as a burgled home.

Taps are kept in the browser's local storage under the plan's date and the officer, so that they
survive a reload and a closed browser; "Export CSV" writes a file that ``cocoon visits import``
reads as it is, with a unique ``record_id`` per record, and "Export GeoJSON" the same records as
points (RFC 7946, WGS 84, 7 decimals). "Clear" removes the day's taps once they are exported.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from cocoon.catalogue import catalogue, languages, text, translator
from cocoon.geo.crs import to_lonlat
from cocoon.publish.html import render
from cocoon.publish.leaflet import leaflet_inline
from cocoon.publish.maps.basemap import basemap_pixels
from cocoon.publish.maps.routes import route_style
from cocoon.publish.printouts.visit_lists import burglary_days, reason_line
from cocoon.store.outcomes import OUTCOMES

if TYPE_CHECKING:
    from cocoon.publish.maps.basemap import Basemap
    from cocoon.publish.phone.walk_start import WalkStart
    from cocoon.risk.daily_plan import Plan

MAP_PAD_M = 150.0
"""The officer's map picture reaches this far beyond the start and the stops."""
TEXT_PREFIXES = ("officer_page.", "outcome.", "outcome_code.", "visit_list.score_legend")
"""The catalogue entries the page carries, in every language, for switching language on the phone."""
MAP_PICTURE_BYTES = 1_800_000
"""The map picture is kept under this size (colours reduced, then pixels), so the page stays well under 3 MB."""
MAX_CLOCKS = 12
"""At most this many burglaries get an hours-since-report counter (the most recent first)."""


@dataclass
class OfficerPage:
    officer: int
    name: str
    html: str

    @property
    def file_name(self) -> str:
        return f"officer-{self.officer}.html"


def _sha256(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def _json_for_script(value: Any) -> str:
    """JSON that an HTML parser cannot end early or read as markup: ``<``, ``>`` and ``&`` escaped."""
    return (
        json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def _own(name: str) -> str:
    return (resources.files("cocoon") / "templates" / name).read_text(encoding="utf-8")


def page_texts() -> dict[str, dict[str, str]]:
    """The page's texts in every language (raw templates: the page fills in the values)."""
    return {
        lang: {k: str(v) for k, v in catalogue(lang).items() if k.startswith(TEXT_PREFIXES)} for lang in languages()
    }


def officer_stops(plan: Plan, routed: pd.DataFrame) -> pd.DataFrame:
    """The routed stops with what the page shows from the plan: the reason's parts and the revisit day."""
    extra = [c for c in ("household_id", "reasons", "score_recent", "score_history", "revisit") if c in plan.visits]
    stops = routed.drop(columns=[c for c in extra if c != "household_id" and c in routed])
    return stops.merge(plan.visits[extra], on="household_id", how="left")


def _burglary_clocks(plan: Plan, stops: pd.DataFrame) -> list[dict[str, str]]:
    """The burglaries behind the officer's stops with the time of their report (the time found)."""
    wanted = {i for ids in stops["burglary_ids"].dropna().astype(str) for i in ids.split(";") if i}
    b = plan.burglaries
    if not wanted or not len(b) or "burglary_id" not in b:
        return []
    chosen = b[b["burglary_id"].astype(str).isin(wanted)]
    column = "last_time" if "last_time" in chosen else "last_day"
    reported = pd.to_datetime(chosen[column])
    order = np.argsort(-reported.to_numpy(dtype="datetime64[ns]").astype("int64"), kind="stable")
    return [
        {
            "id": str(chosen["burglary_id"].iloc[k]),
            "reported": pd.Timestamp(reported.iloc[k]).isoformat(timespec="minutes"),
        }
        for k in order[:MAX_CLOCKS]
    ]


def _basemap(basemap: Basemap | None, lon: np.ndarray, lat: np.ndarray, lang: str) -> dict[str, Any] | None:
    """The map picture of the officer's part of the area, as a data URL with its corners."""
    if basemap is None or not len(lon):
        return None
    pad_lat = MAP_PAD_M / 111_320.0
    pad_lon = pad_lat / max(np.cos(np.radians(float(np.mean(lat)))), 0.1)
    corners = np.array(
        [
            [float(lon.min()) - pad_lon, float(lat.min()) - pad_lat],
            [float(lon.max()) + pad_lon, float(lat.max()) + pad_lat],
        ]
    )
    png = compact_png(basemap_pixels(basemap, corners), MAP_PICTURE_BYTES)
    (west, south), (east, north) = corners
    return {
        "url": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        "bounds": [[round(south, 7), round(west, 7)], [round(north, 7), round(east, 7)]],
        "attribution": text("maps.osm_attribution", lang),
    }


def compact_png(picture: bytes | np.ndarray, budget: int) -> bytes:
    """The picture (PNG bytes, or RGB pixels) as a PNG with its colours reduced to a palette (a
    street map has few), made smaller step by step while it is over ``budget`` bytes. Saved at
    zlib's default level without PIL's ``optimize``, which takes ten times as long for about 6 %
    fewer bytes."""
    from PIL import Image

    image = (
        Image.fromarray(picture, mode="RGB")
        if isinstance(picture, np.ndarray)
        else Image.open(io.BytesIO(picture)).convert("RGB")
    )
    while True:
        out = io.BytesIO()
        image.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(out, format="PNG")
        if out.tell() <= budget or min(image.size) < 200:
            return out.getvalue()
        image = image.resize((round(image.width * 0.8), round(image.height * 0.8)), Image.Resampling.LANCZOS)


def officer_pages(
    plan: Plan, routed: pd.DataFrame, start: WalkStart, *, lang: str, area: str, basemap: Basemap | None = None
) -> list[OfficerPage]:
    """One page per officer with stops (officers as numbered on the visit list)."""
    stops = officer_stops(plan, routed)
    days = {language: burglary_days(plan.burglaries, language) for language in languages()}
    slon, slat = to_lonlat(np.array([start.x]), np.array([start.y]), plan.crs)
    home = {"label": str(start.label), "lon": round(float(slon[0]), 7), "lat": round(float(slat[0]), 7)}
    leaflet_js, leaflet_css = leaflet_inline()
    page_js = _own("officer-page.js")
    style = leaflet_css + "\n" + _own("officer-page.css")
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_sha256(leaflet_js)} {_sha256(page_js)}",
            f"style-src {_sha256(style)}",
            "img-src data: blob:",
            "connect-src 'none'",
            "font-src 'none'",
            "media-src 'none'",
            "object-src 'none'",
            "frame-src 'none'",
            "worker-src 'none'",
            "manifest-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    t = translator(lang)
    texts = page_texts()
    pages = []
    for officer, unsorted in stops.groupby("officer", sort=True):
        group = unsorted.sort_values("stop", kind="stable")
        name = next(
            (
                str(v).strip()
                for v in group.get("officer_name", pd.Series(dtype=object))
                if isinstance(v, str) and v.strip()
            ),
            "",
        )
        label = name or t("visit_list.officer", n=int(officer))
        rows = []
        for row in group.itertuples(index=False):
            revisit = getattr(row, "revisit", "")
            rows.append(
                {
                    "household_id": str(row.household_id),
                    "stop": int(row.stop),
                    "label": str(row.label),
                    "tier": str(row.tier),
                    "dwellings": int(row.dwellings),
                    "arrival": str(getattr(row, "arrival", "") or ""),
                    "reason": {language: reason_line(row, days[language], language) for language in days},
                    "revisit": "" if revisit is None or pd.isna(revisit) else str(revisit),
                    "lon": round(float(row.lon), 7),
                    "lat": round(float(row.lat), 7),
                }
            )
        lon = np.array([home["lon"], *[r["lon"] for r in rows]], dtype=float)
        lat = np.array([home["lat"], *[r["lat"] for r in rows]], dtype=float)
        data = {
            "lang": lang,
            "plan_date": plan.date.isoformat(),
            "area": area,
            "officer": int(officer),
            "officer_name": name,
            "officer_label": label,
            "storage_key": f"cocoon-field:{plan.date.isoformat()}:officer-{int(officer)}",
            "file_stem": f"officer-{int(officer)}-visits-{plan.date.isoformat()}",
            "record_prefix": f"{plan.date.isoformat()}-o{int(officer)}-",
            "start": home,
            "colour": route_style(int(officer))[0],
            "stops": rows,
            "burglaries": _burglary_clocks(plan, group),
            "outcomes": list(OUTCOMES),
            "texts": texts,
            "basemap": _basemap(basemap, lon, lat, lang),
        }
        html = render(
            "officer-page.html.j2",
            lang=lang,
            t=t,
            csp=Markup(csp),
            style=Markup(style),
            title=t("officer_page.title", date=plan.date.isoformat(), officer=label),
            n_stops=len(rows),
            start_label=home["label"],
            data_json=Markup(_json_for_script(data)),
            leaflet_js=Markup(leaflet_js),
            page_js=Markup(page_js),
        )
        pages.append(OfficerPage(officer=int(officer), name=name, html=html))
    return pages
