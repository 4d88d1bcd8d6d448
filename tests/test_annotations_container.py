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


# ------------------------------------------------- whole numbers, empty labels, order
def test_whole_numbers_with_blanks_stay_integers():
    # A 1-5 column with a blank is read by pandas as float; the labels are still 1 .. 5.
    long = pd.DataFrame({"item": [0, 0, 1, 1, 2, 2, 3], "annotator": list("ababbab"),
                         "label": [1.0, 2.0, np.nan, 5.0, 3.0, np.nan, 2.0]})
    ann = Annotations.from_long(long)
    assert ann.categories.dtype == np.int64 and list(ann.categories) == [1, 2, 3, 5]
    assert repr(ann) == ("Annotations(n_items=4, n_annotators=2, n_annotations=5, "
                         "categories=[1, 2, 3, 5], n_dropped=2)")
    assert ann.n_dropped == 2 and ann.ordered
    assert ann.to_long()["label"].dtype == np.int64
    wide = pd.DataFrame({"a": [1, np.nan, 3], "b": [2, 2, np.nan]})
    ann = Annotations.from_wide(wide)
    assert ann.categories.dtype == np.int64 and list(ann.categories) == [1, 2, 3]
    assert ann.n_dropped == 0 and "n_dropped" not in repr(ann)
    ann = Annotations.from_wide(np.array([[1.0, np.nan], [4.0, 2.0]]))
    assert ann.categories.dtype == np.int64
    # fractions stay floats
    assert Annotations.from_long(long.assign(label=long["label"] / 2)).categories.dtype == \
        np.float64


def test_empty_labels_are_dropped_and_counted():
    long = pd.DataFrame({"item": [0, 0, 1, 1, 2, 2], "annotator": list("ababab"),
                         "label": ["pos", "", None, "neg", "  ", "pos"]})
    ann = Annotations.from_long(long)
    assert ann.n_dropped == 3 and ann.n_annotations == 3
    assert list(ann.categories) == ["neg", "pos"]
    npt.assert_array_equal(ann.ratings_per_item(), [1, 1, 1])
    assert ann.take_items([0, 1]).n_dropped == 3
    given = Annotations.from_long(long, categories=["neg", "pos"])
    assert given.n_dropped == 3 and list(given.categories) == ["neg", "pos"]
    npt.assert_array_equal(given.counts(), ann.counts())
    # a blank cell of a wide table is a missing annotation, like NaN
    wide = Annotations.from_wide([["pos", ""], [" ", "neg"], ["neg", "neg"]])
    assert wide.n_annotations == 4 and list(wide.categories) == ["neg", "pos"]
    npt.assert_array_equal(wide.item_ptr, [0, 1, 2, 4])
    npt.assert_array_equal(wide.annotator_codes, [0, 1, 0, 1])


def test_categories_argument_is_checked():
    long = pd.DataFrame({"item": [0, 0], "annotator": ["a", "b"], "label": ["x", "y"]})
    for bad in ("xy", 3, {"x": 1}):
        with pytest.raises(TypeError, match="categories must be a list of the labels"):
            Annotations.from_long(long, categories=bad)
    with pytest.raises(ValueError, match="at least one label"):
        Annotations.from_long(long, categories=[])
    with pytest.raises(ValueError, match="'x' appears more than once"):
        Annotations.from_long(long, categories=["x", "y", "x"])
    with pytest.raises(ValueError, match="missing value"):
        Annotations.from_long(long, categories=["x", None, "y"])
    # tuples are labels
    pairs = pd.DataFrame({"item": [0, 0], "annotator": ["a", "b"],
                          "label": [(1, 2), (0, 1)]})
    ann = Annotations.from_long(pairs, categories=[(1, 2), (0, 1)])
    assert list(ann.categories) == [(1, 2), (0, 1)] and ann.ordered


def test_ordered_flag_and_given_order():
    assert Annotations.from_wide([[1, 2], [3, 3]]).ordered
    assert Annotations.from_wide([[True, False], [True, True]]).ordered
    words = Annotations.from_wide([["lo", "hi"], ["mid", "mid"]])
    assert not words.ordered and list(words.categories) == ["hi", "lo", "mid"]
    given = Annotations.from_wide(words, categories=["lo", "mid", "hi"])
    assert given.ordered and list(given.categories) == ["lo", "mid", "hi"]
    npt.assert_array_equal(given.counts(), [[1, 0, 1], [0, 2, 0]])
    assert not words.ordered                               # the original is unchanged
    assert given.take_items([1]).ordered
    # from_counts keeps given categories in their order (and the columns with them)
    counts = Annotations.from_counts([[3, 0, 1]], categories=["lo", "mid", "hi"])
    assert list(counts.categories) == ["lo", "mid", "hi"] and counts.ordered
    npt.assert_array_equal(counts.counts(), [[3, 0, 1]])
    unordered = Annotations.from_counts([[3, 0, 1]], categories=["lo", "mid", "hi"],
                                        ordered=False)
    assert list(unordered.categories) == ["hi", "lo", "mid"] and not unordered.ordered
    npt.assert_array_equal(unordered.counts(), [[1, 3, 0]])
    # ordered Categorical columns must agree
    df = pd.DataFrame({"a": pd.Categorical(["lo"], categories=["lo", "hi"], ordered=True),
                       "b": pd.Categorical(["hi"], categories=["hi", "lo"], ordered=True)})
    with pytest.raises(ValueError, match="columns 'a' and 'b' are ordered pandas Categoricals"):
        Annotations.from_wide(df)
    assert list(Annotations.from_wide(df, categories=["hi", "lo"]).categories) == ["hi", "lo"]
    # a plain column next to an ordered Categorical one must use its labels
    df = pd.DataFrame({"a": pd.Categorical(["lo", "hi"], categories=["lo", "hi"],
                                           ordered=True), "b": ["hi", "mid"]})
    with pytest.raises(ValueError, match=r"not in categories: \['mid'\]"):
        Annotations.from_wide(df)


def test_categories_do_not_mutate_inputs():
    long = pd.DataFrame({"item": [0, 0, 1], "annotator": ["a", "b", "a"],
                         "label": ["lo", "", "hi"]})
    before = long.copy()
    Annotations.from_long(long, categories=["lo", "hi"])
    pd.testing.assert_frame_equal(long, before)
    table = np.array([["lo", ""], ["hi", None]], dtype=object)
    Annotations.from_wide(table, categories=["lo", "hi"])
    assert table[0, 1] == "" and table[1, 1] is None


def test_categories_of_numbers_booleans_and_dtypes():
    long = pd.DataFrame({"item": [0, 0, 1], "annotator": ["a", "b", "a"],
                         "label": [0.5, 1.5, 0.5]})
    ann = Annotations.from_long(long, categories=[1.5, 0.5, 2.5])
    assert ann.categories.dtype == np.float64 and list(ann.categories) == [1.5, 0.5, 2.5]
    assert ann.is_numeric and ann.ordered
    flags = pd.DataFrame({"item": [0, 0], "annotator": ["a", "b"], "label": [True, False]})
    ann = Annotations.from_long(flags, categories=[True, False])
    assert ann.categories.dtype == bool and list(ann.categories) == [True, False]
    dtype = pd.CategoricalDtype(["lo", "hi"], ordered=True)
    assert list(Annotations.from_long(long.assign(label=["lo", "hi", "lo"]),
                                      categories=dtype).categories) == ["lo", "hi"]
    with pytest.raises(TypeError, match="categories must be a list"):
        Annotations.from_long(long, categories=np.array([[0.5, 1.5]]))
    # every label empty: no annotation, the listed categories kept
    empty = Annotations.from_long(long.assign(label=np.nan), categories=[0.5, 1.5])
    assert empty.n_annotations == 0 and empty.n_dropped == 3
    assert list(empty.categories) == [0.5, 1.5]


def test_recoding_annotations_names_the_unlisted_labels():
    ann = Annotations.from_wide([["lo", "hi"], ["mid", None]])
    with pytest.raises(ValueError) as e:
        Annotations.from_wide(ann, categories=["lo", "hi"])
    assert str(e.value) == ("data has labels that are not in categories: ['mid']; "
                            "categories= must list every label, in order (got ['lo', 'hi'])")
