"""Small pieces of report prose that every section builder uses."""

from __future__ import annotations

import numpy as np

from ._context import AuditContext

__all__ = ["count", "dropped_sentence", "pct", "slug", "where_measured"]


def pct(v: float | None) -> str:
    """A share as a percentage with one decimal ("n/a" when undefined)."""
    return "n/a" if v is None or not np.isfinite(v) else f"{100 * v:.1f}%"


def count(v: float, n: int) -> str:
    """How many of ``n`` people a share ``v`` is."""
    return f"{round(v * n):,}"


def slug(text: str) -> str:
    """``text`` as a file-name and anchor fragment."""
    return "".join(c if c.isalnum() else "_" for c in text.lower())


def where_measured(ctx: AuditContext, n: int) -> str:
    """The sentence that says which data the measures come from (and why an in-sample
    figure understates multiplicity)."""
    if ctx.held_out:
        return (f"Every measure below is computed on the held-out data ({n:,} {ctx.subject} "
                "the models were not trained on), unless it says otherwise.")
    return (f"Every measure below is in-sample: computed on the {n:,} "
            f"{ctx.subject} the models were trained on. Models agree more on data they "
            "have seen (a flexible model that fits its training data exactly shows no "
            "disagreement there at all), so these figures understate the multiplicity a "
            "new person meets; pass X_test and y_test to measure it on held-out data.")


def dropped_sentence(n_candidates: int, n_kept: int, kind: str, threshold: float,
                     fmt: str) -> str:
    """The sentence on the given models the set dropped ("" when none was, or when the
    models came as a set or an explorer, which keep only their members)."""
    dropped = n_candidates - n_kept if kind == "models" else 0
    if not dropped:
        return ""
    return (f" The other {dropped} were dropped: their losses exceed the threshold "
            f"{threshold:{fmt}}.")
