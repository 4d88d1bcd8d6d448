"""The dropout network: a fitted ``MLPClassifier`` under masks of its hidden units.

A fitted scikit-learn network as the flat arrays that :mod:`._dropout_kernels` read
(:class:`Network`), the chunked forward passes of many masks at once (losses, class
codes, probabilities), the drawing of dropout masks, and :class:`DropoutMember`, the
network under one mask as a classifier, with the batched predictions of many members.
The explorer that samples and filters the members is in :mod:`._dropout`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg.cython_blas  # noqa: F401  (SciPy's BLAS, the one Numba's np.dot calls)
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.neural_network import MLPClassifier
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import ThreadpoolController

from .._checks import check_chunk_size
from .._parallel import numba_threads
from .._validation import _smallest_int_dtype
from . import _dropout_kernels as _k
from ._set import _CHUNK_VALUES

try:  # scikit-learn >= 1.6
    from sklearn.frozen import FrozenEstimator
except ImportError:  # pragma: no cover - older scikit-learn
    FrozenEstimator = None

__all__ = [
    "ACTIVATIONS",
    "DropoutMember",
    "Network",
    "auto_step",
    "check_X",
    "check_step",
    "draw_masks",
    "iter_mask_proba",
    "mask_codes",
    "mask_losses",
    "n_rows",
    "one_blas_thread",
    "unwrap_mlp",
]

ACTIVATIONS = {"identity": _k.ACT_IDENTITY, "logistic": _k.ACT_LOGISTIC,
               "tanh": _k.ACT_TANH, "relu": _k.ACT_RELU}
_LOSS_CODES = {"zero_one": _k.LOSS_ZERO_ONE, "log_loss": _k.LOSS_LOG,
               "brier": _k.LOSS_BRIER}
# Log-loss clipping of sklearn.metrics.log_loss for float64 probabilities.
_LOG_CLIP = float(np.finfo(np.float64).eps)


# ------------------------------------------------------------------------- the network
@dataclass(frozen=True, eq=False)
class Network:
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
    def from_mlp(cls, mlp: Any) -> Network:
        """The arrays of a fitted single-label ``MLPClassifier`` (checked by the caller)."""
        coefs = [np.asarray(c, dtype=np.float64) for c in mlp.coefs_]
        intercepts = [np.asarray(b, dtype=np.float64) for b in mlp.intercepts_]
        sizes = np.array([coefs[0].shape[0]] + [c.shape[1] for c in coefs], dtype=np.int64)
        w_off = np.concatenate([[0], np.cumsum([c.size for c in coefs])]).astype(np.int64)
        b_off = np.concatenate([[0], np.cumsum(sizes[1:])]).astype(np.int64)
        m_off = b_off[:-1].copy()  # hidden layer l + 1 starts where its intercepts do
        out_act = _k.ACT_SOFTMAX if mlp.out_activation_ == "softmax" else _k.ACT_LOGISTIC
        return cls(W=np.concatenate([c.ravel() for c in coefs]),
                   B=np.concatenate(intercepts), sizes=sizes, w_off=w_off, b_off=b_off,
                   m_off=m_off, act=ACTIVATIONS[mlp.activation], out_act=out_act,
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

    def same_as(self, other: Network) -> bool:
        """Whether ``other`` holds the same network (the same object, or equal arrays)."""
        if other is self:
            return True
        return (self.act == other.act and self.out_act == other.out_act
                and np.array_equal(self.sizes, other.sizes)
                and np.array_equal(self.classes, other.classes)
                and np.array_equal(self.W, other.W) and np.array_equal(self.B, other.B))

    def kernel_args(self) -> tuple:
        """The network arguments of every member kernel, in their order."""
        return (self.W, self.B, self.sizes, self.w_off, self.b_off, self.m_off, self.act,
                self.out_act)


# --------------------------------------------------------------------- input checks
def unwrap_mlp(estimator: Any) -> MLPClassifier:
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
    if inner.activation not in ACTIVATIONS:
        raise ValueError(f"unknown hidden activation {inner.activation!r}; expected one of "
                         f"{sorted(ACTIVATIONS)}")
    return inner


def check_X(estimator: Any, X: Any) -> Any:
    """Float64 array or CSR matrix with the features ``estimator`` was fitted on."""
    return validate_data(estimator, X, accept_sparse="csr", dtype=np.float64, reset=False)


def check_step(chunk_size: Any, default: int) -> int:
    """Samples per chunk: ``chunk_size``, or ``default`` for None."""
    return check_chunk_size(chunk_size, default)



# ------------------------------------------------------------------- threads and chunks
_BLAS_CONTROLLER: list[Any] = []


def one_blas_thread() -> Any:
    """Context in which BLAS runs single-threaded (around the kernels).

    Every Numba thread of a kernel calls ``gemm`` on its own block of samples; BLAS
    threads next to Numba's would compete for the cores (measured: 2x slower for
    256-unit layers, 5x for the first layer right after a Numba parallel region). The
    controller is built once, on first use; SciPy's BLAS (the one Numba's ``np.dot``
    calls) is loaded with this module, so the controller sees it.
    """
    if not _BLAS_CONTROLLER:
        _BLAS_CONTROLLER.append(ThreadpoolController())
    return _BLAS_CONTROLLER[0].limit(limits=1, user_api="blas")


def n_rows(X: Any) -> int:
    """Rows of a checked array or CSR matrix."""
    return int(X.shape[0])


def auto_step(n_values_per_sample: int) -> int:
    """Samples per chunk: about ``_CHUNK_VALUES`` values, at least one kernel block."""
    return max(_k.BLOCK, _CHUNK_VALUES // max(1, n_values_per_sample))


# ------------------------------------------------------------ forward passes of masks
def mask_losses(net: Network, masks: NDArray, X: Any, y_codes: NDArray, loss: str,
                step: int) -> NDArray[np.float64]:
    """Mean loss of every mask row on ``(X, y)``, streamed over chunks of samples.

    ``y_codes`` are the class codes of ``y``, ``loss`` one of ``"zero_one"``,
    ``"log_loss"``, ``"brier"``; ``step`` samples per chunk. Returns (n_masks,) float64.
    """
    n = n_rows(X)
    totals = np.zeros(masks.shape[0])
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        with one_blas_thread():
            H = net.hidden(X[lo:hi])
            partial = _k._loss_partials(H, y_codes[lo:hi], *net.kernel_args(), masks,
                                        _LOSS_CODES[loss], _LOG_CLIP)
        totals += partial.sum(axis=1)
    return totals / n


def mask_codes(net: Network, masks: NDArray, X: Any, step: int) -> NDArray[np.integer]:
    """Class codes of every mask row on ``X``: (n_masks, n_samples), smallest int dtype."""
    n = n_rows(X)
    out = np.empty((masks.shape[0], n), dtype=_smallest_int_dtype(net.n_classes))
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        chunk = np.empty((masks.shape[0], hi - lo), dtype=out.dtype)
        with one_blas_thread():
            _k._codes(net.hidden(X[lo:hi]), *net.kernel_args(), masks, chunk)
        out[:, lo:hi] = chunk
    return out


def iter_mask_proba(net: Network, masks: NDArray, X: Any, step: int
                    ) -> Iterator[tuple[int, NDArray[np.float64]]]:
    """Yield ``(start, probabilities)`` of shape ``(n_masks, chunk, n_classes)`` per chunk."""
    n = n_rows(X)
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        Q = np.empty((masks.shape[0], hi - lo, net.n_classes))
        with one_blas_thread():
            _k._proba(net.hidden(X[lo:hi]), *net.kernel_args(), masks, Q)
        yield lo, Q


# ------------------------------------------------------------------------------ masks
def draw_masks(kind: str, p: float, n_models: int, n_hidden: int, seed: int
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
        mlp = unwrap_mlp(self.estimator)
        net = Network.from_mlp(mlp)
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
    def _from_network(cls, mlp: MLPClassifier, net: Network, mask: NDArray[np.float64]
                      ) -> DropoutMember:
        member = cls(mlp, mask)
        member._set_fitted(mlp, net, mask)
        return member

    def _set_fitted(self, mlp: MLPClassifier, net: Network, mask: NDArray[np.float64]
                    ) -> None:
        self.network_ = net
        self.mask_ = mask
        self.classes_ = net.classes
        self.n_features_in_ = net.n_features
        if hasattr(mlp, "feature_names_in_"):
            self.feature_names_in_ = mlp.feature_names_in_

    def _forward_input(self, X: Any) -> Any:
        check_is_fitted(self)
        return check_X(self, X)

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
        out = np.empty((1, n_rows(X), net.n_classes))
        step = auto_step(max(int(net.sizes[1]), net.n_classes))
        for lo, Q in iter_mask_proba(net, self.mask_[None, :], X, step):
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
        codes = mask_codes(net, self.mask_[None, :], X, auto_step(int(net.sizes[1])))
        return self.classes_[codes[0]]



# ------------------------------------------------------- batched members' predictions
def _stack_members(members: Sequence[Any]
                   ) -> tuple[DropoutMember, Network, NDArray[np.float64]]:
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


def _members_predict_codes(members: Sequence[Any], X: Any, *, chunk_size: int | None = None,
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
    >>> _members_predict_codes(members, X).shape
    (2, 50)
    """
    first, net, masks = _stack_members(members)
    X = check_X(first, X)
    step = check_step(chunk_size, auto_step(int(net.sizes[1])))
    with numba_threads(n_jobs):
        return mask_codes(net, masks, X, step)


def _members_iter_proba(members: Sequence[Any], X: Any, *, chunk_size: int | None = None,
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
    >>> [(lo, Q.shape) for lo, Q in _members_iter_proba(members, X, chunk_size=30)]
    [(0, (2, 30, 2)), (30, (2, 20, 2))]
    """
    first, net, masks = _stack_members(members)
    X = check_X(first, X)
    step = check_step(chunk_size, auto_step(masks.shape[0] * net.n_classes))
    it = iter_mask_proba(net, masks, X, step)
    while True:
        with numba_threads(n_jobs):
            item = next(it, None)
        if item is None:
            return
        yield item


def _members_predict_proba(members: Sequence[Any], X: Any, *, chunk_size: int | None = None,
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
    >>> Q = _members_predict_proba([DropoutMember(mlp).fit()], X)
    >>> bool(np.allclose(Q[0], mlp.predict_proba(X), rtol=0, atol=1e-12))
    True
    """
    first, net, masks = _stack_members(members)
    X = check_X(first, X)
    out = np.empty((masks.shape[0], n_rows(X), net.n_classes))
    step = check_step(chunk_size, auto_step(masks.shape[0] * net.n_classes))
    with numba_threads(n_jobs):
        for lo, Q in iter_mask_proba(net, masks, X, step):
            out[:, lo:lo + Q.shape[1]] = Q
    return out

