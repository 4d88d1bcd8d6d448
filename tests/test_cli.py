"""The command line (``multiplicity audit | agreement | aggregate | profile | demo``) and the
demo job.

Tests call ``main([...])`` and read stdout/stderr with capsys; two run the real console
script and ``python -m multiplicity`` in a subprocess. Every number the CLI prints or
writes is compared with the public API called directly on the same data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numba
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from multiplicity import _demo, cli
from multiplicity.annotation import GLAD, MACE, Annotations, DawidSkene, MajorityVote, agreement
from multiplicity.cli import main
from multiplicity.datasets import load_compas, load_goemotions_disagreement
from multiplicity.metrics import ambiguity, discrepancy
from multiplicity.report import audit

JIT_DISABLED = numba.config.DISABLE_JIT
NOJIT_COMPAS = ("skipped by design in the NUMBA_DISABLE_JIT=1 coverage pass: the full COMPAS "
                "data run in the JIT pass (make test-fast)")
FAST = ["--no-progress", "--exact", "none"]


class _Sections(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            self.ids.append(dict(attrs)["id"])


def _section_ids(html: str) -> list[str]:
    p = _Sections()
    p.feed(html)
    return p.ids


# ------------------------------------------------------------------------- data files
@pytest.fixture(scope="module")
def user_csv(tmp_path_factory) -> Path:
    """A user's CSV: COMPAS rows plus a text column, a numeric column and a text target."""
    data = load_compas()
    rng = np.random.default_rng(0)
    rows = np.sort(rng.choice(len(data.target), 500, replace=False))
    df = data.data.iloc[rows].reset_index(drop=True).astype(int)
    df["region"] = rng.choice(["north", "south", "east"], size=len(df))
    df["score"] = rng.normal(50, 10, size=len(df)).round(1)
    df["flag"] = rng.random(len(df)) < 0.5
    df["outcome"] = np.where(data.target.iloc[rows].to_numpy() == 1, "yes", "no")
    path = tmp_path_factory.mktemp("data") / "people.csv"
    df.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def labels_csv(tmp_path_factory) -> Path:
    df = load_goemotions_disagreement().data
    df = df[df["item"] < 40].rename(columns={"item": "text_id", "annotator": "rater",
                                             "label": "sentiment"})
    path = tmp_path_factory.mktemp("data") / "labels.csv"
    df.to_csv(path, index=False)
    return path


def _ann(path: Path) -> Annotations:
    return Annotations.from_long(pd.read_csv(path), item="text_id", annotator="rater",
                                 label="sentiment")


# ------------------------------------------------------------------------------ audit
def test_audit_user_csv_matches_the_api(user_csv, tmp_path, capsys):
    out = tmp_path / "r.json"
    argv = ["audit", "--data", str(user_csv), "--target", "outcome", "--sensitive", "region",
            "--n-models", "5", "--random-state", "3", "--out", str(out), *FAST]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    d = json.loads(out.read_text())
    # categorical features one-hot encoded, non-binary numeric standardised
    names = d["data"]["feature_names"]
    assert {"region=east", "region=north", "region=south", "score", "flag"} <= set(names)
    assert "outcome" not in names and "region" not in names
    df = pd.read_csv(user_csv)
    X = cli.encode_features(df.drop(columns=["outcome"]), user_csv)
    assert X["score"].mean() == pytest.approx(0, abs=1e-12)
    assert X["score"].std(ddof=0) == pytest.approx(1)
    assert set(X["flag"].unique()) == {0.0, 1.0} and set(X["sex:Female"].unique()) == {0, 1}
    rep = audit(LogisticRegression(max_iter=1000), X, df["outcome"],
                sensitive_features={"region": df["region"]}, n_models=5, random_state=3,
                exact="none", progress=False, figures=False)
    rs = rep.rashomon_set
    P = rs.predict(X)
    num = d["sections"]["multiplicity"]["numbers"]
    assert num["ambiguity"] == pytest.approx(ambiguity(P, rs.baseline_index_))
    assert num["discrepancy"] == pytest.approx(discrepancy(P, rs.baseline_index_))
    assert d["parameters"]["random_state"] == 3
    assert "by_region" in d["sections"]["groups"]["tables"]
    assert f"{rep.profile.ambiguity:10.4f}" in printed
    assert f"wrote {out}" in printed


def test_audit_with_annotations(user_csv, labels_csv, tmp_path):
    long = pd.read_csv(labels_csv).rename(columns={"text_id": "item", "rater": "annotator",
                                                   "sentiment": "label"})
    ann_path = tmp_path / "ann.csv"
    long.to_csv(ann_path, index=False)
    out = tmp_path / "r.json"
    assert main(["audit", "--data", str(user_csv), "--target", "outcome", "--annotations",
                 str(ann_path), "--n-models", "2", "--out", str(out), *FAST]) == 0
    d = json.loads(out.read_text())
    ann = _ann(labels_csv)
    assert d["sections"]["annotations"]["numbers"]["n_items"] == ann.n_items
    row = d["summary"]["index"].index("krippendorff_alpha")
    from multiplicity.annotation import krippendorff_alpha

    assert d["summary"]["data"][row][0] == pytest.approx(krippendorff_alpha(ann))
    assert main(["audit", "--data", str(user_csv), "--target", "outcome", "--annotations",
                 str(labels_csv), "--out", str(out), *FAST]) == 1


@pytest.mark.skipif(JIT_DISABLED, reason=NOJIT_COMPAS)
def test_audit_default_data_writes_html_and_markdown(tmp_path, capsys):
    out = tmp_path / "compas.html"
    assert main(["audit", "--n-models", "3", "--out", str(out), *FAST]) == 0
    ids = _section_ids(out.read_text())
    assert ids[:3] == ["overview", "multiplicity", "exact"] and "groups" in ids
    text = out.read_text()
    assert "By sex" in text and "By age_group" in text and "defendants" in text
    md = tmp_path / "md" / "compas.md"
    assert main(["audit", "--n-models", "3", "--sensitive", "sex", "priors:=0", "--model",
                 "tree", "--out", str(md), *FAST]) == 0
    assert md.exists() and (md.parent / "compas_profile.png").exists()
    assert (md.parent / "compas_groups_sex.png").exists()
    assert (md.parent / "compas_groups_priors__0.png").exists()
    assert not (md.parent / "compas_groups_age_group.png").exists()
    assert "tree model" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.parametrize("model", ["forest", "boosting", "mlp"])
def test_audit_every_model_choice(model, user_csv, tmp_path):
    out = tmp_path / "r.json"
    assert main(["audit", "--data", str(user_csv), "--target", "outcome", "--model", model,
                 "--n-models", "2", "--out", str(out), *FAST]) == 0
    d = json.loads(out.read_text())
    assert d["parameters"]["estimator"]["name"] == type(cli.make_estimator(model, 0)).__name__
    assert d["sections"]["overview"]["numbers"]["n_models"] == 2


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _bad_files(tmp_path: Path) -> dict[str, str]:
    return {
        "empty": _write(tmp_path, "empty.csv", ""),
        "header": _write(tmp_path, "header.csv", "a,b,y\n"),
        "nan": _write(tmp_path, "nan.csv", "a,b,y\n1,2,0\n,3,1\n4,5,0\n"),
        "one_class": _write(tmp_path, "one.csv", "a,b,y\n1,2,0\n2,3,0\n"),
        "ids": _write(tmp_path, "ids.csv", "name,y\n" + "".join(
            f"person{i},{i % 2}\n" for i in range(60))),
        "continuous": _write(tmp_path, "cont.csv", "a,y\n" + "".join(
            f"{i},{i * 0.37:.2f}\n" for i in range(30))),
        "ok": _write(tmp_path, "ok.csv", "a,b,y\n1,2,0\n2,3,1\n3,1,0\n4,4,1\n"),
        "quote": _write(tmp_path, "quote.csv", 'a,y\n"1,0\n2,1\n'),
        "inf": _write(tmp_path, "inf.csv", "a,y\ninf,0\n2,1\n"),
        "nan_target": _write(tmp_path, "nant.csv", "a,y\n1,0\n2,\n3,1\n"),
        "dir": str(tmp_path),
    }


@pytest.mark.parametrize(("case", "extra", "message"), [
    ("missing", [], "no such file"),
    ("empty", [], "the file is empty"),
    ("header", [], "has a header but no data rows"),
    ("ok", ["--target", "label"], "no column 'label'"),
    ("ok", ["--target", "y", "--sensitive", "race"], "no column 'race'"),
    ("ok", [], "--target COL is required with --data"),
    ("nan", ["--target", "y"], "column 'a' has 1 missing value(s)"),
    ("one_class", ["--target", "y"], "has a single value"),
    ("ids", ["--target", "y"], "too many to one-hot encode"),
    # without --task a continuous target is a regression; as labels it is refused
    ("continuous", ["--target", "y", "--task", "classification"], "continuous"),
    ("ok", ["--target", "y", "--out", "report.pdf"], "unknown report format '.pdf'"),
    ("ok", ["--target", "y", "--sensitive", "y"], "--sensitive 'y' is the target column"),
    ("ok", ["--target", "y", "--out", "ok.csv/r.json"], "cannot write the report"),
    ("quote", ["--target", "y"], "cannot be read as CSV"),
    ("inf", ["--target", "y"], "column 'a' holds infinite values"),
    ("nan_target", ["--target", "y"], "target column 'y' has 1 missing value(s)"),
    ("dir", ["--target", "y"], "is a directory"),
    ("compas", ["--sensitive", "race"], "COMPAS has no column 'race'"),
    ("compas", ["--target", "y"], "the bundled COMPAS target is"),
])
def test_audit_user_errors_are_one_line(case, extra, message, tmp_path, capsys):
    files = _bad_files(tmp_path)
    path = files.get(case, str(tmp_path / "nope.csv"))
    argv = ["audit", *(["--data", path] if case != "compas" else []), "--n-models", "2",
            *FAST, *extra]
    if "--out" not in extra:
        argv += ["--out", str(tmp_path / "r.json")]
    else:
        argv[argv.index("--out") + 1] = str(tmp_path / argv[argv.index("--out") + 1])
    assert main(argv) == 1
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("multiplicity audit: error: ")
    assert message in err
    assert "Traceback" not in captured.err + captured.out


def test_console_script_reports_errors_without_traceback(tmp_path):
    exe = Path(sys.executable).with_name("multiplicity")
    if not exe.exists():
        pytest.skip("the multiplicity console script is not installed next to this Python: "
                    "pip install -e . into this environment")
    proc = subprocess.run([str(exe), "agreement", str(tmp_path / "none.csv"), "--item", "i",
                           "--annotator", "a", "--label", "l"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (f"multiplicity agreement: error: {tmp_path / 'none.csv'}: "
                                   "no such file")
    assert proc.stdout == ""


# -------------------------------------------------------------------------- agreement
def test_agreement_table_and_json_match_the_api(labels_csv, capsys):
    base = ["agreement", str(labels_csv), "--item", "text_id", "--annotator", "rater",
            "--label", "sentiment", "--n-resamples", "200", "--random-state", "4"]
    assert main(base) == 0
    text = capsys.readouterr().out
    ref = agreement(_ann(labels_csv), n_resamples=200, random_state=4)
    for name, row in ref.iterrows():
        assert name in text
        assert f"{row['value']:.4f}" in text
    assert main([*base, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["n_items"] == 40
    assert set(d["coefficients"]) == set(ref.index)
    for name, row in ref.iterrows():
        for col in ("value", "se", "ci_low", "ci_high"):
            assert d["coefficients"][name][col] == pytest.approx(row[col])


def test_agreement_level_and_analytic_ci(labels_csv, capsys):
    base = ["agreement", str(labels_csv), "--item", "text_id", "--annotator", "rater",
            "--label", "sentiment", "--json"]
    assert main([*base, "--level", "interval", "--ci", "analytic"]) == 0
    d = json.loads(capsys.readouterr().out)
    ref = agreement(_ann(labels_csv), coefficients=[("krippendorff_alpha",
                                                      {"level": "interval"})], ci="analytic")
    key = "krippendorff_alpha(level='interval')"
    assert d["coefficients"][key]["value"] == pytest.approx(ref["value"].iloc[0])
    assert d["coefficients"][key]["se"] == pytest.approx(ref["se"].iloc[0])
    assert main([*base, "--ci", "none"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["coefficients"]["fleiss_kappa"]["se"] is None


def test_agreement_errors(labels_csv, tmp_path, capsys):
    assert main(["agreement", str(labels_csv), "--item", "text_id", "--annotator", "who",
                 "--label", "sentiment"]) == 1
    assert "no column 'who'" in capsys.readouterr().err
    dup = tmp_path / "dup.csv"
    dup.write_text("i,a,l\n1,x,0\n1,x,1\n2,x,0\n2,y,1\n")
    assert main(["agreement", str(dup), "--item", "i", "--annotator", "a", "--label",
                 "l"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


# -------------------------------------------------------------------------- aggregate
@pytest.mark.parametrize(("method", "cls"), [
    ("dawid-skene", DawidSkene), ("majority", MajorityVote), ("glad", GLAD), ("mace", MACE)])
def test_aggregate_writes_the_api_labels(method, cls, labels_csv, tmp_path, capsys):
    out = tmp_path / "agg" / "labels.csv"
    assert main(["aggregate", str(labels_csv), "--item", "text_id", "--annotator", "rater",
                 "--label", "sentiment", "--method", method, "--out", str(out),
                 "--random-state", "2"]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    got = pd.read_csv(out)
    model = (cls(random_state=2) if cls is MACE else cls()).fit(_ann(labels_csv))
    share = "vote_share" if method == "majority" else "posterior"
    assert list(got.columns) == ["text_id", "label", share, "n_ratings", "tie_broken", "p_0",
                                 "p_1"]
    assert got["text_id"].tolist() == model.labels_.index.tolist()
    assert got["label"].tolist() == model.labels_.tolist()
    np.testing.assert_allclose(got[["p_0", "p_1"]].to_numpy(), model.probas_.to_numpy())
    np.testing.assert_allclose(got[share], model.probas_.max(axis=1))
    assert got["tie_broken"].tolist() == model.tied_.tolist()
    ratings = pd.read_csv(labels_csv).groupby("text_id").size()
    assert got["n_ratings"].tolist() == ratings.loc[got["text_id"]].tolist()


def test_aggregate_unwritable_output(labels_csv, capsys):
    assert main(["aggregate", str(labels_csv), "--item", "text_id", "--annotator", "rater",
                 "--label", "sentiment", "--out", str(labels_csv / "x.csv")]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_aggregate_to_stdout(labels_csv, capsys):
    assert main(["aggregate", str(labels_csv), "--item", "text_id", "--annotator", "rater",
                 "--label", "sentiment", "--method", "majority"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "text_id,label,vote_share,n_ratings,tie_broken,p_0,p_1"
    assert len(out.splitlines()) == 41


# ------------------------------------------------------------------------------- demo
def test_demo_prints_the_report_figures_and_writes_html(tmp_path, capsys):
    out = tmp_path / "demo.html"
    assert main(["demo", "--n-models", "6", "--random-state", "1", "--out", str(out),
                 *FAST]) == 0
    printed = capsys.readouterr().out
    rep = _demo.run_demo(n_models=6, random_state=1, exact="none", figures=False)
    for name, row in rep.summary().iterrows():
        assert name in printed
        if np.isfinite(row["value"]) and not float(row["value"]).is_integer():
            assert f"{row['value']:10.4f}" in printed
    assert "By sex" in printed and "Female" in printed and "max-min gap" in printed
    assert _section_ids(out.read_text())[0] == "overview"
    # the demo is the audit: same numbers as audit() on COMPAS with the same settings
    data = load_compas()
    direct = audit(LogisticRegression(max_iter=1000), data.data, data.target, n_models=6,
                   random_state=1, exact="none", progress=False, figures=False)
    assert rep.summary().loc["ambiguity", "value"] == direct.profile.ambiguity
    assert rep.summary().loc["discrepancy", "value"] == direct.profile.discrepancy


@pytest.mark.skipif(JIT_DISABLED, reason=NOJIT_COMPAS)
def test_demo_epsilon_zero_keeps_only_the_best_models():
    kw = dict(n_models=6, random_state=1, exact="none", figures=False)
    res = _demo.run_demo(epsilon=0.0, **kw)
    losses = res.explorer.candidate_losses_
    assert len(res.rashomon_set) == int(np.sum(losses == losses.min())) >= 1
    wide = _demo.run_demo(epsilon=0.5, **kw)
    assert len(wide.rashomon_set) == 6


@pytest.mark.skipif(JIT_DISABLED, reason="skipped by design in the NUMBA_DISABLE_JIT=1 "
                    "coverage pass: the full demo (exact level set on COMPAS) runs in the JIT "
                    "pass (make test-fast)")
def test_demo_default_writes_reports_demo_html(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--n-models", "6", "--no-progress"]) == 0
    html = (tmp_path / "reports" / "demo.html").read_text()
    assert _section_ids(html) == ["overview", "multiplicity", "exact", "groups", "abstention",
                                  "importance", "annotations", "notes", "reproduce"]
    out = capsys.readouterr().out
    assert "exact_mean_vpr_width" in out and "wrote reports/demo.html" in out


# ------------------------------------------------------------------------- arguments
@pytest.mark.parametrize("argv", [
    ["demo", "--n-models", "0"], ["demo", "--n-models", "x"], ["demo", "--epsilon", "-1"],
    ["demo", "--epsilon", "x"], ["demo", "--random-state", "-1"],
    ["agreement", "f.csv", "--item", "i", "--annotator", "a", "--label", "l",
     "--random-state", "-1"],
    ["audit", "--model", "svm"], ["aggregate", "f.csv", "--item", "i"], []])
def test_bad_arguments_exit_with_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "usage" in capsys.readouterr().err


def test_version_flag(capsys):
    from multiplicity import __version__

    with pytest.raises(SystemExit):
        main(["--version"])
    assert __version__ in capsys.readouterr().out


def test_python_dash_m_entry_point():
    proc = subprocess.run([sys.executable, "-m", "multiplicity", "--help"],
                          capture_output=True, text=True, check=True, timeout=120)
    for command in ("audit", "agreement", "aggregate", "demo"):
        assert command in proc.stdout


@pytest.mark.parametrize("model", cli.MODELS)
def test_make_estimator_is_a_seeded_classifier(model):
    from sklearn.base import is_classifier

    est = cli.make_estimator(model, 7)
    assert is_classifier(est)
    # the explorer reseeds every candidate; the template's own seed is the CLI's
    assert est.get_params()["random_state"] == (None if model == "logistic" else 7)


# ----------------------------------------------------------------- a reader that stops
def _closed_pipe_run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run ``python -m multiplicity argv`` with stdout a pipe whose reader has gone."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "multiplicity", *argv], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=300, cwd=cwd)
    finally:
        os.close(write_end)


@pytest.fixture(scope="module")
def big_labels_csv(tmp_path_factory) -> Path:
    """Annotations whose aggregate CSV is larger than a pipe's buffer (64 KiB)."""
    rng = np.random.default_rng(1)
    n = 6000
    df = pd.DataFrame({"item": np.repeat(np.arange(n), 3),
                       "annotator": np.tile(["a", "b", "c"], n),
                       "label": rng.integers(0, 3, 3 * n)})
    path = tmp_path_factory.mktemp("data") / "big.csv"
    df.to_csv(path, index=False)
    return path


def test_aggregate_into_head_exits_quietly(big_labels_csv):
    proc = subprocess.Popen([sys.executable, "-m", "multiplicity", "aggregate",
                             str(big_labels_csv), "--item", "item", "--annotator",
                             "annotator", "--label", "label", "--method", "majority"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()  # what `head -1` does: read one line, then close
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=300) == 141
    assert first == b"item,label,vote_share,n_ratings,tie_broken,p_0,p_1,p_2\n"
    assert err == ""


@pytest.mark.parametrize("command", ["audit", "agreement", "aggregate", "profile", "help",
                                     "version"])
def test_every_command_exits_quietly_when_stdout_is_closed(command, user_csv, labels_csv,
                                                           tmp_path):
    ann = [str(labels_csv), "--item", "text_id", "--annotator", "rater", "--label",
           "sentiment"]
    argv = {"audit": ["audit", "--data", str(user_csv), "--target", "outcome", "--n-models",
                      "2", "--out", str(tmp_path / "r.json"), *FAST],
            "agreement": ["agreement", *ann, "--n-resamples", "20", "--json"],
            "aggregate": ["aggregate", *ann, "--method", "majority"],
            "profile": ["profile", *ann],
            "help": ["audit", "--help"], "version": ["--version"]}[command]
    proc = _closed_pipe_run(argv, tmp_path)
    # argparse ignores a failed write of --help and --version itself (status 0)
    assert proc.returncode in ((0, 141) if command in ("help", "version") else (141,)), \
        proc.stderr
    assert proc.stderr == ""
    if command == "audit":
        assert (tmp_path / "r.json").exists()  # the work was done before the print


@pytest.mark.skipif(JIT_DISABLED, reason=NOJIT_COMPAS)
def test_demo_exits_quietly_when_stdout_is_closed(tmp_path):
    proc = _closed_pipe_run(["demo", "--n-models", "2", "--out", "d.json", *FAST], tmp_path)
    assert proc.returncode == 141, proc.stderr
    assert proc.stderr == ""
    assert (tmp_path / "d.json").exists()


def test_a_closed_stderr_is_quiet_too(tmp_path):
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run([sys.executable, "-m", "multiplicity", "agreement",
                               str(tmp_path / "none.csv"), "--item", "i", "--annotator",
                               "a", "--label", "l"], stdout=subprocess.PIPE,
                              stderr=write_end, timeout=300)
    finally:
        os.close(write_end)
    assert proc.returncode == 141
    assert proc.stdout == b""


# ------------------------------------------------------- messages in the words of the CLI
@pytest.mark.parametrize(("command", "message", "expected"), [
    ("agreement", "annotator 'x' labelled item 1 more than once; pass duplicates='first', "
     "'last' or 'keep'", "annotator 'x' labelled item 1 more than once; pass --duplicates "
     "first, last or keep"),
    ("agreement", "level='interval' needs numeric labels; use level='nominal' or 'ordinal', "
     "or recode", "--level interval needs numeric labels; use --level nominal or ordinal, "
     "or recode"),
    ("agreement", "n_resamples must be an integer >= 2, got 1",
     "--n-resamples must be an integer >= 2, got 1"),
    ("agreement", "fleiss_kappa has no analytic standard error; use ci='bootstrap'",
     "fleiss_kappa has no analytic standard error; use --ci bootstrap"),
    ("agreement", "pass ci=None", "pass --ci none"),
    ("agreement", "ci must be 'bootstrap', 'analytic' or None, got 'x'",
     "--ci must be 'bootstrap', 'analytic' or None, got 'x'"),
    ("aggregate", "item='my col' is not a column of df", "--item 'my col' is not a column of df"),
    ("audit", "random_state must be >= 0, got -1", "--random-state must be >= 0, got -1"),
    ("audit", "epsilon must be >= 0, got -1; n_models must be >= 1",
     "--epsilon must be >= 0, got -1; --n-models must be >= 1"),
    ("audit", "pass sensitive_features= or annotations=", "pass --sensitive or --annotations"),
    ("demo", "n_jobs=0 has no meaning", "--n-jobs 0 has no meaning"),
    # prose, attributes and other sub-commands' keywords stay as they are
    ("agreement", "the label column has 3 labels; item 4 is missing an annotator",
     "the label column has 3 labels; item 4 is missing an annotator"),
    ("audit", "rs.n_models differs; 'random_state' is a key; epsilon is large",
     "rs.n_models differs; 'random_state' is a key; epsilon is large"),
    ("aggregate", "n_resamples must be >= 2", "n_resamples must be >= 2"),
])
def test_api_messages_name_the_flags(command, message, expected):
    assert cli.cli_message(message, cli.FLAGS[command]) == expected


def test_every_flag_of_the_tables_exists():
    parser = cli._build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert set(cli.FLAGS) <= set(commands)
    for command, flags in cli.FLAGS.items():
        options = {o for a in commands[command]._actions for o in a.option_strings}
        assert set(flags.values()) <= options, command


@pytest.mark.parametrize("command", ["agreement", "aggregate"])
def test_duplicates_error_names_the_flag(command, tmp_path, capsys):
    dup = tmp_path / "dup.csv"
    dup.write_text("i,a,l\n1,x,0\n1,x,1\n1,y,0\n2,x,0\n2,y,1\n3,x,1\n3,y,1\n")
    assert main([command, str(dup), "--item", "i", "--annotator", "a", "--label", "l"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (f"multiplicity {command}: error: annotator 'x' labelled item 1 more than "
                   "once; pass --duplicates first, last or keep")
    assert main([command, str(dup), "--item", "i", "--annotator", "a", "--label", "l",
                 "--duplicates", "first"]) == 0


def test_level_error_names_the_flag(tmp_path, capsys):
    path = tmp_path / "text.csv"
    path.write_text("i,a,l\n1,x,pos\n1,y,neg\n2,x,pos\n2,y,pos\n3,x,neg\n3,y,neg\n")
    assert main(["agreement", str(path), "--item", "i", "--annotator", "a", "--label", "l",
                 "--level", "interval"]) == 1
    err = capsys.readouterr().err
    assert "--level interval needs numeric labels" in err
    assert "use --level nominal or ordinal" in err and "level=" not in err


# ---------------------------------------------------------------------- --sep, --decimal
def _as(path: Path, tmp_path: Path, sep: str, name: str) -> Path:
    out = tmp_path / name
    pd.read_csv(path).to_csv(out, sep=sep, index=False)
    return out


@pytest.mark.parametrize(("sep", "flag"), [(";", None), ("\t", None), (";", ";"),
                                           ("\t", "tab"), ("\t", "\\t"), ("|", "|")])
def test_agreement_and_aggregate_read_other_separators(sep, flag, labels_csv, tmp_path,
                                                       capsys):
    other = _as(labels_csv, tmp_path, sep, "labels.txt")
    extra = [] if flag is None else ["--sep", flag]
    cols = ["--item", "text_id", "--annotator", "rater", "--label", "sentiment"]
    for command in (["agreement", "--ci", "none", "--json"], ["aggregate"]):
        assert main([command[0], str(labels_csv), *cols, *command[1:]]) == 0
        expected = capsys.readouterr().out
        assert main([command[0], str(other), *cols, *command[1:], *extra]) == 0
        assert capsys.readouterr().out == expected


def test_audit_reads_a_semicolon_file(user_csv, tmp_path, capsys):
    semi = _as(user_csv, tmp_path, ";", "people_semi.csv")
    tab = _as(user_csv, tmp_path, "\t", "people.tsv")
    base = ["--target", "outcome", "--sensitive", "region", "--n-models", "2", *FAST]
    runs = {}
    for name, path, extra in [("comma", user_csv, []), ("semi", semi, []),
                              ("tab", tab, ["--sep", "tab"])]:
        out = tmp_path / f"{name}.json"
        assert main(["audit", "--data", str(path), *base, "--out", str(out), *extra]) == 0
        runs[name] = json.loads(out.read_text())
    capsys.readouterr()
    for name in ("semi", "tab"):
        assert runs[name]["data"]["feature_names"] == runs["comma"]["data"]["feature_names"]
        assert runs[name]["data"]["sha256"] == runs["comma"]["data"]["sha256"]
        assert runs[name]["summary"] == runs["comma"]["summary"]


@pytest.mark.parametrize(("header", "sep"), [
    ("a,b,c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t"), ("a;b\tc;d", ";"),
    ('"x,y";b;c', ";"), ('"x;y"\tb', "\t"), ("abc", ","), ("a;b,c", ","),
])
def test_sniff_separator(header, sep, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(header + "\n1\n", encoding="utf-8-sig")
    assert cli.sniff_separator(path) == sep


def test_sniff_separator_asks_when_it_cannot_tell(tmp_path, capsys):
    path = tmp_path / "f.csv"
    path.write_text("i;a\tl\n1;x\t0\n")
    assert main(["agreement", str(path), "--item", "i", "--annotator", "a",
                 "--label", "l"]) == 1
    assert "as many semicolons as tabs; pass --sep ';' or --sep tab" in capsys.readouterr().err


def test_wrong_separator_hints_at_sep(labels_csv, capsys):
    assert main(["agreement", str(labels_csv), "--item", "text_id", "--annotator", "rater",
                 "--label", "sentiment", "--sep", ";"]) == 1
    err = capsys.readouterr().err
    assert "no column 'text_id'" in err and "is --sep right?" in err


def test_decimal_comma(tmp_path, capsys):
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"score": rng.normal(size=40).round(3), "grp": ["a", "b"] * 20,
                       "y": rng.integers(0, 2, 40)})
    path = tmp_path / "eu.csv"
    path.write_text(df.to_csv(sep=";", index=False, decimal=","))
    as_text = cli.read_csv(path)
    assert not pd.api.types.is_numeric_dtype(as_text["score"])
    err = capsys.readouterr().err
    assert "column 'score' holds numbers with a decimal comma" in err
    assert "pass --decimal , to read them as numbers" in err
    read = cli.read_csv(path, decimal=",")
    np.testing.assert_array_equal(read["score"].to_numpy(), df["score"].to_numpy())
    assert capsys.readouterr().err == ""
    with pytest.raises(cli.UserError, match="--sep and --decimal are both ','"):
        cli.read_csv(path, sep=",", decimal=",")


@pytest.mark.parametrize("value", ["ab", "", "a", ".", '"'])
def test_bad_separator_is_a_usage_error(value, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["aggregate", "f.csv", "--item", "i", "--annotator", "a", "--label", "l",
              "--sep", value])
    assert exc.value.code == 2
    assert "--sep: must be one character" in capsys.readouterr().err


# ------------------------------------------------- held-out audits and the per-person table
def _oracle_features(train: pd.DataFrame, test: pd.DataFrame, drop: list[str]):
    """The encoding docs/cli.md describes, written out with pandas: one-hot columns of the
    training values (a test value seen only there gets 0 everywhere, a training value
    absent from the test rows a column of 0), booleans as 0/1, and the non-0/1 numeric
    columns standardised with the training mean and standard deviation."""
    Xtr = pd.get_dummies(train.drop(columns=drop), prefix_sep="=", dtype=float).astype(float)
    Xte = pd.get_dummies(test.drop(columns=drop), prefix_sep="=", dtype=float)
    Xte = Xte.reindex(columns=Xtr.columns, fill_value=0.0).astype(float)
    for col in Xtr.columns:
        v = Xtr[col].to_numpy()
        if not set(np.unique(v)) <= {0.0, 1.0}:
            mean, sd = v.mean(), v.std()
            Xtr[col], Xte[col] = (v - mean) / sd, (Xte[col].to_numpy() - mean) / sd
    return Xtr, Xte


def _flips(rs, X) -> tuple[float, float]:
    """Ambiguity and discrepancy of the set on X, from its members' predictions."""
    P = np.stack([np.asarray(m.predict(X)) for m in rs.models_])
    differs = P != P[rs.baseline_index_]
    return float(differs.any(axis=0).mean()), float(differs.mean(axis=1).max())


AUDIT5 = ["--n-models", "5", "--random-state", "3", *FAST]
API5 = {"n_models": 5, "random_state": 3, "exact": "none", "progress": False,
        "figures": False}


def test_audit_test_size_measures_the_held_out_rows(user_csv, tmp_path, capsys):
    out, pp = tmp_path / "r.json", tmp_path / "rows" / "pp.csv"
    assert main(["audit", "--data", str(user_csv), "--target", "outcome", "--sensitive",
                 "region", "--test-size", "0.3", "--per-person", str(pp), "--out", str(out),
                 *AUDIT5]) == 0
    printed = capsys.readouterr().out
    d = json.loads(out.read_text())

    df = pd.read_csv(user_csv)
    train, test = train_test_split(np.arange(len(df)), test_size=0.3,
                                   stratify=df["outcome"], random_state=3)
    train, test = np.sort(train), np.sort(test)
    tr, te = df.iloc[train], df.iloc[test]
    Xtr, Xte = _oracle_features(tr, te, ["outcome"])
    assert d["data"]["feature_names"] == list(Xtr.columns)
    assert d["data"]["n_samples"] == len(train) and d["data"]["test"]["n_samples"] == len(test)
    assert d["parameters"]["evaluation"] == "held-out"
    rep = audit(LogisticRegression(max_iter=1000), Xtr, tr["outcome"], X_test=Xte,
                y_test=te["outcome"], sensitive_features={"region": te["region"]}, **API5)
    amb, dis = _flips(rep.rashomon_set, Xte)
    num = d["sections"]["multiplicity"]["numbers"]
    assert num["ambiguity"] == pytest.approx(amb)
    assert num["discrepancy"] == pytest.approx(dis)
    assert d["summary"] == json.loads(rep.to_json())["summary"]
    # the measures are those of the held-out rows, not of the training rows
    assert d["summary"]["data"][0][0] == len(test)

    assert "measures held-out" in printed and f"{len(train):,} training rows" in printed
    assert f"({len(test)} rows the models were not trained on)" in printed
    assert f"wrote {pp} ({len(test)} rows: the held-out rows" in printed

    rows = pd.read_csv(pp, index_col="row")
    assert rows.index.tolist() == test.tolist()
    joined = df.join(rows, how="inner")
    assert len(joined) == len(test)
    assert (joined["y_true"] == joined["outcome"]).all()
    assert (joined["group:region"] == joined["region"]).all()
    expected = rep.per_person()
    np.testing.assert_array_equal(rows["prediction"], expected["prediction"])
    np.testing.assert_array_equal(rows["flipped"], expected["flipped"])
    np.testing.assert_allclose(rows["vpr_low"], expected["vpr_low"])
    assert rows["flipped"].mean() == pytest.approx(amb)


def test_audit_test_data_with_a_category_unseen_in_training(user_csv, tmp_path, capsys):
    df = pd.read_csv(user_csv)
    train_df = df.iloc[:350].reset_index(drop=True)
    test_df = df.iloc[350:].reset_index(drop=True)
    test_df["region"] = test_df["region"].replace({"east": "west"})  # west: unseen, east: absent
    test_df["note"] = "extra column"                                # ignored
    test_df = test_df[test_df.columns[::-1]]                        # another column order
    train_path, test_path = tmp_path / "train.csv", tmp_path / "test.csv"
    train_df.to_csv(train_path, index=False)
    test_df.to_csv(test_path, index=False)
    # parquet when an engine imports here (not at every declared floor: pyarrow may be
    # built for another NumPy), else the CSV form of the same table
    suffix = ".parquet" if cli.parquet_engine_problems() is None else ".csv"
    out, pp = tmp_path / "r.json", tmp_path / f"pp{suffix}"
    assert main(["audit", "--data", str(train_path), "--target", "outcome", "--sensitive",
                 "region", "--test-data", str(test_path), "--per-person", str(pp),
                 "--out", str(out), *AUDIT5]) == 0
    captured = capsys.readouterr()
    assert (f"{test_path}: column 'region' holds values not in {train_path} ('west'; "
            f"{int((test_df['region'] == 'west').sum())} row(s)); they get 0 in every "
            "region=... column") in captured.err
    d = json.loads(out.read_text())
    Xtr, Xte = _oracle_features(train_df, test_df.drop(columns="note"), ["outcome"])
    assert d["data"]["feature_names"] == list(Xtr.columns)
    assert "region=west" not in d["data"]["feature_names"]
    west = (test_df["region"] == "west").to_numpy()
    assert (Xte.loc[west, ["region=east", "region=north", "region=south"]] == 0).all().all()
    assert (Xte["region=east"] == 0).all()
    # standardised with the training rows' mean and standard deviation
    score = train_df["score"]
    encoding = cli.fit_encoding(train_df.drop(columns="outcome"), train_path)
    np.testing.assert_allclose(
        encoding.transform(test_df, test_path)["score"],
        (test_df["score"] - score.mean()) / score.std(ddof=0))
    rep = audit(LogisticRegression(max_iter=1000), Xtr, train_df["outcome"], X_test=Xte,
                y_test=test_df["outcome"], sensitive_features={"region": test_df["region"]},
                **API5)
    amb, dis = _flips(rep.rashomon_set, Xte)
    num = d["sections"]["multiplicity"]["numbers"]
    assert num["ambiguity"] == pytest.approx(amb)
    assert num["discrepancy"] == pytest.approx(dis)
    assert d["summary"] == json.loads(rep.to_json())["summary"]
    assert "by_region" in d["sections"]["groups"]["tables"]
    assert "west" in json.dumps(d["sections"]["groups"]["tables"]["by_region"])
    assert f"measures held-out: computed on the rows of {test_path}" in captured.out

    rows = pd.read_parquet(pp) if suffix == ".parquet" else pd.read_csv(pp, index_col="row")
    assert rows.index.name == "row" and rows.index.tolist() == list(range(len(test_df)))
    joined = test_df.join(rows)
    assert (joined["y_true"] == joined["outcome"]).all()
    assert (joined["group:region"] == joined["region"]).all()
    np.testing.assert_array_equal(rows["flipped"], rep.per_person()["flipped"])


def test_audit_in_sample_per_person_and_summary(user_csv, tmp_path, capsys):
    out, pp = tmp_path / "r.json", tmp_path / "pp.csv"
    assert main(["audit", "--data", str(user_csv), "--target", "outcome", "--per-person",
                 str(pp), "--out", str(out), *AUDIT5]) == 0
    printed = capsys.readouterr().out
    d = json.loads(out.read_text())
    assert d["parameters"]["evaluation"] == "in-sample"
    assert "measures in-sample: computed on the 500 rows the models were trained on" in printed
    assert "(500 rows, " in printed
    df = pd.read_csv(user_csv)
    rows = pd.read_csv(pp, index_col="row")
    assert rows.index.tolist() == list(range(len(df)))
    assert (df.join(rows)["y_true"] == df["outcome"]).all()
    assert rows["flipped"].mean() == pytest.approx(
        d["sections"]["multiplicity"]["numbers"]["ambiguity"])


@pytest.mark.skipif(JIT_DISABLED, reason=NOJIT_COMPAS)
def test_audit_test_size_on_the_bundled_data(tmp_path, capsys):
    pp = tmp_path / "pp.csv"
    assert main(["audit", "--test-size", "0.2", "--n-models", "2", "--per-person", str(pp),
                 "--out", str(tmp_path / "r.json"), *FAST]) == 0
    data = load_compas()
    _, test = train_test_split(np.arange(len(data.target)), test_size=0.2,
                               stratify=data.target, random_state=0)
    rows = pd.read_csv(pp, index_col="row")
    assert rows.index.tolist() == sorted(test)
    assert (rows["y_true"] == data.target.iloc[rows.index]).all()
    assert (rows["group:sex"] == data.sensitive_features["sex"].iloc[rows.index]).all()
    assert "the COMPAS rows held out by --test-size 0.2" in capsys.readouterr().out


def test_encoding_learnt_on_training_rows():
    train = pd.DataFrame({"n": [1.0, 2.0, 3.0, 6.0], "b": [True, False, True, True],
                          "c": ["x", "y", "x", "z"], "k": [0, 1, 1, 0]})
    enc = cli.fit_encoding(train, "train.csv")
    test = pd.DataFrame({"k": [2, 0], "c": ["w", "y"], "b": [False, True], "n": [4.0, 0.0]})
    X = enc.transform(test, "test.csv")
    assert list(X.columns) == ["n", "b", "k", "c=x", "c=y", "c=z"]
    np.testing.assert_allclose(X["n"], (test["n"] - 3.0) / train["n"].std(ddof=0))
    np.testing.assert_array_equal(X["k"], [2.0, 0.0])      # 0/1 in training: not scaled
    np.testing.assert_array_equal(X[["c=x", "c=y", "c=z"]], [[0, 0, 0], [0, 1, 0]])
    pd.testing.assert_frame_equal(enc.transform(train, "train.csv"),
                                  cli.encode_features(train, "train.csv"))
    assert test["c"].tolist() == ["w", "y"]                 # the caller's frame untouched
    with pytest.raises(cli.UserError, match=r"test.csv: column 'n' holds text .*'a'.* numbers"):
        enc.transform(test.assign(n=["a", "1"]), "test.csv")
    with pytest.raises(cli.UserError, match=r"test.csv: no column 'c', a feature of train\.csv"):
        enc.transform(test.drop(columns="c"), "test.csv")
    with pytest.raises(cli.UserError, match="column 'n' has 1 missing value"):
        enc.transform(test.assign(n=[1.0, np.nan]), "test.csv")


def _held_out_files(tmp_path: Path) -> dict[str, str]:
    ok = "a,c,y\n" + "".join(f"{i},{'pq'[i % 2]},{'no' if i % 3 else 'yes'}\n"
                             for i in range(12))
    return {
        "ok": _write(tmp_path, "ok.csv", ok),
        "one_yes": _write(tmp_path, "one.csv", "a,y\n1,no\n2,no\n3,yes\n4,no\n"),
        "new_class": _write(tmp_path, "new.csv", "a,c,y\n1,p,no\n2,q,maybe\n"),
        "no_target": _write(tmp_path, "nt.csv", "a,c\n1,p\n"),
        "no_feature": _write(tmp_path, "nf.csv", "c,y\np,no\n"),
        "text": _write(tmp_path, "text.csv", "a,c,y\nten,p,no\n2,q,yes\n"),
        "nan_target": _write(tmp_path, "ntg.csv", "a,c,y\n1,p,\n2,q,yes\n"),
        "nan": _write(tmp_path, "nan.csv", "a,c,y\n1,,no\n2,q,yes\n"),
    }


@pytest.mark.parametrize(("data", "extra", "message"), [
    ("ok", ["--test-data", "new_class"],
     "new.csv: target column 'y' holds classes that {ok} does not ('maybe')"),
    ("ok", ["--test-data", "no_target"], "nt.csv: no column 'y'"),
    ("ok", ["--test-data", "no_feature"], "nf.csv: no column 'a', a feature of {ok}"),
    ("ok", ["--test-data", "text"], "text.csv: column 'a' holds text (for example 'ten')"),
    ("ok", ["--test-data", "nan_target"], "ntg.csv: target column 'y' has 1 missing value"),
    ("ok", ["--test-data", "nan"], "nan.csv: column 'c' has 1 missing value(s)"),
    ("ok", ["--test-data", "missing"], "nope.csv: no such file"),
    ("ok", ["--sensitive", "c", "--test-data", "no_feature"], "nf.csv: no column 'a'"),
    ("one_yes", ["--test-size", "0.5"],
     "--test-size: class 'yes' of the target column 'y' has a single row"),
    ("ok", ["--test-size", "0.05"], "--test-size 0.05 holds out 1 of 12 rows, which leaves the "
     "held-out part fewer rows than the 2 classes"),
    ("ok", ["--test-size", "0.95"], "leaves the training part fewer rows than the 2 classes"),
    (None, ["--test-data", "ok"], "--test-data needs --data"),
    ("ok", ["--per-person", "pp.parquet"], "--per-person {tmp}/pp.parquet: writing parquet "
     "needs the package pyarrow (pip install pyarrow) or fastparquet"),
    ("ok", ["--per-person", "ok.csv/pp.csv"], "--per-person {tmp}/ok.csv/pp.csv: cannot write"),
])
def test_held_out_user_errors_are_one_line(data, extra, message, tmp_path, capsys,
                                           monkeypatch):
    files = _held_out_files(tmp_path)
    files["missing"] = str(tmp_path / "nope.csv")
    extra = [files.get(e, e) for e in extra]
    if "--per-person" in extra:
        i = extra.index("--per-person") + 1
        extra[i] = str(tmp_path / extra[i])
        if extra[i].endswith(".parquet"):
            for name in cli.PARQUET_ENGINES:
                monkeypatch.setitem(sys.modules, name, None)  # as if not installed
    out = tmp_path / "r.json"
    argv = ["audit", *(["--data", files[data], "--target", "y"] if data else []),
            "--n-models", "2", *FAST, "--out", str(out), *extra]
    assert main(argv) == 1
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()[-1]
    assert err.startswith("multiplicity audit: error: ")
    assert message.format(ok=files["ok"], tmp=tmp_path) in err
    assert "Traceback" not in captured.err + captured.out
    if "parquet" in message:
        assert not out.exists()  # refused before any work


@pytest.mark.parametrize("extra", [
    ["--test-size", "0.2", "--test-data", "t.csv"], ["--test-size", "0"],
    ["--test-size", "1"], ["--test-size", "1.5"], ["--test-size", "-0.2"],
    ["--test-size", "x"], ["--test-size", "nan"]])
def test_held_out_usage_errors(extra, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["audit", "--data", "d.csv", "--target", "y", *extra])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage" in err and "--test-size" in err


# ------------------------------------------- ordinal annotations: weights, order, profile
WORDS = ["very negative", "negative", "neutral", "positive", "very positive"]
GROUPS = {f"r{j:02d}": ("students", "staff", "public")[j % 3] for j in range(12)}


@pytest.fixture(scope="module")
def ordinal_files(tmp_path_factory) -> dict[str, Path]:
    """A user's long file on a 1-5 scale, 1 to 12 ratings per item from 12 annotators in 3
    groups, with 4 repeated (item, annotator) rows and 6 empty labels (one of them a
    blank string); the same file with the labels written as words; the groups file."""
    rng = np.random.default_rng(3)
    rows = []
    for i in range(60):
        truth = rng.integers(1, 6)
        for j in rng.choice(12, size=rng.integers(1, 13), replace=False):
            lean = (0, 1, -1)[j % 3] if rng.random() < 0.4 else 0
            rows.append((f"t{i:02d}", f"r{j:02d}",
                         int(np.clip(truth + lean + rng.integers(-1, 2), 1, 5))))
    df = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    repeats = df.sample(4, random_state=1).assign(label=lambda d: 6 - d["label"])
    df = pd.concat([df, repeats]).sample(frac=1, random_state=2).reset_index(drop=True)
    df["label"] = df["label"].astype(object)
    empty = df.sample(6, random_state=3).index
    df.loc[empty[:5], "label"] = None
    df.loc[empty[5], "label"] = " "
    folder = tmp_path_factory.mktemp("ordinal")
    paths = {"numbers": folder / "numbers.csv", "words": folder / "words.csv",
             "groups": folder / "groups.csv", "with_groups": folder / "with_groups.csv"}
    df.to_csv(paths["numbers"], index=False)
    words = {n: w for n, w in zip(range(1, 6), WORDS, strict=True)}
    df.assign(label=df["label"].map(lambda v: words.get(v, v))).to_csv(paths["words"],
                                                                       index=False)
    pd.DataFrame({"annotator": list(GROUPS), "group": list(GROUPS.values())}).to_csv(
        paths["groups"], index=False)
    df.assign(group=df["annotator"].map(GROUPS)).to_csv(paths["with_groups"], index=False)
    return paths


COLS = ["--item", "item", "--annotator", "annotator", "--label", "label"]


def _long(path: Path, dropped_empty: bool = True) -> pd.DataFrame:
    """The long file as the CLI reads it: blank labels missing, repeats: the first kept."""
    df = pd.read_csv(path)
    label = df["label"].where(df["label"].astype(str).str.strip() != "")
    try:  # numbers read as text because of the blank cell
        label = pd.to_numeric(label)
    except (ValueError, TypeError):
        pass
    df["label"] = label
    if dropped_empty:
        df = df.dropna(subset=["label"])
    return df


def _ordinal_ann(path: Path, **kw) -> Annotations:
    return Annotations.from_long(_long(path, dropped_empty=False), duplicates="first", **kw)


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_agreement_weights_reach_every_kappa(ordinal_files, capsys):
    path = ordinal_files["numbers"]
    for weights in ("linear", "quadratic"):
        assert main(["agreement", str(path), *COLS, "--duplicates", "first", "--weights",
                     weights, "--ci", "analytic", "--json"]) == 0
        got = _json(capsys)["coefficients"]
        ann = _ordinal_ann(path)
        names = ["percent_agreement", "fleiss_kappa", "gwet_ac1", "brennan_prediger",
                 "conger_kappa"]
        ref = agreement(ann, [(n, {"weights": weights}) for n in names]
                        + ["krippendorff_alpha"], ci="analytic")
        for (label, row), name in zip(ref.iterrows(), [*names, "krippendorff_alpha"],
                                      strict=True):
            key = name if name == "krippendorff_alpha" else f"{name}(weights='{weights}')"
            assert label == key
            assert got[key]["value"] == pytest.approx(row["value"], rel=1e-12)
            assert got[key]["se"] == pytest.approx(row["se"], rel=1e-12)
        # weighted and unweighted differ on a 1-5 scale
        plain = agreement(ann, ["fleiss_kappa"], ci=None)["value"].iloc[0]
        assert abs(got[f"fleiss_kappa(weights='{weights}')"]["value"] - plain) > 0.05


def test_agreement_weighted_kappa_against_a_loop_oracle(ordinal_files, capsys):
    """Fleiss' weighted kappa (Gwet 2014, eq. 3.3.x) by plain loops over the items."""
    path = ordinal_files["numbers"]
    assert main(["agreement", str(path), *COLS, "--duplicates", "first", "--weights",
                 "linear", "--ci", "none", "--json"]) == 0
    got = _json(capsys)["coefficients"]["fleiss_kappa(weights='linear')"]["value"]
    df = _long(path).drop_duplicates(["item", "annotator"], keep="first")
    cats = [1, 2, 3, 4, 5]
    w = {(k, m): 1 - abs(k - m) / 4 for k in cats for m in cats}
    pa_terms, pi = [], dict.fromkeys(cats, 0.0)
    items = [g["label"].astype(int).tolist() for _, g in df.groupby("item")]
    for labels in items:
        r = len(labels)
        for k in cats:
            pi[k] += labels.count(k) / r / len(items)
        if r < 2:
            continue
        agree = sum(labels.count(k) * (sum(w[k, m] * labels.count(m) for m in cats) - 1)
                    for k in cats)
        pa_terms.append(agree / (r * (r - 1)))
    pa = sum(pa_terms) / len(pa_terms)
    pe = sum(w[k, m] * pi[k] * pi[m] for k in cats for m in cats)
    assert got == pytest.approx((pa - pe) / (1 - pe), rel=1e-10)


def test_agreement_words_with_categories_equal_numbers(ordinal_files, capsys):
    """The acceptance run: words in their order give the numbers' alpha and kappas."""
    order = ",".join(WORDS)
    common = [*COLS, "--duplicates", "first", "--level", "ordinal", "--weights", "linear"]
    assert main(["agreement", str(ordinal_files["words"]), *common, "--categories", order,
                 "--ci", "analytic", "--json"]) == 0
    words = _json(capsys)
    assert main(["agreement", str(ordinal_files["numbers"]), *common, "--ci", "analytic",
                 "--json"]) == 0
    numbers = _json(capsys)
    assert words["categories"] == WORDS and numbers["categories"] == [1, 2, 3, 4, 5]
    assert set(words["coefficients"]) == set(numbers["coefficients"])
    assert "krippendorff_alpha(level='ordinal')" in words["coefficients"]
    assert "gwet_ac1(weights='linear')" in words["coefficients"]
    for key, row in numbers["coefficients"].items():
        for col in ("value", "se", "ci_low", "ci_high"):
            assert words["coefficients"][key][col] == pytest.approx(row[col], rel=1e-12), \
                (key, col)
    # the printed table too, and the order is shown above it
    assert main(["agreement", str(ordinal_files["words"]), *common, "--categories", order,
                 "--n-resamples", "50"]) == 0
    text = capsys.readouterr().out
    assert "categories in order: very negative < negative < neutral < positive < very " \
           "positive" in text
    assert f"{numbers['coefficients']['fleiss_kappa(weights=' + chr(39) + 'linear' + chr(39) + ')']['value']:.4f}" in text  # noqa: E501


def test_agreement_words_without_their_order_is_an_error(ordinal_files, capsys):
    common = [str(ordinal_files["words"]), *COLS, "--duplicates", "first", "--ci", "none"]
    assert main(["agreement", *common, "--weights", "linear"]) == 1
    err = capsys.readouterr().err
    assert "--categories" in err and "categories=" not in err
    assert main(["agreement", *common, "--categories", ",".join(WORDS[:4])]) == 1
    err = capsys.readouterr().err
    assert "very positive" in err and "--categories" in err
    assert len(err.strip().splitlines()) == 1
    assert main(["agreement", *common]) == 0  # nominal coefficients need no order
    assert "categories (no order given, --categories sets one): negative, neutral, " \
           "positive, very negative, very positive" in capsys.readouterr().out


def test_aggregate_ties_of_words_follow_the_given_order(ordinal_files, tmp_path, capsys):
    common = ["aggregate", str(ordinal_files["words"]), *COLS, "--duplicates", "first",
              "--method", "majority", "--out"]
    assert main([*common, str(tmp_path / "sorted.csv")]) == 0
    assert "in the sorted order of the labels, which have no order of their own " \
           "(negative, neutral, positive, very negative, very positive;" in \
        capsys.readouterr().err
    assert main([*common, str(tmp_path / "given.csv"), "--categories", ",".join(WORDS)]) == 0
    assert "in category order (very negative < negative < neutral < positive < very " \
           "positive;" in capsys.readouterr().err
    given = pd.read_csv(tmp_path / "given.csv")
    numbers = {w: n for n, w in enumerate(WORDS, start=1)}
    assert main(["aggregate", str(ordinal_files["numbers"]), *COLS, "--duplicates", "first",
                 "--method", "majority", "--out", str(tmp_path / "numbers.csv")]) == 0
    by_number = pd.read_csv(tmp_path / "numbers.csv")
    assert given["label"].map(numbers).tolist() == by_number["label"].tolist()
    assert list(given.columns[5:]) == [f"p_{w}" for w in WORDS]


def test_categories_of_numbers_and_bad_lists(ordinal_files, capsys):
    common = [str(ordinal_files["numbers"]), *COLS, "--duplicates", "first", "--ci", "none",
              "--level", "ordinal", "--weights", "quadratic", "--json"]
    assert main(["agreement", *common]) == 0
    plain = _json(capsys)
    assert main(["agreement", *common, "--categories", "1, 2, 3, 4, 5"]) == 0
    assert _json(capsys)["coefficients"] == plain["coefficients"]
    assert main(["agreement", *common, "--categories", "1,2,three,4,5"]) == 1
    assert "--categories 'three' is not a number" in capsys.readouterr().err
    for bad in ("a,,b", "", " , "):
        with pytest.raises(SystemExit) as e:
            main(["agreement", *common, "--categories", bad])
        assert e.value.code == 2
        assert "--categories" in capsys.readouterr().err


def test_category_list_reads_quoted_labels():
    assert cli._category_list('low, "mid, high",top') == ["low", "mid, high", "top"]


def test_empty_labels_and_repeats_are_counted(ordinal_files, capsys):
    path = ordinal_files["numbers"]
    raw = pd.read_csv(path)
    n_empty = int(raw["label"].isna().sum() + (raw["label"].astype(str).str.strip()
                                                   == "").sum())
    filled = raw.loc[raw["label"].notna() & (raw["label"].astype(str).str.strip() != "")]
    n_repeats = int(filled.duplicated(["item", "annotator"]).sum())
    assert (n_empty, n_repeats) == (6, 4)
    assert main(["agreement", str(path), *COLS, "--duplicates", "first", "--ci",
                 "none"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert f"{len(filled) - n_repeats:,} labels" in first
    assert "6 empty labels dropped" in first
    assert "4 repeated ratings dropped (--duplicates first)" in first
    assert main(["agreement", str(path), *COLS, "--duplicates", "keep", "--ci",
                 "none"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert f"{len(filled):,} labels" in first and "4 repeated ratings kept" in first
    assert main(["agreement", str(path), *COLS, "--duplicates", "first", "--ci", "none",
                 "--json"]) == 0
    assert _json(capsys)["n_empty_labels"] == 6


@pytest.fixture
def one_category_csv(tmp_path) -> Path:
    path = tmp_path / "one.csv"
    path.write_text("i,a,l\n1,x,a\n1,y,a\n2,x,a\n2,y,a\n3,x,a\n3,y,a\n3,z,a\n")
    return path


def test_undefined_coefficients_leave_empty_cells(one_category_csv, capsys):
    cols = ["--item", "i", "--annotator", "a", "--label", "l"]
    assert main(["agreement", str(one_category_csv), *cols, "--n-resamples", "20"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    ann = Annotations.from_long(pd.read_csv(one_category_csv), item="i", annotator="a",
                                label="l")
    ref = agreement(ann, [(n, {"on_undefined": "nan"}) for n in cli.DEFAULT_COEFFICIENTS],
                    ci=None)
    ref.index = list(cli.DEFAULT_COEFFICIENTS)
    assert ref.loc["percent_agreement", "value"] == 1.0
    assert ref["value"].drop("percent_agreement").isna().all()
    row = next(line for line in lines if line.startswith("fleiss_kappa"))
    assert row.split() == ["fleiss_kappa", "3"]  # every cell empty but n_items
    assert next(line for line in lines if line.startswith("percent_agreement")).split()[1] \
        == "1.0000"
    assert "undefined on these data (empty cells):" in out
    assert "fleiss_kappa is undefined: only one category ('a') occurs" in out
    assert "Krippendorff's alpha is undefined" in out
    assert "on_undefined" not in out and "--on-undefined" not in out
    assert main(["agreement", str(one_category_csv), *cols, "--ci", "analytic",
                 "--json"]) == 0
    d = _json(capsys)
    assert d["coefficients"]["fleiss_kappa"]["value"] is None
    assert d["coefficients"]["fleiss_kappa"]["se"] is None
    assert d["coefficients"]["percent_agreement"]["value"] == 1.0
    assert set(d["undefined"]) == set(cli.DEFAULT_COEFFICIENTS) - {"percent_agreement"}
    assert main(["agreement", str(one_category_csv), *cols, "--on-undefined",
                 "raise"]) == 1
    err = capsys.readouterr().err
    assert "is undefined" in err and "pass --on-undefined nan to get NaN instead" in err


def test_undefined_bootstrap_resamples_are_reported(tmp_path, capsys):
    path = tmp_path / "rare.csv"
    rows = ["i,a,l"] + [f"{i},{w},a" for i in range(6) for w in "xy"] + ["6,x,a", "6,y,b"]
    path.write_text("\n".join(rows) + "\n")
    assert main(["agreement", str(path), "--item", "i", "--annotator", "a", "--label", "l",
                 "--n-resamples", "200", "--random-state", "1"]) == 0
    out = capsys.readouterr().out
    ann = Annotations.from_long(pd.read_csv(path), item="i", annotator="a", label="l")
    ref = agreement(ann, [(n, {"on_undefined": "nan"}) for n in
                          ["percent_agreement", "cohen_kappa", *cli.DEFAULT_COEFFICIENTS[1:]]],
                    n_resamples=200, random_state=1)
    skipped = list(ref.attrs["undefined_resamples"].values())[2]  # fleiss_kappa
    assert skipped > 0
    assert f"note: fleiss_kappa was undefined on {skipped:,} of 200 bootstrap resamples" in out


def test_ordinal_level_without_weights_says_the_kappas_are_unweighted(ordinal_files,
                                                                      capsys):
    common = [str(ordinal_files["numbers"]), *COLS, "--duplicates", "first", "--ci", "none"]
    assert main(["agreement", *common, "--level", "ordinal"]) == 0
    assert "percent agreement and the kappas are unweighted" in capsys.readouterr().err
    assert main(["agreement", *common, "--level", "ordinal", "--weights", "ordinal"]) == 0
    assert capsys.readouterr().err == ""


def test_cli_defaults_match_the_api(labels_csv, ordinal_files):
    from multiplicity.annotation._chance import WEIGHT_NAMES

    assert cli.WEIGHTS == WEIGHT_NAMES
    many = _ordinal_ann(ordinal_files["numbers"])
    two = Annotations.from_wide([[1, 1], [1, 2], [2, 2], [3, 3], [2, 3]])
    for ann in (many, two):
        args = cli._build_parser().parse_args(["agreement", "f.csv", *COLS])
        ours = [name for _, name, *_ in cli._agreement_requests(ann, args)]
        assert ours == list(agreement(ann, ci=None).index)


# ---------------------------------------------------------------- aggregate: ties, annotators
def _vote_ties(df: pd.DataFrame) -> dict:
    """Items whose largest vote count is shared, by loops over the rows."""
    counts: dict = {}
    for i, lab in zip(df["item"], df["label"], strict=True):
        counts.setdefault(i, {}).setdefault(lab, 0)
        counts[i][lab] += 1
    return {i: sum(v == max(c.values()) for v in c.values()) > 1 for i, c in counts.items()}


@pytest.mark.parametrize("method", ["majority", "dawid-skene", "glad", "mace"])
def test_aggregate_columns_and_annotator_accuracies(method, ordinal_files, tmp_path, capsys):
    path = ordinal_files["numbers"]
    out, acc = tmp_path / "labels.csv", tmp_path / "annotators.csv"
    assert main(["aggregate", str(path), *COLS, "--duplicates", "first", "--method", method,
                 "--out", str(out), "--annotators", str(acc), "--random-state", "3"]) == 0
    printed = capsys.readouterr()
    assert f"wrote {out}" in printed.out and f"wrote {acc}" in printed.out
    ann = _ordinal_ann(path)
    model = cli._make_aggregator(method, 3).fit(ann)
    got = pd.read_csv(out)
    share = "vote_share" if method == "majority" else "posterior"
    assert list(got.columns[:5]) == ["item", "label", share, "n_ratings", "tie_broken"]
    assert got["label"].tolist() == model.labels_.tolist()
    np.testing.assert_allclose(got[share], model.probas_.max(axis=1), rtol=1e-12)
    np.testing.assert_allclose(got[[f"p_{c}" for c in ann.categories]],
                               model.probas_.to_numpy(), rtol=1e-12)
    first = _long(path).drop_duplicates(["item", "annotator"], keep="first")
    assert got.set_index("item")["n_ratings"].to_dict() == \
        first.groupby("item").size().to_dict()
    assert got["tie_broken"].tolist() == model.tied_.tolist()
    table = pd.read_csv(acc)
    assert list(table.columns) == ["annotator", "n_ratings", "accuracy"]
    assert table.set_index("annotator")["n_ratings"].to_dict() == \
        first.groupby("annotator").size().to_dict()
    np.testing.assert_allclose(table["accuracy"],
                               model.annotator_accuracy_.loc[table["annotator"]], rtol=1e-12)
    if method == "majority":  # independent check: share of labels equal to the majority
        winner = got.set_index("item")["label"]
        agree = (first["label"].astype(int).to_numpy()
                 == winner.loc[first["item"]].to_numpy())
        oracle = pd.Series(agree, index=first["annotator"]).groupby(level=0).mean()
        np.testing.assert_allclose(table.set_index("annotator")["accuracy"],
                                   oracle.loc[table["annotator"]], rtol=1e-12)


def test_aggregate_says_where_majority_vote_broke_ties(ordinal_files, tmp_path, capsys):
    path = ordinal_files["numbers"]
    out = tmp_path / "mv.csv"
    assert main(["aggregate", str(path), *COLS, "--duplicates", "first", "--method",
                 "majority", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    first = _long(path).drop_duplicates(["item", "annotator"], keep="first")
    ties = _vote_ties(first)
    n_tied = sum(ties.values())
    assert n_tied > 0
    assert f"majority vote tied on {n_tied} of {len(ties)} items (equal vote counts)" in err
    assert "first tied category in category order (1 < 2 < 3 < 4 < 5" in err
    got = pd.read_csv(out).set_index("item")
    assert got["tie_broken"].to_dict() == ties
    for item in got.index[got["tie_broken"]]:  # the lowest of the tied categories
        votes = first.loc[first["item"] == item, "label"].astype(int).value_counts()
        assert got.loc[item, "label"] == min(votes.index[votes == votes.max()])


def test_aggregate_annotators_to_stdout(ordinal_files, tmp_path, capsys):
    common = ["aggregate", str(ordinal_files["numbers"]), *COLS, "--duplicates", "first",
              "--method", "majority"]
    assert main([*common, "--out", str(tmp_path / "x.csv"), "--annotators", "-"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == "annotator,n_ratings,accuracy"
    assert len(captured.out.splitlines()) == 13
    assert "majority vote: 60 items" in captured.err
    assert main([*common, "--annotators", "-"]) == 1  # --out is - by default
    assert "--out and --annotators both write to standard output" in \
        capsys.readouterr().err


# -------------------------------------------------------------------------------- profile
def _table_rows(text: str, names) -> dict[str, list[str]]:
    """The printed rows of a table whose first cell is one of ``names``."""
    rows = {}
    for line in text.splitlines():
        cells = line.split()
        if cells and cells[0] in names and not set(cells[1:]) <= set(names):  # not a header
            rows.setdefault(cells[0], cells[1:])
    return rows


def test_profile_by_group_matches_the_api(ordinal_files, tmp_path, capsys):
    from multiplicity.annotation import DisagreementProfile

    soft = tmp_path / "soft.csv"
    assert main(["profile", str(ordinal_files["numbers"]), *COLS, "--duplicates", "first",
                 "--groups", str(ordinal_files["groups"]), "--soft-labels", str(soft)]) == 0
    out = capsys.readouterr().out
    ann = Annotations.from_long(_long(ordinal_files["numbers"]).astype({"label": int}),
                                duplicates="first")
    prof = DisagreementProfile(ann, annotator_groups=[GROUPS[a] for a in ann.annotators])
    groups = prof.groups()
    rows = _table_rows(out.split("agreement within")[0], groups.index)
    assert set(rows) == {"students", "staff", "public"}
    for name, row in groups.iterrows():
        expected = [str(int(v)) if float(v).is_integer() and c.startswith("n_") else
                    f"{v:.4f}" for c, v in row.items()]
        assert rows[name] == expected
    matrix = _table_rows(out.split("agreement within")[1], groups.index)
    for name, row in prof.group_agreement().iterrows():
        assert matrix[name] == [f"{v:.4f}" for v in row]
    assert f"worst served by the majority view: {prof.worst_group()!r}" in out
    assert f"Gini coefficient of deviation over groups: {prof.gini(level='group'):.4f}" in out
    assert "3 annotator groups (column 'group' of" in out
    # the soft labels against counts taken with pandas
    got = pd.read_csv(soft).set_index("item")
    first = _long(ordinal_files["numbers"]).drop_duplicates(["item", "annotator"])
    counts = pd.crosstab(first["item"], first["label"].astype(int))
    np.testing.assert_allclose(got[[f"p_{c}" for c in counts.columns]].loc[counts.index],
                               counts.div(counts.sum(axis=1), axis=0).to_numpy(), rtol=1e-12)
    assert got["n_ratings"].loc[counts.index].tolist() == counts.sum(axis=1).tolist()


def test_profile_group_column_equals_groups_file(ordinal_files, capsys):
    common = [*COLS, "--duplicates", "first"]
    assert main(["profile", str(ordinal_files["numbers"]), *common, "--groups",
                 str(ordinal_files["groups"])]) == 0
    from_file = capsys.readouterr().out
    assert main(["profile", str(ordinal_files["with_groups"]), *common, "--group-column",
                 "group"]) == 0
    from_column = capsys.readouterr().out
    strip = lambda text: [line for line in text.splitlines()  # noqa: E731
                          if "annotator groups (" not in line and ".csv" not in line]
    assert strip(from_file) == strip(from_column)


def test_profile_soft_label_smoothing_and_tables(ordinal_files, tmp_path, capsys):
    from multiplicity.annotation import DisagreementProfile

    paths = {k: tmp_path / f"{k}.csv" for k in ("soft", "items", "annotators")}
    assert main(["profile", str(ordinal_files["numbers"]), *COLS, "--duplicates", "first",
                 "--soft-labels", str(paths["soft"]), "--smoothing", "1",
                 "--items", str(paths["items"]), "--annotators",
                 str(paths["annotators"])]) == 0
    out = capsys.readouterr().out
    first = _long(ordinal_files["numbers"]).drop_duplicates(["item", "annotator"])
    counts = pd.crosstab(first["item"], first["label"].astype(int))
    smoothed = (counts + 1).div(counts.sum(axis=1) + 5, axis=0)
    got = pd.read_csv(paths["soft"]).set_index("item")
    np.testing.assert_allclose(got[[f"p_{c}" for c in counts.columns]].loc[counts.index],
                               smoothed.to_numpy(), rtol=1e-12)
    ann = Annotations.from_long(first.astype({"label": int}))
    prof = DisagreementProfile(ann)
    items = pd.read_csv(paths["items"], index_col="item")
    pd.testing.assert_frame_equal(items, prof.items(), check_names=False,
                                  check_dtype=False, check_index_type=False)
    annotators = pd.read_csv(paths["annotators"], index_col="annotator")
    pd.testing.assert_frame_equal(annotators, prof.annotators(), check_names=False,
                                  check_dtype=False)
    # without groups: the annotators, most departing first, and the Gini over annotators
    table = prof.annotators().sort_values("deviation", ascending=False, kind="stable")
    printed = [line.split()[0] for line in out.splitlines()
               if line.split() and line.split()[0] in table.index]
    assert printed == list(table.index)
    assert f"over annotators: {prof.gini(level='annotator'):.4f}" in out


def test_profile_soft_labels_to_stdout(ordinal_files, capsys):
    assert main(["profile", str(ordinal_files["numbers"]), *COLS, "--duplicates", "first",
                 "--soft-labels", "-"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == "item,n_ratings,p_1,p_2,p_3,p_4,p_5"
    assert "annotators, the most departing" in captured.err


def test_profile_errors_name_the_flags(ordinal_files, tmp_path, capsys):
    common = [str(ordinal_files["numbers"]), *COLS, "--duplicates", "first"]
    partial = tmp_path / "partial.csv"
    pd.read_csv(ordinal_files["groups"]).iloc[1:].to_csv(partial, index=False)
    three = tmp_path / "three.csv"
    pd.read_csv(ordinal_files["groups"]).assign(age=30).to_csv(three, index=False)
    blank = tmp_path / "blank.csv"
    pd.read_csv(ordinal_files["groups"]).assign(
        group=lambda d: d["group"].where(d.index != 2)).to_csv(blank, index=False)
    mixed = tmp_path / "mixed.csv"
    df = pd.read_csv(ordinal_files["with_groups"])
    df.loc[df["annotator"] == "r04", "group"] = ["a", "b"] * (
        int((df["annotator"] == "r04").sum()) // 2) + ["a"] * (
        int((df["annotator"] == "r04").sum()) % 2)
    df.to_csv(mixed, index=False)
    cases = [
        (["--groups", str(partial)], "--groups: column 'group' of"),
        (["--groups", str(partial)], "gives no group for annotator 'r00'"),
        (["--groups", str(three)], "pass --group-column COL"),
        (["--groups", str(blank)], "empty group for annotator 'r02'"),
        (["--group-column", "nope"], "no column 'nope'"),
    ]
    for extra, message in cases:
        assert main(["profile", *common, *extra]) == 1
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, err
    assert main(["profile", str(mixed), *COLS, "--duplicates", "first", "--group-column",
                 "group"]) == 1
    assert "annotator 'r04' is in more than one group ('a', 'b')" in capsys.readouterr().err
    assert main(["profile", *common, "--groups", str(three), "--group-column", "group"]) == 0
    capsys.readouterr()
    assert main(["profile", str(ordinal_files["numbers"]), *COLS, "--duplicates",
                 "keep"]) == 1
    assert "--duplicates first" in capsys.readouterr().err
