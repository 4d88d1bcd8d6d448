"""Per-person flip probabilities, their intervals, ``arbitrary`` and ``retrainings_needed``.

References: ``statsmodels.stats.proportion.proportion_confint`` (methods ``"wilson"`` and
``"beta"``) for the intervals, a plain NumPy count for the flips, Hoeffding's closed formula
and a simulation for the number of retrainings.
"""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
import strategies
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from multiplicity import _errors
from multiplicity import _kernels_common as kernels
from multiplicity._config import config_context
from multiplicity._errors import (
    CONFIDENCE_RANGE,
    FLIP_THRESHOLD_RANGE,
    INTERVAL_METHOD,
    NO_OTHER_MODELS,
    ONE_SIDED_CONFIDENCE_RANGE,
    PRECISION_RANGE,
)
from multiplicity.metrics._flip_probability import (
    arbitrary,
    flip_probability,
    retrainings_needed,
)

STATSMODELS = {"wilson": "wilson", "clopper-pearson": "beta"}
METHODS = tuple(STATSMODELS)


def _exact(template: str, *args, **kwargs) -> str:
    return "^" + re.escape(template.format(*args, **kwargs)) + "$"


def staircase(M: int) -> tuple[np.ndarray, np.ndarray]:
    """``M`` models and a zero baseline over ``M + 1`` people; person ``j`` has ``j`` flips."""
    P = (np.arange(M)[:, None] < np.arange(M + 1)[None, :]).astype(np.int64)
    return P, np.zeros(M + 1, dtype=np.int64)


def reference_flips(P, b):
    P = np.asarray(P)
    if isinstance(b, int):
        return (np.delete(P, b, axis=0) != P[b]).sum(axis=0), P.shape[0] - 1
    return (P != np.asarray(b)).sum(axis=0), P.shape[0]


@pytest.fixture(params=["kernel", "numpy"])
def engine(request):
    """Run each test with the Numba kernel and with its NumPy twin."""
    with config_context(numba_min_size=0 if request.param == "kernel" else 1 << 62):
        yield request.param


# ---------------------------------------------------------------- intervals
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("M", [1, 2, 3, 7, 40, 301])
@pytest.mark.parametrize("confidence", [0.5, 0.8, 0.95, 0.999])
def test_intervals_match_statsmodels(method, M, confidence, engine):
    P, b = staircase(M)
    df = flip_probability(P, b, confidence, method=method)
    k = np.arange(M + 1)
    low, high = proportion_confint(k, M, alpha=1 - confidence, method=STATSMODELS[method])
    npt.assert_array_equal(df["flips"], k)
    npt.assert_allclose(df["low"], low, rtol=0, atol=1e-12)
    npt.assert_allclose(df["high"], high, rtol=0, atol=1e-12)
    # the edges are exact: no flips gives 0, every model flipping gives 1
    assert df["low"].iloc[0] == 0.0
    assert df["high"].iloc[-1] == 1.0


@pytest.mark.parametrize("method", METHODS)
def test_row_baseline_is_not_a_model(method, engine):
    rng = np.random.default_rng(3)
    P = rng.integers(0, 3, size=(12, 50))
    for row in (0, 5, -1):
        df = flip_probability(P, row, 0.9, method=method)
        k, M = reference_flips(P, row % 12)
        assert M == 11
        npt.assert_array_equal(df["flips"], k)
        npt.assert_array_equal(df["n_models"], np.full(50, 11))
        npt.assert_allclose(df["probability"], k / 11, rtol=0, atol=0)
        low, high = proportion_confint(k, 11, alpha=0.1, method=STATSMODELS[method])
        npt.assert_allclose(df["low"], low, rtol=0, atol=1e-12)
        npt.assert_allclose(df["high"], high, rtol=0, atol=1e-12)


def test_probabilities_match_numpy(engine):
    rng = np.random.default_rng(0)
    P = rng.integers(0, 4, size=(37, 1001)).astype(np.int8)
    b = rng.integers(0, 4, size=1001)
    df = flip_probability(P, b)
    k, M = reference_flips(P, b)
    npt.assert_array_equal(df["flips"], k)
    npt.assert_array_equal(df["probability"], k / M)


def test_hand_written_case():
    # 5 rows, the first is the baseline [0, 1, 1]: person 0 is flipped by one of the
    # other four models, person 1 by none, person 2 by all four.
    P = [[0, 1, 1], [0, 1, 0], [1, 1, 0], [0, 1, 0], [0, 1, 0]]
    df = flip_probability(P, 0, 0.95)
    assert isinstance(df.index, pd.RangeIndex) and len(df) == 3
    assert list(df.columns) == ["flips", "n_models", "probability", "low", "high"]
    assert df["flips"].dtype == np.int64 and df["n_models"].dtype == np.int64
    assert df["flips"].tolist() == [1, 0, 4]
    assert df["n_models"].tolist() == [4, 4, 4]
    assert df["probability"].tolist() == [0.25, 0.0, 1.0]
    assert df.attrs == {"method": "wilson", "confidence": 0.95}
    # Wilson by hand: the roots p of (p_hat - p)^2 = z^2 p (1 - p) / M, i.e. of
    # (1 + z^2/M) p^2 - (2 p_hat + z^2/M) p + p_hat^2 = 0, for p_hat = 1/4, M = 4.
    z = 1.959963984540054
    a, bq, c = 1 + z * z / 4, -(0.5 + z * z / 4), 0.0625
    disc = math.sqrt(bq * bq - 4 * a * c)
    assert df["low"].iloc[0] == pytest.approx((-bq - disc) / (2 * a), abs=1e-12)
    assert df["high"].iloc[0] == pytest.approx((-bq + disc) / (2 * a), abs=1e-12)
    # Clopper-Pearson at k = 0: the upper end solves (1 - p)^M = alpha / 2
    cp = flip_probability(P, 0, 0.95, method="clopper-pearson")
    assert cp["high"].iloc[1] == pytest.approx(1 - 0.025 ** (1 / 4), abs=1e-12)
    assert cp["low"].iloc[2] == pytest.approx(0.025 ** (1 / 4), abs=1e-12)
    assert cp.attrs["method"] == "clopper-pearson"


def test_any_labels_and_pandas_input():
    P = np.array([["a", "b", "c"], ["a", "c", "c"], ["b", "b", "a"]], dtype=object)
    base = ["a", "b", "z"]  # "z" is predicted by no model: every model flips person 2
    df = flip_probability(pd.DataFrame(P), base)
    assert df["flips"].tolist() == [1, 1, 3]
    assert isinstance(df.index, pd.RangeIndex)
    booleans = np.array([[True, False], [False, False], [True, True]])
    assert flip_probability(booleans, 0)["flips"].tolist() == [1, 1]


@pytest.mark.parametrize("block", [1, 3, 64])
def test_kernel_and_twin_agree_over_blocks(block):
    rng = np.random.default_rng(1)
    for dtype in (np.int8, np.int64, np.float64, np.uint8):
        P = rng.integers(0, 3, size=(9, 131)).astype(dtype)
        b = rng.integers(0, 3, size=131).astype(dtype)
        expected, _ = reference_flips(P, b)
        npt.assert_array_equal(kernels._sample_flip_counts(P, b, block), expected)
        npt.assert_array_equal(kernels._sample_flip_counts_numpy(P, b), expected)


def test_kernel_counts_past_its_uint8_counters():
    # More models than the uint8 counters hold (SAMPLE_ROWS) and a count that is not a
    # multiple of 4: every person flipped by all 517 models, or by a random share.
    rng = np.random.default_rng(3)
    m = 2 * kernels.SAMPLE_ROWS + 13
    b = rng.integers(0, 2, size=77).astype(np.int8)
    P = np.broadcast_to(1 - b, (m, 77)).copy()
    npt.assert_array_equal(kernels._sample_flip_counts(P, b, 16), np.full(77, m))
    P[rng.random(P.shape) < 0.3] = b[0]
    expected, _ = reference_flips(P, b)
    for block in (1, 5, 77, 4096):
        npt.assert_array_equal(kernels._sample_flip_counts(P, b, block), expected)


def test_numpy_twin_blocks_are_bounded(monkeypatch):
    monkeypatch.setattr(kernels, "SAMPLE_NUMPY_CELLS", 20)
    rng = np.random.default_rng(2)
    P = rng.integers(0, 2, size=(7, 50))
    b = rng.integers(0, 2, size=50)
    npt.assert_array_equal(kernels._sample_flip_counts_numpy(P, b), reference_flips(P, b)[0])


# ---------------------------------------------------------------- arbitrary
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("confidence", [0.6, 0.9, 0.95, 0.99])
def test_arbitrary_is_the_one_sided_lower_bound(method, confidence, engine):
    rng = np.random.default_rng(4)
    p = rng.uniform(0, 1, size=200)
    P = (rng.uniform(size=(60, 200)) < p).astype(np.int64)
    b = np.zeros(200, dtype=np.int64)
    k = P.sum(axis=0)
    # statsmodels' alternative="smaller" keeps the lower end (and sets the upper one to 1)
    one_sided, _ = proportion_confint(k, 60, alpha=1 - confidence,
                                      method=STATSMODELS[method], alternative="smaller")
    two_sided = flip_probability(P, b, 2 * confidence - 1, method=method)["low"].to_numpy()
    npt.assert_allclose(two_sided, np.where(k == 0, 0.0, one_sided), rtol=0, atol=1e-12)
    for t in (0.0, 0.1, 0.25, 0.5, 0.8, 0.99):
        flagged = arbitrary(P, b, t, confidence, method=method)
        assert flagged.dtype == np.bool_ and flagged.shape == (200,)
        npt.assert_array_equal(flagged, two_sided > t)


def test_arbitrary_is_monotone_in_threshold_and_confidence():
    rng = np.random.default_rng(5)
    P = rng.integers(0, 2, size=(30, 300))
    thresholds = np.linspace(0, 0.99, 34)
    for method in METHODS:
        masks = [arbitrary(P, 0, t, method=method) for t in thresholds]
        for wide, narrow in itertools.pairwise(masks):
            assert np.all(narrow <= wide)
        by_conf = [arbitrary(P, 0, 0.3, c, method=method) for c in (0.6, 0.8, 0.95, 0.999)]
        for loose, strict in itertools.pairwise(by_conf):
            assert np.all(strict <= loose)


def test_arbitrary_hand_case():
    P = [[0] * 4] + [[1, 1, 0, 0]] * 30 + [[0, 1, 0, 1]] * 10
    assert arbitrary(P, 0, 0.5).tolist() == [True, True, False, False]
    assert arbitrary(P, 0, 0.1).tolist() == [True, True, False, True]
    # no flips is never arbitrary, even at threshold 0
    assert not arbitrary(P, 0, 0.0)[2]


# ---------------------------------------------------------------- retrainings
@pytest.mark.parametrize("precision", [0.3, 0.1, 0.05, 0.01, 0.5])
@pytest.mark.parametrize("confidence", [0.5, 0.9, 0.95, 0.99])
def test_retrainings_closed_formula(precision, confidence):
    m = retrainings_needed(precision, confidence)
    assert isinstance(m, int)
    assert m == math.ceil(math.log(2 / (1 - confidence)) / (2 * precision**2))
    # the smallest m for which Hoeffding's bound 2 exp(-2 m eps^2) reaches 1 - confidence
    assert 2 * math.exp(-2 * m * precision**2) <= 1 - confidence + 1e-12
    if m > 1:
        assert 2 * math.exp(-2 * (m - 1) * precision**2) > 1 - confidence


def test_retrainings_known_values():
    assert retrainings_needed(0.1, 0.95) == 185
    assert retrainings_needed(0.05, 0.95) == 738
    assert retrainings_needed(0.99, 0.01) == 1  # at least one model


@pytest.mark.parametrize(("precision", "confidence"), [(0.1, 0.9), (0.05, 0.95)])
@pytest.mark.parametrize("p", [0.5, 0.3, 0.05])
def test_retrainings_bound_holds_in_simulation(precision, confidence, p):
    m = retrainings_needed(precision, confidence)
    rng = np.random.default_rng(12345)
    estimates = rng.binomial(m, p, size=20_000) / m
    coverage = np.mean(np.abs(estimates - p) <= precision)
    assert coverage >= confidence


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, float("nan")])
def test_confidence_out_of_range(bad):
    P = [[0, 1], [1, 1]]
    with pytest.raises(ValueError, match=_exact(CONFIDENCE_RANGE, bad)):
        flip_probability(P, 0, bad)
    with pytest.raises(ValueError, match=_exact(CONFIDENCE_RANGE, bad)):
        retrainings_needed(0.1, bad)


@pytest.mark.parametrize("bad", ["0.9", None, True, np.bool_(True)])
def test_confidence_not_a_number(bad):
    with pytest.raises(TypeError, match=_exact(CONFIDENCE_RANGE, bad)):
        flip_probability([[0, 1], [1, 1]], 0, bad)


@pytest.mark.parametrize("bad", [0.5, 0.3, 1.0])
def test_arbitrary_confidence_is_one_sided(bad):
    with pytest.raises(ValueError, match=_exact(ONE_SIDED_CONFIDENCE_RANGE, bad)):
        arbitrary([[0, 1], [1, 1]], 0, 0.1, bad)


@pytest.mark.parametrize("bad", [-0.01, 1.0, 2, float("inf"), float("nan")])
def test_threshold_out_of_range(bad):
    with pytest.raises(ValueError, match=_exact(FLIP_THRESHOLD_RANGE, bad)):
        arbitrary([[0, 1], [1, 1]], 0, bad)
    with pytest.raises(TypeError, match=_exact(FLIP_THRESHOLD_RANGE, "x")):
        arbitrary([[0, 1], [1, 1]], 0, "x")


@pytest.mark.parametrize("bad", [0, 1, -0.1, 1.5, float("nan")])
def test_precision_out_of_range(bad):
    with pytest.raises(ValueError, match=_exact(PRECISION_RANGE, bad)):
        retrainings_needed(bad, 0.95)
    with pytest.raises(TypeError, match=_exact(PRECISION_RANGE, False)):
        retrainings_needed(False, 0.95)


@pytest.mark.parametrize("bad", ["beta", "Wilson", None, "exact"])
def test_unknown_method(bad):
    with pytest.raises(ValueError, match=_exact(INTERVAL_METHOD, bad)):
        flip_probability([[0, 1], [1, 1]], 0, method=bad)
    with pytest.raises(ValueError, match=_exact(INTERVAL_METHOD, bad)):
        arbitrary([[0, 1], [1, 1]], 0, 0.1, method=bad)


def test_a_single_row_baseline_leaves_no_model():
    with pytest.raises(ValueError, match=_exact(NO_OTHER_MODELS, index=0, n_models=1)):
        flip_probability([[0, 1, 1]], 0)
    with pytest.raises(ValueError, match=_exact(NO_OTHER_MODELS, index=-1, n_models=1)):
        arbitrary([[0, 1, 1]], -1, 0.2)
    # with an array baseline the single row is the one model
    assert flip_probability([[0, 1, 1]], [0, 0, 1])["flips"].tolist() == [0, 1, 0]


def test_prediction_errors_are_the_shared_ones():
    with pytest.raises(ValueError, match=_exact(_errors.NOT_2D, name="predictions",
                                                shape=(3,))):
        flip_probability([0, 1, 1], 0)
    with pytest.raises(ValueError, match=_exact(_errors.BASELINE_INDEX, index=5,
                                                n_models=2)):
        flip_probability([[0, 1], [1, 1]], 5)
    with pytest.raises(ValueError, match=_exact(_errors.BASELINE_SHAPE, expected=(2,),
                                                name="predictions", shape=(3,))):
        arbitrary([[0, 1], [1, 1]], [0, 1, 1], 0.1)


def test_callers_arrays_are_unchanged():
    rng = np.random.default_rng(6)
    P = rng.integers(0, 3, size=(8, 40))
    b = rng.integers(0, 3, size=40)
    P0, b0 = P.copy(), b.copy()
    frame = pd.DataFrame(P.astype(str))
    frame0 = frame.copy()
    flip_probability(P, b)
    arbitrary(P, b, 0.2, method="clopper-pearson")
    flip_probability(frame, 0)
    npt.assert_array_equal(P, P0)
    npt.assert_array_equal(b, b0)
    pd.testing.assert_frame_equal(frame, frame0)


# ---------------------------------------------------------------- properties
@given(P=strategies.prediction_matrices(min_models=2), data=st.data(),
       method=st.sampled_from(METHODS), confidence=st.floats(0.01, 0.999))
def test_intervals_bracket_the_estimate(P, data, method, confidence):
    row = data.draw(strategies.baselines(P.shape[0]))
    df = flip_probability(P, row, confidence, method=method)
    assert np.all(df["low"] >= 0) and np.all(df["high"] <= 1)
    assert np.all(df["low"] <= df["probability"] + 1e-12)
    assert np.all(df["probability"] <= df["high"] + 1e-12)
    k, M = reference_flips(P, row % P.shape[0])
    npt.assert_array_equal(df["flips"], k)
    assert np.all(df["n_models"] == M)


@given(P=strategies.prediction_matrices(min_models=2), data=st.data(),
       method=st.sampled_from(METHODS))
def test_permuting_models_changes_nothing(P, data, method):
    m = P.shape[0]
    row = data.draw(st.integers(0, m - 1))
    perm = np.array(data.draw(st.permutations(range(m))))
    moved = int(np.flatnonzero(perm == row)[0])  # where the baseline row lands
    before = flip_probability(P, row, method=method)
    after = flip_probability(P[perm], moved, method=method)
    pd.testing.assert_frame_equal(before, after)
    b = P[row]
    npt.assert_array_equal(arbitrary(P, b, 0.2, method=method),
                           arbitrary(P[perm], b, 0.2, method=method))


@given(P=strategies.prediction_matrices(min_models=2), data=st.data())
def test_wider_confidence_gives_wider_intervals(P, data):
    c1 = data.draw(st.floats(0.05, 0.9))
    c2 = data.draw(st.floats(c1, 0.999))
    for method in METHODS:
        narrow = flip_probability(P, 0, c1, method=method)
        wide = flip_probability(P, 0, c2, method=method)
        assert np.all(wide["low"] <= narrow["low"] + 1e-12)
        assert np.all(wide["high"] >= narrow["high"] - 1e-12)
