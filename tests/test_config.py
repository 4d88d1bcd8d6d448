"""Runtime options and thread control."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from multiplicity import config_context, get_config, set_config
from multiplicity._config import _env_flag
from multiplicity._parallel import numba_n_jobs, numba_threads


def test_config_context_restores_options():
    before = get_config()
    with config_context(numba_min_size=2):
        assert get_config()["numba_min_size"] == 2
    assert get_config() == before


def test_set_config_rejects_unknown_option():
    with pytest.raises(ValueError, match="unknown option"):
        set_config(colour="blue")


@pytest.mark.parametrize(("value", "expected"), [("0", False), ("off", False), ("1", True),
                                                 ("yes", True), (None, True)])
def test_env_flag(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("MULTIPLICITY_TEST_FLAG", raising=False)
    else:
        monkeypatch.setenv("MULTIPLICITY_TEST_FLAG", value)
    assert _env_flag("MULTIPLICITY_TEST_FLAG", True) is expected


def test_numba_n_jobs():
    assert numba_n_jobs(None) is None
    assert numba_n_jobs(3) == 3
    assert numba_n_jobs(-1) >= 1
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="n_jobs"):
            numba_n_jobs(bad)


def test_numba_threads_sets_and_restores():
    old = numba.get_num_threads()
    with numba_threads(1):
        assert numba.get_num_threads() == 1
    assert numba.get_num_threads() == old
    with numba_threads(None):
        assert numba.get_num_threads() == old


def test_assume_finite_skips_the_probability_scan():
    from multiplicity.metrics import probabilistic_ambiguity

    bad = np.array([[0.2, 1.5], [0.3, 0.4]])  # 1.5 is not a probability
    with pytest.raises(ValueError, match="above 1"):
        probabilistic_ambiguity(bad, baseline=0, delta=0.1)
    with config_context(assume_finite=True):
        # no scan: the caller vouches for the input, and gets the number it implies
        # (model 1 moves both samples by at least 0.1 from the baseline, model 0)
        assert probabilistic_ambiguity(bad, baseline=0, delta=0.1) == 1.0
    good = np.array([[0.2, 0.9], [0.3, 0.85]])
    checked = probabilistic_ambiguity(good, baseline=0, delta=0.1)
    with config_context(assume_finite=True):
        assert probabilistic_ambiguity(good, baseline=0, delta=0.1) == checked == 0.5
