"""AnnotatorEmbeddingClassifier against two baselines on the GoEmotions rater subsets.

For each sentiment group of ``load_goemotions_disagreement`` (positive, negative, ambiguous),
each annotator's rows are split 70 / 30 into train and test (three random splits, seeds
``SPLITS``), TF-IDF features are fitted on the training items (``min_df=2``, sublinear tf),
and exact-match accuracy over the held-out (item, annotator) rows is reported for

- logistic regression on the text (scikit-learn defaults, ``C=1``),
- logistic regression on the text plus a one-hot annotator column (a per-annotator bias),
- ``AnnotatorEmbeddingClassifier`` with its defaults: text only (both embeddings off), each
  embedding alone, and both (the estimator's default),

each model with three seeds of its initial weights (``SEEDS``) per split, so the embedding
models have 9 runs per group and the deterministic logistic regressions 3. The table gives the
mean and standard deviation over the runs, in accuracy points (percent); the gains of the
default model are paired by split and seed. Deterministic: the splits and seeds are fixed and
BLAS runs on one thread. Run with ``python examples/annotator_models_table.py`` (a few
minutes); it prints the Markdown table quoted in ``docs/annotator_models.md``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import OneHotEncoder
from threadpoolctl import threadpool_limits

from multiplicity.annotation import AnnotatorEmbeddingClassifier
from multiplicity.datasets import load_goemotions_disagreement

GROUPS = ("positive", "negative", "ambiguous")
SPLITS = (1, 2, 3)
SEEDS = (0, 1, 2)
TEST_SIZE = 0.3
LR_TEXT = "logistic regression, text"
LR_BIAS = "logistic regression, text + one-hot annotator"
VARIANTS = {"text only": (False, False), "+ annotator embedding": (True, False),
            "+ annotation embedding": (False, True), "+ both (default)": (True, True)}
MODELS = (LR_TEXT, LR_BIAS, *VARIANTS)
BOTH = "+ both (default)"


def annotation_split(annotators: np.ndarray, seed: int) -> np.ndarray:
    """Test mask: ``TEST_SIZE`` of every annotator's rows (rounded), drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    test = np.zeros(annotators.size, dtype=bool)
    for a in np.unique(annotators):
        rows = rng.permutation(np.flatnonzero(annotators == a))
        test[rows[:round(TEST_SIZE * rows.size)]] = True
    return test


def split_features(group: str, seed: int) -> dict:
    """TF-IDF features of one split (fitted on the training items), computed once."""
    goe = load_goemotions_disagreement(group)
    data, items = goe.data, goe.item_table
    texts = items.loc[data["item"], "text"].to_numpy()
    y = data["label"].to_numpy()
    ann = data["annotator"].to_numpy()
    test = annotation_split(ann, seed)
    vec = TfidfVectorizer(min_df=2, sublinear_tf=True).fit(
        items.loc[np.unique(data["item"].to_numpy()[~test]), "text"])
    return {"X_tr": vec.transform(texts[~test]), "X_te": vec.transform(texts[test]),
            "y_tr": y[~test], "y_te": y[test], "a_tr": ann[~test], "a_te": ann[test]}


def logistic_accuracy(s: dict, one_hot: bool) -> float:
    X_tr, X_te = s["X_tr"], s["X_te"]
    if one_hot:
        enc = OneHotEncoder(handle_unknown="ignore").fit(s["a_tr"][:, None])
        X_tr = sp.hstack([X_tr, enc.transform(s["a_tr"][:, None])]).tocsr()
        X_te = sp.hstack([X_te, enc.transform(s["a_te"][:, None])]).tocsr()
    pred = LogisticRegression(max_iter=2000).fit(X_tr, s["y_tr"]).predict(X_te)
    return float(np.mean(pred == s["y_te"]))


def embedding_accuracy(s: dict, use_a: bool, use_n: bool, seed: int) -> tuple[float, bool]:
    """Accuracy of the default model, and whether it stopped at max_iter."""
    clf = AnnotatorEmbeddingClassifier(annotator_embedding=use_a, annotation_embedding=use_n,
                                       random_state=seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        clf.fit(s["X_tr"], s["y_tr"], s["a_tr"])
    capped = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return float(np.mean(clf.predict(s["X_te"], s["a_te"]) == s["y_te"])), capped


def runs() -> pd.DataFrame:
    """One row per (group, model, split, seed) with the accuracy in points."""
    rows = []
    with threadpool_limits(limits=1):
        for group in GROUPS:
            for split in SPLITS:
                s = split_features(group, split)
                for name, one_hot in ((LR_TEXT, False), (LR_BIAS, True)):
                    rows.append({"group": group, "model": name, "split": split, "seed": 0,
                                 "accuracy": 100 * logistic_accuracy(s, one_hot),
                                 "capped": False})
                for name, (use_a, use_n) in VARIANTS.items():
                    for seed in SEEDS:
                        acc, capped = embedding_accuracy(s, use_a, use_n, seed)
                        rows.append({"group": group, "model": name, "split": split,
                                     "seed": seed, "accuracy": 100 * acc, "capped": capped})
    return pd.DataFrame(rows)


def gains(table: pd.DataFrame) -> pd.DataFrame:
    """Gain of the default model (both embeddings) over each baseline, per group, in points:
    mean and std over the runs, paired by split (and seed for the text-only model)."""
    out = {}
    both = table[table["model"] == BOTH].set_index(["group", "split", "seed"])["accuracy"]
    for base in ("text only", LR_TEXT, LR_BIAS):
        ref = table[table["model"] == base]
        if base == "text only":
            d = both - ref.set_index(["group", "split", "seed"])["accuracy"]
        else:
            ref = ref.set_index(["group", "split"])["accuracy"]
            d = both - ref.reindex(both.index.droplevel("seed")).to_numpy()
        g = d.groupby(level="group", sort=False)
        out[f"vs {base}"] = g.mean().reindex(list(GROUPS))
        out[f"vs {base} std"] = g.std().reindex(list(GROUPS))
    return pd.DataFrame(out)


def markdown(table: pd.DataFrame) -> str:
    summary = table.groupby(["model", "group"])["accuracy"].agg(["mean", "std"])
    lines = ["| model | " + " | ".join(GROUPS) + " |", "|---|" + "---|" * len(GROUPS)]
    for model in MODELS:
        cells = [f"{summary.loc[(model, g), 'mean']:.1f} ± {summary.loc[(model, g), 'std']:.1f}"
                 for g in GROUPS]
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    gain = gains(table)
    for base in ("text only", LR_TEXT, LR_BIAS):
        cells = [f"{gain.loc[g, f'vs {base}']:+.1f} ± {gain.loc[g, f'vs {base} std']:.1f}"
                 for g in GROUPS]
        lines.append(f"| gain of + both over {base} | " + " | ".join(cells) + " |")
    capped = table[table["model"].isin(VARIANTS)]["capped"]
    lines.append("")
    lines.append(f"{int(capped.sum())} of {capped.size} embedding-model fits stopped at "
                 "max_iter.")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(runs()))
