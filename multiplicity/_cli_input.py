"""Reading the user's files for the command line: the separator of a CSV
(:func:`sniff_separator`, ``--sep``, ``--decimal``), the file itself (:func:`read_csv`), its
columns (:func:`require_columns`), empty label cells (:func:`blank_labels`), one label per
item (:func:`labels_per_item`, :func:`read_item_labels`: an automatic annotator's labels,
gold labels) and the numeric encoding of the feature columns (:class:`FeatureEncoding`,
:func:`fit_encoding`)."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._cli_messages import UserError

LABEL_CONFLICT = ("{path}: column {column!r} gives item {item!r} the labels {labels}; "
                  "{what} must give one label per item (repeated on every row of the item "
                  "in a long file)")
LABEL_COLUMN = ("{path}: cannot tell which column holds the labels (columns {columns}); name "
                "it with {flag}")

# A text column with more distinct values than this is not one-hot encoded (likely an id).
MAX_CATEGORIES = 50

# A number written with a decimal comma ("1,5", "-0,25"): read as text unless --decimal ,
_DECIMAL_COMMA = r"^\s*[+-]?\d*,\d+\s*$"


def sniff_separator(path: str | Path) -> str:
    """The separator of the CSV at ``path``, read off its header line: a comma, unless the
    header has none but has semicolons or tabs (what spreadsheets write in many locales).

    Text in double quotes is ignored; a header with as many semicolons as tabs is a
    ``UserError`` that asks for ``--sep``.
    """
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
        header = re.sub(r'"[^"]*"', "", f.readline())
    if "," in header:
        return ","
    semicolons, tabs = header.count(";"), header.count("\t")
    if semicolons and semicolons == tabs:
        raise UserError(f"{path}: the header line has as many semicolons as tabs; pass "
                        "--sep ';' or --sep tab")
    if semicolons or tabs:
        return ";" if semicolons > tabs else "\t"
    return ","


def read_csv(path: str | Path, *, sep: str | None = None, decimal: str = "."):
    """The CSV at ``path`` as a DataFrame; ``UserError`` for anything a user can fix.

    ``sep=None`` sniffs the separator (:func:`sniff_separator`). Text columns that hold
    numbers written with a decimal comma are read as text unless ``decimal=","``, and a
    warning on stderr says so.
    """
    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise UserError(f"{path}: no such file")
    if p.is_dir():
        raise UserError(f"{path}: is a directory, expected a CSV file")
    if sep is None:
        sep = sniff_separator(p)
    if sep == decimal:
        raise UserError(f"--sep and --decimal are both {sep!r}; the columns of {path} "
                        "could not be told from the decimals")
    try:
        df = pd.read_csv(p, sep=sep, decimal=decimal)
    except pd.errors.EmptyDataError:
        raise UserError(f"{path}: the file is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UserError(f"{path}: cannot be read as CSV ({first})") from None
    if df.shape[0] == 0:
        raise UserError(f"{path}: has a header but no data rows")
    if decimal == "." and sep != ",":
        for col in df.columns:
            values = df[col].dropna()
            if values.dtype.kind not in "biufcmM" and len(values) and \
                    values.astype(str).str.match(_DECIMAL_COMMA).all():
                print(f"multiplicity: warning: {path}: column {col!r} holds numbers with a "
                      f"decimal comma (for example {values.iloc[0]!r}), read as text; pass "
                      "--decimal , to read them as numbers", file=sys.stderr)
    return df


def require_columns(df, columns: Sequence[str], path: str | Path) -> None:
    """``UserError`` naming the first of ``columns`` that ``df`` lacks."""
    for col in columns:
        if col not in df.columns:
            have = ", ".join(map(str, df.columns[:20])) + (", ..." if df.shape[1] > 20 else "")
            hint = ""
            if df.shape[1] == 1 and any(c in str(df.columns[0]) for c in ",;\t|"):
                hint = "; the file was read as one column: is --sep right?"
            raise UserError(f"{path}: no column {col!r} (columns: {have}){hint}")


class FeatureEncoding:
    """How the feature columns of a training file become numbers, learnt once by
    :func:`fit_encoding` and applied by :meth:`transform` to the training file and to any
    held-out file alike (see ``docs/cli.md``).

    Attributes
    ----------
    columns : list of str
        The input columns, in order.
    kinds : dict
        Column -> ``"bool"``, ``"number"`` or ``"text"``.
    levels : dict
        Text column -> its values in the training data (sorted), one 0/1 column each.
    scale : dict
        Output column -> ``(mean, sd)`` of the training data, for the numeric columns
        that are standardised (those whose training values are not all 0/1).
    """

    def __init__(self, columns, kinds, levels, scale, source) -> None:
        self.columns, self.kinds, self.levels = list(columns), dict(kinds), dict(levels)
        self.scale, self.source = dict(scale), str(source)

    def transform(self, X, path: str | Path):
        """The numeric feature matrix of the rows ``X`` (columns of the training data;
        other columns are ignored). Text values not seen in training get 0 in every
        column of their feature, with a warning on stderr; a column whose kind differs
        from training (text where numbers were) is a ``UserError``."""
        import numpy as np
        import pandas as pd

        missing = [c for c in self.columns if c not in X.columns]
        if missing:
            raise UserError(f"{path}: no column {missing[0]!r}, a feature of {self.source} "
                            f"(every feature column of the data must be in it)")
        X = X[self.columns].copy()
        for col in X.columns:
            n_missing = int(X[col].isna().sum())
            if n_missing:
                raise UserError(f"{path}: column {col!r} has {n_missing} missing value(s); "
                                "fill or drop them before auditing")
        dummies = []
        for col, kind in self.kinds.items():
            values = X[col]
            if kind == "text":
                as_text = values.astype(str)
                unseen = sorted(set(as_text) - set(self.levels[col]))
                if unseen:
                    n_rows = int((~as_text.isin(self.levels[col])).sum())
                    shown = ", ".join(map(repr, unseen[:5])) + (", ..." if len(unseen) > 5
                                                               else "")
                    print(f"multiplicity: warning: {path}: column {col!r} holds values not "
                          f"in {self.source} ({shown}; {n_rows} row(s)); they get 0 in "
                          f"every {col}=... column", file=sys.stderr)
                dummies.append(pd.DataFrame(
                    {f"{col}={level}": (as_text == level).to_numpy(np.float64)
                     for level in self.levels[col]}, index=X.index))
                X = X.drop(columns=col)
                continue
            dtype_kind = values.dtype.kind
            if dtype_kind not in "biuf":
                example = values.iloc[int(np.argmax(
                    pd.to_numeric(values, errors="coerce").isna().to_numpy()))]
                raise UserError(f"{path}: column {col!r} holds text (for example "
                                f"{example!r}) where {self.source} has "
                                f"{'true/false values' if kind == 'bool' else 'numbers'}")
            X[col] = values.astype(np.float64)
        if dummies:
            X = pd.concat([X, *dummies], axis=1)
        X = X.astype(np.float64)
        for col in X.columns:
            values = X[col].to_numpy()
            if not np.isfinite(values).all():
                raise UserError(f"{path}: column {col!r} holds infinite values")
            if col in self.scale:
                mean, sd = self.scale[col]
                X[col] = (values - mean) / sd
        return X


def fit_encoding(X, path: str | Path) -> FeatureEncoding:
    """Learn the encoding of the feature columns ``X`` of the training data at ``path``:

    - booleans become 0/1;
    - text and categorical columns are one-hot encoded (one 0/1 column per value, named
      ``column=value``); more than ``MAX_CATEGORIES`` distinct values is an error;
    - numeric columns whose values are not all 0/1 are standardised (z-scores with the
      mean and standard deviation of ``X``), so that every model, including the logistic
      regression, sees features on one scale;
    - missing values are an error (the audit does not impute).
    """
    import numpy as np

    if X.shape[1] == 0:
        raise UserError(f"{path}: no feature columns left after removing the target")
    kinds, levels = {}, {}
    for col in X.columns:
        n_missing = int(X[col].isna().sum())
        if n_missing:
            raise UserError(f"{path}: column {col!r} has {n_missing} missing value(s); "
                            "fill or drop them before auditing")
        kind = X[col].dtype.kind
        if kind == "b":
            kinds[col] = "bool"
        elif kind in "iuf":
            kinds[col] = "number"
        else:
            n_levels = X[col].nunique()
            if n_levels > MAX_CATEGORIES:
                raise UserError(f"{path}: column {col!r} holds {n_levels} distinct text values, "
                                f"too many to one-hot encode (limit {MAX_CATEGORIES}); drop it "
                                "or encode it yourself")
            kinds[col] = "text"
            levels[col] = sorted(set(X[col].astype(str)))
    enc = FeatureEncoding(X.columns, kinds, levels, {}, path)
    encoded = enc.transform(X, path)
    for col in encoded.columns:
        values = encoded[col].to_numpy()
        if not np.isin(values, (0.0, 1.0)).all():
            sd = values.std()
            enc.scale[col] = (float(values.mean()), float(sd) if sd > 0 else 1.0)
    return enc


def encode_features(X, path: str | Path):
    """Numeric feature matrix from a user's columns (see ``docs/cli.md``):
    ``fit_encoding(X, path).transform(X, path)``."""
    return fit_encoding(X, path).transform(X, path)


def blank_labels(values) -> Any:
    """Boolean mask of the empty label cells: missing (NaN/None) or only whitespace."""
    import numpy as np
    from pandas.api.types import is_object_dtype, is_string_dtype

    blank = values.isna().to_numpy(dtype=bool, copy=True)
    if is_object_dtype(values.dtype) or is_string_dtype(values.dtype):
        blank |= np.fromiter((isinstance(v, str) and not v.strip() for v in values),
                             dtype=bool, count=len(values))
    return blank


def labels_per_item(frame, item: str, column: str, path: str | Path, what: str):
    """One label per item (a Series named ``column``, indexed by item) from a table where
    the label may repeat on the item's rows; blank cells are missing, two different labels
    of one item a ``UserError`` (``what`` names whose labels they are)."""
    import pandas as pd

    values = frame[column].mask(blank_labels(frame[column]))
    table = pd.DataFrame({"item": frame[item].to_numpy(), "label": values.to_numpy()})
    distinct = table.dropna(subset=["label"]).drop_duplicates()
    repeated = distinct["item"].duplicated(keep=False)
    if repeated.any():
        first = distinct.loc[repeated, "item"].iloc[0]
        labels = sorted(map(str, distinct.loc[distinct["item"] == first, "label"]))
        raise UserError(LABEL_CONFLICT.format(path=path, column=column, item=first,
                                              labels=", ".join(labels), what=what))
    out = distinct.set_index("item")["label"]
    out.name = column
    return out


def read_item_labels(path: str | Path, *, item: str, column: str | None, fallback: str,
                     sep: str | None, decimal: str, flag: str, what: str):
    """The labels of a CSV with the ``item`` column and one label column: ``column``, else
    the only other column, else a column named ``fallback``; see :func:`labels_per_item`."""
    df = read_csv(path, sep=sep, decimal=decimal)
    require_columns(df, [item], path)
    if column is None:
        others = [c for c in df.columns if c != item]
        if len(others) == 1:
            column = others[0]
        elif fallback in others:
            column = fallback
        else:
            raise UserError(LABEL_COLUMN.format(path=path, columns=", ".join(map(
                str, df.columns)), flag=flag))
    require_columns(df, [column], path)
    return labels_per_item(df, item, column, path, what)
