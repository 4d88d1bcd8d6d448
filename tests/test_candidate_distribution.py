"""candidate_distribution_scores, calibration_table and plot_calibration against the
formulas written out here in NumPy, scipy.stats (wasserstein_distance, pearsonr), hand
counts of run shares, a loop oracle of the binning, and hypothesis properties."""

from __future__ import annotations

import re
from collections import Counter

import hypothesis.strategies as st
import matplotlib
import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
import scipy.stats
from hypothesis import given, settings

from multiplicity.annotation import Annotations, candidate_distribution_scores
from multiplicity.annotation import _candidate_distribution as mod
from multiplicity.annotation._candidate_distribution import (
    calibration_table,
    plot_calibration,
)

matplotlib.use("Agg")

# Ordinal 1..3 ratings of 4 items by 3 annotators (one missing).
RATINGS = [[1, 1, 2], [2, 2, 2], [1, 2, None], [3, 3, 1]]
HUMAN = np.array([[2 / 3, 1 / 3, 0], [0, 1, 0], [0.5, 0.5, 0], [1 / 3, 0, 2 / 3]])
CAND = np.array([[0.5, 0.5, 0.0], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4], [0.2, 0.2, 0.6]])
# the humans' majority (ties to the first category, 1): 1, 2, 1, 3
MAJORITY = np.array([[1.0, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]])


# ---------------------------------------------------------------- formulas
def ce(t, p):
    """LeWiDi soft cross-entropy: -(1/N) sum_i sum_c t_ic log(clip(p_ic) + 1e-9)."""
    q = np.clip(p, 1e-12, 1 - 1e-12)
    return -np.sum(t * np.log(q + 1e-9)) / len(t)


def manhattan(t, p):
    """(1/N) sum_i sum_c |p_ic - t_ic|."""
    return np.abs(p - t).sum(axis=1).mean()


def wasserstein_cdf(t, p):
    """1-D Wasserstein over unit-spaced ordinal bins: the L1 distance of the CDFs."""
    return np.abs(np.cumsum(t, axis=1) - np.cumsum(p, axis=1)).sum(axis=1).mean()


def wasserstein_scipy(t, p):
    k = t.shape[1]
    return np.mean([scipy.stats.wasserstein_distance(np.arange(k), np.arange(k), a, b)
                    for a, b in zip(t, p, strict=True)])


def test_scores_match_formulas_and_scipy():
    table = candidate_distribution_scores(Annotations.from_wide(RATINGS), CAND)
    columns = {"candidate": CAND, "majority_vote": MAJORITY,
               "uniform": np.full((4, 3), 1 / 3), "perfect": HUMAN}
    for column, pred in columns.items():
        row = table[column]
        assert row["soft_cross_entropy"] == pytest.approx(ce(HUMAN, pred), rel=1e-12)
        assert row["manhattan_distance"] == pytest.approx(manhattan(HUMAN, pred), rel=1e-12)
        assert row["wasserstein_distance"] == pytest.approx(wasserstein_cdf(HUMAN, pred),
                                                            abs=1e-12)
        assert row["wasserstein_distance"] == pytest.approx(wasserstein_scipy(HUMAN, pred),
                                                            abs=1e-12)
    # three categories: variance_correlation is left out with a note
    assert table.loc["variance_correlation", ["candidate", "uniform"]].isna().all()
    assert table.loc["variance_correlation", "note"] == mod.NOTE_NOT_BINARY.format(k=3)
    assert table.loc["manhattan_distance", "better"] == "lower"
    assert table.attrs == {"n_items": 4, "source": "distribution"}
    assert list(table.columns) == mod.COLUMNS


def test_binary_task_variance_correlation_and_unordered_note():
    human = [["y", "n", "y", "y"], ["n", "n", "n", "y"], ["y", "y", "n", "n"],
             ["n", "n", "n", "n"], ["y", "y", "y", "n"]]
    ann = Annotations.from_wide(human)  # categories n, y: no order
    t = np.array([[1 - r.count("y") / 4, r.count("y") / 4] for r in human])
    p = np.array([[0.3, 0.7], [0.8, 0.2], [0.6, 0.4], [0.95, 0.05], [0.2, 0.8]])
    table = candidate_distribution_scores(ann, p)
    expected = scipy.stats.pearsonr(t[:, 1] * t[:, 0], p[:, 1] * p[:, 0]).statistic
    assert table.loc["variance_correlation", "candidate"] == pytest.approx(expected,
                                                                           rel=1e-12)
    assert table.loc["variance_correlation", "perfect"] == pytest.approx(1.0)
    # one-hot and uniform predictions have constant variances: undefined
    assert np.isnan(table.loc["variance_correlation", "majority_vote"])
    assert np.isnan(table.loc["variance_correlation", "uniform"])
    assert table.loc["wasserstein_distance", "note"] == mod.NOTE_UNORDERED
    assert np.isnan(table.loc["wasserstein_distance", "candidate"])
    assert table.loc["manhattan_distance", "candidate"] == pytest.approx(manhattan(t, p))
    # ordered through categories=
    long = pd.DataFrame([(i, j, v) for i, r in enumerate(human) for j, v in enumerate(r)],
                        columns=["item", "annotator", "label"])
    ordered = Annotations.from_long(long, categories=["n", "y"])
    row = candidate_distribution_scores(ordered, p).loc["wasserstein_distance"]
    assert row["candidate"] == pytest.approx(wasserstein_scipy(t, p), abs=1e-12)


def test_dataframe_aligned_on_item_and_category_names():
    items = ["t1", "t2", "t3", "t4"]
    wide = pd.DataFrame(RATINGS, index=items, columns=["a", "b", "c"])
    ann = Annotations.from_wide(wide)
    frame = pd.DataFrame(CAND, index=items, columns=[1, 2, 3])
    shuffled = frame.loc[["t3", "t1", "t4", "t2"], [3, 1, 2]]
    shuffled.loc["t9"] = [0.2, 0.3, 0.5]  # an item nobody annotated: ignored
    a = candidate_distribution_scores(ann, frame)
    b = candidate_distribution_scores(ann, shuffled)
    c = candidate_distribution_scores(ann, CAND)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    before = shuffled.copy()
    candidate_distribution_scores(ann, shuffled)
    pd.testing.assert_frame_equal(shuffled, before)  # the caller's data is unchanged
    with pytest.raises(ValueError, match=r"no column for the categories \[3\]"):
        candidate_distribution_scores(ann, frame[[1, 2]])
    with pytest.raises(ValueError, match=r"no row for the annotated items \['t2'\]"):
        candidate_distribution_scores(ann, frame.drop(index="t2"))
    with pytest.raises(ValueError, match=r"columns \['x'\] that are not among"):
        candidate_distribution_scores(ann, frame.rename(columns={3: "x"}))
    with pytest.raises(ValueError, match="neither the categories"):
        candidate_distribution_scores(ann, frame.set_axis(["x", "y", "z"], axis=1))
    with pytest.raises(ValueError, match="has item 't1' more than once"):
        candidate_distribution_scores(ann, pd.concat([frame, frame.iloc[:1]]))
    with pytest.raises(TypeError, match="must hold numbers"):
        candidate_distribution_scores(ann, frame.astype(str))


def test_run_labels_turn_into_shares_by_hand_count():
    runs = np.array([[1, 2, 1, 3],
                     [1, 2, 2, 3],
                     [2, 2, 2, 1],
                     [1, 3, 2, 3]])
    # hand count per item (4 runs): item 0: 1,1,2,1 -> (3/4, 1/4, 0); item 1: 2,2,2,3 ->
    # (0, 3/4, 1/4); item 2: 1,2,2,2 -> (1/4, 3/4, 0); item 3: 3,3,1,3 -> (1/4, 0, 3/4)
    shares = np.array([[0.75, 0.25, 0], [0, 0.75, 0.25], [0.25, 0.75, 0], [0.25, 0, 0.75]])
    ann = Annotations.from_wide(RATINGS)
    table = candidate_distribution_scores(ann, runs)
    expected = candidate_distribution_scores(ann, shares)
    pd.testing.assert_series_equal(table["candidate"], expected["candidate"])
    assert table.loc["manhattan_distance", "candidate"] == pytest.approx(
        manhattan(HUMAN, shares))
    assert table.attrs["source"] == "runs"
    # the same as a DataFrame with one row per run and one column per item, with a
    # missing label (left out of that item's shares: 1, 1, 2 -> (2/3, 1/3, 0))
    frame = pd.DataFrame(runs.astype(object), index=["p1", "p2", "p3", "p4"])
    frame.iloc[3, 0] = None
    shares[0] = [2 / 3, 1 / 3, 0]
    got = candidate_distribution_scores(ann, frame)
    assert got.loc["soft_cross_entropy", "candidate"] == pytest.approx(ce(HUMAN, shares))
    # string labels, with a label the annotators never used (a new category: warning)
    words = Annotations.from_wide([["a", "b"], ["b", "b"]])
    with pytest.warns(UserWarning, match="labels the annotators never used"):
        got = candidate_distribution_scores(words, [["a", "c"], ["a", "b"], ["b", "b"]])
    t = np.array([[0.5, 0.5, 0], [0, 1, 0]])
    p = np.array([[2 / 3, 1 / 3, 0], [0, 2 / 3, 1 / 3]])
    assert got.loc["manhattan_distance", "candidate"] == pytest.approx(manhattan(t, p))


def test_majority_baseline_follows_ties_to_the_first_category():
    # item 0 is tied a/b: the one-hot majority puts its mass on "a" (first category)
    ann = Annotations.from_wide([["a", "b"], ["b", "b"]])
    table = candidate_distribution_scores(ann, [[0.5, 0.5], [0.0, 1.0]],
                                          scores="manhattan_distance")
    one_hot = np.array([[1.0, 0.0], [0.0, 1.0]])
    t = np.array([[0.5, 0.5], [0.0, 1.0]])
    assert table.loc["manhattan_distance", "majority_vote"] == pytest.approx(
        manhattan(t, one_hot))
    assert list(table.index) == ["manhattan_distance"]


@pytest.mark.parametrize(("cand", "kwargs", "error", "message"), [
    (CAND[:, :2], {}, ValueError, "has shape"),
    (CAND * 0.9, {}, ValueError, "sums to"),
    (np.array([[1.2, -0.2, 0], *CAND[1:]]), {}, ValueError, "probabilities in"),
    (np.array([[np.nan, 0.5, 0.5], *CAND[1:]]), {}, ValueError, "probabilities in"),
    (CAND, {"scores": ["brier"]}, ValueError, "scores must be names"),
    (CAND, {"scores": []}, ValueError, "scores must be names"),
    ("abc", {}, TypeError, "candidate_distribution must be"),
    ({"t1": [0.5, 0.5]}, {}, TypeError, "candidate_distribution must be"),
    (np.zeros((4, 5)), {}, ValueError, "has shape"),
])
def test_errors(cand, kwargs, error, message):
    with pytest.raises(error, match=message):
        candidate_distribution_scores(Annotations.from_wide(RATINGS), cand, **kwargs)


def test_undefined_and_degenerate_inputs():
    # a binary candidate with constant variances (every item 0.5 / 0.5): NaN with a note
    ann = Annotations.from_wide([["y", "n"], ["y", "y"], ["n", "n"]])
    table = candidate_distribution_scores(ann, np.full((3, 2), 0.5))
    assert np.isnan(table.loc["variance_correlation", "candidate"])
    assert table.loc["variance_correlation", "note"] == mod.NOTE_UNDEFINED
    with pytest.raises(ValueError, match="have 1 category"):
        candidate_distribution_scores(Annotations.from_wide([["a", "a"], ["a", None]]),
                                      np.ones((2, 1)))
    with pytest.raises(ValueError, match="hold no labels"):
        candidate_distribution_scores(Annotations.from_wide([[None, None]]), [[1.0]])


def test_error_names_the_item():
    frame = pd.DataFrame(CAND * 0.9, index=["t1", "t2", "t3", "t4"], columns=[1, 2, 3])
    ann = Annotations.from_wide(pd.DataFrame(RATINGS, index=frame.index))
    with pytest.raises(ValueError, match=re.escape("row for item 't1' sums to")):
        candidate_distribution_scores(ann, frame)
    with pytest.raises(ValueError, match="no run labels the annotated item 1"):
        candidate_distribution_scores(Annotations.from_wide(RATINGS),
                                      [[1, None, 2, 3], [2, None, 1, 1]])


# ---------------------------------------------------------------- calibration
def ref_calibration(t, p, n_bins):
    """Loop oracle: every (item, category) pair in bin [lo, hi), the last bin closed; the
    edges are k / n_bins (the floats nearest the decimal edges)."""
    edges = [k / n_bins for k in range(n_bins + 1)]
    rows = []
    for b in range(n_bins):
        lo, hi = edges[b], edges[b + 1]
        inside = [(pp, tt) for pp, tt in zip(p.ravel(), t.ravel(), strict=True)
                  if lo <= pp < hi or (b == n_bins - 1 and pp == hi)]
        n = len(inside)
        rows.append((lo, hi, n, np.mean([x[0] for x in inside]) if n else np.nan,
                     np.mean([x[1] for x in inside]) if n else np.nan))
    return rows


def test_stated_round_probabilities_fall_in_the_bin_they_open():
    """0.3, 0.6 and 0.7 (as an LLM states them) open the bins [0.3, 0.4), [0.6, 0.7) and
    [0.7, 0.8): the edges are not np.linspace's 0.30000000000000004 and 0.7000000000000001."""
    ann = Annotations.from_wide([["a", "b"], ["a", "a"], ["b", "b"], ["a", "b"]])
    dist = [[0.3, 0.7], [0.6, 0.4], [0.7, 0.3], [0.4, 0.6]]
    table = calibration_table(ann, dist, n_bins=10)
    assert table.loc[3, "n"] == 2 and table.loc[3, "lower"] == 0.3   # the two 0.3
    assert table.loc[6, "n"] == 2 and table.loc[6, "lower"] == 0.6   # the two 0.6
    assert table.loc[7, "n"] == 2 and table.loc[7, "lower"] == 0.7   # the two 0.7
    assert table.loc[4, "n"] == 2                                    # the two 0.4
    assert table["n"].sum() == 8


@pytest.mark.parametrize("n_bins", [1, 3, 4, 10])
def test_calibration_table_matches_loop_oracle(n_bins):
    table = calibration_table(Annotations.from_wide(RATINGS), CAND, n_bins=n_bins)
    expected = ref_calibration(HUMAN, CAND, n_bins)
    assert len(table) == n_bins
    assert table["n"].sum() == CAND.size
    for (lo, hi, n, mp, mh), (_, row) in zip(expected, table.iterrows(), strict=True):
        assert (row["lower"], row["upper"], row["n"]) == pytest.approx((lo, hi, n))
        npt.assert_allclose([row["mean_predicted"], row["mean_human"]], [mp, mh],
                            atol=1e-12)


def test_calibration_bad_bins_and_plot():
    import matplotlib.pyplot as plt

    ann = Annotations.from_wide(RATINGS)
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match="n_bins must be"):
            calibration_table(ann, CAND, n_bins=bad)
    ax = plot_calibration(ann, CAND, n_bins=4)
    used = calibration_table(ann, CAND, n_bins=4).query("n > 0")
    diagonal, curve = ax.lines[0], ax.lines[1]
    npt.assert_allclose(diagonal.get_xdata(), [0, 1])
    npt.assert_allclose(curve.get_xdata(), used["mean_predicted"])
    npt.assert_allclose(curve.get_ydata(), used["mean_human"])
    _, given_ax = plt.subplots()
    assert plot_calibration(ann, CAND, ax=given_ax) is given_ax
    plt.close("all")


# ---------------------------------------------------------------- properties
@st.composite
def annotated(draw):
    n = draw(st.integers(2, 8))
    rows = [draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=5))
            for _ in range(n)]
    width = max(len(r) for r in rows)
    table = [r + [None] * (width - len(r)) for r in rows]
    return table, rows


@settings(max_examples=25, deadline=None)
@given(data=annotated())
def test_humans_soft_labels_score_perfectly(data):
    table, rows = data
    ann = Annotations.from_wide(table)
    cats = list(ann.categories)
    t = np.array([[Counter(r)[c] / len(r) for c in cats] for r in rows])
    if len(cats) < 2:
        return
    result = candidate_distribution_scores(ann, t)
    assert result.loc["manhattan_distance", "candidate"] == pytest.approx(0, abs=1e-12)
    npt.assert_allclose(result["candidate"].iloc[:2], result["perfect"].iloc[:2])
    # the soft cross-entropy of the human labels is their mean entropy (up to the 1e-9)
    entropy = -np.mean([sum(x * np.log(x) for x in row if x > 0) for row in t])
    assert result.loc["soft_cross_entropy", "perfect"] == pytest.approx(entropy, abs=1e-6)


def test_run_labels_against_annotations_from_counts():
    """Counts are all the soft labels need: run labels are scored against them as against
    the same annotations with annotators."""
    wide = Annotations.from_wide(RATINGS)
    counts = Annotations.from_counts(pd.DataFrame(wide.counts(), columns=wide.categories))
    runs = [[1, 2, 3, 3], [1, 2, 2, 3], [2, 2, 3, 1]]
    pd.testing.assert_frame_equal(candidate_distribution_scores(counts, runs),
                                  candidate_distribution_scores(wide, runs))
