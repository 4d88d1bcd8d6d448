"""Shared set-up of the paper-figure scripts (a helper module, not a figure script).

Each ``fig_*.py`` script imports it from its own folder; it gives

- ``PAPER_SIZE``: whether ``MULTIPLICITY_PAPER_SIZE`` asks for the paper's size (unset,
  empty or ``0``: the small default size);
- ``out_dir()``: ``$MULTIPLICITY_FIGURE_DIR``, or ``docs/figures`` of the repository;
- ``extra_data(name, filename, origin)``: a data file that is not shipped (the GPL-3.0
  COMPAS files of Marx et al.), read from the folder named by ``MULTIPLICITY_EXTRA_DATA`` as
  ``$MULTIPLICITY_EXTRA_DATA/<name>/<filename>``;
- ``german_credit()`` and ``compas()``: the bundled data as the scripts use them;
- ``save(fig, name, record, started)``: writes ``<name>.png`` and ``<name>.json`` (the
  plotted numbers and parameters, never timings, so that a rerun of a deterministic script
  rewrites the same bytes), prints the elapsed time and the line ``figure written to ...``.

Importing it selects the non-interactive Agg backend of matplotlib.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from multiplicity.datasets import load_compas, load_german_credit

HERE = Path(__file__).resolve().parent
PAPER_SIZE = os.environ.get("MULTIPLICITY_PAPER_SIZE", "0").strip() not in {"", "0"}
EXTRA_DATA_ENV = "MULTIPLICITY_EXTRA_DATA"


def out_dir() -> Path:
    """Where the figures go: ``$MULTIPLICITY_FIGURE_DIR`` or the repository's docs/figures."""
    return Path(os.environ.get("MULTIPLICITY_FIGURE_DIR")
                or HERE.parents[1] / "docs" / "figures")


def extra_data(name: str, filename: str, origin: str) -> Path:
    """``$MULTIPLICITY_EXTRA_DATA/<name>/<filename>``; exits with what to do when it is absent.

    ``origin`` says where the file can be obtained (it is printed in the message).
    """
    folder = os.environ.get(EXTRA_DATA_ENV, "").strip()
    if not folder:
        raise SystemExit(f"{name} is not shipped with the package: set {EXTRA_DATA_ENV} to a "
                         f"folder holding {name}/{filename} ({origin})")
    path = Path(folder) / name / filename
    if not path.is_file():
        raise SystemExit(f"{EXTRA_DATA_ENV}={folder} has no {name}/{filename} ({origin})")
    return path


def german_credit() -> tuple[np.ndarray, np.ndarray]:
    """Bundled German credit: categorical features one-hot encoded, all standardised."""
    data = load_german_credit()
    X = pd.get_dummies(data.data, drop_first=True).to_numpy(dtype=float)
    return (X - X.mean(axis=0)) / X.std(axis=0), data.target.to_numpy()


def compas() -> tuple[np.ndarray, np.ndarray]:
    """Bundled COMPAS (12 binary features) as float arrays."""
    data = load_compas()
    return data.data.to_numpy(dtype=float), data.target.to_numpy()


def save(fig, name: str, record: dict, started: float) -> dict:
    """Write the figure as ``<name>.png`` and its numbers as ``<name>.json``.

    The JSON record starts with the figure's name and ``paper_size``; ``started`` (a
    ``time.perf_counter()`` value) gives the elapsed time, printed and not recorded.
    Returns the record as written.
    """
    out = out_dir()
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / f"{name}.png", dpi=100)
    plt.close(fig)
    record = {"figure": name, "paper_size": PAPER_SIZE, **record}
    (out / f"{name}.json").write_text(json.dumps(record, indent=1))
    print(f"{time.perf_counter() - started:.1f} s in all")
    print(f"figure written to {out / (name + '.png')}")
    return record
