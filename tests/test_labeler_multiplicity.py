"""labeler_multiplicity against multiplicity.metrics, slow loop oracles written here,
scipy.stats.binomtest (selective vote), a slow Blahut-Arimoto (Rashomon capacity), and
hypothesis properties (permutations of runs and items)."""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter

import hypothesis.strategies as st
import matplotlib
import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp
from scipy.stats import binomtest

from multiplicity import metrics
from multiplicity.annotation import Annotations, MajorityVote, labeler_multiplicity
from multiplicity.annotation import _labelers as mod
from multiplicity.annotation._candidates import CANDIDATE_NEW_LABELS

matplotlib.use("Agg")

# Most examples have fewer runs than a selective vote needs to answer any item; the warning
# that says so is checked by test_too_few_runs_to_vote_warn.
# Random examples often have more runs than items too (checked by
# test_more_runs_than_items_warns).
pytestmark = [pytest.mark.filterwarnings("ignore:with .* runs the selective vote cannot"),
              pytest.mark.filterwarnings("ignore:labels_by_run has .* more runs than items")]


def run(P, *args, **kwargs):
    """labeler_multiplicity without the identical-runs warning (random inputs may be)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="identical 'random' runs")
        return labeler_multiplicity(P, *args, **kwargs)


# ------------------------------------------------------------------- oracles
def ref_ambiguity(P, ref):
    r, n = len(P), len(P[0])
    return sum(any(P[j][i] != P[ref][i] for j in range(r)) for i in range(n)) / n


def ref_discrepancy(P, ref):
    r, n = len(P), len(P[0])
    return max(sum(P[j][i] != P[ref][i] for i in range(n)) / n for j in range(r))


def ref_self_consistency(P):
    r, n = len(P), len(P[0])
    out = []
    for i in range(n):
        same = sum(P[j][i] == P[m][i] for j in range(r) for m in range(r) if j != m)
        out.append(same / (r * (r - 1)))
    return out


def ref_unanimous(P):
    r, n = len(P), len(P[0])
    return sum(all(P[j][i] == P[0][i] for j in range(r)) for i in range(n)) / n


def ref_pairwise(P):
    r, n = len(P), len(P[0])
    return [[sum(P[a][i] != P[b][i] for i in range(n)) / n for b in range(r)]
            for a in range(r)]


def ref_majority(labels, categories):
    """Most frequent label; ties to the first in ``categories`` (MajorityVote's rule)."""
    counts = Counter(labels)
    best = max(counts.values())
    return next(c for c in categories if counts.get(c, 0) == best)


def ref_human_measures(human_rows, P, categories):
    """aggregate_changes and human_accuracy by loops; ``human_rows[i]``: item i's labels.
    Both are over the items at least one person labelled."""
    r, n = len(P), len(P[0])
    rated = [i for i in range(n) if human_rows[i]]
    changed = 0
    for i in rated:
        winners = {ref_majority(human_rows[i] + [P[j][i]], categories) for j in range(r)}
        changed += len(winners) > 1
    acc = []
    for j in range(r):
        acc.append(sum(P[j][i] == ref_majority(human_rows[i], categories) for i in rated)
                   / len(rated))
    return changed / len(rated), acc


def _divergences(W, q):
    """KL divergence of every row of W from q, in nats, by a loop over entries."""
    return np.array([sum(w * math.log(w / qc) for w, qc in zip(row, q, strict=True) if w > 0)
                     for row in W])


def ref_capacity(W, iters=20000):
    """Rashomon capacity 2**C of the channel run -> class W (r, k), plain Blahut-Arimoto
    (Blahut 1972; Arimoto 1972) with a fixed, large number of iterations."""
    W = np.asarray(W, dtype=float)
    p = np.full(W.shape[0], 1.0 / W.shape[0])
    for _ in range(iters):
        p = p * np.exp(_divergences(W, p @ W))
        p /= p.sum()
    # C = I(p, W) in nats; 2 ** (C in bits) = e ** (C in nats)
    return math.exp(float(p @ _divergences(W, p @ W)))


# ------------------------------------------------------------------- values
RUNS = [[0, 1, 1, 0, 2, 2],
        [0, 1, 0, 0, 2, 1],
        [1, 1, 0, 0, 2, 2],
        [0, 1, 1, 0, 2, 0]]


@pytest.mark.parametrize("ref", [0, 1, 3])
def test_values_match_metrics_and_loop_oracles(ref):
    res = labeler_multiplicity(RUNS, ref)
    P = np.array(RUNS)
    assert res.ambiguity == pytest.approx(ref_ambiguity(RUNS, ref), abs=1e-15)
    assert res.ambiguity == pytest.approx(metrics.ambiguity(P, ref), abs=1e-15)
    assert res.discrepancy == pytest.approx(ref_discrepancy(RUNS, ref), abs=1e-15)
    assert res.discrepancy == pytest.approx(metrics.discrepancy(P, ref), abs=1e-15)
    npt.assert_allclose(res.self_consistency, ref_self_consistency(RUNS), atol=1e-15)
    npt.assert_allclose(res.self_consistency, metrics.self_consistency(P), atol=1e-15)
    npt.assert_allclose(res.pairwise_disagreement, ref_pairwise(RUNS), atol=1e-15)
    npt.assert_allclose(res.pairwise_disagreement, metrics.pairwise_disagreement(P))
    npt.assert_array_equal(res.ambiguous, metrics.ambiguous_samples(P, ref))
    npt.assert_array_equal(res.ambiguous, [any(P[j, i] != P[ref, i] for j in range(4))
                                           for i in range(6)])
    assert res.unanimous_share == pytest.approx(ref_unanimous(RUNS), abs=1e-15)
    assert res.unanimous_share == pytest.approx(1 - res.ambiguity, abs=1e-15)
    assert res.reference == ref
    assert res.capacity is None and res.aggregate_changes is None
    assert res.human_accuracy is None


def test_hand_worked_example():
    # runs: a = (x, y, x), b = (x, x, x): item 1 differs, so ambiguity = discrepancy = 1/3,
    # self-consistency = (1, 0, 1) with two runs.
    res = labeler_multiplicity([["x", "y", "x"], ["x", "x", "x"]])
    assert res.ambiguity == pytest.approx(1 / 3)
    assert res.discrepancy == pytest.approx(1 / 3)
    assert res.self_consistency.tolist() == [1.0, 0.0, 1.0]
    assert res.unanimous_share == pytest.approx(2 / 3)


def test_string_labels_give_the_numbers_of_integer_labels():
    names = np.array(["neg", "neu", "pos"], dtype=object)
    words = names[np.array(RUNS)]
    a, b = labeler_multiplicity(RUNS, 2), labeler_multiplicity(words.tolist(), 2)
    assert (a.ambiguity, a.discrepancy) == (b.ambiguity, b.discrepancy)
    npt.assert_array_equal(a.self_consistency, b.self_consistency)
    npt.assert_array_equal(a.vote_p_values, b.vote_p_values)
    assert b.reference_labels.tolist() == words[2].tolist()


def test_dataframe_with_run_names_and_named_reference():
    P = np.array(RUNS)
    frame = pd.DataFrame(P, index=["prompt-a", "prompt-b", "prompt-c", "prompt-d"],
                         columns=[f"item{i}" for i in range(6)])
    res = labeler_multiplicity(frame, reference="prompt-b")
    assert res.reference == "prompt-b"
    assert res.ambiguity == pytest.approx(ref_ambiguity(RUNS, 1))
    assert res.discrepancy == pytest.approx(ref_discrepancy(RUNS, 1))
    assert list(res.pairwise_disagreement.index) == list(frame.index)
    assert list(res.pairwise_disagreement.columns) == list(frame.index)
    assert list(res.self_consistency.index) == list(frame.columns)
    assert res.pairwise_disagreement.loc["prompt-a", "prompt-c"] == pytest.approx(
        ref_pairwise(RUNS)[0][2])
    table = res.to_frame()
    assert list(table.index) == list(frame.columns)
    npt.assert_array_equal(table["reference_label"].to_numpy(dtype=int), P[1])
    npt.assert_array_equal(table["ambiguous"], res.ambiguous)
    summary = res.summary()
    assert summary.loc["ambiguity", "value"] == res.ambiguity
    assert summary.loc["mean_pairwise_disagreement", "value"] == pytest.approx(
        np.mean([ref_pairwise(RUNS)[a][b] for a in range(4) for b in range(4) if a != b]))
    assert "prompt-b" in repr(res)
    frame_before = frame.copy()
    labeler_multiplicity(frame, reference="prompt-b")
    pd.testing.assert_frame_equal(frame, frame_before)  # the caller's data is unchanged


def test_dict_of_series_aligned_on_items():
    a = pd.Series(["x", "y", "z"], index=["i1", "i2", "i3"])
    b = pd.Series(["z", "y", "x"], index=["i3", "i2", "i1"])  # same labels, other order
    res = run({"seed1": a, "seed2": b})
    assert res.ambiguity == 0.0
    assert list(res.items) == ["i1", "i2", "i3"]
    res = run({"s1": [1, 2, 3], "s2": [1, 2, 2]}, "s2")
    assert res.reference == "s2" and res.ambiguity == pytest.approx(1 / 3)


# ------------------------------------------------------------ selective vote
def test_selective_vote_matches_binomtest():
    rng = np.random.default_rng(3)
    P = rng.choice(["a", "b", "c"], size=(9, 40), p=[0.6, 0.3, 0.1])
    P[:, :5] = "a"  # unanimous items: p = 2 ** (1 - 9) < 0.05
    res = run(P.tolist(), alpha=0.1, abstain_label="-")
    for i in range(40):
        counts = [*sorted(Counter(P[:, i]).values(), reverse=True), 0]
        p = binomtest(counts[0], counts[0] + counts[1], 0.5).pvalue
        assert res.vote_p_values.iloc[i] == pytest.approx(p, rel=1e-12)
        top = Counter(P[:, i]).most_common(1)[0][0]
        expected = top if p <= 0.1 else "-"
        assert res.vote_labels.iloc[i] == expected
    abstained = res.vote_p_values > 0.1
    assert res.abstention_rate == pytest.approx(abstained.mean())
    assert not abstained.iloc[:5].any()


def test_default_abstention_is_missing_and_few_runs_always_abstain():
    # Black et al. (2022): a unanimous vote of m members has p = 2 ** (1 - m); with 3
    # runs p = 0.25 > 0.05, so every item abstains.
    res = labeler_multiplicity([[1, 0], [1, 1], [1, 1]])
    assert res.vote_labels.isna().all()
    assert res.abstention_rate == 1.0
    npt.assert_allclose(res.vote_p_values, [0.25, binomtest(2, 3, 0.5).pvalue])
    with pytest.raises(ValueError, match="is one of the labels"):
        labeler_multiplicity([[1, 0], [1, 1]], abstain_label=0)
    with pytest.raises(TypeError, match="abstain_label must be a scalar"):
        labeler_multiplicity([[1, 0], [1, 1]], abstain_label=[9])


# ---------------------------------------------------------------- capacity
def test_capacity_matches_slow_blahut_arimoto():
    Q = np.array([  # 3 runs, 3 items, 3 classes
        [[0.7, 0.2, 0.1], [1.0, 0.0, 0.0], [0.2, 0.5, 0.3]],
        [[0.1, 0.8, 0.1], [0.0, 1.0, 0.0], [0.2, 0.5, 0.3]],
        [[0.3, 0.3, 0.4], [0.0, 0.0, 1.0], [0.25, 0.45, 0.3]],
    ])
    labels = Q.argmax(axis=2)
    res = labeler_multiplicity(labels, probabilities=Q)
    expected = [ref_capacity(Q[:, i, :]) for i in range(3)]
    npt.assert_allclose(res.capacity, expected, atol=1e-6)
    assert res.capacity.iloc[1] == pytest.approx(3.0, abs=1e-6)  # three certain classes
    npt.assert_allclose(res.capacity, metrics.rashomon_capacity(Q))
    npt.assert_allclose(res.to_frame()["capacity"], res.capacity)
    assert "mean_capacity" in res.summary().index


def test_capacity_from_positive_class_probabilities():
    q = np.array([[0.9, 0.5], [0.1, 0.5]])
    res = labeler_multiplicity((q > 0.5).astype(int), probabilities=q)
    W = np.stack([1 - q, q], axis=2)
    npt.assert_allclose(res.capacity, [ref_capacity(W[:, i, :]) for i in range(2)],
                        atol=1e-6)


# ------------------------------------------------------- human annotations
HUMANS = pd.DataFrame({"h1": ["a", "b", "a", "b", "a"],
                       "h2": ["a", "a", "b", "b", None],
                       "h3": ["b", "a", None, "b", None]},
                      index=["t1", "t2", "t3", "t4", "t5"])


def test_aggregate_changes_and_human_accuracy_match_loop_oracle():
    P = [["a", "b", "a", "a", "b"],
         ["b", "a", "b", "a", "a"],
         ["a", "a", "b", "b", "b"]]
    runs = pd.DataFrame(P, index=["r1", "r2", "r3"], columns=HUMANS.index)
    res = labeler_multiplicity(runs, annotations=Annotations.from_wide(HUMANS))
    rows = [[v for v in HUMANS.loc[i] if isinstance(v, str)] for i in HUMANS.index]
    changes, acc = ref_human_measures(rows, P, ["a", "b"])
    assert res.aggregate_changes == pytest.approx(changes, abs=1e-15)
    npt.assert_allclose(res.human_accuracy, acc, atol=1e-15)
    assert list(res.human_accuracy.index) == ["r1", "r2", "r3"]
    assert res.n_common_items == 5
    # the same through MajorityVote: humans plus one run as one more annotator
    winners = []
    for j in range(3):
        table = HUMANS.assign(run=P[j])
        winners.append(MajorityVote().fit(Annotations.from_wide(table)).labels_.tolist())
    assert res.aggregate_changes == pytest.approx(
        np.mean([len({w[i] for w in winners}) > 1 for i in range(5)]))
    summary = res.summary()
    assert summary.loc["human_accuracy_min", "value"] == pytest.approx(min(acc))
    assert "aggregate_changes" in repr(res)


def test_human_measures_on_common_items_only():
    # the runs label 6 items, the humans 5 of them; an item named only by the runs is
    # left out of the human comparison but counts for the multiplicity measures
    cols = [*HUMANS.index, "t6"]
    runs = pd.DataFrame([["a"] * 6, ["b"] * 5 + ["a"]], columns=cols)
    res = labeler_multiplicity(runs, annotations=Annotations.from_wide(HUMANS))
    assert res.n_common_items == 5
    assert res.ambiguity == pytest.approx(5 / 6)
    rows = [[v for v in HUMANS.loc[i] if isinstance(v, str)] for i in HUMANS.index]
    changes, acc = ref_human_measures(rows, [["a"] * 5, ["b"] * 5], ["a", "b"])
    assert res.aggregate_changes == pytest.approx(changes)
    npt.assert_allclose(res.human_accuracy, acc)


def test_an_item_no_person_labelled_is_not_a_common_item():
    # a wide table row that is all missing: the item exists in the annotations but has
    # no human label, so it enters neither aggregate_changes nor human_accuracy
    humans = pd.concat([HUMANS, pd.DataFrame({"h1": [None], "h2": [None], "h3": [None]},
                                             index=["t6"])])
    cols = list(humans.index)
    P = [["a", "b", "a", "a", "b", "a"], ["b", "a", "b", "a", "a", "b"]]
    res = labeler_multiplicity(pd.DataFrame(P, columns=cols),
                               annotations=Annotations.from_wide(humans))
    assert res.n_common_items == 5
    rows = [[v for v in HUMANS.loc[i] if isinstance(v, str)] for i in HUMANS.index]
    changes, acc = ref_human_measures(rows, [p[:5] for p in P], ["a", "b"])
    assert res.aggregate_changes == pytest.approx(changes, abs=1e-15)
    npt.assert_allclose(res.human_accuracy, acc, atol=1e-15)


def test_new_run_label_warns():
    runs = pd.DataFrame([["a", "c", "a", "b", "a"], ["a"] * 5], columns=HUMANS.index)
    with pytest.warns(UserWarning, match=CANDIDATE_NEW_LABELS.split(":")[0]):
        res = labeler_multiplicity(runs, annotations=Annotations.from_wide(HUMANS))
    assert res.aggregate_changes is not None


# ------------------------------------------------------------ warnings, errors
@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(("r", "alpha", "warns"), [
    (5, 0.05, True),    # a unanimous vote has p = 2**-4 = 0.0625 > 0.05
    (6, 0.05, False),   # p = 2**-5 = 0.03125
    (3, 0.25, False),   # p = 2**-2 = 0.25: the vote answers at p <= alpha
    (2, 0.4, True),     # p = 2**-1 = 0.5
])
def test_too_few_runs_to_vote_warn(r, alpha, warns):
    rng = np.random.default_rng(r)
    P = np.vstack([np.zeros(12, dtype=int)] * r)  # unanimous on every item
    P[-1, :3] = 1 + rng.integers(0, 2, size=3)   # not identical runs
    if warns:
        with pytest.warns(UserWarning, match=re.escape(f"with {r} runs the selective vote")):
            res = labeler_multiplicity(P, alpha=alpha)
        assert res.abstention_rate == 1.0
        # the advised number of runs is the smallest that can answer: 2**(1 - need) <= alpha
        need = next(k for k in range(2, 60) if 2.0 ** (1 - k) <= alpha)
        with pytest.warns(UserWarning) as record:
            labeler_multiplicity(P, alpha=alpha)
        assert f"Use at least {need} runs" in str(record[0].message)
    else:
        res = labeler_multiplicity(P, alpha=alpha)
        assert res.abstention_rate < 1.0


def test_identical_runs_warn_and_give_zeros():
    with pytest.warns(UserWarning, match="identical 'random' runs"):
        res = labeler_multiplicity([[1, 2, 3], [1, 2, 3], [1, 2, 3]])
    assert res.ambiguity == 0.0 and res.discrepancy == 0.0
    assert res.unanimous_share == 1.0
    assert (res.self_consistency == 1.0).all()


@pytest.mark.parametrize(("labels", "kwargs", "error", "message"), [
    ([[1, 2, 3]], {}, ValueError, re.escape(mod.RUNS_TOO_FEW.format(n=1))),
    ({"only": [1, 2]}, {}, ValueError, "has 1 run"),
    ([1, 2, 3], {}, ValueError, "must be 2-D"),
    ("abc", {}, TypeError, "labels_by_run must be"),
    (pd.Series([1, 2]), {}, TypeError, "labels_by_run must be"),
    (np.zeros((2, 0)), {}, ValueError, "no items"),
    ([[1, 2], [1, 2]], {"reference": "prompt-z"}, ValueError, "reference must be"),
    ([[1, 2], [1, 2]], {"reference": 2}, ValueError, "reference must be"),
    ([[1, 2], [1, 2]], {"reference": True}, ValueError, "reference must be"),
    ({"a": [1, 2], "b": [1, 2, 3]}, {}, ValueError, "every run must label the same"),
    ({"a": pd.Series([1, 2], index=["i", "j"]), "b": pd.Series([1, 2], index=["i", "k"])},
     {}, ValueError, r"run 'b' lacks \['j'\] and has \['k'\]"),
    ([[1, None], [1, 2]], {}, ValueError, "run 0 has no label for item 1"),
    ([[1, 2], [1, 2]], {"probabilities": np.full((2, 3), 0.5)}, ValueError,
     r"probabilities must have shape"),
    ([[1, 2], [1, 2]], {"probabilities": np.full((3, 2, 2), 0.5)}, ValueError,
     r"probabilities must have shape"),
    ([[1, 2], [1, 2]], {"alpha": 1.5}, ValueError, "alpha"),
])
def test_errors(labels, kwargs, error, message):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="identical 'random' runs")
        with pytest.raises(error, match=message):
            labeler_multiplicity(labels, **kwargs)


def test_duplicate_run_names_raise():
    frame = pd.DataFrame([[1, 2], [2, 1]], index=["a", "a"])
    with pytest.raises(ValueError, match="names run 'a' more than once"):
        labeler_multiplicity(frame)
    with pytest.raises(ValueError, match="names item 'i' more than once"):
        labeler_multiplicity(pd.DataFrame([[1, 2], [2, 1]], columns=["i", "i"]))
    twice = pd.Series([1, 2], index=["i", "i"])
    with pytest.raises(ValueError, match="names item 'i' more than once"):
        labeler_multiplicity({"a": twice, "b": twice})
    with pytest.raises(TypeError, match="a dict with a int for run 'b'"):
        labeler_multiplicity({"a": [1, 2], "b": 3})
    with pytest.raises(ValueError, match="reference must be"):
        labeler_multiplicity([[1, 2], [2, 1]], reference=[0])  # unhashable


def test_mixed_inputs_and_markers():
    # a dict of a Series and a list is matched by position
    res = labeler_multiplicity({"a": pd.Series(["x", "y"], index=["i", "j"]), "b": ["x", "x"]})
    assert res.ambiguity == 0.5 and list(res.items) == [0, 1]
    # labels of several types (cannot be sorted) keep their order of appearance
    res = labeler_multiplicity([["b", 1], [1, "b"]])
    assert res.reference_labels.tolist() == ["b", 1]
    assert res.self_consistency.tolist() == [0.0, 0.0]
    # pandas.NA as the abstention marker (its comparison with a label is ambiguous)
    res = labeler_multiplicity([[1, 0], [1, 1]], abstain_label=pd.NA)
    assert res.vote_labels.isna().all()


def test_plot_returns_axes():
    import matplotlib.pyplot as plt

    res = labeler_multiplicity(RUNS)
    ax = res.plot()
    assert ax.images and ax.get_title().startswith("Pairwise")
    ax2 = res.plot(kind="self_consistency")
    assert sum(p.get_height() for p in ax2.patches) == 6
    with pytest.raises(ValueError, match="kind must be"):
        res.plot(kind="bars")
    _, given = plt.subplots()
    assert res.plot(ax=given, kind="self_consistency") is given
    plt.close("all")


# ----------------------------------------------------------------- hypothesis
runs_matrices = hnp.arrays(np.int64, st.tuples(st.integers(2, 6), st.integers(1, 12)),
                           elements=st.integers(0, 3))


@settings(max_examples=25, deadline=None)
@given(P=runs_matrices, data=st.data())
def test_permuting_other_runs_keeps_ambiguity_and_discrepancy(P, data):
    ref = data.draw(st.integers(0, P.shape[0] - 1))
    others = [j for j in range(P.shape[0]) if j != ref]
    perm = data.draw(st.permutations(others))
    Q = np.vstack([P[ref], P[list(perm)]])  # reference first, the others shuffled
    a, b = run(P, ref), run(Q, 0)
    assert a.ambiguity == b.ambiguity and a.discrepancy == b.discrepancy
    assert a.ambiguity == pytest.approx(ref_ambiguity(P.tolist(), ref))
    assert 0 <= a.discrepancy <= a.ambiguity <= 1


@settings(max_examples=25, deadline=None)
@given(P=runs_matrices, data=st.data())
def test_permuting_items_permutes_per_item_outputs(P, data):
    perm = list(data.draw(st.permutations(range(P.shape[1]))))
    a, b = run(P), run(P[:, perm])
    npt.assert_array_equal(a.self_consistency.to_numpy()[perm], b.self_consistency)
    npt.assert_array_equal(a.ambiguous.to_numpy()[perm], b.ambiguous)
    npt.assert_array_equal(a.vote_p_values.to_numpy()[perm], b.vote_p_values)
    assert a.vote_labels.to_numpy()[perm].tolist() == b.vote_labels.tolist()
    assert a.ambiguity == b.ambiguity and a.unanimous_share == b.unanimous_share
    npt.assert_allclose(a.self_consistency, ref_self_consistency(P.tolist()))


def test_annotations_from_counts_are_enough_for_the_human_measures():
    # counts (who labelled what unknown) give the majority votes the measures need
    counts = [[2, 1], [0, 3], [1, 1]]
    rows = [["a", "a", "b"], ["b", "b", "b"], ["a", "b"]]
    P = [["a", "b", "b"], ["a", "b", "a"], ["b", "a", "b"]]
    res = run(pd.DataFrame(P), annotations=Annotations.from_counts(
        pd.DataFrame(counts, columns=["a", "b"])))
    changes, acc = ref_human_measures(rows, P, ["a", "b"])
    assert res.aggregate_changes == pytest.approx(changes, abs=1e-15)
    npt.assert_allclose(res.human_accuracy, acc, atol=1e-15)


def test_probabilities_with_fewer_classes_than_labels_raise():
    P = [["a", "b", "c"], ["a", "c", "c"]]
    with pytest.raises(ValueError, match=re.escape("probabilities give 2 class probabilities "
                                                   "but the runs use 3 labels")):
        run(P, probabilities=np.full((2, 3, 2), 0.5))
    with pytest.raises(ValueError, match="positive-class probabilities"):
        run(P, probabilities=np.full((2, 3), 0.5))
    res = run(P, probabilities=np.full((2, 3, 3), 1 / 3))
    npt.assert_allclose(res.capacity, 1.0)  # identical runs' distributions: capacity 1


def test_more_runs_than_items_warns():
    runs = np.array([["a", "b"]] * 4 + [["b", "b"]] * 4)  # 8 runs over 2 items
    with pytest.warns(UserWarning, match=re.escape("more runs than items")):
        labeler_multiplicity(runs)
