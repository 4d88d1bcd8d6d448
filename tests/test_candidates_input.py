"""Candidate label vectors (an automatic annotator's labels) matched to human annotations.

The reference is the obvious dictionary lookup: the candidate's label of item ``i`` is the
one given for the item named ``items[i]`` (or at position ``i`` for a plain sequence).
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from multiplicity.annotation import Annotations
from multiplicity.annotation._candidates import (
    CANDIDATE_DUPLICATES,
    CANDIDATE_EMPTY,
    CANDIDATE_FOREIGN,
    CANDIDATE_KEYS,
    CANDIDATE_LENGTH,
    CANDIDATE_NEW_LABELS,
    CANDIDATE_NEW_VALUES,
    CANDIDATE_NO_OVERLAP,
    CANDIDATE_ORDERED,
    CANDIDATE_RANGE_INDEX,
    CANDIDATE_SCALE,
    CANDIDATE_TYPE,
    CANDIDATE_TYPES_MIX,
    LONG_TABLE,
    NO_ANNOTATORS,
    check_candidates,
)


def _first_line(template: str) -> str:
    return re.escape(template.split("{")[0])


@pytest.fixture
def words():
    df = pd.DataFrame({"item": ["a", "a", "b", "b", "c", "c", "d"],
                       "annotator": ["x", "y", "x", "y", "x", "y", "x"],
                       "label": ["pos", "neg", "pos", "pos", "neg", "neg", "pos"]})
    return Annotations.from_long(df)


def _decode(c, j=0):
    cats = list(c.categories)
    return [None if k < 0 else cats[k] for k in c.codes[j]]


def test_series_is_matched_by_item_name_whatever_its_order(words):
    given = {"d": "neg", "b": "pos", "a": "pos", "zz": "neg"}  # zz: nobody annotated it
    # a label for an unknown item while an annotated item (c) has none: maybe two keys
    with pytest.warns(UserWarning, match=_first_line(CANDIDATE_KEYS)):
        c = check_candidates(words, pd.Series(given, name="judge"))
    expected = [given.get(item) for item in words.items]
    assert _decode(c) == expected
    assert c.names == ["judge"]
    # the human annotations are untouched (same categories, same codes)
    assert list(c.categories) == list(words.categories)
    np.testing.assert_array_equal(c.annotations.label_codes, words.label_codes)


@pytest.mark.filterwarnings("error")
def test_extra_items_alone_or_missing_items_alone_do_not_warn(words):
    corpus = {"a": "pos", "b": "pos", "c": "neg", "d": "neg", "e": "pos", "f": "neg"}
    assert _decode(check_candidates(words, corpus)) == ["pos", "pos", "neg", "neg"]
    assert _decode(check_candidates(words, {"a": "neg"})) == ["neg", None, None, None]


def test_a_default_range_index_against_named_items_warns():
    ann = Annotations.from_long(pd.DataFrame({"item": [1, 1, 2, 2, 3, 3],
                                              "annotator": list("xyxyxy"),
                                              "label": list("aabbab")}))
    with pytest.warns(UserWarning, match=_first_line(CANDIDATE_RANGE_INDEX)):
        c = check_candidates(ann, pd.Series(["a", "b", "a"]))  # 0, 1, 2 against 1, 2, 3
    assert _decode(c) == ["b", "a", None]  # matched by name, as documented


def test_numeric_candidate_off_the_annotators_scale():
    ann = Annotations.from_wide([[1, 2, 2], [3, 3, 4], [5, 4, 5]])
    with pytest.raises(ValueError, match=_first_line(CANDIDATE_SCALE)):
        check_candidates(ann, [11, 12, 15])
    with pytest.warns(UserWarning, match=_first_line(CANDIDATE_NEW_VALUES)):
        c = check_candidates(ann, [2, 3.5, 5])
    np.testing.assert_array_equal(c.values(), [2, 3.5, 5])


def test_a_long_table_is_not_read_as_a_wide_one(words):
    with pytest.raises(ValueError, match=_first_line(LONG_TABLE)):
        check_candidates(words.to_long(), ["pos", "neg", "pos", "neg"])


def test_dict_and_sequence_inputs(words):
    as_dict = check_candidates(words, {"a": "neg", "c": "pos"})
    assert _decode(as_dict) == ["neg", None, "pos", None]
    seq = check_candidates(words, ["neg", None, "pos", "  "])  # blank = missing
    assert _decode(seq) == ["neg", None, "pos", None]
    arr = check_candidates(words, np.array(["neg", "pos", "pos", "neg"], dtype=object))
    assert _decode(arr) == ["neg", "pos", "pos", "neg"]


def test_several_candidates_as_frame_columns(words):
    frame = pd.DataFrame({"gpt": ["pos", "pos", "neg", "neg"],
                          "llama": ["neg", None, "neg", "pos"]}, index=list("abcd"))
    c = check_candidates(words, frame.iloc[::-1])
    assert c.names == ["gpt", "llama"]
    assert c.n_candidates == 2
    assert _decode(c, 0) == ["pos", "pos", "neg", "neg"]
    assert _decode(c, 1) == ["neg", None, "neg", "pos"]


def test_new_candidate_labels_extend_the_categories_with_a_warning(words):
    with pytest.warns(UserWarning, match=_first_line(CANDIDATE_NEW_LABELS)):
        c = check_candidates(words, ["pos", "unsure", "neg", "pos"])
    assert list(c.categories) == ["neg", "pos", "unsure"]
    assert _decode(c) == ["pos", "unsure", "neg", "pos"]
    # the humans' labels keep their values under the new codes
    before = words.to_long()
    after = c.annotations.to_long()
    pd.testing.assert_frame_equal(before, after)
    assert not c.annotations.ordered
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_candidates(words, ["pos", "unsure", "neg", "pos"], warn_new=False)


def test_numbers_stored_as_floats_match_integer_categories():
    ann = Annotations.from_wide([[1, 2, None], [3, 3, 3], [1, None, 2]])
    with pytest.warns(UserWarning, match=_first_line(CANDIDATE_NEW_VALUES)):
        c = check_candidates(ann, np.array([1.0, np.nan, 4.0]))
    assert list(c.categories) == [1, 2, 3, 4]
    np.testing.assert_array_equal(c.values(), [1.0, np.nan, 4.0])
    np.testing.assert_array_equal(c.annotations.to_wide().to_numpy(),
                                  ann.to_wide().to_numpy())


def test_caller_data_are_not_modified(words):
    s = pd.Series({"a": "pos", "b": None, "c": "unsure"})
    copy = s.copy()
    with pytest.warns(UserWarning):
        check_candidates(words, s)
    pd.testing.assert_series_equal(s, copy)


@pytest.mark.parametrize(("candidate", "error", "template"), [
    (["pos", "neg"], ValueError, CANDIDATE_LENGTH),
    ("pos", TypeError, CANDIDATE_TYPE),
    (3, TypeError, CANDIDATE_TYPE),
    (np.zeros((2, 2)), TypeError, CANDIDATE_TYPE),
    (pd.Series(["pos", "neg"], index=["a", "a"]), ValueError, CANDIDATE_DUPLICATES),
    (pd.Series(["pos", "neg"], index=[0, 1]), ValueError, CANDIDATE_NO_OVERLAP),
    ([None, None, np.nan, ""], ValueError, CANDIDATE_EMPTY),
    (["positive", "negative", "positive", "negative"], ValueError, CANDIDATE_FOREIGN),
    ([1, 0, 1, 1], ValueError, CANDIDATE_TYPES_MIX),
])
def test_bad_candidates_raise_with_the_reason(words, candidate, error, template):
    with pytest.raises(error, match=_first_line(template)):
        check_candidates(words, candidate)


def test_ordered_categories_refuse_an_unlisted_candidate_label():
    df = pd.DataFrame({"item": [0, 0, 1, 1], "annotator": [0, 1, 0, 1],
                       "label": ["low", "high", "mid", "mid"]})
    ann = Annotations.from_long(df, categories=["low", "mid", "high"])
    with pytest.raises(ValueError, match=_first_line(CANDIDATE_ORDERED)):
        check_candidates(ann, ["low", "extreme"])
    c = check_candidates(ann, ["high", "low"])
    assert c.annotations.ordered and list(c.categories) == ["low", "mid", "high"]


def test_counts_have_no_annotators_to_compare_with():
    ann = Annotations.from_counts([[2, 1], [0, 3]])
    with pytest.raises(ValueError, match=_first_line(NO_ANNOTATORS.format(what="alt_test"))):
        check_candidates(ann, [0, 1], what="alt_test")
