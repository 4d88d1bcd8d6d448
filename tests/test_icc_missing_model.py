"""intraclass_correlation(..., missing="model"): the ICCs of R's psych::ICC(x, lmer=TRUE)
from the REML variance components of the crossed random-effects model.

References: the ANOVA mean squares of a complete table (loops below), closed-form REML
solutions of the balanced design (Searle, Casella & McCulloch 1992, "Variance
Components", section 4.7: the REML estimates are the ANOVA ones when those are positive),
and statsmodels' MixedLM (REML, crossed variance components in a single group) on
incomplete designs. psych's documentation prints no output for incomplete data, so the
incomplete cases are checked against statsmodels only.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multiplicity.annotation import Annotations, agreement, intraclass_correlation
from multiplicity.annotation._icc import (
    DUPLICATES,
    FORM_K_MISMATCH,
    ICC_FORMS,
    MISSING_OPTION,
    NO_ANALYTIC_MODEL,
    NO_RESIDUAL,
    NO_RESIDUAL_DF,
    NOT_NUMERIC,
    TOO_FEW_MODEL,
    UNDEFINED,
)

FORMS = list(ICC_FORMS)
SF_TABLE = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9],
            [6, 2, 4, 7]]


# --------------------------------------------------------------------------- oracles
def anova(table):
    """Two-way ANOVA mean squares of a complete table, with loops."""
    X = [[float(v) for v in row] for row in table]
    n, k = len(X), len(X[0])
    g = sum(map(sum, X)) / (n * k)
    r = [sum(row) / k for row in X]
    c = [sum(X[i][j] for i in range(n)) / n for j in range(k)]
    ssr = k * sum((v - g) ** 2 for v in r)
    ssc = n * sum((v - g) ** 2 for v in c)
    sse = sum((X[i][j] - r[i] - c[j] + g) ** 2 for i in range(n) for j in range(k))
    return {"ssr": ssr, "ssc": ssc, "sse": sse, "msr": ssr / (n - 1),
            "msc": ssc / (k - 1), "mse": sse / ((n - 1) * (k - 1)), "n": n, "k": k}


def icc_from_ms(msr, msc, mse, msw, n, k, form):
    """Shrout & Fleiss (1979) / McGraw & Wong (1996) formulas from the mean squares."""
    return {"ICC(1,1)": (msr - msw) / (msr + (k - 1) * msw),
            "ICC(2,1)": (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n),
            "ICC(3,1)": (msr - mse) / (msr + (k - 1) * mse),
            "ICC(1,k)": (msr - msw) / msr,
            "ICC(2,k)": (msr - mse) / (msr + (msc - mse) / n),
            "ICC(3,k)": (msr - mse) / msr}[form]


def anova_icc(table, form):
    m = anova(table)
    n, k = m["n"], m["k"]
    msw = (m["ssc"] + m["sse"]) / (n * (k - 1))
    return icc_from_ms(m["msr"], m["msc"], m["mse"], msw, n, k, form)


def psych_icc(s2a, s2b, s2e, n, k, form):
    """psych::ICC (R/ICC.R, lmer branch): variance components -> mean squares -> ICCs."""
    return icc_from_ms(k * s2a + s2e, n * s2b + s2e, s2e, s2e + s2b, n, k, form)


def statsmodels_components(table):
    """REML (s2_item, s2_annotator, s2_residual) from statsmodels' MixedLM."""
    import statsmodels.formula.api as smf

    rows = [(i, j, float(v)) for i, row in enumerate(table) for j, v in enumerate(row)
            if v is not None and not (isinstance(v, float) and math.isnan(v))]
    df = pd.DataFrame(rows, columns=["item", "ann", "y"])
    df["g"] = 1
    model = smf.mixedlm("y ~ 1", df, groups="g", re_formula="0",
                        vc_formula={"item": "0 + C(item)", "ann": "0 + C(ann)"})
    # BFGS stops short on one of the designs below and Powell's method converges there:
    # keep the fit with the largest REML log-likelihood.
    fits = []
    for method, options in (("bfgs", {"gtol": 1e-10}),
                            ("powell", {"xtol": 1e-10, "ftol": 1e-14})):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the reference's own convergence notes
            fits.append(model.fit(reml=True, method=method, **options))
    fit = max(fits, key=lambda f: f.llf)
    vc = dict(zip(model.exog_vc.names, fit.vcomp, strict=True))
    return vc["item"], vc["ann"], fit.scale


def incomplete_table(seed, n, k, p, s_item=1.0, s_ann=0.7):
    rng = np.random.default_rng(seed)
    X = (rng.normal(0, s_item, (n, 1)) + rng.normal(0, s_ann, (1, k))
         + rng.normal(0, 1, (n, k)) + 5)
    X = np.round(X, 2).astype(object)
    mask = rng.random((n, k)) < p
    mask[np.arange(n), rng.integers(0, k, n)] = True          # every item rated
    mask[rng.integers(0, n, k), np.arange(k)] = True          # every annotator rates
    X[~mask] = None
    return X.tolist()


# --------------------------------------------------------------------------- complete data
def test_shrout_fleiss_table_published_values():
    # Shrout & Fleiss (1979), Table 4: .17, .29, .71, .44, .62, .91. Every ANOVA
    # component of Table 2 is positive, so REML gives the same values.
    published = [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]
    for form, value in zip(FORMS, published, strict=True):
        got = intraclass_correlation(SF_TABLE, form, missing="model")
        assert round(got, 2) == value
        assert got == pytest.approx(anova_icc(SF_TABLE, form), abs=1e-10)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(3, 12), k=st.integers(2, 6))
def test_complete_equals_anova_when_components_positive(seed, n, k):
    rng = np.random.default_rng(seed)
    X = rng.normal(0, 2, (n, 1)) + rng.normal(0, 1.5, (1, k)) + rng.normal(0, 1, (n, k))
    m = anova(X)
    if not (m["msr"] > m["mse"] * 1.01 and m["msc"] > m["mse"] * 1.01):
        return  # a negative (or nearly 0) ANOVA component: see the boundary tests
    for form in FORMS:
        assert intraclass_correlation(X, form, missing="model") == \
            pytest.approx(anova_icc(X, form), abs=1e-8)


def test_complete_annotator_component_negative_is_truncated():
    # Every annotator has the same mean, so MSC = 0 < MSE: the ANOVA estimate of s2_b is
    # -MSE / n; REML sets it to 0, and the model is the one-way random model, whose REML
    # estimates on balanced data are s2_e = MSW (pooled), s2_a = (MSR - MSW) / k.
    X = np.array([[1.0, 3, 2], [4, 6, 5], [2, 1, 3], [7, 5, 6], [3, 2, 1]])
    m = anova(X)
    assert m["msc"] == pytest.approx(0.0, abs=1e-12)
    n, k = X.shape
    msw = (m["ssc"] + m["sse"]) / (n * (k - 1))
    s2a, s2b, s2e = (m["msr"] - msw) / k, 0.0, msw
    for form in FORMS:
        got = intraclass_correlation(X, form, missing="model")
        assert got == pytest.approx(psych_icc(s2a, s2b, s2e, n, k, form), abs=1e-8)
    # ICC(2,1) now differs from the ANOVA value, whose denominator has (MSC - MSE) / n < 0.
    assert abs(intraclass_correlation(X, missing="model") - anova_icc(X, "ICC(2,1)")) > 1e-3


def test_complete_item_component_negative_gives_zero():
    # Items differ less than the residual (MSR < MSE): REML sets s2_a = 0, so the
    # two-way forms are 0; the others refit on the pooled residual
    # s2_e = (SSR + SSE) / (dfR + dfE), s2_b = (MSC - s2_e) / n.
    X = np.array([[1.0, 5, 9], [2, 4, 8], [3, 6, 7], [2, 5, 9]])
    X[0, 0] += 0.5  # break ties
    m = anova(X)
    assert m["msr"] < m["mse"]
    n, k = X.shape
    s2e = (m["ssr"] + m["sse"]) / ((n - 1) + (n - 1) * (k - 1))
    s2b = (m["msc"] - s2e) / n
    for form in FORMS:
        got = intraclass_correlation(X, form, missing="model")
        assert got == pytest.approx(psych_icc(0.0, s2b, s2e, n, k, form), abs=1e-8)
    assert intraclass_correlation(X, "ICC(3,1)", missing="model") == pytest.approx(0.0,
                                                                                  abs=1e-9)


# --------------------------------------------------------------------------- incomplete data
DOC_TABLE = [[9, None, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, None], [10, 5, 6, 9],
             [6, 2, 4, 7]]

DESIGNS = [DOC_TABLE, incomplete_table(0, 30, 5, 0.6), incomplete_table(1, 12, 8, 0.5),
           incomplete_table(2, 8, 15, 0.5), incomplete_table(3, 60, 4, 0.4, 0.5, 1.0)]


@pytest.mark.parametrize("table", DESIGNS)
def test_incomplete_matches_statsmodels_reml(table):
    s2a, s2b, s2e = statsmodels_components(table)
    n, k = len(table), len(table[0])
    for form in FORMS:
        got = intraclass_correlation(table, form, missing="model")
        assert got == pytest.approx(psych_icc(s2a, s2b, s2e, n, k, form), abs=1e-5)


def test_single_rating_annotator_and_items_count():
    # Annotator 4 rates one item and items 5, 6 have one rating each: the mixed model
    # keeps them (lme4 and statsmodels do), and they change the estimate.
    table = [[*row, None] for row in SF_TABLE]
    table[2][4] = 12
    table += [[3, None, None, None, None], [None, None, 4, None, None]]
    s2a, s2b, s2e = statsmodels_components(table)
    for form in FORMS:
        got = intraclass_correlation(table, form, missing="model")
        assert got == pytest.approx(psych_icc(s2a, s2b, s2e, 8, 5, form), abs=1e-5)
    assert intraclass_correlation(table, missing="model") != pytest.approx(
        intraclass_correlation(SF_TABLE, missing="model"), abs=1e-3)


def test_all_missing_rows_and_columns_are_ignored():
    table = [[*row, None] for row in DOC_TABLE] + [[None] * 5]
    for form in FORMS:
        assert intraclass_correlation(table, form, missing="model") == pytest.approx(
            intraclass_correlation(DOC_TABLE, form, missing="model"), abs=1e-12)


def test_explicit_number_of_annotators():
    assert intraclass_correlation(DOC_TABLE, "ICC(2,4)", missing="model") == \
        intraclass_correlation(DOC_TABLE, "ICC(2,k)", missing="model")
    with pytest.raises(ValueError) as err:
        intraclass_correlation(DOC_TABLE, "ICC(2,3)", missing="model")
    assert str(err.value) == FORM_K_MISMATCH.format(form="ICC(2,3)", m=3, k=4,
                                                    canonical="ICC(2,k)")


# --------------------------------------------------------------------------- properties
@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(0.01, 100),
       shift=st.floats(-100, 100))
def test_invariances(seed, scale, shift):
    table = incomplete_table(seed, 10, 4, 0.6)
    rng = np.random.default_rng(seed)
    X = np.array([[np.nan if v is None else v for v in row] for row in table])
    before = X.copy()
    base = {f: intraclass_correlation(X, f, missing="model") for f in FORMS}
    npt.assert_array_equal(X, before)  # the caller's data is not changed
    perm = X[rng.permutation(X.shape[0])][:, rng.permutation(X.shape[1])]
    sign = -1.0 if seed % 2 else 1.0
    for f in FORMS:
        assert intraclass_correlation(perm, f, missing="model") == pytest.approx(
            base[f], abs=1e-6)
        assert intraclass_correlation(sign * scale * X + shift, f, missing="model") == \
            pytest.approx(base[f], abs=1e-6)
    # Ranges and orderings of the forms built from non-negative components.
    for f in ("ICC(2,1)", "ICC(3,1)", "ICC(2,k)", "ICC(3,k)"):
        assert -1e-12 <= base[f] <= 1 + 1e-12
    assert base["ICC(2,1)"] <= base["ICC(3,1)"] + 1e-12
    assert base["ICC(2,1)"] <= base["ICC(2,k)"] + 1e-12
    assert base["ICC(3,1)"] <= base["ICC(3,k)"] + 1e-12


def test_long_input_matches_wide():
    rows = [(i, j, v) for i, row in enumerate(DOC_TABLE) for j, v in enumerate(row)
            if v is not None]
    ann = Annotations.from_long(pd.DataFrame(rows, columns=["item", "annotator", "label"]))
    assert intraclass_correlation(ann, missing="model") == pytest.approx(
        intraclass_correlation(DOC_TABLE, missing="model"), abs=1e-12)


# --------------------------------------------------------------------------- errors
def test_option_message():
    with pytest.raises(ValueError) as err:
        intraclass_correlation(DOC_TABLE, missing="lmer")
    assert str(err.value) == MISSING_OPTION.format(got="lmer")


def test_too_few():
    with pytest.raises(ValueError) as err:
        intraclass_correlation([[1, 2, 3], [None, None, None]], missing="model")
    assert str(err.value) == TOO_FEW_MODEL.format(n=1, k=3)
    with pytest.raises(ValueError) as err:
        intraclass_correlation([[1, None], [2, None], [4, None]], missing="model")
    assert str(err.value) == TOO_FEW_MODEL.format(n=3, k=1)


def test_no_residual_degrees_of_freedom():
    # Each item rated by one annotator: 4 ratings, and items + annotators fit 4 - 0.
    table = [[1, None], [None, 2], [3, None], [None, 5]]
    with pytest.raises(ValueError) as err:
        intraclass_correlation(table, missing="model")
    assert str(err.value) == NO_RESIDUAL_DF.format(N=4, rank=4)


def test_exactly_additive_ratings_are_undefined():
    table = [[1, 3, None], [2, 4, 6], [5, None, 9]]   # item + 2 * annotator, no residual
    with pytest.raises(ValueError) as err:
        intraclass_correlation(table, missing="model")
    assert str(err.value) == UNDEFINED.format(form="ICC(2,1)", why=NO_RESIDUAL)
    assert math.isnan(intraclass_correlation(table, missing="model", on_undefined="nan"))
    same = [[2, 2, None], [2, 2, 2], [2, None, 2]]
    with pytest.raises(ValueError) as err:
        intraclass_correlation(same, "ICC(3,k)", missing="model")
    assert str(err.value) == UNDEFINED.format(form="ICC(3,k)",
                                              why="every rating is the same")


def test_non_numeric_and_duplicates():
    with pytest.raises(ValueError) as err:
        intraclass_correlation([["a", "b"], ["b", None], ["a", "a"]], missing="model")
    assert str(err.value) == NOT_NUMERIC.format(cats=["a", "b"])
    long = pd.DataFrame({"item": [0, 0, 0, 1, 1, 2, 2], "annotator": [0, 0, 1, 0, 1, 0, 1],
                         "label": [1, 2, 3, 2, 2, 4, 5]})
    ann = Annotations.from_long(long, duplicates="keep")
    with pytest.raises(ValueError) as err:
        intraclass_correlation(ann, missing="model")
    assert str(err.value) == DUPLICATES


def test_agreement_bootstrap_refits_and_analytic_is_refused():
    spec = [("intraclass_correlation", {"missing": "model"})]
    df = agreement(DESIGNS[1], spec, ci="bootstrap", n_resamples=30, random_state=0)
    row = df.iloc[0]
    assert row["value"] == intraclass_correlation(DESIGNS[1], missing="model")
    assert row["ci_low"] <= row["value"] <= row["ci_high"]
    assert row["se"] > 0
    with pytest.raises(ValueError) as err:
        agreement(DESIGNS[1], spec, ci="analytic")
    assert str(err.value) == NO_ANALYTIC_MODEL
