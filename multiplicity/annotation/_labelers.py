"""Labeler multiplicity: how much an automatic annotator's labels depend on an arbitrary
choice of prompt, seed, temperature or model version.

One job: read the label vectors of several runs of one annotator over the same items, and
report the predictive-multiplicity measures of :mod:`multiplicity.metrics` and the
selective vote of :mod:`multiplicity.ensemble` over them, treating the runs as a Rashomon
set of labelers; with human annotations, also how much the humans' aggregate label and
the runs' agreement with the humans depend on the run.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .._checks import py_scalar
from .._lazy import is_instance, lazy_module
from ._aggregation import MajorityVote
from ._candidates import check_candidates

# annotation sits below metrics and ensemble: they load on the first call.
metrics = lazy_module("multiplicity.metrics")
ensemble = lazy_module("multiplicity.ensemble")

__all__ = ["LabelerMultiplicity", "labeler_multiplicity"]

# Error and warning messages (tests import them).
RUNS_TYPE = ("labels_by_run must be an (n_runs, n_items) array or nested list, a pandas "
             "DataFrame with one row per run (columns = items), or a dict run -> labels "
             "(a Series keyed by item or a sequence); got {got}")
RUNS_SHAPE = ("labels_by_run must be 2-D with one row per run and one column per item, got "
              "shape {shape}")
RUNS_TOO_FEW = ("labels_by_run has {n} run(s); labeler multiplicity compares at least 2 "
                "runs of the annotator (different prompts, seeds, temperatures or versions)")
RUNS_NO_ITEMS = "labels_by_run has no items (0 columns)"
RUNS_DUPLICATE = "labels_by_run names run {run!r} more than once; give each run its own name"
RUNS_DUPLICATE_ITEM = "labels_by_run names item {item!r} more than once"
RUNS_ITEMS_DIFFER = ("every run must label the same items: run {run!r} lacks {missing} and "
                     "has {extra} that run {first!r} does not; label every item in every "
                     "run or restrict the runs to their common items")
RUNS_LENGTHS = ("every run must label the same items: run {run!r} has {n} labels, run "
                "{first!r} has {n_first}")
RUNS_MISSING = ("run {run!r} has no label for item {item!r}; every run must label every "
                "item (drop the item from all runs, or rerun the annotator on it)")
REFERENCE_UNKNOWN = ("reference must be a run name {names} or a row position in "
                     "[0, {n}), got {got!r}")
PROBA_SHAPE = ("probabilities must have shape (n_runs, n_items, n_classes) = ({r}, {n}, k) "
               "or (n_runs, n_items) = ({r}, {n}) like labels_by_run, got shape {shape}")
ABSTAIN_CLASS = ("abstain_label={label!r} is one of the labels {labels}; choose a value no "
                 "run gives (the default None marks abstentions as missing)")
ABSTAIN_SCALAR = "abstain_label must be a scalar (a number, a string, or None), got {got}"
TOO_FEW_TO_VOTE = ("with {r} runs the selective vote cannot answer any item at alpha={alpha:g}: "
                   "even a unanimous vote has p-value 2**(1 - {r}) = {p:.3g} > alpha, so "
                   "every item abstains (abstention_rate = 1). Use at least {need} runs, or "
                   "a larger alpha")
PROBA_CLASSES = ("probabilities give {what} but the runs use {n_labels} labels {labels}; give "
                 "one probability per label, in the sorted order of the labels")
MORE_RUNS_THAN_ITEMS = ("labels_by_run has {r} runs (rows) and {n} items (columns): more runs "
                        "than items. Rows are runs and columns items; if the table holds one "
                        "column per run, pass labels_by_run.T")
PLOT_KIND = "kind must be 'pairwise' or 'self_consistency', got {got!r}"
IDENTICAL_RUNS = ("identical 'random' runs: all {r} runs give the same label to every item, "
                  "so every multiplicity measure is 0. The seeds or prompts did not change "
                  "anything; check that the setting varies between runs (temperature > 0, "
                  "a different seed or prompt actually passed to the annotator)")


@dataclass(frozen=True)
class LabelerMultiplicity:
    """Multiplicity of the labels of several runs of one automatic annotator.

    Built by :func:`labeler_multiplicity`; see there for the definitions.

    Attributes
    ----------
    runs : pandas.Index
        The run names (row positions for an array input).
    items : pandas.Index
        The item names (column positions for an array input).
    reference : object
        Name of the reference run h0.
    ambiguity, discrepancy : float
        Marx et al. (2020), against the reference run.
    pairwise_disagreement : DataFrame of shape (n_runs, n_runs)
        Share of items on which two runs differ; rows and columns named by run.
    self_consistency : Series of shape (n_items,)
        Chance that two different runs agree on the item (Cooper et al. 2024).
    ambiguous : Series of shape (n_items,), bool
        Some run differs from the reference run.
    unanimous_share : float
        Share of items on which every run gives the same label (``1 - ambiguity``).
    vote_labels : Series of shape (n_items,), object
        The selective vote over runs (Black et al. 2022): the plurality label, or
        ``abstain_label`` where the vote is not significant.
    vote_p_values : Series of shape (n_items,)
        Two-sided binomial p-values of the top two vote counts.
    abstention_rate : float
        Share of items where the selective vote abstains.
    alpha : float
        Significance level of the selective vote.
    abstain_label : object
        Marker of an abstention in ``vote_labels``.
    capacity : Series of shape (n_items,) or None
        Rashomon capacity ``2 ** C`` in ``[1, k]`` (Hsu & Calmon 2022), when
        probabilities were given.
    aggregate_changes : float or None
        With human annotations: share of the common items whose majority vote over the
        humans plus one run depends on the run.
    human_accuracy : Series of shape (n_runs,) or None
        With human annotations: share of the common items (with at least one human
        label) on which the run gives the humans' majority-vote label.
    n_common_items : int or None
        Number of items labelled by both the runs and the humans.
    """

    runs: Any
    items: Any
    reference: Any
    ambiguity: float
    discrepancy: float
    pairwise_disagreement: pd.DataFrame
    self_consistency: pd.Series
    ambiguous: pd.Series
    unanimous_share: float
    vote_labels: pd.Series
    vote_p_values: pd.Series
    abstention_rate: float
    alpha: float
    abstain_label: Any
    reference_labels: pd.Series
    capacity: pd.Series | None = None
    aggregate_changes: float | None = None
    human_accuracy: pd.Series | None = None
    n_common_items: int | None = None

    @property
    def n_runs(self) -> int:
        return len(self.runs)

    @property
    def n_items(self) -> int:
        return len(self.items)

    def to_frame(self) -> pd.DataFrame:
        """One row per item: the reference label, self-consistency, ambiguity flag, the
        selective vote and its p-value, whether it abstained, and the capacity (if any)."""
        frame = pd.DataFrame({
            "reference_label": self.reference_labels,
            "self_consistency": self.self_consistency,
            "ambiguous": self.ambiguous,
            "vote_label": self.vote_labels,
            "vote_p_value": self.vote_p_values,
            "abstained": self.vote_p_values > self.alpha,
        })
        if self.capacity is not None:
            frame["capacity"] = self.capacity
        frame.index.name = "item"
        return frame

    def summary(self) -> pd.DataFrame:
        """One row per measure: its value and what it means."""
        rows = [
            ("ambiguity", self.ambiguity,
             f"share of items where some run differs from run {self.reference!r}"),
            ("discrepancy", self.discrepancy,
             f"largest share of items one run changes against run {self.reference!r}"),
            ("mean_pairwise_disagreement", _mean_off_diagonal(self.pairwise_disagreement),
             "share of items two different runs label differently, averaged over pairs"),
            ("mean_self_consistency", float(self.self_consistency.mean()),
             "chance that two different runs agree on an item, averaged over items"),
            ("unanimous_share", self.unanimous_share,
             "share of items on which every run gives the same label"),
            ("abstention_rate", self.abstention_rate,
             f"share of items where the selective vote abstains (alpha={self.alpha:g})"),
        ]
        if self.capacity is not None:
            rows.append(("mean_capacity", float(self.capacity.mean()),
                         "Rashomon capacity 2**C averaged over items (1: runs agree)"))
        if self.aggregate_changes is not None:
            rows.append(("aggregate_changes", self.aggregate_changes,
                         "share of items whose majority vote (humans + one run) depends "
                         "on the run"))
            rows.append(("human_accuracy_min", float(self.human_accuracy.min()),
                         "agreement with the humans' majority vote, worst run"))
            rows.append(("human_accuracy_max", float(self.human_accuracy.max()),
                         "agreement with the humans' majority vote, best run"))
        frame = pd.DataFrame(rows, columns=["measure", "value", "meaning"])
        return frame.set_index("measure")

    def plot(self, ax: Any = None, kind: str = "pairwise") -> Any:
        """A heatmap of the pairwise disagreement between runs (``kind="pairwise"``) or a
        histogram of the per-item self-consistency (``kind="self_consistency"``).

        Returns the matplotlib ``Axes``.
        """
        if kind not in ("pairwise", "self_consistency"):
            raise ValueError(PLOT_KIND.format(got=kind))
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5.0, 4.0))
        if kind == "pairwise":
            D = self.pairwise_disagreement
            image = ax.imshow(D.to_numpy(), vmin=0.0, cmap="viridis")
            labels = [str(r) for r in D.index]
            ax.set_xticks(range(len(labels)), labels, rotation=90)
            ax.set_yticks(range(len(labels)), labels)
            ax.figure.colorbar(image, ax=ax, label="share of items labelled differently")
            ax.set_title("Pairwise disagreement between runs")
        else:
            ax.hist(self.self_consistency.to_numpy(), bins=np.linspace(0.0, 1.0, 21))
            ax.set_xlabel("self-consistency (chance two runs agree)")
            ax.set_ylabel("items")
            ax.set_title("Per-item self-consistency over runs")
        return ax

    def __repr__(self) -> str:
        parts = [f"n_runs={self.n_runs}", f"n_items={self.n_items}",
                 f"reference={self.reference!r}", f"ambiguity={self.ambiguity:.3f}",
                 f"discrepancy={self.discrepancy:.3f}",
                 f"unanimous_share={self.unanimous_share:.3f}",
                 f"abstention_rate={self.abstention_rate:.3f}"]
        if self.aggregate_changes is not None:
            parts.append(f"aggregate_changes={self.aggregate_changes:.3f}")
        return f"LabelerMultiplicity({', '.join(parts)})"


def _mean_off_diagonal(D: pd.DataFrame) -> float:
    values = D.to_numpy()
    r = values.shape[0]
    return float(values.sum() / (r * (r - 1)))


def _runs_table(labels_by_run: Any) -> tuple[NDArray, Any, Any]:
    """``labels_by_run`` as ``(labels (n_runs, n_items), run names, item names)``."""
    if is_instance(labels_by_run, "pandas", "DataFrame"):
        frame = labels_by_run
    elif isinstance(labels_by_run, dict):
        frame = _dict_frame(labels_by_run)
    elif isinstance(labels_by_run, str | bytes) or not hasattr(labels_by_run, "__len__") \
            or is_instance(labels_by_run, "pandas", "Series"):
        raise TypeError(RUNS_TYPE.format(got=type(labels_by_run).__name__))
    else:
        arr = np.asarray(labels_by_run,
                         dtype=object if isinstance(labels_by_run, list) else None)
        if arr.ndim != 2:
            raise ValueError(RUNS_SHAPE.format(shape=arr.shape))
        return _checked(arr, pd.RangeIndex(arr.shape[0]), pd.RangeIndex(arr.shape[1]))
    return _checked(frame.to_numpy(dtype=object), frame.index, frame.columns)


def _checked(values: NDArray, runs: Any, items: Any) -> tuple[NDArray, Any, Any]:
    if values.shape[0] < 2:
        raise ValueError(RUNS_TOO_FEW.format(n=values.shape[0]))
    if values.shape[1] == 0:
        raise ValueError(RUNS_NO_ITEMS)
    if runs.has_duplicates:
        raise ValueError(RUNS_DUPLICATE.format(run=py_scalar(runs[runs.duplicated()][0])))
    if items.has_duplicates:
        raise ValueError(RUNS_DUPLICATE_ITEM.format(
            item=py_scalar(items[items.duplicated()][0])))
    return values, runs, items


def _dict_frame(runs: dict) -> pd.DataFrame:
    """A dict run -> Series keyed by item (or sequence by position) as runs x items."""
    if len(runs) < 2:
        raise ValueError(RUNS_TOO_FEW.format(n=len(runs)))
    names = list(runs)
    first = names[0]
    if all(is_instance(v, "pandas", "Series") for v in runs.values()):
        base = runs[first].index
        for name in names:
            index = runs[name].index
            if index.has_duplicates:
                raise ValueError(RUNS_DUPLICATE_ITEM.format(
                    item=py_scalar(index[index.duplicated()][0])))
            if not index.equals(base) and set(index) != set(base):
                missing = [py_scalar(x) for x in base.difference(index, sort=False)[:5]]
                extra = [py_scalar(x) for x in index.difference(base, sort=False)[:5]]
                raise ValueError(RUNS_ITEMS_DIFFER.format(run=name, missing=missing,
                                                          extra=extra, first=first))
        rows = [runs[name].reindex(base).to_numpy(dtype=object) for name in names]
        return pd.DataFrame(np.vstack(rows), index=pd.Index(names), columns=base)
    rows = []
    for name in names:
        values = runs[name]
        if is_instance(values, "pandas", "Series"):
            values = values.to_numpy(dtype=object)
        elif isinstance(values, str | bytes) or not hasattr(values, "__len__"):
            raise TypeError(RUNS_TYPE.format(got=f"a dict with a {type(values).__name__} "
                                             f"for run {name!r}"))
        values = np.asarray(values, dtype=object)
        if values.ndim != 1 or len(values) != len(rows[0] if rows else values):
            raise ValueError(RUNS_LENGTHS.format(run=name, n=values.shape, first=first,
                                                 n_first=len(rows[0]) if rows else 0))
        rows.append(values)
    return pd.DataFrame(np.vstack(rows), index=pd.Index(names))


def _encode(values: NDArray, runs: Any, items: Any) -> tuple[NDArray[np.int64], pd.Index]:
    """Integer codes ``(n_runs, n_items)`` and the labels they stand for (sorted when the
    labels can be sorted, else in order of appearance); raises on a missing label."""
    codes, uniques = pd.factorize(values.ravel())  # missing (None, NaN) -> -1
    blank = np.array([isinstance(v, str) and not v.strip() for v in uniques], dtype=bool)
    missing = (codes < 0) | (blank[codes] & (codes >= 0)) if len(uniques) else codes < 0
    if missing.any():
        i, j = np.unravel_index(int(np.argmax(missing)), values.shape)
        raise ValueError(RUNS_MISSING.format(run=py_scalar(runs[i]),
                                             item=py_scalar(items[j])))
    try:
        order = np.array(sorted(range(len(uniques)), key=lambda u: uniques[u]), dtype=np.int64)
    except TypeError:  # labels of several types: keep the order of appearance
        order = np.arange(len(uniques))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    labels = pd.Index(np.asarray(uniques, dtype=object)[order]).infer_objects()
    return rank[codes].reshape(values.shape), labels


def _reference_row(reference: Any, runs: pd.Index) -> int:
    """Row of the reference run: a run name (looked up first) or a row position."""
    try:
        if reference in runs:
            return int(runs.get_loc(reference))
    except TypeError:  # an unhashable reference is neither a name nor a position
        pass
    if isinstance(reference, numbers.Integral) and not isinstance(reference, bool) \
            and 0 <= int(reference) < len(runs):
        return int(reference)
    raise ValueError(REFERENCE_UNKNOWN.format(names=[py_scalar(r) for r in runs[:5]],
                                              n=len(runs), got=reference))


def _check_probabilities(probabilities: Any, r: int, n: int, labels: pd.Index
                         ) -> NDArray[np.float64]:
    Q = np.asarray(probabilities)
    if Q.ndim not in (2, 3) or Q.shape[:2] != (r, n):
        raise ValueError(PROBA_SHAPE.format(r=r, n=n, shape=Q.shape))
    k = 2 if Q.ndim == 2 else Q.shape[2]
    if k < len(labels):
        raise ValueError(PROBA_CLASSES.format(
            k=k, what="positive-class probabilities (two classes)" if Q.ndim == 2
            else f"{k} class probabilities", n_labels=len(labels),
            labels=[py_scalar(x) for x in labels[:8]]))
    return Q


def _vote(codes: NDArray[np.int64], labels: pd.Index, alpha: float,
          abstain_label: Any) -> tuple[NDArray, NDArray[np.float64], NDArray[np.bool_]]:
    """Selective vote over runs: labels (object, ``abstain_label`` where it abstains),
    p-values, and the mask of answered items."""
    if np.ndim(abstain_label) != 0:
        raise TypeError(ABSTAIN_SCALAR.format(got=type(abstain_label).__name__))
    if abstain_label is not None and any(_same(c, abstain_label) for c in labels.tolist()):
        raise ValueError(ABSTAIN_CLASS.format(label=abstain_label,
                                              labels=[py_scalar(x) for x in labels[:8]]))
    top, p_values = ensemble.selective_vote(codes, alpha=alpha, abstain_label=-1)
    answered = top >= 0
    out = np.empty(codes.shape[1], dtype=object)
    out[:] = [abstain_label] * codes.shape[1]
    out[answered] = np.asarray(labels, dtype=object)[top[answered]]
    return out, p_values, answered


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _human_measures(annotations: Any, values: NDArray, runs: Any, items: Any
                    ) -> tuple[float, pd.Series, int]:
    """``aggregate_changes``, ``human_accuracy`` and the number of common items."""
    by_item = pd.DataFrame(np.asarray(values, dtype=object).T, index=items, columns=runs)
    cand = check_candidates(annotations, by_item, what="labeler_multiplicity",
                            need_annotators=False)
    ann = cand.annotations
    # items both the runs and at least one person labelled (a table row that is all NaN
    # is an item of the annotations without a human label)
    common = (cand.codes >= 0).all(axis=0) & (ann.ratings_per_item() > 0)
    codes = cand.codes[:, common]                       # (n_runs, n_common)
    counts = ann.counts()[common]                       # (n_common, k)
    k = counts.shape[1]
    # Majority vote over the humans plus run j as one more annotator; ties go to the
    # first category, the tie rule of MajorityVote.
    winners = np.empty_like(codes)
    for j in range(codes.shape[0]):
        votes = counts + np.eye(k, dtype=np.int64)[codes[j]]
        winners[j] = np.argmax(votes, axis=1)
    changes = (float(np.mean((winners != winners[0]).any(axis=0))) if common.any()
               else np.nan)
    majority = MajorityVote().fit(ann).labels_.to_numpy(dtype=object)[common]
    human_codes = ann.categories.get_indexer(pd.Index(list(majority)).infer_objects())
    accuracy = (codes == human_codes).mean(axis=1) if common.any() \
        else np.full(codes.shape[0], np.nan)
    return changes, pd.Series(accuracy, index=runs, name="human_accuracy"), \
        int(common.sum())


def labeler_multiplicity(labels_by_run: Any, reference: Any = 0, *,
                         probabilities: Any = None, annotations: Any = None,
                         alpha: float = 0.05, abstain_label: Any = None
                         ) -> LabelerMultiplicity:
    """How arbitrary an automatic annotator's labels are across runs.

    An automatic annotator (an LLM judge, a classifier) run several times with different
    prompts, seeds, temperatures or model versions gives several label vectors over the
    same items. Taken as a Rashomon set of labelers, the predictive-multiplicity measures
    say how much the labels depend on that arbitrary choice.

    Parameters
    ----------
    labels_by_run : array-like of shape (n_runs, n_items), DataFrame or dict
        One row per run, one column per item: a NumPy array or nested list (runs and
        items named by position), a pandas DataFrame with one ROW per run (index = run
        names, e.g. prompts, seeds or versions; columns = items), or a dict run ->
        labels, where labels are pandas Series keyed by item (every run must label
        exactly the same items; the order is that of the first run) or sequences of
        equal length. Labels may be of any hashable type. Every run must label every
        item: a missing label (None, NaN, a blank string) raises a ``ValueError``
        naming the run and the item. At least 2 runs.
    reference : run name or int, default=0
        The reference run h0 of ambiguity and discrepancy: a run name (looked up first)
        or a row position.
    probabilities : array-like of shape (n_runs, n_items, n_classes) or (n_runs, n_items), \
optional
        Each run's class probabilities (rows sum to 1), or positive-class probabilities
        of a binary task, in the order of the rows and columns of ``labels_by_run``; the
        class axis in the sorted order of the labels (at least one class per label the
        runs use). Gives the per-item Rashomon capacity.
    annotations : Annotations or table accepted by :meth:`Annotations.from_wide`, optional
        Human annotations of (some of) the same items, matched by item name (the columns
        of ``labels_by_run``); gives ``aggregate_changes`` and ``human_accuracy`` on the
        items both labelled. Run labels the humans never used are added to the
        categories with a ``UserWarning``.
    alpha : float in (0, 1), default=0.05
        Significance level of the selective vote.
    abstain_label : scalar, default=None
        Marks an abstention in ``vote_labels``; must not be a label of any run. The
        default None marks abstentions as missing values.

    Returns
    -------
    LabelerMultiplicity
        With ``ambiguity``, ``discrepancy``, ``pairwise_disagreement``,
        ``self_consistency``, ``ambiguous``, ``unanimous_share``, ``vote_labels``,
        ``vote_p_values``, ``abstention_rate``, ``capacity`` (None without
        ``probabilities``), ``aggregate_changes`` and ``human_accuracy`` (None without
        ``annotations``), and ``to_frame()``, ``summary()`` and ``plot()``.

    Raises
    ------
    ValueError
        Fewer than 2 runs, no items, runs labelling different items, a missing label,
        duplicate run or item names, an unknown ``reference``, ``probabilities`` of
        another shape, ``alpha`` outside (0, 1), or an ``abstain_label`` that is a label.
    TypeError
        ``labels_by_run`` of another type, or an ``abstain_label`` that is not a scalar.

    Warns
    -----
    UserWarning
        When all runs are identical: the setting that should vary between runs probably
        did not reach the annotator. The measures are returned (all zero). Also when
        there are too few runs for the selective vote to answer any item at ``alpha``
        (a unanimous vote of ``r`` runs has p-value ``2**(1 - r)``: at ``alpha=0.05``
        six runs at least): every item then abstains. And when there are more runs
        (rows) than items (columns), the sign of a table with one column per run.

    See Also
    --------
    multiplicity.metrics.ambiguity, multiplicity.metrics.self_consistency,
    multiplicity.ensemble.selective_vote, multiplicity.metrics.rashomon_capacity

    Notes
    -----
    With run labels ``y_j(x)``, ``j = 0..r-1``, and reference run ``h0``:

    - *ambiguity* (Marx, Calmon & Ustun 2020, ICML): share of items ``x`` with
      ``y_j(x) != y_h0(x)`` for some run ``j``. It equals ``1 - unanimous_share``
      whatever the reference: some run differs from the reference exactly when the runs
      are not unanimous.
    - *discrepancy* (ibid.): ``max_j`` share of items with ``y_j(x) != y_h0(x)``.
    - *self-consistency* (Cooper et al. 2024, "Arbitrariness and Social Prediction",
      AAAI): with ``v_c`` runs voting ``c``, ``sum_c v_c (v_c - 1) / (r (r - 1))``.
    - *selective vote* (Black, Leino & Fredrikson 2022, ICLR): the plurality label when
      the exact two-sided binomial test of the top two counts ``n_A`` against ``n_B``
      has p-value ``<= alpha``, an abstention otherwise. A unanimous item has p-value
      ``2 ** (1 - r)``, so at ``alpha = 0.05`` fewer than 6 runs abstain on every item.
    - *Rashomon capacity* (Hsu & Calmon 2022, NeurIPS): ``2 ** C(x)`` with ``C(x)`` the
      capacity of the channel run -> class, in ``[1, min(r, k)]``.
    - *aggregate_changes*: on the items both the runs and the humans labelled, the share
      whose majority vote over the human labels plus run ``j`` as one more annotator is
      not the same for every ``j``; ties go to the category first in
      ``annotations.categories``, the tie rule of :class:`MajorityVote`.
    - *human_accuracy*: per run, the share of those items (with at least one human label)
      on which the run gives the humans' :class:`MajorityVote` label (ties again to the
      first category; ``MajorityVote().fit(annotations).tied_`` marks them).

    Memory: the labels are encoded once into an ``(n_runs, n_items)`` int64 array (read
    through a transient object copy of the labels);
    ``probabilities`` are read as given (``n_runs * n_items * n_classes`` floats); the
    pairwise table is ``n_runs ** 2`` floats.

    Examples
    --------
    >>> import pandas as pd
    >>> runs = pd.DataFrame([["pos", "neg", "pos", "neg"],
    ...                      ["pos", "pos", "pos", "neg"],
    ...                      ["pos", "neg", "neg", "neg"]],
    ...                     index=["prompt-a", "prompt-b", "prompt-c"],
    ...                     columns=["t1", "t2", "t3", "t4"])
    >>> # three runs: a unanimous selective vote has p-value 2**(1 - 3) = 0.25, so the vote
    >>> # needs alpha >= 0.25 to answer any item (the default 0.05 warns that it cannot)
    >>> res = labeler_multiplicity(runs, reference="prompt-b", alpha=0.25)
    >>> res.ambiguity, round(res.discrepancy, 2), res.unanimous_share
    (0.5, 0.5, 0.5)
    >>> res.self_consistency.round(3).tolist()
    [1.0, 0.333, 0.333, 1.0]
    >>> res.ambiguous.tolist()
    [False, True, True, False]
    >>> res.vote_labels.tolist()
    ['pos', nan, nan, 'neg']
    """
    values, runs, items = _runs_table(labels_by_run)
    codes, labels = _encode(values, runs, items)
    ref = _reference_row(reference, runs)
    r, n = codes.shape
    Q = None if probabilities is None else _check_probabilities(probabilities, r, n, labels)
    if r > n:
        warnings.warn(MORE_RUNS_THAN_ITEMS.format(r=r, n=n), UserWarning, stacklevel=2)
    vote, p_values, answered = _vote(codes, labels, alpha, abstain_label)
    if (codes == codes[0]).all():
        warnings.warn(IDENTICAL_RUNS.format(r=r), UserWarning, stacklevel=2)
    if 2.0 ** (1 - r) > alpha:
        need = 1 + math.ceil(math.log2(1.0 / alpha))
        need += 2.0 ** (1 - need) > alpha  # the boundary 2**(1 - need) == alpha
        warnings.warn(TOO_FEW_TO_VOTE.format(r=r, alpha=alpha, p=2.0 ** (1 - r), need=need),
                      UserWarning, stacklevel=2)
    capacity = None
    if Q is not None:
        capacity = pd.Series(metrics.rashomon_capacity(Q), index=items, name="capacity")
    changes = accuracy = n_common = None
    if annotations is not None:
        changes, accuracy, n_common = _human_measures(annotations, values, runs, items)
    D = metrics.pairwise_disagreement(codes)
    return LabelerMultiplicity(
        runs=runs, items=items, reference=py_scalar(runs[ref]),
        ambiguity=float(metrics.ambiguity(codes, ref)),
        discrepancy=float(metrics.discrepancy(codes, ref)),
        pairwise_disagreement=pd.DataFrame(D, index=runs, columns=runs),
        self_consistency=pd.Series(metrics.self_consistency(codes), index=items,
                                   name="self_consistency"),
        ambiguous=pd.Series(metrics.ambiguous_samples(codes, ref), index=items,
                            name="ambiguous"),
        unanimous_share=float(np.mean((codes == codes[0]).all(axis=0))),
        vote_labels=pd.Series(vote, index=items, name="vote_label"),
        vote_p_values=pd.Series(p_values, index=items, name="vote_p_value"),
        abstention_rate=float(np.mean(~answered)),
        alpha=float(alpha), abstain_label=abstain_label,
        reference_labels=pd.Series(np.asarray(labels, dtype=object)[codes[ref]],
                                   index=items, name="reference_label"),
        capacity=capacity, aggregate_changes=changes, human_accuracy=accuracy,
        n_common_items=n_common)
