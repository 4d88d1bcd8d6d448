"""DropoutExplorer and DropoutMember against a plain NumPy forward pass and model_loss."""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils.validation import check_is_fitted

from multiplicity._parallel import numba_threads
from multiplicity.rashomon import RashomonSet
from multiplicity.rashomon._dropout import DropoutExplorer, DropoutMember
from multiplicity.rashomon._losses import model_loss
from multiplicity.rashomon._network import (
    _members_iter_proba,
    _members_predict_codes,
    _members_predict_proba,
)

ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]
TASKS = {"binary": 2, "multiclass": 3}
LOSSES = ["zero_one", "log_loss", "brier"]


def make_data(n_classes: int, n_samples: int = 120, seed: int = 0):
    return make_classification(n_samples=n_samples, n_features=5, n_informative=4,
                               n_redundant=0, n_classes=n_classes, flip_y=0.05,
                               random_state=seed)


def fit_mlp(X, y, hidden=(8, 8), activation="relu", max_iter=60, seed=0):
    """A small MLP; few iterations, so ConvergenceWarning is silenced here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return MLPClassifier(hidden_layer_sizes=hidden, activation=activation,
                             max_iter=max_iter, random_state=seed).fit(X, y)


_ORACLE_ACT = {
    "identity": lambda z: z,
    "logistic": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
}


def numpy_forward(mlp, X, mask):
    """Independent oracle: layer by layer in NumPy, masks after each hidden activation."""
    a = np.asarray(X, dtype=np.float64)
    offset = 0
    n_weights = len(mlp.coefs_)
    for layer, (W, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_, strict=True)):
        z = a @ W + b
        if layer < n_weights - 1:
            width = W.shape[1]
            a = _ORACLE_ACT[mlp.activation](z) * mask[offset:offset + width]
            offset += width
        else:
            a = z
    assert offset == len(mask)
    if a.shape[1] == 1:
        p = 1.0 / (1.0 + np.exp(-a[:, 0]))
        return np.column_stack([1.0 - p, p])
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.fixture(scope="module")
def binary():
    X, y = make_data(2)
    return X, y, fit_mlp(X, y)


@pytest.fixture(scope="module")
def multiclass():
    X, y = make_data(3)
    return X, y, fit_mlp(X, y)


@pytest.fixture(scope="module")
def explorer(binary):
    X, y, mlp = binary
    return DropoutExplorer(mlp, n_models=40, p=0.2, epsilon=0.03, random_state=0).fit(X, y)


# ------------------------------------------------------------------ forward pass
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("task", list(TASKS))
def test_ones_mask_reproduces_mlp(task, activation):
    X, y = make_data(TASKS[task])
    for hidden in [(8,), (6, 5)]:
        mlp = fit_mlp(X, y, hidden=hidden, activation=activation)
        member = DropoutMember(mlp, np.ones(sum(hidden))).fit()
        npt.assert_allclose(member.predict_proba(X), mlp.predict_proba(X), rtol=0,
                            atol=1e-12)
        npt.assert_array_equal(member.predict(X), mlp.predict(X))
        npt.assert_allclose(DropoutMember(mlp).fit().predict_proba(X),
                            mlp.predict_proba(X), rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", ["bernoulli", "gaussian"])
@pytest.mark.parametrize("task", list(TASKS))
@pytest.mark.parametrize("hidden", [(7,), (6, 5), (4, 6, 5)])
def test_forward_matches_numpy_oracle(kind, task, hidden):
    X, y = make_data(TASKS[task], n_samples=150)
    mlp = fit_mlp(X, y, hidden=hidden, activation="tanh")
    ex = DropoutExplorer(mlp, n_models=6, p=0.3, kind=kind, epsilon=1.0,
                         random_state=1).fit(X, y)
    assert ex.masks_.shape == (6, sum(hidden))
    assert not np.all(ex.masks_[1:] == 1.0)
    batched = _members_predict_proba(ex.candidate_models_, X, chunk_size=70)
    for i, member in enumerate(ex.candidate_models_):
        expected = numpy_forward(mlp, X, ex.masks_[i])
        npt.assert_allclose(member.predict_proba(X), expected, rtol=0, atol=1e-12)
        npt.assert_allclose(batched[i], expected, rtol=0, atol=1e-12)
        labels = member.predict(X)
        agree = labels == mlp.classes_[expected.argmax(axis=1)]
        # labels may only differ where two classes tie to rounding
        top2 = np.sort(expected, axis=1)[:, -2:]
        assert np.all(agree | (top2[:, 1] - top2[:, 0] < 1e-12))


def test_random_masks_every_activation(multiclass):
    X, y, _ = multiclass
    rng = np.random.default_rng(3)
    for activation in ACTIVATIONS:
        mlp = fit_mlp(X, y, hidden=(8, 8), activation=activation)
        for mask in (rng.uniform(0, 2, 16), (rng.random(16) > 0.5) * 2.0,
                     np.zeros(16)):
            got = DropoutMember(mlp, mask).fit().predict_proba(X)
            npt.assert_allclose(got, numpy_forward(mlp, X, mask), rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", ["bernoulli", "gaussian"])
def test_p_zero_gives_the_base_model(binary, kind):
    X, y, mlp = binary
    ex = DropoutExplorer(mlp, n_models=8, p=0.0, kind=kind, epsilon=0.0,
                         random_state=0).fit(X, y)
    assert np.all(ex.masks_ == 1.0)
    assert np.all(ex.candidate_losses_ == ex.candidate_losses_[0])
    assert len(ex.rashomon_set_) == 8
    P = ex.rashomon_set_.predict_proba(X)
    for Q in P:
        npt.assert_array_equal(Q, P[0])
    npt.assert_allclose(P[0], mlp.predict_proba(X), rtol=0, atol=1e-12)
    npt.assert_array_equal(ex.rashomon_set_.predict(X), np.tile(mlp.predict(X), (8, 1)))


def test_mask_distributions(binary):
    X, y, mlp = binary
    p = 0.3
    bern = DropoutExplorer(mlp, n_models=300, p=p, random_state=5).fit(X[:20], y[:20])
    values = bern.masks_[1:].ravel()
    assert set(np.unique(values)) <= {0.0, 1.0 / (1.0 - p)}
    assert abs(np.mean(values > 0) - (1 - p)) < 0.03
    assert abs(values.mean() - 1.0) < 0.05  # inverted dropout: mean multiplier 1
    gauss = DropoutExplorer(mlp, n_models=300, p=p, kind="gaussian",
                            random_state=5).fit(X[:20], y[:20])
    g = gauss.masks_[1:].ravel()
    assert abs(g.mean() - 1.0) < 0.05
    assert abs(g.var() - p / (1 - p)) < 0.05
    npt.assert_array_equal(gauss.masks_[0], 1.0)


# ----------------------------------------------------------------------- losses
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("task", list(TASKS))
def test_candidate_losses_match_model_loss(task, loss, binary, multiclass):
    X, y, mlp = binary if task == "binary" else multiclass
    ex = DropoutExplorer(mlp, n_models=12, p=0.3, loss=loss, epsilon=0.02,
                         random_state=2).fit(X, y)
    expected = [model_loss(m, X, y, loss) for m in ex.candidate_models_]
    npt.assert_allclose(ex.candidate_losses_, expected, rtol=1e-12, atol=1e-14)
    npt.assert_allclose(ex.candidate_losses_[0], model_loss(mlp, X, y, loss), rtol=1e-12)
    ref = RashomonSet.from_models(ex.candidate_models_, X, y, loss=loss, epsilon=0.02,
                                  baseline=0)
    assert [id(m) for m in ref] == [id(m) for m in ex.rashomon_set_]
    assert ex.rashomon_set_.baseline_index_ == 0
    assert ex.rashomon_set_.loss == loss


def test_rashomon_data_defines_the_losses(binary):
    X, y, mlp = binary
    X_val, y_val = make_data(2, n_samples=70, seed=9)
    ex = DropoutExplorer(mlp, n_models=10, p=0.3, loss="brier", random_state=0,
                         rashomon_data=(X_val, y_val)).fit(X, y)
    expected = [model_loss(m, X_val, y_val, "brier") for m in ex.candidate_models_]
    npt.assert_allclose(ex.candidate_losses_, expected, rtol=1e-12)
    ex_list = DropoutExplorer(mlp, n_models=10, p=0.3, loss="brier", random_state=0,
                              rashomon_data=[X_val, list(y_val)]).fit(X, y)
    npt.assert_array_equal(ex_list.candidate_losses_, ex.candidate_losses_)


def test_losses_do_not_depend_on_chunk_size(binary):
    X, y, mlp = binary
    a = DropoutExplorer(mlp, n_models=10, p=0.3, loss="log_loss", random_state=0).fit(X, y)
    b = DropoutExplorer(mlp, n_models=10, p=0.3, loss="log_loss", random_state=0,
                        chunk_size=7).fit(X, y)
    npt.assert_allclose(a.candidate_losses_, b.candidate_losses_, rtol=1e-13)


# ------------------------------------------------------------------------ the set
def test_set_grows_with_epsilon(explorer):
    previous: set[int] = set()
    sizes = []
    for eps in [0.0, 0.005, 0.01, 0.02, 0.05, 0.1, 1.0]:
        rs = explorer.rashomon_set_for(eps)
        ids = {id(m) for m in rs}
        assert previous <= ids
        previous = ids
        sizes.append(len(rs))
        assert rs.baseline_index_ == 0
        assert rs.models_[0] is explorer.candidate_models_[0]
        assert np.all(rs.losses_ <= explorer.candidate_losses_[0] + eps + 1e-12)
    assert sizes == sorted(sizes)
    assert sizes[-1] == explorer.n_models
    assert len(explorer.rashomon_set_) == len(explorer.rashomon_set_for(0.03))


def test_relative_epsilon(explorer):
    L0 = explorer.candidate_losses_[0]
    rs = explorer.rashomon_set_for(0.5, epsilon_mode="relative")
    keep = explorer.candidate_losses_ <= L0 * 1.5 + 1e-12
    assert len(rs) == int(keep.sum())
    assert rs.epsilon_mode == "relative"


def test_fitted_attributes(explorer, binary):
    X, _, mlp = binary
    assert explorer.baseline_index_ == 0
    assert explorer.estimator_ is mlp
    npt.assert_array_equal(explorer.masks_[0], 1.0)
    assert explorer.masks_.shape == (40, 16)
    assert explorer.candidate_losses_.shape == (40,)
    assert len(explorer.candidate_models_) == 40
    npt.assert_array_equal(explorer.classes_, mlp.classes_)
    assert explorer.n_features_in_ == 5
    npt.assert_array_equal(explorer.predict(X), mlp.predict(X))
    npt.assert_allclose(explorer.predict_proba(X), mlp.predict_proba(X), atol=1e-12)
    for i, member in enumerate(explorer.candidate_models_):
        npt.assert_array_equal(member.mask_, explorer.masks_[i])
        assert member.network_ is explorer.candidate_models_[0].network_


def test_deterministic_and_independent_of_threads(binary):
    X, y, mlp = binary
    kwargs = {"n_models": 25, "p": 0.25, "loss": "log_loss", "random_state": 7}
    ref = DropoutExplorer(mlp, **kwargs).fit(X, y)
    again = DropoutExplorer(mlp, **kwargs).fit(X, y)
    npt.assert_array_equal(ref.masks_, again.masks_)
    npt.assert_array_equal(ref.candidate_losses_, again.candidate_losses_)
    for n_jobs in (1, 2):
        with numba_threads(n_jobs):
            other = DropoutExplorer(mlp, **kwargs).fit(X, y)
        npt.assert_array_equal(other.masks_, ref.masks_)
        npt.assert_array_equal(other.candidate_losses_, ref.candidate_losses_)
        param = DropoutExplorer(mlp, n_jobs=n_jobs, **kwargs).fit(X, y)
        npt.assert_array_equal(param.candidate_losses_, ref.candidate_losses_)
        with numba_threads(n_jobs):
            codes = _members_predict_codes(ref.candidate_models_, X)
        npt.assert_array_equal(codes, _members_predict_codes(ref.candidate_models_, X,
                                                            n_jobs=1))
    # masks depend on the seed and the candidate index only
    longer = DropoutExplorer(mlp, **{**kwargs, "n_models": 40}).fit(X, y)
    npt.assert_array_equal(longer.masks_[:25], ref.masks_)
    other_seed = DropoutExplorer(mlp, **{**kwargs, "random_state": 8}).fit(X, y)
    assert not np.array_equal(other_seed.masks_, ref.masks_)
    unseeded = DropoutExplorer(mlp, n_models=5, p=0.3).fit(X, y)
    replay = DropoutExplorer(mlp, n_models=5, p=0.3, random_state=unseeded.seed_).fit(X, y)
    npt.assert_array_equal(unseeded.masks_, replay.masks_)
    from_rs = DropoutExplorer(mlp, n_models=5, p=0.3,
                              random_state=np.random.RandomState(0)).fit(X, y)
    assert 0 <= from_rs.seed_ < 2**32


def test_profile_of_the_set(explorer, binary):
    X, y, _ = binary
    rs = explorer.rashomon_set_
    slow = rs.profile(X, y)
    fast = explorer.profile(X, y)
    assert slow.n_models == fast.n_models == len(rs)
    for name in ("ambiguity", "discrepancy", "probabilistic_ambiguity",
                 "probabilistic_discrepancy", "mean_rashomon_capacity", "mean_vpr_width",
                 "mean_self_consistency", "baseline_accuracy", "min_accuracy",
                 "max_accuracy"):
        npt.assert_allclose(getattr(fast, name), getattr(slow, name), rtol=1e-9,
                            err_msg=name)
    npt.assert_array_equal(fast.predictions, slow.predictions)
    npt.assert_allclose(fast.vpr, slow.vpr, atol=1e-12)
    npt.assert_allclose(fast.rashomon_capacity, slow.rashomon_capacity, rtol=1e-9)
    assert 0.0 <= fast.ambiguity <= 1.0
    assert fast.baseline_accuracy == pytest.approx(1 - explorer.candidate_losses_[0])
    chunked = explorer.profile(X, y, chunk_size=33, n_jobs=1)
    npt.assert_allclose(chunked.mean_rashomon_capacity, fast.mean_rashomon_capacity,
                        rtol=1e-9)
    table = fast.by_group(X[:, 0] > 0)
    assert list(table.index[:2]) == [False, True]


def test_multiclass_profile(multiclass):
    X, y, mlp = multiclass
    ex = DropoutExplorer(mlp, n_models=15, p=0.2, epsilon=0.05, kind="gaussian",
                         random_state=0).fit(X, y)
    slow = ex.rashomon_set_.profile(X, y)
    fast = ex.profile(X, y)
    npt.assert_allclose(fast.vpr, slow.vpr, atol=1e-12)
    assert fast.ambiguity == slow.ambiguity
    assert fast.vpr.shape == (len(y), 3, 2)


def test_batched_methods_match_the_set(explorer, binary):
    X, _, _ = binary
    rs = explorer.rashomon_set_
    npt.assert_array_equal(_members_predict_codes(rs.models_, X), rs.predict_codes(X))
    npt.assert_array_equal(_members_predict_codes(iter(rs.models_), X, chunk_size=9),
                           rs.predict_codes(X))
    P = rs.predict_proba(X)
    npt.assert_allclose(_members_predict_proba(rs, X, chunk_size=50), P, atol=1e-12)
    chunks = list(_members_iter_proba(rs.models_, X, chunk_size=50))
    assert [lo for lo, _ in chunks] == [0, 50, 100]
    npt.assert_allclose(np.concatenate([Q for _, Q in chunks], axis=1), P, atol=1e-12)


# --------------------------------------------------------------- inputs and types
def test_sparse_and_dataframe_inputs(binary):
    X, y, mlp = binary
    dense = DropoutExplorer(mlp, n_models=8, p=0.3, loss="log_loss",
                            random_state=0).fit(X, y)
    for sparse in (sp.csr_matrix(X), sp.csc_matrix(X)):
        ex = DropoutExplorer(mlp, n_models=8, p=0.3, loss="log_loss",
                             random_state=0).fit(sparse, y)
        npt.assert_allclose(ex.candidate_losses_, dense.candidate_losses_, rtol=1e-12)
        npt.assert_allclose(ex.candidate_models_[3].predict_proba(sparse),
                            dense.candidate_models_[3].predict_proba(X), atol=1e-12)
    cols = [f"f{i}" for i in range(X.shape[1])]
    df = pd.DataFrame(X, columns=cols)
    mlp_df = fit_mlp(df, pd.Series(y))
    ex = DropoutExplorer(mlp_df, n_models=5, p=0.3, random_state=0).fit(df, pd.Series(y))
    npt.assert_array_equal(ex.feature_names_in_, cols)
    npt.assert_array_equal(ex.rashomon_set_.predict(df)[0], mlp_df.predict(df))
    with pytest.raises(ValueError, match="feature names"):
        ex.fit(df[cols[::-1]], y)


def test_string_labels():
    X, y = make_data(3)
    labels = np.array(["cat", "dog", "emu"])[y]
    mlp = fit_mlp(X, labels)
    ex = DropoutExplorer(mlp, n_models=10, p=0.3, loss="brier", random_state=0).fit(X, labels)
    expected = [model_loss(m, X, labels, "brier") for m in ex.candidate_models_]
    npt.assert_allclose(ex.candidate_losses_, expected, rtol=1e-12)
    assert set(ex.rashomon_set_.predict(X).ravel()) <= {"cat", "dog", "emu"}
    with pytest.raises(ValueError, match="not trained on"):
        ex.fit(X, np.where(labels == "cat", "yak", labels))
    with pytest.raises(ValueError, match="not trained on"):
        ex.fit(X, y)  # ints against string classes


def test_member_conventions(binary):
    X, y, mlp = binary
    mask = np.r_[np.zeros(8), np.full(8, 2.0)]
    member = DropoutMember(mlp, mask)
    with pytest.raises(NotFittedError):
        member.predict(X)
    assert member.fit(X, y) is member
    check_is_fitted(member)
    assert member.get_params()["estimator"] is mlp
    restored = pickle.loads(pickle.dumps(member))
    npt.assert_array_equal(restored.predict_proba(X), member.predict_proba(X))
    assert member.score(X, y) == pytest.approx(np.mean(member.predict(X) == y))
    with pytest.raises(ValueError, match="mask must have shape"):
        DropoutMember(mlp, np.ones(3)).fit()
    with pytest.raises(ValueError, match="finite"):
        DropoutMember(mlp, np.full(16, np.nan)).fit()
    with pytest.raises(ValueError, match="features"):
        member.predict(X[:, :3])


def test_set_pickles(explorer, binary):
    X, _, _ = binary
    rs = pickle.loads(pickle.dumps(explorer.rashomon_set_))
    npt.assert_array_equal(rs.predict(X), explorer.rashomon_set_.predict(X))
    assert rs.models_[0].network_ is rs.models_[-1].network_  # shared, not copied
    ex = pickle.loads(pickle.dumps(explorer))
    npt.assert_array_equal(ex.masks_, explorer.masks_)


def test_sklearn_conventions(binary):
    X, y, mlp = binary
    ex = DropoutExplorer(mlp, n_models=5, p=0.3, random_state=0)
    params = ex.get_params(deep=False)
    assert params["n_models"] == 5 and params["p"] == 0.3 and params["estimator"] is mlp
    assert set(params) == {"estimator", "n_models", "p", "kind", "epsilon", "epsilon_mode",
                           "loss", "rashomon_data", "random_state", "n_jobs", "chunk_size"}
    assert ex.set_params(p=0.1) is ex and ex.p == 0.1
    for call in (lambda: ex.predict(X), lambda: ex.predict_proba(X),
                 lambda: ex.rashomon_set_for(0.1), lambda: ex.profile(X)):
        with pytest.raises(NotFittedError):
            call()
    twin = clone(ex)
    assert twin.get_params(deep=False)["p"] == 0.1
    with pytest.raises(NotFittedError):  # clone of a bare network is unfitted
        twin.fit(X, y)
    frozen = DropoutExplorer(FrozenEstimator(mlp), n_models=5, p=0.3, random_state=0)
    fitted = clone(frozen).fit(X, y)
    npt.assert_array_equal(fitted.candidate_losses_, ex.set_params(p=0.3).fit(X, y)
                           .candidate_losses_)
    assert fitted.score(X, y) == pytest.approx(np.mean(mlp.predict(X) == y))


@pytest.mark.parametrize(("params", "error"), [
    ({"p": 1.0}, ValueError),
    ({"p": -0.1}, ValueError),
    ({"p": 1.5}, ValueError),
    ({"n_models": 0}, ValueError),
    ({"kind": "uniform"}, ValueError),
    ({"epsilon": -0.01}, ValueError),
    ({"epsilon": float("inf")}, ValueError),
    ({"epsilon_mode": "ratio"}, ValueError),
    ({"loss": "hinge"}, ValueError),
    ({"chunk_size": 0}, ValueError),
    ({"rashomon_data": "val"}, (ValueError, TypeError)),
])
def test_bad_parameters(binary, params, error):
    X, y, mlp = binary
    with pytest.raises(error):
        DropoutExplorer(mlp, **{"n_models": 3, **params}).fit(X, y)


def test_bad_estimators(binary):
    X, y, mlp = binary
    odd = copy.deepcopy(mlp)
    odd.activation = "swish"
    with pytest.raises(ValueError, match="activation"):
        DropoutExplorer(odd, n_models=3).fit(X, y)
    with pytest.raises(TypeError, match="MLPClassifier"):
        DropoutExplorer(LogisticRegression().fit(X, y), n_models=3).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
        reg.fit(X, y.astype(float))
    with pytest.raises(TypeError, match="MLPClassifier"):
        DropoutExplorer(reg, n_models=3).fit(X, y)
    with pytest.raises(NotFittedError):
        DropoutExplorer(MLPClassifier((4,)), n_models=3).fit(X, y)
    with pytest.raises(NotFittedError):
        DropoutMember(MLPClassifier((4,))).fit()
    Y = np.column_stack([y, 1 - y, y])
    multilabel = fit_mlp(X, Y, hidden=(4,))
    with pytest.raises(ValueError, match="multilabel"):
        DropoutExplorer(multilabel, n_models=3).fit(X, y)
    single = fit_mlp(X, np.zeros(len(y), dtype=int), hidden=(4,))
    with pytest.raises(ValueError, match="single class"):
        DropoutMember(single).fit()
    with pytest.raises(ValueError, match="no hidden layer"):
        DropoutExplorer(fit_mlp(X, y, hidden=()), n_models=3).fit(X, y)


def test_bad_data(binary):
    X, y, mlp = binary
    ex = DropoutExplorer(mlp, n_models=3, random_state=0)
    with pytest.raises(ValueError, match="features"):
        ex.fit(X[:, :4], y)
    with pytest.raises(ValueError, match="same number of samples"):
        ex.fit(X, y[:-1])
    with pytest.raises(ValueError, match="1-D"):
        ex.fit(X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="not trained on"):
        ex.fit(X, np.where(y == 0, 5, y))
    with pytest.raises(ValueError, match="not trained on"):  # labels that do not compare
        ex.fit(X, np.array(["a"] * len(y), dtype=object))
    column = ex.fit(X, y[:, None])  # a column vector is read as 1-D
    npt.assert_array_equal(column.candidate_losses_, ex.fit(X, y).candidate_losses_)
    with pytest.raises(ValueError):
        ex.fit(np.full_like(X, np.nan), y)
    with pytest.raises(ValueError, match="pair"):
        ex.set_params(rashomon_data=(X,)).fit(X, y)
    with pytest.raises(ValueError, match="same number of samples"):
        ex.set_params(rashomon_data=(X, y[:5])).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        ex.set_params(rashomon_data=(X[:, :2], y)).fit(X, y)
    with pytest.raises(ValueError, match="y_val"):
        ex.set_params(rashomon_data=(X, y + 7)).fit(X, y)
    ex.set_params(rashomon_data=None).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        ex.predict(X[:, :2])
    with pytest.raises(ValueError, match="features"):
        ex.profile(X[:, :2])


def test_batched_functions_reject_bad_members(binary, explorer):
    X, y, mlp = binary
    with pytest.raises(ValueError, match="at least one"):
        _members_predict_codes([], X)
    with pytest.raises(TypeError, match="DropoutMember"):
        _members_predict_proba([LogisticRegression().fit(X, y)], X)
    other = DropoutMember(fit_mlp(X, y, seed=1)).fit()
    with pytest.raises(ValueError, match="share one network"):
        _members_predict_codes([explorer.candidate_models_[0], other], X)
    by_hand = DropoutMember(mlp).fit()  # same weights, its own copy: batched all the same
    npt.assert_array_equal(_members_predict_codes([explorer.candidate_models_[1], by_hand], X),
                           [explorer.candidate_models_[1].predict(X) == mlp.classes_[1],
                            mlp.predict(X) == mlp.classes_[1]])
    with pytest.raises(NotFittedError):
        _members_predict_codes([DropoutMember(mlp)], X)
    with pytest.raises(ValueError, match="chunk_size"):
        _members_predict_codes(explorer.candidate_models_, X, chunk_size=0)


def test_batched_view_forwards_other_attributes(explorer):
    from multiplicity.rashomon._dropout import _BatchedSetView

    view = _BatchedSetView(explorer.rashomon_set_, n_jobs=None)
    assert view.models_ is explorer.rashomon_set_.models_
    assert view.threshold_ == explorer.rashomon_set_.threshold_
    assert len(view) == len(explorer.rashomon_set_) and view.has_predict_proba
