"""The multiplicity profile of a Rashomon set on a dask ``X``: computed on the cluster.

The members are sent to every worker once (scattered when a ``distributed.Client`` is
current, otherwise one object in the graph); each partition of ``X`` is predicted where
it lives, and the same kernels as in memory (:func:`label_flip_stats`,
``_kernels._proba_chunk_stats``, :func:`rashomon_capacity`, :func:`self_consistency`)
turn its predictions into per-sample values and per-model counts. The per-model counts
are summed by a tree reduction; the per-sample values stay on the workers (persisted).
"""

from __future__ import annotations

import operator
import sys
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .._checks import n_samples_of
from .._dask import import_dask, is_dask_array, is_dask_dataframe
from .._groups import group_labels
from .._kernels_common import _group_flip_counts, label_flip_stats
from .._validation import DELTA_SLACK, _smallest_int_dtype, align_to, check_delta
from ..metrics import rashomon_capacity, self_consistency
from . import _kernels
from ._group_table import group_table
from ._profile import _HIGHER_IS_WORSE, SCALARS, MultiplicityProfile, _encode_y

__all__ = ["DaskMultiplicityProfile", "dask_profile"]

_WHAT = "RashomonSet.profile on a dask X"
REGRESSORS_ON_DASK = (
    "RashomonSet.profile on a dask X needs classifiers; this Rashomon set holds "
    "regressors. Bring X into memory (X.compute()) or profile it partition by partition "
    "(X.map_partitions) and combine the predictions with multiplicity.metrics")
X_KIND = ("X must be a dask DataFrame or a 2-D dask Array of shape (n_samples, "
          "n_features) for the dask profile, got {0}")
UNKNOWN_CHUNKS = ("{name} has chunks of unknown size along its rows; call "
                  "{name}.compute_chunk_sizes() first")
PARTITIONS = ("{name} must be partitioned like X: X has {n_x} partitions, {name} has "
              "{n_y}; repartition it with {name}.repartition(divisions=X.divisions) or "
              "build both from one DataFrame")
LENGTHS = ("{name} has {n_y} rows in partition {i} where X has {n_x}; {name} must be "
           "partitioned like X (same rows in every partition)")
IN_MEMORY = ("DaskMultiplicityProfile.{0} needs every person's predictions in memory; "
             "it brings the profile to the client with compute() first (memory: about "
             "n_models * n_samples bytes)")


# ----------------------------------------------------------------------- on workers
def _partition_stats(rset: Any, X: Any, y: Any, delta: float, i: int,
                     y_name: str) -> dict[str, Any]:
    """Per-sample values and per-model counts of one partition (runs on a worker)."""
    n = n_samples_of(X)
    m, k = len(rset), len(rset.classes_)
    b = rset.baseline_index_
    if y is not None:
        if n_samples_of(y) != n:
            raise ValueError(LENGTHS.format(name=y_name, n_y=n_samples_of(y), i=i, n_x=n))
        y = align_to(X, y, name=y_name)
        y = np.asarray(y).reshape(-1)
    index = X.index if isinstance(X, pd.DataFrame) else None
    if n:
        P = rset.predict_codes(X)
        flipped, flips = label_flip_stats(P, P[b])
        ambiguous = flipped.view(np.bool_)
        sc = self_consistency(P)
    else:
        P = np.zeros((m, 0), dtype=_smallest_int_dtype(k))
        ambiguous, flips, sc = np.zeros(0, bool), np.zeros(m, np.int64), np.zeros(0)
    out: dict[str, Any] = {"n": n, "index": index, "P": P, "ambiguous": ambiguous,
                           "flips": np.asarray(flips, dtype=np.int64),
                           "self_consistency": sc}
    if rset.has_predict_proba:
        pf = np.zeros((m, n), dtype=np.uint8)
        vmin, vmax, rc = np.empty((n, k)), np.empty((n, k)), np.empty(n)
        if n:
            for lo, Q in rset.iter_proba(X):
                hi = lo + Q.shape[1]
                _kernels._proba_chunk_stats(Q, Q[b], delta - DELTA_SLACK, pf[:, lo:hi],
                                            vmin[lo:hi], vmax[lo:hi])
                rc[lo:hi] = rashomon_capacity(Q)
        widths = vmax - vmin
        out.update(proba_flips=pf, rashomon_capacity=rc,
                   vpr=(np.stack([vmin[:, 1], vmax[:, 1]], axis=1) if k == 2
                        else np.stack([vmin, vmax], axis=2)),
                   vpr_width=widths[:, 1] if k == 2 else widths.max(axis=1, initial=0.0))
    if y is not None:
        y_codes = _encode_y(y, rset.classes_)
        if np.any(y_codes < 0):
            bad = np.asarray(y[y_codes < 0][:1]).tolist()[0]
            raise ValueError(f"{y_name} contains the label {bad!r}, which none of the "
                             f"models predicts (classes_ = "
                             f"{np.asarray(rset.classes_).tolist()})")
        out["y_codes"] = y_codes
        out["correct"] = (P == y_codes).sum(axis=1, dtype=np.int64)
    return out


def _partition_sums(stats: dict[str, Any]) -> dict[str, Any]:
    """The additive summary of one partition: counts per model and sums over samples."""
    out = {"n": stats["n"], "n_ambiguous": int(stats["ambiguous"].sum()),
           "flips": stats["flips"], "sc_sum": float(stats["self_consistency"].sum())}
    if "proba_flips" in stats:
        pf = stats["proba_flips"]
        out.update(pflips=pf.sum(axis=1, dtype=np.int64),
                   n_pambiguous=int(pf.any(axis=0).sum()),
                   rc_sum=float(stats["rashomon_capacity"].sum()),
                   width_sum=float(stats["vpr_width"].sum()))
    if "correct" in stats:
        out["correct"] = stats["correct"]
    return out


def _partition_group_sums(stats: dict[str, Any], codes: NDArray[np.int64],
                          n_groups: int, b: int, i: int) -> dict[str, Any]:
    """Per-group sizes, sums and per-model counts of one partition (runs on a worker)."""
    P = stats["P"]
    n = stats["n"]
    if len(codes) != n:
        raise ValueError(LENGTHS.format(name="groups", n_y=len(codes), i=i, n_x=n))

    def sum_by(values: NDArray) -> NDArray:
        return np.bincount(codes, weights=values, minlength=n_groups)

    out: dict[str, Any] = {
        "size": np.bincount(codes, minlength=n_groups).astype(np.int64),
        "ambiguous": sum_by(stats["ambiguous"].astype(np.float64)),
        "flips": _group_flip_counts(P, P[b].copy(), codes, n_groups),
        "self_consistency": sum_by(stats["self_consistency"]),
    }
    if "proba_flips" in stats:
        pf = stats["proba_flips"]
        out["pflips"] = _group_flip_counts(pf, np.zeros(n, dtype=np.uint8), codes, n_groups)
        out["pambiguous"] = sum_by(pf.any(axis=0).astype(np.float64))
        out["rashomon_capacity"] = sum_by(stats["rashomon_capacity"])
        out["vpr_width"] = sum_by(stats["vpr_width"])
    if "y_codes" in stats:
        correct = (P == stats["y_codes"]).astype(np.float64)
        out["correct"] = np.stack([sum_by(row) for row in correct]).reshape(len(P), n_groups)
    return out


def _partition_frame(stats: dict[str, Any], classes: NDArray, b: int) -> pd.DataFrame:
    """The rows of :meth:`MultiplicityProfile.to_frame` for one partition."""
    cols: dict[str, Any] = {"baseline_prediction": classes[stats["P"][b]],
                            "ambiguous": stats["ambiguous"],
                            "self_consistency": stats["self_consistency"]}
    if "vpr" in stats and stats["vpr"].ndim == 2:
        cols["vpr_min"] = stats["vpr"][:, 0]
        cols["vpr_max"] = stats["vpr"][:, 1]
    if "vpr_width" in stats:
        cols["vpr_width"] = stats["vpr_width"]
        cols["rashomon_capacity"] = stats["rashomon_capacity"]
    if "y_codes" in stats:
        cols["y_true"] = classes[stats["y_codes"].clip(0)]
    return pd.DataFrame(cols, index=stats["index"])


def _add(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return {key: a[key] + b[key] for key in a}


def _get(stats: dict[str, Any], key: str) -> Any:
    return stats[key]


# ----------------------------------------------------------------------- on the client
def _current_client(dask: Any) -> Any:
    """The ``distributed.Client`` dask computes with now, or None (a local scheduler, or
    ``dask.config.set(scheduler=...)`` away from the client); never imports distributed."""
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return None
    try:
        client = distributed.default_client()
    except ValueError:
        return None
    return client if dask.base.get_scheduler() == client.get else None


def _tree_sum(dask: Any, items: Sequence[Any]) -> Any:
    """A delayed pairwise (tree) sum of delayed dicts of counts."""
    items = list(items)
    while len(items) > 1:
        items = [dask.delayed(_add)(items[i], items[i + 1]) if i + 1 < len(items)
                 else items[i] for i in range(0, len(items), 2)]
    return items[0]


def _blocks(dask: Any, X: Any, name: str = "X") -> list[Any]:
    """One delayed in-memory block per partition of X (rows), all columns together."""
    if is_dask_dataframe(X):
        return list(X.to_delayed())
    if is_dask_array(X):
        if X.ndim != 2:
            raise ValueError(X_KIND.format(f"a {X.ndim}-D dask Array"))
        if any(np.isnan(c) for c in X.chunks[0]):
            raise ValueError(UNKNOWN_CHUNKS.format(name=name))
        if X.numblocks[1] != 1:
            X = X.rechunk({1: -1})
        return list(X.to_delayed()[:, 0])
    raise TypeError(X_KIND.format(type(X).__name__))


def _split_like(dask: Any, X: Any, parts: list[Any], other: Any, name: str) -> list[Any]:
    """``other`` (labels or groups of X's rows) as one block per partition of X.

    A dask Series/Array must have X's number of partitions (a dask Array is re-chunked
    to X's row chunks when X is a dask Array); an in-memory one is split by position
    (pandas next to a dask DataFrame: matched on X's index first).
    """
    if other is None:
        return [None] * len(parts)
    if is_dask_dataframe(other):
        if other.npartitions != len(parts):
            if (is_dask_dataframe(X) and X.known_divisions and other.known_divisions):
                other = other.repartition(divisions=X.divisions)
            else:
                raise ValueError(PARTITIONS.format(name=name, n_x=len(parts),
                                                   n_y=other.npartitions))
        return list(other.to_delayed())
    if is_dask_array(other):
        if other.ndim == 2 and other.shape[1] == 1:
            other = other[:, 0]
        if other.ndim != 1:
            raise ValueError(f"{name} must be 1-D (one value per row of X), got a "
                             f"{other.ndim}-D dask Array")
        if is_dask_array(X) and other.chunks[0] != X.chunks[0]:
            if any(np.isnan(c) for c in other.chunks[0]):
                raise ValueError(UNKNOWN_CHUNKS.format(name=name))
            if other.shape[0] != X.shape[0]:
                raise ValueError(f"{name} has {other.shape[0]} rows, X has {X.shape[0]}")
            other = other.rechunk({0: X.chunks[0]})
        if other.numblocks[0] != len(parts):
            raise ValueError(PARTITIONS.format(name=name, n_x=len(parts),
                                               n_y=other.numblocks[0]))
        return list(other.to_delayed())
    lengths, index = _lengths_index(dask, X, parts)
    n = int(sum(lengths))
    if isinstance(other, pd.Series | pd.DataFrame) and index is not None:
        other = align_to(pd.DataFrame(index=index), other, name=name)
    elif n_samples_of(other) != n:
        raise ValueError(f"{name} has {n_samples_of(other)} rows, X has {n}")
    edges = np.concatenate([[0], np.cumsum(lengths)]).astype(int)
    take = (lambda lo, hi: other.iloc[lo:hi]) if hasattr(other, "iloc") else \
        (lambda lo, hi: np.asarray(other)[lo:hi])
    return [take(edges[i], edges[i + 1]) for i in range(len(parts))]


def _lengths_index(dask: Any, X: Any, parts: list[Any]) -> tuple[list[int], Any]:
    """Rows per partition of X and, for a dask DataFrame, its index (computed)."""
    if is_dask_array(X):
        return [int(c) for c in X.chunks[0]], None
    idx = dask.compute(*[dask.delayed(operator.attrgetter("index"))(p) for p in parts])
    lengths = [len(i) for i in idx]
    index = idx[0].append(list(idx[1:])) if len(idx) > 1 else idx[0]
    return lengths, index


def dask_profile(rset: Any, X: Any, y: Any, *, delta: float) -> DaskMultiplicityProfile:
    """The profile of ``rset`` on a dask ``X``, computed on the cluster (see the class)."""
    if rset.task == "regression":
        raise TypeError(REGRESSORS_ON_DASK)
    dask = import_dask("dask", _WHAT)
    d = check_delta(delta)
    parts = _blocks(dask, X)
    y_parts = _split_like(dask, X, parts, y, "y")
    client = _current_client(dask)
    if client is not None:
        members = client.scatter(rset, broadcast=True, hash=False)
    else:
        members = dask.delayed(rset, pure=True)
    stats = [dask.delayed(_partition_stats, pure=True)(members, p, yp, d, i, "y")
             for i, (p, yp) in enumerate(zip(parts, y_parts, strict=True))]
    stats = list(dask.persist(*stats))
    total = _tree_sum(dask, [dask.delayed(_partition_sums)(s) for s in stats])
    lengths = [dask.delayed(_get)(s, "n") for s in stats]
    total, lengths = dask.compute(total, lengths)
    return DaskMultiplicityProfile._from_parts(rset, d, stats, [int(v) for v in lengths],
                                               total, has_y=y is not None,
                                               dataframe=is_dask_dataframe(X))


class DaskMultiplicityProfile:
    """The multiplicity profile of a Rashomon set on a dask ``X``, kept on the cluster.

    Built by :meth:`RashomonSet.profile` when ``X`` is a dask DataFrame or Array. Its
    scalar measures equal those of the in-memory :class:`MultiplicityProfile` (counts
    exactly, means to float rounding); its per-sample arrays are dask arrays whose blocks
    stay on the workers (persisted), one block per partition of ``X``.

    Attributes
    ----------
    n_models, n_samples, delta, classes, baseline_index
        As in :class:`MultiplicityProfile`.
    ambiguity, discrepancy, probabilistic_ambiguity, probabilistic_discrepancy, \
mean_rashomon_capacity, mean_vpr_width, mean_self_consistency, \
disagreement_error_estimate, baseline_accuracy, min_accuracy, max_accuracy : float or None
        The scalar measures, computed by a tree sum of per-partition counts.
    ambiguous, self_consistency, vpr, vpr_width, rashomon_capacity, predictions, \
proba_flips, y_codes : dask.array.Array or None
        The per-sample arrays of :class:`MultiplicityProfile`, chunked like ``X``'s rows
        (``predictions`` and ``proba_flips``: ``(n_models, n_samples)``).

    Notes
    -----
    Memory per worker: the members plus one partition's predictions, about ``n_models *
    partition_rows * n_classes`` float64 values while a partition is predicted, then the
    partition's persisted per-sample results (``n_models`` bytes of class codes and as
    many of probabilistic flip flags per row, and a few floats per row). Data moved: the
    members once per worker; per partition ``O(n_models)`` counts to the client; the
    per-sample arrays stay where they were computed until they are asked for.
    """

    SCALAR_LABELS: ClassVar[dict[str, str]] = SCALARS

    def __init__(self) -> None:  # built by _from_parts
        self._stats: list[Any] = []

    @classmethod
    def _from_parts(cls, rset: Any, delta: float, stats: list[Any], lengths: list[int],
                    total: dict[str, Any], *, has_y: bool, dataframe: bool
                    ) -> DaskMultiplicityProfile:
        self = cls()
        n = int(total["n"])
        self.n_models, self.n_samples, self.delta = len(rset), n, delta
        self.classes, self.baseline_index = rset.classes_, rset.baseline_index_
        self._stats, self._lengths, self._dataframe = stats, lengths, dataframe
        self._index: pd.Index | None = None
        self._has_proba = "pflips" in total
        self.ambiguity = total["n_ambiguous"] / n
        self.discrepancy = float(total["flips"].max() / n)
        self.probabilistic_ambiguity = self.probabilistic_discrepancy = None
        self.mean_rashomon_capacity = self.mean_vpr_width = float("nan")
        if self._has_proba:
            self.probabilistic_ambiguity = total["n_pambiguous"] / n
            self.probabilistic_discrepancy = float(total["pflips"].max() / n)
            self.mean_rashomon_capacity = total["rc_sum"] / n
            self.mean_vpr_width = total["width_sum"] / n
        self.mean_self_consistency = total["sc_sum"] / n
        self.disagreement_error_estimate = 1.0 - self.mean_self_consistency
        self.baseline_accuracy = self.min_accuracy = self.max_accuracy = None
        if has_y:
            acc = total["correct"] / n
            self.baseline_accuracy = float(acc[self.baseline_index])
            self.min_accuracy, self.max_accuracy = float(acc.min()), float(acc.max())
        return self

    def __repr__(self) -> str:
        return (f"DaskMultiplicityProfile(n_models={self.n_models}, "
                f"n_samples={self.n_samples}, partitions={len(self._stats)}, "
                f"ambiguity={self.ambiguity:.4g}, discrepancy={self.discrepancy:.4g})")

    # ------------------------------------------------------------ per-sample arrays
    def _array(self, key: str, shape: tuple[int, ...], dtype: Any, axis: int = 0) -> Any:
        dask = import_dask("dask", _WHAT)
        da = import_dask("dask.array", _WHAT)
        blocks = []
        for s, n in zip(self._stats, self._lengths, strict=True):
            shp = (*shape[:axis], n, *shape[axis:])
            blocks.append(da.from_delayed(dask.delayed(_get)(s, key), shape=shp, dtype=dtype))
        return da.concatenate(blocks, axis=axis)

    @property
    def ambiguous(self) -> Any:
        return self._array("ambiguous", (), np.bool_)

    @property
    def self_consistency(self) -> Any:
        return self._array("self_consistency", (), np.float64)

    @property
    def rashomon_capacity(self) -> Any:
        return self._array("rashomon_capacity", (), np.float64) if self._has_proba else None

    @property
    def vpr_width(self) -> Any:
        return self._array("vpr_width", (), np.float64) if self._has_proba else None

    @property
    def vpr(self) -> Any:
        if not self._has_proba:
            return None
        k = len(self.classes)
        return self._array("vpr", (2,) if k == 2 else (k, 2), np.float64)

    @property
    def predictions(self) -> Any:
        return self._array("P", (self.n_models,), _smallest_int_dtype(len(self.classes)),
                           axis=1)

    @property
    def proba_flips(self) -> Any:
        if not self._has_proba:
            return None
        return self._array("proba_flips", (self.n_models,), np.uint8, axis=1)

    @property
    def y_codes(self) -> Any:
        if self.baseline_accuracy is None:
            return None
        return self._array("y_codes", (), np.int64)

    @property
    def index(self) -> pd.Index | None:
        """Row labels of ``X`` when it was a dask DataFrame (computed once), else None."""
        if not self._dataframe:
            return None
        if self._index is None:
            dask = import_dask("dask", _WHAT)
            idx = dask.compute(*[dask.delayed(_get)(s, "index") for s in self._stats])
            self._index = idx[0].append(list(idx[1:])) if len(idx) > 1 else idx[0]
        return self._index

    # ----------------------------------------------------------------------- tables
    def summary(self) -> pd.Series:
        """The scalar measures as a Series (NaN where not available)."""
        values = {label: getattr(self, name) for name, label in SCALARS.items()}
        return pd.Series({k: (np.nan if v is None else float(v)) for k, v in values.items()},
                         name="value", dtype=np.float64)

    def to_frame(self) -> pd.DataFrame:
        """The per-sample table of :meth:`MultiplicityProfile.to_frame`, in memory.

        Memory on the client: a few values per sample (not the predictions of every
        model); each partition's rows are built on its worker.
        """
        dask = import_dask("dask", _WHAT)
        frames = dask.compute(*[dask.delayed(_partition_frame)(s, self.classes,
                                                               self.baseline_index)
                                for s in self._stats])
        # empty partitions would turn pandas' inferred string columns into object ones
        out = pd.concat([f for f in frames if len(f)] or frames[:1])
        if not self._dataframe:
            out.index = pd.RangeIndex(self.n_samples)
        return out

    def by_group(self, groups: Any, *, bins: Any = "auto") -> pd.DataFrame:
        """The measures within each group: the table of :meth:`MultiplicityProfile.by_group`.

        Parameters
        ----------
        groups : dask Series or Array, pandas Series or DataFrame, dict or array-like
            Group of each sample, as in :meth:`MultiplicityProfile.by_group`. A dask
            collection is brought to the client (one label per person, and the row
            labels of a dask ``X``) to name the groups (and cut numeric ones into bins).
        bins : "auto", int, sequence of float, None or dict, default="auto"
            As in :meth:`MultiplicityProfile.by_group`.

        Returns
        -------
        DataFrame
            Equal to the in-memory table (means to float rounding).

        Notes
        -----
        Each worker sums its partition's samples per group (sizes, flags, per-model flip
        and correct counts, ``O(n_models * n_groups)`` numbers); the sums meet in a tree
        reduction. Data moved: one group code per sample to the workers, per partition
        ``O(n_models * n_groups)`` numbers back.
        """
        dask = import_dask("dask", _WHAT)
        groups = _in_memory(dask, groups)
        grp = group_labels(groups, index=self.index, n=self.n_samples, bins=bins,
                           name="groups", reference_name="X")
        codes, names = np.asarray(grp.codes, dtype=np.int64), grp.names
        n_groups = len(names)
        edges = np.concatenate([[0], np.cumsum(self._lengths)]).astype(int)
        sums = [dask.delayed(_partition_group_sums)(s, codes[edges[i]:edges[i + 1]],
                                                    n_groups, self.baseline_index, i)
                for i, s in enumerate(self._stats)]
        (tot,) = dask.compute(_tree_sum(dask, sums))
        size = tot["size"].astype(np.float64)
        b = self.baseline_index
        table: dict[str, NDArray] = {
            "n_samples": tot["size"],
            "ambiguity": tot["ambiguous"] / size,
            "discrepancy": tot["flips"].max(axis=0) / size,
        }
        if self._has_proba:
            table["probabilistic_ambiguity"] = tot["pambiguous"] / size
            table["probabilistic_discrepancy"] = tot["pflips"].max(axis=0) / size
            table["mean_rashomon_capacity"] = tot["rashomon_capacity"] / size
            table["mean_vpr_width"] = tot["vpr_width"] / size
        table["mean_self_consistency"] = tot["self_consistency"] / size
        table["disagreement_error_estimate"] = 1.0 - table["mean_self_consistency"]
        if "correct" in tot:
            acc = tot["correct"] / size
            table["baseline_accuracy"] = acc[b]
            table["min_accuracy"] = acc.min(axis=0)
            table["max_accuracy"] = acc.max(axis=0)
        overall = {c: getattr(self, c) for c in table if c != "n_samples"}
        return group_table(table, overall, grp, size, self.n_samples, _HIGHER_IS_WORSE)

    # ------------------------------------------------------------- into memory
    def compute(self) -> MultiplicityProfile:
        """The in-memory :class:`MultiplicityProfile` (equal to the one built in memory).

        Memory on the client: ``n_models`` bytes of class codes and as many of
        probabilistic flip flags per sample, plus a few floats per sample.
        """
        dask = import_dask("dask", _WHAT)
        parts = dask.compute(*self._stats)

        def cat(key: str, axis: int = 0) -> Any:
            if key not in parts[0]:
                return None
            return np.concatenate([p[key] for p in parts], axis=axis)

        P = np.ascontiguousarray(cat("P", 1))
        ambiguous, sc = cat("ambiguous"), cat("self_consistency")
        pf, rc, width, vpr, y_codes = (cat("proba_flips", 1), cat("rashomon_capacity"),
                                       cat("vpr_width"), cat("vpr"), cat("y_codes"))
        b = self.baseline_index
        return MultiplicityProfile.from_arrays(
            P, b, classes=self.classes, delta=self.delta, ambiguous=ambiguous,
            flips=(P != P[b]).sum(axis=1), self_consistency=sc, proba_flips=pf, vpr=vpr,
            vpr_width=width, rashomon_capacity=rc, y_codes=y_codes, index=self.index)

    def confidence(self, *args: Any, **kwargs: Any) -> pd.DataFrame:
        """:meth:`MultiplicityProfile.confidence` of :meth:`compute` (brings the profile
        to the client: about ``n_models * n_samples`` bytes)."""
        return self.compute().confidence(*args, **kwargs)

    def ambiguity_estimate(self, *args: Any, **kwargs: Any) -> Any:
        """:meth:`MultiplicityProfile.ambiguity_estimate` of :meth:`compute` (brings the
        profile to the client: about ``n_models * n_samples`` bytes)."""
        return self.compute().ambiguity_estimate(*args, **kwargs)

    def plot_accumulation(self, *args: Any, **kwargs: Any) -> Any:
        """:meth:`MultiplicityProfile.plot_accumulation` of :meth:`compute` (brings the
        profile to the client: about ``n_models * n_samples`` bytes)."""
        return self.compute().plot_accumulation(*args, **kwargs)

    def plot(self, *args: Any, **kwargs: Any) -> Any:
        """:meth:`MultiplicityProfile.plot` of :meth:`compute` (brings the profile to the
        client: about ``n_models * n_samples`` bytes)."""
        return self.compute().plot(*args, **kwargs)


def _in_memory(dask: Any, groups: Any) -> Any:
    """Group labels with every dask collection in them computed (pandas / NumPy)."""
    if isinstance(groups, dict):
        return {k: _in_memory(dask, v) for k, v in groups.items()}
    if is_dask_dataframe(groups) or is_dask_array(groups):
        return groups.compute()
    return groups
