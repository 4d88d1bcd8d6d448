"""The alternative annotator test (alt-test): may an automatic annotator replace a human?

One job: the procedure of Calderon, Reichart & Dror (2025), "The Alternative Annotator
Test for LLM-as-a-Judge: How to Statistically Justify Replacing Human Annotators with
LLMs", ACL 2025 (arXiv 2501.10970): leave-one-annotator-out comparisons of a candidate
(an LLM judge, a classifier) with each human, one t-test per human, and the
Benjamini-Yekutieli procedure over the humans.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from numbers import Real
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._checks import check_alpha, check_int, check_real_in, py_scalar
from .._lazy import lazy_module
from ._alt_test_kernels import _alignment_keys
from ._candidates import check_candidates, human_only
from ._container import Annotations, _short

pd = lazy_module("pandas")
special = lazy_module("scipy.special")

__all__ = ["AltTestResult", "alt_test"]

# Error messages (tests import them).
EPSILON_RANGE = ("epsilon must be a number in [0, 1) (the margin the candidate is granted "
                 "for being cheaper; the paper suggests 0.2 against experts, 0.15 against "
                 "skilled annotators, 0.1 against crowd workers), got {0!r}")
SCORING = ("scoring must be 'accuracy', 'neg_rmse' or a function f(label, other_labels) -> "
           "float, got {got!r}")
RMSE_NOT_NUMERIC = ("scoring='neg_rmse' needs numeric labels, but the labels are {cats}; use "
                    "scoring='accuracy' or pass a scoring function")
SCORE_NOT_NUMBER = ("the scoring function must return a real number, but "
                    "{name}({label!r}, {others!r}) returned {got!r}")
DUPLICATES = ("the alternative annotator test needs at most one label per annotator and "
              "item, but some annotator labelled an item more than once; build the "
              "annotations with duplicates='first' or 'last' (or drop the repeats)")
TOO_FEW_ITEMS = ("no annotator has min_items={min_items} items labelled by at least "
                 "{min_per_item} annotators and by candidate {name!r}: the best-covered "
                 "annotator has {best}. Pass min_items={best} (or lower) to run the test "
                 "anyway; the paper advises at least 30 items for the t-test, 50 to 100 "
                 "recommended")
SEVERAL_CANDIDATES = ("this result holds {n} candidates ({names}); {attr} is given per "
                      "candidate: read summary() (one row per candidate) or table")
UNKNOWN_NAME = "{what} {name!r} is not among the {whats}: {names}"
CANDIDATE_NEEDED = ("this result holds {n} candidates ({names}); pass candidate= to "
                    "choose one")

_BUILTIN = ("accuracy", "neg_rmse")


def alt_test(annotations: Any, candidate: Any, epsilon: float = 0.2, alpha: float = 0.05,
             scoring: str | Callable[[Any, NDArray], float] = "accuracy", *,
             min_items: int = 30, min_annotators_per_item: int = 2) -> AltTestResult:
    """The alternative annotator test: may the candidate replace a human annotator?

    Each human annotator ``j`` is left out in turn and both ``j`` and the candidate ``f``
    are scored against the remaining humans; the candidate *wins* against ``j`` when a
    one-sided t-test shows that it is at least as well aligned with the others as ``j``,
    up to a margin ``epsilon``. It passes when it wins against at least half of the
    humans after the Benjamini-Yekutieli correction (Calderon, Reichart & Dror 2025,
    Sec. 3 and Algorithm 1).

    Parameters
    ----------
    annotations : Annotations or table accepted by :meth:`Annotations.from_wide`
        Human labels, items x annotators, missing entries allowed. Must name the
        annotators (not built from counts) and hold one label per annotator and item.
    candidate : pandas Series or DataFrame, dict or sequence
        The automatic annotator's labels, keyed by item (a Series/DataFrame index or dict
        keys) or one per item in the order of ``annotations.items``; missing labels
        allowed. A DataFrame with several columns holds several candidates, each tested
        on the same humans.
    epsilon : float in [0, 1), default=0.2
        The margin ``epsilon`` the candidate is granted (it is cheaper and faster than a
        human). The paper suggests 0.2 when the humans are experts, 0.15 when they are
        skilled annotators and 0.1 when they are crowd workers.
    alpha : float in (0, 1), default=0.05
        The false discovery rate ``q`` of the Benjamini-Yekutieli procedure.
    scoring : "accuracy", "neg_rmse" or callable, default="accuracy"
        The alignment score ``S(x, R)`` of a label ``x`` with the other humans' labels
        ``R`` of the item: ``"accuracy"``, ``mean_r [x == r]``; ``"neg_rmse"``,
        ``-sqrt(mean_r (x - r)^2)`` (numeric labels only); or a function
        ``f(label, others) -> float`` called with the original label and a NumPy array of
        the other labels (a plain Python loop: slower than the built-in scores). A NaN
        score compares as neither ``>=`` nor ``<=``: both indicators are 0 there.
    min_items : int >= 1, default=30
        The minimum-overlap rule: an annotator with fewer usable items is skipped (not
        tested and not counted in the winning rate). The paper asks for at least 30
        items (the t-test's normality) and recommends 50 to 100.
    min_annotators_per_item : int >= 2, default=2
        Items with fewer human labels, or without a candidate label, are not used.

    Returns
    -------
    AltTestResult
        ``winning_rate``, ``passed``, ``rho`` and the per-annotator ``table``.

    Raises
    ------
    ValueError
        Annotations without annotators or with repeated ratings, ``epsilon``, ``alpha``,
        ``min_items``, ``min_annotators_per_item`` or ``scoring`` out of range,
        ``"neg_rmse"`` on labels that are not numbers, and no annotator with
        ``min_items`` usable items.
    TypeError
        A non-number ``epsilon``/``alpha``, an unreadable ``candidate``, or a scoring
        function that does not return a number.

    Notes
    -----
    Notation of the paper. Items ``I_j`` of annotator ``j``: the items labelled by ``j``,
    by at least ``min_annotators_per_item`` humans and by the candidate. For
    ``i in I_j``, with ``R = [h_ki for k != j]``::

        W^f_ij = 1 if S(f_i, R) >= S(h_ij, R) else 0      (candidate indicator)
        W^h_ij = 1 if S(h_ij, R) >= S(f_i, R) else 0      (human indicator; ties: both 1)
        d_ij   = W^h_ij - W^f_ij
        rho^f_j = mean_i W^f_ij,   rho^h_j = mean_i W^h_ij

    ``rho^f_j`` estimates the candidate's *advantage probability* over ``j``. The test of
    annotator ``j`` is ``H0: rho^h_j - rho^f_j >= epsilon`` against
    ``H1: rho^h_j - rho^f_j < epsilon``, a one-sided one-sample t-test of the ``d_ij``
    against ``epsilon`` with ``n_j - 1`` degrees of freedom::

        t_j = (mean(d_j) - epsilon) / (sd(d_j) / sqrt(n_j)),   p_j = T_{n_j - 1}(t_j)

    (``scipy.stats.ttest_1samp(d, epsilon, alternative="less")``, equivalently the paired
    ``ttest_rel(W^f + epsilon, W^h, alternative="greater")``). When every ``d_ij`` is
    equal (``sd = 0``), ``t`` is ``-inf`` (``p = 0``, a win) if ``mean(d) < epsilon``,
    ``+inf`` (``p = 1``) if it is larger, and NaN when ``mean(d) == epsilon`` (e.g. a
    candidate that always ties and ``epsilon = 0``), as SciPy returns; a NaN p-value
    (also with a single item) is never a win, as in the authors' code.

    Benjamini-Yekutieli at level ``q = alpha`` over the ``m`` tested annotators: with the
    p-values sorted, ``p_(1) <= ... <= p_(m)``, and ``H_m = sum_{i=1}^m 1/i``, reject the
    ``k`` smallest for the largest ``k`` with ``p_(k) <= (k / m) * q / H_m`` (NaN sorts
    last). The candidate wins against the rejected annotators, and::

        omega = (number of wins) / m,   passed = omega >= 0.5,
        rho = mean_j rho^f_j  (over the tested annotators; ranks several candidates).

    Cost: the built-in scores take one pass over the annotations sorted by item, time
    O(n_ratings * n_candidates) for accuracy (times the distinct labels per item for
    neg_rmse) and memory of a few float64 per (rating, candidate). A scoring function is
    called ``n_ratings * (1 + n_candidates)`` times from Python.

    Examples
    --------
    Three annotators label ten items and the candidate gives each item its majority
    label:

    >>> from multiplicity.annotation import alt_test
    >>> humans = [[0, 0, 1], [1, 1, 0], [1, 1, 1], [0, 1, 0], [1, 0, 1],
    ...           [0, 0, 1], [1, 0, 1], [0, 0, 0], [1, 1, 0], [0, 1, 1]]
    >>> llm = [0, 1, 1, 0, 1, 0, 1, 0, 1, 1]
    >>> res = alt_test(humans, llm, epsilon=0.2, min_items=5)
    >>> res.winning_rate, res.passed, res.rho
    (1.0, True, 1.0)
    >>> res.table[["annotator", "rho_candidate", "rho_annotator", "p_value",
    ...            "candidate_wins"]].round(3)
       annotator  rho_candidate  rho_annotator  p_value  candidate_wins
    0          0            1.0            0.9    0.007            True
    1          1            1.0            0.7    0.005            True
    2          2            1.0            0.6    0.003            True

    (Ten items only keep the example short; the paper asks for at least 30.)
    """
    eps = check_real_in(epsilon, EPSILON_RANGE, 0.0, 1.0, closed_low=True)
    alpha = check_alpha(alpha)
    min_items = check_int(min_items, "min_items", 1)
    min_per_item = check_int(min_annotators_per_item, "min_annotators_per_item", 2)
    if not (callable(scoring) or (isinstance(scoring, str) and scoring in _BUILTIN)):
        raise ValueError(SCORING.format(got=scoring))
    ann = human_only(annotations, "alt_test")
    if ann.has_duplicates:
        raise ValueError(DUPLICATES)
    cands = check_candidates(ann, candidate, what="alt_test")
    ann = cands.annotations
    if scoring == "neg_rmse" and not ann.is_numeric:
        raise ValueError(RMSE_NOT_NUMERIC.format(cats=_short(ann.categories)))
    if callable(scoring):
        human, cand, n_others = _callable_scores(ann, cands.codes, scoring, min_per_item)
        name = getattr(scoring, "__name__", repr(scoring))
    else:
        rmse = scoring == "neg_rmse"
        values = ann.category_values if rmse else np.zeros(ann.n_categories)
        human, cand, n_others = _alignment_keys(ann.item_ptr, ann.label_codes, cands.codes,
                                                values, ann.n_categories, rmse,
                                                min_per_item)
        name = scoring
    return AltTestResult(ann, cands.names, cands.codes, human, cand, n_others, eps, alpha,
                         name, min_items, min_per_item)


def _callable_scores(ann: Annotations, codes: NDArray[np.int64], f: Callable,
                     min_per_item: int) -> tuple[NDArray, NDArray, NDArray]:
    """The alignment scores of a user's function, in the layout of the kernel's keys."""
    labels = np.asarray(ann.categories)
    ptr, own = ann.item_ptr, ann.label_codes
    human = np.full(len(own), np.nan)
    cand = np.full((codes.shape[0], len(own)), np.nan)
    n_others = np.zeros(len(own), dtype=np.int64)
    for i in range(ann.n_items):
        a, b = int(ptr[i]), int(ptr[i + 1])
        if b - a < min_per_item:
            continue
        for t in range(a, b):
            others = labels[np.delete(own[a:b], t - a)]
            n_others[t] = b - a - 1
            human[t] = _call(f, py_scalar(labels[own[t]]), others)
            for q in range(codes.shape[0]):
                if codes[q, i] >= 0:
                    cand[q, t] = _call(f, py_scalar(labels[codes[q, i]]), others)
    return human, cand, n_others


def _call(f: Callable, label: Any, others: NDArray) -> float:
    got = f(label, others)
    if isinstance(got, bool | np.bool_) or not isinstance(got, Real):
        raise TypeError(SCORE_NOT_NUMBER.format(name=getattr(f, "__name__", "f"),
                                                label=label, others=list(others), got=got))
    return float(got)


def _one_sided_t(n: NDArray, s: NDArray, ss: NDArray, eps: float
                 ) -> tuple[NDArray, NDArray]:
    """t statistic and p-value of ``ttest_1samp(d, eps, alternative="less")`` from the
    count ``n``, sum ``s`` and sum of squares ``ss`` of the d (integers, so exact)."""
    t = np.full(len(n), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s / n
        var = (ss - s * s / n) / (n - 1)
        ok = n >= 2
        diff = mean - eps
        t[ok] = diff[ok] / np.sqrt(var[ok] / n[ok])
        const = ok & (var == 0)  # every d equal: +-inf, or NaN when mean(d) == eps
        t[const] = np.where(diff[const] < 0, -np.inf,
                            np.where(diff[const] > 0, np.inf, np.nan))
    p = np.full(len(n), np.nan)
    p[ok] = special.stdtr((n[ok] - 1).astype(np.float64), t[ok])
    return t, p


def _by_reject(p: NDArray, q: float) -> tuple[NDArray[np.bool_], NDArray]:
    """Benjamini-Yekutieli at level ``q``: rejected hypotheses and each p-value's
    threshold ``(rank / m) * q / H_m`` (NaN p-values rank last and are never rejected)."""
    m = len(p)
    order = np.argsort(p, kind="stable")
    thresholds = np.arange(1, m + 1) / m * q / np.sum(1.0 / np.arange(1, m + 1))
    below = np.flatnonzero(p[order] <= thresholds)
    reject = np.zeros(m, dtype=bool)
    if below.size:
        reject[order[:below[-1] + 1]] = True
    by_rank = np.empty(m)
    by_rank[order] = thresholds
    return reject, by_rank


class AltTestResult:
    """The outcome of :func:`alt_test` for one or several candidates.

    Attributes
    ----------
    winning_rate : float
        ``omega``, the share of the tested annotators the candidate wins against.
    passed : bool
        ``omega >= 0.5``.
    rho : float
        The average advantage probability ``mean_j rho^f_j`` over the tested annotators.
    epsilon, alpha : float
    scoring : str
        ``"accuracy"``, ``"neg_rmse"`` or the name of the scoring function.
    n_items : int
        Items with at least ``min_annotators_per_item`` human labels and a candidate label.
    candidates : list
        The candidates' names.

    ``winning_rate``, ``passed``, ``rho`` and ``n_items`` are per candidate: with several
    candidates they raise, and :meth:`summary` gives them in one table.
    """

    def __init__(self, ann: Annotations, names: list, codes: NDArray, human: NDArray,
                 cand: NDArray, n_others: NDArray, epsilon: float, alpha: float,
                 scoring: str, min_items: int, min_per_item: int) -> None:
        self._ann = ann
        self._human = human
        self._cand = cand
        self._n_others = n_others
        self._is_key = scoring in _BUILTIN
        self.candidates = list(names)
        self.epsilon = epsilon
        self.alpha = alpha
        self.scoring = scoring
        annotators = ann.annotators
        n_ann = ann.n_annotators
        enough = ann.ratings_per_item() >= min_per_item
        self._kept = np.empty(cand.shape, dtype=bool)
        rows, summary = [], []
        for q, name in enumerate(names):
            kept_items = enough & (codes[q] >= 0)
            kept = kept_items[ann.item_codes]
            self._kept[q] = kept
            wf = (cand[q] >= human) & kept
            wh = (human >= cand[q]) & kept
            who = ann.annotator_codes
            n = np.bincount(who[kept], minlength=n_ann).astype(np.float64)
            sf = np.bincount(who, weights=wf, minlength=n_ann)
            sh = np.bincount(who, weights=wh, minlength=n_ann)
            ss = np.bincount(who, weights=wf ^ wh, minlength=n_ann)
            tested = n >= min_items
            if not tested.any():
                raise ValueError(TOO_FEW_ITEMS.format(min_items=min_items,
                                                      min_per_item=min_per_item, name=name,
                                                      best=int(n.max())))
            t, p = _one_sided_t(n[tested], sh[tested] - sf[tested], ss[tested], epsilon)
            reject, thresholds = _by_reject(p, alpha)
            table = pd.DataFrame({
                "candidate": [name] * n_ann, "annotator": annotators,
                "n_items": n.astype(np.int64),
                "rho_candidate": np.nan, "rho_annotator": np.nan,
                "mean_difference": np.nan, "t_statistic": np.nan, "p_value": np.nan,
                "by_threshold": np.nan, "candidate_wins": False, "tested": tested})
            stats = {"rho_candidate": sf[tested] / n[tested],
                     "rho_annotator": sh[tested] / n[tested],
                     "mean_difference": (sh[tested] - sf[tested]) / n[tested],
                     "t_statistic": t, "p_value": p, "by_threshold": thresholds,
                     "candidate_wins": reject}
            for col, val in stats.items():
                table.loc[tested, col] = val
            rows.append(table)
            omega = float(reject.sum() / tested.sum())
            summary.append({"candidate": name, "winning_rate": omega,
                            "passed": omega >= 0.5,
                            "rho": float(np.mean(sf[tested] / n[tested])),
                            "n_annotators_tested": int(tested.sum()),
                            "n_annotators_skipped": int(n_ann - tested.sum()),
                            "n_items": int(kept_items.sum())})
        self._table = pd.concat(rows, ignore_index=True)
        self._summary = pd.DataFrame(summary).set_index("candidate")

    # ------------------------------------------------------------ per candidate
    def _single(self, attr: str) -> Any:
        if len(self.candidates) > 1:
            raise ValueError(SEVERAL_CANDIDATES.format(
                n=len(self.candidates), names=_short(self.candidates), attr=attr))
        return py_scalar(self._summary[attr].iloc[0])

    @property
    def winning_rate(self) -> float:
        """``omega``: share of the tested annotators the candidate wins against."""
        return float(self._single("winning_rate"))

    @property
    def passed(self) -> bool:
        """Whether ``omega >= 0.5``: the candidate may replace a human annotator."""
        return bool(self._single("passed"))

    @property
    def rho(self) -> float:
        """Average advantage probability ``mean_j rho^f_j`` (higher is better)."""
        return float(self._single("rho"))

    @property
    def n_items(self) -> int:
        """Items with enough human labels and a candidate label."""
        return int(self._single("n_items"))

    # ------------------------------------------------------------------ tables
    def summary(self) -> pd.DataFrame:
        """One row per candidate (in the order given): ``winning_rate``, ``passed``,
        ``rho``, ``n_annotators_tested``, ``n_annotators_skipped``, ``n_items``."""
        return self._summary.copy()

    @property
    def table(self) -> pd.DataFrame:
        """One row per (candidate, annotator): ``n_items``, ``rho_candidate``
        (``rho^f_j``), ``rho_annotator`` (``rho^h_j``), ``mean_difference``
        (``mean_i d_ij``), ``t_statistic``, ``p_value``, ``by_threshold`` (the
        Benjamini-Yekutieli threshold at the p-value's rank), ``candidate_wins`` (the
        hypothesis is rejected) and ``tested`` (False for an annotator with fewer than
        ``min_items`` items: its statistics are NaN)."""
        return self._table.copy()

    def details(self, annotator: Hashable, candidate: Hashable | None = None
                ) -> pd.DataFrame:
        """The comparisons on the items of one annotator, indexed by item:
        ``candidate_score`` ``S(f_i, R)``, ``annotator_score`` ``S(h_ij, R)``,
        ``candidate_indicator`` ``W^f_ij``, ``annotator_indicator`` ``W^h_ij`` and
        ``difference`` ``d_ij``."""
        q = self._which(candidate)
        names = list(self._ann.annotators)
        if annotator not in names:
            raise ValueError(UNKNOWN_NAME.format(what="annotator", name=annotator,
                                                 whats="annotators", names=_short(names)))
        rows = np.flatnonzero(self._kept[q]
                              & (self._ann.annotator_codes == names.index(annotator)))
        human, cand = self._human[rows], self._cand[q, rows]
        wf = (cand >= human).astype(np.int64)
        wh = (human >= cand).astype(np.int64)
        return pd.DataFrame({"candidate_score": self._score(cand, rows),
                             "annotator_score": self._score(human, rows),
                             "candidate_indicator": wf, "annotator_indicator": wh,
                             "difference": wh - wf},
                            index=self._ann.items[self._ann.item_codes[rows]].rename("item"))

    def _score(self, key: NDArray, rows: NDArray) -> NDArray:
        if not self._is_key:
            return key
        n = self._n_others[rows]
        if self.scoring == "accuracy":
            return key / n
        return -np.sqrt(-key / n)

    def _which(self, candidate: Hashable | None) -> int:
        if candidate is None:
            if len(self.candidates) > 1:
                raise ValueError(CANDIDATE_NEEDED.format(n=len(self.candidates),
                                                         names=_short(self.candidates)))
            return 0
        if candidate not in self.candidates:
            raise ValueError(UNKNOWN_NAME.format(what="candidate", name=candidate,
                                                 whats="candidates",
                                                 names=_short(self.candidates)))
        return self.candidates.index(candidate)

    # ------------------------------------------------------------------- display
    def __repr__(self) -> str:
        head = f"AltTestResult(epsilon={self.epsilon:g}, alpha={self.alpha:g}, " \
               f"scoring={self.scoring!r}"
        lines = []
        for name, row in self._summary.iterrows():
            verdict = "passes" if row["passed"] else "fails"
            wins = int(self._table.loc[self._table["candidate"] == name,
                                       "candidate_wins"].sum())
            lines.append(f"candidate {name!r} {verdict}: wins against {wins} of "
                         f"{row['n_annotators_tested']} annotators (winning rate "
                         f"{row['winning_rate']:.2f} {'>=' if row['passed'] else '<'} 0.5), "
                         f"rho={row['rho']:.3f}, {row['n_items']} items")
        if len(lines) == 1:
            return f"{head}: {lines[0]})"
        return head + ":\n  " + "\n  ".join(lines) + "\n)"

    def plot(self, ax: Any = None) -> Any:
        """One candidate: per tested annotator, ``rho^f_j`` (filled when the candidate
        wins) against ``rho^h_j - epsilon``, the level it must reach. Several candidates:
        their ``rho``, sorted, with the winning rate. Returns the matplotlib Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6.0, 4.0))
        if len(self.candidates) > 1:
            s = self._summary.sort_values("rho")
            colors = ["tab:green" if ok else "tab:gray" for ok in s["passed"]]
            y = np.arange(len(s))
            ax.barh(y, s["rho"], color=colors)
            ax.set_yticks(y, [str(c) for c in s.index])
            for k, (r, w) in enumerate(zip(s["rho"], s["winning_rate"], strict=True)):
                ax.text(r, k, f" omega={w:.2f}", va="center")
            ax.set_xlim(0, 1.15)
            ax.set_xlabel("rho (average advantage probability)")
            ax.set_title(f"alt-test, epsilon={self.epsilon:g} (green: passed)")
            return ax
        tab = self._table[self._table["tested"]]
        # sorted by the candidate's margin over the level it must reach, so that the
        # annotators it beats and those it does not form two runs
        level = tab["rho_annotator"].to_numpy() - self.epsilon
        cand = tab["rho_candidate"].to_numpy()
        order = np.argsort(cand - level, kind="stable")
        level, cand = level[order], cand[order]
        names = [str(a) for a in tab["annotator"].to_numpy()[order]]
        wins = tab["candidate_wins"].to_numpy(dtype=bool)[order]
        x = np.arange(len(tab))
        ax.vlines(x, np.minimum(level, cand), np.maximum(level, cand), color="0.8",
                  linewidth=1)
        ax.scatter(x, level, marker="_", s=200, color="black",
                   label="rho_annotator - epsilon")
        ax.scatter(x[wins], cand[wins], color="tab:green",
                   label="rho_candidate (wins: significant after BY)")
        ax.scatter(x[~wins], cand[~wins], facecolors="none", edgecolors="tab:red",
                   label="rho_candidate (no significant win)")
        if len(x) <= 20:
            ax.set_xticks(x, names, rotation=90 if len(x) > 8 else 0)
            ax.set_xlabel("annotator (sorted by the candidate's margin)")
        else:
            ax.set_xticks([])
            ax.set_xlabel(f"{len(x)} annotators, sorted by the candidate's margin")
        ax.set_ylabel("probability")
        ax.set_title(f"alt-test: omega={self.winning_rate:.2f}, rho={self.rho:.2f}, "
                     f"epsilon={self.epsilon:g}")
        ax.legend(loc="best", fontsize="small")
        return ax
