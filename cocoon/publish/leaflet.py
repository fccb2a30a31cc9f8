"""Leaflet's JavaScript and CSS from the installed ``django-js-lib-leaflet`` package, ready to
inline into a page that must open without a network (the offline maps, the officer's page)."""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib import resources


@cache
def leaflet_inline() -> tuple[str, str]:
    """Leaflet's JS (safe inside a ``<script>`` element) and CSS with its images as data URLs;
    read once per run."""
    folder = resources.files("js_lib_leaflet") / "static" / "js_lib_leaflet"
    script = (folder / "leaflet.js").read_text(encoding="utf-8")
    css = (folder / "leaflet.css").read_text(encoding="utf-8")

    def image(match: re.Match[str]) -> str:
        name = match.group(1)
        data = base64.b64encode((folder / "images" / name).read_bytes()).decode("ascii")
        return f"url(data:image/{name.rsplit('.', 1)[-1]};base64,{data})"

    return script.replace("</script", "<\\/script"), re.sub(r"url\(images/([\w.-]+)\)", image, css)
