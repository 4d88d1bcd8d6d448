"""candidate_agreement(): does an automatic annotator agree with people as well as people
agree with each other? One agreement coefficient on the humans' table and on tables where
the candidate stands in for an annotator, with paired bootstrap intervals over items."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .. import _errors
from .._checks import check_int, check_real_in
from .._lazy import lazy_module
from ._agreement import COEFFICIENTS, _call, _resolve
from ._candidates import check_candidates
from ._container import Annotations
from ._stats import ItemStatistic, bootstrap_sums

_agg = lazy_module("multiplicity.annotation._aggregation")

__all__ = ["CandidateAgreement", "candidate_agreement"]

# Error messages (tests import them).
AGGREGATE = "aggregate must be 'majority' or 'dawid_skene', got {got!r}"
COEFFICIENT_TYPE = ("coefficient must be the name of an agreement coefficient ({names}) or "
                    "a callable f(Annotations) -> float; got {got}")

_WHAT = "candidate_agreement"
_COLUMNS = ["value", "ci_low", "ci_high", "se", "n_items"]
#: Resamples per block of seeds, as in :func:`bootstrap_sums` (the same items are drawn).
_BLOCK = 16


# ------------------------------------------------------------------ the tables
def _rebuild(ann: Annotations, item: NDArray, annotator: NDArray, code: NDArray,
             annotators: pd.Index | None = None) -> Annotations:
    """Annotations on ``ann``'s items and categories from arrays sorted by item."""
    return Annotations(item, annotator, code, ann.items,
                       ann.annotators if annotators is None else annotators,
                       ann.categories, duplicates=ann.has_duplicates,
                       ordered=ann._given_order, n_dropped=ann.n_dropped)


def _replace(ann: Annotations, cand: NDArray[np.int64], j: int) -> Annotations:
    """Annotator ``j``'s labels replaced by the candidate's on the items ``j`` labelled;
    where the candidate has no label, ``j``'s rating is dropped."""
    mine = ann.annotator_codes == j
    code = np.where(mine, cand[ann.item_codes], ann.label_codes)
    keep = code >= 0
    return _rebuild(ann, ann.item_codes[keep], ann.annotator_codes[keep], code[keep])


def _add(ann: Annotations, cand: NDArray[np.int64], name: Any) -> Annotations:
    """The candidate as one more annotator (the last one), named ``name`` (made unique)."""
    rated = np.flatnonzero(cand >= 0)
    item = np.concatenate((ann.item_codes, rated))
    order = np.argsort(item, kind="stable")  # each item's new rating after its others
    annotator = np.concatenate((ann.annotator_codes,
                                np.full(len(rated), ann.n_annotators, dtype=np.int64)))
    code = np.concatenate((ann.label_codes, cand[rated]))
    while name in ann.annotators:
        name = f"{name} (candidate)"
    names = pd.Index([*ann.annotators, name], dtype=object)
    return _rebuild(ann, item[order], annotator[order], code[order], names)


def _pair(ann: Annotations, reference: NDArray[np.int64], cand: NDArray[np.int64]
          ) -> Annotations:
    """The two-rater table (reference label, candidate label) on the items both have."""
    both = np.flatnonzero((reference >= 0) & (cand >= 0))
    code = np.column_stack((reference[both], cand[both])).ravel()
    return _rebuild(ann, np.repeat(both, 2), np.tile(np.arange(2, dtype=np.int64), len(both)),
                    code, pd.Index(["aggregate", "candidate"]))


def _aggregate_codes(ann: Annotations, aggregate: str) -> NDArray[np.int64]:
    """Category codes of the humans' aggregate label per item (-1: no human label)."""
    model = (_agg.MajorityVote() if aggregate == "majority" else _agg.DawidSkene()).fit(ann)
    P = model.probas_.to_numpy(dtype=np.float64)
    rated = ~np.isnan(P).any(axis=1)
    return np.where(rated, np.argmax(np.where(rated[:, None], P, -1.0), axis=1),
                    -1).astype(np.int64)


def _informative(table: Annotations) -> NDArray[np.bool_]:
    """Items with at least two ratings (the ones that carry agreement)."""
    return table.ratings_per_item() >= 2


# ------------------------------------------------------------------ bootstrap
def _resample_indices(n_items: int, n_resamples: int, seed: int) -> Iterator[NDArray]:
    """The items of each resample, drawn as :func:`bootstrap_sums` draws them: block seeds
    ``default_rng(seed).integers(0, 2**31 - 1, n_blocks)``; in block ``k`` (16 resamples)
    ``RandomState(seeds[k]).random_sample((16, n_items))`` and ``floor(u * n_items)``."""
    block_seeds = np.random.default_rng(seed).integers(0, 2**31 - 1,
                                                       size=-(-n_resamples // _BLOCK),
                                                       dtype=np.int64)
    mt = np.random.RandomState()
    for k, block_seed in enumerate(block_seeds):
        count = min(_BLOCK, n_resamples - k * _BLOCK)
        mt.seed(int(block_seed))
        u = mt.random_sample((count, n_items))
        yield from np.minimum((u * n_items).astype(np.int64), n_items - 1)


def _by_sums(stats: list[ItemStatistic], n_resamples: int, seed: int) -> NDArray:
    """Every table's values on the same resamples: one weighted sum of the side-by-side
    per-item statistics per resample."""
    widths = np.cumsum([0] + [s.S.shape[1] for s in stats])
    sums = bootstrap_sums(np.hstack([s.S for s in stats]), n_resamples, seed)
    out = np.empty((n_resamples, len(stats)))
    with np.errstate(divide="ignore", invalid="ignore"):
        for r, s in enumerate(stats):
            out[:, r] = s.finalize(sums[:, widths[r]:widths[r + 1]])
    return out


def _by_recomputing(func: Callable, name: str, tables: list[Annotations], kwargs: dict,
                    n_resamples: int, seed: int) -> NDArray:
    """Every table's values on the same resamples, recomputed on the resampled tables."""
    out = np.full((n_resamples, len(tables)), math.nan)
    for b, idx in enumerate(_resample_indices(tables[0].n_items, n_resamples, seed)):
        for r, table in enumerate(tables):
            try:
                out[b, r] = _call(func, name, table.take_items(idx), kwargs)
            except ValueError:  # undefined on this resample (e.g. one category drawn)
                pass
    return out


def _bootstrap(func: Callable, statistic: Callable | None, name: str,
               tables: list[Annotations], values: list[float], kwargs: dict,
               n_resamples: int, seed: int) -> NDArray:
    """``(n_resamples, n_tables)`` values; NaN where a resample leaves one undefined, and
    for the tables on which the coefficient is undefined to begin with."""
    out = np.full((n_resamples, len(tables)), math.nan)
    defined = [r for r, v in enumerate(values) if math.isfinite(v)]
    used = [tables[r] for r in defined]
    stats = [statistic(t, **kwargs) for t in used] if statistic is not None else [None]
    if all(s is not None and s.S.shape[0] == tables[0].n_items for s in stats):
        out[:, defined] = _by_sums(stats, n_resamples, seed)
    else:
        out[:, defined] = _by_recomputing(func, name, used, kwargs, n_resamples, seed)
    out[~np.isfinite(out)] = math.nan
    return out


def _row(value: float, draws: NDArray, n_items: int, tail: float) -> dict[str, float]:
    ok = draws[np.isfinite(draws)]
    row = dict.fromkeys(_COLUMNS, math.nan)
    row["value"], row["n_items"] = value, n_items
    if ok.size:
        row["ci_low"], row["ci_high"] = (float(v) for v in np.quantile(ok, [tail, 1 - tail]))
    if ok.size >= 2:
        row["se"] = float(np.std(ok, ddof=1))
    return row


# ------------------------------------------------------------------ public
def _coefficient(coefficient: Any) -> tuple[Callable, Callable | None, str]:
    if isinstance(coefficient, str):
        func, statistic, _ = _resolve(coefficient)
        return func, statistic, coefficient
    if callable(coefficient):
        return coefficient, None, getattr(coefficient, "__name__", repr(coefficient))
    raise TypeError(COEFFICIENT_TYPE.format(names=", ".join(sorted(COEFFICIENTS)),
                                            got=type(coefficient).__name__))


def _value(func: Callable, key: str, table: Annotations, kwargs: dict,
           undefined: dict[str, str], label: str) -> float:
    """The coefficient on ``table``; NaN (and the reason in ``undefined``) where it is
    undefined, except on the humans' table, whose error is the user's to see."""
    if label == "humans":
        return _call(func, key, table, kwargs)
    try:
        return _call(func, key, table, kwargs)
    except ValueError as e:
        undefined[label] = str(e)
        return math.nan


def candidate_agreement(annotations: Any, candidate: Any,
                        coefficient: str | Callable[[Annotations], float] = "krippendorff_alpha",
                        *, aggregate: Literal["majority", "dawid_skene"] = "majority",
                        confidence: float = 0.95, n_resamples: int = 1000,
                        random_state: int | np.random.Generator | None = None,
                        **coefficient_kwargs: Any) -> CandidateAgreement:
    """Agreement of an automatic annotator with people, next to the people's own agreement.

    One chance-corrected agreement coefficient is computed on the humans' table and on
    tables in which the candidate (an LLM judge, a classifier) takes part, all with
    bootstrap intervals from the same resamples of the items.

    Parameters
    ----------
    annotations : Annotations or table accepted by :meth:`Annotations.from_wide`
        The human labels, items x annotators, missing entries allowed. The annotators
        must be known (not built with :meth:`Annotations.from_counts`).
    candidate : Series, DataFrame, dict or sequence
        The candidate's label per item: a Series (or a dict) indexed by item, or a sequence
        in the order of ``annotations.items``; None/NaN where it gave no label. A DataFrame
        with one column per candidate gives one block of rows per candidate, all on the
        same resamples. Labels are matched to the annotators' categories (see
        ``multiplicity.annotation._candidates.check_candidates``).
    coefficient : str or callable, default="krippendorff_alpha"
        The name of one of the coefficients of :func:`agreement`
        (``krippendorff_alpha``, ``fleiss_kappa``, ``gwet_ac1``, ``percent_agreement``,
        ``scott_pi``, ``brennan_prediger``, ``conger_kappa``, ``cohen_kappa``,
        ``intraclass_correlation``) or a function ``f(Annotations) -> float``.
        ``cohen_kappa`` needs exactly two human annotators, and then the row
        ``humans + candidate`` (three raters) is left out.
    aggregate : {"majority", "dawid_skene"}, default="majority"
        The humans' label that the row ``candidate vs <aggregate>`` compares the candidate
        with: :class:`MajorityVote` (ties go to the tied category that comes first in the
        order of the categories) or :class:`DawidSkene` (the most probable class).
    confidence : float in (0, 1), default=0.95
        Coverage of the percentile intervals.
    n_resamples : int, default=1000
        Bootstrap resamples of the items (>= 1; ``se`` needs 2).
    random_state : int, Generator or None, default=None
        Seed of the bootstrap (see Notes for the items it draws).
    **coefficient_kwargs
        Passed to the coefficient, e.g. ``level="ordinal"`` or ``weights="quadratic"``.

    Returns
    -------
    CandidateAgreement
        ``table`` has one row per comparison, columns ``value, ci_low, ci_high, se,
        n_items`` (``n_items``: items with at least two ratings in that row's table, the
        ones that carry agreement). Rows, in this order:

        * ``humans``: the coefficient among the people.
        * ``replace <annotator>``, for each annotator ``j``: the humans' table with the
          candidate's labels in place of ``j``'s labels, on exactly the items ``j``
          labelled (items where the candidate gave no label lose ``j``'s rating). Does
          the candidate fit into the crowd as well as ``j`` did?
        * ``replace (mean)``: the mean of those rows over the annotators, and
          ``replace - humans``: that mean minus ``humans``. The headline: negative means
          the candidate agrees less with the people than they agree among themselves.
        * ``candidate vs <aggregate>``: the coefficient on the two-rater table (aggregate
          label, candidate label) of the items both have.
        * ``humans + candidate``: the candidate added as one more annotator.

        With several candidates the index is ``(candidate, row)``. A comparison that is
        undefined on the data is NaN and ``table.attrs["undefined"]`` says why;
        ``table.attrs["undefined_resamples"]`` counts the resamples left out per row.

    Raises
    ------
    ValueError
        Annotations without annotators, an unknown coefficient (the message lists the
        names), ``cohen_kappa`` with more than two annotators, ``aggregate`` not one of
        the two, ``confidence`` outside (0, 1), ``n_resamples < 1``, a candidate that
        cannot be matched to the items or categories, or a coefficient undefined on the
        humans' table.
    TypeError
        ``coefficient`` neither a name nor a callable; ``confidence`` not a number.

    See Also
    --------
    agreement : The coefficients of the humans alone, with intervals.
    alt_test : The alternative annotator test (Calderon, Reichart & Dror 2025), a
        per-annotator test of whether the candidate can replace people.

    Notes
    -----
    *Paired bootstrap.* Each resample draws ``n_items`` items with replacement and takes
    the humans' labels and the candidate's labels of the same items, so every row is
    computed on the same resamples; ``replace - humans`` has its own interval, the
    percentile interval of the differences on each resample (not a combination of the
    two rows' intervals). ``se`` is the standard deviation of the resampled values;
    resamples on which a row is undefined (e.g. one category drawn) are left out of that
    row. The items drawn are those of :func:`agreement` with the same ``random_state``
    (so the ``humans`` row equals its bootstrap, for the coefficients with a per-item
    statistic; a recomputed coefficient draws the same items here but not there): ``seed =
    default_rng(random_state).integers(0, 2**31 - 1)``, block seeds ``s =
    default_rng(seed).integers(0, 2**31 - 1, size=ceil(n_resamples / 16))``, and the
    16 resamples of block ``k`` are the rows of
    ``floor(RandomState(s[k]).random_sample((16, n_items)) * n_items)``.

    *The aggregate* is fitted once, on all items, and not refitted on each resample. For
    the majority vote this changes nothing (an item's vote depends on its own labels
    only); Dawid-Skene's estimates would move slightly with the resample, a source of
    variation the interval leaves out.

    *Cost.* A coefficient with a per-item statistic (all the named ones, except
    ``scott_pi`` and alpha with many categories) builds the per-item statistics of the
    ``n_annotators + 3`` tables once (memory ``n_items`` x their columns, e.g.
    ``1 + n_categories`` per table for the nominal alpha) and every resample is one
    weighted sum of them: 1,000 resamples of 1,000 items x 5 annotators take well under a
    second. Otherwise (``scott_pi``, a callable) the coefficient is recomputed on every
    resampled table: ``n_resamples x (n_annotators + 3)`` coefficient evaluations.

    Examples
    --------
    >>> humans = [[1, 1, 2], [2, 2, 2], [1, 1, 1], [3, 3, 2], [1, 2, 1], [3, 3, 3]]
    >>> res = candidate_agreement(humans, [1, 2, 1, 3, 1, 3], "krippendorff_alpha",
    ...                           n_resamples=20, random_state=0)
    >>> res.table["value"].round(3)
    humans                   0.523
    replace 0                0.523
    replace 1                0.676
    replace 2                0.837
    replace (mean)           0.679
    replace - humans         0.155
    candidate vs majority    1.000
    humans + candidate       0.635
    Name: value, dtype: float64
    """
    func, statistic, name = _coefficient(coefficient)
    key = coefficient if isinstance(coefficient, str) else ""
    if not isinstance(aggregate, str) or aggregate not in ("majority", "dawid_skene"):
        raise ValueError(AGGREGATE.format(got=aggregate))
    confidence = check_real_in(confidence, _errors.CONFIDENCE_RANGE, 0.0, 1.0)
    n_resamples = check_int(n_resamples, "n_resamples", 1)
    kwargs = dict(coefficient_kwargs)
    cands = check_candidates(annotations, candidate, what=_WHAT)
    ann = cands.annotations
    undefined: dict[str, str] = {}
    tables = [ann]
    values = [_value(func, key, ann, kwargs, undefined, "humans")]
    reference = _aggregate_codes(ann, aggregate)
    annotators = [f"replace {a}" for a in ann.annotators]
    blocks = []
    for c, cname in enumerate(cands.names):
        codes = cands.codes[c]
        prefix = "" if cands.n_candidates == 1 else f"{cname}: "
        block = {}
        built = [(a, _replace(ann, codes, j)) for j, a in enumerate(annotators)]
        built.append((f"candidate vs {aggregate}", _pair(ann, reference, codes)))
        if key != "cohen_kappa":
            built.append(("humans + candidate", _add(ann, codes, cname)))
        for label, table in built:
            block[label] = len(tables)
            tables.append(table)
            values.append(_value(func, key, table, kwargs, undefined, prefix + label))
        blocks.append(block)
    rng = np.random.default_rng(random_state)
    seed = int(rng.integers(0, 2**31 - 1))
    draws = _bootstrap(func, statistic, key, tables, values, kwargs, n_resamples, seed)
    informative = np.column_stack([_informative(t) for t in tables])
    entries: list[tuple[Any, float, NDArray, NDArray]] = []
    for cname, block in zip(cands.names, blocks, strict=True):
        def where(label: str, c: Any = cname) -> Any:
            return label if cands.n_candidates == 1 else (c, label)

        entries.append((where("humans"), values[0], draws[:, 0], informative[:, 0]))
        rep = [block[a] for a in annotators]
        entries += [(where(a), values[r], draws[:, r], informative[:, r])
                    for a, r in zip(annotators, rep, strict=True)]
        mean, mean_draws = float(np.mean([values[r] for r in rep])), draws[:, rep].mean(axis=1)
        entries.append((where("replace (mean)"), mean, mean_draws,
                        informative[:, rep].any(axis=1)))
        entries.append((where("replace - humans"), mean - values[0], mean_draws - draws[:, 0],
                        informative[:, [0, *rep]].any(axis=1)))
        entries += [(where(label), values[r], draws[:, r], informative[:, r])
                    for label, r in list(block.items())[len(rep):]]
    tail = (1.0 - confidence) / 2.0
    table = pd.DataFrame([_row(v, d, int(np.count_nonzero(u)), tail)
                          for _, v, d, u in entries], columns=_COLUMNS)
    table.index = (pd.Index([e[0] for e in entries]) if cands.n_candidates == 1 else
                   pd.MultiIndex.from_tuples([e[0] for e in entries],
                                             names=["candidate", "row"]))
    table["n_items"] = table["n_items"].astype(np.int64)
    table.attrs["undefined"] = undefined
    table.attrs["undefined_resamples"] = {
        e[0]: int(np.count_nonzero(~np.isfinite(e[2]))) for e in entries}
    return CandidateAgreement(table, name, confidence, n_resamples)


class CandidateAgreement:
    """The result of :func:`candidate_agreement`.

    Attributes
    ----------
    table : DataFrame
        One row per comparison (see :func:`candidate_agreement`), columns ``value,
        ci_low, ci_high, se, n_items``.
    coefficient : str
        The coefficient's name (a callable's ``__name__``).
    confidence : float
        Coverage of the intervals.
    n_resamples : int
        Bootstrap resamples.
    """

    def __init__(self, table: pd.DataFrame, coefficient: str, confidence: float,
                 n_resamples: int) -> None:
        self.table = table
        self.coefficient = coefficient
        self.confidence = confidence
        self.n_resamples = n_resamples

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table`."""
        return self.table.copy()

    def plot(self, ax: Any = None, max_rows: int = 12) -> Any:
        """Forest plot: each row's value and interval, a vertical line at ``humans``.

        The paired difference ``replace - humans`` is on another scale (around 0): it is
        given in the title instead of drawn. With more than ``max_rows`` annotators the
        ``replace <annotator>`` rows are drawn as one strip of points (one per annotator,
        without intervals) so that the figure stays readable.

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        rows = [k for k in self.table.index if _row_name(k) != "replace - humans"]
        each = [k for k in rows if _row_name(k).startswith("replace ")
                and _row_name(k) != "replace (mean)"]
        n_annotators = len({_row_name(k) for k in each})
        collapse = n_annotators > max_rows
        if collapse:
            rows = [k for k in rows if k not in each]
        if ax is None:
            _, ax = plt.subplots(figsize=(6.0, 0.35 * (len(rows) + collapse) + 1.2))
        shown = self.table.loc[rows]
        y = np.arange(len(shown))[::-1] + collapse
        v = shown["value"].to_numpy()
        err = np.vstack((v - shown["ci_low"].to_numpy(), shown["ci_high"].to_numpy() - v))
        ax.errorbar(v, y, xerr=np.where(np.isfinite(err), err, 0.0), fmt="o", color="C0",
                    ecolor="C0", capsize=3)
        labels = [": ".join(map(str, k)) if isinstance(k, tuple) else str(k) for k in rows]
        ticks = list(y)
        if collapse:
            strip = self.table.loc[each, "value"].to_numpy(dtype=float)
            ax.plot(strip, np.zeros(len(strip)), "|", color="0.35", markersize=12,
                    label="replace each annotator")
            ticks.append(0)
            labels.append(f"replace each ({n_annotators} annotators)")
        humans = self.table["value"].to_numpy()[0]
        if math.isfinite(humans):
            ax.axvline(humans, color="0.5", linestyle="--", linewidth=1)
        ax.set_yticks(ticks)
        ax.set_yticklabels(labels)
        ax.set_xlabel(f"{self.coefficient} ({self.confidence:.0%} bootstrap interval)")
        diffs = self.table[[_row_name(k) == "replace - humans" for k in self.table.index]]
        ax.set_title("; ".join(f"replace - humans = {r.value:.3f} "
                               f"[{r.ci_low:.3f}, {r.ci_high:.3f}]"
                               for r in diffs.itertuples()), fontsize="medium")
        return ax

    def __repr__(self) -> str:
        return (f"CandidateAgreement(coefficient={self.coefficient!r}, "
                f"confidence={self.confidence}, n_resamples={self.n_resamples})\n"
                f"{self.table.round(4).to_string()}")


def _row_name(key: Any) -> str:
    return key[1] if isinstance(key, tuple) else key
