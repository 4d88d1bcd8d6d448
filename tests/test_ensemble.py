"""Selective ensembles: selective_vote against scipy's binomial test and a Python oracle,
SelectiveEnsembleClassifier against its definition and scikit-learn's estimator checks."""

from __future__ import annotations

import warnings
from collections import Counter

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binomtest, spearmanr
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError, UndefinedMetricWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks
from strategies import prediction_matrices

from multiplicity.ensemble import SelectiveEnsembleClassifier, selective_vote
from multiplicity.ensemble._kernels import _binom_two_sided_half
from multiplicity.ensemble._vote import default_abstain_label
from multiplicity.metrics import self_consistency


# ----------------------------------------------------------------- the p-value
def _scipy_p(n_a: int, n_b: int) -> float:
    return binomtest(n_a, n_a + n_b, 0.5).pvalue if n_a + n_b else 1.0


def test_p_values_equal_scipy_binomtest_for_every_count_up_to_100_models():
    for n in range(101):
        for n_a in range((n + 1) // 2, n + 1):
            assert abs(_binom_two_sided_half(n_a, n - n_a) - _scipy_p(n_a, n - n_a)) <= 1e-12


def test_p_values_equal_scipy_binomtest_sampled_up_to_500_models():
    rng = np.random.default_rng(0)
    for _ in range(1500):
        n = int(rng.integers(101, 501))
        n_a = int(rng.integers((n + 1) // 2, n + 1))
        assert abs(_binom_two_sided_half(n_a, n - n_a) - _scipy_p(n_a, n - n_a)) <= 1e-12


@pytest.mark.slow
def test_p_values_equal_scipy_binomtest_for_every_count_up_to_500_models():
    for n in range(501):
        for n_a in range((n + 1) // 2, n + 1):
            assert abs(_binom_two_sided_half(n_a, n - n_a) - _scipy_p(n_a, n - n_a)) <= 1e-12


@pytest.mark.parametrize(("n_a", "n_b"), [(1500, 1400), (5000, 4000), (1200, 0), (2001, 1999)])
def test_p_values_of_large_ensembles_stay_accurate(n_a, n_b):
    ref = _scipy_p(n_a, n_b)
    assert _binom_two_sided_half(n_a, n_b) == pytest.approx(ref, rel=1e-10, abs=1e-300)


# ----------------------------------------------------------- selective_vote
def _vote_oracle(P, alpha, abstain):
    """Per sample: Counter of the votes, top two in (count desc, label asc) order."""
    labels, p_values = [], []
    for column in np.asarray(P, dtype=object).T:
        counts = sorted(Counter(column.tolist()).items(), key=lambda kv: (-kv[1], kv[0]))
        n_a = counts[0][1]
        n_b = counts[1][1] if len(counts) > 1 else 0
        p = _scipy_p(n_a, n_b)
        labels.append(counts[0][0] if p <= alpha else abstain)
        p_values.append(p)
    return labels, np.array(p_values)


@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.2])
@pytest.mark.parametrize("kind", ["int8", "int64", "str", "float64", "float32", "uint64",
                                  "wide_int64"])
def test_selective_vote_matches_python_oracle(alpha, kind):
    rng = np.random.default_rng(3)
    base = rng.integers(0, 3, 400)
    P = np.where(rng.random((25, 400)) < rng.random(400) * 0.6, rng.integers(0, 3, (25, 400)),
                 base)
    P = 2 - P  # the first label seen is not the smallest (labels are not codes)
    if kind == "str":
        P = np.array(["no", "maybe", "yes"])[P]
        abstain = "abstain"
    elif kind == "wide_int64":  # a span too wide to count in place
        P = P * 10**12 - 5
        abstain = -1
    else:
        P = P.astype(kind)
        abstain = -1
    labels, p = selective_vote(P, alpha=alpha, abstain_label=abstain)
    ref_labels, ref_p = _vote_oracle(P, alpha, abstain)
    npt.assert_allclose(p, ref_p, rtol=0, atol=1e-12)
    assert labels.tolist() == ref_labels
    assert 0 < (labels == abstain).sum() < 400  # both outcomes are exercised


def test_selective_vote_special_cases_and_dtypes():
    votes = np.array([[1] * 10, [1] * 10, [1] * 6 + [0] * 4, [0] * 5 + [1] * 5]).T
    labels, p = selective_vote(votes)
    assert labels.dtype == votes.dtype
    npt.assert_array_equal(labels, [1, 1, -1, -1])
    assert p[0] == 2.0**-9  # unanimous: 2 * 0.5**10
    assert p[3] == 1.0  # tie
    one, p1 = selective_vote([[3, 4]])  # a single model always abstains
    npt.assert_array_equal(one, [-1, -1])
    npt.assert_array_equal(p1, [1.0, 1.0])
    five, _ = selective_vote(np.ones((5, 2), dtype=np.int8))  # 2**-4 > 0.05: abstain
    assert (five == -1).all()
    six, _ = selective_vote(np.ones((6, 2), dtype=np.int8))  # 2**-5 <= 0.05: answer
    assert (six == 1).all()
    floats, _ = selective_vote(np.full((8, 3), 2.5))
    assert floats.dtype == np.float64
    assert (floats == 2.5).all()
    strings, _ = selective_vote(np.full((8, 2), "a"), abstain_label=None)
    assert strings.dtype == object
    assert strings.tolist() == ["a", "a"]
    # votes for a third class do not enter the test: 7 A, 1 B, 12 C -> C vs A
    col = np.array(["A"] * 7 + ["B"] * 1 + ["C"] * 12)[:, None]
    lab, p = selective_vote(col, alpha=0.5)
    assert lab[0] == "C"
    assert p[0] == pytest.approx(binomtest(12, 19, 0.5).pvalue, abs=1e-14)


@given(P=prediction_matrices(min_models=1, max_models=9, max_samples=20, max_classes=3),
       data=st.data())
def test_selective_vote_invariant_to_model_and_sample_order(P, data):
    alpha = data.draw(st.sampled_from([0.01, 0.05, 0.3]))
    labels, p = selective_vote(P, alpha=alpha)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    rows, cols = rng.permutation(P.shape[0]), rng.permutation(P.shape[1])
    labels2, p2 = selective_vote(P[rows][:, cols], alpha=alpha)
    npt.assert_array_equal(labels2, labels[cols])
    npt.assert_array_equal(p2, p[cols])
    assert ((p >= 0) & (p <= 1)).all()
    # relabelling the classes relabels the answers (the test only sees counts)
    names = np.array(["c0", "c1", "c2"])
    named, p3 = selective_vote(names[P], alpha=alpha, abstain_label="-")
    npt.assert_array_equal(p3, p)
    answered = labels != -1
    npt.assert_array_equal(named[answered], names[labels[answered]])
    assert (named[~answered] == "-").all()


def test_selective_vote_bad_input():
    with pytest.raises(ValueError, match="alpha must lie in"):
        selective_vote(np.ones((3, 2)), alpha=0.0)
    with pytest.raises(ValueError, match="alpha must lie in"):
        selective_vote(np.ones((3, 2)), alpha=1.0)
    with pytest.raises(TypeError, match="alpha"):
        selective_vote(np.ones((3, 2)), alpha="0.05")
    with pytest.raises(ValueError, match="abstain_label=1 is one of the class labels"):
        selective_vote(np.ones((3, 2), dtype=int), abstain_label=1)
    with pytest.raises(ValueError, match="2-D"):
        selective_vote(np.ones(3))
    with pytest.raises(ValueError, match=r"empty|at least"):
        selective_vote(np.ones((0, 3)))
    with pytest.raises(ValueError, match=r"missing|NaN"):
        selective_vote(np.array([[0.0, np.nan], [1.0, 1.0]]))


# ------------------------------------------------ SelectiveEnsembleClassifier
@pytest.fixture(scope="module")
def noisy():
    return make_classification(n_samples=400, n_features=8, flip_y=0.15, random_state=0)


@pytest.fixture(scope="module")
def trees(noisy):
    X, y = noisy
    return SelectiveEnsembleClassifier(DecisionTreeClassifier(max_depth=5), n_estimators=20,
                                       perturbation="bootstrap", random_state=1).fit(X, y)


def test_predict_is_selective_vote_of_the_members(noisy, trees):
    X, _ = noisy
    P = np.stack([m.predict(X) for m in trees.estimators_])
    ref_labels, ref_p = selective_vote(P, alpha=0.05)
    npt.assert_array_equal(trees.predict(X), ref_labels)
    npt.assert_array_equal(trees.p_values(X), ref_p)
    assert trees.abstention_rate(X) == pytest.approx((ref_labels == -1).mean())
    assert 0 < trees.abstention_rate(X) < 1
    shares = trees.predict_proba(X)
    npt.assert_allclose(shares[:, 1], (P == 1).mean(axis=0))
    npt.assert_allclose(shares.sum(axis=1), 1.0)
    npt.assert_allclose(trees.self_consistency(X), self_consistency(P))


def test_self_consistency_test(noisy):
    X, y = noisy
    ens = SelectiveEnsembleClassifier(DecisionTreeClassifier(max_depth=5), n_estimators=12,
                                      test="self_consistency", threshold=0.7,
                                      perturbation="bootstrap", random_state=1).fit(X, y)
    P = np.stack([m.predict(X) for m in ens.estimators_])
    b1 = P.sum(axis=0)
    b0 = P.shape[0] - b1
    sc = 1 - 2 * b0 * b1 / (12 * 11)  # Cooper et al. 2024, binary form
    expected = np.where((sc >= 0.7) & (b0 != b1), (b1 > b0).astype(int), -1)
    npt.assert_array_equal(ens.predict(X), expected)
    npt.assert_allclose(ens.self_consistency(X), sc)


def test_multiclass_string_labels_and_abstain_label():
    X, y = make_classification(n_samples=300, n_features=6, n_informative=4, n_classes=3,
                               flip_y=0.2, random_state=2)
    y = np.array(["a", "b", "c"])[y]
    ens = SelectiveEnsembleClassifier(DecisionTreeClassifier(max_depth=4), n_estimators=9,
                                      perturbation="bootstrap", abstain_label="?",
                                      random_state=0).fit(X, y)
    pred = ens.predict(X)
    assert set(pred.tolist()) <= {"a", "b", "c", "?"}
    assert pred.dtype == np.dtype("<U1")  # strings stay strings
    P = np.stack([m.predict(X) for m in ens.estimators_])
    npt.assert_array_equal(pred, selective_vote(P, abstain_label="?")[0])
    ens.set_params(abstain_label="(no answer)").fit(X, y)  # a longer marker: not truncated
    assert ens.predict(X).dtype == np.dtype("<U11")
    npt.assert_array_equal(ens.predict(X), np.where(pred == "?", "(no answer)", pred))
    with pytest.raises(ValueError, match="abstain_label='a' is one of the class labels"):
        SelectiveEnsembleClassifier(LogisticRegression(), abstain_label="a",
                                    perturbation="bootstrap").fit(X, y)


def test_identical_members_for_n_jobs_1_and_2(noisy):
    X, y = noisy
    kw = {"n_estimators": 6, "perturbation": "bootstrap", "random_state": 5}
    a = SelectiveEnsembleClassifier(LogisticRegression(), n_jobs=1, **kw).fit(X, y)
    b = SelectiveEnsembleClassifier(LogisticRegression(), n_jobs=2, **kw).fit(X, y)
    for ma, mb in zip(a.estimators_, b.estimators_, strict=True):
        npt.assert_array_equal(ma.coef_, mb.coef_)


def test_feature_attributions_linear_members(noisy):
    X, y = noisy
    df = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    ens = SelectiveEnsembleClassifier(LogisticRegression(), n_estimators=6,
                                      perturbation="bootstrap", random_state=0).fit(df, y)
    att = ens.feature_attributions(df)
    assert att.method == "coefficients"
    npt.assert_array_equal(att.members.to_numpy(),
                           np.vstack([m.coef_[0] for m in ens.estimators_]))
    assert list(att.mean.index) == list(df.columns)
    rhos = [spearmanr(att.members.iloc[a], att.members.iloc[b]).statistic
            for a in range(6) for b in range(a + 1, 6)]
    assert att.stability == pytest.approx(np.mean(rhos))
    other = SelectiveEnsembleClassifier(LogisticRegression(), n_estimators=6,
                                        perturbation="bootstrap", random_state=1).fit(df, y)
    rho = att.stability_with(other.feature_attributions(df))
    assert rho == pytest.approx(spearmanr(att.mean, other.feature_attributions(df).mean)
                                .statistic)
    assert -1 <= rho <= 1


def test_feature_attributions_permutation_importance(noisy, trees):
    X, y = noisy
    with pytest.raises(ValueError, match="needs y"):
        trees.feature_attributions(X)
    att = trees.feature_attributions(X, y, n_repeats=2)
    assert att.method == "permutation_importance"
    assert att.members.shape == (20, X.shape[1])
    assert -1 <= att.stability <= 1


def test_bad_input(noisy):
    X, y = noisy
    lr = LogisticRegression()
    for params, match in [({"alpha": 0.0}, "alpha"), ({"alpha": 1.0}, "alpha"),
                          ({"n_estimators": 1}, "n_estimators"),
                          ({"test": "bayes"}, "test"),
                          ({"test": "self_consistency", "threshold": 1.5}, "threshold"),
                          ({"test": "self_consistency"}, "needs threshold"),
                          ({"threshold": 0.5}, "applies only to"),
                          ({"perturbation": "params"}, "perturbation")]:
        with pytest.raises(ValueError, match=match):
            SelectiveEnsembleClassifier(lr, **params).fit(X, y)
    with pytest.raises(NotFittedError):
        SelectiveEnsembleClassifier(lr).predict(X)
    with pytest.raises(ValueError, match="only one class"):
        SelectiveEnsembleClassifier(lr).fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="same number of samples"):
        SelectiveEnsembleClassifier(lr).fit(X, y[:-1])


def _expected_failures(estimator):
    # check_classifiers_train asserts predict == classes_[argmax(predict_proba)]; bootstrap
    # trees tie on a few of its samples, where predict abstains by design. The default
    # abstain_label=None passes every check, check_classifiers_classes (labels {-1, 1},
    # strings) included.
    if estimator.abstain_label is None:
        return {}
    return {"check_classifiers_train": "predict abstains (-99) where the vote shares of "
                                       "predict_proba tie, by design"}


# Common checks with deterministic members (identical votes, so no abstention on the
# checks' data) and the default abstain_label, and with bootstrap trees.
@parametrize_with_checks(expected_failed_checks=_expected_failures, estimators=[
    SelectiveEnsembleClassifier(LogisticRegression(), n_estimators=6, random_state=0),
    SelectiveEnsembleClassifier(make_pipeline(StandardScaler(), LogisticRegression()),
                                n_estimators=6, random_state=0),
    SelectiveEnsembleClassifier(DecisionTreeClassifier(max_depth=3), n_estimators=7,
                                test="self_consistency", threshold=0.0,
                                perturbation="bootstrap", abstain_label=-99,
                                random_state=0),
])
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        # Identical members are the point of the first two instances (no abstention on
        # the checks' data), and on the checks' toy data even bootstrap trees can all be
        # the same; the retraining loop warns about both, which these API checks ignore.
        warnings.filterwarnings("ignore", message="perturbation='seed' changes nothing",
                                category=UserWarning)
        warnings.filterwarnings("ignore", message=r"all \d+ candidates are the same model",
                                category=UserWarning)
        check(estimator)


def test_smaller_ensemble_is_a_prefix_of_a_larger_one(noisy):
    # The example script relies on it: member seeds are SeedSequence children by index.
    X, y = noisy
    kw = {"perturbation": "bootstrap", "random_state": 7}
    big = SelectiveEnsembleClassifier(DecisionTreeClassifier(max_depth=4), n_estimators=8,
                                      **kw).fit(X, y)
    small = SelectiveEnsembleClassifier(DecisionTreeClassifier(max_depth=4), n_estimators=3,
                                        **kw).fit(X, y)
    npt.assert_array_equal(small.votes(X), big.votes(X)[:3])


# ------------------------------------------------------ labels of any type
def _answers_oracle(P, alpha):
    """Per sample (column of P): the plurality label and whether the binomial test passes."""
    top, answered = [], []
    for column in np.asarray(P, dtype=object).T:
        counts = sorted(Counter(column.tolist()).items(), key=lambda kv: (-kv[1], str(kv[0])))
        n_a = counts[0][1]
        n_b = counts[1][1] if len(counts) > 1 else 0
        top.append(counts[0][0])
        answered.append(_scipy_p(n_a, n_b) <= alpha)
    return np.array(top, dtype=object), np.array(answered)


@pytest.fixture(scope="module")
def binary():
    return make_classification(n_samples=300, n_features=6, flip_y=0.2, random_state=0)


LABEL_CASES = {
    # classes, expected default marker, expected predict dtype
    "str": (np.array(["no", "yes"]), "(abstain)", np.dtype("<U9")),
    "str_named_abstain": (np.array(["(abstain)", "x"]), "(abstain 2)", np.dtype("<U11")),
    "object_str": (np.array(["no", "yes"], dtype=object), "(abstain)", np.dtype(object)),
    "minus_one_one": (np.array([-1, 1]), -2, np.dtype(np.int64)),
    "zero_one": (np.array([0, 1]), -1, np.dtype(np.int64)),
    "int8": (np.array([-3, 4], dtype=np.int8), -4, np.dtype(np.int8)),
    "uint8": (np.array([0, 1], dtype=np.uint8), -1, np.dtype(np.int16)),
    "bool": (np.array([False, True]), None, np.dtype(object)),
    "float": (np.array([0.0, 1.0]), np.nan, np.dtype(np.float64)),
    "float32": (np.array([1.0, 2.0], dtype=np.float32), np.nan, np.dtype(np.float32)),
}


@pytest.mark.parametrize("case", list(LABEL_CASES))
def test_default_abstain_label_never_a_class_and_score_on_answered_samples(binary, case):
    X, y01 = binary
    classes, marker, dtype = LABEL_CASES[case]
    y = classes[y01]
    ens = SelectiveEnsembleClassifier(DecisionTreeClassifier(max_depth=4), n_estimators=9,
                                      perturbation="bootstrap", random_state=0).fit(X, y)
    if isinstance(marker, float):
        assert np.isnan(ens.abstain_label_)
    else:
        assert ens.abstain_label_ == marker
        assert type(ens.abstain_label_) is type(marker)
    pred = ens.predict(X)
    assert pred.dtype == dtype
    # the members' plain labels, voted by a Python oracle
    P = np.stack([m.predict(X) for m in ens.estimators_])
    top, answered = _answers_oracle(P, 0.05)
    assert 0 < answered.sum() < len(y)
    assert pred[answered].tolist() == top[answered].tolist()
    abstained = pred[~answered]
    if marker is None or isinstance(marker, float):
        assert pd.isna(abstained).all() and not pd.isna(pred[answered]).any()
    else:
        assert (abstained == marker).all() and not (pred[answered] == marker).any()
    assert set(pred[answered].tolist()) <= set(classes.tolist())
    # score: plain NumPy accuracy on the samples the oracle says are answered
    assert ens.score(X, y) == pytest.approx(np.mean(top[answered] == y[answered]), abs=1e-15)
    assert ens.abstention_rate(X) == pytest.approx(1 - answered.mean())
    # y as a list and as a Series (positional against a NumPy X)
    assert ens.score(X, y.tolist()) == ens.score(X, y)
    assert ens.score(X, pd.Series(y)) == ens.score(X, y)


def test_score_with_string_labels_does_not_compare_marker_and_classes(binary):
    X, y01 = binary
    y = np.array(["negative", "positive"])[y01]
    ens = SelectiveEnsembleClassifier(DecisionTreeClassifier(max_depth=4), n_estimators=9,
                                      perturbation="bootstrap", abstain_label=-1,
                                      random_state=0).fit(X, y)
    pred = ens.predict(X)
    assert pred.dtype == object  # an int marker among strings: an object array
    answered = np.array([p != -1 for p in pred.tolist()])
    assert ens.score(X, y) == pytest.approx(np.mean(pred[answered] == y[answered]))
    # a true label that is not a class counts as wrong
    y_bad = y.copy()
    y_bad[answered.argmax()] = "unknown"
    assert ens.score(X, y_bad) == pytest.approx(np.mean(pred[answered] == y_bad[answered]))


def test_score_sample_weight_against_weighted_mean(noisy, trees):
    X, y = noisy
    w = np.random.default_rng(0).random(len(y))
    pred = trees.predict(X)
    answered = pred != -1
    ref = np.sum(w[answered] * (pred[answered] == y[answered])) / np.sum(w[answered])
    assert trees.score(X, y, sample_weight=w) == pytest.approx(ref, rel=1e-12)
    w_before = w.copy()
    trees.score(X, y, sample_weight=w)
    npt.assert_array_equal(w, w_before)
    with pytest.raises(ValueError, match="sample_weight must have shape"):
        trees.score(X, y, sample_weight=w[:-1])
    with pytest.raises(ValueError, match="sample_weight must hold finite values >= 0"):
        trees.score(X, y, sample_weight=-w)
    with pytest.raises(ValueError, match="same number of samples"):
        trees.score(X, y[:-1])
    with pytest.warns(UndefinedMetricWarning, match="abstains on every sample"):
        assert np.isnan(trees.score(X, y, sample_weight=np.where(answered, 0.0, 1.0)))


def test_score_is_nan_with_a_warning_when_the_ensemble_always_abstains(noisy):
    X, y = noisy  # five members: a unanimous vote has p = 2**-4 > 0.05
    ens = SelectiveEnsembleClassifier(LogisticRegression(), n_estimators=5,
                                      perturbation="bootstrap", random_state=0).fit(X, y)
    assert ens.abstention_rate(X) == 1.0
    with pytest.warns(UndefinedMetricWarning, match="abstains on every sample"):
        assert np.isnan(ens.score(X, y))


def test_explicit_abstain_label_collision_and_type(binary):
    X, y01 = binary
    y = np.array([-1, 1])[y01]
    lr = LogisticRegression()
    kw = {"n_estimators": 6, "perturbation": "bootstrap", "random_state": 0}
    with pytest.raises(ValueError, match=r"abstain_label=-1 is one of the class labels \[-1, 1\]"):
        SelectiveEnsembleClassifier(lr, abstain_label=-1, **kw).fit(X, y)
    with pytest.raises(ValueError, match="abstain_label=True is one of the class labels"):
        SelectiveEnsembleClassifier(lr, abstain_label=True, **kw).fit(X, y01 == 1)
    with pytest.raises(TypeError, match="abstain_label must be a scalar"):
        SelectiveEnsembleClassifier(lr, abstain_label=[0], **kw).fit(X, y)
    ens = SelectiveEnsembleClassifier(lr, abstain_label=0, **kw).fit(X, y)
    assert ens.abstain_label_ == 0
    assert set(ens.predict(X).tolist()) <= {-1, 0, 1}
    # a float marker among int classes: an object array, the ints unchanged
    ens.set_params(abstain_label=0.5).fit(X, y)
    pred = ens.predict(X)
    assert pred.dtype == object
    assert {type(v) for v in pred.tolist()} <= {int, float}


def test_default_abstain_label_rule_at_the_edges():
    big = np.iinfo(np.int64)
    assert default_abstain_label(np.array([big.min, 0])) == 1  # one below does not fit
    assert default_abstain_label(np.array([big.min, big.max])) is None
    assert default_abstain_label(np.array([0, 1], dtype=np.uint64)) == 2  # -1 would be float
    assert default_abstain_label(np.array([1, "a"], dtype=object)) is None
    assert default_abstain_label(np.array(["a", "(abstain)", "(abstain 2)"])) == "(abstain 3)"


def test_selective_vote_output_dtype_holds_labels_and_marker():
    votes = np.array([[1] * 10, [0] * 5 + [1] * 5]).T
    for dtype, expected in [(np.int8, np.int8), (np.uint8, np.int16), (np.int64, np.int64),
                            (np.float32, np.float32)]:
        labels, _ = selective_vote(votes.astype(dtype))
        assert labels.dtype == expected
        assert labels.tolist() == [1, -1]
    labels, _ = selective_vote(votes.astype(np.uint64))  # -1 fits no integer dtype with them
    assert labels.dtype == object
    assert labels.tolist() == [1, -1]


def test_pandas_y_meets_x_on_the_index(binary):
    X, y01 = binary
    idx = pd.Index([f"r{i}" for i in range(len(y01))])
    df = pd.DataFrame(X, index=idx, columns=[f"f{j}" for j in range(X.shape[1])])
    y = pd.Series(np.array(["no", "yes"])[y01], index=idx)
    shuffled = y.sample(frac=1.0, random_state=0)
    kw = {"n_estimators": 9, "perturbation": "bootstrap", "random_state": 0}
    a = SelectiveEnsembleClassifier(DecisionTreeClassifier(max_depth=4), **kw).fit(df, y)
    b = SelectiveEnsembleClassifier(DecisionTreeClassifier(max_depth=4), **kw).fit(df, shuffled)
    npt.assert_array_equal(b.votes(df), a.votes(df))
    assert b.score(df, shuffled) == a.score(df, y)
    assert shuffled.index.equals(y.sample(frac=1.0, random_state=0).index)  # not reordered
    w = pd.Series(np.arange(len(y), dtype=float), index=idx)
    assert a.score(df, shuffled, sample_weight=w.sample(frac=1.0, random_state=1)) == (
        pytest.approx(a.score(df, y, sample_weight=w)))
    other = y.set_axis([f"s{i}" for i in range(len(y))])
    with pytest.raises(ValueError, match="y"):
        SelectiveEnsembleClassifier(DecisionTreeClassifier(max_depth=4), **kw).fit(df, other)
    with pytest.raises(ValueError, match="y"):
        a.score(df, other)


def test_selective_vote_marker_that_does_not_compare_to_labels():
    # "a" == pd.NA is NA, whose truth value raises: such a marker is not a class
    votes = np.array([["a"] * 10, ["a"] * 5 + ["b"] * 5]).T
    labels, _ = selective_vote(votes, abstain_label=pd.NA)
    assert labels.dtype == object
    assert labels[0] == "a" and labels[1] is pd.NA


class _ExpandedLogistic(ClassifierMixin, BaseEstimator):
    """Logistic regression on degree-2 features that shows their coefficients as coef_."""

    def fit(self, X, y):
        from sklearn.preprocessing import PolynomialFeatures

        self.pipe_ = make_pipeline(PolynomialFeatures(2), StandardScaler(),
                                   LogisticRegression()).fit(X, y)
        self.classes_ = self.pipe_.classes_
        self.coef_ = self.pipe_[-1].coef_
        return self

    def predict(self, X):
        return self.pipe_.predict(X)


def test_feature_attributions_other_features_and_expanded_coefficients(noisy):
    X, y = noisy
    kw = {"n_estimators": 6, "perturbation": "bootstrap", "random_state": 0}
    ens = SelectiveEnsembleClassifier(LogisticRegression(), **kw).fit(X, y)
    fewer = SelectiveEnsembleClassifier(LogisticRegression(), **kw).fit(X[:, :4], y)
    with pytest.raises(ValueError, match="different features"):
        ens.feature_attributions(X).stability_with(fewer.feature_attributions(X[:, :4]))
    # coefficients over expanded features are not attributions of the inputs
    expanded = SelectiveEnsembleClassifier(_ExpandedLogistic(), **kw).fit(X[:, :3], y)
    assert expanded.estimators_[0].coef_.shape == (1, 10)
    att = expanded.feature_attributions(X[:, :3], y, n_repeats=2)
    assert att.method == "permutation_importance"
    assert att.members.shape == (6, 3)
