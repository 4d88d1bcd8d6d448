"""DropoutExplorer: sample a Rashomon set around a fitted MLP by dropping hidden units.

The explorer (masks drawn, losses measured, candidates filtered); the network's arrays,
its forward passes and its members are in :mod:`._network`.
"""

from __future__ import annotations

from collections.abc import Iterator
from numbers import Integral, Real
from typing import Any, ClassVar, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from .. import _errors
from .._checks import check_epsilon, resolve_seed
from .._parallel import numba_threads
from .._validation import align_to
from ._explorer import _BaseExplorer
from ._losses import LOSSES
from ._network import (
    DropoutMember,
    Network,
    _members_iter_proba,
    _members_predict_codes,
    auto_step,
    check_step,
    check_X,
    draw_masks,
    mask_losses,
    n_rows,
    unwrap_mlp,
)
from ._set import RashomonSet

__all__ = [
    "DropoutExplorer",
    "DropoutMember",
]

KINDS = ("bernoulli", "gaussian")


# ------------------------------------------------------------------------ input checks
def _check_labels(y: Any, name: str) -> NDArray:
    """Labels as a 1-D array (a column vector is flattened)."""
    y_arr = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if y_arr.ndim == 2 and y_arr.shape[1] == 1:
        y_arr = y_arr.ravel()
    if y_arr.ndim != 1:
        raise ValueError(_errors.NOT_1D.format(name=name, shape=y_arr.shape))
    return y_arr


def _encode(y: NDArray, classes: NDArray, name: str) -> NDArray[np.int64]:
    """Index of each label of ``y`` in the network's sorted ``classes``."""
    try:
        idx = np.clip(np.searchsorted(classes, y), 0, len(classes) - 1)
        known = classes[idx] == y
    except TypeError:  # labels that do not compare with the classes (str vs int)
        known = np.zeros(len(y), dtype=bool)
        idx = np.zeros(len(y), dtype=np.intp)
    if not np.all(known):
        bad = y[~np.asarray(known, dtype=bool)][0]
        raise ValueError(f"{name} contains the label {bad!r}, which the network was not "
                         f"trained on (classes_ = {list(classes)})")
    return idx.astype(np.int64)


# ---------------------------------------------------------------------------- profile
class _BatchedSetView:
    """A RashomonSet of DropoutMembers seen through the batched kernels.

    Offers what :meth:`MultiplicityProfile.from_set` reads (``classes_``,
    ``baseline_index_``, ``len``, ``has_predict_proba``, ``predict_codes``, ``iter_proba``)
    with one kernel call per chunk for all members; any other attribute is the set's.
    """

    has_predict_proba = True

    def __init__(self, rset: RashomonSet, n_jobs: int | None) -> None:
        self.rset = rset
        self.classes_ = rset.classes_
        self.baseline_index_ = rset.baseline_index_
        self.n_jobs = n_jobs

    def __len__(self) -> int:
        return len(self.rset)

    def __getattr__(self, name: str) -> Any:  # anything else: the set's own attribute
        return getattr(self.__dict__["rset"], name)

    def predict_codes(self, X: Any, *, chunk_size: int | None = None) -> NDArray[np.integer]:
        return _members_predict_codes(self.rset.models_, X, chunk_size=chunk_size,
                                     n_jobs=self.n_jobs)

    def iter_proba(self, X: Any, *, chunk_size: int | None = None
                   ) -> Iterator[tuple[int, NDArray[np.float64]]]:
        return _members_iter_proba(self.rset.models_, X, chunk_size=chunk_size,
                                  n_jobs=self.n_jobs)


# ------------------------------------------------------------------------- explorer
class DropoutExplorer(_BaseExplorer):
    """Sample a Rashomon set around a fitted neural network by dropping hidden units.

    Following Hsu, Li, Hu and Chen (2024), ``fit`` draws ``n_models - 1`` random masks
    over the hidden units of an already fitted ``MLPClassifier``; each mask defines a
    fixed perturbed network (the same weights, every hidden activation multiplied by
    its mask entry for every sample), obtained without any retraining. Candidate 0 is
    the original network itself (a mask of ones): it is the baseline ``h0``. Candidates
    whose loss is within ``epsilon`` of the baseline's are kept:
    ``S = {h : L(h) <= L(h0) + epsilon}`` (``epsilon_mode="absolute"``) or
    ``L(h) <= L(h0) * (1 + epsilon)`` (``"relative"``), with ``<=``. The loss is
    measured on the data given to ``fit``, or on ``rashomon_data`` when given.

    Parameters
    ----------
    estimator : MLPClassifier
        A fitted single-label ``sklearn.neural_network.MLPClassifier`` with at least one
        hidden layer (binary or multiclass, any hidden activation), or a
        ``sklearn.frozen.FrozenEstimator`` around one. It is used as is, never refitted
        or modified. Note that ``clone(explorer)`` clones a bare network into an
        unfitted one (then ``fit`` raises ``NotFittedError``); wrap it in a
        ``FrozenEstimator`` to keep it fitted across ``clone`` (e.g. in a grid search).
    n_models : int, default=1000
        Number of candidates, including the original network (candidate 0): ``n_models -
        1`` masks are sampled.
    p : float in [0, 1), default=0.1
        Dropout rate. ``kind="bernoulli"``: every hidden unit is dropped with
        probability ``p``. ``kind="gaussian"``: the noise variance is ``p / (1 - p)``.
        ``p=0`` gives ``n_models`` copies of the original network.
    kind : {"bernoulli", "gaussian"}, default="bernoulli"
        ``"bernoulli"``: inverted dropout, the multiplier is ``1 / (1 - p)`` for a kept
        unit and 0 for a dropped one, so every unit's expected activation is unchanged.
        ``"gaussian"``: the multiplier is ``N(1, p / (1 - p))`` (Gaussian dropout, the
        same mean and variance as Bernoulli dropout at rate ``p``; Srivastava et al.
        2014). Each unit's multiplier is drawn independently.
    epsilon : float, default=0.01
        Rashomon parameter, >= 0.
    epsilon_mode : {"absolute", "relative"}, default="absolute"
        ``L(h) <= L(h0) + epsilon`` or ``L(h) <= L(h0) * (1 + epsilon)``.
    loss : {"zero_one", "log_loss", "brier"}, default="zero_one"
        The loss that defines the set, as in :meth:`RashomonSet.from_models`:
        misclassification rate, mean negative log-likelihood (probabilities clipped to
        ``[eps, 1 - eps]`` like ``sklearn.metrics.log_loss``), or mean over samples of
        ``sum_c (p_c - 1[y = c])**2``.
    rashomon_data : tuple (X_val, y_val), default=None
        Data the losses (and so the set) are measured on; None uses the data given to
        ``fit``.
    random_state : int, RandomState instance or None, default=None
        Source of the masks. One 32-bit seed (``seed_``) is chosen: the int itself, a
        draw from a RandomState instance, or fresh OS entropy for None. Mask ``i >= 1``
        is drawn from ``np.random.default_rng(np.random.SeedSequence(seed_).spawn(
        n_models - 1)[i - 1])``, so it depends only on ``seed_`` and ``i`` (not on
        ``n_jobs`` or on ``n_models``: a larger run extends a smaller one).
    n_jobs : int, default=None
        Numba threads for the loss and prediction kernels (None: leave Numba's setting;
        -1: all cores). Results do not depend on it.
    chunk_size : int, default=None
        Samples per chunk when the losses are computed (memory: ``chunk_size *
        hidden_layer_sizes[0]`` floats); default about 8M values per chunk.

    Attributes
    ----------
    rashomon_set_ : RashomonSet
        The candidates within epsilon of the original network, in candidate order; the
        original network is member 0 (``rashomon_set_.baseline_index_ == 0``). The
        members are :class:`DropoutMember` objects sharing one copy of the weights.
    candidate_models_ : list of DropoutMember
        All ``n_models`` candidates.
    masks_ : ndarray of shape (n_models, n_hidden_units)
        The multiplier of every hidden unit (layers in order) for every candidate; row 0
        is all ones.
    candidate_losses_ : ndarray of shape (n_models,)
        Loss of each candidate on the data the set is defined on.
    baseline_index_ : int
        Always 0: the original network.
    baseline_estimator_ : DropoutMember
        Candidate 0 (the original network); ``predict`` and ``predict_proba`` use it.
    estimator_ : MLPClassifier
        The network (unwrapped from a ``FrozenEstimator``).
    seed_ : int
        The seed all masks were derived from.
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when the network was fitted on a DataFrame.

    See Also
    --------
    RetrainingExplorer : Explore the set by retraining (slower, any learner).
    RashomonSet.from_models : Filter a pool of fitted models.

    Notes
    -----
    Hsu, Li, Hu and Chen (2024), "Dropout-Based Rashomon Set Exploration for Efficient
    Predictive Multiplicity Estimation", ICLR, show that dropout perturbations of a
    trained network reach models of near-identical loss, and bound the loss deviation in
    terms of the dropout rate; sampling masks replaces hundreds of retrainings. The
    measures computed on the sampled set are lower bounds of the true ones, and they
    grow with ``p`` and ``n_models``.

    Convention. Masks multiply the hidden units' activations after the nonlinearity
    (the input and output layers are never masked), and one mask is drawn per member,
    fixed across samples, so a member is a deterministic classifier. Bernoulli masks use
    inverted dropout (kept units scaled by ``1 / (1 - p)``), which is what the paper's
    reference code does: it calls ``torch.nn.functional.dropout(..., training=True)``.
    That code differs in three ways: it perturbs the output of every linear layer
    (pre-activation, including the output logits), it draws fresh noise in every
    forward call (per sample), and its Gaussian noise is ``N(1, p**2)``. For ReLU
    networks and Bernoulli masks, dropping a unit before or after the activation is the
    same; to match the Gaussian noise level ``N(1, s**2)`` pass ``p = s**2 / (1 + s**2)``.

    Cost. The first hidden layer does not depend on the mask: it is computed once per
    chunk of samples (one BLAS product) and shared by all candidates. The rest costs
    ``n_models * n_samples * sum_l h_l * h_{l+1}`` multiply-adds (``h`` the widths from
    the first hidden layer on, including the output width): a Numba kernel runs in
    parallel over (candidate, block of 64 samples) tasks, each a chain of BLAS ``gemm``
    calls with BLAS kept single-threaded meanwhile. Losses are accumulated as they are
    computed: memory is ``n_models * n_hidden_units`` floats for ``masks_`` (and as
    much again for the members' copies) plus one chunk of first-layer activations; no
    ``(n_models, n_samples, n_classes)`` array is formed. Measured on 2 cores: ``fit``
    with 1,000 candidates of a (64, 64) ReLU network on 10,000 samples of 20 features
    takes about 1.3 s (8 million candidate-samples per second). :meth:`profile`
    computes the set's measures with the same batched kernels (about 2.7 s for 900
    members on those 10,000 samples); ``rashomon_set_.profile`` gives the same values
    but calls each member in turn, which recomputes the first layer per member.

    Examples
    --------
    >>> import warnings
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.neural_network import MLPClassifier
    >>> X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # few iterations: not converged
    ...     mlp = MLPClassifier((16,), max_iter=100, random_state=0).fit(X, y)
    >>> explorer = DropoutExplorer(mlp, n_models=50, p=0.2, epsilon=0.02,
    ...                            random_state=0).fit(X, y)
    >>> explorer.masks_.shape, explorer.baseline_index_
    ((50, 16), 0)
    >>> sorted({round(float(v), 2) for v in explorer.masks_[1:].ravel()})  # inverted dropout
    [0.0, 1.25]
    >>> bool(explorer.candidate_losses_[0] == (mlp.predict(X) != y).mean())
    True
    >>> rs = explorer.rashomon_set_
    >>> 1 <= len(rs) <= 50, len(explorer.rashomon_set_for(1.0))
    (True, 50)
    >>> profile = explorer.profile(X, y)
    >>> profile.n_models == len(rs), 0.0 <= profile.ambiguity <= 1.0
    (True, True)
    """

    _parameter_constraints: ClassVar[dict] = {
        **_BaseExplorer._parameter_constraints,
        "estimator": "no_validation",  # checked in fit (TypeError)
        "p": [Interval(Real, 0, 1, closed="left")],
        "kind": [StrOptions(set(KINDS))],
        "loss": [StrOptions(set(LOSSES))],
        "chunk_size": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, estimator: Any, *, n_models: int = 1000, p: float = 0.1,
                 kind: Literal["bernoulli", "gaussian"] = "bernoulli",
                 epsilon: float = 0.01,
                 epsilon_mode: Literal["absolute", "relative"] = "absolute",
                 loss: Literal["zero_one", "log_loss", "brier"] = "zero_one",
                 rashomon_data: tuple[Any, ArrayLike] | None = None,
                 random_state: Any = None, n_jobs: int | None = None,
                 chunk_size: int | None = None) -> None:
        self.estimator = estimator
        self.n_models = n_models
        self.p = p
        self.kind = kind
        self.epsilon = epsilon
        self.epsilon_mode = epsilon_mode
        self.loss = loss
        self.rashomon_data = rashomon_data
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.chunk_size = chunk_size

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # ---------------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: ArrayLike) -> DropoutExplorer:
        """Sample the masks, measure every candidate's loss, keep those within epsilon.

        Parameters
        ----------
        X : array-like, DataFrame or sparse matrix of shape (n_samples, n_features)
            Data the set is defined on (usually the network's training data), with the
            network's features.
        y : array-like of shape (n_samples,)
            True labels, all among the network's ``classes_``. A pandas ``y`` next to a
            DataFrame ``X`` is matched on the index (put in the row order of ``X``).

        Returns
        -------
        self : DropoutExplorer

        Raises
        ------
        TypeError
            ``estimator`` is not an ``MLPClassifier``.
        sklearn.exceptions.NotFittedError
            The network is not fitted.
        ValueError
            Wrong number of features, X/y length mismatch, pandas ``X`` and ``y`` whose
            indexes hold different labels, labels the network does not know, a malformed
            ``rashomon_data``, invalid parameters.
        """
        check_epsilon(self.epsilon, self.epsilon_mode)  # also rejects inf
        mlp = unwrap_mlp(self.estimator)
        net = Network.from_mlp(mlp)
        y = align_to(X, y, name="y")
        X = check_X(mlp, X)
        y = _check_labels(y, "y")
        if len(y) != n_rows(X):
            raise ValueError(_errors.X_Y_LENGTH.format(n_rows(X), len(y)))
        X_eval, y_eval, name = X, y, "y"
        if self.rashomon_data is not None:
            X_eval, y_eval = self._check_rashomon_data(
                lambda X_val: check_X(mlp, X_val), lambda y_val: _check_labels(y_val, "y_val"))
            name = "y_val"
        y_codes = _encode(y_eval, net.classes, name)
        seed = resolve_seed(self.random_state)
        masks = draw_masks(self.kind, float(self.p), self.n_models, net.n_hidden, seed)
        step = check_step(self.chunk_size, auto_step(int(net.sizes[1])))
        with numba_threads(self.n_jobs):
            losses = mask_losses(net, masks, X_eval, y_codes, self.loss, step)

        self.estimator_ = mlp
        self.seed_ = seed
        self.masks_ = masks
        self.classes_ = net.classes
        self.n_features_in_ = net.n_features
        if hasattr(mlp, "feature_names_in_"):
            self.feature_names_in_ = mlp.feature_names_in_
        self._keep_candidates([DropoutMember._from_network(mlp, net, masks[i].copy())
                               for i in range(self.n_models)], losses, baseline_index=0)
        return self

    # ------------------------------------------------------------------------ hooks
    def _baseline_has(self, attr: str) -> bool:
        """Every member has ``predict`` and ``predict_proba`` (fit checks the network)."""
        return True

    def _profiled_set(self, n_jobs: int | None) -> tuple[Any, int | None]:
        """The set seen through the batched kernels; None threads: the explorer's."""
        n_jobs = self.n_jobs if n_jobs is None else n_jobs
        return _BatchedSetView(self.rashomon_set_, n_jobs), n_jobs
