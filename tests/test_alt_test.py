"""The alternative annotator test (multiplicity.annotation.alt_test).

References: Calderon, Reichart & Dror (2025), "The Alternative Annotator Test for
LLM-as-a-Judge: How to Statistically Justify Replacing Human Annotators with LLMs", ACL 2025
(arXiv 2501.10970), Sec. 3 and Algorithm 1. Checked against a hand-worked example written
out below, a slow dict-based oracle written from the paper's text, SciPy's t-tests,
statsmodels' Benjamini-Yekutieli procedure, and properties (epsilon monotonicity,
permutation invariance, the exact behaviour of a candidate that copies a human).
"""

from __future__ import annotations

import math
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests

from multiplicity import _errors
from multiplicity.annotation import Annotations, alt_test
from multiplicity.annotation._alt_test import (
    CANDIDATE_NEEDED,
    DUPLICATES,
    EPSILON_RANGE,
    RMSE_NOT_NUMERIC,
    SCORE_NOT_NUMBER,
    SCORING,
    SEVERAL_CANDIDATES,
    TOO_FEW_ITEMS,
    UNKNOWN_NAME,
)
from multiplicity.annotation._candidates import NO_ANNOTATORS

matplotlib.use("Agg")


# ------------------------------------------------------------------ the oracle
def oracle(humans: dict, cand: dict, epsilon: float, alpha: float, scoring: str,
           min_items: int, min_per_item: int = 2) -> dict:
    """The paper's procedure, written plainly on dicts: annotator -> {item: label}."""
    def score(x, others):
        if scoring == "accuracy":
            return float(np.mean([x == r for r in others]))
        return -math.sqrt(float(np.mean([(x - r) ** 2 for r in others])))

    raters = {}
    for h, labels in humans.items():
        for i in labels:
            raters.setdefault(i, []).append(h)
    kept = {i for i, hs in raters.items() if len(hs) >= min_per_item and i in cand}
    out = {"annotators": {}, "tested": []}
    for h, labels in humans.items():
        items = [i for i in labels if i in kept]
        rows = {}
        for i in items:
            others = [humans[k][i] for k in raters[i] if k != h]
            s_f, s_h = score(cand[i], others), score(labels[i], others)
            w_f, w_h = int(s_f >= s_h), int(s_h >= s_f)
            rows[i] = (s_f, s_h, w_f, w_h, w_h - w_f)
        entry = {"n": len(items), "rows": rows}
        if len(items) >= min_items:
            d = np.array([r[4] for r in rows.values()], dtype=float)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                entry["p"] = float(stats.ttest_1samp(d, epsilon, alternative="less").pvalue)
            entry["rho_f"] = float(np.mean([r[2] for r in rows.values()]))
            entry["rho_h"] = float(np.mean([r[3] for r in rows.values()]))
            out["tested"].append(h)
        out["annotators"][h] = entry
    # Benjamini-Yekutieli, step up: the largest k with p_(k) <= k / m * q / H_m
    tested = out["tested"]
    m = len(tested)
    h_m = sum(1 / k for k in range(1, m + 1))
    ranked = sorted(tested, key=lambda h: (math.isnan(out["annotators"][h]["p"]),
                                           out["annotators"][h]["p"]))
    k_max = 0
    for k, h in enumerate(ranked, start=1):
        if out["annotators"][h]["p"] <= k / m * alpha / h_m:
            k_max = k
    wins = set(ranked[:k_max])
    out["wins"] = wins
    out["omega"] = len(wins) / m if m else None
    out["rho"] = float(np.mean([out["annotators"][h]["rho_f"] for h in tested])) if m else None
    return out


def to_dicts(wide: np.ndarray, cand: np.ndarray) -> tuple[dict, dict]:
    humans = {j: {i: wide[i, j].item() for i in range(wide.shape[0])
                  if not np.isnan(wide[i, j])} for j in range(wide.shape[1])}
    return humans, {i: cand[i].item() for i in range(len(cand)) if not np.isnan(cand[i])}


def random_design(seed: int, n_items: int = 40, n_annotators: int = 4, k: int = 3,
                  missing: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    """Noisy copies of a truth, entries missing at random; the candidate is noisier."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    wide = np.where(rng.random((n_items, n_annotators)) < 0.3,
                    rng.integers(0, k, (n_items, n_annotators)), truth[:, None]).astype(float)
    wide[rng.random(wide.shape) < missing] = np.nan
    cand = np.where(rng.random(n_items) < 0.4, rng.integers(0, k, n_items), truth).astype(float)
    cand[rng.random(n_items) < 0.1] = np.nan
    return wide, cand


def compare_with_oracle(res, ref: dict, eps: float) -> None:
    table = res.table.set_index("annotator")
    for h, entry in ref["annotators"].items():
        row = table.loc[h]
        assert row["n_items"] == entry["n"]
        assert row["tested"] == (h in ref["tested"])
        if h in ref["tested"]:
            # ties give both indicators 1, so W^f + W^h >= 1 and rho^f + rho^h >= 1
            assert row["rho_candidate"] + row["rho_annotator"] >= 1
            assert row["mean_difference"] == pytest.approx(
                row["rho_annotator"] - row["rho_candidate"], abs=1e-12)
            assert row["rho_candidate"] == pytest.approx(entry["rho_f"], abs=1e-12)
            assert row["rho_annotator"] == pytest.approx(entry["rho_h"], abs=1e-12)
            if math.isnan(entry["p"]):
                assert math.isnan(row["p_value"])
            else:
                assert row["p_value"] == pytest.approx(entry["p"], abs=1e-12, rel=0)
            assert row["candidate_wins"] == (h in ref["wins"])
        else:
            assert math.isnan(row["p_value"]) and not row["candidate_wins"]
        det = res.details(h)
        assert list(det.index) == list(entry["rows"])
        want = np.array(list(entry["rows"].values())).reshape(-1, 5)
        np.testing.assert_allclose(det["candidate_score"], want[:, 0], atol=1e-12)
        np.testing.assert_allclose(det["annotator_score"], want[:, 1], atol=1e-12)
        np.testing.assert_array_equal(det[["candidate_indicator", "annotator_indicator",
                                           "difference"]].to_numpy(), want[:, 2:])
    assert res.winning_rate == ref["omega"]
    assert res.rho == pytest.approx(ref["rho"], abs=1e-12)


# ------------------------------------------------------------ hand-worked example
# Three annotators A, B, C and a candidate f label six items (binary labels). With
# scoring="accuracy", S(x, R) = share of R equal to x. Excluding A, R = (B, C):
#   item     1      2      3      4      5      6
#   R       0,0    1,0    1,1    0,0    1,1    0,1
#   S(f,R)   1     .5      1      0      0     .5
#   S(A,R)   1     .5      0      0      1     .5
#   W^f      1      1      1      1      0      1      rho^f_A = 5/6
#   W^h      1      1      0      1      1      1      rho^h_A = 5/6
#   d        0      0     -1      0      1      0      mean 0, sum d^2 = 2
# Excluding B, R = (A, C): d = 0 0 0 0 1 0 (only item 5, where f=0 against R=(1,1), is
# not a tie), rho^f_B = 5/6, rho^h_B = 1.
# Excluding C, R = (A, B): d = 0 -1 0 0 1 -1, rho^f_C = 5/6, rho^h_C = 4/6.
# t_j = (mean d - eps) / sqrt(var(d, ddof=1) / 6) with eps = 0.2 and 5 degrees of freedom:
#   t_A = (0 - .2) / sqrt((2/5) / 6)                     = -0.2 * sqrt(15)
#   t_B = (1/6 - .2) / sqrt(((1 - 6/36) / 5) / 6)        = -0.2
#   t_C = (-1/6 - .2) / sqrt(((3 - 6/36) / 5) / 6)       = (-11/30) / sqrt(17/180)
# BY with m = 3, H_3 = 11/6: thresholds (k/3) * alpha / H_3 = k * alpha * 2/11.
HAND = pd.DataFrame({"A": [0, 1, 0, 1, 1, 0], "B": [0, 1, 1, 0, 1, 0],
                     "C": [0, 0, 1, 0, 1, 1]}, index=[1, 2, 3, 4, 5, 6])
HAND_F = pd.Series([0, 1, 1, 1, 0, 0], index=[1, 2, 3, 4, 5, 6], name="f")


def test_hand_worked_example():
    t_hand = {"A": -0.2 * math.sqrt(15), "B": -0.2,
              "C": (-11 / 30) / math.sqrt(17 / 180)}
    p_hand = {a: stats.t.cdf(t, df=5) for a, t in t_hand.items()}
    # p_C ~ 0.143 < p_A ~ 0.237 < p_B ~ 0.425
    for alpha, wins in [(0.05, set()), (0.7, {"A", "C"})]:
        # alpha=0.7: thresholds .127, .255, .382: p_C > .127 but p_A <= .255 (step up:
        # both rejected), p_B > .382.
        res = alt_test(HAND, HAND_F, epsilon=0.2, alpha=alpha, min_items=6)
        table = res.table.set_index("annotator")
        np.testing.assert_allclose(table["t_statistic"], [t_hand[a] for a in "ABC"],
                                   rtol=1e-12)
        np.testing.assert_allclose(table["p_value"], [p_hand[a] for a in "ABC"],
                                   rtol=1e-12)
        np.testing.assert_allclose(table["rho_candidate"], [5 / 6] * 3)
        np.testing.assert_allclose(table["rho_annotator"], [5 / 6, 1, 4 / 6])
        np.testing.assert_allclose(table["mean_difference"], [0, 1 / 6, -1 / 6],
                                   atol=1e-15)
        # ranks: C 1, A 2, B 3
        np.testing.assert_allclose(table["by_threshold"],
                                   np.array([2, 3, 1]) * alpha * 2 / 11)
        assert set(table.index[table["candidate_wins"]]) == wins
        assert res.winning_rate == len(wins) / 3
        assert res.passed == (len(wins) >= 2)
        assert res.rho == pytest.approx(5 / 6)
        assert res.n_items == 6
    det = res.details("A")
    np.testing.assert_array_equal(det["candidate_score"], [1, .5, 1, 0, 0, .5])
    np.testing.assert_array_equal(det["annotator_score"], [1, .5, 0, 0, 1, .5])
    np.testing.assert_array_equal(det["difference"], [0, 0, -1, 0, 1, 0])
    np.testing.assert_array_equal(res.details("C")["difference"], [0, -1, 0, 0, 1, -1])
    assert "passes" in repr(res) and "2 of 3" in repr(res)


# ------------------------------------------------------------------ the oracle
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("scoring", ["accuracy", "neg_rmse"])
def test_matches_oracle_on_random_incomplete_designs(seed, scoring):
    wide, cand = random_design(seed, n_annotators=3 + seed % 3, k=2 + seed % 4)
    eps = [0.0, 0.1, 0.2, 0.3][seed % 4]
    min_items = 18 + seed  # some annotators are skipped
    res = alt_test(wide, cand, epsilon=eps, alpha=0.3, scoring=scoring,
                   min_items=min_items)
    ref = oracle(*to_dicts(wide, cand), eps, 0.3, scoring, min_items)
    compare_with_oracle(res, ref, eps)
    kept = [i for i in range(len(cand)) if not np.isnan(cand[i])
            and np.sum(~np.isnan(wide[i])) >= 2]
    assert res.n_items == len(kept)


def test_neg_rmse_half_steps_and_three_per_item():
    wide, cand = random_design(11, n_items=50, n_annotators=5, k=5, missing=0.2)
    wide, cand = wide / 2, cand / 2  # labels 0, 0.5, ..., 2
    res = alt_test(wide, cand, epsilon=0.1, alpha=0.2, scoring="neg_rmse", min_items=20,
                   min_annotators_per_item=3)
    ref = oracle(*to_dicts(wide, cand), 0.1, 0.2, "neg_rmse", 20, min_per_item=3)
    compare_with_oracle(res, ref, 0.1)


# -------------------------------------------------------- SciPy and statsmodels
def test_p_values_match_scipy_and_by_matches_statsmodels():
    wide, cand = random_design(3, n_items=60, n_annotators=6, missing=0.2)
    for eps in (0.05, 0.15, 0.3):
        res = alt_test(wide, cand, epsilon=eps, alpha=0.1, min_items=10)
        table = res.table
        for h in table["annotator"]:
            det = res.details(h)
            w_f = det["candidate_indicator"].to_numpy(float)
            w_h = det["annotator_indicator"].to_numpy(float)
            row = table.set_index("annotator").loc[h]
            one = stats.ttest_1samp(w_h - w_f, eps, alternative="less")
            rel = stats.ttest_rel(w_f + eps, w_h, alternative="greater")
            assert row["p_value"] == pytest.approx(one.pvalue, abs=1e-12)
            assert row["p_value"] == pytest.approx(rel.pvalue, abs=1e-12)
            assert row["t_statistic"] == pytest.approx(one.statistic, rel=1e-10)
        reject = multipletests(table["p_value"], alpha=0.1, method="fdr_by")[0]
        np.testing.assert_array_equal(table["candidate_wins"], reject)
        assert res.winning_rate == reject.mean()


def test_zero_variance_follows_scipy():
    # The candidate copies annotator 0: every d of annotator 0 is 0.
    wide, _ = random_design(5, n_items=30, n_annotators=3, missing=0.0)
    cand = wide[:, 0]
    for eps, p_want in [(0.2, 0.0), (0.0, np.nan)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scipy_p = stats.ttest_1samp(np.zeros(30), eps, alternative="less").pvalue
        np.testing.assert_equal(scipy_p, p_want)
        row = alt_test(wide, cand, epsilon=eps, min_items=5).table.iloc[0]
        np.testing.assert_equal(row["p_value"], p_want)
        assert row["candidate_wins"] == (p_want == 0.0)  # NaN: never a win
    # d all equal to 1 (the candidate is always worse): t = +inf, p = 1
    wide = np.array([[0, 0, 0]] * 12 + [[1, 1, 1]] * 12, dtype=float)
    res = alt_test(wide, 1 - wide[:, 0], epsilon=0.2, min_items=5)
    assert (res.table["t_statistic"] == np.inf).all() and (res.table["p_value"] == 1).all()
    assert res.winning_rate == 0.0 and res.rho == 0.0


# ------------------------------------------------------ simulations, known answers
def _crowd(seed: int, n_items: int = 60, n_annotators: int = 4, k: int = 4,
           noise: float = 0.3) -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    wide = np.where(rng.random((n_items, n_annotators)) < noise,
                    rng.integers(0, k, (n_items, n_annotators)), truth[:, None])
    return wide.astype(float), truth, rng


def test_majority_copy_passes_and_chance_fails():
    wide, truth, rng = _crowd(0)
    majority = np.array([np.bincount(row.astype(int), minlength=4).argmax() for row in wide])
    good = alt_test(wide, majority, epsilon=0.1)
    assert good.passed and good.winning_rate == 1.0
    chance = alt_test(wide, rng.integers(0, 4, len(truth)), epsilon=0.1)
    assert not chance.passed and chance.winning_rate == 0.0
    assert chance.rho < good.rho


def test_candidate_copying_a_human():
    wide, _, _ = _crowd(1, n_items=40)
    res = alt_test(wide, wide[:, 2], epsilon=0.1, min_items=10)
    row = res.table.iloc[2]  # leaving out the copied annotator: always a tie, d = 0
    assert row["rho_candidate"] == 1.0 and row["rho_annotator"] == 1.0
    assert row["mean_difference"] == 0.0 and row["p_value"] == 0.0 and row["candidate_wins"]
    # Pairs design: every item is labelled by annotator 0 and one other. A candidate
    # equal to annotator 0 is, against every other annotator B, compared with R = (0,):
    # W^f = 1 always and W^h = [B agrees with 0], so rho^f_B = 1 and rho^h_B is the
    # agreement of B with annotator 0.
    rng = np.random.default_rng(2)
    pairs = np.full((60, 4), np.nan)
    pairs[:, 0] = rng.integers(0, 3, 60)
    other = rng.integers(1, 4, 60)
    pairs[np.arange(60), other] = np.where(rng.random(60) < 0.7, pairs[:, 0],
                                           rng.integers(0, 3, 60))
    res = alt_test(pairs, pairs[:, 0], epsilon=0.1, min_items=5).table.set_index("annotator")
    for b in (1, 2, 3):
        mine = other == b
        assert res.loc[b, "rho_candidate"] == 1.0
        assert res.loc[b, "rho_annotator"] == pytest.approx(
            np.mean(pairs[mine, b] == pairs[mine, 0]), abs=1e-15)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), eps=st.floats(0, 0.9), step=st.floats(0, 0.09))
def test_larger_epsilon_never_lowers_omega(seed, eps, step):
    wide, cand = random_design(seed, n_items=30, n_annotators=4)
    low = alt_test(wide, cand, epsilon=eps, alpha=0.2, min_items=5)
    high = alt_test(wide, cand, epsilon=eps + step, alpha=0.2, min_items=5)
    assert high.winning_rate >= low.winning_rate
    # a win stays a win (the p-values only fall as epsilon grows)
    assert (high.table["candidate_wins"] >= low.table["candidate_wins"]).all()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_invariant_to_annotator_and_item_order(seed):
    wide, cand = random_design(seed, n_items=30, n_annotators=4)
    frame = pd.DataFrame(wide, index=[f"i{k}" for k in range(30)], columns=list("pqrs"))
    series = pd.Series(cand, index=frame.index)
    rng = np.random.default_rng(seed)
    shuffled = frame.iloc[rng.permutation(30), rng.permutation(4)]
    a = alt_test(frame, series, alpha=0.3, min_items=8)
    b = alt_test(shuffled, series.iloc[rng.permutation(30)], alpha=0.3, min_items=8)
    ta, tb = (r.table.set_index("annotator").sort_index() for r in (a, b))
    pd.testing.assert_frame_equal(ta.drop(columns="by_threshold"),
                                  tb.drop(columns="by_threshold"))
    assert a.winning_rate == b.winning_rate
    assert a.rho == pytest.approx(b.rho, abs=1e-15)


# ------------------------------------------------------- scoring and input forms
def test_callable_accuracy_equals_builtin():
    wide, cand = random_design(7)
    calls = []

    def acc(label, others):
        calls.append(label)
        return float(np.mean(others == label))

    a = alt_test(wide, cand, min_items=15, alpha=0.3)
    b = alt_test(wide, cand, min_items=15, alpha=0.3, scoring=acc)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert b.scoring == "acc" and calls and isinstance(calls[0], int)
    h = a.table["annotator"].iloc[0]
    pd.testing.assert_frame_equal(a.details(h), b.details(h))


def test_string_labels_and_shuffled_series():
    wide, cand = random_design(8, n_annotators=3, k=3)
    words = np.array(["neg", "neu", "pos"], dtype=object)

    def to_words(x):
        out = np.full(x.shape, None, dtype=object)
        out[~np.isnan(x)] = words[x[~np.isnan(x)].astype(int)]
        return out

    items = [f"doc{k}" for k in range(len(cand))]
    frame = pd.DataFrame(to_words(wide), index=items, columns=["ann", "bob", "cy"])
    series = pd.Series(to_words(cand), index=items, name="judge")
    shuffled = series.sample(frac=1, random_state=0)
    res = alt_test(frame, shuffled, epsilon=0.15, alpha=0.3, min_items=15)
    ref = oracle(*to_dicts(wide, cand), 0.15, 0.3, "accuracy", 15)
    ref["annotators"] = {name: {**ref["annotators"][j], "rows": {
        items[i]: r for i, r in ref["annotators"][j]["rows"].items()}}
        for j, name in enumerate(["ann", "bob", "cy"])}
    ref["tested"] = [["ann", "bob", "cy"][j] for j in ref["tested"]]
    ref["wins"] = {["ann", "bob", "cy"][j] for j in ref["wins"]}
    compare_with_oracle(res, ref, 0.15)
    assert res.candidates == ["judge"]
    with pytest.raises(ValueError, match="neg_rmse"):
        alt_test(frame, series, scoring="neg_rmse", min_items=15)


def test_missing_candidate_labels_drop_items():
    wide, cand = random_design(9, missing=0.0)
    cand[:10] = np.nan
    res = alt_test(wide, cand, min_items=5)
    assert res.n_items == int(np.sum(~np.isnan(cand)))
    assert (res.table["n_items"] == res.n_items).all()
    assert all(i >= 10 for i in res.details(0).index)


def test_several_candidates_are_separate_runs():
    wide, cand = random_design(10)
    _, other = random_design(11)
    both = pd.DataFrame({"x": cand, "y": other})
    res = alt_test(wide, both, min_items=15, alpha=0.3)
    summary = res.summary()
    assert list(summary.index) == ["x", "y"]
    assert list(summary.columns) == ["winning_rate", "passed", "rho", "n_annotators_tested",
                                     "n_annotators_skipped", "n_items"]
    for name, labels in both.items():
        alone = alt_test(wide, labels, min_items=15, alpha=0.3)
        assert summary.loc[name, "winning_rate"] == alone.winning_rate
        assert summary.loc[name, "rho"] == alone.rho
        assert summary.loc[name, "n_items"] == alone.n_items
        mine = res.table[res.table["candidate"] == name].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone.table)
        pd.testing.assert_frame_equal(res.details(1, candidate=name), alone.details(1))
    for attr in ("winning_rate", "passed", "rho", "n_items"):
        with pytest.raises(ValueError, match="summary"):
            getattr(res, attr)
    with pytest.raises(ValueError, match="candidate="):
        res.details(0)
    assert "'x'" in repr(res) and "'y'" in repr(res)


def test_plots_return_axes():
    import matplotlib.pyplot as plt

    wide, cand = random_design(12)
    one = alt_test(wide, cand, min_items=15)
    ax = one.plot()
    assert ax.get_xlabel() == "annotator (sorted by the candidate's margin)"
    tab = one.table[one.table["tested"]]
    margin = tab["rho_candidate"] - (tab["rho_annotator"] - one.epsilon)
    expected = [str(a) for a in tab["annotator"].to_numpy()[np.argsort(margin.to_numpy(),
                                                                        kind="stable")]]
    assert [t.get_text() for t in ax.get_xticklabels()] == expected
    both = alt_test(wide, pd.DataFrame({"x": cand, "y": cand}), min_items=15)
    _, ax2 = plt.subplots()
    assert both.plot(ax=ax2) is ax2
    plt.close("all")


# ------------------------------------------------------------------- errors
def test_errors():
    wide, cand = random_design(13)
    with pytest.raises(ValueError, match="no annotators"):
        alt_test(Annotations.from_counts([[2, 1], [0, 3]]), [0, 1])
    assert "annotators" in NO_ANNOTATORS
    for bad in (-0.1, 1.0, float("nan")):
        with pytest.raises(ValueError) as e:
            alt_test(wide, cand, epsilon=bad)
        assert str(e.value) == EPSILON_RANGE.format(bad)
    with pytest.raises(TypeError):
        alt_test(wide, cand, epsilon="0.2")
    with pytest.raises(ValueError) as e:
        alt_test(wide, cand, alpha=0)
    assert str(e.value) == _errors.ALPHA_RANGE.format(0.0)
    for name, kwargs in [("min_items", {"min_items": 0}),
                         ("min_annotators_per_item", {"min_annotators_per_item": 1})]:
        with pytest.raises(ValueError, match=name):
            alt_test(wide, cand, **kwargs)
    with pytest.raises(ValueError) as e:
        alt_test(wide, cand, scoring="f1")
    assert str(e.value) == SCORING.format(got="f1")
    best = int(alt_test(wide, cand, min_items=1).table["n_items"].max())
    with pytest.raises(ValueError) as e:
        alt_test(wide, cand)
    assert str(e.value) == TOO_FEW_ITEMS.format(min_items=30, min_per_item=2,
                                                name="candidate", best=best)
    long = pd.DataFrame({"item": [0, 0, 0, 1, 1], "annotator": ["a", "a", "b", "a", "b"],
                         "label": [1, 0, 1, 0, 0]})
    with pytest.raises(ValueError) as e:
        alt_test(Annotations.from_long(long, duplicates="keep"), [1, 0], min_items=1)
    assert str(e.value) == DUPLICATES
    words = pd.DataFrame({"a": ["x", "y"] * 3, "b": ["x", "x"] * 3})
    with pytest.raises(ValueError) as e:
        alt_test(words, ["x"] * 6, scoring="neg_rmse", min_items=1)
    assert str(e.value).startswith(RMSE_NOT_NUMERIC.split("{")[0])
    with pytest.raises(TypeError, match=SCORE_NOT_NUMBER.split("{")[0]):
        alt_test(wide, cand, scoring=lambda x, r: "high", min_items=1)
    res = alt_test(wide, pd.DataFrame({"x": cand, "y": cand}), min_items=5)
    with pytest.raises(ValueError) as e:
        res.rho
    assert str(e.value).startswith(SEVERAL_CANDIDATES.split("(")[0].format(n=2))
    with pytest.raises(ValueError) as e:
        res.details(0)
    assert str(e.value).startswith(CANDIDATE_NEEDED.split("(")[0].format(n=2))
    with pytest.raises(ValueError) as e:
        res.details("nobody", candidate="x")
    assert str(e.value).startswith(UNKNOWN_NAME.split(":")[0].format(
        what="annotator", name="nobody", whats="annotators"))
    with pytest.raises(ValueError) as e:
        res.details(0, candidate="z")
    assert str(e.value).startswith(UNKNOWN_NAME.split(":")[0].format(
        what="candidate", name="z", whats="candidates"))


def test_nan_scores_give_both_indicators_zero():
    # ``1 if nan >= s else 0`` is 0, as in the paper's reference rule: d = 0 there.
    wide, cand = random_design(14, missing=0.0)
    res = alt_test(wide, cand, min_items=5, alpha=0.3, scoring=lambda x, r: float("nan"))
    det = res.details(0)
    assert (det["candidate_indicator"] == 0).all() and (det["annotator_indicator"] == 0).all()
    assert (res.table["rho_candidate"] == 0).all() and (res.table["rho_annotator"] == 0).all()
