"""Krippendorff's alpha: published values, peer implementations, properties, errors.

Sources of the expected values:

* Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*. Annenberg School,
  University of Pennsylvania, section C (4 observers x 12 units): nominal 0.743, ordinal
  0.815, interval 0.849, ratio 0.797; full precision from fast-krippendorff 0.9.0, in
  ``tests/data/agreement_canonical_fixtures/canonical_fixtures.json``.
* Wikipedia, "Krippendorff's alpha", worked example (3 coders x 15 units): nominal 0.691,
  interval 0.811 (same fixture file).
* Gwet (2014), *Handbook of Inter-Rater Reliability*, 4th ed., via irrCAC: alpha and its
  linearised standard error (``tests/data/irrcac_expected/irrcac_expected.json``, which cites
  the irrCAC tests and vignette the numbers come from).
* Peers run here: the ``krippendorff`` package (fast-krippendorff, Castro 2017) and NLTK's
  ``AnnotationTask.alpha`` (Bird, Klein & Loper).
"""

from __future__ import annotations

import math

import datafiles
import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from multiplicity._errors import ON_UNDEFINED
from multiplicity.annotation._alpha import (
    NO_PAIRS,
    SINGLE_VALUE,
    ZERO_EXPECTED,
    Distance,
    _krippendorff_alpha_analytic,
    _krippendorff_alpha_statistic,
    krippendorff_alpha,
)
from multiplicity.annotation._alpha_levels import (
    BAD_DISTANCE,
    NOT_NUMERIC,
    RATIO_NEGATIVE,
    UNKNOWN_LEVEL,
)
from multiplicity.annotation._container import Annotations
from multiplicity.annotation._stats import bootstrap_sums

LEVELS = ("nominal", "ordinal", "interval", "ratio")
KRIPPENDORFF_MISSING = "krippendorff (peer library) not installed: pip install -e '.[test]'"


def _reliability_table(key: str) -> np.ndarray:
    """Items x annotators: the fixture stores coders x units (its "layout" field)."""
    entry = datafiles.canonical_fixtures()[key]
    assert entry["layout"].startswith(("rows = observers", "rows = coders"))
    return np.array(entry["reliability_data"], dtype=float).T


def _random_table(rng: np.random.Generator, n: int, r: int, k: int, missing: float,
                  low: int = 1) -> np.ndarray:
    T = rng.integers(low, low + k, (n, r)).astype(float)
    T[rng.random(T.shape) < missing] = np.nan
    return T


# --------------------------------------------------------------- published values
@pytest.mark.parametrize("key", ["krippendorff_2011_reliability_data",
                                 "wikipedia_krippendorff_example"])
def test_published_values(key):
    entry = datafiles.canonical_fixtures()[key]
    table = _reliability_table(key)
    for level, published in entry["published"].items():
        assert round(krippendorff_alpha(table, level), 3) == published
    for level, full in entry["full_precision_fast_krippendorff_0_9_0"].items():
        npt.assert_allclose(krippendorff_alpha(table, level), full, rtol=0, atol=1e-12)


def test_wikipedia_example_to_six_digits():
    # STYLE.md: nominal 0.691358, interval 0.810845.
    table = _reliability_table("wikipedia_krippendorff_example")
    assert round(krippendorff_alpha(table), 6) == 0.691358
    assert round(krippendorff_alpha(table, "interval"), 6) == 0.810845


def _irrcac_cases():
    spec = datafiles.irrcac_expected("alpha")["values"]
    levels = {"krippendorff_alpha": "nominal", "krippendorff_alpha_interval": "interval",
              "krippendorff_alpha_ratio": "ratio",
              "krippendorff_alpha_linear": lambda a, b: np.abs(a - b),
              "krippendorff_alpha_radical": lambda a, b: np.sqrt(np.abs(a - b))}
    return [pytest.param(ds, levels[coef], exp, id=f"{ds}-{coef}")
            for ds, coefs in spec.items() for coef, exp in coefs.items()]


@pytest.mark.parametrize(("dataset", "level", "expected"), _irrcac_cases())
def test_gwet_standard_error_matches_irrcac(dataset, level, expected):
    table = datafiles.irrcac_table(dataset)
    digits = expected["digits"]
    assert round(krippendorff_alpha(table, level), digits) == pytest.approx(expected["coeff"])
    se = _krippendorff_alpha_analytic(table, level)["se"]
    assert round(se, digits) == pytest.approx(expected["se"])


def test_gwet_standard_error_invariant_to_distance_scale():
    table = datafiles.irrcac_table("raw_4raters")
    base = _krippendorff_alpha_analytic(table, "interval")["se"]
    scaled = _krippendorff_alpha_analytic(table, lambda a, b: 7.0 * (a - b) ** 2)["se"]
    npt.assert_allclose(scaled, base, rtol=1e-12)


# ------------------------------------------------------------------------ peers
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("level", LEVELS)
def test_matches_krippendorff_package(level, seed):
    krippendorff = pytest.importorskip("krippendorff", reason=KRIPPENDORFF_MISSING)
    rng = np.random.default_rng(seed)
    T = _random_table(rng, n=40 + 10 * seed, r=2 + seed, k=3 + seed, missing=0.3)
    ours = krippendorff_alpha(T, level)
    theirs = krippendorff.alpha(T.T, level_of_measurement=level)
    npt.assert_allclose(ours, theirs, rtol=0, atol=1e-10)


@pytest.mark.parametrize("level", ["interval", "ratio", "ordinal"])
def test_matches_krippendorff_package_continuous(level):
    krippendorff = pytest.importorskip("krippendorff", reason=KRIPPENDORFF_MISSING)
    rng = np.random.default_rng(7)
    T = np.round(rng.gamma(2.0, 3.0, (40, 4)) + 0.01, 6)
    T[rng.random(T.shape) < 0.25] = np.nan
    npt.assert_allclose(krippendorff_alpha(T, level),
                        krippendorff.alpha(T.T, level_of_measurement=level),
                        rtol=0, atol=1e-10)


@pytest.mark.parametrize("seed", range(3))
def test_matches_nltk(seed):
    pytest.importorskip("nltk", reason="nltk (peer library) not installed: "
                                       "pip install -e '.[test]'")
    from nltk.metrics.agreement import AnnotationTask
    from nltk.metrics.distance import binary_distance, interval_distance

    rng = np.random.default_rng(100 + seed)
    T = _random_table(rng, n=30, r=3 + seed, k=4, missing=0.3)
    triples = [(str(j), str(i), int(T[i, j])) for i in range(T.shape[0])
               for j in range(T.shape[1]) if not np.isnan(T[i, j])]
    nominal = AnnotationTask(data=triples, distance=binary_distance).alpha()
    interval = AnnotationTask(data=triples, distance=interval_distance).alpha()
    npt.assert_allclose(krippendorff_alpha(T), nominal, rtol=0, atol=1e-10)
    npt.assert_allclose(krippendorff_alpha(T, "interval"), interval, rtol=0, atol=1e-10)


# ---------------------------------------------------- callables, inputs, duplicates
def test_callable_reproduces_builtin_levels():
    T = _reliability_table("krippendorff_2011_reliability_data")
    npt.assert_allclose(krippendorff_alpha(T, lambda a, b: (a - b) ** 2),
                        krippendorff_alpha(T, "interval"), rtol=1e-12)
    npt.assert_allclose(krippendorff_alpha(T, lambda a, b: ((a - b) / (a + b)) ** 2),
                        krippendorff_alpha(T, "ratio"), rtol=1e-12)
    npt.assert_allclose(krippendorff_alpha(T, lambda a, b: (a != b).astype(float)),
                        krippendorff_alpha(T), rtol=1e-12)


def test_callable_gets_labels_for_non_numeric_data():
    seen = []

    def dist(a, b):
        seen.append((a.dtype, a.shape))
        return (a != b).astype(float)

    T = np.array([["x", "x", "y"], ["y", "y", None], ["z", "x", "z"]], dtype=object)
    assert isinstance(dist, Distance)
    npt.assert_allclose(krippendorff_alpha(T, dist), krippendorff_alpha(T))
    assert seen and seen[0][0] == np.dtype(object)


def test_accepts_annotations_and_counts():
    T = _reliability_table("krippendorff_2011_reliability_data")
    ann = Annotations.from_wide(T)
    npt.assert_allclose(krippendorff_alpha(ann, "ordinal"), krippendorff_alpha(T, "ordinal"))
    counts = Annotations.from_counts(ann.counts(), categories=ann.categories)
    for level in LEVELS:
        npt.assert_allclose(krippendorff_alpha(counts, level), krippendorff_alpha(T, level),
                            rtol=1e-12)


def test_repeated_ratings_count_as_values():
    # An annotator's two ratings of a unit are two values of that unit: same alpha as if a
    # second annotator had given the second one.
    long = pd.DataFrame({"item": [0, 0, 0, 1, 1, 2, 2, 2, 3, 3],
                         "annotator": ["a", "a", "b", "a", "b", "a", "b", "b", "a", "b"],
                         "label": [1, 2, 2, 3, 3, 1, 1, 2, 2, 2]})
    ann = Annotations.from_long(long, duplicates="keep")
    assert ann.has_duplicates
    relabelled = long.assign(annotator=["a", "c", "b", "a", "b", "a", "b", "c", "a", "b"])
    ref = Annotations.from_long(relabelled)
    for level in LEVELS:
        npt.assert_allclose(krippendorff_alpha(ann, level), krippendorff_alpha(ref, level))


def test_large_units_match_value_counts():
    # Units with more than 64 values take the sorting path of the nominal kernel.
    krippendorff = pytest.importorskip("krippendorff", reason=KRIPPENDORFF_MISSING)
    rng = np.random.default_rng(11)
    counts = rng.integers(0, 40, (30, 4))
    counts[0] = [0, 1, 0, 0]                   # a unit with a single value
    domain = [1, 2, 3, 5]
    ann = Annotations.from_counts(counts, categories=domain)
    assert ann.ratings_per_item().max() > 64
    for level in LEVELS:
        theirs = krippendorff.alpha(value_counts=counts, value_domain=domain,
                                    level_of_measurement=level)
        npt.assert_allclose(krippendorff_alpha(ann, level), theirs, rtol=0, atol=1e-10)


def test_units_with_one_value_are_ignored():
    T = _reliability_table("krippendorff_2011_reliability_data")
    extra = np.vstack([T, [[9.0, np.nan, np.nan, np.nan]], [[np.nan] * 4]])
    for level in ("nominal", "interval", "ratio"):
        npt.assert_allclose(krippendorff_alpha(extra, level), krippendorff_alpha(T, level))


# ------------------------------------------------------------------------- errors
def test_unknown_level():
    with pytest.raises(ValueError, match="level must be") as e:
        krippendorff_alpha([[1, 2], [2, 2]], level="cardinal")
    assert str(e.value) == UNKNOWN_LEVEL.format(got="cardinal")
    with pytest.raises(ValueError, match="level must be"):
        krippendorff_alpha([[1, 2], [2, 2]], level=3)


def test_bad_on_undefined():
    with pytest.raises(ValueError) as e:
        krippendorff_alpha([[1, 2], [2, 2]], on_undefined="zero")
    assert str(e.value) == ON_UNDEFINED.format(got="zero")


def test_no_pairable_unit():
    T = [[1, None], [None, 2], [3, None]]
    with pytest.raises(ValueError) as e:
        krippendorff_alpha(T)
    assert str(e.value) == NO_PAIRS
    assert math.isnan(krippendorff_alpha(T, on_undefined="nan"))


def test_single_value():
    T = [[1, 1], [1, 1], [2, None]]            # the 2 is not pairable
    with pytest.raises(ValueError) as e:
        krippendorff_alpha(T, "interval")
    assert str(e.value) == SINGLE_VALUE.format(value=1)
    assert "0 / 0" in str(e.value)
    assert math.isnan(krippendorff_alpha(T, on_undefined="nan"))
    assert math.isnan(_krippendorff_alpha_analytic(T, on_undefined="nan")["se"])


def test_zero_expected_disagreement_of_callable():
    with pytest.raises(ValueError) as e:
        krippendorff_alpha([[1, 2], [2, 2]], lambda a, b: np.zeros(len(a)))
    assert str(e.value) == ZERO_EXPECTED


def test_non_numeric_for_interval_and_ratio():
    T = [["a", "b"], ["b", "b"]]
    for level in ("interval", "ratio"):
        with pytest.raises(ValueError, match=f"level='{level}' needs numeric") as e:
            krippendorff_alpha(T, level)
        assert str(e.value) == NOT_NUMERIC.format(level=level, cats=["a", "b"])
    with pytest.raises(ValueError, match="needs numeric"):
        krippendorff_alpha([[True, False], [True, True]], "interval")


def test_ratio_rejects_negative_values():
    with pytest.raises(ValueError) as e:
        krippendorff_alpha([[-1, 2], [2, 2]], "ratio")
    assert str(e.value) == RATIO_NEGATIVE.format(value=-1)
    with pytest.raises(ValueError, match="non-negative"):
        krippendorff_alpha([[0, 2], [2, 2], [-1, -1]], "ratio")
    # interval takes them
    assert np.isfinite(krippendorff_alpha([[0, 2], [2, 2], [-1, -1]], "interval"))


def _ratio_oracle(T: np.ndarray) -> float:
    """Krippendorff's ratio alpha by the coincidence matrix, with delta(0, 0) = 0: the
    definition, written out with loops over the pairs of each unit."""
    values = sorted({v for row in T for v in row if not np.isnan(v)})
    pos = {v: i for i, v in enumerate(values)}
    o = np.zeros((len(values), len(values)))
    for row in T:
        vals = [v for v in row if not np.isnan(v)]
        m = len(vals)
        for a in range(m):
            for b in range(m):
                if a != b:
                    o[pos[vals[a]], pos[vals[b]]] += 1.0 / (m - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()

    def delta(c: float, k: float) -> float:
        return 0.0 if c == k else ((c - k) / (c + k)) ** 2

    d = np.array([[delta(c, k) for k in values] for c in values])
    return 1.0 - (n - 1) * float(np.sum(o * d)) / float(n_c @ d @ n_c)


def test_ratio_with_zeros_matches_the_definition_and_fast_krippendorff():
    # fast-krippendorff's test_ratio_metric_with_zeros: coders x units [[0, 1, 2], [0, 1, 2]]
    assert krippendorff_alpha([[0, 0], [1, 1], [2, 2]], "ratio") == pytest.approx(1.0)
    rng = np.random.default_rng(12)
    for trial in range(8):
        T = _random_table(rng, 25 + trial, 4, 5, 0.3, low=0)   # values 0 .. 4
        T[0] = [0.0, 0.0, 0.0, np.nan]                          # a unit of zeros only
        T[1] = [0.0, 3.0, np.nan, np.nan]
        T[-1] = np.nan                                          # an empty last unit
        npt.assert_allclose(krippendorff_alpha(T, "ratio"), _ratio_oracle(T), rtol=1e-12)
    krippendorff = pytest.importorskip("krippendorff", reason=KRIPPENDORFF_MISSING)
    npt.assert_allclose(krippendorff_alpha(T, "ratio"),
                        krippendorff.alpha(T.T, level_of_measurement="ratio"), rtol=1e-12)
    # the agreement() shortcuts: the statistic's finalize and the analytic helper
    stat = _krippendorff_alpha_statistic(T, "ratio")
    assert stat.value() == pytest.approx(krippendorff_alpha(T, "ratio"), abs=1e-12)
    assert np.isfinite(_krippendorff_alpha_analytic(T, "ratio")["se"])


def test_callable_with_too_many_categories():
    T = np.arange(4098.0).reshape(-1, 2)
    with pytest.raises(ValueError, match="4098 categories are too many"):
        krippendorff_alpha(T, lambda a, b: (a - b) ** 2)


def test_standard_error_needs_two_units():
    T = [[1, 2], [3, None]]
    assert np.isfinite(krippendorff_alpha(T))
    assert math.isnan(_krippendorff_alpha_analytic(T)["se"])


def test_infinite_values_rejected():
    with pytest.raises(ValueError, match="finite"):
        krippendorff_alpha([[np.inf, 2], [2, 2]], "interval")


def test_bad_callable_output():
    with pytest.raises(ValueError) as e:
        krippendorff_alpha([[1, 2], [2, 3]], lambda a, b: -np.abs(a - b))
    assert str(e.value).startswith(BAD_DISTANCE.split("{")[0])
    with pytest.raises(ValueError, match="squared distances"):
        krippendorff_alpha([[1, 2], [2, 3]], lambda a, b: np.ones(1))


# ---------------------------------------------- statistic for agreement(), bootstrap
@pytest.mark.parametrize("level", [*LEVELS, "callable"])
def test_item_statistic_reproduces_alpha(level):
    rng = np.random.default_rng(3)
    T = _random_table(rng, n=60, r=4, k=5, missing=0.3)
    lev = (lambda a, b: np.abs(a - b) ** 1.5) if level == "callable" else level
    stat = _krippendorff_alpha_statistic(T, lev)
    assert stat is not None and stat.S.shape[0] == T.shape[0] and stat.S.shape[1] <= 64
    npt.assert_allclose(stat.value(), krippendorff_alpha(T, lev), rtol=0, atol=1e-12)
    # a resample, written as weights w, gives alpha of the resampled data
    idx = rng.integers(0, T.shape[0], T.shape[0])
    w = np.bincount(idx, minlength=T.shape[0]).astype(float)
    npt.assert_allclose(stat.finalize((w @ stat.S)[None, :])[0],
                        krippendorff_alpha(T[idx], lev), rtol=0, atol=1e-10)


def test_item_statistic_none_when_too_wide():
    rng = np.random.default_rng(4)
    T = rng.integers(0, 80, (200, 3)).astype(float)
    assert _krippendorff_alpha_statistic(T, "nominal") is None
    assert _krippendorff_alpha_statistic(T[:, :2] % 12, "ordinal") is None
    assert _krippendorff_alpha_statistic(T, "interval") is not None   # 4 columns


def test_item_statistic_none_when_undefined():
    assert _krippendorff_alpha_statistic([[1, 1], [1, 1]], "interval", "nan") is None


def test_interval_extreme_scales():
    T = _reliability_table("krippendorff_2011_reliability_data")
    ref = krippendorff_alpha(T, "interval")
    for scale, shift in ((1e150, 0.0), (1e-150, 0.0), (1.0, 1e9)):
        npt.assert_allclose(krippendorff_alpha(T * scale + shift, "interval"), ref,
                            rtol=1e-9)


def test_item_statistic_undefined_resample_is_nan():
    stat = _krippendorff_alpha_statistic([[1, 1], [2, 2]], "nominal")
    T = np.array([stat.S[0] * 2])                # only unit 0 drawn: a single value
    assert np.isnan(stat.finalize(T)[0])


def test_bootstrap_with_item_statistic():
    rng = np.random.default_rng(5)
    T = _random_table(rng, n=200, r=4, k=3, missing=0.2)
    stat = _krippendorff_alpha_statistic(T, "nominal")
    values = stat.finalize(bootstrap_sums(stat.S, 200, random_state=0))
    assert np.all(np.isfinite(values)) and np.all(values <= 1.0)
    assert abs(np.mean(values) - krippendorff_alpha(T)) < 0.05


# ------------------------------------------------------------------ properties
@st.composite
def annotation_tables(draw, max_items: int = 10, max_annotators: int = 5,
                      max_categories: int = 4):
    """Items x annotators float tables, labels 1..k, NaN for missing."""
    n = draw(st.integers(2, max_items))
    r = draw(st.integers(2, max_annotators))
    k = draw(st.integers(2, max_categories))
    labels = draw(st.lists(st.integers(1, k), min_size=n * r, max_size=n * r))
    present = draw(st.lists(st.booleans(), min_size=n * r, max_size=n * r))
    T = np.where(present, labels, np.nan).astype(float).reshape(n, r)
    return T


@st.composite
def agreeing_tables(draw, max_items: int = 8, max_annotators: int = 4):
    """Every annotator who rates an item gives it the item's label; >= 2 labels occur."""
    n = draw(st.integers(2, max_items))
    r = draw(st.integers(2, max_annotators))
    truth = np.array(draw(st.lists(st.integers(1, 5), min_size=n, max_size=n)), float)
    counts = draw(st.lists(st.integers(0, r), min_size=n, max_size=n))
    T = np.full((n, r), np.nan)
    for i, c in enumerate(counts):
        T[i, :c] = truth[i]
    return T


def _defined(T, level="nominal"):
    value = krippendorff_alpha(T, level, on_undefined="nan")
    assume(np.isfinite(value))
    return value


_SETTINGS = settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


@_SETTINGS
@given(T=annotation_tables(), data=st.data(), level=st.sampled_from(LEVELS))
def test_invariant_to_item_and_annotator_order(T, data, level):
    value = _defined(T, level)
    rows = data.draw(st.permutations(range(T.shape[0])))
    cols = data.draw(st.permutations(range(T.shape[1])))
    npt.assert_allclose(krippendorff_alpha(T[np.ix_(rows, cols)], level), value,
                        rtol=1e-9, atol=1e-12)


@_SETTINGS
@given(T=annotation_tables(), data=st.data())
def test_nominal_invariant_to_label_renaming(T, data):
    value = _defined(T)
    names = data.draw(st.permutations(["ant", "bee", "cat", "dog", "eel"]))
    renamed = np.full(T.shape, None, dtype=object)
    mask = ~np.isnan(T)
    renamed[mask] = [names[int(v) - 1] for v in T[mask]]
    npt.assert_allclose(krippendorff_alpha(renamed), value, rtol=1e-9, atol=1e-12)


@_SETTINGS
@given(T=agreeing_tables(), level=st.sampled_from(LEVELS))
def test_one_when_annotators_agree(T, level):
    assume((~np.isnan(T)).sum(axis=1).max() >= 2)
    assume(np.unique(T[(~np.isnan(T)).sum(axis=1) >= 2][:, 0]).size >= 2)
    npt.assert_allclose(krippendorff_alpha(T, level), 1.0, rtol=0, atol=1e-12)


@_SETTINGS
@given(T=annotation_tables(), level=st.sampled_from(LEVELS))
def test_at_most_one(T, level):
    assert _defined(T, level) <= 1.0 + 1e-12


# ----------------------------------------------------------------------- scale
@pytest.mark.slow
@pytest.mark.parametrize("level", ["interval", "ratio"])
def test_continuous_100k_units(level):
    """10^5 units of 10,000 distinct values; the time is measured in benchmarks/bench_alpha.py."""
    rng = np.random.default_rng(0)
    n, r = 100_000, 5
    values = rng.choice(np.round(rng.uniform(1.0, 100.0, 10_000), 4), size=(n, r))
    values[rng.random(values.shape) < 0.2] = np.nan
    ann = Annotations.from_wide(values)
    value = krippendorff_alpha(ann, level)
    assert abs(value) < 0.05          # independent ratings: alpha near 0
