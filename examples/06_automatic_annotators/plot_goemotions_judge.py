"""May a classifier replace a GoEmotions rater, and how arbitrary are its labels?

The automatic annotator here is a TF-IDF + logistic classifier (scikit-learn's
``SGDClassifier`` with the log loss) standing in for an LLM judge: the statistics take any
labels, whoever produced them. It labels the 1,000 comments of the GoEmotions "Random"
subset (``load_goemotions_disagreement(group="positive")``: did the rater pick a positive
emotion?) by cross-fitting: the comments are split into five folds and each fold is labelled
by a classifier trained on the other four, on the raters' majority label. A run of this
recipe depends on its seed (the fold split and the classifier's initial order of
examples), so ten seeds give ten automatic annotators: a Rashomon set of labelers.

The script reports

1. the alternative annotator test of the seed-0 run (Calderon, Reichart and Dror, 2025),
   with ``epsilon = 0.1``, the authors' advice for crowd workers;
2. its agreement with the raters (Krippendorff's alpha among the raters, with the
   classifier in place of each rater, against the raters' majority vote), with bootstrap
   intervals;
3. the arbitrariness of the labels across the ten seeds: ambiguity and discrepancy
   against the seed-0 run, self-consistency, Rashomon capacity, the selective vote and the
   share of items whose majority label (raters plus the classifier) depends on the seed;
4. its predicted probabilities scored against the raters' label shares, with a
   calibration plot.

Run with ``python examples/06_automatic_annotators/plot_goemotions_judge.py`` (a few
seconds); ``make judge-example`` writes the figure into ``docs/img/`` for the page
"Judging automatic annotators". The numbers it prints are quoted there.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import KFold

from multiplicity.annotation import (
    Annotations,
    MajorityVote,
    alt_test,
    candidate_agreement,
    candidate_distribution_scores,
    labeler_multiplicity,
    plot_calibration,
)
from multiplicity.datasets import load_goemotions_disagreement

N_RUNS = int(os.environ.get("MULTIPLICITY_EXAMPLE_MODELS", "10"))
EPSILON = 0.1  # the alt-test authors' advice for crowd workers
N_FOLDS = 5


def crowd_labels(ann: Annotations) -> pd.Series:
    """The raters' majority label of each comment (ties: the positive label)."""
    shares = pd.DataFrame(ann.counts(), index=ann.items, columns=ann.categories)
    shares = shares.div(shares.sum(axis=1), axis=0)
    return (shares[1] >= 0.5).astype(int)


def cross_fitted_run(texts: pd.Series, target: pd.Series, seed: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Labels and P(label = 1) of every comment, each from a model that never saw it."""
    labels = np.empty(len(texts), dtype=np.int64)
    proba = np.empty(len(texts))
    folds = KFold(N_FOLDS, shuffle=True, random_state=seed)
    for train, test in folds.split(texts):
        vec = TfidfVectorizer(min_df=2, sublinear_tf=True)
        X_train = vec.fit_transform(texts.iloc[train])
        model = SGDClassifier(loss="log_loss", alpha=1e-4, class_weight="balanced",
                              random_state=seed, max_iter=50, tol=None)
        model.fit(X_train, target.iloc[train])
        X_test = vec.transform(texts.iloc[test])
        proba[test] = model.predict_proba(X_test)[:, 1]
        labels[test] = (proba[test] >= 0.5).astype(np.int64)
    return labels, proba


def main() -> dict[str, float]:
    bunch = load_goemotions_disagreement(group="positive")
    ann = Annotations.from_long(bunch.data)
    texts = bunch.item_table["text"].reindex(ann.items)
    target = crowd_labels(ann)

    runs = [cross_fitted_run(texts, target, seed) for seed in range(N_RUNS)]
    seeds = [f"seed {s}" for s in range(N_RUNS)]
    labels = pd.DataFrame(np.vstack([r[0] for r in runs]), index=seeds, columns=ann.items)
    proba = np.stack([r[1] for r in runs])  # (runs, items): P(positive)
    judge = labels.loc["seed 0"].rename("classifier")

    alt = alt_test(ann, judge, epsilon=EPSILON)
    agree = candidate_agreement(ann, judge, random_state=0)
    arbitrariness = labeler_multiplicity(labels, reference="seed 0", probabilities=proba,
                                         annotations=ann)
    distribution = np.column_stack([1 - proba[0], proba[0]])
    scores = candidate_distribution_scores(ann, distribution)
    majority = MajorityVote().fit(ann).labels_

    table = agree.table
    summary = alt.summary().iloc[0]
    numbers = {
        "winning_rate": alt.winning_rate, "rho": alt.rho, "passed": float(alt.passed),
        "n_tested": summary["n_annotators_tested"],
        "n_skipped": summary["n_annotators_skipped"],
        "n_wins": int(alt.table["candidate_wins"].sum()),
        "items_per_rater_min": alt.table.loc[alt.table["tested"], "n_items"].min(),
        "items_per_rater_max": alt.table.loc[alt.table["tested"], "n_items"].max(),
        "alpha_humans": table.loc["humans", "value"],
        "alpha_humans_low": table.loc["humans", "ci_low"],
        "alpha_humans_high": table.loc["humans", "ci_high"],
        "alpha_replace": table.loc["replace (mean)", "value"],
        "alpha_difference": table.loc["replace - humans", "value"],
        "alpha_difference_low": table.loc["replace - humans", "ci_low"],
        "alpha_difference_high": table.loc["replace - humans", "ci_high"],
        "alpha_vs_majority": table.loc["candidate vs majority", "value"],
        "accuracy_vs_majority": float((judge == majority.astype(int)).mean()),
        "ambiguity": arbitrariness.ambiguity, "discrepancy": arbitrariness.discrepancy,
        "unanimous_share": arbitrariness.unanimous_share,
        "abstention_rate": arbitrariness.abstention_rate,
        "aggregate_changes": arbitrariness.aggregate_changes,
        "cross_entropy": scores.loc["soft_cross_entropy", "candidate"],
        "cross_entropy_uniform": scores.loc["soft_cross_entropy", "uniform"],
        "cross_entropy_perfect": scores.loc["soft_cross_entropy", "perfect"],
    }
    print(f"GoEmotions (positive), {ann.n_items:,} comments, {ann.n_annotators} raters, "
          f"{ann.n_annotations:,} labels; {N_RUNS} cross-fitted classifier runs")
    print(alt)
    print(alt.summary().to_string(float_format=lambda v: f"{v:.4f}"))
    headline = [r for r in table.index if not (r.startswith("replace ") and r not in
                                               ("replace (mean)", "replace - humans"))]
    print(table.loc[headline].to_string(float_format=lambda v: f"{v:.4f}"))
    print(arbitrariness.summary().to_string(float_format=lambda v: f"{v:.4f}"))
    print(scores.to_string(float_format=lambda v: f"{v:.4f}"))
    for key, value in numbers.items():
        print(f"{key}: {value:.4f}")

    fig = Figure(figsize=(12.0, 8.0), layout="constrained")
    (ax_alt, ax_agree), (ax_runs, ax_cal) = fig.subplots(2, 2)
    alt.plot(ax=ax_alt)
    agree.plot(ax=ax_agree)
    arbitrariness.plot(ax=ax_runs)
    plot_calibration(ann, distribution, ax=ax_cal)
    out = Path(os.environ.get("MULTIPLICITY_FIGURE_DIR", ".")) / "goemotions_judge.png"
    fig.savefig(out, dpi=80, metadata={"Software": None})
    print(f"figure written to {out}")
    return numbers


if __name__ == "__main__":
    main()
