"""MajorityVote and DawidSkene: published values, crowd-kit parity, properties, bad input.

crowd-kit 1.4 calls pandas with keywords that pandas 3 deprecates, so every test that runs
crowd-kit carries ``CROWDKIT_WARNINGS``: it ignores exactly ``pandas.errors.Pandas4Warning``
raised from crowd-kit's own modules, and nothing else (pytest runs with
``filterwarnings = error``).
"""

from __future__ import annotations

import datafiles
import numba
import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from multiplicity.annotation import Annotations
from multiplicity.annotation import _aggregation_kernels as _kernels
from multiplicity.annotation._aggregation import (
    INIT_SHAPE,
    INIT_VALUES,
    NEEDS_ANNOTATORS,
    DawidSkene,
    MajorityVote,
)
from multiplicity.datasets import load_anaesthesia

CROWDKIT_WARNINGS = pytest.mark.filterwarnings(
    "ignore::pandas.errors.Pandas4Warning:crowdkit.*")
if not hasattr(pd.errors, "Pandas4Warning"):  # pandas 2 (the floor): nothing is deprecated

    def CROWDKIT_WARNINGS(f):
        return f

# Maximum-posterior classes of the 45 patients from the 1979 EM (response-proportion
# start, no smoothing, run to convergence): computed by `reference_dawid_skene_1979` below
# and checked against it in `test_anaesthesia_map_classes_match_original_em`.
ANAESTHESIA_MAP = [1, 4, 2, 2, 2, 2, 1, 3, 2, 2, 4, 3, 1, 2, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 1,
                   1, 2, 1, 1, 1, 1, 3, 1, 2, 2, 4, 2, 3, 3, 1, 1, 1, 2, 1, 2]


# ------------------------------------------------------------------------- helpers
def reference_dawid_skene_1979(counts, tol=1e-10, max_iter=10_000):
    """Dawid & Skene (1979) EM written from the paper's equations with plain loops.

    ``counts[i][w][g]``: how often observer w gave label g to patient i. Start: each
    patient's response proportions (eq. 3.1); M-step eqs. 2.3-2.4; E-step eq. 2.5; no
    smoothing; stop when the summed absolute change of the marginals and of the error
    rates both fall below ``tol``. Returns (posteriors, marginals, error_rates).
    """
    n, r, k = len(counts), len(counts[0]), len(counts[0][0])
    T = []
    for i in range(n):
        tot = sum(counts[i][w][g] for w in range(r) for g in range(k))
        T.append([sum(counts[i][w][j] for w in range(r)) / tot for j in range(k)])
    old_p = old_pi = None
    for _ in range(max_iter):
        p = [sum(T[i][j] for i in range(n)) / n for j in range(k)]
        pi = [[[0.0] * k for _ in range(k)] for _ in range(r)]
        for w in range(r):
            for j in range(k):
                for g in range(k):
                    pi[w][j][g] = sum(T[i][j] * counts[i][w][g] for i in range(n))
                s = sum(pi[w][j])
                if s > 0:
                    pi[w][j] = [v / s for v in pi[w][j]]
        T = []
        for i in range(n):
            row = []
            for j in range(k):
                v = p[j]
                for w in range(r):
                    for g in range(k):
                        v *= pi[w][j][g] ** counts[i][w][g]
                row.append(v)
            s = sum(row)
            T.append([v / s for v in row])
        if old_p is not None:
            dp = sum(abs(a - b) for a, b in zip(p, old_p, strict=True))
            dpi = sum(abs(pi[w][j][g] - old_pi[w][j][g])
                      for w in range(r) for j in range(k) for g in range(k))
            if dp < tol and dpi < tol:
                break
        old_p, old_pi = p, pi
    return np.array(T), np.array(p), np.array(pi)


def simulate(n_items, n_workers, per_item, k, seed, diag=0.5):
    """Long (task, worker, label) table: random confusion matrices mixed with the identity."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    conf = (1 - diag) * rng.dirichlet(np.ones(k), size=(n_workers, k)) + diag * np.eye(k)
    workers = np.argsort(rng.random((n_items, n_workers)), axis=1)[:, :per_item].ravel()
    items = np.repeat(np.arange(n_items), per_item)
    cdf = np.cumsum(conf[workers, truth[items]], axis=1)
    labels = np.minimum((rng.random(len(items))[:, None] > cdf).sum(axis=1), k - 1)
    return pd.DataFrame({"task": items, "worker": workers, "label": labels}), truth


def from_tasks(df):
    return Annotations.from_long(df, item="task", annotator="worker")


def crowdkit_frame(obj, ann, kind):
    """crowd-kit probas_/labels_ aligned to our item order (and category order)."""
    if kind == "probas":
        return obj.probas_.reindex(index=ann.items, columns=ann.categories).to_numpy()
    return obj.labels_.reindex(ann.items).to_numpy()


def crowdkit_confusion(errors, ann):
    """crowd-kit's errors_ (rows (worker, given label), columns true label) as our
    (n_annotators, true, given) array; labels a worker never gave are absent there (0)."""
    out = np.zeros((ann.n_annotators, ann.n_categories, ann.n_categories))
    for w, name in enumerate(ann.annotators):
        m = errors.loc[name].reindex(index=ann.categories, columns=ann.categories)
        out[w] = m.fillna(0.0).to_numpy().T
    return out


@pytest.fixture(scope="module")
def anaesthesia():
    return Annotations.from_long(load_anaesthesia().data, duplicates="keep")


@pytest.fixture(scope="module")
def toy():
    answers = pd.read_csv(datafiles.data_path("crowdkit_toy_ysda", "toy_ysda_answers.csv"))
    truth = pd.read_csv(datafiles.data_path("crowdkit_toy_ysda", "toy_ysda_ground_truth.csv"))
    truth = truth.set_index("task")["true_label"]
    return Annotations.from_long(answers, item="task", annotator="worker"), truth, answers


# ------------------------------------------------------------------- MajorityVote
def test_majority_vote_toy_matches_crowdkit_published(toy):
    ann, _, _ = toy
    mv = MajorityVote().fit(ann)
    assert mv.labels_.to_dict() == {"t1": "no", "t2": "yes", "t3": "no", "t4": "yes",
                                    "t5": "no"}
    npt.assert_allclose(mv.probas_["yes"].to_numpy(), [0.5, 0.6, 0.4, 1.0, 0.2])
    npt.assert_allclose(mv.annotator_accuracy_.loc[["w1", "w2", "w3", "w4", "w5"]],
                        [0.6, 0.8, 1.0, 0.4, 0.8])
    assert mv.tied_.tolist() == [True, False, False, False, False]
    assert mv.n_tied_ == 1


def test_majority_vote_tie_is_equal_probabilities_and_first_category():
    mv = MajorityVote().fit([["b", "a"], ["c", "c"]])
    npt.assert_allclose(mv.probas_.to_numpy(), [[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    assert mv.labels_.tolist() == ["a", "c"]


@CROWDKIT_WARNINGS
@pytest.mark.parametrize("seed", [0, 1])
def test_majority_vote_matches_crowdkit(seed):
    from crowdkit.aggregation import MajorityVote as CKMajorityVote

    df, _ = simulate(60, 7, 3, 3, seed)
    ann = from_tasks(df)
    ours, ck = MajorityVote().fit(ann), CKMajorityVote().fit(df)
    npt.assert_allclose(ours.probas_.to_numpy(), crowdkit_frame(ck, ann, "probas"))
    # ties: crowd-kit takes the first of its columns, which are ordered by how often each
    # label occurs overall; ours the first category in sorted order
    assert ours.n_tied_ > 0
    npt.assert_array_equal(ours.labels_.to_numpy()[~ours.tied_],
                           crowdkit_frame(ck, ann, "labels")[~ours.tied_])


def test_majority_vote_counts_repeats_and_accepts_counts_data():
    df = pd.DataFrame({"item": [0, 0, 0, 1, 1], "annotator": ["a", "a", "b", "a", "b"],
                       "label": [1, 1, 2, 2, 2]})
    mv = MajorityVote().fit(Annotations.from_long(df, duplicates="keep"))
    npt.assert_allclose(mv.probas_.to_numpy(), [[2 / 3, 1 / 3], [0.0, 1.0]])
    mv = MajorityVote().fit(Annotations.from_counts([[2, 1], [0, 3]]))
    npt.assert_allclose(mv.probas_.to_numpy(), [[2 / 3, 1 / 3], [0.0, 1.0]])
    assert mv.annotator_accuracy_ is None


def reference_vote_ties(df, item="task", label="label"):
    """Items whose largest vote count is shared by two or more labels, by plain loops over
    the rows of a long table."""
    counts: dict = {}
    for i, lab in zip(df[item], df[label], strict=True):
        counts.setdefault(i, {}).setdefault(lab, 0)
        counts[i][lab] += 1
    return {i: sum(v == max(c.values()) for v in c.values()) > 1 for i, c in counts.items()}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_majority_vote_ties_are_a_series_by_item(seed):
    df, _ = simulate(80, 6, 4, 3, seed)
    df["task"] = "t" + df["task"].astype(str)
    ann = from_tasks(df)
    mv = MajorityVote().fit(ann)
    assert isinstance(mv.tied_, pd.Series) and mv.tied_.dtype == bool
    assert mv.tied_.index.equals(ann.items)
    assert mv.tied_.to_dict() == reference_vote_ties(df)
    assert mv.n_tied_ == sum(reference_vote_ties(df).values()) > 0
    # on a tie the label is the first tied category in category order
    for i in mv.tied_.index[mv.tied_]:
        row = mv.probas_.loc[i]
        assert mv.labels_[i] == row.index[row.to_numpy() == row.max()][0]


def test_ties_are_false_for_items_without_annotations():
    df = pd.DataFrame({"item": [0, 0, 1, 1, 2], "annotator": ["a", "b", "a", "b", "a"],
                       "label": [0, 1, 1, 1, np.nan]})
    ann = Annotations.from_long(df)
    for model in (MajorityVote(), DawidSkene()):
        model.fit(ann)
        assert model.tied_.tolist() == [True, False, False]
        assert model.n_tied_ == 1


# ---------------------------------------------------------------------- DawidSkene
def test_dawid_skene_ties_match_the_posteriors(toy):
    ann = toy[0]
    # two symmetric annotators: every item they split is an exact 0.5 / 0.5 tie
    sym = Annotations.from_wide([[0, 1], [1, 0], [0, 0], [1, 1]])
    for data in (ann, sym):
        ds = DawidSkene().fit(data)
        P = ds.probas_.to_numpy()
        expected = [int(np.sum(row >= row.max() - 1e-9)) > 1 for row in P]
        assert ds.tied_.tolist() == expected
        assert ds.tied_.index.equals(ds.probas_.index)
        assert ds.n_tied_ == sum(expected)
    assert ds.tied_.tolist() == [True, True, False, False]


def test_anaesthesia_class_proportions(anaesthesia):
    ds = DawidSkene().fit(anaesthesia)
    assert ds.class_priors_.round(2).tolist() == [0.40, 0.42, 0.11, 0.07]
    npt.assert_allclose(ds.class_priors_.to_numpy(), [0.3996, 0.4220, 0.1118, 0.0667],
                        atol=5e-5)
    assert ds.converged_
    assert ds.labels_.tolist() == ANAESTHESIA_MAP
    assert list(ds.class_priors_.index) == [1, 2, 3, 4]


def test_anaesthesia_map_classes_match_original_em(anaesthesia):
    ann = anaesthesia
    counts = np.zeros((ann.n_items, ann.n_annotators, ann.n_categories))
    np.add.at(counts, (ann.item_codes, ann.annotator_codes, ann.label_codes), 1)
    T, p, pi = reference_dawid_skene_1979(counts.tolist())
    assert (np.asarray(ann.categories)[T.argmax(axis=1)]).tolist() == ANAESTHESIA_MAP
    assert np.round(p, 2).tolist() == [0.40, 0.42, 0.11, 0.07]
    # our unsmoothed EM run to convergence lands on the same fixed point
    ds = DawidSkene(floor=0.0, tol=1e-13, max_iter=2000).fit(ann)
    npt.assert_allclose(ds.class_priors_.to_numpy(), p, atol=1e-6)
    npt.assert_allclose(ds.probas_.to_numpy(), T, atol=1e-5)
    npt.assert_allclose(ds.confusion_matrices_, pi, atol=1e-5)


def test_toy_recovers_ground_truth(toy):
    ann, truth, _ = toy
    ds = DawidSkene().fit(ann)
    assert ds.labels_.to_dict() == truth.to_dict()
    npt.assert_allclose(ds.class_priors_.loc[["no", "yes"]], [0.4, 0.6], atol=1e-6)


@CROWDKIT_WARNINGS
def test_toy_matches_crowdkit(toy):
    from crowdkit.aggregation import DawidSkene as CKDawidSkene

    ann, _, answers = toy
    ck = CKDawidSkene(n_iter=100, tol=1e-5).fit(answers)
    ds = DawidSkene(tol=1e-5, stopping="crowdkit").fit(ann)
    npt.assert_allclose(ds.probas_.to_numpy(), crowdkit_frame(ck, ann, "probas"), atol=1e-6)
    assert ds.n_iter_ == len(ck.loss_history_)


@CROWDKIT_WARNINGS
@pytest.mark.parametrize("seed", [0, 1, 3])
def test_dawid_skene_matches_crowdkit(seed):
    from crowdkit.aggregation import DawidSkene as CKDawidSkene

    df, _ = simulate(120, 9, 4, 3 + seed % 2, seed, diag=0.3)
    ann = from_tasks(df)
    ck = CKDawidSkene(n_iter=100, tol=1e-5).fit(df)
    ds = DawidSkene(tol=1e-5, stopping="crowdkit").fit(ann)
    npt.assert_array_equal(ds.labels_.to_numpy(), crowdkit_frame(ck, ann, "labels"))
    npt.assert_allclose(ds.probas_.to_numpy(), crowdkit_frame(ck, ann, "probas"), atol=1e-6)
    assert ds.n_iter_ == len(ck.loss_history_)
    npt.assert_allclose(ds.objective_, ck.loss_history_, rtol=1e-9)
    npt.assert_allclose(ds.class_priors_.to_numpy(),
                        ck.priors_.reindex(ann.categories).to_numpy(), atol=1e-6)
    npt.assert_allclose(ds.confusion_matrices_, crowdkit_confusion(ck.errors_, ann),
                        atol=1e-6)


@CROWDKIT_WARNINGS
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_dawid_skene_matches_crowdkit_at_the_iteration_cap():
    """Both stop at max_iter without converging (crowd-kit silently, ours with a warning)."""
    from crowdkit.aggregation import DawidSkene as CKDawidSkene

    df, _ = simulate(120, 9, 4, 3, 2, diag=0.3)
    ann = from_tasks(df)
    ck = CKDawidSkene(n_iter=12, tol=1e-5).fit(df)
    ds = DawidSkene(max_iter=12, tol=1e-5, stopping="crowdkit").fit(ann)
    assert ds.n_iter_ == len(ck.loss_history_) == 12 and not ds.converged_
    npt.assert_allclose(ds.probas_.to_numpy(), crowdkit_frame(ck, ann, "probas"), atol=1e-6)


@CROWDKIT_WARNINGS
@pytest.mark.slow
def test_dawid_skene_matches_crowdkit_large():
    from crowdkit.aggregation import DawidSkene as CKDawidSkene

    df, _ = simulate(20_000, 200, 5, 4, 11, diag=0.3)
    ann = from_tasks(df)
    ck = CKDawidSkene(n_iter=100, tol=1e-5).fit(df)
    ds = DawidSkene(tol=1e-5, stopping="crowdkit").fit(ann)
    npt.assert_array_equal(ds.labels_.to_numpy(), crowdkit_frame(ck, ann, "labels"))
    npt.assert_allclose(ds.probas_.to_numpy(), crowdkit_frame(ck, ann, "probas"), atol=1e-6)


def test_default_fit_is_self_consistent(anaesthesia):
    """probas_ are the posteriors under confusion_matrices_ and class_priors_, and the last
    log-likelihood is theirs (default stopping rule)."""
    ann = anaesthesia
    ds = DawidSkene().fit(ann)
    logp = np.log(ds.class_priors_.to_numpy())
    conf = ds.confusion_matrices_
    with np.errstate(divide="ignore"):
        logc = np.log(conf)
    S = np.tile(logp, (ann.n_items, 1))
    np.add.at(S, ann.item_codes, logc[ann.annotator_codes, :, ann.label_codes])
    m = S.max(axis=1, keepdims=True)
    ll = (m[:, 0] + np.log(np.exp(S - m).sum(axis=1))).sum()
    npt.assert_allclose(ds.probas_.to_numpy(), np.exp(S - m) / np.exp(S - m).sum(1)[:, None],
                        atol=1e-12)
    npt.assert_allclose(ds.log_likelihood_[-1], ll, rtol=1e-12)
    assert len(ds.log_likelihood_) == len(ds.objective_) == ds.n_iter_
    assert np.all(np.diff(ds.log_likelihood_) > -1e-8)  # EM never goes down (up to floor)
    npt.assert_allclose(conf.sum(axis=2), 1.0)
    acc = ds.annotator_accuracy_
    assert list(acc.index) == [1, 2, 3, 4, 5] and ((acc > 0.7) & (acc < 0.9)).all()


@pytest.mark.parametrize("stopping, floor", [("log_likelihood", 1e-10), ("crowdkit", 0.0)])
def test_unrated_items_and_idle_annotators(stopping, floor):
    df = pd.DataFrame({"item": ["a", "a", "b", "b", "c", "c", "d"],
                       "annotator": ["x", "y", "x", "y", "x", "z", "z"],
                       "label": [1, 1, 2, 2, 1, np.nan, np.nan]})
    ann = Annotations.from_long(df)
    ds = DawidSkene(stopping=stopping, floor=floor).fit(ann)
    assert np.isfinite(ds.log_likelihood_).all() and np.isfinite(ds.objective_).all()
    assert np.isnan(ds.probas_.loc["d"]).all()
    assert ds.labels_["d"] is None
    assert np.isnan(ds.confusion_matrices_[2]).all()
    assert np.isnan(ds.annotator_accuracy_["z"])
    npt.assert_allclose(ds.class_priors_.sum(), 1.0)
    mv = MajorityVote().fit(ann)
    assert np.isnan(mv.probas_.loc["d"]).all()
    assert np.isnan(mv.annotator_accuracy_["z"])


def test_init_array_and_same_as_majority(anaesthesia):
    shares = anaesthesia.counts() / anaesthesia.counts().sum(axis=1, keepdims=True)
    a = DawidSkene().fit(anaesthesia)
    b = DawidSkene(init=shares * 3.0).fit(anaesthesia)  # rows are normalised
    npt.assert_allclose(a.probas_.to_numpy(), b.probas_.to_numpy(), atol=1e-14)


@pytest.mark.parametrize("stopping", ["log_likelihood", "crowdkit"])
def test_results_do_not_depend_on_threads_or_parallel_path(monkeypatch, stopping):
    df, _ = simulate(400, 12, 4, 3, 5)
    ann = from_tasks(df)
    serial = DawidSkene(stopping=stopping).fit(ann)  # small input: the serial twins
    monkeypatch.setattr(_kernels, "PARALLEL_MIN_ANNOTATIONS", 0)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = DawidSkene(stopping=stopping).fit(ann)
        numba.set_num_threads(old)
        many = DawidSkene(stopping=stopping).fit(ann)
    finally:
        numba.set_num_threads(old)
    for fit in (one, many):
        npt.assert_array_equal(fit.probas_.to_numpy(), serial.probas_.to_numpy())
        assert fit.log_likelihood_ == serial.log_likelihood_


def test_fit_predict_and_clone(toy):
    ann, truth, _ = toy
    ds = DawidSkene(max_iter=50)
    assert ds.fit_predict(ann).to_dict() == truth.to_dict()
    assert ds.fit_predict_proba(ann).shape == (5, 2)
    assert clone(ds).get_params()["max_iter"] == 50


def test_not_converged_warns(anaesthesia):
    with pytest.warns(ConvergenceWarning, match="did not converge in max_iter=1"):
        ds = DawidSkene(max_iter=1).fit(anaesthesia)
    assert ds.n_iter_ == 1 and not ds.converged_


# ------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("params, match", [
    ({"max_iter": 0}, "max_iter"), ({"max_iter": 2.5}, "max_iter"),
    ({"tol": -1e-3}, "tol"), ({"tol": float("inf")}, "tol"),
    ({"init": "random"}, "init"), ({"stopping": "elbo"}, "stopping"),
    ({"floor": 1.0}, "floor"), ({"floor": -1.0}, "floor"),
])
def test_bad_parameters(toy, params, match):
    with pytest.raises(ValueError, match=match):
        DawidSkene(**params).fit(toy[0])


@pytest.mark.parametrize("cls", [MajorityVote, DawidSkene])
def test_bad_data(cls):
    with pytest.raises(ValueError, match="single category"):
        cls().fit([[1, 1], [1, 1]])
    empty = Annotations(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64),
                        pd.Index(["i"]), pd.Index(["a"]), pd.Index([0, 1]))
    with pytest.raises(ValueError, match="no annotations"):
        cls().fit(empty)


def test_bad_init_and_counts_data(toy):
    ann = toy[0]
    with pytest.raises(ValueError, match=INIT_SHAPE.format((5, 2), (5, 3))[:40]):
        DawidSkene(init=np.ones((5, 3))).fit(ann)
    with pytest.raises(ValueError, match=INIT_VALUES[:30]):
        DawidSkene(init=-np.ones((5, 2))).fit(ann)
    with pytest.raises(ValueError, match=NEEDS_ANNOTATORS.format("DawidSkene")[:30]):
        DawidSkene().fit(Annotations.from_counts([[2, 1], [0, 3]]))


# ------------------------------------------------------------------------ properties
@st.composite
def long_tables(draw):
    """Small long tables: up to 10 items x 4 annotators, 2-3 labels, some cells missing."""
    n = draw(st.integers(2, 10))
    r = draw(st.integers(1, 4))
    k = draw(st.integers(2, 3))
    cells = draw(st.lists(st.integers(-1, k - 1), min_size=n * r, max_size=n * r))
    rows = [(f"i{i}", f"a{w}", cells[i * r + w]) for i in range(n) for w in range(r)
            if cells[i * r + w] >= 0]
    df = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    assume(df["label"].nunique() >= 2)
    return df


def _fit(df, **kw):
    return DawidSkene(tol=1e-9, max_iter=40, **kw).fit(Annotations.from_long(df))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@given(df=long_tables(), data=st.data())
def test_invariant_to_item_and_annotator_order(df, data):
    perm = data.draw(st.permutations(range(len(df))))
    shuffled = df.iloc[list(perm)].reset_index(drop=True)
    a, b = _fit(df), _fit(shuffled)
    npt.assert_allclose(b.probas_.loc[a.probas_.index].to_numpy(), a.probas_.to_numpy(),
                        atol=1e-6)
    mv_a = MajorityVote().fit(Annotations.from_long(df))
    mv_b = MajorityVote().fit(Annotations.from_long(shuffled))
    npt.assert_allclose(mv_b.probas_.loc[mv_a.probas_.index].to_numpy(),
                        mv_a.probas_.to_numpy())


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@given(df=long_tables(), data=st.data())
def test_relabelling_categories_permutes_columns(df, data):
    k = int(df["label"].max()) + 1
    perm = data.draw(st.permutations(range(k)))
    renamed = df.assign(label=np.asarray(perm)[df["label"].to_numpy()])
    a, b = _fit(df), _fit(renamed)
    cats = [c for c in range(k) if c in set(a.classes_.tolist())]
    npt.assert_allclose(b.probas_[[perm[c] for c in cats]].to_numpy(),
                        a.probas_[cats].to_numpy(), atol=1e-6)
    npt.assert_allclose(b.class_priors_.loc[[perm[c] for c in cats]].to_numpy(),
                        a.class_priors_.loc[cats].to_numpy(), atol=1e-6)


def test_priors_are_floored(toy):
    """A class with no initial mass gets prior `floor`, not 0 (its log stays finite)."""
    ann = toy[0]
    init = np.tile([1.0, 0.0], (ann.n_items, 1))
    with pytest.warns(ConvergenceWarning):
        ds = DawidSkene(init=init, max_iter=1).fit(ann)
    assert ds.class_priors_.tolist() == [1.0, 1e-10]
    assert np.isfinite(ds.log_likelihood_).all()
