"""feature_importance_range on 200 members x 12 features x 5 repeats (COMPAS), vs sklearn.

Input: the bundled COMPAS data (6,907 rows, 12 binary features, as a DataFrame) and
``--models`` ``LogisticRegression(max_iter=1000)`` members, each fitted on a seeded
bootstrap, all in one ``RashomonSet`` (epsilon 1, so every model is a member). Building
them is not timed.

Contestants, timed in the same process, called round-robin the same number of times N
(min and median kept):

* ours: ``feature_importance_range(rs, X, y, n_repeats=5, random_state=0)`` (accuracy;
  the batched path: one stacked matrix product per permuted copy for all members);
* ours, generic path: the same call with the linear fast path switched off (the
  benchmark replaces ``multiplicity.explain._importance.linear_stack`` by a function that
  returns None), i.e. what any other model type gets: one shared permuted copy per
  feature and repeat, one ``predict`` per member on it (``RashomonSet.predict_codes``),
  accuracies from the label codes;
* sklearn loop: ``[permutation_importance(m, X, y, n_repeats=5, random_state=0) for m in
  rs]``, what one writes without the library (scikit-learn's ``n_jobs`` left at its
  default of one process: the members are already looped over, and worker processes
  would copy the data for every member).

Values: every member's ``importances`` (n_features x n_repeats) must equal sklearn's to
1e-12 for both of our paths; the script exits non-zero otherwise.

Optional second part (``--cloud``): ``feature_interaction_cloud`` on the same set, all 66
pairs, log loss, timed once.

Run: ``.venv/bin/python benchmarks/bench_explain.py [--models 200 --repeats 2 --json PATH]``.
"""

from __future__ import annotations

import sys
import time

import _common
import numpy as np
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression

from multiplicity.datasets import load_compas
from multiplicity.explain import _importance, feature_importance_range, feature_interaction_cloud
from multiplicity.rashomon import RashomonSet


def main() -> dict:
    parser = _common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=200)
    parser.add_argument("--n-repeats", type=int, default=5, help="permutations per feature")
    parser.add_argument("--repeats", type=int, default=2,
                        help="calls of every contestant (min and median kept)")
    parser.add_argument("--cloud", action="store_true", help="also time the FIS cloud")
    args = parser.parse_args()
    info = _common.machine_info()
    _common.print_machine(info)

    X, y = load_compas(return_X_y=True)
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    models = []
    for _ in range(args.models):
        idx = rng.integers(0, len(y), len(y))
        models.append(LogisticRegression(max_iter=1000).fit(X.iloc[idx], y.iloc[idx]))
    rs = RashomonSet.from_models(models, X, y, epsilon=1.0)
    print(f"# {len(rs)} members x {X.shape[1]} features x {args.n_repeats} repeats on "
          f"{X.shape[0]} rows (members built in {time.perf_counter() - t0:.1f} s, untimed)")

    k = args.n_repeats
    out: dict = {}
    # compile (or load) the kernels outside the timing
    feature_importance_range(rs, X.iloc[:50], y.iloc[:50], n_repeats=1, random_state=0)

    def ours():
        out["ours"] = feature_importance_range(rs, X, y, n_repeats=k, random_state=0)

    def generic():
        saved = _importance.linear_stack
        _importance.linear_stack = lambda *a, **kw: None
        try:
            out["generic"] = feature_importance_range(rs, X, y, n_repeats=k, random_state=0)
        finally:
            _importance.linear_stack = saved

    def loop():
        out["sklearn"] = [permutation_importance(m, X, y, n_repeats=k, random_state=0)
                          for m in rs]

    timing = _common.interleaved({"ours": ours, "generic": generic, "sklearn": loop},
                                 args.repeats)
    ref = np.stack([r.importances for r in out["sklearn"]])
    diff = {name: float(np.abs(out[name].importances - ref).max())
            for name in ("ours", "generic")}
    t_ref = timing["sklearn"]["min_s"]
    result: dict = {"shape": f"{len(rs)} x {X.shape[1]} x {k} on "
                    f"{X.shape[0]} rows", "max_abs_diff": diff, "timing": {}}
    for name in ("ours", "generic", "sklearn"):
        t = timing[name]
        result["timing"][name] = {"min_s": t["min_s"], "median_s": t["median_s"],
                                  "repeats": t["repeats"], "speedup": t_ref / t["min_s"]}
        print(f"  {name:8s}: {_common.timing_text(t)}; sklearn loop / this = "
              f"{_common.ratio_text(timing['sklearn'], t)}")
    print(f"  max |importance - sklearn| : ours {diff['ours']:.1e}, generic "
          f"{diff['generic']:.1e}")
    table = out["ours"]
    widest = table["max"].sub(table["min"]).idxmax()
    print(f"  widest importance range: {widest} [{table.loc[widest, 'min']:.4f}, "
          f"{table.loc[widest, 'max']:.4f}]")

    if args.cloud:
        t0 = time.perf_counter()
        cloud = feature_interaction_cloud(rs, X, y, n_repeats=k, random_state=0)
        t_cloud = time.perf_counter() - t0
        n_pairs = cloud["pair"].nunique()
        print(f"  feature_interaction_cloud: {n_pairs} pairs x {len(rs)} members, log "
              f"loss, {k} repeats: {_common.fmt_s(t_cloud)}")
        result["cloud_s"] = t_cloud
        result["cloud_pairs"] = n_pairs

    ok = max(diff.values()) <= 1e-12
    check = (f"every member's importances equal to `permutation_importance`'s (max |diff| "
             f"{diff['ours']:.1e} ours, {diff['generic']:.1e} generic; must be <= 1e-12)"
             + ("" if ok else "; **FAILED**"))
    ref = ("`[permutation_importance(m, X, y, n_repeats=" + str(k) + ", random_state=0) for m "
           "in rs]`: " + _common.timing_text(timing["sklearn"]))
    rows = [
        _common.row(f"`feature_importance_range`, {result['shape']} (bundled COMPAS, "
                    "LogisticRegression members)", _common.timing_text(timing["ours"]), ref,
                    _common.ratio_text(timing["sklearn"], timing["ours"]), "", check),
        _common.row("same, generic path (linear fast path off: one `predict` per member "
                    "on a shared permuted copy)", _common.timing_text(timing["generic"]),
                    "same", _common.ratio_text(timing["sklearn"], timing["generic"]), "",
                    "same"),
    ]
    notes = (
        f"{len(rs)} `LogisticRegression(max_iter=1000)` members, each fitted on a seeded "
        "bootstrap of the bundled COMPAS data (fitting not timed); accuracy, "
        f"{k} permutations per feature. Ours draws the permutations the way scikit-learn "
        "does, so the importances are compared member by member, exactly. Widest "
        f"importance range: {widest} [{table.loc[widest, 'min']:.4f}, "
        f"{table.loc[widest, 'max']:.4f}].")
    if args.cloud:
        notes += (f" `feature_interaction_cloud` on the same set, {result['cloud_pairs']} "
                  f"pairs, log loss, one call: {_common.fmt_s(result['cloud_s'])}.")
    _common.write_result(args.json, "Feature-importance ranges against scikit-learn", rows,
                         notes, machine=info, **result)
    if not ok:
        print("VALUES DIFFER from permutation_importance", file=sys.stderr)
        raise SystemExit(1)
    return result


if __name__ == "__main__":
    main()
