"""The NumPy twins of the annotation kernels give the kernels' results.

Inputs below ``numba_min_size`` run the twins in ``multiplicity/annotation/_twins.py`` (and
the bootstrap's twin in ``_stats.py``); ``numba_min_size=0`` runs the compiled kernels.
Each twin is compared with its kernel on random data (integer results exactly, float
results to rounding), and whole computations (every coefficient, the agreement table with
bootstrap and analytic intervals, the long-format container) agree between the two paths.
"""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multiplicity import config_context, get_config, set_config
from multiplicity.annotation import (
    Annotations,
    _twins,
    agreement,
    brennan_prediger,
    conger_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from multiplicity.annotation import _alpha_kernels as AK
from multiplicity.annotation import _chance_kernels as CK
from multiplicity.annotation._stats import bootstrap_sums


@st.composite
def sparse_tables(draw, max_items=25, max_raters=7, max_k=20):
    """Annotations with 0 to max_raters ratings per item over k categories."""
    n = draw(st.integers(1, max_items))
    r = draw(st.integers(1, max_raters))
    k = draw(st.integers(1, max_k))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    W = rng.integers(0, k, size=(n, r)).astype(float)
    W[rng.random((n, r)) < draw(st.sampled_from([0.0, 0.3, 0.7]))] = np.nan
    if np.isnan(W).all():
        W[0, 0] = 0.0
    return Annotations.from_wide(W)


def _args(ann):
    return ann.item_ptr, ann.item_codes, ann.label_codes


@settings(max_examples=60, deadline=None)
@given(sparse_tables())
def test_count_twins_equal_the_kernels_exactly(ann):
    ptr, item, codes = _args(ann)
    k = ann.n_categories
    npt.assert_array_equal(_twins.nominal_unit_terms(ptr, item, codes, k),
                           AK._nominal_unit_terms(ptr, codes))
    tri = np.zeros((k, k), dtype=np.int64)
    iu, ju = np.triu_indices(k)
    tri[iu, ju] = tri[ju, iu] = np.arange(iu.size)
    npt.assert_allclose(_twins.unit_coincidences(ptr, item, codes, tri),
                        AK._unit_coincidences(ptr, codes, tri), rtol=1e-14, atol=1e-14)
    identity = np.eye(k)
    for dense in (True, False):
        r, sumq, shares = CK._item_pairs_serial(ptr, codes, identity, True, dense, 1, k)
        r2, sumq2, shares2 = _twins.item_pairs(ptr, item, codes, identity, True, k)
        npt.assert_array_equal(r2, r)
        npt.assert_array_equal(sumq2, sumq)
        npt.assert_allclose(shares2, shares, rtol=1e-13, atol=1e-13)


@settings(max_examples=60, deadline=None)
@given(sparse_tables(), st.integers(0, 2**32 - 1))
def test_float_twins_equal_the_kernels_to_rounding(ann, seed):
    ptr, item, codes = _args(ann)
    k = ann.n_categories
    rng = np.random.default_rng(seed)
    x = rng.normal(size=ann.n_annotations) * 10.0 ** rng.integers(-3, 4)
    npt.assert_allclose(_twins.per_unit_sum(ptr, item, x), AK._per_unit_sum(ptr, x),
                        rtol=1e-12, atol=1e-12 * np.abs(x).max(initial=1.0))
    npt.assert_allclose(_twins.interval_unit_terms(ptr, item, x),
                        AK._interval_unit_terms(ptr, x),
                        rtol=1e-10, atol=1e-10 * np.abs(x).max(initial=1.0) ** 2)
    W = rng.random((k, k))
    W = (W + W.T) / 2.0
    np.fill_diagonal(W, 1.0)
    for dense in (True, False):
        _, sumq, _ = CK._item_pairs_serial(ptr, codes, W, False, dense, 1, k)
        _, sumq2, _ = _twins.item_pairs(ptr, item, codes, W, False, k)
        npt.assert_allclose(sumq2, sumq, rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 60), st.integers(1, 8), st.integers(2, 300), st.integers(0, 2**31))
def test_bootstrap_twin_draws_the_kernels_items(n, s, n_resamples, seed):
    rng = np.random.default_rng(seed)
    S_int = rng.integers(0, 9, size=(n, s)).astype(float)   # integer sums: exact
    S = rng.normal(size=(n, s))
    twin = [bootstrap_sums(S_int, n_resamples, seed), bootstrap_sums(S, n_resamples, seed)]
    with config_context(numba_min_size=0):
        kernel = [bootstrap_sums(S_int, n_resamples, seed),
                  bootstrap_sums(S, n_resamples, seed)]
    npt.assert_array_equal(twin[0], kernel[0])
    npt.assert_allclose(twin[1], kernel[1], rtol=1e-12, atol=1e-12 * n)


COEFFICIENTS = [krippendorff_alpha, fleiss_kappa, scott_pi, gwet_ac1, brennan_prediger,
                percent_agreement, conger_kappa]


def _outcome(func, ann, **kwargs):
    try:
        return func(ann, on_undefined="nan", **kwargs)
    except ValueError as e:
        return str(e)


@settings(max_examples=40, deadline=None)
@given(sparse_tables(max_k=6))
def test_coefficients_agree_on_both_paths(ann):
    for weights in ("identity", "quadratic"):
        for func in COEFFICIENTS:
            kwargs = ({"level": "ordinal" if weights == "quadratic" else "nominal"}
                      if func is krippendorff_alpha else {"weights": weights})
            twin = _outcome(func, ann, **kwargs)
            with config_context(numba_min_size=0):
                kernel = _outcome(func, ann, **kwargs)
            if isinstance(twin, str) or isinstance(kernel, str):  # the same error
                assert twin == kernel
            else:
                npt.assert_allclose(twin, kernel, rtol=1e-12, atol=1e-12, equal_nan=True,
                                    err_msg=f"{func.__name__} {kwargs}")


@pytest.mark.parametrize("ci", ["bootstrap", "analytic"])
def test_agreement_table_is_the_same_on_both_paths(ci):
    rng = np.random.default_rng(3)
    W = rng.integers(1, 5, size=(150, 4)).astype(float)
    W[rng.random(W.shape) < 0.2] = np.nan
    W[:, 1] = np.where(rng.random(150) < 0.6, W[:, 0], W[:, 1])
    twin = agreement(W, ci=ci, n_resamples=300, random_state=7)
    with config_context(numba_min_size=0):
        kernel = agreement(W, ci=ci, n_resamples=300, random_state=7)
    pd.testing.assert_frame_equal(twin, kernel, rtol=1e-12, atol=1e-12)
    interval = agreement(W, coefficients=[("krippendorff_alpha", {"level": "interval"})],
                         ci=ci, n_resamples=300, random_state=7)
    with config_context(numba_min_size=0):
        interval_kernel = agreement(
            W, coefficients=[("krippendorff_alpha", {"level": "interval"})], ci=ci,
            n_resamples=300, random_state=7)
    pd.testing.assert_frame_equal(interval, interval_kernel, rtol=1e-12, atol=1e-12)


def test_long_format_orders_ratings_as_the_counting_sort():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"item": rng.integers(0, 40, 500), "annotator": rng.integers(0, 9, 500),
                       "label": rng.integers(0, 4, 500)})
    twin = Annotations.from_long(df, duplicates="keep")
    with config_context(numba_min_size=0):
        kernel = Annotations.from_long(df, duplicates="keep")
    for attr in ("item_codes", "annotator_codes", "label_codes", "item_ptr"):
        npt.assert_array_equal(getattr(twin, attr), getattr(kernel, attr))
    first = Annotations.from_long(df, duplicates="first")
    with config_context(numba_min_size=0):
        first_kernel = Annotations.from_long(df, duplicates="first")
    npt.assert_array_equal(first.label_codes, first_kernel.label_codes)


def test_numpy_labels_without_pandas_give_pandas_categories():
    # Python numbers with None, and float tables: the categories pandas' factorisation
    # gives (integers when every value is whole).
    ann = Annotations.from_wide([[1, 2, None], [2.0, 3, 3]])
    assert ann.categories.tolist() == [1, 2, 3]
    assert ann.categories.dtype == np.int64
    ann = Annotations.from_wide([[1, 2.5, None], [2.0, 3, 3]])
    assert ann.categories.tolist() == [1.0, 2.0, 2.5, 3.0]
    ann = Annotations.from_wide(np.array([[0.25, np.nan], [0.5, 0.25]]))
    assert ann.categories.tolist() == [0.25, 0.5]
    npt.assert_array_equal(ann.label_codes, [0, 1, 0])
    assert list(ann.items) == [0, 1] and list(ann.annotators) == [0, 1]


def test_numba_min_size_is_checked():
    before = get_config()["numba_min_size"]
    for bad in (-1, 1.5, "10", True):
        with pytest.raises(ValueError, match="numba_min_size must be an integer >= 0"):
            set_config(numba_min_size=bad)
    assert get_config()["numba_min_size"] == before
