"""The flip kernel behind ambiguity and discrepancy, at the edges of its tiles.

The kernel reads four model rows at a time, in column tiles split into uint16 count
chunks, and may split rows into bands. These tests call it with small tiles, chunks and
bands so that every boundary falls inside small matrices, and compare with the
loop-based oracles of ``tests/reference.py``. The previous kernel (one row at a time,
int64 counts) is kept below for one release and must agree with the new one.
"""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import pytest
import reference as ref
from numba import get_num_threads, njit, prange

from multiplicity import _kernels_common as K
from multiplicity._config import NJIT_PARALLEL
from multiplicity.metrics import (
    ambiguity,
    ambiguity_discrepancy,
    ambiguous_samples,
    discrepancy,
)

BOTH = K.FLAGS | K.COUNTS


@njit(**NJIT_PARALLEL)
def _flip_stats_previous(P, b, block):
    """The kernel before four-row tiles: flags (n,) uint8 and counts (m,) int64."""
    m, n = P.shape
    nb = (n + block - 1) // block
    flipped = np.zeros(n, dtype=np.uint8)
    part = np.zeros((nb, m), dtype=np.int64)
    for t in prange(nb):
        lo = t * block
        hi = min(n, lo + block)
        fl = flipped[lo:hi]
        bb = b[lo:hi]
        for i in range(m):
            row = P[i, lo:hi]
            c = np.int32(0)
            for j in range(hi - lo):
                d = np.uint8(row[j] != bb[j])
                fl[j] |= d
                c += d
            part[t, i] = c
    return flipped, part.sum(axis=0)


def _oracle(P, b):
    flips = np.array(ref.flip_matrix(P.tolist(), b.tolist()), dtype=bool)
    return flips.any(axis=0).astype(np.uint8), flips.sum(axis=1)


def _random(m, n, dtype, seed, n_classes=3, rate=0.2):
    rng = np.random.default_rng(seed)
    b = rng.integers(0, n_classes, n).astype(dtype)
    P = np.repeat(b[None, :], m, axis=0)
    flip = rng.random((m, n)) < rate
    P[flip] = ((P[flip].astype(np.int64) + 1) % n_classes).astype(dtype)
    return P, b


# Small tiles and chunks put every boundary inside a small matrix: m not a multiple of 4
# (last group repeats a row), n not a multiple of the tile, chunk or vector width.
LAYOUTS = [(64, 1, 32), (7, 1, 3), (5, 3, 2), (1000, 2, 7), (13, 4, 5), (9, 9, 4)]
SHAPES = [(1, 1), (1, 65), (2, 3), (3, 70), (4, 64), (5, 129), (7, 33), (9, 200)]


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_every_mode_matches_reference_at_tile_edges(shape, layout):
    m, n = shape
    tile, n_bands, chunk = layout
    P, b = _random(m, n, np.int8, seed=m * 1000 + n)
    flags, counts = _oracle(P, b)
    got_f, got_c = K._flip_stats(P, b, tile, n_bands, chunk, BOTH)
    npt.assert_array_equal(got_f, flags)
    npt.assert_array_equal(got_c, counts)
    only_f, zero_c = K._flip_stats(P, b, tile, n_bands, chunk, K.FLAGS)
    npt.assert_array_equal(only_f, flags)
    npt.assert_array_equal(zero_c, 0)
    empty_f, only_c = K._flip_stats(P, b, tile, n_bands, chunk, K.COUNTS)
    assert empty_f.shape == (0,)
    npt.assert_array_equal(only_c, counts)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8,
                                   np.uint16, np.float32, np.float64])
def test_every_dtype_matches_reference(dtype):
    P, b = _random(6, 77, dtype, seed=3, n_classes=5)
    flags, counts = _oracle(P, b)
    got_f, got_c = K._flip_stats(P, b, 16, 2, 5, BOTH)
    npt.assert_array_equal(got_f, flags)
    npt.assert_array_equal(got_c, counts)


def test_int16_extremes():
    lo, hi = np.iinfo(np.int16).min, np.iinfo(np.int16).max
    P = np.array([[lo, hi, 0, lo, hi, -1, 1],
                  [hi, hi, lo, lo, -1, -1, 1],
                  [lo, lo, hi, hi, 0, 1, -1],
                  [lo, hi, 0, lo, hi, -1, 1],
                  [hi, lo, hi, lo, hi, lo, hi]], dtype=np.int16)
    b = np.array([lo, hi, 0, lo, hi, -1, 1], dtype=np.int16)
    assert ambiguity(P, b) == ref.ambiguity(P.tolist(), b.tolist())
    assert discrepancy(P, b) == ref.discrepancy(P.tolist(), b.tolist())
    for layout in LAYOUTS:
        got_f, got_c = K._flip_stats(P, b, *layout, BOTH)
        flags, counts = _oracle(P, b)
        npt.assert_array_equal(got_f, flags)
        npt.assert_array_equal(got_c, counts)


def test_counts_do_not_wrap_past_a_uint16_chunk():
    # Every entry of a row differs: the count exceeds 2**16 only summed over chunks.
    n = (1 << 16) + 70
    P = np.ones((5, n), dtype=np.int8)
    P[2, ::2] = 0
    b = np.zeros(n, dtype=np.int8)
    _, counts = K._flip_stats(P, b, n, 1, K.CHUNK, K.COUNTS)
    npt.assert_array_equal(counts, [n, n, n // 2, n, n])
    assert ambiguity_discrepancy(P, b) == (1.0, 1.0)


@pytest.mark.parametrize("baseline", [0, 2, -1, -3, -5])
def test_baseline_row_by_negative_index(baseline):
    P, _ = _random(5, 101, np.int8, seed=11)
    row = P[baseline]
    expect = (ref.ambiguity(P.tolist(), row.tolist()), ref.discrepancy(P.tolist(), row.tolist()))
    assert ambiguity_discrepancy(P, baseline) == pytest.approx(expect, abs=1e-15)
    assert (ambiguity(P, baseline), discrepancy(P, baseline)) == pytest.approx(expect, abs=1e-15)
    npt.assert_array_equal(ambiguous_samples(P, baseline),
                           ref.ambiguous_samples(P.tolist(), row.tolist()))


def test_string_labels_are_encoded_then_flipped():
    words = np.array(["cat", "dog", "owl"])
    P, b = _random(6, 90, np.int8, seed=5)
    S, s = words[P], words[b]
    s[3] = "emu"  # a baseline label that no model predicts counts as a flip
    expect = (ref.ambiguity(S.tolist(), s.tolist()), ref.discrepancy(S.tolist(), s.tolist()))
    assert ambiguity_discrepancy(S, s) == pytest.approx(expect, abs=1e-15)
    assert ambiguity(S.astype(object), s) == pytest.approx(expect[0], abs=1e-15)
    assert discrepancy(S, list(s)) == pytest.approx(expect[1], abs=1e-15)


@pytest.mark.parametrize("m, n", [(1, 1), (3, 10), (1000, 50), (5, 4096 * 3 + 1),
                                  (8, 1 << 20), (40, 10_000)])
@pytest.mark.parametrize("itemsize", [1, 2, 8])
@pytest.mark.parametrize("n_threads", [1, 2, 3, 8])
def test_layout_covers_the_matrix(m, n, itemsize, n_threads):
    tile, n_bands = K._flip_layout(m, n, itemsize, n_threads)
    n_tiles = -(-n // tile)
    assert 1 <= tile and (n_tiles - 1) * tile < n <= n_tiles * tile
    assert 1 <= n_bands <= max(1, m)
    assert tile * itemsize <= max(K.TILE_BYTES, 64 * itemsize)
    if n >= n_threads * K.MIN_TILE:
        assert n_bands == 1 and n_tiles >= n_threads
    elif m >= 4 * n_threads:
        assert n_tiles * n_bands >= n_threads


def test_previous_kernel_agrees_on_a_larger_matrix():
    P, b = _random(23, 5000, np.int8, seed=7, n_classes=2, rate=0.01)
    old_f, old_c = _flip_stats_previous(P, b, 1024)
    for n_threads in (1, 2, 4):
        tile, n_bands = K._flip_layout(*P.shape, P.itemsize, n_threads)
        new_f, new_c = K._flip_stats(P, b, tile, n_bands, K.CHUNK, BOTH)
        npt.assert_array_equal(new_f, old_f)
        npt.assert_array_equal(new_c, old_c)


@pytest.mark.parametrize("min_bytes", [0, 1 << 40])
def test_thread_choice_changes_no_value_and_restores_the_count(monkeypatch, min_bytes):
    """Small matrices are read by one thread; the caller's thread count comes back."""
    monkeypatch.setattr(K, "PARALLEL_MIN_BYTES", min_bytes)
    rng = np.random.default_rng(5)
    P = rng.integers(0, 3, size=(9, 20_000)).astype(np.int8)
    before = get_num_threads()
    a, d = ambiguity_discrepancy(P, 2)
    assert get_num_threads() == before
    assert a == ref.ambiguity(P, 2) and d == ref.discrepancy(P, 2)
