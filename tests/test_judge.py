"""An automatic annotator in the report and on the command line.

``judge_report``, the ``judge`` section of ``audit(candidate=...)`` and ``multiplicity judge``
must quote exactly what ``alt_test`` and ``candidate_agreement`` return when called
directly on the same data (their own numbers are checked against independent references in
tests/test_alt_test.py and tests/test_candidate_agreement.py).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from multiplicity.annotation import Annotations, alt_test, candidate_agreement
from multiplicity.cli import main
from multiplicity.report import audit, judge_report
from multiplicity.report._judge import (
    ALT_TEST_EPSILON,
    CANDIDATE_WITHOUT_ANNOTATIONS,
    ONE_CANDIDATE,
)


def _crowd(n_items: int = 80, n_annotators: int = 5, accuracy: float = 0.8, seed: int = 0):
    """A long table of annotators who give the true label with probability ``accuracy``
    (else another of three labels), and the true labels."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(["neg", "neu", "pos"], size=n_items)
    rows = []
    for i in range(n_items):
        for a in range(n_annotators):
            if rng.random() < 0.1:  # an incomplete design: some ratings are missing
                continue
            label = truth[i] if rng.random() < accuracy else rng.choice(
                [c for c in ("neg", "neu", "pos") if c != truth[i]])
            rows.append((f"t{i:03d}", f"rater {a}", label))
    long = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    return long, pd.Series(truth, index=[f"t{i:03d}" for i in range(n_items)])


@pytest.fixture(scope="module")
def crowd():
    long, truth = _crowd()
    return Annotations.from_long(long), long, truth.rename("oracle")


def _same_numbers(section, alt, agree):
    nums = section.numbers
    assert nums["winning_rate"] == alt.winning_rate
    assert nums["passed"] == alt.passed
    assert nums["rho"] == alt.rho
    expected = {str(k): float(v) for k, v in agree.table["value"].items()}
    assert nums["agreement"] == expected
    pd.testing.assert_frame_equal(section.tables["alt_test"][1], alt.table)
    pd.testing.assert_frame_equal(section.tables["candidate_agreement"][1], agree.table)


def test_judge_report_quotes_the_api(crowd, tmp_path):
    ann, _, truth = crowd
    rep = judge_report(ann, truth, epsilon=0.15, n_resamples=60, random_state=3)
    alt = alt_test(ann, truth, epsilon=0.15)
    agree = candidate_agreement(ann, truth, n_resamples=60, random_state=3)
    sec = rep.section("judge")
    _same_numbers(sec, alt, agree)
    text = " ".join(sec.paragraphs)
    assert "oracle" in text and "passes" in text  # the true labels represent the crowd
    assert f"omega = {alt.winning_rate:.2f}" in text
    summary = rep.summary()
    assert summary.loc["winning_rate", "value"] == alt.winning_rate
    assert summary.loc["agreement: replace - humans", "value"] == \
        agree.table.loc["replace - humans", "value"]
    html = rep.to_html(tmp_path / "judge.html")
    assert 'id="judge"' in html and "data:image/png;base64" in html
    assert "candidate: oracle" in html  # the lead line
    rep.to_markdown(tmp_path / "judge.md")
    assert (tmp_path / "judge_judge.png").exists()
    data = json.loads(rep.to_json())
    assert data["sections"]["judge"]["numbers"]["rho"] == pytest.approx(alt.rho, abs=0)
    assert data["parameters"]["random_state"] == 3


def test_a_random_candidate_fails_and_the_text_says_so(crowd):
    ann, _, truth = crowd
    rng = np.random.default_rng(1)
    noise = pd.Series(rng.choice(["neg", "neu", "pos"], size=len(truth)), index=truth.index,
                      name="coin")
    rep = judge_report(ann, noise, n_resamples=30, random_state=0, figures=False)
    sec = rep.section("judge")
    assert sec.numbers["passed"] is False
    assert "fails (omega < 0.5)" in " ".join(sec.paragraphs)
    assert not sec.figures


def test_a_test_that_cannot_run_leaves_the_agreement(crowd):
    ann, _, truth = crowd
    rep = judge_report(ann, truth, min_items=500, n_resamples=20, random_state=0,
                       figures=False)
    sec = rep.section("judge")
    assert sec.status == "done"
    assert "alt_test" in sec.numbers["skipped"]
    assert "Alternative annotator test not run" in sec.paragraphs[0]
    assert "candidate_agreement" in sec.tables
    assert any(n.startswith("Alternative annotator test: skipped") for n in rep.notes)


def test_audit_adds_the_judge_section(crowd):
    ann, _, truth = crowd
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    y = (X[:, 0] + rng.normal(size=120) > 0).astype(int)
    rep = audit(LogisticRegression(), X, y, annotations=ann, candidate=truth,
                alt_test_epsilon=0.1, n_models=3, exact="none", n_resamples=20,
                random_state=4, progress=False, figures=False)
    ids = [s.id for s in rep.sections]
    assert ids.index("judge") == ids.index("annotations") + 1
    sec = rep.section("judge")
    assert sec.numbers["epsilon"] == 0.1
    assert sec.numbers["winning_rate"] == alt_test(ann, truth, epsilon=0.1).winning_rate
    assert rep.parameters["candidate"] == "oracle"
    plain = audit(LogisticRegression(), X, y, annotations=ann, n_models=3, exact="none",
                  n_resamples=20, random_state=4, progress=False, figures=False)
    assert "judge" not in [s.id for s in plain.sections]
    reproduce = " ".join(rep.section("reproduce").paragraphs)
    assert "candidate=candidate, alt_test_epsilon=0.1, alt_test_alpha=0.05" in reproduce
    with pytest.raises(ValueError, match=re.escape(CANDIDATE_WITHOUT_ANNOTATIONS[:40])):
        audit(LogisticRegression(), X, y, candidate=truth, n_models=2, progress=False)
    # the test's settings are checked, under their names, before any model is trained
    with pytest.raises(ValueError, match=re.escape(ALT_TEST_EPSILON.split("(")[0])):
        audit(LogisticRegression(), X, y, annotations=ann, candidate=truth,
              alt_test_epsilon=1.0, n_models=2, progress=False)
    with pytest.raises(ValueError, match=re.escape(ONE_CANDIDATE.split("{")[0])):
        audit(LogisticRegression(), X, y, annotations=ann, progress=False, n_models=2,
              candidate=pd.DataFrame({"a": truth, "b": truth}))


def test_a_candidate_that_does_not_fit_raises_instead_of_an_empty_section(crowd):
    ann, _, truth = crowd
    with pytest.raises(ValueError, match="none of the candidate's labels"):
        judge_report(ann, truth.str.upper(), n_resamples=10, random_state=0)
    with pytest.raises(ValueError, match="labels none of the annotated items"):
        judge_report(ann, pd.Series(["neg"] * 3, index=["x", "y", "z"]), n_resamples=10)
    one = judge_report(ann, truth.to_frame(), n_resamples=10, random_state=0,
                       figures=False)
    assert one.section("judge").numbers["candidate"] == "oracle"


def test_undefined_agreement_is_said_so(crowd):
    # one annotator gives a single label everywhere: replacing the other leaves a table
    # with one category, whose alpha is undefined (0 / 0)
    ann = Annotations.from_wide(pd.DataFrame({"a": ["x", "y"] * 20, "b": ["x"] * 40}))
    rep = judge_report(ann, ["x"] * 40, min_items=5, n_resamples=20, random_state=0,
                       figures=False)
    text = " ".join(rep.section("judge").paragraphs)
    assert "cannot be computed on these data" in text
    assert "contains zero" not in text


# --------------------------------------------------------------------------- command line
def _judge_args(path, *more):
    return ["judge", str(path), "--item", "item", "--annotator", "annotator", "--label",
            "label", "--n-resamples", "40", "--random-state", "2", *map(str, more)]


def test_cli_judge_prints_and_writes_what_the_api_gives(crowd, tmp_path, capsys):
    ann, long, truth = crowd
    with_column = long.assign(llm=long["item"].map(truth))
    with_column.loc[with_column["item"] == "t000", "llm"] = "  "  # a blank: no label
    path = tmp_path / "labels.csv"
    with_column.to_csv(path, index=False)
    out = tmp_path / "judge.json"
    assert main(_judge_args(path, "--candidate-column", "llm", "--epsilon", "0.1",
                            "--out", out)) == 0
    printed = capsys.readouterr().out
    expected = truth.drop("t000").rename("llm")
    alt = alt_test(ann, expected, epsilon=0.1)
    agree = candidate_agreement(ann, expected, n_resamples=40, random_state=2)
    assert f"winning rate omega = {alt.winning_rate:.2f}" in printed
    assert "candidate: llm (79 annotated items labelled)" in printed
    numbers = json.loads(out.read_text())["sections"]["judge"]["numbers"]
    assert numbers["winning_rate"] == alt.winning_rate
    assert numbers["agreement"]["humans"] == pytest.approx(
        agree.table.loc["humans", "value"], abs=1e-15)

    # the same labels from a file of their own, under another name
    own = tmp_path / "llm.csv"
    expected.rename_axis("item").rename("verdict").reset_index().to_csv(own, index=False)
    out2 = tmp_path / "judge2.json"
    assert main(_judge_args(path, "--candidate", own, "--candidate-name", "llm",
                            "--epsilon", "0.1", "--out", out2)) == 0
    capsys.readouterr()
    again = json.loads(out2.read_text())["sections"]["judge"]["numbers"]
    assert again == numbers


@pytest.mark.parametrize(("more", "message"), [
    ([], "the candidate's labels are missing"),
    (["--candidate-column", "llm", "--candidate", "x.csv"], "either with --candidate-column"),
    (["--candidate-column", "nope"], "nope"),
    (["--candidate-column", "llm", "--out", "r.pdf"], "unknown report format"),
])
def test_cli_judge_errors(crowd, tmp_path, capsys, more, message):
    _, long, truth = crowd
    path = tmp_path / "labels.csv"
    long.assign(llm=long["item"].map(truth)).to_csv(path, index=False)
    assert main(_judge_args(path, *more)) == 1
    assert message in capsys.readouterr().err


def test_cli_judge_items_that_match_nothing_and_the_level(crowd, tmp_path, capsys):
    _, long, truth = crowd
    path = tmp_path / "labels.csv"
    long.to_csv(path, index=False)
    other = tmp_path / "other.csv"
    pd.DataFrame({"item": ["zz1", "zz2"], "llm": ["neg", "pos"]}).to_csv(other, index=False)
    assert main(_judge_args(path, "--candidate", other)) == 1
    assert "none of the candidate's items (zz1, zz2, ...)" in capsys.readouterr().err
    mine = tmp_path / "mine.csv"
    truth.rename_axis("item").rename("llm").reset_index().to_csv(mine, index=False)
    assert main(_judge_args(path, "--candidate", mine, "--level", "ordinal",
                            "--coefficient", "fleiss_kappa")) == 1
    assert "--level applies to krippendorff_alpha" in capsys.readouterr().err


def test_cli_judge_refuses_two_labels_for_one_item(crowd, tmp_path, capsys):
    _, long, truth = crowd
    frame = long.assign(llm=long["item"].map(truth))
    first = frame.index[frame["item"] == "t001"][0]
    frame.loc[first, "llm"] = "neu" if truth["t001"] != "neu" else "pos"
    path = tmp_path / "labels.csv"
    frame.to_csv(path, index=False)
    assert main(_judge_args(path, "--candidate-column", "llm")) == 1
    err = capsys.readouterr().err
    assert "gives item 't001' the labels" in err
