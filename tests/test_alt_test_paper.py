"""The alternative annotator test on the data sets of its paper, against the authors' output.

Calderon, Reichart & Dror (ACL 2025) publish their annotations (github.com/nitaytech/AltTest,
``data/<name>/human_annotations.json`` and ``llm_annotations.json``) and, in the notebook
``alt_test_example.ipynb`` of that repository, the winning rate and the average advantage
probability of every LLM on every data set, printed to two decimals with the epsilon and
scoring function of each data set. The repository has no licence, so its files are not
shipped: the test reads them from ``$MULTIPLICITY_EXTRA_DATA/alttest/<name>/`` (the
``data/<name>/`` folders copied as they are) and skips, saying so, without them.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import pandas as pd
import pytest

from multiplicity.annotation import Annotations, alt_test

ENV = "MULTIPLICITY_EXTRA_DATA"

# data set -> (scoring, epsilon) of the authors' notebook
SETTINGS = {
    "wax": ("accuracy", 0.1), "lgbteen": ("accuracy", 0.2), "mtbench": ("accuracy", 0.2),
    "framing": ("accuracy", 0.15), "cebab_aspects": ("accuracy", 0.1),
    "summeval": ("neg_rmse", 0.2), "10k_prompts": ("neg_rmse", 0.15),
    "cebab_stars": ("neg_rmse", 0.1), "lesion": ("neg_rmse", 0.15),
}
# The notebook's printed output: data set -> LLM -> (winning rate, advantage probability).
PRINTED = {
    "wax": {"gemini_flash": ("0.38", "0.69"), "gemini_pro": ("0.50", "0.74"),
            "gpt-4o": ("0.50", "0.73"), "llama-31": ("0.00", "0.57"),
            "gpt-4o-mini": ("0.00", "0.59"), "mistral-v03": ("0.00", "0.50")},
    "lgbteen": {"gemini_flash": ("0.25", "0.71"), "gemini_pro": ("0.00", "0.67"),
                "gpt-4o": ("0.75", "0.77"), "llama-31": ("0.00", "0.72"),
                "gpt-4o-mini": ("0.75", "0.76"), "mistral-v03": ("0.25", "0.75")},
    "mtbench": {"gemini_flash": ("0.00", "0.72"), "gemini_pro": ("0.00", "0.76"),
                "gpt-4o": ("0.00", "0.77"), "llama-31": ("0.00", "0.69"),
                "gpt-4o-mini": ("0.00", "0.74"), "mistral-v03": ("0.00", "0.68")},
    "framing": {"gemini_flash": ("1.00", "0.83"), "gemini_pro": ("1.00", "0.91"),
                "gpt-4o": ("1.00", "0.92"), "llama-31": ("0.50", "0.80"),
                "gpt-4o-mini": ("1.00", "0.87"), "mistral-v03": ("0.25", "0.80")},
    "cebab_aspects": {"gemini_flash": ("0.70", "0.91"), "gemini_pro": ("0.90", "0.94"),
                      "gpt-4o": ("0.90", "0.93"), "llama-31": ("0.60", "0.89"),
                      "gpt-4o-mini": ("0.50", "0.90"), "mistral-v03": ("0.10", "0.81")},
    "summeval": {"gemini_flash": ("0.00", "0.46"), "gemini_pro": ("0.00", "0.44"),
                 "gpt-4o": ("0.00", "0.48"), "llama-31": ("0.00", "0.58"),
                 "gpt-4o-mini": ("0.00", "0.54"), "mistral-v03": ("0.00", "0.62")},
    "10k_prompts": {"gemini_flash": ("0.31", "0.67"), "gemini_pro": ("0.08", "0.63"),
                    "gpt-4o": ("0.69", "0.76"), "llama-31": ("0.15", "0.67"),
                    "gpt-4o-mini": ("0.92", "0.80"), "mistral-v03": ("0.15", "0.67")},
    "cebab_stars": {"gemini_flash": ("0.60", "0.82"), "gemini_pro": ("0.80", "0.87"),
                    "gpt-4o": ("0.90", "0.90"), "llama-31": ("0.60", "0.85"),
                    "gpt-4o-mini": ("0.90", "0.89"), "mistral-v03": ("0.50", "0.83")},
    "lesion": {"gemini_flash": ("0.17", "0.71"), "gemini_pro": ("1.00", "0.81"),
               "gpt-4o": ("0.00", "0.62"), "gpt-4o-mini": ("0.67", "0.73")},
}


def _folder(name: str) -> Path:
    root = os.environ.get(ENV, "").strip()
    where = ("alttest/<name>/human_annotations.json and llm_annotations.json (the "
             "data/<name>/ folders of github.com/nitaytech/AltTest)")
    if not root:
        pytest.skip(f"the alt-test paper's data have no licence and are not shipped: set "
                    f"{ENV} to a folder holding {where}")
    folder = Path(root) / "alttest" / name
    if not (folder / "human_annotations.json").is_file():
        pytest.skip(f"{ENV}={root} has no {where.replace('<name>', name)}")
    return folder


@pytest.mark.parametrize("name", list(SETTINGS))
def test_winning_rates_and_rho_of_the_paper(name):
    folder = _folder(name)
    humans = json.loads((folder / "human_annotations.json").read_text(encoding="utf-8"))
    llms = json.loads((folder / "llm_annotations.json").read_text(encoding="utf-8"))
    long = pd.DataFrame([(item, annotator, label)
                         for annotator, labels in humans.items()
                         for item, label in labels.items()],
                        columns=["item", "annotator", "label"])
    ann = Annotations.from_long(long)
    scoring, epsilon = SETTINGS[name]
    candidates = pd.DataFrame({llm: pd.Series(labels) for llm, labels in llms.items()})
    with warnings.catch_warnings():
        # some LLMs answer with labels no person used ("None-of-the-above"): disagreements
        warnings.filterwarnings("ignore", message="candidate gives labels the annotators")
        summary = alt_test(ann, candidates, epsilon=epsilon, scoring=scoring).summary()
    got = {llm: (f"{row.winning_rate:.2f}", f"{row.rho:.2f}")
           for llm, row in summary.iterrows()}
    assert got == PRINTED[name]
    assert (summary["passed"] == (summary["winning_rate"] >= 0.5)).all()
