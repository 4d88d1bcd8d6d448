"""The audit of gradient-boosting estimators: their Rashomon set is explored stage by
stage with BoostingExplorer (RashomonGB), with the estimator's settings, and the report
says so and names what stands in for what."""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.model_selection import train_test_split

from multiplicity.rashomon import BoostingExplorer
from multiplicity.report import audit

QUIET = {"exact": "none", "progress": False, "figures": False, "n_resamples": 100}


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=500, n_features=6, flip_y=0.2, random_state=0)
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    y = pd.Series(np.where(y == 1, "yes", "no"))
    return train_test_split(X, y, test_size=0.3, random_state=0)


def test_gradient_boosting_is_explored_stage_by_stage(data):
    X, X_test, y, y_test = data
    est = GradientBoostingClassifier(n_estimators=20, learning_rate=0.2, max_depth=2,
                                     subsample=0.7)
    rep = audit(est, X, y, X_test=X_test, y_test=y_test, n_models=40, epsilon=0.02,
                random_state=3, **QUIET)
    # the same set as the explorer with the estimator's settings and the audit's seed
    ref = BoostingExplorer(n_estimators=20, learning_rate=0.2, max_depth=2,
                           n_candidates=10, subsample=0.7, epsilon=0.02,
                           random_state=3, n_models=40).fit(X, y)
    assert len(rep.rashomon_set) == len(ref.rashomon_set_)
    prof = ref.profile(X_test, y_test)
    assert rep.profile.ambiguity == prof.ambiguity
    assert rep.profile.discrepancy == prof.discrepancy
    npt.assert_array_equal(rep.profile.predictions, prof.predictions)
    text = rep.section("overview").paragraphs[0]
    assert "RashomonGB" in text and "20 stages, learning rate 0.2, trees of depth 2" in text
    assert "70% of the rows" in text and "The greedy path is the baseline" in \
        " ".join(rep.section("overview").paragraphs)
    assert "Where the exploration differs" not in text  # subsample < 1: nothing departs
    table = rep.section("overview").tables["set"][1]
    assert table.loc["boosting paths drawn", "value"] == len(ref.candidate_losses_)
    assert table.loc["baseline training log loss", "value"] == \
        ref.candidate_losses_[ref.baseline_index_]


def test_hist_gradient_boosting_names_what_stands_in(data):
    X, _, y, _ = data
    rep = audit(HistGradientBoostingClassifier(max_iter=15), X, y, n_models=30,
                random_state=0, **QUIET)
    text = rep.section("overview").paragraphs[0]
    assert "15 stages" in text and "trees of depth 5" in text
    assert "up to 31 leaves, best first" in text
    assert "each candidate tree of the explorer is fitted on its own 80%" in text
    assert rep.parameters["estimator"]["name"] == "HistGradientBoostingClassifier"


def test_other_estimators_are_still_retrained(data):
    X, _, y, _ = data
    rep = audit(RandomForestClassifier(n_estimators=5, random_state=0), X, y, n_models=5,
                random_state=0, **QUIET)
    text = rep.section("overview").paragraphs[0]
    assert "We trained the model 5 times" in text and "RashomonGB" not in text


def test_gradient_boosting_regressor_is_explored_stage_by_stage():
    X, y = make_regression(n_samples=300, n_features=5, noise=20.0, random_state=1)
    est = GradientBoostingRegressor(n_estimators=15, max_depth=2, loss="huber")
    rep = audit(est, X, y, n_models=30, epsilon=0.05, random_state=2, **QUIET)
    ref = BoostingExplorer(n_estimators=15, max_depth=2, loss="squared_error",
                           subsample=0.8, epsilon=0.05, epsilon_mode="relative",
                           random_state=2, n_models=30).fit(X, y)
    assert len(rep.rashomon_set) == len(ref.rashomon_set_)
    delta = rep.parameters["delta"]
    assert rep.profile.ambiguity == ref.profile(X, y, delta=delta).ambiguity
    text = rep.section("overview").paragraphs[0]
    assert "RashomonGB" in text and "at most 5% above the greedy path's" in text
    assert "minimises loss='huber'; the explorer" in text
    assert "intervals" in rep.section("multiplicity").numbers


def test_the_summary_says_paths_and_greedy_path(data):
    X, _, y, _ = data
    rep = audit(GradientBoostingClassifier(n_estimators=10), X, y, n_models=20,
                random_state=0, **QUIET)
    meaning = rep.summary()["meaning"]
    assert meaning["n_models_in_set"].startswith("boosting paths within epsilon")
    assert "greedy path" in meaning["baseline_accuracy"]
