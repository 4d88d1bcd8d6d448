"""
Annotator embeddings on GoEmotions: modelling each rater instead of the majority
================================================================================

Deng et al. (2023), "You Are What You Annotate: Towards Better Models through Annotator
Representations" (Findings of EMNLP 2023, arXiv:2305.14663) add two learned annotator
representations to a text classifier and report higher exact-match accuracy on GoEmotions
with BERT (63.0 -> 69.9). We repeat the comparison with TF-IDF features and a learned
linear projection in place of BERT, on the bundled per-rater GoEmotions subsets (Ni et al.
2025; the label is 1 when a rater picked an emotion of the sentiment group).

Part 1, Deng et al.'s annotation split: each annotator's annotations are split 70 / 30
(``random_state=42``), and we report exact-match (EM) accuracy and macro-F1 over the held-out
(item, annotator) rows for the text-only model and the paper's ablations (+ annotator
embedding, + annotation embedding, + both), all without the estimator's per-annotator
offsets, and for the estimator's default (both embeddings and the offsets), as mean and
standard deviation over seeds of the initial weights.

Part 2, held-out items (70 / 30 split of the items, ``random_state=42``): how well
``predict_distribution`` (mean over the rater pool) matches the share of raters who chose
the group, scored by ``variance_correlation`` (higher is better) and
``manhattan_distance`` (lower is better), against a logistic regression trained on all
annotation rows and against the text-only model.

The default run uses one seed; ``MULTIPLICITY_FULL_SIZE=1`` uses the five seeds behind the
table in ``docs/annotator_models.md``.
"""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.preprocessing import OneHotEncoder

from multiplicity.annotation import (
    AnnotatorEmbeddingClassifier,
    manhattan_distance,
    variance_correlation,
)
from multiplicity.datasets import load_goemotions_disagreement

SPLIT_SEED = 42
FULL = os.environ.get("MULTIPLICITY_FULL_SIZE", "0") == "1"
SEEDS = range(5 if FULL else 1)
GROUPS = ("positive", "negative", "ambiguous")
# (annotator_embedding, annotation_embedding, annotator_bias)
VARIANTS = {"text only": (False, False, False), "+ annotator": (True, False, False),
            "+ annotation": (False, True, False), "+ both": (True, True, False),
            "default: + both + offsets": (True, True, True)}
DEFAULT = "default: + both + offsets"
LOO = "+ both, leave-one-out E_n"  # annotation_context="leave_one_out" (the paper's)


def annotation_split(annotators: np.ndarray, test_size: float = 0.3) -> np.ndarray:
    """Boolean test mask: ``test_size`` of every annotator's rows (rounded), the rest train."""
    rng = np.random.default_rng(SPLIT_SEED)
    test = np.zeros(annotators.size, dtype=bool)
    for a in np.unique(annotators):
        rows = rng.permutation(np.flatnonzero(annotators == a))
        test[rows[:round(test_size * rows.size)]] = True
    return test


def tfidf(train_texts) -> TfidfVectorizer:
    return TfidfVectorizer(min_df=2, sublinear_tf=True).fit(train_texts)


def fit(X, y, annotators, use, seed, **kw) -> AnnotatorEmbeddingClassifier:
    """The default model with the ``use`` terms; stopping at max_iter (counted below) is
    part of its tuning."""
    use_a, use_n, use_b = use
    clf = AnnotatorEmbeddingClassifier(annotator_embedding=use_a, annotation_embedding=use_n,
                                       annotator_bias=use_b, random_state=seed, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y, annotators)
    capped.append(clf.n_iter_ == clf.max_iter)
    return clf


start = time.perf_counter()
rows, dist_rows, capped, kept_offsets, majority_share = [], [], [], [], {}
for group in GROUPS:
    goe = load_goemotions_disagreement(group)
    data, items = goe.data, goe.item_table
    texts = items.loc[data["item"], "text"].to_numpy()
    y = data["label"].to_numpy()
    ann = data["annotator"].to_numpy()

    # ---- part 1: annotation split
    test = annotation_split(ann)
    vec = tfidf(items.loc[np.unique(data["item"][~test]), "text"])
    X_tr, X_te = vec.transform(texts[~test]), vec.transform(texts[test])
    runs = [(name, flags, {}) for name, flags in VARIANTS.items()]
    runs.append((LOO, (True, True, False), {"annotation_context": "leave_one_out"}))
    for name, use, kw in runs:
        for seed in SEEDS:
            clf = fit(X_tr, y[~test], ann[~test], use, seed, **kw)
            if name == DEFAULT:  # did the fit keep the model without embeddings?
                kept_offsets.append(not clf.annotator_embeddings_.to_numpy().any())
            pred = clf.predict(X_te, ann[test])
            rows.append({"group": group, "model": name, "seed": seed,
                         "EM accuracy": float(np.mean(pred == y[test])),
                         "macro-F1": f1_score(y[test], pred, average="macro")})
    # references: logistic regression on the text, and with a one-hot annotator column
    onehot = OneHotEncoder(handle_unknown="ignore").fit(ann[~test, None])
    for name, (A_tr, A_te) in {
            "logistic regression": (X_tr, X_te),
            "logistic regression + one-hot annotator": (
                sp.hstack([X_tr, onehot.transform(ann[~test, None])]).tocsr(),
                sp.hstack([X_te, onehot.transform(ann[test, None])]).tocsr())}.items():
        pred = LogisticRegression(max_iter=2000).fit(A_tr, y[~test]).predict(A_te)
        rows.append({"group": group, "model": name, "seed": 0,
                     "EM accuracy": float(np.mean(pred == y[test])),
                     "macro-F1": f1_score(y[test], pred, average="macro")})
    majority_share[group] = max(y[test].mean(), 1 - y[test].mean())

    # ---- part 2: held-out items, predicted vs human label distributions
    rng = np.random.default_rng(SPLIT_SEED)
    test_items = rng.permutation(items.index.to_numpy())[:round(0.3 * len(items))]
    held = data["item"].isin(test_items).to_numpy()
    vec = tfidf(items.loc[items.index.difference(test_items), "text"])
    X_rows = vec.transform(texts[~held])
    X_items = vec.transform(items.loc[test_items, "text"])
    human = items.loc[test_items, "prob_positive"].to_numpy()
    lr = LogisticRegression(max_iter=2000).fit(X_rows, y[~held])
    shares = {("logistic regression (all labels)", 0): lr.predict_proba(X_items)[:, 1]}
    for name in ("text only", "+ annotator", "+ both", "default: + both + offsets"):
        for seed in SEEDS:
            clf = fit(X_rows, y[~held], ann[~held], VARIANTS[name], seed)
            shares[(f"AnnotatorEmbedding, {name}", seed)] = clf.predict_distribution(X_items)[:, 1]
    for (name, seed), q in shares.items():
        dist_rows.append({"group": group, "model": name, "seed": seed,
                          "variance_correlation": variance_correlation(human, q),
                          "manhattan_distance": manhattan_distance(human, q)})

table = pd.DataFrame(rows)
summary = table.groupby(["group", "model"], sort=False)[["EM accuracy", "macro-F1"]].agg(
    ["mean", "std"])
dist = pd.DataFrame(dist_rows).groupby(["group", "model"], sort=False)[
    ["variance_correlation", "manhattan_distance"]].agg(["mean", "std"])
pd.set_option("display.width", 140)
print(f"Annotation split, {len(SEEDS)} seed(s); std over seeds (NaN with one seed)")
print(summary.to_string(float_format=lambda v: f"{v:.3f}"))
print("majority-class share of the test rows:",
      ", ".join(f"{g} {v:.3f}" for g, v in majority_share.items()))
print("\nHeld-out items: predict_distribution vs human shares")
print(dist.to_string(float_format=lambda v: f"{v:.3f}"))

means = summary.xs("mean", axis=1, level=1)
gains = means.unstack("model")
for group in GROUPS:
    base = gains.loc[group, ("EM accuracy", "text only")]
    best = max(VARIANTS, key=lambda m: gains.loc[group, ("EM accuracy", m)])
    print(f"{group}: " + ", ".join(
        f"{m} {gains.loc[group, ('EM accuracy', m)] - base:+.3f}" for m in VARIANTS
        if m != "text only") + " EM vs text only")
    print(f"{group}: text-only EM {base:.3f}; best {best} "
          f"{gains.loc[group, ('EM accuracy', best)]:.3f}")
print(f"{sum(capped)} of {len(capped)} fits stopped at max_iter (last L-BFGS-B stage)")
print(f"annotation split, default model: the fit kept the offsets-only model (embeddings "
      f"all zero) in {sum(kept_offsets)} of {len(kept_offsets)} fits")
print(f"elapsed {time.perf_counter() - start:.0f} s")

fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
width = 0.16
for ax, metric in zip(axes, ("EM accuracy", "macro-F1"), strict=True):
    for j, name in enumerate(VARIANTS):
        m = [summary.loc[(g, name), (metric, "mean")] for g in GROUPS]
        s = [np.nan_to_num(summary.loc[(g, name), (metric, "std")]) for g in GROUPS]
        ax.bar(np.arange(len(GROUPS)) + (j - 2) * width, m, width, yerr=s, capsize=2,
               label=name)
    ax.set_xticks(np.arange(len(GROUPS)), GROUPS)
    ax.set_ylabel(metric)
    ax.set_ylim(0.55, 0.78)
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=5,
           fontsize=8)
fig.suptitle(f"GoEmotions annotation split, TF-IDF, {len(SEEDS)} seed(s)", fontsize=10)
out = Path(os.environ.get("MULTIPLICITY_FIGURE_DIR", ".")) / "annotator_embeddings.png"
fig.savefig(out, dpi=110)
print(f"figure written to {out}")
