"""The Annotations container: constructors, conversions, duplicates, bad input."""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from multiplicity.annotation._container import Annotations, check_annotations


def _wide_oracle_counts(table, categories):
    """Counts by a plain double loop over the wide table."""
    out = np.zeros((len(table), len(categories)), dtype=np.int64)
    for i, row in enumerate(table):
        for v in row:
            if v is None or (isinstance(v, float) and np.isnan(v)):
                continue
            out[i, list(categories).index(v)] += 1
    return out


def test_from_wide_numbers_with_missing():
    table = [[1, 1, None], [2, 3, 3], [None, 1, 1], [None, None, None]]
    ann = Annotations.from_wide(table)
    assert (ann.n_items, ann.n_annotators, ann.n_annotations) == (4, 3, 7)
    assert list(ann.categories) == [1, 2, 3]
    assert ann.is_numeric
    npt.assert_array_equal(ann.counts(), _wide_oracle_counts(table, [1, 2, 3]))
    npt.assert_array_equal(ann.ratings_per_item(), [2, 3, 2, 0])
    npt.assert_array_equal(ann.category_values, [1.0, 2.0, 3.0])
    wide = ann.to_wide()
    assert wide.shape == (4, 3)
    assert np.isnan(wide.iloc[0, 2]) and wide.iloc[1, 1] == 3


def test_from_wide_dataframe_strings_keeps_names():
    df = pd.DataFrame({"ann": ["pos", None, "neg"], "bob": ["pos", "neu", np.nan]},
                      index=["t1", "t2", "t3"])
    ann = Annotations.from_wide(df)
    assert list(ann.items) == ["t1", "t2", "t3"]
    assert list(ann.annotators) == ["ann", "bob"]
    assert list(ann.categories) == ["neg", "neu", "pos"]
    assert not ann.is_numeric
    long = ann.to_long()
    assert long.values.tolist() == [["t1", "ann", "pos"], ["t1", "bob", "pos"],
                                    ["t2", "bob", "neu"], ["t3", "ann", "neg"]]
    pd.testing.assert_frame_equal(ann.to_wide(), df.astype(object).where(df.notna(), np.nan),
                                  check_names=False, check_dtype=False)
    with pytest.raises(ValueError, match="not numbers"):
        _ = ann.category_values


def test_from_long_round_trip_and_order():
    df = pd.DataFrame({"doc": [7, 7, 3, 3, 9], "who": ["a", "b", "b", "a", "a"],
                       "y": [1.5, 2.5, 2.5, np.nan, 0.5]})
    ann = Annotations.from_long(df, item="doc", annotator="who", label="y")
    assert list(ann.items) == [7, 3, 9]  # first appearance
    assert ann.n_annotations == 4  # the NaN label is a missing annotation
    back = ann.to_long()
    assert sorted(map(tuple, back.values.tolist())) == sorted(
        [(7, "a", 1.5), (7, "b", 2.5), (3, "b", 2.5), (9, "a", 0.5)])
    with pytest.raises(ValueError, match="annotator='rater' is not a column"):
        Annotations.from_long(df, item="doc", annotator="rater", label="y")
    with pytest.raises(TypeError, match="DataFrame"):
        Annotations.from_long(df.to_numpy())


def test_duplicates_policies():
    df = pd.DataFrame({"item": [0, 0, 0, 1], "annotator": ["x", "x", "y", "x"],
                       "label": ["a", "b", "a", "b"]})
    with pytest.raises(ValueError, match="annotator 'x' labelled item 0 more than once"):
        Annotations.from_long(df)
    first = Annotations.from_long(df, duplicates="first")
    last = Annotations.from_long(df, duplicates="last")
    keep = Annotations.from_long(df, duplicates="keep")
    assert first.to_wide().loc[0, "x"] == "a"
    assert last.to_wide().loc[0, "x"] == "b"
    npt.assert_array_equal(keep.counts(), [[2, 1], [0, 1]])
    assert keep.has_duplicates and not first.has_duplicates
    with pytest.raises(ValueError, match="more than once"):
        keep.to_wide()
    with pytest.raises(ValueError, match="duplicates must be"):
        Annotations.from_long(df, duplicates="sum")


def test_from_counts():
    ann = Annotations.from_counts(pd.DataFrame([[3, 0, 1], [0, 2, 2]], columns=["c", "a", "b"]))
    assert list(ann.categories) == ["a", "b", "c"]
    npt.assert_array_equal(ann.counts(), [[0, 1, 3], [2, 2, 0]])
    assert not ann.has_annotators and ann.n_annotators == 0
    with pytest.raises(ValueError, match="no annotators"):
        ann.to_wide()
    for bad, match in [([[1, -1]], "non-negative"), ([[1.5, 1]], "integers"),
                       (np.ones(3), "2-D"), ([[np.nan, 1]], "NaN")]:
        with pytest.raises(ValueError, match=match):
            Annotations.from_counts(bad)
    with pytest.raises(ValueError, match="distinct labels"):
        Annotations.from_counts([[1, 2]], categories=["a", "a"])


def test_take_items_and_check_annotations():
    ann = Annotations.from_wide([[1, 2, None], [2, 2, 2], [None, 1, 1]])
    sub = ann.take_items([2, 0, 2])
    npt.assert_array_equal(sub.counts(), ann.counts()[[2, 0, 2]])
    assert sub.n_annotators == 3
    npt.assert_array_equal(sub.to_long()["annotator"], [1, 2, 0, 1, 1, 2])
    assert check_annotations(ann) is ann
    assert check_annotations(np.array([[0, 1], [1, 1]])).n_annotations == 4
    with pytest.raises(TypeError, match="got None"):
        check_annotations(None)


def test_bad_tables():
    with pytest.raises(ValueError, match="2-D"):
        Annotations.from_wide([1, 2, 3])
    with pytest.raises(ValueError, match="empty"):
        Annotations.from_wide(np.empty((0, 3)))
    mixed = Annotations.from_wide(np.array([[1, "a"], ["b", 2]], dtype=object))
    assert list(mixed.categories) == [1, 2, "a", "b"] and not mixed.is_numeric


def test_inputs_are_not_mutated():
    table = np.array([[1.0, np.nan], [2.0, 2.0]])
    before = table.copy()
    ann = Annotations.from_wide(table)
    npt.assert_array_equal(table, before)
    with pytest.raises(ValueError, match="read-only"):
        ann.label_codes[0] = 5


def test_from_long_scales_linearly():
    # 200,000 rows with shuffled order; checked against a pandas groupby oracle.
    rng = np.random.default_rng(0)
    n = 200_000
    df = pd.DataFrame({"item": rng.integers(0, 20_000, n), "annotator": rng.integers(0, 50, n),
                       "label": rng.integers(0, 4, n)})
    df = df.drop_duplicates(["item", "annotator"])
    ann = Annotations.from_long(df)
    ref = df.groupby(["item", "label"]).size().unstack(fill_value=0)
    got = pd.DataFrame(ann.counts(), index=ann.items, columns=ann.categories)
    pd.testing.assert_frame_equal(got.loc[ref.index, ref.columns], ref, check_dtype=False,
                                  check_names=False)


@given(table=hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=8),
                        elements=st.sampled_from([np.nan, 0.0, 1.0, 2.0, 5.0])))
def test_wide_long_round_trip(table):
    if np.isnan(table).all():
        return
    ann = Annotations.from_wide(table)
    npt.assert_array_equal(ann.to_wide().to_numpy(), table)
    again = Annotations.from_long(ann.to_long())
    npt.assert_array_equal(again.counts()[np.argsort(again.items)],
                           ann.counts()[np.unique(ann.to_long()["item"])])
