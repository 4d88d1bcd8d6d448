"""The ``judge`` sub-command: may an automatic annotator (an LLM judge, a classifier)
replace a human annotator? Reads the annotators' long CSV and the candidate's labels (a
column of that file, or a file of its own), prints the alternative annotator test and
the agreement table, and writes a report."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from . import _lazy
from ._cli_annotation import _load_annotations
from ._cli_audit import report_format, write_report
from ._cli_input import labels_per_item, read_item_labels, require_columns
from ._cli_messages import FLAGS, UserError, _api_call, cli_message

_report = _lazy.lazy_module("multiplicity.report")

# The coefficients candidate_agreement takes by name (two-rater Cohen's kappa and the ICC
# are left to the Python API: the replaced tables have more raters, the ICC needs numbers).
JUDGE_COEFFICIENTS = ("krippendorff_alpha", "fleiss_kappa", "gwet_ac1", "percent_agreement",
                      "scott_pi", "brennan_prediger", "conger_kappa")

CANDIDATE_BOTH = ("give the candidate's labels either with --candidate-column (a column of "
                  "the annotations file) or with --candidate FILE, not both")
NO_COMMON_ITEMS = ("{path}: none of the candidate's items ({shown}, ...) is an item of the "
                   "annotations ({items}, ...); the candidate's --item column must hold the "
                   "same item ids")
CANDIDATE_NONE = ("the candidate's labels are missing: name their column with "
                  "--candidate-column, or give their file with --candidate FILE")


def _candidate(args: argparse.Namespace, loaded: Any) -> Any:
    """The candidate's labels as a Series keyed by item."""
    if args.candidate_column is not None and args.candidate is not None:
        raise UserError(CANDIDATE_BOTH)
    if args.candidate_column is not None:
        require_columns(loaded.frame, [args.candidate_column], args.file)
        return labels_per_item(loaded.frame, args.item, args.candidate_column, args.file,
                               "the candidate")
    if args.candidate is None:
        raise UserError(CANDIDATE_NONE)
    series = read_item_labels(args.candidate, item=args.item, column=args.candidate_label,
                              fallback=args.label, sep=args.sep, decimal=args.decimal,
                              flag="--candidate-label", what="the candidate")
    if args.candidate_name is not None:
        series.name = args.candidate_name
    return series


def _cmd_judge(args: argparse.Namespace) -> int:
    import warnings

    report_format(args.out)  # an unknown extension fails before the work
    loaded = _load_annotations(args)
    candidate = _candidate(args, loaded)
    if args.candidate_name is not None:
        candidate = candidate.rename(args.candidate_name)
    ann = loaded.ann
    source = args.candidate or args.file
    on_items = candidate.index.isin(ann.items)
    if not on_items.any():
        shown = ", ".join(map(str, candidate.index[:3]))
        items = ", ".join(map(str, ann.items[:3]))
        raise UserError(NO_COMMON_ITEMS.format(path=source, shown=shown, items=items,
                                               item=args.item))
    kwargs: dict[str, Any] = {}
    if args.level is not None:
        if args.coefficient != "krippendorff_alpha":
            raise UserError(f"--level applies to krippendorff_alpha, not to "
                            f"--coefficient {args.coefficient}")
        kwargs["level"] = args.level
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rep = _api_call("judge", _report.judge_report, ann, candidate,
                        epsilon=args.epsilon, alpha=args.alpha, scoring=args.scoring,
                        min_items=args.min_items, coefficient=args.coefficient,
                        n_resamples=args.n_resamples, random_state=args.random_state,
                        figures=report_format(args.out) != "json",
                        coefficient_kwargs=kwargs)
    for w in caught:
        print(f"multiplicity judge: warning: {cli_message(str(w.message), FLAGS['judge'])}",
              file=sys.stderr)
    sec = rep.section("judge")
    print(loaded.line())
    print(loaded.categories_line())
    n_ignored = int((~on_items).sum())
    print(f"candidate: {sec.numbers['candidate']} ({int(on_items.sum()):,} annotated items "
          "labelled" + (f"; {n_ignored:,} labels of items nobody annotated ignored"
                        if n_ignored else "") + ")")
    if ann.is_numeric and args.scoring == "accuracy":
        print("multiplicity judge: note: the labels are numbers; --scoring accuracy counts "
              "exact matches only (--scoring neg_rmse weighs how far apart ratings are, and "
              "--level interval or ordinal does the same for the agreement)", file=sys.stderr)
    for para in sec.paragraphs:
        print()
        print(cli_message(para, FLAGS["judge"]))
    for caption, table in sec.tables.values():
        print()
        print(caption + ":")
        print(table.to_string(float_format=lambda v: f"{v:.4f}", na_rep=""))
    path = write_report(rep, args.out)
    print(f"\nreport written to {path}", file=sys.stderr)
    return 0
