"""The measures of :mod:`multiplicity.metrics` on ``dask.array.Array`` inputs.

Each measure is a reduction, so it runs as the in-memory kernels do, once per block of the
prediction matrix on the workers, followed by a tree reduction of small per-block
outputs. One engine (:func:`_run_blocks`) calls a block function once per block and hands
back its outputs as dask arrays of one of three kinds:

- ``"sample"``: one value per sample of the block (flags, flip counts, vote tables), as
  a row of an ``(n_model_chunks, n_samples, ...)`` array, reduced over the model chunks
  (or, max, sum);
- ``"model"``: one value per model of the block (flip counts), as a column of an
  ``(n_models, n_sample_chunks)`` array, summed over the sample chunks;
- ``"block"``: one value (or small table) per block, summed over all blocks.

Every block is checked on the worker with the same ``check_*`` functions as in memory, so
a NaN in one block raises the same ``ValueError``; shapes and dtypes are checked on the
client from the dask metadata. The matrix is never gathered: only the reduced outputs
(a number per model, a number or flag per sample, a table per block) leave the workers.
Labels must be integer, bool or float codes on dask (there is no cheap, block-consistent
encoding of arbitrary objects); measures that compare classes across blocks read the
label range (or, for wide ranges, the distinct labels) in one small reduction first.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import _errors
from .._config import config_context, get_config
from .._dask import is_dask_array
from .._kernels_common import (
    COUNTS,
    FLAGS,
    _scan_probabilities,
    _vote_table,
    label_flip_stats,
    sample_flip_counts,
    vote_block,
)
from .._lazy import lazy_module
from .._parallel import numba_threads
from .._validation import (
    DELTA_RTOL,
    DELTA_SLACK,
    _as_array,
    _check_row_index,
    _is_row_index,
    _is_scalar_non_index,
    _proba_tolerance,
    check_delta,
    check_labels_1d,
    check_matrix_shape,
    check_positive_delta,
    check_prediction_baseline,
    check_predictions,
    check_probabilities,
    check_probability_baseline,
    check_real_predictions,
    check_threshold,
    label_codes,
)
from . import _kernels, _regression_kernels

_da = lazy_module("dask.array")
_dask = lazy_module("dask")

__all__ = [
    "ambiguity",
    "ambiguity_discrepancy",
    "ambiguous_samples",
    "capacity_nats",
    "churn",
    "decision_ambiguity",
    "disagreement",
    "disagreement_error_estimate",
    "discrepancy",
    "flip_rate",
    "model_flip_counts",
    "pairwise_disagreement",
    "person_flip_counts",
    "person_flip_hist",
    "prediction_range",
    "probabilistic_ambiguity",
    "probabilistic_discrepancy",
    "regression_ambiguity",
    "regression_discrepancy",
    "self_consistency",
    "viable_prediction_range",
]

DASK_LABEL_DTYPE = (
    "{name} is a dask array of dtype {dtype}; on dask, labels must be integer, bool or "
    "float codes: encode them first (for example with pandas.factorize, or "
    "dask.dataframe's categorize and .cat.codes)")
DASK_UNKNOWN_CHUNKS = (
    "{name} has unknown chunk sizes (shape {shape}); call {name}.compute_chunk_sizes() "
    "first")
# Above this many classes, vote tables of models in different chunks are not summed
# (an (n_samples, n_classes) table per model chunk); the model axis is rechunked instead.
MAX_VOTE_LEVELS = 64
# Label ranges up to this wide are counted as value - offset, wider ones by their rank
# among the distinct labels (as the in-memory path, _validation._MAX_RAW_SPAN).
_MAX_RAW_SPAN = 1 << 16

SAMPLE, MODEL, BLOCK = "sample", "model", "block"


# --------------------------------------------------------------------------- engine
def _pick(idx: int, kind: str, parts: tuple) -> np.ndarray:
    """Output ``idx`` of a block function, shaped as one block of its ``kind``."""
    a = np.asarray(parts[idx])
    if kind == SAMPLE:
        return a[None]
    if kind == MODEL:
        return a[:, None]
    return a.reshape((1, 1, *a.shape))


def _run_blocks(block_fn: Callable[..., tuple], P: Any, extras: Sequence[Any] = (),
                outputs: Sequence[tuple[str, Any, tuple[int, ...]]] = (),
                **kwargs: Any) -> list[Any]:
    """Call ``block_fn`` once per block of ``P``; its outputs as dask arrays.

    ``P`` is an ``(m, n)`` or ``(m, n, k)`` dask array (``k`` in one chunk); ``extras``
    are ``(n,)`` or ``(n, k)`` dask arrays chunked like ``P``'s sample axis. The call is
    ``block_fn(P_block, rows, cols, *extra_blocks, **kwargs)``, with ``rows`` and ``cols``
    the global model and sample indices of the block, and returns one array per entry
    ``(kind, dtype, trailing_shape)`` of ``outputs``: ``"sample"`` (n_block, *trailing),
    ``"model"`` (m_block, *trailing) or ``"block"`` (*trailing). They come back as dask
    arrays of shape ``(n_model_chunks, n, *trailing)``, ``(m, n_sample_chunks,
    *trailing)`` and ``(n_model_chunks, n_sample_chunks, *trailing)``: the caller reduces
    them (``.max(axis=0)``, ``.sum(axis=1)``...), and all of them share the one call per
    block. A worker holds one block of ``P`` and its outputs at a time.
    """
    m, n = P.shape[:2]
    args: list[Any] = [P, "ijk"[:P.ndim], _da.arange(m, chunks=(P.chunks[0],)), "i",
                       _da.arange(n, chunks=(P.chunks[1],)), "j"]
    for e in extras:
        args += [e, "jk"[:e.ndim]]
    parts = _da.blockwise(functools.partial(block_fn, **kwargs), "ij", *args,
                          dtype=object, meta=np.empty((0, 0), dtype=object),
                          concatenate=True)
    out = []
    for idx, (kind, dtype, trailing) in enumerate(outputs):
        new = "pqrs"[:len(trailing)]
        adjust = {}
        if kind != MODEL:
            adjust["i"] = 1
        if kind != SAMPLE:
            adjust["j"] = 1
        out.append(_da.blockwise(
            functools.partial(_pick, idx, kind), "ij" + new, parts, "ij",
            new_axes=dict(zip(new, trailing, strict=True)), adjust_chunks=adjust,
            dtype=dtype, meta=np.empty((0,) * (2 + len(trailing)), dtype=dtype)))
    return out


def _compute(*arrays: Any) -> tuple:
    """Compute on the current scheduler (the user's ``Client`` when there is one)."""
    return _dask.compute(*arrays)


# --------------------------------------------------------------------------- checks
def _known_shape(x: Any, name: str) -> None:
    if any(math.isnan(s) for s in x.shape):
        raise ValueError(DASK_UNKNOWN_CHUNKS.format(name=name, shape=x.shape))


def _check_label_matrix(P: Any, name: str = "predictions", min_models: int = 1) -> Any:
    """Shape and dtype of a dask matrix of labels, from its metadata."""
    _known_shape(P, name)
    check_matrix_shape(P.shape, name, min_models)
    if P.dtype.kind not in "biuf":
        raise TypeError(DASK_LABEL_DTYPE.format(name=name, dtype=P.dtype))
    return P


def _as_dask_samples(x: Any, like: Any, name: str) -> Any:
    """``x`` (dask or in memory) as a dask array chunked like ``like``'s sample axis."""
    if not is_dask_array(x):
        x = _as_array(x)
    if x.dtype.kind not in "biuf":
        raise TypeError(DASK_LABEL_DTYPE.format(name=name, dtype=x.dtype))
    chunks = {0: like.chunks[1]}
    chunks.update({a: -1 for a in range(1, x.ndim)})
    return _da.asarray(x).rechunk(chunks)


def _baseline(P: Any, baseline: object, name: str, expected: tuple) -> tuple[Any, int | None]:
    """``(b, row)``: the baseline as a dask array aligned with ``P``'s samples, and its
    row in ``P`` (None for a baseline given as outputs)."""
    if _is_row_index(baseline):
        row = _check_row_index(baseline, P.shape[0])
        return P[row], row
    if _is_scalar_non_index(baseline):
        raise TypeError(_errors.BASELINE_TYPE.format(name=name, type=type(baseline).__name__))
    b = baseline if is_dask_array(baseline) else _as_array(baseline)
    if is_dask_array(b):
        _known_shape(b, "baseline")
    if tuple(b.shape) != tuple(expected):
        raise ValueError(_errors.BASELINE_SHAPE.format(
            expected=tuple(expected), name=name, shape=tuple(b.shape)))
    return _as_dask_samples(b, P, "baseline"), None


def _check_label_block(Pb: np.ndarray, bb: np.ndarray, name: str, is_row: bool):
    """``(P, b)`` of one block, checked as in memory (a baseline row as a row of P)."""
    if is_row:
        check_predictions(bb[None], name=name)
    return check_prediction_baseline(check_predictions(Pb, name=name), bb, name)


def _check_proba_matrix(Q: Any, name: str = "probabilities", min_models: int = 1) -> Any:
    """Shape and dtype of dask probabilities; the class axis as one chunk, float dtype."""
    _known_shape(Q, name)
    kind = Q.dtype.kind
    if kind not in "biuf":
        raise TypeError(_errors.NOT_NUMERIC.format(name=name, dtype=Q.dtype))
    if Q.ndim not in (2, 3):
        raise ValueError(_errors.NOT_PROBA_DIM.format(name=name, shape=Q.shape))
    if Q.size == 0:
        raise ValueError(_errors.EMPTY.format(name=name, shape=Q.shape))
    if Q.shape[0] < min_models:
        raise ValueError(
            _errors.TOO_FEW_MODELS.format(name=name, need=min_models, got=Q.shape[0]))
    if Q.dtype not in (np.float32, np.float64):
        Q = Q.astype(np.float64)
    return Q.rechunk({2: -1}) if Q.ndim == 3 else Q


def _check_proba_block(Qb: np.ndarray, rows: np.ndarray, cols: np.ndarray, name: str,
                       assume_finite: bool) -> np.ndarray:
    """:func:`check_probabilities` on one block, with the client's ``assume_finite``.

    A row that does not sum to 1 is reported at its model and sample in the whole
    array (the block's worst row, where the in-memory check reports the array's).
    """
    with config_context(assume_finite=assume_finite):
        try:
            return check_probabilities(Qb, name=name)
        except ValueError:
            if Qb.ndim == 3:
                nonfinite, vmin, vmax, dev, where = _scan_probabilities(Qb, True)
                tol = _proba_tolerance(Qb.dtype)
                if not nonfinite and vmin >= 0 and vmax <= 1 + tol and dev > tol:
                    model, sample = divmod(int(where), Qb.shape[1])
                    total = float(Qb[model, sample].sum(dtype=np.float64))
                    raise ValueError(_errors.ROWS_NOT_SUM_TO_ONE.format(
                        name=name, value=total, model=int(rows[model]),
                        sample=int(cols[sample]), tol=tol)) from None
            raise


def _row_index(P: Any, baseline: object) -> int | None:
    """The baseline's row, or None; a row baseline needs another model (as in memory)."""
    if not _is_row_index(baseline):
        return None
    m = P.shape[0]
    row = _check_row_index(baseline, m)
    if m == 1:
        raise ValueError(_errors.NO_OTHER_MODELS.format(index=int(baseline), n_models=m))
    return row


# ----------------------------------------------------------------------- label flips
def _label_flip_block(Pb, rows, cols, bb, *, mode, name, is_row):
    P, b = _check_label_block(Pb, bb, name, is_row)
    return label_flip_stats(P, b, mode)


def _label_flips(predictions: Any, baseline: object, mode: int) -> tuple[Any, Any, int]:
    """``(flags (n,), counts (m,), n)`` as lazy dask arrays, from one call per block."""
    P = _check_label_matrix(predictions)
    b, row = _baseline(P, baseline, "predictions", (P.shape[1],))
    flags, counts = _run_blocks(
        _label_flip_block, P, (b,), ((SAMPLE, np.uint8, ()), (MODEL, np.int64, ())),
        mode=mode, name="predictions", is_row=row is not None)
    return flags.max(axis=0), counts.sum(axis=1), P.shape[1]


def ambiguity(predictions: Any, baseline: object) -> float:
    """:func:`multiplicity.metrics.ambiguity` on a dask array (moves one flag per sample
    per model chunk, or one count per block when the models are in one chunk)."""
    flags, _, n = _label_flips(predictions, baseline, FLAGS)
    (count,) = _compute(_da.count_nonzero(flags))
    return float(count / n)


def discrepancy(predictions: Any, baseline: object) -> float:
    """:func:`multiplicity.metrics.discrepancy` on a dask array (moves one count per
    model per sample chunk)."""
    _, counts, n = _label_flips(predictions, baseline, COUNTS)
    (top,) = _compute(counts.max())
    return float(top / n)


def ambiguity_discrepancy(predictions: Any, baseline: object) -> tuple[float, float]:
    """Both from one pass: one kernel call per block gives the flags and the counts."""
    flags, counts, n = _label_flips(predictions, baseline, FLAGS | COUNTS)
    count, top = _compute(_da.count_nonzero(flags), counts.max())
    return float(count / n), float(top / n)


def ambiguous_samples(predictions: Any, baseline: object) -> np.ndarray:
    """The ``(n,)`` mask, returned to the client (``n`` bytes)."""
    flags, _, _ = _label_flips(predictions, baseline, FLAGS)
    (out,) = _compute(flags)
    return np.ascontiguousarray(out).view(np.bool_)


def _sample_flip_block(Pb, rows, cols, bb, *, name, is_row):
    P, b = _check_label_block(Pb, bb, name, is_row)
    return (sample_flip_counts(P, b),)


def _person_counts(predictions: Any, baseline: object) -> tuple[Any, int]:
    """Per person, the models flipping the baseline's label (lazy (n,) int64), and M."""
    P = _check_label_matrix(predictions)
    row = _row_index(P, baseline)
    b, row = _baseline(P, baseline, "predictions", (P.shape[1],))
    (counts,) = _run_blocks(_sample_flip_block, P, (b,), ((SAMPLE, np.int64, ()),),
                            name="predictions", is_row=row is not None)
    return counts.sum(axis=0), P.shape[0] - (row is not None)


def person_flip_counts(predictions: Any, baseline: object) -> tuple[np.ndarray, int]:
    """``(counts (n,), n_models)`` of the flip probabilities, counted on the cluster."""
    counts, n_models = _person_counts(predictions, baseline)
    (out,) = _compute(counts)
    return out, n_models


def _hist_block(counts: np.ndarray, *, length: int) -> np.ndarray:
    return np.bincount(counts, minlength=length)[None]


def person_flip_hist(predictions: Any, baseline: object) -> tuple[np.ndarray, int, int]:
    """``(hist, n_models, n_samples)`` of the accumulation measures: people per flip
    count, summed over the sample chunks (moves ``n_models + 1`` counts per chunk)."""
    counts, n_models = _person_counts(predictions, baseline)
    hist = _da.blockwise(_hist_block, "ij", counts, "i", new_axes={"j": n_models + 1},
                         adjust_chunks={"i": 1}, length=n_models + 1, dtype=np.int64,
                         meta=np.empty((0, 0), dtype=np.int64))
    (out,) = _compute(hist.sum(axis=0))
    return out.astype(np.int64), n_models, counts.shape[0]


def model_flip_counts(predictions: Any, baseline: object) -> tuple[np.ndarray, int]:
    """``(counts, n_samples)``: samples each model flips, the baseline row left out."""
    P = _check_label_matrix(predictions)
    row = _row_index(P, baseline)
    _, counts, n = _label_flips(P, baseline, COUNTS)
    (out,) = _compute(counts)
    return (out if row is None else np.delete(out, row)), n


# ------------------------------------------------------------------ probability flips
def _proba_flip_block(Qb, rows, cols, bb, *, threshold, name, row, assume_finite):
    Q = _check_proba_block(Qb, rows, cols, name, assume_finite)
    if row is not None:
        _check_proba_block(bb[None], np.array([row]), cols, name, assume_finite)
        b = bb.astype(np.float64)
    else:
        with config_context(assume_finite=assume_finite):
            b = check_probability_baseline(Q, bb, name)
    if Q.ndim == 2:
        Q, b = Q.reshape((*Q.shape, 1)), b.reshape((*b.shape, 1))
    return _kernels._proba_flip_stats(Q, b, threshold, _kernels.BLOCK)


def _proba_flips(probabilities: Any, baseline: object, delta: float) -> tuple[Any, Any, int]:
    d = check_delta(delta)
    Q = _check_proba_matrix(probabilities)
    b, row = _baseline(Q, baseline, "probabilities", Q.shape[1:])
    if row is None and b.dtype not in (np.float32, np.float64):
        b = b.astype(np.float64)
    flags, counts = _run_blocks(
        _proba_flip_block, Q, (b,), ((SAMPLE, np.uint8, ()), (MODEL, np.int64, ())),
        threshold=d - DELTA_SLACK, name="probabilities", row=row,
        assume_finite=get_config()["assume_finite"])
    return flags.max(axis=0), counts.sum(axis=1), Q.shape[1]


def probabilistic_ambiguity(probabilities: Any, baseline: object, delta: float) -> float:
    """:func:`multiplicity.metrics.probabilistic_ambiguity` on a dask array."""
    flags, _, n = _proba_flips(probabilities, baseline, delta)
    (count,) = _compute(_da.count_nonzero(flags))
    return float(count / n)


def probabilistic_discrepancy(probabilities: Any, baseline: object, delta: float) -> float:
    """:func:`multiplicity.metrics.probabilistic_discrepancy` on a dask array."""
    _, counts, n = _proba_flips(probabilities, baseline, delta)
    (top,) = _compute(counts.max())
    return float(top / n)


# ------------------------------------------------------------------------- ranges
def _range_block(Qb, rows, cols, *, check):
    Q = check(Qb, rows, cols)
    Q3 = Q if Q.ndim == 3 else Q.reshape((*Q.shape, 1))
    return (_kernels._value_range(Q3, _kernels.BLOCK),)


def _value_range(Q: Any, check: Callable) -> Any:
    """``(n, k, 2)`` lazy minimum and maximum over models (one row per model chunk)."""
    k = Q.shape[2] if Q.ndim == 3 else 1
    (parts,) = _run_blocks(_range_block, Q, (), ((SAMPLE, np.float64, (k, 2)),),
                           check=check)
    return _da.stack([parts[..., 0].min(axis=0), parts[..., 1].max(axis=0)], axis=-1)


def viable_prediction_range(probabilities: Any) -> np.ndarray:
    """The ``(n, 2)`` or ``(n, k, 2)`` range, returned to the client."""
    Q = _check_proba_matrix(probabilities)
    check = functools.partial(_proba_check_only, name="probabilities",
                              assume_finite=get_config()["assume_finite"])
    (out,) = _compute(_value_range(Q, check))
    return out[:, 0, :] if Q.ndim == 2 else out


def _proba_check_only(Qb, rows, cols, *, name, assume_finite):
    return _check_proba_block(Qb, rows, cols, name, assume_finite)


def _real_check_only(Pb, rows, cols, *, name):
    return check_real_predictions(Pb, name=name)


def _check_real_matrix(P: Any, name: str = "predictions") -> Any:
    _known_shape(P, name)
    if P.dtype.kind not in "biuf":
        raise TypeError(_errors.NOT_REAL.format(name=name, dtype=P.dtype))
    if P.ndim != 2:
        raise ValueError(_errors.NOT_2D.format(name=name, shape=P.shape))
    if P.size == 0:
        raise ValueError(_errors.EMPTY.format(name=name, shape=P.shape))
    return P


def prediction_range(predictions: Any) -> np.ndarray:
    """The ``(n, 2)`` range of real-valued predictions, returned to the client."""
    P = _check_real_matrix(predictions)
    check = functools.partial(_real_check_only, name="predictions")
    (out,) = _compute(_value_range(P, check))
    return out[:, 0, :]


def _real_baseline_block(bb: np.ndarray, name: str, is_row: bool) -> np.ndarray:
    b = check_real_predictions(bb.reshape((1, -1)), name=name if is_row else "baseline")
    return b[0].astype(np.float64)


def _regression_flip_block(Pb, rows, cols, bb, *, delta, name, is_row):
    P = check_real_predictions(Pb, name=name)
    b = _real_baseline_block(bb, name, is_row)
    return _regression_kernels._regression_flip_stats(P, b, delta, DELTA_RTOL,
                                                      _kernels.BLOCK)


def _regression_flips(predictions: Any, baseline: object, delta: float):
    d = check_positive_delta(delta)
    P = _check_real_matrix(predictions)
    b, row = _baseline(P, baseline, "predictions", (P.shape[1],))
    flags, counts = _run_blocks(
        _regression_flip_block, P, (b,), ((SAMPLE, np.uint8, ()), (MODEL, np.int64, ())),
        delta=d, name="predictions", is_row=row is not None)
    return flags.max(axis=0), counts.sum(axis=1), P.shape[1]


def regression_ambiguity(predictions: Any, baseline: object, delta: float) -> float:
    """:func:`multiplicity.metrics.regression_ambiguity` on a dask array."""
    flags, _, n = _regression_flips(predictions, baseline, delta)
    (count,) = _compute(_da.count_nonzero(flags))
    return float(count / n)


def regression_discrepancy(predictions: Any, baseline: object, delta: float) -> float:
    """:func:`multiplicity.metrics.regression_discrepancy` on a dask array."""
    _, counts, n = _regression_flips(predictions, baseline, delta)
    (top,) = _compute(counts.max())
    return float(top / n)


def _decision_block(rng: np.ndarray, bb: np.ndarray | None = None, *, threshold: float,
                    name: str = "predictions", is_row: bool = False) -> np.ndarray:
    lo, hi = rng[:, 0], rng[:, 1]
    if bb is None:
        flagged = (lo < threshold) & (hi >= threshold)
    else:
        positive = _real_baseline_block(bb, name, is_row) >= threshold
        flagged = np.where(positive, lo < threshold, hi >= threshold)
    return np.array([np.count_nonzero(flagged)])


def decision_ambiguity(predictions: Any, threshold: float, baseline: object) -> float:
    """:func:`multiplicity.metrics.decision_ambiguity` on a dask array: the range per
    sample, then one count per sample chunk."""
    t = check_threshold(threshold)
    P = _check_real_matrix(predictions)
    rng = _value_range(P, functools.partial(_real_check_only, name="predictions"))[:, 0, :]
    args: list[Any] = [rng, "ij"]
    kwargs: dict[str, Any] = {"threshold": t}
    if baseline is not None:
        b, row = _baseline(P, baseline, "predictions", (P.shape[1],))
        args += [b, "i"]
        kwargs.update(is_row=row is not None)
    counts = _da.blockwise(_decision_block, "i", *args, adjust_chunks={"i": 1},
                           concatenate=True, dtype=np.int64,
                           meta=np.empty((0,), dtype=np.int64), **kwargs)
    (count,) = _compute(counts.sum())
    return float(count / P.shape[1])


# -------------------------------------------------------------------- vote counting
def _pairs_block(Pb, rows, cols):
    P, offset, n_levels = label_codes(check_predictions(Pb))
    return (_kernels._agreeing_pairs(P, offset, n_levels, vote_block(n_levels)),)


def _votes_block(Pb, rows, cols, *, offset, n_levels, uniques):
    P = check_predictions(Pb).values
    if uniques is not None:
        P = np.searchsorted(uniques, P).astype(np.int32)
    return (_vote_table(P, offset, n_levels, 0, P.shape[1]),)


def _pairs_from_votes(votes: np.ndarray) -> np.ndarray:
    v = votes.astype(np.int64)
    return (v * (v - 1)).sum(axis=1)


def _levels(P: Any) -> tuple[int, int, np.ndarray | None]:
    """``(offset, n_levels, uniques)``: one encoding of the labels for every block."""
    if P.dtype.kind in "biu":
        lo, hi = (int(v) for v in _compute(P.min(), P.max()))
        if hi - lo < _MAX_RAW_SPAN:
            return lo, hi - lo + 1, None
    (uniques,) = _compute(_da.unique(P))
    return 0, max(len(uniques), 1), uniques


def _agreeing_pairs(P: Any) -> Any:
    """Per sample, ordered model pairs that agree (lazy (n,) int64).

    With every model in one chunk, the in-memory kernel runs per block; otherwise each
    block's ``(n_block, n_classes)`` vote table is summed over the model chunks (after
    one reduction that reads the label range), or, above ``MAX_VOTE_LEVELS`` classes,
    the model axis is rechunked to one chunk.
    """
    if P.numblocks[0] > 1:
        offset, n_levels, uniques = _levels(P)
        if n_levels <= MAX_VOTE_LEVELS:
            (votes,) = _run_blocks(_votes_block, P, (), ((SAMPLE, np.int32, (n_levels,)),),
                                   offset=offset, n_levels=n_levels, uniques=uniques)
            total = votes.sum(axis=0, dtype=np.int64)
            return total.map_blocks(_pairs_from_votes, drop_axis=1, dtype=np.int64,
                                    meta=np.empty((0,), dtype=np.int64))
        P = P.rechunk({0: -1})
    (pairs,) = _run_blocks(_pairs_block, P, (), ((SAMPLE, np.int64, ()),))
    return pairs[0]


def _agreeing_share(predictions: Any, min_models: int) -> np.ndarray:
    P = _check_label_matrix(predictions, min_models=min_models)
    m = P.shape[0]
    if m < 2:
        return np.ones(P.shape[1])
    (same,) = _compute(_agreeing_pairs(P))
    return same / (m * (m - 1))


def disagreement(predictions: Any) -> np.ndarray:
    """:func:`multiplicity.metrics.disagreement` on a dask array (``(n,)`` to the client)."""
    return 1.0 - _agreeing_share(predictions, 1)


def self_consistency(predictions: Any) -> np.ndarray:
    """:func:`multiplicity.metrics.self_consistency` on a dask array."""
    return _agreeing_share(predictions, 1)


def disagreement_error_estimate(predictions: Any) -> float:
    """Mean pairwise disagreement from the exact total of agreeing pairs (one count per
    sample chunk reaches the client)."""
    P = _check_label_matrix(predictions, min_models=2)
    m, n = P.shape
    (total,) = _compute(_agreeing_pairs(P).sum())
    return float(1.0 - int(total) / (m * (m - 1)) / n)


def _pairwise_block(Pb, rows, cols, *, counts_fn, n_jobs):
    with numba_threads(n_jobs):
        return (counts_fn(*label_codes(check_predictions(Pb))),)


def pairwise_disagreement(predictions: Any, counts_fn: Callable, n_jobs: int | None
                          ) -> np.ndarray:
    """The ``(m, m)`` disagreement matrix: the model axis is rechunked to one chunk (the
    matrix moves once when its models are split), each sample chunk gives ``(m, m)``
    counts by ``counts_fn(P, offset, n_levels)``, summed in a tree."""
    P = _check_label_matrix(predictions).rechunk({0: -1})
    m, n = P.shape
    (counts,) = _run_blocks(_pairwise_block, P, (), ((BLOCK, np.int64, (m, m)),),
                            counts_fn=counts_fn, n_jobs=n_jobs)
    (out,) = _compute(counts.sum(axis=(0, 1)))
    return out / n


# ---------------------------------------------------------------- Rashomon capacity
def _capacity_block(Qb, rows, cols, *, tol, max_iter, block, n_jobs, assume_finite):
    Q = _check_proba_block(Qb, rows, cols, "probabilities", assume_finite)
    binary = Q.ndim == 2
    Q3 = Q.reshape((*Q.shape, 1)) if binary else Q
    with numba_threads(n_jobs):
        nats, _, converged = _kernels._rashomon_capacity(Q3, binary, tol, max_iter, block)
    return nats, converged


def capacity_nats(probabilities: Any, tol: float, max_iter: int, block: int,
                  n_jobs: int | None) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """``(nats, converged, shape)`` of :func:`multiplicity.metrics.rashomon_capacity`.

    Each sample needs every model's outputs at once, so the model (and class) axes are
    rechunked to one chunk: the matrix moves once when its models are split. The
    ``(n,)`` results reach the client.
    """
    Q = _check_proba_matrix(probabilities).rechunk({0: -1})
    nats, converged = _run_blocks(
        _capacity_block, Q, (), ((SAMPLE, np.float64, ()), (SAMPLE, np.bool_, ())),
        tol=tol, max_iter=max_iter, block=block, n_jobs=n_jobs,
        assume_finite=get_config()["assume_finite"])
    nats_, converged_ = _compute(nats[0], converged[0])
    return nats_, converged_, Q.shape


# ------------------------------------------------------------------------- churn
def _vector(x: Any, name: str) -> Any:
    if is_dask_array(x):
        _known_shape(x, name)
    else:
        x = _as_array(x)
    if x.ndim != 1:
        raise ValueError(_errors.NOT_1D.format(name=name, shape=x.shape))
    if x.size == 0:
        raise ValueError(_errors.EMPTY.format(name=name, shape=x.shape))
    if x.dtype.kind not in "biuf":
        raise TypeError(DASK_LABEL_DTYPE.format(name=name, dtype=x.dtype))
    return x


def _vectors(named: dict[str, Any]) -> list[Any]:
    """The vectors as dask arrays chunked like the first dask one, of equal length."""
    vs = {name: _vector(x, name) for name, x in named.items()}
    (na, a), *rest = ((name, len(x)) for name, x in vs.items())
    for nb, b in rest:
        if b != a:
            raise ValueError(_errors.LENGTH_MISMATCH.format(a=na, b=nb, na=a, nb=b))
    like = next(x for x in vs.values() if is_dask_array(x))[None, :]
    return [_as_dask_samples(x, like, name) for name, x in vs.items()]


def _churn_block(Ab, rows, cols, bb, *, names):
    a = check_labels_1d(Ab[0], names[0])
    b = check_labels_1d(bb, names[1])
    return (np.count_nonzero(a != b),)


def churn(predictions_a: Any, predictions_b: Any) -> float:
    """:func:`multiplicity.metrics.churn` on dask vectors (one count per chunk moves)."""
    names = ("predictions_a", "predictions_b")
    a, b = _vectors(dict(zip(names, (predictions_a, predictions_b), strict=True)))
    (counts,) = _run_blocks(_churn_block, a[None, :], (b,), ((BLOCK, np.int64, ()),),
                            names=names)
    (count,) = _compute(counts.sum())
    return float(count / a.shape[0])


def _flip_rate_block(Yb, rows, cols, ob, wb, *, negative):
    y = check_labels_1d(Yb[0], "y_true")
    old_ok = check_labels_1d(ob, "old") == y
    new_ok = check_labels_1d(wb, "new") == y
    flips = old_ok & ~new_ok if negative else ~old_ok & new_ok
    return (np.count_nonzero(flips),)


def flip_rate(y_true: Any, old: Any, new: Any, negative: bool) -> float:
    """Negative or positive flip rate on dask vectors (one count per chunk moves)."""
    y, o, w = _vectors({"y_true": y_true, "old": old, "new": new})
    (counts,) = _run_blocks(_flip_rate_block, y[None, :], (o, w), ((BLOCK, np.int64, ()),),
                            negative=negative)
    (count,) = _compute(counts.sum())
    return float(count / y.shape[0])

