"""How sure the audit's figures are: MultiplicityProfile.plot_accumulation and
ambiguity_estimate, and the intervals and the Chao2 estimate in the audit report.

The report's intervals are checked against MultiplicityProfile.confidence called directly
with the audit's seed, the estimate against multiplicity.metrics.ambiguity_estimate, and
the sentence on an unsupported ranking against the gap's interval, with groups built so
that the gap's interval excludes 0 in one case and contains it in the other.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from matplotlib.figure import Figure
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression, Perceptron
from sklearn.tree import DecisionTreeClassifier

from multiplicity import _errors
from multiplicity.metrics import ambiguity_curve, ambiguity_estimate
from multiplicity.rashomon import MultiplicityProfile, RashomonSet, RetrainingExplorer
from multiplicity.report import audit

PNG = b"\x89PNG\r\n\x1a\n"
UNSUPPORTED = "does not support a ranking"
N_RESAMPLES = 200
QUIET = {"exact": "none", "progress": False, "n_resamples": N_RESAMPLES}


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=400, n_features=6, flip_y=0.25, random_state=3)
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(6)]), pd.Series(y)


@pytest.fixture(scope="module")
def profile(data):
    X, y = data
    explorer = RetrainingExplorer(DecisionTreeClassifier(max_depth=4), n_models=25,
                                  epsilon=0.05, perturbation="bootstrap",
                                  random_state=0).fit(X, y)
    return explorer.profile(X, y)


def _audit(data, groups=None, **kw):
    X, y = data
    return audit(DecisionTreeClassifier(max_depth=4), X, y, sensitive_features=groups,
                 n_models=12, epsilon=0.05, random_state=4, **{**QUIET, **kw})


@pytest.fixture(scope="module")
def report(data):
    """A first audit: its ambiguous people define the groups of the two cases below."""
    return _audit(data, figures=False)


# ------------------------------------------------------------------ the profile
def test_plot_accumulation_draws_the_rarefaction_curve(profile):
    assert profile.ambiguity > 0
    ax = Figure().subplots()
    assert profile.plot_accumulation(ax=ax) is ax
    lines = {line.get_label(): line for line in ax.get_lines()}
    curve = lines["observed (rarefaction)"]
    y = np.asarray(curve.get_ydata(), dtype=float)
    assert y[-1] == pytest.approx(profile.ambiguity, abs=1e-12)
    expected = ambiguity_curve(profile.predictions, profile.baseline_index)
    npt.assert_allclose(np.asarray(curve.get_xdata()), expected.index.to_numpy())
    npt.assert_allclose(y, expected["ambiguity"].to_numpy())
    # the extrapolation starts at the observed value and stays below the estimate
    est = profile.ambiguity_estimate()
    extra = np.asarray(lines["extrapolated"].get_ydata(), dtype=float)
    assert extra[0] == pytest.approx(est.observed)
    assert np.all(np.diff(extra) >= -1e-15) and extra[-1] <= est.estimate + 1e-12
    assert np.asarray(lines["extrapolated"].get_xdata())[-1] == 2 * est.n_models
    estimate_line = lines[f"chao2 estimate {est.estimate:.4f}"]
    assert np.asarray(estimate_line.get_ydata())[0] == pytest.approx(est.estimate)
    if est.interval is not None:  # the band spans the interval
        (band,) = ax.patches
        ys = band.get_path().transformed(band.get_patch_transform()).vertices[:, 1] \
            if hasattr(band, "get_patch_transform") else band.get_xy()[:, 1]
        assert min(ys) == pytest.approx(est.interval[0])
        assert max(ys) == pytest.approx(est.interval[1])


def test_plot_accumulation_makes_its_axes():
    import matplotlib.pyplot as plt

    P = np.zeros((6, 20), dtype=int)
    P[1, :3] = P[2, 2:4] = P[3, 4] = P[4, :2] = P[5, 5] = 1
    prof = _profile_of(P)
    ax = prof.plot_accumulation(confidence=0.9)
    try:
        assert ax.get_xlabel() == "models besides the baseline"
        assert any("90% interval" in str(p.get_label()) for p in ax.patches)
    finally:
        plt.close(ax.figure)


def _profile_of(P):
    """A MultiplicityProfile carrying only the predictions and the baseline row."""
    P = np.asarray(P)
    m, n = P.shape
    amb = (P != P[0]).any(axis=0)
    return MultiplicityProfile(
        n_models=m, n_samples=n, delta=0.1, classes=np.array([0, 1]), baseline_index=0,
        ambiguity=float(amb.mean()), discrepancy=float((P != P[0]).mean(axis=1).max()),
        probabilistic_ambiguity=None, probabilistic_discrepancy=None,
        mean_rashomon_capacity=np.nan, mean_vpr_width=np.nan, mean_self_consistency=1.0,
        disagreement_error_estimate=0.0, baseline_accuracy=None, min_accuracy=None,
        max_accuracy=None, ambiguous=amb, self_consistency=np.ones(n), vpr=None,
        vpr_width=None, rashomon_capacity=None, predictions=P, proba_flips=None,
        y_codes=None)


def test_ambiguity_estimate_is_the_metrics_result(profile):
    for method in ("chao2", "jackknife2"):
        got = profile.ambiguity_estimate(method=method, confidence=0.9)
        assert got == ambiguity_estimate(profile.predictions, profile.baseline_index,
                                         method=method, confidence=0.9)
        assert got.observed == pytest.approx(profile.ambiguity)


def test_a_set_of_one_model_has_no_estimate(data):
    X, y = data
    model = LogisticRegression().fit(X, y)
    prof = RashomonSet.from_models([model], X, y, epsilon=0.0).profile(X, y)
    with pytest.raises(ValueError, match=re.escape(_errors.NO_OTHER_MODELS.split(" (")[0])):
        prof.plot_accumulation(ax=Figure().subplots())
    rep = audit([model], X, y, epsilon=0.0, random_state=0, **QUIET)
    sec = rep.section("multiplicity")
    assert [f.name for f in sec.figures] == ["profile"]
    assert sec.numbers["ambiguity_estimate"] is None
    assert any("cannot be estimated" in p for p in sec.paragraphs)


# ------------------------------------------------------------------ the report
def test_the_report_quotes_profile_confidence_with_the_audit_seed(report):
    seed = report.parameters["random_state"]
    ci = report.profile.confidence(n_resamples=N_RESAMPLES, random_state=seed)
    table = report.section("multiplicity").tables["profile"][1]
    assert list(table.columns) == ["value", "low", "high"]
    for name, label in MultiplicityProfile.SCALAR_LABELS.items():
        if name in ci.index:
            assert table.loc[label, "low"] == ci.loc[name, "low"]
            assert table.loc[label, "high"] == ci.loc[name, "high"]
    # 1 - self-consistency: the interval of self-consistency, reflected
    dee = table.loc["disagreement error estimate"]
    assert dee["low"] == pytest.approx(1 - ci.loc["mean_self_consistency", "high"])
    assert dee["high"] == pytest.approx(1 - ci.loc["mean_self_consistency", "low"])
    numbers = report.section("multiplicity").numbers
    assert numbers["intervals"]["random_state"] == seed
    assert numbers["intervals"]["measures"]["ambiguity"]["low"] == ci.loc["ambiguity", "low"]
    text = " ".join(report.section("multiplicity").paragraphs)
    low, high = ci.loc["ambiguity", ["low", "high"]]
    assert (f"Ambiguity {report.profile.ambiguity:.4f} (95% CI {low:.3f}–{high:.3f})"
            in text)
    assert "over the" in text and "not over people" in text  # people, not models
    est = ambiguity_estimate(report.profile.predictions, report.profile.baseline_index)
    assert est.summary() in text
    assert numbers["ambiguity_estimate"]["estimate"] == est.estimate
    assert "lower bound" in text and "drawn independently" in text


def _case_reports(data, report):
    """Two audits with the seed of ``report``, so the same set: groups that split the
    ambiguous people from the others (a gap of 1 whatever the resample) and groups that
    share them out evenly (a gap of at most one person)."""
    amb = report.profile.ambiguous
    assert 0 < amb.sum() < amb.size - 1
    apart = np.where(amb, "flipped", "kept")
    rank = np.empty(amb.size, dtype=np.int64)
    for value in (True, False):
        idx = np.flatnonzero(amb == value)
        rank[idx] = np.arange(idx.size)
    even = np.where(rank % 2 == 0, "a", "b")
    return {"apart": (apart, _audit(data, {"part": apart}, figures=False)),
            "even": (even, _audit(data, {"part": even}, figures=False))}


def test_a_ranking_the_gap_interval_does_not_support_is_marked(data, report):
    seen = set()
    for case, (labels, rep) in _case_reports(data, report).items():
        assert rep.profile.ambiguous.tolist() == report.profile.ambiguous.tolist()
        ci = rep.profile.confidence(n_resamples=N_RESAMPLES,
                                    random_state=rep.parameters["random_state"],
                                    groups=labels, bins=None)
        gap = ci.loc[("ambiguity", "max-min gap")]
        sec = rep.section("groups")
        text = " ".join(sec.paragraphs)
        assert (UNSUPPORTED in text) == (not gap["excludes_zero"]), case
        seen.add(bool(gap["excludes_zero"]))
        # the group table carries the same intervals, gap row included
        table = sec.tables["by_part"][1]
        for group in ("max-min gap", "overall", *sorted(set(labels))):
            assert table.loc[group, "ambiguity_low"] == ci.loc[("ambiguity", group), "low"]
            assert table.loc[group, "ambiguity_high"] == \
                ci.loc[("ambiguity", group), "high"]
            assert table.loc[group, "discrepancy_low"] == \
                ci.loc[("discrepancy", group), "low"]
        numbers = sec.numbers["part"]
        assert numbers["gap_intervals"]["ambiguity"] == [gap["low"], gap["high"]]
        assert ("ambiguity" in numbers["supported_gaps"]) == bool(gap["excludes_zero"])
        if case == "apart":
            assert gap["excludes_zero"] and "ambiguity is higher for flipped" in text
        else:
            assert not gap["excludes_zero"]
            assert "Do not name a worst group of part by ambiguity" in text
    assert seen == {True, False}


def test_small_group_caveat_is_kept(data):
    X, _ = data
    labels = np.where(np.arange(len(X)) < 20, "tiny", "rest")
    rep = _audit(data, {"size": labels}, figures=False)
    text = " ".join(rep.section("groups").paragraphs)
    assert "too uncertain to support a ranking" in text
    assert "interval of the ambiguity gap by size" in text


def test_the_figure_is_written_and_the_report_renders(data, tmp_path):
    X, _ = data
    rep = _audit(data, {"half": np.where(X["x0"] > 0, "high", "low")})
    sec = rep.section("multiplicity")
    assert [f.name for f in sec.figures] == ["profile", "accumulation"]
    md = rep.to_markdown(tmp_path / "audit.md")
    png = tmp_path / "audit_accumulation.png"
    assert png.read_bytes().startswith(PNG)
    assert "(audit_accumulation.png)" in md
    html = rep.to_html(tmp_path / "audit.html")
    assert 'id="fig-accumulation"' in html
    for text in (md, html):
        assert "95% CI" in text and "| ambiguity_low |" in md
        assert "interval of the ambiguity gap by half" in text


def test_measures_without_a_bootstrap_have_no_interval(data):
    X, y = data
    rep = audit(Perceptron(random_state=0), X, y, sensitive_features={"one": ["x"] * len(y)},
                n_models=6, epsilon=0.05, random_state=0, figures=False, **QUIET)
    table = rep.section("multiplicity").tables["profile"][1]
    assert table.loc["probabilistic ambiguity", ["low", "high"]].isna().all()
    assert table.loc["ambiguity", ["low", "high"]].notna().all()
    # one group: nothing to rank, so no sentence about ranking
    text = " ".join(rep.section("groups").paragraphs)
    assert "interval of the ambiguity gap" not in text and UNSUPPORTED not in text


def test_abstention_and_every_group_measure_have_intervals(data, report):
    from multiplicity.ensemble import selective_vote

    X, _ = data
    labels = np.where(X["x1"].to_numpy() > 0, "up", "down")
    rep = _audit(data, {"side": labels})
    seed, alpha = rep.parameters["random_state"], rep.parameters["alpha"]
    votes, _ = selective_vote(rep.profile.predictions, alpha=alpha, abstain_label=-1)
    abstained = votes == -1
    assert rep.section("abstention").numbers["abstention_rate"] == abstained.mean()
    extra = {"abstention_rate": abstained}
    ci = rep.profile.confidence(N_RESAMPLES, random_state=seed, extra=extra)
    sec = rep.section("abstention")
    assert sec.numbers["abstention_interval"] == [ci.loc["abstention_rate", "low"],
                                                  ci.loc["abstention_rate", "high"]]
    low, high = (f"{100 * ci.loc['abstention_rate', k]:.1f}%" for k in ("low", "high"))
    assert f"95% CI {low}–{high}" in " ".join(sec.paragraphs)
    # the group table: the ends of every measure with an interval, abstention included
    by = rep.profile.confidence(N_RESAMPLES, random_state=seed, extra=extra,
                                groups=pd.Categorical(labels), bins=None)
    table = rep.section("groups").tables["by_side"][1]
    measures = set(by.index.get_level_values("measure"))
    assert {"abstention_rate", "mean_vpr_width", "mean_rashomon_capacity",
            "disagreement_error_estimate"} <= measures
    for m in measures:
        for group in ("down", "up", "overall", "max-min gap"):
            assert table.loc[group, f"{m}_low"] == by.loc[(m, group), "low"], (m, group)
            assert table.loc[group, f"{m}_high"] == by.loc[(m, group), "high"], (m, group)
    assert [c for c in table.columns if c.endswith("_low")] == [
        f"{c}_low" for c in table.columns if c in measures]
    # the abstention gap is judged like the others
    text = " ".join(rep.section("groups").paragraphs)
    supported = "abstention_rate" in rep.section("groups").numbers["side"]["supported_gaps"]
    assert supported == bool(by.loc[("abstention_rate", "max-min gap"), "excludes_zero"])
    if not supported:
        assert re.search(r"interval of the gap includes 0 for [^.]*abstention_rate", text)
