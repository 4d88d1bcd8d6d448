"""DisagreementProfile: who disagrees with whom, item by item, annotator by annotator and
group by group."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ._container import Annotations, check_annotations
from ._items import _item_disagreement
from ._profile_kernels import _loo_majority_stats

__all__ = ["DisagreementProfile"]

# Error messages (tests import them).
NO_ANNOTATORS = ("DisagreementProfile needs annotator identities, but the data were built "
                 "with Annotations.from_counts; use item_disagreement for per-item measures")
SINGLE_CATEGORY = ("the data have a single category ({cat!r}): nobody can disagree, so a "
                   "disagreement profile is undefined; it needs at least two categories")
NO_LABELS = ("annotator {name!r} has no labels (an empty column?); drop annotators without "
             "labels before profiling")
DUPLICATES = ("DisagreementProfile needs one label per (item, annotator) pair; the data "
              "hold repeated ratings (duplicates='keep'): rebuild with duplicates='first' "
              "or 'last'")
GROUPS_LENGTH = "annotator_groups must give one group per annotator ({n}), got {got}"
GROUPS_MISSING = "annotator_groups gives no group for annotator {name!r}"
GROUPS_NAN = "annotator_groups holds a missing group (NaN/None) for annotator {name!r}"
NO_GROUPS = "{what} needs annotator_groups; pass them to DisagreementProfile(...)"
AGGREGATOR = ("aggregator must be a fitted Dawid-Skene-like model with confusion_matrices_ "
              "of shape (n_annotators, n_classes, n_classes) = {shape} and class_priors_ of "
              "shape ({k},); got {got}")
GINI_NEGATIVE = ("gini needs non-negative values; {column!r} has negative entries (e.g. "
                 "{value!r}); choose a non-negative quantity such as 'deviation'")
UNKNOWN_COLUMN = "{column!r} is not a column of {table}() (columns: {columns})"
UNKNOWN_LEVEL = "level must be 'group' or 'annotator', got {got!r}"
INCLUDE_SINGLE = "include_single must be True or False, got {got!r}"

#: Columns of items() that are undefined (NaN) for an item with a single rating.
_SINGLE_UNDEFINED = ("majority_share", "entropy", "normalized_entropy", "minority_share",
                     "gini")


# --------------------------------------------------------------------- kernels


def _gini(x: NDArray[np.float64]) -> float:
    """Gini coefficient ``sum_ij |x_i - x_j| / (2 n^2 mean(x))`` of non-negative ``x``."""
    n = x.shape[0]
    total = float(x.sum())
    if n == 0 or total == 0.0:
        return 0.0
    xs = np.sort(x)
    # sum_ij |x_i - x_j| = 2 sum_i (2 i - n + 1) x_(i) for 0-based sorted x.
    pair_sum = 2.0 * float(np.dot(2.0 * np.arange(n) - n + 1.0, xs))
    return max(0.0, pair_sum / (2.0 * n * total))  # >= 0 up to rounding


def _check_include_single(include_single: Any) -> bool:
    if not isinstance(include_single, bool | np.bool_):
        raise TypeError(INCLUDE_SINGLE.format(got=include_single))
    return bool(include_single)


def _tie_weighted_mode(C: NDArray[np.float64]) -> NDArray[np.float64]:
    """Rows of 1 / t on the t modal categories of each row of counts C (0 rows stay 0)."""
    top = C.max(axis=1, keepdims=True)
    M = ((C == top) & (top > 0)).astype(np.float64)
    t = M.sum(axis=1, keepdims=True)
    np.divide(M, t, out=M, where=t > 0)
    return M


class DisagreementProfile:
    """Disagreement between annotators, by item, by annotator and by annotator group.

    Disagreement is treated as information: which items are contested (:meth:`items`),
    which annotators depart from the others (:meth:`annotators`), and whether whole groups
    of annotators (stakeholders, demographics, expertise) systematically see items
    differently from the majority (:meth:`groups`, :meth:`worst_group`, :meth:`gini`):
    the view of "negotiative alignment", where disagreement by stakeholder group is a
    signal to negotiate rather than noise to average away.

    An item with a single rating shows no disagreement, but no agreement either: its
    disagreement is undefined. :meth:`items` reports such items as NaN with a
    ``single_rating`` flag, and the measures averaged over items (the groups'
    ``deviation``, :meth:`worst_group`, :meth:`gini` of groups, the histogram of
    :meth:`plot`) leave them out unless ``include_single=True``.

    Everything is computed from the sparse annotations in a few passes (no items x
    annotators table); 10^6 labels by 10^4 annotators take about a second.

    Parameters
    ----------
    data : Annotations or table accepted by :meth:`Annotations.from_wide`
        Items x annotators labels with annotator identities, at least two categories,
        one label per (item, annotator) pair and at least one label per annotator.
    annotator_groups : mapping, Series or array-like, default=None
        The group of every annotator: a mapping (dict or Series) from annotator name to
        group, or a sequence aligned with ``ann.annotators``.
    aggregator : fitted Dawid-Skene-like model, default=None
        Anything with ``confusion_matrices_`` of shape ``(n_annotators, k, k)`` (rows the
        true class) and ``class_priors_`` of shape ``(k,)``, fitted on the same data (e.g.
        :class:`~multiplicity.annotation.DawidSkene`); :meth:`annotators` then reports
        each annotator's estimated accuracy ``sum_c prior_c CM[j, c, c]``.

    Raises
    ------
    ValueError
        Data without annotators (``from_counts``), a single category, an annotator without
        labels, repeated ratings, groups that do not cover the annotators, or an
        aggregator whose shapes do not fit the data.

    Examples
    --------
    >>> table = [["a", "a", "b", "b"],
    ...          ["a", "a", "a", "b"],
    ...          ["b", "b", "b", "a"],
    ...          ["a", "a", "a", "a"]]
    >>> prof = DisagreementProfile(table, annotator_groups=["x", "x", "y", "y"])
    >>> prof.items()[["majority", "n_ratings", "minority_share"]]
      majority  n_ratings  minority_share
    0        a          4            0.50
    1        a          4            0.25
    2        b          4            0.25
    3        a          4            0.00
    >>> prof.annotators()[["group", "n_items", "loo_agreement", "kappa"]]
      group  n_items  loo_agreement  kappa
    0     x        4           0.75    0.5
    1     x        4           0.75    0.5
    2     y        4           0.75    0.5
    3     y        4           0.25   -0.5
    >>> prof.groups()[["within_agreement", "between_agreement", "deviation"]]
       within_agreement  between_agreement  deviation
    x               1.0                0.5      0.125
    y               0.5                0.5      0.375
    >>> prof.worst_group()
    'y'
    """

    def __init__(self, data: Any, annotator_groups: Any = None, aggregator: Any = None
                 ) -> None:
        ann = check_annotations(data)
        if not ann.has_annotators:
            raise ValueError(NO_ANNOTATORS)
        if ann.has_duplicates:
            raise ValueError(DUPLICATES)
        if ann.n_categories < 2:
            cat = ann.categories[0] if ann.n_categories else None
            raise ValueError(SINGLE_CATEGORY.format(cat=cat))
        per_annotator = np.bincount(ann.annotator_codes, minlength=ann.n_annotators)
        if (per_annotator == 0).any():
            raise ValueError(NO_LABELS.format(
                name=ann.annotators[int(np.argmin(per_annotator))]))
        self._ann = ann
        self._per_annotator = per_annotator
        self._groups = None if annotator_groups is None else self._check_groups(
            annotator_groups)
        self._quality = None if aggregator is None else self._check_aggregator(aggregator)
        self._counts = ann.counts().astype(np.float64)
        self._cache: dict[str, Any] = {}

    # ---------------------------------------------------------------- checks
    def _check_groups(self, groups: Any) -> pd.Categorical:
        names = self._ann.annotators
        if isinstance(groups, pd.Series | Mapping):
            series = groups if isinstance(groups, pd.Series) else pd.Series(dict(groups))
            for name in names:
                if name not in series.index:
                    raise ValueError(GROUPS_MISSING.format(name=name))
            values = series.reindex(names).to_numpy(dtype=object)
        else:
            values = np.asarray(groups, dtype=object).ravel()
            if values.shape[0] != len(names):
                raise ValueError(GROUPS_LENGTH.format(n=len(names), got=values.shape[0]))
        missing = pd.isna(values)
        if missing.any():
            raise ValueError(GROUPS_NAN.format(name=names[int(np.argmax(missing))]))
        return pd.Categorical(values)

    def _check_aggregator(self, aggregator: Any) -> NDArray[np.float64]:
        r, k = self._ann.n_annotators, self._ann.n_categories
        cm = getattr(aggregator, "confusion_matrices_", None)
        prior = getattr(aggregator, "class_priors_", None)
        got = ("no confusion_matrices_/class_priors_ (not fitted?)" if cm is None or
               prior is None else f"shapes {np.shape(cm)} and {np.shape(prior)}")
        if cm is None or prior is None:
            raise ValueError(AGGREGATOR.format(shape=(r, k, k), k=k, got=got))
        cm = np.asarray(cm, dtype=np.float64)
        prior = np.asarray(prior, dtype=np.float64).ravel()
        if cm.shape != (r, k, k) or prior.shape != (k,):
            raise ValueError(AGGREGATOR.format(shape=(r, k, k), k=k, got=got))
        return np.einsum("c,jcc->j", prior, cm)

    def _require_groups(self, what: str) -> pd.Categorical:
        if self._groups is None:
            raise ValueError(NO_GROUPS.format(what=what))
        return self._groups

    # ------------------------------------------------------------------ data
    @property
    def annotations(self) -> Annotations:
        """The profiled :class:`Annotations`."""
        return self._ann

    @property
    def group_names(self) -> pd.Index | None:
        """The groups, in sorted order (None without ``annotator_groups``)."""
        return None if self._groups is None else pd.Index(self._groups.categories)

    # ----------------------------------------------------------------- items
    def items(self, include_single: bool = False) -> pd.DataFrame:
        """Per-item disagreement.

        Parameters
        ----------
        include_single : bool, default=False
            An item with a single rating has no disagreement to measure: by default its
            ``majority_share``, ``entropy``, ``normalized_entropy``, ``minority_share``
            and ``gini`` are NaN (so ``items()[column].mean()`` averages over the items
            with at least two ratings). ``True`` gives them the values of one label
            alone (shares 1 and 0, entropy 0), which counts them as unanimous.

        Returns
        -------
        DataFrame indexed by ``ann.items``
            ``n_ratings``; ``single_rating`` (True for items with exactly one rating);
            ``majority`` (the most frequent label; the first in category order on ties;
            missing for unrated items); ``majority_share``; ``entropy`` (nats),
            ``normalized_entropy``, ``minority_share`` (``1 - majority_share``) and
            ``gini`` (Gini impurity) as in :func:`item_disagreement`;
            ``pairwise_agreement`` (share of ordered pairs of the item's labels that
            agree, NaN with fewer than 2 labels); and ``n_ties`` (number of modal
            labels). Unrated items have NaN measures and ``single_rating`` False.
        """
        include_single = _check_include_single(include_single)
        key = f"items:{include_single}"
        if key not in self._cache:
            table = self._items_table().copy()
            if not include_single:
                table.loc[table["single_rating"].to_numpy(), list(_SINGLE_UNDEFINED)] = np.nan
            self._cache[key] = table
        return self._cache[key].copy()

    def _items_table(self) -> pd.DataFrame:
        """The per-item table with single-rating items given the values of one label."""
        if "items" in self._cache:
            return self._cache["items"]
        ann, C = self._ann, self._counts
        r = C.sum(axis=1)
        rated = r > 0
        top = C.max(axis=1)
        codes = np.argmax(C, axis=1)
        majority = np.asarray(ann.categories, dtype=object).take(codes)
        majority[~rated] = None
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(rated, top / np.where(rated, r, 1.0), np.nan)
            pairs = np.where(r >= 2, ((C * (C - 1)).sum(axis=1)) /
                             np.where(r >= 2, r * (r - 1), 1.0), np.nan)
        table = pd.DataFrame({
            "n_ratings": r.astype(np.int64),
            "single_rating": r == 1,
            "majority": majority,
            "majority_share": share,
            "entropy": _item_disagreement(ann, "entropy"),
            "normalized_entropy": _item_disagreement(ann, "normalized_entropy"),
            "minority_share": _item_disagreement(ann, "minority_share"),
            "gini": _item_disagreement(ann, "gini"),
            "pairwise_agreement": pairs,
            "n_ties": np.where(rated, (C == top[:, None]).sum(axis=1), 0).astype(np.int64),
        }, index=ann.items)
        if rated.all() and ann.categories.dtype != object:
            table["majority"] = table["majority"].astype(ann.categories.dtype)
        self._cache["items"] = table
        return table

    # ------------------------------------------------------------ annotators
    def annotators(self) -> pd.DataFrame:
        """Per-annotator agreement with the others.

        For each label an annotator gave to an item that others labelled too, the
        leave-one-out majority is the most frequent label among the *other* annotators of
        that item. On ties between ``t`` labels each counts with weight ``1 / t`` (the
        expected agreement under a random tie-break).

        Returns
        -------
        DataFrame indexed by ``ann.annotators``
            ``group`` (with ``annotator_groups``); ``n_items`` (items labelled);
            ``n_compared`` (of those, items someone else labelled too);
            ``loo_agreement`` (share of compared labels equal to the leave-one-out
            majority), ``deviation`` (``1 - loo_agreement``); ``kappa``, Cohen's kappa
            between the annotator's labels and the leave-one-out majority labels,
            ``(pa - pe) / (1 - pe)`` on the tie-weighted contingency table (NaN with no
            compared item or when ``pe = 1``); and ``quality``, the estimated accuracy
            ``sum_c prior_c CM[j, c, c]`` of a fitted Dawid-Skene ``aggregator`` (only when
            one was given).
        """
        if "annotators" in self._cache:
            return self._cache["annotators"].copy()
        ann = self._ann
        agree, n_used, own, major = _loo_majority_stats(
            ann.item_ptr, ann.annotator_codes, ann.label_codes, ann.n_annotators,
            ann.n_categories)
        n = n_used.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            pa = agree / n
            pe = np.einsum("jk,jk->j", own, major) / (n * n)
            kappa = np.where(pe < 1.0 - 1e-12, (pa - pe) / (1.0 - pe), np.nan)
        table = pd.DataFrame({"n_items": self._per_annotator.astype(np.int64),
                              "n_compared": n_used,
                              "loo_agreement": pa, "deviation": 1.0 - pa, "kappa": kappa},
                             index=ann.annotators)
        if self._groups is not None:
            table.insert(0, "group", np.asarray(self._groups, dtype=object))
        if self._quality is not None:
            table["quality"] = self._quality
        self._cache["annotators"] = table
        return table.copy()

    # ---------------------------------------------------------------- groups
    def _group_counts(self) -> NDArray[np.float64]:
        """Label counts by item, group and category: float64 (n_items, n_groups, k)."""
        if "group_counts" not in self._cache:
            g = np.asarray(self._require_groups("groups()").codes, dtype=np.int64)
            ann = self._ann
            n_g, k = len(self._groups.categories), ann.n_categories
            key = (ann.item_codes * n_g + g[ann.annotator_codes]) * k + ann.label_codes
            self._cache["group_counts"] = np.bincount(
                key, minlength=ann.n_items * n_g * k).astype(np.float64).reshape(
                    ann.n_items, n_g, k)
        return self._cache["group_counts"]

    def group_agreement(self) -> pd.DataFrame:
        """Pairwise agreement within (diagonal) and between (off-diagonal) groups.

        Entry ``(g, h)`` is the share of pairs of labels given to the same item, one by an
        annotator of ``g`` and one by a different annotator of ``h``, that are equal:
        ``sum_i sum_c C_igc C_ihc / sum_i R_ig R_ih`` for ``g != h`` and
        ``sum_i sum_c C_igc (C_igc - 1) / sum_i R_ig (R_ig - 1)`` on the diagonal, with
        ``C_igc`` the number of ``g``'s labels of category ``c`` on item ``i`` and ``R_ig``
        their total. NaN where no such pair exists (e.g. a group of one annotator on the
        diagonal). Raw agreement, not chance-corrected.

        Returns
        -------
        DataFrame of shape (n_groups, n_groups)
        """
        C = self._group_counts()
        R = C.sum(axis=2)
        num = np.einsum("igc,ihc->gh", C, C)
        den = R.T @ R
        diag = np.arange(C.shape[1])
        num[diag, diag] -= R.sum(axis=0)  # remove each label paired with itself
        den[diag, diag] -= R.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            A = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
        names = self.group_names
        return pd.DataFrame(A, index=names, columns=names)

    def groups(self, include_single: bool = False) -> pd.DataFrame:
        """Per group: agreement within, agreement with the rest, deviation from the majority.

        Parameters
        ----------
        include_single : bool, default=False
            Whether ``deviation`` counts the group's labels on items with a single rating.
            Such a label is the item's majority by itself, so counting it always reads as
            agreement; by default those labels are left out (``n_single_rating`` says how
            many). The other columns use pairs of labels or items labelled by the group
            and by others, which a single rating never forms.

        Returns
        -------
        DataFrame indexed by the group names
            ``n_annotators``, ``n_items`` (items labelled by the group), ``n_labels``;
            ``n_single_rating`` (the group's labels on items with a single rating);
            ``within_agreement`` (diagonal of :meth:`group_agreement`);
            ``between_agreement`` (share of equal pairs of labels on the same item, one
            from the group and one from any other group); ``deviation``, the share of the
            group's labels that differ from the item's overall majority label (all
            annotators; ties between ``t`` labels weighted ``1 / t``; labels on items
            with a single rating left out unless ``include_single``; NaN when none is
            left); ``majority_flip``,
            the share of the group's items (with labels from other groups too) on which
            the group's own majority differs from the other groups' majority (tie-weighted:
            ``1 - sum_c M_gc M_rest,c``); and ``tvd_to_rest``, the mean over those items of
            the total-variation distance between the group's label distribution and the
            other groups'.
        """
        include_single = _check_include_single(include_single)
        key = f"groups:{include_single}"
        if key in self._cache:
            return self._cache[key].copy()
        groups = self._require_groups("groups()")
        C = self._group_counts()
        R = C.sum(axis=2)                       # (n, G)
        T = self._counts                        # (n, k)
        RT = T.sum(axis=1)                      # (n,)
        rest = T[:, None, :] - C                # (n, G, k)
        R_rest = RT[:, None] - R
        A = self.group_agreement().to_numpy()
        n_g = C.shape[1]
        with np.errstate(divide="ignore", invalid="ignore"):
            num = np.einsum("igc,igc->g", C, rest)
            den = np.einsum("ig,ig->g", R, R_rest)
            between = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
            M = _tie_weighted_mode(T)
            counted = RT >= (1 if include_single else 2)
            dev = 1.0 - (np.einsum("igc,ic->g", C[counted], M[counted]) /
                         R[counted].sum(axis=0))
            both = (R > 0) & (R_rest > 0)
            flip = np.full(n_g, np.nan)
            tvd = np.full(n_g, np.nan)
            for g in range(n_g):
                rows = both[:, g]
                if not rows.any():
                    continue
                Cg, Cr = C[rows, g], rest[rows, g]
                flip[g] = 1.0 - np.mean(np.einsum(
                    "ic,ic->i", _tie_weighted_mode(Cg), _tie_weighted_mode(Cr)))
                tvd[g] = 0.5 * np.mean(np.abs(Cg / R[rows, g, None] -
                                              Cr / R_rest[rows, g, None]).sum(axis=1))
        codes = np.asarray(groups.codes)
        table = pd.DataFrame({
            "n_annotators": np.bincount(codes, minlength=n_g).astype(np.int64),
            "n_items": (R > 0).sum(axis=0).astype(np.int64),
            "n_labels": R.sum(axis=0).astype(np.int64),
            "n_single_rating": R[RT == 1].sum(axis=0).astype(np.int64),
            "within_agreement": np.diag(A),
            "between_agreement": between,
            "deviation": dev,
            "majority_flip": flip,
            "tvd_to_rest": tvd,
        }, index=self.group_names)
        self._cache[key] = table
        return table.copy()

    def worst_group(self, by: str = "deviation", include_single: bool = False) -> Hashable:
        """The group worst served by the majority view.

        Parameters
        ----------
        by : str, default="deviation"
            Column of :meth:`groups`: the group with the largest value of
            ``"deviation"``, ``"majority_flip"`` or ``"tvd_to_rest"``, or the smallest
            ``"within_agreement"`` or ``"between_agreement"``. NaN values are skipped;
            ties go to the first group in sorted order.
        include_single : bool, default=False
            Passed to :meth:`groups`: whether ``deviation`` counts labels on items with
            a single rating (as agreement).

        Returns
        -------
        group name
        """
        table = self.groups(include_single)
        larger_is_worse = {"deviation": True, "majority_flip": True, "tvd_to_rest": True,
                           "within_agreement": False, "between_agreement": False}
        if by not in larger_is_worse:
            raise ValueError(UNKNOWN_COLUMN.format(column=by, table="groups",
                                                   columns=list(larger_is_worse)))
        col = table[by]
        if col.isna().all():
            raise ValueError(f"every group has NaN {by!r}; no worst group")
        name = col.idxmax() if larger_is_worse[by] else col.idxmin()
        return name.item() if isinstance(name, np.generic) else name

    def gini(self, quantity: str = "deviation",
             level: Literal["group", "annotator"] | None = None,
             include_single: bool = False) -> float:
        """Gini coefficient of a per-group or per-annotator quantity: how unequally it is
        spread.

        ``G = sum_i sum_j |x_i - x_j| / (2 n^2 mean(x))`` over the ``n`` groups (or
        annotators) with a value (NaN skipped); 0 when every ``x_i`` is equal (or all are
        0), ``1 - 1/n`` when one carries everything. With ``quantity="deviation"`` it
        measures how unequally the departure from the majority view falls on groups.

        Parameters
        ----------
        quantity : str, default="deviation"
            A non-negative column of :meth:`groups` or :meth:`annotators`.
        level : {"group", "annotator"}, default=None
            Which table; default ``"group"`` when ``annotator_groups`` were given, else
            ``"annotator"``.
        include_single : bool, default=False
            Passed to :meth:`groups` (``level="group"``): whether the groups'
            ``deviation`` counts labels on items with a single rating. The annotator table
            compares each label with the other labels of its item, so it never uses them.

        Returns
        -------
        float
        """
        if level is None:
            level = "annotator" if self._groups is None else "group"
        include_single = _check_include_single(include_single)
        if level == "group":
            table, name = self.groups(include_single), "groups"
        elif level == "annotator":
            table, name = self.annotators(), "annotators"
        else:
            raise ValueError(UNKNOWN_LEVEL.format(got=level))
        numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
        if quantity not in numeric:
            raise ValueError(UNKNOWN_COLUMN.format(column=quantity, table=name,
                                                   columns=numeric))
        x = table[quantity].to_numpy(dtype=np.float64)
        x = x[~np.isnan(x)]
        if (x < 0).any():
            raise ValueError(GINI_NEGATIVE.format(column=quantity, value=float(x[x < 0][0])))
        return _gini(x)

    # ------------------------------------------------------------------ plot
    def plot(self, measure: str = "normalized_entropy", bins: int = 20, figsize=None,
             include_single: bool = False):
        """A heatmap of :meth:`group_agreement` (with groups) and a histogram of per-item
        disagreement.

        Parameters
        ----------
        measure : str, default="normalized_entropy"
            Numeric column of :meth:`items` for the histogram.
        bins : int, default=20
        figsize : (float, float), default=None
        include_single : bool, default=False
            Passed to :meth:`items`. By default items with a single rating are left out
            of the histogram (not drawn as unanimous), and the title says how many.

        Returns
        -------
        matplotlib.figure.Figure
            One axes (the histogram) without groups, two (heatmap, histogram) with them.
        """
        import matplotlib.pyplot as plt

        items = self.items(include_single)
        if measure not in items.columns or not pd.api.types.is_numeric_dtype(
                items[measure]) or pd.api.types.is_bool_dtype(items[measure]):
            raise ValueError(UNKNOWN_COLUMN.format(column=measure, table="items",
                                                   columns=list(items.columns)))
        n_axes = 1 if self._groups is None else 2
        fig, axes = plt.subplots(1, n_axes, figsize=figsize or (5.0 * n_axes, 4.0),
                                 squeeze=False)
        axes = axes[0]
        if self._groups is not None:
            A = self.group_agreement()
            ax = axes[0]
            im = ax.imshow(A.to_numpy(), vmin=0.0, vmax=1.0, cmap="viridis")
            labels = [str(g) for g in A.index]
            ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
            ax.set_yticks(range(len(labels)), labels)
            for (g, h), v in np.ndenumerate(A.to_numpy()):
                if np.isfinite(v):
                    ax.text(h, g, f"{v:.2f}", ha="center", va="center",
                            color="white" if v < 0.5 else "black", fontsize=8)
            ax.set_title("Agreement within / between groups")
            fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
        ax = axes[-1]
        values = items[measure].to_numpy(dtype=np.float64)
        shown = np.isfinite(values)
        ax.hist(values[shown], bins=bins, color="tab:blue", alpha=0.8)
        ax.set_xlabel(measure.replace("_", " "))
        ax.set_ylabel("items")
        left_out = []
        n_single = int((~shown & items["single_rating"].to_numpy()).sum())
        n_unrated = int((~shown & (items["n_ratings"].to_numpy() == 0)).sum())
        if n_single:
            left_out.append(f"{n_single:,} with a single rating")
        if n_unrated:
            left_out.append(f"{n_unrated:,} unrated")
        title = "Per-item disagreement"
        if left_out:
            title += "\n(" + ", ".join(left_out) + " left out)"
        ax.set_title(title)
        fig.tight_layout()
        return fig
