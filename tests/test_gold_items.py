"""Gold items (``fit(data, true_labels=...)``) in MajorityVote, DawidSkene, GLAD and MACE.

References: crowd-kit's ``DawidSkene.fit(data, true_labels)`` (crowd-kit 1.4 clamps the
gold items' posteriors to one-hot in the start and after every E-step); slow NumPy oracles
of one clamped EM iteration written below from the models' equations; and the closed-form
estimates when every item is gold (then nothing is latent in Dawid-Skene).

crowd-kit 1.4 calls pandas with keywords that pandas 3 deprecates, so the tests that run
it ignore exactly ``pandas.errors.Pandas4Warning`` raised from crowd-kit's modules.
"""

from __future__ import annotations

import re

import datafiles
import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from multiplicity.annotation import Annotations
from multiplicity.annotation._aggregation import DawidSkene, MajorityVote
from multiplicity.annotation._aggregation_base import (
    GOLD_BOTH,
    GOLD_DASK,
    GOLD_DUPLICATE_ITEMS,
    GOLD_TYPE,
    GOLD_UNKNOWN_ITEMS,
    GOLD_UNKNOWN_LABELS,
    GOLD_UNSUPPORTED,
    Aggregator,
)
from multiplicity.annotation._glad_mace import GLAD, MACE

CROWDKIT_WARNINGS = pytest.mark.filterwarnings(
    "ignore::pandas.errors.Pandas4Warning:crowdkit.*")
if not hasattr(pd.errors, "Pandas4Warning"):  # pandas 2 (the floor): nothing is deprecated

    def CROWDKIT_WARNINGS(f):
        return f

CK_EPS = 1e-10  # crowd-kit's _EPS: it leaves its final posteriors clipped at it


# ------------------------------------------------------------------------- helpers
def simulate(n_items, n_workers, per_item, k, seed, diag=0.4):
    """Long (task, worker, label) table from random confusion matrices mixed with the
    identity; returns the table and the true classes."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    conf = (1 - diag) * rng.dirichlet(np.ones(k), size=(n_workers, k)) + diag * np.eye(k)
    workers = np.argsort(rng.random((n_items, n_workers)), axis=1)[:, :per_item].ravel()
    items = np.repeat(np.arange(n_items), per_item)
    cdf = np.cumsum(conf[workers, truth[items]], axis=1)
    labels = np.minimum((rng.random(len(items))[:, None] > cdf).sum(axis=1), k - 1)
    return pd.DataFrame({"task": items, "worker": workers, "label": labels}), truth


def to_ann(df):
    return Annotations.from_long(df, item="task", annotator="worker")


def some_gold(truth, share, seed):
    """A Series of the true labels of a random ``share`` of the items."""
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(truth), max(1, int(share * len(truth))), replace=False))
    return pd.Series(np.asarray(truth)[rows], index=rows)


def codes_of(gold, ann):
    out = np.full(ann.n_items, -1)
    out[ann.items.get_indexer(gold.index)] = ann.categories.get_indexer(gold.to_numpy())
    return out


def crowdkit_confusion(errors, ann):
    """crowd-kit's errors_ (rows (worker, given), columns true) as (n_annotators, true,
    given); labels a worker never gave are absent there (0)."""
    out = np.zeros((ann.n_annotators, ann.n_categories, ann.n_categories))
    for w, name in enumerate(ann.annotators):
        m = errors.loc[name].reindex(index=ann.categories, columns=ann.categories)
        out[w] = m.fillna(0.0).to_numpy().T
    return out


@pytest.fixture(scope="module")
def toy():
    answers = pd.read_csv(datafiles.data_path("crowdkit_toy_ysda", "toy_ysda_answers.csv"))
    truth = pd.read_csv(datafiles.data_path("crowdkit_toy_ysda", "toy_ysda_ground_truth.csv"))
    return answers, truth.set_index("task")["true_label"]


# ------------------------------------------------------------ DawidSkene: crowd-kit
def assert_same_as_crowdkit(ds, ck, ann):
    P = ck.probas_.reindex(index=ann.items, columns=ann.categories).to_numpy()
    # crowd-kit clips its final posteriors at 1e-10 (rows sum to slightly more than 1)
    npt.assert_allclose(np.maximum(ds.probas_.to_numpy(), CK_EPS), P, rtol=0, atol=1e-8)
    npt.assert_array_equal(ds.labels_.to_numpy(), ck.labels_.reindex(ann.items).to_numpy())
    assert ds.n_iter_ == len(ck.loss_history_)
    npt.assert_allclose(ds.objective_, ck.loss_history_, rtol=1e-9)
    npt.assert_allclose(ds.class_priors_.to_numpy(),
                        ck.priors_.reindex(ann.categories).to_numpy(), rtol=0, atol=1e-8)
    npt.assert_allclose(ds.confusion_matrices_, crowdkit_confusion(ck.errors_, ann),
                        rtol=0, atol=1e-8)


@CROWDKIT_WARNINGS
@pytest.mark.parametrize("gold_tasks", [["t1", "t2", "t3"], ["t3"], ["t1", "t4", "t5"]])
def test_toy_with_gold_matches_crowdkit(toy, gold_tasks):
    """crowd-kit's toy data (its documentation's ``toy`` data set, in tests/data) with a
    few gold tasks; crowd-kit's stopping rule and tol on both sides."""
    from crowdkit.aggregation import DawidSkene as CKDawidSkene

    answers, truth = toy
    gold = truth.loc[gold_tasks]
    ann = to_ann(answers)
    ck = CKDawidSkene(n_iter=100, tol=1e-5).fit(answers, gold)
    ds = DawidSkene(tol=1e-5, stopping="crowdkit").fit(ann, true_labels=gold)
    assert_same_as_crowdkit(ds, ck, ann)
    assert ds.gold_.loc[gold_tasks].all() and ds.n_gold_ == len(gold_tasks)


@CROWDKIT_WARNINGS
@pytest.mark.parametrize("seed, share", [(0, 0.1), (1, 0.3), (2, 0.05)])
def test_random_data_with_gold_matches_crowdkit(seed, share):
    from crowdkit.aggregation import DawidSkene as CKDawidSkene

    df, truth = simulate(120, 9, 4, 3, seed, diag=0.3)
    gold = some_gold(truth, share, seed)
    ann = to_ann(df)
    ck = CKDawidSkene(n_iter=100, tol=1e-5).fit(df, gold)
    ds = DawidSkene(tol=1e-5, stopping="crowdkit").fit(ann, true_labels=gold)
    assert_same_as_crowdkit(ds, ck, ann)


@CROWDKIT_WARNINGS
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_gold_matches_crowdkit_at_the_iteration_cap():
    """Both stop at 5 iterations (the same rule: stop when the objective rises by < tol)."""
    from crowdkit.aggregation import DawidSkene as CKDawidSkene

    df, truth = simulate(120, 9, 4, 3, 5, diag=0.3)
    gold = some_gold(truth, 0.1, 5)
    ann = to_ann(df)
    ck = CKDawidSkene(n_iter=5, tol=1e-5).fit(df, gold)
    ds = DawidSkene(max_iter=5, tol=1e-5, stopping="crowdkit").fit(ann, true_labels=gold)
    assert ds.n_iter_ == 5 and not ds.converged_
    assert_same_as_crowdkit(ds, ck, ann)


# ------------------------------------------------------------- DawidSkene: oracles
def oracle_ds(ann, gold, n_iter, floor):
    """Dawid-Skene EM with clamped gold items, plain loops over the annotations: start
    from the vote shares (gold rows one-hot), then ``n_iter`` times (M-step, E-step).
    Returns (posteriors, priors, confusion (true, given), joint log-likelihoods)."""
    k, r, n = ann.n_categories, ann.n_annotators, ann.n_items
    it, w, lab = ann.item_codes, ann.annotator_codes, ann.label_codes
    q = np.zeros((n, k))
    for j in range(len(lab)):
        q[it[j], lab[j]] += 1
    q /= q.sum(axis=1, keepdims=True)
    for i in range(n):
        if gold[i] >= 0:
            q[i] = np.eye(k)[gold[i]]
    used = np.zeros((r, k), bool)
    used[w, lab] = True
    lls = []
    for _ in range(n_iter):
        cnt = np.zeros((r, k, k))
        for j in range(len(lab)):
            cnt[w[j], :, lab[j]] += q[it[j]]
        cnt = np.where(used[:, None, :], np.maximum(cnt, floor), 0.0)
        conf = cnt / cnt.sum(axis=2, keepdims=True)
        prior = np.maximum(q.mean(axis=0), floor)
        q, ll = np.zeros((n, k)), 0.0
        for i in range(n):
            joint = prior.copy()
            for j in np.flatnonzero(it == i):
                joint *= conf[w[j], :, lab[j]]
            if gold[i] >= 0:
                q[i, gold[i]] = 1.0
                ll += np.log(joint[gold[i]])
            else:
                q[i] = joint / joint.sum()
                ll += np.log(joint.sum())
        lls.append(ll)
    return q, prior, conf, np.array(lls)


@pytest.mark.parametrize("seed", [3, 4])
def test_dawid_skene_gold_matches_the_oracle(seed):
    """Three clamped EM iterations (default stopping rule, stopped by max_iter)."""
    df, truth = simulate(40, 5, 3, 3, seed, diag=0.5)
    gold = some_gold(truth, 0.2, seed)
    ann = to_ann(df)
    with pytest.warns(ConvergenceWarning):
        ds = DawidSkene(max_iter=3, tol=0.0).fit(ann, true_labels=gold)
    q, prior, conf, lls = oracle_ds(ann, codes_of(gold, ann), 3, 1e-10)
    npt.assert_allclose(ds.probas_.to_numpy(), q, rtol=0, atol=1e-12)
    npt.assert_allclose(ds.log_likelihood_, lls, rtol=1e-12)
    # the reported parameters are those the last E-step used
    npt.assert_allclose(ds.class_priors_.to_numpy(), prior, rtol=0, atol=1e-12)
    npt.assert_allclose(ds.confusion_matrices_, conf, rtol=0, atol=1e-12)


def test_every_item_gold_gives_the_counted_confusion_matrices():
    """Nothing is latent: confusion matrices are the normalised counts of (true, given)
    pairs and the priors the class proportions (Dawid & Skene 1979, eqs. 2.3-2.4 with
    known classes)."""
    df, truth = simulate(60, 6, 4, 3, 7, diag=0.5)
    ann = to_ann(df)
    gold = pd.Series(truth, index=np.arange(len(truth)))
    ds = DawidSkene(floor=0.0).fit(ann, true_labels=gold)
    pairs = pd.crosstab([ann.annotators[ann.annotator_codes], truth[ann.items[ann.item_codes]]],
                        ann.categories[ann.label_codes])
    for w, name in enumerate(ann.annotators):
        counts = pairs.loc[name].reindex(index=range(3), columns=range(3), fill_value=0)
        npt.assert_allclose(ds.confusion_matrices_[w],
                            counts.to_numpy() / counts.to_numpy().sum(axis=1, keepdims=True),
                            rtol=0, atol=1e-14)
    npt.assert_allclose(ds.class_priors_.to_numpy(), np.bincount(truth, minlength=3) / 60,
                        atol=1e-14)
    assert (ds.labels_.to_numpy() == truth).all() and ds.converged_


def split_crowd(n, seed):
    """Two annotators right 90% of the time and two who answer (truth + 1) mod 3 90% of
    the time (otherwise one of the two other labels), every item labelled by all four."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, n)
    frames = []
    for w in range(4):
        meant = (truth + 1) % 3 if w < 2 else truth
        label = np.where(rng.random(n) < 0.9, meant, (meant + rng.integers(1, 3, n)) % 3)
        frames.append(pd.DataFrame({"task": np.arange(n), "worker": w, "label": label}))
    return to_ann(pd.concat(frames)), truth


def test_gold_lifts_dawid_skene_out_of_a_label_permutation():
    """Half the crowd is adversarial: the labels alone cannot tell the two halves apart
    (relabelling the classes explains them as well), and Dawid-Skene without gold settles
    on the permuted labels for some seeds (accuracy near 0). Gold labels on 5% of the
    items pin the classes: accuracy on the other items is high for every seed."""
    plain, with_gold = [], []
    for seed in range(10):
        ann, truth = split_crowd(300, seed)
        gold = some_gold(truth, 0.05, seed)
        rest = ~np.isin(np.arange(300), gold.index)
        for model, out in ((DawidSkene().fit(ann), plain),
                           (DawidSkene().fit(ann, true_labels=gold), with_gold)):
            out.append((model.labels_.to_numpy()[rest] == truth[rest]).mean())
    plain, with_gold = np.array(plain), np.array(with_gold)
    assert (plain < 0.1).sum() >= 3  # the permutation, for three seeds or more
    assert (with_gold > 0.95).all()
    assert with_gold.mean() - plain.mean() > 0.3


def test_gold_item_without_annotations():
    """It does not enter the fit: the rest is the fit without it; its row is one-hot."""
    ann = Annotations.from_wide([["a", "a", "b"], ["b", "b", "b"], [None, None, None],
                                 ["a", "b", "a"]])
    gold = pd.Series(["b", "b"], index=[1, 2])
    with_empty = DawidSkene().fit(ann, true_labels=gold)
    without = DawidSkene().fit(ann, true_labels=gold.loc[[1]])
    npt.assert_allclose(with_empty.probas_.drop(index=2), without.probas_.drop(index=2))
    npt.assert_allclose(with_empty.class_priors_, without.class_priors_)
    assert with_empty.probas_.loc[2].tolist() == [0.0, 1.0]
    assert with_empty.labels_.loc[2] == "b" and with_empty.n_gold_ == 2


# ------------------------------------------------------------------- MajorityVote
def test_majority_vote_with_gold():
    ann = Annotations.from_wide(pd.DataFrame(
        {"x": ["a", "a", "b", "b"], "y": ["a", "b", "b", None], "z": ["b", "b", "a", "a"]}))
    gold = pd.Series({0: "b", 2: "a", 3: np.nan})
    mv = MajorityVote().fit(ann, true_labels=gold)
    plain = MajorityVote().fit(ann)
    # gold items take the gold label; the others keep their vote
    assert mv.labels_.tolist() == ["b", "b", "a", plain.labels_[3]]
    npt.assert_allclose(mv.probas_.loc[[1, 3]], plain.probas_.loc[[1, 3]])
    assert mv.probas_.loc[0].tolist() == [0.0, 1.0]
    assert mv.gold_.tolist() == [True, False, True, False] and mv.n_gold_ == 2
    assert not mv.tied_.loc[[0, 2]].any()
    # accuracy against gold, on gold items only (written out by hand from the table):
    # x: item0 a (gold b) wrong, item2 b (gold a) wrong -> 0; y: a wrong, b wrong -> 0;
    # z: b right, a right -> 1
    assert mv.annotator_accuracy_.tolist() == [0.0, 0.0, 1.0]


def test_majority_vote_gold_accuracy_is_nan_without_gold_annotations():
    ann = Annotations.from_wide(pd.DataFrame({"x": ["a", "b", "a"], "y": [None, "b", "a"]}))
    mv = MajorityVote().fit(ann, true_labels={0: "a"})
    assert mv.annotator_accuracy_["x"] == 1.0 and np.isnan(mv.annotator_accuracy_["y"])


# --------------------------------------------------------------------- GLAD oracle
def glad_e_step_oracle(ann, log_prior, alpha, log_beta):
    """GLAD posteriors from the model with plain loops (Whitehill et al. 2009, eq. 2)."""
    k = ann.n_categories
    P = np.tile(log_prior, (ann.n_items, 1))
    for j in range(ann.n_annotations):
        i, w, lab = ann.item_codes[j], ann.annotator_codes[j], ann.label_codes[j]
        s = scipy.special.expit(alpha[w] * np.exp(log_beta[i]))
        P[i] += np.where(np.arange(k) == lab, np.log(s), np.log((1 - s) / (k - 1)))
    P = np.exp(P - P.max(axis=1, keepdims=True))
    return P / P.sum(axis=1, keepdims=True)


def glad_q_oracle(x, ann, post):
    """GLAD's Q (expected complete log-likelihood plus standard normal log-priors around
    1) at ``x = [alpha, log_beta]``; returns -Q."""
    k, r = ann.n_categories, ann.n_annotators
    q = 0.0
    for j in range(ann.n_annotations):
        i, w, lab = ann.item_codes[j], ann.annotator_codes[j], ann.label_codes[j]
        s = scipy.special.expit(x[w] * np.exp(x[r + i]))
        q += post[i, lab] * np.log(s) + (1 - post[i, lab]) * np.log((1 - s) / (k - 1))
    q += scipy.stats.norm.logpdf(x - 1.0).sum()
    return -q


def clamp(P, gold):
    P = P.copy()
    rows = np.flatnonzero(gold >= 0)
    P[rows] = np.eye(P.shape[1])[gold[rows]]
    return P


def test_glad_one_clamped_iteration_matches_the_oracle():
    df, truth = simulate(15, 4, 3, 3, 8, diag=0.5)
    gold = some_gold(truth, 0.3, 8)
    ann = to_ann(df)
    g = codes_of(gold, ann)
    k, r = 3, ann.n_annotators
    ours = GLAD(max_iter=1, m_step_tol=1e-10, m_step_max_iter=500).fit(ann, true_labels=gold)
    post0 = clamp(glad_e_step_oracle(ann, np.full(k, -np.log(k)), np.ones(r),
                                     np.ones(ann.n_items)), g)
    ref = minimize(glad_q_oracle, np.ones(r + ann.n_items), args=(ann, post0),
                   method="BFGS", options={"gtol": 1e-10})
    x = np.r_[ours.skills_.to_numpy(), ours.betas_.to_numpy()]
    npt.assert_allclose(x, ref.x, atol=1e-5)
    npt.assert_allclose(ours.log_likelihood_history_[0],
                        -glad_q_oracle(x, ann, post0) / (ann.n_annotations * k), rtol=1e-12)
    final = clamp(glad_e_step_oracle(ann, np.full(k, -np.log(k)), x[:r], x[r:]), g)
    npt.assert_allclose(ours.probas_.to_numpy(), final, atol=1e-12)
    assert ours.gold_.sum() == ours.n_gold_ == len(gold)


def test_glad_every_item_gold_maximises_the_complete_data_posterior():
    """With every item gold the posteriors are the truth whatever the parameters, so the
    fit is the maximiser of Q with the true labels: found here by BFGS on the oracle."""
    df, truth = simulate(12, 4, 3, 2, 9, diag=0.5)
    ann = to_ann(df)
    ours = GLAD(m_step_tol=1e-10, m_step_max_iter=500, tol=1e-12).fit(
        ann, true_labels=pd.Series(truth))
    onehot = np.eye(2)[truth]
    ref = minimize(glad_q_oracle, np.ones(ann.n_annotators + ann.n_items),
                   args=(ann, onehot), method="BFGS", options={"gtol": 1e-10})
    npt.assert_allclose(np.r_[ours.skills_, ours.betas_], ref.x, atol=1e-5)
    npt.assert_array_equal(ours.probas_.to_numpy(), onehot)


# --------------------------------------------------------------------- MACE oracle
class StartedMACE(MACE):
    """MACE from given starting weights (spam/know (r, 2), strategies (r, k))."""

    def __init__(self, start=None, **kw):
        super().__init__(**kw)
        self.start = start

    def _initial_weights(self, rng, n_annotators, n_categories):
        return self.start


def mace_e_step_oracle(ann, spam, know, xi, gold):
    """MACE E-step (Hovy et al. 2013) with plain loops: posteriors, P(knowing) of every
    annotation and the log-likelihood, gold items clamped (joint term for them)."""
    k, n = ann.n_categories, ann.n_items
    joint = np.full((n, k), 1.0 / k)
    for j in range(ann.n_annotations):
        i, w, lab = ann.item_codes[j], ann.annotator_codes[j], ann.label_codes[j]
        joint[i] *= spam[w] * xi[w, lab] + know[w] * (np.arange(k) == lab)
    ll = np.where(gold >= 0, np.log(joint[np.arange(n), np.maximum(gold, 0)]),
                  np.log(joint.sum(axis=1))).sum()
    post = clamp(joint / joint.sum(axis=1, keepdims=True), gold)
    p_know = np.empty(ann.n_annotations)
    for j in range(ann.n_annotations):
        i, w, lab = ann.item_codes[j], ann.annotator_codes[j], ann.label_codes[j]
        p_know[j] = post[i, lab] * know[w] / (know[w] + spam[w] * xi[w, lab])
    return post, p_know, ll


def mace_m_step_oracle(ann, p_know, method, s, a, b, sp):
    r, k = ann.n_annotators, ann.n_categories
    c_know = np.bincount(ann.annotator_codes, p_know, r)
    c_spam = np.bincount(ann.annotator_codes, 1 - p_know, r)
    c_str = np.zeros((r, k))
    np.add.at(c_str, (ann.annotator_codes, ann.label_codes), 1 - p_know)
    if method == "em":
        tot = c_know + c_spam + 2 * s
        return ((c_spam + s) / tot, (c_know + s) / tot,
                (c_str + s) / (c_str.sum(1, keepdims=True) + k * s))
    psi = scipy.special.digamma
    tot = psi(c_know + c_spam + a + b)
    return (np.exp(psi(c_spam + a) - tot), np.exp(psi(c_know + b) - tot),
            np.exp(psi(c_str + sp) - psi(c_str.sum(1, keepdims=True) + k * sp)))


@pytest.mark.parametrize("method", ["em", "vb"])
def test_mace_one_clamped_round_matches_the_oracle(method):
    df, truth = simulate(30, 5, 3, 3, 10, diag=0.5)
    gold = some_gold(truth, 0.3, 10)
    ann = to_ann(df)
    g = codes_of(gold, ann)
    rng = np.random.default_rng(0)
    sk = rng.uniform(1, 2.5, (ann.n_annotators, 2))
    xi0 = rng.uniform(1, 2.5, (ann.n_annotators, 3))
    start = (sk / sk.sum(1, keepdims=True), xi0 / xi0.sum(1, keepdims=True))
    ours = StartedMACE(start=(start[0].copy(), start[1].copy()), n_restarts=1, max_iter=1,
                       method=method).fit(ann, true_labels=gold)
    _, p_know, _ = mace_e_step_oracle(ann, start[0][:, 0], start[0][:, 1], start[1], g)
    # a wrong label on a gold item was spammed
    wrong = (g[ann.item_codes] >= 0) & (ann.label_codes != g[ann.item_codes])
    assert wrong.any() and (p_know[wrong] == 0).all()
    spam, know, xi = mace_m_step_oracle(ann, p_know, method, 0.01 / 3, 0.5, 0.5, 10.0)
    post, _, ll = mace_e_step_oracle(ann, spam, know, xi, g)
    npt.assert_allclose(ours.probas_.to_numpy(), post, atol=1e-12)
    npt.assert_allclose(ours.log_likelihood_, ll, rtol=1e-12)
    npt.assert_allclose(ours.competence_.to_numpy(), know / (know + spam), rtol=1e-12)
    npt.assert_allclose(ours.strategies_.to_numpy(), xi / xi.sum(1, keepdims=True),
                        rtol=1e-12)


def test_mace_every_item_gold_annotator_always_wrong_is_a_certain_spammer():
    """Closed form: every label of annotator "w" contradicts the gold, so all its
    annotations are spammed (P(knowing) = 0 in every E-step) and the EM M-step gives
    theta = s / (n + 2 s) and xi = (counts + s) / (n + k s), s = 0.01 / k."""
    truth = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    given = (truth + 1) % 3
    given[[0, 3]] = 2  # label counts 1, 3, 4 over categories 0, 1, 2
    df = pd.concat([pd.DataFrame({"task": range(8), "worker": "w", "label": given}),
                    pd.DataFrame({"task": range(8), "worker": "v", "label": truth})])
    ann = to_ann(df)
    m = MACE(method="em", n_restarts=2, max_iter=5, random_state=0).fit(
        ann, true_labels=pd.Series(truth))
    s, n = 0.01 / 3, 8
    assert m.competence_["w"] == pytest.approx(s / (n + 2 * s), rel=1e-12)
    npt.assert_allclose(m.strategies_.loc["w"].to_numpy(),
                        (np.bincount(given, minlength=3) + s) / (n + 3 * s), rtol=1e-12)
    npt.assert_array_equal(m.probas_.to_numpy(), np.eye(3)[truth])


# ---------------------------------------------------------------------- properties
@st.composite
def crowds(draw):
    k = draw(st.integers(2, 3))
    n = draw(st.integers(4, 9))
    seed = draw(st.integers(0, 10_000))
    share = draw(st.sampled_from([0.2, 0.5, 1.0]))
    return k, n, seed, share


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@settings(max_examples=20, deadline=None)
@given(crowds())
def test_gold_rows_are_one_hot_and_gold_likelihood_never_falls(case):
    k, n, seed, share = case
    df, truth = simulate(n, 4, 3, k, seed, diag=0.3)
    ann = to_ann(df)
    gold = some_gold(truth, share, seed)
    ds = DawidSkene(max_iter=30, tol=1e-9, floor=0.0).fit(ann, true_labels=gold)
    # EM with clamped gold increases the joint likelihood of labels and gold classes
    assert (np.diff(ds.log_likelihood_) >= -1e-9 * np.abs(ds.log_likelihood_[1:])).all()
    onehot = np.eye(k)[gold.to_numpy()]
    for model in (ds, MajorityVote(), GLAD(max_iter=3), MACE(n_restarts=1, max_iter=3,
                                                             random_state=seed)):
        fitted = model if model is ds else model.fit(ann, gold)
        npt.assert_array_equal(fitted.probas_.loc[gold.index].to_numpy(), onehot)
        assert fitted.gold_.sum() == fitted.n_gold_ == len(gold)
        assert (fitted.labels_.loc[gold.index].to_numpy() == gold.to_numpy()).all()


# -------------------------------------------------------------- arguments and input
@pytest.mark.parametrize("model", [MajorityVote(), DawidSkene(), GLAD(max_iter=2),
                                   MACE(n_restarts=1, max_iter=2, random_state=0)],
                         ids=lambda m: type(m).__name__)
def test_y_dict_and_series_are_the_same_gold(model):
    ann = Annotations.from_wide([["a", "a", "b"], ["a", "b", "b"], ["b", "b", "a"]])
    series = pd.Series(["b", None, "a"], index=[0, 1, 2])
    before = series.copy()
    a = model.fit(ann, true_labels=series).probas_
    pd.testing.assert_series_equal(series, before)  # the caller's Series is unchanged
    b = model.fit(ann, series).probas_
    c = model.fit(ann, true_labels={0: "b", 2: "a"}).probas_
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    pd.testing.assert_series_equal(model.fit_predict(ann, true_labels={0: "b"}),
                                   model.labels_)
    pd.testing.assert_frame_equal(model.fit_predict_proba(ann, {0: "b"}), model.probas_)
    plain = model.fit(ann)
    assert plain.n_gold_ == 0 and not plain.gold_.any()


def test_bad_gold_labels():
    ann = Annotations.from_wide([["a", "a"], ["b", "b"]])
    ds = DawidSkene()
    with pytest.raises(ValueError, match=re.escape(GOLD_BOTH)):
        ds.fit(ann, {0: "a"}, true_labels={0: "a"})
    with pytest.raises(TypeError, match=re.escape(GOLD_TYPE.format("list"))):
        ds.fit(ann, true_labels=["a", "b"])
    with pytest.raises(ValueError) as err:
        ds.fit(ann, true_labels={0: "a", 7: "b", "x": "a"})
    assert str(err.value) == GOLD_UNKNOWN_ITEMS.format(2, "[7, 'x']")
    with pytest.raises(ValueError) as err:
        ds.fit(ann, true_labels={0: "c", 1: "a"})
    assert str(err.value) == GOLD_UNKNOWN_LABELS.format(1, ["a", "b"], "['c']")
    with pytest.raises(ValueError) as err:
        ds.fit(ann, true_labels=pd.Series(["a", "a", "b"], index=[0, 0, 1]))
    assert str(err.value) == GOLD_DUPLICATE_ITEMS.format(1, "[0]")
    many = {i: "a" for i in range(100, 115)}
    with pytest.raises(ValueError, match=r"\(5 more\)"):
        ds.fit(ann, true_labels=many)


def test_numeric_categories_accept_float_gold():
    ann = Annotations.from_wide([[1, 1, 2], [2, 2, 2], [1, 2, 1]])
    gold = pd.Series([2.0, np.nan], index=[0, 1])  # floats because of the NaN
    ds = DawidSkene().fit(ann, true_labels=gold)
    assert ds.labels_.tolist()[0] == 2 and ds.n_gold_ == 1


def test_aggregator_without_gold_support_refuses_it():
    class Uniform(Aggregator):
        def _fit(self, ann):
            return np.full((ann.n_items, ann.n_categories), 1.0 / ann.n_categories)

    ann = Annotations.from_wide([["a", "b"], ["b", "b"]])
    assert Uniform().fit(ann).n_gold_ == 0
    assert Uniform().fit(ann, true_labels={0: None}).n_gold_ == 0  # NaN: no gold
    with pytest.raises(ValueError, match=re.escape(GOLD_UNSUPPORTED.format("Uniform"))):
        Uniform().fit(ann, true_labels={0: "a"})


def test_dask_annotations_refuse_gold():
    dd = pytest.importorskip("dask.dataframe")
    from multiplicity.annotation import DaskAnnotations

    df = pd.DataFrame({"item": [0, 0, 1, 1], "annotator": ["x", "y"] * 2,
                       "label": ["a", "b", "b", "b"]})
    data = DaskAnnotations.from_dask(dd.from_pandas(df, npartitions=1))
    with pytest.raises(TypeError, match=re.escape(GOLD_DASK.format("DawidSkene"))):
        DawidSkene().fit(data, true_labels={0: "a"})
    fitted = MajorityVote().fit(data)
    assert fitted.n_gold_ == 0 and fitted.gold_ is None
