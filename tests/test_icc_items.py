"""intraclass_correlation, item_disagreement and soft_labels against published values,
slow loop-based oracles, scipy/statsmodels, and properties."""

from __future__ import annotations

import math
from collections import Counter

import datafiles
import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from multiplicity._errors import ON_UNDEFINED
from multiplicity.annotation import Annotations, agreement
from multiplicity.annotation._icc import (
    DUPLICATES,
    FORM_K_MISMATCH,
    ICC_FORMS,
    INCOMPLETE,
    MISSING_OPTION,
    NEEDS_ANNOTATORS,
    NOT_NUMERIC,
    TOO_FEW,
    _intraclass_correlation_analytic,
    _intraclass_correlation_statistic,
    intraclass_correlation,
)
from multiplicity.annotation._items import (
    DISAGREEMENT_MEASURES,
    VARIANCE_NOT_NUMERIC,
    item_disagreement,
    soft_labels,
)

SF_TABLE = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9],
            [6, 2, 4, 7]]
FORMS = list(ICC_FORMS)
PINGOUIN_NAMES = {"ICC(1,1)": "ICC(1,1)", "ICC(2,1)": "ICC(A,1)", "ICC(3,1)": "ICC(C,1)",
                  "ICC(1,k)": "ICC(1,k)", "ICC(2,k)": "ICC(A,k)", "ICC(3,k)": "ICC(C,k)"}


def _fixture():
    return datafiles.canonical_fixtures()["shrout_fleiss_1979_icc"]


# --------------------------------------------------------------------------- oracles
def oracle_mean_squares(table):
    """Two-way ANOVA of a complete table with explicit loops (no vectorisation)."""
    X = [[float(v) for v in row] for row in table]
    n, k = len(X), len(X[0])
    grand = sum(sum(row) for row in X) / (n * k)
    rmean = [sum(row) / k for row in X]
    cmean = [sum(X[i][j] for i in range(n)) / n for j in range(k)]
    ssr = k * sum((r - grand) ** 2 for r in rmean)
    ssc = n * sum((c - grand) ** 2 for c in cmean)
    sst = sum((X[i][j] - grand) ** 2 for i in range(n) for j in range(k))
    sse = sum((X[i][j] - rmean[i] - cmean[j] + grand) ** 2 for i in range(n)
              for j in range(k))
    return {"msr": ssr / (n - 1), "msc": ssc / (k - 1), "mse": sse / ((n - 1) * (k - 1)),
            "msw": (sst - ssr) / (n * (k - 1)), "n": n, "k": k}


def oracle_icc(table, form):
    m = oracle_mean_squares(table)
    msr, msc, mse, msw, n, k = m["msr"], m["msc"], m["mse"], m["msw"], m["n"], m["k"]
    # Only the requested form is evaluated: another form may be 0/0 on the same table.
    formulas = {
        "ICC(1,1)": lambda: (msr - msw) / (msr + (k - 1) * msw),
        "ICC(2,1)": lambda: (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n),
        "ICC(3,1)": lambda: (msr - mse) / (msr + (k - 1) * mse),
        "ICC(1,k)": lambda: (msr - msw) / msr,
        "ICC(2,k)": lambda: (msr - mse) / (msr + (msc - mse) / n),
        "ICC(3,k)": lambda: (msr - mse) / msr,
    }
    return formulas[form]()


def oracle_ci(table, form, confidence=0.95):
    """Shrout & Fleiss (1979) / McGraw & Wong (1996) intervals, written out per form."""
    m = oracle_mean_squares(table)
    msr, msc, mse, msw, n, k = m["msr"], m["msc"], m["mse"], m["msw"], m["n"], m["k"]
    alpha = 1 - confidence
    f = scipy.stats.f.ppf
    if form in ("ICC(1,1)", "ICC(1,k)"):
        F, d1, d2 = msr / msw, n - 1, n * (k - 1)
    else:
        F, d1, d2 = msr / mse, n - 1, (n - 1) * (k - 1)
    FL = F / f(1 - alpha / 2, d1, d2)
    FU = F * f(1 - alpha / 2, d2, d1)
    p = scipy.stats.f.sf(F, d1, d2)
    if form in ("ICC(1,1)", "ICC(3,1)"):
        return (FL - 1) / (FL + k - 1), (FU - 1) / (FU + k - 1), p
    if form in ("ICC(1,k)", "ICC(3,k)"):
        return 1 - 1 / FL, 1 - 1 / FU, p
    r = oracle_icc(table, "ICC(2,1)")
    fj = msc / mse
    vn = (k - 1) * (n - 1) * (k * r * fj + n * (1 + (k - 1) * r) - k * r) ** 2
    vd = (n - 1) * k**2 * r**2 * fj**2 + (n * (1 + (k - 1) * r) - k * r) ** 2
    v = vn / vd
    fu, fl = f(1 - alpha / 2, n - 1, v), f(1 - alpha / 2, v, n - 1)
    lo = n * (msr - fu * mse) / (fu * (k * msc + (k * n - k - n) * mse) + n * msr)
    hi = n * (fl * msr - mse) / (k * msc + (k * n - k - n) * mse + n * fl * msr)
    if form == "ICC(2,k)":
        lo, hi = lo * k / (1 + lo * (k - 1)), hi * k / (1 + hi * (k - 1))
    return lo, hi, p


def _rows(table):
    """Present labels of each row of a wide table (None/NaN dropped)."""
    out = []
    for row in table:
        out.append([v for v in row if v is not None and not (isinstance(v, float)
                                                              and math.isnan(v))])
    return out


def oracle_disagreement(table, measure, k):
    out = []
    for labels in _rows(table):
        if not labels:
            out.append(math.nan)
            continue
        m = len(labels)
        p = [c / m for c in Counter(labels).values()]
        if measure == "entropy":
            out.append(-sum(q * math.log(q) for q in p))
        elif measure == "normalized_entropy":
            out.append(-sum(q * math.log(q) for q in p) / math.log(k) if k > 1 else 0.0)
        elif measure == "minority_share":
            out.append(1 - max(p))
        elif measure == "gini":
            out.append(1 - sum(q * q for q in p))
        else:
            mean = sum(labels) / m
            out.append(sum((v - mean) ** 2 for v in labels) / m)
    return np.array(out)


def oracle_soft_labels(table, categories, s):
    out = []
    for labels in _rows(table):
        cnt = Counter(labels)
        den = len(labels) + len(categories) * s
        out.append([(cnt[c] + s) / den if den > 0 else math.nan for c in categories])
    return np.array(out, dtype=float).reshape(len(table), len(categories))


# ------------------------------------------------------------------------ strategies
@st.composite
def complete_tables(draw, min_items=2, max_items=8, max_annotators=5):
    n = draw(st.integers(min_items, max_items))
    k = draw(st.integers(2, max_annotators))
    return draw(hnp.arrays(np.int64, (n, k), elements=st.integers(0, 6))).astype(float)


@st.composite
def sparse_tables(draw, max_items=8, max_annotators=5, max_categories=4):
    """Float tables of labels 0..q-1 with NaN for missing entries."""
    n = draw(st.integers(1, max_items))
    m = draw(st.integers(1, max_annotators))
    q = draw(st.integers(1, max_categories))
    codes = draw(hnp.arrays(np.int64, (n, m), elements=st.integers(-1, q - 1)))
    table = codes.astype(float)
    table[codes < 0] = np.nan
    return table


def _random_table(rng, n, k):
    items = rng.normal(0, 2, (n, 1))
    raters = rng.normal(0, 1, (1, k))
    return np.round(5 + items + raters + rng.normal(0, 1, (n, k)), 3)


# ============================================================================== ICC
@pytest.mark.parametrize("form", FORMS)
def test_icc_shrout_fleiss_published(form):
    fx = _fixture()
    name = form.replace(",k)", ",4)")
    value = intraclass_correlation(fx["table"], form)
    assert round(value, 2) == fx["published"][name]
    pg = fx["full_precision_pingouin_0_6_1"][PINGOUIN_NAMES[form]]
    npt.assert_allclose(value, pg["ICC"], rtol=0, atol=1e-12)
    assert intraclass_correlation(fx["table"], name) == pytest.approx(value, abs=1e-15)


@pytest.mark.parametrize("form", FORMS)
def test_icc_f_test_and_ci_match_pingouin(form):
    fx = _fixture()
    pg = fx["full_precision_pingouin_0_6_1"][PINGOUIN_NAMES[form]]
    res = _intraclass_correlation_analytic(fx["table"], form)
    npt.assert_allclose(res["F"], pg["F"], rtol=1e-12)
    npt.assert_allclose(res["p_value"], pg["pval"], rtol=1e-10)
    assert (res["df1"], res["df2"]) == (pg["df1"], pg["df2"])
    # pingouin rounds its interval to two decimals
    assert [round(res["ci_low"], 2), round(res["ci_high"], 2)] == pg["CI95"]
    lo, hi, p = oracle_ci(fx["table"], form)
    npt.assert_allclose([res["ci_low"], res["ci_high"], res["p_value"]], [lo, hi, p],
                        rtol=1e-10, atol=1e-12)
    assert math.isnan(res["se"])


@pytest.mark.parametrize("seed", range(4))
def test_icc_matches_loop_oracle_on_random_data(seed):
    rng = np.random.default_rng(seed)
    table = _random_table(rng, int(rng.integers(3, 25)), int(rng.integers(2, 7)))
    df = pd.DataFrame(table, columns=[f"r{j}" for j in range(table.shape[1])])
    for form in FORMS:
        expected = oracle_icc(table, form)
        npt.assert_allclose(intraclass_correlation(table, form), expected, rtol=1e-10)
        npt.assert_allclose(intraclass_correlation(df, form), expected, rtol=1e-10)
        stat = _intraclass_correlation_statistic(table, form)
        npt.assert_allclose(stat.value(), expected, rtol=1e-10)
        lo, hi, p = oracle_ci(table, form, 0.9)
        res = _intraclass_correlation_analytic(table, form, confidence=0.9)
        npt.assert_allclose([res["ci_low"], res["ci_high"], res["p_value"]], [lo, hi, p],
                            rtol=1e-10, atol=1e-14)


def test_icc_mean_squares_match_statsmodels():
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    from multiplicity.annotation._icc import _design, _mean_squares

    rng = np.random.default_rng(7)
    table = _random_table(rng, 12, 4)
    long = pd.DataFrame({"y": table.ravel(), "item": np.repeat(np.arange(12), 4),
                         "rater": np.tile(np.arange(4), 12)})
    aov = sm.stats.anova_lm(smf.ols("y ~ C(item) + C(rater)", data=long).fit(), typ=1)
    ms = _mean_squares(_design(table, "ICC(2,1)", "raise", "raise"))
    npt.assert_allclose(ms.msr[0], aov.loc["C(item)", "mean_sq"], rtol=1e-10)
    npt.assert_allclose(ms.msc[0], aov.loc["C(rater)", "mean_sq"], rtol=1e-10)
    npt.assert_allclose(ms.mse[0], aov.loc["Residual", "mean_sq"], rtol=1e-10)
    one_way = sm.stats.anova_lm(smf.ols("y ~ C(item)", data=long).fit(), typ=1)
    npt.assert_allclose(ms.msw[0], one_way.loc["Residual", "mean_sq"], rtol=1e-10)


@pytest.mark.parametrize(("alias", "form"), [
    ("ICC1", "ICC(1,1)"), ("icc2", "ICC(2,1)"), ("ICC3", "ICC(3,1)"), ("ICC1k", "ICC(1,k)"),
    ("ICC2k", "ICC(2,k)"), ("ICC3K", "ICC(3,k)"), ("ICC(1)", "ICC(1,1)"),
    ("ICC(k)", "ICC(1,k)"), ("ICC(A,1)", "ICC(2,1)"), ("ICC(C,1)", "ICC(3,1)"),
    ("ICC(A,k)", "ICC(2,k)"), ("icc(c, k)", "ICC(3,k)"), ("ICC(3,4)", "ICC(3,k)"),
    ("one-way random, single", "ICC(1,1)"), ("One-way random, average", "ICC(1,k)"),
    ("two-way random, absolute agreement, single", "ICC(2,1)"),
    ("two-way mixed, absolute agreement, average", "ICC(2,k)"),
    ("two-way mixed, consistency, single", "ICC(3,1)"),
    ("two-way random, consistency, average", "ICC(3,k)"),
])
def test_icc_aliases(alias, form):
    assert intraclass_correlation(SF_TABLE, alias) == intraclass_correlation(SF_TABLE, form)


@pytest.mark.parametrize("form", ["ICC(4,1)", "ICC(2,1", "kappa", "ICC(2,1)x", 3, None,
                                  "ICC(2,0)"])
def test_icc_unknown_form(form):
    with pytest.raises(ValueError, match="form must be one of"):
        intraclass_correlation(SF_TABLE, form)


def test_icc_explicit_k_must_match():
    with pytest.raises(ValueError, match=r"averages 5 ratings") as err:
        intraclass_correlation(SF_TABLE, "ICC(2,5)")
    assert str(err.value) == FORM_K_MISMATCH.format(form="ICC(2,5)", m=5, k=4,
                                                    canonical="ICC(2,k)")


def test_icc_incomplete_items():
    table = np.array(SF_TABLE, dtype=float)
    full = np.vstack([table, [[1, np.nan, 3, 4], [np.nan] * 4]])
    with pytest.raises(ValueError) as err:
        intraclass_correlation(full)
    assert str(err.value) == INCOMPLETE.format(bad=2, n=8, k=4, good=6)
    for form in FORMS:
        assert intraclass_correlation(full, form, missing="drop_items") == pytest.approx(
            intraclass_correlation(table, form), abs=1e-14)
        res = _intraclass_correlation_analytic(full, form, missing="drop_items")
        assert res["ci_low"] == pytest.approx(
            _intraclass_correlation_analytic(table, form)["ci_low"], abs=1e-14)
        stat = _intraclass_correlation_statistic(full, form, missing="drop_items")
        assert stat.S.shape[0] == 6
    with pytest.raises(ValueError) as err:
        intraclass_correlation(table, missing="drop")
    assert str(err.value) == MISSING_OPTION.format(got="drop")


def test_icc_ignores_annotators_without_ratings():
    long = pd.DataFrame({"item": np.repeat(np.arange(6), 5),
                         "annotator": np.tile(["a", "b", "c", "d", "ghost"], 6),
                         "label": np.column_stack([np.array(SF_TABLE, float),
                                                   np.full(6, np.nan)]).ravel()})
    ann = Annotations.from_long(long)
    assert ann.n_annotators == 5
    for form in FORMS:
        assert intraclass_correlation(ann, form) == pytest.approx(
            intraclass_correlation(SF_TABLE, form), abs=1e-14)


def test_icc_bad_data():
    with pytest.raises(ValueError) as err:
        intraclass_correlation([["a", "b"], ["b", "b"]])
    assert str(err.value) == NOT_NUMERIC.format(cats=["a", "b"])
    with pytest.raises(ValueError) as err:
        intraclass_correlation(Annotations.from_counts([[2, 1], [0, 3]]), "ICC(1,1)")
    assert str(err.value) == NEEDS_ANNOTATORS
    long = pd.DataFrame({"item": [0, 0, 0, 1, 1], "annotator": [0, 1, 1, 0, 1],
                         "label": [1, 2, 3, 4, 5]})
    with pytest.raises(ValueError) as err:
        intraclass_correlation(Annotations.from_long(long, duplicates="keep"))
    assert str(err.value) == DUPLICATES
    with pytest.raises(ValueError) as err:
        intraclass_correlation([[1, 2, 3]])
    assert str(err.value) == TOO_FEW.format(n=1, k=3)
    with pytest.raises(ValueError) as err:
        intraclass_correlation([[1], [2]])
    assert str(err.value) == TOO_FEW.format(n=2, k=1)
    with pytest.raises(ValueError) as err:
        intraclass_correlation(SF_TABLE, on_undefined="zero")
    assert str(err.value) == ON_UNDEFINED.format(got="zero")
    for bad in (0.0, 1.0, True, "0.9"):
        with pytest.raises(ValueError, match="confidence must lie in"):
            _intraclass_correlation_analytic(SF_TABLE, confidence=bad)


@pytest.mark.parametrize("form", FORMS)
def test_icc_constant_ratings_undefined(form):
    table = np.full((4, 3), 2.5)
    with pytest.raises(ValueError, match="every rating is the same"):
        intraclass_correlation(table, form)
    with pytest.raises(ValueError, match="every rating is the same"):
        _intraclass_correlation_analytic(table, form)
    assert math.isnan(intraclass_correlation(table, form, on_undefined="nan"))
    res = _intraclass_correlation_analytic(table, form, on_undefined="nan")
    assert math.isnan(res["ci_low"]) and math.isnan(res["p_value"])
    stat = _intraclass_correlation_statistic(table, form, on_undefined="nan")
    assert math.isnan(stat.value())


def test_icc_undefined_reasons():
    # identical items, annotators differ by an offset: consistency forms are 0 / 0
    table = np.tile([1.0, 2.0, 4.0], (5, 1))
    for form in ("ICC(3,1)", "ICC(3,k)"):
        with pytest.raises(ValueError, match="annotators' offsets"):
            intraclass_correlation(table, form)
    with pytest.raises(ValueError, match="item means are all equal"):
        intraclass_correlation(table, "ICC(1,k)")
    assert intraclass_correlation(table, "ICC(2,1)") == pytest.approx(0.0, abs=1e-12)
    # MSR + (MSC - MSE)/n = 0 for ICC(2,k): equal item means and MSC = MSE (u . v = 0)
    t2 = np.array([[1.0, -1.0, 0.0], [1.0, 1.0, -2.0]]) + 3.0
    with pytest.raises(ValueError, match=r"MSR \+ \(MSC - MSE\) / n = 0"):
        intraclass_correlation(t2, "ICC(2,k)")


def test_icc_perfect_additive_ratings():
    # x_ij = a_i + b_j: no residual, so the consistency forms are 1 and F is infinite
    table = np.add.outer([1.0, 4.0, 2.0, 8.0], [0.0, 1.0, 3.0])
    for form in ("ICC(3,1)", "ICC(3,k)"):
        assert intraclass_correlation(table, form) == pytest.approx(1.0)
        res = _intraclass_correlation_analytic(table, form)
        assert res["F"] == math.inf and res["p_value"] == 0.0
        assert (res["ci_low"], res["ci_high"]) == (1.0, 1.0)
    for form in ("ICC(2,1)", "ICC(2,k)"):
        value = intraclass_correlation(table, form)
        res = _intraclass_correlation_analytic(table, form)
        assert res["ci_low"] <= value <= res["ci_high"] <= 1.0
    # equal item means: F = 0 and the one-way interval collapses to -1 / (k - 1)
    res = _intraclass_correlation_analytic([[1.0, 2.0], [2.0, 1.0]], "ICC(1,1)")
    assert res["F"] == 0.0 and res["ci_low"] == res["ci_high"] == -1.0
    assert res["p_value"] == 1.0


@pytest.mark.parametrize("form", FORMS)
def test_icc_statistic_finalize_equals_value_on_resamples(form):
    rng = np.random.default_rng(11)
    table = _random_table(rng, 9, 3)
    ann = Annotations.from_wide(table)
    stat = _intraclass_correlation_statistic(ann, form)
    for _ in range(3):
        idx = rng.integers(0, 9, 9)
        w = np.bincount(idx, minlength=9).astype(float)
        got = stat.finalize((w @ stat.S)[None, :])[0]
        npt.assert_allclose(got, intraclass_correlation(ann.take_items(idx), form),
                            rtol=1e-9)
    # one item drawn 9 times, and a single item (n = 1, always undefined): no exception
    out = stat.finalize(np.vstack([stat.S[0] * 9, stat.S[0]]))
    same = intraclass_correlation(ann.take_items([0] * 9), form, on_undefined="nan")
    npt.assert_allclose(out[0], same, atol=1e-9)
    assert np.isnan(out[1])


def test_icc_statistic_width_limit():
    table = np.random.default_rng(3).integers(0, 5, (3, 257)).astype(float)
    assert _intraclass_correlation_statistic(table, "ICC(2,1)") is None
    assert _intraclass_correlation_statistic(table, "ICC(3,k)") is None
    stat = _intraclass_correlation_statistic(table, "ICC(1,1)")
    assert stat.S.shape == (3, 4)
    npt.assert_allclose(stat.value(), intraclass_correlation(table, "ICC(1,1)"), rtol=1e-10)


def test_icc_in_agreement_table():
    df = agreement(SF_TABLE, [("intraclass_correlation", {"form": "ICC(3,1)"})],
                   ci="analytic")
    row = df.iloc[0]
    assert row["value"] == pytest.approx(0.7148407148407154)
    assert row["p_value"] == pytest.approx(0.00013456651648433476)
    assert (round(row["ci_low"], 2), round(row["ci_high"], 2)) == (0.34, 0.95)
    boot = agreement(SF_TABLE, {"intraclass_correlation": {"form": "ICC(2,1)"}},
                     n_resamples=40, random_state=0)
    assert np.isfinite(boot.iloc[0]["se"])


@given(table=complete_tables(), data=st.data())
def test_icc_properties(table, data):
    a = data.draw(st.floats(0.1, 10.0))
    b = data.draw(st.floats(-100.0, 100.0))
    rows = data.draw(st.permutations(range(table.shape[0])))
    cols = data.draw(st.permutations(range(table.shape[1])))
    for form in FORMS:
        value = intraclass_correlation(table, form, on_undefined="nan")
        if math.isnan(value):
            continue
        if not form.startswith("ICC(2"):  # ICC(2,.) can exceed 1 when MSC < MSE
            assert value <= 1.0 + 1e-9
        if form in ("ICC(1,1)", "ICC(3,1)"):
            # -1/(k-1) bounds these two; ICC(2,1) has k(MSC - MSE)/n in its denominator,
            # which can be negative, and the averaged forms are unbounded below.
            assert value >= -1.0 / (table.shape[1] - 1) - 1e-9
        npt.assert_allclose(intraclass_correlation(a * table + b, form, on_undefined="nan"),
                            value, rtol=1e-7, atol=1e-7)
        npt.assert_allclose(intraclass_correlation(table[rows][:, cols], form,
                                                   on_undefined="nan"),
                            value, rtol=1e-9, atol=1e-9)
        npt.assert_allclose(oracle_icc(table, form), value, rtol=1e-8, atol=1e-8)
        stat = _intraclass_correlation_statistic(table, form, on_undefined="nan")
        npt.assert_allclose(stat.value(), value, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("form", FORMS)
def test_icc_large_offset_is_stable(form):
    # ratings near 1e8: centring keeps the mean squares accurate (raw moments would not)
    table = _random_table(np.random.default_rng(2), 15, 4)
    value = intraclass_correlation(table, form)
    npt.assert_allclose(intraclass_correlation(table + 1e8, form), value, rtol=1e-6)
    stat = _intraclass_correlation_statistic(table + 1e8, form)
    npt.assert_allclose(stat.value(), value, rtol=1e-6)


# ================================================================ item_disagreement
TABLE = [[1, 1, 1, None], [1, 2, None, None], [1, 2, 3, 3], [None, None, None, None],
         [3, 3, 2, 1], [2, None, None, None]]


@pytest.mark.parametrize("measure", list(DISAGREEMENT_MEASURES))
def test_item_disagreement_matches_oracle(measure):
    expected = oracle_disagreement(TABLE, measure, 3)
    npt.assert_allclose(item_disagreement(TABLE, measure), expected, rtol=1e-12, atol=1e-15)
    npt.assert_allclose(item_disagreement(Annotations.from_wide(TABLE), measure=measure),
                        expected, rtol=1e-12, atol=1e-15)


def test_item_disagreement_matches_scipy():
    ann = Annotations.from_wide(TABLE)
    C = ann.counts()
    rated = C.sum(axis=1) > 0
    ent = item_disagreement(ann)
    npt.assert_allclose(ent[rated], scipy.stats.entropy(C[rated], axis=1), rtol=1e-12,
                        atol=1e-15)
    npt.assert_allclose(item_disagreement(ann, "normalized_entropy")[rated],
                        scipy.stats.entropy(C[rated], base=3, axis=1), rtol=1e-12,
                        atol=1e-15)
    wide = ann.to_wide().to_numpy()
    npt.assert_allclose(item_disagreement(ann, "variance")[rated],
                        np.nanvar(wide[rated], axis=1), rtol=1e-12, atol=1e-15)
    assert np.isnan(ent[~rated]).all()


def test_item_disagreement_counts_and_strings():
    counts = Annotations.from_counts([[3, 0], [1, 1], [0, 0]], categories=["no", "yes"])
    npt.assert_allclose(item_disagreement(counts, "gini"), [0.0, 0.5, np.nan])
    npt.assert_allclose(item_disagreement([["x", "y"], ["x", "x"]], "minority_share"),
                        [0.5, 0.0])
    with pytest.raises(ValueError) as err:
        item_disagreement([["x", "y"], ["x", "x"]], "variance")
    assert str(err.value) == VARIANCE_NOT_NUMERIC.format(cats=["x", "y"])
    for bad in ("std", "Entropy", None, 1):
        with pytest.raises(ValueError, match="measure must be one of"):
            item_disagreement(TABLE, bad)


def test_item_disagreement_parallel_path(monkeypatch):
    import multiplicity.annotation._items as items

    rng = np.random.default_rng(5)
    table = rng.integers(0, 4, (300, 5)).astype(float)
    table[rng.random(table.shape) < 0.3] = np.nan
    expected = {m: item_disagreement(table, m) for m in DISAGREEMENT_MEASURES}
    monkeypatch.setattr(items, "_PARALLEL_MIN_RATINGS", 0)
    for measure, want in expected.items():
        npt.assert_allclose(item_disagreement(table, measure), want, rtol=1e-12)


def test_item_disagreement_no_ratings():
    for measure in DISAGREEMENT_MEASURES:
        assert np.isnan(item_disagreement([[None, None]], measure)).all()
    assert soft_labels([[None, None]]).shape == (1, 0)


def test_item_disagreement_single_category_and_duplicates():
    npt.assert_allclose(item_disagreement([[1, 1], [1, None]], "normalized_entropy"),
                        [0.0, 0.0])
    long = pd.DataFrame({"item": [0, 0, 0], "annotator": [0, 0, 1], "label": [1, 1, 2]})
    ann = Annotations.from_long(long, duplicates="keep")
    npt.assert_allclose(item_disagreement(ann, "minority_share"), [1 / 3])
    npt.assert_allclose(soft_labels(ann), [[2 / 3, 1 / 3]])


@given(table=sparse_tables(), data=st.data())
def test_item_disagreement_properties(table, data):
    ann = Annotations.from_wide(table)
    k = ann.n_categories
    cols = data.draw(st.permutations(range(table.shape[1])))
    names = np.array(data.draw(st.permutations(["q", "r", "s", "t"])))
    present = ~np.isnan(table)
    renamed = np.full(table.shape, None, dtype=object)
    renamed[present] = names[table[present].astype(int)]
    for measure in DISAGREEMENT_MEASURES:
        d = item_disagreement(table, measure)
        assert d.shape == (table.shape[0],)
        assert np.array_equal(np.isnan(d), ~present.any(axis=1))
        ok = d[~np.isnan(d)]
        assert (ok >= -1e-12).all()
        upper = {"entropy": math.log(max(k, 1)), "normalized_entropy": 1.0,
                 "minority_share": 1 - 1 / max(k, 1), "gini": 1 - 1 / max(k, 1),
                 "variance": np.inf}[measure]
        assert (ok <= upper + 1e-12).all()
        npt.assert_allclose(item_disagreement(table[:, cols], measure), d, rtol=1e-12,
                            atol=1e-12)
        if measure != "variance":
            npt.assert_allclose(item_disagreement(renamed, measure), d, rtol=1e-12,
                                atol=1e-12)
        npt.assert_allclose(d, oracle_disagreement(table.tolist(), measure, k), rtol=1e-10,
                            atol=1e-12)
    npt.assert_allclose(item_disagreement(table + 7.5, "variance"),
                        item_disagreement(table, "variance"), atol=1e-9)


# ====================================================================== soft_labels
def test_soft_labels_matches_oracle():
    ann = Annotations.from_wide(TABLE)
    cats = list(ann.categories)
    for s in (0.0, 0.5, 1, 2.0):
        npt.assert_allclose(soft_labels(TABLE, s), oracle_soft_labels(TABLE, cats, s),
                            rtol=1e-12)
    P = soft_labels(TABLE)
    assert P.shape == (6, 3) and np.isnan(P[3]).all()
    npt.assert_allclose(soft_labels(TABLE, smoothing=1.0)[3], [1 / 3] * 3)
    rated = ~np.isnan(P[:, 0])
    npt.assert_allclose(1 - (P[rated] ** 2).sum(axis=1),
                        item_disagreement(TABLE, "gini")[rated], rtol=1e-12)


def test_soft_labels_column_order_is_categories():
    table = [["dog", "cat", "cat"], ["bird", None, "dog"]]
    ann = Annotations.from_wide(table)
    assert list(ann.categories) == ["bird", "cat", "dog"]
    npt.assert_allclose(soft_labels(ann), [[0, 2 / 3, 1 / 3], [0.5, 0, 0.5]])


@pytest.mark.parametrize("bad", [-0.1, -1, math.nan, math.inf, True, "1", None])
def test_soft_labels_bad_smoothing(bad):
    with pytest.raises(ValueError, match="smoothing must be a finite number >= 0"):
        soft_labels(TABLE, bad)


@given(table=sparse_tables(), s=st.floats(0.0, 5.0))
def test_soft_labels_properties(table, s):
    ann = Annotations.from_wide(table)
    labelled = soft_labels(ann, s)
    assert labelled.index.equals(ann.items) and labelled.columns.equals(ann.categories)
    P = soft_labels(table, s)
    npt.assert_array_equal(labelled.to_numpy(), P)
    assert P.shape == (ann.n_items, ann.n_categories)
    unrated = ann.ratings_per_item() == 0
    if s == 0:
        assert np.isnan(P[unrated]).all()
    ok = ~np.isnan(P).any(axis=1) & (ann.n_categories > 0)
    npt.assert_allclose(P[ok].sum(axis=1), 1.0, rtol=1e-12)
    assert ((P[ok] >= 0) & (P[ok] <= 1 + 1e-12)).all()
    npt.assert_allclose(P, oracle_soft_labels(table.tolist(), list(ann.categories), s),
                        rtol=1e-12)


# ============================================================ labelled outputs
def _long_frame():
    return pd.DataFrame({
        "item": ["t3", "t3", "t3", "t1", "t1", "t9", "t9", "t9", "t2"],
        "annotator": ["ann", "bo", "cy", "ann", "cy", "ann", "bo", "cy", "bo"],
        "label": ["spam", "ham", "spam", "ham", "ham", "eggs", "ham", "spam", "spam"]})


def test_labelled_outputs_from_long_frame():
    long = _long_frame()
    ann = Annotations.from_long(long)
    assert list(ann.items) == ["t3", "t1", "t9", "t2"]
    assert list(ann.categories) == ["eggs", "ham", "spam"]
    # The oracle reads the rows of the long frame, item by item, in ann.items order.
    table = [[row.label for row in long.itertuples() if row.item == item]
             for item in ann.items]
    for measure in ("entropy", "normalized_entropy", "minority_share", "gini"):
        d = item_disagreement(ann, measure)
        assert isinstance(d, pd.Series) and d.name == measure
        assert d.index.equals(ann.items)
        npt.assert_allclose(d.to_numpy(), oracle_disagreement(table, measure, 3),
                            rtol=1e-12, atol=1e-15)
    for smoothing in (0.0, 1.0):
        P = soft_labels(ann, smoothing)
        assert isinstance(P, pd.DataFrame)
        assert P.index.equals(ann.items) and P.columns.equals(ann.categories)
        npt.assert_allclose(P.to_numpy(), oracle_soft_labels(table, list(ann.categories),
                                                             smoothing), rtol=1e-12)
    P = soft_labels(ann)
    assert P.loc["t1", "ham"] == 1.0 and P.loc["t2", "spam"] == 1.0
    assert P["eggs"].tolist() == [0.0, 0.0, 1 / 3, 0.0]


def test_labelled_outputs_from_wide_frame_keep_its_index():
    wide = pd.DataFrame({"r1": [1.0, 2.0, np.nan, 1.0], "r2": [1.0, 3.0, np.nan, 2.0],
                         "r3": [np.nan, 3.0, np.nan, 3.0]},
                        index=pd.Index(["q", "a", "z", "m"], name="question"))
    before = wide.copy()
    ann = Annotations.from_wide(wide)
    table = wide.to_numpy().tolist()
    for data in (wide, ann):
        d = item_disagreement(data, "variance")
        assert isinstance(d, pd.Series) and d.index.equals(wide.index)
        assert d.index.name == "question"
        npt.assert_allclose(d.to_numpy(), oracle_disagreement(table, "variance", 3),
                            rtol=1e-12)
        assert np.isnan(d["z"])
        P = soft_labels(data)
        assert P.index.equals(wide.index) and P.columns.equals(ann.categories)
        assert list(P.columns) == [1, 2, 3]
        npt.assert_allclose(P.to_numpy(), oracle_soft_labels(table, [1, 2, 3], 0.0),
                            rtol=1e-12)
        assert P.loc["z"].isna().all()
    pd.testing.assert_frame_equal(wide, before)  # the caller's frame is untouched


def test_labelled_outputs_from_counts_frame():
    counts = pd.DataFrame({"yes": [3, 1, 0], "no": [0, 1, 0]}, index=["p", "q", "r"])
    ann = Annotations.from_counts(counts)
    d = item_disagreement(ann, "gini")
    assert d.index.equals(ann.items) and list(d.index) == ["p", "q", "r"]
    npt.assert_allclose(d.to_numpy(), [0.0, 0.5, np.nan])
    P = soft_labels(ann)
    assert P.columns.equals(ann.categories) and list(P.columns) == ["no", "yes"]
    npt.assert_allclose(P.loc[["p", "q"]].to_numpy(), [[0.0, 1.0], [0.5, 0.5]])


def test_numpy_tables_and_lists_keep_numpy_outputs():
    array = np.array(TABLE, dtype=float)
    for data in (TABLE, array):
        assert type(item_disagreement(data)) is np.ndarray
        assert type(soft_labels(data)) is np.ndarray
    # An Annotations always names its items and categories: labelled, positions as index.
    ann = Annotations.from_wide(array)
    d = item_disagreement(ann)
    assert isinstance(d, pd.Series) and d.index.equals(pd.RangeIndex(len(TABLE)))
    npt.assert_array_equal(d.to_numpy(), item_disagreement(array))
    P = soft_labels(ann)
    assert P.index.equals(ann.items) and P.columns.equals(ann.categories)
    npt.assert_array_equal(P.to_numpy(), soft_labels(array))


def test_labelled_outputs_work_with_nan_aware_numpy_reductions():
    # np.nanmean on the Series (as in the audit report) gives the same number as on the
    # array, and the mean over items rated at least twice drops single-rating items.
    ann = Annotations.from_wide(TABLE)
    d = item_disagreement(ann, "normalized_entropy")
    assert float(np.nanmean(d)) == pytest.approx(float(np.nanmean(
        item_disagreement(TABLE, "normalized_entropy"))))
    rated_twice = ann.ratings_per_item() >= 2
    expected = [v for v, row in zip(oracle_disagreement(TABLE, "normalized_entropy", 3),
                                    TABLE, strict=True)
                if sum(x is not None for x in row) >= 2]
    assert float(d[rated_twice].mean()) == pytest.approx(sum(expected) / len(expected))
