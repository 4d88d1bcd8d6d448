"""Agreement per tag of set-valued labels: each tag read as a yes/no label."""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import pandas as pd

from . import _agreement
from ._container import check_annotations
from ._container_sets import NOT_SET_VALUED

__all__ = ["tag_agreement"]

_DEFAULT = ("krippendorff_alpha", "fleiss_kappa", "gwet_ac1", "percent_agreement")

# Error messages (tests import them).
CI_OPTION = "ci must be 'bootstrap', 'analytic' or None, got {got!r}"
NO_SETS = NOT_SET_VALUED


def tag_agreement(data: Any, coefficients: Any = None, *,
                  ci: Literal["bootstrap", "analytic"] | None = None,
                  confidence: float = 0.95, n_resamples: int = 1000,
                  random_state: int | np.random.Generator | None = None) -> pd.DataFrame:
    """Agreement on every tag of set-valued labels, each tag read as a yes/no label.

    For each tag the labels become :meth:`Annotations.binary` (1 when an annotator's set
    holds the tag, 0 when it does not), and the coefficients are computed on that table.

    Parameters
    ----------
    data : Annotations or table accepted by :meth:`Annotations.from_wide`
        Set-valued labels (see :meth:`Annotations.from_long`).
    coefficients : None, str, list or dict, default=None
        As in :func:`agreement`: names of its coefficients, ``(name, kwargs)`` pairs or a
        dict name -> kwargs. None: Krippendorff's alpha (nominal), Fleiss' kappa, Gwet's
        AC1 and percent agreement.
    ci : {"bootstrap", "analytic"} or None, default=None
        Also the standard errors and confidence intervals of :func:`agreement` (its
        bootstrap over items, or the analytic variance), per tag.
    confidence, n_resamples, random_state
        As in :func:`agreement` (used with ``ci``). Each tag's bootstrap draws its own
        seed from ``random_state``.

    Returns
    -------
    DataFrame
        One row per tag (index ``tag``, in the order of :attr:`Annotations.tags`), columns
        ``n_items_with_tag`` (items at least one annotator gave the tag),
        ``prevalence`` (share of all labels that hold the tag), then one column per
        coefficient, and with ``ci`` the columns ``<coefficient>_se``,
        ``<coefficient>_ci_low`` and ``<coefficient>_ci_high``. A coefficient undefined
        for a tag (e.g. a tag nobody or everybody gave, so that the yes/no table has a
        single value) is NaN, and ``attrs["undefined"]`` maps the tag to
        ``{coefficient: reason}``. ``attrs["ci"]``, ``attrs["confidence"]`` and
        ``attrs["n_resamples"]`` record the settings.

    Raises
    ------
    ValueError
        When the labels are not sets, for an unknown coefficient or ``ci``, or for a
        coefficient's own bad arguments.

    Examples
    --------
    >>> from multiplicity.annotation import Annotations
    >>> ann = Annotations.from_wide([[{"joy", "surprise"}, {"joy"}, {"joy"}],
    ...                              [{"anger"}, {"anger"}, set()],
    ...                              [{"joy"}, {"surprise"}, {"joy", "surprise"}],
    ...                              [set(), {"anger"}, {"anger"}]])
    >>> table = tag_agreement(ann, ["krippendorff_alpha", "percent_agreement"])
    >>> table.round(3)
              n_items_with_tag  prevalence  krippendorff_alpha  percent_agreement
    tag
    anger                    2       0.333               0.312              0.667
    joy                      2       0.417               0.686              0.833
    surprise                 2       0.250               0.185              0.667
    """
    ann = check_annotations(data)
    if not ann.is_set_valued:
        raise ValueError(NO_SETS.format(what="tag_agreement",
                                        cats=list(ann.categories[:5])))
    if ci not in ("bootstrap", "analytic", None):
        raise ValueError(CI_OPTION.format(got=ci))
    requests = _agreement._requests(list(_DEFAULT) if coefficients is None else coefficients,
                                    ann)
    rng = np.random.default_rng(random_state)
    tags = ann.tags
    rows: list[dict[str, float]] = []
    undefined: dict[Any, dict[str, str]] = {}
    for tag in tags:
        view = ann.binary(tag)
        holds = view.label_codes == 1
        row: dict[str, float] = {
            "n_items_with_tag": int(np.count_nonzero(
                np.bincount(view.item_codes[holds], minlength=view.n_items))),
            "prevalence": float(np.mean(holds)) if holds.size else math.nan}
        defined = []
        for label, name, kwargs in requests:
            value, reason = _value(view, name, kwargs)
            row[label] = value
            if reason is not None:
                undefined.setdefault(tag, {})[label] = reason
            elif math.isfinite(value):
                defined.append((label, name, kwargs))
        seed = int(rng.integers(0, 2**31 - 1))
        if ci is not None:
            intervals = _agreement.agreement(
                view, [(name, kwargs) for _, name, kwargs in defined], ci=ci,
                confidence=confidence, n_resamples=n_resamples,
                random_state=seed) if defined else None
            for label, _, _ in requests:
                for col in ("se", "ci_low", "ci_high"):
                    row[f"{label}_{col}"] = (float(intervals.loc[label, col])
                                             if intervals is not None and
                                             label in intervals.index else math.nan)
        rows.append(row)
    out = pd.DataFrame(rows, index=pd.Index(tags, name="tag"))
    out["n_items_with_tag"] = out["n_items_with_tag"].astype(np.int64)
    out.attrs.update(undefined=undefined, ci=ci,
                     confidence=float(confidence) if ci is not None else None,
                     n_resamples=n_resamples if ci == "bootstrap" else None)
    return out


def _value(view: Any, name: str, kwargs: dict) -> tuple[float, str | None]:
    """A coefficient on one tag's yes/no labels, and why it is undefined (else None).

    Bad arguments still raise: only a coefficient that returns NaN with
    ``on_undefined="nan"`` is asked again for its reason."""
    func = _agreement._resolve(name).function
    value = _agreement._call(func, name, view, {**kwargs, "on_undefined": "nan"})
    if math.isfinite(value):
        return value, None
    try:
        _agreement._call(func, name, view, {**kwargs, "on_undefined": "raise"})
    except ValueError as e:
        return math.nan, str(e)
    return value, None
