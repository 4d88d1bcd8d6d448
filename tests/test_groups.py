"""Group labels from sensitive features, and MultiplicityProfile.by_group / to_frame.

Group labels and counts are checked against pandas (groupby, qcut, cut); the measures by
group against slow per-group NumPy loops over the members' predictions.
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from multiplicity import _groups
from multiplicity._groups import (
    MISSING,
    SMALL_GROUP_MIN_SHARE,
    SMALL_GROUP_MIN_SIZE,
    group_labels,
    group_sizes,
    small_group_caveat,
    small_groups,
)
from multiplicity.rashomon import RashomonSet

N = 400


@pytest.fixture(scope="module")
def frame():
    """People with an index that is not 0..n-1, numeric and categorical features."""
    rng = np.random.default_rng(3)
    X = pd.DataFrame({
        "x1": rng.normal(size=N),
        "x2": rng.normal(size=N),
        "age": rng.integers(18, 97, N).astype(float),
        "gender": rng.choice(["female", "male"], N, p=[0.3, 0.7]).astype(object),
        "race": rng.choice(["black", "white", "other"], N, p=[0.4, 0.5, 0.1]),
        "level": rng.integers(0, 3, N),  # numeric with 3 values: kept raw
    }, index=pd.Index(rng.permutation(10 * N)[:N], name="person"))
    X.loc[X.index[rng.choice(N, 25, replace=False)], "gender"] = None
    X.loc[X.index[rng.choice(N, 10, replace=False)], "age"] = np.nan
    y = pd.Series((X["x1"] + 0.8 * rng.normal(size=N) > 0).astype(int), index=X.index)
    return X, y


# ---------------------------------------------------------------- the oracle
def _oracle_labels(values: pd.Series) -> pd.Series:
    """Group labels by hand: missing -> "(missing)", values as they are."""
    return values.astype(object).where(values.notna(), MISSING)


def _check_groups_against(g, expected: pd.Series):
    """``g`` (Groups) puts rows together exactly as ``expected`` (any key per row)."""
    assert len(g.labels) == len(expected)
    npt.assert_array_equal(g.labels, np.asarray(g.names, dtype=object)[g.codes])
    # same partition: each expected group is exactly one of ours and vice versa
    pairs = pd.DataFrame({"ours": g.codes, "theirs": expected.astype(str).to_numpy()})
    assert (pairs.groupby("theirs")["ours"].nunique() == 1).all()
    assert (pairs.groupby("ours")["theirs"].nunique() == 1).all()
    npt.assert_array_equal(g.sizes, np.bincount(g.codes))
    assert sorted(g.sizes.tolist()) == sorted(pairs["theirs"].value_counts().tolist())


# ------------------------------------------------------------- group_labels
def test_series_with_missing_values_forms_a_missing_group(frame):
    X, _ = frame
    g = group_labels(X["gender"], index=X.index)
    _check_groups_against(g, _oracle_labels(X["gender"]))
    assert list(g.names) == [MISSING, "female", "male"]
    assert g.sizes[0] == X["gender"].isna().sum() == 25
    assert "gender" in g.description and "missing" in g.description
    # float NaN, None and pd.NA alike
    for missing in (np.nan, None, pd.NA):
        values = np.array(["a", missing, "b", "a"], dtype=object)
        h = group_labels(values, n=4)
        assert list(h.labels) == ["a", MISSING, "b", "a"]


def test_shuffled_pandas_inputs_give_the_same_groups(frame):
    X, _ = frame
    ref = group_labels(X[["gender", "race"]], index=X.index)
    rng = np.random.default_rng(0)
    order = rng.permutation(N)
    for shuffled in (X[["gender", "race"]].iloc[order], X[["gender", "race"]].sort_index(),
                     {"gender": X["gender"].iloc[order], "race": X["race"].sort_index()}):
        g = group_labels(shuffled, index=X.index)
        npt.assert_array_equal(g.labels, ref.labels)
        npt.assert_array_equal(g.codes, ref.codes)
        assert list(g.names) == list(ref.names)
    one = group_labels(X["gender"].sort_index(), index=X.index)
    npt.assert_array_equal(one.labels, group_labels(X["gender"], index=X.index).labels)
    npt.assert_array_equal(one.labels, _oracle_labels(X["gender"]).to_numpy())


@pytest.mark.parametrize("make", [
    lambda X: X["gender"].iloc[:-1],
    lambda X: X[["gender", "race"]].iloc[5:],
    lambda X: {"gender": X["gender"], "race": X["race"].iloc[:10]},
    lambda X: X["gender"].set_axis(X.index + 1),
])
def test_subset_or_other_index_raises(frame, make):
    X, _ = frame
    with pytest.raises(ValueError, match="does not match the index of X"):
        group_labels(make(X), index=X.index)


def test_repeated_index_labels_raise(frame):
    X, _ = frame
    g = X["gender"].set_axis(np.r_[X.index[:-1], X.index[0]])
    with pytest.raises(ValueError, match="repeats labels"):
        group_labels(g, index=X.index)


def test_positional_length_mismatch_raises():
    with pytest.raises(ValueError, match=r"groups must have shape \(5,\) to match X"):
        group_labels(np.array(["a", "b"]), n=5, name="groups")
    with pytest.raises(ValueError, match=r"sensitive_features\['s'\] must have shape"):
        group_labels({"s": [1, 2, 3]}, n=5)
    with pytest.raises(ValueError, match="matched to the data on its index only when"):
        group_labels(pd.Series(["a", "b"]), n=5)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(TypeError, match="sensitive_features must be a pandas Series"):
        group_labels("gender", n=3)
    with pytest.raises(TypeError, match="sensitive_features must be a pandas Series"):
        group_labels(3.0, n=3)
    with pytest.raises(ValueError, match="2-D array of shape"):
        group_labels(np.zeros((3, 2)), n=3)
    with pytest.raises(ValueError, match="at least one feature"):
        group_labels({}, n=3)
    with pytest.raises(ValueError, match="at least one feature"):
        group_labels(pd.DataFrame(index=range(3)), n=3)
    unhashable = np.empty(3, dtype=object)
    unhashable[:] = [[1], [2], [3]]
    with pytest.raises(TypeError, match="hashable"):
        group_labels(unhashable, n=3)
    with pytest.raises(ValueError, match="name of the group of missing values"):
        group_labels(["(missing)", None, "a"], n=3)


def test_numpy_reference_takes_pandas_inputs_by_position(frame):
    X, _ = frame
    shuffled = X["gender"].sort_index()
    g = group_labels(shuffled, n=N)  # no index: positional, as align_to does
    npt.assert_array_equal(g.labels, _oracle_labels(shuffled).to_numpy())


def test_intersectional_labels_and_counts_match_a_pandas_groupby(frame):
    X, _ = frame
    feats = X[["gender", "race"]]
    g = group_labels(feats, index=X.index)
    oracle = feats.fillna(MISSING).groupby(["gender", "race"], dropna=False).size()
    want = {f"gender={a}, race={b}": int(k) for (a, b), k in oracle.items()}
    got = dict(zip(g.names, g.sizes.tolist(), strict=True))
    assert got == want
    assert list(g.names) == list(want)  # lexicographic, (missing) first
    expected = "gender=" + feats["gender"].fillna(MISSING) + ", race=" + feats["race"]
    npt.assert_array_equal(g.labels, expected.to_numpy())
    assert g.features == ("gender", "race")
    # a dict of the same columns is the same grouping
    d = group_labels({"gender": X["gender"], "race": X["race"].to_numpy()}, index=X.index)
    npt.assert_array_equal(d.labels, g.labels)


def test_intersection_with_a_binned_feature(frame):
    X, _ = frame
    g = group_labels(X[["race", "age"]], index=X.index)
    bins = group_labels(X["age"], index=X.index)
    expected = "race=" + X["race"] + ", " + pd.Series(bins.labels, index=X.index).where(
        X["age"].notna(), f"age={MISSING}")
    npt.assert_array_equal(g.labels, expected.to_numpy())
    q = pd.qcut(X["age"], 4).cat.codes  # -1 for missing
    oracle = pd.DataFrame({"race": X["race"], "bin": q}).groupby(["race", "bin"]).size()
    assert sorted(g.sizes.tolist()) == sorted(oracle.tolist())
    assert any(name.startswith("race=black, age in [") for name in g.names)


def test_numeric_feature_is_cut_into_quartiles_like_qcut(frame):
    X, _ = frame
    age = X["age"]
    g = group_labels(age, index=X.index)
    q = pd.qcut(age, 4)
    expected = pd.Series(q.cat.codes.to_numpy(), index=X.index).astype(object)
    expected[age.isna()] = MISSING
    _check_groups_against(g, expected)
    assert len(g.names) == 5 and g.names[0] == MISSING
    edges = q.cat.categories
    assert list(g.sizes[1:]) == q.value_counts(sort=False).tolist()
    assert g.sizes[0] == age.isna().sum()
    # labels carry the intervals: first closed, then right-closed
    right = [f"{e:g}" for e in edges.right]
    assert g.names[1] == f"age in [{age.min():g}, {right[0]}]"
    assert g.names[2] == f"age in ({right[0]}, {right[1]}]"
    assert "4 quartile bins" in g.description


def test_numeric_feature_passed_as_object_values_is_binned_too(frame):
    X, _ = frame
    as_object = np.asarray(X["age"].to_numpy(), dtype=object)
    g = group_labels(as_object, n=N)
    ref = group_labels(X["age"].to_numpy(), n=N)
    npt.assert_array_equal(g.codes, ref.codes)
    assert list(g.names) == [MISSING] + [n.replace("age in ", "") for n in
                                         group_labels(X["age"], index=X.index).names[1:]]


def test_bins_int_edges_and_none(frame):
    X, _ = frame
    age = X["age"].dropna()
    g = group_labels(age, index=age.index, bins=3)
    _check_groups_against(g, pd.Series(pd.qcut(age, 3).cat.codes.to_numpy()))
    edges = [0, 30, 50, np.inf]
    g = group_labels(age, index=age.index, bins=edges)
    cut = pd.cut(age, edges, include_lowest=True)
    _check_groups_against(g, pd.Series(cut.cat.codes.to_numpy()))
    assert list(g.names) == ["age in [0, 30]", "age in (30, 50]", "age in (50, inf]"]
    g = group_labels(age, index=age.index, bins=None)
    assert len(g.names) == age.nunique() > _groups.MAX_RAW_LEVELS
    npt.assert_array_equal(np.asarray(g.names, dtype=float), np.sort(age.unique()))
    g = group_labels(age, index=age.index, bins=False)
    assert len(g.names) == age.nunique()
    # a dict chooses per feature
    g = group_labels(X[["age", "level"]], index=X.index, bins={"age": None})
    assert len(g.names) == X.groupby(["age", "level"], dropna=False).ngroups


def test_few_numeric_values_stay_raw(frame):
    X, _ = frame
    g = group_labels(X["level"], index=X.index)
    assert list(g.names) == [0, 1, 2]
    npt.assert_array_equal(g.labels.astype(int), X["level"].to_numpy())
    b = group_labels(X["x1"].to_numpy() > 0, n=N)
    assert list(b.names) == [False, True]


def test_bad_bins_raise(frame):
    X, _ = frame
    with pytest.raises(ValueError, match="outside the bin edges"):
        group_labels(X["age"], index=X.index, bins=[20, 50])
    for bad in (1, [3, 2, 5], [1.0], "quartiles"):
        with pytest.raises((TypeError, ValueError), match="bins must be"):
            group_labels(X["age"], index=X.index, bins=bad)
    with pytest.raises(TypeError, match="does not hold numbers"):
        group_labels(X["race"], index=X.index, bins=[0, 1])
    with pytest.raises(ValueError, match="pass a dict feature -> edges"):
        group_labels(X[["age", "x1"]], index=X.index, bins=[-10, 0, 100])
    with pytest.raises(ValueError, match="not features of"):
        group_labels(X[["age"]], index=X.index, bins={"agee": 3})


def test_tied_quantiles_warn():
    x = np.r_[np.zeros(60), np.arange(1, 51)]
    with pytest.warns(UserWarning, match="only 2 of the 4 quantile bins"):
        g = group_labels(x, n=len(x))
    assert len(g.names) == 2


def test_ordered_categorical_keeps_its_order():
    cat = pd.Categorical(["low", "high", "mid", None] * 5,
                         categories=["low", "mid", "high", "unused"], ordered=True)
    g = group_labels(pd.Series(cat, name="risk"), n=20)
    assert list(g.names) == [MISSING, "low", "mid", "high"]
    assert g.sizes.tolist() == [5, 5, 5, 5]


def test_inputs_are_not_modified(frame):
    X, _ = frame
    before = X.copy()
    arr = X["age"].to_numpy().copy()
    group_labels(X[["gender", "age"]].sort_index(), index=X.index)
    group_labels(arr, n=N)
    pd.testing.assert_frame_equal(X, before)
    npt.assert_array_equal(arr, X["age"].to_numpy())


def test_small_group_rule_and_sizes():
    sizes = np.array([99, 100, 150, 250, 5000])
    total = 10_000
    want = [(s < SMALL_GROUP_MIN_SIZE) or (s / total < SMALL_GROUP_MIN_SHARE) for s in sizes]
    npt.assert_array_equal(small_groups(sizes, total), want)
    assert want == [True, True, True, False, False]
    assert small_group_caveat(["a", "b"], [500, 600], 1100) is None
    text = small_group_caveat(["a", "b", "c"], [61, 500, 600], 1161)
    assert "a (n=61)" in text and "too uncertain to support a ranking" in text
    g = group_labels(np.repeat(["a", "b", "c"], [61, 500, 600]), n=1161)
    t = group_sizes(g)
    assert t["n"].tolist() == [61, 500, 600]
    npt.assert_allclose(t["share"], np.array([61, 500, 600]) / 1161)
    assert t["small"].tolist() == [True, False, False]


# --------------------------------------------------------------- the profile
@pytest.fixture(scope="module")
def split(frame):
    X, y = frame
    Xtr, _, ytr, _ = train_test_split(X, y, test_size=0.25, random_state=0)
    features = ["x1", "x2"]
    rng = np.random.default_rng(1)
    pool = []
    for _ in range(10):
        idx = rng.integers(0, len(ytr), len(ytr))
        pool.append(LogisticRegression(C=float(rng.uniform(0.01, 5)))
                    .fit(Xtr[features].iloc[idx], ytr.iloc[idx]))
    rs = RashomonSet.from_models(pool, Xtr[features], ytr, epsilon=0.05)
    return Xtr, ytr, features, rs


def test_to_frame_carries_the_index_of_X(split):
    Xtr, ytr, features, rs = split
    prof = rs.profile(Xtr[features], ytr)
    table = prof.to_frame()
    assert table.index.equals(Xtr.index)
    assert table.index.name == "person"
    joined = Xtr.join(table)
    npt.assert_array_equal(joined["ambiguous"].to_numpy(), prof.ambiguous)
    npt.assert_array_equal(joined["y_true"].to_numpy(), ytr.to_numpy())
    # NumPy X: positions
    with warnings.catch_warnings():  # the models were fitted with feature names
        warnings.simplefilter("ignore", UserWarning)
        prof_np = rs.profile(Xtr[features].to_numpy(), ytr.to_numpy())
    assert prof_np.to_frame().index.equals(pd.RangeIndex(len(ytr)))


def _slow_by_group(rs, X, y, labels, delta=0.1):
    """Every measure of one group by plain loops over its members' outputs."""
    P = rs.predict(X)
    Q = rs.predict_proba(X)
    b = rs.baseline_index_
    y = np.asarray(y)
    m = P.shape[0]
    rows = {}
    for g in pd.unique(labels):
        cols = np.flatnonzero(labels == g)
        amb = np.mean([any(P[i, j] != P[b, j] for i in range(m)) for j in cols])
        disc = max(np.mean([P[i, j] != P[b, j] for j in cols]) for i in range(m))
        pflip = np.array([[np.max(np.abs(Q[i, j] - Q[b, j])) >= delta - 1e-12 for j in cols]
                          for i in range(m)])
        sc = []
        for j in cols:
            agree = sum(P[i, j] == P[k, j] for i in range(m) for k in range(m) if i != k)
            sc.append(agree / (m * (m - 1)))
        acc = [np.mean([P[i, j] == y[j] for j in cols]) for i in range(m)]
        width = [Q[:, j, 1].max() - Q[:, j, 1].min() for j in cols]
        rows[g] = {"n_samples": len(cols), "ambiguity": amb, "discrepancy": disc,
                   "probabilistic_ambiguity": pflip.any(axis=0).mean(),
                   "probabilistic_discrepancy": pflip.mean(axis=1).max(),
                   "mean_vpr_width": np.mean(width),
                   "mean_self_consistency": np.mean(sc),
                   "baseline_accuracy": acc[b], "min_accuracy": min(acc),
                   "max_accuracy": max(acc)}
    return pd.DataFrame(rows).T


def test_by_group_numbers_match_a_per_group_oracle(split):
    Xtr, ytr, features, rs = split
    prof = rs.profile(Xtr[features], ytr)
    table = prof.by_group(Xtr[["gender", "race"]])
    labels = ("gender=" + Xtr["gender"].fillna(MISSING) + ", race=" + Xtr["race"]).to_numpy()
    oracle = _slow_by_group(rs, Xtr[features], ytr, labels)
    groups = table.drop(index=["overall", "max-min gap"])
    assert sorted(groups.index) == sorted(oracle.index)
    for g, want in oracle.iterrows():
        for col, value in want.items():
            assert groups.loc[g, col] == pytest.approx(value, abs=1e-12), (g, col)
    # capacity: per-sample values averaged per group
    for g in oracle.index:
        assert groups.loc[g, "mean_rashomon_capacity"] == pytest.approx(
            prof.rashomon_capacity[labels == g].mean())
    npt.assert_allclose(groups["share"], groups["n_samples"].astype(float) / len(ytr))
    assert table.loc["overall", "n_samples"] == len(ytr)
    assert table.loc["overall", "ambiguity"] == pytest.approx(prof.ambiguity)
    assert table.loc["max-min gap", "ambiguity"] == pytest.approx(
        oracle["ambiguity"].max() - oracle["ambiguity"].min())


def test_by_group_aligns_on_the_index_of_X(split):
    Xtr, ytr, features, rs = split
    prof = rs.profile(Xtr[features], ytr)
    ref = prof.by_group(Xtr["gender"])
    for shuffled in (Xtr[["gender"]].sort_index(), Xtr["gender"].sample(frac=1, random_state=2),
                     {"gender": Xtr["gender"].sort_index()}):
        pd.testing.assert_frame_equal(prof.by_group(shuffled), ref)
    # the table by position of the rows: what sort_index() would wrongly have given
    wrong = prof.by_group(Xtr["gender"].sort_index().to_numpy())
    assert not np.allclose(wrong["ambiguity"].to_numpy(), ref["ambiguity"].to_numpy())
    with pytest.raises(ValueError, match="does not match the index of X"):
        prof.by_group(Xtr["gender"].iloc[1:])
    with pytest.raises(ValueError, match=r"groups must have shape"):
        prof.by_group(Xtr["gender"].to_numpy()[1:])


def test_by_group_missing_values_form_a_group(split):
    Xtr, ytr, features, rs = split
    prof = rs.profile(Xtr[features], ytr)
    table = prof.by_group(Xtr["gender"])
    assert list(table.index) == [MISSING, "female", "male", "overall", "max-min gap"]
    missing = Xtr["gender"].isna().to_numpy()
    assert table.loc[MISSING, "n_samples"] == missing.sum()
    assert table.loc[MISSING, "ambiguity"] == pytest.approx(prof.ambiguous[missing].mean())


def test_by_group_bins_a_numeric_feature(split):
    Xtr, ytr, features, rs = split
    prof = rs.profile(Xtr[features], ytr)
    table = prof.by_group(Xtr["age"])
    groups = table.drop(index=["overall", "max-min gap"])
    assert len(groups) == 5  # quartiles and (missing), not one row per age
    q = pd.qcut(Xtr["age"], 4).cat.codes.to_numpy()
    for code, name in enumerate(groups.index[1:]):
        assert name.startswith("age in ")
        rows = q == code
        assert groups.loc[name, "n_samples"] == rows.sum()
        assert groups.loc[name, "ambiguity"] == pytest.approx(prof.ambiguous[rows].mean())
    raw = prof.by_group(Xtr["age"], bins=None)
    assert len(raw) == Xtr["age"].nunique() + 1 + 2
    assert "quartile" in table.attrs["groups"]


def test_by_group_marks_small_groups(split):
    Xtr, ytr, features, rs = split
    prof = rs.profile(Xtr[features], ytr)
    table = prof.by_group(Xtr["race"])
    groups = table.drop(index=["overall", "max-min gap"])
    n = len(ytr)
    want = [(k < 100) or (k / n < 0.02) for k in groups["n_samples"]]
    assert groups["small"].tolist() == want
    assert want.count(True) >= 1 and want.count(False) >= 1  # "other" is small
    assert table.attrs["small_groups"] == [g for g, s in zip(groups.index, want,
                                                              strict=True) if s]
    assert "other" in table.attrs["caveat"] and "ranking" in table.attrs["caveat"]
    large = groups[~groups["small"].astype(bool)]
    for col, worst in table.attrs["worst_large_group"].items():
        assert worst in large.index
        best = large[col].idxmin() if col in ("mean_self_consistency", "baseline_accuracy",
                                              "min_accuracy", "max_accuracy") \
            else large[col].idxmax()
        assert worst == best, col
    assert table["small"].isna().tolist()[-2:] == [True, True]
    big = prof.by_group(np.where(Xtr["x1"] > 0, "a", "b"))
    assert big.attrs["caveat"] is None and big.attrs["small_groups"] == []


def test_by_group_with_numpy_X_is_positional(split):
    Xtr, ytr, features, rs = split
    with warnings.catch_warnings():  # the models were fitted with feature names
        warnings.simplefilter("ignore", UserWarning)
        prof = rs.profile(Xtr[features].to_numpy(), ytr.to_numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = prof.by_group(Xtr["gender"].reset_index(drop=True))
    ref = rs.profile(Xtr[features], ytr).by_group(Xtr["gender"])
    pd.testing.assert_frame_equal(table, ref)
