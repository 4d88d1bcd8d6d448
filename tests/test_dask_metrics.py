"""The measures of multiplicity.metrics on dask arrays equal the in-memory ones.

Every function runs on a two-worker LocalCluster (the session's ``dask_client``) with odd
chunkings: one-sample chunks, ragged chunks with the models split across chunks, one
model per chunk, and a single chunk. The in-memory path is the reference: counts and flags
must be equal, real numbers within 1e-12. Inputs drawn with ``dask.array.random`` are
generated on the workers.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest

from multiplicity import _errors
from multiplicity import metrics as M
from multiplicity._config import config_context

da = pytest.importorskip("dask.array")
pytest.importorskip("distributed")

from multiplicity.metrics._dask import DASK_LABEL_DTYPE, _label_flips  # noqa: E402

N_MODELS, N_SAMPLES = 6, 17
CHUNKINGS = {
    "one-sample": ((N_MODELS,), (1,) * N_SAMPLES),
    "ragged-split": ((2, 3, 1), (4, 7, 1, 5)),
    "model-per-chunk": ((1,) * N_MODELS, (9, 8)),
    "single": ((N_MODELS,), (N_SAMPLES,)),
}
IDS = list(CHUNKINGS)


@pytest.fixture(autouse=True)
def _cluster(dask_client):
    """Every test computes on the shared LocalCluster."""
    return dask_client


def assert_same(got, want):
    """Exact for integers, bools and strings; 1e-12 for floats; recursive."""
    if isinstance(want, pd.DataFrame):
        assert isinstance(got, pd.DataFrame)
        assert list(got.columns) == list(want.columns)
        assert got.index.equals(want.index)
        assert got.attrs == want.attrs
        for c in want.columns:
            assert_same(got[c].to_numpy(), want[c].to_numpy())
    elif dataclasses.is_dataclass(want):
        assert type(got) is type(want)
        for f in dataclasses.fields(want):
            assert_same(getattr(got, f.name), getattr(want, f.name))
    elif isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert_same(g, w)
    elif isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray)
        assert got.shape == want.shape and got.dtype == want.dtype
        if want.dtype.kind == "f":
            npt.assert_allclose(got, want, rtol=0, atol=1e-12)
        else:
            npt.assert_array_equal(got, want)
    elif isinstance(want, float):
        assert type(got) is float
        assert got == pytest.approx(want, rel=0, abs=1e-12) or (np.isnan(got) and np.isnan(want))
    else:
        assert type(got) is type(want) and got == want


def labels(kind: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "int8-3":
        return rng.integers(0, 3, (N_MODELS, N_SAMPLES)).astype(np.int8)
    if kind == "bool":
        return rng.random((N_MODELS, N_SAMPLES)) < 0.3
    if kind == "int64-wide":  # a label range too wide to count by value
        return rng.choice(np.array([-7, 0, 10**9]), (N_MODELS, N_SAMPLES))
    return rng.choice(np.array([0.5, 1.5, 2.5, 3.5]), (N_MODELS, N_SAMPLES))  # float


def probabilities(k: int, seed: int = 0, dtype=np.float64) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if k == 0:
        return rng.random((N_MODELS, N_SAMPLES)).astype(dtype)
    return rng.dirichlet(np.ones(k), (N_MODELS, N_SAMPLES)).astype(dtype)


def chunked(a: np.ndarray, chunking: str):
    chunks = CHUNKINGS[chunking]
    return da.from_array(a, chunks=chunks + tuple((s,) for s in a.shape[2:]))


def baseline_functions(variant: int) -> dict:
    """Every measure of label flips against a baseline; ``variant`` picks its options."""
    return {
        "ambiguity": M.ambiguity,
        "discrepancy": M.discrepancy,
        "ambiguity_discrepancy": M.ambiguity_discrepancy,
        "ambiguous_samples": M.ambiguous_samples,
        "ambiguity_curve": lambda P, b: M.ambiguity_curve(P, b, sizes=[1, 3][:variant + 1]),
        "ambiguity_estimate": lambda P, b: M.ambiguity_estimate(
            P, b, method=("chao2", "jackknife2")[variant % 2]),
        "discrepancy_curve": lambda P, b: M.discrepancy_curve(P, b, n_draws=5, random_state=1),
        "flip_probability": lambda P, b: M.flip_probability(
            P, b, method=("wilson", "clopper-pearson")[variant % 2]),
        "arbitrary": lambda P, b: M.arbitrary(P, b, threshold=0.2, confidence=0.8),
    }


# (chunking, labels, baseline): every chunking meets another label type and baseline form
LABEL_CASES = [("one-sample", "bool", "dask"), ("ragged-split", "int8-3", 0),
               ("model-per-chunk", "float", "numpy"), ("single", "int8-3", -1)]


@pytest.mark.parametrize(("chunking", "kind", "baseline"), LABEL_CASES, ids=IDS)
def test_label_flip_measures_match_numpy(chunking, kind, baseline):
    P = labels(kind)
    D = chunked(P, chunking)
    b_np = b = baseline
    if baseline == "numpy":
        b_np = b = P[2]
    elif baseline == "dask":
        b_np, b = P[3], da.from_array(P[3], chunks=((5, 12),))
    for name, fn in baseline_functions(IDS.index(chunking)).items():
        try:
            assert_same(fn(D, b), fn(P, b_np))
        except AssertionError as exc:  # pragma: no cover - names the failing case
            raise AssertionError(f"{name}: {exc}") from exc

def test_label_flips_of_wide_int_labels_and_a_baseline_label_no_model_predicts():
    P = labels("int64-wide")
    b = P[1].copy()
    b[[0, 5]] = 123  # predicted by no model: flipped everywhere
    D = chunked(P, "ragged-split")
    for fn in (M.ambiguity_discrepancy, M.ambiguous_samples, M.flip_probability):
        assert_same(fn(D, b), fn(P, b))
    # int8 predictions against a baseline outside int8 (a value no model can predict)
    P8 = labels("int8-3")
    b8 = P8[0].astype(np.int64)
    b8[3] = 1000
    assert_same(M.ambiguity_discrepancy(chunked(P8, "one-sample"), b8),
                M.ambiguity_discrepancy(P8, b8))


@pytest.mark.parametrize(("chunking", "kind"), [
    ("one-sample", "bool"), ("ragged-split", "int8-3"), ("model-per-chunk", "int64-wide"),
    ("single", "float")], ids=IDS)
def test_disagreement_measures_match_numpy(chunking, kind):
    P = labels(kind, seed=1)
    D = chunked(P, chunking)
    for fn in (M.disagreement, M.self_consistency, M.disagreement_error_estimate,
               M.pairwise_disagreement):
        assert_same(fn(D), fn(P))

def test_disagreement_with_many_classes_and_split_models():
    # more classes than vote tables are summed for: the model axis is rechunked
    P = np.random.default_rng(2).integers(0, 100, (N_MODELS, N_SAMPLES)).astype(np.int16)
    D = chunked(P, "model-per-chunk")
    for fn in (M.disagreement, M.disagreement_error_estimate, M.pairwise_disagreement):
        assert_same(fn(D), fn(P))


def test_one_model():
    P = labels("int8-3")[:1]
    D = da.from_array(P, chunks=(1, 4))
    assert_same(M.self_consistency(D), M.self_consistency(P))
    assert_same(M.ambiguity_discrepancy(D, P[0]), M.ambiguity_discrepancy(P, P[0]))


@pytest.mark.parametrize(("chunking", "k", "baseline"), [
    ("one-sample", 0, "dask"), ("ragged-split", 3, 1), ("model-per-chunk", 2, "numpy"),
    ("single", 3, "dask")], ids=IDS)
def test_probability_measures_match_numpy(chunking, k, baseline):
    Q = probabilities(k, seed=k)
    D = chunked(Q, chunking)
    b_np = b = baseline
    if baseline == "numpy":
        b_np = b = Q[5]
    elif baseline == "dask":
        b_np = Q[4]
        b = da.from_array(b_np, chunks=((6, 11), *((s,) for s in Q.shape[2:])))
    assert_same(M.probabilistic_ambiguity(D, b, 0.05), M.probabilistic_ambiguity(Q, b_np, 0.05))
    assert_same(M.probabilistic_discrepancy(D, b, 0.3), M.probabilistic_discrepancy(Q, b_np, 0.3))
    assert_same(M.viable_prediction_range(D), M.viable_prediction_range(Q))
    bits = chunking == "single"
    assert_same(M.rashomon_capacity(D, bits=bits), M.rashomon_capacity(Q, bits=bits))

def test_probabilities_float32_and_split_class_chunks():
    Q = probabilities(3, seed=5, dtype=np.float32)
    D = da.from_array(Q, chunks=((2, 4), (5, 12), (1, 2)))
    assert_same(M.viable_prediction_range(D), M.viable_prediction_range(Q))
    assert_same(M.probabilistic_ambiguity(D, 0), M.probabilistic_ambiguity(Q, 0))
    assert_same(M.rashomon_capacity(D), M.rashomon_capacity(Q))
    ints = (np.random.default_rng(0).random((N_MODELS, N_SAMPLES)) < 0.5).astype(np.int64)
    assert_same(M.viable_prediction_range(chunked(ints, "ragged-split")),
                M.viable_prediction_range(ints))


def test_capacity_warns_when_not_converged():
    Q = probabilities(3, seed=7)
    D = chunked(Q, "ragged-split")
    with pytest.warns(Warning, match="did not reach") as rec:
        want = M.rashomon_capacity(Q, max_iter=1)
    with pytest.warns(Warning, match="did not reach") as rec_dask:
        got = M.rashomon_capacity(D, max_iter=1)
    assert_same(got, want)
    assert str(rec_dask[0].message) == str(rec[0].message)


@pytest.mark.parametrize(("chunking", "baseline"), [
    ("one-sample", None), ("ragged-split", 0), ("model-per-chunk", "dask"),
    ("single", "numpy")], ids=IDS)
def test_regression_measures_match_numpy(chunking, baseline):
    rng = np.random.default_rng(3)
    R = rng.normal(size=(N_MODELS, N_SAMPLES))
    if chunking == "single":
        R = rng.integers(0, 5, (N_MODELS, N_SAMPLES))  # converted to float, as in memory
    D = chunked(R, chunking)
    b_np = b = baseline
    if baseline == "numpy":
        b_np = b = R[2] + 0.1
    elif baseline == "dask":
        b_np = R[2] + 0.1
        b = da.from_array(b_np, chunks=3)
    assert_same(M.prediction_range(D), M.prediction_range(R))
    assert_same(M.decision_ambiguity(D, 0.2, b), M.decision_ambiguity(R, 0.2, b_np))
    if baseline is not None:
        assert_same(M.regression_ambiguity(D, b, 0.5), M.regression_ambiguity(R, b_np, 0.5))
        assert_same(M.regression_discrepancy(D, b, 1.0),
                    M.regression_discrepancy(R, b_np, 1.0))

def test_churn_and_flip_rates_match_numpy():
    rng = np.random.default_rng(4)
    y, a, b = rng.integers(0, 3, (3, N_SAMPLES)).astype(np.int8)
    ya, aa, ba = (da.from_array(v, chunks=((4, 7, 1, 5),)) for v in (y, a, b))
    assert_same(M.churn(aa, ba), M.churn(a, b))
    assert_same(M.churn(a, da.from_array(b, chunks=1)), M.churn(a, b))
    for fn in (M.negative_flip_rate, M.positive_flip_rate):
        assert_same(fn(ya, aa, ba), fn(y, a, b))
    assert_same(M.positive_flip_rate(y, a.astype(float), ba),
                M.positive_flip_rate(y, a.astype(float), b))


def test_dask_random_inputs_are_generated_on_the_workers():
    rng = da.random.default_rng(11)
    D = rng.integers(0, 4, size=(7, 50), chunks=((3, 4), (13, 20, 17)), dtype=np.int8)
    Q = rng.random(size=(5, 30), chunks=((2, 3), (7, 23)))
    P, Qn = D.compute(), Q.compute()  # the reference: the same arrays, in memory
    assert_same(M.ambiguity_discrepancy(D, 0), M.ambiguity_discrepancy(P, 0))
    assert_same(M.ambiguity_curve(D, 0), M.ambiguity_curve(P, 0))
    assert_same(M.self_consistency(D), M.self_consistency(P))
    assert_same(M.rashomon_capacity(Q), M.rashomon_capacity(Qn))
    assert_same(M.probabilistic_discrepancy(Q, 2, 0.2), M.probabilistic_discrepancy(Qn, 2, 0.2))


def test_ambiguity_discrepancy_calls_the_kernel_once_per_block():
    D = chunked(labels("int8-3"), "ragged-split")
    flags, counts, _ = _label_flips(D, 0, 3)
    graph = {**flags.sum().__dask_graph__(), **counts.max().__dask_graph__()}
    calls = {k for k in graph if isinstance(k, tuple) and k[0].startswith("label_flip_block")}
    assert len(calls) == D.npartitions == 12

# ---------------------------------------------------------------------------- errors
def raises_same(exc_type, fn, *args):
    """The dask call raises the in-memory call's exception type and message."""
    with pytest.raises(exc_type) as want:
        fn(*[a.compute() if hasattr(a, "compute") else a for a in args])
    with pytest.raises(exc_type, match=re.escape(str(want.value))):
        fn(*args)


def test_nan_in_one_block_raises_the_numpy_errors():
    P = labels("float")
    P[4, 9] = np.nan
    D = chunked(P, "ragged-split")
    raises_same(ValueError, M.ambiguity_discrepancy, D, 0)
    raises_same(ValueError, M.disagreement, D)
    Q = probabilities(3)
    Q[3, 10, 1] = np.nan
    DQ = chunked(Q, "ragged-split")
    raises_same(ValueError, M.probabilistic_ambiguity, DQ, 0)
    raises_same(ValueError, M.rashomon_capacity, DQ)
    R = np.random.default_rng(0).normal(size=(N_MODELS, N_SAMPLES))
    R[5, 16] = np.inf
    raises_same(ValueError, M.regression_ambiguity, chunked(R, "one-sample"), 0, 0.5)
    b = labels("float")[0]
    b[2] = np.nan
    raises_same(ValueError, M.ambiguity, chunked(labels("float"), "one-sample"), b)


def test_probability_value_errors_match_numpy():
    Q = probabilities(3)
    Q[4, 13] = [0.5, 0.4, 0.3]  # sums to 1.2 at model 4, sample 13
    raises_same(ValueError, M.rashomon_capacity, chunked(Q, "ragged-split"))
    Q2 = probabilities(0)
    Q2[1, 1] = 1.5
    raises_same(ValueError, M.probabilistic_discrepancy, chunked(Q2, "single"), 0)
    Q2[1, 1] = -0.5
    raises_same(ValueError, M.viable_prediction_range, chunked(Q2, "model-per-chunk"))


def test_shape_and_type_errors_are_raised_on_the_client():
    P = labels("int8-3")
    D = chunked(P, "ragged-split")
    raises_same(ValueError, M.ambiguity, D, P[0, :5])
    raises_same(ValueError, M.ambiguity, D, 7)
    raises_same(TypeError, M.ambiguity, D, "x")
    raises_same(ValueError, M.ambiguity, D[0], 0)
    raises_same(ValueError, M.disagreement_error_estimate, D[:1])
    raises_same(ValueError, M.flip_probability, D[:1], 0)
    raises_same(ValueError, M.probabilistic_ambiguity, chunked(probabilities(2), "single"),
                np.zeros(3))
    raises_same(ValueError, M.churn, D[0], D[1, :4])
    raises_same(ValueError, M.ambiguity_curve, D, 0, [0])
    S = da.from_array(np.array([["a", "b"], ["b", "b"]]), chunks=1)
    with pytest.raises(TypeError, match=re.escape(
            DASK_LABEL_DTYPE.format(name="predictions", dtype=S.dtype))):
        M.ambiguity(S, 0)
    with pytest.raises(TypeError, match="encode them first"):
        M.churn(S[0], S[1])
    with pytest.raises(TypeError, match=re.escape(
            _errors.NOT_NUMERIC.format(name="probabilities", dtype=S.dtype))):
        M.rashomon_capacity(S)
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        M.ambiguity(D[:, D[0] >= 0], 0)


def test_assume_finite_on_the_client_skips_the_scan_on_the_workers():
    Q = probabilities(2)
    Q[2, 5] = [0.3, 0.3]  # a row that does not sum to 1
    D = chunked(Q, "ragged-split")
    with config_context(assume_finite=True):
        assert_same(M.viable_prediction_range(D), M.viable_prediction_range(Q))
    raises_same(ValueError, M.viable_prediction_range, D)


def test_the_current_scheduler_is_used_in_process_too():
    """Without the cluster (dask's synchronous scheduler), the same results, computed in
    this process (where coverage sees the block functions)."""
    dask = pytest.importorskip("dask")
    P, Q = labels("int8-3", seed=8), probabilities(3, seed=8)
    R = np.random.default_rng(8).normal(size=(N_MODELS, N_SAMPLES))
    D, DQ, DR = (chunked(x, "ragged-split") for x in (P, Q, R))
    with dask.config.set(scheduler="sync"):
        for name, fn in baseline_functions(1).items():
            assert_same(fn(D, P[1]), fn(P, P[1])), name
        for fn in (M.disagreement, M.disagreement_error_estimate, M.pairwise_disagreement):
            assert_same(fn(D), fn(P))
        assert_same(M.probabilistic_ambiguity(DQ, 2), M.probabilistic_ambiguity(Q, 2))
        assert_same(M.rashomon_capacity(DQ), M.rashomon_capacity(Q))
        assert_same(M.viable_prediction_range(DQ), M.viable_prediction_range(Q))
        assert_same(M.regression_discrepancy(DR, 1, 0.5), M.regression_discrepancy(R, 1, 0.5))
        assert_same(M.decision_ambiguity(DR, 0.0, 3), M.decision_ambiguity(R, 0.0, 3))
        assert_same(M.churn(D[0], P[1]), M.churn(P[0], P[1]))
        assert_same(M.negative_flip_rate(D[0], D[1], P[2]),
                    M.negative_flip_rate(P[0], P[1], P[2]))
        bad = Q.copy()
        bad[4, 13] = [0.5, 0.4, 0.3]
        raises_same(ValueError, M.rashomon_capacity, chunked(bad, "ragged-split"))
