"""Command line: ``multiplicity <command>`` (also ``python -m multiplicity``).

A thin layer over the public API: parse the arguments, read the user's CSV, call
:func:`multiplicity.report.audit`, :func:`multiplicity.annotation.agreement`, an
aggregator or :class:`multiplicity.annotation.DisagreementProfile`, write the result.
Mistakes in the user's files or arguments print one line to stderr and exit with code 1
(argparse usage errors: code 2); there is no traceback.

This module holds the argument parser and :func:`main`; the work is done by
``_cli_input`` (reading the user's files), ``_cli_audit`` (``audit``, ``demo``),
``_cli_annotation`` (``agreement``, ``aggregate``, ``profile``), ``_cli_judge``
(``judge``) and ``_cli_messages``
(``UserError``, the API's messages in the words of the flags).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence

# ``X as X``: the names of the command modules stay importable from here
# (``from multiplicity.cli import read_csv``).
from ._cli_annotation import AGGREGATORS, WEIGHTS, _cmd_aggregate, _cmd_agreement, _cmd_profile
from ._cli_annotation import DEFAULT_COEFFICIENTS as DEFAULT_COEFFICIENTS
from ._cli_annotation import LoadedAnnotations as LoadedAnnotations
from ._cli_annotation import _agreement_requests as _agreement_requests
from ._cli_annotation import _make_aggregator as _make_aggregator
from ._cli_annotation import aggregate_table as aggregate_table
from ._cli_annotation import annotator_groups as annotator_groups
from ._cli_annotation import annotator_table as annotator_table
from ._cli_audit import MODEL_CHOICES as _MODEL_CHOICES
from ._cli_audit import MODELS as MODELS
from ._cli_audit import PARQUET_ENGINES as PARQUET_ENGINES
from ._cli_audit import REPORT_FORMATS as REPORT_FORMATS
from ._cli_audit import TASKS as _TASKS
from ._cli_audit import _cmd_audit, _cmd_demo
from ._cli_audit import evaluation_line as evaluation_line
from ._cli_audit import make_estimator as make_estimator
from ._cli_audit import parquet_engine_problems as parquet_engine_problems
from ._cli_audit import per_person_format as per_person_format
from ._cli_audit import report_format as report_format
from ._cli_audit import split_rows as split_rows
from ._cli_audit import write_per_person as write_per_person
from ._cli_audit import write_report as write_report
from ._cli_input import MAX_CATEGORIES as MAX_CATEGORIES
from ._cli_input import FeatureEncoding as FeatureEncoding
from ._cli_input import encode_features as encode_features
from ._cli_input import fit_encoding as fit_encoding
from ._cli_input import read_csv as read_csv
from ._cli_input import require_columns as require_columns
from ._cli_input import sniff_separator as sniff_separator
from ._cli_judge import JUDGE_COEFFICIENTS, _cmd_judge
from ._cli_messages import FLAGS as FLAGS
from ._cli_messages import UserError
from ._cli_messages import cli_message as cli_message
from ._demo import summary_lines as summary_lines
from ._stdio import reader_gone
from ._version import __version__


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


def _positive_float(text: str) -> float:
    """``--delta``: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    return value


def _finite_float(text: str) -> float:
    """``--threshold``: a finite number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
    return value


def _fraction(text: str, closed_low: bool = False) -> float:
    """A number in (0, 1), or in [0, 1) with ``closed_low``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number between 0 and 1, got {text}") \
            from None
    if not ((0 <= value if closed_low else 0 < value) and value < 1):
        raise argparse.ArgumentTypeError(
            f"must be at least 0 and below 1, got {text}" if closed_low else
            f"must be between 0 and 1 (both excluded), got {text}")
    return value


def _fraction_or_zero(text: str) -> float:
    """``--epsilon`` of ``judge``: a number in [0, 1)."""
    return _fraction(text, closed_low=True)


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
    audit.add_argument("--model", choices=_MODEL_CHOICES, default=None,
                       help="model to audit (default: logistic for a classification, "
                       "ridge for a regression; tree, forest, boosting and mlp fit either; "
                       "boosting is explored stage by stage (RashomonGB) instead of "
                       "retrained)")
    audit.add_argument("--task", choices=_TASKS, default=None,
                       help="classification or regression (default: regression when the "
                       "target is numeric with more than 20 distinct values, not all "
                       "whole numbers; classification otherwise)")
    audit.add_argument("--delta", type=_positive_float, default=None,
                       help="distance between two predictions that counts as a change: "
                       "regression, in the units of the target (default: 0.1 x the "
                       "standard deviation of the training target); classification, on "
                       "probabilities (default: 0.1)")
    audit.add_argument("--threshold", type=_finite_float, default=None,
                       help="regression only: a decision cut-off (decision = prediction "
                       ">= threshold); adds decision ambiguity")
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
    agree.add_argument("--multi-label", action="store_true",
                       help="each label is a set of tags (one row per item, annotator and "
                       "tag, or tags separated by --tag-sep): print one row per tag, the "
                       "agreement on whether each annotator gave it, and alpha of the sets "
                       "with the MASI distance")
    agree.add_argument("--tag-sep", default=None, metavar="CHAR",
                       help="with --multi-label: the separator of several tags in one label "
                       "cell (e.g. '|' for joy|fear)")
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
    agg.add_argument("--gold", default=None, metavar="FILE",
                     help="CSV of known labels (gold items): the --item column and a label "
                     "column (the only other column, the --label column, or --gold-label); "
                     "they are fixed in the fit and inform the annotators' parameters")
    agg.add_argument("--gold-label", default=None, metavar="COL",
                     help="the label column of --gold FILE")
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

    judge = sub.add_parser(
        "judge", help="may an automatic annotator (an LLM judge, a classifier) replace a "
        "human annotator?",
        description="Compare an automatic annotator's labels with human annotators: the "
                    "alternative annotator test (Calderon, Reichart and Dror, 2025: does "
                    "it represent the other annotators at least as well as the annotator "
                    "it would replace, up to a cost-benefit margin epsilon?) with its "
                    "decision, and its agreement with the annotators with bootstrap "
                    "intervals. Prints both tables and writes a report (.html, .md or "
                    ".json by the extension of --out).")
    _add_annotation_columns(judge)
    judge.add_argument("--candidate-column", default=None, metavar="COL",
                       help="column of the annotations file holding the candidate's label "
                       "of the row's item (repeated on the item's rows)")
    judge.add_argument("--candidate", default=None, metavar="FILE",
                       help="CSV with the candidate's labels: the --item column and the "
                       "label column (the only other column, or --candidate-label)")
    judge.add_argument("--candidate-label", default=None, metavar="COL",
                       help="the label column of --candidate FILE")
    judge.add_argument("--candidate-name", default=None, metavar="NAME",
                       help="the candidate's name in the text (default: its column)")
    judge.add_argument("--epsilon", type=_fraction_or_zero, default=0.2,
                       help="cost-benefit margin of the test: 0.2 for expert annotators "
                       "(default), 0.15 for skilled ones, 0.1 for crowd workers")
    judge.add_argument("--alpha", type=_fraction, default=0.05,
                       help="false discovery rate of the Benjamini-Yekutieli correction "
                       "(default: 0.05)")
    judge.add_argument("--scoring", choices=("accuracy", "neg_rmse"), default="accuracy",
                       help="how well a label represents the other annotators: accuracy "
                       "(default; categories) or neg_rmse (numeric ratings)")
    judge.add_argument("--min-items", type=_positive_int, default=30,
                       help="annotators with fewer items are left out of the test "
                       "(default: 30, the t-test's rule of thumb)")
    judge.add_argument("--coefficient", choices=JUDGE_COEFFICIENTS,
                       default="krippendorff_alpha",
                       help="agreement coefficient (default: krippendorff_alpha)")
    judge.add_argument("--level", choices=("nominal", "ordinal", "interval", "ratio"),
                       default=None, help="level of Krippendorff's alpha (default: nominal; "
                       "interval or ordinal for ratings)")
    judge.add_argument("--n-resamples", type=_positive_int, default=1000,
                       help="bootstrap resamples of the agreement intervals (default: 1000)")
    judge.add_argument("--out", default="judge.html",
                       help="report file: .html, .md or .json (default: judge.html)")
    judge.set_defaults(func=_cmd_judge)

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
