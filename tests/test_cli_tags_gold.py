"""``multiplicity agreement --multi-label`` and ``multiplicity aggregate --gold``.

Every number the command prints or writes is compared with the public API called directly
on the same data (the API's own numbers are checked against nltk, krippendorff, statsmodels
and crowd-kit in tests/test_set_valued.py, tests/test_alpha_levels_sets.py and
tests/test_gold_items.py).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from multiplicity.annotation import Annotations, krippendorff_alpha, tag_agreement
from multiplicity.cli import main

TAGS = ["joy", "fear", "anger", "surprise"]


def _tagged(seed: int = 0, n_items: int = 40, n_annotators: int = 4):
    """One row per (item, annotator, tag): each annotator gives 1-2 tags per item, close to
    the item's own tags."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_items):
        core = rng.choice(TAGS, size=rng.integers(1, 3), replace=False)
        for a in range(n_annotators):
            if rng.random() < 0.15:
                continue
            given = [t for t in core if rng.random() < 0.85] or [rng.choice(TAGS)]
            rows += [(f"c{i:02d}", f"r{a}", t) for t in given]
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


def _args(path, *more):
    return ["agreement", str(path), "--item", "item", "--annotator", "annotator",
            "--label", "label", *map(str, more)]


def test_multi_label_prints_the_per_tag_table_of_the_api(tmp_path, capsys):
    long = _tagged()
    path = tmp_path / "tags.csv"
    long.to_csv(path, index=False)
    assert main(_args(path, "--multi-label", "--ci", "none", "--json")) == 0
    out = json.loads(capsys.readouterr().out)
    ann = Annotations.from_long(long, multi_label=True)
    table = tag_agreement(ann)
    assert set(out["tags"]) == set(map(str, table.index))
    for tag, row in table.iterrows():
        for col, value in row.items():
            got = out["tags"][str(tag)][col]
            if isinstance(value, float) and np.isnan(value):
                assert got is None
            else:
                assert got == pytest.approx(value, abs=1e-15), (tag, col)
    assert out["masi_alpha"] == pytest.approx(krippendorff_alpha(ann, distance="masi"),
                                              abs=1e-15)
    # the same sets written as "joy|fear" in one cell per (item, annotator)
    cells = (long.groupby(["item", "annotator"], sort=False)["label"]
             .agg(lambda s: "|".join(s)).reset_index())
    joined = tmp_path / "joined.csv"
    cells.to_csv(joined, index=False)
    assert main(_args(joined, "--multi-label", "--tag-sep", "|", "--ci", "none",
                      "--json")) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["tags"] == out["tags"] and again["masi_alpha"] == out["masi_alpha"]


def test_multi_label_table_and_errors(tmp_path, capsys):
    long = _tagged(seed=1)
    path = tmp_path / "tags.csv"
    long.to_csv(path, index=False)
    assert main(_args(path, "--multi-label", "--n-resamples", "30")) == 0
    printed = capsys.readouterr().out
    assert "4 tags; each label is the set of tags" in printed
    assert "krippendorff_alpha_ci_low" in printed
    assert "MASI distance (Passonneau 2006)" in printed
    assert main(_args(path, "--multi-label", "--categories", "joy,fear")) == 1
    assert "--categories orders single labels" in capsys.readouterr().err


# --------------------------------------------------------------------------- --gold
def _crowd_with_gold(seed: int = 0):
    """Three good annotators and two who swap the labels, on 60 items; gold for 6."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(["neg", "pos"], size=60)
    flip = {"neg": "pos", "pos": "neg"}
    rows = []
    for i, t in enumerate(truth):
        for a in range(5):
            good = rng.random() < 0.85
            label = t if good else flip[t]
            rows.append((f"t{i:02d}", f"r{a}", flip[label] if a >= 3 else label))
    long = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    gold = pd.Series(truth[:6], index=[f"t{i:02d}" for i in range(6)], name="label")
    return long, gold


@pytest.mark.parametrize("method", ["dawid-skene", "majority", "glad", "mace"])
def test_gold_file_gives_the_api_fit_with_true_labels(tmp_path, capsys, method):
    from multiplicity.cli import _make_aggregator

    long, gold = _crowd_with_gold()
    path, gold_path, out = tmp_path / "labels.csv", tmp_path / "gold.csv", tmp_path / "o.csv"
    long.to_csv(path, index=False)
    gold.rename_axis("item").reset_index().to_csv(gold_path, index=False)
    assert main(["aggregate", str(path), "--item", "item", "--annotator", "annotator",
                 "--label", "label", "--method", method, "--gold", str(gold_path),
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "6 items with a gold label" in printed
    table = pd.read_csv(out)
    model = _make_aggregator(method, 0).fit(Annotations.from_long(long), true_labels=gold)
    assert table["label"].tolist() == model.labels_.tolist()
    assert table["gold"].tolist() == model.gold_.tolist()
    assert table["gold"].sum() == 6


def test_gold_file_errors_and_unknown_items(tmp_path, capsys):
    long, gold = _crowd_with_gold()
    path = tmp_path / "labels.csv"
    long.to_csv(path, index=False)
    args = ["aggregate", str(path), "--item", "item", "--annotator", "annotator",
            "--label", "label", "--out", str(tmp_path / "o.csv")]
    nowhere = tmp_path / "nowhere.csv"
    pd.DataFrame({"item": ["x1", "x2"], "label": ["pos", "neg"]}).to_csv(nowhere, index=False)
    assert main([*args, "--gold", str(nowhere)]) == 1
    assert "none of its items (x1, x2, ...)" in capsys.readouterr().err
    partly = tmp_path / "partly.csv"
    pd.DataFrame({"item": ["t00", "x9"], "label": [gold["t00"], "pos"]}).to_csv(partly,
                                                                                index=False)
    assert main([*args, "--gold", str(partly)]) == 0
    err = capsys.readouterr().err
    assert "1 gold labels are for items nobody annotated (x9, ...)" in err
    two = tmp_path / "two.csv"
    pd.DataFrame({"item": ["t00"], "a": ["pos"], "b": ["neg"]}).to_csv(two, index=False)
    assert main([*args, "--gold", str(two)]) == 1
    assert "name it with --gold-label" in capsys.readouterr().err
    assert main([*args, "--gold", str(two), "--gold-label", "b"]) == 0
