"""Charts as PNG bytes (matplotlib, no display needed): the Knox heat-map and the backtest curve."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from cocoon.catalogue import localise, number, text
from cocoon.evidence.breaks import band_labels

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from cocoon.evidence.knox import KnoxResult
    from cocoon.evidence.scoring import Backtest


def figure(width: float, height: float) -> Figure:
    """A matplotlib figure that needs no display."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def rgb_pixels(fig: Figure) -> np.ndarray:
    """The figure drawn as RGB pixels (height x width x 3), the picture :func:`png_bytes` encodes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[:, :, :3].copy()


def knox_heatmap(result: KnoxResult, *, lang: str, title: str = "") -> bytes:
    """Knox ratios per spatial (rows) and temporal (columns) band; significant cells are starred."""
    from matplotlib.colors import LogNorm

    ratio = np.asarray(result.knox_ratio, dtype=float)
    sig = result.significant()
    n_s, n_t = ratio.shape
    fig = figure(1.6 + 0.9 * n_t, 1.4 + 0.55 * n_s)
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
            label = number(value, lang, 2)
            ax.text(
                c,
                r,
                label + ("*" if sig[r, c] else ""),
                ha="center",
                va="center",
                fontsize=8,
                fontweight="bold" if sig[r, c] else "normal",
            )
    ax.set_xticks(range(n_t), band_labels(result.tds), rotation=30, ha="right")
    ax.set_yticks(range(n_s), band_labels(result.sds))
    ax.set_xlabel(text("knox_table.days", lang))
    ax.set_ylabel(text("knox_table.metres", lang))
    ax.set_title(text("knox_table.plot_title", lang, source=Path(title).name), fontsize=9, parse_math=False)
    from matplotlib.ticker import FuncFormatter

    bar = fig.colorbar(image, ax=ax, label=text("knox_table.ratio", lang))
    ticks = FuncFormatter(lambda value, _: localise(f"{value:.2g}", lang))
    bar.ax.yaxis.set_major_formatter(ticks)
    bar.ax.yaxis.set_minor_formatter(ticks)
    return png_bytes(fig)


def hit_rate_curve(backtest: Backtest, *, lang: str, title: str = "") -> bytes:
    """Hit rate against area share: a curve per ranked-cell method, a point per zone policy."""
    fig = figure(7.5, 5.0)
    ax = fig.add_subplot()
    for name, points in backtest.curves.items():
        shares, rates = zip(*points, strict=True)
        ax.plot(np.array(shares) * 100, np.array(rates) * 100, marker=".", label=text(f"methods.{name}", lang))
    summary = backtest.summary
    ax.scatter(
        [summary["mean_area_share_high"] * 100],
        [summary["hit_rate_high"] * 100],
        marker="s",
        s=60,
        color="black",
        zorder=5,
        label=text("methods.zones_high", lang, days=backtest.policy.high_days),
    )
    ax.scatter(
        [summary["mean_area_share_zone"] * 100],
        [summary["hit_rate_zone"] * 100],
        marker="D",
        s=50,
        color="grey",
        zorder=5,
        label=text("methods.zones_all", lang, days=backtest.policy.active_days),
    )
    if backtest.sweep:
        ax.scatter(
            [row["mean_area_share"] * 100 for row in backtest.sweep],
            [row["hit_rate"] * 100 for row in backtest.sweep],
            marker="x",
            color="black",
            zorder=4,
            label=text("methods.sweep", lang),
        )
        for row in backtest.sweep:
            ax.annotate(
                f"{number(row['radius_m'], lang)} m/{row['days']} d",
                (row["mean_area_share"] * 100, row["hit_rate"] * 100),
                fontsize=6,
                xytext=(3, -8),
                textcoords="offset points",
            )
    ax.set_xlabel(text("backtest.axis_share", lang))
    ax.set_ylabel(text("backtest.axis_hit_rate", lang))
    ax.set_xlim(0, None)
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(text("backtest.plot_title", lang, source=Path(title).name), fontsize=9, parse_math=False)
    return png_bytes(fig)
