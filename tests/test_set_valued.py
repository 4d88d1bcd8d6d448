"""Set-valued (multi-label) annotations: the container, the per-tag binary views and the
per-tag agreement table, against plain Python dictionaries, the ``krippendorff`` package
and statsmodels."""

from __future__ import annotations

import itertools
import math
import re

import krippendorff
import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from multiplicity.annotation import Annotations, agreement, krippendorff_alpha
from multiplicity.annotation._container import UNORDERED
from multiplicity.annotation._container_sets import (
    MULTI_LABEL_CELLS,
    NOT_SET_VALUED,
    REPEATED_TAG,
    SET_CATEGORIES,
    UNKNOWN_TAG,
)
from multiplicity.annotation._tags import CI_OPTION, tag_agreement

TAGS = ["anger", "joy", "surprise", "fear"]


def _random_sets(seed, n_items=12, n_annotators=4, complete=False, p_tag=0.4):
    """{(item, annotator): set of tags}: each annotator labels each item (or, unless
    ``complete``, skips it with probability 0.2); a set may be empty."""
    rng = np.random.default_rng(seed)
    out = {}
    for i in range(n_items):
        for a in range(n_annotators):
            if not complete and rng.random() < 0.2:
                continue
            out[(f"i{i}", f"r{a}")] = {t for t in TAGS if rng.random() < p_tag}
    return out


def _long_rows(sets):
    """One row per (item, annotator, tag); an empty set gives no row."""
    rows = [(i, a, t) for (i, a), tags in sets.items() for t in sorted(tags)]
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


def _decoded(ann):
    """{(item, annotator): set} read back from the container."""
    long = ann.to_long()
    return {(i, a): set(lab) for i, a, lab in long.itertuples(index=False)}


def _same(a, b):
    """Two containers hold the same annotations (same items, annotators, categories)."""
    assert list(a.items) == list(b.items)
    assert list(a.annotators) == list(b.annotators)
    assert list(a.categories) == list(b.categories)
    npt.assert_array_equal(a.item_codes, b.item_codes)
    npt.assert_array_equal(a.annotator_codes, b.annotator_codes)
    npt.assert_array_equal(a.label_codes, b.label_codes)


def _canonical(sets):
    """The distinct sets in the documented order: by size, then by their sorted tags."""
    return sorted({frozenset(s) for s in sets}, key=lambda s: (len(s), sorted(s)))


# ---------------------------------------------------------------- constructors
def test_multi_label_long_table_gives_the_sets_of_the_rows():
    sets = {k: v for k, v in _random_sets(0).items() if v}   # the long table cannot
    df = _long_rows(sets)                                      # hold an empty set
    before = df.copy()
    ann = Annotations.from_long(df, multi_label=True)
    pd.testing.assert_frame_equal(df, before)                 # the input is not touched
    assert ann.is_set_valued and not ann.ordered and ann.n_dropped == 0
    assert _decoded(ann) == sets
    assert ann.n_annotations == len(sets)
    assert list(ann.categories) == _canonical(sets.values())
    assert list(ann.tags) == sorted(set().union(*sets.values()))
    assert all(isinstance(c, frozenset) for c in ann.categories)


def test_blank_tag_rows_are_dropped_and_an_all_blank_annotator_gave_no_label():
    df = pd.DataFrame({"item": [1, 1, 1, 2, 2, 2, 3],
                       "annotator": ["a", "a", "b", "a", "b", "b", "a"],
                       "label": ["joy", "surprise", "joy", "anger", " ", "anger", None]})
    ann = Annotations.from_long(df, multi_label=True)
    assert ann.n_dropped == 2
    assert _decoded(ann) == {(1, "a"): {"joy", "surprise"}, (1, "b"): {"joy"},
                             (2, "a"): {"anger"}, (2, "b"): {"anger"}}
    assert list(ann.items) == [1, 2, 3] and ann.ratings_per_item().tolist() == [2, 2, 0]


def test_repeated_tag_follows_duplicates():
    df = pd.DataFrame({"item": [0, 0, 0], "annotator": ["a", "a", "b"],
                       "label": ["joy", "joy", "fear"]})
    with pytest.raises(ValueError, match=REPEATED_TAG.format(
            annotator="a", tag="joy", item=0).split(";")[0]):
        Annotations.from_long(df, multi_label=True)
    for rule in ("first", "last", "keep"):
        ann = Annotations.from_long(df, multi_label=True, duplicates=rule)
        assert _decoded(ann) == {(0, "a"): {"joy"}, (0, "b"): {"fear"}}
        assert not ann.has_duplicates


def test_column_of_lists_and_sets_is_set_valued_without_the_flag():
    sets = _random_sets(1)
    keys = list(sets)
    cells = [sorted(sets[k]) if j % 3 == 0 else set(sets[k]) if j % 3 == 1
             else frozenset(sets[k]) for j, k in enumerate(keys)]
    df = pd.DataFrame({"item": [k[0] for k in keys], "annotator": [k[1] for k in keys],
                       "label": cells})
    ann = Annotations.from_long(df)
    assert ann.is_set_valued and _decoded(ann) == sets
    # empty lists are the empty set, a label like any other
    assert (frozenset() in set(ann.categories)) == any(not v for v in sets.values())
    # the same data as one row per tag (without the empty sets)
    nonempty = {k: v for k, v in sets.items() if v}
    assert _decoded(Annotations.from_long(_long_rows(nonempty), multi_label=True)) == nonempty


def test_a_string_cell_is_one_tag_and_missing_tags_are_left_out():
    df = pd.DataFrame({"item": [0, 0, 0, 1, 1], "annotator": ["a", "b", "c", "a", "b"],
                       "label": ["joy", ["joy", "fear"], None, [None, "fear", ""], ""]})
    ann = Annotations.from_long(df)
    assert _decoded(ann) == {(0, "a"): {"joy"}, (0, "b"): {"joy", "fear"},
                             (1, "a"): {"fear"}}
    assert ann.n_dropped == 2
    # tuples stay single labels, as before
    pairs = Annotations.from_long(pd.DataFrame({"item": [0, 0], "annotator": ["a", "b"],
                                                "label": [(1, 2), (0, 1)]}))
    assert not pairs.is_set_valued and list(pairs.categories) == [(0, 1), (1, 2)]


def test_repeated_set_rows_follow_duplicates():
    df = pd.DataFrame({"item": [0, 0, 0], "annotator": ["a", "a", "b"],
                       "label": [["joy"], ["fear"], ["joy"]]})
    with pytest.raises(ValueError, match="labelled item 0 more than once"):
        Annotations.from_long(df)
    assert _decoded(Annotations.from_long(df, duplicates="last"))[(0, "a")] == {"fear"}
    assert Annotations.from_long(df, duplicates="keep").has_duplicates


def test_numeric_tags_are_normalised_and_sorted_by_value():
    df = pd.DataFrame({"item": [0, 0, 0, 1, 1], "annotator": ["a", "a", "b", "a", "b"],
                       "label": [10.0, 2.0, 2.0, np.nan, 10.0]})
    ann = Annotations.from_long(df, multi_label=True)
    assert list(ann.tags) == [2, 10] and ann.tags.dtype.kind == "i"
    assert list(ann.categories) == [frozenset({2}), frozenset({10}), frozenset({2, 10})]


def test_from_wide_reads_list_cells_of_frames_and_nested_lists():
    sets = _random_sets(2)
    items = sorted({i for i, _ in sets}, key=lambda s: int(s[1:]))
    raters = sorted({a for _, a in sets})
    cells = [[sorted(sets[(i, a)]) if (i, a) in sets else None for a in raters]
             for i in items]
    frame = pd.DataFrame(cells, index=items, columns=raters)
    ann = Annotations.from_wide(frame)
    assert ann.is_set_valued and _decoded(ann) == sets
    nested = Annotations.from_wide(cells)      # a nested list: NumPy would see 3 axes
    assert nested.n_annotations == len(sets) and list(nested.categories) == list(
        ann.categories)
    _same(Annotations.from_wide(ann.to_wide()), ann)          # frozensets round-trip


def test_round_trips():
    sets = _random_sets(3)
    nonempty = {k: v for k, v in sets.items() if v}
    ann = Annotations.from_long(_long_rows(nonempty), multi_label=True)
    _same(Annotations.from_long(ann.to_long()), ann)
    _same(Annotations.from_long(ann.to_long(explode=True), multi_label=True), ann)
    # with empty sets: to_long keeps them; the exploded table writes them as a
    # missing tag, which from_long(multi_label=True) reads as no label
    full = Annotations.from_long(pd.DataFrame(
        [(i, a, sorted(v)) for (i, a), v in sets.items()],
        columns=["item", "annotator", "label"]))
    _same(Annotations.from_long(full.to_long()), full)
    exploded = full.to_long(explode=True)
    assert exploded["label"].isna().sum() == sum(not v for v in sets.values())
    assert _decoded(Annotations.from_long(exploded, multi_label=True)) == nonempty


def test_from_counts_orders_set_columns_and_take_items_keeps_sets():
    cats = [frozenset({"b", "a"}), frozenset({"a"}), frozenset()]
    ann = Annotations.from_counts(pd.DataFrame([[1, 2, 0], [0, 1, 3]], columns=cats))
    assert list(ann.categories) == [frozenset(), frozenset({"a"}), frozenset({"a", "b"})]
    npt.assert_array_equal(ann.counts(), [[0, 2, 1], [3, 1, 0]])
    assert ann.is_set_valued and not ann.ordered
    sub = Annotations.from_wide([[{"x"}, {"x", "y"}], [{"y"}, None]]).take_items([1, 0])
    assert sub.is_set_valued and list(sub.tags) == ["x", "y"]
    assert "categories=[{'x'}, {'y'}, {'x', 'y'}]" in repr(sub)


# --------------------------------------------------------------------- binary
def test_binary_matches_the_sets():
    sets = _random_sets(4)
    df = pd.DataFrame([(i, a, sorted(v)) for (i, a), v in sets.items()],
                      columns=["item", "annotator", "label"])
    ann = Annotations.from_long(df)
    for tag in ann.tags:
        view = ann.binary(tag)
        assert list(view.categories) == [0, 1] and view.categories.dtype.kind == "i"
        assert list(view.items) == list(ann.items)
        assert list(view.annotators) == list(ann.annotators)
        got = {(i, a): lab for i, a, lab in view.to_long().itertuples(index=False)}
        assert got == {k: int(tag in v) for k, v in sets.items()}


def test_binary_and_tags_errors():
    ann = Annotations.from_wide([[{"joy"}, {"joy", "fear"}]])
    with pytest.raises(ValueError, match=re.escape(UNKNOWN_TAG.format(
            tag="anger", tags=["fear", "joy"]))):
        ann.binary("anger")
    with pytest.raises(ValueError, match="tag \\['joy'\\] is not among"):
        ann.binary(["joy"])
    plain = Annotations.from_wide([[1, 2], [2, 2]])
    assert not plain.is_set_valued
    for call in (lambda: plain.binary(1), lambda: plain.tags,
                 lambda: plain.to_long(explode=True)):
        with pytest.raises(ValueError, match=re.escape(NOT_SET_VALUED.split("{what}")[1][:30])):
            call()


def test_argument_errors():
    long = pd.DataFrame({"item": [0, 0], "annotator": ["a", "b"],
                         "label": [["joy"], ["fear"]]})
    with pytest.raises(TypeError, match=MULTI_LABEL_CELLS.format(label="label")[:50]):
        Annotations.from_long(long, multi_label=True)
    with pytest.raises(ValueError, match=SET_CATEGORIES[:40]):
        Annotations.from_long(long, categories=[frozenset({"joy"}), frozenset({"fear"})])
    with pytest.raises(ValueError, match=SET_CATEGORIES[:40]):
        Annotations.from_wide([[{"joy"}, {"fear"}]], categories=["joy", "fear"])
    with pytest.raises(ValueError, match=SET_CATEGORIES[:40]):
        Annotations.from_wide(Annotations.from_long(long), categories=["joy"])
    with pytest.raises(TypeError, match="multi_label must be True or False"):
        Annotations.from_long(long.assign(label=["joy", "fear"]), multi_label="yes")


def test_order_dependent_measures_refuse_sets():
    ann = Annotations.from_wide([[{"a"}, {"a", "b"}, {"b"}], [{"b"}, {"b"}, set()]])
    assert not ann.ordered
    message = UNORDERED.split("{cats}")[1][:40]
    with pytest.raises(ValueError, match=message):
        krippendorff_alpha(ann, "ordinal")
    with pytest.raises(ValueError, match="needs numeric labels"):
        krippendorff_alpha(ann, "interval")


# -------------------------------------------------------------- tag_agreement
def _binary_table(sets, tag, items, raters):
    """raters x items reliability matrix of one tag (NaN where missing)."""
    return np.array([[float(tag in sets[(i, a)]) if (i, a) in sets else np.nan
                      for i in items] for a in raters])


def _gwet_ac1_binary(table):
    """Gwet's AC1 of a complete raters x items 0/1 table (Gwet 2008, Br J Math Stat
    Psychol 61:29-48, eq. 17 with q = 2): pa the share of agreeing rater pairs per item,
    averaged; pe = 2 pi (1 - pi) / (2 - 1), pi the mean share of 1s."""
    r = table.shape[0]
    ones = table.sum(axis=0)
    zeros = r - ones
    pa = np.mean((ones * (ones - 1) + zeros * (zeros - 1)) / (r * (r - 1)))
    pi = np.mean(ones / r)
    pe = 2 * pi * (1 - pi)
    return (pa - pe) / (1 - pe), pa


def test_tag_agreement_against_krippendorff_and_statsmodels():
    sets = _random_sets(5, n_items=15, n_annotators=4, complete=True)
    items = [f"i{i}" for i in range(15)]
    raters = [f"r{a}" for a in range(4)]
    df = pd.DataFrame([(i, a, sorted(v)) for (i, a), v in sets.items()],
                      columns=["item", "annotator", "label"])
    table = tag_agreement(Annotations.from_long(df))
    assert list(table.index) == sorted(TAGS) and table.index.name == "tag"
    assert list(table.columns) == ["n_items_with_tag", "prevalence", "krippendorff_alpha",
                                   "fleiss_kappa", "gwet_ac1", "percent_agreement"]
    worst = 0.0
    for tag in TAGS:
        rel = _binary_table(sets, tag, items, raters)
        row = table.loc[tag]
        assert row["n_items_with_tag"] == int((rel == 1).any(axis=0).sum())
        assert row["prevalence"] == pytest.approx(np.mean(rel == 1), abs=1e-15)
        alpha = krippendorff.alpha(reliability_data=rel, level_of_measurement="nominal")
        counts = np.stack([(rel == 0).sum(axis=0), (rel == 1).sum(axis=0)], axis=1)
        ac1, pa = _gwet_ac1_binary(rel)
        for got, want in ((row["krippendorff_alpha"], alpha),
                          (row["fleiss_kappa"], sm_fleiss_kappa(counts, method="fleiss")),
                          (row["gwet_ac1"], ac1), (row["percent_agreement"], pa)):
            worst = max(worst, abs(got - want))
    assert worst < 1e-12


def test_tag_agreement_alpha_with_missing_labels():
    sets = _random_sets(6, n_items=20, n_annotators=5)
    items = sorted({i for i, _ in sets})
    raters = sorted({a for _, a in sets})
    df = pd.DataFrame([(i, a, sorted(v)) for (i, a), v in sets.items()],
                      columns=["item", "annotator", "label"])
    table = tag_agreement(Annotations.from_long(df), "krippendorff_alpha")
    for tag in TAGS:
        rel = _binary_table(sets, tag, items, raters)
        want = krippendorff.alpha(reliability_data=rel, level_of_measurement="nominal")
        assert abs(table.loc[tag, "krippendorff_alpha"] - want) < 1e-12


def test_undefined_coefficients_are_nan_with_a_reason():
    # everybody gives "a": its yes/no table has a single value
    ann = Annotations.from_wide([[{"a"}, {"a", "b"}, {"a"}], [{"a"}, {"a"}, {"a", "b"}]])
    table = tag_agreement(ann)
    assert math.isnan(table.loc["a", "krippendorff_alpha"])
    assert math.isnan(table.loc["a", "fleiss_kappa"])
    assert table.loc["a", "percent_agreement"] == 1.0
    reasons = table.attrs["undefined"]
    assert set(reasons) == {"a"} and set(reasons["a"]) == {"krippendorff_alpha",
                                                           "fleiss_kappa"}
    assert "only one value" in reasons["a"]["krippendorff_alpha"]
    with pytest.raises(ValueError, match="only one value"):       # the same reason
        krippendorff_alpha(ann.binary("a"))
    # bad arguments still raise
    with pytest.raises(ValueError, match="unknown coefficient"):
        tag_agreement(ann, "no_such_coefficient")
    with pytest.raises(ValueError, match=CI_OPTION.format(got="jackknife")):
        tag_agreement(ann, ci="jackknife")
    with pytest.raises(ValueError, match="tag_agreement needs set-valued labels"):
        tag_agreement([[1, 2], [2, 2]])


def test_tag_agreement_intervals_are_agreement_on_the_binary_view():
    sets = _random_sets(7, n_items=10, n_annotators=3)
    df = pd.DataFrame([(i, a, sorted(v)) for (i, a), v in sets.items()],
                      columns=["item", "annotator", "label"])
    ann = Annotations.from_long(df)
    names = ["fleiss_kappa", ("krippendorff_alpha", {"level": "nominal"})]
    table = tag_agreement(ann, names, ci="analytic", confidence=0.9)
    label = "krippendorff_alpha(level='nominal')"
    for tag in ann.tags:
        ref = agreement(ann.binary(tag), names, ci="analytic", confidence=0.9)
        for row in ("fleiss_kappa", label):
            for col in ("se", "ci_low", "ci_high"):
                assert table.loc[tag, f"{row}_{col}"] == ref.loc[row, col]
    boot = tag_agreement(ann, "gwet_ac1", ci="bootstrap", n_resamples=30, random_state=1)
    assert (boot["gwet_ac1_ci_low"] <= boot["gwet_ac1"] + 1e-12).all()
    assert boot.attrs["n_resamples"] == 30 and boot.attrs["ci"] == "bootstrap"
    again = tag_agreement(ann, "gwet_ac1", ci="bootstrap", n_resamples=30, random_state=1)
    pd.testing.assert_frame_equal(boot, again)


# ------------------------------------------------------------------ properties
set_data = st.dictionaries(
    st.tuples(st.integers(0, 5), st.sampled_from(["x", "y", "z"])),
    st.sets(st.sampled_from(TAGS), min_size=1), min_size=1, max_size=18)


@settings(max_examples=25, deadline=None)
@given(set_data, st.randoms(use_true_random=False))
def test_row_order_does_not_change_the_container(sets, rnd):
    df = _long_rows(sets)
    perm = list(range(len(df)))
    rnd.shuffle(perm)
    a = Annotations.from_long(df, multi_label=True)
    b = Annotations.from_long(df.iloc[perm], multi_label=True)
    # items and annotators are numbered in order of first appearance: compare by name
    assert _decoded(a) == _decoded(b) == sets
    assert list(a.categories) == list(b.categories) == _canonical(sets.values())


@settings(max_examples=25, deadline=None)
@given(set_data)
def test_binary_sums_count_the_sets_holding_the_tag(sets):
    ann = Annotations.from_long(_long_rows(sets), multi_label=True)
    for tag in ann.tags:
        assert ann.binary(tag).label_codes.sum() == sum(tag in v for v in sets.values())
    table = tag_agreement(ann, "percent_agreement")
    for tag in ann.tags:
        assert table.loc[tag, "n_items_with_tag"] == len(
            {i for (i, _), v in sets.items() if tag in v})


def test_canonical_order_is_by_size_then_tags():
    sets = [frozenset(c) for n in range(4) for c in itertools.combinations(TAGS, n)]
    ann = Annotations.from_wide([sets[::-1]])
    assert list(ann.categories) == _canonical(sets)


def test_many_tags_give_the_same_sets():
    # more than 62 distinct tags: the sets are built without bit masks
    rng = np.random.default_rng(8)
    many = [f"t{k:02d}" for k in range(70)]
    sets = {(i, a): set(rng.choice(many, size=rng.integers(1, 5), replace=False).tolist())
            for i in range(30) for a in "xyz"}
    ann = Annotations.from_long(_long_rows(sets), multi_label=True)
    assert list(ann.tags) == sorted(set().union(*sets.values())) and len(ann.tags) > 62
    assert _decoded(ann) == sets
    assert list(ann.categories) == _canonical(sets.values())
    few = {k: {t for t in v if t < "t10"} or {"t00"} for k, v in sets.items()}
    assert _decoded(Annotations.from_long(_long_rows(few), multi_label=True)) == few
