"""Charts as PNG bytes (matplotlib, no display needed): the Knox heat-map and the backtest curve."""

from __future__ import annotations

import io
import math

import numpy as np

from cocoon.catalogue import text


def _figure(width: float, height: float):
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def band_labels(breaks, unit: str) -> list[str]:
    labels = []
    for lo, hi in zip(breaks, breaks[1:]):
        labels.append(f"{lo:g}+" if math.isinf(hi) else f"{lo:g}–{hi:g}")
    return labels


def knox_heatmap(result, *, lang: str, title: str = "") -> bytes:
    """Knox ratios per spatial (rows) and temporal (columns) band; significant cells are starred."""
    from matplotlib.colors import LogNorm

    ratio = np.asarray(result.knox_ratio, dtype=float)
    sig = result.significant()
    n_s, n_t = ratio.shape
    fig = _figure(1.6 + 0.9 * n_t, 1.4 + 0.55 * n_s)
    ax = fig.add_subplot()
    finite = ratio[np.isfinite(ratio) & (ratio > 0)]
    spread = max(2.0, float(np.max(np.abs(np.log(finite)))) if len(finite) else 2.0)
    spread = min(spread, math.log(10))
    norm = LogNorm(vmin=math.exp(-spread), vmax=math.exp(spread))
    shown = np.where(np.isfinite(ratio) & (ratio > 0), ratio, np.nan)
    image = ax.imshow(shown, cmap="RdBu_r", norm=norm, aspect="auto")
    for r in range(n_s):
        for c in range(n_t):
            value = ratio[r, c]
            label = "–" if math.isnan(value) else ("∞" if math.isinf(value) else f"{value:.2f}")
            ax.text(c, r, label + ("*" if sig[r, c] else ""), ha="center", va="center", fontsize=8,
                    fontweight="bold" if sig[r, c] else "normal")
    ax.set_xticks(range(n_t), band_labels(result.tds, "d"), rotation=30, ha="right")
    ax.set_yticks(range(n_s), band_labels(result.sds, "m"))
    ax.set_xlabel(text("knox_table.days", lang))
    ax.set_ylabel(text("knox_table.metres", lang))
    ax.set_title(text("knox_table.plot_title", lang, source=title), fontsize=9)
    fig.colorbar(image, ax=ax, label=text("knox_table.ratio", lang))
    return _png(fig)
