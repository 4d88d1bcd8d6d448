"""Krippendorff's alpha at the circular and bipolar levels, and on set-valued labels
(MASI and Jaccard distances).

References: hand-worked examples after Krippendorff (2011), *Computing Krippendorff's
Alpha-Reliability* (coincidence matrix, D_o, D_e), with the circular and bipolar distances of
Krippendorff (2004), *Content Analysis*, 2nd ed., section 11.3.4; a slow oracle of alpha with
any distance written below; NLTK's ``AnnotationTask(..., distance=masi_distance).alpha()``
and its ``masi_distance`` / ``jaccard_distance`` for the set distances (Passonneau 2006).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from multiplicity.annotation import agreement
from multiplicity.annotation._alpha import krippendorff_alpha
from multiplicity.annotation._alpha_levels import (
    BAD_PERIOD,
    BAD_SCALE,
    DISTANCE_LEVEL,
    NOT_NUMERIC,
    OPTION_LEVEL,
    PERIOD_NEEDED,
    SCALE_RANGE,
)
from multiplicity.annotation._chance_weights import weight_matrix
from multiplicity.annotation._container import Annotations
from multiplicity.annotation._set_distances import (
    NOT_SETS,
    UNKNOWN_SET_DISTANCE,
    jaccard_distance,
    masi_distance,
    set_distance_matrix,
)

nltk_agreement = pytest.importorskip("nltk.metrics.agreement")
nltk_distance = pytest.importorskip("nltk.metrics.distance")


# ------------------------------------------------------------------------- oracles
def oracle_alpha(rows, delta):
    """Krippendorff (2011): the coincidence matrix of the pairable values, then
    ``alpha = 1 - (n - 1) sum_ck o_ck delta_ck / sum_ck n_c n_k delta_ck``; ``rows`` are
    units, None a missing value; ``delta(c, k)`` any distance."""
    units = [[v for v in row if v is not None] for row in rows]
    units = [u for u in units if len(u) >= 2]
    values = sorted({v for u in units for v in u}, key=repr)
    o = {(c, k): 0.0 for c in values for k in values}
    for u in units:
        m = len(u)
        for a in range(m):
            for b in range(m):
                if a != b:
                    o[u[a], u[b]] += 1.0 / (m - 1)
    n_c = {c: sum(o[c, k] for k in values) for c in values}
    n = sum(n_c.values())
    d_o = sum(o[c, k] * delta(c, k) for c in values for k in values) / n
    d_e = sum(n_c[c] * n_c[k] * delta(c, k) for c in values for k in values) / (n * (n - 1))
    return 1.0 - d_o / d_e


def circular_delta(period):
    # Krippendorff writes sin(180 degrees (c - k) / U), squared
    return lambda c, k: math.sin(math.radians(180.0 * (c - k) / period)) ** 2


def bipolar_delta(lo, hi):
    return lambda c, k: 0.0 if c == k else (c - k) ** 2 / ((c + k - 2 * lo) * (2 * hi - c - k))


def to_table(rows):
    return pd.DataFrame(rows, dtype=object)


# ------------------------------------------------------------- hand-worked examples
# 3 coders, 5 units; the last unit has one value and is not pairable.
HAND = [[1, 1, 2], [2, 2, 2], [3, 4, None], [4, 1, 4], [3, None, None]]
# Pairable values: n = 11; n_1 = 3, n_2 = 4, n_3 = 1, n_4 = 3. Coincidences o_ck: unit 1
# (m = 3) gives o_11 += 2/2, o_12 += 2/2, o_21 += 2/2; unit 2 gives o_22 += 6/2; unit 3
# (m = 2) gives o_34 += 1, o_43 += 1; unit 4 gives o_44 += 1, o_41 += 1, o_14 += 1:
HAND_COINCIDENCES = np.array([[1, 1, 0, 1],
                              [1, 3, 0, 0],
                              [0, 0, 0, 1],
                              [1, 0, 1, 1]], dtype=float)


def test_hand_coincidences_are_the_oracle_ones():
    assert HAND_COINCIDENCES.sum(axis=1).tolist() == [3, 4, 1, 3]


def test_circular_hand_worked():
    # Default period U = 4 - 1 + 1 = 4; sin^2(180 deg d / 4) = 1/2 (d = 1, 3), 1 (d = 2).
    # D_o = (2 o_12 / 2 + 2 o_14 / 2 + 2 o_34 / 2) / 11 = 3 / 11.
    # sum_{c<k} n_c n_k delta = 12/2 + 3 + 9/2 + 4/2 + 12 + 3/2 = 29, D_e = 58 / 110.
    # alpha = 1 - (3/11) / (29/55) = 14 / 29.
    d_o, d_e = Fraction(3, 11), Fraction(58, 110)
    expected = 1 - d_o / d_e
    assert expected == Fraction(14, 29)
    assert krippendorff_alpha(to_table(HAND), "circular") == pytest.approx(float(expected),
                                                                           abs=1e-14)
    assert krippendorff_alpha(to_table(HAND), "circular", period=4) == \
        pytest.approx(float(expected), abs=1e-14)
    assert oracle_alpha(HAND, circular_delta(4)) == pytest.approx(float(expected), abs=1e-14)


def test_bipolar_hand_worked():
    # Default scale (1, 4): delta = (c - k)^2 / ((c + k - 2)(8 - c - k)):
    # (1,2) 1/5, (1,3) 1/2, (1,4) 1, (2,3) 1/9, (2,4) 1/2, (3,4) 1/5.
    # D_o = (2 * 1/5 + 2 * 1 + 2 * 1/5) / 11 = 2.8 / 11 (o_12, o_14, o_34 are 1).
    # sum_{c<k} n_c n_k delta = 12/5 + 3/2 + 9 + 4/9 + 6 + 3/5 = 359/18, D_e = 359/990.
    d_o = Fraction(14, 55)
    d_e = Fraction(359, 990)
    expected = 1 - d_o / d_e
    assert expected == Fraction(107, 359)
    assert krippendorff_alpha(to_table(HAND), "bipolar") == pytest.approx(float(expected),
                                                                          abs=1e-14)
    assert oracle_alpha(HAND, bipolar_delta(1, 4)) == pytest.approx(float(expected), abs=1e-14)


def test_circular_period_given_and_wraps():
    # Hours 0 .. 23: 23 and 0 are one hour apart, as close as 0 and 1.
    rows = [[23, 0, 1], [12, 12, 13], [6, 7, None], [18, 17, 19], [3, 22, 2]]
    got = krippendorff_alpha(to_table(rows), "circular", period=24)
    assert got == pytest.approx(oracle_alpha(rows, circular_delta(24)), abs=1e-12)
    shifted = [[(v + 1) % 24 if v is not None else None for v in r] for r in rows]
    assert krippendorff_alpha(to_table(shifted), "circular", period=24) == \
        pytest.approx(got, abs=1e-12)
    # degrees, not integers in general: period must be given
    deg = [[359.5, 0.5, 10.0], [90.0, 95.5, None], [180.0, 170.0, 185.25]]
    assert krippendorff_alpha(to_table(deg), "circular", period=360) == \
        pytest.approx(oracle_alpha(deg, circular_delta(360)), abs=1e-12)
    with pytest.raises(ValueError, match="needs period="):
        krippendorff_alpha(to_table(deg), "circular")


def test_bipolar_scale_given():
    rows = [[-3, -2, -3], [0, 1, 0], [2, 3, None], [-1, 1, 0], [3, 3, 2]]
    for lo, hi in ((-3, 3), (-5, 4)):
        assert krippendorff_alpha(to_table(rows), "bipolar", scale=(lo, hi)) == \
            pytest.approx(oracle_alpha(rows, bipolar_delta(lo, hi)), abs=1e-12)


def test_consistent_with_gwet_weights():
    # Gwet's circular and bipolar agreement weights are 1 - delta / max(delta) over the
    # categories (period max - min + 1, scale of the category values); alpha does not
    # change when delta is scaled, so alpha with distance 1 - w equals these levels.
    rows = [[1, 2, 2], [3, 3, 4], [5, 1, None], [2, 2, 5], [4, 4, 4], [1, 5, 1]]
    x = np.arange(1, 6, dtype=float)
    for name, delta in (("circular", circular_delta(5)), ("bipolar", bipolar_delta(1, 5))):
        W = weight_matrix(name, x)
        d = np.array([[delta(c, k) for k in x] for c in x])
        np.testing.assert_allclose(W, 1 - d / d.max(), atol=1e-14)

        def from_weights(a, b, W=W):
            return 1.0 - W[a.astype(int) - 1, b.astype(int) - 1]

        assert krippendorff_alpha(to_table(rows), name) == \
            pytest.approx(krippendorff_alpha(to_table(rows), from_weights), abs=1e-12)


# ----------------------------------------------------------- random data, oracle
@st.composite
def numeric_rows(draw, low=0, high=6):
    n_units = draw(st.integers(2, 7))
    n_coders = draw(st.integers(2, 4))
    cell = st.one_of(st.none(), st.integers(low, high))
    rows = [[draw(cell) for _ in range(n_coders)] for _ in range(n_units)]
    pairable = [v for r in rows if sum(v is not None for v in r) >= 2 for v in r
                if v is not None]
    assume(len(set(pairable)) >= 2)
    return rows


@settings(max_examples=25, deadline=None)
@given(rows=numeric_rows(), extra=st.integers(0, 5), shift=st.integers(0, 20))
def test_circular_matches_oracle_and_rotation(rows, extra, shift):
    vals = [v for r in rows for v in r if v is not None]
    table = to_table(rows)
    default = max(vals) - min(vals) + 1
    assert krippendorff_alpha(table, "circular") == \
        pytest.approx(oracle_alpha(rows, circular_delta(default)), abs=1e-10)
    period = 7 + extra                   # the values 0 .. 6 lie on a circle of period
    got = krippendorff_alpha(table, "circular", period=period)
    assert got == pytest.approx(oracle_alpha(rows, circular_delta(period)), abs=1e-10)
    assert got <= 1 + 1e-12
    rotated = [[None if v is None else (v + shift) % period for v in r] for r in rows]
    assert krippendorff_alpha(to_table(rotated), "circular", period=period) == \
        pytest.approx(got, abs=1e-10)


@settings(max_examples=25, deadline=None)
@given(rows=numeric_rows(), widen=st.integers(0, 3))
def test_bipolar_matches_oracle_and_reflection(rows, widen):
    vals = [v for r in rows for v in r if v is not None]
    table = to_table(rows)
    assert krippendorff_alpha(table, "bipolar") == \
        pytest.approx(oracle_alpha(rows, bipolar_delta(min(vals), max(vals))), abs=1e-10)
    lo, hi = 0 - widen, 6 + widen
    got = krippendorff_alpha(table, "bipolar", scale=(lo, hi))
    assert got == pytest.approx(oracle_alpha(rows, bipolar_delta(lo, hi)), abs=1e-10)
    reflected = [[None if v is None else lo + hi - v for v in r] for r in rows]
    assert krippendorff_alpha(to_table(reflected), "bipolar", scale=(lo, hi)) == \
        pytest.approx(got, abs=1e-10)


# --------------------------------------------------------------------------- sets
LABELS = ("a", "b", "c", "d")


def random_sets(rng, n_units, n_coders, p_missing):
    rows = []
    for _ in range(n_units):
        row = []
        for _ in range(n_coders):
            if rng.random() < p_missing:
                row.append(None)
            else:
                size = int(rng.integers(1, 4))
                row.append(frozenset(rng.choice(LABELS, size=size, replace=False).tolist()))
        rows.append(row)
    return rows


def nltk_alpha(rows, distance):
    task = nltk_agreement.AnnotationTask(
        data=[(f"c{j}", f"u{i}", v) for i, r in enumerate(rows) for j, v in enumerate(r)
              if v is not None], distance=distance)
    return task.alpha()


@pytest.mark.parametrize("seed", range(6))
def test_sets_match_nltk(seed):
    rng = np.random.default_rng(seed)
    # complete data, then missing ratings (NLTK drops units with one rating, as
    # Krippendorff does)
    for p_missing in (0.0, 0.35):
        rows = random_sets(rng, n_units=int(rng.integers(4, 12)),
                           n_coders=int(rng.integers(2, 5)), p_missing=p_missing)
        table = to_table(rows)
        for name, dist in (("masi", nltk_distance.masi_distance),
                           ("jaccard", nltk_distance.jaccard_distance)):
            ref = nltk_alpha(rows, dist)
            assert krippendorff_alpha(table, distance=name) == pytest.approx(ref, abs=1e-12)
            assert oracle_alpha(rows, dist) == pytest.approx(ref, abs=1e-12)


def test_sets_with_the_low_level_constructor():
    cats = pd.Index([frozenset({"a"}), frozenset({"a", "b"}), frozenset({"c"})], dtype=object)
    item = np.array([0, 0, 1, 1, 1, 2, 2])
    coder = np.array([0, 1, 0, 1, 2, 0, 2])
    code = np.array([0, 1, 2, 2, 0, 1, 1])
    ann = Annotations(item, coder, code, pd.RangeIndex(3), pd.RangeIndex(3), cats)
    rows = [[cats[0], cats[1], None], [cats[2], cats[2], cats[0]], [cats[1], None, cats[1]]]
    assert krippendorff_alpha(ann, distance="masi") == \
        pytest.approx(nltk_alpha(rows, nltk_distance.masi_distance), abs=1e-12)


def test_set_distances_match_nltk():
    rng = np.random.default_rng(3)
    pool = [frozenset(s) for s in ([], ["a"], ["b"], ["a", "b"], ["a", "b", "c"], ["c"],
                                   ["b", "c", "d"], ["a", "b", "c", "d"])]
    for a in pool:
        for b in pool:
            if not a and not b:
                # NLTK divides by zero here; two empty sets are equal, at distance 0
                assert masi_distance(a, b) == 0.0 == jaccard_distance(a, b)
                continue
            assert masi_distance(a, b) == nltk_distance.masi_distance(a, b)
            assert jaccard_distance(a, b) == nltk_distance.jaccard_distance(a, b)
    # Passonneau (2006): J = 1/2 and M = 2/3 for a subset, J = 1/3 and M = 1/3 for overlap
    assert masi_distance({1, 2}, {1, 2, 3, 4}) == pytest.approx(1 - 1 / 2 * 2 / 3, abs=1e-15)
    assert masi_distance({1, 2}, {2, 3}) == pytest.approx(1 - 1 / 3 * 1 / 3, abs=1e-15)
    cats = [pool[i] for i in rng.permutation(len(pool))]
    M = set_distance_matrix(cats, "masi")
    assert M.shape == (8, 8) and np.array_equal(M, M.T) and not np.diag(M).any()
    assert M[1, 2] == masi_distance(cats[1], cats[2])


# ------------------------------------------------------- agreement(), dask, errors
def test_agreement_passes_the_options():
    rows = [[1, 2, 2], [3, 3, 4], [5, 1, None], [2, 2, 5], [4, 4, 4], [1, 5, 1],
            [2, 3, 2], [5, 5, 4]]
    table = to_table(rows)
    spec = [("krippendorff_alpha", {"level": "circular", "period": 6}),
            ("krippendorff_alpha", {"level": "bipolar", "scale": (0, 6)})]
    for ci in ("analytic", "bootstrap"):
        res = agreement(table, spec, ci=ci, n_resamples=50, random_state=0)
        assert res["value"].iloc[0] == pytest.approx(
            oracle_alpha(rows, circular_delta(6)), abs=1e-12)
        assert res["value"].iloc[1] == pytest.approx(
            oracle_alpha(rows, bipolar_delta(0, 6)), abs=1e-12)
        assert np.isfinite(res["se"]).all() and (res["se"] > 0).all()
    sets = random_sets(np.random.default_rng(1), 10, 3, 0.2)
    res = agreement(to_table(sets), [("krippendorff_alpha", {"distance": "masi"})],
                    ci="analytic")
    assert res["value"].iloc[0] == pytest.approx(
        nltk_alpha(sets, nltk_distance.masi_distance), abs=1e-12)


def test_dask_annotations():
    dd = pytest.importorskip("dask.dataframe")
    rows = [[1, 2, 2], [3, 3, 4], [5, 1, None], [2, 2, 5], [4, 4, 4], [1, 5, 1]]
    long = pd.DataFrame([(i, j, v) for i, r in enumerate(rows) for j, v in enumerate(r)
                         if v is not None], columns=["item", "annotator", "label"])
    da = Annotations.from_long(dd.from_pandas(long, npartitions=2))
    assert krippendorff_alpha(da, "circular", period=7) == pytest.approx(
        oracle_alpha(rows, circular_delta(7)), abs=1e-12)
    assert krippendorff_alpha(da, "bipolar") == pytest.approx(
        oracle_alpha(rows, bipolar_delta(1, 5)), abs=1e-12)
    with pytest.raises(ValueError, match="period must be"):
        krippendorff_alpha(da, "circular", period=0)


def test_caller_data_unchanged():
    rows = random_sets(np.random.default_rng(2), 5, 3, 0.2)
    table = to_table(rows)
    before = table.copy()
    krippendorff_alpha(table, distance="jaccard")
    pd.testing.assert_frame_equal(table, before)


def test_errors():
    num = to_table(HAND)
    words = to_table([["a", "b"], ["b", "b"]])
    sets = to_table([[frozenset({"a"}), frozenset({"b"})], [frozenset("a"), frozenset("a")]])
    with pytest.raises(ValueError, match=UNKNOWN_SET_DISTANCE.format(got="cosine")[:30]):
        krippendorff_alpha(sets, distance="cosine")
    with pytest.raises(ValueError) as e:
        krippendorff_alpha(sets, "interval", distance="masi")
    assert str(e.value) == DISTANCE_LEVEL.format(distance="masi", level="interval")
    with pytest.raises(ValueError) as e:
        krippendorff_alpha(num, distance="masi")
    assert str(e.value) == NOT_SETS.format(name="masi", label=1, kind="int")
    with pytest.raises(ValueError) as e:
        krippendorff_alpha(words, "circular")
    assert str(e.value) == NOT_NUMERIC.format(level="circular", cats=["a", "b"])
    with pytest.raises(ValueError) as e:
        krippendorff_alpha(num, "interval", period=4)
    assert str(e.value) == OPTION_LEVEL.format(option="period", needs="circular",
                                               level="interval")
    with pytest.raises(ValueError) as e:
        krippendorff_alpha(num, "circular", scale=(1, 4))
    assert str(e.value) == OPTION_LEVEL.format(option="scale", needs="bipolar",
                                               level="circular")
    for bad in (0, -1.0, math.nan, math.inf, "12", True, [12]):
        with pytest.raises(ValueError) as e:
            krippendorff_alpha(num, "circular", period=bad)
        assert str(e.value) == BAD_PERIOD.format(got=bad)
    for bad in ((4, 1), (1, 1), (1, 2, 3), "ab", 5, (0, math.inf)):
        with pytest.raises(ValueError) as e:
            krippendorff_alpha(num, "bipolar", scale=bad)
        assert str(e.value) == BAD_SCALE.format(got=bad)
    with pytest.raises(ValueError) as e:
        krippendorff_alpha(num, "bipolar", scale=(2, 4))
    assert str(e.value) == SCALE_RANGE.format(scale=(2, 4), value=1)
    halves = to_table([[0.5, 1.0], [1.5, 1.5]])
    with pytest.raises(ValueError) as e:
        krippendorff_alpha(halves, "circular")
    assert str(e.value) == PERIOD_NEEDED.format(cats=[0.5, 1.0, 1.5])


def test_docs_examples_against_references():
    # the examples of docs/annotation_alpha.md, checked against the oracle and NLTK
    months = [[12, 1, 1], [3, 4, 3], [6, 6, 7], [11, 12, None], [9, 8, 9]]
    assert krippendorff_alpha(months, "circular", period=12) == pytest.approx(
        oracle_alpha(months, circular_delta(12)), abs=1e-12)
    assert oracle_alpha(months, circular_delta(12)) == pytest.approx(0.9109, abs=5e-5)
    S = frozenset
    emotions = [[S({"joy"}), S({"joy", "love"}), S({"joy"})],
                [S({"anger"}), S({"anger", "fear"}), S({"fear"})],
                [S({"sadness"}), S({"sadness"}), None],
                [S({"joy", "surprise"}), S({"surprise"}), S({"surprise"})],
                [S({"fear"}), S({"fear"}), S({"fear", "sadness"})]]
    for name, dist, shown in (("masi", nltk_distance.masi_distance, 0.484),
                              ("jaccard", nltk_distance.jaccard_distance, 0.577)):
        ref = nltk_alpha(emotions, dist)
        assert krippendorff_alpha(to_table(emotions), distance=name) == \
            pytest.approx(ref, abs=1e-12)
        assert ref == pytest.approx(shown, abs=5e-5)
    assert krippendorff_alpha(to_table(emotions)) == pytest.approx(
        oracle_alpha(emotions, lambda a, b: float(a != b)), abs=1e-12)
