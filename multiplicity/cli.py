"""Command line: ``multiplicity <command>`` (also ``python -m multiplicity``)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from ._version import __version__


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _cmd_demo(args: argparse.Namespace) -> int:
    from ._demo import run_demo

    result = run_demo(n_models=args.n_models, epsilon=args.epsilon,
                      random_state=args.random_state, n_jobs=args.n_jobs)
    print("\n".join(result.lines()))
    return 0


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="multiplicity",
        description="Measure predictive multiplicity and annotation disagreement.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    demo = sub.add_parser(
        "demo", help="Rashomon set of logistic regressions on the bundled COMPAS data",
        description="Fit logistic regressions on bootstrap resamples of the bundled COMPAS "
                    "data, keep those within epsilon of the best training 0-1 loss, and "
                    "print ambiguity, discrepancy, Rashomon capacity and the viable "
                    "prediction range.")
    demo.add_argument("--n-models", type=_positive_int, default=50,
                      help="models to fit (default: 50)")
    demo.add_argument("--epsilon", type=_non_negative_float, default=0.01,
                      help="Rashomon parameter on the training 0-1 loss (default: 0.01)")
    demo.add_argument("--random-state", type=int, default=0, help="seed (default: 0)")
    demo.add_argument("--n-jobs", type=int, default=None,
                      help="parallel model fits through joblib (default: 1)")
    demo.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``multiplicity`` console script; returns the exit code."""
    args = _build_parser().parse_args(argv)
    return args.func(args)
