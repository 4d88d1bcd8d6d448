"""RetrainingExplorer on a dask cluster (joblib's dask backend) gives the n_jobs=1 results.

A two-worker LocalCluster with separate processes stands in for a real cluster: the
candidates are pickled, fitted in other Python processes and sent back, exactly as on a
remote cluster. Every candidate draws its seeds from its own SeedSequence child, so the
models, their losses and the measures are bit-identical to a sequential fit.
"""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import pytest
from scipy.stats import loguniform
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from multiplicity.datasets import load_compas
from multiplicity.rashomon._retraining import RetrainingExplorer

distributed = pytest.importorskip(
    "distributed",
    reason="dask.distributed is not installed (pip install 'multiplicity-audit[dask]')")
joblib = pytest.importorskip("joblib")


@pytest.fixture(scope="module")
def client(dask_client):
    """The session's two single-threaded worker processes (tests/conftest.py)."""
    return dask_client


@pytest.fixture(scope="module")
def compas():
    bunch = load_compas()
    return bunch.data, bunch.target


def _fit_on_cluster(client, explorer, X, y):
    """Fit under the dask backend; return the explorer and the workers that ran tasks."""
    with distributed.get_task_stream(client) as stream, \
            joblib.parallel_config(backend="dask"):
        explorer.fit(X, y)
    return explorer, {task["worker"] for task in stream.data}


CASES = {
    "bootstrap-logistic": dict(estimator=LogisticRegression(max_iter=1000),
                               perturbation="bootstrap"),
    "seed-tree": dict(estimator=DecisionTreeClassifier(max_depth=6), perturbation="seed"),
    "params-pipeline": dict(
        estimator=make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        perturbation="params",
        param_distributions={"logisticregression__C": loguniform(1e-3, 1e1)}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_cluster_fit_is_identical_to_sequential(client, compas, case):
    X, y = compas
    kw = dict(n_models=24, epsilon=0.01, random_state=0, **CASES[case])
    # dask's workers run BLAS on one thread (distributed sets OPENBLAS_NUM_THREADS=1);
    # the sequential fit does the same, so that both sum in the same order to the last bit.
    with threadpool_limits(limits=1):
        local = RetrainingExplorer(n_jobs=1, **kw).fit(X, y)
    remote, workers = _fit_on_cluster(client, RetrainingExplorer(**kw), X, y)

    # the workers the scheduler knows now (Client.scheduler_info() is a cached copy that
    # can still be empty on a busy machine)
    assert workers and workers <= set(client.run(lambda: None))
    npt.assert_array_equal(remote.candidate_losses_, local.candidate_losses_)
    assert remote.candidate_params_ == local.candidate_params_
    assert remote.baseline_index_ == local.baseline_index_
    assert len(remote.rashomon_set_) == len(local.rashomon_set_)
    npt.assert_array_equal(remote.rashomon_set_.predict(X), local.rashomon_set_.predict(X))
    npt.assert_array_equal(remote.rashomon_set_.predict_proba(X),
                           local.rashomon_set_.predict_proba(X))
    rows = slice(0, 1500)  # measures on 1,500 defendants keep the JIT-off pass quick
    Xr, yr = X.iloc[rows], y.iloc[rows]
    a, b = remote.profile(Xr, yr), local.profile(Xr, yr)
    for name in ("ambiguity", "discrepancy", "probabilistic_ambiguity",
                 "probabilistic_discrepancy", "mean_rashomon_capacity", "mean_vpr_width",
                 "mean_self_consistency", "baseline_accuracy", "min_accuracy",
                 "max_accuracy"):
        assert getattr(a, name) == getattr(b, name), name
    npt.assert_array_equal(a.rashomon_capacity, b.rashomon_capacity)
    npt.assert_array_equal(a.vpr, b.vpr)


def test_cluster_fit_with_progress_bar(client, compas, capsys):
    X, y = compas
    kw = dict(estimator=LogisticRegression(max_iter=1000), n_models=8,
              perturbation="subsample", random_state=1)
    remote, _ = _fit_on_cluster(client, RetrainingExplorer(progress=True, **kw), X, y)
    assert "8/8" in capsys.readouterr().err
    # dask's workers run BLAS on one thread (distributed sets OPENBLAS_NUM_THREADS=1);
    # the sequential fit does the same, so that both sum in the same order to the last bit.
    with threadpool_limits(limits=1):
        local = RetrainingExplorer(n_jobs=1, **kw).fit(X, y)
    npt.assert_array_equal(remote.candidate_losses_, local.candidate_losses_)
    assert np.all(np.isfinite(remote.candidate_losses_))


def test_selective_ensemble_on_the_cluster_is_identical(client, compas):
    from multiplicity.ensemble import SelectiveEnsembleClassifier

    X, y = compas
    kw = dict(estimator=DecisionTreeClassifier(max_depth=6), n_estimators=10,
              perturbation="bootstrap", random_state=3)
    local = SelectiveEnsembleClassifier(n_jobs=1, **kw).fit(X, y)
    remote, workers = _fit_on_cluster(client, SelectiveEnsembleClassifier(**kw), X, y)
    assert workers
    npt.assert_array_equal(remote.votes(X), local.votes(X))
    npt.assert_array_equal(remote.predict(X), local.predict(X))
