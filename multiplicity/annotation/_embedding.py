"""Annotator and annotation embeddings: one classifier that models every annotator.

After Deng, Zhang, Liu, Wu, Wang & Mihalcea (2023), "You Are What You Annotate: Towards
Better Models through Annotator Representations", Findings of EMNLP 2023. The paper puts
the embeddings on top of a BERT text encoder; here the encoder is a learned linear
projection of item features (TF-IDF, sentence embeddings, ...), and everything is trained
jointly by L-BFGS with an analytic gradient.

One estimator and its model in one module (longer than the package's usual module): the
forward pass, its hand-written gradient and the staged fit change together.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted
from threadpoolctl import threadpool_limits

from .. import _errors

__all__ = ["AnnotatorEmbeddingClassifier"]

# Error messages (tests import them).
ANNOTATORS_EMPTY = "annotators must name at least one annotator (X has {n} rows)"
ANNOTATORS_MISSING = "annotators contains missing values (NaN or None) at row {row}"
ANNOTATORS_NDIM = "annotators must be 1-D of shape (n_samples,), got shape {shape}"
Y_MISSING = "y contains missing values (NaN or None) at row {row}"
ONE_CLASS = ("y must contain at least 2 classes to train a classifier, got only {label!r}")
X_NOT_FINITE = "X contains NaN or infinite values{after}"
X_NOT_NUMERIC = ("X must be numeric (dense or scipy sparse){after}, got {what}; pass "
                 "estimator= (e.g. a TfidfVectorizer) to featurise raw inputs such as text")
FEATURES_MISMATCH = "X has {got} features after featurisation, but the model was fit on {want}"

# Standard deviation of the starting embeddings (the embedding stage of the fit).
_EMBEDDING_SCALE = 2.0
# Rows of item x annotator probabilities computed at a time in predict_distribution.
_BLOCK_ELEMENTS = 1 << 20


def _as_1d(values: Any, name: str) -> np.ndarray:
    # A list of annotator ids stays object (np.asarray would turn [1, "1"] into two "1").
    as_object = name == "annotators" and isinstance(values, list)
    arr = values.to_numpy() if isinstance(values, pd.Series | pd.Index) else np.asarray(
        values, dtype=object if as_object else None)
    if arr.ndim != 1:
        raise ValueError(ANNOTATORS_NDIM.format(shape=arr.shape) if name == "annotators"
                         else _errors.NOT_1D.format(name=name, shape=arr.shape))
    missing = pd.isna(arr)
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise ValueError((ANNOTATORS_MISSING if name == "annotators" else Y_MISSING)
                         .format(row=row))
    return arr


def _sorted_index(values: np.ndarray) -> pd.Index:
    """Distinct values, sorted when they are comparable (else in order of appearance)."""
    uniq = pd.Index(pd.unique(values))
    try:
        return uniq.sort_values()
    except TypeError:
        return uniq


class _Layout:
    """Names, shapes and offsets of the parameter blocks inside one flat vector."""

    def __init__(self, shapes: dict[str, tuple[int, ...]]) -> None:
        self.shapes = shapes
        self.slices: dict[str, slice] = {}
        start = 0
        for name, shape in shapes.items():
            size = int(np.prod(shape))
            self.slices[name] = slice(start, start + size)
            start += size
        self.size = start

    def unpack(self, theta: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        return {n: theta[s].reshape(self.shapes[n]) for n, s in self.slices.items()}

    def pack(self, blocks: dict[str, NDArray[np.float64]]) -> NDArray[np.float64]:
        out = np.empty(self.size)
        for n, s in self.slices.items():
            out[s] = blocks[n].ravel()
        return out


# Blocks that the L2 penalty leaves out (as scikit-learn leaves intercepts out).
_UNPENALISED = frozenset({"b", "c"})
# Blocks of the embedding path, penalised ``embedding_alpha_ratio`` times more strongly.
_EMBEDDING_BLOCKS = frozenset({"E", "L", "Ws", "Wa", "Wn"})


def _forward(P: dict[str, NDArray], X: Any, codes: NDArray[np.intp], Q: NDArray[np.float64],
             use_a: bool, use_n: bool, E_rows: NDArray[np.float64] | None = None,
             use_b: bool = False, B_rows: NDArray[np.float64] | None = None
             ) -> dict[str, NDArray[np.float64]]:
    """Logits and the intermediate values the gradient needs.

    ``codes`` index the rows of ``P["E"]`` and ``P["B"]`` (ignored when ``E_rows`` and
    ``B_rows`` give each row's annotator embedding and offsets directly); ``Q`` (n, k)
    holds each row's label distribution whose mean label embedding is the annotation
    embedding.
    """
    s = np.asarray(X @ P["W"]) + P["b"]
    out: dict[str, NDArray] = {"s": s}
    t = s.copy()
    if use_a or use_n:
        u = s @ P["Ws"]
        out["u"] = u
    if use_a:
        Ea = P["E"][codes] if E_rows is None else E_rows
        ga = Ea @ P["Wa"]
        a_score = np.einsum("ij,ij->i", u, ga)
        t += a_score[:, None] * Ea
        out.update(Ea=Ea, ga=ga, a_score=a_score)
    if use_n:
        En = Q @ P["L"]
        gn = En @ P["Wn"]
        b_score = np.einsum("ij,ij->i", u, gn)
        t += b_score[:, None] * En
        out.update(En=En, gn=gn, b_score=b_score)
    out["t"] = t
    out["z"] = t @ P["V"] + P["c"]
    if use_b:
        out["z"] += P["B"][codes] if B_rows is None else B_rows
    return out


def _loss_grad(theta: NDArray[np.float64], layout: _Layout, X: Any, codes: NDArray[np.intp],
               Q: NDArray[np.float64], y: NDArray[np.intp], reg: float, emb_reg: float,
               use_a: bool, use_n: bool, R: sp.csr_matrix | None, use_b: bool = False,
               bias_reg: float = 1.0) -> tuple[float, NDArray[np.float64]]:
    """Mean softmax cross-entropy plus ``reg / 2`` times the squared weights, and its gradient.

    The embedding blocks are penalised ``emb_reg`` times and the annotator offsets ``B``
    ``bias_reg`` times more strongly than ``W`` and ``V``. ``R`` is the (n_annotators,
    n_rows) one-hot matrix that sums row gradients into the per-annotator blocks.
    """
    P = layout.unpack(theta)
    f = _forward(P, X, codes, Q, use_a, use_n, use_b=use_b)
    n = y.shape[0]
    logp = log_softmax(f["z"], axis=1)
    rows = np.arange(n)
    loss = -logp[rows, y].mean()
    G = np.exp(logp)
    G[rows, y] -= 1.0
    G /= n
    grads: dict[str, NDArray] = {"V": f["t"].T @ G, "c": G.sum(axis=0)}
    if use_b:
        grads["B"] = np.asarray(R @ G)
    dt = G @ P["V"].T
    ds = dt.copy()
    if use_a or use_n:
        du = np.zeros_like(ds)
    if use_a:
        Ea, ga, a_score, u = f["Ea"], f["ga"], f["a_score"], f["u"]
        d_a = np.einsum("ij,ij->i", dt, Ea)
        dEa = a_score[:, None] * dt
        du += d_a[:, None] * ga
        dga = d_a[:, None] * u
        grads["Wa"] = Ea.T @ dga
        dEa += dga @ P["Wa"].T
        grads["E"] = np.asarray(R @ dEa)
    if use_n:
        En, gn, b_score, u = f["En"], f["gn"], f["b_score"], f["u"]
        d_b = np.einsum("ij,ij->i", dt, En)
        dEn = b_score[:, None] * dt
        du += d_b[:, None] * gn
        dgn = d_b[:, None] * u
        grads["Wn"] = En.T @ dgn
        dEn += dgn @ P["Wn"].T
        grads["L"] = Q.T @ dEn
    if use_a or use_n:
        grads["Ws"] = f["s"].T @ du
        ds += du @ P["Ws"].T
    grads["W"] = np.asarray(X.T @ ds)
    grads["b"] = ds.sum(axis=0)
    for name, block in P.items():
        if name not in _UNPENALISED:
            strength = reg * (emb_reg if name in _EMBEDDING_BLOCKS
                              else bias_reg if name == "B" else 1.0)
            loss += 0.5 * strength * float(np.sum(block * block))
            grads[name] = grads[name] + strength * block
    return float(loss), layout.pack(grads)


def _annotator_signatures(rng: np.random.RandomState, X: Any, codes: NDArray[np.intp],
                          y: NDArray[np.intp], counts: NDArray[np.float64], h: int
                          ) -> NDArray[np.float64]:
    """(n_annotators, h) random projections of each annotator's feature-label covariance.

    Row ``a`` is ``sum_c G_c^T (X_a^T w_c) / n_a`` with ``w_c`` the annotator's centred
    indicator of label ``c`` and ``G_c`` a random (n_features, h) matrix, scaled to standard
    deviation ``_EMBEDDING_SCALE`` over the annotators. Annotators who tie the same
    features to opposite labels (say, one who flips every label) start apart even when
    their label shares are equal; scaling keeps the start the same size whatever the units
    of ``X``.
    """
    r, k = counts.shape
    totals = counts.sum(axis=1)
    W = -(counts / totals[:, None])[codes]
    W[np.arange(codes.size), y] += 1.0
    proj = np.zeros((codes.size, h))
    for c in range(k):
        G = rng.normal(0.0, 1.0, (X.shape[1], h))
        proj += W[:, c, None] * np.asarray(X @ G)
    sig = np.zeros((r, h))
    np.add.at(sig, codes, proj)
    sig /= totals[:, None]
    sig -= sig.mean(axis=0)
    spread = sig.std()
    return sig * (_EMBEDDING_SCALE / spread) if spread > 0 else sig


class AnnotatorEmbeddingClassifier(ClassifierMixin, BaseEstimator):
    """Classifier of (item, annotator) pairs with annotator and annotation embeddings.

    Deng et al. (2023) model each annotator instead of the majority: the label annotator
    ``a`` gives item ``x`` is predicted from the item *and* from two learned
    representations of the annotator. With feature vectors ``x`` in place of the paper's
    BERT encoder, the model is

    - item representation ``s = W x + b`` (``W``: ``n_components x n_features``);
    - annotator embedding ``E_a``: a learned vector per annotator;
    - annotation embedding ``E_n``: the mean of learned label embeddings ``L_c`` over the
      labels ``c`` annotator ``a`` gave in training (see ``annotation_context`` for a
      leave-one-out variant, and why it is not the default);
    - compatibility scores ``alpha = (W_s s) . (W_a E_a)`` and
      ``beta = (W_s s) . (W_n E_n)``;
    - annotator offsets ``B_a``: one learned logit offset per annotator and class (not in
      the paper; a per-annotator bias, as a one-hot annotator column adds to a logistic
      regression);
    - class probabilities ``softmax(V^T (s + alpha E_a + beta E_n) + c + B_a)`` (the
      paper's "add" combination, plus the offsets).

    The objective is the mean softmax cross-entropy over the annotation rows plus
    ``alpha / 2`` times the squared norm of ``W`` and ``V``, ``alpha *
    embedding_alpha_ratio / 2`` times that of ``E``, ``L``, ``W_s``, ``W_a`` and ``W_n``,
    and ``alpha * bias_alpha_ratio / 2`` times that of ``B`` (the biases ``b`` and ``c``
    are not penalised). It is minimised by scipy's L-BFGS-B with an analytic gradient in
    stages, as Deng et al. start from a trained text encoder: (1) the text-only model
    (``W``, ``b``, ``V``, ``c``) from a random start; (2) with the offsets, from zero;
    (3) with the embeddings, all blocks together from there, with random embeddings and
    annotator map ``W_a`` and the other maps at the identity (an all-zero start would be
    a saddle point, because each embedding term is a product of embedding factors). The
    model of the previous stage with every embedding block at zero is itself a
    stationary point of the full objective; when stage 3 ends higher (still far from an optimum at
    ``max_iter``, or in a worse basin), that point is kept, so adding the embeddings
    never gives a worse training objective than the model without them. All stages are
    deterministic, so a fixed ``random_state`` gives the same model.

    Parameters
    ----------
    estimator : transformer or Pipeline, default=None
        Applied to the raw ``X`` first (cloned, ``fit_transform`` in :meth:`fit`,
        ``transform`` afterwards), so that e.g. text can be passed with a
        ``TfidfVectorizer``. None: ``X`` must already be numeric (dense or scipy sparse).
    n_components : int, default=8
        Size ``h`` of the item representation and of both embeddings.
    annotator_embedding : bool, default=True
        Use the annotator embedding ``E_a`` (False: the ``alpha E_a`` term is dropped).
    annotation_embedding : bool, default=True
        Use the annotation embedding ``E_n`` (False: the ``beta E_n`` term is dropped).
    annotator_bias : bool, default=True
        Use the annotator offsets ``B_a``. With all three flags False the model is the
        text-only baseline: a softmax regression on the learned projection ``s``; with only
        this one True, the text model plus a per-annotator bias.
    alpha : float, default=5e-3
        Strength of the L2 penalty (the scikit-learn name, as in ``MLPClassifier`` and
        ``Ridge``). Not to be confused with the paper's compatibility score ``alpha``,
        a fitted per-row quantity returned by :meth:`compatibility`.
    max_iter : int, default=300
        Maximum number of L-BFGS-B iterations; a ``ConvergenceWarning`` is emitted when
        they run out before the gradient criterion ``tol`` is met.
    tol : float, default=1e-5
        L-BFGS-B stops when the largest absolute gradient entry is below ``tol``
        (``gtol``) or the relative decrease of the loss is below ``tol * 1e-4``
        (``ftol``).
    init_scale : float, default=0.1
        Standard deviation of the random initial projection ``W`` and classifier ``V``.
        In the embedding stage the label embeddings start as normal draws with standard
        deviation 2, and each annotator embedding as the annotator's label shares times
        another such draw (one random vector per class) plus a random projection of how
        the annotator's labels co-vary with the features (scaled to standard deviation
        2 over the annotators); ``W_a`` starts as normal draws with variance
        ``1 / n_components``. So the start does not depend on the names or order of the
        annotators, and annotators who tie the same features to different labels start
        apart.
    embedding_alpha_ratio : float, default=10.0
        Multiplies ``alpha`` for the embedding blocks (``E``, ``L``, ``W_s``, ``W_a``,
        ``W_n``). The embedding terms are products of several factors, which an L2
        penalty of the same strength restrains less than the text weights; with weak
        per-annotator signal (tens of labels per annotator) a ratio of 2 overfitted.
    bias_alpha_ratio : float, default=0.3
        Multiplies ``alpha`` for the annotator offsets ``B``.
    annotation_context : {"all", "leave_one_out"}, default="all"
        Which of the annotator's training labels ``E_n`` averages while training.
        ``"all"``: all of them, as at prediction time. ``"leave_one_out"``: all but the
        row's own label (the other items' labels only). Leave-one-out leaks the
        label: an annotator's rows with label 0 and with label 1 get two different
        ``E_n`` (the own label is missing from one count or the other), and with the
        annotator embedding as reference the model learns to read the label off that
        difference, driving the training loss towards 0 without learning anything that
        holds at prediction time (see the tests: on coin-flip labels the training loss
        falls to about 0). With ``"all"`` every row of an annotator shares one ``E_n``, a
        per-annotator quantity like ``E_a``.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights (the only randomness). BLAS is limited to one thread
        while L-BFGS-B runs (the matrices are thin, and spinning BLAS threads slowed it
        tenfold on a busy machine).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Sorted class labels.
    annotators_ : pandas.Index of shape (n_annotators,)
        Known annotators, sorted when their ids are comparable; row order of the
        per-annotator attributes.
    estimator_ : transformer
        The fitted clone of ``estimator`` (only when ``estimator`` is given).
    n_features_in_ : int
        Number of columns of ``X`` (only when ``estimator`` is None).
    n_features_ : int
        Number of features the projection sees (after ``estimator``).
    projection_ : ndarray of shape (n_features_, n_components)
        ``W^T``; ``projection_bias_`` (n_components,) is ``b``.
    annotator_embeddings_ : pandas.DataFrame of shape (n_annotators, n_components) or None
        ``E_a`` per annotator (None with ``annotator_embedding=False``).
    label_embeddings_ : ndarray of shape (n_classes, n_components) or None
        ``L_c`` per class (None with ``annotation_embedding=False``).
    annotator_offsets_ : pandas.DataFrame of shape (n_annotators, n_classes) or None
        ``B_a`` per annotator, columns ``classes_`` (None with ``annotator_bias=False``).
    compatibility_maps_ : dict of ndarray of shape (n_components, n_components)
        ``"text"``, ``"annotator"``, ``"annotation"``: ``W_s^T``, ``W_a^T``, ``W_n^T``
        (only the ones in use).
    coef_ : ndarray of shape (n_components, n_classes)
        ``V``; ``intercept_`` (n_classes,) is ``c``.
    annotator_label_counts_ : pandas.DataFrame of shape (n_annotators, n_classes)
        How often each annotator gave each class in training (behind ``E_n``).
    population_label_distribution_ : ndarray of shape (n_classes,)
        Share of each class among all training annotations.
    loss_ : float
        Final value of the training objective.
    n_iter_ : int
        L-BFGS-B iterations of the last stage (the only one for the text-only model).
        When the embedding stage ended above the model without embeddings and that model
        was kept (see above), the embedding blocks are all zero.

    Notes
    -----
    *Unknown annotators* (not seen in :meth:`fit`) fall back to the population: their
    annotator embedding and offsets are the unweighted means of the known annotators',
    and their annotation embedding uses the population label distribution
    (``population_label_distribution_ @ label_embeddings_``, the mean label embedding
    over all training annotations). With ``annotation_context="leave_one_out"``, an
    annotator with a single training annotation has no *other* labels, so during
    training that row gets the population annotation embedding as well.

    *predict_distribution(X)* is the unweighted mean, over the known annotators, of the
    class probabilities each of them is predicted to give: the label distribution a new
    item would receive from the annotator pool.

    *Cost.* One objective evaluation takes ``O(nnz(X) h + n h^2 + n h k)`` time
    (``n`` annotation rows, ``h = n_components``, ``k`` classes); a sparse ``X`` stays
    sparse (only ``X @ W`` and ``X^T @ G`` are formed). Memory is ``O(n h + d h + r h)``
    beyond ``X`` (``d`` features, ``r`` annotators), plus what L-BFGS-B keeps (10 vectors
    of the parameter count ``d h + r h + k h + 3 h^2 + h k + h + k + r k``). Training
    runs at most ``3 max_iter`` L-BFGS-B iterations (three stages).
    :meth:`predict_distribution` works on blocks of items, with at most about a million
    item x annotator x class entries at a time.

    Deng et al. train on the annotation split: 70 % of every annotator's annotations for
    training, 30 % for testing, so test items are usually seen with other annotators.

    References
    ----------
    N. Deng, X. F. Zhang, S. Liu, W. Wu, L. Wang and R. Mihalcea (2023). You Are What You
    Annotate: Towards Better Models through Annotator Representations. Findings of EMNLP
    2023, arXiv:2305.14663.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 5))
    >>> annotators = rng.choice(["a", "b", "c"], size=300)
    >>> y = (X[:, 0] > 0).astype(int)
    >>> y[annotators == "c"] = 1 - y[annotators == "c"]  # annotator c flips every label
    >>> clf = AnnotatorEmbeddingClassifier(n_components=4, random_state=0)
    >>> clf = clf.fit(X, y, annotators)
    >>> float((clf.predict(X, annotators) == y).mean()) > 0.9
    True
    >>> clf.predict_distribution(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints: ClassVar[dict] = {
        "estimator": [HasMethods(["fit_transform", "transform"]), None],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "annotator_embedding": ["boolean"],
        "annotation_embedding": ["boolean"],
        "annotator_bias": ["boolean"],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "init_scale": [Interval(Real, 0, None, closed="neither")],
        "embedding_alpha_ratio": [Interval(Real, 0, None, closed="left")],
        "bias_alpha_ratio": [Interval(Real, 0, None, closed="left")],
        "annotation_context": [StrOptions({"all", "leave_one_out"})],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator: Any = None, *, n_components: int = 8,
                 annotator_embedding: bool = True, annotation_embedding: bool = True,
                 annotator_bias: bool = True, alpha: float = 5e-3, max_iter: int = 300,
                 tol: float = 1e-5, init_scale: float = 0.1,
                 embedding_alpha_ratio: float = 10.0, bias_alpha_ratio: float = 0.3,
                 annotation_context: Literal["all", "leave_one_out"] = "all",
                 random_state: Any = None) -> None:
        self.estimator = estimator
        self.n_components = n_components
        self.annotator_embedding = annotator_embedding
        self.annotation_embedding = annotation_embedding
        self.annotator_bias = annotator_bias
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol
        self.init_scale = init_scale
        self.embedding_alpha_ratio = embedding_alpha_ratio
        self.bias_alpha_ratio = bias_alpha_ratio
        self.annotation_context = annotation_context
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.string = self.estimator is not None
        return tags

    # ------------------------------------------------------------------ input
    def _features(self, X: Any, *, fit: bool) -> Any:
        after = ""
        if self.estimator is not None:
            if fit:
                self.estimator_ = clone(self.estimator)
                X = self.estimator_.fit_transform(X)
            else:
                X = self.estimator_.transform(X)
            after = " after the estimator's transform"
        if not sp.issparse(X):
            arr = X.to_numpy() if isinstance(X, pd.DataFrame) else np.asarray(X)
            if arr.dtype.kind not in "biuf":
                raise TypeError(X_NOT_NUMERIC.format(after=after, what=f"dtype {arr.dtype}"))
            X = arr
        elif X.dtype.kind not in "biuf":
            raise TypeError(X_NOT_NUMERIC.format(after=after, what=f"dtype {X.dtype}"))
        data = X.data if sp.issparse(X) else X
        if data.dtype.kind == "f" and not np.isfinite(data).all():
            raise ValueError(X_NOT_FINITE.format(after=after))
        X = check_array(X, accept_sparse=("csr", "csc"), dtype=np.float64,
                        ensure_min_samples=0, input_name="X")
        if sp.issparse(X):
            X = X.tocsr()
        if fit:
            if self.estimator is None:
                self.n_features_in_ = X.shape[1]
            elif hasattr(self, "n_features_in_"):
                del self.n_features_in_
            self.n_features_ = X.shape[1]
        elif X.shape[1] != self.n_features_:
            raise ValueError(FEATURES_MISMATCH.format(got=X.shape[1], want=self.n_features_))
        return X

    def _annotator_rows(self, annotators: Any, n: int) -> np.ndarray:
        arr = _as_1d(annotators, "annotators")
        if arr.shape[0] != n:
            raise ValueError(_errors.LENGTH_MISMATCH.format(a="annotators", b="X", na=arr.shape[0],
                                                            nb=n))
        return arr

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: ArrayLike, annotators: ArrayLike) -> AnnotatorEmbeddingClassifier:
        """Train on annotation rows: row ``i`` is the label ``y[i]`` that annotator
        ``annotators[i]`` gave the item with features ``X[i]``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features), or raw input
            Item features, one row per annotation (an item labelled by five annotators
            appears five times). Raw input (e.g. a list of texts) when ``estimator`` is
            given.
        y : array-like of shape (n_samples,)
            The annotators' labels (any hashable values, at least two distinct).
        annotators : array-like of shape (n_samples,)
            Who gave each label (any hashable ids).

        Returns
        -------
        self : AnnotatorEmbeddingClassifier

        Raises
        ------
        ValueError
            ``annotators`` or ``y`` of the wrong length, empty, or with missing values; a
            single class; NaN or infinite values in ``X``; invalid parameters.
        TypeError
            Non-numeric ``X`` without an ``estimator``.
        """
        y_arr = _as_1d(y, "y")
        n_rows = y_arr.shape[0]
        ann = _as_1d(annotators, "annotators")
        if ann.shape[0] == 0:
            raise ValueError(ANNOTATORS_EMPTY.format(n=n_rows))
        if ann.shape[0] != n_rows:
            raise ValueError(_errors.LENGTH_MISMATCH.format(a="annotators", b="y",
                                                            na=ann.shape[0], nb=n_rows))
        Xf = self._features(X, fit=True)
        if Xf.shape[0] != n_rows:
            raise ValueError(_errors.LENGTH_MISMATCH.format(a="X", b="y", na=Xf.shape[0],
                                                            nb=n_rows))
        classes = _sorted_index(y_arr)
        if len(classes) < 2:
            raise ValueError(ONE_CLASS.format(label=classes[0]))
        self.classes_ = classes.to_numpy()
        y_codes = classes.get_indexer(y_arr).astype(np.intp)
        self.annotators_ = _sorted_index(ann)
        codes = self.annotators_.get_indexer(ann).astype(np.intp)
        k, r, h = len(classes), len(self.annotators_), self.n_components

        counts = np.zeros((r, k))
        np.add.at(counts, (codes, y_codes), 1.0)
        self.population_label_distribution_ = counts.sum(axis=0) / n_rows
        self.annotator_label_counts_ = pd.DataFrame(counts, index=self.annotators_,
                                                    columns=self.classes_)
        Q = self._training_shares(counts, codes, y_codes)

        use_a, use_n = bool(self.annotator_embedding), bool(self.annotation_embedding)
        use_b = bool(self.annotator_bias)
        rng = check_random_state(self.random_state)
        R = sp.csr_matrix((np.ones(n_rows), (codes, np.arange(n_rows))), shape=(r, n_rows))
        args = (Xf, codes, Q, y_codes, float(self.alpha), float(self.embedding_alpha_ratio))
        # Stage 1: the text-only model (W, b, V, c) from a random start.
        use = (use_a, use_n, use_b)
        layout, theta0 = self._initial_parameters(rng, Xf.shape[1], r, k, h, counts,
                                                  (False, False, False))
        res = self._minimise(layout, theta0, args, (False, False, False), R)
        P = layout.unpack(res.x)
        if use_b:
            # Stage 2: the offsets join, from zero (the objective stays convex in them).
            layout, theta0 = self._initial_parameters(rng, Xf.shape[1], r, k, h, counts,
                                                      (False, False, True), start=P)
            res = self._minimise(layout, theta0, args, (False, False, True), R)
            P = layout.unpack(res.x)
        if use_a or use_n:
            # Stage 3: every block together, from the model so far with random embeddings
            # (an all-zero start would be a saddle point: the embedding terms are products
            # of embedding factors). The model so far, with all embedding blocks at zero,
            # is a stationary point of the full objective; when the descent from the
            # random start ends higher than that point (far from the optimum at max_iter,
            # or in a worse basin), the model so far is kept.
            signatures = _annotator_signatures(rng, Xf, codes, y_codes, counts, h) if use_a \
                else None
            layout, theta0 = self._initial_parameters(rng, Xf.shape[1], r, k, h, counts, use,
                                                      start=P, signatures=signatures)
            res = self._minimise(layout, theta0, args, use, R)
            lifted = layout.pack({n: P[n] if n in P else np.zeros(shape)
                                  for n, shape in layout.shapes.items()})
            f_lifted = _loss_grad(lifted, layout, *args, use_a, use_n, R, use_b,
                                  float(self.bias_alpha_ratio))[0]
            if f_lifted < res.fun:
                res.x, res.fun = lifted, f_lifted
        self._set_fitted(layout.unpack(res.x), use)
        self.loss_ = float(res.fun)
        self.n_iter_ = int(res.nit)
        return self

    def _minimise(self, layout, theta0, args, use, R):
        # The matrices are thin (n x n_components), so BLAS threads buy nothing, and on a
        # busy machine their spinning slowed L-BFGS-B tenfold.
        use_a, use_n, use_b = use
        with threadpool_limits(limits=1, user_api="blas"):
            res = minimize(_loss_grad, theta0, jac=True, method="L-BFGS-B",
                           args=(layout, *args, use_a, use_n, R, use_b,
                                 float(self.bias_alpha_ratio)),
                           options={"maxiter": self.max_iter, "gtol": self.tol,
                                    "ftol": self.tol * 1e-4})
        if res.status == 1:
            warnings.warn(f"AnnotatorEmbeddingClassifier: L-BFGS-B stopped after max_iter="
                          f"{self.max_iter} iterations before reaching tol={self.tol}; "
                          "increase max_iter or alpha", ConvergenceWarning, stacklevel=4)
        return res

    def _training_shares(self, counts: NDArray, codes: NDArray, y_codes: NDArray) -> NDArray:
        """(n_rows, n_classes) label shares behind each training row's ``E_n``: the
        annotator's training labels, without the row's own with ``"leave_one_out"``."""
        Q = counts[codes]
        if self.annotation_context == "leave_one_out":
            Q[np.arange(codes.size), y_codes] -= 1.0
        totals = Q.sum(axis=1)
        alone = totals == 0
        Q[~alone] /= totals[~alone, None]
        Q[alone] = self.population_label_distribution_
        return Q

    def _initial_parameters(self, rng, d: int, r: int, k: int, h: int, counts: NDArray,
                            use: tuple[bool, bool, bool], start: dict | None = None,
                            signatures: NDArray | None = None) -> tuple[_Layout, NDArray]:
        """Parameter layout of the ``use`` terms and a starting vector: ``start``'s blocks
        where it has them (the previous stage), else random text weights, zero offsets
        and random embeddings."""
        use_a, use_n, use_b = use
        scale, emb = float(self.init_scale), _EMBEDDING_SCALE
        if start is None:
            start = {"W": rng.normal(0.0, scale, (d, h)), "b": np.zeros(h),
                     "V": rng.normal(0.0, scale, (h, k)), "c": np.zeros(k)}
        blocks: dict[str, NDArray] = {"W": start["W"], "b": start["b"]}
        if use_a or use_n:
            blocks["Ws"] = np.eye(h)
        # The annotator embeddings start from the annotator's data (label shares and
        # signature), so the start does not depend on how annotators are named or ordered.
        protos = rng.normal(0.0, emb, (k, h)) if use_a or use_n else None
        if use_a:
            blocks["E"] = (counts / counts.sum(axis=1, keepdims=True)) @ protos
            if signatures is not None:
                blocks["E"] = blocks["E"] + signatures
            # A random map (not the identity): with W_a = I the annotator term
            # (s . E_a) E_a only adds along E_a, so an annotator who flips the labels
            # would first have to turn the map around, which L-BFGS-B often did not.
            blocks["Wa"] = rng.normal(0.0, h ** -0.5, (h, h))
        if use_n:
            blocks["L"] = protos.copy() if not use_a else rng.normal(0.0, emb, (k, h))
            blocks["Wn"] = np.eye(h)
        blocks["V"] = start["V"]
        blocks["c"] = start["c"]
        if use_b:
            blocks["B"] = start.get("B", np.zeros((r, k)))
        layout = _Layout({n: v.shape for n, v in blocks.items()})
        return layout, layout.pack(blocks)

    def _set_fitted(self, P: dict[str, NDArray], use: tuple[bool, bool, bool]) -> None:
        self._params = {n: v.copy() for n, v in P.items()}
        self._use = use
        use_a, use_n, use_b = use
        self.projection_ = self._params["W"]
        self.projection_bias_ = self._params["b"]
        self.coef_ = self._params["V"]
        self.intercept_ = self._params["c"]
        self.annotator_embeddings_ = (pd.DataFrame(self._params["E"], index=self.annotators_)
                                      if use_a else None)
        self.label_embeddings_ = self._params["L"] if use_n else None
        self.annotator_offsets_ = (pd.DataFrame(self._params["B"], index=self.annotators_,
                                                columns=self.classes_) if use_b else None)
        maps = {"text": "Ws", "annotator": "Wa", "annotation": "Wn"}
        self.compatibility_maps_ = {key: self._params[b] for key, b in maps.items()
                                    if b in self._params}

    # ------------------------------------------------------------------ predict
    def _rows(self, annotators: Any, n: int) -> tuple[NDArray, NDArray, dict]:
        """Per-row annotator codes, label distributions Q, and the ``_forward`` keywords
        with each row's embedding and offsets (unknown annotators: the population's)."""
        ann = self._annotator_rows(annotators, n)
        codes = self.annotators_.get_indexer(ann).astype(np.intp)
        known = codes >= 0
        counts = self.annotator_label_counts_.to_numpy()
        Q = np.tile(self.population_label_distribution_, (n, 1))
        Q[known] = counts[codes[known]] / counts[codes[known]].sum(axis=1, keepdims=True)
        use_a, use_n, use_b = self._use
        rows = {"use_a": use_a, "use_n": use_n, "use_b": use_b}
        for flag, block in ((use_a, "E"), (use_b, "B")):
            if flag:
                M = self._params[block]
                M_rows = np.tile(M.mean(axis=0), (n, 1))
                M_rows[known] = M[codes[known]]
                rows[f"{block}_rows"] = M_rows
        return codes, Q, rows

    def predict_proba(self, X: Any, annotators: ArrayLike) -> NDArray[np.float64]:
        """Probability of each class for each (item, annotator) row.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features), or raw input
            Item features (raw input when ``estimator`` is given).
        annotators : array-like of shape (n_samples,)
            Who is asked about each row. Annotators not seen in :meth:`fit` get the
            population fallback described in the class Notes.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        Xf = self._features(X, fit=False)
        codes, Q, rows = self._rows(annotators, Xf.shape[0])
        f = _forward(self._params, Xf, codes, Q, **rows)
        return softmax(f["z"], axis=1)

    def predict(self, X: Any, annotators: ArrayLike) -> NDArray:
        """Most probable label for each (item, annotator) row.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features), or raw input
            Item features (raw input when ``estimator`` is given).
        annotators : array-like of shape (n_samples,)
            Who is asked about each row (unknown annotators: population fallback).

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X, annotators), axis=1)]

    def compatibility(self, X: Any, annotators: ArrayLike) -> pd.DataFrame:
        """The paper's compatibility scores ``alpha`` and ``beta`` for each row.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features), or raw input
            Item features (raw input when ``estimator`` is given).
        annotators : array-like of shape (n_samples,)
            Who is asked about each row.

        Returns
        -------
        pandas.DataFrame of shape (n_samples, 2)
            Columns ``alpha`` (weight of the annotator embedding) and ``beta`` (weight of
            the annotation embedding); NaN for an embedding that is switched off.
        """
        check_is_fitted(self)
        Xf = self._features(X, fit=False)
        codes, Q, rows = self._rows(annotators, Xf.shape[0])
        f = _forward(self._params, Xf, codes, Q, **rows)
        nan = np.full(Xf.shape[0], np.nan)
        return pd.DataFrame({"alpha": f.get("a_score", nan), "beta": f.get("b_score", nan)})

    def predict_distribution(self, X: Any) -> NDArray[np.float64]:
        """Predicted label distribution of each item over the known annotator pool.

        Row ``i`` is ``mean_a predict_proba(X[i], a)`` over the ``n_annotators``
        annotators seen in :meth:`fit`, each weighted equally (however many labels they
        gave): the share of the pool expected to choose each class, i.e. how much
        disagreement the item is expected to cause.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_items, n_features), or raw input
            One row per item (raw input when ``estimator`` is given).

        Returns
        -------
        ndarray of shape (n_items, n_classes)
            Rows sum to 1; columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        Xf = self._features(X, fit=False)
        n, r, k = Xf.shape[0], len(self.annotators_), len(self.classes_)
        P = self._params
        use_a, use_n, use_b = self._use
        s = np.asarray(Xf @ P["W"]) + P["b"]
        base = s @ P["V"] + P["c"]  # (n, k)
        if not (use_a or use_n or use_b):
            return softmax(base, axis=1)
        u = s @ P["Ws"] if use_a or use_n else None
        terms = []  # (score matrix (n, r), V-projected embedding (r, k))
        if use_a:
            E = P["E"]
            terms.append((u @ (E @ P["Wa"]).T, E @ P["V"]))
        if use_n:
            counts = self.annotator_label_counts_.to_numpy()
            En = (counts / counts.sum(axis=1, keepdims=True)) @ P["L"]
            terms.append((u @ (En @ P["Wn"]).T, En @ P["V"]))
        out = np.empty((n, k))
        block = max(1, _BLOCK_ELEMENTS // (r * k))
        for lo in range(0, n, block):
            hi = min(n, lo + block)
            z = np.repeat(base[lo:hi, None, :], r, axis=1)
            if use_b:
                z += P["B"][None, :, :]
            for score, proj in terms:
                z += score[lo:hi, :, None] * proj[None, :, :]
            out[lo:hi] = softmax(z, axis=2).mean(axis=1)
        return out

    def score(self, X: Any, y: ArrayLike, annotators: ArrayLike) -> float:
        """Exact-match accuracy over (item, annotator) rows.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features), or raw input
            Item features.
        y : array-like of shape (n_samples,)
            True labels.
        annotators : array-like of shape (n_samples,)
            Who gave each label.

        Returns
        -------
        float
            Share of rows where :meth:`predict` equals ``y``.
        """
        y_arr = _as_1d(y, "y")
        return float(np.mean(self.predict(X, annotators) == y_arr))
