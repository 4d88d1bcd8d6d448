"""Swarm and halo plots of a feature-interaction cloud (matplotlib, imported when called)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ._interaction import resolve_pair

__all__ = ["plot_halo", "plot_swarm", "swarm_offsets"]

_CLOUD_COLUMNS = ("model", "baseline", "feature_i", "feature_j", "pair", "phi_i", "phi_j",
                  "phi_ij", "fis")


def _check_cloud(cloud: object) -> pd.DataFrame:
    if not isinstance(cloud, pd.DataFrame):
        raise TypeError(f"cloud must be the DataFrame of feature_interaction_cloud, got "
                        f"{type(cloud).__name__}")
    missing = [c for c in _CLOUD_COLUMNS if c not in cloud.columns]
    if missing:
        raise ValueError(f"cloud lacks the columns {missing}; pass the DataFrame returned "
                         "by feature_interaction_cloud")
    if cloud.empty:
        raise ValueError("cloud has no rows")
    return cloud


def swarm_offsets(values: NDArray[np.float64], width: float = 0.4,
                  n_bins: int = 40) -> NDArray[np.float64]:
    """Vertical offsets that spread equal-ish values apart (a simple beeswarm).

    Values are binned on their range; the k-th value of a bin goes to offset
    ``0, +s, -s, +2s, -2s, ...`` with ``s = width / (largest bin count)``, so dense
    regions look wide and offsets stay within ``[-width, width]``. Deterministic.
    """
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return np.zeros(0)
    span = v.max() - v.min()
    bins = (np.zeros(v.size, dtype=np.int64) if span == 0
            else np.minimum(((v - v.min()) / span * n_bins).astype(np.int64), n_bins - 1))
    rank = np.empty(v.size, dtype=np.int64)
    order = np.argsort(bins, kind="stable")
    counts = np.bincount(bins)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank[order] = np.arange(v.size) - starts[bins[order]]
    step = width / max(1, counts.max() // 2)
    signs = np.where(rank % 2 == 1, 1.0, -1.0)
    return signs * ((rank + 1) // 2) * step


def plot_swarm(cloud: pd.DataFrame, ax: Any = None, *, max_pairs: int | None = None,
               sort: bool = True) -> Any:
    """Swarm plot of the FIS cloud: one row per feature pair, one dot per member.

    Parameters
    ----------
    cloud : DataFrame
        Output of :func:`feature_interaction_cloud`.
    ax : matplotlib Axes, default=None
        Axes to draw on (a new figure when None).
    max_pairs : int, default=None
        Show only this many pairs (those with the widest FIS range when ``sort``).
    sort : bool, default=True
        Order pairs by the range (max - min) of FIS over the set, widest at the top;
        otherwise in table order.

    Returns
    -------
    matplotlib.axes.Axes
        Each pair is one scatter collection labelled with the pair name (its x values
        are the members' FIS in table order); the baseline model h0 is drawn once more
        as black diamonds (label ``"baseline h0"``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from multiplicity.explain import feature_interaction_cloud
    >>> from multiplicity.rashomon import RashomonSet
    >>> X, y = make_classification(n_samples=100, n_features=3, n_informative=2,
    ...                            n_redundant=0, random_state=0)
    >>> rs = RashomonSet([LogisticRegression(C=c).fit(X, y) for c in (0.1, 1.0)],
    ...                  [0.0, 0.0], epsilon=0.0)
    >>> cloud = feature_interaction_cloud(rs, X, y, n_repeats=2, random_state=0)
    >>> ax = plot_swarm(cloud)
    >>> [t.get_text() for t in ax.get_yticklabels()] == sorted(
    ...     set(cloud.pair), key=lambda p: float(cloud[cloud.pair == p].fis.max()
    ...                                          - cloud[cloud.pair == p].fis.min()))
    True
    >>> ax = plot_halo(cloud, ("x0", "x1"))
    >>> ax.collections[0].get_offsets().shape
    (2, 2)
    """
    import matplotlib.pyplot as plt

    cloud = _check_cloud(cloud)
    pairs = list(dict.fromkeys(cloud["pair"]))
    if sort:
        spread = cloud.groupby("pair", sort=False)["fis"].agg(lambda s: s.max() - s.min())
        pairs = sorted(pairs, key=lambda p: -spread[p])
    if max_pairs is not None:
        pairs = pairs[:max_pairs]
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 0.3 * len(pairs) + 1.5))
    cmap = plt.get_cmap("viridis")
    base_x, base_y = [], []
    for row, pair in enumerate(pairs):
        sub = cloud[cloud["pair"] == pair]
        fis = sub["fis"].to_numpy(dtype=np.float64)
        y = len(pairs) - 1 - row + swarm_offsets(fis)
        ax.scatter(fis, y, s=9, alpha=0.7, color=cmap(row / max(1, len(pairs) - 1)),
                   label=pair, linewidths=0)
        is_base = sub["baseline"].to_numpy(dtype=bool)
        base_x.extend(fis[is_base])
        base_y.extend(np.full(int(is_base.sum()), len(pairs) - 1 - row))
    ax.scatter(base_x, base_y, marker="D", s=22, color="black", label="baseline h0",
               zorder=3)
    ax.axvline(0.0, color="grey", lw=0.8, ls="--")
    ax.set_yticks(np.arange(len(pairs)))
    ax.set_yticklabels(pairs[::-1])
    ax.set_ylim(-0.7, len(pairs) - 0.3)
    ax.set_xlabel("feature interaction score FIS = phi_ij - phi_i - phi_j")
    ax.set_title(f"FIS cloud over {cloud['model'].nunique()} models")
    handles = [h for h in ax.collections if h.get_label() == "baseline h0"]
    ax.legend(handles=handles, loc="lower right", fontsize="small")
    return ax


def _select_pair(cloud: pd.DataFrame, pair: Any) -> pd.DataFrame:
    """The rows of one pair, given as :func:`feature_interaction_cloud` takes it in
    ``pairs``: ``(feature, feature)`` by names or positions, or ``"a x b"``."""
    pairs = list(dict.fromkeys(cloud["pair"]))
    if isinstance(pair, str) and pair in pairs:
        return cloud[cloud["pair"] == pair]
    if not isinstance(pair, str | tuple | list | np.ndarray) or (
            not isinstance(pair, str) and len(pair) != 2):
        raise TypeError(f"pair must be a pair name such as 'a x b' or a (feature, feature) "
                        f"tuple of names or positions, got {pair!r}")
    names = cloud.attrs.get("feature_names")
    if names is None:
        if not isinstance(pair, str) and any(
                isinstance(f, numbers.Integral) and not isinstance(f, bool) for f in pair):
            raise ValueError(f"pair {pair!r} gives feature positions, but this cloud does not "
                             "record the order of the features (cloud.attrs['feature_names'], "
                             "set by feature_interaction_cloud, is missing); give the "
                             "features by name, for example "
                             f"{tuple(cloud[['feature_i', 'feature_j']].iloc[0])!r}")
        names = list(dict.fromkeys(pd.concat([cloud["feature_i"], cloud["feature_j"]])
                                   .astype(str)))
    names = [str(n) for n in names]
    try:
        i, j = resolve_pair(pair, names)
    except ValueError as e:
        raise ValueError(f"pair {pair!r} is not in the cloud ({e}); its pairs are "
                         f"{pairs}") from None
    fi, fj = cloud["feature_i"].astype(str), cloud["feature_j"].astype(str)
    a, b = names[i], names[j]
    sub = cloud[((fi == a) & (fj == b)) | ((fi == b) & (fj == a))]
    if sub.empty:
        raise ValueError(f"pair {pair!r} ({a} x {b}) is not in the cloud; its pairs are "
                         f"{pairs}")
    return sub


def plot_halo(cloud: pd.DataFrame, pair: Any, ax: Any = None) -> Any:
    """Halo plot of one feature pair: joint loss increase against the no-interaction value.

    Every member is a dot at ``x = phi_i + phi_j`` (the increase in loss expected when
    both features are permuted if they did not interact) and ``y = phi_ij`` (the increase
    measured when they are permuted together), coloured by ``FIS = y - x``. The diagonal
    is FIS = 0; members above it rely on the pair more than on its parts (positive
    interaction), members below less. The spread of the halo of dots around the diagonal
    is the variability of the interaction over the Rashomon set; the baseline h0 is a
    black diamond.

    Parameters
    ----------
    cloud : DataFrame
        Output of :func:`feature_interaction_cloud`.
    pair : str or (feature, feature)
        The pair as ``pairs`` of :func:`feature_interaction_cloud` takes it: its name
        (``"a x b"``) or its two features by name or position in X (either order).
    ax : matplotlib Axes, default=None

    Returns
    -------
    matplotlib.axes.Axes
        Its first collection holds the members' points, in table order.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    sub = _select_pair(_check_cloud(cloud), pair)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 4.4))
    x = (sub["phi_i"] + sub["phi_j"]).to_numpy(dtype=np.float64)
    y = sub["phi_ij"].to_numpy(dtype=np.float64)
    fis = sub["fis"].to_numpy(dtype=np.float64)
    bound = max(float(np.abs(fis).max()), 1e-12)
    points = ax.scatter(x, y, c=fis, cmap="coolwarm", s=16,
                        norm=TwoSlopeNorm(vcenter=0.0, vmin=-bound, vmax=bound),
                        edgecolors="none", label="members")
    is_base = sub["baseline"].to_numpy(dtype=bool)
    ax.scatter(x[is_base], y[is_base], marker="D", s=30, color="black", label="baseline h0",
               zorder=3)
    lo = float(min(x.min(), y.min()))
    hi = float(max(x.max(), y.max()))
    pad = 0.05 * (hi - lo) if hi > lo else 1e-3
    ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="grey", lw=0.8, ls="--",
            label="no interaction (FIS = 0)")
    ax.figure.colorbar(points, ax=ax, label="FIS")
    fi, fj = sub["feature_i"].iloc[0], sub["feature_j"].iloc[0]
    ax.set_xlabel("phi_i + phi_j  (expected without interaction)")
    ax.set_ylabel("phi_ij  (i and j permuted together)")
    ax.set_title(f"i = {fi}, j = {fj}\n{sub['model'].nunique()} models", fontsize="medium")
    ax.legend(loc="upper left", fontsize="small")
    return ax
