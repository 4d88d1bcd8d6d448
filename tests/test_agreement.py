"""agreement() and its bootstrap kernel."""

from __future__ import annotations

import datafiles
import numba
import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from scipy import stats

from multiplicity.annotation import Annotations, agreement
from multiplicity.annotation import _agreement as agr
from multiplicity.annotation._stats import ItemStatistic, bootstrap_sums


def test_bootstrap_sums_is_deterministic_and_thread_independent():
    S = np.random.default_rng(0).random((500, 3))
    a = bootstrap_sums(S, 40, random_state=7)
    b = bootstrap_sums(S, 40, random_state=7)
    npt.assert_array_equal(a, b)
    if not numba.config.DISABLE_JIT:
        before = numba.get_num_threads()
        try:
            numba.set_num_threads(1)
            c = bootstrap_sums(S, 40, random_state=7)
        finally:
            numba.set_num_threads(before)
        npt.assert_array_equal(a, c)
    assert not np.array_equal(a, bootstrap_sums(S, 40, random_state=8))


def test_bootstrap_sums_have_the_resampling_distribution():
    # Sums of n rows drawn with replacement: mean n * mean(S), variance n * var(S).
    rng = np.random.default_rng(1)
    S = rng.exponential(size=(200, 2))
    B = bootstrap_sums(S, 4000, random_state=0)
    n = S.shape[0]
    npt.assert_allclose(B.mean(axis=0), S.sum(axis=0), rtol=0.01)
    npt.assert_allclose(B.var(axis=0, ddof=1), n * S.var(axis=0), rtol=0.1)
    # each resample is a sum of n whole rows: the two columns move together row by row
    assert np.corrcoef(B[:, 0], B[:, 1])[0, 1] == pytest.approx(
        np.corrcoef(S[:, 0], S[:, 1])[0, 1], abs=0.1)


def test_item_statistic_value():
    S = np.array([[1.0, 2.0], [3.0, 4.0]])
    stat = ItemStatistic(S, lambda sums: sums[:, 0] / sums[:, 1])
    assert stat.value() == pytest.approx(4.0 / 6.0)


# ------------------------------------------------------------------ agreement()

def _raw_4raters() -> Annotations:
    table = datafiles.canonical_fixtures()["irrcac_gwet_datasets"]["tables"]["raw_4raters"]
    df = pd.DataFrame(table["data"], columns=table["columns"]).set_index("Units")
    return Annotations.from_wide(df)


def _random_annotations(seed: int, n_items: int = 60) -> Annotations:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, n_items)
    A = np.where(rng.random((n_items, 4)) < 0.7, truth[:, None], rng.integers(0, 3, (n_items, 4)))
    A = A.astype(float)
    A[rng.random(A.shape) < 0.2] = np.nan
    return Annotations.from_wide(A)


def test_analytic_matches_gwet_irrcac_on_raw_4raters():
    # Gwet (2014) raw_4raters: Fleiss' kappa 0.7611692754 with SE 0.1530192035 (irrCAC 0.4.4,
    # tests/data/irrcac_expected/irrcac_expected_chance.json); irrCAC's interval is
    # value +- t(0.975, n - 1) SE with n = 12 rated units, capped at 1.
    ann = _raw_4raters()
    ref = datafiles.irrcac_expected("chance")["values"]["raw_4raters"]["identity"]
    df = agreement(ann, ["fleiss_kappa", "gwet_ac1", "brennan_prediger", "conger_kappa"],
                   ci="analytic")
    for row, key in [("fleiss_kappa", "fleiss"), ("gwet_ac1", "gwet"),
                     ("brennan_prediger", "bp"), ("conger_kappa", "conger")]:
        assert df.loc[row, "value"] == pytest.approx(ref[key]["value"], abs=1e-9)
        assert df.loc[row, "se"] == pytest.approx(ref[key]["se"], abs=1e-9)
        q = stats.t.ppf(0.975, 11)
        assert df.loc[row, "ci_low"] == pytest.approx(ref[key]["value"] - q * ref[key]["se"],
                                                      abs=1e-9)
        assert df.loc[row, "ci_high"] == pytest.approx(
            min(1.0, ref[key]["value"] + q * ref[key]["se"]), abs=1e-9)
    assert round(df.loc["fleiss_kappa", "ci_low"], 5) == 0.42438
    assert df.loc["fleiss_kappa", "ci_high"] == 1.0
    assert df.attrs["ci"] == "analytic"


def test_fleiss_h0_columns_on_fleiss_1971():
    # Fleiss (1971): kappa 0.4302445, z = 17.65183 from the SE under H0.
    path = datafiles.data_path("fleiss1971_psychiatric_diagnoses", "diagnoses_30x5_counts.csv")
    counts = pd.read_csv(path).set_index("patient")
    df = agreement(Annotations.from_counts(counts.to_numpy()), ["fleiss_kappa"],
                   ci="analytic")
    assert df.loc["fleiss_kappa", "value"] == pytest.approx(0.4302445, abs=1e-7)
    assert df.loc["fleiss_kappa", "z_h0"] == pytest.approx(17.65183, abs=1e-5)
    assert df.loc["fleiss_kappa", "se_h0"] != pytest.approx(df.loc["fleiss_kappa", "se"])


@pytest.mark.parametrize("name,kwargs", [
    ("percent_agreement", {}), ("fleiss_kappa", {}), ("gwet_ac1", {}),
    ("gwet_ac1", {"weights": "quadratic"}), ("brennan_prediger", {}), ("conger_kappa", {}),
    ("krippendorff_alpha", {}), ("krippendorff_alpha", {"level": "interval"}),
    ("krippendorff_alpha", {"level": "ordinal"}),
])
def test_item_statistic_reproduces_the_coefficient_on_resamples(name, kwargs):
    # The bootstrap's shortcut: finalize(w @ S) for multiplicities w must equal the
    # coefficient recomputed on the resampled data.
    ann = _random_annotations(3)
    func, statistic, _ = agr._resolve(name)
    stat = statistic(ann, **kwargs)
    assert stat.value() == pytest.approx(func(ann, **kwargs), abs=1e-12)
    rng = np.random.default_rng(0)
    for _ in range(5):
        idx = rng.integers(0, ann.n_items, ann.n_items)
        w = np.bincount(idx, minlength=ann.n_items).astype(float)
        got = stat.finalize((w @ stat.S)[None, :])[0]
        assert got == pytest.approx(func(ann.take_items(idx), **kwargs), abs=1e-10)


def test_bootstrap_table_and_reproducibility():
    ann = _random_annotations(5, n_items=200)
    a = agreement(ann, random_state=1, n_resamples=300)
    b = agreement(ann, random_state=1, n_resamples=300)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["value", "se", "ci_low", "ci_high", "p_value", "n_items"]
    assert list(a.index) == ["percent_agreement", "fleiss_kappa", "gwet_ac1",
                             "brennan_prediger", "conger_kappa", "krippendorff_alpha"]
    assert (a["ci_low"] <= a["value"]).all() and (a["value"] <= a["ci_high"]).all()
    assert (a["n_items"] == np.count_nonzero(ann.ratings_per_item() >= 2)).all()
    assert a.attrs["undefined_resamples"]["fleiss_kappa"] == 0


def test_bootstrap_se_shrinks_like_one_over_sqrt_n():
    small = _random_annotations(7, n_items=150)
    big = small.take_items(np.tile(np.arange(small.n_items), 4))  # the same items, 4 times
    se_small = agreement(small, ["fleiss_kappa"], random_state=0,
                         n_resamples=1000).loc["fleiss_kappa", "se"]
    se_big = agreement(big, ["fleiss_kappa"], random_state=0,
                       n_resamples=1000).loc["fleiss_kappa", "se"]
    assert se_big / se_small == pytest.approx(0.5, rel=0.15)


def test_fallback_recomputation_and_cohen_for_two_annotators():
    rng = np.random.default_rng(2)
    truth = rng.integers(0, 2, 80)
    A = np.stack([truth, np.where(rng.random(80) < 0.8, truth, 1 - truth)], axis=1)
    df = agreement(A, random_state=0, n_resamples=200)
    assert "cohen_kappa" in df.index
    # the fallback path (statistic None) gives a comparable standard error
    func, statistic, _ = agr._resolve("fleiss_kappa")
    fallback = agr._bootstrap_values(func, None, "fleiss_kappa", Annotations.from_wide(A),
                                     {}, 400, 0)
    fast = agr._bootstrap_values(func, statistic, "fleiss_kappa", Annotations.from_wide(A),
                                 {}, 400, 0)
    assert np.std(fallback) == pytest.approx(np.std(fast), rel=0.2)


def test_agreement_bad_input():
    ann = _random_annotations(1)
    with pytest.raises(ValueError, match="unknown coefficient 'kappa'"):
        agreement(ann, ["kappa"])
    with pytest.raises(ValueError, match="ci must be"):
        agreement(ann, ci="jackknife")
    with pytest.raises(ValueError, match="confidence"):
        agreement(ann, confidence=1.5)
    with pytest.raises(ValueError, match="n_resamples"):
        agreement(ann, n_resamples=1)
    with pytest.raises(TypeError, match="coefficients must be"):
        agreement(ann, [("fleiss_kappa", "quadratic")])
    with pytest.raises(ValueError, match="exactly 2 annotators"):
        agreement(ann, ["cohen_kappa"], ci=None)


# ------------------------------------------------------ analytic interval: t or normal
def _pairs(table):
    t = np.asarray(table)
    i, j = np.nonzero(t)
    return np.repeat(i, t[i, j]), np.repeat(j, t[i, j])


@pytest.mark.parametrize("weights,wt", [(None, None), ("linear", "linear"),
                                        ("quadratic", "quadratic")])
def test_cohen_normal_quantile_is_statsmodels_cohens_kappa(weights, wt):
    # statsmodels' cohens_kappa (the SAS PROC FREQ convention): ASE std_kappa, interval
    # kappa +- z(0.975) * ASE, not capped.
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    table = np.array([[20, 5, 1, 0], [4, 15, 3, 1], [1, 2, 12, 3], [0, 1, 2, 9]])
    a, b = _pairs(table)
    ref = inter_rater.cohens_kappa(table, wt=wt) if wt else inter_rater.cohens_kappa(table)
    coefs = [("cohen_kappa", {"weights": weights} if weights else {})]
    df = agreement(np.column_stack([a, b]), coefs, ci="analytic", quantile="normal")
    row = df.iloc[0]
    assert row["value"] == pytest.approx(ref["kappa"], abs=1e-12)
    assert row["se"] == pytest.approx(ref["std_kappa"], abs=1e-12)
    assert row["ci_low"] == pytest.approx(ref["kappa_low"], abs=1e-12)
    assert row["ci_high"] == pytest.approx(ref["kappa_upp"], abs=1e-12)
    assert row["p_value"] == pytest.approx(
        2 * stats.norm.sf(ref["kappa"] / ref["std_kappa"]), rel=1e-9)
    assert df.attrs["quantile"] == "normal"
    # the default: Student's t on n - 1 degrees of freedom (Gwet's irrCAC)
    t = agreement(np.column_stack([a, b]), coefs, ci="analytic").iloc[0]
    q = stats.t.ppf(0.975, table.sum() - 1)
    assert t["ci_low"] == pytest.approx(ref["kappa"] - q * ref["std_kappa"], abs=1e-12)
    assert t["se"] == row["se"] and t["ci_low"] < row["ci_low"]


def test_normal_quantile_is_not_capped_and_is_checked():
    # Almost perfect agreement on few items: the normal interval may pass 1, as in SAS and
    # statsmodels; the t interval of irrCAC is capped at 1.
    table = [[1, 1, 1], [2, 2, 2], [1, 1, 1], [3, 3, 3], [2, 2, 2], [1, 1, 2]]
    normal = agreement(table, ["fleiss_kappa"], ci="analytic", quantile="normal",
                       confidence=0.9).iloc[0]
    z = stats.norm.ppf(0.95)
    assert normal["ci_low"] == pytest.approx(normal["value"] - z * normal["se"], abs=1e-12)
    assert normal["ci_high"] == pytest.approx(normal["value"] + z * normal["se"], abs=1e-12)
    assert normal["ci_high"] > 1.0
    t = agreement(table, ["fleiss_kappa"], ci="analytic", confidence=0.9).iloc[0]
    assert t["ci_high"] == 1.0
    with pytest.raises(ValueError, match="quantile must be 't' or 'normal', got 'z'"):
        agreement(table, ["fleiss_kappa"], ci="analytic", quantile="z")
    boot = agreement(table, ["fleiss_kappa"], n_resamples=50, random_state=0)
    assert boot.attrs["quantile"] is None


@pytest.mark.parametrize("quantile", ["t", "normal"])
def test_analytic_interval_is_nan_without_a_standard_error(quantile):
    # One rated item: the linearised variance needs two, so se and the interval are NaN.
    df = agreement([[1, 1, 2]], ["percent_agreement"], ci="analytic", quantile=quantile)
    assert df.loc["percent_agreement", "value"] == pytest.approx(1 / 3)
    assert df[["se", "ci_low", "ci_high", "p_value"]].isna().all(axis=None)
