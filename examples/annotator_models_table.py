"""AnnotatorEmbeddingClassifier against two baselines on the GoEmotions rater subsets.

For each sentiment group of ``load_goemotions_disagreement`` (positive, negative, ambiguous),
each annotator's rows are split 70 / 30 into train and test (three random splits, seeds
``SPLITS``), TF-IDF features are fitted on the training items (``min_df=2``, sublinear tf),
and exact-match accuracy over the held-out (item, annotator) rows is reported for

- logistic regression on the text (scikit-learn defaults, ``C=1``),
- logistic regression on the text plus a one-hot annotator column (a per-annotator bias),
- ``AnnotatorEmbeddingClassifier`` with its defaults, and its ablations: text only (no
  annotator term), per-annotator offsets only, the two embeddings without offsets (the model
  of Deng et al.), offsets with each embedding alone, and everything (the default),

each model with three seeds of its initial weights (``SEEDS``) per split, so the embedding
models have 9 runs per group and the deterministic logistic regressions 3. The table gives the
mean and standard deviation over the runs, in accuracy points (percent); the gains of the
default model are paired by split and seed. Deterministic: the splits and seeds are fixed and
BLAS runs on one thread. Run with ``python examples/annotator_models_table.py`` (about two
minutes); it prints the Markdown table quoted in ``docs/annotator_models.md``.

``--tuning`` prints instead the table behind the choice of the defaults: on five other
splits (``TUNING_SPLITS``, not used in the main table) and two seeds, the gain in points of
a few settings over the one-hot bias baseline, and of that baseline with ``C=3``.
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
TUNING_SPLITS = (0, 4, 5, 6, 7)
TUNING_SEEDS = (0, 1)
_OFF = {"annotator_embedding": False, "annotation_embedding": False}
TUNING = {  # label -> AnnotatorEmbeddingClassifier parameters (defaults otherwise)
    "text only": {**_OFF, "annotator_bias": False},
    "offsets only": _OFF,
    "both embeddings, no offsets, `embedding_alpha_ratio=2`":
        {"annotator_bias": False, "embedding_alpha_ratio": 2.0},
    "both embeddings, no offsets, `embedding_alpha_ratio=10`": {"annotator_bias": False},
    "default with `embedding_alpha_ratio=2`": {"embedding_alpha_ratio": 2.0},
    "default with `embedding_alpha_ratio=5`": {"embedding_alpha_ratio": 5.0},
    "default (`embedding_alpha_ratio=10`)": {},
    "default with `embedding_alpha_ratio=30`": {"embedding_alpha_ratio": 30.0},
}
LR_BIAS_C3 = "logistic regression, text + one-hot annotator, `C=3`"
TEST_SIZE = 0.3
LR_TEXT = "logistic regression, text"
LR_BIAS = "logistic regression, text + one-hot annotator"
# (annotator_embedding, annotation_embedding, annotator_bias)
VARIANTS = {"text only": (False, False, False),
            "offsets only": (False, False, True),
            "both embeddings, no offsets": (True, True, False),
            "offsets + annotator embedding": (True, False, True),
            "offsets + annotation embedding": (False, True, True),
            "offsets + both embeddings (default)": (True, True, True)}
MODELS = (LR_TEXT, LR_BIAS, *VARIANTS)
BOTH = "offsets + both embeddings (default)"


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


def logistic_accuracy(s: dict, one_hot: bool, C: float = 1.0) -> float:
    X_tr, X_te = s["X_tr"], s["X_te"]
    if one_hot:
        enc = OneHotEncoder(handle_unknown="ignore").fit(s["a_tr"][:, None])
        X_tr = sp.hstack([X_tr, enc.transform(s["a_tr"][:, None])]).tocsr()
        X_te = sp.hstack([X_te, enc.transform(s["a_te"][:, None])]).tocsr()
    pred = LogisticRegression(C=C, max_iter=2000).fit(X_tr, s["y_tr"]).predict(X_te)
    return float(np.mean(pred == s["y_te"]))


def embedding_accuracy(s: dict, use: tuple[bool, bool, bool], seed: int
                       ) -> tuple[float, bool]:
    """Accuracy of the default model with the ``use`` terms, whether a stage stopped at
    max_iter, and the predicted probabilities of the test rows."""
    use_a, use_n, use_b = use
    clf = AnnotatorEmbeddingClassifier(annotator_embedding=use_a, annotation_embedding=use_n,
                                       annotator_bias=use_b, random_state=seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        clf.fit(s["X_tr"], s["y_tr"], s["a_tr"])
    capped = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    proba = clf.predict_proba(s["X_te"], s["a_te"])
    accuracy = float(np.mean(clf.classes_[proba.argmax(axis=1)] == s["y_te"]))
    return accuracy, capped, proba


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
                                 "capped": False, "proba": None})
                for name, use in VARIANTS.items():
                    for seed in SEEDS:
                        acc, capped, proba = embedding_accuracy(s, use, seed)
                        rows.append({"group": group, "model": name, "split": split,
                                     "seed": seed, "accuracy": 100 * acc, "capped": capped,
                                     "proba": proba})
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


def same_as_offsets(table: pd.DataFrame) -> pd.Series:
    """Per (group, split, seed): does the default predict what the offsets-only model does?"""
    key = ["group", "split", "seed"]
    both = table[table["model"] == BOTH].set_index(key)["proba"]
    offsets = table[table["model"] == "offsets only"].set_index(key)["proba"]
    return pd.Series([np.allclose(both[i], offsets[i], rtol=0, atol=1e-9) for i in both.index],
                     index=both.index)


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
        lines.append(f"| gain of the default over {base} | " + " | ".join(cells) + " |")
    capped = table[table["model"].isin(VARIANTS)]["capped"]
    lines.append("")
    lines.append(f"{int(capped.sum())} of {capped.size} fits of this package's models had a "
                 "stage stop at max_iter.")
    same = same_as_offsets(table)
    lines.append(f"The default predicts the same probabilities as the offsets-only model "
                 f"(to 1e-9) in {int(same.sum())} of {same.size} runs.")
    return "\n".join(lines)


def tuning() -> str:
    """Markdown table: mean gain in points over the one-hot bias baseline (``C=1``) on the
    tuning splits, per group, for each setting of ``TUNING`` and for that baseline with
    ``C=3``."""
    gain: dict[str, dict[str, list[float]]] = {}
    with threadpool_limits(limits=1):
        for group in GROUPS:
            for split in TUNING_SPLITS:
                s = split_features(group, split)
                base = 100 * logistic_accuracy(s, True)
                gain.setdefault(LR_BIAS_C3, {}).setdefault(group, []).append(
                    100 * logistic_accuracy(s, True, C=3.0) - base)
                for name, params in TUNING.items():
                    for seed in TUNING_SEEDS:
                        clf = AnnotatorEmbeddingClassifier(random_state=seed, **params)
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore", ConvergenceWarning)
                            clf.fit(s["X_tr"], s["y_tr"], s["a_tr"])
                        acc = np.mean(clf.predict(s["X_te"], s["a_te"]) == s["y_te"])
                        gain.setdefault(name, {}).setdefault(group, []).append(
                            100 * acc - base)
    lines = ["| setting, on the tuning splits | " + " | ".join(GROUPS) + " |",
             "|---|" + "---|" * len(GROUPS)]
    for name in (*TUNING, LR_BIAS_C3):
        cells = [f"{np.mean(gain[name][g]):+.1f}".replace("-", "\u2212") for g in GROUPS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(tuning() if "--tuning" in sys.argv[1:] else markdown(runs()))
