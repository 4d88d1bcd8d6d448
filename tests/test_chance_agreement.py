"""Chance-corrected agreement: Fleiss, Scott, Gwet, Brennan-Prediger, Conger, Cohen.

Published values (sources cited per test):

* ``tests/data/agreement_canonical_fixtures/canonical_fixtures.json``: Wikipedia's Fleiss
  example, Fleiss (1971) diagnoses (R ``irr::kappam.fleiss``), the SAS PROC FREQ Cohen
  example (from statsmodels' tests) and Wikipedia's Cohen example.
* ``tests/data/irrcac_expected/irrcac_expected_chance.json``: Gwet's (2014) datasets as
  computed by irrCAC 0.4.4, cross-checked against the 3-decimal asserts of irrCAC's own unit
  tests.

Peers on random data: statsmodels, nltk and scikit-learn, to 1e-10.
"""

from __future__ import annotations

import math

import datafiles
import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from multiplicity.annotation import Annotations
from multiplicity.annotation import _chance as C
from multiplicity.annotation._chance import (
    brennan_prediger,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    gwet_ac1,
    percent_agreement,
    scott_pi,
    weight_matrix,
)

MULTI = {"fleiss": fleiss_kappa, "gwet": gwet_ac1, "conger": conger_kappa,
         "bp": brennan_prediger}
ANALYTIC = {"fleiss": C._fleiss_kappa_analytic, "gwet": C._gwet_ac1_analytic,
            "conger": C._conger_kappa_analytic, "bp": C._brennan_prediger_analytic}
ALL = {"percent_agreement": percent_agreement, "fleiss_kappa": fleiss_kappa,
       "scott_pi": scott_pi, "gwet_ac1": gwet_ac1, "brennan_prediger": brennan_prediger,
       "conger_kappa": conger_kappa}
STATISTIC = {name: getattr(C, f"_{name}_statistic") for name in ALL}


def _table_to_pairs(table) -> tuple[np.ndarray, np.ndarray]:
    """Rater A / rater B label vectors from a contingency table."""
    t = np.asarray(table)
    i, j = np.nonzero(t)
    return np.repeat(i, t[i, j]), np.repeat(j, t[i, j])


# ------------------------------------------------------------- published values
def test_wikipedia_fleiss_example():
    # Wikipedia "Fleiss' kappa" worked example; statsmodels test_fleiss_kappa (0.210).
    fx = datafiles.canonical_fixtures()["wikipedia_fleiss_kappa_example"]
    ann = Annotations.from_counts(fx["table"])
    full = fx["full_precision"]
    assert fleiss_kappa(ann) == pytest.approx(full["kappa_statsmodels"], abs=1e-12)
    assert round(fleiss_kappa(ann), 3) == fx["published"]["kappa"]
    assert percent_agreement(ann) == pytest.approx(full["P_bar"], abs=1e-12)
    assert brennan_prediger(ann) == pytest.approx(full["randolph_kappa_statsmodels"],
                                                  abs=1e-12)
    stat = C._fleiss_kappa_statistic(ann)
    assert stat.value() == pytest.approx(full["kappa_statsmodels"], abs=1e-12)


def test_fleiss_1971_diagnoses_value_and_h0_z():
    # Fleiss (1971); R irr::kappam.fleiss 0.4302445, z = 17.65183 (statsmodels tests).
    fx = datafiles.canonical_fixtures()["fleiss_1971_diagnoses"]
    full = fx["full_precision"]
    raw = pd.read_csv(datafiles.data_path("fleiss1971_psychiatric_diagnoses",
                                      "diagnoses_30x6_raw.csv"), index_col=0)
    counts = pd.read_csv(datafiles.data_path("fleiss1971_psychiatric_diagnoses",
                                         "diagnoses_30x5_counts.csv"), index_col=0)
    for data in (raw, Annotations.from_counts(counts)):
        assert fleiss_kappa(data) == pytest.approx(full["fleiss_kappa"], abs=1e-12)
        res = C._fleiss_kappa_analytic(data)
        assert res["se_h0"] == pytest.approx(full["se_under_H0"], abs=1e-12)
        assert res["z"] == pytest.approx(full["z"], abs=1e-9)
        assert res["z_h0"] == res["z"]
        assert round(res["z"], 5) == fx["published"]["z_R_irr"]
        assert res["p_value"] < 1e-60
        # Gwet's linearised SE is a different (larger, not-under-H0) quantity.
        assert res["se"] > res["se_h0"]
    assert round(fleiss_kappa(raw), 7) == fx["published"]["fleiss_kappa_R_irr"]
    # nltk values of the same data (stored in the fixture): Conger = Davies-Fleiss
    # multi_kappa, Brennan-Prediger = S, Scott's pi = Fleiss.
    assert conger_kappa(raw) == pytest.approx(full["nltk_multi_kappa_(Davies-Fleiss)"],
                                              abs=1e-12)
    assert brennan_prediger(raw) == pytest.approx(full["nltk_S"], abs=1e-12)
    assert scott_pi(raw) == pytest.approx(full["nltk_pi_(=Fleiss)"], abs=1e-12)


def test_cohen_sas_example():
    # SAS PROC FREQ printout, via statsmodels test_inter_rater.py table10. SAS's default
    # weighted kappa uses Cicchetti-Allison (linear) weights on the scores 0, 1, 2.
    fx = datafiles.canonical_fixtures()["cohen_kappa_sas_example"]
    a, b = _table_to_pairs(fx["table"])
    pub, full = fx["published"], fx["full_precision"]
    assert cohen_kappa(a, b) == pytest.approx(full["unweighted_kappa"], abs=1e-12)
    assert cohen_kappa(a, b, "linear") == pytest.approx(full["weighted_kappa"], abs=1e-12)
    for weights, key in ((None, "unweighted"), ("linear", "weighted_linear_scores_0_1_2")):
        res = C._cohen_kappa_analytic(a, b, weights)
        assert round(res["se"], 4) == pub[key]["ASE"]
        assert round(res["se_h0"], 4) == pub[key]["ASE_H0"]
        assert round(res["z"], 4) == pub[key]["z"]
        assert round(res["p_value"], 4) == pub[key]["p_two_sided"]
    assert round(cohen_kappa(a, b), 4) == pub["unweighted"]["kappa"]


def test_wikipedia_cohen_example():
    fx = datafiles.canonical_fixtures()["wikipedia_cohen_kappa_example"]
    a, b = _table_to_pairs(fx["table"])
    labels = np.array(["yes", "no"])
    assert cohen_kappa(labels[a], labels[b]) == pytest.approx(fx["full_precision"]["kappa"],
                                                              abs=1e-12)


# ------------------------------------------------------------------ Gwet / irrCAC
def _irrcac_cases():
    exp = datafiles.irrcac_expected("chance")["values"]
    return [(ds, w, coef, e) for ds, ws in exp.items() for w, cs in ws.items()
            for coef, e in cs.items()]


IRRCAC = _irrcac_cases()


@pytest.mark.parametrize("dataset,weights,coef,expected", IRRCAC,
                         ids=[f"{d}-{w}-{c}" for d, w, c, _ in IRRCAC])
def test_irrcac_values_and_standard_errors(dataset, weights, coef, expected):
    data = Annotations.from_wide(datafiles.irrcac_table(dataset))
    w = None if weights == "identity" else weights
    assert MULTI[coef](data, weights=w) == pytest.approx(expected["value"], abs=1e-8)
    res = ANALYTIC[coef](data, weights=w)
    assert res["se"] == pytest.approx(expected["se"], abs=1e-8)
    assert res["pa"] == pytest.approx(expected["pa"], abs=1e-8)
    assert res["pe"] == pytest.approx(expected["pe"], abs=1e-8)
    assert percent_agreement(data, weights=w) == pytest.approx(expected["pa"], abs=1e-8)


def test_irrcac_unit_test_values_to_three_decimals():
    # afergadis/irrCAC test/unit/irrCAC/raw/test_*.py assert these to 3 decimals.
    exp = datafiles.irrcac_expected("chance")["irrcac_unit_tests_3dp"]
    for coef, per in exp["unweighted"].items():
        for ds, (value, se) in per.items():
            data = datafiles.irrcac_table(ds)
            assert round(MULTI[coef](data), 3) == value
            if se is not None:
                assert round(ANALYTIC[coef](data)["se"], 3) == se
    data = datafiles.irrcac_table("raw_4raters")
    for coef, per in exp["raw_4raters_weighted"].items():
        for w, (value, se) in per.items():
            assert round(MULTI[coef](data, weights=w), 3) == pytest.approx(value)
            assert round(ANALYTIC[coef](data, weights=w)["se"], 3) == pytest.approx(se)


def test_percent_agreement_se_matches_brennan_prediger_on_complete_data():
    # raw_gender is complete: then Gwet's BP variance is the pa variance / (1 - pe)^2
    # (irrCAC pa.coeff.raw and bp.coeff.raw), and BP's SE is checked against irrCAC.
    data = datafiles.irrcac_table("raw_gender")
    bp = C._brennan_prediger_analytic(data)
    pa = C._percent_agreement_analytic(data)
    assert pa["se"] == pytest.approx(bp["se"] * (1 - bp["pe"]), abs=1e-12)


# ---------------------------------------------------------------- peer libraries
def _random_complete(seed, n_items=40, n_raters=4, k=4):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    noise = rng.integers(0, k, (n_items, n_raters))
    keep = rng.random((n_items, n_raters)) < 0.6
    return np.where(keep, truth[:, None], noise)


@pytest.mark.parametrize("seed", range(5))
def test_statsmodels_fleiss_and_randolph(seed):
    from statsmodels.stats.inter_rater import aggregate_raters
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    X = _random_complete(seed)
    table, _ = aggregate_raters(X)
    assert fleiss_kappa(X) == pytest.approx(sm_fleiss(table, method="fleiss"), abs=1e-10)
    assert scott_pi(X) == pytest.approx(sm_fleiss(table, method="fleiss"), abs=1e-10)
    assert brennan_prediger(X) == pytest.approx(sm_fleiss(table, method="randolph"),
                                                abs=1e-10)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_matches_statsmodels_and_sklearn(seed, weights):
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import cohens_kappa, to_table

    X = _random_complete(seed, n_items=60, n_raters=2, k=5)
    a, b = X[:, 0], X[:, 1]
    k = cohen_kappa(a, b, weights)
    assert k == pytest.approx(cohen_kappa_score(a, b, weights=weights), abs=1e-10)
    table, _ = to_table(X, bins=np.arange(6) - 0.5)  # all 5 categories occur
    assert (table.sum(axis=0) > 0).all() and (table.sum(axis=1) > 0).all()
    sm = cohens_kappa(table, wt=weights, return_results=True) if weights else \
        cohens_kappa(table, return_results=True)
    res = C._cohen_kappa_analytic(a, b, weights)
    assert k == pytest.approx(sm.kappa, abs=1e-10)
    assert res["se"] == pytest.approx(sm.std_kappa, abs=1e-10)
    assert res["se_h0"] == pytest.approx(sm.std_kappa0, abs=1e-10)


@pytest.mark.parametrize("seed", range(4))
def test_nltk_pi_s_kappa_multi_kappa(seed):
    from nltk.metrics.agreement import AnnotationTask

    X = _random_complete(seed, n_items=30, n_raters=3, k=3)
    triples = [(f"c{g}", f"i{i}", int(X[i, g])) for i in range(X.shape[0])
               for g in range(X.shape[1])]
    task = AnnotationTask(triples)
    assert scott_pi(X) == pytest.approx(task.pi(), abs=1e-10)
    assert brennan_prediger(X) == pytest.approx(task.S(), abs=1e-10)
    assert conger_kappa(X) == pytest.approx(task.multi_kappa(), abs=1e-10)
    two = AnnotationTask([t for t in triples if t[0] != "c2"])
    assert cohen_kappa(X[:, 0], X[:, 1]) == pytest.approx(two.kappa(), abs=1e-10)
    assert conger_kappa(X[:, :2]) == pytest.approx(two.kappa(), abs=1e-10)


# ------------------------------------------------------- consistency and contracts
TABLE = [[1, 1, 1, None], [2, 2, 2, 2], [1, 2, 1, None], [3, 3, 3, 1], [2, 2, None, None],
         [1, 1, 2, 1], [3, None, None, None], [None, 2, 1, 2]]


@pytest.mark.parametrize("name", sorted(ALL))
@pytest.mark.parametrize("weights", [None, "quadratic"])
def test_statistic_value_equals_coefficient(name, weights):
    ann = Annotations.from_wide(TABLE)
    stat = STATISTIC[name](ann, weights=weights)
    assert stat.S.shape[0] == ann.n_items
    assert stat.value() == pytest.approx(ALL[name](ann, weights=weights), abs=1e-12)
    # a resample of sums (B, s) -> B values; an all-zero sum is undefined -> NaN
    sums = np.vstack([stat.S.sum(axis=0), np.zeros(stat.S.shape[1]),
                      stat.S[:3].sum(axis=0)])
    out = stat.finalize(sums)
    assert out.shape == (3,)
    assert out[0] == pytest.approx(stat.value())
    assert math.isnan(out[1])


def test_cohen_statistic_and_analytic_helpers():
    a = np.array([1, 2, 3, 1, np.nan, 2, 3, 3, 1])
    b = np.array([1, 2, 2, 1, 3, np.nan, 3, 1, 1])
    stat = C._cohen_kappa_statistic(a, b, weights="linear")
    assert stat.value() == pytest.approx(cohen_kappa(a, b, "linear"), abs=1e-12)
    assert C._cohen_kappa_statistic(np.arange(200), np.arange(200)) is None
    keep = ~(np.isnan(a) | np.isnan(b))
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa(a[keep], b[keep]), abs=1e-15)


def test_conger_statistic_too_wide_returns_none():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 3, (5, 90))  # 90 annotators x 3 categories = 270 columns
    assert C._conger_kappa_statistic(X) is None


def test_conger_equals_cohen_for_two_complete_raters():
    X = _random_complete(3, n_items=50, n_raters=2, k=4)
    assert conger_kappa(X) == pytest.approx(cohen_kappa(X[:, 0], X[:, 1]), abs=1e-12)
    assert cohen_kappa(X) == pytest.approx(cohen_kappa(X[:, 0], X[:, 1]), abs=1e-15)


def test_scott_pi_is_fleiss_and_classical_for_two_raters():
    X = _random_complete(4, n_items=30, n_raters=2, k=3)
    a, b = X[:, 0], X[:, 1]
    pooled = np.bincount(np.concatenate([a, b]), minlength=3) / (2 * len(a))
    po = np.mean(a == b)
    pe = np.sum(pooled**2)
    assert scott_pi(X) == pytest.approx((po - pe) / (1 - pe), abs=1e-12)  # Scott (1955)
    assert C._scott_pi_analytic(X)["se"] == C._fleiss_kappa_analytic(X)["se"]


def test_unrated_items_are_ignored():
    base = Annotations.from_wide(TABLE)
    more = Annotations.from_wide([*TABLE, [None] * 4])
    for name, f in ALL.items():
        assert f(more) == pytest.approx(f(base), abs=1e-14), name
    for helper in (C._fleiss_kappa_analytic, C._gwet_ac1_analytic, C._conger_kappa_analytic,
                   C._brennan_prediger_analytic, C._percent_agreement_analytic):
        assert helper(more)["se"] == pytest.approx(helper(base)["se"], abs=1e-14)


def test_counts_only_data():
    ann = Annotations.from_wide(TABLE)
    counts = Annotations.from_counts(ann.counts(), categories=ann.categories)
    for f in (fleiss_kappa, scott_pi, gwet_ac1, brennan_prediger, percent_agreement):
        assert f(counts) == pytest.approx(f(ann), abs=1e-14)
        assert f(counts, weights="linear") == pytest.approx(f(ann, weights="linear"),
                                                            abs=1e-14)
    assert C._fleiss_kappa_analytic(counts)["se"] == pytest.approx(
        C._fleiss_kappa_analytic(ann)["se"], abs=1e-14)
    for f in (conger_kappa, C._conger_kappa_statistic, C._conger_kappa_analytic):
        with pytest.raises(ValueError, match="needs annotator identities"):
            f(counts)
    with pytest.raises(ValueError, match="needs annotator identities"):
        cohen_kappa(counts)


def test_repeated_ratings_each_count():
    # duplicates="keep": every rating counts, as if by a separate annotator.
    df = pd.DataFrame({"item": [0, 0, 0, 1, 1, 2, 2, 2, 3, 3],
                       "annotator": ["a", "a", "b", "a", "b", "a", "b", "b", "a", "b"],
                       "label": [1, 1, 2, 2, 2, 1, 1, 2, 3, 3]})
    ann = Annotations.from_long(df, duplicates="keep")
    assert ann.has_duplicates
    counts = Annotations.from_counts(ann.counts(), categories=ann.categories)
    for f in (fleiss_kappa, gwet_ac1, brennan_prediger, percent_agreement):
        assert f(ann) == pytest.approx(f(counts), abs=1e-14)
    # item 0: ratings 1, 1, 2 -> 2 of 6 ordered pairs agree
    assert percent_agreement(ann.take_items([0])) == pytest.approx(1 / 3)
    assert math.isfinite(conger_kappa(ann))
    stat = C._conger_kappa_statistic(ann)
    assert stat.value() == pytest.approx(conger_kappa(ann), abs=1e-12)


def test_weight_names_and_matrices_agree():
    ann = Annotations.from_wide(TABLE)
    for name in C.WEIGHT_NAMES:
        W = weight_matrix(name, [1, 2, 3])
        npt.assert_allclose(W, W.T)
        npt.assert_allclose(np.diag(W), 1.0)
        for f in (gwet_ac1, fleiss_kappa, brennan_prediger, conger_kappa):
            assert f(ann, weights=W) == pytest.approx(f(ann, weights=name), abs=1e-14)
    assert gwet_ac1(ann, weights="identity") == gwet_ac1(ann)
    # string labels in a given order: weights use the ranks 1..q in that order
    letters = Annotations.from_wide(np.where(pd.isna(np.array(TABLE, dtype=float)), None,
                                             np.array(TABLE, dtype=object)))
    named = letters.to_wide().replace({1: "c", 2: "b", 3: "a"})   # c < b < a
    ordered = Annotations.from_wide(named, categories=["c", "b", "a"])
    assert gwet_ac1(ordered, weights="quadratic") == pytest.approx(
        gwet_ac1(ann, weights="quadratic"), abs=1e-14)
    # without a given order, a weight name on words raises (a matrix is explicit)
    with pytest.raises(ValueError, match="weights='quadratic' depends on the order"):
        gwet_ac1(named, weights="quadratic")
    W = weight_matrix("quadratic", [1, 2, 3])
    assert gwet_ac1(named, weights=W[::-1, ::-1]) == pytest.approx(
        gwet_ac1(ann, weights="quadratic"), abs=1e-14)


def test_numeric_category_values_set_the_weights():
    X = np.array([[1, 1, 2], [2, 2, 10], [10, 10, 10], [1, 2, 1]])
    ranks = np.searchsorted([1, 2, 10], X) + 1
    W = weight_matrix("linear", [1, 2, 10])
    assert W[0, 1] == pytest.approx(1 - 1 / 9)
    assert gwet_ac1(X, weights="linear") == pytest.approx(gwet_ac1(X, weights=W))
    assert gwet_ac1(X, weights="linear") != pytest.approx(gwet_ac1(ranks, weights="linear"))
    assert gwet_ac1(X, weights="ordinal") == pytest.approx(gwet_ac1(ranks, weights="ordinal"))


def test_agreement_integration():
    from multiplicity.annotation import agreement

    names = ["percent_agreement", "fleiss_kappa", "scott_pi", "gwet_ac1",
             "brennan_prediger", "conger_kappa"]
    df = agreement(TABLE, names, ci="analytic")
    for name in names:
        assert df.loc[name, "value"] == pytest.approx(ALL[name](TABLE), abs=1e-14)
        assert df.loc[name, "se"] > 0
    boot = agreement(TABLE, names, ci="bootstrap", n_resamples=20, random_state=0)
    assert np.isfinite(boot["se"]).all()
    two = [[1, 1], [1, 2], [2, 2], [3, 3], [None, 1], [2, 2]]
    df2 = agreement(two, ["cohen_kappa"], ci="analytic")
    assert df2.loc["cohen_kappa", "value"] == pytest.approx(cohen_kappa(two))


# ------------------------------------------------------------------- properties
LABELS = st.sampled_from([np.nan, 0.0, 1.0, 2.0, 3.0])


@st.composite
def annotation_tables(draw, max_items=12, max_annotators=5):
    n = draw(st.integers(2, max_items))
    m = draw(st.integers(2, max_annotators))
    X = draw(hnp.arrays(np.float64, (n, m), elements=LABELS))
    X[0, :2] = draw(st.sampled_from([0.0, 1.0]))   # at least one item with two ratings
    return X


def _values(X, weights=None):
    return np.array([f(X, weights=weights, on_undefined="nan") for f in ALL.values()])


@given(X=annotation_tables(), data=st.data())
def test_invariant_to_item_and_annotator_order(X, data):
    rows = data.draw(st.permutations(range(X.shape[0])))
    cols = data.draw(st.permutations(range(X.shape[1])))
    npt.assert_allclose(_values(X[rows][:, cols]), _values(X), rtol=0, atol=1e-12)
    npt.assert_allclose(_values(X[rows][:, cols], "quadratic"), _values(X, "quadratic"),
                        rtol=0, atol=1e-12)


@given(X=annotation_tables(), perm=st.permutations(["w", "x", "y", "z"]))
def test_invariant_to_label_renaming(X, perm):
    names = np.array(perm, dtype=object)
    renamed = np.full(X.shape, None, dtype=object)
    present = ~np.isnan(X)
    renamed[present] = names[X[present].astype(int)]
    npt.assert_allclose(_values(renamed), _values(X), rtol=0, atol=1e-12)


@given(X=annotation_tables())
def test_bounds(X):
    v = _values(X)
    pa = percent_agreement(X)
    assert 0.0 <= pa <= 1.0
    assert np.all(v[np.isfinite(v)] <= 1.0 + 1e-12)
    vw = _values(X, "linear")
    assert np.all(vw[np.isfinite(vw)] <= 1.0 + 1e-12)


@given(X=annotation_tables())
def test_perfect_agreement_gives_one(X):
    truth = np.arange(X.shape[0]) % 2                # two categories occur
    Y = np.where(np.isnan(X), np.nan, truth[:, None].astype(float))
    Y[:2, :2] = truth[:2, None]                      # items 0 and 1 rated twice
    for name, f in ALL.items():
        assert f(Y) == pytest.approx(1.0, abs=1e-12), name
    assert cohen_kappa(Y[:, 0], Y[:, 1]) == pytest.approx(1.0)


# -------------------------------------------------------------------- bad input
def test_no_item_with_two_ratings():
    X = [[1, None], [None, 2], [3, None]]
    for name, f in ALL.items():
        with pytest.raises(ValueError, match="no item has two or more ratings"):
            f(X)
        assert math.isnan(f(X, on_undefined="nan")), name


def test_single_category_is_undefined():
    X = [[1, 1, 1], [1, 1, None], [1, None, 1]]
    for name in ("fleiss_kappa", "scott_pi", "gwet_ac1", "brennan_prediger",
                 "conger_kappa"):
        with pytest.raises(ValueError, match=r"only one category \(1\) occurs.*0 / 0"):
            ALL[name](X)
        assert math.isnan(ALL[name](X, on_undefined="nan"))
    assert percent_agreement(X) == 1.0
    with pytest.raises(ValueError, match="only one category"):
        cohen_kappa(["a", "a", "a"], ["a", "a", "a"])
    assert math.isnan(cohen_kappa(["a", "a"], ["a", "a"], on_undefined="nan"))
    with pytest.raises(ValueError, match="on_undefined must be"):
        fleiss_kappa(TABLE, on_undefined="zero")


def test_bad_weights():
    with pytest.raises(ValueError, match=r"weights must be None, one of .*'cubic'"):
        gwet_ac1(TABLE, weights="cubic")
    with pytest.raises(ValueError, match=r"weights must be a \(3, 3\) matrix.*\(2, 2\)"):
        fleiss_kappa(TABLE, weights=np.eye(2))
    asym = np.array([[1, 0.5, 0], [0.2, 1, 0.5], [0, 0.5, 1]])
    with pytest.raises(ValueError, match="symmetric"):
        brennan_prediger(TABLE, weights=asym)
    with pytest.raises(ValueError, match=r"in \[0, 1\] with 1 on the diagonal"):
        gwet_ac1(TABLE, weights=np.full((3, 3), 2.0))
    with pytest.raises(ValueError, match="weights must be"):
        cohen_kappa([1, 2, 3], [1, 2, 2], weights="cubic")
    with pytest.raises(ValueError, match="ratio weights need non-negative"):
        weight_matrix("ratio", [-1, 0, 1])


def test_bad_cohen_vectors():
    with pytest.raises(ValueError, match="a and b must have the same length, got 3 and 2"):
        cohen_kappa([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match=r"at least 2 items rated by both a and b.*got 1"):
        cohen_kappa([1, None, 3], [1, 2, None])
    with pytest.raises(ValueError, match="a must be a 1-D vector"):
        cohen_kappa([[1, 2]], [1, 2])
    with pytest.raises(ValueError, match="needs exactly 2 annotators, the data has 3"):
        cohen_kappa([[1, 2, 3], [1, 2, 3]])


def test_conger_needs_two_annotators_with_ratings():
    df = pd.DataFrame({"item": [0, 0, 1, 1], "annotator": ["a"] * 4, "label": [1, 2, 2, 2]})
    ann = Annotations.from_long(df, duplicates="keep")
    with pytest.raises(ValueError, match="at least two annotators with ratings"):
        conger_kappa(ann)


# ------------------------------------------------------------------- larger data
@pytest.mark.slow
def test_large_random_data_matches_statsmodels():
    from statsmodels.stats.inter_rater import aggregate_raters
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    X = _random_complete(7, n_items=100_000, n_raters=8, k=6)
    table, _ = aggregate_raters(X)
    assert fleiss_kappa(X) == pytest.approx(sm_fleiss(table), abs=1e-10)


@pytest.mark.parametrize("k", [4, 20])
@pytest.mark.parametrize("setting", [("SERIAL_BELOW", 0), ("DENSE_K", 0), ("DENSE_K", 64)])
def test_kernel_paths_agree(monkeypatch, k, setting):
    # threaded vs serial twin; dense (loops over all k) vs sparse (seen categories) loops
    from multiplicity.annotation import _chance_kernels

    X = _random_complete(11, n_items=150, n_raters=5, k=k).astype(float)
    X[::7, 1] = np.nan
    default = [_values(X), _values(X, "quadratic")]
    monkeypatch.setattr(_chance_kernels, *setting)
    npt.assert_allclose(_values(X), default[0], rtol=0, atol=1e-12)
    npt.assert_allclose(_values(X, "quadratic"), default[1], rtol=0, atol=1e-12)


ANALYTIC_ALL = [C._percent_agreement_analytic, C._fleiss_kappa_analytic, C._scott_pi_analytic,
                C._gwet_ac1_analytic, C._brennan_prediger_analytic, C._conger_kappa_analytic]


@pytest.mark.parametrize("helper", ANALYTIC_ALL, ids=lambda f: f.__name__)
def test_analytic_helpers_on_degenerate_data(helper):
    # no pair of ratings, a single category, a single rated item: se is NaN, no warning
    assert math.isnan(helper([[1, None], [None, 2]])["se"])
    single = helper([[1, 1], [1, 1]])["se"]
    assert single == 0.0 if helper is C._percent_agreement_analytic else math.isnan(single)
    assert math.isnan(helper([[1, 2], [None, None]])["se"])
    if helper is C._fleiss_kappa_analytic:
        assert math.isnan(helper([[1, 1], [1, 1]])["se_h0"])            # one category
        assert math.isnan(helper([[1, 2, 1], [1, 2, None]])["se_h0"])  # unequal r_i
        assert math.isnan(helper(TABLE, weights="linear")["se_h0"])    # weighted


def test_cohen_analytic_undefined_and_input_types():
    res = C._cohen_kappa_analytic(["a", "a"], ["a", "a"])
    assert all(math.isnan(res[key]) for key in ("se", "se_h0", "z", "p_value"))
    a = pd.Series(["x", "y", "y", None, "x"])
    b = ["x", "y", "x", "y", "x"]
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa(["x", "y", "y", "x"],
                                                          ["x", "y", "x", "x"]))
    days = np.array(["2024-01-01", "2024-01-02", "2024-01-02"], dtype="datetime64[D]")
    assert cohen_kappa(days, days) == 1.0
    assert cohen_kappa(list(days), list(days)) == 1.0
    assert cohen_kappa([(0, 1), (1, 0), (1, 0)], [(0, 1), (1, 0), (0, 1)]) == \
        pytest.approx(cohen_kappa([0, 1, 1], [0, 1, 0]))               # any hashable labels
    assert cohen_kappa(iter([1, 2, 1]), (1, 2, 2)) == pytest.approx(cohen_kappa([1, 2, 1],
                                                                                [1, 2, 2]))
    with pytest.raises(ValueError, match="weights must be None"):
        weight_matrix("cubic", [1, 2])
    with pytest.raises(ValueError, match="weights must be None"):
        gwet_ac1(TABLE, weights=[["a", "b"], ["c", "d"]])


def _table_cases():
    exp = datafiles.irrcac_expected("chance")["table_variants"]["values"]
    return [(ds, w, cs) for ds, ws in exp.items() for w, cs in ws.items()]


TABLE_CASES = _table_cases()


@pytest.mark.parametrize("dataset,weights,expected", TABLE_CASES,
                         ids=[f"{d}-{w}" for d, w, _ in TABLE_CASES])
def test_irrcac_two_rater_table_variants(dataset, weights, expected):
    # irrCAC .table functions (bp2, kappa2, gwet.ac1, pa2, scott2) on contingency tables:
    # equal values; Gwet's two-rater SEs divide by n^2 where the raw ones divide by
    # n (n - 1), so they differ by sqrt(n / (n - 1)); Cohen's SE equals ours (FCE 1969).
    t = datafiles.canonical_fixtures()["irrcac_gwet_datasets"]["tables"][dataset]
    a, b = _table_to_pairs([row[1:] for row in t["data"]])
    a, b = a + 1, b + 1                                   # irrCAC weights use ranks 1..q
    X = np.column_stack([a, b])
    w = None if weights == "identity" else weights
    n = len(a)
    ours = {"bp": (brennan_prediger, C._brennan_prediger_analytic),
            "gwet": (gwet_ac1, C._gwet_ac1_analytic),
            "pa2": (percent_agreement, C._percent_agreement_analytic),
            "scott": (scott_pi, C._scott_pi_analytic)}
    for coef, (f, helper) in ours.items():
        assert f(X, weights=w) == pytest.approx(expected[coef]["value"], abs=1e-9)
        se = helper(X, weights=w)["se"] * math.sqrt((n - 1) / n)
        assert se == pytest.approx(expected[coef]["se"], abs=1e-9)
    assert cohen_kappa(a, b, w) == pytest.approx(expected["cohen"]["value"], abs=1e-9)
    assert C._cohen_kappa_analytic(a, b, w)["se"] == pytest.approx(expected["cohen"]["se"],
                                                                   abs=1e-9)
