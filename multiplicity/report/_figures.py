"""The report's figures, drawn on bare matplotlib Figures (no pyplot state) and saved as PNG."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd

_DPI = 96


def _new_figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def to_png(fig: Any) -> bytes:
    """PNG bytes of ``fig``, without a software tag so equal figures give equal bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI, metadata={"Software": None})
    return buf.getvalue()


def profile_figure(profile: Any) -> bytes:
    """The three panels of :meth:`MultiplicityProfile.plot`."""
    fig = _new_figure(12.5, 3.8)
    profile.plot(axes=fig.subplots(1, 3))
    return to_png(fig)


def accumulation_figure(profile: Any) -> bytes:
    """:meth:`MultiplicityProfile.plot_accumulation`: ambiguity against the number of
    models, its extrapolation and the Chao2 estimate with its interval."""
    fig = _new_figure(7.0, 3.8)
    profile.plot_accumulation(ax=fig.subplots())
    return to_png(fig)


def groups_figure(table: pd.DataFrame, feature: str, columns: list[str]) -> bytes:
    """Grouped bars: the share-type measures (``columns``) for each group of ``feature``,
    with error bars from the ``<measure>_low`` and ``<measure>_high`` columns where the
    table has them (intervals over people)."""
    groups = [g for g in table.index if g not in ("overall", "max-min gap")]
    fig = _new_figure(max(6.0, 1.2 * len(groups) + 3.0), 3.6)
    ax = fig.subplots()
    width = 0.8 / len(columns)
    x = np.arange(len(groups))
    colors = ["#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee"]
    for i, col in enumerate(columns):
        vals = table.loc[groups, col].to_numpy(dtype=float)
        err = None
        if f"{col}_low" in table.columns and f"{col}_high" in table.columns:
            low = table.loc[groups, f"{col}_low"].to_numpy(dtype=float)
            high = table.loc[groups, f"{col}_high"].to_numpy(dtype=float)
            err = np.vstack([np.maximum(vals - low, 0.0), np.maximum(high - vals, 0.0)])
        ax.bar(x + (i - (len(columns) - 1) / 2) * width, vals, width, label=col,
               color=colors[i % len(colors)], yerr=err, capsize=2,
               error_kw={"elinewidth": 0.8, "ecolor": "#333333"})
        overall = float(table.loc["overall", col])
        ax.axhline(overall, color=colors[i % len(colors)], linestyle=":", linewidth=1)
    ax.set_xticks(x, [str(g) for g in groups])
    ax.set_xlabel(feature)
    ax.set_ylabel("share of group")
    ax.set_title(f"Multiplicity by {feature} (dotted: overall"
                 + ("; whiskers: intervals over people)" if any(
                     f"{c}_low" in table.columns for c in columns) else ")"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return to_png(fig)


def importance_figure(table: pd.DataFrame, max_features: int = 20) -> bytes:
    """One horizontal bar per feature from its smallest to its largest importance."""
    top = table.sort_values("max", ascending=False).head(max_features)
    fig = _new_figure(7.5, 0.32 * len(top) + 1.4)
    ax = fig.subplots()
    y = np.arange(len(top))
    lo, hi = top["min"].to_numpy(dtype=float), top["max"].to_numpy(dtype=float)
    ax.barh(y, hi - lo, left=lo, height=0.55, color="#66ccee", label="range over the set")
    if "mean" in top.columns:
        ax.plot(top["mean"].to_numpy(dtype=float), y, "o", color="#004488", markersize=4,
                label="mean")
    ax.set_yticks(y, [str(i) for i in top.index])
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("permutation importance (drop in accuracy)")
    ax.legend(loc="lower right", frameon=False)
    return to_png(fig)


def exact_vpr_figure(sampled: np.ndarray, exact: np.ndarray) -> bytes:
    """Histogram of viable-prediction-range widths: sampled set against the exact level set."""
    fig = _new_figure(7.0, 3.4)
    ax = fig.subplots()
    bins = np.linspace(0.0, max(1e-9, float(max(sampled.max(), exact.max()))), 41)
    ax.hist(exact, bins=bins, color="#ee6677", alpha=0.7, label="exact (level set)")
    ax.hist(sampled, bins=bins, color="#4477aa", alpha=0.7, label="retrained sample")
    ax.set_xlabel("viable prediction range width (max - min probability)")
    ax.set_ylabel("samples")
    ax.legend(frameon=False)
    return to_png(fig)


def annotation_figure(coefficients: pd.DataFrame, disagreement: np.ndarray) -> bytes:
    """Coefficients with confidence intervals, and the distribution of item disagreement."""
    fig = _new_figure(11.0, 3.6)
    ax_c, ax_h = fig.subplots(1, 2)
    names = list(coefficients.index)
    y = np.arange(len(names))
    val = coefficients["value"].to_numpy(dtype=float)
    lo = coefficients["ci_low"].to_numpy(dtype=float)
    hi = coefficients["ci_high"].to_numpy(dtype=float)
    err = np.vstack([np.nan_to_num(val - lo), np.nan_to_num(hi - val)])
    ax_c.errorbar(val, y, xerr=err, fmt="o", color="#004488", capsize=3)
    ax_c.set_yticks(y, names)
    ax_c.invert_yaxis()
    ax_c.axvline(0, color="black", linewidth=0.8)
    ax_c.set_xlabel("agreement (with confidence interval)")
    ax_c.set_xlim(min(-0.05, float(np.nanmin(lo)) - 0.05), 1.05)
    ax_h.hist(disagreement, bins=20, range=(0.0, 1.0), color="#ccbb44")
    ax_h.set_xlabel("item disagreement (normalised entropy of the labels)")
    ax_h.set_ylabel("items")
    return to_png(fig)


def judge_figure(alt: Any, agreement: Any) -> bytes:
    """An automatic annotator against people: the alternative annotator test's advantage
    probabilities and the agreement rows with their intervals (either may be None)."""
    panels = [r for r in (alt, agreement) if r is not None]
    fig = _new_figure(6.0 * len(panels) + 1.0, 3.8)
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    for result, ax in zip(panels, axes, strict=True):
        result.plot(ax=ax)
    return to_png(fig)


def regression_figure(profile: Any) -> bytes:
    """The three panels of ``RegressionProfile.plot``: each prediction range against the
    baseline's prediction, the range widths, the shares of samples affected."""
    fig = _new_figure(12.5, 3.8)
    profile.plot(axes=fig.subplots(1, 3))
    return to_png(fig)
