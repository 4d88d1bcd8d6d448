"""Label aggregators: majority vote and the Dawid-Skene EM model of annotator confusion."""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from sklearn.utils._param_validation import Interval, StrOptions

from . import _aggregation_kernels as _k
from . import _dask
from ._aggregation_base import Aggregator
from ._container import Annotations

__all__ = ["DawidSkene", "MajorityVote"]

#: Posterior probabilities within this distance of an item's largest one count as tied.
TIE_TOLERANCE = 1e-9

NEEDS_ANNOTATORS = ("{0} needs to know who gave each label; data built with "
                    "Annotations.from_counts has no annotators")
INIT_SHAPE = ("init must be 'majority' or an array of shape (n_items, n_categories) = {0}, "
              "got shape {1}")
INIT_VALUES = ("init rows must be non-negative, finite and not all zero for every item that "
               "has annotations")


def _vote_shares(ann: Annotations) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Per-item label counts (repeated ratings each count) and their row shares (NaN rows
    for items without annotations)."""
    counts = ann.counts()
    total = counts.sum(axis=1, keepdims=True)
    shares = np.full(counts.shape, np.nan)
    np.divide(counts, total, out=shares, where=total > 0)
    return counts, shares


def _posterior_ties(ann: Annotations, P: NDArray[np.float64]) -> pd.Series:
    """True for the items whose largest posterior is shared, within ``TIE_TOLERANCE``, by
    two or more categories (False for items without annotations), indexed by item."""
    rated = ~np.isnan(P).any(axis=1)
    tied = np.zeros(len(P), dtype=bool)
    if rated.any():
        Q = P[rated]
        near = Q >= Q.max(axis=1, keepdims=True) - TIE_TOLERANCE
        tied[rated] = near.sum(axis=1) > 1
    return pd.Series(tied, index=ann.items, name="tied")


def _per_annotator_mean(ann: Annotations, values: NDArray[np.float64],
                        where: NDArray[np.bool_] | None = None) -> pd.Series:
    """Mean of ``values`` (one per annotation) over each annotator's annotations (only
    those where ``where`` is True, when given; NaN for annotators with none)."""
    r = ann.n_annotators
    weight = np.ones(len(values)) if where is None else where.astype(np.float64)
    n = np.bincount(ann.annotator_codes, weights=weight, minlength=r)
    s = np.bincount(ann.annotator_codes, weights=values * weight, minlength=r)
    out = np.full(r, np.nan)
    np.divide(s, n, out=out, where=n > 0)
    return pd.Series(out, index=ann.annotators, name="accuracy")


def majority_parts(ann: Annotations) -> tuple[NDArray[np.float64], NDArray[np.bool_],
                                              NDArray[np.float64] | None]:
    """Vote shares, ties (two or more categories with the largest count) and, per
    annotation, whether it agrees with its item's winner (None without annotators)."""
    counts, shares = _vote_shares(ann)
    top = counts.max(axis=1) if counts.shape[1] else np.zeros(len(counts), dtype=np.int64)
    tied = ((counts == top[:, None]).sum(axis=1) > 1) & (top > 0)
    agree = None
    if ann.has_annotators:
        winner = np.argmax(counts, axis=1)
        agree = (ann.label_codes == winner[ann.item_codes]).astype(np.float64)
    return shares, tied, agree


class MajorityVote(Aggregator):
    """Each item's label is the category most of its annotations chose.

    ``probas_`` are the vote shares: the fraction of an item's annotations that chose
    each category. Every rating counts, so an annotator who rated an item several times
    (``Annotations.from_long(..., duplicates="keep")``) votes several times.

    Tie rule: a tie is reported as what it is, equal probabilities in ``probas_`` (for
    example 0.5 / 0.5). ``labels_`` then holds the tied category that comes first in
    ``categories`` (sorted order, or the order given with ``categories=``). crowd-kit's
    ``MajorityVote`` has the same vote shares but breaks ties by the order of its
    columns, which follows how often each label occurs in the whole data set, so on ties
    the two ``labels_`` can differ. ``tied_`` marks the items where the label was chosen
    this way and ``n_tied_`` counts them: use them (or ``probas_``) to find the ties
    rather than trusting ``labels_`` there.

    Gold labels (``fit(data, true_labels=...)``) do not change the vote of the other
    items. A gold item's ``labels_`` is its gold label and its ``probas_`` row is one-hot
    on it (fit without ``true_labels`` to see its vote), it is never ``tied_``, and
    ``annotator_accuracy_`` becomes each annotator's accuracy against the gold labels:
    the share of their annotations *on gold items* that equal the gold label (NaN for an
    annotator who labelled no gold item).

    Attributes
    ----------
    probas_ : DataFrame of shape (n_items, n_categories)
        Vote shares (one-hot on the gold label for gold items); NaN rows for items
        without annotations.
    labels_ : Series of shape (n_items,)
        The most voted category (first in category order on ties), or the gold label.
    annotator_accuracy_ : Series of shape (n_annotators,) or None
        Share of each annotator's labels that equal ``labels_`` (crowd-kit's ``skills_``);
        with gold labels, share of their labels on gold items that equal the gold label.
        NaN for annotators without (gold) annotations, None for data built from counts.
    tied_ : Series of shape (n_items,), bool
        True where two or more categories share the largest vote count, so that
        ``labels_`` is the first of them in category order; indexed by item (False for
        items without annotations and for gold items).
    n_tied_ : int
        Number of tied items.
    gold_ : Series of shape (n_items,), bool
        True for the gold items.
    n_gold_ : int
        Number of gold items.

    Examples
    --------
    >>> from multiplicity.annotation import Annotations
    >>> ann = Annotations.from_wide([["a", "a", "b"], ["a", "b", None], ["b", "b", "b"]])
    >>> mv = MajorityVote().fit(ann)
    >>> mv.probas_.round(3)
           a      b
    0  0.667  0.333
    1  0.500  0.500
    2  0.000  1.000
    >>> mv.labels_.tolist(), mv.n_tied_
    (['a', 'a', 'b'], 1)
    """

    _uses_gold: ClassVar[bool] = True

    def __init__(self) -> None:
        pass

    def _fit(self, ann: Annotations, gold: NDArray[np.int64] | None = None
             ) -> NDArray[np.float64]:
        shares, tied, agree = majority_parts(ann)
        on_gold = None
        if gold is not None:
            tied &= gold < 0
            if agree is not None:  # accuracy against the gold labels, on gold items only
                gold_of = gold[ann.item_codes]
                agree = (ann.label_codes == gold_of).astype(np.float64)
                on_gold = gold_of >= 0
        self.annotator_accuracy_ = (None if agree is None
                                    else _per_annotator_mean(ann, agree, on_gold))
        self.tied_ = pd.Series(tied, index=ann.items, name="tied")
        self.n_tied_ = int(tied.sum())
        return shares

    def _fit_dask(self, data: _dask.DaskAnnotations) -> MajorityVote:
        """On a cluster: one pass over the partitions (sizes, ties, and per-annotator
        agreement sums, ``n_annotators`` numbers per partition); ``probas_``,
        ``labels_`` (a Categorical over the categories) and ``tied_`` are dask
        collections indexed by item, computed per partition when read."""
        return _dask.fit_majority_vote(self, data)


class DawidSkene(Aggregator):
    """Dawid & Skene (1979): latent true classes and one confusion matrix per annotator,
    fitted by EM.

    Each item ``i`` has a latent true class ``z_i`` with prior ``p``; annotator ``w``
    gives label ``l`` to an item of class ``c`` with probability ``pi_w[c, l]``
    (independently across annotations). EM alternates the M-step (``p`` = mean posterior
    over items; ``pi_w[c, l]`` proportional to the posterior mass of class ``c`` on the
    items ``w`` labelled ``l``) and the E-step (posteriors
    ``P(z_i = c) ~ p_c prod_j pi_{w_j}[c, l_j]``, computed in log space). Every
    annotation is one factor, so with ``duplicates="keep"`` each repeated rating counts as
    evidence, as in the 1979 paper (its ``n_il^(k)`` counts).

    Gold labels (``fit(data, true_labels=...)``): the posterior of a gold item is clamped
    to one-hot on its known class, in the starting posteriors and after every E-step, so
    gold items enter every M-step as items of known class: they inform the confusion
    matrices of the annotators who labelled them and the class priors (which are the mean
    posterior over all annotated items, gold items included). This is what crowd-kit's
    ``DawidSkene.fit(data, true_labels)`` does. With ``stopping="log_likelihood"`` the
    objective becomes the log-likelihood of the observed labels *and* gold classes (a
    gold item contributes ``log p_g + sum_j log pi_{w_j}[g, l_j]``), which EM with
    clamping never decreases. Gold items without annotations do not enter the fit (their
    ``probas_`` row is one-hot on the gold label).

    Parameters
    ----------
    max_iter : int, default=100
        Largest number of EM iterations (M-step + E-step); >= 1. A
        ``sklearn.exceptions.ConvergenceWarning`` is emitted when it is reached before the
        stopping rule holds (always with ``max_iter=1``: the rule compares two
        iterations).
    tol : float, default=1e-6
        Stop when the objective (see ``stopping``) rises by less than ``tol`` from one
        iteration to the next (a fall also stops). The objectives are per annotation, so
        ``tol`` does not depend on the size of the data. >= 0.
    init : "majority" or array-like of shape (n_items, n_categories), default="majority"
        Starting posteriors. ``"majority"``: each item's vote shares (the fraction of its
        annotations, repeats included, that chose each category; ties stay split).
        This is the initialisation of Dawid & Skene (1979, eq. 3.1: "the proportion of
        responses" per patient) and also what crowd-kit's ``DawidSkene`` starts from
        (``MajorityVote().fit_predict_proba``), so all three walk through the same
        sequence of posteriors. An array gives one row of weights per item (normalised
        here; rows of items without annotations are ignored, and rows of gold items are
        replaced by their one-hot gold labels).
    stopping : {"log_likelihood", "crowdkit"}, default="log_likelihood"
        ``"log_likelihood"``: the objective is the marginal log-likelihood of the
        observed labels, ``sum_i log sum_c p_c prod_j pi_{w_j}[c, l_j]``, divided by the
        number of annotations; the fitted parameters are those the final posteriors were
        computed from. ``"crowdkit"``: crowd-kit's rule (``DawidSkene.fit`` of
        crowd-kit 1.4): after each E-step the parameters are re-estimated, and the
        objective is crowd-kit's ``_evidence_lower_bound / n_annotations`` (the expected
        complete-data log-likelihood with the log prior added once per *annotation*,
        plus the posterior entropy with posteriors floored at ``floor``); the reported
        parameters are those re-estimated from the final posteriors, as in crowd-kit.
        With ``tol=1e-5`` (crowd-kit's default) this reproduces crowd-kit's posteriors,
        priors, confusion matrices and number of iterations, with or without gold
        labels.
    floor : float, default=1e-10
        Smallest expected count (before normalisation) of a label an annotator used,
        and smallest class prior, as crowd-kit's ``_EPS`` clipping: it keeps
        log-probabilities finite. Labels an annotator never gave have probability 0 in
        that annotator's matrix (they never enter the likelihood). ``floor=0`` is the
        unsmoothed EM of the 1979 paper. In ``[0, 1)``.

    Attributes
    ----------
    probas_ : DataFrame of shape (n_items, n_categories)
        Posterior class probabilities; NaN rows for items without annotations.
    labels_ : Series of shape (n_items,)
        Maximum-posterior classes (first in category order on exact ties).
    confusion_matrices_ : ndarray of shape (n_annotators, n_categories, n_categories)
        ``confusion_matrices_[w, c, l] = P(annotator w says l | true class c)``: rows are
        true classes and sum to 1. NaN for annotators without annotations.
    class_priors_ : Series of shape (n_categories,)
        Estimated class proportions ``p``, indexed by category.
    annotator_accuracy_ : Series of shape (n_annotators,)
        Expected share of each annotator's labels that are correct under the posteriors:
        the mean of ``probas_[item, given label]`` over the annotator's annotations (NaN
        for annotators without annotations).
    tied_ : Series of shape (n_items,), bool
        True where two or more categories share the largest posterior (within
        ``TIE_TOLERANCE`` = 1e-9), so that ``labels_`` is the first of them in category
        order; indexed by item.
    n_tied_ : int
        Number of tied items.
    gold_ : Series of shape (n_items,), bool
        True for the gold items (None after a fit on a :class:`DaskAnnotations`).
    n_gold_ : int
        Number of gold items.
    log_likelihood_ : list of float
        Marginal log-likelihood of the data (total, not per annotation; with gold
        labels, the joint log-likelihood of the labels and the gold classes) under the
        parameters used in each iteration's E-step; the last entry belongs to the final
        parameters when ``stopping="log_likelihood"``.
    objective_ : list of float
        The values the stopping rule compared, one per iteration.
    n_iter_ : int
        Iterations run (E-steps after the initial M-step).
    converged_ : bool
        False when ``max_iter`` was reached first.

    See Also
    --------
    MajorityVote : the vote shares used as the starting point.

    Notes
    -----
    A. P. Dawid and A. M. Skene (1979), "Maximum Likelihood Estimation of Observer
    Error-Rates Using the EM Algorithm", J. R. Stat. Soc. C 28(1):20-28,
    doi:10.2307/2346806. On their anaesthesia data (``load_anaesthesia``, observer 1's
    three ratings per patient all kept) the fit gives class proportions
    0.40 / 0.42 / 0.11 / 0.07.

    Differences from the 1979 EM: it stops when successive parameter estimates change
    little, and it does not floor probabilities. Differences from crowd-kit: the default
    ``stopping`` watches the true log-likelihood instead of crowd-kit's objective and
    ``tol`` is 1e-6 instead of 1e-5; probabilities are not clipped at ``floor`` in
    ``probas_`` (crowd-kit leaves its final posteriors clipped at 1e-10, so its rows can
    sum to slightly more than 1); items without annotations get NaN rows instead of being
    absent; gold labels naming items or labels that are not in the data raise instead of
    being skipped; initial error matrices are not supported.

    Each EM iteration is one pass of compiled loops over the long arrays, O(n_annotations
    * n_categories), parallel over blocks of items (inputs with 50,000 annotations or
    more), plus O(n_annotators * n_categories**2) to normalise; memory beyond the inputs
    is O(n_items * n_categories) plus up to 64 MiB of per-block count slabs. Results do
    not depend on the number of threads.

    Examples
    --------
    >>> from multiplicity.annotation import Annotations
    >>> from multiplicity.datasets import load_anaesthesia
    >>> ann = Annotations.from_long(load_anaesthesia().data, duplicates="keep")
    >>> ds = DawidSkene().fit(ann)
    >>> ds.class_priors_.round(2).tolist()
    [0.4, 0.42, 0.11, 0.07]
    >>> ds.labels_.head(3).tolist()
    [1, 4, 2]

    Patient 1's label known to be 2 (a gold label): it is clamped in every E-step.

    >>> gold = DawidSkene().fit(ann, true_labels={1: 2})
    >>> gold.labels_.head(3).tolist(), gold.n_gold_
    ([2, 4, 2], 1)
    """

    _parameter_constraints: ClassVar[dict] = {
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "init": [StrOptions({"majority"}), "array-like"],
        "stopping": [StrOptions({"log_likelihood", "crowdkit"})],
        "floor": [Interval(Real, 0, 1, closed="left")],
    }

    _uses_gold: ClassVar[bool] = True

    def __init__(self, max_iter: int = 100, tol: float = 1e-6,
                 init: Literal["majority"] | ArrayLike = "majority", *,
                 stopping: Literal["log_likelihood", "crowdkit"] = "log_likelihood",
                 floor: float = 1e-10) -> None:
        self.max_iter = max_iter
        self.tol = tol
        self.init = init
        self.stopping = stopping
        self.floor = floor

    def fit(self, data: Any, y: Any = None, *, true_labels: Any = None) -> DawidSkene:
        """Fit the model by EM.

        Parameters
        ----------
        data : Annotations, DaskAnnotations or table accepted by :meth:`Annotations.from_wide`
            On a :class:`DaskAnnotations` every EM iteration is one map-reduce over the
            partitions: the current parameters go out (``n_annotators x k x k`` floats
            plus ``k``), each partition runs the E-step and sends back its M-step sums
            (the same amount), and the client finishes the M-step; ``stopping="crowdkit"``
            adds a second pass per iteration for its objective. Same start, iterations
            and stopping rule as in memory, so the parameters agree with an in-memory fit
            to rounding. ``probas_``, ``labels_`` (a Categorical over the categories)
            and ``tied_`` are dask collections indexed by item (one E-step per
            partition when read). With a
            ``dask.distributed`` Client the encoded partitions are persisted on the
            workers first (about 3 bytes per annotation plus the item labels).
            ``init`` must be ``"majority"``; gold labels are not supported there.
        y : Series or dict, default=None
            The same as ``true_labels``; give one or the other.
        true_labels : Series or dict, default=None
            Known labels of some items (a Series indexed by item or a dict; NaN/None:
            not known), clamped in EM (see the class docstring). Checked as in
            :meth:`Aggregator.fit`.

        Returns
        -------
        self
        """
        self._validate_params()
        super().fit(data, y, true_labels=true_labels)
        return self

    def _initial_posteriors(self, ann: Annotations) -> NDArray[np.float64]:
        rated = ann.ratings_per_item() > 0
        if isinstance(self.init, str):
            return np.array(_vote_shares(ann)[1], order="C")
        q0 = np.array(self.init, dtype=np.float64)
        shape = (ann.n_items, ann.n_categories)
        if q0.shape != shape:
            raise ValueError(INIT_SHAPE.format(shape, q0.shape))
        q0 = q0[rated]
        total = q0.sum(axis=1, keepdims=True) if q0.size else np.ones((0, 1))
        if not np.isfinite(q0).all() or (q0 < 0).any() or (total <= 0).any():
            raise ValueError(INIT_VALUES)
        out = np.full(shape, np.nan)
        out[rated] = q0 / total
        return out

    def _fit_dask(self, data: _dask.DaskAnnotations) -> DawidSkene:
        return _dask.fit_dawid_skene(self, data)

    def _run_em(self, sweep: Any, m_step: Any, crowdkit_objective: Any, n_ann: int,
                stacklevel: int) -> NDArray[np.float64]:
        """The EM loop and its stopping rule, shared by the in-memory and dask fits.

        ``sweep(priors)``: E-step under the current parameters (the initial posteriors
        when ``priors`` is None), keeping the M-step sums; returns the log-likelihood.
        ``m_step()``: the parameters from the kept sums (writes the confusion matrices),
        returns the priors. ``crowdkit_objective(priors)``: crowd-kit's objective of the
        last posteriors under the new parameters (summed over items). Returns the final
        priors.
        """
        crowdkit = self.stopping == "crowdkit"
        sweep(None)
        priors = m_step()
        self.log_likelihood_: list[float] = []
        self.objective_: list[float] = []
        self.converged_ = False
        previous = -np.inf
        for it in range(1, self.max_iter + 1):
            ll = sweep(priors)  # posteriors under the current parameters, and M sums
            self.log_likelihood_.append(float(ll))
            self.n_iter_ = it
            if crowdkit:  # crowd-kit re-estimates, then scores (posteriors, new parameters)
                priors = m_step()
                objective = crowdkit_objective(priors) / n_ann
            else:
                objective = ll / n_ann
            self.objective_.append(float(objective))
            change = objective - previous
            if change < self.tol:
                self.converged_ = True
                break
            previous = objective
            if not crowdkit and it < self.max_iter:
                priors = m_step()
        if not self.converged_:
            from sklearn.exceptions import ConvergenceWarning

            why = (f"last objective change {change:.3g} >= tol={self.tol:g}"
                   if np.isfinite(change) else "one iteration has no change to compare")
            warnings.warn(f"DawidSkene did not converge in max_iter={self.max_iter} "
                          f"iterations ({why}); raise max_iter or tol",
                          ConvergenceWarning, stacklevel=stacklevel)
        return priors

    def _fit(self, ann: Annotations, gold: NDArray[np.int64] | None = None
             ) -> NDArray[np.float64]:
        if not ann.has_annotators:
            raise ValueError(NEEDS_ANNOTATORS.format(type(self).__name__))
        k, r, n = ann.n_categories, ann.n_annotators, ann.n_items
        item_ptr = ann.item_ptr
        items, annot, labels = ann.item_codes, ann.annotator_codes, ann.label_codes
        used = np.zeros((r, k), dtype=np.bool_)
        used[annot, labels] = True
        n_rated = int(np.count_nonzero(ann.ratings_per_item()))
        floor = float(self.floor)
        n_ann = ann.n_annotations

        parallel = n_ann >= _k.PARALLEL_MIN_ANNOTATIONS
        em_sweep = _k._em_sweep_gold if parallel else _k._em_sweep_gold_serial
        objective_terms = (_k._crowdkit_objective_terms if parallel
                           else _k._crowdkit_objective_terms_serial)
        nb = _k.n_blocks(n, r, k)
        slabs = np.empty((nb, r, k, k))
        prior_sums = np.empty((nb, k))
        conf = np.empty((r, k, k))
        log_conf = np.empty((r, k, k))
        ll_items = np.empty(n)
        terms = np.empty(n)

        q0 = self._initial_posteriors(ann)
        if gold is None:
            gold = np.empty(0, dtype=np.int64)
        else:  # clamp the rated gold items (crowd-kit's _correct_probas_with_golden)
            known = np.flatnonzero((gold >= 0) & (ann.ratings_per_item() > 0))
            q0[known] = 0.0
            q0[known, gold[known]] = 1.0
        state = {"q": q0}

        def sweep(priors: NDArray[np.float64] | None) -> float:
            """E-step from (priors, log_conf) unless priors is None; then M-step sums."""
            e_step = priors is not None
            log_prior = _log(priors) if e_step else np.zeros(k)
            q = np.empty((n, k)) if e_step else state["q"]
            em_sweep(q, log_prior, log_conf, item_ptr, annot, labels, e_step, ll_items,
                     slabs, prior_sums, gold)
            state["q"] = q
            return float(_k._serial_sum(ll_items)) if e_step else math.nan

        def m_step() -> NDArray[np.float64]:
            return _k._finish_m_step(slabs, prior_sums, n_rated, used, floor, conf, log_conf)

        def crowdkit_objective(priors: NDArray[np.float64]) -> float:
            objective_terms(state["q"], _log(priors), log_conf, item_ptr, annot, labels,
                            floor, terms)
            return float(_k._serial_sum(terms))

        priors = self._run_em(sweep, m_step, crowdkit_objective, n_ann, stacklevel=6)
        q = state["q"]
        self.confusion_matrices_ = conf
        self.class_priors_ = pd.Series(priors, index=ann.categories, name="prior")
        self.annotator_accuracy_ = _per_annotator_mean(ann, q[items, labels])
        self.tied_ = _posterior_ties(ann, q)
        self.n_tied_ = int(self.tied_.sum())
        return q


def _log(p: NDArray[np.float64]) -> NDArray[np.float64]:
    """Natural logarithm with log(0) = -inf and no warning."""
    out = np.full(p.shape, -np.inf)
    np.log(p, out=out, where=p > 0)
    return out
