"""RashomonSet.profile on a dask X equals the in-memory profile.

The members predict each partition on the two worker processes of the session's
LocalCluster; the scalars, per-sample arrays, per-sample table and group tables must equal
those of ``RashomonSet.profile`` on the same rows in memory (counts exactly, means to
1e-12), whatever the partitioning: ragged DataFrame partitions with a shuffled index,
one-row array chunks, features split across chunks.
"""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LinearRegression, LogisticRegression, Perceptron
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from multiplicity.rashomon import (
    DaskMultiplicityProfile,
    MultiplicityProfile,
    RashomonSet,
    RetrainingExplorer,
)
from multiplicity.rashomon._dask_profile import REGRESSORS_ON_DASK

pytest.importorskip("distributed", reason="dask.distributed is not installed")
dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

N_FEATURES = 4
SCALARS = list(MultiplicityProfile.SCALAR_LABELS)
PER_SAMPLE = ("ambiguous", "predictions", "self_consistency", "vpr", "vpr_width",
              "rashomon_capacity", "proba_flips", "y_codes")
COUNT_SCALARS = ["ambiguity", "discrepancy", "probabilistic_ambiguity",
                 "probabilistic_discrepancy", "baseline_accuracy", "min_accuracy",
                 "max_accuracy"]


# The sets are fitted on DataFrames; the array cases profile NumPy / dask arrays of the same
# columns, about which scikit-learn warns (its warning, not the package's).
pytestmark = pytest.mark.filterwarnings(
    "ignore:X does not have valid feature names:UserWarning")

def _problem(n_classes, learner, seed=0):
    X, y = make_classification(n_samples=120, n_features=N_FEATURES, n_informative=3,
                               n_redundant=0, n_classes=n_classes, flip_y=0.15,
                               random_state=seed)
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(N_FEATURES)])
    labels = pd.Series(np.array(["no", "yes", "maybe"])[y], name="label")
    X_tr, X_te, y_tr, y_te = train_test_split(df, labels, test_size=0.4, random_state=seed)
    rset = RetrainingExplorer(learner, n_models=8, epsilon=0.1, perturbation="bootstrap",
                              random_state=seed).fit(X_tr, y_tr).rashomon_set_
    return rset, X_te, y_te


@pytest.fixture(scope="module")
def problem(dask_client):
    """Three classes (string labels), eight bootstrap trees, the in-memory profile."""
    rset, X_te, y_te = _problem(3, DecisionTreeClassifier(max_depth=4))
    return rset, X_te, y_te, rset.profile(X_te, y_te)


def _assert_same(dprof, ref):
    """Every scalar, per-sample array and the per-sample table agree."""
    assert isinstance(dprof, DaskMultiplicityProfile)
    assert (dprof.n_models, dprof.n_samples, dprof.baseline_index) == (
        ref.n_models, ref.n_samples, ref.baseline_index)
    for name in SCALARS:
        got, want = getattr(dprof, name), getattr(ref, name)
        if want is None:
            assert got is None, name
        elif name in COUNT_SCALARS:
            assert got == want, name
        else:
            npt.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=name)
    pd.testing.assert_series_equal(dprof.summary(), ref.summary(), rtol=1e-12)
    names = [n for n in PER_SAMPLE if getattr(ref, n) is not None]
    for name in set(PER_SAMPLE) - set(names):
        assert getattr(dprof, name) is None, name
    arrays = dask.compute(*[getattr(dprof, n) for n in names])  # one round trip
    for name, got in zip(names, arrays, strict=True):
        want = getattr(ref, name)
        assert got.shape == want.shape, name
        if want.dtype.kind == "f":
            npt.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=name)
        else:
            npt.assert_array_equal(got, want, err_msg=name)
    pd.testing.assert_frame_equal(dprof.to_frame(), ref.to_frame(), rtol=1e-12)


def _assert_same_computed(mem, ref):
    """compute() gives the in-memory MultiplicityProfile."""
    assert isinstance(mem, MultiplicityProfile)
    for name in SCALARS:
        got, want = getattr(mem, name), getattr(ref, name)
        if name in COUNT_SCALARS or want is None:
            assert got == want, name
        else:  # predict_proba of a batch can differ in the last bit from another batch's
            npt.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=name)
    for name in ("ambiguous", "self_consistency", "vpr", "vpr_width", "rashomon_capacity",
                 "predictions", "proba_flips", "y_codes"):
        got, want = getattr(mem, name), getattr(ref, name)
        if want is None:
            assert got is None
            continue
        assert got.dtype == want.dtype, name
        if want.dtype.kind == "f":
            npt.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=name)
        else:
            npt.assert_array_equal(got, want, err_msg=name)
    if ref.index is None:
        assert mem.index is None
    else:
        pd.testing.assert_index_equal(mem.index, ref.index)


# ------------------------------------------------------------------ the partitionings
def test_dataframe_ragged_partitions(problem):
    rset, X_te, y_te, ref = problem
    assert not X_te.index.equals(pd.RangeIndex(len(X_te)))  # a shuffled, gappy index
    dX = dd.from_pandas(X_te, npartitions=5, sort=False)
    dy = dd.from_pandas(y_te, npartitions=5, sort=False)
    dprof = rset.profile(dX, dy)
    assert len(dprof._stats) == 5
    _assert_same(dprof, ref)
    _assert_same_computed(dprof.compute(), ref)


def test_array_one_row_chunks(problem):
    rset, X_te, y_te, _ = problem
    Xa, ya = X_te.to_numpy()[:20], y_te.to_numpy()[:20]
    ref = rset.profile(Xa, ya)
    dX = da.from_array(Xa, chunks=(1, N_FEATURES))
    dy = da.from_array(ya, chunks=1)
    dprof = rset.profile(dX, dy)
    _assert_same(dprof, ref)
    _assert_same_computed(dprof.compute(), ref)


def test_array_ragged_chunks_features_split_and_y_in_memory(problem):
    rset, X_te, y_te, _ = problem
    Xa = X_te.to_numpy()
    ref = rset.profile(Xa, y_te.to_numpy())
    dX = da.from_array(Xa, chunks=((1, 30, 2, len(Xa) - 33), (1, 3)))
    dprof = rset.profile(dX, y_te.to_numpy())  # y in memory: split to X's chunks
    _assert_same(dprof, ref)
    # a dask y chunked otherwise is re-chunked to X's rows
    _assert_same(rset.profile(dX, da.from_array(y_te.to_numpy(), chunks=7)), ref)


def test_without_y_and_pandas_y_in_another_order(problem):
    rset, X_te, y_te, ref = problem
    dX = dd.from_pandas(X_te, npartitions=3, sort=False)
    _assert_same(rset.profile(dX), rset.profile(X_te))
    # an in-memory Series meets the dask DataFrame on the index, whatever its order
    _assert_same(rset.profile(dX, y_te.sample(frac=1.0, random_state=1)), ref)


def test_empty_partitions(problem):
    rset, X_te, y_te, _ = problem
    both = X_te.assign(label=y_te).sort_values("f0")
    dboth = dd.from_pandas(both, npartitions=6, sort=False)
    dboth = dboth[dboth["f0"] > 0.3]  # the first partitions become empty
    dprof = rset.profile(dboth[list(X_te.columns)], dboth["label"])
    assert 0 in dprof._lengths
    kept = both[both["f0"] > 0.3]
    ref = rset.profile(kept[list(X_te.columns)], kept["label"])
    _assert_same(dprof, ref)
    g = kept["f1"] > 0
    pd.testing.assert_frame_equal(dprof.by_group(g), ref.by_group(g), rtol=1e-12)


def test_local_scheduler_without_the_client(problem):
    rset, X_te, y_te, ref = problem
    with dask.config.set(scheduler="sync"):
        dprof = rset.profile(dd.from_pandas(X_te, npartitions=4, sort=False),
                             dd.from_pandas(y_te, npartitions=4, sort=False))
        _assert_same(dprof, ref)


def test_delta_is_passed_on(problem):
    rset, X_te, y_te, _ = problem
    ref = rset.profile(X_te, y_te, delta=0.02)
    dprof = rset.profile(dd.from_pandas(X_te, npartitions=2, sort=False), y_te, delta=0.02)
    assert dprof.delta == ref.delta
    assert dprof.probabilistic_ambiguity == ref.probabilistic_ambiguity


def test_there_is_multiplicity_to_compare(problem):
    """The comparisons above are not vacuous: the sets flip some people."""
    *_, ref = problem
    assert ref.ambiguity > 0


# --------------------------------------------------------------------------- groups
def test_by_group_equals_in_memory(problem):
    rset, X_te, y_te, ref = problem
    dX = dd.from_pandas(X_te, npartitions=5, sort=False)
    dprof = rset.profile(dX, dd.from_pandas(y_te, npartitions=5, sort=False))
    g = pd.Series(np.where(X_te["f0"] > 0, "high", "low"), index=X_te.index, name="g")
    want = ref.by_group(g)
    for groups in (g, dd.from_pandas(g, npartitions=5, sort=False),
                   g.sample(frac=1.0, random_state=2)):
        got = dprof.by_group(groups)
        pd.testing.assert_frame_equal(got, want, rtol=1e-12)
        assert got.attrs == want.attrs
    # numeric groups cut into quartiles, and intersections of two features
    pd.testing.assert_frame_equal(dprof.by_group(dX["f1"]), ref.by_group(X_te["f1"]),
                                  rtol=1e-12)
    both = {"g": g, "f1": X_te["f1"]}
    pd.testing.assert_frame_equal(
        dprof.by_group({"g": dd.from_pandas(g, npartitions=5, sort=False),
                        "f1": dX["f1"]}), ref.by_group(both), rtol=1e-12)


def test_by_group_on_array_chunks(problem):
    rset, X_te, y_te, _ = problem
    Xa = X_te.to_numpy()
    ref = rset.profile(Xa, y_te.to_numpy())
    dprof = rset.profile(da.from_array(Xa, chunks=(3, N_FEATURES)), y_te.to_numpy())
    g = np.where(Xa[:, 1] > 0, "a", "b")
    want = ref.by_group(g)
    pd.testing.assert_frame_equal(dprof.by_group(g), want, rtol=1e-12)
    pd.testing.assert_frame_equal(dprof.by_group(da.from_array(g, chunks=9)), want,
                                  rtol=1e-12)


def test_methods_that_need_every_person_compute_first(problem):
    rset, X_te, y_te, ref = problem
    dprof = rset.profile(dd.from_pandas(X_te, npartitions=3, sort=False), y_te)
    if ref.n_models > 1 and ref.ambiguity > 0:
        got = dprof.ambiguity_estimate()
        want = ref.ambiguity_estimate()
        assert (got.observed, got.estimate) == (want.observed, want.estimate)
    pd.testing.assert_frame_equal(dprof.confidence(50, random_state=0),
                                  ref.confidence(50, random_state=0))


def test_binary_logistic_regressions(dask_client):
    rset, X_te, y_te = _problem(2, LogisticRegression(C=0.05), seed=1)
    ref = rset.profile(X_te, y_te)
    assert ref.ambiguity > 0 and ref.vpr.shape == (len(X_te), 2)
    dprof = rset.profile(dd.from_pandas(X_te, npartitions=4, sort=False),
                         dd.from_pandas(y_te, npartitions=4, sort=False))
    _assert_same(dprof, ref)
    _assert_same_computed(dprof.compute(), ref)
    g = X_te["f2"] > 0
    pd.testing.assert_frame_equal(dprof.by_group(g), ref.by_group(g), rtol=1e-12)
    Xa, ya = X_te.to_numpy()[:15], y_te.to_numpy()[:15]
    _assert_same(rset.profile(da.from_array(Xa, chunks=(1, 2)), ya), rset.profile(Xa, ya))


# ------------------------------------------------------------- sets without proba
def test_members_without_predict_proba(dask_client):
    X, y = make_classification(n_samples=120, n_features=N_FEATURES, flip_y=0.2,
                               random_state=3)
    pool = [Perceptron(random_state=s, max_iter=5, tol=None).fit(X, y) for s in range(5)]
    rset = RashomonSet.from_models(pool, X, y, epsilon=1.0)
    ref = rset.profile(X, y)
    dprof = rset.profile(da.from_array(X, chunks=(17, N_FEATURES)), y)
    assert dprof.probabilistic_ambiguity is None and np.isnan(dprof.mean_vpr_width)
    _assert_same(dprof, ref)
    _assert_same_computed(dprof.compute(), ref)
    g = X[:, 0] > 0
    pd.testing.assert_frame_equal(dprof.by_group(g), ref.by_group(g), rtol=1e-12)


# --------------------------------------------------------------------------- errors
def test_misaligned_partitions_raise(problem):
    rset, X_te, y_te, _ = problem
    dX = dd.from_pandas(X_te, npartitions=5, sort=False)
    with pytest.raises(ValueError, match=r"y must be partitioned like X: X has 5 "
                                         r"partitions, y has 3"):
        rset.profile(dX, dd.from_pandas(y_te, npartitions=3, sort=False))
    with pytest.raises(ValueError, match=r"y has \d+ rows in partition \d+ where X has"):
        rset.profile(dX, da.from_array(y_te.to_numpy(), chunks=((5,) * 4 + (len(y_te) - 20,),)))
    with pytest.raises(ValueError, match="y has 10 rows, X has"):
        rset.profile(dX, y_te.to_numpy()[:10])
    with pytest.raises(ValueError, match="labels of X missing from y"):
        rset.profile(dX, y_te.iloc[1:])


def test_bad_inputs_raise(problem):
    rset, X_te, y_te, _ = problem
    dX = dd.from_pandas(X_te, npartitions=2, sort=False)
    with pytest.raises(ValueError, match="2-D dask Array"):
        rset.profile(da.zeros((4, 2, 2)))
    with pytest.raises(TypeError, match="y is a dask collection but X is not"):
        rset.profile(X_te, dd.from_pandas(y_te, npartitions=2, sort=False))
    with pytest.raises(ValueError, match="contains the label 'never'"):
        rset.profile(dX, pd.Series("never", index=X_te.index))
    with pytest.raises(ValueError, match="threshold"):
        rset.profile(dX, threshold=0.5)
    with pytest.raises(ValueError, match="delta"):
        rset.profile(dX, delta=-1.0)


def test_regressors_raise_a_clear_error(dask_client):
    X = np.random.default_rng(0).normal(size=(30, 2))
    y = X @ [1.0, 2.0]
    rset = RashomonSet.from_models([LinearRegression().fit(X, y)], X, y)
    with pytest.raises(TypeError, match="needs classifiers") as info:
        rset.profile(da.from_array(X, chunks=10), delta=0.1)
    assert str(info.value) == REGRESSORS_ON_DASK
