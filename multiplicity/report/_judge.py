"""The report section on an automatic annotator (an LLM judge, a classifier) against people.

:func:`judge_stats` runs the alternative annotator test and the candidate's agreement with
the annotators; :func:`judge_section` words them; :func:`judge_report` makes a report of
that section alone (what ``multiplicity judge`` writes), and :func:`~multiplicity.report.audit`
adds the section when it is given a candidate with its annotations.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from .._checks import check_real_in, resolve_seed
from .._lazy import lazy_module
from .._version import __version__
from . import _figures
from ._inputs import as_annotations
from ._report import AuditReport, Figure, Section

# the automatic-annotator statistics load when a candidate is judged
annotation = lazy_module("multiplicity.annotation")

__all__ = [
    "ALT_TEST_ALPHA",
    "ALT_TEST_EPSILON",
    "CANDIDATE_WITHOUT_ANNOTATIONS",
    "ONE_CANDIDATE",
    "JudgeStats",
    "check_audit_settings",
    "judge_numbers",
    "judge_report",
    "judge_section",
    "judge_stats",
    "one_candidate",
]

ONE_CANDIDATE = ("the report judges one candidate, got {n} columns ({names}); pass one "
                 "column (a Series), or compare several with "
                 "multiplicity.annotation.alt_test(annotations, frame).summary()")
ALT_TEST_EPSILON = ("alt_test_epsilon must be a number in [0, 1) (the margin the automatic "
                    "annotator is granted: 0.2 for experts, 0.15 skilled annotators, 0.1 "
                    "crowd workers), got {!r}")
ALT_TEST_ALPHA = "alt_test_alpha must be a number in (0, 1), got {!r}"
CANDIDATE_WITHOUT_ANNOTATIONS = (
    "candidate= gives an automatic annotator's labels to compare with human annotators, "
    "but annotations= is None; pass the human labels of the same items as annotations=")


@dataclass(frozen=True)
class JudgeStats:
    """The alternative annotator test (``alt``) and the agreement of the candidate with
    the annotators (``agreement``); None where it could not be computed, with the reason
    in ``skipped`` (keys ``"alt_test"`` and ``"agreement"``)."""

    annotations: Any
    name: str
    alt: Any
    agreement: Any
    settings: dict[str, Any]
    skipped: dict[str, str] = field(default_factory=dict)


def judge_stats(annotations: Any, candidate: Any, *, epsilon: float = 0.2,
                alpha: float = 0.05, scoring: Any = "accuracy", min_items: int = 30,
                coefficient: str = "krippendorff_alpha", n_resamples: int = 1000,
                seed: int = 0, coefficient_kwargs: dict | None = None) -> JudgeStats:
    """Both statistics of one candidate.

    A test that cannot run because no annotator has ``min_items`` items (the paper's
    minimum-overlap rule) and an agreement coefficient undefined on the data are kept as
    reasons in ``skipped``; a candidate that does not fit the annotations or a bad setting
    raises, as the functions themselves do.
    """
    candidate = one_candidate(candidate)
    ann = as_annotations(annotations)
    name = candidate_name(candidate)
    skipped: dict[str, str] = {}
    settings = dict(epsilon=epsilon, alpha=alpha, scoring=scoring)
    try:
        alt = annotation.alt_test(ann, candidate, min_items=min_items, **settings)
    except ValueError as e:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the first call warned already
            annotation.alt_test(ann, candidate, min_items=1, **settings)  # raises: input
        alt = None
        skipped["alt_test"] = str(e).strip().splitlines()[0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the candidate's warnings came from alt_test
            agree = annotation.candidate_agreement(
                ann, candidate, coefficient=coefficient, n_resamples=n_resamples,
                random_state=seed, **(coefficient_kwargs or {}))
    except ValueError as e:  # e.g. one category only: the coefficient is 0 / 0
        agree = None
        skipped["candidate_agreement"] = str(e).strip().splitlines()[0]
    settings = {"epsilon": float(epsilon), "alpha": float(alpha),
                "scoring": scoring if isinstance(scoring, str) else getattr(
                    scoring, "__name__", repr(scoring)),
                "min_items": int(min_items), "coefficient": coefficient,
                "coefficient_kwargs": dict(coefficient_kwargs or {}),
                "n_resamples": int(n_resamples)}
    return JudgeStats(annotations=ann, name=name, alt=alt, agreement=agree,
                      settings=settings, skipped=skipped)


def check_audit_settings(epsilon: Any, alpha: Any) -> None:
    """The test's settings as :func:`~multiplicity.report.audit` names them."""
    check_real_in(epsilon, ALT_TEST_EPSILON, 0.0, 1.0, closed_low=True)
    check_real_in(alpha, ALT_TEST_ALPHA, 0.0, 1.0)


def one_candidate(candidate: Any) -> Any:
    """``candidate``, a one-column DataFrame as its Series; several columns raise."""
    if isinstance(candidate, pd.DataFrame):
        if candidate.shape[1] != 1:
            raise ValueError(ONE_CANDIDATE.format(
                n=candidate.shape[1], names=", ".join(map(str, candidate.columns[:5]))))
        return candidate.iloc[:, 0]
    return candidate


def candidate_name(candidate: Any) -> str:
    """How the text names the candidate: its Series name, else "the candidate"."""
    name = getattr(candidate, "name", None)
    return "the candidate" if name is None else str(name)


def _verdict(alt: Any, s: dict[str, Any], name: str) -> str:
    table = alt.table
    tested = table[table["tested"]]
    n_won = int(tested["candidate_wins"].sum())
    n_skipped = int((~table["tested"]).sum())
    text = (f"The alternative annotator test (Calderon, Reichart and Dror, 2025) compares "
            f"{name} with each annotator who labelled at least {s['min_items']} items "
            f"({len(tested)} of {len(table)}): does {name} represent the other annotators "
            "at least as well as the annotator left out, up to a margin epsilon = "
            f"{s['epsilon']:g} that credits its lower cost? {name} wins against {n_won} of "
            f"them (one-sided t-tests at level {s['alpha']:g}, Benjamini-Yekutieli "
            f"corrected): winning rate omega = {alt.winning_rate:.2f}, so it "
            + ("passes (omega >= 0.5) and may replace an annotator under this epsilon."
               if alt.passed else
               "fails (omega < 0.5): it may not replace an annotator under this epsilon.")
            + f" Its average advantage probability rho = {alt.rho:.3f} (the share of items "
            f"on which it represents the others at least as well as the annotator does; "
            "use rho to rank several candidates).")
    if n_skipped:
        text += (f" {n_skipped} annotators with fewer than {s['min_items']} items are left "
                 "out of the test, as the paper's minimum-overlap rule asks.")
    return text


def _agreement_text(agree: Any, coefficient: str) -> str:
    t = agree.table
    undefined = t.attrs.get("undefined", {})

    def cell(row: str) -> str:
        r = t.loc[row]
        if not math.isfinite(r["value"]):
            return "undefined"
        return f"{r['value']:.3f} [{r['ci_low']:.3f}, {r['ci_high']:.3f}]"

    agg = [i for i in t.index if str(i).startswith("candidate vs")]
    text = (f"{coefficient} among the annotators is {cell('humans')}; with the candidate "
            f"in place of one annotator it is {cell('replace (mean)')} on average, a "
            f"difference of {cell('replace - humans')} (95% bootstrap intervals over the "
            "items, the annotators and the candidate resampled together).")
    if agg:
        text += f" Between the candidate and the {agg[0][len('candidate vs '):]} it is "
        text += f"{cell(agg[0])}."
    diff = t.loc["replace - humans"]
    if not (math.isfinite(diff["ci_low"]) and math.isfinite(diff["ci_high"])):
        why = "; ".join(f"{row}: {reason}" for row, reason in undefined.items())
        text += (" The difference cannot be computed on these data"
                 + (f" ({why})." if why else "."))
    elif diff["ci_high"] < 0:
        text += (" The whole interval of the difference is below zero: the candidate agrees "
                 "with the people less than they agree with each other.")
    elif diff["ci_low"] > 0:
        text += (" The whole interval of the difference is above zero: the candidate agrees "
                 "with the people more than they agree with each other.")
    else:
        text += (" The interval of the difference contains zero: on these items the "
                 "candidate's agreement with the people cannot be told apart from theirs.")
    return text


def judge_section(stats: JudgeStats, *, figures: bool = True) -> Section:
    """The section ``judge``: the test's decision and table, the agreement table, a figure."""
    sec = Section("judge", f"Automatic annotator: may {stats.name} replace an annotator?")
    s = stats.settings
    paras: list[str] = []
    if stats.alt is not None:
        paras.append(_verdict(stats.alt, s, stats.name))
        sec.tables["alt_test"] = (
            "Alternative annotator test, one row per annotator left out: the advantage "
            "probabilities of the candidate and of the annotator, the t-test of their "
            "difference against epsilon, its Benjamini-Yekutieli threshold",
            stats.alt.table)
    else:
        paras.append(f"Alternative annotator test not run: {stats.skipped['alt_test']}.")
    if stats.agreement is not None:
        paras.append(_agreement_text(stats.agreement, s["coefficient"]))
        sec.tables["candidate_agreement"] = (
            f"{s['coefficient']}: among the annotators, with the candidate in place of each "
            "annotator, against the annotators' aggregate, and with the candidate added",
            stats.agreement.table)
    else:
        paras.append(f"Agreement with the candidate not computed: "
                     f"{stats.skipped['candidate_agreement']}.")
    if stats.alt is None and stats.agreement is None:
        sec.status = "skipped"
    sec.paragraphs.extend(paras)
    sec.numbers = judge_numbers(stats)
    if figures and (stats.alt is not None or stats.agreement is not None):
        sec.figures.append(Figure(
            "judge", "Left: advantage probability of the candidate against each annotator "
            "(alternative annotator test); right: agreement with 95% bootstrap intervals.",
            _figures.judge_figure(stats.alt, stats.agreement)))
    return sec


def judge_numbers(stats: JudgeStats) -> dict[str, object]:
    """The figures the section quotes, keyed as in the report's JSON."""
    numbers: dict[str, object] = {"candidate": stats.name, **stats.settings}
    if stats.alt is not None:
        numbers.update(winning_rate=float(stats.alt.winning_rate),
                       passed=bool(stats.alt.passed), rho=float(stats.alt.rho),
                       n_items=int(stats.alt.n_items))
    if stats.agreement is not None:
        t = stats.agreement.table
        numbers["agreement"] = {str(k): float(v) for k, v in t["value"].items()}
    if stats.skipped:
        numbers["skipped"] = dict(stats.skipped)
    return numbers


def judge_report(annotations: Any, candidate: Any, *, epsilon: float = 0.2,
                 alpha: float = 0.05, scoring: Any = "accuracy", min_items: int = 30,
                 coefficient: str = "krippendorff_alpha", n_resamples: int = 1000,
                 random_state: Any = None, figures: bool = True,
                 title: str | None = None,
                 coefficient_kwargs: dict | None = None) -> AuditReport:
    """A report on one automatic annotator against the human annotators.

    The report has one section, ``judge``: the alternative annotator test
    (:func:`~multiplicity.annotation.alt_test`: may the candidate replace an annotator?)
    and the agreement of the candidate with the annotators with bootstrap intervals
    (:func:`~multiplicity.annotation.candidate_agreement`), with their tables and a
    figure. It renders like an audit report (``to_html``, ``to_markdown``, ``to_json``);
    :func:`audit` adds the same section when given ``candidate=``.

    Parameters
    ----------
    annotations : Annotations or DataFrame
        The human labels (see :func:`~multiplicity.annotation.alt_test`).
    candidate : Series, dict or sequence
        The automatic annotator's label of each item (matched by item name; a sequence
        by position).
    epsilon, alpha, scoring, min_items
        Of the alternative annotator test.
    coefficient : str, default="krippendorff_alpha"
        Agreement coefficient of :func:`~multiplicity.annotation.candidate_agreement`.
    coefficient_kwargs : dict, optional
        Passed to the coefficient, e.g. ``{"level": "interval"}`` for ratings.
    n_resamples : int, default=1000
        Bootstrap resamples of the agreement intervals.
    random_state : int, RandomState, Generator or None
        Seed of the bootstrap; None draws one (the report records it).
    figures : bool, default=True
    title : str, optional

    Raises
    ------
    ValueError
        A candidate that does not fit the annotations (see
        :func:`~multiplicity.annotation.alt_test`), several candidates, or a bad setting.
        When no annotator has ``min_items`` items the test is left out of the report with
        the reason, and the agreement is still given.

    Returns
    -------
    AuditReport
        With ``sections == [judge]``; ``summary()`` holds the winning rate, the decision,
        rho and the agreement figures.
    """
    seed = resolve_seed(random_state)
    stats = judge_stats(annotations, candidate, epsilon=epsilon, alpha=alpha,
                        scoring=scoring, min_items=min_items, coefficient=coefficient,
                        n_resamples=n_resamples, seed=seed,
                        coefficient_kwargs=coefficient_kwargs)
    sec = judge_section(stats, figures=figures)
    ann = stats.annotations
    parameters = {"candidate": stats.name, **stats.settings, "random_state": seed,
                  "random_state_given": None if random_state is None
                  else repr(random_state)}
    data = {"n_items": ann.n_items, "n_annotators": ann.n_annotators,
            "n_annotations": ann.n_annotations,
            "categories": [str(c) for c in ann.categories]}
    lead = (f"{ann.n_items:,} items, {ann.n_annotators:,} annotators, "
            f"{ann.n_annotations:,} labels; candidate: {stats.name}; "
            f"epsilon = {epsilon:g}; random_state = {seed}.")
    notes = [f"{SKIP_TITLES[k]}: skipped: {v}" for k, v in stats.skipped.items()]
    return AuditReport(
        title=title or f"May {stats.name} replace a human annotator?", subject="items",
        parameters=parameters, data=data, sections=[sec], headline=judge_headline(stats),
        version=__version__, created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        notes=notes, lead=lead)


SKIP_TITLES = {"alt_test": "Alternative annotator test",
               "candidate_agreement": "Agreement with the candidate"}


def judge_headline(stats: JudgeStats) -> pd.DataFrame:
    """The summary table of a judge report: one row per headline figure."""
    rows: dict[str, tuple[float, str]] = {}
    if stats.alt is not None:
        rows["winning_rate"] = (float(stats.alt.winning_rate),
                                "share of annotators the candidate beats (alt-test omega)")
        rows["passed"] = (float(stats.alt.passed),
                          "1 when the winning rate is at least 0.5: it may replace one")
        rows["rho"] = (float(stats.alt.rho), "average advantage probability of the "
                       "candidate (ranks candidates)")
    if stats.agreement is not None:
        t = stats.agreement.table
        for key, meaning in (("humans", "agreement among the annotators"),
                             ("replace (mean)", "agreement with the candidate in place of "
                              "one annotator (mean over annotators)"),
                             ("replace - humans", "difference of the two")):
            rows[f"agreement: {key}"] = (float(t.loc[key, "value"]), meaning)
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["value", "meaning"])
    out.index.name = "measure"
    return out
