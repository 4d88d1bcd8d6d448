"""candidate_agreement: an automatic annotator's agreement with people against theirs.

References: the modified tables are built here with pandas (substitute an annotator's
column, add a column, the row-wise majority) and scored with the ``krippendorff`` package,
statsmodels' ``fleiss_kappa`` and scikit-learn's ``cohen_kappa_score``; the bootstrap is
checked against a slow loop that draws the items by the recipe the docstring gives and
recomputes alpha with ``krippendorff`` on each resampled table.
"""

import re
from string import Formatter

import krippendorff
import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from multiplicity._errors import CONFIDENCE_RANGE, INT_AT_LEAST
from multiplicity.annotation import (
    Annotations,
    CandidateAgreement,
    DawidSkene,
    agreement,
    candidate_agreement,
    krippendorff_alpha,
)
from multiplicity.annotation._candidate_agreement import AGGREGATE, COEFFICIENT_TYPE
from multiplicity.annotation._candidates import NO_ANNOTATORS

matplotlib.use("Agg")

TOL = 1e-12


def _crowd(n=40, n_annotators=4, k=3, reliability=0.75, missing=0.2, seed=0):
    """A simulated crowd (wide DataFrame of ints with NaN) and the true labels."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    X = np.where(rng.random((n, n_annotators)) < reliability, truth[:, None],
                 rng.integers(0, k, (n, n_annotators))).astype(float)
    X[rng.random((n, n_annotators)) < missing] = np.nan
    X[:, 0] = np.where(np.isnan(X[:, 0]), truth, X[:, 0])  # every item keeps a rating
    df = pd.DataFrame(X, index=[f"i{i}" for i in range(n)],
                      columns=[f"a{j}" for j in range(n_annotators)])
    return df, truth


def _candidate(truth, accuracy=0.6, k=3, missing=0.1, seed=1, index=None):
    rng = np.random.default_rng(seed)
    c = np.where(rng.random(len(truth)) < accuracy, truth,
                 rng.integers(0, k, len(truth))).astype(float)
    c[rng.random(len(truth)) < missing] = np.nan
    return pd.Series(c, index=index, name="llm")


# -------------------------------------------------------- pandas reference tables
def _replaced(df, cand, col):
    out = df.copy()
    out[col] = np.where(df[col].notna(), cand.to_numpy(), np.nan)
    return out


def _added(df, cand):
    out = df.copy()
    out["__cand__"] = cand.to_numpy()
    return out


def _majority(df):
    """Row-wise most frequent label; ties go to the smallest (pandas' mode is sorted)."""
    return df.mode(axis=1)[0]


def _vs(df, cand):
    both = pd.DataFrame({"m": _majority(df).to_numpy(), "c": cand.to_numpy()},
                        index=df.index).dropna()
    return both


def _alpha_ref(df, level="nominal"):
    return krippendorff.alpha(reliability_data=df.to_numpy(dtype=float).T,
                              level_of_measurement=level)


def _reference_values(df, cand, score):
    """Every row of the table by the pandas reference."""
    out = {"humans": score(df)}
    reps = []
    for col in df.columns:
        reps.append(score(_replaced(df, cand, col)))
        out[f"replace {col}"] = reps[-1]
    out["replace (mean)"] = np.mean(reps)
    out["replace - humans"] = np.mean(reps) - out["humans"]
    out["candidate vs majority"] = score(_vs(df, cand))
    out["humans + candidate"] = score(_added(df, cand))
    return pd.Series(out)


# ------------------------------------------------------------------ 1. values
def test_alpha_values_match_krippendorff():
    df, truth = _crowd()
    cand = _candidate(truth, index=df.index)
    res = candidate_agreement(df, cand, n_resamples=5, random_state=0)
    ref = _reference_values(df, cand, _alpha_ref)
    assert list(res.table.index) == list(ref.index)
    np.testing.assert_allclose(res.table["value"], ref.to_numpy(), rtol=0, atol=TOL)
    # n_items: items with at least two ratings in each table
    assert res.table.loc["humans", "n_items"] == int((df.notna().sum(axis=1) >= 2).sum())
    assert res.table.loc["candidate vs majority", "n_items"] == len(_vs(df, cand))
    assert res.table.loc["humans + candidate", "n_items"] == int(
        (_added(df, cand).notna().sum(axis=1) >= 2).sum())


def test_ordinal_level_passes_through():
    df, truth = _crowd(seed=3)
    cand = _candidate(truth, index=df.index, seed=4)
    res = candidate_agreement(df, cand, level="ordinal", n_resamples=5, random_state=0)
    ref = _reference_values(df, cand, lambda d: _alpha_ref(d, "ordinal"))
    np.testing.assert_allclose(res.table["value"], ref.to_numpy(), rtol=0, atol=TOL)
    nominal = candidate_agreement(df, cand, n_resamples=5, random_state=0)
    assert abs(nominal.table.loc["humans", "value"] - res.table.loc["humans", "value"]) > 1e-3


def _fleiss_ref(df):
    table, _ = aggregate_raters(df.to_numpy(dtype=int), n_cat=3)
    return fleiss_kappa(table, method="fleiss")


def test_fleiss_values_match_statsmodels():
    df, truth = _crowd(n=50, n_annotators=5, missing=0.0, seed=5)
    cand = _candidate(truth, index=df.index, missing=0.0, seed=6)
    res = candidate_agreement(df, cand, "fleiss_kappa", n_resamples=5, random_state=0)
    ref = _reference_values(df, cand, _fleiss_ref)
    np.testing.assert_allclose(res.table["value"], ref.to_numpy(), rtol=0, atol=TOL)


def test_cohen_kappa_matches_sklearn_and_drops_the_three_rater_row():
    df, truth = _crowd(n=60, n_annotators=2, missing=0.15, seed=7)
    cand = _candidate(truth, index=df.index, seed=8)
    res = candidate_agreement(df, cand, "cohen_kappa", n_resamples=5, random_state=0)
    t = res.table["value"]
    assert "humans + candidate" not in t.index

    def kappa(a, b):
        both = a.notna() & b.notna()
        return cohen_kappa_score(a[both].astype(int), b[both].astype(int))

    assert t["humans"] == pytest.approx(kappa(df["a0"], df["a1"]), abs=TOL)
    # replace a0: (candidate, a1) on the items a0 labelled
    a0_cand = cand.where(df["a0"].notna())
    assert t["replace a0"] == pytest.approx(kappa(a0_cand, df["a1"]), abs=TOL)
    vs = _vs(df, cand)
    assert t["candidate vs majority"] == pytest.approx(kappa(vs["m"], vs["c"]), abs=TOL)


def test_dawid_skene_aggregate():
    df, truth = _crowd(n=60, seed=9)
    cand = _candidate(truth, index=df.index, seed=10)
    res = candidate_agreement(df, cand, aggregate="dawid_skene", n_resamples=5,
                              random_state=0)
    labels = DawidSkene().fit(Annotations.from_wide(df)).labels_.astype(float)
    pair = pd.DataFrame({"m": labels.to_numpy(), "c": cand.to_numpy()}).dropna()
    assert res.table.loc["candidate vs dawid_skene", "value"] == pytest.approx(
        _alpha_ref(pair), abs=TOL)


# ------------------------------------------------------------------ 2. bootstrap
def _draws(n_items, n_resamples, random_state):
    """The items of each resample, by the recipe of candidate_agreement's docstring."""
    seed = int(np.random.default_rng(random_state).integers(0, 2**31 - 1))
    blocks = np.random.default_rng(seed).integers(0, 2**31 - 1, size=-(-n_resamples // 16))
    out = []
    for s in blocks:
        u = np.random.RandomState(int(s)).random_sample((16, n_items))
        out += list(np.floor(u * n_items).astype(np.int64))
    return out[:n_resamples]


def _interval(values, confidence):
    tail = (1 - confidence) / 2
    ok = np.asarray(values)[np.isfinite(values)]
    return np.quantile(ok, tail), np.quantile(ok, 1 - tail), np.std(ok, ddof=1)


def test_bootstrap_matches_a_slow_loop_and_the_difference_is_paired():
    df, truth = _crowd(n=25, n_annotators=3, seed=11)
    cand = _candidate(truth, index=df.index, seed=12)
    n_resamples, confidence = 37, 0.9
    res = candidate_agreement(df, cand, n_resamples=n_resamples, confidence=confidence,
                              random_state=2024)
    loop = []
    for idx in _draws(len(df), n_resamples, 2024):
        d, c = df.iloc[idx].reset_index(drop=True), cand.iloc[idx].reset_index(drop=True)
        loop.append(_reference_values(d, c, _alpha_ref))
    loop = pd.DataFrame(loop)
    for row in res.table.index:
        low, high, se = _interval(loop[row].to_numpy(), confidence)
        got = res.table.loc[row]
        assert got["ci_low"] == pytest.approx(low, abs=TOL), row
        assert got["ci_high"] == pytest.approx(high, abs=TOL), row
        assert got["se"] == pytest.approx(se, abs=TOL), row
    # paired: the difference's interval is that of the per-resample differences, which
    # is narrower here than the separate intervals would suggest
    diff = res.table.loc["replace - humans"]
    mean, humans = res.table.loc["replace (mean)"], res.table.loc["humans"]
    assert diff["se"] < np.hypot(mean["se"], humans["se"])
    assert res.n_resamples == n_resamples and res.confidence == confidence


def test_recomputed_coefficient_draws_the_same_items():
    df, truth = _crowd(n=30, seed=13)
    cand = _candidate(truth, index=df.index, seed=14)
    fast = candidate_agreement(df, cand, n_resamples=20, random_state=5)
    slow = candidate_agreement(df, cand, lambda a: krippendorff_alpha(a), n_resamples=20,
                               random_state=5)
    pd.testing.assert_frame_equal(fast.table, slow.table, rtol=0, atol=TOL)
    assert slow.coefficient == "<lambda>" and fast.coefficient == "krippendorff_alpha"


def test_humans_row_is_agreements_bootstrap():
    df, truth = _crowd(n=30, seed=15)
    cand = _candidate(truth, index=df.index, seed=16)
    res = candidate_agreement(df, cand, "gwet_ac1", n_resamples=50, random_state=3)
    ref = agreement(df, ["gwet_ac1"], n_resamples=50, random_state=3).loc["gwet_ac1"]
    for col in ("value", "ci_low", "ci_high", "se"):
        assert res.table.loc["humans", col] == pytest.approx(ref[col], abs=TOL)


# ------------------------------------------------------------------ 3. known answers
def test_candidate_equal_to_an_annotator_replaces_it_exactly():
    df, _ = _crowd(n=30, seed=17)
    res = candidate_agreement(df, df["a2"], n_resamples=30, random_state=1)
    t = res.table
    for col in ("value", "ci_low", "ci_high", "se"):
        assert t.loc["replace a2", col] == pytest.approx(t.loc["humans", col], abs=TOL)


def test_candidate_equal_to_the_majority_agrees_perfectly_with_it():
    df, _ = _crowd(n=30, seed=18)
    res = candidate_agreement(df, _majority(df), n_resamples=10, random_state=1)
    row = res.table.loc["candidate vs majority"]
    assert row["value"] == pytest.approx(1.0, abs=TOL)
    assert row["ci_low"] == pytest.approx(1.0, abs=TOL)


def test_random_candidate_agrees_less_than_a_reliable_crowd():
    df, truth = _crowd(n=80, n_annotators=5, reliability=0.9, seed=19)
    cand = _candidate(truth, accuracy=0.0, index=df.index, seed=20)
    res = candidate_agreement(df, cand, n_resamples=100, random_state=0)
    diff = res.table.loc["replace - humans"]
    assert diff["value"] < 0 and diff["ci_high"] < 0


# ------------------------------------------------------------------ 4. alignment
def test_shuffled_series_sequence_and_strings_give_the_same_table():
    df, truth = _crowd(n=30, seed=21)
    cand = _candidate(truth, index=df.index, seed=22)
    base = candidate_agreement(df, cand, n_resamples=10, random_state=4).table
    shuffled = cand.sample(frac=1.0, random_state=0)
    as_series = candidate_agreement(df, shuffled, n_resamples=10, random_state=4).table
    as_list = candidate_agreement(df, list(cand), n_resamples=10, random_state=4).table
    words = {0.0: "neg", 1.0: "neu", 2.0: "pos"}
    as_words = candidate_agreement(df.map(words.get).astype(object), cand.map(words),
                                   n_resamples=10, random_state=4).table
    for other in (as_series, as_list, as_words):
        pd.testing.assert_frame_equal(base, other, rtol=0, atol=TOL)


def test_missing_candidate_labels_drop_the_replaced_ratings():
    df, truth = _crowd(n=30, missing=0.0, seed=23)
    cand = _candidate(truth, index=df.index, missing=0.5, seed=24)
    res = candidate_agreement(df, cand, n_resamples=5, random_state=0)
    n_cand = int(cand.notna().sum())
    assert res.table.loc["candidate vs majority", "n_items"] == n_cand
    # replace a0: every item keeps the other 3 ratings, so all 30 carry agreement
    assert res.table.loc["replace a0", "n_items"] == 30
    assert res.table.loc["replace a0", "value"] == pytest.approx(
        _alpha_ref(_replaced(df, cand, "a0")), abs=TOL)


def test_caller_data_not_mutated():
    df, truth = _crowd(n=20, seed=25)
    cand = _candidate(truth, index=df.index, seed=26)
    df0, cand0 = df.copy(), cand.copy()
    candidate_agreement(df, cand, n_resamples=5, random_state=0)
    pd.testing.assert_frame_equal(df, df0)
    pd.testing.assert_series_equal(cand, cand0)


def test_several_candidates_give_one_block_each():
    df, truth = _crowd(n=30, seed=27)
    c1 = _candidate(truth, index=df.index, seed=28)
    c2 = _candidate(truth, index=df.index, seed=29, accuracy=0.3)
    both = candidate_agreement(df, pd.DataFrame({"x": c1, "y": c2}), n_resamples=12,
                               random_state=6).table
    assert both.index.names == ["candidate", "row"]
    for name, c in (("x", c1), ("y", c2)):
        one = candidate_agreement(df, c, n_resamples=12, random_state=6).table
        np.testing.assert_allclose(both.loc[name].to_numpy(), one.to_numpy(), rtol=0,
                                   atol=TOL)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.randoms(use_true_random=False))
def test_permuting_items_leaves_values_unchanged(seed, rnd):
    df, truth = _crowd(n=15, n_annotators=3, seed=seed)
    cand = _candidate(truth, index=df.index, seed=seed + 1)
    order = list(df.index)
    rnd.shuffle(order)
    a = candidate_agreement(df, cand, n_resamples=1, random_state=0).table["value"]
    b = candidate_agreement(df.loc[order], cand, n_resamples=1, random_state=0).table["value"]
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=0, atol=1e-12)


# ------------------------------------------------------------------ errors, result
def _escaped(template):
    """A pattern for ``template`` with every field matching anything."""
    return ".*".join(re.escape(literal) for literal, *_ in Formatter().parse(template))


def test_errors():
    df, truth = _crowd(n=20, seed=30)
    cand = _candidate(truth, index=df.index, seed=31)
    counts = Annotations.from_counts([[2, 1], [0, 3]])
    with pytest.raises(ValueError, match=_escaped(NO_ANNOTATORS)):
        candidate_agreement(counts, [0, 1])
    with pytest.raises(ValueError, match=r"unknown coefficient 'kappa'.*fleiss_kappa"):
        candidate_agreement(df, cand, "kappa")
    with pytest.raises(TypeError, match=_escaped(COEFFICIENT_TYPE)):
        candidate_agreement(df, cand, 3)
    with pytest.raises(ValueError, match="cohen_kappa needs exactly 2 annotators"):
        candidate_agreement(df, cand, "cohen_kappa")
    with pytest.raises(ValueError, match=_escaped(AGGREGATE)):
        candidate_agreement(df, cand, aggregate="mean")
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match=_escaped(CONFIDENCE_RANGE)):
            candidate_agreement(df, cand, confidence=bad)
    with pytest.raises(ValueError, match=_escaped(INT_AT_LEAST)):
        candidate_agreement(df, cand, n_resamples=0)


def test_result_object_plot_and_repr():
    df, truth = _crowd(n=20, seed=32)
    cand = _candidate(truth, index=df.index, seed=33)
    res = candidate_agreement(df, cand, "fleiss_kappa", n_resamples=10, random_state=0)
    assert isinstance(res, CandidateAgreement)
    assert list(res.table.columns) == ["value", "ci_low", "ci_high", "se", "n_items"]
    frame = res.to_frame()
    pd.testing.assert_frame_equal(frame, res.table)
    frame.iloc[0, 0] = 99.0
    assert res.table.iloc[0, 0] != 99.0
    assert "fleiss_kappa" in repr(res) and "replace - humans" in repr(res)
    ax = res.plot()
    assert len(ax.get_yticklabels()) == len(res.table) - 1  # the difference in the title
    assert "replace - humans" in ax.get_title()
    # many annotators: their replace rows become one strip at the bottom
    strip = res.plot(max_rows=1)
    labels = [t.get_text() for t in strip.get_yticklabels()]
    n_annotators = sum(1 for r in res.table.index
                       if r.startswith("replace ") and r not in ("replace (mean)",
                                                                 "replace - humans"))
    assert labels[-1] == f"replace each ({n_annotators} annotators)"
    assert not any(lab.startswith("replace ") and lab[8:].isdigit() for lab in labels)
    points = [line for line in strip.get_lines()
              if line.get_label() == "replace each annotator"]
    np.testing.assert_array_equal(
        points[0].get_xdata(),
        [res.table.loc[r, "value"] for r in res.table.index
         if r.startswith("replace ") and r not in ("replace (mean)", "replace - humans")])
    import matplotlib.pyplot as plt
    plt.close("all")


def test_undefined_comparison_is_nan_with_the_reason():
    humans = [[1, 1, 2], [1, 2, 1], [1, 1, 1], [2, 2, 1]]
    res = candidate_agreement(humans, [1, 1, 1, None], n_resamples=5, random_state=0)
    row = res.table.loc["candidate vs majority"]
    assert np.isnan(row["value"]) and row["n_items"] == 3
    assert "candidate vs majority" in res.table.attrs["undefined"]
    assert np.isfinite(res.table.loc["humans", "value"])
