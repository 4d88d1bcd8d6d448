"""GLAD and MACE: label aggregation with annotator abilities, item difficulties and spammers.

Both follow crowd-kit's parameterisation, initialisation, priors and stopping rules (the
differences are listed in each class's Notes), with the E- and M-steps in Numba kernels over
the long annotation arrays (:mod:`._glad_mace_kernels`).
"""

from __future__ import annotations

from numbers import Real
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import expit

from .._checks import check_int
from . import _glad_mace_kernels as _k
from ._aggregation import _per_annotator_mean, _posterior_ties
from ._aggregation_base import Aggregator
from ._container import Annotations

__all__ = ["GLAD", "MACE"]


def _check_real(value: Any, name: str, *, positive: bool) -> float:
    ok = isinstance(value, Real) and not isinstance(value, bool) and np.isfinite(value)
    if not ok or (value <= 0 if positive else value < 0):
        raise ValueError(f"{name} must be a finite number {'> 0' if positive else '>= 0'}, "
                         f"got {value!r}")
    return float(value)


def _check_annotator_ids(ann: Annotations, name: str) -> None:
    if not ann.has_annotators:
        raise ValueError(f"{name} needs annotator identities; data built with from_counts "
                         "has none")


def _per_entity(value: Any, index: pd.Index, name: str) -> NDArray[np.float64]:
    """A scalar, or one finite value per entry of ``index`` (a Series is aligned by label)."""
    if isinstance(value, pd.Series):
        missing = index.difference(value.index)
        if len(missing):
            raise ValueError(f"{name} has no value for {list(missing[:5])}")
        arr = value.reindex(index).to_numpy(dtype=np.float64)
    else:
        arr = np.asarray(value, dtype=np.float64)
        if arr.ndim == 0:
            arr = np.full(len(index), float(arr))
        elif arr.shape != (len(index),):
            raise ValueError(f"{name} must be a number or have {len(index)} values, got "
                             f"shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite")
    return np.ascontiguousarray(arr)


def _unrated_to_nan(ann: Annotations, P: NDArray[np.float64]) -> NDArray[np.float64]:
    P[np.diff(ann.item_ptr) == 0] = np.nan
    return P


def _clamp(P: NDArray[np.float64], gold: NDArray[np.int64] | None) -> NDArray[np.float64]:
    """``P`` with the rows of the gold items (``gold >= 0``) one-hot on their gold label."""
    if gold is not None:
        rows = np.flatnonzero(gold >= 0)
        P[rows] = 0.0
        P[rows, gold[rows]] = 1.0
    return P


class GLAD(Aggregator):
    """GLAD: annotator abilities and item difficulties (Whitehill et al. 2009).

    Annotator ``j`` labels item ``i`` correctly with probability
    ``sigmoid(alpha_j * beta_i)``, where ``alpha_j`` in ``(-inf, inf)`` is the annotator's
    ability (negative: adversarial) and ``beta_i = exp(b_i) > 0`` the item's inverse
    difficulty; a wrong label is one of the other ``k - 1`` categories uniformly. The true
    labels have fixed prior ``class_priors``. EM: the E-step computes the posterior of every
    item's label, the M-step maximises the expected complete log-likelihood plus the
    standard normal log-priors ``log N(alpha_j - alpha_prior_mean)`` and
    ``log N(b_i - beta_prior_mean)`` by conjugate gradients (scipy's ``CG`` with a Numba
    objective and gradient).

    Gold labels (``fit(data, true_labels=...)``): after every E-step, including the final
    one, the posterior of a gold item is replaced by one-hot on its known label, so in
    the M-step its annotations count as certainly right or certainly wrong: they inform
    the abilities of its annotators and its own difficulty. Nothing else is clamped (the
    abilities, difficulties and ``class_priors`` stay as they are); the objective in
    ``log_likelihood_history_`` is Q under the clamped posteriors.

    Parameters
    ----------
    max_iter : int, default=100
        Maximum number of EM iterations (crowd-kit's ``n_iter``).
    tol : float, default=1e-5
        Stop when the objective (Q divided by ``n_annotations * n_categories``, as in
        crowd-kit) improves by less than ``tol`` (including when it decreases).
    class_priors : array-like of shape (n_categories,), default=None
        Fixed prior of the true labels, in category order; None means uniform.
    alpha_prior_mean : float or array-like of shape (n_annotators,), default=1.0
        Mean of the normal prior (standard deviation 1) on the abilities; also their
        starting value is 1. A Series is aligned on annotator names.
    beta_prior_mean : float or array-like of shape (n_items,), default=1.0
        Mean of the normal prior on ``b_i = log(beta_i)``. A Series is aligned on items.
    m_step_max_iter : int, default=25
        Maximum conjugate-gradient iterations per M-step.
    m_step_tol : float, default=1e-2
        ``tol`` of ``scipy.optimize.minimize(method="CG")`` in the M-step.

    Attributes
    ----------
    skills_ : Series of shape (n_annotators,)
        The abilities ``alpha_j``, indexed by annotator (crowd-kit's ``alphas_``).
    betas_ : Series of shape (n_items,)
        ``b_i = log(beta_i)``, the log inverse difficulty, indexed by item (crowd-kit's
        ``betas_``).
    difficulties_ : Series of shape (n_items,)
        ``1 / beta_i = exp(-b_i)``: larger means harder (the paper's difficulty).
    annotator_accuracy_ : Series of shape (n_annotators,)
        The model's probability that the annotator labels correctly, averaged over the
        items they labelled: the mean of ``sigmoid(alpha_j * beta_i)`` over annotator
        ``j``'s annotations (one term per annotation, so a harder item lowers it). It
        uses the fitted abilities and difficulties only, not the posteriors. NaN for
        annotators without annotations.
    tied_ : Series of shape (n_items,), bool
        True where two or more categories share the largest posterior (within 1e-9), so
        that ``labels_`` is the first of them in category order; indexed by item.
    n_tied_ : int
        Number of tied items.
    log_likelihood_history_ : list of float
        The objective after each iteration (crowd-kit's ``loss_history_``: expected
        complete-data log-likelihood plus log-priors, divided by
        ``n_annotations * n_categories``; larger is better).
    n_iter_ : int
        EM iterations run.
    probas_, labels_, classes_, gold_, n_gold_, n_items_, n_annotators_
        See :class:`Aggregator`.

    Notes
    -----
    J. Whitehill, P. Ruvolo, T. Wu, J. Bergsma and J. Movellan (2009). Whose vote should
    count more: optimal integration of labels from labelers of unknown expertise. NeurIPS.

    Differences from crowd-kit's ``GLAD`` (1.4): ``probas_`` come from a final E-step with
    the fitted parameters (crowd-kit reports the posteriors of the E-step *before* its last
    M-step, so its ``probas_`` lag its ``alphas_``/``betas_`` by one step); the first
    iteration is compared with minus infinity (crowd-kit compares it with the unnormalised
    starting Q, which has the same effect); categories are sorted (crowd-kit keeps them in
    order of first appearance); items without annotations get NaN rows. The E-step and the
    objective are the same formulas, so the fits agree to about 1e-6 (see the tests).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item": [0, 0, 0, 1, 1, 1, 2, 2, 2],
    ...                    "annotator": ["a", "b", "c"] * 3,
    ...                    "label": [1, 1, 0, 0, 0, 0, 1, 1, 1]})
    >>> glad = GLAD().fit(Annotations.from_long(df))
    >>> glad.labels_.tolist()
    [1, 0, 1]
    >>> bool(glad.skills_["a"] > glad.skills_["c"])
    True
    """

    def __init__(self, max_iter: int = 100, tol: float = 1e-5,
                 class_priors: ArrayLike | None = None, alpha_prior_mean: Any = 1.0,
                 beta_prior_mean: Any = 1.0, m_step_max_iter: int = 25,
                 m_step_tol: float = 1e-2) -> None:
        self.max_iter = max_iter
        self.tol = tol
        self.class_priors = class_priors
        self.alpha_prior_mean = alpha_prior_mean
        self.beta_prior_mean = beta_prior_mean
        self.m_step_max_iter = m_step_max_iter
        self.m_step_tol = m_step_tol

    def _log_prior(self, k: int) -> NDArray[np.float64]:
        if self.class_priors is None:
            return np.full(k, -np.log(k))
        p = np.asarray(self.class_priors, dtype=np.float64)
        if p.shape != (k,) or not np.isfinite(p).all() or (p <= 0).any() \
                or abs(p.sum() - 1.0) > 1e-6:
            raise ValueError(f"class_priors must be {k} positive numbers summing to 1 (one "
                             f"per category), got {self.class_priors!r}")
        return np.log(p / p.sum())

    _uses_gold: ClassVar[bool] = True

    def _fit(self, ann: Annotations, gold: NDArray[np.int64] | None = None
             ) -> NDArray[np.float64]:
        max_iter = check_int(self.max_iter, "max_iter", 1)
        tol = _check_real(self.tol, "tol", positive=False)
        m_iter = check_int(self.m_step_max_iter, "m_step_max_iter", 1)
        m_tol = _check_real(self.m_step_tol, "m_step_tol", positive=True)
        _check_annotator_ids(ann, "GLAD")
        k = ann.n_categories
        log_prior = self._log_prior(k)
        mu_a = _per_entity(self.alpha_prior_mean, ann.annotators, "alpha_prior_mean")
        mu_b = _per_entity(self.beta_prior_mean, ann.items, "beta_prior_mean")
        annot, lab, ptr = ann.annotator_codes, ann.label_codes, ann.item_ptr
        n_ann = ann.n_annotators
        x = np.ones(n_ann + ann.n_items)
        scale = float(len(lab) * k)
        history: list[float] = []
        last = -np.inf
        for _ in range(max_iter):
            post = _clamp(_k._glad_e_step(ptr, annot, lab, log_prior, x[:n_ann], x[n_ann:]),
                          gold)
            res = minimize(_k._glad_objective, x, jac=True, method="CG", tol=m_tol,
                           args=(ptr, annot, lab, post, k, mu_a, mu_b),
                           options={"maxiter": m_iter, "disp": False})
            x = np.ascontiguousarray(res.x)
            q = -float(_k._glad_objective(x, ptr, annot, lab, post, k, mu_a, mu_b)[0]) / scale
            history.append(q if np.isfinite(q) else -np.inf)
            if history[-1] - last < tol:
                break
            last = history[-1]
        self.n_iter_ = len(history)
        self.log_likelihood_history_ = history
        self.skills_ = pd.Series(x[:n_ann], index=ann.annotators, name="skill")
        self.betas_ = pd.Series(x[n_ann:], index=ann.items, name="beta")
        self.difficulties_ = pd.Series(np.exp(-x[n_ann:]), index=ann.items,
                                       name="difficulty")
        post = _unrated_to_nan(ann, _clamp(_k._glad_e_step(ptr, annot, lab, log_prior,
                                                           x[:n_ann], x[n_ann:]), gold))
        # P(correct) of every annotation: sigmoid(alpha_j * beta_i), beta_i = exp(b_i)
        correct = expit(x[annot] * np.exp(x[n_ann:][ann.item_codes]))
        self.annotator_accuracy_ = _per_annotator_mean(ann, correct)
        self.tied_ = _posterior_ties(ann, post)
        self.n_tied_ = int(self.tied_.sum())
        return post


class MACE(Aggregator):
    """MACE: Multi-Annotator Competence Estimation (Hovy et al. 2013).

    The true label of every item is uniform over the categories. Annotator ``j`` answers
    knowingly (the true label) with probability ``theta_j``, and otherwise spams: draws a
    label from their strategy distribution ``xi_j``. Fitted by EM (``method="em"``, with
    additive ``smoothing``) or by variational Bayes (``method="vb"``, with a
    ``Beta(alpha, beta)`` prior on spamming/knowing and a symmetric
    ``Dirichlet(strategy_prior)`` prior on ``xi_j``), from ``n_restarts`` random starts,
    keeping the run with the largest log marginal likelihood.

    Gold labels (``fit(data, true_labels=...)``): in every E-step of every run the
    posterior of a gold item is one-hot on its known label ``g``, and so are the
    spamming indicators of its annotations: an annotation with a label other than ``g``
    was spammed (probability of knowing 0), one with label ``g`` was given knowingly with
    probability ``theta_j / (theta_j + (1 - theta_j) xi_j[g])`` (its weights, for
    ``"vb"``). The M-steps then use these counts; the log-likelihoods become the joint
    log-probability of the labels and the gold labels.

    Parameters
    ----------
    n_restarts : int, default=10
        Random starts; each draws new starting weights from ``random_state``.
    max_iter : int, default=50
        Rounds of (M-step, E-step) per start (crowd-kit's ``n_iter``).
    tol : float, default=0.0
        Stop a run early when the log marginal likelihood changes by less than ``tol``;
        0 runs all ``max_iter`` rounds, as crowd-kit does.
    method : {"vb", "em"}, default="vb"
    alpha, beta : float, default=0.5
        Beta prior pseudo-counts of spamming (``alpha``) and knowing (``beta``), for "vb".
    strategy_prior : float, default=10.0
        Symmetric Dirichlet pseudo-count of each category in ``xi_j``, for "vb".
    smoothing : float, default=None
        Added to the expected counts in the "em" M-step; None means
        ``0.01 / n_categories`` (what crowd-kit uses, whatever its ``smoothing``).
    default_noise : float, default=0.5
        Starting weights are uniform on ``[1, 2 + default_noise]``, then normalised.
    random_state : int, Generator or None, default=None

    Attributes
    ----------
    competence_ : Series of shape (n_annotators,)
        ``theta_j``: probability of answering knowingly, indexed by annotator.
    spamming_ : Series of shape (n_annotators,)
        ``1 - theta_j``.
    strategies_ : DataFrame of shape (n_annotators, n_categories)
        ``xi_j``: the label distribution when spamming (rows sum to 1).
    annotator_accuracy_ : Series of shape (n_annotators,)
        The model's probability that the annotator's label is the true one, averaged over
        their annotations: on item ``i`` it is ``theta_j + (1 - theta_j) * sum_c
        probas_[i, c] * xi_j[c]`` (answering knowingly, or spamming and hitting the true
        label by chance, the true label drawn from the item's posterior). It is at least
        ``competence_``: a spammer who always gives the most common label is right
        whenever that label is. NaN for annotators without annotations.
    tied_ : Series of shape (n_items,), bool
        True where two or more categories share the largest posterior (within 1e-9), so
        that ``labels_`` is the first of them in category order; indexed by item.
    n_tied_ : int
        Number of tied items.
    log_likelihood_ : float
        Log marginal likelihood of the kept run (last E-step).
    log_likelihood_history_ : list of float
        Log marginal likelihood after each round of the kept run.
    restart_log_likelihoods_ : ndarray of shape (n_restarts,)
    n_iter_ : int
        Rounds run by the kept run.
    probas_, labels_, classes_, gold_, n_gold_, n_items_, n_annotators_
        See :class:`Aggregator`.

    Notes
    -----
    D. Hovy, T. Berg-Kirkpatrick, A. Vaswani and E. Hovy (2013). Learning whom to trust
    with MACE. NAACL-HLT, 1120-1130.

    With ``method="vb"`` the weights are ``exp(E[log w])`` (they do not sum to 1; the
    E-step uses them as they are, as crowd-kit and the MACE reference code do);
    ``competence_``, ``spamming_`` and ``strategies_`` report them normalised.

    Differences from crowd-kit's ``MACE`` (1.4): every restart draws new starting weights
    (crowd-kit seeds every restart with the same ``random_state``, so its restarts repeat
    one run); the E-step works in logs (no underflow on items with many labels; crowd-kit
    multiplies probabilities and adds 1e-8 inside the log-likelihood); crowd-kit indexes its
    strategy counts by sorted annotator and label names but reads them by order of first
    appearance, which mixes annotators up unless the two orders agree. Started from the
    same weights on data where they agree, the two give the same posteriors to about 1e-9.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item": [0, 0, 0, 1, 1, 1, 2, 2, 2],
    ...                    "annotator": ["a", "b", "c"] * 3,
    ...                    "label": [1, 1, 0, 0, 0, 0, 1, 1, 1]})
    >>> mace = MACE(random_state=0).fit(Annotations.from_long(df))
    >>> mace.labels_.tolist()
    [1, 0, 1]
    """

    def __init__(self, n_restarts: int = 10, max_iter: int = 50, tol: float = 0.0,
                 method: Literal["vb", "em"] = "vb", alpha: float = 0.5, beta: float = 0.5,
                 strategy_prior: float = 10.0, smoothing: float | None = None,
                 default_noise: float = 0.5, random_state: Any = None) -> None:
        self.n_restarts = n_restarts
        self.max_iter = max_iter
        self.tol = tol
        self.method = method
        self.alpha = alpha
        self.beta = beta
        self.strategy_prior = strategy_prior
        self.smoothing = smoothing
        self.default_noise = default_noise
        self.random_state = random_state

    def _initial_weights(self, rng: np.random.Generator, n_annotators: int,
                         n_categories: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Starting ``(spam_know (n_annotators, 2), strategies (n_annotators, k))``."""
        hi = 2.0 + self.default_noise
        sk = rng.uniform(1.0, hi, (n_annotators, 2))
        st = rng.uniform(1.0, hi, (n_annotators, n_categories))
        return sk / sk.sum(axis=1, keepdims=True), st / st.sum(axis=1, keepdims=True)

    _uses_gold: ClassVar[bool] = True

    def _fit(self, ann: Annotations, gold: NDArray[np.int64] | None = None
             ) -> NDArray[np.float64]:
        n_restarts = check_int(self.n_restarts, "n_restarts", 1)
        max_iter = check_int(self.max_iter, "max_iter", 1)
        tol = _check_real(self.tol, "tol", positive=False)
        if self.method not in ("vb", "em"):
            raise ValueError(f"method must be 'vb' or 'em', got {self.method!r}")
        alpha = _check_real(self.alpha, "alpha", positive=True)
        beta = _check_real(self.beta, "beta", positive=True)
        strategy_prior = _check_real(self.strategy_prior, "strategy_prior", positive=True)
        k = ann.n_categories
        smoothing = 0.01 / k if self.smoothing is None else \
            _check_real(self.smoothing, "smoothing", positive=True)
        _check_real(self.default_noise, "default_noise", positive=False)
        _check_annotator_ids(ann, "MACE")
        rng = np.random.default_rng(self.random_state)
        ptr, annot, lab = ann.item_ptr, ann.annotator_codes, ann.label_codes
        clamped = np.empty(0, dtype=np.int64) if gold is None else gold
        best = None
        lls = np.empty(n_restarts)
        for r in range(n_restarts):
            sk, st = self._initial_weights(rng, ann.n_annotators, k)
            spam = np.ascontiguousarray(sk[:, 0])
            know = np.ascontiguousarray(sk[:, 1])
            st = np.array(st, dtype=np.float64, order="C")  # the kernel updates it
            post, hist, n_iter = _k._mace_run(ptr, annot, lab, spam, know, st,
                                              self.method == "vb", smoothing, alpha, beta,
                                              strategy_prior, max_iter, tol, clamped)
            lls[r] = hist[n_iter - 1]
            if best is None or lls[r] > lls[best[0]]:
                best = (r, post, hist[:n_iter].tolist(), n_iter, spam, know, st)
        assert best is not None
        _, post, hist, n_iter, spam, know, st = best
        self.restart_log_likelihoods_ = lls
        self.log_likelihood_ = float(hist[-1])
        self.log_likelihood_history_ = hist
        self.n_iter_ = int(n_iter)
        theta = know / (know + spam)
        self.competence_ = pd.Series(theta, index=ann.annotators, name="competence")
        self.spamming_ = pd.Series(1.0 - theta, index=ann.annotators, name="spamming")
        xi = st / st.sum(axis=1, keepdims=True)
        self.strategies_ = pd.DataFrame(xi, index=ann.annotators, columns=ann.categories)
        post = _unrated_to_nan(ann, post)
        # P(label correct) of every annotation: knowing, or spamming onto the true label
        hit = np.einsum("ac,ac->a", post[ann.item_codes], xi[annot])
        correct = theta[annot] + (1.0 - theta[annot]) * hit
        self.annotator_accuracy_ = _per_annotator_mean(ann, correct)
        self.tied_ = _posterior_ties(ann, post)
        self.n_tied_ = int(self.tied_.sum())
        return post
