"""An aggregator for ordered labels: latent true ratings with an additive bias and a noise
level per annotator, fitted by EM."""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import logsumexp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions

from ._aggregation import NEEDS_ANNOTATORS, DawidSkene, _log, _posterior_ties
from ._aggregation_base import Aggregator
from ._container import Annotations

__all__ = ["AdditiveBias"]

#: What ``require_order`` names, and what to use for unordered labels.
ORDER_WHAT = "AdditiveBias"
ORDER_INSTEAD = "DawidSkene or MajorityVote"
NOT_CONVERGED = ("AdditiveBias did not converge in max_iter={0} iterations (last change of "
                 "the log-likelihood per annotation {1:.3g} >= tol={2:g}); raise max_iter "
                 "or tol")


def scale_values(ann: Annotations) -> tuple[NDArray[np.float64], float]:
    """The position of each category on the rating scale and the mean step between two
    neighbouring categories: the numbers themselves for numeric labels, the ranks
    ``0, 1, ..., k - 1`` otherwise (an ordered Categorical, ``categories=``, booleans)."""
    k = ann.n_categories
    v = ann.category_values if ann.is_numeric else np.arange(k, dtype=np.float64)
    return np.ascontiguousarray(v), float((v[-1] - v[0]) / (k - 1))


def log_likelihood_terms(x: NDArray[np.float64], annot: NDArray[np.int64],
                         v: NDArray[np.float64], bias: NDArray[np.float64],
                         var: NDArray[np.float64]) -> NDArray[np.float64]:
    """``log N(x_a; v_c + b_j, s2_j)`` for every annotation ``a`` (by annotator ``j``) and
    true category ``c``: shape ``(n_annotations, n_categories)``."""
    s2 = var[annot][:, None]
    r = x[:, None] - v[None, :] - bias[annot][:, None]
    return -0.5 * (np.log(2.0 * np.pi * s2) + r * r / s2)


def e_step(x: NDArray[np.float64], items: NDArray[np.int64], annot: NDArray[np.int64],
           rated: NDArray[np.bool_], v: NDArray[np.float64], log_prior: NDArray[np.float64],
           bias: NDArray[np.float64], var: NDArray[np.float64]
           ) -> tuple[NDArray[np.float64], float]:
    """Posteriors ``P(z_i = c | ratings)`` (NaN rows for unrated items) and the marginal
    log-likelihood ``sum_i log sum_c p_c prod_a N(x_a; v_c + b_j, s2_j)``."""
    n, k = len(rated), len(v)
    terms = log_likelihood_terms(x, annot, v, bias, var)
    joint = np.empty((n, k))
    for c in range(k):
        joint[:, c] = np.bincount(items, weights=terms[:, c], minlength=n)
    joint += log_prior[None, :]
    norm = logsumexp(joint[rated], axis=1)
    q = np.full((n, k), np.nan)
    q[rated] = np.exp(joint[rated] - norm[:, None])
    return q, float(norm.sum())


def m_step(q: NDArray[np.float64], x: NDArray[np.float64], items: NDArray[np.int64],
           annot: NDArray[np.int64], rated: NDArray[np.bool_], v: NDArray[np.float64],
           var: NDArray[np.float64], min_var: float
           ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The M-step as two conditional maximisations (ECM) of the expected complete-data
    log-likelihood under the constraint ``sum_j n_j b_j = 0``.

    The class priors are the mean posterior. Given the variances ``var`` of the previous
    step, the biases are ``b_j = d_j - lam * var_j`` with ``d_j`` the mean of
    ``x_a - E[v_z]`` over the annotator's ``n_j`` ratings and
    ``lam = sum_j n_j d_j / sum_j n_j var_j`` (the Lagrange multiplier of the
    constraint); given the biases, the variances are the means of
    ``E[(x_a - v_z - b_j)^2]``, floored at ``min_var``. NaN bias and variance for
    annotators without ratings.
    """
    r = len(var)
    prior = q[rated].mean(axis=0)
    n_j = np.bincount(annot, minlength=r).astype(np.float64)
    has = n_j > 0
    qa = q[items]
    d = np.bincount(annot, weights=x - qa @ v, minlength=r)[has] / n_j[has]
    lam = (n_j[has] * d).sum() / (n_j[has] * var[has]).sum()
    bias = np.full(r, np.nan)
    bias[has] = d - lam * var[has]
    res = x[:, None] - v[None, :] - bias[annot][:, None]
    sq = np.bincount(annot, weights=(qa * res * res).sum(axis=1), minlength=r)
    new_var = np.full(r, np.nan)
    new_var[has] = np.maximum(sq[has] / n_j[has], min_var)
    return prior, bias, new_var


class AdditiveBias(Aggregator):
    """Ordered labels with an additive bias and a noise level per annotator, fitted by EM.

    Each item ``i`` has a latent true category ``z_i`` (prior ``p``) at position ``v_z``
    on the rating scale. Annotator ``j`` reports the position ``x_ij = v_{z_i} + b_j +
    e_ij`` with ``e_ij ~ N(0, s_j^2)`` independent: ``b_j`` is the annotator's bias (a
    rater who rates everything one step higher has ``b_j`` near +1) and ``s_j`` their
    noise. This is the rater model of Piech et al. (2013, model PG1,
    ``z ~ N(s_u + b_v, 1/tau_v)``) with the true score restricted to the categories of
    the scale, as the true class is in Dawid & Skene (1979). EM: the E-step computes the
    posterior ``P(z_i = c) ~ p_c prod_j N(x_ij; v_c + b_j, s_j^2)`` exactly (in log
    space); the M-step is closed-form, in two conditional maximisations (ECM, Meng &
    Rubin 1993, so the likelihood never falls): ``p`` = mean posterior; given the
    previous variances, ``b_j = d_j - lam * s_j^2`` with ``d_j`` the mean of
    ``x_ij - E[v_{z_i}]`` over the annotator's ratings and ``lam`` the multiplier of the
    constraint ``sum_j n_j b_j = 0`` (``n_j``: the annotator's number of ratings); then
    ``s_j^2`` = mean of ``E[(x_ij - v_{z_i} - b_j)^2]``, floored at
    ``min_variance * step^2``. The first M-step uses variances of one step^2.

    The constraint says that the crowd as a whole is unbiased: the biases are relative
    to the average rater (weighted by ratings). Without it the location is not
    identified: shifting every true rating one step down and every bias one step up
    fits equally well whenever an end category is empty, and EM drifts there.

    Positions: numeric labels are their own positions (so uneven spacing counts, and
    ``annotator_bias_`` is in the labels' units); other ordered labels (an ordered
    ``pandas.Categorical``, ``categories=`` given to :meth:`Annotations.from_long`,
    booleans) are placed at their ranks ``0, 1, ..., k - 1``. Labels without an order
    raise ``ValueError`` (three or more categories). Only the categories present in the
    data are candidate true ratings.

    Parameters
    ----------
    max_iter : int, default=100
        Largest number of EM iterations (E-step + M-step), >= 1. A
        ``sklearn.exceptions.ConvergenceWarning`` is emitted when it is reached first.
    tol : float, default=1e-6
        Stop when the marginal log-likelihood per annotation rises by less than ``tol``
        (EM never lowers it); >= 0.
    init : "majority" or array-like of shape (n_items, n_categories), default="majority"
        Starting posteriors, as in :class:`DawidSkene`: the vote shares, or one row of
        non-negative weights per item (normalised).
    min_variance : float, default=0.01
        Floor of every ``s_j^2``, in units of the squared mean step between neighbouring
        categories; > 0. It keeps an annotator who agrees exactly with the current
        estimate (for example one with a single rating) from getting zero variance and an
        infinite likelihood.

    Attributes
    ----------
    probas_ : DataFrame of shape (n_items, n_categories)
        Posterior probability of each true category; NaN rows for items without
        annotations.
    labels_ : Series of shape (n_items,)
        Maximum-posterior category (first in category order on exact ties).
    scores_ : Series of shape (n_items,)
        Posterior mean position ``E[v_z]`` of each item (on the scale of the numbers, or
        of the ranks); NaN for items without annotations.
    annotator_bias_ : Series of shape (n_annotators,)
        ``b_j`` (positive: rates higher than the crowd's average rater; the biases
        average zero over the ratings); NaN for annotators without annotations.
    annotator_noise_ : Series of shape (n_annotators,)
        ``s_j``, the standard deviation of the annotator's ratings around truth + bias.
    class_priors_ : Series of shape (n_categories,)
        ``p``, indexed by category.
    tied_ : Series of shape (n_items,), bool
        True where two or more categories share the largest posterior (within 1e-9).
    n_tied_ : int
        Number of tied items.
    log_likelihood_ : list of float
        Marginal log-likelihood (total) at each iteration's E-step.
    n_iter_ : int
        E-steps run.
    converged_ : bool
        False when ``max_iter`` was reached first.
    classes_, n_items_, n_annotators_
        See :class:`Aggregator`.

    Notes
    -----
    C. Piech, J. Huang, Z. Chen, C. Do, A. Ng and D. Koller (2013), "Tuned Models of Peer
    Assessment in MOOCs", Proc. 6th International Conference on Educational Data Mining,
    arXiv:1307.2579 (model PG1). A. P. Dawid and A. M. Skene (1979), J. R. Stat. Soc. C
    28(1):20-28 (the EM over a discrete latent true class).

    Differences from PG1 as published: the true score takes the values of the scale's
    categories, not any real number, so the fit gives a distribution over the categories
    (``probas_``); the parameters are maximum-likelihood estimates by EM, without PG1's
    normal prior on the biases and gamma prior on the reliabilities ``tau = 1/s^2``
    (the paper samples the posterior by Gibbs sampling); the variance floor replaces
    those priors' regularisation. The rating's discreteness and the ends of the scale
    are not modelled (a Gaussian residual is). Gold labels (``true_labels``) are not
    supported. The sum-zero constraint stands in for PG1's zero-mean prior on the
    biases; a crowd that is biased as a whole cannot be detected from ratings alone.
    With many ratings per annotator, :class:`DawidSkene` (a full confusion matrix per
    annotator, which also captures the clipping at the ends of the scale) can be more
    accurate; this model needs two parameters per annotator instead of
    ``k * (k - 1)`` and wins when annotators rate few items.

    Each iteration costs O(n_annotations * n_categories) time and memory (NumPy).

    Examples
    --------
    >>> import pandas as pd
    >>> from multiplicity.annotation import Annotations
    >>> df = pd.DataFrame({"item": [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3],
    ...                    "annotator": ["a", "b", "c"] * 4,
    ...                    "label": [1, 2, 1, 2, 3, 2, 3, 4, 3, 4, 5, 4]})
    >>> ab = AdditiveBias().fit(Annotations.from_long(df))
    >>> ab.labels_.tolist()
    [1, 2, 3, 4]
    >>> ab.annotator_bias_.round(2).tolist()  # b rates one step above a and c
    [-0.33, 0.67, -0.33]
    """

    _parameter_constraints: ClassVar[dict] = {
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "init": [StrOptions({"majority"}), "array-like"],
        "min_variance": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, max_iter: int = 100, tol: float = 1e-6,
                 init: Literal["majority"] | ArrayLike = "majority", *,
                 min_variance: float = 0.01) -> None:
        self.max_iter = max_iter
        self.tol = tol
        self.init = init
        self.min_variance = min_variance

    def _fit(self, ann: Annotations) -> NDArray[np.float64]:
        self._validate_params()
        ann.require_order(ORDER_WHAT, ORDER_INSTEAD)
        if not ann.has_annotators:
            raise ValueError(NEEDS_ANNOTATORS.format(type(self).__name__))
        q = DawidSkene(init=self.init)._initial_posteriors(ann)
        v, step = scale_values(ann)
        min_var = float(self.min_variance) * step * step
        items, annot = ann.item_codes, ann.annotator_codes
        x = v[ann.label_codes]
        rated = ann.ratings_per_item() > 0
        n_ann = ann.n_annotations
        var = np.full(ann.n_annotators, step * step)  # starting variances: one step
        self.log_likelihood_: list[float] = []
        self.converged_ = False
        previous, change = -np.inf, np.inf
        for it in range(1, int(self.max_iter) + 1):
            prior, bias, var = m_step(q, x, items, annot, rated, v, var, min_var)
            q, ll = e_step(x, items, annot, rated, v, _log(prior), bias, var)
            self.log_likelihood_.append(ll)
            self.n_iter_ = it
            change = ll / n_ann - previous
            if change < self.tol:
                self.converged_ = True
                break
            previous = ll / n_ann
        if not self.converged_:
            warnings.warn(NOT_CONVERGED.format(self.max_iter, change, self.tol),
                          ConvergenceWarning, stacklevel=4)
        self.annotator_bias_ = pd.Series(bias, index=ann.annotators, name="bias")
        self.annotator_noise_ = pd.Series(np.sqrt(var), index=ann.annotators, name="noise")
        self.class_priors_ = pd.Series(prior, index=ann.categories, name="prior")
        self.scores_ = pd.Series(q @ v, index=ann.items, name="score")
        self.tied_ = _posterior_ties(ann, q)
        self.n_tied_ = int(self.tied_.sum())
        return q
