"""
Dawid-Skene posteriors on the anaesthesia data (Dawid & Skene 1979)
===================================================================

Reproduces the results of Dawid & Skene (1979), "Maximum Likelihood Estimation of Observer
Error-Rates Using the EM Algorithm", Journal of the Royal Statistical Society C 28(1),
Section 4: five anaesthetists grade 45 patients on a 4-point scale (observer 1 three
times); EM estimates every observer's confusion matrix and the posterior probability of
each patient's true grade. The paper's class proportions are 0.40, 0.42, 0.11 and 0.07,
and the posteriors are nearly certain for almost every patient.

The figure shows the posterior of every patient (:class:`multiplicity.annotation.DawidSkene`)
next to the raw vote shares (:class:`multiplicity.annotation.MajorityVote`), marks the
patients on which the two disagree, and gives each observer's estimated accuracy.

Data: bundled :func:`multiplicity.datasets.load_anaesthesia` (the paper's full data; the
default and paper sizes are the same, ``MULTIPLICITY_PAPER_SIZE`` changes nothing).

Expected: class proportions 0.40, 0.42, 0.11, 0.07 (the paper's); Dawid-Skene and the
majority vote differ on patients 2, 12 and 36.

Writes ``docs/figures/dawid_skene1979_posteriors.png`` and ``.json`` (the plotted numbers),
or into ``$MULTIPLICITY_FIGURE_DIR``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _common, next to this file
import _common
import matplotlib.pyplot as plt
import numpy as np

from multiplicity.annotation import Annotations, DawidSkene, MajorityVote
from multiplicity.datasets import load_anaesthesia

NAME = "dawid_skene1979_posteriors"


def main() -> dict:
    t0 = time.perf_counter()
    ann = Annotations.from_long(load_anaesthesia().data, duplicates="keep")
    ds = DawidSkene().fit(ann)
    mv = MajorityVote().fit(ann)
    post, shares = ds.probas_, mv.probas_
    differ = (ds.labels_ != mv.labels_).to_numpy()
    patients = post.index.to_numpy()
    grades = list(post.columns)

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), width_ratios=[3, 3, 1.3])
    x = np.arange(len(patients))
    for ax, table, title in ((axes[0], post, "Dawid-Skene posterior of the true grade"),
                             (axes[1], shares, "share of the ratings (majority vote)")):
        bottom = np.zeros(len(patients))
        for g, colour in zip(grades, plt.cm.viridis(np.linspace(0.1, 0.9, len(grades))),
                             strict=True):
            ax.bar(x, table[g].to_numpy(), bottom=bottom, color=colour, width=0.9,
                   label=f"grade {g}")
            bottom += table[g].to_numpy()
        for i in np.flatnonzero(differ):
            ax.annotate("*", (x[i], 1.0), ha="center", va="bottom", fontsize=12, color="red")
        ax.set_xticks(x[::4], patients[::4])
        ax.set_xlabel("patient")
        ax.set_ylim(0, 1.12)
        ax.set_title(title, fontsize=10)
    axes[0].legend(fontsize=7, ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.15))
    axes[0].set_ylabel("probability")
    acc = ds.annotator_accuracy_
    axes[2].bar(np.arange(1, len(acc) + 1), acc, color="C0")
    axes[2].set_ylim(0, 1)
    axes[2].set_xlabel("observer")
    axes[2].set_title("estimated accuracy", fontsize=10)
    fig.suptitle("Dawid & Skene (1979) anaesthesia data: 45 patients, 5 observers "
                 "(* = Dawid-Skene and majority vote differ)")
    fig.tight_layout()
    record = {
        "class_priors": [float(v) for v in ds.class_priors_],
        "annotator_accuracy": [float(v) for v in acc],
        "n_iter": int(ds.n_iter_),
        "posteriors": {str(p): [float(v) for v in row] for p, row in zip(
            patients, post.to_numpy(), strict=True)},
        "labels": [int(v) for v in ds.labels_],
        "majority_labels": [int(v) for v in mv.labels_],
        "patients_where_they_differ": [int(p) for p in patients[differ]],
    }
    print("class priors", np.round(ds.class_priors_, 2).tolist())
    print("observer accuracy", np.round(acc, 2).tolist())
    print(f"patients where Dawid-Skene and the majority vote differ: "
          f"{record['patients_where_they_differ']}")
    return _common.save(fig, NAME, record, t0)


if __name__ == "__main__":
    main()
