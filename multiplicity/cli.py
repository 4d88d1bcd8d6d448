"""Command line: ``multiplicity <command>`` (also ``python -m multiplicity``).

A thin layer over the public API: parse the arguments, read the user's CSV, call
:func:`multiplicity.report.audit`, :func:`multiplicity.annotation.agreement`, an
aggregator or :class:`multiplicity.annotation.DisagreementProfile`, write the result.
Mistakes in the user's files or arguments print one line to stderr and exit with code 1
(argparse usage errors: code 2); there is no traceback.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import _demo, _lazy, annotation  # light: what they need loads on first use
from ._demo import summary_lines
from ._stdio import reader_gone
from ._version import __version__

# Loaded when a sub-command needs them, so that `multiplicity --help` starts fast.
_report = _lazy.lazy_module("multiplicity.report")
_datasets = _lazy.lazy_module("multiplicity.datasets")


MODELS = ("logistic", "tree", "forest", "boosting", "mlp")
REPORT_FORMATS = {".html": "html", ".htm": "html", ".md": "markdown",
                  ".markdown": "markdown", ".json": "json"}
AGGREGATORS = ("dawid-skene", "majority", "glad", "mace")
# A text column with more distinct values than this is not one-hot encoded (likely an id).
MAX_CATEGORIES = 50


class UserError(Exception):
    """A mistake in the user's files or arguments: reported as one line, no traceback."""


# ------------------------------------------------------------------ argument types
def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text}")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number between 0 and 1, got {text}") \
            from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (both excluded), "
                                         f"got {text}")
    return value


_SEP_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "space": " "}


def _separator(text: str) -> str:
    """``--sep``: one character; ``tab`` or ``\\t`` for a tab."""
    value = _SEP_NAMES.get(text.lower(), text)
    if len(value) != 1 or value.isalnum() or value in "\"'.\r\n":
        raise argparse.ArgumentTypeError(
            f"must be one character such as , or ; (tab: 'tab' or '\\t'), got {text!r}")
    return value


def _decimal(text: str) -> str:
    if text not in (".", ","):
        raise argparse.ArgumentTypeError(f"must be . or , got {text!r}")
    return text


# ------------------------------------------------------------------ reading user files
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


def make_estimator(name: str, random_state: int | None):
    """The scikit-learn classifier behind ``--model``."""
    if name == "logistic":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(max_iter=1000)
    if name == "tree":
        from sklearn.tree import DecisionTreeClassifier

        return DecisionTreeClassifier(max_depth=6, min_samples_leaf=5, random_state=random_state)
    if name == "forest":
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(n_estimators=50, max_depth=8, random_state=random_state)
    if name == "boosting":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(max_iter=100, random_state=random_state)
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(hidden_layer_sizes=(32,), max_iter=300, random_state=random_state)


def report_format(out: str | Path) -> str:
    """"html", "markdown" or "json" from the extension of ``out`` (``UserError`` else)."""
    path = Path(out)
    fmt = REPORT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UserError(f"{out}: unknown report format {path.suffix or '(none)'!r}; use "
                        ".html, .md or .json")
    return fmt


def write_report(report: Any, out: str | Path) -> Path:
    """Write ``report`` in the format its extension names (.html, .md or .json)."""
    path = Path(out)
    fmt = report_format(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        {"html": report.to_html, "markdown": report.to_markdown,
         "json": report.to_json}[fmt](path)
    except BrokenPipeError:  # --out /dev/stdout read by a reader that stopped early
        raise
    except OSError as e:
        raise UserError(f"{out}: cannot write the report ({e.strerror or e})") from None
    return path




# Keywords of the Python API -> the flag of each sub-command that sets them; the API's
# messages are translated with the table of the sub-command that was run (cli_message).
_ANNOTATION_FLAGS = {"item": "--item", "annotator": "--annotator", "label": "--label",
                     "duplicates": "--duplicates", "random_state": "--random-state",
                     "categories": "--categories"}
FLAGS: dict[str, dict[str, str]] = {
    "audit": {"sensitive_features": "--sensitive", "annotations": "--annotations",
              "epsilon": "--epsilon", "n_models": "--n-models",
              "random_state": "--random-state", "exact": "--exact", "subject": "--subject",
              "n_jobs": "--n-jobs"},
    "agreement": {**_ANNOTATION_FLAGS, "level": "--level", "ci": "--ci",
                  "n_resamples": "--n-resamples", "weights": "--weights",
                  "on_undefined": "--on-undefined"},
    "aggregate": dict(_ANNOTATION_FLAGS),
    "profile": {**_ANNOTATION_FLAGS, "annotator_groups": "--groups",
                "smoothing": "--smoothing"},
    "demo": {"epsilon": "--epsilon", "n_models": "--n-models",
             "random_state": "--random-state", "n_jobs": "--n-jobs", "exact": "--exact"},
}
_QUOTED = r"'[^']*'|\"[^\"]*\""
_VALUE = rf"(?:{_QUOTED}|[\w.+-]+)"
_MORE = rf"(?:(?:,\s*(?:or\s+)?|\s+or\s+)(?:{_QUOTED}))*"


def _cli_values(text: str) -> str:
    """``'first', 'last' or 'keep'`` -> ``first, last or keep``; None -> none."""
    def one(m: re.Match) -> str:
        v = m.group(0)
        return shlex.quote(v[1:-1] if v[:1] in "'\"" else ("none" if v == "None" else v))

    return re.sub(rf"{_QUOTED}|[\w.+-]+", one, text)


def cli_message(message: str, flags: dict[str, str]) -> str:
    """An API message in the words of the command line: ``pass duplicates='first'`` ->
    ``pass --duplicates first``.

    ``keyword=value`` (and ``keyword='a', 'b' or 'c'``) becomes ``--flag value``; a keyword
    with an underscore (``n_models``) is translated wherever it stands as a word, one
    without only as the subject of "... must" that opens a sentence. Other words are left
    alone, so that "label" in prose stays "label".
    """
    for keyword, flag in flags.items():
        k = re.escape(keyword)
        message = re.sub(
            rf"(?<![\w.]){k}=({_VALUE}{_MORE})?",
            lambda m, flag=flag: flag + (" " + _cli_values(m.group(1)) if m.group(1) else ""),
            message)
        if "_" in keyword:
            message = re.sub(rf"(?<![\w.'\"-]){k}(?![\w'\"(])", flag, message)
        else:  # "epsilon must be >= 0": the subject of a sentence
            message = re.sub(rf"(?:^|(?<=; )){k}(?= must\b)", flag, message)
    return message


def _api_call(command: str, func, *args, **kwargs):
    """Call the API on user data; its ValueError/TypeError are user mistakes, reported in
    the flags of ``command``."""
    try:
        return func(*args, **kwargs)
    except (ValueError, TypeError) as e:
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UserError(cli_message(message, FLAGS[command])) from None


# ------------------------------------------------------------------ commands
def _check_target(y, path: str | Path, target: str) -> None:
    if y.isna().any():
        raise UserError(f"{path}: target column {target!r} has "
                        f"{int(y.isna().sum())} missing value(s)")


def split_rows(y, test_size: float, random_state: int, target: str):
    """Row positions ``(train, test)`` of a stratified split (``--test-size``), each
    sorted, so both parts keep the order of the file."""
    import math

    import numpy as np
    from sklearn.model_selection import train_test_split

    counts = y.value_counts()
    if counts.min() < 2:
        raise UserError(f"--test-size: class {counts.idxmin()!r} of the target column "
                        f"{target!r} has a single row; a stratified split needs at least "
                        "two rows of every class")
    n, k = len(y), len(counts)
    n_test = math.ceil(test_size * n)
    if n_test < k or n - n_test < k:
        raise UserError(f"--test-size {test_size:g} holds out {n_test} of {n} rows, which "
                        f"leaves {'the held-out' if n_test < k else 'the training'} part "
                        f"fewer rows than the {k} classes of {target!r}; a stratified split "
                        "needs every class on both sides")
    try:
        train, test = train_test_split(np.arange(n), test_size=test_size,
                                       stratify=y.to_numpy(), random_state=random_state)
    except ValueError as e:
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UserError(f"--test-size {test_size:g}: {message}") from None
    return np.sort(train), np.sort(test)


PARQUET_ENGINES = ("pyarrow", "fastparquet")


def per_person_format(path: str | Path) -> str:
    """"parquet" when ``path`` ends with .parquet (``UserError`` if neither pyarrow nor
    fastparquet is installed), else "csv"."""
    if Path(path).suffix.lower() != ".parquet":
        return "csv"
    problems = parquet_engine_problems()
    if problems is not None:
        raise UserError(_parquet_missing(path, problems))
    return "parquet"


def parquet_engine_problems() -> list[str] | None:
    """None when pyarrow or fastparquet imports, else why each of them does not (an
    installed engine can fail to import, e.g. a pyarrow built for another NumPy)."""
    import importlib

    problems = []
    for name in PARQUET_ENGINES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        except ImportError as e:
            problems.append(f"{name} is installed but cannot be imported ({e})")
        else:
            return None
    return problems


def _parquet_missing(path: str | Path, problems: list[str] | None = None) -> str:
    why = f" ({'; '.join(problems)})" if problems else ""
    return (f"--per-person {path}: writing parquet needs the package pyarrow "
            f"(pip install pyarrow) or fastparquet{why}; or give a .csv file name")


def write_per_person(report: Any, out: str | Path) -> Any:
    """Write ``report.per_person()`` to ``out`` (parquet for .parquet, else CSV) with its
    index, named ``row``; returns the table."""
    table = report.per_person()
    table.index.name = "row"
    path = Path(out)
    fmt = per_person_format(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "parquet":
            table.to_parquet(path, index=True)
        else:
            table.to_csv(path, index=True)
    except BrokenPipeError:
        raise
    except ImportError:
        raise UserError(_parquet_missing(out)) from None
    except OSError as e:
        raise UserError(f"--per-person {out}: cannot write ({e.strerror or e})") from None
    except (ValueError, TypeError) as e:  # a column parquet cannot store
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UserError(f"--per-person {out}: cannot write parquet ({first}); give a .csv "
                        "file name") from None
    return table


def evaluation_line(report: Any, held_out_rows: str) -> str:
    """Which rows the printed measures come from: held-out or in-sample
    (``report.parameters["evaluation"]``)."""
    data = report.data
    if report.parameters.get("evaluation") == "held-out":
        return (f"measures held-out: computed on {held_out_rows} "
                f"({data['test']['n_samples']:,} rows the models were not trained on)")
    return (f"measures in-sample: computed on the {data['n_samples']:,} rows the models "
            "were trained on, which understates the multiplicity new rows meet "
            "(--test-size or --test-data measure it on held-out rows)")


def _cmd_audit(args: argparse.Namespace) -> int:
    audit = _report.audit

    fmt = report_format(args.out)  # before any work
    if args.per_person is not None:
        per_person_format(args.per_person)
    if args.test_data is not None and args.data is None:
        raise UserError("--test-data needs --data (the file the models are trained on, "
                        "with the columns of the test file)")
    X_test = y_test = None
    held_out_rows = ""
    if args.data is None:
        load_compas = _datasets.load_compas

        data = load_compas()
        X, y, source = data.data, data.target, "bundled COMPAS data"
        extra = data.sensitive_features
        names = args.sensitive if args.sensitive else list(extra.columns)
        for name in names:
            if name not in extra.columns and name not in X.columns:
                raise UserError(f"COMPAS has no column {name!r} (sensitive features: "
                                f"{', '.join(extra.columns)}; features: "
                                f"{', '.join(X.columns)})")
        subject = args.subject or "defendants"
        if args.target is not None and args.target != y.name:
            raise UserError(f"--target {args.target!r}: the bundled COMPAS target is "
                            f"{y.name!r}; pass --data FILE.csv for your own data")
        measured = X
        if args.test_size is not None:
            train, test = split_rows(y, args.test_size, args.random_state, str(y.name))
            X, X_test = X.iloc[train], X.iloc[test]
            y, y_test = y.iloc[train], y.iloc[test]
            measured = X_test
            held_out_rows = (f"the COMPAS rows held out by --test-size {args.test_size:g}, "
                             "stratified by the target")
        groups = {name: (extra[name] if name in extra.columns else data.data[name])
                  .loc[measured.index] for name in names}
    else:
        df = read_csv(args.data, sep=args.sep, decimal=args.decimal)
        if args.target is None:
            raise UserError("--target COL is required with --data")
        sensitive = args.sensitive or []
        require_columns(df, [args.target, *sensitive], args.data)
        if args.target in sensitive:
            raise UserError(f"--sensitive {args.target!r} is the target column")
        _check_target(df[args.target], args.data, args.target)
        if df[args.target].nunique() < 2:
            raise UserError(f"{args.data}: target column {args.target!r} has a single value "
                            f"({df[args.target].iloc[0]!r}); an audit needs at least two "
                            "classes")
        test_df = None
        if args.test_size is not None:
            train, test = split_rows(df[args.target], args.test_size, args.random_state,
                                     args.target)
            df, test_df = df.iloc[train], df.iloc[test]
            held_out_rows = (f"the rows of {args.data} held out by --test-size "
                             f"{args.test_size:g}, stratified by {args.target!r}")
        elif args.test_data is not None:
            test_df = read_csv(args.test_data, sep=args.sep, decimal=args.decimal)
            require_columns(test_df, [args.target, *sensitive], args.test_data)
            _check_target(test_df[args.target], args.test_data, args.target)
            import pandas as pd

            unseen = sorted(set(pd.unique(test_df[args.target]))
                            - set(pd.unique(df[args.target])), key=str)
            if unseen:
                raise UserError(f"{args.test_data}: target column {args.target!r} holds "
                                f"classes that {args.data} does not "
                                f"({', '.join(map(repr, unseen[:5]))}); the models cannot "
                                "predict them")
            held_out_rows = f"the rows of {args.test_data}"
        drop = [args.target] + (sensitive if args.drop_sensitive else [])
        # learnt on the training rows only: the held-out rows leak nothing into the
        # one-hot columns or the standardisation
        encoding = fit_encoding(df.drop(columns=drop), args.data)
        X, y = encoding.transform(df, args.data), df[args.target]
        if test_df is not None:
            test_path = args.data if args.test_data is None else args.test_data
            X_test, y_test = encoding.transform(test_df, test_path), test_df[args.target]
        measured_df = df if test_df is None else test_df
        groups = {name: measured_df[name] for name in sensitive}
        source, subject = str(args.data), args.subject or "people"
    annotations = None
    if args.annotations is not None:
        Annotations = annotation.Annotations

        long = read_csv(args.annotations, sep=args.sep, decimal=args.decimal)
        require_columns(long, ["item", "annotator", "label"], args.annotations)
        annotations = _api_call("audit", Annotations.from_long, long)
    estimator = make_estimator(args.model, args.random_state)
    # HistGradientBoosting's OpenMP loops spin-wait on busy cores (seconds per fit on a
    # loaded machine instead of a tenth); models are parallelised by --n-jobs instead.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1 if args.model == "boosting" else None,
                           user_api="openmp"):
        report = _api_call(
            "audit", audit, estimator, X, y, X_test=X_test, y_test=y_test,
            sensitive_features=groups or None,
            annotations=annotations, epsilon=args.epsilon,
            n_models=args.n_models, random_state=args.random_state, progress=args.progress,
            exact=args.exact, subject=subject, n_jobs=args.n_jobs, figures=fmt != "json",
            title=f"Multiplicity audit: {args.model} model on {source}")
    path = write_report(report, args.out)
    table = None
    if args.per_person is not None:
        table = write_per_person(report, args.per_person)
    rows = "training rows" if X_test is not None else "rows"
    print(f"multiplicity audit: {args.model} model on {source} ({len(y):,} {rows}, "
          f"{X.shape[1]} features)")
    print(evaluation_line(report, held_out_rows))
    print("\n".join(summary_lines(report)))
    print(f"wrote {path}")
    if table is not None:
        if args.test_data is not None:
            which = f"the rows of {args.test_data}, indexed by their row number there"
        else:
            what = "the COMPAS data" if args.data is None else str(args.data)
            which = (f"the held-out rows, indexed by their row number in {what}"
                     if X_test is not None else f"every row, indexed by its row number in "
                     f"{what}")
        print(f"wrote {args.per_person} ({len(table):,} rows: {which}; row 0 is the first "
              "data row)")
    return 0


class LoadedAnnotations:
    """The Annotations of a long CSV and what reading it dropped or kept, for the
    summary line of every annotation command."""

    def __init__(self, ann: Any, frame: Any, path: str, n_empty: int, n_repeated: int,
                 duplicates: str) -> None:
        self.ann, self.frame, self.path = ann, frame, path
        self.n_empty, self.n_repeated, self.duplicates = n_empty, n_repeated, duplicates

    def line(self) -> str:
        """``400 items, 40 annotators, 2,240 labels (FILE; 20 empty labels dropped; ...)``."""
        import numpy as np

        ann = self.ann
        notes = []
        if self.n_empty:
            notes.append(f"{_plural(self.n_empty, 'empty label')} dropped")
        if self.n_repeated:
            how = ("kept (--duplicates keep: every rating counts)"
                   if self.duplicates == "keep" else
                   f"dropped (--duplicates {self.duplicates})")
            notes.append(f"{_plural(self.n_repeated, 'repeated rating')} {how}")
        unlabelled = int(np.count_nonzero(ann.ratings_per_item() == 0))
        if unlabelled:
            notes.append(f"{_plural(unlabelled, 'item')} without any label")
        where = "; ".join([self.path, *notes])
        return (f"{ann.n_items:,} items, {ann.n_annotators:,} annotators, "
                f"{ann.n_annotations:,} labels ({where})")

    def categories_line(self) -> str:
        """``categories in order: a < b < c``, or ``categories (no order): a, b, c`` for
        words whose order was not given (the first 12)."""
        ordered = getattr(self.ann, "ordered", True)
        sep = " < " if ordered else ", "
        cats = [str(c) for c in self.ann.categories]
        shown = sep.join(cats[:12]) + (f"{sep}... ({len(cats)} in all)" if len(cats) > 12
                                       else "")
        if ordered:
            return f"categories in order: {shown}"
        return (f"categories (no order given, --categories sets one): {shown}")


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _blank_labels(values) -> Any:
    """Boolean mask of the empty label cells: missing (NaN/None) or only whitespace."""
    import numpy as np
    from pandas.api.types import is_object_dtype, is_string_dtype

    blank = values.isna().to_numpy(dtype=bool, copy=True)
    if is_object_dtype(values.dtype) or is_string_dtype(values.dtype):
        blank |= np.fromiter((isinstance(v, str) and not v.strip() for v in values),
                             dtype=bool, count=len(values))
    return blank


def _category_list(text: str) -> list[str]:
    """``--categories``: the labels in their order, separated by commas (a label that holds
    a comma in double quotes)."""
    import csv

    try:
        names = next(csv.reader([text], skipinitialspace=True))
    except (csv.Error, StopIteration):
        names = []
    names = [n.strip() for n in names]
    if not names or any(not n for n in names):
        raise argparse.ArgumentTypeError(
            f"must list the labels in their order, separated by commas (for example "
            f"\"low,medium,high\"), got {text!r}")
    return names


def _categories_for(names: list[str], column, path: str, label: str) -> list:
    """The ``--categories`` names as values of the label column: numbers for a numeric
    column (``1,2,3``), true/false for a boolean one, the text itself otherwise."""
    kind = column.dtype.kind
    if kind == "b":
        truth = {"true": True, "false": False, "1": True, "0": False}
        bad = [n for n in names if n.lower() not in truth]
        if bad:
            raise UserError(f"--categories {bad[0]!r}: the labels in column {label!r} of "
                            f"{path} are true/false values")
        return [truth[n.lower()] for n in names]
    if kind in "iuf":
        out = []
        for n in names:
            try:
                value = float(n)
            except ValueError:
                raise UserError(f"--categories {n!r} is not a number, but the labels in "
                                f"column {label!r} of {path} are numbers") from None
            out.append(int(value) if value.is_integer() else value)
        return out
    return names


def _load_annotations(args: argparse.Namespace, *, drop_empty: bool = False
                      ) -> LoadedAnnotations:
    """Read the long CSV of an annotation command into an ``Annotations``.

    Empty label cells (missing, or only spaces) are dropped and counted; with
    ``drop_empty`` their rows are removed before the Annotations is built, so that an
    annotator (or item) whose every label is empty does not appear at all.
    """
    import numpy as np
    import pandas as pd

    Annotations = annotation.Annotations

    df = read_csv(args.file, sep=args.sep, decimal=args.decimal)
    require_columns(df, [args.item, args.annotator, args.label], args.file)
    blank = _blank_labels(df[args.label])
    n_empty = int(blank.sum())
    if n_empty:
        df = df.copy()
        labels = df[args.label].mask(blank)
        if not (pd.api.types.is_numeric_dtype(labels.dtype)
                or pd.api.types.is_bool_dtype(labels.dtype)):
            # a blank cell ("  ") made a column of numbers text
            try:
                labels = pd.to_numeric(labels)
            except (ValueError, TypeError):
                pass
        df[args.label] = labels
        if drop_empty:
            df = df.loc[~blank]
    kwargs: dict[str, Any] = {"item": args.item, "annotator": args.annotator,
                              "label": args.label, "duplicates": args.duplicates}
    if args.categories is not None:
        kwargs["categories"] = _categories_for(args.categories, df[args.label], args.file,
                                               args.label)
    ann = _api_call(args.command, Annotations.from_long, df, **kwargs)
    if not drop_empty:  # the container's own count, where it keeps one
        n_empty = int(getattr(ann, "n_dropped", n_empty))
    if args.duplicates in ("first", "last"):
        n_repeated = len(df) - (0 if drop_empty else n_empty) - ann.n_annotations
    elif ann.has_duplicates:
        key = ann.item_codes * max(ann.n_annotators, 1) + ann.annotator_codes
        n_repeated = ann.n_annotations - len(np.unique(key))
    else:
        n_repeated = 0
    return LoadedAnnotations(ann, df, str(args.file), n_empty, n_repeated, args.duplicates)


def _write_csv(frame, out: str, flag: str, *, index: bool = False) -> None:
    """Write ``frame`` as CSV to ``out`` (``-``: standard output)."""
    if out == "-":
        frame.to_csv(sys.stdout, index=index)
        return
    try:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out, index=index)
    except BrokenPipeError:  # /dev/stdout read by a reader that stopped early
        raise
    except OSError as e:
        raise UserError(f"{flag} {out}: cannot write ({e.strerror or e})") from None


def _one_stdout(args: argparse.Namespace, flags: Sequence[str]) -> bool:
    """True when one of the output ``flags`` is ``-`` (standard output); two are an error."""
    to_stdout = [f for f in flags if getattr(args, f.lstrip("-").replace("-", "_")) == "-"]
    if len(to_stdout) > 1:
        raise UserError(f"{' and '.join(to_stdout)} both write to standard output (-); "
                        "give one of them a file name")
    return bool(to_stdout)


# ------------------------------------------------------------------ agreement
# What agreement() computes when no coefficients are named (tests check it against the API).
DEFAULT_COEFFICIENTS = ("percent_agreement", "fleiss_kappa", "gwet_ac1", "brennan_prediger",
                        "conger_kappa", "krippendorff_alpha")
# The weight names of the kappa family (multiplicity.annotation._chance.WEIGHT_NAMES).
WEIGHTS = ("identity", "linear", "quadratic", "ordinal", "radical", "ratio", "circular",
           "bipolar")
_NAN_HINT = r"\s*\(pass on_undefined='nan' to get NaN instead\)"


def _agreement_requests(ann: Any, args: argparse.Namespace
                        ) -> list[tuple[str, str, dict, dict]]:
    """``(row label, coefficient, kwargs shown in the label, kwargs passed)`` per row.

    ``--weights`` goes to every coefficient that takes weights, ``--level`` to
    Krippendorff's alpha, ``--on-undefined nan`` to every coefficient (not in the label).
    """
    import inspect


    names = [c for c in DEFAULT_COEFFICIENTS if ann.has_annotators or c != "conger_kappa"]
    if ann.n_annotators == 2:
        names.insert(1, "cohen_kappa")
    out = []
    for name in names:
        params = inspect.signature(getattr(annotation, name)).parameters
        shown: dict[str, Any] = {}
        if name == "krippendorff_alpha" and args.level != "nominal":
            shown["level"] = args.level
        if "weights" in params and args.weights not in (None, "none", "identity"):
            shown["weights"] = args.weights
        passed = dict(shown)
        if args.on_undefined == "nan" and "on_undefined" in params:
            passed["on_undefined"] = "nan"
        label = name + ("(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"
                        if shown else "")
        out.append((label, name, shown, passed))
    return out


def _undefined_reason(ann: Any, name: str, kwargs: dict) -> str:
    """Why coefficient ``name`` is NaN on ``ann``: the message it raises when asked."""
    agreement = annotation.agreement

    try:
        agreement(ann, [(name, kwargs)], ci=None)
    except (ValueError, TypeError) as e:
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return cli_message(re.sub(_NAN_HINT, "", message), FLAGS["agreement"])
    return f"{name} is undefined on these data"


def _cmd_agreement(args: argparse.Namespace) -> int:
    import math

    import numpy as np

    agreement = annotation.agreement

    loaded = _load_annotations(args)
    ann = loaded.ann
    requests = _agreement_requests(ann, args)
    ci = None if args.ci == "none" else args.ci
    table = _api_call("agreement", agreement, ann,
                      coefficients=[(name, passed) for _, name, _, passed in requests],
                      ci=ci, n_resamples=args.n_resamples, random_state=args.random_state)
    api_labels = list(table.index)
    table.index = [label for label, *_ in requests]
    undefined: dict[str, str] = {}
    for label, name, shown, _ in requests:
        if math.isnan(table.at[label, "value"]):
            undefined[label] = _undefined_reason(ann, name, shown)
            table.loc[label, [c for c in table.columns if c != "n_items"]] = np.nan
    skipped = {label: int(table.attrs.get("undefined_resamples", {}).get(api, 0))
               for (label, *_), api in zip(requests, api_labels, strict=True)}
    skipped = {k: v for k, v in skipped.items() if v and k not in undefined}
    if args.level != "nominal" and args.weights in (None, "none"):
        print(f"multiplicity: note: --level {args.level} applies to Krippendorff's alpha "
              "only; percent agreement and the kappas are unweighted (add --weights "
              "linear, quadratic or ordinal to weight them by the distance between "
              "categories)", file=sys.stderr)
    if args.json:
        integer = {c for c in table.columns if table[c].dtype.kind in "iu"}
        records = {
            str(name): {col: int(v) if col in integer else
                        (float(v) if np.isfinite(v) else None) for col, v in row.items()}
            for name, row in table.iterrows()}
        print(json.dumps({
            "n_items": ann.n_items, "n_annotators": ann.n_annotators,
            "n_annotations": ann.n_annotations, "n_empty_labels": loaded.n_empty,
            "categories": [c.item() if isinstance(c, np.generic) else c
                           for c in ann.categories],
            "ci": ci, "level": args.level,
            "weights": None if args.weights in (None, "none") else args.weights,
            "coefficients": records, "undefined": undefined,
            "undefined_resamples": skipped}, indent=2, default=str))
        return 0
    print(loaded.line())
    print(loaded.categories_line())
    print(table.to_string(float_format=lambda v: f"{v:.4f}", na_rep=""))
    if undefined:
        print("\nundefined on these data (empty cells):")
        for reason in undefined.values():
            print(f"  {reason}")
    for label, count in skipped.items():
        print(f"note: {label} was undefined on {count:,} of {args.n_resamples:,} bootstrap "
              "resamples (for example a resample with a single category); they are left "
              "out of its se and interval")
    return 0


# ------------------------------------------------------------------ aggregate
def _make_aggregator(method: str, random_state: int | None):
    if method == "majority":
        return annotation.MajorityVote()
    if method == "dawid-skene":
        return annotation.DawidSkene()
    if method == "glad":
        return annotation.GLAD()
    return annotation.MACE(random_state=random_state)


def aggregate_table(model: Any, ann: Any, item: str, method: str):
    """One row per item: the item, ``label``, its probability (``vote_share`` for the
    majority vote, ``posterior`` otherwise), ``n_ratings``, ``tie_broken`` and the
    probability of every category (``p_<category>``)."""
    import numpy as np
    import pandas as pd

    P = model.probas_.to_numpy()
    rated = ~np.isnan(P).any(axis=1)
    top = np.full(len(P), np.nan)
    top[rated] = P[rated].max(axis=1)
    out = pd.DataFrame({item: model.labels_.index, "label": model.labels_.to_numpy()})
    out["vote_share" if method == "majority" else "posterior"] = top
    out["n_ratings"] = ann.ratings_per_item()
    out["tie_broken"] = model.tied_.to_numpy()
    for j, cat in enumerate(model.probas_.columns):
        out[f"p_{cat}"] = P[:, j]
    return out


def annotator_table(model: Any, ann: Any, annotator: str):
    """One row per annotator: the annotator, ``n_ratings`` and ``accuracy``
    (``model.annotator_accuracy_``)."""
    import numpy as np
    import pandas as pd

    acc = model.annotator_accuracy_
    return pd.DataFrame({
        annotator: ann.annotators,
        "n_ratings": np.bincount(ann.annotator_codes, minlength=ann.n_annotators),
        "accuracy": acc.reindex(ann.annotators).to_numpy()})


_METHOD_NAMES = {"majority": "majority vote", "dawid-skene": "Dawid-Skene",
                 "glad": "GLAD", "mace": "MACE"}


def _cmd_aggregate(args: argparse.Namespace) -> int:
    to_stdout = _one_stdout(args, ["--out", "--annotators"])
    loaded = _load_annotations(args)
    ann = loaded.ann
    model = _api_call("aggregate", _make_aggregator(args.method, args.random_state).fit,
                      ann)
    out = aggregate_table(model, ann, args.item, args.method)
    _write_csv(out, args.out, "--out")
    if args.annotators is not None:
        _write_csv(annotator_table(model, ann, args.annotator), args.annotators,
                   "--annotators")
    if model.n_tied_:
        what = "vote counts" if args.method == "majority" else "posteriors"
        ordered = getattr(ann, "ordered", True)
        sep = " < " if ordered else ", "
        order = sep.join(map(str, ann.categories[:6])) + (sep + "..."
                                                          if ann.n_categories > 6 else "")
        which = ("category order" if ordered else
                 "the sorted order of the labels, which have no order of their own")
        print(f"multiplicity: warning: {_METHOD_NAMES[args.method]} tied on "
              f"{model.n_tied_:,} of {int((ann.ratings_per_item() > 0).sum()):,} items "
              f"(equal {what}); each took the first tied category in {which} "
              f"({order}; --categories sets the order). The column tie_broken marks them",
              file=sys.stderr)
    report = sys.stderr if to_stdout else sys.stdout
    counts = model.labels_.value_counts(dropna=False)
    shown = ", ".join(f"{'(no label)' if k is None or k != k else k}: {v}"
                      for k, v in counts.items())
    print(f"{_METHOD_NAMES[args.method]}: {loaded.line()}", file=report)
    print(f"labels {shown}", file=report)
    for path in (args.out, args.annotators):
        if path not in (None, "-"):
            print(f"wrote {path}", file=report)
    return 0


# ------------------------------------------------------------------ profile
def annotator_groups(args: argparse.Namespace, ann: Any, long):
    """The group of every annotator of ``ann`` (a list in annotator order) from
    ``--groups FILE`` or ``--group-column COL``, and where it came from; (None, None)
    without either."""
    import pandas as pd

    if args.groups is None and args.group_column is None:
        return None, None
    if args.groups is None:  # a column of the annotations file
        col, source, flag = args.group_column, f"column {args.group_column!r} of {args.file}", \
            "--group-column"
        require_columns(long, [col], args.file)
        pairs = long[[args.annotator, col]]
    else:
        table = read_csv(args.groups, sep=args.sep, decimal=args.decimal)
        require_columns(table, [args.annotator], args.groups)
        others = [c for c in table.columns if c != args.annotator]
        if args.group_column is not None:
            col = args.group_column
            require_columns(table, [col], args.groups)
        elif len(others) == 1:
            col = others[0]
        else:
            raise UserError(f"{args.groups}: has {len(others)} columns besides "
                            f"{args.annotator!r} ({', '.join(map(repr, others[:5]))}); pass "
                            "--group-column COL to name the one that holds the groups")
        source, flag = f"column {col!r} of {args.groups}", "--groups"
        pairs = table[[args.annotator, col]]
    pairs = pairs.dropna(subset=[args.annotator])
    keys = pairs[args.annotator].astype(str)
    groups = pd.Series(pairs[col].to_numpy(), index=keys.to_numpy())
    n_distinct = groups.groupby(level=0, dropna=False).nunique(dropna=False)
    if (n_distinct > 1).any():
        who = n_distinct.index[n_distinct.to_numpy() > 1][0]
        values = list(pd.unique(groups.loc[[who]]))[:4]
        raise UserError(f"{source}: annotator {who!r} is in more than one group "
                        f"({', '.join(map(repr, values))}); every annotator needs one group")
    groups = groups[~groups.index.duplicated()]
    out = []
    for name in ann.annotators:
        if str(name) not in groups.index:
            raise UserError(f"{flag}: {source} gives no group for annotator {name!r}")
        value = groups[str(name)]
        if pd.isna(value):
            raise UserError(f"{flag}: {source} has an empty group for annotator {name!r}; "
                            "fill it in or drop the annotator's labels")
        out.append(value.item() if hasattr(value, "item") else value)
    return out, source


def _cmd_profile(args: argparse.Namespace) -> int:
    import numpy as np
    import pandas as pd

    to_stdout = _one_stdout(args, ["--soft-labels", "--items", "--annotators"])
    loaded = _load_annotations(args, drop_empty=True)
    ann = loaded.ann
    groups, source = annotator_groups(args, ann, loaded.frame)
    prof = _api_call("profile", annotation.DisagreementProfile, ann, annotator_groups=groups)
    if args.soft_labels is not None:
        P = np.asarray(_api_call("profile", annotation.soft_labels, ann, smoothing=args.smoothing),
                       dtype=np.float64)
        soft = pd.DataFrame({args.item: ann.items, "n_ratings": ann.ratings_per_item()})
        for j, cat in enumerate(ann.categories):
            soft[f"p_{cat}"] = P[:, j]
        _write_csv(soft, args.soft_labels, "--soft-labels")
    if args.items is not None:
        _write_csv(prof.items().rename_axis(args.item), args.items, "--items", index=True)
    if args.annotators is not None:
        _write_csv(prof.annotators().rename_axis(args.annotator), args.annotators,
                   "--annotators", index=True)
    report = sys.stderr if to_stdout else sys.stdout
    fmt = {"float_format": lambda v: f"{v:.4f}", "na_rep": ""}
    print(loaded.line(), file=report)
    print(loaded.categories_line(), file=report)
    if groups is None:
        table = prof.annotators().sort_values("deviation", ascending=False, kind="stable")
        print("\nannotators, the most departing from the others first (loo_agreement: "
              "share of labels equal to the majority of the other annotators):",
              file=report)
        print(table.to_string(**fmt), file=report)
        print(f"\nGini coefficient of deviation over annotators: "
              f"{prof.gini(level='annotator'):.4f}", file=report)
    else:
        table = prof.groups()
        print(f"\n{len(table)} annotator groups ({source}):", file=report)
        print(table.to_string(**fmt), file=report)
        print("\nagreement within (diagonal) and between groups (share of equal pairs of "
              "labels on the same item):", file=report)
        print(prof.group_agreement().to_string(**fmt), file=report)
        if table["deviation"].notna().any():
            print(f"\nworst served by the majority view: {prof.worst_group()!r} (largest "
                  "deviation: share of its labels that differ from the item's majority)",
                  file=report)
        print(f"Gini coefficient of deviation over groups: {prof.gini(level='group'):.4f}",
              file=report)
    for path in (args.soft_labels, args.items, args.annotators):
        if path not in (None, "-"):
            print(f"wrote {path}", file=report)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:

    fmt = report_format(args.out)
    report = _api_call("demo", _demo.run_demo, n_models=args.n_models, epsilon=args.epsilon,
                       random_state=args.random_state, n_jobs=args.n_jobs, exact=args.exact,
                       progress=args.progress, figures=fmt != "json")
    path = write_report(report, args.out)
    print("\n".join(_demo.demo_lines(report)))
    print(f"\nwrote {path} (one self-contained page: open it in a browser)")
    return 0


# ------------------------------------------------------------------ parser
def _add_common(p: argparse.ArgumentParser, *, n_models: int) -> None:
    p.add_argument("--epsilon", type=_non_negative_float, default=0.01,
                   help="Rashomon parameter on the training 0-1 loss (default: 0.01)")
    p.add_argument("--n-models", type=_positive_int, default=n_models,
                   help=f"models to retrain (default: {n_models})")
    p.add_argument("--random-state", type=_seed, default=0, help="seed (default: 0)")
    p.add_argument("--n-jobs", type=int, default=None,
                   help="parallel model fits through joblib (default: 1)")
    p.add_argument("--no-progress", dest="progress", action="store_false",
                   help="no progress bar on stderr")


def _add_csv_format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sep", type=_separator, default=None, metavar="CHAR",
                   help="column separator of the CSV files: one character, 'tab' for a tab "
                   "(default: a comma, or ';' or tab when the header line has no comma "
                   "but has those)")
    p.add_argument("--decimal", type=_decimal, default=".", metavar="CHAR",
                   help="decimal mark of the numbers in the CSV files: . (default) or ,")


def _add_annotation_columns(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="CSV with one row per annotation (long format)")
    p.add_argument("--item", required=True, help="column of item ids")
    p.add_argument("--annotator", required=True, help="column of annotator ids")
    p.add_argument("--label", required=True, help="column of labels")
    p.add_argument("--duplicates", choices=("raise", "first", "last", "keep"),
                   default="raise", help="an annotator labelling an item twice: error "
                   "(default), keep the first, the last, or every rating")
    p.add_argument("--categories", type=_category_list, default=None,
                   metavar='"A,B,C"', help="every label in its order, separated by commas "
                   "(e.g. \"very negative,negative,neutral,positive,very positive\"): the "
                   "order the ordinal alpha, weighted kappas, ties and output columns use "
                   "(default: numbers in their order, text sorted)")
    p.add_argument("--random-state", type=_seed, default=0, help="seed (default: 0)")
    _add_csv_format(p)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="multiplicity",
        description="Measure predictive multiplicity and annotation disagreement.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    audit = sub.add_parser(
        "audit", help="audit a model's predictive multiplicity and write a report",
        description="Retrain a model many times, keep the equally good ones (the Rashomon "
                    "set) and report how much they disagree, overall and by group, as "
                    "HTML, Markdown or JSON (chosen by the extension of --out). Without "
                    "--data the bundled COMPAS data are audited. Text columns are one-hot "
                    "encoded and non-binary numeric columns standardised.")
    audit.add_argument("--data", default=None, help="CSV file (default: bundled COMPAS)")
    audit.add_argument("--target", default=None, help="column holding the label")
    audit.add_argument("--sensitive", nargs="+", action="extend", default=[], metavar="COL",
                       help="columns to break the measures down by (repeatable)")
    audit.add_argument("--drop-sensitive", action="store_true",
                       help="do not use the --sensitive columns as features")
    audit.add_argument("--annotations", default=None, metavar="FILE.csv",
                       help="human labels to add to the report: one row per annotation, "
                       "columns item, annotator, label")
    audit.add_argument("--model", choices=MODELS, default="logistic",
                       help="model to audit (default: logistic)")
    audit.add_argument("--exact", choices=("auto", "vpr", "mip", "none"), default="auto",
                       help="exact methods for linear models (default: auto)")
    audit.add_argument("--subject", default=None,
                       help="plural noun for the rows in the report text (default: people)")
    audit.add_argument("--out", default="report.html",
                       help="report file: .html, .md or .json (default: report.html)")
    held_out = audit.add_mutually_exclusive_group()
    held_out.add_argument("--test-data", default=None, metavar="FILE.csv",
                          help="held-out CSV with the columns of --data: the measures are "
                          "reported on its rows, encoded as the training rows are")
    held_out.add_argument("--test-size", type=_fraction, default=None, metavar="FRACTION",
                          help="hold out this share of the rows of the data (stratified "
                          "by the target, seeded by --random-state) and report the "
                          "measures on them")
    audit.add_argument("--per-person", default=None, metavar="FILE",
                       help="write one row per audited person (prediction, flips, viable "
                       "prediction range, groups) indexed by its row number in the file: "
                       "CSV, or parquet when FILE ends with .parquet")
    _add_common(audit, n_models=100)
    _add_csv_format(audit)
    audit.set_defaults(func=_cmd_audit)

    agree = sub.add_parser(
        "agreement", help="agreement coefficients of annotations with confidence intervals",
        description="Print the agreement coefficients (percent agreement, Fleiss, Gwet, "
                    "Brennan-Prediger, Conger, Krippendorff; Cohen with two annotators) "
                    "with standard errors, confidence intervals and p-values.")
    _add_annotation_columns(agree)
    agree.add_argument("--level", choices=("nominal", "ordinal", "interval", "ratio"),
                       default="nominal", help="level of Krippendorff's alpha")
    agree.add_argument("--ci", choices=("bootstrap", "analytic", "none"), default="bootstrap",
                       help="confidence intervals (default: bootstrap over items)")
    agree.add_argument("--n-resamples", type=_positive_int, default=1000,
                       help="bootstrap resamples (default: 1000)")
    agree.add_argument("--weights", choices=("none", *WEIGHTS), default=None,
                       help="agreement weights of percent agreement and the kappas "
                       "(Gwet 2014): linear, quadratic, ordinal, ... from the category "
                       "values (numbers) or ranks (--categories order); default: none "
                       "(unweighted)")
    agree.add_argument("--on-undefined", choices=("nan", "raise"), default="nan",
                       help="a coefficient undefined on the data (e.g. a single category): "
                       "nan leaves its cells empty and says why below the table (default); "
                       "raise stops with an error")
    agree.add_argument("--json", action="store_true", help="print JSON instead of a table")
    agree.set_defaults(func=_cmd_agreement)

    agg = sub.add_parser(
        "aggregate", help="infer one label per item from several annotators",
        description="Aggregate the annotations into one label per item and write a CSV "
                    "with the item, the label and the probability of each category.")
    _add_annotation_columns(agg)
    agg.add_argument("--method", choices=AGGREGATORS, default="dawid-skene",
                     help="aggregation model (default: dawid-skene)")
    agg.add_argument("--out", default="-", help="output CSV (default: standard output)")
    agg.add_argument("--annotators", default=None, metavar="FILE",
                     help="also write one row per annotator: the number of ratings and the "
                     "estimated accuracy under --method (CSV; - for standard output)")
    agg.set_defaults(func=_cmd_aggregate)

    prof = sub.add_parser(
        "profile", help="disagreement by annotator group, annotator and item; soft labels",
        description="Profile the disagreement of the annotations: by annotator group "
                    "(with --groups or --group-column: agreement within and between "
                    "groups, each group's deviation from the majority, the worst served "
                    "group, the Gini coefficient), else by annotator; optionally write "
                    "the soft labels (each item's label distribution) and the per-item "
                    "and per-annotator tables as CSV.")
    _add_annotation_columns(prof)
    prof.add_argument("--groups", default=None, metavar="FILE",
                      help="CSV with one row per annotator: the --annotator column and the "
                      "group column (the only other column, or the one --group-column "
                      "names)")
    prof.add_argument("--group-column", default=None, metavar="COL",
                      help="the column holding each annotator's group: in the --groups "
                      "file, or without --groups in the annotations file (one group per "
                      "annotator)")
    prof.add_argument("--soft-labels", default=None, metavar="FILE",
                      help="write each item's label distribution as CSV (item, n_ratings, "
                      "p_<category>; - for standard output)")
    prof.add_argument("--smoothing", type=_non_negative_float, default=0.0,
                      help="pseudo-count added to every category of the soft labels "
                      "(default: 0)")
    prof.add_argument("--items", default=None, metavar="FILE",
                      help="write the per-item table (majority, entropy, ...) as CSV")
    prof.add_argument("--annotators", default=None, metavar="FILE",
                      help="write the per-annotator table (agreement with the leave-one-out "
                      "majority, kappa, group) as CSV")
    prof.set_defaults(func=_cmd_profile)

    demo = sub.add_parser(
        "demo", help="audit a logistic regression on the bundled COMPAS data",
        description="Run the audit on the bundled COMPAS data (logistic regressions on "
                    "bootstrap resamples, exact logistic level set), write an HTML report "
                    "and print the headline figures.")
    _add_common(demo, n_models=50)
    demo.add_argument("--exact", choices=("auto", "vpr", "mip", "none"), default="vpr",
                      help="exact methods (default: vpr; 'auto' adds the MIP, ~20-40 s)")
    demo.add_argument("--out", default="reports/demo.html",
                      help="report file: .html, .md or .json (default: reports/demo.html)")
    demo.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``multiplicity`` console script; returns the exit code.

    When the reader of standard output stops early (``multiplicity aggregate ... | head``),
    the command ends quietly with status 141, as a program ended by SIGPIPE does.
    """
    try:
        try:
            return _run(argv)
        finally:
            if sys.stdout is not None:
                sys.stdout.flush()  # a closed pipe is noticed here, not at interpreter exit
    except BrokenPipeError:
        return reader_gone()


def _run(argv: Sequence[str] | None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as e:
        print(f"multiplicity {args.command}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # pragma: no cover - interactive
        print("interrupted", file=sys.stderr)
        return 130
