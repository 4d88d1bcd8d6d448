"""Numba kernels shared across subpackages.

Validation scans, block ranges, and the two computations that several measures share:
flips against a baseline (ambiguity and discrepancy of labels, probabilities and
regression predictions in :mod:`multiplicity.metrics`, the profile of a Rashomon set in
:mod:`multiplicity.rashomon`) and vote counting (the
agreement of model pairs in :mod:`multiplicity.metrics`, the top-two votes of
:mod:`multiplicity.ensemble`). Each is written once here.
"""

import numpy as np
from numba import get_num_threads, njit, prange, set_num_threads

from ._config import NJIT, NJIT_PARALLEL, use_kernels


@njit(**NJIT)
def _n_blocks(n, block):
    """Number of blocks of ``block`` items that cover ``n`` items."""
    return (n + block - 1) // block


@njit(**NJIT_PARALLEL)
def _scan_probabilities(Q, rows):
    """One pass over probabilities ``Q`` (float, shape (m, n, k)).

    Returns ``(nonfinite, vmin, vmax, worst_dev, worst_flat_index)``: whether any value
    is NaN/inf, the smallest and largest finite value, and (when ``rows`` is true) the
    largest ``|sum_c Q[i, j, c] - 1|`` with its position ``i * n + j``.
    """
    m, n, k = Q.shape
    bad = np.zeros(m, dtype=np.bool_)
    lo = np.full(m, np.inf)
    hi = np.full(m, -np.inf)
    dev = np.zeros(m)
    arg = np.zeros(m, dtype=np.int64)
    for i in prange(m):
        for j in range(n):
            s = 0.0
            for c in range(k):
                v = np.float64(Q[i, j, c])
                if not np.isfinite(v):
                    bad[i] = True
                else:
                    lo[i] = min(lo[i], v)
                    hi[i] = max(hi[i], v)
                s += v
            if rows and np.isfinite(s):
                d = abs(s - 1.0)
                if d > dev[i]:
                    dev[i] = d
                    arg[i] = i * n + j
    worst = 0
    for i in range(m):
        if dev[i] > dev[worst]:
            worst = i
    return bad.any(), lo.min(), hi.max(), dev[worst], arg[worst]


# --------------------------------------------------------------------------- flips
# Label flips against a baseline (ambiguity, discrepancy) cost one read of the matrix.
# The matrix is cut into tiles of TILE_BYTES columns; the baseline and flag slices of a
# tile stay in L2 while the models' rows stream past them four at a time, so the flags
# are loaded and stored once per four rows. Per-row counts are summed in uint16 over
# chunks of at most CHUNK samples, which keeps every lane of the loop 8 or 16 bits wide.
#
# What the loops compile to (Numba 0.68 on an AVX-512 host, read with
# ``_flip_stats.inspect_asm(sig)``), for int8: flags only, 64 samples per compare
# (``vpcmpneqb`` zmm against the baseline into a mask register), the four rows' masks
# or-ed with ``korq`` and merged into the flags by one masked byte move (``vmovdqu8 {k}``);
# counts only, 32 samples per compare and ``vpmovm2w`` + ``vpsubw`` into 32 uint16 lanes;
# both, the two combined at 32 samples a step. No scalar code or gather in any of them;
# int16 gives the same with ``vpcmpneqw``. A one-row loop with an int32 counter compiles
# to 8 samples a step with int64 lanes (``vmovq`` loads, ``vpmovm2q`` + ``vpsubq``),
# because Numba widens ``int32 + uint8`` to int64; hence the uint16 casts below. A loop
# index that does not start at 0 also breaks vectorisation (Numba's negative-index
# wraparound turns the loads into element-wise inserts), hence the chunk slices.
TILE_BYTES = 1 << 18
# Samples per uint16 count chunk (below 2**16, so a chunk count cannot wrap).
CHUNK = 1 << 15
# Narrowest tile worth a thread of its own, in samples.
MIN_TILE = 4096
# Matrices smaller than this are read by one thread. One thread reads 128 MiB in about
# 5 ms; waking the others costs microseconds on an idle machine but, measured on a busy
# 2-core one, 15-20 ms while a descheduled thread is waited for, which is more than a
# second thread can save on such an input.
PARALLEL_MIN_BYTES = 1 << 27
# What ``_flip_stats`` computes (bits of ``mode``).
FLAGS = 1
COUNTS = 2


def _flip_layout(m, n, itemsize, n_threads):
    """``(tile, n_bands)`` for :func:`_flip_stats` on an (m, n) matrix.

    Tiles are ``TILE_BYTES`` wide; a matrix narrower than ``n_threads`` such tiles is
    cut into ``n_threads`` tiles of at least ``MIN_TILE`` samples, and when that still
    leaves threads idle (few samples, many models) the rows are split into bands.
    """
    tile = max(64, TILE_BYTES // itemsize)
    n_tiles = -(-n // tile)
    if n_tiles < n_threads:
        n_tiles = max(1, min(n_threads, n // MIN_TILE))
        tile = -(-n // n_tiles)
    n_bands = 1
    if n_tiles < n_threads:
        n_bands = max(1, min(-(-n_threads // n_tiles), m // 4))
    return tile, n_bands


@njit(**NJIT)
def _chunk_both(r0, r1, r2, r3, bb, fl):
    """Or the flips of four rows into ``fl`` and count each row's flips.

    ``r0`` ... ``r3`` and ``bb`` (w,) labels of one dtype, ``fl`` (w,) uint8, with
    ``w < 2**16``. Returns four uint16 counts.
    """
    c0 = np.uint16(0)
    c1 = np.uint16(0)
    c2 = np.uint16(0)
    c3 = np.uint16(0)
    for j in range(bb.shape[0]):
        v = bb[j]
        d0 = r0[j] != v
        d1 = r1[j] != v
        d2 = r2[j] != v
        d3 = r3[j] != v
        fl[j] |= np.uint8((d0 | d1) | (d2 | d3))
        c0 = np.uint16(c0 + d0)
        c1 = np.uint16(c1 + d1)
        c2 = np.uint16(c2 + d2)
        c3 = np.uint16(c3 + d3)
    return c0, c1, c2, c3


@njit(**NJIT)
def _chunk_flags(r0, r1, r2, r3, bb, fl):
    """Or the flips of four rows into ``fl`` (shapes as :func:`_chunk_both`); counts 0."""
    for j in range(bb.shape[0]):
        v = bb[j]
        fl[j] |= np.uint8(((r0[j] != v) | (r1[j] != v)) | ((r2[j] != v) | (r3[j] != v)))
    zero = np.uint16(0)
    return zero, zero, zero, zero


@njit(**NJIT)
def _chunk_counts(r0, r1, r2, r3, bb):
    """Flips of each of four rows against ``bb`` (shapes as :func:`_chunk_both`)."""
    c0 = np.uint16(0)
    c1 = np.uint16(0)
    c2 = np.uint16(0)
    c3 = np.uint16(0)
    for j in range(bb.shape[0]):
        v = bb[j]
        c0 = np.uint16(c0 + (r0[j] != v))
        c1 = np.uint16(c1 + (r1[j] != v))
        c2 = np.uint16(c2 + (r2[j] != v))
        c3 = np.uint16(c3 + (r3[j] != v))
    return c0, c1, c2, c3


@njit(**NJIT)
def _flip_tile(P, b, lo, hi, r_lo, r_hi, chunk, mode, fl, counts):
    """Flips of rows ``r_lo:r_hi`` over columns ``lo:hi``.

    Ors them into ``fl`` ((hi - lo,) uint8, when ``mode & FLAGS``) and writes each row's
    count to ``counts[i]`` (int64, when ``mode & COUNTS``). Rows go four at a time; a
    last group of fewer rows repeats its final row, which changes neither output.
    """
    for i in range(r_lo, r_hi, 4):
        i1 = min(i + 1, r_hi - 1)
        i2 = min(i + 2, r_hi - 1)
        i3 = min(i + 3, r_hi - 1)
        s0 = np.int64(0)
        s1 = np.int64(0)
        s2 = np.int64(0)
        s3 = np.int64(0)
        for s in range(lo, hi, chunk):
            e = min(hi, s + chunk)
            bb = b[s:e]
            if mode == FLAGS | COUNTS:
                c0, c1, c2, c3 = _chunk_both(P[i, s:e], P[i1, s:e], P[i2, s:e], P[i3, s:e],
                                             bb, fl[s - lo:e - lo])
            elif mode == FLAGS:
                c0, c1, c2, c3 = _chunk_flags(P[i, s:e], P[i1, s:e], P[i2, s:e], P[i3, s:e],
                                              bb, fl[s - lo:e - lo])
            else:
                c0, c1, c2, c3 = _chunk_counts(P[i, s:e], P[i1, s:e], P[i2, s:e],
                                               P[i3, s:e], bb)
            s0 += np.int64(c0)
            s1 += np.int64(c1)
            s2 += np.int64(c2)
            s3 += np.int64(c3)
        if mode & COUNTS:
            # Repeated rows (i1 ... i3 == i) write the same count again.
            counts[i] = s0
            counts[i1] = s1
            counts[i2] = s2
            counts[i3] = s3


@njit(**NJIT_PARALLEL)
def _flip_stats(P, b, tile, n_bands, chunk, mode):
    """Flips against a baseline in one pass over ``P``.

    ``P`` (m, n) labels, ``b`` (n,) labels comparable with them; ``tile`` samples per
    column tile, ``n_bands`` row bands (see :func:`_flip_layout`), ``chunk`` below 2**16.
    Returns ``flipped`` (n,) uint8 (some model differs from ``b`` at sample j; length 0
    unless ``mode & FLAGS``) and ``counts`` (m,) int64 (samples on which model i differs
    from ``b``; zeros unless ``mode & COUNTS``). Tasks are (tile, band) pairs: each band
    ors into its own flag row, merged at the end; each (tile, row) count has one writer.
    """
    m, n = P.shape
    n_tiles = _n_blocks(n, tile)
    band = _n_blocks(m, n_bands)
    flags = np.zeros((n_bands, n if mode & FLAGS else 0), dtype=np.uint8)
    part = np.zeros((n_tiles, m), dtype=np.int64)
    for task in prange(n_tiles * n_bands):
        t = task // n_bands
        g = task - t * n_bands
        lo = t * tile
        hi = min(n, lo + tile)
        r_lo = min(m, g * band)
        r_hi = min(m, r_lo + band)
        fl = flags[g, lo:hi] if mode & FLAGS else flags[g]
        _flip_tile(P, b, lo, hi, r_lo, r_hi, chunk, mode, fl, part[t])
    return _or_rows(flags), _sum_rows(part)


@njit(**NJIT)
def _or_rows(flags):
    """Or of the rows of a (bands, n) uint8 table, as (n,) uint8 (row 0 itself if one)."""
    out = flags[0]
    if flags.shape[0] > 1:
        out = out.copy()
        for g in range(1, flags.shape[0]):
            row = flags[g]
            for j in range(out.shape[0]):
                out[j] |= row[j]
    return out


@njit(**NJIT)
def _sum_rows(part):
    """Column sums of a (blocks, m) int64 table, as (m,) int64."""
    nb, m = part.shape
    out = np.zeros(m, dtype=np.int64)
    for t in range(nb):
        for i in range(m):
            out[i] += part[t, i]
    return out


def label_flip_stats(P, b, mode=FLAGS | COUNTS):
    """``(flipped, counts)`` of :func:`_flip_stats` with its layout and thread count.

    ``P`` (m, n) C-contiguous labels and ``b`` (n,) labels of ``P``'s dtype. Matrices
    under ``PARALLEL_MIN_BYTES`` are read by one thread; larger ones use Numba's current
    thread count (set it with :func:`multiplicity._parallel.numba_threads`).
    """
    m, n = P.shape
    threads = get_num_threads()
    use = threads if P.nbytes >= PARALLEL_MIN_BYTES else 1
    tile, n_bands = _flip_layout(m, n, P.itemsize, use)
    set_num_threads(use)
    try:
        return _flip_stats(P, b, tile, n_bands, CHUNK, mode)
    finally:
        set_num_threads(threads)


@njit(**NJIT_PARALLEL)
def _group_flip_counts(P, b, groups, n_groups):
    """Per model and group, the samples where the model differs from the baseline.

    ``P`` (m, n) labels, ``b`` (n,) of ``P``'s dtype, ``groups`` (n,) int64 codes in
    ``[0, n_groups)``. Returns (m, n_groups) int64. Each model is one task (no races).
    """
    m, n = P.shape
    counts = np.zeros((m, n_groups), dtype=np.int64)
    for i in prange(m):
        for j in range(n):
            if P[i, j] != b[j]:
                counts[i, groups[j]] += 1
    return counts


@njit(**NJIT)
def _proba_flip(Q, i, j, B, threshold):
    """Whether model ``i`` flips sample ``j`` in probability: 1 when
    ``max_c |Q[i, j, c] - B[j, c]| >= threshold``, else 0 (uint8).

    ``Q`` (m, n, k) float32/float64 probabilities, ``B`` (n, k) float64 baseline rows.
    """
    gap = 0.0
    for c in range(Q.shape[2]):
        gap = max(gap, abs(np.float64(Q[i, j, c]) - B[j, c]))
    return np.uint8(gap >= threshold)


@njit(**NJIT)
def _moved_edge(delta, rtol, base):
    """What ``|p - base|`` is compared with (``>=``) for a move of ``delta``: ``delta``
    less a rounding slack relative to ``max(delta, |base|)`` (see
    :data:`multiplicity._validation.DELTA_RTOL`)."""
    return delta - rtol * max(delta, abs(base))


# --------------------------------------------------------------- per-person flip counts
# Samples per column block of _sample_flip_counts: the baseline slice and the uint8
# counters of a block stay in L1 while every model's row streams past them.
SAMPLE_BLOCK = 8192
# Rows counted into the uint8 counters before they are added to the int64 counts (a
# multiple of 4 below 256: no counter can wrap).
SAMPLE_ROWS = 252
# Cells (models x samples) of the boolean temporary of the NumPy twin (4 MiB).
SAMPLE_NUMPY_CELLS = 1 << 22


@njit(**NJIT)
def _count_rows(P, bb, lo, r_lo, r_hi, acc):
    """Add the flips of rows ``r_lo:r_hi`` of ``P`` over columns ``lo:lo + len(bb)``
    against ``bb`` to the uint8 counters ``acc``, four rows per sweep."""
    hi = lo + bb.shape[0]
    i = r_lo
    while i + 4 <= r_hi:
        a0 = P[i, lo:hi]
        a1 = P[i + 1, lo:hi]
        a2 = P[i + 2, lo:hi]
        a3 = P[i + 3, lo:hi]
        for j in range(bb.shape[0]):
            v = bb[j]
            acc[j] += (np.uint8(a0[j] != v) + np.uint8(a1[j] != v)
                       + np.uint8(a2[j] != v) + np.uint8(a3[j] != v))
        i += 4
    for k in range(i, r_hi):
        row = P[k, lo:hi]
        for j in range(bb.shape[0]):
            acc[j] += np.uint8(row[j] != bb[j])


@njit(**NJIT)
def _count_block(P, b, lo, hi, out):
    """Add the flips of every row of ``P`` over columns ``lo:hi`` to ``out`` ((hi - lo,)
    int64), counted ``SAMPLE_ROWS`` rows at a time in uint8 counters."""
    bb = b[lo:hi]
    acc = np.zeros(hi - lo, dtype=np.uint8)
    for r in range(0, P.shape[0], SAMPLE_ROWS):
        _count_rows(P, bb, lo, r, min(P.shape[0], r + SAMPLE_ROWS), acc)
        for j in range(acc.shape[0]):
            out[j] += acc[j]
            acc[j] = 0


@njit(**NJIT_PARALLEL)
def _sample_flip_counts(P, b, block):
    """Per sample, the number of models whose label differs from the baseline's.

    ``P`` (m, n) labels, ``b`` (n,) labels of ``P``'s dtype, ``block`` samples per column
    block. Returns (n,) int64. One pass over ``P``, parallel over blocks; each block
    writes only its own slice of the output (no races). Memory: the (n,) output and a
    ``block``-byte counter per thread.
    """
    n = P.shape[1]
    out = np.zeros(n, dtype=np.int64)
    for t in prange(_n_blocks(n, block)):
        lo = t * block
        hi = min(n, lo + block)
        _count_block(P, b, lo, hi, out[lo:hi])
    return out


def _sample_flip_counts_numpy(P, b):
    """NumPy twin of :func:`_sample_flip_counts` (blocks of at most
    ``SAMPLE_NUMPY_CELLS`` boolean cells)."""
    m, n = P.shape
    block = max(1, SAMPLE_NUMPY_CELLS // max(m, 1))
    out = np.empty(n, dtype=np.int64)
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        out[lo:hi] = np.count_nonzero(P[:, lo:hi] != b[lo:hi], axis=0)
    return out


def sample_flip_counts(P, b):
    """Per sample, how many rows of ``P`` differ from ``b``: the kernel, or its NumPy
    twin on inputs too small to pay for it (:func:`multiplicity._config.use_kernels`)."""
    if use_kernels(P.size):
        return _sample_flip_counts(P, b, SAMPLE_BLOCK)
    return _sample_flip_counts_numpy(P, b)


# ------------------------------------------------------------------- vote counting
# Vote tables hold about this many int32 cells per block of samples.
VOTE_CELLS = 1 << 16


def vote_block(n_levels):
    """Samples per block of :func:`_vote_table` for ``n_levels`` classes."""
    return max(64, VOTE_CELLS // max(1, n_levels))


@njit(**NJIT)
def _vote_table(P, offset, n_levels, lo, hi):
    """Votes of the models for each class at samples ``lo:hi``: (hi - lo, n_levels) int32.

    ``P`` (m, n) integer labels with class ``P[i, j] - offset`` in ``[0, n_levels)``. The
    models' rows are read in order, each over the block's contiguous columns.
    """
    m = P.shape[0]
    votes = np.zeros((hi - lo, n_levels), dtype=np.int32)
    for i in range(m):
        for j in range(lo, hi):
            votes[j - lo, np.int64(P[i, j]) - offset] += 1
    return votes
