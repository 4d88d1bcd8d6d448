"""Tests of the bundled data sets against the facts recorded in each SOURCE.txt."""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from sklearn.utils import Bunch

from multiplicity import datasets
from multiplicity.datasets import (
    load_anaesthesia,
    load_compas,
    load_german_credit,
    load_goemotions_disagreement,
)

COMPAS_FEATURES = [
    "sex:Female",
    "age:<21",
    "age:<23",
    "age:<26",
    "age:<46",
    "juvenile-felonies:=0",
    "juvenile-misdemeanors:=0",
    "juvenile-crimes:=0",
    "priors:=0",
    "priors:=1",
    "priors:2-3",
    "priors:>3",
]
GERMAN_NUMERIC = [
    "duration_months",
    "credit_amount",
    "installment_rate",
    "residence_since",
    "age",
    "existing_credits",
    "people_liable",
]
GROUPS = ["positive", "negative", "ambiguous"]
SHIPPED = {
    "anaesthesia_long.csv.gz",
    "compas_binned.csv.gz",
    "german_credit.csv.gz",
    "goemotions_high_variance.csv.gz",
    "goemotions_random.csv.gz",
}


def test_public_names():
    assert sorted(datasets.__all__) == [
        "load_anaesthesia",
        "load_compas",
        "load_german_credit",
        "load_goemotions_disagreement",
    ]


def test_shipped_files_and_licences():
    root = files("multiplicity.datasets")
    names = {p.name for p in (root / "data").iterdir() if p.is_file()}
    assert names == SHIPPED
    assert not any("arrest" in n or "violent" in n for n in names)  # GPL data never shipped
    total = sum(len((root / "data" / n).read_bytes()) for n in names)
    assert total < 1_500_000
    licences = {p.name for p in (root / "LICENSES").iterdir() if p.is_file()}
    assert {
        "COMPAS_TreeFARMS_BSD-3-Clause.txt",
        "German_Credit_CC-BY-4.0.txt",
        "Anaesthesia_dawid_skene_MIT.txt",
        "GoEmotions_NOTICE.txt",
        "Apache-2.0.txt",
    } <= licences
    bsd = (root / "LICENSES" / "COMPAS_TreeFARMS_BSD-3-Clause.txt").read_text()
    assert "Copyright (c) 2021, 2022 Chudi Zhong" in bsd
    assert (
        "Copyright (C) 2014 Dallas Card"
        in (root / "LICENSES" / "Anaesthesia_dawid_skene_MIT.txt").read_text()
    )


# --------------------------------------------------------------------------- COMPAS


def test_compas_shapes_and_dtypes():
    b = load_compas()
    assert isinstance(b, Bunch)
    assert b.data.shape == (6907, 12)
    assert list(b.data.columns) == COMPAS_FEATURES == b.feature_names
    assert all(dt == np.int8 for dt in b.data.dtypes)
    assert set(np.unique(b.data.to_numpy())) == {0, 1}
    assert b.target.name == "recidivate-within-two-years:1"
    assert b.target.shape == (6907,)
    assert set(b.target.unique()) == {0, 1}
    assert list(b.target_names) == ["no recidivism", "recidivism"]
    assert b.frame.shape == (6907, 13)
    pd.testing.assert_frame_equal(b.frame.iloc[:, :12], b.data)
    pd.testing.assert_series_equal(b.frame.iloc[:, 12], b.target)
    assert "BSD-3-Clause" in b.DESCR and "ProPublica" in b.DESCR


def test_compas_facts_from_source():
    b = load_compas()
    assert int(b.target.sum()) == 3196
    assert round(float(b.target.mean()), 4) == 0.4627
    # 123 distinct feature vectors, 213 distinct (x, y) rows
    assert len(b.data.drop_duplicates()) == 123
    assert len(b.frame.drop_duplicates()) == 213


def test_compas_age_bins_are_cumulative():
    data = load_compas().data
    bins = data[["age:<21", "age:<23", "age:<26", "age:<46"]].to_numpy()
    # age < 21 implies age < 23 implies age < 26 implies age < 46 on every row
    assert np.all(np.diff(bins, axis=1) >= 0)


def test_compas_sensitive_features():
    b = load_compas()
    s = b.sensitive_features
    assert list(s.columns) == ["sex", "age_group"]
    assert s.index.equals(b.data.index)
    assert isinstance(s["sex"].dtype, pd.CategoricalDtype)
    assert list(s["sex"].cat.categories) == ["Female", "Male"]
    npt.assert_array_equal(s["sex"].to_numpy() == "Female", b.data["sex:Female"].to_numpy() == 1)
    assert s["sex"].value_counts()["Female"] == 1328
    assert s["age_group"].cat.ordered
    counts = s["age_group"].value_counts(sort=False)
    assert list(counts.index) == ["<21", "21-22", "23-25", "26-45", ">=46"]
    assert counts.tolist() == [699, 649, 920, 3419, 1220]
    age = s["age_group"].astype(str).to_numpy()
    d = b.data
    npt.assert_array_equal(age == "<21", d["age:<21"].to_numpy() == 1)
    npt.assert_array_equal(age == ">=46", d["age:<46"].to_numpy() == 0)
    npt.assert_array_equal(
        age == "23-25", (d["age:<26"].to_numpy() == 1) & (d["age:<23"].to_numpy() == 0)
    )


def test_compas_return_X_y():
    X, y = load_compas(return_X_y=True)
    b = load_compas()
    pd.testing.assert_frame_equal(X, b.data)
    pd.testing.assert_series_equal(y, b.target)


# --------------------------------------------------------------------------- German credit


def test_german_shapes_and_dtypes():
    b = load_german_credit()
    assert b.data.shape == (1000, 20)
    assert b.feature_names == list(b.data.columns)
    assert b.frame.shape == (1000, 21)
    categorical = [c for c in b.data.columns if isinstance(b.data[c].dtype, pd.CategoricalDtype)]
    assert len(categorical) == 13
    assert [c for c in b.data.columns if c not in categorical] == GERMAN_NUMERIC
    assert all(b.data[c].dtype == np.int64 for c in GERMAN_NUMERIC)
    # every symbol code was decoded; no code left over and no empty category
    for c in categorical:
        assert not b.data[c].isna().any()
        assert not b.data[c].astype(str).str.fullmatch(r"A\d+").any()
        assert (b.data[c].value_counts() > 0).all()
    assert "CC BY 4.0" in b.DESCR


def test_german_facts_from_source():
    b = load_german_credit()
    assert b.target.name == "good_credit"
    assert b.target.dtype == np.int64
    assert int(b.target.sum()) == 700 and len(b.target) == 1000
    assert list(b.target_names) == ["bad", "good"]
    # first rows of german.data: A11,6,A34,A43,1169,...,67,...,1 / A12,48,A32,A43,5951,...,22,...,2
    row0, row1 = b.data.iloc[0], b.data.iloc[1]
    assert row0["checking_account"] == "< 0 DM"
    assert row0["duration_months"] == 6 and row0["credit_amount"] == 1169 and row0["age"] == 67
    assert row0["purpose"] == "radio/television"
    assert row0["personal_status_sex"] == "male: single"
    assert row1["checking_account"] == "0 <= ... < 200 DM" and row1["credit_amount"] == 5951
    assert row1["personal_status_sex"] == "female: divorced/separated/married"
    assert b.target.iloc[:2].tolist() == [1, 0]
    assert b.data["credit_amount"].sum() == 3_271_258
    assert b.data["purpose"].value_counts()["car (new)"] == 234


def test_german_sensitive_features():
    b = load_german_credit()
    s = b.sensitive_features
    assert list(s.columns) == ["sex", "age_group"]
    assert s["sex"].value_counts().to_dict() == {"Male": 690, "Female": 310}
    female = b.data["personal_status_sex"].astype(str).str.startswith("female").to_numpy()
    npt.assert_array_equal(s["sex"].to_numpy() == "Female", female)
    assert list(s["age_group"].cat.categories) == ["<25", ">=25"]
    npt.assert_array_equal(s["age_group"].to_numpy() == "<25", b.data["age"].to_numpy() < 25)
    assert (s["age_group"] == "<25").sum() == 149


def test_german_return_X_y():
    X, y = load_german_credit(return_X_y=True)
    b = load_german_credit()
    pd.testing.assert_frame_equal(X, b.data)
    pd.testing.assert_series_equal(y, b.target)


# --------------------------------------------------------------------------- anaesthesia


def test_anaesthesia():
    b = load_anaesthesia()
    d = b.data
    assert d.shape == (315, 4)
    assert list(d.columns) == ["item", "annotator", "replicate", "label"]
    assert all(dt == np.int64 for dt in d.dtypes)
    assert d["item"].nunique() == 45 and sorted(d["item"].unique()) == list(range(1, 46))
    assert sorted(d["annotator"].unique()) == [1, 2, 3, 4, 5]
    assert d.groupby("annotator").size().to_dict() == {1: 135, 2: 45, 3: 45, 4: 45, 5: 45}
    assert set(d.loc[d["annotator"] == 1, "replicate"]) == {1, 2, 3}
    assert set(d.loc[d["annotator"] != 1, "replicate"]) == {1}
    assert not d.duplicated(["item", "annotator", "replicate"]).any()
    assert d["label"].value_counts().sort_index().to_dict() == {1: 127, 2: 125, 3: 48, 4: 15}
    npt.assert_array_equal(b.categories, [1, 2, 3, 4])
    # the one cell where the transcriptions differ (SOURCE.txt)
    cell = d[(d["item"] == 7) & (d["annotator"] == 1)].sort_values("replicate")
    assert cell["label"].tolist() == [1, 2, 2]
    assert "patient 7, observer 1" in b.DESCR


# --------------------------------------------------------------------------- GoEmotions


@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize(("subset", "n_items"), [("random", 1000), ("high_variance", 200)])
def test_goemotions_structure(group, subset, n_items):
    b = load_goemotions_disagreement(group=group, subset=subset)
    assert b.group == group and b.subset == subset
    d, items = b.data, b.item_table
    assert list(d.columns) == ["item", "annotator", "label", "very_unclear"]
    assert all(dt == np.int64 for dt in d.dtypes)
    assert items.shape == (n_items, 3)
    assert items.index.name == "item"
    assert list(items.index) == list(range(n_items))
    assert sorted(d["item"].unique()) == list(range(n_items))
    assert set(d["label"].unique()) == {0, 1}
    assert not d.duplicated(["item", "annotator"]).any()
    per_item = d.groupby("item").size()
    assert set(per_item.unique()) == {4, 5}
    npt.assert_array_equal(items["n_raters"].to_numpy(), per_item.loc[items.index].to_numpy())
    # the file's prob_positive is the mean rater label for the group
    share = d.groupby("item")["label"].mean().loc[items.index]
    npt.assert_allclose(items["prob_positive"].to_numpy(), share.to_numpy(), rtol=0, atol=1e-12)
    # raters who flagged a comment as very unclear chose no emotion
    assert (d.loc[d["very_unclear"] == 1, "label"] == 0).all()
    assert pd.api.types.is_string_dtype(items["text"])
    assert not items["text"].isna().any() and (items["text"].str.len() > 0).all()


def test_goemotions_random_facts():
    b = load_goemotions_disagreement()
    assert b.group == "positive" and b.subset == "random"
    assert b.data.shape == (4897, 4)
    assert b.item_table["n_raters"].value_counts().to_dict() == {5: 897, 4: 103}
    assert b.data["annotator"].nunique() == 80
    means = {
        g: round(float(load_goemotions_disagreement(group=g).item_table["prob_positive"].mean()), 4)
        for g in GROUPS
    }
    assert means == {"positive": 0.3485, "negative": 0.2994, "ambiguous": 0.385}
    texts = b.item_table["text"]
    # leading/trailing spaces of the comments survive the round trip (53 such comments)
    assert int((texts != texts.str.strip()).sum()) == 53
    # item 2 of test_goe_positive_rnd.csv: raters [35, 66, 32, 19, 76], no positive label
    assert texts.loc[2].startswith("Why would we sign [NAME] when we already have")
    rows = b.data[b.data["item"] == 2]
    assert rows["annotator"].tolist() == [35, 66, 32, 19, 76]
    assert rows["label"].tolist() == [0, 0, 0, 0, 0]


def test_goemotions_rater_alignment():
    # row 0 of test_goe_positive_dis.csv: rater_id [36, 41, 4, 7, 30],
    # positive [True, False, True, True, False], prob_positive 0.6
    b = load_goemotions_disagreement(group="positive", subset="high_variance")
    rows = b.data[b.data["item"] == 0]
    assert rows["annotator"].tolist() == [36, 41, 4, 7, 30]
    assert rows["label"].tolist() == [1, 0, 1, 1, 0]
    assert b.item_table.loc[0, "prob_positive"] == pytest.approx(0.6)
    assert b.item_table.loc[0, "text"].startswith("When I was in 3rd Grade")


def test_goemotions_random_items_shared_across_groups():
    tables = {g: load_goemotions_disagreement(group=g) for g in GROUPS}
    pos = tables["positive"]
    for g in ("negative", "ambiguous"):
        pd.testing.assert_series_equal(tables[g].item_table["text"], pos.item_table["text"])
        pd.testing.assert_frame_equal(
            tables[g].data[["item", "annotator"]], pos.data[["item", "annotator"]]
        )
        assert not tables[g].data["label"].equals(pos.data["label"])


def test_goemotions_high_variance_differs_by_group():
    texts = {
        g: set(load_goemotions_disagreement(group=g, subset="high_variance").item_table["text"])
        for g in GROUPS
    }
    assert len(texts["positive"] & texts["negative"]) == 4
    assert len(texts["positive"] & texts["ambiguous"]) == 1
    assert len(texts["negative"] & texts["ambiguous"]) == 0
    b = load_goemotions_disagreement(group="negative", subset="high_variance")
    assert b.data.shape == (986, 4)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"group": "joy"}, "group"),
        ({"group": "Positive"}, "group"),
        ({"group": None}, "group"),
        ({"subset": "rnd"}, "subset"),
        ({"subset": "dis"}, "subset"),
    ],
)
def test_goemotions_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        load_goemotions_disagreement(**kwargs)


# --------------------------------------------------------------------------- all loaders


def test_keyword_only():
    with pytest.raises(TypeError):
        load_compas(True)  # type: ignore[misc]
    with pytest.raises(TypeError):
        load_german_credit(True)  # type: ignore[misc]


def test_fresh_objects_compas():
    first = load_compas()
    first.data.iloc[0, 0] = 1 - first.data.iloc[0, 0]
    first.data["priors:=0"] = 0
    first.target.iloc[:] = 0
    first.sensitive_features.loc[0, "sex"] = "Female"
    first.frame.iloc[:, :] = 0
    first.feature_names.append("extra")
    second = load_compas()
    assert int(second.target.sum()) == 3196
    assert int(second.data["priors:=0"].sum()) > 0
    assert second.data.iloc[0, 0] == 0
    assert second.sensitive_features.loc[0, "sex"] == "Male"
    assert second.feature_names == COMPAS_FEATURES
    assert int(second.frame.to_numpy().sum()) > 0
    X, y = load_compas(return_X_y=True)
    X.iloc[:, :] = 0
    y.iloc[:] = 0
    assert int(load_compas(return_X_y=True)[1].sum()) == 3196


def test_fresh_objects_german():
    first = load_german_credit()
    first.data.loc[0, "age"] = -1
    first.data.loc[0, "purpose"] = "business"
    first.target.iloc[:] = 0
    second = load_german_credit()
    assert second.data.loc[0, "age"] == 67
    assert second.data.loc[0, "purpose"] == "radio/television"
    assert int(second.target.sum()) == 700


def test_fresh_objects_anaesthesia():
    first = load_anaesthesia()
    first.data.loc[:, "label"] = 4
    first.categories[:] = 0
    second = load_anaesthesia()
    assert second.data["label"].value_counts().to_dict()[1] == 127
    npt.assert_array_equal(second.categories, [1, 2, 3, 4])


def test_fresh_objects_goemotions():
    first = load_goemotions_disagreement()
    first.data.loc[:, "label"] = 1
    first.item_table.loc[0, "text"] = "changed"
    first.item_table.loc[:, "prob_positive"] = 2.0
    second = load_goemotions_disagreement()
    assert round(float(second.data["label"].mean()), 4) == 0.3498
    assert second.item_table.loc[0, "text"] != "changed"
    assert float(second.item_table["prob_positive"].max()) <= 1.0
