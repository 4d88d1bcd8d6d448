"""DropoutExplorer: sample a Rashomon set around a fitted MLP by dropping hidden units."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, ClassVar, Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, _fit_context
from sklearn.neural_network import MLPClassifier
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.validation import check_is_fitted, validate_data

from .._checks import check_epsilon, resolve_seed
from .._parallel import numba_threads
from .._validation import _smallest_int_dtype, align_to
from . import _dropout_kernels as _k
from ._losses import LOSSES
from ._set import _CHUNK_VALUES, RashomonSet

try:  # scikit-learn >= 1.6
    from sklearn.frozen import FrozenEstimator
except ImportError:  # pragma: no cover - older scikit-learn
    FrozenEstimator = None

__all__ = [
    "DropoutExplorer",
    "DropoutMember",
    "members_iter_proba",
    "members_predict_codes",
    "members_predict_proba",
]

KINDS = ("bernoulli", "gaussian")
_ACTIVATIONS = {"identity": _k.ACT_IDENTITY, "logistic": _k.ACT_LOGISTIC,
                "tanh": _k.ACT_TANH, "relu": _k.ACT_RELU}
_LOSS_CODES = {"zero_one": _k.LOSS_ZERO_ONE, "log_loss": _k.LOSS_LOG,
               "brier": _k.LOSS_BRIER}
# Log-loss clipping of sklearn.metrics.log_loss for float64 probabilities.
_LOG_CLIP = float(np.finfo(np.float64).eps)


# ------------------------------------------------------------------------- the network
@dataclass(frozen=True, eq=False)
class _Network:
    """A fitted ``MLPClassifier`` as the flat float64 arrays the kernels read.

    Shared (not copied) by every member drawn from one network. See
    :mod:`._dropout_kernels` for the layout.
    """

    W: NDArray[np.float64]
    B: NDArray[np.float64]
    sizes: NDArray[np.int64]
    w_off: NDArray[np.int64]
    b_off: NDArray[np.int64]
    m_off: NDArray[np.int64]
    act: int
    out_act: int
    classes: NDArray

    @classmethod
    def from_mlp(cls, mlp: MLPClassifier) -> _Network:
        coefs = [np.asarray(c, dtype=np.float64) for c in mlp.coefs_]
        intercepts = [np.asarray(b, dtype=np.float64) for b in mlp.intercepts_]
        sizes = np.array([coefs[0].shape[0]] + [c.shape[1] for c in coefs], dtype=np.int64)
        w_off = np.concatenate([[0], np.cumsum([c.size for c in coefs])]).astype(np.int64)
        b_off = np.concatenate([[0], np.cumsum(sizes[1:])]).astype(np.int64)
        m_off = b_off[:-1].copy()  # hidden layer l + 1 starts where its intercepts do
        out_act = _k.ACT_SOFTMAX if mlp.out_activation_ == "softmax" else _k.ACT_LOGISTIC
        return cls(W=np.concatenate([c.ravel() for c in coefs]),
                   B=np.concatenate(intercepts), sizes=sizes, w_off=w_off, b_off=b_off,
                   m_off=m_off, act=_ACTIVATIONS[mlp.activation], out_act=out_act,
                   classes=np.asarray(mlp.classes_))

    @property
    def n_features(self) -> int:
        return int(self.sizes[0])

    @property
    def n_hidden(self) -> int:
        return int(self.sizes[1:-1].sum())

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def hidden(self, X: Any) -> NDArray[np.float64]:
        """First-hidden-layer activations ``act(X @ coefs_[0] + intercepts_[0])``: (c, h1)."""
        d, h1 = int(self.sizes[0]), int(self.sizes[1])
        W1, b1 = self.W[:d * h1].reshape(d, h1), self.B[:h1]
        if sp.issparse(X):
            Z = np.ascontiguousarray(safe_sparse_dot(X, W1), dtype=np.float64)
            _k._bias_activate(Z, b1, self.act)
            return Z
        return _k._first_layer(np.ascontiguousarray(X), W1, b1, self.act)

    def same_as(self, other: _Network) -> bool:
        """Whether ``other`` holds the same network (the same object, or equal arrays)."""
        if other is self:
            return True
        return (self.act == other.act and self.out_act == other.out_act
                and np.array_equal(self.sizes, other.sizes)
                and np.array_equal(self.classes, other.classes)
                and np.array_equal(self.W, other.W) and np.array_equal(self.B, other.B))

    def kernel_args(self) -> tuple:
        return (self.W, self.B, self.sizes, self.w_off, self.b_off, self.m_off, self.act,
                self.out_act)


def _unwrap_mlp(estimator: Any) -> MLPClassifier:
    """The fitted single-label ``MLPClassifier`` inside ``estimator`` (or a clear error)."""
    inner = estimator
    if FrozenEstimator is not None and isinstance(estimator, FrozenEstimator):
        inner = estimator.estimator
    if not isinstance(inner, MLPClassifier):
        raise TypeError("DropoutExplorer needs a fitted sklearn.neural_network.MLPClassifier "
                        f"(optionally in a FrozenEstimator), got {type(estimator).__name__}")
    check_is_fitted(inner)
    if len(inner.classes_) < 2:
        raise ValueError(f"the MLPClassifier was fitted on a single class "
                         f"({inner.classes_[0]!r}); a Rashomon set needs two or more")
    if inner.out_activation_ not in ("logistic", "softmax") or inner.n_outputs_ != (
            1 if inner.out_activation_ == "logistic" else len(inner.classes_)):
        raise ValueError("multilabel MLPClassifier models are not supported; fit the network "
                         "on one label per sample")
    if inner.n_layers_ < 3:
        raise ValueError("the MLPClassifier has no hidden layer, so there are no units to "
                         "drop (hidden_layer_sizes is empty)")
    if inner.activation not in _ACTIVATIONS:
        raise ValueError(f"unknown hidden activation {inner.activation!r}; expected one of "
                         f"{sorted(_ACTIVATIONS)}")
    return inner


def _check_X(estimator: Any, X: Any) -> Any:
    """Float64 array or CSR matrix with the features ``estimator`` was fitted on."""
    return validate_data(estimator, X, accept_sparse="csr", dtype=np.float64, reset=False)


def _check_labels(y: Any, name: str) -> NDArray:
    y_arr = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if y_arr.ndim == 2 and y_arr.shape[1] == 1:
        y_arr = y_arr.ravel()
    if y_arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D of shape (n_samples,), got shape {y_arr.shape}")
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


_BLAS_CONTROLLER: list[Any] = []


def _one_blas_thread() -> Any:
    """Context in which BLAS runs single-threaded (around the kernels).

    Every Numba thread of a kernel calls ``gemm`` on its own block of samples; BLAS
    threads next to Numba's would compete for the cores (measured: 2x slower for
    256-unit layers, 5x for the first layer right after a Numba parallel region). The
    controller is built once, after SciPy's BLAS (the one Numba's ``np.dot`` calls) is
    loaded.
    """
    if not _BLAS_CONTROLLER:
        import scipy.linalg.cython_blas  # noqa: F401
        from threadpoolctl import ThreadpoolController

        _BLAS_CONTROLLER.append(ThreadpoolController())
    return _BLAS_CONTROLLER[0].limit(limits=1, user_api="blas")


def _n_rows(X: Any) -> int:
    return int(X.shape[0])


def _auto_step(n_values_per_sample: int) -> int:
    return max(_k.BLOCK, _CHUNK_VALUES // max(1, n_values_per_sample))


def _check_step(chunk_size: Any, default: int) -> int:
    if chunk_size is None:
        return default
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, Integral) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive int, got {chunk_size!r}")
    return int(chunk_size)


# ----------------------------------------------------------------- batched predictions
def _losses(net: _Network, masks: NDArray, X: Any, y_codes: NDArray, loss: str,
            step: int) -> NDArray[np.float64]:
    """Mean loss of every mask row on ``(X, y)``, streamed over chunks of samples."""
    n = _n_rows(X)
    totals = np.zeros(masks.shape[0])
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        with _one_blas_thread():
            H = net.hidden(X[lo:hi])
            partial = _k._loss_partials(H, y_codes[lo:hi], *net.kernel_args(), masks,
                                        _LOSS_CODES[loss], _LOG_CLIP)
        totals += partial.sum(axis=1)
    return totals / n


def _codes(net: _Network, masks: NDArray, X: Any, step: int) -> NDArray[np.integer]:
    n = _n_rows(X)
    out = np.empty((masks.shape[0], n), dtype=_smallest_int_dtype(net.n_classes))
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        chunk = np.empty((masks.shape[0], hi - lo), dtype=out.dtype)
        with _one_blas_thread():
            _k._codes(net.hidden(X[lo:hi]), *net.kernel_args(), masks, chunk)
        out[:, lo:hi] = chunk
    return out


def _iter_proba(net: _Network, masks: NDArray, X: Any, step: int
                ) -> Iterator[tuple[int, NDArray[np.float64]]]:
    n = _n_rows(X)
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        Q = np.empty((masks.shape[0], hi - lo, net.n_classes))
        with _one_blas_thread():
            _k._proba(net.hidden(X[lo:hi]), *net.kernel_args(), masks, Q)
        yield lo, Q


def _stack_members(members: Sequence[Any]
                   ) -> tuple[DropoutMember, _Network, NDArray[np.float64]]:
    """First member, shared network and ``(m, n_hidden)`` masks of fitted DropoutMembers."""
    members = list(members)
    if not members:
        raise ValueError("members must contain at least one DropoutMember, got none")
    for mdl in members:
        if not isinstance(mdl, DropoutMember):
            raise TypeError(f"members must be DropoutMember objects, got "
                            f"{type(mdl).__name__}")
        check_is_fitted(mdl)
    net = members[0].network_
    if not all(net.same_as(mdl.network_) for mdl in members[1:]):
        raise ValueError("members must share one network (the same weights); call "
                         "predict_proba on each member instead")
    return members[0], net, np.ascontiguousarray(np.stack([mdl.mask_ for mdl in members]))


def members_predict_codes(members: Sequence[Any], X: Any, *, chunk_size: int | None = None,
                          n_jobs: int | None = None) -> NDArray[np.integer]:
    """Class codes of many members of one network in one pass: ``(n_members, n_samples)``.

    The same values as ``RashomonSet(members, ...).predict_codes(X)``, but the first
    hidden layer is computed once per chunk and all members run in one parallel kernel.

    Parameters
    ----------
    members : sequence of DropoutMember
        Fitted members sharing one network (e.g. ``explorer.rashomon_set_``).
    X : array-like or sparse matrix of shape (n_samples, n_features)
    chunk_size : int, default=None
        Samples per chunk (default: about 8M first-layer values per chunk).
    n_jobs : int, default=None
        Numba threads (None: leave the current setting).

    Returns
    -------
    ndarray of shape (n_members, n_samples)
        Indices into ``classes_``, in the smallest integer dtype that holds them.

    Examples
    --------
    >>> import warnings
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.neural_network import MLPClassifier
    >>> X, y = make_classification(n_samples=50, n_features=4, random_state=0)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     mlp = MLPClassifier((8,), max_iter=50, random_state=0).fit(X, y)
    >>> members = [DropoutMember(mlp, m).fit() for m in ([1.0] * 8, [2.0, 0.0] * 4)]
    >>> members_predict_codes(members, X).shape
    (2, 50)
    """
    first, net, masks = _stack_members(members)
    X = _check_X(first, X)
    step = _check_step(chunk_size, _auto_step(int(net.sizes[1])))
    with numba_threads(n_jobs):
        return _codes(net, masks, X, step)


def members_iter_proba(members: Sequence[Any], X: Any, *, chunk_size: int | None = None,
                       n_jobs: int | None = None
                       ) -> Iterator[tuple[int, NDArray[np.float64]]]:
    """Yield ``(start, probabilities)`` chunks of shape ``(n_members, chunk, n_classes)``.

    The batched twin of :meth:`RashomonSet.iter_proba` for members of one network.

    Parameters
    ----------
    members : sequence of DropoutMember
        Fitted members sharing one network.
    X : array-like or sparse matrix of shape (n_samples, n_features)
    chunk_size : int, default=None
        Samples per chunk (default: about 8M probabilities per chunk).
    n_jobs : int, default=None
        Numba threads while a chunk is computed (None: leave the current setting).

    Yields
    ------
    start : int
        Index of the chunk's first sample.
    probabilities : ndarray of shape (n_members, chunk, n_classes)

    Examples
    --------
    >>> import warnings
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.neural_network import MLPClassifier
    >>> X, y = make_classification(n_samples=50, n_features=4, random_state=0)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     mlp = MLPClassifier((8,), max_iter=50, random_state=0).fit(X, y)
    >>> members = [DropoutMember(mlp).fit(), DropoutMember(mlp, [2.0, 0.0] * 4).fit()]
    >>> [(lo, Q.shape) for lo, Q in members_iter_proba(members, X, chunk_size=30)]
    [(0, (2, 30, 2)), (30, (2, 20, 2))]
    """
    first, net, masks = _stack_members(members)
    X = _check_X(first, X)
    step = _check_step(chunk_size, _auto_step(masks.shape[0] * net.n_classes))
    it = _iter_proba(net, masks, X, step)
    while True:
        with numba_threads(n_jobs):
            item = next(it, None)
        if item is None:
            return
        yield item


def members_predict_proba(members: Sequence[Any], X: Any, *, chunk_size: int | None = None,
                          n_jobs: int | None = None) -> NDArray[np.float64]:
    """Class probabilities of many members of one network: ``(n_members, n_samples, k)``.

    Parameters
    ----------
    members : sequence of DropoutMember
        Fitted members sharing one network.
    X : array-like or sparse matrix of shape (n_samples, n_features)
    chunk_size : int, default=None
        Samples per chunk.
    n_jobs : int, default=None
        Numba threads (None: leave the current setting).

    Returns
    -------
    ndarray of shape (n_members, n_samples, n_classes)

    Examples
    --------
    >>> import warnings
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.neural_network import MLPClassifier
    >>> X, y = make_classification(n_samples=50, n_features=4, random_state=0)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     mlp = MLPClassifier((8,), max_iter=50, random_state=0).fit(X, y)
    >>> Q = members_predict_proba([DropoutMember(mlp).fit()], X)
    >>> bool(np.allclose(Q[0], mlp.predict_proba(X), rtol=0, atol=1e-12))
    True
    """
    first, net, masks = _stack_members(members)
    X = _check_X(first, X)
    out = np.empty((masks.shape[0], _n_rows(X), net.n_classes))
    step = _check_step(chunk_size, _auto_step(masks.shape[0] * net.n_classes))
    with numba_threads(n_jobs):
        for lo, Q in _iter_proba(net, masks, X, step):
            out[:, lo:lo + Q.shape[1]] = Q
    return out


# --------------------------------------------------------------------------- a member
class DropoutMember(ClassifierMixin, BaseEstimator):
    """A fitted ``MLPClassifier`` whose hidden units are multiplied by a fixed mask.

    A member of the Rashomon set sampled by :class:`DropoutExplorer`: the same weights
    as the network, and every hidden unit's activation (after the nonlinearity)
    multiplied by its entry of ``mask`` for every sample. ``mask`` of all ones gives
    the network itself (to about 1e-12 in the probabilities; the member computes in
    float64, so for a network fitted on float32 data, which scikit-learn evaluates in
    float32, to about 1e-7). The explorer builds its members without copying the
    network; build one by hand with ``DropoutMember(mlp, mask).fit()``, which reads
    the network's weights but never modifies it. ``clone`` of a member clones the
    network into an unfitted one, as for any scikit-learn meta-estimator.

    Parameters
    ----------
    estimator : MLPClassifier
        A fitted, single-label network (or a ``FrozenEstimator`` around one).
    mask : array-like of shape (n_hidden_units,), default=None
        Multiplier of every hidden unit, layer after layer in ``hidden_layer_sizes``
        order; None means all ones.

    Attributes
    ----------
    mask_ : ndarray of shape (n_hidden_units,)
        The multipliers, float64.
    network_ : object
        The network's weights as flat float64 arrays (shared between the members of one
        explorer; private layout).
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when the network was fitted on a DataFrame.

    See Also
    --------
    DropoutExplorer : Samples many members and keeps those within epsilon.

    Examples
    --------
    >>> import warnings
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.neural_network import MLPClassifier
    >>> X, y = make_classification(n_samples=50, n_features=4, random_state=0)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     mlp = MLPClassifier((4,), max_iter=50, random_state=0).fit(X, y)
    >>> member = DropoutMember(mlp, [2.0, 0.0, 2.0, 0.0]).fit()  # units 1 and 3 dropped
    >>> member.predict_proba(X[:3]).shape
    (3, 2)
    >>> bool((DropoutMember(mlp).fit().predict(X) == mlp.predict(X)).all())
    True
    """

    def __init__(self, estimator: Any, mask: ArrayLike | None = None) -> None:
        self.estimator = estimator
        self.mask = mask

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def fit(self, X: Any = None, y: Any = None) -> DropoutMember:
        """Check the network and the mask; the data are not used (nothing is trained).

        Parameters
        ----------
        X, y : ignored
            Present for the scikit-learn API.

        Returns
        -------
        self : DropoutMember
        """
        mlp = _unwrap_mlp(self.estimator)
        net = _Network.from_mlp(mlp)
        if self.mask is None:
            mask = np.ones(net.n_hidden)
        else:
            mask = np.array(self.mask, dtype=np.float64)
            if mask.shape != (net.n_hidden,):
                raise ValueError(f"mask must have shape ({net.n_hidden},) (one multiplier "
                                 f"per hidden unit), got {mask.shape}")
            if not np.all(np.isfinite(mask)):
                raise ValueError("mask must be finite")
        self._set_fitted(mlp, net, mask)
        return self

    @classmethod
    def _from_network(cls, mlp: MLPClassifier, net: _Network, mask: NDArray[np.float64]
                      ) -> DropoutMember:
        member = cls(mlp, mask)
        member._set_fitted(mlp, net, mask)
        return member

    def _set_fitted(self, mlp: MLPClassifier, net: _Network, mask: NDArray[np.float64]
                    ) -> None:
        self.network_ = net
        self.mask_ = mask
        self.classes_ = net.classes
        self.n_features_in_ = net.n_features
        if hasattr(mlp, "feature_names_in_"):
            self.feature_names_in_ = mlp.feature_names_in_

    def _forward_input(self, X: Any) -> Any:
        check_is_fitted(self)
        return _check_X(self, X)

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """Class probabilities of the perturbed network.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns in ``classes_`` order (``[1 - p, p]`` for two classes).
        """
        X = self._forward_input(X)
        net = self.network_
        out = np.empty((1, _n_rows(X), net.n_classes))
        step = _auto_step(max(int(net.sizes[1]), net.n_classes))
        for lo, Q in _iter_proba(net, self.mask_[None, :], X, step):
            out[:, lo:lo + Q.shape[1]] = Q
        return out[0]

    def predict(self, X: Any) -> NDArray:
        """Labels of the perturbed network (``p > 0.5`` for two classes, else argmax).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        X = self._forward_input(X)
        net = self.network_
        codes = _codes(net, self.mask_[None, :], X, _auto_step(int(net.sizes[1])))
        return self.classes_[codes[0]]


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
        return members_predict_codes(self.rset.models_, X, chunk_size=chunk_size,
                                     n_jobs=self.n_jobs)

    def iter_proba(self, X: Any, *, chunk_size: int | None = None
                   ) -> Iterator[tuple[int, NDArray[np.float64]]]:
        return members_iter_proba(self.rset.models_, X, chunk_size=chunk_size,
                                  n_jobs=self.n_jobs)


# ------------------------------------------------------------------------- explorer


def _draw_masks(kind: str, p: float, n_models: int, n_hidden: int, seed: int
                ) -> NDArray[np.float64]:
    """Row 0 all ones (the network itself); row ``i`` from the ``i``-th child stream."""
    masks = np.ones((n_models, n_hidden))
    sigma = float(np.sqrt(p / (1.0 - p)))
    children = np.random.SeedSequence(seed).spawn(n_models - 1) if n_models > 1 else []
    for i, child in enumerate(children, start=1):
        rng = np.random.default_rng(child)
        if kind == "bernoulli":
            masks[i] = (rng.random(n_hidden) >= p) / (1.0 - p)
        else:
            masks[i] = 1.0 + sigma * rng.standard_normal(n_hidden)
    return masks


class DropoutExplorer(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
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
        "estimator": "no_validation",  # checked in fit (TypeError)
        "n_models": [Interval(Integral, 1, None, closed="left")],
        "p": [Interval(Real, 0, 1, closed="left")],
        "kind": [StrOptions(set(KINDS))],
        "epsilon": [Interval(Real, 0, None, closed="left")],
        "epsilon_mode": [StrOptions({"absolute", "relative"})],
        "loss": [StrOptions(set(LOSSES))],
        "rashomon_data": [tuple, list, None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
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
        mlp = _unwrap_mlp(self.estimator)
        net = _Network.from_mlp(mlp)
        y = align_to(X, y, name="y")
        X = _check_X(mlp, X)
        y = _check_labels(y, "y")
        if len(y) != _n_rows(X):
            raise ValueError(f"X and y must have the same number of samples, got "
                             f"{_n_rows(X)} and {len(y)}")
        X_eval, y_eval, name = X, y, "y"
        if self.rashomon_data is not None:
            X_eval, y_eval = self._check_rashomon_data(mlp)
            name = "y_val"
        y_codes = _encode(y_eval, net.classes, name)
        seed = resolve_seed(self.random_state)
        masks = _draw_masks(self.kind, float(self.p), self.n_models, net.n_hidden, seed)
        step = _check_step(self.chunk_size, _auto_step(int(net.sizes[1])))
        with numba_threads(self.n_jobs):
            losses = _losses(net, masks, X_eval, y_codes, self.loss, step)

        self.estimator_ = mlp
        self.seed_ = seed
        self.masks_ = masks
        self.candidate_losses_ = losses
        self.baseline_index_ = 0
        self.candidate_models_ = [DropoutMember._from_network(mlp, net, masks[i].copy())
                                  for i in range(self.n_models)]
        self.baseline_estimator_ = self.candidate_models_[0]
        self.classes_ = net.classes
        self.n_features_in_ = net.n_features
        if hasattr(mlp, "feature_names_in_"):
            self.feature_names_in_ = mlp.feature_names_in_
        self.rashomon_set_ = self._filter(self.epsilon, self.epsilon_mode)
        return self

    def _check_rashomon_data(self, mlp: MLPClassifier) -> tuple[Any, NDArray]:
        data = self.rashomon_data
        if len(data) != 2:
            raise ValueError("rashomon_data must be a pair (X_val, y_val), got a "
                             f"{type(data).__name__} of length {len(data)}")
        y_val = align_to(data[0], data[1], name="y_val", reference_name="X_val")
        X_val = _check_X(mlp, data[0])
        y_val = _check_labels(y_val, "y_val")
        if len(y_val) != _n_rows(X_val):
            raise ValueError(f"rashomon_data: X_val and y_val must have the same number of "
                             f"samples, got {_n_rows(X_val)} and {len(y_val)}")
        return X_val, y_val

    def _filter(self, epsilon: float, epsilon_mode: str) -> RashomonSet:
        """The candidates within epsilon of h0, exactly as :meth:`RashomonSet.from_models`."""
        eps = check_epsilon(epsilon, epsilon_mode)
        return RashomonSet._within_epsilon(self.candidate_models_, self.candidate_losses_,
                                           self.baseline_index_, eps, epsilon_mode, self.loss)

    # ------------------------------------------------------------------- after fit
    def rashomon_set_for(self, epsilon: float,
                         epsilon_mode: Literal["absolute", "relative"] | None = None
                         ) -> RashomonSet:
        """The Rashomon set for another epsilon, from the stored candidates (no resampling).

        Parameters
        ----------
        epsilon : float
            Rashomon parameter, >= 0.
        epsilon_mode : {"absolute", "relative"}, default=None
            None uses the explorer's ``epsilon_mode``.

        Returns
        -------
        RashomonSet
            The same members (the same objects) as ``RashomonSet.from_models(
            candidate_models_, X, y, epsilon=epsilon, baseline=0, ...)`` on the data the
            set is defined on, without evaluating any loss again.
        """
        check_is_fitted(self)
        return self._filter(epsilon, self.epsilon_mode if epsilon_mode is None
                            else epsilon_mode)

    def predict(self, X: Any) -> NDArray:
        """Labels predicted by the original network h0.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.baseline_estimator_.predict(X)

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """Class probabilities of the original network h0.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        return self.baseline_estimator_.predict_proba(X)

    def profile(self, X: Any, y: ArrayLike | None = None, delta: float = 0.1, *,
                chunk_size: int | None = None, n_jobs: int | None = None):
        """Every multiplicity measure of ``rashomon_set_`` on ``X``, with batched kernels.

        The same values as ``rashomon_set_.profile(X, y, delta)``, computed with one
        kernel call per chunk for all members (the first hidden layer once) instead of
        one ``predict``/``predict_proba`` call per member and chunk.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), default=None
            True labels; adds accuracies to the profile. A pandas ``y`` next to a
            DataFrame ``X`` is matched on the index.
        delta : float, default=0.1
            Threshold of the probabilistic measures (``>= delta``).
        chunk_size : int, default=None
            Samples per chunk.
        n_jobs : int, default=None
            Numba threads; None uses the explorer's ``n_jobs``.

        Returns
        -------
        MultiplicityProfile
        """
        from ._profile import MultiplicityProfile

        check_is_fitted(self)
        y = align_to(X, y, name="y")
        n_jobs = self.n_jobs if n_jobs is None else n_jobs
        view = _BatchedSetView(self.rashomon_set_, n_jobs)
        return MultiplicityProfile.from_set(view, X, y, delta=delta, chunk_size=chunk_size,
                                            n_jobs=n_jobs)
