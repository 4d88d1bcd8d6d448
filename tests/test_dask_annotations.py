"""Annotations on a dask DataFrame (DaskAnnotations) against the in-memory Annotations.

Every coefficient, level and aggregator computed on a two-worker LocalCluster from a dask
DataFrame equals the in-memory result of ``Annotations.from_long`` on the same rows (to
1e-12; counts exactly), with string item, annotator and label names, missing labels,
single-rating items, rows in random order split over partitions, and an item-indexed
frame that skips the shuffle. The errors are the in-memory ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from multiplicity.annotation import (
    GLAD,
    Annotations,
    DaskAnnotations,
    DawidSkene,
    MajorityVote,
    agreement,
    brennan_prediger,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    gwet_ac1,
    item_disagreement,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from multiplicity.annotation._container import UNORDERED
from multiplicity.annotation._dask import DASK_DUPLICATES, DASK_INIT, IN_MEMORY_ONLY

dd = pytest.importorskip("dask.dataframe")

TOL = 1e-12
WORDS = ["bad", "poor", "fair", "good", "great"]


def _long(seed: int = 0, n_items: int = 50, n_annotators: int = 6, k: int = 4,
          numeric: bool = True) -> pd.DataFrame:
    """Random long data: missing labels, single-rating items, an item with no label, rows
    in random order."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_items):
        m = 1 if i % 7 == 0 else int(rng.integers(2, n_annotators + 1))
        truth = int(rng.integers(0, k))
        for a in rng.choice(n_annotators, m, replace=False):
            lab = truth if rng.random() < 0.6 else int(rng.integers(0, k))
            rows.append((f"item{i:03d}", f"ann{a}", lab))
    df = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    df["label"] = (df["label"] + 1).astype(float) if numeric else \
        np.array(WORDS[:k], dtype=object)[df["label"]]
    drop = rng.random(len(df)) < 0.1
    df["label"] = df["label"].astype(object)
    df.loc[drop, "label"] = None if not numeric else np.nan
    df.loc[len(df)] = ("lonely", "ann0", np.nan)        # an item without any label
    return df.sample(frac=1, random_state=seed).reset_index(drop=True)


@pytest.fixture(scope="module")
def numeric(dask_client):
    df = _long(0)
    df["label"] = df["label"].astype(float)
    da = Annotations.from_long(dd.from_pandas(df, npartitions=4))
    # most tests read the encoded partitions persisted on the workers (no shuffle each time)
    return Annotations.from_long(df), da.persist()


@pytest.fixture(scope="module")
def words(dask_client):
    df = _long(1, numeric=False)
    da = Annotations.from_long(dd.from_pandas(df, npartitions=4), categories=WORDS[:4])
    return Annotations.from_long(df, categories=WORDS[:4]), da.persist()


def _close(a: float, b: float) -> None:
    assert abs(a - b) <= TOL, (a, b)


def test_container_matches(numeric):
    mem, da = numeric
    assert isinstance(da, DaskAnnotations)
    assert list(da.categories) == list(mem.categories)
    assert list(da.annotators) == list(mem.annotators)
    assert (da.n_items, da.n_annotations, da.n_dropped) == \
        (mem.n_items, mem.n_annotations, mem.n_dropped)
    assert da.frame["label"].dtype == np.int8 and da.frame["annotator"].dtype == np.int8
    back = da.compute()
    assert isinstance(back, Annotations)
    pd.testing.assert_frame_equal(back.to_wide().sort_index(), mem.to_wide().sort_index(),
                                  check_index_type=False)
    assert "DaskAnnotations(npartitions=" in repr(da)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_every_level(numeric, level):
    mem, da = numeric
    _close(krippendorff_alpha(da, level), krippendorff_alpha(mem, level))


def test_alpha_callable_and_words(numeric, words):
    mem, da = numeric

    def absolute(a, b):
        return np.abs(a - b)

    _close(krippendorff_alpha(da, absolute), krippendorff_alpha(mem, absolute))
    wm, wd = words
    for level in ("nominal", "ordinal"):
        _close(krippendorff_alpha(wd, level), krippendorff_alpha(wm, level))


FAMILY = [fleiss_kappa, scott_pi, gwet_ac1, brennan_prediger, conger_kappa,
          percent_agreement]


@pytest.mark.parametrize("func", FAMILY, ids=lambda f: f.__name__)
@pytest.mark.parametrize("weights", [None, "quadratic"])
def test_chance_family(numeric, words, func, weights):
    for mem, da in (numeric, words):
        _close(func(da, weights), func(mem, weights))


def test_cohen_kappa_two_annotators(dask_client):
    df = _long(2, n_annotators=2, numeric=False)
    mem = Annotations.from_long(df)
    da = Annotations.from_long(dd.from_pandas(df, npartitions=3))
    _close(cohen_kappa(da), cohen_kappa(mem))
    cats = ["great", "good", "fair", "poor", "bad"]
    _close(cohen_kappa(da, weights="linear", categories=cats),
           cohen_kappa(mem, weights="linear", categories=cats))
    with pytest.raises(TypeError, match="leave b=None"):
        cohen_kappa(da, [1, 2])


@pytest.mark.parametrize("measure", ["entropy", "normalized_entropy", "variance",
                                     "minority_share", "gini"])
def test_item_disagreement(numeric, measure):
    mem, da = numeric
    got = item_disagreement(da, measure)
    want = item_disagreement(mem, measure)
    assert got.name == measure and len(got) == mem.n_items
    got = got.loc[want.index]
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=0, atol=TOL)


def _compare_fit(fm, fd, mem):
    probas = fd.probas_.compute().loc[mem.items]
    np.testing.assert_allclose(probas.to_numpy(), fm.probas_.to_numpy(), rtol=0, atol=TOL)
    labels = fd.labels_.compute().loc[mem.items]
    assert isinstance(labels.dtype, pd.CategoricalDtype)
    want = fm.labels_.astype(object)
    assert labels.astype(object).where(labels.notna(), None).tolist() == \
        want.where(want.notna(), None).tolist()
    assert fd.tied_.compute().loc[mem.items].tolist() == fm.tied_.tolist()
    assert fd.n_tied_ == fm.n_tied_
    assert (fd.n_items_, fd.n_annotators_) == (fm.n_items_, fm.n_annotators_)
    np.testing.assert_array_equal(fd.classes_, fm.classes_)
    pd.testing.assert_series_equal(fd.annotator_accuracy_, fm.annotator_accuracy_,
                                   rtol=0, atol=TOL)


def test_majority_vote(numeric, words):
    for mem, da in (numeric, words):
        _compare_fit(MajorityVote().fit(mem), MajorityVote().fit(da), mem)


@pytest.mark.parametrize("stopping", ["log_likelihood", "crowdkit"])
def test_dawid_skene(numeric, words, stopping):
    for mem, da in (numeric, words):
        fm = DawidSkene(stopping=stopping, tol=1e-3).fit(mem)
        fd = DawidSkene(stopping=stopping, tol=1e-3).fit(da)
        assert (fd.n_iter_, fd.converged_) == (fm.n_iter_, fm.converged_)
        np.testing.assert_allclose(fd.confusion_matrices_, fm.confusion_matrices_,
                                   rtol=0, atol=TOL)
        pd.testing.assert_series_equal(fd.class_priors_, fm.class_priors_, rtol=0, atol=TOL)
        np.testing.assert_allclose(fd.log_likelihood_, fm.log_likelihood_, rtol=TOL)
        np.testing.assert_allclose(fd.objective_, fm.objective_, rtol=TOL)
        _compare_fit(fm, fd, mem)


def test_item_indexed_frame_skips_the_shuffle(dask_client):
    df = _long(3)
    df["label"] = df["label"].astype(float)
    ddf = dd.from_pandas(df, npartitions=4).set_index("item")
    assert ddf.known_divisions
    da = Annotations.from_long(ddf)
    assert da._spec.item_in_index and da.frame.npartitions == ddf.npartitions
    mem = Annotations.from_long(df)
    for level in ("nominal", "interval"):
        _close(krippendorff_alpha(da, level), krippendorff_alpha(mem, level))
    _close(fleiss_kappa(da), fleiss_kappa(mem))
    fd, fm = DawidSkene(tol=1e-3).fit(da), DawidSkene(tol=1e-3).fit(mem)
    # set_index reorders the rows, and with them the annotators' first appearances
    order = da.annotators.get_indexer(mem.annotators)
    np.testing.assert_allclose(fd.confusion_matrices_[order], fm.confusion_matrices_,
                               rtol=0, atol=TOL)
    # an item index without divisions is shuffled
    clear = ddf.clear_divisions()
    db = Annotations.from_long(clear)
    assert not db._spec.item_in_index
    _close(krippendorff_alpha(db), krippendorff_alpha(mem))


def test_ordered_categorical_label_column(dask_client):
    df = _long(4, numeric=False, k=5)
    df["label"] = pd.Categorical(df["label"], categories=WORDS, ordered=True)
    mem = Annotations.from_long(df)
    da = Annotations.from_long(dd.from_pandas(df, npartitions=2))
    assert list(da.categories) == WORDS and da.ordered
    _close(krippendorff_alpha(da, "ordinal"), krippendorff_alpha(mem, "ordinal"))
    _close(gwet_ac1(da, "quadratic"), gwet_ac1(mem, "quadratic"))


def test_undefined_and_on_undefined(dask_client):
    df = pd.DataFrame({"item": ["a", "b", "c"], "annotator": ["x", "y", "x"],
                       "label": [1, 2, 1]})
    mem, da = Annotations.from_long(df), Annotations.from_long(dd.from_pandas(df, 2))
    for func in (krippendorff_alpha, fleiss_kappa, percent_agreement):
        with pytest.raises(ValueError) as want:
            func(mem)
        with pytest.raises(ValueError, match="undefined") as got:
            func(da)
        assert str(got.value) == str(want.value)
        assert np.isnan(func(da, on_undefined="nan"))


def test_errors_are_the_in_memory_ones(dask_client):
    df = _long(5, numeric=False)
    unordered_mem = Annotations.from_long(df)
    unordered = Annotations.from_long(dd.from_pandas(df, npartitions=2))
    assert not unordered.ordered
    for call in (lambda d: krippendorff_alpha(d, "ordinal"),
                 lambda d: krippendorff_alpha(d, "interval"),
                 lambda d: fleiss_kappa(d, "linear"),
                 lambda d: krippendorff_alpha(d, "bogus"),
                 lambda d: gwet_ac1(d, on_undefined="maybe"),
                 lambda d: item_disagreement(d, "variance"),
                 lambda d: cohen_kappa(d)):
        with pytest.raises(ValueError) as want:
            call(unordered_mem)
        with pytest.raises(ValueError) as got:
            call(unordered)
        assert str(got.value) == str(want.value)
    assert UNORDERED.split("{")[0] in _message(lambda: krippendorff_alpha(unordered,
                                                                           "ordinal"))
    # a label missing from categories=, an unknown column
    with pytest.raises(ValueError, match="not in categories"):
        Annotations.from_long(dd.from_pandas(df, npartitions=2), categories=WORDS[:2])
    with pytest.raises(ValueError, match="label='grade' is not a column"):
        Annotations.from_long(dd.from_pandas(df, npartitions=2), label="grade")


def _message(call):
    with pytest.raises(ValueError) as err:
        call()
    return str(err.value)


def test_duplicates(dask_client):
    df = pd.DataFrame({"item": ["a", "a", "a", "b", "b"], "annotator": ["x", "x", "y", "x", "y"],
                       "label": [1, 2, 1, 2, 2]})
    ddf = dd.from_pandas(df, npartitions=2)
    with pytest.raises(ValueError, match=DASK_DUPLICATES.split("{")[0]):
        Annotations.from_long(ddf, duplicates="first")
    with pytest.raises(ValueError, match="duplicates must be"):
        Annotations.from_long(ddf, duplicates="twice")
    with pytest.raises(ValueError, match="labelled item 'a' more than once"):
        krippendorff_alpha(Annotations.from_long(ddf))
    keep_mem = Annotations.from_long(df, duplicates="keep")
    keep = Annotations.from_long(ddf, duplicates="keep")
    _close(krippendorff_alpha(keep), krippendorff_alpha(keep_mem))
    _close(fleiss_kappa(keep), fleiss_kappa(keep_mem))
    with pytest.raises(ValueError, match="more than once"):
        cohen_kappa(keep)


def test_in_memory_only_functions_raise(numeric):
    _, da = numeric
    start = IN_MEMORY_ONLY.split("{")[1].split("}")[1][:30]
    with pytest.raises(TypeError, match=start):
        agreement(da)
    with pytest.raises(TypeError, match="GLAD needs the annotations in memory"):
        GLAD().fit(da)
    with pytest.raises(ValueError, match=DASK_INIT.split(":")[0].replace("(", r"\(")
                       .replace(")", r"\)")):
        DawidSkene(init=np.ones((3, 4))).fit(da)
    with pytest.raises(TypeError, match="df must be a dask DataFrame"):
        DaskAnnotations.from_dask(pd.DataFrame({"item": [1]}))


def test_aggregation_needs_two_categories(dask_client):
    df = pd.DataFrame({"item": ["a", "b"], "annotator": ["x", "y"], "label": [1, 1]})
    da = Annotations.from_long(dd.from_pandas(df, npartitions=1))
    for est in (DawidSkene(), MajorityVote()):
        with pytest.raises(ValueError, match="single category"):
            est.fit(da)


def test_in_process_scheduler(dask_client):
    """The per-partition code also runs in this process (the synchronous scheduler), where
    nothing is persisted on workers."""
    dask = pytest.importorskip("dask")
    from multiplicity.annotation import _dask

    df = _long(6, n_items=20)
    df["label"] = df["label"].astype(float)
    mem = Annotations.from_long(df)
    with dask.config.set(scheduler="synchronous"):
        assert not _dask._has_client()
        da = Annotations.from_long(dd.from_pandas(df, npartitions=3))
        for level in ("nominal", "ordinal", "interval", "ratio"):
            _close(krippendorff_alpha(da, level), krippendorff_alpha(mem, level))
        for func in FAMILY:
            _close(func(da, "linear"), func(mem, "linear"))
        pd.testing.assert_series_equal(item_disagreement(da).loc[mem.items],
                                       item_disagreement(mem), rtol=0, atol=TOL)
        for stopping in ("log_likelihood", "crowdkit"):
            fm = DawidSkene(stopping=stopping, tol=1e-3).fit(mem)
            fd = DawidSkene(stopping=stopping, tol=1e-3).fit(da)
            np.testing.assert_allclose(fd.confusion_matrices_, fm.confusion_matrices_,
                                       rtol=0, atol=TOL)
            _compare_fit(fm, fd, mem)
        _compare_fit(MajorityVote().fit(mem), MajorityVote().fit(da), mem)
        back = da.persist().compute()
        _close(krippendorff_alpha(back), krippendorff_alpha(mem))


def test_unknown_ordered_categorical(dask_client):
    # an ordered Categorical with unknown categories and a blank category
    cat = pd.DataFrame({"item": list("aabbcc"), "annotator": list("xyxyxy"),
                        "label": pd.Categorical(["lo", "hi", "hi", "hi", " ", "lo"],
                                                categories=["lo", " ", "hi"], ordered=True)})
    dcat = dd.from_pandas(cat, npartitions=2)
    dcat["label"] = dcat["label"].cat.as_unknown()
    dc = Annotations.from_long(dcat)
    assert list(dc.categories) == ["lo", "hi"] and dc.n_dropped == 1
    _close(fleiss_kappa(dc), fleiss_kappa(Annotations.from_long(cat)))
    # partitions whose ordered categories differ
    dask = pytest.importorskip("dask")
    other = cat.assign(label=cat["label"].cat.reorder_categories(["hi", " ", "lo"]))
    mixed = dd.from_delayed([dask.delayed(cat), dask.delayed(other)], meta=cat.iloc[:0],
                            verify_meta=False)
    with dask.config.set(scheduler="synchronous"):
        same = Annotations.from_long(dd.from_pandas(cat, npartitions=2))
        assert list(same.categories) == ["lo", "hi"] and same.ordered
    with dask.config.set(scheduler="synchronous"), \
            pytest.raises(ValueError, match="different categories in different partitions"):
        Annotations.from_long(mixed)


def test_edge_cases_in_process(monkeypatch, dask_client):
    """Blank labels, codes wider than int8, missing names, no label at all, mixed item
    types, an unknown Categorical, and Cohen's kappa corner cases, in this process."""
    dask = pytest.importorskip("dask")
    from multiplicity.annotation import _dask

    assert _dask._code_dtype(127) == np.int8 and _dask._code_dtype(300) == np.int16
    assert _dask._code_dtype(2**31) == np.int64
    with monkeypatch.context() as m:
        m.delitem(__import__("sys").modules, "distributed")
        assert not _dask._has_client()
    with dask.config.set({"scheduler": "synchronous", "dataframe.convert-string": False}):
        # blank labels are missing; mixed item types; sizes from one pass
        df = pd.DataFrame({"item": [1, 1, "b", "b", "b", 2],
                           "annotator": ["x", "y", "x", "y", "z", "x"],
                           "label": ["a", "b", "a", "  ", "a", "b"]}, dtype=object)
        mem = Annotations.from_long(df)
        da = Annotations.from_long(dd.from_pandas(df, npartitions=2))
        assert (da.n_items, da.n_annotations, da.n_dropped) == (3, 5, 1)
        assert da.has_annotators and not da.ordered
        _close(krippendorff_alpha(da), krippendorff_alpha(mem))
        got = item_disagreement(da)
        assert sorted(map(str, got.index)) == sorted(map(str, mem.items))
        # missing item or annotator names next to a label
        for col in ("item", "annotator"):
            bad = df.copy()
            bad.loc[0, col] = None
            with pytest.raises(ValueError, match=f"column '{col}' has missing {col} names"):
                fleiss_kappa(Annotations.from_long(dd.from_pandas(bad, npartitions=1)))
        # no label at all
        empty = df.assign(label=np.nan)
        da_empty = Annotations.from_long(dd.from_pandas(empty, npartitions=2))
        assert da_empty.n_categories == 0
        assert np.isnan(krippendorff_alpha(da_empty, on_undefined="nan"))
        # Cohen's kappa: categories= order, given order, too few items, a lone annotator
        two = _long(7, n_items=20, n_annotators=2, numeric=False)
        two_mem = Annotations.from_long(two, categories=WORDS)
        two_da = Annotations.from_long(dd.from_pandas(two, npartitions=2), categories=WORDS)
        _close(cohen_kappa(two_da, weights="linear"), cohen_kappa(two_mem, weights="linear"))
        plain = Annotations.from_long(dd.from_pandas(two, npartitions=2))
        with pytest.raises(ValueError, match="not in categories"):
            cohen_kappa(plain, categories=WORDS[:2])
        few = pd.DataFrame({"item": ["a", "a", "b"], "annotator": ["x", "y", "x"],
                            "label": [1, 2, 1]})
        with pytest.raises(ValueError, match="at least 2 items rated by both"):
            cohen_kappa(Annotations.from_long(dd.from_pandas(few, npartitions=1)))
        lone = few.assign(annotator="x", item=["a", "b", "c"])
        with pytest.raises(ValueError, match="at least two annotators with ratings"):
            conger_kappa(Annotations.from_long(dd.from_pandas(lone, npartitions=1)))
