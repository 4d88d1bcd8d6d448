"""The audit and the command line on regression models: the report's numbers are the
RegressionProfile's, the default delta is 0.1 x std(y_train), groups are by_group, the
intervals over people are RegressionProfile.confidence's with the audit's seed, the
coefficient table is LinearLevelSet's, and the CLI audits a regression CSV end to end."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

import multiplicity.rashomon as rashomon
from multiplicity import _errors, cli
from multiplicity.rashomon import RashomonSet
from multiplicity.report import audit

EPS = 0.01
THRESHOLD = 150.0


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(as_frame=True, return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    return X_train, X_test, y_train, y_test


def _sex(X: pd.DataFrame) -> pd.Series:
    return pd.Series(np.where(X["sex"] > 0, "m", "f"), index=X.index, name="sex")


@pytest.fixture(scope="module")
def ridge_report(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    est = make_pipeline(StandardScaler(), Ridge(alpha=1.0))
    return audit(est, X_train, y_train, X_test=X_test, y_test=y_test,
                 sensitive_features=_sex(X_test), n_models=20, epsilon=EPS,
                 threshold=THRESHOLD, random_state=0, progress=False, figures=True)


def test_numbers_are_the_profile_of_the_set_on_held_out_data(ridge_report, diabetes):
    _, X_test, y_train, y_test = diabetes
    r = ridge_report
    delta = 0.1 * float(np.std(y_train.to_numpy()))
    prof = r.explorer.rashomon_set_.profile(X_test, y_test, delta=delta, threshold=THRESHOLD)
    s = r.summary()["value"]
    for name in ("ambiguity", "discrepancy", "decision_ambiguity", "mean_range_width",
                 "max_range_width", "relative_range_width", "baseline_loss", "min_loss",
                 "max_loss"):
        assert s[name] == pytest.approx(getattr(prof, name), rel=1e-12), name
    assert s["baseline_rmse"] == pytest.approx(np.sqrt(prof.baseline_loss))
    assert s["n_samples"] == len(X_test)
    assert r.parameters["task"] == "regression"
    assert r.parameters["evaluation"] == "held-out"
    assert r.parameters["epsilon_mode"] == "relative"
    assert r.section("overview").numbers["evaluation"] == "held-out"
    assert r.section("multiplicity").numbers["ambiguity"] == pytest.approx(prof.ambiguity)


def test_default_delta_is_a_tenth_of_the_training_sd(ridge_report, diabetes):
    y_train = diabetes[2]
    want = 0.1 * float(np.std(y_train.to_numpy()))
    assert ridge_report.parameters["delta"] == pytest.approx(want, rel=1e-15)
    assert ridge_report.profile.delta == pytest.approx(want, rel=1e-15)
    assert "0.1 x the standard deviation" in ridge_report.parameters["delta_how"]
    text = " ".join(ridge_report.section("multiplicity").paragraphs)
    assert f"delta = {want:.6g}" in text and "standard deviation" in text


def test_by_group_table_is_the_profiles(ridge_report, diabetes):
    X_test = diabetes[1]
    got = ridge_report.section("groups").tables["by_sex"][1]
    labels = _sex(X_test)
    want = ridge_report.profile.by_group(
        pd.Categorical(labels, categories=sorted(labels.unique()), ordered=True), bins=None)
    # the measures' columns (the table may add the ends of their intervals)
    pd.testing.assert_frame_equal(got[want.columns].reset_index(drop=True),
                                  want.reset_index(drop=True), check_dtype=False)
    assert [str(i) for i in got.index] == [str(i) for i in want.index]


# ------------------------------------------------------------- intervals over people
N_RESAMPLES = 300


@pytest.fixture(scope="module")
def ci_report(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    est = make_pipeline(StandardScaler(), Ridge(alpha=1.0))
    return audit(est, X_train, y_train, X_test=X_test, y_test=y_test,
                 sensitive_features=_sex(X_test), n_models=20, epsilon=EPS,
                 threshold=THRESHOLD, random_state=3, n_resamples=N_RESAMPLES,
                 progress=False, figures=True)


def test_report_intervals_are_the_profiles_confidence_with_the_audits_seed(ci_report,
                                                                            diabetes):
    r, X_test = ci_report, diabetes[1]
    seed = r.parameters["random_state"]
    want = r.profile.confidence(N_RESAMPLES, random_state=seed)
    sec = r.section("multiplicity")
    got = sec.numbers["intervals"]
    assert got["random_state"] == seed and got["n_resamples"] == N_RESAMPLES
    assert list(got["measures"]) == list(want.index)
    assert "max_range_width" not in got["measures"]
    for name, row in want.iterrows():
        for k in ("low", "high", "std_error"):
            assert got["measures"][name][k] == row[k], (name, k)
    table = sec.tables["profile"][1]
    for name, label in r.profile.SCALAR_LABELS.items():
        if name in want.index:
            assert table.loc[label, "low"] == want.loc[name, "low"]
            assert table.loc[label, "high"] == want.loc[name, "high"]
        else:
            assert np.isnan(table.loc[label, "low"])
    text = " ".join(sec.paragraphs)
    lo, hi = want.loc["ambiguity", ["low", "high"]]
    assert f"Regression ambiguity {r.profile.ambiguity:.4f} (95% CI {lo:.3f}–{hi:.3f})" in text
    assert "bootstrap over the 111 " in text
    assert "basic intervals" in text and "largest range width has none" in text

    labels = _sex(X_test)
    by = r.profile.confidence(N_RESAMPLES, random_state=seed, groups=pd.Categorical(
        labels, categories=sorted(labels.unique()), ordered=True), bins=None)
    groups = r.section("groups")
    g_table = groups.tables["by_sex"][1]
    for name in by.index.get_level_values("measure").unique():
        part = by.xs(name, level="measure")
        for row in g_table.index:
            assert g_table.loc[row, f"{name}_low"] == part.loc[row, "low"], (name, row)
            assert g_table.loc[row, f"{name}_high"] == part.loc[row, "high"], (name, row)
    assert "max_range_width_low" not in g_table.columns
    nums = groups.numbers["sex"]
    assert nums["supported_gaps"] == [str(m) for m in by.attrs["supported_gaps"]]
    gaps = by.xs("max-min gap", level="group")
    for name, (low, high) in nums["gap_intervals"].items():
        assert [low, high] == [gaps.loc[name, "low"], gaps.loc[name, "high"]]


def test_unsupported_group_rankings_are_marked(ci_report):
    r = ci_report
    by = r.profile.confidence(N_RESAMPLES, random_state=r.parameters["random_state"],
                              groups=r.per_person()["group:sex"].to_numpy())
    unsupported = [m for m in dict.fromkeys(by.index.get_level_values("measure"))
                   if m not in by.attrs["supported_gaps"]]
    assert unsupported  # two groups of about 55 patients: some gap includes 0
    text = " ".join(r.section("groups").paragraphs)
    amb = by.loc[("ambiguity", "max-min gap")]
    if "ambiguity" in unsupported:
        assert ("The 95% interval of the ambiguity gap by sex "
                f"({100 * amb['low']:.1f} to {100 * amb['high']:.1f} percentage points) "
                "includes 0, so it does not support a ranking") in text
        assert "Do not name a worst group of sex by ambiguity" in text
    else:
        assert "excludes 0" in text
    others = [m for m in unsupported if m != "ambiguity"]
    if others:
        assert "By sex, the interval of the gap includes 0 for" in text
        for m in others:
            assert m in text


def test_audit_gives_the_regression_sections_their_intervals(ridge_report):
    assert "intervals" in ridge_report.section("multiplicity").numbers


def test_per_person_is_to_frame_with_the_groups(ridge_report, diabetes):
    X_test = diabetes[1]
    pp = ridge_report.per_person()
    frame = ridge_report.profile.to_frame()
    assert pp.index.equals(X_test.index)
    for col in frame.columns:
        np.testing.assert_array_equal(pp[col].to_numpy(), frame[col].to_numpy())
    assert pp["group:sex"].tolist() == _sex(X_test).tolist()
    assert pp.attrs["measured_on"] == "X_test"


def test_renderings_and_sections(ridge_report, tmp_path):
    r = ridge_report
    ids = [s.id for s in r.sections]
    assert ids == ["overview", "multiplicity", "exact", "groups", "annotations", "notes",
                   "reproduce"]
    html = r.to_html(tmp_path / "r.html")
    assert "Regression ambiguity" in html and "data:image/png;base64" in html
    md = r.to_markdown(tmp_path / "r.md")
    assert "RMSE" in md and (tmp_path / "r_profile.png").exists()
    d = json.loads(r.to_json())
    assert d["parameters"]["threshold"] == THRESHOLD
    assert d["data"]["classes"] if "classes" in d["data"] else "target" in d["data"]
    assert "threshold=150.0" in " ".join(r.section("reproduce").paragraphs)


@pytest.mark.skipif(not hasattr(rashomon, "LinearLevelSet"),
                    reason="multiplicity.rashomon has no LinearLevelSet")
def test_coefficient_table_is_the_linear_level_sets(ridge_report, diabetes):
    X_train, X_test, y_train, _ = diabetes
    pre = make_pipeline(StandardScaler(), Ridge(alpha=1.0))[:-1].fit(X_train, y_train)
    Xt = pre.transform(X_train)
    lls = rashomon.LinearLevelSet(alpha=1.0, epsilon=0.0).fit(Xt, y_train.to_numpy())
    lls.set_params(epsilon=EPS * lls.baseline_loss_).fit(Xt, y_train.to_numpy())
    want = lls.coef_table()
    got = ridge_report.section("exact").tables["coefficients"][1]
    assert got.index.tolist() == [str(c) for c in pre.get_feature_names_out()]
    np.testing.assert_allclose(got[["estimate", "low", "high"]].to_numpy(),
                               want[["estimate", "low", "high"]].to_numpy(), rtol=1e-10)
    assert got["sign_stable"].tolist() == want["sign_stable"].tolist()
    rng = lls.prediction_range(pre.transform(X_test))
    pp = ridge_report.per_person()
    np.testing.assert_allclose(pp["exact_range_min"], rng[:, 0], rtol=1e-10)
    np.testing.assert_allclose(pp["exact_range_max"], rng[:, 1], rtol=1e-10)


def test_non_linear_regressor_skips_the_exact_section(diabetes):
    X_train, _, y_train, _ = diabetes
    r = audit(DecisionTreeRegressor(max_depth=3), X_train, y_train, n_models=5,
              delta=10.0, random_state=0, progress=False, figures=False)
    assert r.section("exact").status == "skipped"
    assert r.parameters["evaluation"] == "in-sample"
    assert "in-sample" in " ".join(r.section("overview").paragraphs)
    assert r.profile.delta == 10.0
    assert np.isnan(r.summary().loc["decision_ambiguity", "value"])


def test_fitted_regressors_and_sets_are_detected(diabetes):
    X_train, _, y_train, _ = diabetes
    models = [Ridge(alpha=a).fit(X_train, y_train) for a in (0.01, 0.02, 0.05)]
    r = audit(models, X_train, y_train, progress=False, figures=False, epsilon=0.5)
    assert r.parameters["task"] == "regression"
    rset = RashomonSet.from_models(models, X_train, y_train, epsilon=0.5,
                                   epsilon_mode="relative")
    r2 = audit(rset, X_train, y_train, progress=False, figures=False)
    assert r2.summary().loc["ambiguity", "value"] == pytest.approx(
        r.summary().loc["ambiguity", "value"])


def test_task_mismatch_and_bad_arguments_raise(diabetes):
    X_train, _, y_train, _ = diabetes
    kw = dict(n_models=2, progress=False, figures=False)
    with pytest.raises(ValueError, match="task='classification', but Ridge is a regression"):
        audit(Ridge(), X_train, y_train, task="classification", **kw)
    with pytest.raises(ValueError) as e:
        audit(LogisticRegression(), X_train, y_train > 140, task="regression", **kw)
    assert str(e.value) == _errors.TASK_MISMATCH.format(
        task="regression", what="LogisticRegression", found="classification",
        does="is_classifier is True")
    with pytest.raises(ValueError, match="task must be None"):
        audit(Ridge(), X_train, y_train, task="regressor", **kw)
    with pytest.raises(ValueError) as e:
        audit(Ridge(), X_train, y_train, delta=0.0, **kw)
    assert str(e.value) == _errors.DELTA_POSITIVE.format(0.0)
    with pytest.raises(ValueError) as e:
        audit(LogisticRegression(), X_train, y_train > 140, threshold=0.5, **kw)
    assert str(e.value) == _errors.THRESHOLD_CLASSIFIERS
    with pytest.raises(ValueError, match="threshold must be a finite real number"):
        audit(Ridge(), X_train, y_train, threshold=np.inf, **kw)
    with pytest.raises(ValueError, match="one value only"):
        audit(Ridge(), X_train, np.ones(len(y_train)), **kw)


def test_a_classifier_on_a_continuous_target_stays_a_classification(diabetes):
    X_train, _, y_train, _ = diabetes
    y_cont = y_train.to_numpy() + 0.5
    # today's behaviour: the classifier is retrained as a classifier, and scikit-learn
    # refuses a continuous target; the audit does not quietly switch to a regression
    with pytest.raises(ValueError, match=r"continuous|Unknown label"):
        audit(LogisticRegression(), X_train, y_cont, n_models=2, progress=False,
              figures=False)


def test_linear_regression_on_arrays(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    r = audit(LinearRegression(), X_train.to_numpy(), y_train.to_numpy(),
              X_test=X_test.to_numpy(), y_test=y_test.to_numpy(), n_models=5,
              random_state=1, progress=False, figures=False)
    if hasattr(rashomon, "LinearLevelSet"):
        table = r.section("exact").tables["coefficients"][1]
        assert table.index.tolist() == [f"x{j}" for j in range(X_train.shape[1])]
    assert r.per_person().index.equals(pd.RangeIndex(len(X_test)))


# ------------------------------------------------------------------ command line
@pytest.fixture(scope="module")
def diabetes_csv(tmp_path_factory):
    df = load_diabetes(as_frame=True).frame
    df["sex"] = np.where(df["sex"] > 0, "m", "f")
    path = tmp_path_factory.mktemp("cli") / "diabetes.csv"
    df.to_csv(path, index=False)
    return path


def test_cli_regression_end_to_end(diabetes_csv, tmp_path, capsys):
    out, pp = tmp_path / "report.json", tmp_path / "pp.csv"
    code = cli.main(["audit", "--data", str(diabetes_csv), "--target", "target",
                     "--task", "regression", "--test-size", "0.25", "--n-models", "10",
                     "--sensitive", "sex", "--delta", "5", "--threshold", "150",
                     "--out", str(out), "--per-person", str(pp), "--no-progress"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "ridge model" in printed and "task: regression (--task)" in printed
    assert "drawn at random" in printed
    d = json.loads(out.read_text())
    assert d["parameters"]["task"] == "regression"
    assert d["parameters"]["delta"] == 5.0 and d["parameters"]["threshold"] == 150.0
    assert d["parameters"]["estimator"]["name"] == "Ridge"
    table = pd.read_csv(pp)
    assert len(table) == d["data"]["test"]["n_samples"] == 111
    assert {"baseline_prediction", "range_min", "range_max", "decision_ambiguous",
            "group:sex"} <= set(table.columns)


def test_cli_regression_html_and_detection(diabetes_csv, tmp_path, capsys):
    df = pd.read_csv(diabetes_csv)
    df["target"] = df["target"] / 10 + 0.05  # not whole numbers: detected as continuous
    path = tmp_path / "cont.csv"
    df.to_csv(path, index=False)
    out = tmp_path / "r.html"
    assert cli.main(["audit", "--data", str(path), "--target", "target", "--n-models", "4",
                     "--model", "tree", "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "task: regression (detected" in printed and "tree model" in printed
    assert "<section id=\"multiplicity\"" in out.read_text()


def test_cli_regression_errors(diabetes_csv, tmp_path, capsys):
    base = ["audit", "--data", str(diabetes_csv), "--target", "target", "--n-models", "2",
            "--out", str(tmp_path / "r.json"), "--no-progress"]
    assert cli.main(base) == 1  # whole numbers: which task is ambiguous
    assert "--task regression" in capsys.readouterr().err
    assert cli.main([*base, "--task", "regression", "--model", "logistic"]) == 1
    assert "--model ridge" in capsys.readouterr().err
    assert cli.main([*base, "--task", "classification", "--threshold", "1"]) == 1
    assert "--threshold" in capsys.readouterr().err
    # a blank feature cell is refused as for classification (the audit does not impute)
    df = pd.read_csv(diabetes_csv)
    df.loc[3, "bmi"] = np.nan
    blank = tmp_path / "blank.csv"
    df.to_csv(blank, index=False)
    assert cli.main(["audit", "--data", str(blank), "--target", "target", "--task",
                     "regression", "--n-models", "2", "--out", str(tmp_path / "b.json"),
                     "--no-progress"]) == 1
    assert "missing value" in capsys.readouterr().err
