"""agreement() and its bootstrap kernel."""

from __future__ import annotations

import numba
import numpy as np
import numpy.testing as npt
import pytest

from multiplicity.annotation._stats import ItemStatistic, bootstrap_sums


def test_bootstrap_sums_is_deterministic_and_thread_independent():
    S = np.random.default_rng(0).random((500, 3))
    a = bootstrap_sums(S, 40, random_state=7)
    b = bootstrap_sums(S, 40, random_state=7)
    npt.assert_array_equal(a, b)
    if not numba.config.DISABLE_JIT:
        before = numba.get_num_threads()
        try:
            numba.set_num_threads(1)
            c = bootstrap_sums(S, 40, random_state=7)
        finally:
            numba.set_num_threads(before)
        npt.assert_array_equal(a, c)
    assert not np.array_equal(a, bootstrap_sums(S, 40, random_state=8))


def test_bootstrap_sums_have_the_resampling_distribution():
    # Sums of n rows drawn with replacement: mean n * mean(S), variance n * var(S).
    rng = np.random.default_rng(1)
    S = rng.exponential(size=(200, 2))
    B = bootstrap_sums(S, 4000, random_state=0)
    n = S.shape[0]
    npt.assert_allclose(B.mean(axis=0), S.sum(axis=0), rtol=0.01)
    npt.assert_allclose(B.var(axis=0, ddof=1), n * S.var(axis=0), rtol=0.1)
    # each resample is a sum of n whole rows: the two columns move together row by row
    assert np.corrcoef(B[:, 0], B[:, 1])[0, 1] == pytest.approx(
        np.corrcoef(S[:, 0], S[:, 1])[0, 1], abs=0.1)


def test_item_statistic_value():
    S = np.array([[1.0, 2.0], [3.0, 4.0]])
    stat = ItemStatistic(S, lambda sums: sums[:, 0] / sums[:, 1])
    assert stat.value() == pytest.approx(4.0 / 6.0)
