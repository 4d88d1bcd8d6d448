"""Ordered labels: ordered pandas Categoricals and ``categories=`` fix the order of words.

Reference values:

* fast-krippendorff (Castro 2017), ``alpha(..., value_domain=["very low", "low", "mid",
  "high", "very high"], level_of_measurement="ordinal")`` on the words version of
  Krippendorff's (2011) example: 0.815 (its docstring and its test
  ``test_string_labels_ordinal_with_domain``). The package is installed with the test
  extra and called here as the independent reference.
* The same data coded 1 .. 5 (Krippendorff 2011, section C): every order-dependent
  coefficient must give the same value on the words in their order as on the numbers.
"""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest

from multiplicity.annotation import Annotations, agreement
from multiplicity.annotation._alpha import krippendorff_alpha
from multiplicity.annotation._chance import (
    brennan_prediger,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    gwet_ac1,
    percent_agreement,
    scott_pi,
)
from multiplicity.annotation._container import NOT_IN_CATEGORIES, UNORDERED

KRIPPENDORFF_MISSING = "krippendorff (peer library) not installed: pip install -e '.[test]'"

SCALE = ["very low", "low", "mid", "high", "very high"]
# Coders x units, as fast-krippendorff writes it (Krippendorff 2011, section C, in words).
WORDS = [
    ["very low", "low", "mid", "mid", "low", "very low", "high", "very low", "low", None,
     None, None],
    ["very low", "low", "mid", "mid", "low", "low", "high", "very low", "low", "very high",
     None, "mid"],
    [None, "mid", "mid", "mid", "low", "mid", "high", "low", "low", "very high", "very low",
     None],
    ["very low", "low", "mid", "mid", "low", "high", "high", "very low", "low", "very high",
     "very low", None],
]
CODE = {w: i + 1 for i, w in enumerate(SCALE)}


def _words_wide() -> pd.DataFrame:
    """Items x coders, words, None where a coder gave no value."""
    return pd.DataFrame(np.array(WORDS, dtype=object).T, columns=["c1", "c2", "c3", "c4"])


def _numbers_wide() -> pd.DataFrame:
    """The same table coded 1 .. 5 (float, NaN for the missing values)."""
    return _words_wide().apply(lambda col: col.map(CODE)).astype(float)


def _long(table: pd.DataFrame) -> pd.DataFrame:
    long = table.rename_axis("item").reset_index().melt(
        id_vars="item", var_name="annotator", value_name="label")
    return long.sample(frac=1.0, random_state=0).reset_index(drop=True)   # any row order


def _ordered_words() -> dict[str, Annotations]:
    """The words with their order given in every way the package accepts."""
    wide = _words_wide()
    long = _long(wide)
    cat = pd.CategoricalDtype(SCALE, ordered=True)
    counts = pd.DataFrame(Annotations.from_wide(wide, categories=SCALE).counts(),
                          columns=SCALE)
    return {
        "from_long(categories=)": Annotations.from_long(long, categories=SCALE),
        "from_long(ordered Categorical)": Annotations.from_long(
            long.assign(label=long["label"].astype(cat))),
        "from_wide(categories=)": Annotations.from_wide(wide, categories=SCALE),
        "from_wide(ordered Categorical columns)": Annotations.from_wide(wide.astype(cat)),
        "from_wide(list, categories=)": Annotations.from_wide(
            np.array(WORDS, dtype=object).T.tolist(), categories=SCALE),
        "from_counts(categories=)": Annotations.from_counts(counts.to_numpy(),
                                                            categories=SCALE),
        "from_counts(ordered CategoricalIndex)": Annotations.from_counts(
            counts.set_axis(pd.CategoricalIndex(SCALE, categories=SCALE, ordered=True),
                            axis=1)),
    }


# --------------------------------------------------------------------- alpha
@pytest.mark.parametrize("how", list(_ordered_words()))
def test_ordinal_alpha_of_ordered_words_is_fast_krippendorffs(how):
    ann = _ordered_words()[how]
    assert ann.ordered and list(ann.categories) == SCALE
    got = krippendorff_alpha(ann, "ordinal")
    assert round(got, 3) == 0.815
    npt.assert_allclose(got, krippendorff_alpha(_numbers_wide(), "ordinal"), rtol=1e-12)
    krippendorff = pytest.importorskip("krippendorff", reason=KRIPPENDORFF_MISSING)
    data = np.array([[np.nan if v is None else v for v in row] for row in WORDS],
                    dtype=object).astype(str)
    theirs = krippendorff.alpha(data, level_of_measurement="ordinal", value_domain=SCALE)
    npt.assert_allclose(got, theirs, rtol=1e-12)
    # nominal ignores the order
    npt.assert_allclose(krippendorff_alpha(ann), krippendorff_alpha(_words_wide()),
                        rtol=1e-12)


def test_ordinal_alpha_on_unordered_words_raises():
    # Sorted alphabetically ("high" < "low" < "mid" < "very high" < "very low") the
    # ordinal alpha would be a different, wrong number; it raises instead.
    with pytest.raises(ValueError) as e:
        krippendorff_alpha(_words_wide(), "ordinal")
    assert str(e.value) == UNORDERED.format(
        what="level='ordinal'", cats="['high', 'low', 'mid', 'very high', 'very low']",
        instead="level='nominal'")
    assert "categories=" in str(e.value) and "ordered pandas.Categorical" in str(e.value)
    # an unordered Categorical gives no order either
    unordered = _words_wide().astype(pd.CategoricalDtype(SCALE, ordered=False))
    assert not Annotations.from_wide(unordered).ordered
    with pytest.raises(ValueError, match="depends on the order"):
        krippendorff_alpha(unordered, "ordinal")
    # interval and ratio need numbers even when the words are ordered
    ordered = Annotations.from_wide(_words_wide(), categories=SCALE)
    for level in ("interval", "ratio"):
        with pytest.raises(ValueError, match=f"level='{level}' needs numeric labels"):
            krippendorff_alpha(ordered, level)


def test_two_unordered_words_need_no_order():
    # With two categories every order gives the same ordinal alpha and weighted kappa.
    table = [["no", "no", "yes"], ["yes", "yes", "yes"], ["no", "yes", None], ["no"] * 3]
    numbers = [[{"no": 0, "yes": 1}.get(v) for v in row] for row in table]
    npt.assert_allclose(krippendorff_alpha(table, "ordinal"),
                        krippendorff_alpha(numbers, "ordinal"), rtol=1e-12)
    npt.assert_allclose(gwet_ac1(table, weights="quadratic"),
                        gwet_ac1(numbers, weights="quadratic"), rtol=1e-12)


def test_the_order_changes_the_ordinal_value():
    # Reversing the scale leaves the ordinal alpha unchanged; moving one category does not.
    wide = _words_wide()
    forward = krippendorff_alpha(Annotations.from_wide(wide, categories=SCALE), "ordinal")
    backward = krippendorff_alpha(Annotations.from_wide(wide, categories=SCALE[::-1]),
                                  "ordinal")
    moved = krippendorff_alpha(Annotations.from_wide(
        wide, categories=["low", "very low", "mid", "high", "very high"]), "ordinal")
    npt.assert_allclose(forward, backward, rtol=1e-12)
    assert abs(forward - moved) > 1e-3


def test_alpha_ordinal_bootstrap_and_analytic_follow_the_order():
    ordered = Annotations.from_wide(_words_wide(), categories=SCALE)
    numbers = Annotations.from_wide(_numbers_wide())
    coefs = [("krippendorff_alpha", {"level": "ordinal"})]
    for ci in ("bootstrap", "analytic"):
        a = agreement(ordered, coefs, ci=ci, n_resamples=200, random_state=3)
        b = agreement(numbers, coefs, ci=ci, n_resamples=200, random_state=3)
        pd.testing.assert_frame_equal(a, b, rtol=1e-10)


# ------------------------------------------------------------ weighted kappas
FAMILY = [percent_agreement, fleiss_kappa, scott_pi, gwet_ac1, brennan_prediger,
          conger_kappa]


@pytest.mark.parametrize("weights", ["linear", "quadratic", "ordinal", "radical"])
@pytest.mark.parametrize("how", ["from_long(categories=)", "from_long(ordered Categorical)",
                                 "from_wide(ordered Categorical columns)"])
def test_weighted_coefficients_of_ordered_words_equal_the_numbers(weights, how):
    ann = _ordered_words()[how]
    numbers = Annotations.from_wide(_numbers_wide())
    for f in FAMILY:
        npt.assert_allclose(f(ann, weights=weights), f(numbers, weights=weights),
                            rtol=1e-12, err_msg=f.__name__)
    # Cohen's kappa of two coders (both rate values 1 and 5 on their common items)
    pair_words = Annotations.from_wide(_words_wide()[["c2", "c4"]], categories=SCALE)
    pair_numbers = _numbers_wide()[["c2", "c4"]]
    npt.assert_allclose(cohen_kappa(pair_words, weights=weights),
                        cohen_kappa(pair_numbers, weights=weights), rtol=1e-12)


@pytest.mark.parametrize("f", [*FAMILY, cohen_kappa], ids=lambda f: f.__name__)
def test_weight_names_on_unordered_words_raise(f):
    words = _words_wide()[["c2", "c4"]]
    with pytest.raises(ValueError) as e:
        f(words, weights="linear")
    assert "weights='linear' depends on the order of the categories" in str(e.value)
    assert "use weights=None" in str(e.value)
    f(words)                                            # unweighted needs no order
    f(words, weights="identity")


def test_cohen_kappa_vectors_follow_ordered_categoricals_and_categories():
    wide = _words_wide()[["c2", "c4"]].dropna()
    a, b = wide["c2"], wide["c4"]
    numbers = _numbers_wide().loc[wide.index, ["c2", "c4"]]
    expected = cohen_kappa(numbers["c2"].to_numpy(), numbers["c4"].to_numpy(),
                           weights="quadratic")
    dtype = pd.CategoricalDtype(SCALE, ordered=True)
    assert cohen_kappa(a.astype(dtype), b.astype(dtype), weights="quadratic") == \
        pytest.approx(expected, abs=1e-12)
    assert cohen_kappa(pd.Categorical(a, categories=SCALE, ordered=True), b.tolist(),
                       weights="quadratic") == pytest.approx(expected, abs=1e-12)
    assert cohen_kappa(a.tolist(), b.tolist(), weights="quadratic",
                       categories=SCALE) == pytest.approx(expected, abs=1e-12)
    with pytest.raises(ValueError, match="depends on the order"):
        cohen_kappa(a.tolist(), b.tolist(), weights="quadratic")
    with pytest.raises(ValueError, match="different categories"):
        cohen_kappa(a.astype(dtype),
                    b.astype(pd.CategoricalDtype(SCALE[::-1], ordered=True)), weights="linear")
    with pytest.raises(ValueError) as e:
        cohen_kappa(a.tolist(), b.tolist(), categories=["low", "mid"])
    assert str(e.value).startswith("a and b has labels that are not in categories: [")
    assert "'very low'" in str(e.value)


def test_cohen_kappa_series_meet_on_their_index():
    a = pd.Series([1, 2, 3, 3, 2, 1], index=list("uvwxyz"))
    b = pd.Series([1, 2, 3, 2, 2, 1], index=list("uvwxyz"))
    shuffled = b.iloc[[5, 3, 1, 0, 4, 2]]
    assert cohen_kappa(a, shuffled, weights="linear") == pytest.approx(
        cohen_kappa(a.to_numpy(), b.to_numpy(), weights="linear"), abs=1e-15)
    with pytest.raises(ValueError, match="labels"):
        cohen_kappa(a, b.set_axis(list("uvwxyq")))


def test_agreement_weighted_rows_of_ordered_words_equal_the_numbers():
    # The acceptance check of the command line: the same table, once in words with their
    # order, once as 1 .. 5, gives the same agreement table.
    coefs = [("krippendorff_alpha", {"level": "ordinal"}), ("gwet_ac1", {"weights": "linear"}),
             ("fleiss_kappa", {"weights": "quadratic"}),
             ("conger_kappa", {"weights": "linear"}),
             ("brennan_prediger", {"weights": "quadratic"})]
    words = _ordered_words()["from_long(ordered Categorical)"]
    numbers = Annotations.from_long(_long(_numbers_wide()))
    a = agreement(words, coefs, ci="analytic")
    b = agreement(numbers, coefs, ci="analytic")
    pd.testing.assert_frame_equal(a, b, rtol=1e-10)
    pair = [("cohen_kappa", {"weights": "linear"}), ("cohen_kappa", {"weights": "quadratic"})]
    a = agreement(Annotations.from_wide(_words_wide()[["c2", "c4"]], categories=SCALE), pair,
                  ci="analytic")
    b = agreement(_numbers_wide()[["c2", "c4"]], pair, ci="analytic")
    pd.testing.assert_frame_equal(a, b, rtol=1e-10)
    a = agreement(Annotations.from_wide(_words_wide()[["c2", "c4"]], categories=SCALE), pair,
                  n_resamples=200, random_state=0)
    b = agreement(_numbers_wide()[["c2", "c4"]], pair, n_resamples=200, random_state=0)
    pd.testing.assert_frame_equal(a, b, rtol=1e-10)


# ------------------------------------------------------------------ categories=
def test_labels_missing_from_categories_are_named():
    long = _long(_words_wide())
    with pytest.raises(ValueError) as e:
        Annotations.from_long(long, categories=["very low", "low", "mid"])
    msg = str(e.value)
    assert msg.startswith("column 'label' has labels that are not in categories: [")
    assert "'high'" in msg and "'very high'" in msg
    assert msg.endswith("(got ['very low', 'low', 'mid'])")
    with pytest.raises(ValueError) as e:
        Annotations.from_wide([["a", "b"], ["c", None]], categories=["a", "b"])
    assert str(e.value) == NOT_IN_CATEGORIES.format(name="data", labels="['c']",
                                                    cats="['a', 'b']")


def test_listed_but_unused_categories_are_kept():
    ann = Annotations.from_wide([["low", "low"], ["high", "low"]],
                                categories=["low", "mid", "high"])
    assert list(ann.categories) == ["low", "mid", "high"]
    npt.assert_array_equal(ann.counts(), [[2, 0, 0], [1, 0, 1]])
    # "mid" sits between them: linear weight 1/2 ... and 0 between low and high
    numbers = [[1, 1], [3, 1]]
    assert gwet_ac1(ann, weights="linear") == pytest.approx(
        gwet_ac1(Annotations.from_wide(numbers, categories=[1, 2, 3]), weights="linear"))


def test_cohen_kappa_of_annotations_with_categories():
    pair = _words_wide()[["c2", "c4"]]
    expected = cohen_kappa(_numbers_wide()[["c2", "c4"]], weights="linear")
    assert cohen_kappa(Annotations.from_wide(pair), weights="linear",
                       categories=SCALE) == pytest.approx(expected, abs=1e-12)
    long = pd.DataFrame({"item": [0, 0, 0, 1, 1], "annotator": ["a", "a", "b", "a", "b"],
                         "label": ["lo", "hi", "lo", "hi", "hi"]})
    with pytest.raises(ValueError, match="rated an item more than once"):
        cohen_kappa(Annotations.from_long(long, duplicates="keep"))
    with pytest.raises(ValueError, match="at least 2 items rated by both"):
        cohen_kappa(Annotations.from_wide([["lo", "hi"], ["hi", None], [None, "lo"]]))
