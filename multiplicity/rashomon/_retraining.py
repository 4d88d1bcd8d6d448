"""RetrainingExplorer: approximate a Rashomon set by retraining one learner many times."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from numbers import Integral, Real
from typing import Any, ClassVar, Literal

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed, effective_n_jobs
from numpy.typing import ArrayLike, NDArray
from sklearn.base import _fit_context, clone
from sklearn.model_selection import ParameterSampler
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import validate_data

from .. import _errors
from .._checks import (
    check_classification_target,
    check_epsilon,
    check_regression_target,
    n_samples_of,
    resolve_seed,
)
from .._lazy import is_instance, lazy_module
from .._parallel import one_thread_per_fit
from .._validation import align_to
from ._explorer import _BaseExplorer
from ._losses import LOSSES, check_loss, model_loss, needs_proba, resolve_loss

__all__ = ["RetrainingExplorer"]

PERTURBATIONS = ("seed", "bootstrap", "subsample", "params")
# A resample that misses a class is redrawn (from the same stream) up to this many times.
_MAX_RESAMPLE_ATTEMPTS = 100
# Rows on which candidates are compared between the training rows (see all_identical).
_PROBE_ROWS = 1000
# The progress bar loads with its first use.
_tqdm_auto = lazy_module("tqdm.auto")


def random_state_keys(estimator: Any) -> list[str]:
    """Sorted names of every (nested) parameter called ``random_state``.

    ``random_state`` itself and deep keys such as ``logisticregression__random_state``
    (a step of a Pipeline) or ``estimator__random_state`` (a wrapped estimator).
    """
    return sorted(key for key in estimator.get_params(deep=True)
                  if key == "random_state" or key.endswith("__random_state"))


# LogisticRegression solvers that never read random_state (scikit-learn: it is "used when
# solver == 'sag', 'saga' or 'liblinear'").
_SEEDLESS_SOLVERS = ("lbfgs", "newton-cg", "newton-cholesky")

# What perturbation="seed" does vary, for the warnings and the docs.
_SEED_HELP = ("perturbation='seed' varies only learners whose fit draws random numbers (random "
              "forests and extra trees, MLPs, SGD with shuffle=True, gradient boosting with "
              "subsample < 1)")

SEED_IGNORED = (
    "perturbation='seed' changes nothing for {setting}: it does not use random_state, so "
    "all {n} candidates will be the same model. The Rashomon set then shows no multiplicity "
    "(ambiguity 0) because its members are copies, not because the predictions are stable. "
    "Use perturbation='bootstrap' or 'subsample' (or 'params'); " + _SEED_HELP + ".")

IDENTICAL_CANDIDATES = (
    "all {n} candidates are the same model: they give identical predictions on the training "
    "data and between its rows, although perturbation={perturbation!r} gave each {what}. "
    "The Rashomon set then shows no multiplicity (ambiguity 0) because its members are "
    "copies, not because the predictions are stable. {advice}")

_IDENTICAL_ADVICE = {
    "seed": ("{name} learns the same model whatever its seed with these settings. Use "
             "perturbation='bootstrap' or 'subsample' (or 'params'); " + _SEED_HELP + "."),
    "bootstrap": "Check that {name} learns from its training rows at all.",
    "subsample": "Check that {name} learns from its training rows at all.",
    "params": ("Check that param_distributions names parameters that change what {name} "
               "learns, or use perturbation='bootstrap'."),
}
_PERTURBED = {"seed": "its own random seed", "bootstrap": "its own bootstrap resample",
              "subsample": "its own subsample", "params": "its own sampled parameters"}


def _seed_ignored_by(owner: Any) -> str | None:
    """The setting of ``owner`` for which its documented fit never reads ``random_state``.

    None when the seed may matter (or the estimator is not one this rule knows).
    """
    # (an object cannot be one of these classes if their module was never imported)
    if is_instance(owner, "sklearn.linear_model", "LogisticRegression", "LogisticRegressionCV") \
            and owner.solver in _SEEDLESS_SOLVERS:
        return f"{type(owner).__name__}(solver={owner.solver!r})"
    if is_instance(owner, "sklearn.svm", "SVC", "NuSVC"):
        probability = getattr(owner, "probability", False)  # deprecated in scikit-learn 1.9
        if isinstance(probability, str) or not probability:  # "deprecated" means False
            return f"{type(owner).__name__} without probability=True"
    return None


def seed_ignored(estimator: Any) -> str | None:
    """Why ``perturbation="seed"`` cannot change ``estimator``, or None if it may.

    Every ``random_state`` parameter of the estimator (nested ones included) must belong
    to an estimator that documents it does not use the seed for its current settings.
    """
    params = estimator.get_params(deep=True)
    settings = []
    for key in random_state_keys(estimator):
        owner = estimator if key == "random_state" else params[key.rsplit("__", 1)[0]]
        setting = _seed_ignored_by(owner)
        if setting is None:
            return None
        settings.append(setting)
    return " and ".join(dict.fromkeys(settings)) or None


def _finest_output(model: Any, X: Any) -> NDArray:
    """Probabilities, else decision values, else labels of ``model`` on ``X``."""
    for method in ("predict_proba", "decision_function"):
        if hasattr(model, method):
            try:
                return np.asarray(getattr(model, method)(X))
            except (AttributeError, NotImplementedError):
                pass
    return np.asarray(model.predict(X))


def _same_output(a: NDArray, b: NDArray) -> bool:
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "fc" and b.dtype.kind in "fc":
        return bool(np.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True))
    return bool(np.array_equal(a, b))


def _probe_rows(X: Any) -> Any:
    """Up to ``_PROBE_ROWS`` new rows: each column of ``X`` shuffled on its own.

    Points between the training rows, with every value one the column takes: models that
    all fit the training rows exactly (full trees, nearest neighbours) still differ there.
    None for inputs without columns (text, sparse matrices).
    """
    n = n_samples_of(X)
    rng = np.random.default_rng(0)  # fixed: the probe only decides whether to warn
    m = min(n, _PROBE_ROWS)
    if hasattr(X, "iloc") and getattr(X, "ndim", 0) == 2:
        out = X.iloc[rng.permutation(n)[:m]].reset_index(drop=True)
        for j in range(X.shape[1]):
            out.isetitem(j, X.iloc[rng.permutation(n)[:m], j].array)
        return out
    if isinstance(X, np.ndarray) and X.ndim == 2:
        idx = np.stack([rng.permutation(n)[:m] for _ in range(X.shape[1])], axis=1)
        return np.take_along_axis(X, idx, axis=0)
    return None


def all_identical(models: Sequence[Any], losses: NDArray, X: Any) -> bool:
    """Whether every model gives the same outputs as the first, on ``X`` and between its rows.

    Outputs are probabilities (else decision values, else labels), equal to 1e-9, on the
    rows of ``X`` and on rows made by shuffling each column of ``X`` on its own (so that
    models that reproduce their training rows exactly are still told apart). Models whose
    losses differ are different, so most pools are told apart without predicting.
    """
    if len(models) < 2 or not np.all(losses == losses[0]):
        return False
    probe = _probe_rows(X)
    data = [X] if probe is None else [X, probe]
    refs = [_finest_output(models[0], d) for d in data]
    return all(_same_output(_finest_output(mdl, d), ref)
               for mdl in models[1:] for d, ref in zip(data, refs, strict=True))


def _resample_rows(rng: np.random.Generator, y: NDArray, n_classes: int, perturbation: str,
                   subsample: float) -> NDArray[np.intp]:
    """Row indices of one bootstrap sample or subsample that holds every class.

    A draw that misses a class is redrawn from the same generator, so the result is still
    a function of the seed alone. ``n_classes=0`` (a regression target) accepts any draw.
    """
    n = len(y)
    size = _subsample_size(subsample, n)
    for _ in range(_MAX_RESAMPLE_ATTEMPTS):
        if perturbation == "bootstrap":
            idx = rng.integers(0, n, size=n)
        else:
            idx = np.sort(rng.choice(n, size=size, replace=False))
        if n_classes == 0 or np.unique(y[idx]).size == n_classes:
            return idx
    raise ValueError(
        f"perturbation={perturbation!r} drew {_MAX_RESAMPLE_ATTEMPTS} resamples in a row that "
        "miss a class of y; the smallest class is too rare for resampling. Use "
        "perturbation='seed' or 'params', or a larger subsample.")


def _subsample_size(subsample: float, n: int) -> int:
    return max(1, round(subsample * n))


def _fit_one(index: int, estimator: Any, X: Any, y: NDArray, perturbation: str,
             streams: Sequence[np.random.SeedSequence], param_distributions: Any,
             subsample: float, n_classes: int, X_eval: Any, y_eval: NDArray | None,
             loss: str | Callable, loss_input: str, one_thread: bool = False
             ) -> tuple[int, Any, float, dict[str, Any]]:
    """Fit candidate ``index`` and return ``(index, model, loss, parameters it was given)``.

    Everything random comes from ``streams`` (three SeedSequences: estimator seeds, rows,
    sampled parameters), so the result does not depend on where the task runs.
    ``X_eval=None`` evaluates the loss on ``(X, y)``. ``one_thread`` runs the fit and the
    loss with BLAS and OpenMP on one thread (fits that run side by side).
    """
    with one_thread_per_fit() if one_thread else nullcontext():
        est_ss, rows_ss, params_ss = streams
        changed: dict[str, Any] = {}
        if perturbation == "params":
            sampler = ParameterSampler(param_distributions, n_iter=1,
                                       random_state=int(params_ss.generate_state(1)[0]))
            changed.update(next(iter(sampler)))
            # clone: a sampled value may be an estimator object, shared by every candidate and
            # owned by the caller's param_distributions; seeding or fitting must not touch it
            estimator = clone(estimator.set_params(**changed))
        keys = [k for k in random_state_keys(estimator) if k not in changed]
        seeds = est_ss.generate_state(max(len(keys), 1))
        seeded = {key: int(s) for key, s in zip(keys, seeds, strict=False)}
        estimator.set_params(**seeded)
        changed.update(seeded)
        if perturbation in ("bootstrap", "subsample"):
            idx = _resample_rows(np.random.default_rng(rows_ss), y, n_classes, perturbation,
                                 subsample)
            estimator.fit(_safe_indexing(X, idx), y[idx])
        else:
            estimator.fit(X, y)
        if X_eval is None:
            X_eval, y_eval = X, y
        return index, estimator, model_loss(estimator, X_eval, y_eval, loss, loss_input), changed


def _nonempty_X_val(X_val: Any) -> Any:
    if n_samples_of(X_val) == 0:
        raise ValueError("rashomon_data: X_val must contain at least one sample, got 0")
    return X_val


def progress_bar(total: int, desc: str = "fitting candidates", unit: str = "model"):
    """A tqdm progress bar (loaded on first use) over ``total`` steps."""
    try:
        tqdm = _tqdm_auto.tqdm
    except ImportError as e:  # pragma: no cover - tqdm is a dependency
        raise ImportError("progress=True needs tqdm: pip install tqdm") from e
    return tqdm(total=total, desc=desc, unit=unit)


class RetrainingExplorer(_BaseExplorer):
    """Approximate the Rashomon set of a learner by retraining it under perturbations.

    ``fit`` trains ``n_models`` candidates, each a clone of ``estimator`` fitted with its
    own random seed (and, depending on ``perturbation``, its own resample of the rows or
    its own hyper-parameters), measures each candidate's loss and keeps those within
    ``epsilon`` of the best one: ``S = {h : L(h) <= L(h0) + epsilon}``
    (``epsilon_mode="absolute"``) or ``L(h) <= L(h0) * (1 + epsilon)`` (``"relative"``),
    where the baseline ``h0`` is the candidate with the smallest loss (the first one on
    ties). The loss is measured on the training data, or on ``rashomon_data`` when given
    (bootstrap and subsample candidates are evaluated on the full training data, not on
    their resample).

    Parameters
    ----------
    estimator : scikit-learn classifier
        The learner to retrain (any classifier, including a Pipeline); cloned, never fitted
        itself.
    n_models : int, default=100
        Number of candidate models to train (>= 1).
    perturbation : {"seed", "bootstrap", "subsample", "params"}, default="seed"
        What differs between candidates:

        - ``"seed"``: only the random seed. Every parameter named ``random_state`` or
          ending in ``__random_state`` (steps of a Pipeline, wrapped estimators) gets a
          seed of its own; an estimator without such a parameter raises ``ValueError``
          (retraining a deterministic learner on the same data gives identical models).
          Seeds change the models of learners whose fit draws random numbers: random
          forests and extra trees, MLPs, ``SGDClassifier`` with ``shuffle=True``,
          gradient boosting with ``subsample < 1``. Many estimators have ``random_state``
          but do not use it for their settings (``LogisticRegression`` with the default
          ``lbfgs`` solver, ``SVC`` without ``probability=True``,
          ``HistGradientBoostingClassifier`` without early stopping): the candidates are
          then copies of one model, and ``fit`` warns (``UserWarning``) that the set shows
          no multiplicity for that reason. A single decision tree and
          ``GradientBoostingClassifier`` with ``subsample=1.0`` use the seed only to break
          ties between equally good splits. Use ``"bootstrap"`` or ``"subsample"`` for
          these learners.
        - ``"bootstrap"``: ``n_samples`` rows drawn with replacement, plus new seeds as for
          ``"seed"`` (Black et al. 2022).
        - ``"subsample"``: ``round(subsample * n_samples)`` rows drawn without replacement
          (kept in their original order), plus new seeds.
        - ``"params"``: one draw from ``param_distributions`` with scikit-learn's
          ``ParameterSampler``, plus new seeds for the ``random_state`` parameters that
          the draw does not set.

        A resample that misses a class of ``y`` is redrawn (so every candidate knows every
        class); after 100 failed draws ``fit`` raises ``ValueError``.
    param_distributions : dict or list of dicts, default=None
        Parameter names (deep keys such as ``"logisticregression__C"`` for a Pipeline)
        mapped to lists or ``scipy.stats`` distributions, as in ``RandomizedSearchCV``.
        Required for ``perturbation="params"``, ignored otherwise.
    subsample : float in (0, 1], default=0.5
        Share of rows each candidate sees with ``perturbation="subsample"``.
    epsilon : float, default=0.01
        Rashomon parameter, >= 0.
    epsilon_mode : {"absolute", "relative"}, default="absolute"
        ``L(h) <= L(h0) + epsilon`` or ``L(h) <= L(h0) * (1 + epsilon)``.
    loss : {"zero_one", "log_loss", "brier", "squared_error", "absolute_error"}, \
callable or None, default=None
        The loss that defines the set (see :meth:`RashomonSet.from_models`). None is
        ``"zero_one"`` for a classifier and ``"squared_error"`` for a regressor (an
        estimator scikit-learn's ``is_regressor`` accepts, such as ``Ridge`` or a
        Pipeline ending in one). The probability losses need an estimator with
        ``predict_proba``.
    loss_input : {"predict", "predict_proba"}, default="predict"
        What a callable ``loss`` receives: ``loss(y, model.predict(X))`` or
        ``loss(y, model.predict_proba(X))``.
    rashomon_data : tuple (X_val, y_val), default=None
        Data the losses (and so the set) are measured on; None uses the training data.
    n_jobs : int, default=None
        Candidates fitted in parallel with joblib. ``None`` means 1 unless inside a
        ``joblib.parallel_config`` context, which also chooses the backend (e.g.
        ``backend="dask"`` to fit on a cluster; see the "Running on a cluster" guide).
        ``-1`` uses all cores. When more than one fit runs at a time (on any backend),
        each fit runs BLAS and OpenMP on one thread (threadpoolctl), so that the fits do
        not compete for the cores; a fit on its own keeps the threads of the process.
    random_state : int, RandomState instance or None, default=None
        Source of every candidate's seeds. One 32-bit seed (``seed_``) is chosen: the int
        itself, a draw from a RandomState instance, or fresh OS entropy for None. The
        candidates' seeds are ``np.random.SeedSequence(seed_).spawn(n_models)``, one
        independent stream per candidate, so the fitted set depends only on ``seed_``,
        not on ``n_jobs``, the backend or the order in which tasks finish. Pass
        ``random_state=explorer.seed_`` to repeat a run made with None.
    progress : bool, default=False
        Show a tqdm progress bar over completed fits.

    Attributes
    ----------
    rashomon_set_ : RashomonSet
        The candidates within epsilon of the best, in candidate order.
    candidate_models_ : list of fitted classifiers or regressors
        All ``n_models`` candidates.
    candidate_losses_ : ndarray of shape (n_models,)
        Loss of each candidate on the data the set is defined on.
    candidate_params_ : list of dict
        The parameters each candidate was given (its seeds and, with ``"params"``, the
        sampled values): ``clone(estimator).set_params(**p)`` refits it (on the same rows).
    baseline_index_ : int
        Position of h0 among the candidates (``argmin`` of ``candidate_losses_``).
    baseline_estimator_ : classifier
        The baseline model h0; ``predict`` and ``predict_proba`` use it.
    seed_ : int
        The seed all candidate seeds were derived from.
    classes_ : ndarray of shape (n_classes,)
        Only for a classifier.
    n_features_in_ : int
        Number of features seen in fit (only when ``X`` has a 2-D shape; a Pipeline that
        starts with a text vectoriser may take a list of strings instead).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of a DataFrame ``X``. ``X`` is passed to the candidates as given, so
        they see the same DataFrame.

    Warns
    -----
    UserWarning
        When every candidate is the same model (identical probabilities, else decision
        values or labels, on the training data), or when ``perturbation="seed"`` meets an
        estimator that documents it does not use its seed with its settings: the set then
        shows no multiplicity because its members are copies.

    See Also
    --------
    RashomonSet.from_models : Filter a pool of already fitted models.

    Notes
    -----
    Retraining is the usual empirical way to explore a Rashomon set: Marx, Calmon and
    Ustun (2020), "Predictive Multiplicity in Classification", ICML, measure ambiguity
    and discrepancy over models that reach near-optimal loss; Black, Raghavan and
    Barocas (2022), "Model Multiplicity: Opportunities, Concerns, and Solutions", FAccT,
    study how seeds and bootstrap resamples of the training data change individual
    predictions. The set found this way is a sample of the true Rashomon set: measures
    computed on it (ambiguity, discrepancy, viable prediction ranges) are lower bounds
    that grow with ``n_models``.

    Every candidate is independent, so the work runs through joblib (``n_jobs``), on any
    joblib backend; results are bit-identical across backends as long as the estimator
    itself is deterministic for a fixed seed. Sample weights and other fit parameters are
    not forwarded.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> explorer = RetrainingExplorer(LogisticRegression(), n_models=5,
    ...                               perturbation="bootstrap", epsilon=0.02,
    ...                               random_state=0).fit(X, y)
    >>> explorer.candidate_losses_  # training 0-1 loss of each candidate
    array([0.08 , 0.055, 0.055, 0.055, 0.08 ])
    >>> len(explorer.rashomon_set_), explorer.baseline_index_
    (3, 1)
    >>> len(explorer.rashomon_set_for(0.05))  # another epsilon, no retraining
    5
    >>> round(explorer.profile(X, y).ambiguity, 3)
    0.09
    """

    _parameter_constraints: ClassVar[dict] = {
        **_BaseExplorer._parameter_constraints,
        "estimator": [HasMethods(["fit", "predict"])],
        "perturbation": [StrOptions(set(PERTURBATIONS))],
        "param_distributions": [dict, list, None],
        "subsample": [Interval(Real, 0, 1, closed="right")],
        "loss": [StrOptions(set(LOSSES)), callable, None],
        "loss_input": [StrOptions({"predict", "predict_proba"})],
        "progress": ["boolean"],
    }

    def __init__(self, estimator: Any, *, n_models: int = 100,
                 perturbation: Literal["seed", "bootstrap", "subsample", "params"] = "seed",
                 param_distributions: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None
                 = None,
                 subsample: float = 0.5, epsilon: float = 0.01,
                 epsilon_mode: Literal["absolute", "relative"] = "absolute",
                 loss: str | Callable | None = None,
                 loss_input: Literal["predict", "predict_proba"] = "predict",
                 rashomon_data: tuple[Any, ArrayLike] | None = None,
                 n_jobs: int | None = None, random_state: Any = None,
                 progress: bool = False) -> None:
        self.estimator = estimator
        self.n_models = n_models
        self.perturbation = perturbation
        self.param_distributions = param_distributions
        self.subsample = subsample
        self.epsilon = epsilon
        self.epsilon_mode = epsilon_mode
        self.loss = loss
        self.loss_input = loss_input
        self.rashomon_data = rashomon_data
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.progress = progress

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.input_tags.string = inner.input_tags.string
        return tags

    # ---------------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: ArrayLike) -> RetrainingExplorer:
        """Train the candidates and keep those within epsilon of the best.

        Parameters
        ----------
        X : array-like, DataFrame or sparse matrix of shape (n_samples, n_features)
            Training data, passed to the candidates as given (a DataFrame keeps its
            column names; resampled rows are taken with ``.iloc``).
        y : array-like of shape (n_samples,)
            Class labels, at least two classes (finite numbers for a regressor). A
            pandas ``y`` next to a DataFrame ``X`` is matched on the index (put in the row
            order of ``X``); so is ``y_val`` to ``X_val`` in ``rashomon_data``.

        Returns
        -------
        self : RetrainingExplorer
            Fitted, with ``rashomon_set_`` and the candidate attributes set.

        Raises
        ------
        ValueError
            X/y length mismatch, pandas ``X`` and ``y`` whose indexes hold different
            labels, a single class in ``y``, ``perturbation="params"``
            without ``param_distributions``, ``perturbation="seed"`` for an estimator
            without ``random_state``, a malformed ``rashomon_data``, invalid parameters.
        TypeError
            A probability loss for an estimator without ``predict_proba``.
        """
        check_epsilon(self.epsilon, self.epsilon_mode)  # also rejects inf
        check_loss(self.loss, self.loss_input)
        task = self._task()
        loss = resolve_loss(self.loss, task)
        check_y = check_regression_target if task == "regression" else \
            check_classification_target
        if not (hasattr(X, "shape") or isinstance(X, list | tuple)) and hasattr(X, "__array__"):
            X = np.asarray(X)  # objects that only implement __array__
        y = align_to(X, y, name="y")
        X, y = validate_data(self, X, y, skip_check_array=True)
        y = check_y(y)
        if (self.perturbation in ("bootstrap", "subsample") and sp.issparse(X)
                and X.format not in ("csr", "csc")):
            X = X.tocsr()  # formats without row indexing (coo, dia, bsr, ...)
        n = n_samples_of(X)
        if n == 0:
            raise ValueError(_errors.NO_SAMPLES)
        if len(y) != n:
            raise ValueError(_errors.X_Y_LENGTH.format(n, len(y)))
        classes = np.unique(y) if task == "classification" else np.empty(0)
        if task == "classification" and classes.size < 2:
            raise ValueError(_errors.ONE_CLASS.format(name="y", label=classes[0]))
        if needs_proba(loss, self.loss_input) and not hasattr(self.estimator, "predict_proba"):
            raise TypeError(f"loss={loss!r} needs predict_proba, which "
                            f"{type(self.estimator).__name__} does not have; use "
                            "loss='zero_one'")
        if self.perturbation == "params" and not self.param_distributions:
            raise ValueError("perturbation='params' needs param_distributions (a dict of "
                             "parameter names to lists or scipy.stats distributions)")
        if self.perturbation == "seed" and not random_state_keys(self.estimator):
            raise ValueError(
                f"perturbation='seed' needs an estimator with a random_state parameter; "
                f"{type(self.estimator).__name__} has none, so every retrained model would "
                "be identical. Use perturbation='bootstrap', 'subsample' or 'params'.")
        if self.perturbation == "subsample" and _subsample_size(self.subsample, n) < classes.size:
            raise ValueError(f"subsample={self.subsample} keeps "
                             f"{_subsample_size(self.subsample, n)} rows, fewer than the "
                             f"{classes.size} classes of y")
        X_eval, y_eval = self._check_rashomon_data(
            _nonempty_X_val, lambda y_val: check_y(y_val, "y_val"))
        ignored = seed_ignored(self.estimator) if self.perturbation == "seed" else None
        if ignored is not None:
            warnings.warn(SEED_IGNORED.format(setting=ignored, n=self.n_models),
                          UserWarning, stacklevel=3)

        # an int (a bool too, as check_random_state reads it) is the seed itself
        rs = self.random_state
        seed = resolve_seed(int(rs) if isinstance(rs, Integral) else rs)
        streams = [child.spawn(3) for child in np.random.SeedSequence(seed).spawn(self.n_models)]

        # Fits side by side each run BLAS and OpenMP on one thread: n_workers fits with a
        # full thread pool each would oversubscribe the cores (joblib limits the threads of
        # its loky workers only, to cores // n_jobs; threads and dask workers not at all).
        one_thread = self.n_models > 1 and effective_n_jobs(self.n_jobs) > 1
        tasks = (delayed(_fit_one)(i, clone(self.estimator), X, y, self.perturbation, s,
                                   self.param_distributions, self.subsample, classes.size,
                                   X_eval, y_eval, loss, self.loss_input, one_thread)
                 for i, s in enumerate(streams))
        results: list[Any] = [None] * self.n_models
        if self.progress:
            bar = progress_bar(self.n_models)
            try:
                parallel = Parallel(n_jobs=self.n_jobs, return_as="generator_unordered")
            except ValueError:  # a backend without generators (multiprocessing)
                parallel = Parallel(n_jobs=self.n_jobs)
            try:
                for res in parallel(tasks):
                    results[res[0]] = res
                    bar.update(1)
            finally:
                bar.close()
        else:
            for res in Parallel(n_jobs=self.n_jobs)(tasks):
                results[res[0]] = res

        models = [r[1] for r in results]
        for i, mdl in enumerate(models if task == "classification" else ()):
            if not np.array_equal(np.asarray(mdl.classes_), classes):
                raise ValueError(f"candidate {i} has classes_ {list(mdl.classes_)}, expected "
                                 f"{list(classes)}")
        losses = np.array([r[2] for r in results], dtype=np.float64)
        if ignored is None and all_identical(models, losses, X):
            advice = _IDENTICAL_ADVICE[self.perturbation]
            if self.perturbation == "subsample" and _subsample_size(self.subsample, n) == n:
                advice = ("subsample=1.0 gives every candidate all the rows, so only the seed "
                          "differs; " + _IDENTICAL_ADVICE["seed"])
            warnings.warn(IDENTICAL_CANDIDATES.format(
                n=self.n_models, perturbation=self.perturbation,
                what=_PERTURBED[self.perturbation],
                advice=advice.format(name=type(self.estimator).__name__)),
                UserWarning, stacklevel=3)
        self.seed_ = seed
        self.candidate_params_ = [r[3] for r in results]
        if task == "classification":
            self.classes_ = np.asarray(models[0].classes_)
        self._keep_candidates(models, losses, baseline_index=int(np.argmin(losses)))
        return self
