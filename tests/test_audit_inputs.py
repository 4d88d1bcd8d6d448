"""audit() on real workflows: pandas alignment, held-out data, models the user already has.

Each test reproduces a way the audit could report a wrong number without a word: groups
matched by row order instead of index, measures computed only on the training data, a
fitted explorer or a RashomonSet retrained or rejected.
"""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from multiplicity.metrics import ambiguity
from multiplicity.rashomon import RetrainingExplorer
from multiplicity.report import audit

QUIET = {"progress": False, "figures": False, "exact": "none"}


@pytest.fixture(scope="module")
def wine():
    X, y = load_wine(return_X_y=True, as_frame=True)
    y = y.map({0: "barolo", 1: "grignolino", 2: "barbera"})       # string classes
    rng = np.random.default_rng(0)
    group = pd.Series(np.where(rng.random(len(X)) < 0.15, "small", "large"), index=X.index,
                      name="estate")
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.4, random_state=0, stratify=y)
    return Xtr, Xte, ytr, yte, group


def _ambiguity_by_group(report, name):
    table = report.section("groups").tables[f"by_{name}"][1]
    return table["ambiguity"].drop(index=["overall", "max-min gap"])


def test_groups_follow_the_index_not_the_row_order(wine):
    Xtr, _, ytr, _, group = wine
    kw = {"n_models": 8, "random_state": 0, **QUIET}
    model = DecisionTreeClassifier(max_depth=3, random_state=0)
    aligned = audit(model, Xtr, ytr, sensitive_features=group.loc[Xtr.index], **kw)
    shuffled = audit(model, Xtr, ytr.sample(frac=1, random_state=1),
                     sensitive_features=group.loc[Xtr.index].sort_index(), **kw)
    whole = audit(model, Xtr, ytr, sensitive_features=group, **kw)   # a superset of rows
    for other in (shuffled, whole):
        pd.testing.assert_series_equal(_ambiguity_by_group(other, "estate"),
                                       _ambiguity_by_group(aligned, "estate"))
        assert other.summary().equals(aligned.summary())
    # the oracle: ambiguity of the set within each group, rows matched by label
    P = aligned.rashomon_set.predict(Xtr)
    b = aligned.rashomon_set.baseline_index_
    labels = group.loc[Xtr.index].to_numpy()
    for g, value in _ambiguity_by_group(aligned, "estate").items():
        assert value == pytest.approx(ambiguity(P[:, labels == g], baseline=b))


def test_mismatched_indexes_raise(wine):
    Xtr, _, ytr, _, group = wine
    with pytest.raises(ValueError, match="the index of y does not match the index of X"):
        audit(LogisticRegression(), Xtr, ytr.reset_index(drop=True), **QUIET)
    with pytest.raises(ValueError, match="sensitive_features"):
        audit(LogisticRegression(), Xtr, ytr,
              sensitive_features=group.reset_index(drop=True).iloc[:len(Xtr)], **QUIET)


def test_held_out_measures_and_the_in_sample_warning(wine):
    Xtr, Xte, ytr, yte, group = wine
    forest = RandomForestClassifier(n_estimators=25, random_state=0)
    kw = {"n_models": 10, "random_state": 0, "sensitive_features": group,
          "perturbation": "seed", **QUIET}
    inside = audit(forest, Xtr, ytr, **kw)
    held = audit(forest, Xtr, ytr, X_test=Xte, y_test=yte.sample(frac=1, random_state=2),
                 **kw)
    # every forest (seeds differ, data do not) fits its training data exactly:
    # in-sample, nothing ever flips
    assert inside.summary().loc["ambiguity", "value"] == 0.0
    assert "in-sample" in inside.section("overview").paragraphs[1]
    assert inside.parameters["evaluation"] == "in-sample"
    # on held-out rows the same models disagree; the numbers are those of X_test
    rset = held.rashomon_set
    P = rset.predict(Xte)
    expected = ambiguity(P, baseline=rset.baseline_index_)
    assert expected > 0
    assert held.summary().loc["ambiguity", "value"] == pytest.approx(expected)
    assert held.profile.n_samples == len(Xte)
    assert held.parameters["evaluation"] == "held-out"
    assert held.data["measured_on"] == "X_test" and held.data["test"]["n_samples"] == len(Xte)
    assert "held-out" in held.section("overview").paragraphs[1]
    # accuracy against y_test matched by label, although it came shuffled
    acc = (held.per_person()["prediction"] == yte.loc[Xte.index]).mean()
    assert held.profile.baseline_accuracy == pytest.approx(acc)


def test_per_person_table_joins_back_by_index(wine):
    Xtr, Xte, ytr, yte, group = wine
    rep = audit(LogisticRegression(max_iter=5000), Xtr, ytr, X_test=Xte, y_test=yte,
                sensitive_features=group, n_models=6, random_state=0, **QUIET)
    pp = rep.per_person()
    assert pp.index.equals(Xte.index)
    joined = Xte.join(pp)
    assert len(joined) == len(Xte)
    npt.assert_array_equal(joined["y_true"], yte.loc[Xte.index])
    npt.assert_array_equal(joined["group:estate"], group.loc[Xte.index])
    P = rep.rashomon_set.predict(Xte)
    base = P[rep.rashomon_set.baseline_index_]
    npt.assert_array_equal(pp["prediction"], base)
    npt.assert_array_equal(pp["flipped"], (P != base).any(axis=0))
    npt.assert_array_equal(pp["models_disagreeing"], (P != base).sum(axis=0))
    assert pp.attrs["measured_on"] == "X_test"
    assert pp["flipped"].mean() == pytest.approx(rep.summary().loc["ambiguity", "value"])


def test_test_data_checks(wine):
    Xtr, Xte, ytr, yte, _ = wine
    with pytest.raises(ValueError, match="X_test and y_test go together"):
        audit(LogisticRegression(), Xtr, ytr, X_test=Xte, **QUIET)
    with pytest.raises(ValueError, match="X_test lacks columns of X"):
        audit(LogisticRegression(), Xtr, ytr, X_test=Xte.iloc[:, 1:], y_test=yte, **QUIET)
    with pytest.raises(ValueError, match="y_test holds classes that y does not"):
        audit(LogisticRegression(), Xtr, ytr, X_test=Xte,
              y_test=yte.replace("barolo", "chianti"), **QUIET)
    with pytest.raises(ValueError, match="the index of y_test does not match"):
        audit(LogisticRegression(), Xtr, ytr, X_test=Xte, y_test=yte.reset_index(drop=True),
              **QUIET)


def test_a_fitted_explorer_is_audited_without_refitting(wine):
    Xtr, Xte, ytr, yte, _ = wine
    explorer = RetrainingExplorer(DecisionTreeClassifier(max_depth=3), n_models=7,
                                  perturbation="bootstrap", epsilon=0.05,
                                  random_state=0).fit(Xtr, ytr)
    members = list(explorer.rashomon_set_)
    rep = audit(explorer, Xtr, ytr, X_test=Xte, y_test=yte, **QUIET)
    assert rep.explorer is explorer and rep.rashomon_set is explorer.rashomon_set_
    assert all(a is b for a, b in zip(rep.rashomon_set, members, strict=True))
    assert rep.parameters["models"] == "explorer"
    assert rep.parameters["epsilon"] == 0.05            # the explorer's own epsilon
    assert "did not retrain" in rep.section("overview").paragraphs[0]
    rs = audit(explorer.rashomon_set_, Xtr, ytr, **QUIET)   # a RashomonSet (was TypeError)
    assert rs.rashomon_set is explorer.rashomon_set_
    assert rs.summary().loc["ambiguity", "value"] == pytest.approx(ambiguity(
        explorer.rashomon_set_.predict(Xtr), baseline=explorer.rashomon_set_.baseline_index_))


def test_a_list_of_fitted_models(wine):
    Xtr, Xte, ytr, yte, _ = wine
    models = [DecisionTreeClassifier(max_depth=d, random_state=0).fit(Xtr, ytr)
              for d in (1, 2, 4, 6, None)]
    rep = audit(models, Xtr, ytr, X_test=Xte, y_test=yte, epsilon=0.02, **QUIET)
    losses = np.array([(m.predict(Xtr) != ytr).mean() for m in models])
    kept = losses <= losses.min() + 0.02
    assert len(rep.rashomon_set) == kept.sum()
    assert rep.parameters["models"] == "models" and rep.parameters["n_models"] == 5
    text = rep.section("overview").paragraphs[0]
    assert f"{kept.sum()} of its 5 models" in text
    if (~kept).any():
        assert f"The other {(~kept).sum()} were dropped" in text
    with pytest.raises(ValueError, match="model 1 of the list is not fitted"):
        audit([models[0], DecisionTreeClassifier()], Xtr, ytr, **QUIET)


def test_groups_by_two_columns_numeric_bins_and_small_groups(wine):
    Xtr, Xte, ytr, yte, group = wine
    sens = pd.DataFrame({"estate": group, "alcohol": Xtr["alcohol"].reindex(group.index)})
    sens.loc[Xte.index, "alcohol"] = Xte["alcohol"]
    rep = audit(DecisionTreeClassifier(max_depth=3, random_state=0), Xtr, ytr,
                X_test=Xte, y_test=yte, sensitive_features=sens, n_models=6,
                random_state=0, **QUIET)
    tables = rep.section("groups").tables
    assert set(tables) == {"by_estate", "by_alcohol", "by_estate x alcohol"}
    # a numeric column becomes quartile groups, as pandas.qcut cuts it
    alcohol = tables["by_alcohol"][1].drop(index=["overall", "max-min gap"])
    expected = pd.qcut(Xte["alcohol"], 4).value_counts(sort=False).to_numpy()
    npt.assert_array_equal(alcohol["n_samples"].to_numpy(), expected)
    # the intersection: every occurring (estate, quartile) pair, sizes as a groupby gives
    both = tables["by_estate x alcohol"][1].drop(index=["overall", "max-min gap"])
    pairs = pd.DataFrame({"e": group.loc[Xte.index],
                          "a": pd.qcut(Xte["alcohol"], 4)}).value_counts()
    pairs = pairs[pairs > 0]
    assert len(both) == len(pairs) and both["n_samples"].sum() == len(Xte)
    assert sorted(both["n_samples"]) == sorted(pairs.to_numpy())
    assert "estate=small, alcohol in [" in " ".join(both.index)
    # small groups are flagged with their size and a caveat
    numbers = rep.section("groups").numbers["estate x alcohol"]
    assert numbers["small_groups"]
    assert any("too uncertain to support a ranking" in p
               for p in rep.section("groups").paragraphs)
    assert set(rep.per_person().filter(like="group:").columns) == {
        "group:estate", "group:alcohol", "group:estate x alcohol"}


def test_single_ratings_are_left_out_of_the_annotation_figures(wine):
    Xtr, _, ytr, _, _ = wine
    long = pd.DataFrame({"item": [0, 0, 0, 1, 1, 2, 3, 3, 4],
                         "annotator": ["a", "b", "c", "a", "b", "a", "b", "c", "c"],
                         "label": [1, 1, 2, 2, 2, 1, 1, 2, 2]})
    rep = audit(DecisionTreeClassifier(max_depth=2, random_state=0), Xtr, ytr,
                annotations=long, n_models=3, random_state=0, n_resamples=50, **QUIET)
    numbers = rep.section("annotations").numbers
    assert numbers["n_items_single_rating"] == 2                   # items 2 and 4
    # normalised entropy of items 0 (2 vs 1), 1 (unanimous) and 3 (1 vs 1)
    h0 = -(2 / 3 * np.log(2 / 3) + 1 / 3 * np.log(1 / 3)) / np.log(2)
    assert numbers["mean_item_disagreement"] == pytest.approx((h0 + 0.0 + 1.0) / 3)
    assert numbers["share_items_split"] == pytest.approx(2 / 3)
    assert "2 items with a single rating are left out" in \
        rep.section("annotations").paragraphs[0]
