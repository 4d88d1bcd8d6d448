"""DropoutExplorer on a (64, 64) MLP: 1,000 dropout members x 10,000 samples, vs NumPy.

Input: ``make_classification`` (``--samples`` rows, 20 features, 2 classes, seeded) and
an ``MLPClassifier(hidden_layer_sizes=(64, 64))`` (ReLU, adam) fitted on it for
``--mlp-iter`` epochs (seeded; not timed; a network trained to convergence overfits and
then almost no dropout member stays within epsilon, see the printed set sizes).

For each kind of mask (``bernoulli`` at ``p = 0.1``, then ``gaussian`` with the same
``p``, i.e. multipliers ``N(1, p / (1 - p))``), contestants timed in the same process,
called round-robin the same number of times N (min and median kept):

* ours: ``DropoutExplorer(mlp, n_models=1000, p=0.1, kind=..., epsilon=...,
  random_state=seed).fit(X, y)``: draws the masks, computes every candidate's loss on
  ``(X, y)`` (first hidden layer once per chunk, then one parallel Numba kernel over
  members and blocks of samples), builds the members and filters them; reported in
  members per second;
* NumPy: a plain loop doing the same work: the masks drawn by the documented recipe
  (``np.random.default_rng(SeedSequence(seed).spawn(n_models - 1)[i - 1])``), then for
  each mask a full NumPy forward pass of the network on all of ``X`` (every layer,
  including the mask-independent first one, which is about a quarter of the
  multiply-adds; the mask multiplies each hidden layer's activations), the loss, and
  the same ``L <= L0 + epsilon`` filter. It runs twice: with NumPy's BLAS at its
  default thread count, and limited to one thread (on a busy 2-core machine a
  two-thread BLAS on these small (10,000 x 64) products is often the slower one); the
  speed-up is against the faster of the two.

Values, before the timing: the reference's masks must equal ``masks_`` exactly, its
losses must equal ``candidate_losses_`` to 1e-9 for each of the three losses
(``zero_one``, ``log_loss``, ``brier``; one untimed fit of ours per loss), and it must
keep the same members; the script exits non-zero otherwise.

Then ``explorer.profile(X, y)`` (every measure of the set, with the batched kernels) is
timed on the set at ``--epsilon`` and on all the candidates (a second explorer with
epsilon 1: the same masks, every member kept). On the first ``--generic-samples``
samples, the latter is compared once with ``rashomon_set_.profile`` (the generic path:
one ``predict``/``predict_proba`` call per member and chunk, each recomputing the first
layer), values to 1e-9 and the time of one run each.

Run: ``.venv/bin/python benchmarks/bench_dropout.py [--models M --samples N]``.
"""

from __future__ import annotations

import sys
import time
import warnings
from typing import Any

import _common
import numpy as np
from scipy.special import expit
from sklearn.datasets import make_classification
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from multiplicity.rashomon import DropoutExplorer

LOSSES = ("zero_one", "log_loss", "brier")
KINDS = ("bernoulli", "gaussian")
TOL = 1e-9
OURS = "ours: DropoutExplorer(...).fit(X, y)"
NUMPY = "numpy loop, BLAS default threads"
NUMPY_1 = "numpy loop, BLAS 1 thread"
KEYS = {OURS: "ours", NUMPY: "numpy", NUMPY_1: "numpy_1thread"}
SLACK = 1e-12  # the library keeps losses <= threshold + 1e-12 * max(1, |threshold|)
LOG_CLIP = float(np.finfo(np.float64).eps)
ACTIVATIONS = {"relu": lambda z: np.maximum(z, 0.0), "tanh": np.tanh,
               "logistic": expit, "identity": lambda z: z}


def build(n_samples: int, n_features: int, mlp_iter: int, seed: int
          ) -> tuple[MLPClassifier, np.ndarray, np.ndarray]:
    X, y = make_classification(n_samples=n_samples, n_features=n_features,
                               random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: few epochs on purpose
        mlp = MLPClassifier(hidden_layer_sizes=(64, 64), max_iter=mlp_iter,
                            random_state=seed).fit(X, y)
    return mlp, X, y


# ------------------------------------------------------------------------ NumPy side
def draw_masks(kind: str, p: float, n_models: int, n_hidden: int, seed: int) -> np.ndarray:
    """The masks by the recipe documented for ``DropoutExplorer(random_state=seed)``."""
    masks = np.ones((n_models, n_hidden))
    if n_models > 1:
        sigma = np.sqrt(p / (1.0 - p))
        for i, child in enumerate(np.random.SeedSequence(seed).spawn(n_models - 1), 1):
            rng = np.random.default_rng(child)
            if kind == "bernoulli":
                masks[i] = (rng.random(n_hidden) >= p) / (1.0 - p)
            else:
                masks[i] = 1.0 + sigma * rng.standard_normal(n_hidden)
    return masks


def forward(mlp: MLPClassifier, X: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Class probabilities (n, k) of the network with ``mask`` on its hidden units."""
    act = ACTIVATIONS[mlp.activation]
    A, off = X, 0
    last = len(mlp.coefs_) - 1
    for layer, (W, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_, strict=True)):
        Z = A @ W + b
        if layer < last:
            A = act(Z) * mask[off:off + W.shape[1]]
            off += W.shape[1]
        elif Z.shape[1] == 1:
            p1 = expit(Z[:, 0])
            return np.column_stack([1.0 - p1, p1])
        else:
            Z -= Z.max(axis=1, keepdims=True)
            E = np.exp(Z)
            return E / E.sum(axis=1, keepdims=True)
    raise AssertionError("unreachable")


def loss_of(Q: np.ndarray, y_codes: np.ndarray, loss: str) -> float:
    rows = np.arange(len(y_codes))
    if loss == "zero_one":
        pred = (Q[:, 1] > 0.5).astype(np.int64) if Q.shape[1] == 2 else Q.argmax(axis=1)
        return float(np.mean(pred != y_codes))
    if loss == "log_loss":
        return float(np.mean(-np.log(np.clip(Q[rows, y_codes], LOG_CLIP, 1.0 - LOG_CLIP))))
    onehot = np.zeros_like(Q)
    onehot[rows, y_codes] = 1.0
    return float(np.mean(np.sum((Q - onehot) ** 2, axis=1)))


def numpy_explore(mlp: MLPClassifier, X: np.ndarray, y: np.ndarray, *, n_models: int,
                  p: float, kind: str, epsilon: float, seed: int,
                  losses: tuple[str, ...]) -> dict[str, Any]:
    """Masks, the losses of every candidate (each loss in ``losses``), kept indices."""
    y_codes = np.searchsorted(mlp.classes_, y)
    n_hidden = sum(W.shape[1] for W in mlp.coefs_[:-1])
    masks = draw_masks(kind, p, n_models, n_hidden, seed)
    values = {loss: np.empty(n_models) for loss in losses}
    for i in range(n_models):
        Q = forward(mlp, X, masks[i])
        for loss in losses:
            values[loss][i] = loss_of(Q, y_codes, loss)
    main = values[losses[0]]
    threshold = main[0] + epsilon
    keep = np.flatnonzero(main <= threshold + SLACK * max(1.0, abs(threshold)))
    return {"masks": masks, "losses": values, "keep": keep}


# ----------------------------------------------------------------------------- main
def explorer(mlp, X, y, *, n_models, p, kind, epsilon, seed, loss="zero_one"):
    return DropoutExplorer(mlp, n_models=n_models, p=p, kind=kind, epsilon=epsilon,
                           loss=loss, random_state=seed).fit(X, y)


def profile_diff(a, b) -> float:
    """Largest difference between two profiles (scalars and per-sample arrays)."""
    d = 0.0
    for name in ("ambiguity", "discrepancy", "probabilistic_ambiguity",
                 "probabilistic_discrepancy", "min_accuracy", "max_accuracy"):
        d = max(d, abs(getattr(a, name) - getattr(b, name)))
    for name in ("vpr_width", "rashomon_capacity", "self_consistency"):
        d = max(d, float(np.max(np.abs(getattr(a, name) - getattr(b, name)))))
    return d


def main() -> dict:
    parser = _common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1_000, help="candidates (n_models)")
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--mlp-iter", type=int, default=20,
                        help="epochs of the MLP (max_iter)")
    parser.add_argument("--p", type=float, default=0.1)
    parser.add_argument("--epsilon", type=float, default=0.01)
    parser.add_argument("--loss", choices=LOSSES, default="zero_one",
                        help="the loss of the timed runs")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=2,
                        help="calls of every contestant (min and median kept)")
    parser.add_argument("--numpy-threads", choices=("both", "default", "one"),
                        default="both", help="BLAS threads of the NumPy loop")
    parser.add_argument("--profile-repeats", type=int, default=2)
    parser.add_argument("--generic-samples", type=int, default=1_000,
                        help="samples of the batched vs generic profile check (0: skip)")
    args = parser.parse_args()

    info = _common.machine_info()
    _common.print_machine(info)
    t0 = time.perf_counter()
    mlp, X, y = build(args.samples, args.features, args.mlp_iter, args.seed)
    n_hidden = sum(W.shape[1] for W in mlp.coefs_[:-1])
    print(f"input: {X.shape[0]} samples x {X.shape[1]} features, {len(mlp.classes_)} classes; "
          f"MLPClassifier(64, 64) {mlp.activation} ({n_hidden} hidden units), "
          f"{mlp.n_iter_} epochs, training accuracy "
          f"{mlp.score(X, y):.4f} (built in {time.perf_counter() - t0:.1f} s); "
          f"{args.models} candidates, p={args.p}, epsilon={args.epsilon} (absolute), "
          f"loss {args.loss}")
    common = {"n_models": args.models, "p": args.p, "epsilon": args.epsilon,
              "seed": args.seed}
    # compile the kernels (or load them from Numba's cache) outside the timing
    for loss in LOSSES:
        explorer(mlp, X[:200], y[:200], **{**common, "n_models": 3}, kind="bernoulli",
                 loss=loss).profile(X[:200], y[:200])

    results: dict[str, Any] = {}
    table: list[dict[str, str]] = []
    all_ok = True
    for kind in args.kinds:
        kw = {**common, "kind": kind}
        print(f"\n--- kind={kind!r}, p={args.p}")
        # Values first (also a last warm-up of every path).
        order = (args.loss, *[x for x in LOSSES if x != args.loss])
        with threadpool_limits(limits=1, user_api="blas"):  # faster on a busy machine
            ref = numpy_explore(mlp, X, y, **kw, losses=order)
        masks_equal = None
        max_diff = {}
        for loss in order:
            ex = explorer(mlp, X, y, **kw, loss=loss)
            if masks_equal is None:
                masks_equal = bool(np.array_equal(ex.masks_, ref["masks"]))
            max_diff[loss] = float(np.max(np.abs(ex.candidate_losses_ - ref["losses"][loss])))
            if loss == args.loss:
                ours_ex = ex
        kept_ours = [i for i, mdl in enumerate(ours_ex.candidate_models_)
                     if any(mdl is r for r in ours_ex.rashomon_set_)]
        keep_equal = bool(np.array_equal(kept_ours, ref["keep"]))
        ok = masks_equal and keep_equal and all(v <= TOL for v in max_diff.values())
        all_ok &= ok
        cl = ours_ex.candidate_losses_
        print(f"candidate {args.loss} losses: h0 {cl[0]:.4f}, median {np.median(cl):.4f}, "
              f"max {cl.max():.4f}; set at epsilon {args.epsilon}: {len(ours_ex.rashomon_set_)}"
              f" of {args.models} members")
        print("ours vs NumPy: masks equal (exact): " + str(masks_equal)
              + "; max |loss diff| " + ", ".join(f"{k} {v:.1e}" for k, v in max_diff.items())
              + f"; same members kept: {keep_equal}; OK (losses to {TOL:g}): {ok}")

        def reference(kw=kw):
            return numpy_explore(mlp, X, y, **kw, losses=(args.loss,))

        def reference_1(kw=kw):
            with threadpool_limits(limits=1, user_api="blas"):
                return numpy_explore(mlp, X, y, **kw, losses=(args.loss,))

        contestants = {OURS: lambda kw=kw: explorer(mlp, X, y, **kw, loss=args.loss),
                       NUMPY: reference, NUMPY_1: reference_1}
        if args.numpy_threads == "one":
            del contestants[NUMPY]
        elif args.numpy_threads == "default":
            del contestants[NUMPY_1]
        timings = {name: {**t, "min": t["min_s"], "median": t["median_s"]}
                   for name, t in _common.interleaved(contestants, args.repeats).items()}
        t_ours = timings[OURS]["min"]
        best = min((n for n in timings if n != OURS), key=lambda n: timings[n]["min"])
        t_np = timings[best]["min"]
        for name, t in timings.items():
            print(f"{name:40s} min {_common.fmt_s(t['min']):>9s}, median "
                  f"{_common.fmt_s(t['median']):>9s} over {t['repeats']} repeats: "
                  f"{args.models / t['min']:8.0f} members/s, "
                  f"{args.models * X.shape[0] / t['min'] / 1e6:6.2f} M member-samples/s")
        print(f"speed-up (faster NumPy variant's min / ours min): {t_np / t_ours:.1f}x")

        # profile(): the set at epsilon, then all candidates (epsilon 1, same masks)
        ex_all = explorer(mlp, X, y, **{**kw, "epsilon": 1.0}, loss=args.loss)
        sets = {f"set at epsilon {args.epsilon}": ours_ex, "all candidates (epsilon 1)": ex_all}
        prof_rows = {}
        for label, ex in sets.items():
            kept: list = []
            t = _common.min_time({"p": lambda ex=ex, kept=kept: kept.append(ex.profile(X, y))},
                                 args.profile_repeats)["p"]
            prof = kept[-1]
            m = len(ex.rashomon_set_)
            prof_rows[label] = {"members": m, "min_s": t["min"], "median_s": t["median"],
                                "repeats": t["repeats"], "times_s": t["times"],
                                "ambiguity": prof.ambiguity,
                                "mean_rashomon_capacity": prof.mean_rashomon_capacity}
            print(f"explorer.profile(X, y), {label}: {m} members, min "
                  f"{_common.fmt_s(t['min'])}, median {_common.fmt_s(t['median'])} over "
                  f"{t['repeats']} ({m * X.shape[0] / t['min'] / 1e6:.2f} M member-samples/s); "
                  f"ambiguity {prof.ambiguity:.4f}, mean RC {prof.mean_rashomon_capacity:.5f}")
        # The generic path (one predict/predict_proba call per member and chunk) is much
        # slower: compared once, on the first --generic-samples samples only.
        g = min(args.generic_samples, X.shape[0])
        generic = None
        if g:
            t0 = time.perf_counter()
            batched = ex_all.profile(X[:g], y[:g])
            t_batched = time.perf_counter() - t0
            t0 = time.perf_counter()
            slow = ex_all.rashomon_set_.profile(X[:g], y[:g])
            t_generic = time.perf_counter() - t0
            generic = {"samples": g, "members": len(ex_all.rashomon_set_),
                       "batched_s": t_batched, "generic_s": t_generic,
                       "max_abs_diff": profile_diff(batched, slow)}
            ok_g = generic["max_abs_diff"] <= TOL
            all_ok &= ok_g
            table.append(_common.row(
                f"all candidates, `explorer.profile` (batched) on the first {g:,} samples, "
                f"{generic['members']} members, {kind}", f"{_common.fmt_s(t_batched)}, N = 1",
                f"`rashomon_set_.profile` (generic path of the library): "
                f"{_common.fmt_s(t_generic)}, N = 1", f"{t_generic / t_batched:.1f}x", "",
                f"max |diff| {generic['max_abs_diff']:.1e} (must be <= {TOL:g})"
                + ("" if ok_g else "; **FAILED**")))
            print(f"same, all candidates on the first {g} samples (one run each): "
                  f"explorer.profile {_common.fmt_s(t_batched)}, rashomon_set_.profile "
                  f"(generic path) {_common.fmt_s(t_generic)}; max |diff| "
                  f"{generic['max_abs_diff']:.1e} (OK: {ok_g})")

        ref_text = "; ".join(f"{name.replace('numpy loop', 'NumPy forward loop')}: "
                             f"{_common.timing_text(t)}" for name, t in timings.items()
                             if name != OURS)
        check = (f"masks equal: {masks_equal}; same members kept: {keep_equal}; loss max "
                 f"|diff| {max(max_diff.values()):.0e} (must be <= {TOL:g})"
                 + ("" if ok else "; **FAILED**"))
        table.insert(len(table) - (1 if g else 0), _common.row(
            f"`DropoutExplorer.fit`, {args.models:,} {kind} members x {X.shape[0]:,} samples, "
            f"MLP (64, 64)", f"{_common.timing_text(timings[OURS])}; "
            f"{args.models / t_ours:.0f} members/s", ref_text,
            _common.ratio_text(timings[best], timings[OURS]) + " vs the faster NumPy variant",
            "members/s", check))
        for label, pr in prof_rows.items():
            table.insert(len(table) - (1 if g else 0), _common.row(
                f"`explorer.profile(X, y)`, {label}, {pr['members']} members, {kind}",
                _common.timing_text({"min_s": pr["min_s"], "median_s": pr["median_s"],
                                     "repeats": pr["repeats"]}), "no reference", "", "", ""))
        results[kind] = {
            **{KEYS[name]: {"min_s": t["min"], "median_s": t["median"],
                            "repeats": t["repeats"], "times_s": t["times"],
                            "members_per_s": args.models / t["min"]}
               for name, t in timings.items()},
            "numpy_best": KEYS[best],
            "speedup_vs_numpy": t_np / t_ours, "masks_equal": masks_equal,
            "max_abs_loss_diff": max_diff, "same_members_kept": keep_equal,
            "values_equal": ok, "set_size": len(ours_ex.rashomon_set_),
            "h0_loss": float(cl[0]), "median_loss": float(np.median(cl)),
            "profile": prof_rows, "generic_profile": generic}

    result = {"benchmark": "dropout",
              "shape": [args.models, X.shape[0], X.shape[1]], "hidden": [64, 64],
              "mlp_epochs": int(mlp.n_iter_), "p": args.p, "epsilon": args.epsilon,
              "loss": args.loss, "values_equal": all_ok, "results": results}
    sizes = ", ".join(f"{r['set_size']} {kind}" for kind, r in results.items())
    notes = (
        f"`make_classification` ({X.shape[0]:,} samples, {X.shape[1]} features); the "
        f"`MLPClassifier((64, 64))` is trained for {int(mlp.n_iter_)} epochs only (training "
        f"accuracy {mlp.score(X, y):.4f}): trained to convergence it overfits, and dropout at "
        f"p = {args.p} then raises its loss several-fold, so that at epsilon {args.epsilon} "
        f"the set would hold the network alone. Here the set at epsilon keeps {sizes} of "
        f"{args.models:,} candidates ({args.loss} loss). The NumPy reference draws the masks "
        "by the documented recipe and runs a full forward pass per mask; it runs with BLAS "
        "at its default threads and at one thread (on a busy 2-core machine one thread is "
        "often faster for these small products) and the ratio is against the faster. "
        "Values: masks exactly equal, every candidate's loss for each of "
        f"{', '.join(LOSSES)} to {TOL:g}, and the same members kept.")
    _common.write_result(args.json, "DropoutExplorer against a NumPy forward loop", table,
                         notes, machine=info, **result)
    if not all_ok:
        print("ERROR: ours and the NumPy reference disagree", file=sys.stderr)
        sys.exit(1)
    return result


if __name__ == "__main__":
    main()
