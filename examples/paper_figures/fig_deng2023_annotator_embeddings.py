"""
Annotator embeddings on GoEmotions (Deng et al. 2023)
=====================================================

Reproduces the idea of Table 2 of Deng, Zhang, Liu, Wu, Wang & Mihalcea (2023), "You Are
What You Annotate: Towards Better Models through Annotator Representations", Findings of
EMNLP: a classifier of (item, annotator) pairs predicts each annotator's own label better
when it is given a learned *annotator embedding* (who is annotating) and an *annotation
embedding* (the labels this annotator gave elsewhere) than from the text alone.

:class:`multiplicity.annotation.AnnotatorEmbeddingClassifier` with TF-IDF features in place
of the paper's BERT encoder, the paper's four variants (text only, + annotator embedding,
+ annotation embedding, + both; ``annotator_bias=False``) and the estimator's default, which
adds a per-annotator offset to both embeddings. As in the paper, 70 % of every annotator's
annotations are for training and 30 % for testing (test items are mostly seen with other
annotators).
Scores on the test annotations: accuracy and macro F1 of the predicted individual label.

Data: bundled GoEmotions per-rater sentiment labels (Ni et al. 2025 "random" subset:
1,000 Reddit comments, 80 raters, 4-5 raters per comment), the binary label "the rater
chose a positive emotion". Default size: the positive group, one seed.
``MULTIPLICITY_PAPER_SIZE=1``: the positive, negative and ambiguous groups, 3 seeds each.

Expected at the default size (accuracy / macro F1): majority class 0.642 / 0.391, text only
and the three embedding variants 0.756 / 0.711 (the embeddings end at zero), the default with
offsets 0.762 / 0.720: the paper's gain is not reproduced with TF-IDF features at this size.

Writes ``docs/figures/deng2023_annotator_embeddings.png`` and ``.json`` (the plotted
numbers), or into ``$MULTIPLICITY_FIGURE_DIR``.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _common, next to this file
import _common
import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score

from multiplicity.annotation import AnnotatorEmbeddingClassifier
from multiplicity.datasets import load_goemotions_disagreement

NAME = "deng2023_annotator_embeddings"
GROUPS = ["positive", "negative", "ambiguous"] if _common.PAPER_SIZE else ["positive"]
SEEDS = [0, 1, 2] if _common.PAPER_SIZE else [0]
VARIANTS = {  # (annotator_embedding, annotation_embedding, annotator_bias)
    "text only": (False, False, False),
    "+ annotator embedding": (True, False, False),
    "+ annotation embedding": (False, True, False),
    "+ both": (True, True, False),
    "+ both + offsets (default)": (True, True, True),
}


def annotation_split(annotators: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """70 % of every annotator's annotations for training, 30 % (rounded) for testing."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for a in np.unique(annotators):
        rows = rng.permutation(np.flatnonzero(annotators == a))
        n_test = round(0.3 * len(rows))
        test.append(rows[:n_test])
        train.append(rows[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def scores(group: str, seed: int) -> dict:
    data = load_goemotions_disagreement(group=group)
    rows = data.data
    text = data.item_table.loc[rows["item"], "text"].to_numpy()
    y, annotators = rows["label"].to_numpy(), rows["annotator"].to_numpy()
    idx_tr, idx_te = annotation_split(annotators, seed)
    majority = np.full(len(idx_te), np.bincount(y[idx_tr]).argmax())
    out = {"accuracy": {"majority class": float(accuracy_score(y[idx_te], majority))},
           "macro_f1": {"majority class": float(f1_score(y[idx_te], majority,
                                                         average="macro"))},
           "n_iter": {}}
    for name, (use_a, use_n, use_b) in VARIANTS.items():
        clf = AnnotatorEmbeddingClassifier(TfidfVectorizer(min_df=2, sublinear_tf=True),
                                           n_components=8, annotator_embedding=use_a,
                                           annotation_embedding=use_n, annotator_bias=use_b,
                                           random_state=seed)
        with warnings.catch_warnings():
            # L-BFGS-B may stop at max_iter on the sparse TF-IDF problem; the model it
            # stops at is the one scored (its iteration count is recorded)
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(text[idx_tr], y[idx_tr], annotators[idx_tr])
        out["n_iter"][name] = int(clf.n_iter_)
        pred = clf.predict(text[idx_te], annotators[idx_te])
        out["accuracy"][name] = float(accuracy_score(y[idx_te], pred))
        out["macro_f1"][name] = float(f1_score(y[idx_te], pred, average="macro"))
    out["n_train"], out["n_test"] = len(idx_tr), len(idx_te)
    return out


def main() -> dict:
    t0 = time.perf_counter()
    runs = {g: [scores(g, s) for s in SEEDS] for g in GROUPS}
    names = ["majority class", *VARIANTS]
    mean = {g: {m: {n: float(np.mean([r[m][n] for r in rs])) for n in names}
                for m in ("accuracy", "macro_f1")} for g, rs in runs.items()}

    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=False)
    width = 0.8 / len(names)
    x = np.arange(len(GROUPS))
    for ax, metric, title in ((axes[0], "accuracy", "accuracy"),
                              (axes[1], "macro_f1", "macro F1")):
        for i, name in enumerate(names):
            vals = [mean[g][metric][name] for g in GROUPS]
            bars = ax.bar(x + (i - (len(names) - 1) / 2) * width, vals, width,
                          label=name, color="0.7" if i == 0 else f"C{i - 1}")
            ax.bar_label(bars, fmt="%.3f", fontsize=7, rotation=90, padding=2)
        ax.set_xticks(x, [f"{g} (GoEmotions)" for g in GROUPS])
        ax.set_title(f"{title} on held-out annotations", fontsize=10)
        lo = min(mean[g][metric][n] for g in GROUPS for n in names)
        ax.set_ylim(max(0.0, lo - 0.1), 1.0)
        ax.grid(alpha=0.3, axis="y")
    axes[0].legend(fontsize=8, loc="upper left", ncols=2)
    fig.suptitle("Predicting each annotator's label: text only vs annotator / annotation "
                 "embeddings")
    fig.tight_layout()
    for g in GROUPS:
        for n in names:
            print(f"{g}: {n:24s} accuracy {mean[g]['accuracy'][n]:.4f}  "
                  f"macro F1 {mean[g]['macro_f1'][n]:.4f}")
    return _common.save(fig, NAME, {"groups": GROUPS, "seeds": SEEDS, "runs": runs,
                                    "mean": mean}, t0)


if __name__ == "__main__":
    main()
