"""Shared helpers of the dataset loaders: read bundled files, hand out fresh copies."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import pandas as pd

_PACKAGE = "multiplicity.datasets"
_DATA_DIR = "data"


@cache
def _read_bundled_csv(
    name: str, header: int | None = 0, text_columns: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Parse ``datasets/data/<name>`` (gzip CSV) once per process.

    The cached frame is private: callers must copy it (see :func:`read_bundled_csv`).
    Missing-value parsing is switched off (no bundled file has missing cells), so comment
    texts such as "NA" or "null" stay strings.
    """
    resource = files(_PACKAGE) / _DATA_DIR / name
    with resource.open("rb") as fh:
        frame = pd.read_csv(
            fh,
            compression="gzip" if name.endswith(".gz") else None,
            header=header,
            keep_default_na=False,
            dtype=dict.fromkeys(text_columns, str) or None,
        )
    return frame


def read_bundled_csv(
    name: str, *, header: int | None = 0, text_columns: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Return a fresh deep copy of the bundled CSV ``name``.

    Parameters
    ----------
    name : str
        File name inside ``multiplicity/datasets/data/``.
    header : int or None, default=0
        Passed to :func:`pandas.read_csv`.
    text_columns : tuple of str, default=()
        Columns to read as strings.

    Returns
    -------
    pandas.DataFrame
        A copy that the caller may modify freely.
    """
    return _read_bundled_csv(name, header, tuple(text_columns)).copy(deep=True)


def check_option(value: Any, name: str, options: tuple[str, ...]) -> str:
    """Raise ``ValueError`` naming the argument when ``value`` is not one of ``options``."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {list(options)}, got {value!r}")
    return value
