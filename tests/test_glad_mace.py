"""GLAD and MACE: toy data, crowd-kit agreement, invariances and bad input."""

from __future__ import annotations

import datafiles
import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
import scipy.special
from hypothesis import given
from hypothesis import strategies as st

from multiplicity.annotation import Annotations
from multiplicity.annotation import _glad_mace_kernels as K
from multiplicity.annotation._glad_mace import GLAD, MACE

CROWDKIT_MISSING = "crowd-kit (peer library) not installed: pip install -e '.[test]'"


def crowdkit_warnings(f):
    """crowd-kit 1.4 passes ``inplace=True`` and ``copy=False`` to pandas, deprecated in 3.x."""
    if not hasattr(pd.errors, "Pandas4Warning"):  # pandas 2 (the floor): nothing to ignore
        return f
    for msg in ("The inplace keyword", "The copy keyword"):
        f = pytest.mark.filterwarnings(f"ignore:{msg}:pandas.errors.Pandas4Warning")(f)
    return f


def simulate(n_items, n_answers, n_workers, k, seed=0):
    """Long answers (task, worker, label) whose worker and label names sort in order of first
    appearance (crowd-kit's MACE needs that), and the true label by task."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    acc = rng.uniform(0.4, 0.95, n_workers)
    workers = np.argsort(rng.random((n_items, n_workers)), axis=1)[:, :n_answers].ravel()
    items = np.repeat(np.arange(n_items), n_answers)
    t = truth[items]
    label = np.where(rng.random(items.size) < acc[workers], t,
                     (t + rng.integers(1, k, items.size)) % k)
    w_order = pd.unique(workers)
    w_name = {w: f"w{r:04d}" for r, w in enumerate(w_order)}
    l_rank = {lab: r for r, lab in enumerate(pd.unique(label))}
    df = pd.DataFrame({"task": [f"t{i:05d}" for i in items],
                       "worker": [w_name[w] for w in workers],
                       "label": [l_rank[v] for v in label]})
    gt = pd.Series([l_rank.get(v, -1) for v in truth],
                   index=[f"t{i:05d}" for i in range(n_items)])
    return df, gt


def to_ann(df):
    return Annotations.from_long(df, item="task", annotator="worker", label="label")


class StartedMACE(MACE):
    """MACE from given starting weights (spam/know (r, 2), strategies (r, k))."""

    def __init__(self, start=None, **kw):
        super().__init__(**kw)
        self.start = start

    def _initial_weights(self, rng, n_annotators, n_categories):
        if self.start is None:
            return (np.full((n_annotators, 2), 0.5),
                    np.full((n_annotators, n_categories), 1.0 / n_categories))
        return self.start


def crowdkit_start(ann, df, seed=0, noise=0.5):
    """crowd-kit's starting weights, reordered to our annotators and categories."""
    import scipy.stats as sps
    w_names = pd.factorize(df["worker"])[1]
    l_names = pd.factorize(df["label"])[1]
    sk = sps.uniform(1, 1 + noise).rvs(size=(len(w_names), 2), random_state=seed)
    stg = sps.uniform(1, 1 + noise).rvs(size=(len(w_names), len(l_names)), random_state=seed)
    sk, stg = sk / sk.sum(1, keepdims=True), stg / stg.sum(1, keepdims=True)
    w = pd.Index(w_names).get_indexer(ann.annotators)
    c = pd.Index(l_names).get_indexer(ann.categories)
    return sk[w], stg[w][:, c]


# ------------------------------------------------------------------------ toy data
@pytest.fixture(scope="module")
def toy():
    df = pd.read_csv(datafiles.data_path("crowdkit_toy_ysda", "toy_ysda_answers.csv"))
    gt = pd.read_csv(datafiles.data_path("crowdkit_toy_ysda", "toy_ysda_ground_truth.csv"))
    gt = gt.set_index("task")["true_label"]
    return df, gt


def test_glad_recovers_toy_ground_truth(toy):
    df, gt = toy
    g = GLAD().fit(to_ann(df))
    assert g.labels_.tolist() == gt.loc[g.labels_.index].tolist()
    npt.assert_allclose(g.probas_.sum(axis=1), 1.0)
    assert g.n_iter_ == len(g.log_likelihood_history_) >= 1
    npt.assert_allclose(g.difficulties_, np.exp(-g.betas_))
    assert list(g.skills_.index) == ["w1", "w2", "w3", "w4", "w5"]


def test_mace_recovers_toy_ground_truth(toy):
    df, gt = toy
    for method in ("vb", "em"):
        m = MACE(random_state=0, method=method).fit(to_ann(df))
        assert m.labels_.tolist() == gt.loc[m.labels_.index].tolist()
        npt.assert_allclose(m.competence_ + m.spamming_, 1.0)
        npt.assert_allclose(m.strategies_.sum(axis=1), 1.0)
        assert m.restart_log_likelihoods_.max() == m.log_likelihood_
        assert m.log_likelihood_ == m.log_likelihood_history_[-1]


# ------------------------------------------------------------------------ crowd-kit
@crowdkit_warnings
@pytest.mark.parametrize("k", [2, 3])
def test_glad_matches_crowdkit(k):
    crowdkit = pytest.importorskip("crowdkit.aggregation", reason=CROWDKIT_MISSING)
    df, _ = simulate(25, 4, 8, k, seed=k)
    ann = to_ann(df)
    # A few iterations: the same E-step formulas, objective and scipy CG path give the same
    # parameters to rounding (over many iterations the rounding differences of the two
    # implementations grow through the CG line searches; see the default-settings test).
    ours = GLAD(max_iter=4).fit(ann)
    ref = crowdkit.GLAD(n_iter=4).fit(df)
    npt.assert_allclose(ours.skills_, ref.alphas_.loc[ann.annotators], atol=1e-7)
    npt.assert_allclose(ours.betas_, ref.betas_.loc[ann.items], atol=1e-7)
    npt.assert_allclose(ours.log_likelihood_history_, ref.loss_history_, atol=1e-9)
    # crowd-kit's probas_ lag its parameters by one M-step; ours are the E-step at the
    # fitted parameters: equal to the E-step at crowd-kit's parameters.
    a = ref.alphas_.loc[ann.annotators].to_numpy()
    b = ref.betas_.loc[ann.items].to_numpy()
    P = K._glad_e_step(ann.item_ptr, ann.annotator_codes, ann.label_codes,
                       np.full(k, -np.log(k)), a, b)
    npt.assert_allclose(ours.probas_.to_numpy(), P, atol=1e-7)


@crowdkit_warnings
def test_glad_close_to_crowdkit_with_defaults():
    crowdkit = pytest.importorskip("crowdkit.aggregation", reason=CROWDKIT_MISSING)
    df, _ = simulate(25, 4, 8, 3, seed=3)  # a case where the two runs drift apart
    ann = to_ann(df)
    ours = GLAD().fit(ann)
    ref = crowdkit.GLAD().fit(df)
    assert abs(ours.n_iter_ - len(ref.loss_history_)) <= 1
    npt.assert_allclose(ours.skills_, ref.alphas_.loc[ann.annotators], atol=1e-2)
    npt.assert_allclose(ours.betas_, ref.betas_.loc[ann.items], atol=1e-2)
    P = ref.probas_.reindex(index=ann.items, columns=ann.categories).to_numpy()
    npt.assert_allclose(ours.probas_.to_numpy(), P, atol=5e-2)
    assert (ours.labels_ == ref.labels_.loc[ann.items]).mean() >= 0.95


@crowdkit_warnings
@pytest.mark.parametrize("method", ["vb", "em"])
@pytest.mark.parametrize("k", [2, 3])
def test_mace_matches_crowdkit_from_the_same_start(k, method):
    crowdkit = pytest.importorskip("crowdkit.aggregation", reason=CROWDKIT_MISSING)
    df, _ = simulate(40, 4, 10, k, seed=10 + k)
    ann = to_ann(df)
    ours = StartedMACE(start=crowdkit_start(ann, df), n_restarts=1, method=method,
                       max_iter=20).fit(ann)
    ref = crowdkit.MACE(n_restarts=1, method=method, n_iter=20).fit(df)
    P = ref.probas_.reindex(index=ann.items, columns=ann.categories).to_numpy()
    npt.assert_allclose(ours.probas_.to_numpy(), P, atol=1e-8)
    know = ref.spamming_[:, 1] / ref.spamming_.sum(axis=1)
    w = pd.Index(pd.factorize(df["worker"])[1]).get_indexer(ann.annotators)
    npt.assert_allclose(ours.competence_.to_numpy(), know[w], atol=1e-8)
    assert (ours.labels_ == ref.labels_.loc[ann.items]).all()


# ------------------------------------------------------------------------ invariances
@st.composite
def wide_tables(draw):
    n_items = draw(st.integers(3, 7))
    n_ann = draw(st.integers(2, 4))
    k = draw(st.integers(2, 3))
    cells = draw(st.lists(st.one_of(st.none(), st.integers(0, k - 1)),
                          min_size=n_items * n_ann, max_size=n_items * n_ann))
    table = np.array([np.nan if c is None else c for c in cells], dtype=float)
    table = table.reshape(n_items, n_ann)
    table[0, :2] = [0, 1]  # two categories at least
    return table


@given(table=wide_tables(), data=st.data())
def test_invariant_to_item_and_annotator_order(table, data):
    rows = data.draw(st.permutations(range(table.shape[0])))
    cols = data.draw(st.permutations(range(table.shape[1])))
    a = pd.DataFrame(table)
    b = a.iloc[list(rows), list(cols)]
    for model in (GLAD(max_iter=10), StartedMACE(n_restarts=1, max_iter=10)):
        pa = model.fit(Annotations.from_wide(a)).probas_
        pb = model.fit(Annotations.from_wide(b)).probas_.loc[pa.index]
        npt.assert_allclose(pa.to_numpy(), pb.to_numpy(), atol=1e-6)


@given(table=wide_tables(), seed=st.integers(0, 2**16))
def test_mace_invariant_to_item_order_with_random_starts(table, seed):
    a = pd.DataFrame(table)
    b = a.iloc[::-1]
    pa = MACE(n_restarts=2, max_iter=5, random_state=seed).fit(a).probas_
    pb = MACE(n_restarts=2, max_iter=5, random_state=seed).fit(b).probas_.loc[pa.index]
    npt.assert_allclose(pa.to_numpy(), pb.to_numpy(), atol=1e-9)


def test_unrated_items_get_nan_rows():
    table = [[0, 1, 1], [np.nan, np.nan, np.nan], [1, 1, 0], [0, 0, 0]]
    for model in (GLAD(), MACE(n_restarts=2, random_state=1)):
        model.fit(table)
        assert model.probas_.iloc[1].isna().all()
        assert model.labels_.iloc[1] is None
        npt.assert_allclose(model.probas_.drop(index=1).sum(axis=1), 1.0)


def test_glad_priors_and_means():
    table = [[0, 1, 1], [0, 0, 1], [1, 1, 0], [0, 0, 0]]
    skewed = GLAD(class_priors=[0.99, 0.01]).fit(table).probas_[0]
    flat = GLAD().fit(table).probas_[0]
    assert (skewed >= flat - 1e-12).all()
    mu = pd.Series([2.0, 1.0, 0.0], index=[2, 1, 0])
    g = GLAD(alpha_prior_mean=mu, beta_prior_mean=np.zeros(4)).fit(table)
    assert g.skills_[2] > g.skills_[0]


def test_mace_random_state_reproducible():
    df, _ = simulate(30, 3, 8, 3, seed=5)
    a = MACE(random_state=3, n_restarts=3, max_iter=10).fit(to_ann(df))
    b = MACE(random_state=3, n_restarts=3, max_iter=10).fit(to_ann(df))
    npt.assert_array_equal(a.probas_, b.probas_)
    npt.assert_array_equal(a.restart_log_likelihoods_, b.restart_log_likelihoods_)
    c = MACE(random_state=3, n_restarts=1, max_iter=50, tol=1e-3).fit(to_ann(df))
    assert c.n_iter_ <= 50
    assert len(c.log_likelihood_history_) == c.n_iter_


def test_digamma_kernel():
    x = np.array([1e-3, 0.1, 0.5, 1.0, 3.3, 6.0, 10.5, 1e3])
    ours = np.array([K._digamma(v) for v in x])
    npt.assert_allclose(ours, scipy.special.digamma(x), rtol=1e-10, atol=1e-10)


# ------------------------------------------------------------- annotator accuracy
def reference_accuracies(model, df):
    """annotator_accuracy_ by plain loops over the rows of the long table, from the fitted
    parameters: GLAD sigmoid(alpha_j / difficulty_i), MACE theta_j + (1 - theta_j) *
    sum_c P(z_i = c) xi_j[c]; the mean over each annotator's rows."""
    sums: dict = {}
    for task, worker in zip(df["task"], df["worker"], strict=True):
        if isinstance(model, GLAD):
            p = 1.0 / (1.0 + np.exp(-model.skills_[worker] / model.difficulties_[task]))
        else:
            theta = model.competence_[worker]
            hit = sum(model.probas_.loc[task, c] * model.strategies_.loc[worker, c]
                      for c in model.probas_.columns)
            p = theta + (1.0 - theta) * hit
        total, n = sums.get(worker, (0.0, 0))
        sums[worker] = (total + p, n + 1)
    return pd.Series({w: t / n for w, (t, n) in sums.items()})


@pytest.mark.parametrize("model", [GLAD(), MACE(random_state=0, n_restarts=3),
                                   MACE(random_state=1, method="em", n_restarts=2)])
@pytest.mark.parametrize("seed", [0, 1])
def test_annotator_accuracy_matches_the_loop_reference(model, seed):
    df, _ = simulate(60, 4, 12, 3, seed)
    ann = to_ann(df)
    m = model.fit(ann)
    assert isinstance(m.annotator_accuracy_, pd.Series)
    assert m.annotator_accuracy_.index.equals(ann.annotators)
    ref = reference_accuracies(m, df).loc[ann.annotators]
    npt.assert_allclose(m.annotator_accuracy_.to_numpy(), ref.to_numpy(), rtol=1e-10)
    assert ((m.annotator_accuracy_ > 0) & (m.annotator_accuracy_ < 1)).all()
    if isinstance(m, MACE):
        assert (m.annotator_accuracy_ >= m.competence_ - 1e-12).all()


def test_annotator_accuracy_ranks_good_annotators_above_bad_ones():
    rng = np.random.default_rng(7)
    n, k = 300, 3
    truth = rng.integers(0, k, n)
    acc = {"good1": 0.95, "good2": 0.9, "good3": 0.85, "coin": 1 / 3, "bad": 0.5}
    rows = []
    for name, a in acc.items():
        right = rng.random(n) < a
        label = np.where(right, truth, (truth + rng.integers(1, k, n)) % k)
        rows += [(f"t{i}", name, int(v)) for i, v in enumerate(label)]
    df = pd.DataFrame(rows, columns=["task", "worker", "label"])
    for model in (GLAD(), MACE(random_state=0)):
        est = model.fit(to_ann(df)).annotator_accuracy_
        assert list(est.sort_values(ascending=False).index) == [
            "good1", "good2", "good3", "bad", "coin"], type(model).__name__
        # close to the share of each annotator's labels that equal the truth
        observed = df.assign(ok=df["label"].to_numpy() == np.tile(truth, len(acc))
                             ).groupby("worker")["ok"].mean()
        npt.assert_allclose(est.loc[observed.index], observed, atol=0.12)


def test_annotator_without_labels_has_nan_accuracy():
    df = pd.DataFrame({"task": [0, 0, 0, 1, 1, 1, 2, 2, 2, 2],
                       "worker": ["a", "b", "c", "a", "b", "c", "a", "b", "c", "idle"],
                       "label": [1, 1, 0, 0, 0, 0, 1, 1, 1, np.nan]})
    for model in (GLAD(), MACE(random_state=0, n_restarts=2)):
        acc = model.fit(to_ann(df)).annotator_accuracy_
        assert np.isnan(acc["idle"]) and acc.drop("idle").notna().all()


def test_ties_match_the_posteriors():
    # two annotators of the same ability who split an item: an exact 0.5 / 0.5 posterior
    table = [[0, 1], [1, 0], [0, 0], [1, 1], [np.nan, np.nan]]
    for model in (GLAD(), MACE(random_state=0, n_restarts=2)):
        m = model.fit(table)
        P = m.probas_.to_numpy()
        expected = [bool(np.isfinite(row).all() and np.sum(row >= np.nanmax(row) - 1e-9) > 1)
                    for row in P]
        assert m.tied_.tolist() == expected
        assert m.tied_.index.equals(m.probas_.index)
        assert m.n_tied_ == sum(expected)
    df, _ = simulate(50, 3, 6, 2, seed=3)
    g = GLAD().fit(to_ann(df))
    P = g.probas_.to_numpy()
    assert g.tied_.tolist() == [bool(np.sum(row >= row.max() - 1e-9) > 1) for row in P]


# ------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("model, match", [
    (GLAD(max_iter=0), "max_iter"), (GLAD(tol=-1.0), "tol"),
    (GLAD(m_step_max_iter=0), "m_step_max_iter"), (GLAD(m_step_tol=0.0), "m_step_tol"),
    (GLAD(class_priors=[0.5, 0.5, 0.0]), "class_priors"),
    (GLAD(class_priors=[0.2, 0.2]), "class_priors"),
    (GLAD(alpha_prior_mean=[1.0, 2.0]), "alpha_prior_mean"),
    (GLAD(beta_prior_mean=np.nan), "beta_prior_mean"),
    (GLAD(alpha_prior_mean=pd.Series([1.0], index=["zz"])), "alpha_prior_mean"),
    (MACE(max_iter=0), "max_iter"), (MACE(n_restarts=0), "n_restarts"),
    (MACE(tol=-1e-3), "tol"), (MACE(method="gibbs"), "method"), (MACE(alpha=0.0), "alpha"),
    (MACE(beta=-1.0), "beta"), (MACE(strategy_prior=0), "strategy_prior"),
    (MACE(smoothing=0.0), "smoothing"), (MACE(default_noise=-1.0), "default_noise"),
    (MACE(max_iter=2.5), "max_iter"), (MACE(alpha=True), "alpha"),
])
def test_bad_parameters_raise(model, match):
    with pytest.raises(ValueError, match=match):
        model.fit([[0, 1, 1], [0, 0, 1], [1, 1, 0]])


@pytest.mark.parametrize("model", [GLAD(), MACE()])
def test_single_class_and_counts_raise(model):
    with pytest.raises(ValueError, match="single category"):
        model.fit([[1, 1], [1, np.nan]])
    with pytest.raises(ValueError, match="annotator identities"):
        model.fit(Annotations.from_counts([[2, 1], [0, 3]]))


# ------------------------------------------------------------------------ accuracy
@crowdkit_warnings
@pytest.mark.slow
@pytest.mark.parametrize("k", [2, 4])
def test_accuracy_close_to_crowdkit_on_larger_data(k):
    crowdkit = pytest.importorskip("crowdkit.aggregation", reason=CROWDKIT_MISSING)
    df, gt = simulate(600, 7, 60, k, seed=k)
    ann = to_ann(df)
    for ours, ref in ((GLAD().fit(ann), crowdkit.GLAD().fit(df)),
                      (MACE(random_state=0).fit(ann), crowdkit.MACE().fit(df))):
        acc_o = (ours.labels_.to_numpy() == gt.loc[ann.items].to_numpy()).mean()
        acc_r = (ref.labels_.loc[ann.items].to_numpy() == gt.loc[ann.items].to_numpy()).mean()
        assert acc_o >= acc_r - 0.01
