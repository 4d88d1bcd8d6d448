"""The annotation sub-commands: ``agreement``, ``aggregate`` and ``profile``, and what they
share: reading the long CSV of annotations (:class:`LoadedAnnotations`) and writing CSV
tables to a file or standard output."""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import annotation  # light: what it needs loads on first use
from ._cli_input import blank_labels as _blank_labels
from ._cli_input import read_csv, read_item_labels, require_columns
from ._cli_messages import FLAGS, UserError, _api_call, cli_message

AGGREGATORS = ("dawid-skene", "majority", "glad", "mace")


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
    if getattr(args, "multi_label", False):
        if args.categories is not None:
            raise UserError("--categories orders single labels; with --multi-label each "
                            "label is a set of tags: leave --categories out")
        if args.tag_sep is not None:  # "joy|fear" in one cell: the cell is a list of tags
            df = df.copy()
            df[args.label] = [v.split(args.tag_sep) if isinstance(v, str) else v
                              for v in df[args.label]]
        else:  # one row per (item, annotator, tag)
            kwargs["multi_label"] = True
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
    if args.multi_label:
        return _agreement_by_tag(args, loaded)
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


def _agreement_by_tag(args: argparse.Namespace, loaded: LoadedAnnotations) -> int:
    """``agreement --multi-label``: one row per tag (each tag's yes/no view of the sets),
    and Krippendorff's alpha of the sets with the MASI distance."""
    import numpy as np

    ann = loaded.ann
    ci = None if args.ci == "none" else args.ci
    table = _api_call("agreement", annotation.tag_agreement, ann, ci=ci,
                      n_resamples=args.n_resamples, random_state=args.random_state)
    try:
        masi = annotation.krippendorff_alpha(ann, distance="masi")
    except ValueError as e:
        masi, masi_note = float("nan"), str(e).strip().splitlines()[0]
    else:
        masi_note = None
    undefined = table.attrs.get("undefined", {})
    if args.json:
        records = {str(tag): {col: (None if isinstance(v, float) and not np.isfinite(v)
                                    else v.item() if isinstance(v, np.generic) else v)
                              for col, v in row.items()}
                   for tag, row in table.iterrows()}
        print(json.dumps({"n_items": ann.n_items, "n_annotators": ann.n_annotators,
                          "n_annotations": ann.n_annotations, "n_tags": len(ann.tags),
                          "ci": ci, "masi_alpha": None if math.isnan(masi) else masi,
                          "tags": records,
                          "undefined": {str(k): v for k, v in undefined.items()}},
                         indent=2, default=str))
        return 0
    print(loaded.line())
    print(f"{len(ann.tags):,} tags; each label is the set of tags an annotator gave an item")
    print(table.to_string(float_format=lambda v: f"{v:.4f}", na_rep=""))
    if undefined:
        print("\nundefined (empty cells):")
        for tag, reasons in undefined.items():
            for name, reason in reasons.items():
                print(f"  {tag}: {name}: {cli_message(reason, FLAGS['agreement'])}")
    print("\nKrippendorff's alpha of the sets, MASI distance (Passonneau 2006): "
          + (f"{masi:.4f}" if masi_note is None else f"undefined ({masi_note})"))
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
    gold = None
    if args.gold is not None:
        gold = read_item_labels(args.gold, item=args.item, column=args.gold_label,
                                fallback=args.label, sep=args.sep, decimal=args.decimal,
                                flag="--gold-label", what="the gold file")
        if not gold.index.isin(ann.items).any():
            raise UserError(f"{args.gold}: none of its items ("
                            f"{', '.join(map(str, gold.index[:3]))}, ...) is an item of "
                            f"{args.file}; its --item column must hold the same item ids")
        unknown = gold.index[~gold.index.isin(ann.items)]
        if len(unknown):
            print(f"multiplicity: warning: {args.gold}: {len(unknown):,} gold labels are "
                  f"for items nobody annotated ({', '.join(map(str, unknown[:3]))}, ...); "
                  "they are left out", file=sys.stderr)
            gold = gold[gold.index.isin(ann.items)]
    model = _api_call("aggregate", _make_aggregator(args.method, args.random_state).fit,
                      ann, true_labels=gold)
    out = aggregate_table(model, ann, args.item, args.method)
    if gold is not None:
        out["gold"] = model.gold_.to_numpy()
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
    if gold is not None:
        print(f"{model.n_gold_:,} items with a gold label: their labels are the gold ones "
              "and they inform the annotator parameters (column gold)", file=report)
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
