"""The report's closing parts: the headline figures, the per-person table, the notes and
the call that reproduces the report."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._context import AuditContext
from ._exact import ExactRuns
from ._measures import AnnotationStats, Vote
from ._report import Section

__all__ = ["headline", "notes_section", "per_person_table", "reproduce_section"]

_MEANING = {
    "n_samples": "number of {who} audited",
    "n_models_in_set": "retrained models that are within epsilon of the best (the set)",
    "baseline_accuracy": "accuracy of the best model (the baseline) on the audited data",
    "ambiguity": "share of {who} whose prediction some equally good model flips",
    "discrepancy": "largest share of {who} one equally good model flips",
    "probabilistic_ambiguity": "share of {who} whose predicted probability some equally "
                               "good model moves by at least {delta:g}",
    "probabilistic_discrepancy": "largest share of {who} whose probability one model moves "
                                 "by at least {delta:g}",
    "mean_rashomon_capacity": "effective number of outcomes the set offers one person "
                              "(1 = none disagree)",
    "mean_vpr_width": "average spread of a person's predicted probability across the set",
    "mean_self_consistency": "chance that two random models of the set agree on a person",
    "abstention_rate": "share of {who} a selective ensemble (alpha = {alpha:g}) declines "
                       "to decide",
    "exact_ambiguity": "share of {who} some linear model within epsilon flips (exact MIP, "
                       "lower bound)",
    "exact_discrepancy": "largest share of {who} one linear model within epsilon flips "
                         "(exact MIP, lower bound)",
    "exact_mean_vpr_width": "average probability range over the whole logistic level set",
    "exact_probabilistic_ambiguity": "probabilistic ambiguity over the whole logistic "
                                     "level set",
}


def per_person_table(ctx: AuditContext, vote: Vote, exact: ExactRuns) -> pd.DataFrame:
    """One row per person of the measured data (see :meth:`AuditReport.per_person`)."""
    p, rs = ctx.profile, ctx.rset
    index = (ctx.Xm.index if isinstance(ctx.Xm, pd.DataFrame | pd.Series)
             else p.index if p.index is not None  # a dask X_test's row labels
             else pd.RangeIndex(p.n_samples))
    classes = np.asarray(rs.classes_)
    codes = vote.codes
    base = codes[rs.baseline_index_]
    cols: dict[str, Any] = {
        "prediction": classes[base],
        "y_true": ctx.ym,
        "flipped": (codes != base[None, :]).any(axis=0),
        "models_disagreeing": (codes != base[None, :]).sum(axis=0),
        "self_consistency": p.self_consistency,
    }
    if p.vpr is not None and np.ndim(p.vpr) == 2 and len(classes) == 2:
        cols["vpr_class"] = np.repeat(classes[1:2], p.n_samples)
        cols["vpr_low"], cols["vpr_high"] = p.vpr[:, 0], p.vpr[:, 1]
    if exact.level_set is not None:
        cols["exact_vpr_low"] = exact.level_set.vpr[:, 0]
        cols["exact_vpr_high"] = exact.level_set.vpr[:, 1]
    cols["abstained"] = vote.abstained
    for name, g in ctx.groups.items():
        cols[f"group:{name}"] = g.labels
    out = pd.DataFrame(cols, index=index)
    out.attrs["measured_on"] = "X_test" if ctx.held_out else "X"
    return out


def notes_section(notes: list[str]) -> Section:
    """The warnings raised while auditing and the methods skipped, with the reason."""
    sec = Section("notes", "Notes and warnings")
    if notes:
        sec.paragraphs.extend(notes)
    else:
        sec.paragraphs.append("No warnings were raised and no method was skipped.")
    sec.numbers = {"n_notes": len(notes)}
    return sec


def reproduce_section(parameters: dict[str, Any], data: dict[str, Any]) -> Section:
    """The call and the parameters that regenerate the report."""
    p = parameters
    args = [f"epsilon={p['epsilon']!r}", f"n_models={p['n_models']}",
            f"random_state={p['random_state']}", f"perturbation={p['perturbation']!r}",
            f"exact={p['exact']!r}", f"delta={p['delta']!r}", f"alpha={p['alpha']!r}"]
    if p.get("threshold") is not None:
        args.append(f"threshold={p['threshold']!r}")
    if p["sensitive_features"]:
        args.insert(0, "sensitive_features=sensitive_features")
    if p.get("candidate") is not None:
        args.insert(0, f"candidate=candidate, alt_test_epsilon={p['alt_test_epsilon']!r}, "
                       f"alt_test_alpha={p['alt_test_alpha']!r}")
    if p["annotations"]:
        args.insert(0, "annotations=annotations")
    if p.get("evaluation") == "held-out":
        args.insert(0, "X_test=X_test, y_test=y_test")
    what = p["estimator"]["repr"] if p.get("models") in (None, "estimator") else "models"
    code = ("```python\nfrom multiplicity.report import audit\n\n"
            f"report = audit({what}, X, y,\n               "
            + ",\n               ".join(args) + ")\n```")
    paras = [f"This report was produced by multiplicity with the parameters below. With the "
             f"same data (SHA-256 {data['sha256']}) and the same package version, this "
             "call regenerates it:", code]
    flat = {k: (v if not isinstance(v, dict | list) else str(v))
            for k, v in p.items() if k != "estimator"}
    table = pd.DataFrame({"value": [p["estimator"]["repr"]] + [
        "-" if v is None else str(v) for v in flat.values()]},
        index=pd.Index(["estimator", *flat], name="parameter"))
    return Section("reproduce", "Reproducing this report", paras,
                   tables={"parameters": ("Parameters", table)})


def headline(ctx: AuditContext, sections: list[Section], exact: ExactRuns,
             annotations: AnnotationStats | None) -> pd.DataFrame:
    """The figures :meth:`AuditReport.summary` returns, each with its meaning."""
    p = ctx.profile
    abst = next(s for s in sections if s.id == "abstention").numbers["abstention_rate"]
    ls, mip = exact.level_set, exact.mip
    values: dict[str, Any] = {
        "n_samples": p.n_samples, "n_models_in_set": len(ctx.rset),
        "baseline_accuracy": p.baseline_accuracy, "ambiguity": p.ambiguity,
        "discrepancy": p.discrepancy, "probabilistic_ambiguity": p.probabilistic_ambiguity,
        "probabilistic_discrepancy": p.probabilistic_discrepancy,
        "mean_rashomon_capacity": p.mean_rashomon_capacity,
        "mean_vpr_width": p.mean_vpr_width,
        "mean_self_consistency": p.mean_self_consistency, "abstention_rate": abst,
        "exact_ambiguity": None if mip is None else mip.ambiguity,
        "exact_discrepancy": None if mip is None else mip.discrepancy,
        "exact_mean_vpr_width": None if ls is None else ls.mean_width,
        "exact_probabilistic_ambiguity": None if ls is None else ls.probabilistic_ambiguity,
    }
    meaning = {k: _MEANING[k].format(who=ctx.subject, alpha=ctx.alpha, delta=ctx.delta)
               for k in values}
    if ctx.source.boosting is not None:
        meaning["n_models_in_set"] = ("boosting paths within epsilon of the greedy path "
                                      "(the set)")
        meaning["baseline_accuracy"] = ("accuracy of the greedy path (the baseline) on the "
                                        "audited data")
    elif not ctx.source.refitted:
        meaning["n_models_in_set"] = "given models within epsilon of the best (the set)"
    group_sec = next(s for s in sections if s.id == "groups")
    for name in ctx.groups:
        key = f"ambiguity_gap[{name}]"
        values[key] = group_sec.numbers[name]["ambiguity_gap"]
        meaning[key] = f"largest minus smallest ambiguity between the groups of {name}"
    if annotations is not None:
        coef = annotations.coefficients
        if coef is not None and "krippendorff_alpha" in coef.index:
            values["krippendorff_alpha"] = coef.loc["krippendorff_alpha", "value"]
            meaning["krippendorff_alpha"] = "annotator agreement beyond chance (1 = perfect)"
        values["share_items_split"] = annotations.share_items_split
        meaning["share_items_split"] = "share of items the annotators do not label unanimously"
        if annotations.aggregation is not None:
            values["mv_ds_disagreement"] = annotations.aggregation.share_differ
            meaning["mv_ds_disagreement"] = ("share of items majority vote and Dawid-Skene "
                                             "label differently")
    out = pd.DataFrame({
        "value": pd.Series({k: (np.nan if v is None else float(v)) for k, v in values.items()},
                           dtype=np.float64),
        "meaning": pd.Series(meaning, dtype=object)})
    out.index.name = "measure"
    return out
