"""Runtime options and thread control."""

from __future__ import annotations

import numba
import pytest

from multiplicity import config_context, get_config, set_config
from multiplicity._config import _env_flag
from multiplicity._parallel import effective_n_jobs, numba_threads


def test_config_context_restores_options():
    before = get_config()
    with config_context(display_precision=2):
        assert get_config()["display_precision"] == 2
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


def test_effective_n_jobs():
    assert effective_n_jobs(None) is None
    assert effective_n_jobs(3) == 3
    assert effective_n_jobs(-1) >= 1
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="n_jobs"):
            effective_n_jobs(bad)


def test_numba_threads_sets_and_restores():
    old = numba.get_num_threads()
    with numba_threads(1):
        assert numba.get_num_threads() == 1
    assert numba.get_num_threads() == old
    with numba_threads(None):
        assert numba.get_num_threads() == old
