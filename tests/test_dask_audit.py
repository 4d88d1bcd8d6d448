"""audit() with a dask X_test: the test people are predicted on the cluster.

The report's numbers (summary, group tables, per-person table, the profile) must equal
those of the same audit with the pandas / NumPy X_test; the sections that need the rows of
X_test in memory are left out with a note that says why and what to do.
"""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.datasets import make_classification
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier

from multiplicity.report import audit
from multiplicity.report._dask_audit import (
    DASK_FITTED_X,
    DASK_REGRESSION,
    DASK_TRAINING,
    EXACT_ON_CLUSTER,
    IMPORTANCE_ON_CLUSTER,
    POPULATION_WITH_TEST,
)

pytest.importorskip("distributed", reason="dask.distributed is not installed")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

FEATURES = ["f0", "f1", "f2", "f3"]
KW = dict(n_models=8, epsilon=0.1, exact="none", random_state=0, progress=False,
          figures=False, n_resamples=40)


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=240, n_features=4, n_informative=3, n_redundant=0,
                               n_classes=3, flip_y=0.2, random_state=0)
    df = pd.DataFrame(X, columns=FEATURES)
    df["sex"] = np.where(X[:, 3] > 0, "f", "m")
    labels = pd.Series(np.array(["low", "mid", "high"])[y], name="risk")
    return train_test_split(df, labels, test_size=0.35, random_state=0)


def _learner():
    return make_pipeline(make_column_transformer(("passthrough", FEATURES)),
                         DecisionTreeClassifier(max_depth=4))


def _tables(report, section_id):
    sec = next(s for s in report.sections if s.id == section_id)
    return {name: table for name, (_, table) in sec.tables.items()}


def _assert_same_report(got, ref):
    pd.testing.assert_frame_equal(got.summary(), ref.summary(), rtol=1e-12)
    pd.testing.assert_series_equal(got.profile.summary(), ref.profile.summary(),
                                   rtol=1e-12)
    npt.assert_array_equal(got.profile.predictions, ref.profile.predictions)
    pd.testing.assert_frame_equal(got.per_person_table, ref.per_person_table, rtol=1e-12)
    want = _tables(ref, "groups")
    assert want  # the group tables are compared, not skipped
    have = _tables(got, "groups")
    assert have.keys() == want.keys()
    for name in want:
        pd.testing.assert_frame_equal(have[name], want[name], rtol=1e-12)


def test_dask_dataframe_x_test_gives_the_pandas_numbers(data, dask_client):
    X_tr, X_te, y_tr, y_te = data
    ref = audit(_learner(), X_tr, y_tr, X_test=X_te, y_test=y_te,
                sensitive_features="sex", **KW)
    assert ref.profile.ambiguity > 0  # something to compare
    got = audit(_learner(), X_tr, y_tr,
                X_test=dd.from_pandas(X_te, npartitions=4, sort=False),
                y_test=dd.from_pandas(y_te, npartitions=4, sort=False),
                sensitive_features="sex", **KW)
    _assert_same_report(got, ref)
    assert got.parameters["evaluation"] == "held-out"
    assert got.data["test"]["n_samples"] == len(X_te)
    assert got.data["test"]["class_counts"] == ref.data["test"]["class_counts"]
    assert any(n.startswith("X_test is a dask collection") for n in got.notes)
    imp = next(s for s in got.sections if s.id == "importance")
    assert imp.status == "not available"
    assert imp.numbers["skipped"] == {"importance": IMPORTANCE_ON_CLUSTER}


def test_dask_sensitive_features_and_in_memory_y_test(data, dask_client):
    X_tr, X_te, y_tr, y_te = data
    group = pd.Series(np.where(X_te["f0"] > 0, "a", "b"), index=X_te.index, name="g")
    ref = audit(_learner(), X_tr, y_tr, X_test=X_te, y_test=y_te,
                sensitive_features={"g": group, "sex": X_te["sex"]}, **KW)
    dX = dd.from_pandas(X_te, npartitions=3, sort=False)
    got = audit(_learner(), X_tr, y_tr, X_test=dX, y_test=y_te,
                sensitive_features={"g": dd.from_pandas(group, npartitions=3, sort=False),
                                    "sex": dX["sex"]}, **KW)
    _assert_same_report(got, ref)


def test_dask_array_x_test_with_ragged_chunks(data, dask_client):
    X_tr, X_te, y_tr, y_te = data
    Xa_tr, Xa_te = X_tr[FEATURES].to_numpy(), X_te[FEATURES].to_numpy()
    groups = X_te["sex"].to_numpy()
    learner = DecisionTreeClassifier(max_depth=4)
    ref = audit(learner, Xa_tr, y_tr.to_numpy(), X_test=Xa_te, y_test=y_te.to_numpy(),
                sensitive_features=groups, **KW)
    chunks = ((1, 2, 40, len(Xa_te) - 43), (3, 1))
    got = audit(learner, Xa_tr, y_tr.to_numpy(), X_test=da.from_array(Xa_te, chunks=chunks),
                y_test=da.from_array(y_te.to_numpy(), chunks=11),
                sensitive_features=da.from_array(groups, chunks=20), **KW)
    _assert_same_report(got, ref)


def test_dask_training_data_raise(data, dask_client):
    X_tr, _, y_tr, _ = data
    dX = dd.from_pandas(X_tr, npartitions=2)
    with pytest.raises(TypeError) as info:
        audit(_learner(), dX, y_tr, **KW)
    assert str(info.value) == DASK_TRAINING
    models = list(audit(_learner(), X_tr, y_tr, **KW).rashomon_set)
    with pytest.raises(TypeError) as info:
        audit(models, dX, dd.from_pandas(y_tr, npartitions=2), **KW)
    assert str(info.value) == DASK_FITTED_X


def test_fitted_set_audits_a_dask_population(data, dask_client):
    X_tr, X_te, y_tr, y_te = data
    rset = audit(_learner(), X_tr, y_tr, **KW).rashomon_set
    kw = {**KW, "exact": "auto"}
    ref = audit(rset, X_te, y_te, sensitive_features="sex", **kw)
    got = audit(rset, dd.from_pandas(X_te, npartitions=3, sort=False),
                dd.from_pandas(y_te, npartitions=3, sort=False), sensitive_features="sex",
                **kw)
    _assert_same_report(got, ref)
    assert got.parameters["evaluation"] == "in-sample"
    assert got.data["n_samples"] == len(X_te) and got.data["sha256"] is None
    exact = next(s for s in got.sections if s.id == "exact")
    assert exact.numbers["skipped"] == {"level_set": EXACT_ON_CLUSTER,
                                        "mip": EXACT_ON_CLUSTER}
    assert any(n.startswith("X is a dask collection") for n in got.notes)
    with pytest.raises(ValueError) as info:
        audit(rset, dd.from_pandas(X_te, npartitions=3), y_te, X_test=X_te, y_test=y_te,
              **KW)
    assert str(info.value) == POPULATION_WITH_TEST


def test_bad_dask_test_data_raise(data, dask_client):
    X_tr, X_te, y_tr, y_te = data
    dX = dd.from_pandas(X_te, npartitions=2, sort=False)
    with pytest.raises(ValueError, match="X_test and y_test go together"):
        audit(_learner(), X_tr, y_tr, X_test=dX, **KW)
    with pytest.raises(TypeError, match="X_test must be of the same kind as X"):
        audit(_learner(), X_tr, y_tr, X_test=da.from_array(X_te[FEATURES].to_numpy()),
              y_test=y_te, **KW)
    with pytest.raises(ValueError, match=r"X_test lacks columns of X: \['f2'\]"):
        audit(_learner(), X_tr, y_tr, X_test=dX.drop(columns="f2"), y_test=y_te, **KW)
    with pytest.raises(ValueError, match="sensitive feature 'age' is not a column of X_test"):
        audit(_learner(), X_tr, y_tr, X_test=dX, y_test=y_te, sensitive_features="age",
              **KW)
    with pytest.raises(ValueError, match="y must be partitioned like X"):
        audit(_learner(), X_tr, y_tr, X_test=dX,
              y_test=dd.from_pandas(y_te, npartitions=3, sort=False), **KW)


def test_regression_with_dask_x_test_raises(dask_client):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = X @ [1.0, -1.0] + rng.normal(size=60)
    with pytest.raises(TypeError) as info:
        audit(LinearRegression(), X, y, X_test=da.from_array(X, chunks=20),
              y_test=da.from_array(y, chunks=20), **KW)
    assert str(info.value) == DASK_REGRESSION
