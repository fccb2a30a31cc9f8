"""The sign sites on a map page: a yellow triangle each, with its dates (or weeks, on the public map)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cocoon.catalogue import text
from cocoon.publish.maps.page import bind, escape
from cocoon.publish.weeks import week_label


def add_signs(
    m: Any, signs: pd.DataFrame | None, *, lang: str, weeks: bool, points: tuple[np.ndarray, np.ndarray] | None = None
) -> None:
    import folium

    if signs is None or len(signs) == 0:
        return
    group = folium.FeatureGroup(name=text("maps.signs", lang))
    lon, lat = (signs["lon"].to_numpy(), signs["lat"].to_numpy()) if points is None else points
    for k, row in enumerate(signs.itertuples(index=False)):
        icon = folium.DivIcon(html='<div class="cocoon-sign">&#9650;</div>', icon_size=(20, 20), icon_anchor=(10, 12))
        marker = folium.Marker([float(lat[k]), float(lon[k])], icon=icon)
        if weeks:
            label = text("maps.sign_weeks", lang, up=week_label(row.up), down=week_label(row.down))
        else:
            label = text("maps.sign_dates", lang, sign=row.sign_id, up=row.up, down=row.down)
        bind(marker, popup=escape(label))
        marker.add_to(group)
    group.add_to(m)


# --- the public map --------------------------------------------------------------------------------
