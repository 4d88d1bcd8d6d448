"""DisagreementProfile against loop oracles, Cohen's kappa and hypothesis properties."""

from __future__ import annotations

import math
from collections import Counter
from types import SimpleNamespace

import hypothesis.strategies as st
import matplotlib
import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from hypothesis import given
from hypothesis.extra import numpy as hnp

from multiplicity.annotation import Annotations, cohen_kappa
from multiplicity.annotation import _profile as profile_module
from multiplicity.annotation._profile import DisagreementProfile
from multiplicity.datasets import load_goemotions_disagreement

matplotlib.use("Agg")


# ------------------------------------------------------------------- oracles
def _rows(table):
    """Per item: list of (annotator, label) pairs, labels as Python values."""
    out = []
    for row in table:
        out.append([(j, v) for j, v in enumerate(row) if v is not None and v == v])
    return out


def ref_annotators(table):
    """Tie-weighted leave-one-out agreement and kappa, one annotator at a time."""
    rows = _rows(table)
    cats = sorted({v for row in rows for _, v in row})
    r = len(table[0])
    result = []
    for j in range(r):
        agree, n, own, major = 0.0, 0, Counter(), Counter()
        for row in rows:
            mine = [v for a, v in row if a == j]
            others = [v for a, v in row if a != j]
            if not mine or not others:
                continue
            c = Counter(others)
            top = max(c.values())
            modes = [v for v in cats if c[v] == top]
            n += 1
            own[mine[0]] += 1
            for v in modes:
                major[v] += 1 / len(modes)
            if mine[0] in modes:
                agree += 1 / len(modes)
        if n == 0:
            result.append((0, math.nan, math.nan))
            continue
        pa = agree / n
        pe = sum(own[v] * major[v] for v in cats) / n / n
        kappa = (pa - pe) / (1 - pe) if pe < 1 - 1e-12 else math.nan
        result.append((n, pa, kappa))
    return result


def ref_group_agreement(table, groups):
    names = sorted(set(groups))
    rows = _rows(table)
    A = np.full((len(names), len(names)), np.nan)
    for gi, g in enumerate(names):
        for hi, h in enumerate(names):
            num = den = 0
            for row in rows:
                for a, va in row:
                    for b, vb in row:
                        if a != b and groups[a] == g and groups[b] == h:
                            den += 1
                            num += va == vb
            if den:
                A[gi, hi] = num / den
    return names, A


def ref_deviation(table, groups, include_single=False):
    names = sorted(set(groups))
    rows = _rows(table)
    cats = sorted({v for row in rows for _, v in row})
    out = {}
    for g in names:
        agree = total = 0.0
        for row in rows:
            c = Counter(v for _, v in row)
            if not c or (len(row) == 1 and not include_single):
                continue
            top = max(c.values())
            modes = [v for v in cats if c[v] == top]
            for a, v in row:
                if groups[a] == g:
                    total += 1
                    agree += (v in modes) / len(modes)
        out[g] = 1 - agree / total if total else math.nan
    return out


def ref_item_measures(table):
    """Per item, by loops: (n_ratings, normalized entropy, minority share, Gini impurity),
    the measures NaN for items with fewer than two ratings."""
    rows = _rows(table)
    k = len({v for row in rows for _, v in row})
    out = []
    for row in rows:
        m = len(row)
        if m < 2:
            out.append((m, math.nan, math.nan, math.nan))
            continue
        shares = [n / m for n in Counter(v for _, v in row).values()]
        entropy = -sum(p * math.log(p) for p in shares)
        out.append((m, entropy / math.log(k), 1 - max(shares), 1 - sum(p * p for p in shares)))
    return out


def ref_mean_over_rated_twice(values, n_ratings):
    """Mean of ``values`` over the items with at least two ratings (a plain loop)."""
    kept = [v for v, m in zip(values, n_ratings, strict=True) if m >= 2]
    return sum(kept) / len(kept) if kept else math.nan


def ref_gini(x):
    n = len(x)
    mean = sum(x) / n
    if mean == 0:
        return 0.0
    return sum(abs(a - b) for a in x for b in x) / (2 * n * n * mean)


@st.composite
def tables(draw, max_items=10, max_annotators=6, k=3):
    n = draw(st.integers(1, max_items))
    r = draw(st.integers(2, max_annotators))
    A = draw(hnp.arrays(np.float64, (n, r), elements=st.sampled_from(
        [float(c) for c in range(k)] + [np.nan])))
    # Every annotator labels something, and two categories occur.
    A[0, :] = np.arange(r) % 2
    return A


def _as_lists(A):
    return [[None if np.isnan(v) else float(v) for v in row] for row in A]


# ------------------------------------------------------------------ items
def test_items_table():
    table = [[1, 1, 2, None], [3, 3, 3, 3], [1, 2, 3, None], [2, 2, 1, 1]]
    items = DisagreementProfile(table).items()
    assert list(items["majority"]) == [1, 3, 1, 1]
    npt.assert_array_equal(items["n_ratings"], [3, 4, 3, 4])
    npt.assert_allclose(items["majority_share"], [2 / 3, 1, 1 / 3, 0.5])
    npt.assert_allclose(items["minority_share"], [1 / 3, 0, 2 / 3, 0.5])
    npt.assert_allclose(items["pairwise_agreement"], [2 / 6, 1, 0, 4 / 12])
    npt.assert_array_equal(items["n_ties"], [1, 1, 3, 2])
    npt.assert_allclose(items["entropy"][2], math.log(3))


def test_tables_are_cached_copies():
    ann = Annotations.from_wide([[1, 2], [2, 2]])
    prof = DisagreementProfile(ann)
    assert prof.annotations is ann and prof.group_names is None
    first = prof.items()
    first["majority"] = 99
    assert prof.items()["majority"].tolist() == [1, 2]


def test_items_with_unrated_item_and_strings():
    table = [["a", "b"], [None, None], ["b", "b"]]
    items = DisagreementProfile(table).items()
    assert items["majority"][[0, 2]].tolist() == ["a", "b"]
    assert pd.isna(items["majority"][1])
    assert items["n_ratings"].tolist() == [2, 0, 2]
    assert np.isnan(items["majority_share"][1]) and np.isnan(items["pairwise_agreement"][1])


def test_single_rating_items_are_not_unanimous():
    # Items 1 and 3 have one rating each: no disagreement, but no agreement either.
    table = [["a", "a", "b"], ["a", None, None], ["b", "b", "b"], [None, None, "b"],
             [None, None, None]]
    prof = DisagreementProfile(table)
    items = prof.items()
    assert items["single_rating"].tolist() == [False, True, False, True, False]
    for col in ("majority_share", "entropy", "normalized_entropy", "minority_share", "gini",
                "pairwise_agreement"):
        assert items[col].isna().tolist() == [False, True, False, True, True], col
    assert items["majority"].tolist()[:4] == ["a", "a", "b", "b"]  # the label is known
    assert items["n_ratings"].tolist() == [3, 1, 3, 1, 0]
    # Means skip them: only items 0 and 2 count.
    assert items["minority_share"].mean() == pytest.approx((1 / 3 + 0) / 2)
    # Asked for, they read as unanimous (the values of a single label).
    old = prof.items(include_single=True)
    assert old.loc[[1, 3], "minority_share"].tolist() == [0.0, 0.0]
    assert old.loc[[1, 3], "majority_share"].tolist() == [1.0, 1.0]
    assert old["single_rating"].equals(items["single_rating"])
    assert old["minority_share"].mean() == pytest.approx((1 / 3) / 4)
    with pytest.raises(TypeError, match="include_single must be True or False"):
        prof.items(include_single="no")


@given(A=tables())
def test_items_match_reference_and_means_drop_single_ratings(A):
    prof = DisagreementProfile(A)
    items = prof.items()
    ref = ref_item_measures(_as_lists(A))
    n_ratings = [m for m, *_ in ref]
    assert items["n_ratings"].tolist() == n_ratings
    assert items["single_rating"].tolist() == [m == 1 for m in n_ratings]
    for pos, col in enumerate(("normalized_entropy", "minority_share", "gini"), start=1):
        expected = [row[pos] for row in ref]
        npt.assert_allclose(items[col], expected, atol=1e-12)
        mean = ref_mean_over_rated_twice([row[pos] for row in ref], n_ratings)
        if math.isnan(mean):
            assert items[col].isna().all()
        else:
            assert items[col].mean() == pytest.approx(mean, abs=1e-12)
    npt.assert_allclose(items["majority_share"], 1 - items["minority_share"], atol=1e-12)


# ------------------------------------------------------------- annotators
@given(A=tables())
def test_annotators_match_reference(A):
    prof = DisagreementProfile(A)
    got = prof.annotators()
    ref = ref_annotators(_as_lists(A))
    npt.assert_array_equal(got["n_compared"], [n for n, _, _ in ref])
    npt.assert_allclose(got["loo_agreement"], [pa for _, pa, _ in ref], atol=1e-12)
    npt.assert_allclose(got["kappa"], [k for _, _, k in ref], atol=1e-12)
    npt.assert_allclose(got["deviation"], 1 - got["loo_agreement"])
    npt.assert_array_equal(got["n_items"], (~np.isnan(A)).sum(axis=0))
    assert ((got["loo_agreement"] >= 0) & (got["loo_agreement"] <= 1) |
            got["loo_agreement"].isna()).all()


def test_kappa_is_cohens_kappa_against_the_rest_without_ties():
    # 3 annotators, binary labels: the other two never tie when they agree; choose data
    # where every leave-one-out majority is unique (odd number of others: 3 others).
    rng = np.random.default_rng(0)
    A = rng.integers(0, 2, size=(60, 4))
    prof = DisagreementProfile(A)
    kappas = prof.annotators()["kappa"].to_numpy()
    for j in range(4):
        others = np.delete(A, j, axis=1)
        majority = (others.sum(axis=1) >= 2).astype(int)
        npt.assert_allclose(kappas[j], cohen_kappa(A[:, j], majority), atol=1e-12)


@given(A=tables(), data=st.data())
def test_annotator_order_does_not_matter(A, data):
    perm = np.array(data.draw(st.permutations(range(A.shape[1]))))
    a = DisagreementProfile(A).annotators()
    b = DisagreementProfile(A[:, perm]).annotators()
    npt.assert_allclose(b[["loo_agreement", "kappa"]].to_numpy(),
                        a[["loo_agreement", "kappa"]].to_numpy()[perm], atol=1e-12)


def test_dawid_skene_quality_by_duck_typing():
    A = np.array([[0, 0, 1], [1, 1, 1], [0, 1, 0]])
    cm = np.array([[[0.9, 0.1], [0.2, 0.8]], [[0.5, 0.5], [0.5, 0.5]],
                   [[1.0, 0.0], [0.0, 1.0]]])
    fake = SimpleNamespace(confusion_matrices_=cm, class_priors_=np.array([0.25, 0.75]))
    quality = DisagreementProfile(A, aggregator=fake).annotators()["quality"]
    npt.assert_allclose(quality, [0.25 * 0.9 + 0.75 * 0.8, 0.5, 1.0])
    assert "quality" not in DisagreementProfile(A).annotators()
    with pytest.raises(ValueError, match="confusion_matrices_"):
        DisagreementProfile(A, aggregator=object())
    with pytest.raises(ValueError, match="confusion_matrices_"):
        DisagreementProfile(A, aggregator=SimpleNamespace(confusion_matrices_=cm[:2],
                                                          class_priors_=[0.5, 0.5]))


def test_dawid_skene_quality_with_the_real_aggregator():
    from multiplicity.annotation import DawidSkene

    A = np.random.default_rng(1).integers(0, 2, size=(40, 4))
    ds = DawidSkene().fit(A)
    quality = DisagreementProfile(A, aggregator=ds).annotators()["quality"].to_numpy()
    expected = np.einsum("c,jcc->j", np.asarray(ds.class_priors_),
                         np.asarray(ds.confusion_matrices_))
    npt.assert_allclose(quality, expected)
    assert ((quality >= 0) & (quality <= 1)).all()


# ------------------------------------------------------------------ groups
@given(A=tables(), data=st.data())
def test_groups_match_reference(A, data):
    r = A.shape[1]
    groups = data.draw(st.lists(st.sampled_from(["u", "v", "w"]), min_size=r, max_size=r))
    prof = DisagreementProfile(A, annotator_groups=groups)
    names, ref_A = ref_group_agreement(_as_lists(A), groups)
    GA = prof.group_agreement()
    assert list(GA.index) == names
    npt.assert_allclose(GA.to_numpy(), ref_A, atol=1e-12)
    table = prof.groups()
    npt.assert_allclose(table["within_agreement"], np.diag(ref_A), atol=1e-12)
    dev = ref_deviation(_as_lists(A), groups)
    npt.assert_allclose(table["deviation"], [dev[g] for g in names], atol=1e-12)
    dev_all = ref_deviation(_as_lists(A), groups, include_single=True)
    npt.assert_allclose(prof.groups(include_single=True)["deviation"],
                        [dev_all[g] for g in names], atol=1e-12)
    single = (~np.isnan(A)).sum(axis=1) == 1
    per_group = {g: int(sum((~np.isnan(A[single, j])).sum() for j in range(r)
                            if groups[j] == g)) for g in names}
    assert table["n_single_rating"].tolist() == [per_group[g] for g in names]
    counts = Counter(groups)
    assert table["n_annotators"].tolist() == [counts[g] for g in names]
    assert table["n_labels"].sum() == int((~np.isnan(A)).sum())
    for col in ("deviation", "majority_flip", "tvd_to_rest", "between_agreement"):
        v = table[col].dropna()
        assert ((v >= -1e-12) & (v <= 1 + 1e-12)).all()
    assert 0 <= prof.gini() <= 1


def test_groups_hand_example():
    # Group x always says "a"; group y says "b" on the first two items.
    table = [["a", "a", "b", "b"], ["a", "a", "b", "b"], ["a", "a", "a", "a"]]
    prof = DisagreementProfile(table, annotator_groups={0: "x", 1: "x", 2: "y", 3: "y"})
    g = prof.groups()
    npt.assert_allclose(g["within_agreement"], [1.0, 1.0])
    npt.assert_allclose(g["between_agreement"], [1 / 3, 1 / 3])
    npt.assert_allclose(g["majority_flip"], [2 / 3, 2 / 3])
    npt.assert_allclose(g["tvd_to_rest"], [2 / 3, 2 / 3])
    # Ties on items 0 and 1: each label agrees with weight 1/2.
    npt.assert_allclose(g["deviation"], [(0.5 + 0.5 + 0) / 3, (0.5 + 0.5 + 0) / 3])
    assert prof.worst_group() == "x"  # equal: the first in sorted order
    assert g["n_single_rating"].tolist() == [0, 0]
    # A third, lone dissenter group.
    table = [["a", "a", "a", "b"], ["a", "a", "a", "b"], ["b", "b", "b", "b"]]
    prof = DisagreementProfile(table, annotator_groups=pd.Series(["x", "x", "y", "z"]))
    assert prof.worst_group() == "z"
    assert prof.worst_group("tvd_to_rest") == "z"
    assert prof.worst_group("between_agreement") == "z"
    assert np.isnan(prof.groups().loc["z", "within_agreement"])  # one annotator
    with pytest.raises(ValueError, match="NaN"):
        DisagreementProfile([["a", "b"]], annotator_groups=["x", "y"]).worst_group(
            "within_agreement")
    with pytest.raises(ValueError, match="not a column"):
        prof.worst_group("n_items")


def test_single_ratings_left_out_of_group_deviation():
    # Group y dissents on item 0 and labels items 1-4 alone: counted as agreement, those
    # four single ratings would make y look closer to the majority than x.
    table = [["a", "a", "b"], [None, None, "b"], [None, None, "a"], [None, None, "b"],
             [None, None, "a"], ["a", "a", None]]
    prof = DisagreementProfile(table, annotator_groups=["x", "x", "y"])
    g = prof.groups()
    assert g["n_single_rating"].tolist() == [0, 4]
    npt.assert_allclose(g["deviation"], [0.0, 1.0])            # y: 1 label, 1 dissent
    g_all = prof.groups(include_single=True)
    npt.assert_allclose(g_all["deviation"], [0.0, 1 / 5])      # y: 5 labels, 1 dissent
    ref = ref_deviation(table, ["x", "x", "y"])
    ref_all = ref_deviation(table, ["x", "x", "y"], include_single=True)
    npt.assert_allclose(g["deviation"], [ref["x"], ref["y"]])
    npt.assert_allclose(g_all["deviation"], [ref_all["x"], ref_all["y"]])
    assert prof.worst_group() == "y"
    assert prof.gini() == pytest.approx(ref_gini([0.0, 1.0]))
    assert prof.gini(include_single=True) == pytest.approx(ref_gini([0.0, 0.2]))
    # A group that labels only single-rating items has no deviation to report.
    table = [["a", "b", None], ["a", "a", None], [None, None, "b"]]
    prof = DisagreementProfile(table, annotator_groups=["x", "x", "y"])
    assert np.isnan(prof.groups().loc["y", "deviation"])
    assert prof.groups(include_single=True).loc["y", "deviation"] == 0.0
    assert prof.worst_group() == "x"
    with pytest.raises(TypeError, match="include_single"):
        prof.groups(include_single=None)


# -------------------------------------------------------------------- gini
@given(x=st.lists(st.floats(0.0, 10.0), min_size=1, max_size=12))
def test_gini_matches_double_sum(x):
    got = profile_module._gini(np.array(x))
    assert got == pytest.approx(ref_gini(x), abs=1e-12)
    assert 0 <= got <= 1 - 1 / len(x) + 1e-12


def test_gini_levels_and_errors():
    table = [["a", "a", "b", "b"], ["a", "a", "a", "b"], ["b", "b", "b", "a"]]
    prof = DisagreementProfile(table, annotator_groups=["x", "x", "y", "y"])
    dev = prof.groups()["deviation"].tolist()
    assert prof.gini() == pytest.approx(ref_gini(dev))
    ann_dev = prof.annotators()["deviation"].tolist()
    assert prof.gini(level="annotator") == pytest.approx(ref_gini(ann_dev))
    assert DisagreementProfile(table).gini() == pytest.approx(ref_gini(ann_dev))
    with pytest.raises(ValueError, match="non-negative"):
        prof.gini("kappa", level="annotator")
    with pytest.raises(ValueError, match="not a column"):
        prof.gini("group", level="annotator")
    with pytest.raises(ValueError, match="level"):
        prof.gini(level="item")
    with pytest.raises(ValueError, match="annotator_groups"):
        DisagreementProfile(table).gini(level="group")
    with pytest.raises(ValueError, match="annotator_groups"):
        DisagreementProfile(table).worst_group()


# --------------------------------------------------------------------- plot
def test_plot_returns_figure():
    import matplotlib.pyplot as plt

    table = [["a", "a", "b", "b"], ["a", "a", "a", "b"], ["b", "b", "b", "a"]]
    fig = DisagreementProfile(table, annotator_groups=["x", "x", "y", "y"]).plot()
    assert len(fig.axes) == 3  # heatmap, its colour bar, histogram
    assert fig.axes[0].get_title().startswith("Agreement")
    assert fig.axes[1].get_title() == "Per-item disagreement"
    plt.close(fig)
    lone = DisagreementProfile(table, annotator_groups=["x", "x", "x", "y"])  # NaN cell
    fig = lone.plot()
    assert np.isnan(lone.group_agreement().loc["y", "y"])
    assert len(fig.axes[0].texts) == 3
    plt.close(fig)
    fig = DisagreementProfile(table).plot(measure="gini", bins=5)
    assert len(fig.axes) == 1 and fig.axes[0].get_xlabel() == "gini"
    plt.close(fig)
    with pytest.raises(ValueError, match="not a column"):
        DisagreementProfile(table).plot(measure="majority")
    with pytest.raises(ValueError, match="not a column"):
        DisagreementProfile(table).plot(measure="single_rating")


def test_plot_leaves_out_single_ratings_and_says_so():
    import matplotlib.pyplot as plt

    # 2 items with two or more ratings, 3 with one, 1 unrated.
    table = [["a", "a", "b"], ["a", "a", "a"], ["a", None, None], [None, "b", None],
             [None, None, "a"], [None, None, None]]
    prof = DisagreementProfile(table)
    fig = prof.plot(bins=4)
    ax = fig.axes[0]
    assert sum(patch.get_height() for patch in ax.patches) == 2
    assert ax.get_title() == ("Per-item disagreement\n(3 with a single rating, 1 unrated "
                              "left out)")
    plt.close(fig)
    fig = prof.plot(bins=4, include_single=True)
    ax = fig.axes[0]
    assert sum(patch.get_height() for patch in ax.patches) == 5
    assert ax.get_title() == "Per-item disagreement\n(1 unrated left out)"
    plt.close(fig)


# ---------------------------------------------------------------- bad input
def test_bad_input():
    with pytest.raises(ValueError, match="single category"):
        DisagreementProfile([[1, 1], [1, None]])
    with pytest.raises(ValueError, match="no labels"):
        DisagreementProfile(pd.DataFrame({"ann1": [1.0, 2.0], "ann2": [np.nan, np.nan]}))
    with pytest.raises(ValueError, match="from_counts"):
        DisagreementProfile(Annotations.from_counts([[1, 2], [3, 0]]))
    long = pd.DataFrame({"item": [0, 0, 0], "annotator": [0, 0, 1], "label": [1, 2, 1]})
    with pytest.raises(ValueError, match="repeated ratings"):
        DisagreementProfile(Annotations.from_long(long, duplicates="keep"))
    table = [[1, 2, 1], [2, 2, 1]]
    with pytest.raises(ValueError, match="one group per annotator"):
        DisagreementProfile(table, annotator_groups=["x", "y"])
    with pytest.raises(ValueError, match="no group for annotator 2"):
        DisagreementProfile(table, annotator_groups={0: "x", 1: "y"})
    with pytest.raises(ValueError, match="missing group"):
        DisagreementProfile(table, annotator_groups=["x", None, "y"])
    assert profile_module.SINGLE_CATEGORY.startswith("the data have a single category")


# --------------------------------------------------------------- real data
def test_goemotions_profile():
    goe = load_goemotions_disagreement(group="negative")
    ann = Annotations.from_long(goe.data)
    unclear = goe.data.groupby("annotator")["very_unclear"].mean()
    groups = pd.Series(np.where(unclear.reindex(ann.annotators) > 0.05, "flags", "rarely"),
                       index=ann.annotators)
    prof = DisagreementProfile(ann, annotator_groups=groups)
    items = prof.items()
    npt.assert_allclose(items["majority_share"],
                        np.maximum(goe.item_table["prob_positive"],
                                   1 - goe.item_table["prob_positive"]).loc[ann.items])
    table = prof.annotators()
    assert table["n_items"].sum() == len(goe.data)
    assert table["n_compared"].sum() == len(goe.data)  # every item has 4-5 raters
    g = prof.groups()
    assert g["n_labels"].sum() == len(goe.data)
    assert prof.worst_group() in {"flags", "rarely"}
