"""The report's sections on the models: what was audited, how much the equally good models
disagree (sampled and exact), on whom, what a selective ensemble would do, how the
explanations vary, and how much the annotators agree.

Each builder reads the :class:`~._context.AuditContext` and the frozen results of its own
step, and returns a finished :class:`~._report.Section` (text, numbers, tables, figures).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from .._groups import small_groups
from ..rashomon import MultiplicityProfile
from . import _figures
from . import _intervals as _iv
from ._boosting import boosting_sentence
from ._context import AuditContext
from ._exact import ExactRuns
from ._measures import AnnotationStats, Importance, Vote
from ._prose import count, dropped_sentence, pct, slug, where_measured
from ._report import Figure, Section

__all__ = ["SKIP_LABELS", "abstention_section", "annotation_section", "exact_section",
           "groups_section", "importance_section", "multiplicity_section",
           "overview_section"]

SKIP_LABELS = {"level_set": "Exact viable prediction ranges (logistic level set)",
               "mip": "Exact ambiguity and discrepancy (MIP)",
               "importance": "Feature-importance ranges",
               "aggregation": "Label aggregation",
               "agreement": "Agreement coefficients"}
_GROUP_BARS = ["ambiguity", "discrepancy", "abstention_rate"]


def overview_section(ctx: AuditContext,
                     perturbation: Literal["seed", "bootstrap", "subsample"]) -> Section:
    """The set audited: how it was found, its size, errors and accuracies, and where the
    measures are computed (held-out or in-sample)."""
    rs, prof, src = ctx.rset, ctx.profile, ctx.source
    losses = np.asarray(src.candidate_losses, dtype=np.float64)
    base_err = float(losses[src.baseline_index])
    n_cand = int(src.n_candidates)
    if src.boosting is not None:
        first = boosting_sentence(src, len(rs), ctx.eps, base_err, "log loss")
    elif src.refitted:
        how = {"bootstrap": "each on a bootstrap resample of the rows",
               "seed": "each with its own random seed",
               "subsample": "each on a random half of the rows"}[perturbation]
        first = (f"We trained the model {n_cand} times, {how}. {len(rs)} of these models "
                 f"have a training error at most {ctx.eps:g} above the best one's "
                 f"({base_err:.4f}): they are equally good by that standard, and together "
                 "they form the sampled Rashomon set.")
    else:
        first = (f"The audit was given {src.what} and did not retrain anything. "
                 f"{len(rs)} of its {n_cand} models have a loss on the training data at "
                 f"most {ctx.eps:g} above the best one's ({base_err:.4f}) and form the "
                 "Rashomon set audited here.")
        first += dropped_sentence(n_cand, len(rs), src.kind, float(rs.threshold_), ".4f")
    n_m = prof.n_samples
    where = where_measured(ctx, n_m)
    paras = [
        first + (" The greedy path" if src.boosting is not None else " The best model")
        + " is the baseline every comparison below is made against.",
        where,
        f"Their accuracy on the {ctx.subject} audited ranges from "
        f"{prof.min_accuracy:.4f} to {prof.max_accuracy:.4f} (baseline "
        f"{prof.baseline_accuracy:.4f}). A deployer could have picked any of them.",
        "The set is a sample: a larger search can only find more disagreement, so the "
        "measures below are lower bounds (the exact methods, when they apply, give the "
        "full picture for linear models).",
    ]
    if len(rs) == 1:
        paras.append("Only one model is in the set, so no disagreement can be measured; "
                     "a larger epsilon or more models would show the multiplicity.")
    table = pd.DataFrame({"value": [n_cand, len(rs), base_err, float(rs.threshold_),
                                    prof.baseline_accuracy, prof.min_accuracy,
                                    prof.max_accuracy]},
                         index=pd.Index(["boosting paths drawn" if src.boosting is not None
                                         else "models trained" if src.refitted
                                         else "models given", "models in the Rashomon set",
                                         "baseline training log loss"
                                         if src.boosting is not None
                                         else "baseline training error",
                                         "largest log loss in the set"
                                         if src.boosting is not None
                                         else "largest error in the set",
                                         "baseline accuracy", "lowest accuracy in the set",
                                         "highest accuracy in the set"], name="quantity"),
                         dtype=object)
    tables = {"set": ("The Rashomon set", table)}
    pool = getattr(rs, "pool_", None)
    if src.kind == "models" and isinstance(pool, pd.DataFrame):
        tables["pool"] = ("The given models: training loss and whether the set kept them",
                          pool)
    return Section("overview", "Overview", paras,
                   numbers={"n_models": n_cand, "n_in_set": len(rs),
                            "models": src.kind, "refitted": bool(src.refitted),
                            "evaluation": "held-out" if ctx.held_out else "in-sample",
                            "n_measured": int(n_m),
                            "baseline_index": int(src.baseline_index),
                            "baseline_error": base_err, "threshold": float(rs.threshold_),
                            "candidate_losses": losses.tolist(),
                            "baseline_accuracy": prof.baseline_accuracy,
                            "min_accuracy": prof.min_accuracy,
                            "max_accuracy": prof.max_accuracy},
                   tables=tables)


def multiplicity_section(ctx: AuditContext, iv: _iv.Intervals) -> Section:
    """The multiplicity profile of the sampled set, in words and as a table, with the
    intervals over people and the estimate of what more models would find."""
    p, n, who = ctx.profile, ctx.profile.n_samples, ctx.subject
    paras = [
        (f"Measured on the held-out data: {n:,} {who} the models were not trained on."
         if ctx.held_out else f"Measured in-sample: on the {n:,} {who} the models were "
         "trained on (see the overview)."),
        f"Ambiguity {_iv.measure_ci(iv, 'ambiguity', p.ambiguity)}: for "
        f"{pct(p.ambiguity)} of {who} "
        f"({count(p.ambiguity, n)} of {n:,}), at least one equally good model gives a "
        "different prediction than the baseline. For them the outcome depends on an "
        "arbitrary choice between models, not on the data.",
        f"Discrepancy {_iv.measure_ci(iv, 'discrepancy', p.discrepancy)}: replacing the "
        "baseline by a single other "
        f"equally good model would change the prediction for up to {pct(p.discrepancy)} "
        f"of {who} at once.",
        f"Self-consistency {p.mean_self_consistency:.4f}: two models drawn at random from "
        f"the set agree on a person's prediction {pct(p.mean_self_consistency)} of the "
        "time on average.",
    ]
    if p.vpr_width is not None:
        wide = float(np.mean(p.vpr_width >= ctx.delta))
        paras += [
            f"Viable prediction range: across the set, the predicted probability for one "
            f"person moves by {p.mean_vpr_width:.4f} on average (maximum minus minimum); "
            f"for {pct(wide)} of {who} it moves by {ctx.delta:g} or more.",
            f"Probabilistic ambiguity {p.probabilistic_ambiguity:.4f} (delta = "
            f"{p.delta:g}): for {pct(p.probabilistic_ambiguity)} of {who}, some model in "
            f"the set moves the predicted probability by at least {p.delta:g} away from "
            "the baseline's; probabilistic discrepancy "
            f"{p.probabilistic_discrepancy:.4f} is the largest share one model moves.",
            f"Rashomon capacity {p.mean_rashomon_capacity:.4f} on average (1 = all "
            f"models give the same probabilities, {len(p.classes)} = they spread over "
            "every class): how many distinct outcomes the set effectively offers one "
            "person.",
        ]
    else:
        paras.append("The models have no predict_proba, so the probabilistic measures "
                     "(viable prediction range, Rashomon capacity) are not available.")
    paras += [_iv.people_paragraph(ctx, iv), _iv.estimate_paragraph(ctx, iv)]
    summary = p.summary().to_frame()
    summary.index.name = "measure"
    figures = []
    if ctx.figures:
        figures.append(Figure("profile", "Left: viable prediction range widths; middle: "
                              f"Rashomon capacities; right: share of {who} affected.",
                              _figures.profile_figure(p)))
        if iv.estimate is not None:
            figures.append(Figure(
                "accumulation", "Ambiguity against the number of models drawn (solid: "
                "expected ambiguity of that many of the models, dashed: extrapolated), "
                "with the Chao2 estimate for unlimited draws and its interval (band).",
                _figures.accumulation_figure(p)))
    return Section("multiplicity", "Predictive multiplicity", paras,
                   numbers={k: (None if getattr(p, k) is None else float(getattr(p, k)))
                            for k in MultiplicityProfile.SCALAR_LABELS}
                   | {"n_samples": n, "delta": p.delta,
                      "share_vpr_width_at_least_delta":
                          None if p.vpr_width is None else float(np.mean(p.vpr_width
                                                                          >= ctx.delta)),
                      "intervals": _iv.interval_numbers(iv),
                      "ambiguity_estimate": _iv.estimate_numbers(iv)},
                   tables={"profile": ("Measures of the sampled Rashomon set, with "
                                       f"{_iv.level_text(iv)} intervals over the {who} "
                                       "audited", _iv.measures_table(summary, iv))},
                   figures=figures)


def exact_section(ctx: AuditContext, runs: ExactRuns) -> Section:
    """The exact methods' results against the sampled set's, and why any was skipped."""
    sec = Section("exact", "Exact methods (linear models)")
    rows: list[dict[str, object]] = []
    p = ctx.profile
    ls = runs.level_set
    if ls is not None:
        sampled = np.nan if p.vpr_width is None else p.mean_vpr_width
        sec.paragraphs.append(
            f"Over every L2-regularised logistic regression (C = {ls.C:g}) whose "
            f"regularised log loss is within {ls.epsilon:.3g} of the best "
            f"({ls.how_epsilon}), the predicted probability for one person ranges by "
            f"{ls.mean_width:.4f} on average (the retrained sample found {sampled:.4f}). "
            f"For {pct(ls.crosses_half)} of {ctx.subject} the range straddles 0.5: some "
            "equally good logistic model predicts each class. Probabilistic "
            f"ambiguity over the whole level set: {ls.probabilistic_ambiguity:.4f} "
            f"(delta = {ctx.delta:g}).")
        rows += [
            {"method": "logistic level set", "measure": "mean VPR width",
             "exact": ls.mean_width, "sampled": sampled},
            {"method": "logistic level set", "measure": "probabilistic ambiguity",
             "exact": ls.probabilistic_ambiguity, "sampled": p.probabilistic_ambiguity},
            {"method": "logistic level set", "measure": "share with range across 0.5",
             "exact": ls.crosses_half, "sampled": np.nan},
        ]
        if p.vpr_width is not None and ctx.figures:
            sec.figures.append(Figure(
                "exact_vpr", "Viable prediction range widths: the retrained sample "
                "against the exact logistic level set.",
                _figures.exact_vpr_figure(p.vpr_width, ls.width)))
    mip = runs.mip
    if mip is not None:
        a_lo, a_hi, d_lo, d_hi = (mip.ambiguity, mip.ambiguity_upper, mip.discrepancy,
                                  mip.discrepancy_upper)
        bound = "" if mip.is_exact else (
            f" Some searches hit the time limit of {mip.time_limit} s, so the true values "
            f"lie in [{a_lo:.4f}, {a_hi:.4f}] (ambiguity) and [{d_lo:.4f}, {d_hi:.4f}] "
            "(discrepancy); the figures quoted are the proven lower bounds.")
        # The MIP is exact on the data the set is defined on (the training data).
        on_train = ctx.held_out
        sample_amb = np.nan if on_train else p.ambiguity
        sample_disc = np.nan if on_train else p.discrepancy
        compare = ((" These exact figures are on the training data, the data the "
                    "set is defined on; the sampled measures above are on the held-out "
                    "data, so the two are not compared.") if on_train else "")
        sec.paragraphs.append(
            f"Over every linear classifier whose training error is within {ctx.eps:g} of "
            f"the best possible ({mip.baseline_error:.4f}; at most "
            f"{mip.error_budget} extra mistakes), an exact search (mixed-integer "
            f"programming) finds that {pct(a_lo)} of the {ctx.subject} in the training "
            "data can have their prediction flipped by some equally good linear model "
            f"(ambiguity {a_lo:.4f}"
            + ("" if on_train else f"; the retrained sample found {p.ambiguity:.4f}")
            + f"), and one such model alone flips {pct(d_lo)} (discrepancy {d_lo:.4f}"
            + ("" if on_train else f"; sample {p.discrepancy:.4f}") + ")." + bound
            + compare)
        sampled_err = 1.0 - p.baseline_accuracy
        if not on_train and sampled_err > mip.baseline_error + ctx.eps + 1e-12:
            sec.paragraphs.append(
                f"The retrained models are not all in this set: the best of them errs on "
                f"{sampled_err:.4f} of the data, more than the best linear classifier "
                f"({mip.baseline_error:.4f}) plus epsilon. The sample's figures are "
                "relative to that weaker baseline, so the two are not directly "
                "comparable.")
        rows += [
            {"method": "MIP (all linear classifiers)", "measure": "ambiguity",
             "exact": a_lo, "sampled": sample_amb},
            {"method": "MIP (all linear classifiers)", "measure": "discrepancy",
             "exact": d_lo, "sampled": sample_disc},
        ]
    for key, reason in runs.skipped.items():
        sec.paragraphs.append(f"{SKIP_LABELS[key]}: skipped because {reason}.")
    if rows:
        table = pd.DataFrame(rows).set_index(["method"])
        sec.tables["comparison"] = ("Exact values against the retrained sample", table)
    else:
        sec.status = "skipped"
    if ls is not None and ls.coef_table is not None:
        coef = ls.coef_table
        unstable = [str(f) for f, st in zip(coef.index, coef["sign_stable"], strict=True)
                    if not st and f != "(intercept)"]
        n_feat = int((coef.index != "(intercept)").sum())
        sec.paragraphs.append(
            f"Coefficients over the same level set: {n_feat - len(unstable)} of {n_feat} "
            "keep their sign in every equally good logistic model"
            + (f"; for {', '.join(unstable[:10])}" + (" and others" if len(unstable) > 10
                                                      else "")
               + " some such model gives the feature the opposite sign or none, so the "
               "direction of its effect is not settled by the data." if unstable else "."))
        sec.tables["coefficients"] = ("Coefficients of the baseline and their range over "
                                      "the logistic level set", coef)
    elif ls is not None and ls.coef_skipped:
        sec.paragraphs.append(f"Coefficient ranges: not available ({ls.coef_skipped}).")
    sec.numbers = runs.numbers()
    sec.numbers["skipped"] = dict(runs.skipped)
    return sec


def abstention_section(ctx: AuditContext, vote: Vote, iv: _iv.Intervals) -> Section:
    """Where the selective ensemble of the set abstains (with its interval over people),
    and how right it is elsewhere."""
    abstained = vote.abstained
    rate = float(abstained.mean())
    answered = ~abstained
    y_codes = pd.Index(ctx.rset.classes_).get_indexer(pd.Index(ctx.ym))
    acc = (float(np.mean(vote.labels[answered] == y_codes[answered])) if answered.any()
           else np.nan)
    m = len(ctx.rset)
    paras = [
        f"If the {m} models of the set vote, and a prediction is made only where the "
        f"vote is clear (two-sided binomial test of the top two vote counts at alpha = "
        f"{ctx.alpha:g}), the system abstains for {pct(rate)} of {ctx.subject} "
        f"({count(rate, len(abstained))}; {_iv.measure_pct_ci(iv, _iv.ABSTENTION)}). "
        "Those are the people for whom the choice of "
        "model decides the outcome; they would need another decision procedure, for "
        "example review by a person.",
        f"Where the ensemble does answer, it is right {pct(acc)} of the time (against "
        f"{pct(ctx.profile.baseline_accuracy)} for the baseline on everyone).",
    ]
    need = int(np.ceil(1 + np.log2(1 / ctx.alpha)))
    if m < need:
        paras.append(f"With {m} models even a unanimous vote is not significant at alpha = "
                     f"{ctx.alpha:g} (it needs at least {need}), so the ensemble abstains "
                     "everywhere; audit with more models.")
    low, high = (float(iv.overall.loc[_iv.ABSTENTION, k]) for k in ("low", "high"))
    level = _iv.level_text(iv)
    table = pd.DataFrame({"value": [m, ctx.alpha, rate, low, high, acc]},
                         index=pd.Index(["models voting", "alpha", "abstention rate",
                                         f"abstention rate, {level} low",
                                         f"abstention rate, {level} high",
                                         "accuracy where answered"], name="quantity"),
                         dtype=object)
    return Section("abstention", "Selective ensemble: abstention", paras,
                   numbers={"alpha": ctx.alpha, "n_voters": m, "abstention_rate": rate,
                            "abstention_interval": [low, high],
                            "accuracy_where_answered": acc,
                            "n_abstained": int(abstained.sum()),
                            "mean_p_value": float(np.mean(vote.p_values))},
                   tables={"abstention": ("Selective ensemble", table)})


def groups_section(ctx: AuditContext, vote: Vote, iv: _iv.Intervals) -> Section:
    """The measures and the abstention rate within each group of each sensitive feature,
    with intervals over people for each group's value and the gap, and whether they
    support ranking the groups."""
    sec = Section("groups", "Who is affected: measures by group")
    if not ctx.groups:
        sec.status = "skipped"
        sec.paragraphs.append("No sensitive features were given. Pass "
                              "sensitive_features= (for example sex or age group) to see "
                              "whether the arbitrariness of the model choice falls more on "
                              "some groups than on others.")
        return sec
    sec.paragraphs.append(
        "Each row repeats the measures within one group. A gap between groups means that "
        "the arbitrary choice between equally good models weighs more on some groups. "
        f"The intervals ({_iv.level_text(iv)}) are a bootstrap over the {ctx.subject} "
        "audited, resampled within each group; a worst group is supported only where the "
        "interval of the gap excludes 0.")
    abstained = vote.abstained
    for name, g in ctx.groups.items():
        # An ordered Categorical keeps the groups in their order (intervals increasing).
        table = ctx.profile.by_group(pd.Categorical(g.labels, categories=g.names,
                                                    ordered=True), bins=None)
        worst = dict(table.attrs.get("worst_large_group") or
                     table.attrs.get("worst_group", {}))
        size = g.sizes
        abst = np.bincount(g.codes, weights=abstained.astype(float), minlength=len(size))
        rates = pd.Series(abst / np.maximum(size, 1), index=g.names)
        large = ~small_groups(size, int(size.sum()))
        ranked = rates[large] if large.any() else rates
        table["abstention_rate"] = [rates.get(k, np.nan) for k in table.index[:-2]] + [
            float(abstained.mean()), float(rates.max() - rates.min())]
        worst["abstention_rate"] = ranked.idxmax()
        groups_only = table.drop(index=["overall", "max-min gap"])
        if g.description:
            sec.paragraphs.append(f"{name}: {g.description}")
        lo_g, hi_g = groups_only["ambiguity"].idxmin(), groups_only["ambiguity"].idxmax()
        ci = iv.by_group[name]
        sec.paragraphs.append(
            f"By {name}: ambiguity ranges from {pct(groups_only['ambiguity'][lo_g])} "
            f"({lo_g}, n = {int(size[g.names.get_loc(lo_g)]):,}; "
            f"{_iv.group_ci_text(ci, lo_g)}) to {pct(groups_only['ambiguity'][hi_g])} "
            f"({hi_g}, n = {int(size[g.names.get_loc(hi_g)]):,}; "
            f"{_iv.group_ci_text(ci, hi_g)}) of {ctx.subject} "
            f"in a group, a gap of {100 * table.loc['max-min gap', 'ambiguity']:.1f} "
            "percentage points; the selective ensemble abstains for "
            f"{pct(rates.min())} to {pct(rates.max())} "
            f"(most for {worst['abstention_rate']}"
            + (" among the groups large enough to rank" if not large.all() else "") + ").")
        sec.paragraphs.extend(_iv.gap_paragraphs(name, ci, ctx.subject))
        caveat = table.attrs.get("caveat")
        if caveat:
            sec.paragraphs.append(caveat)
        with_ci = _iv.add_group_intervals(table, ci)
        sec.tables[f"by_{name}"] = (
            f"Measures by {name} (each with the ends of its {_iv.level_text(iv)} interval "
            f"over the {ctx.subject} audited, rows _low and _high)", with_ci)
        sec.numbers[name] = {"worst_group": {k: str(v) for k, v in worst.items()},
                             "group_sizes": {str(k): int(v) for k, v in
                                             zip(g.names, size, strict=True)},
                             "small_groups": [str(k) for k, small in
                                              zip(g.names, ~large, strict=True) if small],
                             "ambiguity_gap": float(table.loc["max-min gap", "ambiguity"]),
                             "abstention_gap": float(rates.max() - rates.min())}
        sec.numbers[name] |= _iv.gap_numbers(ci)
        cols = [c for c in _GROUP_BARS if c in table.columns]
        if ctx.figures:
            sec.figures.append(Figure(f"groups_{slug(name)}",
                                      f"Ambiguity, discrepancy and abstention by {name}, with "
                                      f"their {_iv.level_text(iv)} intervals over the "
                                      f"{ctx.subject} audited.",
                                      _figures.groups_figure(with_ci, name, cols)))
    return sec


def importance_section(ctx: AuditContext, imp: Importance | str,
                       max_samples: int | None) -> Section:
    """How the permutation importance of each feature varies over the set (``imp`` is the
    reason when the ranges are not available)."""
    sec = Section("importance", "Feature importance across equally good models")
    if isinstance(imp, str):
        sec.status = "not available"
        sec.paragraphs.append(f"Not available: {imp}.")
        sec.numbers["skipped"] = {"importance": imp}
        return sec
    table = imp.table
    top = table.sort_values("max", ascending=False)
    spread = (table["max"] - table["min"]).sort_values(ascending=False)
    f1 = top.index[0]
    fw = spread.index[0]
    n_sign = int(((table["min"] < 0) & (table["max"] > 0)).sum())
    sec.paragraphs.append(
        f"How much each feature matters (permutation importance: the drop in accuracy "
        f"when the feature is shuffled) differs between equally good models. "
        f"{f1} matters most for some model (up to {top.loc[f1, 'max']:.4f}); "
        f"the widest range is for {fw}, from {table.loc[fw, 'min']:.4f} to "
        f"{table.loc[fw, 'max']:.4f}. For {n_sign} of {len(table)} features some models "
        "rely on the feature and others do not at all (the range includes 0). An "
        "explanation of why one model decides as it does is therefore only one of several "
        "equally valid ones.")
    top_share = None
    members = imp.members
    if members is not None and len(members) > 0:
        winners = pd.Index(table.index)[np.argmax(np.asarray(members), axis=1)]
        top_share = float(np.mean(winners == winners[ctx.rset.baseline_index_]))
        sec.paragraphs.append(
            f"The baseline's most important feature ({winners[ctx.rset.baseline_index_]}) "
            f"is also the most important one for {pct(top_share)} of the models in the "
            "set.")
    if imp.subsampled:
        sec.paragraphs.append(f"Computed on a random subset of {max_samples:,} rows.")
    sec.tables["importance"] = ("Permutation importance over the Rashomon set", table)
    sec.numbers = {"n_rows_used": imp.n_rows_used, "most_important": str(f1),
                   "widest_range": str(fw), "n_features_sign_uncertain": n_sign,
                   "share_models_same_top_feature": top_share}
    if ctx.figures:
        sec.figures.append(Figure("importance", "Range of each feature's permutation "
                                  "importance over the models of the set (dot: mean).",
                                  _figures.importance_figure(table)))
    return sec


def annotation_section(ctx: AuditContext, stats: AnnotationStats | None,
                       n_resamples: int) -> Section:
    """How much the annotators agree and how much the aggregated labels depend on the
    aggregation method (``stats`` is None when no annotations were given)."""
    sec = Section("annotations", "Annotator agreement and label aggregation")
    if stats is None:
        sec.status = "skipped"
        sec.paragraphs.append("No annotations were given. When the labels come from human "
                              "annotators, pass annotations= to measure how much they "
                              "agree and how much the aggregated labels depend on the "
                              "aggregation method.")
        return sec
    ann, coef, n_single = stats.annotations, stats.coefficients, stats.n_single
    alpha_row = (coef.loc["krippendorff_alpha"]
                 if coef is not None and "krippendorff_alpha" in coef.index else None)
    paras = [
        f"{ann.n_items:,} items, {ann.n_annotators:,} annotators, {ann.n_annotations:,} "
        f"labels. On {pct(stats.share_items_split)} of the items rated at least twice the "
        "annotators do not all give the same label; the mean disagreement per item "
        "(normalised entropy, 0 = unanimous, 1 = evenly split) is "
        f"{stats.mean_item_disagreement:.4f}."
        + (f" {n_single:,} items with a single rating are left out: one rating can neither "
           "agree nor disagree." if n_single else ""),
    ]
    if alpha_row is not None:
        a = float(alpha_row["value"])
        verdict = ("reliable (alpha >= 0.8)" if a >= 0.8 else
                   "good enough only for tentative conclusions (0.667 <= alpha < 0.8)"
                   if a >= 0.667 else "below the 0.667 that Krippendorff recommends as a "
                   "minimum for drawing conclusions")
        paras.append(
            f"Krippendorff's alpha is {a:.4f} (95% bootstrap interval "
            f"[{alpha_row['ci_low']:.4f}, {alpha_row['ci_high']:.4f}]): agreement beyond "
            f"chance is {verdict}. The labels a model learns from are then partly a matter "
            "of who happened to annotate.")
    numbers = annotation_numbers(stats)
    agg = stats.aggregation
    if agg is None:
        paras.append(f"Label aggregation skipped: {stats.skipped['aggregation']}.")
    else:
        acc = agg.annotator_accuracy
        paras.append(
            f"Majority vote and Dawid-Skene (which weighs annotators by their estimated "
            f"reliability) give different labels to {pct(agg.share_differ)} of the items "
            f"({agg.n_differ:,}); majority vote is tied on {pct(agg.ties)}. For these "
            "items the 'true' label is a choice of method, not a fact. Dawid-Skene "
            f"estimates annotator accuracies from {acc.min():.3f} to {acc.max():.3f}.")
        sec.tables["aggregation"] = ("Labels chosen by each aggregation method", agg.table)
    if coef is not None:
        paras.append("The table lists each coefficient with its bootstrap standard error, "
                     f"95% interval ({n_resamples} resamples of the items) and p-value.")
        sec.tables = {"agreement": ("Agreement coefficients", coef), **sec.tables}
    else:
        paras.append(f"Agreement coefficients not computed: {stats.skipped['agreement']}.")
    sec.paragraphs.extend(paras)
    if stats.skipped:
        numbers["skipped"] = dict(stats.skipped)
    sec.numbers = numbers
    if ctx.figures and coef is not None:
        dis = stats.disagreement
        sec.figures.append(Figure("annotations", "Left: agreement coefficients with 95% "
                                  "bootstrap intervals; right: disagreement per item.",
                                  _figures.annotation_figure(
                                      coef, dis[stats.rated_twice & ~np.isnan(dis)])))
    return sec


def annotation_numbers(stats: AnnotationStats) -> dict[str, object]:
    """The annotation figures the report quotes, keyed as in its JSON."""
    ann, agg = stats.annotations, stats.aggregation
    numbers: dict[str, object] = {"n_items": ann.n_items, "n_annotators": ann.n_annotators,
                                  "n_annotations": ann.n_annotations,
                                  "share_items_split": stats.share_items_split,
                                  "mean_item_disagreement": stats.mean_item_disagreement,
                                  "n_items_single_rating": stats.n_single}
    if agg is not None:
        numbers.update(mv_ds_disagreement=agg.share_differ, mv_ties=agg.ties,
                       annotator_accuracy={str(k): float(v)
                                           for k, v in agg.annotator_accuracy.items()})
    return numbers
