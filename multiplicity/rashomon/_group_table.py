"""The ``by_group`` table that every profile of a Rashomon set returns."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .._groups import small_group_caveat, small_groups

__all__ = ["group_table"]


def group_table(table: dict[str, NDArray], overall: dict[str, Any], grp: Any,
                size: NDArray, n_samples: int, higher_is_worse: set[str]) -> pd.DataFrame:
    """The ``by_group`` table of a profile from its per-group columns.

    ``table`` maps ``"n_samples"`` and each measure to one value per group (in the order
    of ``grp.names``), ``overall`` maps each measure to its value on all samples, ``size``
    holds the group sizes and ``higher_is_worse`` the measures whose worst group is the
    largest (the others': the smallest). Adds ``share`` and ``small``, the rows
    ``"overall"`` and ``"max-min gap"`` and the ``attrs`` documented in
    :meth:`MultiplicityProfile.by_group`.
    """
    names = grp.names
    df = pd.DataFrame(table, index=pd.Index(list(names), name="group"))
    measures = [c for c in df.columns if c != "n_samples"]
    small = small_groups(size, n_samples)
    overall = {"n_samples": n_samples, **{c: overall[c] for c in measures}}
    gap = {c: (df[c].max() - df[c].min()) for c in measures}

    def worst_of(frame: pd.DataFrame) -> dict[str, Any]:
        return {c: (frame[c].idxmax() if c in higher_is_worse else frame[c].idxmin())
                for c in measures}

    worst = worst_of(df)
    large = df[~small]
    worst_large = worst_of(large) if len(large) else dict.fromkeys(measures)
    df.insert(1, "share", size / n_samples)
    df.insert(2, "small", small)
    overall.update(share=1.0, small=pd.NA)
    out = pd.concat([df, pd.DataFrame([overall, gap], index=["overall", "max-min gap"])])
    out.index.name = "group"
    out["n_samples"] = out["n_samples"].astype("Int64")  # <NA> on the gap row
    # True/False, <NA> on overall and gap; object, not pandas' "boolean" dtype, whose
    # DataFrame.round fails on pandas 2.1 (the declared floor)
    out["small"] = pd.array(out["small"], dtype="boolean").astype(object)
    out.attrs["worst_group"] = worst
    out.attrs["worst_large_group"] = worst_large
    out.attrs["small_groups"] = list(df.index[small])
    out.attrs["caveat"] = small_group_caveat(names, size.astype(np.int64), n_samples)
    out.attrs["groups"] = grp.description
    return out

