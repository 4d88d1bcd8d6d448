"""Group labels from sensitive features: one rule for every group breakdown.

:func:`group_labels` turns what a user passes as sensitive features (a Series, a 1-D
array or list, a DataFrame of one or several columns, a dict name -> labels) into one
``(n_samples,)`` vector of group labels. The same rule serves
:meth:`multiplicity.rashomon.MultiplicityProfile.by_group` and the audit report:

- pandas inputs meet the data on their index (:func:`multiplicity._validation.align_to`);
  NumPy arrays and lists are matched by position and must have one label per row;
- missing values (NaN, None, ``pd.NA``, ``NaT``) form a group of their own, ``"(missing)"``;
- a numeric feature with more than :data:`MAX_RAW_LEVELS` distinct values (an age, an
  income) is cut into quantile bins (4 by default), labelled with their intervals, e.g.
  ``"age in (25, 31]"``; ``bins=`` chooses another number of bins, explicit edges, or
  ``None`` to keep the raw values;
- several features (DataFrame columns or dict entries) give intersectional groups,
  labelled like ``"race=black, sex=female"``; only combinations that occur are kept.

:func:`group_sizes` and :func:`small_groups` share one rule for groups too small to
support a ranking: fewer than :data:`SMALL_GROUP_MIN_SIZE` people or under
:data:`SMALL_GROUP_MIN_SHARE` of the data.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ._validation import align_to

__all__ = [
    "DEFAULT_QUANTILE_BINS",
    "MAX_RAW_LEVELS",
    "MISSING",
    "SMALL_GROUP_MIN_SHARE",
    "SMALL_GROUP_MIN_SIZE",
    "SMALL_GROUP_RULE",
    "Groups",
    "group_labels",
    "group_sizes",
    "small_group_caveat",
    "small_groups",
]

MISSING = "(missing)"
# Numeric features with more distinct values than this are binned by default.
MAX_RAW_LEVELS = 10
DEFAULT_QUANTILE_BINS = 4
# A group is too small to rank when it has fewer people than this ...
SMALL_GROUP_MIN_SIZE = 100
# ... or a smaller share of the data than this.
SMALL_GROUP_MIN_SHARE = 0.02
SMALL_GROUP_RULE = (f"fewer than {SMALL_GROUP_MIN_SIZE} people or under "
                    f"{SMALL_GROUP_MIN_SHARE:.0%} of the data")

# Messages (tests import them).
GROUPS_LENGTH = ("{name} must have shape ({n},) to match {ref} (one label per row), got "
                 "{got} rows{detail}")
GROUPS_TYPE = ("{name} must be a pandas Series, a DataFrame (one column per feature), a "
               "dict name -> labels, or a 1-D array or list of labels, got {type}")
GROUPS_2D = ("{name} is a 2-D array of shape {shape}; pass a DataFrame with named columns "
             "(one per feature) for intersectional groups, or one 1-D array of labels")
GROUPS_EMPTY = "{name} must name at least one feature, got an empty {type}"
GROUPS_MISSING_CLASH = (
    "{feature} holds both missing values and the label {missing!r}, which is the name of "
    "the group of missing values; rename that label")
BINS_BAD = ("bins must be 'auto', an int >= 2 (number of quantile bins), a sequence of "
            "increasing edges, None/False (keep raw values) or a dict feature -> one of "
            "these; got {value!r}")
BINS_OUTSIDE = ("{feature} has {count} value(s) outside the bin edges [{lo}, {hi}] (for "
                "example {example!r}); widen the edges (-inf and inf are allowed)")
BINS_NOT_NUMERIC = "bins gives edges for {feature}, which does not hold numbers"
BINS_EDGES_MANY = ("bins gives one set of edges but {name} has several numeric features "
                   "({features}); pass a dict feature -> edges")
BINS_UNKNOWN = "bins names {keys}, which are not features of {name} (features: {features})"


class Groups(NamedTuple):
    """Group of each row, ready for a group-by.

    ``codes[i]`` indexes ``names`` (the groups in table order: ``"(missing)"`` first, then
    sorted values, intervals in increasing order, an ordered Categorical's order, or
    intersections in the lexicographic order of their parts); ``labels`` is
    ``names[codes]`` as an object array. ``description`` says in words how the groups were
    formed (for a report); ``features`` names the features they come from.
    """

    labels: np.ndarray
    codes: np.ndarray
    names: pd.Index
    description: str
    features: tuple[str, ...]

    @property
    def sizes(self) -> np.ndarray:
        """Number of rows in each group, in the order of ``names``."""
        return np.bincount(self.codes, minlength=len(self.names))


# ------------------------------------------------------------------------ inputs
def _type_name(x: object) -> str:
    return type(x).__name__


def _as_column(values: object, *, ref: pd.DataFrame | None, n: int, name: str,
               reference_name: str, what: str) -> pd.Series:
    """One feature as a Series in the reference's row order (positional for NumPy)."""
    if isinstance(values, pd.Series):
        if ref is not None:
            values = align_to(ref, values, name=what, reference_name=reference_name)
        s = values
    elif isinstance(values, pd.DataFrame):
        raise TypeError(GROUPS_TYPE.format(name=what, type="DataFrame inside a dict"))
    elif isinstance(values, pd.Index | pd.Categorical | pd.api.extensions.ExtensionArray):
        s = pd.Series(values)
    elif isinstance(values, str | bytes) or np.ndim(values) == 0:
        raise TypeError(GROUPS_TYPE.format(name=what, type=_type_name(values)))
    else:
        arr = np.asarray(values)
        if arr.ndim == 2:
            raise ValueError(GROUPS_2D.format(name=what, shape=arr.shape))
        if arr.ndim != 1:
            raise ValueError(GROUPS_LENGTH.format(name=what, n=n, ref=reference_name,
                                                  got=arr.shape, detail=""))
        s = pd.Series(arr, dtype=object if arr.dtype.kind in "USV" else None)
    if len(s) != n:
        detail = (" (a pandas input is matched to the data on its index only when the data"
                  " is a DataFrame; otherwise by position)") if (
            isinstance(values, pd.Series) and ref is None) else ""
        raise ValueError(GROUPS_LENGTH.format(name=what, n=n, ref=reference_name,
                                              got=len(s), detail=detail))
    return s.reset_index(drop=True)


def _features(sensitive: object, *, ref: pd.DataFrame | None, n: int, name: str,
              reference_name: str) -> list[tuple[str | None, pd.Series]]:
    """``[(feature name or None, values)]`` in the reference's row order."""
    if isinstance(sensitive, pd.DataFrame):
        if sensitive.shape[1] == 0:
            raise ValueError(GROUPS_EMPTY.format(name=name, type="DataFrame"))
        if sensitive.columns.has_duplicates:
            dup = sensitive.columns[sensitive.columns.duplicated()][0]
            raise ValueError(f"{name} repeats the column {dup!r}; give each feature one "
                             "column")
        if ref is not None:
            sensitive = align_to(ref, sensitive, name=name, reference_name=reference_name)
        if len(sensitive) != n:
            raise ValueError(GROUPS_LENGTH.format(name=name, n=n, ref=reference_name,
                                                  got=len(sensitive), detail=""))
        return [(str(c), sensitive.iloc[:, j].reset_index(drop=True))
                for j, c in enumerate(sensitive.columns)]
    if isinstance(sensitive, Mapping):
        if not sensitive:
            raise ValueError(GROUPS_EMPTY.format(name=name, type="dict"))
        keys = [str(k) for k in sensitive]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{name} has keys that read the same as text: {keys}")
        return [(str(k), _as_column(v, ref=ref, n=n, name=name, reference_name=reference_name,
                                    what=f"{name}[{k!r}]"))
                for k, v in sensitive.items()]
    label = None
    if isinstance(sensitive, pd.Series) and sensitive.name is not None:
        label = str(sensitive.name)
    return [(label, _as_column(sensitive, ref=ref, n=n, name=name,
                               reference_name=reference_name, what=name))]


# ------------------------------------------------------------------------- bins
def _is_numeric(s: pd.Series) -> bool:
    if isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(s.dtype):
        return False
    if pd.api.types.is_numeric_dtype(s.dtype):
        return True
    if s.dtype == object:
        kind = pd.api.types.infer_dtype(s, skipna=True)
        return kind in ("integer", "floating", "mixed-integer-float", "decimal")
    return False


def _check_bins_spec(spec: object) -> object:
    """``"auto"``, an int >= 2, None, or a float array of increasing edges."""
    if spec is None or spec is False or (isinstance(spec, str) and spec == "auto"):
        return None if spec is False else spec
    if isinstance(spec, numbers.Integral) and not isinstance(spec, bool):
        if spec < 2:
            raise ValueError(BINS_BAD.format(value=spec))
        return int(spec)
    if isinstance(spec, str | bytes | bool) or np.ndim(spec) != 1:
        raise (TypeError if isinstance(spec, str | bytes | bool) else ValueError)(
            BINS_BAD.format(value=spec))
    try:
        edges = np.asarray(spec, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(BINS_BAD.format(value=spec)) from exc
    if edges.size < 2 or np.isnan(edges).any() or not np.all(np.diff(edges) > 0):
        raise ValueError(BINS_BAD.format(value=spec) + " (edges must be at least two "
                         "strictly increasing numbers)")
    return edges


def _format_edges(edges: np.ndarray) -> list[str]:
    """Short text for each edge, precise enough that distinct edges read differently."""
    finite = edges[np.isfinite(edges)]
    if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e15:
        return [str(int(e)) if np.isfinite(e) else ("inf" if e > 0 else "-inf") for e in edges]
    big = float(np.abs(finite).max()) if finite.size else 1.0
    digits = max(4, math.floor(math.log10(big)) + 3) if big > 0 else 4
    for p in range(digits, 18):
        text = [f"{e:.{p}g}" for e in edges]
        if len(set(text)) == len(text):
            return text
    return [repr(float(e)) for e in edges]


def _interval_labels(edges: np.ndarray, feature: str | None) -> list[str]:
    text = _format_edges(edges)
    out = []
    for i in range(len(edges) - 1):
        left = "[" if i == 0 else "("  # the first bin includes its lower edge
        interval = f"{left}{text[i]}, {text[i + 1]}]"
        out.append(interval if feature is None else f"{feature} in {interval}")
    return out


def _bin(values: pd.Series, spec: object, feature: str | None, name: str
         ) -> tuple[np.ndarray, list[str], str]:
    """Bin codes of non-missing numeric ``values``, the bin labels and a description."""
    x = pd.to_numeric(values).astype(np.float64).to_numpy()
    what = feature if feature is not None else name
    if isinstance(spec, int):
        cut, edges = pd.qcut(x, spec, retbins=True, duplicates="drop")
        codes = np.asarray(cut.codes, dtype=np.int64)
        k = len(edges) - 1
        if k < spec:
            warnings.warn(
                f"{what}: only {k} of the {spec} quantile bins could be formed because many "
                "values are tied; pass bins= with explicit edges to choose the groups",
                UserWarning, stacklevel=4)
        how = f"{k} quantile bins" if k != 4 or spec != 4 else "4 quartile bins"
    else:
        edges = spec
        codes = np.asarray(pd.cut(x, edges, right=True, include_lowest=True).codes,
                           dtype=np.int64)
        outside = codes < 0
        if outside.any():
            text = _format_edges(edges)
            raise ValueError(BINS_OUTSIDE.format(
                feature=what, count=int(outside.sum()), lo=text[0], hi=text[-1],
                example=float(x[outside][0])))
        how = f"{len(edges) - 1} bins with the given edges"
    labels = _interval_labels(np.asarray(edges, dtype=np.float64), feature)
    return codes, labels, how


# ------------------------------------------------------------------- one feature
def _sort_levels(uniques: list[Any]) -> list[int]:
    """Positions of ``uniques`` in sorted order."""
    positions = range(len(uniques))
    try:
        return sorted(positions, key=uniques.__getitem__)
    except TypeError:  # labels of types that do not compare (1 and "a")
        return sorted(positions, key=lambda i: (type(uniques[i]).__name__, str(uniques[i])))


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _feature_codes(s: pd.Series, feature: str | None, spec: object, name: str
                   ) -> tuple[np.ndarray, list[Any], str, bool]:
    """Dense codes ``0..L-1`` (missing first when present), level labels, description,
    and whether the feature was binned (its labels then name the feature)."""
    binned = False
    missing = s.isna().to_numpy()
    present = s[~missing]
    what = feature if feature is not None else name
    if isinstance(s.dtype, pd.CategoricalDtype):
        cat = present.cat.remove_unused_categories()
        codes = np.asarray(cat.cat.codes, dtype=np.int64)
        levels = [_plain(v) for v in cat.cat.categories]
        how = f"{len(levels)} categories" + (" (ordered)" if s.cat.ordered else "")
    elif _is_numeric(s) and spec is not None and (
            not isinstance(spec, str | int) or
            present.nunique() > (MAX_RAW_LEVELS if spec == "auto" else spec)):
        q = DEFAULT_QUANTILE_BINS if isinstance(spec, str) else spec
        n_distinct = present.nunique()
        codes, levels, how = _bin(present, q, feature, name)
        binned = True
        how = f"{how} of a numeric feature with {n_distinct} distinct values"
    else:
        if isinstance(spec, np.ndarray):
            raise TypeError(BINS_NOT_NUMERIC.format(feature=what))
        try:
            raw_codes, uniques = pd.factorize(present.to_numpy(dtype=object))
        except TypeError as exc:
            raise TypeError(f"{what} must hold hashable labels: {exc}") from exc
        uniques = [_plain(v) for v in uniques]
        order = _sort_levels(uniques)
        remap = np.empty(len(uniques), dtype=np.int64)
        remap[order] = np.arange(len(uniques))
        codes = remap[raw_codes]
        levels = [uniques[i] for i in order]
        how = f"{len(levels)} values"
    # keep only the levels that occur (empty bins and unused categories give no group)
    used = np.zeros(len(levels), dtype=bool)
    used[codes] = True
    if not used.all():
        new = np.cumsum(used) - 1
        codes = new[codes]
        levels = [lv for lv, u in zip(levels, used, strict=True) if u]
    full = np.empty(len(s), dtype=np.int64)
    if missing.any():
        if any(isinstance(lv, str) and lv == MISSING for lv in levels):
            raise ValueError(GROUPS_MISSING_CLASH.format(feature=what, missing=MISSING))
        full[missing] = 0
        full[~missing] = codes + 1
        levels = [MISSING, *levels]
        how += f", and {int(missing.sum())} missing"
    else:
        full[:] = codes
    return full, levels, how, binned


# ---------------------------------------------------------------------- public
def _resolve_bins(bins: object, features: list[tuple[str | None, pd.Series]], name: str
                  ) -> list[object]:
    if isinstance(bins, Mapping):
        known = {f for f, _ in features}
        unknown = [k for k in bins if str(k) not in known]
        if unknown:
            raise ValueError(BINS_UNKNOWN.format(keys=unknown, name=name,
                                                 features=sorted(f for f in known if f)))
        given = {str(k): _check_bins_spec(v) for k, v in bins.items()}
        return [given.get(f, "auto") if f is not None else "auto" for f, _ in features]
    spec = _check_bins_spec(bins)
    if isinstance(spec, np.ndarray):
        numeric = [f for f, s in features if _is_numeric(s)]
        if len(numeric) > 1:
            raise ValueError(BINS_EDGES_MANY.format(name=name, features=numeric))
    return [spec] * len(features)


def group_labels(sensitive: object, *, index: pd.Index | None = None, n: int | None = None,
                 bins: object = "auto", name: str = "sensitive_features",
                 reference_name: str = "X") -> Groups:
    """The group of each row from sensitive features, by the package's one rule.

    Parameters
    ----------
    sensitive : Series, DataFrame, dict or array-like
        One feature (a Series, a 1-D array or list, a one-column DataFrame) or several (a
        DataFrame, a dict name -> labels): several features give intersectional groups
        such as ``"race=black, sex=female"`` (only the combinations that occur).
    index : pandas.Index, default=None
        Row labels of the data the groups belong to (``X.index``). pandas inputs are then
        aligned on it (same labels in another order are reordered; other labels raise).
        None: every input is matched by position.
    n : int, default=None
        Number of rows; needed when ``index`` is None.
    bins : "auto", int, sequence of float, None or dict, default="auto"
        How numeric features become groups. ``"auto"``: features with more than
        ``MAX_RAW_LEVELS`` (10) distinct values are cut into 4 quantile bins (quartiles,
        as ``pandas.qcut``: right-closed intervals, the first includes the minimum). An
        int ``q``: ``q`` quantile bins for features with more than ``q`` distinct values.
        A sequence: explicit bin edges ``(e0, e1]``, the first bin ``[e0, e1]``; values
        outside raise. ``None`` or ``False``: keep the raw values. A dict maps a feature
        name to one of these (others use ``"auto"``).
    name : str, default="sensitive_features"
        Name of the argument, used in error messages.
    reference_name : str, default="X"
        Name of the data ``index`` belongs to, used in error messages.

    Returns
    -------
    Groups
        ``labels`` (``(n_samples,)`` object array), ``codes`` and ``names`` (the groups
        in table order), ``description`` and ``features``.

    Raises
    ------
    ValueError
        Labels of another length than the data, a pandas index with other or repeated
        labels than ``index``, bin edges that miss some values, a bad ``bins``.
    TypeError
        An input that is not labels, unhashable labels, edges for a non-numeric feature.

    Notes
    -----
    Missing values (NaN, None, ``pd.NA``) are a group ``"(missing)"``, listed first. A
    single feature keeps its values as group labels (sorted; an ordered Categorical keeps
    its order); a binned feature is labelled ``"age in (25, 31]"`` (just the interval
    when the feature has no name). Quantile bins that coincide because of tied values
    are merged, with a ``UserWarning``.
    """
    if index is not None:
        index = pd.Index(index)
        if n is not None and n != len(index):
            raise ValueError(f"n={n} does not match the index of {reference_name} "
                             f"({len(index)} labels)")
        n = len(index)
    if n is None:
        raise TypeError("group_labels needs the data's index or its number of rows n")
    if n == 0:
        raise ValueError(f"{name} must not be empty: the data has 0 rows")
    ref = pd.DataFrame(index=index) if index is not None else None
    if not isinstance(sensitive, pd.Series | pd.DataFrame | Mapping | Sequence | np.ndarray
                      | pd.Index | pd.Categorical | pd.api.extensions.ExtensionArray):
        raise TypeError(GROUPS_TYPE.format(name=name, type=_type_name(sensitive)))
    features = _features(sensitive, ref=ref, n=n, name=name, reference_name=reference_name)
    specs = _resolve_bins(bins, features, name)
    parts = [_feature_codes(s, f, spec, name) for (f, s), spec in zip(features, specs,
                                                                        strict=True)]
    names_f = tuple(f if f is not None else name for f, _ in features)
    if len(parts) == 1:
        codes, levels, how, _ = parts[0]
        names = pd.Index(levels, dtype=object if MISSING in levels else None)
        description = f"{names_f[0]}: {how}"
    else:
        table = pd.DataFrame({i: p[0] for i, p in enumerate(parts)})
        keys = list(table.columns)
        codes = table.groupby(keys, sort=True).ngroup().to_numpy(dtype=np.int64)
        combos = table.drop_duplicates().sort_values(keys).to_numpy()
        texts = []
        for combo in combos:
            pieces = []
            for (f, _), (_, levels, _, binned), c in zip(features, parts, combo, strict=True):
                level = levels[c]
                named = binned and level != MISSING  # "age in (25, 31]" names the feature
                pieces.append(str(level) if named else f"{f}={level}")
            texts.append(", ".join(pieces))
        names = pd.Index(texts, dtype=object)
        description = "intersections of " + "; ".join(
            f"{f}: {p[2]}" for f, p in zip(names_f, parts, strict=True))
    description += f" ({len(names)} groups)"
    labels = np.asarray(names, dtype=object)[codes]
    return Groups(labels, codes, names, description, names_f)


def small_groups(sizes: object, n_total: int) -> np.ndarray:
    """True for groups too small to support a ranking (see :data:`SMALL_GROUP_RULE`)."""
    s = np.asarray(sizes, dtype=np.float64)
    return (s < SMALL_GROUP_MIN_SIZE) | (s < SMALL_GROUP_MIN_SHARE * n_total)


def group_sizes(groups: Groups) -> pd.DataFrame:
    """One row per group: ``n`` (rows), ``share`` (of all rows) and ``small``."""
    sizes = groups.sizes
    total = int(sizes.sum())
    return pd.DataFrame({"n": sizes.astype(np.int64),
                         "share": sizes / total if total else np.zeros(len(sizes)),
                         "small": small_groups(sizes, total)},
                        index=pd.Index(groups.names, name="group"))


def small_group_caveat(names: Sequence[Any] | pd.Index, sizes: object,
                       n_total: int) -> str | None:
    """A sentence naming the small groups (None when there are none), for tables and reports."""
    sizes = np.asarray(sizes)
    small = small_groups(sizes, n_total)
    if not small.any():
        return None
    shown = [f"{names[i]} (n={int(sizes[i])})" for i in np.flatnonzero(small)]
    listed = ", ".join(shown[:5]) + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")
    k = int(small.sum())
    verb = "has" if k == 1 else "have"
    return (f"{k} of {len(sizes)} groups {verb} {SMALL_GROUP_RULE}: {listed}. "
            "Their figures rest on few people and are too uncertain to support a ranking "
            "of groups; the largest gap and the worst group may reflect chance.")
