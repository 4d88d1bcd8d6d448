"""The ``audit`` and ``demo`` sub-commands: the task (``--task``, or detected from the
target column), the estimator behind ``--model``, the held-out split (``--test-size``),
the report file (.html, .md or .json) and the per-person table (``--per-person``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from . import _demo, _lazy, annotation  # light: what they need loads on first use
from ._cli_input import fit_encoding, read_csv, require_columns
from ._cli_messages import UserError, _api_call
from ._demo import summary_lines

# Loaded when a sub-command needs them, so that `multiplicity --help` starts fast.
_report = _lazy.lazy_module("multiplicity.report")
_datasets = _lazy.lazy_module("multiplicity.datasets")


MODELS = ("logistic", "tree", "forest", "boosting", "mlp")
# The regressors behind --model for a regression: ridge in place of logistic.
REGRESSION_MODELS = ("ridge", "tree", "forest", "boosting", "mlp")
MODEL_CHOICES = ("logistic", "ridge", "tree", "forest", "boosting", "mlp")
TASKS = ("classification", "regression")
# A target column is continuous (a regression) when it is numeric, has more than this
# many distinct values and not all of them are whole numbers.
CONTINUOUS_MIN_DISTINCT = 20

# Messages of the regression audit from the command line.
MODEL_TASK = ("--model {model} is a {kind}; the task is {task} ({why}): use --model "
              "{other} or pass --task {kind}")
TARGET_NOT_NUMERIC = ("{path}: target column {target!r} holds text (for example {example!r}); "
                      "--task regression needs numbers")
TASK_AMBIGUOUS = ("target column {target!r} holds {n:,} distinct whole numbers: a quantity "
                  "to predict (pass --task regression) or {n:,} classes (pass --task "
                  "classification)?")
COMPAS_REGRESSION = ("--task regression: the bundled COMPAS target is a class label; pass "
                     "--data FILE.csv with a numeric target for a regression audit")
FLAG_NEEDS_REGRESSION = ("{flag}: a decision threshold is a cut-off on the predictions of a "
                         "regression; the task is classification ({why}); pass --task "
                         "regression or leave {flag} out")
REPORT_FORMATS = {".html": "html", ".htm": "html", ".md": "markdown",
                  ".markdown": "markdown", ".json": "json"}


def make_estimator(name: str, random_state: int | None, task: str = "classification"):
    """The scikit-learn classifier (or, for ``task="regression"``, regressor) behind
    ``--model``. The regressors are the classifiers' twins: ``Ridge()`` for ridge (the
    features are one-hot encoded and standardised as for the logistic regression), and
    the tree, forest, boosting and MLP regressors with the same settings."""
    if task == "regression":
        return _make_regressor(name, random_state)
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


def _make_regressor(name: str, random_state: int | None):
    if name == "ridge":
        from sklearn.linear_model import Ridge

        return Ridge(alpha=1.0)
    if name == "tree":
        from sklearn.tree import DecisionTreeRegressor

        return DecisionTreeRegressor(max_depth=6, min_samples_leaf=5, random_state=random_state)
    if name == "forest":
        from sklearn.ensemble import RandomForestRegressor

        return RandomForestRegressor(n_estimators=50, max_depth=8, random_state=random_state)
    if name == "boosting":
        from sklearn.ensemble import HistGradientBoostingRegressor

        return HistGradientBoostingRegressor(max_iter=100, random_state=random_state)
    from sklearn.neural_network import MLPRegressor

    return MLPRegressor(hidden_layer_sizes=(32,), max_iter=300, random_state=random_state)


def detect_task(y, target: str) -> tuple[str, str]:
    """``(task, why)`` of a target column without ``--task``.

    - numeric (not boolean) with more than ``CONTINUOUS_MIN_DISTINCT`` distinct values,
      not all whole numbers: ``"regression"``;
    - numeric whole numbers with more than ``CONTINUOUS_MIN_DISTINCT`` distinct values
      (a count or a score, or many class codes): ambiguous, a ``UserError`` that asks for
      ``--task``;
    - anything else (text, booleans, few distinct values): ``"classification"``.
    """
    import numpy as np

    values = y.dropna()
    n_distinct = int(values.nunique())
    if values.dtype.kind in "iuf" and n_distinct > CONTINUOUS_MIN_DISTINCT:
        if not np.all(np.mod(values.to_numpy(dtype=np.float64), 1.0) == 0.0):
            return "regression", (f"detected: {target!r} is numeric with {n_distinct:,} "
                                  "distinct values, not all whole numbers")
        raise UserError(TASK_AMBIGUOUS.format(target=target, n=n_distinct))
    return "classification", (f"detected: {target!r} has {n_distinct:,} distinct values")


def resolve_model(model: str | None, task: str, why: str) -> str:
    """The ``--model`` name for ``task`` (default logistic / ridge); a model of the other
    task is a ``UserError``."""
    if model is None:
        return "ridge" if task == "regression" else "logistic"
    if model == "logistic" and task == "regression":
        raise UserError(MODEL_TASK.format(model=model, kind="classification", task=task,
                                          why=why, other="ridge"))
    if model == "ridge" and task == "classification":
        raise UserError(MODEL_TASK.format(model=model, kind="regression", task=task,
                                          why=why, other="logistic"))
    return model


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


def _check_target(y, path: str | Path, target: str) -> None:
    if y.isna().any():
        raise UserError(f"{path}: target column {target!r} has "
                        f"{int(y.isna().sum())} missing value(s)")


def _check_numeric_target(y, path: str | Path, target: str) -> None:
    """A regression's target column must hold numbers (booleans are labels)."""
    if y.dtype.kind not in "iuf":
        bad = y[~y.astype(str).str.fullmatch(r"\s*[-+]?[\d.eE+-]+\s*")]
        example = bad.iloc[0] if len(bad) else y.iloc[0]
        raise UserError(TARGET_NOT_NUMERIC.format(path=path, target=target,
                                                  example=example))


def split_rows(y, test_size: float, random_state: int, target: str,
               stratify: bool = True):
    """Row positions ``(train, test)`` of a split (``--test-size``), stratified by the
    classes unless ``stratify`` is False (a continuous target), each sorted, so both
    parts keep the order of the file."""
    import math

    import numpy as np
    from sklearn.model_selection import train_test_split

    if not stratify:
        n = len(y)
        n_test = math.ceil(test_size * n)
        if n_test < 2 or n - n_test < 2:
            raise UserError(f"--test-size {test_size:g} holds out {n_test} of {n} rows; "
                            "both the training and the held-out part need at least two")
        train, test = train_test_split(np.arange(n), test_size=test_size,
                                       random_state=random_state)
        return np.sort(train), np.sort(test)
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
    task = args.task or "classification"
    why = "--task" if args.task else "the default"
    if args.data is None:
        if task == "regression":
            raise UserError(COMPAS_REGRESSION)
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
        if args.task is None:
            task, why = detect_task(df[args.target], args.target)
        if task == "regression":
            _check_numeric_target(df[args.target], args.data, args.target)
        if df[args.target].nunique() < 2:
            raise UserError(f"{args.data}: target column {args.target!r} has a single value "
                            f"({df[args.target].iloc[0]!r}); an audit needs at least two "
                            + ("values" if task == "regression" else "classes"))
        test_df = None
        if args.test_size is not None:
            train, test = split_rows(df[args.target], args.test_size, args.random_state,
                                     args.target, stratify=task == "classification")
            df, test_df = df.iloc[train], df.iloc[test]
            held_out_rows = (f"the rows of {args.data} held out by --test-size "
                             f"{args.test_size:g}, "
                             + (f"stratified by {args.target!r}" if task == "classification"
                                else "drawn at random (a continuous target)"))
        elif args.test_data is not None:
            test_df = read_csv(args.test_data, sep=args.sep, decimal=args.decimal)
            require_columns(test_df, [args.target, *sensitive], args.test_data)
            _check_target(test_df[args.target], args.test_data, args.target)
            import pandas as pd

            if task == "regression":
                _check_numeric_target(test_df[args.target], args.test_data, args.target)
            unseen = [] if task == "regression" else sorted(
                set(pd.unique(test_df[args.target])) - set(pd.unique(df[args.target])),
                key=str)
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
    if args.threshold is not None and task != "regression":
        raise UserError(FLAG_NEEDS_REGRESSION.format(flag="--threshold", why=why))
    model = resolve_model(args.model, task, why)
    estimator = make_estimator(model, args.random_state, task)
    # HistGradientBoosting's OpenMP loops spin-wait on busy cores (seconds per fit on a
    # loaded machine instead of a tenth); models are parallelised by --n-jobs instead.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1 if model == "boosting" else None,
                           user_api="openmp"):
        report = _api_call(
            "audit", audit, estimator, X, y, X_test=X_test, y_test=y_test,
            sensitive_features=groups or None,
            annotations=annotations, epsilon=args.epsilon,
            n_models=args.n_models, random_state=args.random_state, progress=args.progress,
            exact=args.exact, subject=subject, n_jobs=args.n_jobs, figures=fmt != "json",
            title=f"Multiplicity audit: {model} model on {source}", task=task,
            delta=args.delta, threshold=args.threshold)
    path = write_report(report, args.out)
    table = None
    if args.per_person is not None:
        table = write_per_person(report, args.per_person)
    rows = "training rows" if X_test is not None else "rows"
    print(f"multiplicity audit: {model} model on {source} ({len(y):,} {rows}, "
          f"{X.shape[1]} features)")
    if task == "regression" or args.task is not None:
        print(f"task: {task} ({why})")
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


def _cmd_demo(args: argparse.Namespace) -> int:

    fmt = report_format(args.out)
    report = _api_call("demo", _demo.run_demo, n_models=args.n_models, epsilon=args.epsilon,
                       random_state=args.random_state, n_jobs=args.n_jobs, exact=args.exact,
                       progress=args.progress, figures=fmt != "json")
    path = write_report(report, args.out)
    print("\n".join(_demo.demo_lines(report)))
    print(f"\nwrote {path} (one self-contained page: open it in a browser)")
    return 0
