"""AnnotatorEmbeddingClassifier: gradient, oracles, simulated annotators, invariances, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import numpy.testing as npt
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

import multiplicity
from multiplicity import _errors
from multiplicity.annotation import AnnotatorEmbeddingClassifier
from multiplicity.annotation import _embedding as emb

# (annotator_embedding, annotation_embedding, annotator_bias)
FLAGS = [(False, False, False), (True, False, False), (False, True, False), (True, True, False),
         (False, False, True), (True, True, True)]
FLAG_IDS = ["text", "annotator", "annotation", "both", "offsets", "all"]


# ------------------------------------------------------------------ data
def simulate(seed=0, n_items=200, d=8, per_group=4, per_item=4):
    """Items with a linear truth; three groups of annotators: faithful, flippers (always the
    opposite label) and leaners (label 1 on 70 % of items whatever the truth)."""
    rng = np.random.default_rng(seed)
    X_items = rng.normal(size=(n_items, d))
    truth = (X_items[:, 0] + 0.5 * X_items[:, 1] > 0).astype(int)
    groups = np.repeat([0, 1, 2], per_group)
    pairs = [(i, a) for i in range(n_items)
             for a in rng.choice(groups.size, per_item, replace=False)]
    item, ann = np.array(pairs).T
    y = truth[item].copy()
    g = groups[ann]
    y[g == 1] = 1 - y[g == 1]
    y[(g == 2) & (rng.random(y.size) < 0.7)] = 1
    test = rng.random(y.size) < 0.3
    names = np.array([f"ann{a:02d}" for a in ann])
    return X_items[item], y, names, groups, test


@pytest.fixture(scope="module")
def sim():
    return simulate()


@pytest.fixture(scope="module")
def fitted(sim):
    X, y, ann, _, test = sim
    models = {}
    for (ua, un, ub), name in zip(FLAGS, FLAG_IDS, strict=True):
        models[name] = AnnotatorEmbeddingClassifier(
            n_components=4, annotator_embedding=ua, annotation_embedding=un,
            annotator_bias=ub, max_iter=3000, tol=1e-4, random_state=0).fit(
                X[~test], y[~test], ann[~test])
    return models


def small_problem(seed, n=40, d=5, r=4, k=3, sparse=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    if sparse:
        X[rng.random((n, d)) < 0.5] = 0.0
        X = sp.csr_matrix(X)
    codes = rng.integers(0, r, n)
    y = rng.integers(0, k, n)
    y[:k] = np.arange(k)
    return X, y, codes


# ------------------------------------------------------------------ NumPy oracles
def oracle_loss(blocks, X, codes, y, Q, reg, emb_ratio, use_a, use_n, use_b=False,
                bias_ratio=1.0):
    """The documented objective, row by row with plain loops."""
    X = X.toarray() if sp.issparse(X) else X
    total = 0.0
    for i in range(X.shape[0]):
        s = blocks["W"].T @ X[i] + blocks["b"]
        t = s.copy()
        if use_a:
            e = blocks["E"][codes[i]]
            t = t + float((blocks["Ws"].T @ s) @ (blocks["Wa"].T @ e)) * e
        if use_n:
            en = sum(Q[i, c] * blocks["L"][c] for c in range(Q.shape[1]))
            t = t + float((blocks["Ws"].T @ s) @ (blocks["Wn"].T @ en)) * en
        z = blocks["V"].T @ t + blocks["c"]
        if use_b:
            z = z + blocks["B"][codes[i]]
        z = z - z.max()
        total += np.log(np.exp(z).sum()) - z[y[i]]
    penalty = 0.0
    for name, block in blocks.items():
        if name in ("b", "c"):
            continue
        factor = (emb_ratio if name in ("E", "L", "Ws", "Wa", "Wn")
                  else bias_ratio if name == "B" else 1.0)
        penalty += 0.5 * reg * factor * float((block ** 2).sum())
    return total / X.shape[0] + penalty


def oracle_proba(clf, X, annotators):
    """Class probabilities from the public fitted attributes and the documented fallbacks."""
    maps = clf.compatibility_maps_
    counts = clf.annotator_label_counts_
    out = []
    for i, a in enumerate(annotators):
        s = X[i] @ clf.projection_ + clf.projection_bias_
        t = s.copy()
        known = a in set(clf.annotators_)
        if clf.annotator_embeddings_ is not None:
            e = (clf.annotator_embeddings_.loc[a].to_numpy() if known
                 else clf.annotator_embeddings_.to_numpy().mean(axis=0))
            t = t + ((s @ maps["text"]) @ (e @ maps["annotator"])) * e
        if clf.label_embeddings_ is not None:
            q = (counts.loc[a].to_numpy() / counts.loc[a].sum() if known
                 else clf.population_label_distribution_)
            en = q @ clf.label_embeddings_
            t = t + ((s @ maps["text"]) @ (en @ maps["annotation"])) * en
        z = t @ clf.coef_ + clf.intercept_
        if clf.annotator_offsets_ is not None:
            offsets = clf.annotator_offsets_
            z = z + (offsets.loc[a].to_numpy() if known else offsets.to_numpy().mean(axis=0))
        p = np.exp(z - z.max())
        out.append(p / p.sum())
    return np.array(out)


def _layout_and_start(clf, X, codes, y, use_a, use_n, seed, use_b=False):
    k, r = int(y.max()) + 1, int(codes.max()) + 1
    counts = np.zeros((r, k))
    np.add.at(counts, (codes, y), 1.0)
    clf.population_label_distribution_ = counts.sum(axis=0) / y.size
    Q = clf._training_shares(counts, codes, y)
    rng = np.random.default_rng(seed)
    layout, theta = clf._initial_parameters(rng, X.shape[1], r, k, clf.n_components, counts,
                                            (use_a, use_n, use_b))
    theta = theta + rng.normal(0.0, 0.5, theta.size)
    R = sp.csr_matrix((np.ones(y.size), (codes, np.arange(y.size))), shape=(r, y.size))
    return layout, theta, Q, R


# ------------------------------------------------------------------ gradient and loss
@pytest.mark.parametrize("context", ["all", "leave_one_out"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize(("use_a", "use_n", "use_b"), FLAGS, ids=FLAG_IDS)
def test_gradient_matches_central_differences(use_a, use_n, use_b, sparse, context):
    X, y, codes = small_problem(1, sparse=sparse)
    clf = AnnotatorEmbeddingClassifier(n_components=3, annotation_context=context)
    layout, theta, Q, R = _layout_and_start(clf, X, codes, y, use_a, use_n, seed=2,
                                            use_b=use_b)
    args = (layout, X, codes, Q, y, 0.05, 3.0, use_a, use_n, R, use_b, 0.7)
    f, g = emb._loss_grad(theta, *args)
    # the loss is the documented objective
    npt.assert_allclose(f, oracle_loss(layout.unpack(theta), X, codes, y, Q, 0.05, 3.0,
                                       use_a, use_n, use_b, 0.7), rtol=1e-10)
    step = 1e-6
    num = np.empty_like(theta)
    for j in range(theta.size):
        e = np.zeros_like(theta)
        e[j] = step
        num[j] = (emb._loss_grad(theta + e, *args)[0] - emb._loss_grad(theta - e, *args)[0])
        num[j] /= 2 * step
    npt.assert_allclose(g, num, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("context", ["all", "leave_one_out"])
def test_training_shares_follow_the_context(context):
    X, y, codes = small_problem(3)
    codes[-1] = codes.max() + 1  # an annotator with a single label
    clf = AnnotatorEmbeddingClassifier(annotation_context=context)
    _, _, Q, _ = _layout_and_start(clf, X, codes, y, False, True, seed=0)
    for i in range(y.size):
        others = codes == codes[i]
        if context == "leave_one_out":
            others &= np.arange(y.size) != i
        if others.any():
            expect = np.bincount(y[others], minlength=3) / others.sum()
        else:
            expect = clf.population_label_distribution_
        npt.assert_allclose(Q[i], expect)


def test_leave_one_out_context_leaks_the_label():
    # Labels are coin flips, unrelated to X and annotators: no model can beat log(2) out
    # of sample. Leave-one-out annotation embeddings differ between an annotator's 0 and 1
    # rows, and the annotator embedding tells the model which pair of values to expect, so
    # the training loss falls to about 0; with the "all" context it stays near log(2).
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 3))
    ann = np.repeat(np.arange(12), 20)
    y = rng.integers(0, 2, 240)
    kw = dict(n_components=3, alpha=1e-4, embedding_alpha_ratio=2.0, max_iter=3000,
              random_state=0)
    # The leaking objective has no finite minimiser; SciPy 1.11's L-BFGS-B (the floor) keeps
    # chasing it to max_iter and the estimator says so with a ConvergenceWarning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        loo = AnnotatorEmbeddingClassifier(annotation_context="leave_one_out", **kw).fit(
            X, y, ann)
    full = AnnotatorEmbeddingClassifier(annotation_context="all", **kw).fit(X, y, ann)
    assert loo.loss_ < 0.1
    assert full.loss_ > 0.5


# ------------------------------------------------------------------ oracles of the fit
def test_text_only_is_softmax_regression_on_the_projection():
    # With both embeddings off the fitted (V, c) must be the optimum of an L2 softmax
    # regression on s = W x + b: the same problem as LogisticRegression(C = 1 / (alpha n)).
    X, y, codes = small_problem(4, n=90, d=6)
    alpha = 0.02
    clf = AnnotatorEmbeddingClassifier(n_components=3, annotator_embedding=False,
                                       annotation_embedding=False, annotator_bias=False,
                                       alpha=alpha, tol=1e-10,
                                       max_iter=5000, random_state=0).fit(X, y, codes)
    S = X @ clf.projection_ + clf.projection_bias_
    lr = LogisticRegression(C=1.0 / (alpha * y.size), tol=1e-12, max_iter=10_000).fit(S, y)
    npt.assert_allclose(clf.predict_proba(X, codes), lr.predict_proba(S), atol=1e-5)
    # and the annotators are ignored
    npt.assert_array_equal(clf.predict_proba(X, codes), clf.predict_proba(X, np.zeros_like(codes)))
    assert clf.annotator_embeddings_ is None and clf.label_embeddings_ is None
    assert clf.compatibility_maps_ == {}


@pytest.mark.parametrize("name", FLAG_IDS)
def test_predict_proba_matches_oracle_forward(sim, fitted, name):
    X, _, ann, _, test = sim
    clf = fitted[name]
    ask = ann[test].copy()
    ask[::5] = "newcomer"  # unknown annotators: population fallback
    npt.assert_allclose(clf.predict_proba(X[test], ask), oracle_proba(clf, X[test], ask),
                        rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", FLAG_IDS)
def test_predict_distribution_is_the_pool_mean(sim, fitted, name):
    X, _, _, _, test = sim
    clf = fitted[name]
    items = X[test][:25]
    by_annotator = [clf.predict_proba(items, np.repeat(a, len(items))) for a in clf.annotators_]
    npt.assert_allclose(clf.predict_distribution(items), np.mean(by_annotator, axis=0),
                        rtol=1e-10, atol=1e-12)


def test_predict_distribution_blocks(sim, fitted, monkeypatch):
    X, _, _, _, test = sim
    clf = fitted["both"]
    whole = clf.predict_distribution(X[test])
    monkeypatch.setattr(emb, "_BLOCK_ELEMENTS", 7)
    npt.assert_allclose(clf.predict_distribution(X[test]), whole, rtol=1e-12)


# ------------------------------------------------------------------ simulated annotators
def test_embeddings_beat_text_only_on_biased_annotators(sim, fitted):
    X, y, ann, _, test = sim
    acc = {n: float(np.mean(m.predict(X[test], ann[test]) == y[test])) for n, m in fitted.items()}
    # faithful, flipping and leaning annotators: a text-only model cannot do much better
    # than the majority's view; a model of each annotator can
    assert acc["text"] < 0.75
    assert acc["annotator"] > acc["text"] + 0.2
    assert acc["both"] > acc["text"] + 0.2


def test_annotator_embeddings_recover_the_bias_groups(sim, fitted):
    _, _, _, groups, _ = sim
    E = fitted["annotator"].annotator_embeddings_
    assert list(E.index) == [f"ann{a:02d}" for a in range(groups.size)]
    D = np.linalg.norm(E.to_numpy()[:, None] - E.to_numpy()[None], axis=2)
    np.fill_diagonal(D, np.inf)
    # (almost) every annotator's nearest neighbour in embedding space has the same bias
    assert np.mean(groups[D.argmin(axis=1)] == groups) >= 11 / 12
    np.fill_diagonal(D, np.nan)
    same = groups[:, None] == groups[None, :]
    assert np.nanmean(D[same]) < 0.5 * np.nanmean(D[~same])


def test_flippers_are_predicted_to_flip(sim, fitted):
    X, _, _, groups, test = sim
    clf = fitted["both"]
    items = X[test]
    faithful = clf.predict(items, np.repeat("ann00", len(items)))
    flipper = f"ann{int(np.flatnonzero(groups == 1)[0]):02d}"
    # a text-only model would give both the same label everywhere
    assert np.mean(faithful != clf.predict(items, np.repeat(flipper, len(items)))) > 0.75


def test_offsets_recover_the_leaning_annotators(sim, fitted):
    # leaners give label 1 on 70 % of items whatever the truth: their offset for class 1
    # (relative to class 0) is above every faithful annotator's and every flipper's
    _, _, _, groups, _ = sim
    B = fitted["offsets"].annotator_offsets_
    assert list(B.columns) == [0, 1] and list(B.index) == sorted(B.index)
    lean = (B[1] - B[0]).to_numpy()
    assert lean[groups == 2].min() > lean[groups != 2].max()


def test_full_model_never_ends_above_the_offsets_model(sim):
    # Stages 1-2 are the offsets-only fit; the full model's descent from random embeddings
    # is kept only when it ends lower than that point with the embeddings at zero. With
    # five iterations the descent ends far from any optimum, so the offsets-only point
    # (the same in both models) is kept.
    X, y, ann, _, test = sim
    kw = dict(n_components=4, max_iter=5, random_state=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        offsets = AnnotatorEmbeddingClassifier(annotator_embedding=False,
                                               annotation_embedding=False, **kw).fit(
            X[~test], y[~test], ann[~test])
        full = AnnotatorEmbeddingClassifier(**kw).fit(X[~test], y[~test], ann[~test])
    assert full.loss_ == offsets.loss_
    npt.assert_allclose(full.predict_proba(X[test], ann[test]),
                        offsets.predict_proba(X[test], ann[test]), rtol=0, atol=1e-12)
    assert np.all(full.annotator_embeddings_.to_numpy() == 0)
    # and with enough iterations the embeddings lower the objective further
    full = AnnotatorEmbeddingClassifier(n_components=4, max_iter=3000, tol=1e-4,
                                        random_state=3).fit(X[~test], y[~test], ann[~test])
    assert full.loss_ < offsets.loss_


@pytest.mark.parametrize("seed", range(5))
def test_flippers_are_found_from_every_seed(seed):
    # Half of the annotators flip every label, so the text alone is at chance; the
    # defaults must find the flippers whatever the seed of the initial weights.
    rng = np.random.default_rng(0)
    X_items = rng.normal(size=(150, 6))
    truth = (X_items[:, 0] > 0).astype(int)
    item = np.repeat(np.arange(150), 3)
    who = np.concatenate([rng.choice(6, 3, replace=False) for _ in range(150)])
    y = np.where(who >= 3, 1 - truth[item], truth[item])
    test = rng.random(y.size) < 0.3
    clf = AnnotatorEmbeddingClassifier(n_components=4, random_state=seed).fit(
        X_items[item][~test], y[~test], who[~test])
    assert clf.score(X_items[item][test], y[test], who[test]) > 0.95


# ------------------------------------------------------------------ estimator behaviour
def test_deterministic_for_fixed_random_state(sim):
    X, y, ann, _, test = sim
    kw = dict(n_components=3, max_iter=30, tol=1e-4, random_state=7)
    with pytest.warns(ConvergenceWarning, match="max_iter=30"):
        a = AnnotatorEmbeddingClassifier(**kw).fit(X[~test], y[~test], ann[~test])
    with pytest.warns(ConvergenceWarning):
        b = AnnotatorEmbeddingClassifier(**kw).fit(X[~test], y[~test], ann[~test])
    npt.assert_array_equal(a.predict_proba(X[test], ann[test]),
                           b.predict_proba(X[test], ann[test]))
    assert a.loss_ == b.loss_ and a.n_iter_ == b.n_iter_


def test_clone_and_params():
    clf = AnnotatorEmbeddingClassifier(n_components=3, alpha=0.1, annotation_embedding=False,
                                       random_state=3)
    params = clf.get_params()
    assert params["n_components"] == 3 and params["alpha"] == 0.1
    assert params["annotation_embedding"] is False and params["estimator"] is None
    twin = clone(clf)
    assert twin is not clf and twin.get_params() == params
    twin.set_params(n_components=5)
    assert twin.n_components == 5 and clf.n_components == 3


def test_public_names():
    assert "AnnotatorEmbeddingClassifier" in multiplicity.annotation.__all__
    assert "AnnotatorEmbeddingClassifier" in multiplicity.__all__
    assert multiplicity.AnnotatorEmbeddingClassifier is AnnotatorEmbeddingClassifier


def test_estimator_featurises_text_and_sparse_equals_dense():
    texts = ["good great fine", "awful bad sad", "great good", "bad awful", "fine good",
             "sad bad"] * 6
    y = np.array([1, 0, 1, 0, 1, 0] * 6)
    ann = np.array(["x", "y", "z"] * 12)
    clf = AnnotatorEmbeddingClassifier(TfidfVectorizer(), n_components=2, max_iter=1000,
                                       random_state=0).fit(texts, y, ann)
    assert clf.n_features_ == 6 and not hasattr(clf, "n_features_in_")
    npt.assert_array_equal(clf.predict(["good fine", "awful"], ["x", "y"]), [1, 0])
    Xs = clf.estimator_.transform(texts)
    assert sp.issparse(Xs)
    kw = dict(n_components=2, max_iter=1000, random_state=0)
    a = AnnotatorEmbeddingClassifier(**kw).fit(Xs, y, ann)
    b = AnnotatorEmbeddingClassifier(**kw).fit(Xs.toarray(), y, ann)
    npt.assert_allclose(a.predict_proba(Xs, ann), b.predict_proba(Xs.toarray(), ann),
                        atol=1e-6)
    assert a.n_features_in_ == 6


def test_string_labels_and_score(sim, fitted):
    X, y, ann, _, test = sim
    words = np.array(["no", "yes"])[y]
    clf = AnnotatorEmbeddingClassifier(n_components=4, max_iter=3000, tol=1e-4,
                                       random_state=0)
    clf.fit(X[~test], list(words[~test]), pd.Series(ann[~test]))
    assert clf.classes_.tolist() == ["no", "yes"]
    ref = fitted["all"]
    npt.assert_array_equal(clf.predict(X[test], ann[test]),
                           np.array(["no", "yes"])[ref.predict(X[test], ann[test])])
    assert clf.score(X[test], words[test], ann[test]) == ref.score(X[test], y[test], ann[test])
    c = clf.compatibility(X[test], ann[test])
    assert list(c.columns) == ["alpha", "beta"] and np.isfinite(c.to_numpy()).all()
    assert fitted["text"].compatibility(X[test], ann[test]).isna().all().all()


def test_label_and_annotator_types():
    X = np.random.default_rng(0).normal(size=(8, 2))
    clf = AnnotatorEmbeddingClassifier(n_components=2, max_iter=2000, random_state=0)
    # ids that cannot be sorted keep their order of appearance; 1 and "1" stay distinct
    clf.fit(X, [0, 1] * 4, [2, "b", 1, "1", 2, "b", 1, "1"])
    assert list(clf.annotators_) == [2, "b", 1, "1"]
    assert clf.classes_.dtype.kind == "i" and clf.predict(X, [1] * 8).dtype.kind == "i"
    # refitting without an estimator after one with it, and the other way round
    clf.set_params(estimator=TfidfVectorizer()).fit(["ab cd", "ef"] * 4, [0, 1] * 4, [1] * 8)
    assert not hasattr(clf, "n_features_in_")
    clf.set_params(estimator=None).fit(X, [0, 1] * 4, [1] * 8)
    assert clf.n_features_in_ == 2


def test_inputs_are_not_modified(sim):
    X, y, ann, _, test = sim
    X0, y0, a0 = X[~test].copy(), y[~test].copy(), ann[~test].copy()
    Xc, yc, ac = X0.copy(), y0.copy(), a0.copy()
    clf = AnnotatorEmbeddingClassifier(n_components=2, max_iter=1000, random_state=0)
    clf.fit(Xc, yc, ac)
    clf.predict_distribution(Xc)
    clf.predict(Xc, ac)
    npt.assert_array_equal(Xc, X0)
    npt.assert_array_equal(yc, y0)
    npt.assert_array_equal(ac, a0)


# ------------------------------------------------------------------ invariances
@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), data=st.data())
def test_row_order_and_annotator_names_do_not_matter(seed, data):
    rng = np.random.default_rng(seed)
    n, r = 48, 4
    X = rng.normal(size=(n, 3))
    ann = rng.integers(0, r, n)
    y = (X[:, 0] + rng.normal(0, 0.5, n) > 0).astype(int)
    y[:2] = [0, 1]
    perm = np.asarray(data.draw(st.permutations(range(n))))
    new_names = data.draw(st.lists(st.text(min_size=1, max_size=4), min_size=r, max_size=r,
                                   unique=True))
    kw = dict(n_components=2, alpha=0.05, tol=1e-9, max_iter=5000, random_state=0)
    a = AnnotatorEmbeddingClassifier(**kw).fit(X, y, ann)
    renamed = np.array(new_names, dtype=object)[ann]
    b = AnnotatorEmbeddingClassifier(**kw).fit(X[perm], y[perm], renamed[perm])
    npt.assert_allclose(a.predict_proba(X, ann), b.predict_proba(X, renamed), atol=1e-4)
    npt.assert_allclose(a.predict_distribution(X), b.predict_distribution(X), atol=1e-4)


# ------------------------------------------------------------------ bad input
def test_predict_before_fit():
    clf = AnnotatorEmbeddingClassifier()
    for call in (lambda: clf.predict([[0.0]], ["a"]), lambda: clf.predict_proba([[0.0]], ["a"]),
                 lambda: clf.predict_distribution([[0.0]])):
        with pytest.raises(NotFittedError):
            call()


def test_bad_input_messages():
    X = np.arange(12.0).reshape(6, 2)
    y = [0, 1, 0, 1, 0, 1]
    ann = list("aabbcc")
    clf = AnnotatorEmbeddingClassifier(n_components=2, max_iter=50)
    with pytest.raises(ValueError, match="annotators and y must have the same length"):
        clf.fit(X, y, ann[:5])
    with pytest.raises(ValueError, match="annotators must name at least one annotator"):
        clf.fit(np.zeros((0, 2)), [], [])
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.fit(X, [1] * 6, ann)
    with pytest.raises(ValueError, match="X and y must have the same length"):
        clf.fit(X[:5], y, ann)
    with pytest.raises(ValueError, match=r"annotators contains missing values .* row 2"):
        clf.fit(X, y, ["a", "a", None, "b", "c", "c"])
    with pytest.raises(ValueError, match="y contains missing values"):
        clf.fit(X, [0, 1, np.nan, 1, 0, 1], ann)
    with pytest.raises(ValueError, match="annotators must be 1-D"):
        clf.fit(X, y, np.array(ann).reshape(3, 2))
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        clf.fit(bad, y, ann)
    with pytest.raises(ValueError, match="X contains NaN"):
        clf.fit(sp.csr_matrix(bad), y, ann)
    with pytest.raises(TypeError, match=r"X must be numeric.*estimator="):
        clf.fit(np.array([["a", "b"]] * 6), y, ann)
    with pytest.raises(TypeError, match=r"X must be numeric .*dtype complex"):
        clf.fit(sp.csr_matrix(X.astype(complex)), y, ann)
    with pytest.raises(ValueError, match="n_components"):
        AnnotatorEmbeddingClassifier(n_components=0).fit(X, y, ann)
    with pytest.raises(ValueError, match="annotation_context"):
        AnnotatorEmbeddingClassifier(annotation_context="loo").fit(X, y, ann)

    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y, ann)
    with pytest.raises(ValueError, match=_errors.LENGTH_MISMATCH.format(
            a="annotators", b="X", na=2, nb=6)):
        clf.predict(X, ["a", "b"])
    with pytest.raises(ValueError, match=r"X has 3 features .* fit on 2"):
        clf.predict(np.ones((2, 3)), ["a", "b"])
    with pytest.raises(ValueError, match="X contains NaN"):
        clf.predict_distribution(bad)


# ------------------------------------------------------------------ GoEmotions table
def _table_script():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "annotator_models_table.py"
    spec = importlib.util.spec_from_file_location("annotator_models_table", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, path.parents[1] / "docs" / "annotator_models.md"


@pytest.mark.slow
def test_goemotions_table_in_the_docs_is_reproduced():
    # The docs quote the script's Markdown verbatim; rerun its computation (a few minutes).
    script, docs = _table_script()
    table = script.runs()
    assert script.markdown(table) in docs.read_text()
    # the logistic-regression columns against an independent refit
    s = script.split_features("negative", script.SPLITS[0])
    lr = LogisticRegression(max_iter=2000).fit(s["X_tr"], s["y_tr"])
    ref = 100 * float(np.mean(lr.predict(s["X_te"]) == s["y_te"]))
    got = table.query("group == 'negative' and model == @script.LR_TEXT "
                      "and split == @script.SPLITS[0]")["accuracy"]
    npt.assert_allclose(got.to_numpy(), [ref])
    # the paired gains are the differences of the per-run accuracies
    gains = script.gains(table)
    both = table[table["model"] == script.BOTH].groupby("group")["accuracy"].mean()
    text = table[table["model"] == "text only"].groupby("group")["accuracy"].mean()
    npt.assert_allclose(gains["vs text only"], (both - text).reindex(script.GROUPS))
    # the prose below the table
    rounded = gains.round(1)
    assert rounded.loc[["negative", "ambiguous"], "vs text only"].tolist() == [1.8, 1.3]
    assert rounded[f"vs {script.LR_BIAS}"].tolist() == [0.6, 0.1, 0.3]
    assert int(script.same_as_offsets(table).sum()) == 21


@pytest.mark.slow
def test_goemotions_tuning_table_in_the_docs_is_reproduced():
    # "How the defaults were chosen": the --tuning table (about three minutes).
    script, docs = _table_script()
    assert script.tuning() in docs.read_text()


def test_annotation_split_holds_out_a_share_of_every_annotator():
    script, _ = _table_script()
    ann = np.repeat(np.array(["a", "b", "c"]), [10, 7, 3])
    test = script.annotation_split(ann, 1)
    for a, n in (("a", 10), ("b", 7), ("c", 3)):
        assert test[ann == a].sum() == round(0.3 * n)
    npt.assert_array_equal(test, script.annotation_split(ann, 1))
