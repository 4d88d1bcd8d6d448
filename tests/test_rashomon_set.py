"""RashomonSet and MultiplicityProfile against plain NumPy recomputations."""

from __future__ import annotations

import copy
import pickle

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

from multiplicity.metrics import rashomon_capacity
from multiplicity.rashomon import MultiplicityProfile, RashomonSet


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=300, n_features=6, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def pool(data):
    X, y = data
    rng = np.random.default_rng(0)
    models = []
    for _ in range(12):
        idx = rng.integers(0, len(y), len(y))
        models.append(LogisticRegression(C=float(rng.uniform(0.01, 10))).fit(X[idx], y[idx]))
    return models


@pytest.fixture(scope="module")
def three_class():
    X, y = make_classification(n_samples=240, n_features=6, n_informative=4, n_classes=3,
                               random_state=1)
    y = np.array(["cat", "dog", "emu"])[y]
    rng = np.random.default_rng(1)
    models = []
    for _ in range(8):
        idx = rng.integers(0, len(y), len(y))
        models.append(LogisticRegression(max_iter=500).fit(X[idx], y[idx]))
    return X, y, models


def _zero_one(models, X, y):
    return np.array([(m.predict(X) != y).mean() for m in models])


# ------------------------------------------------------------------ from_models
@pytest.mark.parametrize("epsilon", [0.0, 0.005, 0.01, 0.05, 1.0])
def test_from_models_keeps_exactly_the_models_within_epsilon(data, pool, epsilon):
    X, y = data
    losses = _zero_one(pool, X, y)
    rs = RashomonSet.from_models(pool, X, y, epsilon=epsilon)
    want = [m for m, loss in zip(pool, losses, strict=True) if loss <= losses.min() + epsilon]
    assert list(rs) == want
    npt.assert_allclose(rs.losses_, losses[losses <= losses.min() + epsilon])
    assert rs.baseline_loss_ == losses.min()
    assert rs.baseline_ is pool[int(np.argmin(losses))]


def test_epsilon_zero_keeps_only_minimisers(data, pool):
    X, y = data
    losses = _zero_one(pool, X, y)
    rs = RashomonSet.from_models(pool, X, y, epsilon=0.0)
    assert len(rs) == int((losses == losses.min()).sum())


def test_set_grows_with_epsilon(data, pool):
    X, y = data
    sizes = [len(RashomonSet.from_models(pool, X, y, epsilon=e))
             for e in np.linspace(0, 0.2, 21)]
    assert sizes == sorted(sizes)
    assert sizes[-1] == len(pool)


def test_relative_epsilon(data, pool):
    X, y = data
    losses = _zero_one(pool, X, y)
    rs = RashomonSet.from_models(pool, X, y, epsilon=0.1, epsilon_mode="relative")
    assert len(rs) == int((losses <= losses.min() * 1.1 + 1e-12).sum())


def test_log_loss_and_brier_match_sklearn_and_definition(data, pool):
    X, y = data
    rs = RashomonSet.from_models(pool, X, y, loss="log_loss", epsilon=10.0)
    want = [log_loss(y, m.predict_proba(X)) for m in pool]
    npt.assert_allclose(rs.losses_, want)
    rs = RashomonSet.from_models(pool, X, y, loss="brier", epsilon=10.0)
    onehot = np.eye(2)[y]
    want = [np.mean(((m.predict_proba(X) - onehot) ** 2).sum(1)) for m in pool]
    npt.assert_allclose(rs.losses_, want)


def test_callable_loss_with_labels_and_probabilities(data, pool):
    X, y = data
    rs = RashomonSet.from_models(pool, X, y, loss=lambda t, p: float(np.mean(t != p)),
                                 epsilon=1.0)
    npt.assert_allclose(rs.losses_, _zero_one(pool, X, y))
    rs = RashomonSet.from_models(pool, X, y, loss=lambda t, q: float(q[:, 1].mean()),
                                 loss_input="predict_proba", epsilon=1.0)
    npt.assert_allclose(rs.losses_, [m.predict_proba(X)[:, 1].mean() for m in pool])


def test_explicit_baseline(data, pool):
    X, y = data
    losses = _zero_one(pool, X, y)
    worst = int(np.argmax(losses))
    rs = RashomonSet.from_models(pool, X, y, epsilon=0.0, baseline=worst)
    assert rs.baseline_ is pool[worst]
    assert len(rs) == len(pool)  # every model is at least as good as the worst one
    rs2 = RashomonSet.from_models(pool, X, y, epsilon=0.0, baseline=pool[worst])
    assert list(rs2) == list(rs)


def test_from_models_bad_input(data, pool):
    X, y = data
    with pytest.raises(ValueError, match="epsilon must be >= 0"):
        RashomonSet.from_models(pool, X, y, epsilon=-0.1)
    with pytest.raises(ValueError, match="epsilon_mode"):
        RashomonSet.from_models(pool, X, y, epsilon_mode="percent")
    with pytest.raises(ValueError, match="at least one"):
        RashomonSet.from_models([], X, y)
    with pytest.raises(ValueError, match="same number of samples"):
        RashomonSet.from_models(pool, X, y[:-1])
    with pytest.raises(ValueError, match="single class"):
        RashomonSet.from_models(pool, X, np.zeros_like(y))
    with pytest.raises(ValueError, match="loss must be one of"):
        RashomonSet.from_models(pool, X, y, loss="hinge")
    svc = LinearSVC().fit(X, y)
    with pytest.raises(TypeError, match="predict_proba"):
        RashomonSet.from_models([svc], X, y, loss="log_loss")
    with pytest.raises(NotFittedError):
        RashomonSet.from_models([LogisticRegression()], X, y)
    with pytest.raises(ValueError, match="baseline index"):
        RashomonSet.from_models(pool, X, y, baseline=len(pool))
    with pytest.raises(ValueError, match="baseline must be"):
        RashomonSet.from_models(pool, X, y, baseline=LogisticRegression())


def test_models_with_different_classes_are_rejected(data):
    X, y = data
    a = LogisticRegression().fit(X, y)
    b = LogisticRegression().fit(X, y + 1)
    with pytest.raises(ValueError, match="share classes_"):
        RashomonSet([a, b], [0.1, 0.1], epsilon=0.1)


def test_set_is_immutable_and_picklable(data, pool):
    X, y = data
    rs = RashomonSet.from_models(pool, X, y, epsilon=0.05)
    with pytest.raises(AttributeError, match="immutable"):
        rs.epsilon = 1.0
    with pytest.raises(ValueError):
        rs.losses_[0] = 0.0
    for clone in (pickle.loads(pickle.dumps(rs)), copy.deepcopy(rs)):
        assert len(clone) == len(rs)
        npt.assert_array_equal(clone.predict(X), rs.predict(X))
        assert not clone.losses_.flags.writeable
    assert "RashomonSet(n_models=" in repr(rs)


# ---------------------------------------------------------------- predictions
def test_predict_and_predict_proba_in_chunks(data, pool):
    X, y = data
    rs = RashomonSet.from_models(pool, X, y, epsilon=1.0)
    want = np.stack([m.predict(X) for m in rs])
    for chunk in (None, 1, 7, 1000):
        npt.assert_array_equal(rs.predict(X, chunk_size=chunk), want)
        npt.assert_allclose(rs.predict_proba(X, chunk_size=chunk),
                            np.stack([m.predict_proba(X) for m in rs]))
    assert rs.predict_proba(X, dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="chunk_size"):
        rs.predict(X, chunk_size=0)


def test_dataframe_input_keeps_feature_names(data):
    X, y = data
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    models = [LogisticRegression(C=c).fit(df, y) for c in (0.1, 1.0)]
    rs = RashomonSet.from_models(models, df, pd.Series(y), epsilon=1.0)
    # predicting from a DataFrame must not warn about missing feature names
    assert rs.predict(df, chunk_size=50).shape == (2, len(y))


def test_models_without_predict_proba(data):
    X, y = data
    models = [LinearSVC(C=c).fit(X, y) for c in (0.01, 0.1, 1.0)]
    rs = RashomonSet.from_models(models, X, y, epsilon=1.0)
    assert not rs.has_predict_proba
    with pytest.raises(TypeError, match="predict_proba"):
        rs.predict_proba(X)
    prof = rs.profile(X, y)
    assert prof.probabilistic_ambiguity is None and prof.rashomon_capacity is None
    assert np.isnan(prof.summary()["mean Rashomon capacity"])
    fig = prof.plot()
    plt.close(fig)


# -------------------------------------------------------------------- profile
def _profile_oracle(models, X, y, baseline, delta):
    P = np.stack([m.predict(X) for m in models])
    Q = np.stack([m.predict_proba(X) for m in models])
    h0 = P[baseline]
    flips = P != h0
    gap = np.abs(Q - Q[baseline]).max(-1)
    pflips = gap >= delta - 1e-12
    m = len(models)
    sc = []
    for j in range(P.shape[1]):
        agree = sum(P[a, j] == P[c, j] for a in range(m) for c in range(m) if a != c)
        sc.append(agree / (m * (m - 1)) if m > 1 else 1.0)
    width = Q.max(0) - Q.min(0)
    return {
        "ambiguity": flips.any(0).mean(), "discrepancy": flips.mean(1).max(),
        "probabilistic_ambiguity": pflips.any(0).mean(),
        "probabilistic_discrepancy": pflips.mean(1).max(),
        "self_consistency": np.array(sc),
        "vpr_width": width[:, 1] if Q.shape[2] == 2 else width.max(1),
        "rc": rashomon_capacity(Q), "acc": (P == y).mean(1),
    }


@pytest.mark.parametrize("delta", [0.01, 0.05, 0.2])
def test_profile_matches_numpy_oracle_binary(data, pool, delta):
    X, y = data
    rs = RashomonSet.from_models(pool, X, y, epsilon=0.05)
    prof = rs.profile(X, y, delta=delta, chunk_size=37)
    ref = _profile_oracle(list(rs), X, y, rs.baseline_index_, delta)
    assert isinstance(prof, MultiplicityProfile)
    assert prof.ambiguity == pytest.approx(ref["ambiguity"])
    assert prof.discrepancy == pytest.approx(ref["discrepancy"])
    assert prof.probabilistic_ambiguity == pytest.approx(ref["probabilistic_ambiguity"])
    assert prof.probabilistic_discrepancy == pytest.approx(ref["probabilistic_discrepancy"])
    npt.assert_allclose(prof.self_consistency, ref["self_consistency"])
    npt.assert_allclose(prof.vpr_width, ref["vpr_width"])
    npt.assert_allclose(prof.rashomon_capacity, ref["rc"])
    assert prof.baseline_accuracy == pytest.approx(ref["acc"][rs.baseline_index_])
    assert prof.min_accuracy == pytest.approx(ref["acc"].min())
    assert prof.disagreement_error_estimate == pytest.approx(1 - ref["self_consistency"].mean())


def test_profile_three_classes_string_labels(three_class):
    X, y, models = three_class
    rs = RashomonSet.from_models(models, X, y, epsilon=1.0)
    prof = rs.profile(X, y)
    ref = _profile_oracle(list(rs), X, y, rs.baseline_index_, 0.1)
    assert prof.ambiguity == pytest.approx(ref["ambiguity"])
    assert prof.discrepancy == pytest.approx(ref["discrepancy"])
    npt.assert_allclose(prof.vpr_width, ref["vpr_width"])
    assert prof.vpr.shape == (len(y), 3, 2)
    assert set(prof.to_frame()["baseline_prediction"]) <= {"cat", "dog", "emu"}
    assert prof.rashomon_capacity.max() <= 3.0


def test_by_group_matches_restricting_the_data(data, pool):
    X, y = data
    rs = RashomonSet.from_models(pool, X, y, epsilon=0.05)
    groups = np.where(X[:, 0] > 0, "high", "low")
    prof = rs.profile(X, y)
    table = prof.by_group(groups)
    assert list(table.index) == ["high", "low", "overall", "max-min gap"]
    for g in ("high", "low"):
        mask = groups == g
        sub = rs.profile(X[mask], y[mask])
        row = table.loc[g]
        assert row["n_samples"] == mask.sum()
        for col in ("ambiguity", "discrepancy", "probabilistic_ambiguity",
                    "probabilistic_discrepancy", "mean_rashomon_capacity", "mean_vpr_width",
                    "mean_self_consistency", "baseline_accuracy", "min_accuracy"):
            assert row[col] == pytest.approx(getattr(sub, col)), col
    assert table.loc["overall", "ambiguity"] == pytest.approx(prof.ambiguity)
    gap = table.loc["max-min gap", "ambiguity"]
    assert gap == pytest.approx(abs(table.loc["high", "ambiguity"] - table.loc["low", "ambiguity"]))
    worst = table.attrs["worst_group"]
    assert worst["ambiguity"] == table.loc[["high", "low"], "ambiguity"].idxmax()
    assert worst["min_accuracy"] == table.loc[["high", "low"], "min_accuracy"].idxmin()


def test_by_group_bad_groups(data, pool):
    X, y = data
    prof = RashomonSet.from_models(pool, X, y, epsilon=0.05).profile(X)
    with pytest.raises(ValueError, match="groups must have shape"):
        prof.by_group(np.zeros(3))
    # missing group labels form a group of their own
    table = prof.by_group(np.array([None] * len(y)))
    assert table.index[0] == "(missing)" and table.loc["(missing)", "n_samples"] == len(y)


def test_profile_without_y_and_with_one_model(data, pool):
    X, _ = data
    rs = RashomonSet([pool[0]], [0.1], epsilon=0.0)
    prof = rs.profile(X)
    assert prof.ambiguity == 0.0 and prof.discrepancy == 0.0
    assert prof.baseline_accuracy is None
    npt.assert_allclose(prof.rashomon_capacity, 1.0)
    assert "y_true" not in prof.to_frame().columns


def test_profile_rejects_bad_delta(data, pool):
    X, y = data
    rs = RashomonSet.from_models(pool, X, y, epsilon=0.05)
    with pytest.raises(ValueError, match="delta"):
        rs.profile(X, delta=0.0)


def test_profile_plot_returns_figure(data, pool):
    X, y = data
    prof = RashomonSet.from_models(pool, X, y, epsilon=0.05).profile(X, y)
    fig = prof.plot()
    assert len(fig.axes) == 3
    assert fig.axes[2].get_xlabel() == "share of samples"
    plt.close(fig)
    fig2, axes = plt.subplots(1, 3)
    assert prof.plot(axes=axes) is fig2
    plt.close(fig2)


def test_trees_without_probability_spread(data):
    X, y = data
    trees = [DecisionTreeClassifier(max_depth=3, random_state=s).fit(X, y) for s in range(4)]
    prof = RashomonSet.from_models(trees, X, y, epsilon=1.0).profile(X, y)
    assert 0.0 <= prof.discrepancy <= prof.ambiguity <= 1.0
    summary = prof.summary()
    assert summary["ambiguity"] == prof.ambiguity


def test_profile_rejects_labels_the_models_do_not_know(data, pool):
    X, y = data
    rs = RashomonSet.from_models(pool, X, y, epsilon=1.0)
    with pytest.raises(ValueError, match=r"label '[01]'.*classes_ = \[0, 1\]"):
        rs.profile(X, y.astype(str))  # strings "0"/"1" against integer classes 0/1
    y_bad = y.copy()
    y_bad[5] = 7
    with pytest.raises(ValueError, match="label 7"):
        rs.profile(X, y_bad)


class _ArrayOnly:
    """Exposes its data only through ``__array__`` (no shape, len or indexing)."""

    def __init__(self, a):
        self._a = a

    def __array__(self, dtype=None, copy=None):
        return self._a if dtype is None else self._a.astype(dtype)


def test_array_protocol_input(data, pool):
    X, y = data
    rs = RashomonSet.from_models(pool, X, y, epsilon=1.0)
    npt.assert_array_equal(rs.predict(_ArrayOnly(X), chunk_size=64), rs.predict(X))
    assert rs.profile(_ArrayOnly(X), y).ambiguity == rs.profile(X, y).ambiguity


def test_log_loss_of_float32_probabilities_does_not_warn(data, pool):
    X, y = data

    class Float32Proba(ClassifierMixin, BaseEstimator):
        """A fitted model whose predict_proba returns float32."""

        def __init__(self, model=None):
            self.model = model

        def fit(self, X, y):
            self.classes_ = self.model.classes_
            return self

        def predict(self, X):
            return self.model.predict(X)

        def predict_proba(self, X):
            return self.model.predict_proba(X).astype(np.float32)

    wrapped = [Float32Proba(m).fit(X, y) for m in pool]
    rs = RashomonSet.from_models(wrapped, X, y, loss="log_loss", epsilon=1.0)  # no warning
    ref = [log_loss(y, m.predict_proba(X)) for m in pool]
    npt.assert_allclose(rs.losses_, ref, rtol=1e-5)


# ------------------------------------------------------------- the pool it was filtered from
@pytest.mark.parametrize(("epsilon", "epsilon_mode"), [(0.0, "absolute"), (0.01, "absolute"),
                                                       (0.1, "relative"), (1.0, "absolute")])
def test_pool_records_every_model_its_loss_and_why_it_was_dropped(data, pool, epsilon,
                                                                  epsilon_mode):
    X, y = data
    rs = RashomonSet.from_models(pool, X, y, epsilon=epsilon, epsilon_mode=epsilon_mode)
    # by hand: plain Python over the pool
    losses = [float(np.mean(m.predict(X) != y)) for m in pool]
    base = losses.index(min(losses))
    thr = losses[base] + epsilon if epsilon_mode == "absolute" else losses[base] * (1 + epsilon)
    kept = [loss <= thr + 1e-12 for loss in losses]
    frame = rs.pool_
    assert list(frame.columns) == ["position", "loss", "kept", "member", "reason"]
    assert frame["position"].tolist() == list(range(len(pool)))
    npt.assert_allclose(frame["loss"], losses)
    assert frame["kept"].tolist() == kept
    assert [m for m, k in zip(pool, kept, strict=True) if k] == list(rs)
    members = [sum(kept[:i]) if k else None for i, k in enumerate(kept)]
    assert [None if pd.isna(v) else v for v in frame["member"]] == members
    for i, (loss, k) in enumerate(zip(losses, kept, strict=True)):
        want = ("baseline h0" if i == base else f"loss <= {thr:.6g}" if k
                else f"loss above {thr:.6g}")
        assert frame["reason"][i] == want
        if not k:
            assert loss > thr
    n_out = len(pool) - sum(kept)
    text = f"kept {sum(kept)} of {len(pool)} models"
    if n_out:
        text += f"; {n_out} dropped: loss above {thr:.6g}"
    assert repr(rs).endswith(f"baseline_loss={losses[base]:.6g}): {text}")


def test_pool_frame_is_a_copy_and_survives_pickling(data, pool):
    X, y = data
    rs = RashomonSet.from_models(pool, X, y, epsilon=0.01)
    frame = rs.pool_
    frame.loc[0, "loss"] = 99.0
    frame["kept"] = True
    assert rs.pool_["loss"][0] != 99.0 and not rs.pool_["kept"].all()
    for clone in (pickle.loads(pickle.dumps(rs)), copy.deepcopy(rs)):
        pd.testing.assert_frame_equal(clone.pool_, rs.pool_)
        assert repr(clone) == repr(rs)
    direct = RashomonSet(list(rs), rs.losses_, epsilon=0.01)
    assert direct.pool_ is None and ": kept" not in repr(direct)
    # a set pickled before the pool was recorded still loads
    state = rs.__getstate__()
    del state["_pool_losses"], state["_pool_kept"]
    old = RashomonSet.__new__(RashomonSet)
    old.__setstate__(state)
    assert old.pool_ is None and len(old) == len(rs)


# ---------------------------------------------------------------- pandas meet on the index
def test_pandas_y_is_aligned_on_the_index_of_X(data):
    X, y = data
    index = [f"p{i}" for i in range(len(y))]
    df = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])], index=index)
    models = [LogisticRegression(C=c).fit(df, y) for c in (0.01, 0.1, 1.0)]
    ys = pd.Series(y, index=index)
    shuffled = ys.sample(frac=1.0, random_state=0)
    aligned = RashomonSet.from_models(models, df, ys, epsilon=0.01)
    moved = RashomonSet.from_models(models, df, shuffled, epsilon=0.01)
    npt.assert_array_equal(moved.losses_, aligned.losses_)
    pd.testing.assert_frame_equal(moved.pool_, aligned.pool_)
    npt.assert_allclose(aligned.pool_["loss"], _zero_one(models, df, y))
    # matched by position, the shuffled labels would give other losses
    assert not np.allclose(_zero_one(models, df, shuffled.to_numpy()), aligned.pool_["loss"])
    a, b = aligned.profile(df, ys), moved.profile(df, shuffled)
    assert a.baseline_accuracy == b.baseline_accuracy == 1 - aligned.baseline_loss_
    other = pd.Series(y, index=[f"q{i}" for i in range(len(y))])
    for call in (lambda: RashomonSet.from_models(models, df, other),
                 lambda: aligned.profile(df, other)):
        with pytest.raises(ValueError, match="the index of y does not match the index of X"):
            call()
    # NumPy labels still match by position
    npt.assert_array_equal(RashomonSet.from_models(models, df, y, epsilon=0.01).losses_,
                           aligned.losses_)
