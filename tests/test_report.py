"""multiplicity.report: audit() and the HTML / Markdown / JSON renderings of AuditReport.

The numbers are checked against independent recomputations: the metrics functions (and
plain NumPy) applied to the report's own Rashomon set, and the exact explorers fitted
directly. The report is built once per module on a seeded subsample of COMPAS.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import numba
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from multiplicity import _errors
from multiplicity.annotation import (
    Annotations,
    DawidSkene,
    MajorityVote,
    krippendorff_alpha,
)
from multiplicity.datasets import load_compas, load_goemotions_disagreement
from multiplicity.ensemble import selective_vote
from multiplicity.metrics import (
    ambiguity,
    discrepancy,
    probabilistic_ambiguity,
    rashomon_capacity,
    self_consistency,
    viable_prediction_range,
)
from multiplicity.report import AuditReport, audit

SECTIONS = ["overview", "multiplicity", "exact", "groups", "abstention", "importance",
            "annotations", "notes", "reproduce"]
PNG = b"\x89PNG\r\n\x1a\n"
JIT_DISABLED = numba.config.DISABLE_JIT


def _compas_subsample(n: int, seed: int):
    data = load_compas()
    rows = np.sort(np.random.default_rng(seed).choice(len(data.target), n, replace=False))
    X = data.data.iloc[rows].reset_index(drop=True)
    y = data.target.iloc[rows].reset_index(drop=True)
    sf = data.sensitive_features.iloc[rows].reset_index(drop=True)
    return X, y, sf


def _annotations(n_items: int = 60) -> Annotations:
    df = load_goemotions_disagreement().data
    return Annotations.from_long(df[df["item"] < n_items][["item", "annotator", "label"]])


@pytest.fixture(scope="module")
def compas():
    return _compas_subsample(600, seed=7)


@pytest.fixture(scope="module")
def report(compas):
    X, y, sf = compas
    return audit(LogisticRegression(max_iter=1000), X, y, sensitive_features=sf,
                 annotations=_annotations(), n_models=12, random_state=5, exact="none",
                 n_resamples=100, progress=False, subject="defendants")


# ----------------------------------------------------------------------------- HTML
class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.h2: list[str] = []
        self.images: list[str] = []
        self.tags: set[str] = set()
        self.urls: list[str] = []
        self.open_sections = 0
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "section":
            self.sections.append(a.get("id"))
            self.open_sections += 1
        if tag == "h2":
            self._in_h2 = True
            self.h2.append("")
        if tag == "img":
            self.images.append(a["src"])
        for key in ("src", "href"):
            if key in a and not (a[key].startswith("#") or a[key].startswith("data:")):
                self.urls.append(a[key])

    def handle_endtag(self, tag):
        if tag == "section":
            self.open_sections -= 1
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self._in_h2:
            self.h2[-1] += data


def _parse(html: str) -> _Collector:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser


def test_html_has_every_section_and_is_self_contained(report, tmp_path):
    path = tmp_path / "report.html"
    text = report.to_html(path)
    assert path.read_text(encoding="utf-8") == text
    page = _parse(text)
    assert page.sections == SECTIONS
    assert page.open_sections == 0
    for sec in report.sections:
        assert any(sec.title in h for h in page.h2)
    assert "script" not in page.tags and "link" not in page.tags
    assert page.urls == []  # nothing fetched from anywhere
    names = [f.name for s in report.sections for f in s.figures]
    assert {"profile", "groups_sex", "groups_age_group", "importance",
            "annotations"} <= set(names)
    assert len(page.images) == len(names)
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG)
    # the plain-language sentence quotes the measured share of people
    amb = report.profile.ambiguity
    assert f"for {100 * amb:.1f}% of defendants" in text


def test_html_escapes_text(compas):
    X, y, _ = compas
    rep = audit(LogisticRegression(max_iter=1000), X, y, n_models=3, exact="none",
                random_state=0, progress=False, title="<b>A & B</b>", subject="<people>",
                figures=False)
    text = rep.to_html()
    assert "<b>A & B</b>" not in text and "&lt;b&gt;A &amp; B&lt;/b&gt;" in text
    assert _parse(text).sections == SECTIONS


# ----------------------------------------------------------------------------- JSON
def test_json_round_trips_with_nan_as_null(report, tmp_path):
    path = tmp_path / "r.json"
    text = report.to_json(path)
    assert "NaN" not in text and "Infinity" not in text
    loaded = json.loads(path.read_text(encoding="utf-8"))
    assert loaded == report.to_dict()
    assert loaded["multiplicity_version"] == report.version
    assert loaded["parameters"]["random_state"] == 5
    assert loaded["parameters"]["n_models"] == 12
    assert loaded["parameters"]["estimator"]["name"] == "LogisticRegression"
    assert set(loaded["sections"]) == set(SECTIONS)
    # exact methods were not requested: their headline values are null, not NaN
    summary = loaded["summary"]
    row = summary["index"].index("exact_ambiguity")
    assert summary["data"][row][0] is None


def test_json_numbers_equal_independent_recomputation(report, compas):
    X, y, sf = compas
    d = json.loads(report.to_json())
    rs = report.rashomon_set
    b = rs.baseline_index_
    P = rs.predict(X)
    Q = rs.predict_proba(X)[:, :, 1]
    num = d["sections"]["multiplicity"]["numbers"]
    assert num["ambiguity"] == pytest.approx(ambiguity(P, b), abs=1e-12)
    assert num["ambiguity"] == pytest.approx(float((P != P[b]).any(0).mean()), abs=1e-12)
    assert num["discrepancy"] == pytest.approx(discrepancy(P, b), abs=1e-12)
    vpr = viable_prediction_range(Q)
    assert num["mean_vpr_width"] == pytest.approx(float((vpr[:, 1] - vpr[:, 0]).mean()))
    assert num["mean_vpr_width"] == pytest.approx(float((Q.max(0) - Q.min(0)).mean()))
    assert num["mean_rashomon_capacity"] == pytest.approx(
        float(rashomon_capacity(Q).mean()), abs=1e-7)
    assert num["probabilistic_ambiguity"] == pytest.approx(
        probabilistic_ambiguity(Q, b, delta=0.1), abs=1e-12)
    assert num["mean_self_consistency"] == pytest.approx(float(self_consistency(P).mean()))
    # abstention: the set's vote, tested with selective_vote on the labels
    labels, _ = selective_vote(P, alpha=0.05, abstain_label=-1)
    abst = d["sections"]["abstention"]["numbers"]
    assert abst["abstention_rate"] == pytest.approx(float(np.mean(labels == -1)))
    # by group, with plain NumPy on the same predictions
    female = sf["sex"].to_numpy() == "Female"
    table = d["sections"]["groups"]["tables"]["by_sex"]
    col = table["columns"].index("ambiguity")
    row = table["index"].index("Female")
    assert table["data"][row][col] == pytest.approx(
        float((P[:, female] != P[b, female]).any(0).mean()))
    acol = table["columns"].index("abstention_rate")
    assert table["data"][row][acol] == pytest.approx(float(np.mean(labels[female] == -1)))
    # the set itself: candidates within epsilon of the best training 0-1 loss
    losses = np.array(d["sections"]["overview"]["numbers"]["candidate_losses"])
    models = report.explorer.candidate_models_
    own = np.array([(m.predict(X) != y.to_numpy()).mean() for m in models])
    npt_losses = np.sort(own[own <= own.min() + 0.01])
    assert losses == pytest.approx(own)
    assert d["sections"]["overview"]["numbers"]["n_in_set"] == len(npt_losses) == len(rs)


def test_annotation_numbers_equal_the_api(report):
    ann = _annotations()
    d = report.to_dict()["sections"]["annotations"]
    coef = d["tables"]["agreement"]
    row = coef["index"].index("krippendorff_alpha")
    assert coef["data"][row][coef["columns"].index("value")] == pytest.approx(
        krippendorff_alpha(ann))
    lo, hi = (coef["data"][row][coef["columns"].index(c)] for c in ("ci_low", "ci_high"))
    assert lo <= krippendorff_alpha(ann) <= hi
    mv, ds = MajorityVote().fit(ann).labels_, DawidSkene().fit(ann).labels_
    assert d["numbers"]["mv_ds_disagreement"] == pytest.approx(float(np.mean(mv != ds)))
    counts = ann.counts()
    twice = ann.ratings_per_item() >= 2                 # one rating cannot disagree
    assert d["numbers"]["share_items_split"] == pytest.approx(
        float(np.mean(((counts > 0).sum(1) > 1)[twice])))
    assert d["numbers"]["n_items_single_rating"] == int(np.sum(ann.ratings_per_item() == 1))


def test_summary_equals_direct_metric_calls(report, compas):
    X, y, sf = compas
    s = report.summary()
    assert list(s.columns) == ["value", "meaning"]
    rs = report.rashomon_set
    P = rs.predict(X)
    b = rs.baseline_index_
    assert s.loc["ambiguity", "value"] == pytest.approx(ambiguity(P, b))
    assert s.loc["discrepancy", "value"] == pytest.approx(discrepancy(P, b))
    assert s.loc["n_samples", "value"] == len(y)
    assert s.loc["n_models_in_set", "value"] == len(rs)
    assert s.loc["baseline_accuracy", "value"] == pytest.approx(
        float((P[b] == y.to_numpy()).mean()))
    female = sf["sex"].to_numpy() == "Female"
    amb = [float((P[:, g] != P[b, g]).any(0).mean()) for g in (female, ~female)]
    assert s.loc["ambiguity_gap[sex]", "value"] == pytest.approx(max(amb) - min(amb))
    ann = _annotations()
    assert s.loc["krippendorff_alpha", "value"] == pytest.approx(krippendorff_alpha(ann))
    assert np.isnan(s.loc["exact_ambiguity", "value"])
    # summary() is a copy
    s.loc["ambiguity", "value"] = -1.0
    assert report.summary().loc["ambiguity", "value"] >= 0


# ------------------------------------------------------------------------- Markdown
def test_markdown_writes_pngs_beside_it(report, tmp_path):
    out = tmp_path / "sub"
    out.mkdir()
    text = report.to_markdown(out / "audit.md")
    assert (out / "audit.md").read_text(encoding="utf-8") == text
    for sec in report.sections:
        assert f"## {sec.title}" in text
        assert f'<a id="{sec.id}"></a>' in text
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    names = [f.name for s in report.sections for f in s.figures]
    assert sorted(links) == sorted(f"audit_{n}.png" for n in names)
    for link in links:
        assert (out / link).read_bytes().startswith(PNG)
    assert "| Female |" in text


# ---------------------------------------------------------------------- determinism
def _masked(rep: AuditReport) -> tuple[str, str, str]:
    d = rep.to_dict()
    d.pop("created_utc")
    html = rep.to_html().replace(rep.created, "TIME")
    return json.dumps(d, sort_keys=True), html, rep.to_json().replace(rep.created, "TIME")


def test_deterministic_for_a_fixed_random_state(compas):
    X, y, sf = compas
    kw = dict(sensitive_features=sf["sex"], n_models=4, exact="none", progress=False)
    a = audit(LogisticRegression(max_iter=1000), X, y, random_state=11, **kw)
    b = audit(LogisticRegression(max_iter=1000), X, y, random_state=11, **kw)
    assert _masked(a) == _masked(b)  # figures included: the PNG bytes are equal too
    assert "data:image/png;base64," in _masked(a)[1]
    c = audit(LogisticRegression(max_iter=1000), X, y, random_state=12, figures=False, **kw)
    assert c.to_dict()["sections"]["overview"]["numbers"]["candidate_losses"] != \
        a.to_dict()["sections"]["overview"]["numbers"]["candidate_losses"]


def test_random_state_none_is_recorded_and_regenerates(compas):
    X, y, _ = compas
    kw = dict(n_models=3, exact="none", progress=False, figures=False)
    a = audit(LogisticRegression(max_iter=1000), X, y, random_state=None, **kw)
    seed = a.parameters["random_state"]
    assert isinstance(seed, int) and a.parameters["random_state_given"] is None
    b = audit(LogisticRegression(max_iter=1000), X, y, random_state=seed, **kw)
    assert a.summary()["value"].equals(b.summary()["value"])


# -------------------------------------------------------------------- exact methods
@pytest.fixture(scope="module")
def small_linear():
    rng = np.random.default_rng(3)
    X = rng.integers(0, 4, size=(160, 2)).astype(float)  # 16 distinct rows
    y = (X[:, 0] + X[:, 1] + rng.normal(0, 1.2, 160) > 3).astype(int)
    return X, y


def test_exact_methods_match_the_explorers(small_linear):
    from multiplicity.rashomon import LinearMIPExplorer

    X, y = small_linear
    rep = audit(LogisticRegression(), X, y, n_models=6, epsilon=0.02, random_state=1,
                mip_time_limit=None, progress=False)
    sec = rep.section("exact")
    assert sec.status == "done" and sec.numbers["skipped"] == {}
    mip = LinearMIPExplorer(epsilon=0.02).fit(X, y)
    assert mip.is_exact_
    assert sec.numbers["mip_ambiguity"] == pytest.approx(mip.ambiguity_)
    assert sec.numbers["mip_discrepancy"] == pytest.approx(mip.discrepancy_)
    assert rep.summary().loc["exact_ambiguity", "value"] == pytest.approx(mip.ambiguity_)
    # a retrained model inside the MIP's set flips only rows the exact search flips
    base = mip.baseline_.predict(X)
    limit = round(mip.baseline_error_ * len(y)) + mip.error_budget_
    inside = [m.predict(X) for m in rep.explorer.candidate_models_
              if (m.predict(X) != y).sum() <= limit]
    assert inside
    for pred in inside:
        assert not np.any((pred != base) & ~mip.flipped_)
    # the level set is the smallest one containing every sampled model, so its ranges
    # contain every member's probabilities
    from multiplicity.rashomon import LogisticLevelSet

    lls = LogisticLevelSet(epsilon=sec.numbers["vpr_epsilon"]).fit(X, y)
    vpr = lls.viable_prediction_range(X)
    Q = rep.rashomon_set.predict_proba(X)[:, :, 1]
    assert np.all(Q >= vpr[:, 0] - 1e-6) and np.all(Q <= vpr[:, 1] + 1e-6)
    assert sec.numbers["vpr_mean_width"] == pytest.approx(float((vpr[:, 1] - vpr[:, 0]).mean()))
    assert sec.numbers["vpr_mean_width"] >= rep.profile.mean_vpr_width - 1e-9
    assert [f.name for f in sec.figures] == ["exact_vpr"]


def test_exact_methods_skipped_with_a_reason(small_linear):
    X, y = small_linear
    rep = audit(DecisionTreeClassifier(max_depth=2), X, y, n_models=3, random_state=0,
                progress=False, figures=False)
    sec = rep.section("exact")
    assert sec.status == "skipped"
    assert "DecisionTreeClassifier" in sec.numbers["skipped"]["mip"]
    assert any("skipped" in note and "DecisionTreeClassifier" in note for note in rep.notes)
    assert np.isnan(rep.summary().loc["exact_mean_vpr_width", "value"])
    # too many distinct rows for the MIP; the level set still runs
    rep = audit(LogisticRegression(), X, y, n_models=3, random_state=0, mip_max_rows=5,
                progress=False, figures=False)
    assert "mip_max_rows=5" in rep.section("exact").numbers["skipped"]["mip"]
    assert "vpr_mean_width" in rep.section("exact").numbers


# ------------------------------------------------------------------------ behaviour
def test_progress_bar_only_when_asked(small_linear, capsys):
    X, y = small_linear
    kw = dict(n_models=2, exact="none", random_state=0, figures=False)
    audit(LogisticRegression(), X, y, progress=False, **kw)
    assert capsys.readouterr().err == ""
    audit(LogisticRegression(), X, y, progress=True, **kw)
    err = capsys.readouterr().err
    assert "audit" in err and "retraining 2 models" in err


def test_warnings_are_collected_into_notes(small_linear):
    from sklearn.neural_network import MLPClassifier

    X, y = small_linear
    rep = audit(MLPClassifier(hidden_layer_sizes=(3,), max_iter=2), X, y, n_models=2,
                random_state=0, progress=False, figures=False)  # nothing escapes
    assert any(n.startswith("ConvergenceWarning") for n in rep.notes)
    assert any("ConvergenceWarning" in p for p in rep.section("notes").paragraphs)


def test_multiclass_and_missing_groups():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    groups = np.where(np.arange(len(y)) % 3 == 0, None, np.where(X[:, 0] > 5.8, "big", "small"))
    rep = audit(LogisticRegression(max_iter=500), X, y, sensitive_features={"size": groups},
                n_models=4, random_state=0, progress=False, figures=False)
    table = rep.section("groups").tables["by_size"][1]
    assert list(table.index[:3]) == ["(missing)", "big", "small"]
    assert "3 classes" in rep.section("exact").numbers["skipped"]["level_set"]
    assert rep.profile.rashomon_capacity.max() <= 3 + 1e-9
    assert _parse(rep.to_html()).sections == SECTIONS


def test_sensitive_features_by_column_name():
    X, y, _ = _compas_subsample(300, seed=1)
    rep = audit(LogisticRegression(max_iter=1000), X, y, sensitive_features="sex:Female",
                n_models=3, exact="none", random_state=0, progress=False, figures=False)
    table = rep.section("groups").tables["by_sex:Female"][1]
    assert table.loc[1, "n_samples"] == int(X["sex:Female"].sum())


@pytest.mark.parametrize(("kwargs", "exc", "message"), [
    ({"y": "short"}, ValueError, _errors.LENGTH_MISMATCH.format(a="X", b="y", na=300, nb=299)),
    ({"y": "short series"}, ValueError, "the index of y does not match the index of X"),
    ({"sensitive_features": ["race"]}, ValueError, "sensitive feature 'race' is not a column"),
    ({"sensitive_features": np.zeros(5)}, ValueError, "must have shape (300,)"),
    ({"epsilon": -0.1}, ValueError, "epsilon must be >= 0"),
    ({"n_models": 0}, ValueError, "n_models must be an integer >= 1"),
    ({"exact": "always"}, ValueError, "exact must be one of"),
    ({"random_state": "seed"}, TypeError, "random_state must be"),
    ({"delta": 0.0}, ValueError, _errors.DELTA_RANGE.format(0.0)),
    ({"alpha": 1.5}, ValueError, "alpha must lie in (0, 1)"),
])
def test_bad_input_is_rejected_before_any_work(kwargs, exc, message):
    X, y, _ = _compas_subsample(300, seed=1)
    short = kwargs.pop("y", None)
    if short == "short":
        y = y.iloc[:-1].to_numpy()          # positional: a length error
    elif short == "short series":
        y = y.iloc[:-1]                     # labelled: an index error
    with pytest.raises(exc, match=re.escape(message)):
        audit(LogisticRegression(), X, y, progress=False, **kwargs)


# -------------------------------------------------------------------------- browser
_CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if shutil.os.path.exists("/usr/bin/chromium") else None)


def _render(page, shot, tmp_path):
    proc = subprocess.run(
        [_CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--window-size=1200,2400", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [line for line in proc.stderr.splitlines() if "CONSOLE" in line
            or "Uncaught" in line or "Failed to load resource" in line]


@pytest.mark.skipif(_CHROMIUM is None, reason="chromium not installed: the headless-browser "
                    "check of the HTML report needs chromium on PATH")
def test_html_renders_in_headless_chromium(report, tmp_path):
    # the console check sees errors: a page with a failing script is caught
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>undefinedFunction();</script></body></html>")
    assert any("undefinedFunction" in line for line in _render(bad, tmp_path / "b.png",
                                                               tmp_path))
    page = tmp_path / "report.html"
    report.to_html(page)
    shot = tmp_path / "shot.png"
    assert _render(page, shot, tmp_path) == []
    data = shot.read_bytes()
    assert data.startswith(PNG) and len(data) > 10_000
    # not a blank page: the screenshot has many distinct colours
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)
    assert len(np.unique(pixels.reshape(-1, pixels.shape[-1])[::97], axis=0)) > 20


# ------------------------------------------------------------------ input forms, guards
def test_feature_importance_section_is_guarded(small_linear, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "multiplicity.explain", None)  # import fails
    X, y = small_linear
    rep = audit(LogisticRegression(), X, y, n_models=2, exact="none", random_state=0,
                progress=False)
    sec = rep.section("importance")
    assert sec.status == "not available" and sec.figures == []
    assert "not available" in sec.paragraphs[0]
    assert any(n.startswith("Feature-importance ranges: skipped") for n in rep.notes)
    assert ">not available</span>" in rep.to_html()


def test_importance_on_a_subsample_and_input_forms(small_linear):
    X, y = small_linear
    group = pd.Series(np.where(X[:, 0] > 1, "hi", "lo"), name="level")
    long = _annotations(20).to_long()
    rep = audit(LogisticRegression(), X, y, sensitive_features=group, annotations=long,
                n_models=3, exact="none", random_state=np.random.default_rng(1),
                importance_max_samples=50, n_resamples=20, progress=False, figures=False)
    imp = rep.section("importance")
    assert imp.numbers["n_rows_used"] == 50
    assert "random subset of 50 rows" in " ".join(imp.paragraphs)
    assert set(imp.tables["importance"][1].index) == {"x0", "x1"}
    assert "by_level" in rep.section("groups").tables
    direct = audit(LogisticRegression(), X, y, annotations=_annotations(20), n_models=3,
                   exact="none", random_state=rep.parameters["random_state"],
                   n_resamples=20, progress=False, figures=False)
    assert rep.section("annotations").numbers == direct.section("annotations").numbers
    per = rep.to_dict(per_sample=True)["per_sample"]
    assert len(per["data"]) == len(y) and "ambiguous" in per["columns"]
    assert "AuditReport(" in repr(rep) and "'groups'" in repr(rep)
    with pytest.raises(KeyError, match="no section 'nope'"):
        rep.section("nope")
    seed = audit(LogisticRegression(), X, y, n_models=2, exact="none", progress=False,
                 random_state=np.random.RandomState(0), figures=False).parameters
    assert seed["random_state"] == np.random.RandomState(0).randint(0, 2**32 - 1)


def test_level_set_plans(small_linear):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from multiplicity.report._exact import logistic_level_set_plan as _logistic_level_set_plan

    X, y = small_linear
    for est, reason in [
            (LogisticRegression(class_weight="balanced"), "class weights"),
            (LogisticRegression(C=np.inf), "no finite L2 penalty"),
            (LogisticRegression(l1_ratio=1.0, solver="saga"), "not L2-penalised")]:
        ok, why, _ = _logistic_level_set_plan(est, 2, X, "")
        assert not ok and reason in why
    # The estimate grows linearly in the distinct rows (2,100 rows x 20 features took
    # 5.7 s): 2,000 x 5 runs; 50,000 x 5 (about 39 s) is skipped unless asked for.
    rng = np.random.default_rng(0)
    ok, _, n = _logistic_level_set_plan(LogisticRegression(), 2, rng.normal(size=(2000, 5)),
                                        "")
    assert ok and n == 2000
    big = rng.normal(size=(50_000, 5))
    ok, why, _ = _logistic_level_set_plan(LogisticRegression(), 2, big, "")
    assert not ok and "would take about 39 s" in why and "exact='vpr'" in why
    ok, _, _ = _logistic_level_set_plan(LogisticRegression(), 2, big, "", explicit=True)
    assert ok
    rep = audit(make_pipeline(StandardScaler(), LogisticRegression()), X, y, n_models=3,
                exact="vpr", epsilon=0.01, random_state=0, progress=False, figures=False)
    sec = rep.section("exact")
    assert sec.numbers["vpr_epsilon"] == 0.01
    assert "the audit's epsilon" in sec.paragraphs[0]
    text = np.array([["a"], ["b"]] * 80, dtype=object)
    rep = audit(DecisionTreeClassifier(), text == "a", y, n_models=2, exact="mip",
                random_state=0, progress=False, figures=False)
    assert "DecisionTreeClassifier" in rep.section("exact").numbers["skipped"]["mip"]


def test_more_bad_input(small_linear):
    X, y = small_linear
    with pytest.raises(ValueError, match="random_state must be >= 0"):
        audit(LogisticRegression(), X, y, random_state=-1, progress=False)
    with pytest.raises(ValueError, match=re.escape("y must be 1-D")):
        audit(LogisticRegression(), X, y[:, None], progress=False)
    with pytest.raises(ValueError, match="X has no column names"):
        audit(LogisticRegression(), X, y, sensitive_features=["sex"], progress=False)
    with pytest.raises(TypeError, match="sensitive_features must be"):
        audit(LogisticRegression(), X, y, sensitive_features=np.zeros((160, 2)),
              progress=False)
    with pytest.raises(ValueError, match="perturbation must be"):
        audit(LogisticRegression(), X, y, perturbation="params", progress=False)


def test_wide_annotations_and_a_single_category(small_linear):
    X, y = small_linear
    wide = _annotations(15).to_wide()
    rep = audit(LogisticRegression(), X, y, annotations=wide, n_models=2, exact="none",
                random_state=0, n_resamples=10, progress=False, figures=False)
    assert rep.section("annotations").numbers["n_items"] == 15
    one = pd.DataFrame({"item": [0, 0, 1, 1], "annotator": [0, 1, 0, 1],
                        "label": ["a"] * 4})
    rep = audit(LogisticRegression(), X, y, annotations=one, n_models=2, exact="none",
                random_state=0, n_resamples=10, progress=False, figures=False)
    sec = rep.section("annotations")
    assert "single category" in sec.numbers["skipped"]["aggregation"]
    assert "only one category" in sec.numbers["skipped"]["agreement"]
    assert "agreement" not in sec.tables
    assert any(n.startswith("Label aggregation: skipped") for n in rep.notes)
    assert _parse(rep.to_html()).sections == SECTIONS


# ------------------------------------------------------------------ Markdown escaping
EVIL = "<script>alert(1)</script>"
EVIL_MD = "x|y *z* _w_ [e](javascript:alert(1)) `f`"
EVIL_GROUP = "# <b>group</b>"


class _Rendered(HTMLParser):
    """Tags, link targets, image attributes, table cells and text of rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.hrefs: list[str] = []
        self.images: list[dict[str, str]] = []
        self.tables: list[list[list[str]]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag == "img":
            self.images.append(a)
        if tag == "table":
            self.tables.append([])
        if tag == "tr":
            self.tables[-1].append([])
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _render_markdown(text: str) -> list[_Rendered]:
    """The Markdown rendered by Python-Markdown (what mkdocs uses) and by markdown-it-py
    (CommonMark), when installed."""
    import markdown

    pages = [markdown.markdown(text, extensions=["tables"])]
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # pragma: no cover - markdown-it-py is optional
        pass
    else:
        pages.append(MarkdownIt("commonmark").enable("table").render(text))
    out = []
    for page in pages:
        parser = _Rendered()
        parser.feed(page)
        parser.close()
        out.append(parser)
    return out


@pytest.fixture(scope="module")
def evil_report():
    rng = np.random.default_rng(0)
    n = 200
    X = pd.DataFrame({EVIL: rng.normal(size=n), "b|c *d*": rng.normal(size=n),
                      "plain": rng.normal(size=n)})
    y = (X[EVIL] + 0.5 * rng.normal(size=n) > 0).astype(int)
    groups = np.where(rng.random(n) < 0.5, EVIL, EVIL_MD)
    return audit(LogisticRegression(), X, y, sensitive_features={EVIL_GROUP: groups},
                 n_models=4, exact="none", random_state=0, progress=False,
                 title=f"{EVIL} [t](javascript:alert(1))", subject="*people*")


def test_markdown_escapes_data_strings(evil_report, tmp_path):
    # the data strings reach paragraphs, table captions, table cells and figure captions
    secs = evil_report.sections
    assert any(EVIL in p for s in secs for p in s.paragraphs)
    assert any(EVIL_MD in p for s in secs for p in s.paragraphs)
    assert any(EVIL_GROUP in c for s in secs for c, _ in s.tables.values())
    assert any(EVIL_GROUP in f.caption for s in secs for f in s.figures)
    assert any(EVIL in map(str, df.index) or EVIL in map(str, df.columns)
               for s in secs for _, df in s.tables.values())
    text = evil_report.to_markdown(tmp_path / "r.md")
    assert "<script" not in text and "<b>" not in text
    assert not re.search(r"(?<!\\)\]\(javascript:", text)  # no link, only "\]("
    # only the section anchors are HTML; every other line is escaped Markdown
    assert {m.group(0) for m in re.finditer(r"<[^>]*>", text)} == {
        f'<a id="{s.id}">' for s in evil_report.sections} | {"</a>"}
    html_tables = [t for t in _table_cells(evil_report.to_html())]
    for page in _render_markdown(text):
        assert page.tags <= {"h1", "h2", "p", "ol", "li", "a", "strong", "em", "img", "hr",
                             "table", "thead", "tbody", "tr", "th", "td", "pre", "code"}
        assert all(h.startswith("#") for h in page.hrefs)
        shown = "".join(page.text)
        # the text reads as written: the title, every paragraph (group labels and column
        # names among them), every table caption and figure caption, the alt texts
        assert f"{EVIL} [t](javascript:alert(1))" in shown
        assert "200 *people*, 3 features" in shown
        alts = [img["alt"] for img in page.images]
        for sec in evil_report.sections:
            for para in sec.paragraphs:
                assert (para.split("\n", 1)[1].rsplit("\n", 1)[0] if para.startswith("```")
                        else re.sub(r"\r\n|\r|\n", " ", para).lstrip()) in shown
            for caption, _ in sec.tables.values():
                assert caption in shown
            for fig in sec.figures:
                assert fig.caption in alts and fig.caption in shown
        # every table holds the same cells as the HTML report's (html.escape)
        assert page.tables == html_tables


def _table_cells(html: str) -> list[list[list[str]]]:
    parser = _Rendered()
    parser.feed(html)
    parser.close()
    return parser.tables


@pytest.mark.parametrize(("text", "expected"), [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("a|b", "a\\|b"), ("*x* `y` [z]", "\\*x\\* \\`y\\` \\[z\\]"),
    ("snake_case _lead trail_", "snake_case \\_lead trail\\_"),
    ("back\\slash & amp", "back\\\\slash &amp; amp"),
    ("two\nlines\r\nhere", "two lines here"),
])
def test_md_text_inline(text, expected):
    from multiplicity.report._render import md_text

    assert md_text(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("# head", "\\# head"), ("- item", "\\- item"), ("+ item", "\\+ item"),
    ("12. item", "12\\. item"), ("3) item", "3\\) item"), ("  # spaced", "\\# spaced"),
    ("12 items", "12 items"), ("a # b", "a # b"),
])
def test_md_text_at_the_start_of_a_line(text, expected):
    from multiplicity.report._render import md_text

    assert md_text(text, block=True) == expected
    for page in _render_markdown(md_text(text, block=True)):
        assert page.tags == {"p"}
        assert "".join(page.text).strip() == text.strip()


def test_markdown_code_is_code_in_every_dialect(evil_report, tmp_path):
    import copy

    rep = copy.copy(evil_report)
    rep.sections = [copy.copy(s) for s in evil_report.sections]
    rep.sections[-1].paragraphs = ["```python\nx = '```'\n\n" + EVIL + "\n```"]
    text = rep.to_markdown(tmp_path / "r.md")
    assert "\n    x = '```'\n\n    " + EVIL + "\n" in text
    for page in _render_markdown(text):
        assert "script" not in page.tags
        assert f"x = '```'\n\n{EVIL}" in "".join(page.text)
