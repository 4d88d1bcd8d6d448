"""pandas inputs meet on their index (``multiplicity._validation.align_to``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from multiplicity import _errors
from multiplicity._validation import align_to


@pytest.fixture
def X():
    return pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0]}, index=["p", "q", "r", "s"])


def test_same_labels_in_another_order_are_reordered(X):
    y = pd.Series([40, 10, 30, 20], index=["s", "p", "r", "q"])
    out = align_to(X, y, name="y")
    assert out.index.tolist() == X.index.tolist()
    assert out.tolist() == [10, 20, 30, 40]
    assert y.index.tolist() == ["s", "p", "r", "q"]          # the caller's object is intact
    frame = pd.DataFrame({"g": list("abcd")}, index=["q", "s", "p", "r"])
    assert align_to(X, frame, name="groups")["g"].tolist() == ["c", "a", "d", "b"]


def test_equal_indexes_return_the_object_itself(X):
    y = pd.Series([1, 2, 3, 4], index=X.index)
    assert align_to(X, y, name="y") is y


@pytest.mark.parametrize("other", [np.arange(4), [1, 2, 3, 4]])
def test_non_pandas_inputs_match_by_position(X, other):
    assert align_to(X, other, name="y") is other
    assert align_to(np.zeros((4, 1)), pd.Series([1, 2, 3, 4]), name="y").tolist() == [1, 2, 3, 4]


def test_different_labels_raise_and_say_which(X):
    y = pd.Series([1, 2, 3, 4])                              # reset_index on one side only
    with pytest.raises(ValueError, match="the index of y does not match the index of X") as e:
        align_to(X, y, name="y")
    assert "labels of X missing from y: ['p', 'q', 'r', 's'] (4)" in str(e.value)
    assert "labels of y not in X: [0, 1, 2, 3] (4)" in str(e.value)
    subset = pd.Series([1, 2, 3], index=["p", "q", "r"])
    with pytest.raises(ValueError, match=r"missing from y: \['s'\] \(1\)"):
        align_to(X, subset, name="y")


def test_repeated_labels_cannot_be_aligned(X):
    y = pd.Series([1, 2, 3, 4], index=["p", "p", "q", "r"])
    with pytest.raises(ValueError) as e:
        align_to(X, y, name="y")
    assert str(e.value) == _errors.INDEX_DUPLICATES.format(which="y", label="p", name="y",
                                                           ref="X")
