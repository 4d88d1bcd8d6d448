"""An automatic annotator's label distributions against the humans' soft labels.

One job: align a candidate's per-item label distributions (verbalised probabilities, or the
shares of several runs giving each label) with the human annotations, score them with the
Learning With Disagreements (LeWiDi) scores of :mod:`multiplicity.annotation`, next to the
baselines a reader needs (the humans' majority vote as a one-hot distribution, the uniform
distribution, and the humans' own soft labels), and tabulate and plot their calibration.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .._checks import check_int, py_scalar
from .._lazy import is_instance
from ._aggregation import MajorityVote
from ._candidates import check_candidates
from ._container import Annotations, _short, check_annotations
from ._items import soft_labels
from ._scores import (
    SUM_TOL,
    manhattan_distance,
    soft_cross_entropy,
    variance_correlation,
    wasserstein_distance,
)

__all__ = ["calibration_table", "candidate_distribution_scores", "plot_calibration"]

#: Score name -> (function, which direction is better).
SCORES: dict[str, tuple[Any, str]] = {
    "soft_cross_entropy": (soft_cross_entropy, "lower"),
    "manhattan_distance": (manhattan_distance, "lower"),
    "wasserstein_distance": (wasserstein_distance, "lower"),
    "variance_correlation": (variance_correlation, "higher"),
}

#: Columns of the table :func:`candidate_distribution_scores` returns.
COLUMNS = ["candidate", "majority_vote", "uniform", "perfect", "better", "note"]

# Error messages and notes (tests import them).
DIST_TYPE = ("candidate_distribution must be an (n_items, n_categories) float array, a "
             "DataFrame indexed by item with one column per category, or a runs x items "
             "label matrix (array or DataFrame with one row per run); got {got}")
DIST_SHAPE = ("candidate_distribution has shape {shape}: a float array is read as "
              "distributions of shape (n_items, n_categories) = ({n}, {k}) in the order of "
              "annotations.items and annotations.categories, any other array as run labels "
              "of shape (n_runs, n_items) = (r, {n})")
DIST_COLUMNS = ("candidate_distribution's columns are neither the categories {cats} nor "
                "item names; columns {cols}")
DIST_MISSING_CATEGORIES = ("candidate_distribution has no column for the categories "
                           "{missing}; add them (with probability 0 where the candidate "
                           "gave none)")
DIST_EXTRA_CATEGORIES = ("candidate_distribution has columns {extra} that are not among "
                         "the annotators' categories {cats}; recode them to the "
                         "annotators' labels")
DIST_MISSING_ITEMS = ("candidate_distribution has no row for the annotated items "
                      "{missing}; give a distribution for every annotated item")
DIST_DUPLICATE_ITEMS = "candidate_distribution has item {item!r} more than once"
DIST_NOT_NUMERIC = "candidate_distribution must hold numbers, got dtype {dtype}"
DIST_BAD_VALUE = ("candidate_distribution must hold probabilities in [0, 1]; item {item!r} "
                  "has {value!r} for category {category!r}")
DIST_NOT_SUM_ONE = ("candidate_distribution's row for item {item!r} sums to {total!r}, not "
                    "1 (within {tol:g}); normalise verbalised probabilities first, e.g. "
                    "df.div(df.sum(axis=1), axis=0)")
RUNS_NO_LABEL = ("no run labels the annotated item {item!r}; the shares of the runs need at "
                 "least one run label per item")
ONE_CATEGORY = ("the annotations have {k} category; label distributions need at least 2 "
                "categories")
NO_RATED_ITEMS = "the annotations hold no labels; there is nothing to score against"
UNKNOWN_SCORE = "scores must be names among {names}, got {got!r}"
NOTE_UNORDERED = ("left out: the categories have no order (give one with an ordered "
                  "Categorical or categories=)")
NOTE_NOT_BINARY = "left out: defined for binary tasks only, these have {k} categories"
NOTE_UNDEFINED = ("the candidate's value is NaN: the variances p(1 - p) are constant over "
                  "the items")
NOTE_ENTROPY = "a perfect prediction scores the mean entropy of the human labels, not 0"


# ------------------------------------------------------------------- input
def _positions(ann: Annotations) -> NDArray[np.bool_]:
    """Items with at least one human label (the others have no soft label)."""
    return ann.ratings_per_item() > 0


def _check_distribution(P: NDArray[np.float64], items: Any, cats: Any) -> None:
    finite_ok = np.isfinite(P)
    bad = ~finite_ok | (P < 0) | (P > 1)
    if bad.any():
        i, c = np.argwhere(bad)[0]
        raise ValueError(DIST_BAD_VALUE.format(item=py_scalar(items[i]),
                                               value=float(P[i, c]),
                                               category=py_scalar(cats[c])))
    totals = P.sum(axis=1)
    off = np.abs(totals - 1.0) > SUM_TOL
    if off.any():
        i = int(np.argmax(off))
        raise ValueError(DIST_NOT_SUM_ONE.format(item=py_scalar(items[i]),
                                                 total=float(totals[i]), tol=SUM_TOL))


def _numeric(values: Any) -> NDArray[np.float64]:
    arr = np.asarray(values)
    if arr.dtype.kind not in "biuf":
        raise TypeError(DIST_NOT_NUMERIC.format(dtype=arr.dtype))
    return arr.astype(np.float64)


def _from_frame(ann: Annotations, frame: Any, rated: NDArray[np.bool_]) -> NDArray[np.float64]:
    """A DataFrame indexed by item with one column per category, aligned on both."""
    cats = ann.categories
    if frame.index.has_duplicates:
        raise ValueError(DIST_DUPLICATE_ITEMS.format(
            item=py_scalar(frame.index[frame.index.duplicated()][0])))
    missing = cats.difference(frame.columns, sort=False)
    extra = frame.columns.difference(cats, sort=False)
    if len(extra):
        raise ValueError(DIST_EXTRA_CATEGORIES.format(extra=_short(extra), cats=_short(cats)))
    if len(missing):
        raise ValueError(DIST_MISSING_CATEGORIES.format(missing=_short(missing)))
    lost = ann.items[rated].difference(frame.index, sort=False)
    if len(lost):
        raise ValueError(DIST_MISSING_ITEMS.format(missing=_short(lost)))
    aligned = frame.reindex(index=ann.items[rated], columns=cats)
    return _numeric(aligned.to_numpy())


def _from_runs(ann: Annotations, runs: Any) -> tuple[Annotations, NDArray[np.float64]]:
    """Run labels (a DataFrame with one column per run, indexed by item) as shares."""
    cand = check_candidates(ann, runs, what="candidate_distribution_scores",
                            need_annotators=False)
    ann = cand.annotations
    rated = _positions(ann)
    codes = cand.codes[:, rated]
    k = ann.n_categories
    counts = np.stack([(codes == c).sum(axis=0) for c in range(k)], axis=1)
    n_labels = counts.sum(axis=1)
    if (n_labels == 0).any():
        raise ValueError(RUNS_NO_LABEL.format(
            item=py_scalar(ann.items[rated][int(np.argmin(n_labels))])))
    return ann, counts / n_labels[:, None]


def _aligned(annotations: Any, candidate_distribution: Any
             ) -> tuple[Annotations, NDArray[np.float64], NDArray[np.float64], str]:
    """Human soft labels and candidate distributions on the rated items:
    ``(annotations, human (n, k), candidate (n, k), source)``."""
    ann = check_annotations(annotations, "annotations")
    if ann.n_annotations == 0:
        raise ValueError(NO_RATED_ITEMS)
    cats = ann.categories
    if is_instance(candidate_distribution, "pandas", "DataFrame"):
        frame = candidate_distribution
        cols = frame.columns
        is_cat, is_item = cats.get_indexer(cols) >= 0, cols.isin(ann.items)
        # columns that are all categories are categories, unless they are all items too
        # and the rows are not items (runs whose item names look like labels)
        if len(cols) and is_cat.all() and not (is_item.all()
                                               and not frame.index.isin(ann.items).any()):
            source, P = "distribution", _from_frame(ann, frame, _positions(ann))
        elif is_item.any():
            source = "runs"
            ann, P = _from_runs(ann, frame.T)
        elif is_cat.any():  # some categories and some other names: say which
            source, P = "distribution", _from_frame(ann, frame, _positions(ann))
        else:
            raise ValueError(DIST_COLUMNS.format(cats=_short(cats), cols=_short(cols)))
    elif isinstance(candidate_distribution, str | bytes | dict) or \
            not hasattr(candidate_distribution, "__len__") or \
            is_instance(candidate_distribution, "pandas", "Series"):
        raise TypeError(DIST_TYPE.format(got=type(candidate_distribution).__name__))
    else:
        arr = np.asarray(candidate_distribution)
        n, k = ann.n_items, ann.n_categories
        if arr.ndim == 2 and arr.dtype.kind == "f" and arr.shape == (n, k):
            source, P = "distribution", arr.astype(np.float64)[_positions(ann)]
        elif arr.ndim == 2 and arr.shape[1] == n:
            source = "runs"
            table = pd.DataFrame(np.asarray(candidate_distribution, dtype=object).T,
                                 index=ann.items)
            ann, P = _from_runs(ann, table)
        else:
            raise ValueError(DIST_SHAPE.format(shape=arr.shape, n=n, k=k))
    if ann.n_categories < 2:
        raise ValueError(ONE_CATEGORY.format(k=ann.n_categories))
    rated = _positions(ann)
    _check_distribution(P, ann.items[rated], ann.categories)
    human = soft_labels(ann).to_numpy()[rated]
    return ann, human, P, source


# ------------------------------------------------------------------ scores
def _score_names(scores: Any) -> list[str]:
    if scores is None:
        return list(SCORES)
    names = [scores] if isinstance(scores, str) else list(scores) \
        if isinstance(scores, Iterable) else None
    if not names or any(not isinstance(s, str) or s not in SCORES for s in names):
        raise ValueError(UNKNOWN_SCORE.format(names=list(SCORES), got=scores))
    return list(dict.fromkeys(names))


def _majority_one_hot(ann: Annotations) -> NDArray[np.float64]:
    """The humans' MajorityVote label of every rated item as a one-hot distribution."""
    rated = _positions(ann)
    labels = MajorityVote().fit(ann).labels_.to_numpy(dtype=object)[rated]
    codes = ann.categories.get_indexer(pd.Index(list(labels)).infer_objects())
    return np.eye(ann.n_categories)[codes]


def candidate_distribution_scores(annotations: Any, candidate_distribution: Any, *,
                                  scores: Any = None) -> pd.DataFrame:
    """Score a candidate's label distributions against the humans' soft labels.

    The candidate (an LLM asked for probabilities, or the shares of several runs giving
    each label) predicts, for every item, a distribution over the categories; the humans'
    soft labels (:func:`soft_labels`, the share of annotators choosing each category) are
    the target. Each score is called ``score(y_true=human shares, y_pred=candidate)`` as
    in :mod:`multiplicity.annotation`, and again for three baselines that give the
    number its meaning.

    Parameters
    ----------
    annotations : Annotations or table accepted by :meth:`Annotations.from_wide`
        The human annotations. Items without any human label are left out.
    candidate_distribution : array-like or DataFrame
        One of:

        - an ``(n_items, n_categories)`` float array, rows in the order of
          ``annotations.items`` and columns in the order of ``annotations.categories``;
        - a DataFrame indexed by item with one column per category label (aligned on
          both names; every annotated item and every category must be present, extra
          items are ignored);
        - run labels: an ``(n_runs, n_items)`` array of labels (not floats) in the order
          of ``annotations.items``, or a DataFrame with one row per run and one column
          per item (as for :func:`labeler_multiplicity`); each item's distribution is
          the share of the runs labelling it that gave each label (missing labels are
          left out; run labels the humans never used become categories, with a
          ``UserWarning``).

        Rows must be probabilities summing to 1 within ``1e-6``; verbalised
        probabilities that do not are refused rather than silently normalised.
    scores : str or list of str, optional
        Names among ``"soft_cross_entropy"``, ``"manhattan_distance"``,
        ``"wasserstein_distance"`` and ``"variance_correlation"``; default all four.

    Returns
    -------
    DataFrame
        One row per score (index ``score``), columns:

        - ``candidate``: the candidate's value;
        - ``majority_vote``: the value of the humans' :class:`MajorityVote` label as a
          one-hot distribution (ties go to the first category);
        - ``uniform``: the value of the uniform distribution ``1 / k``;
        - ``perfect``: the value of the humans' soft labels themselves, the best any
          prediction gets (for the cross-entropy the mean entropy of the human labels,
          not 0);
        - ``better``: ``"lower"`` or ``"higher"``;
        - ``note``: why a value is missing. ``wasserstein_distance`` needs ordered
          categories (an ordered Categorical, ``categories=``, or numbers) and
          ``variance_correlation`` two categories; otherwise their row holds NaN with a
          note. ``variance_correlation`` is NaN where the variances ``p (1 - p)`` are
          constant, always so for the one-hot majority vote and the uniform
          distribution.

        ``attrs`` holds ``n_items`` (the items scored) and ``source``
        (``"distribution"`` or ``"runs"``).

    Raises
    ------
    ValueError
        Items or categories that do not match (the names are listed), values outside
        ``[0, 1]``, rows not summing to 1, an unknown score, fewer than 2 categories.
    TypeError
        ``candidate_distribution`` of another type, or not numbers.

    See Also
    --------
    calibration_table, plot_calibration, soft_cross_entropy, manhattan_distance,
    wasserstein_distance, variance_correlation, labeler_multiplicity

    Notes
    -----
    For ``N`` items with human shares ``t_ic`` and candidate probabilities ``p_ic``:
    soft cross-entropy ``-(1/N) sum_i sum_c t_ic log(clip(p_ic, 1e-12, 1 - 1e-12) +
    1e-9)``; Manhattan ``(1/N) sum_i sum_c |p_ic - t_ic|``; Wasserstein
    ``(1/N) sum_i sum_c |F_t(c) - F_p(c)|`` over the ordered bins; variance correlation
    the Pearson correlation of ``t_i1 (1 - t_i1)`` and ``p_i1 (1 - p_i1)``
    (Leonardelli et al. 2023; Ni et al. 2025). Memory: three ``(n_items,
    n_categories)`` float arrays.

    Examples
    --------
    >>> from multiplicity.annotation import Annotations
    >>> ann = Annotations.from_wide([["a", "a", "b"], ["b", "b", "b"], ["a", "b", None]])
    >>> cand = [[0.6, 0.4], [0.1, 0.9], [0.5, 0.5]]
    >>> table = candidate_distribution_scores(ann, cand, scores=["manhattan_distance"])
    >>> table[["candidate", "majority_vote", "uniform", "perfect"]].round(4)
                        candidate  majority_vote  uniform  perfect
    score
    manhattan_distance     0.1111         0.5556   0.4444      0.0
    """
    names = _score_names(scores)
    ann, human, P, source = _aligned(annotations, candidate_distribution)
    k = ann.n_categories
    baselines = {"candidate": P, "majority_vote": _majority_one_hot(ann),
                 "uniform": np.full_like(human, 1.0 / k), "perfect": human}
    rows = []
    for name in names:
        function, better = SCORES[name]
        row = dict.fromkeys(baselines, np.nan) | {"better": better, "note": ""}
        if name == "wasserstein_distance" and not ann.ordered:
            row["note"] = NOTE_UNORDERED
        elif name == "variance_correlation" and k != 2:
            row["note"] = NOTE_NOT_BINARY.format(k=k)
        else:
            extra = {"on_undefined": "nan"} if name == "variance_correlation" else {}
            for column, pred in baselines.items():
                row[column] = function(y_true=human, y_pred=pred, **extra)
            if name == "variance_correlation" and np.isnan(row["candidate"]):
                row["note"] = NOTE_UNDEFINED
            elif name == "soft_cross_entropy":
                row["note"] = NOTE_ENTROPY
        rows.append({"score": name, **row})
    table = pd.DataFrame(rows, columns=["score", *COLUMNS]).set_index("score")
    table.attrs.update(n_items=int(human.shape[0]), source=source)
    return table


# ------------------------------------------------------------- calibration
def calibration_table(annotations: Any, candidate_distribution: Any,
                      n_bins: int = 10) -> pd.DataFrame:
    """The reliability table of a candidate's probabilities against the human shares.

    Every (item, category) pair is one point: the candidate's probability ``p_ic`` and the
    share ``t_ic`` of the item's annotators who chose the category, pooled over the
    categories. The points are put in ``n_bins`` equal-width bins of ``p`` on
    ``[0, 1]`` (``[lo, hi)``, the last bin closed), and each bin reports the mean
    probability and the mean human share. A calibrated candidate has the two equal.

    Parameters
    ----------
    annotations, candidate_distribution
        As for :func:`candidate_distribution_scores`.
    n_bins : int, default=10
        Number of bins (>= 1).

    Returns
    -------
    DataFrame
        One row per bin: ``lower``, ``upper``, ``n`` (pairs in the bin),
        ``mean_predicted`` and ``mean_human`` (NaN for an empty bin).

    Raises
    ------
    ValueError
        As :func:`candidate_distribution_scores`, or ``n_bins`` not an integer >= 1.

    Examples
    --------
    >>> from multiplicity.annotation import Annotations
    >>> ann = Annotations.from_wide([["a", "a", "b"], ["b", "b", "b"]])
    >>> calibration_table(ann, [[0.8, 0.2], [0.1, 0.9]], n_bins=2)
       lower  upper  n  mean_predicted  mean_human
    0    0.0    0.5  2            0.15    0.166667
    1    0.5    1.0  2            0.85    0.833333
    """
    n_bins = check_int(n_bins, "n_bins", 1)
    _, human, P, _ = _aligned(annotations, candidate_distribution)
    p, t = P.ravel(), human.ravel()
    # k / n_bins is the float nearest each edge, so a stated 0.3 or 0.7 falls in the bin
    # that starts there (np.linspace gives 0.30000000000000004 and 0.7000000000000001)
    edges = np.arange(int(n_bins) + 1) / int(n_bins)
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, int(n_bins) - 1)
    n = np.bincount(which, minlength=int(n_bins))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_p = np.bincount(which, weights=p, minlength=int(n_bins)) / n
        mean_t = np.bincount(which, weights=t, minlength=int(n_bins)) / n
    return pd.DataFrame({"lower": edges[:-1], "upper": edges[1:], "n": n,
                         "mean_predicted": mean_p, "mean_human": mean_t})


def plot_calibration(annotations: Any, candidate_distribution: Any, ax: Any = None,
                     n_bins: int = 10) -> Any:
    """Reliability diagram: the mean human share against the candidate's mean probability
    per bin (:func:`calibration_table`), pooled over categories, with the diagonal of a
    calibrated candidate. Marker areas grow with the number of (item, category) pairs.

    Parameters
    ----------
    annotations, candidate_distribution
        As for :func:`candidate_distribution_scores`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    n_bins : int, default=10
        Number of equal-width bins of the probability.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from multiplicity.annotation import Annotations
    >>> ann = Annotations.from_wide([["a", "a", "b"], ["b", "b", "b"]])
    >>> ax = plot_calibration(ann, [[0.8, 0.2], [0.1, 0.9]], n_bins=2)
    >>> ax.get_xlabel()
    'candidate probability (bin mean)'
    """
    table = calibration_table(annotations, candidate_distribution, n_bins=n_bins)
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    used = table[table["n"] > 0]
    ax.plot([0.0, 1.0], [0.0, 1.0], linestyle="--", color="grey", label="calibrated")
    sizes = 20.0 + 180.0 * used["n"] / max(int(used["n"].max()), 1)
    ax.plot(used["mean_predicted"], used["mean_human"], color="C0")
    ax.scatter(used["mean_predicted"], used["mean_human"], s=sizes, color="C0",
               label="candidate", zorder=3)
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("candidate probability (bin mean)")
    ax.set_ylabel("share of annotators (bin mean)")
    ax.set_title("Calibration against the human label shares")
    ax.legend(loc="upper left")
    return ax
