"""Where the tests find their data files.

Every file the default suite reads is in ``tests/data/<name>/``, next to a ``SOURCE.txt``
that gives its origin, licence and how it was made; the bundled data sets of the package
are read through :mod:`multiplicity.datasets`. Nothing outside the repository is read,
with one exception: the COMPAS files of Marx, Calmon & Ustun (2020), ``compas_arrest`` and
``compas_violent``, are GPL-3.0 and are not shipped. Tests that need them read the folder
named by the environment variable ``MULTIPLICITY_EXTRA_DATA``, laid out as::

    $MULTIPLICITY_EXTRA_DATA/compas_arrest/compas_arrest_processed.csv
    $MULTIPLICITY_EXTRA_DATA/compas_violent/compas_violent_processed.csv

(the files of ``data/`` in github.com/charliemarx/pmtools), and skip, saying so, when the
variable is unset or the file is not there. A file of the wrong content fails the test:
its checksum is compared with the one of the published file.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parent / "data"
EXTRA_DATA_ENV = "MULTIPLICITY_EXTRA_DATA"

# name -> (file inside the folder of that name, sha256 of the file in pmtools)
EXTRA_FILES = {
    "compas_arrest": (
        "compas_arrest_processed.csv",
        "1afbb5bf19cad3d3505544d6205e86667ece5ad9c4298c3e2822a6399439e8af",
    ),
    "compas_violent": (
        "compas_violent_processed.csv",
        "229940db9f3a4d047ae0d42f3f629d2a5a5313c801af9094b7a6b4dfb3962907",
    ),
}


def data_path(*parts: str) -> Path:
    """Path of a fixture shipped in ``tests/data``; a missing file is an error, not a skip."""
    path = DATA.joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the test data ship with the repository "
                                "(tests/data); restore it from version control")
    return path


@cache
def _json(*parts: str) -> dict:
    return json.loads(data_path(*parts).read_text(encoding="utf-8"))


def canonical_fixtures() -> dict:
    """``tests/data/agreement_canonical_fixtures/canonical_fixtures.json`` (published examples)."""
    return copy.deepcopy(_json("agreement_canonical_fixtures", "canonical_fixtures.json"))


def irrcac_expected(kind: str = "alpha") -> dict:
    """Expected irrCAC values: ``"alpha"`` (Krippendorff) or ``"chance"`` (Fleiss, Gwet, ...)."""
    name = {"alpha": "irrcac_expected.json", "chance": "irrcac_expected_chance.json"}[kind]
    return copy.deepcopy(_json("irrcac_expected", name))


def irrcac_table(name: str) -> pd.DataFrame:
    """One of Gwet's (2014) example tables, ratings only (units x raters, NaN = missing)."""
    table = canonical_fixtures()["irrcac_gwet_datasets"]["tables"][name]
    df = pd.DataFrame(table["data"], columns=table["columns"])
    return df.drop(columns=[c for c in ("Units", "Group") if c in df.columns])


def extra_data_missing(name: str) -> str | None:
    """Why the GPL data set ``name`` cannot be read (a skip reason), or None when it can."""
    filename, _ = EXTRA_FILES[name]
    folder = os.environ.get(EXTRA_DATA_ENV, "").strip()
    wanted = f"{name}/{filename} (from github.com/charliemarx/pmtools, data/)"
    if not folder:
        return (f"{name} is GPL-3.0 and not shipped: set {EXTRA_DATA_ENV} to a folder "
                f"holding {wanted}")
    if not (Path(folder) / name / filename).is_file():
        return (f"{EXTRA_DATA_ENV}={folder} has no {name}/{filename}: point it to a folder "
                f"holding {wanted}")
    return None


@cache
def _checked_extra_path(name: str, folder: str) -> Path:
    filename, sha256 = EXTRA_FILES[name]
    path = Path(folder) / name / filename
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha256:
        raise AssertionError(f"{path} has sha256 {digest}, not {sha256} (the file in "
                             "pmtools): the values the tests assert are for that file")
    return path


def extra_data_path(name: str) -> Path:
    """Path of the GPL data set ``name`` (``compas_arrest`` or ``compas_violent``).

    Skips the calling test, with a reason that says how to provide the file, when
    ``MULTIPLICITY_EXTRA_DATA`` is unset or lacks the file; fails when the file is not the
    published one.
    """
    reason = extra_data_missing(name)
    if reason is not None:
        pytest.skip(reason)
    return _checked_extra_path(name, os.environ[EXTRA_DATA_ENV].strip())


def load_pmtools_compas(name: str):
    """``(X, y)`` of ``compas_arrest`` or ``compas_violent``: 21 binary features, y in {-1, 1}."""
    df = pd.read_csv(extra_data_path(name))
    y = df.pop(df.columns[0]).to_numpy()
    return df.to_numpy(dtype=float), y
