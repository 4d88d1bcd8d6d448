"""The kernels that several subpackages share (``multiplicity._kernels_common``).

Flips against a baseline and vote tables are written once and used by metrics, the
Rashomon-set profile and the selective ensembles. These tests call each shared kernel and
each of its callers' kernels with blocks smaller than the data, so that every block edge
falls inside a small matrix, and compare with the loop-based oracles of
``tests/reference.py`` or with plain NumPy written here.
"""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import prediction_matrices, probability_matrices

from multiplicity import _kernels_common as K
from multiplicity.ensemble import _kernels as ensemble_kernels
from multiplicity.metrics import _kernels as metrics_kernels
from multiplicity.rashomon import _kernels as rashomon_kernels

BLOCKS = st.sampled_from([1, 2, 3, 7, 64])


def _votes_oracle(P, n_levels):
    """(n, n_levels) vote counts, one sample at a time."""
    out = np.zeros((P.shape[1], n_levels), dtype=np.int64)
    for j in range(P.shape[1]):
        for i in range(P.shape[0]):
            out[j, P[i, j]] += 1
    return out


@settings(max_examples=60, deadline=None)
@given(P=prediction_matrices(max_samples=30), block=BLOCKS, offset=st.sampled_from([0, -2, 5]))
def test_vote_table_counts_every_vote(P, block, offset):
    n_levels = int(P.max()) + 1
    shifted = (P + offset).astype(np.int16)
    expected = _votes_oracle(P, n_levels)
    n = P.shape[1]
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        got = K._vote_table(shifted, offset, n_levels, lo, hi)
        assert got.shape == (hi - lo, n_levels)
        npt.assert_array_equal(got, expected[lo:hi])


@settings(max_examples=60, deadline=None)
@given(P=prediction_matrices(max_samples=30), block=BLOCKS)
def test_agreeing_pairs_across_block_edges(P, block):
    n_levels = int(P.max()) + 1
    v = _votes_oracle(P, n_levels)
    npt.assert_array_equal(metrics_kernels._agreeing_pairs(P, 0, n_levels, block),
                           (v * (v - 1)).sum(axis=1))
    m = P.shape[0]
    if m > 1:
        npt.assert_allclose(1.0 - metrics_kernels._agreeing_pairs(P, 0, n_levels, block)
                            / (m * (m - 1)), ref.disagreement(P), rtol=0, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(P=prediction_matrices(max_samples=30), block=BLOCKS)
def test_top_two_votes_across_block_edges(P, block):
    m = P.shape[0]
    n_levels = int(P.max()) + 1
    v = _votes_oracle(P, n_levels)
    top, n_a, n_b, agree = ensemble_kernels._top_two_votes(P, 0, n_levels, block)
    ordered = np.sort(v, axis=1)[:, ::-1]
    npt.assert_array_equal(top, v.argmax(axis=1))  # argmax: the smallest code on ties
    npt.assert_array_equal(n_a, ordered[:, 0])
    npt.assert_array_equal(n_b, ordered[:, 1] if n_levels > 1 else 0)
    expected = (v * (v - 1)).sum(axis=1) / (m * (m - 1)) if m > 1 else np.ones(P.shape[1])
    npt.assert_allclose(agree, expected, rtol=0, atol=1e-15)


def test_vote_block_keeps_the_table_small():
    assert K.vote_block(2) == K.VOTE_CELLS // 2
    assert K.vote_block(10**6) == 64
    assert K.vote_block(0) == K.VOTE_CELLS


@settings(max_examples=60, deadline=None)
@given(P=prediction_matrices(max_samples=30), data=st.data())
def test_label_flip_stats_matches_the_oracle(P, data):
    b = data.draw(st.integers(0, P.shape[0] - 1))
    for mode in (K.FLAGS, K.COUNTS, K.FLAGS | K.COUNTS):
        flipped, counts = K.label_flip_stats(P, P[b], mode)
        if mode & K.FLAGS:
            npt.assert_array_equal(flipped.astype(bool), ref.ambiguous_samples(P, b))
        if mode & K.COUNTS:
            npt.assert_array_equal(counts, np.array(ref.flip_matrix(P, b)).sum(axis=1))


@settings(max_examples=60, deadline=None)
@given(P=prediction_matrices(max_samples=30), data=st.data())
def test_group_flip_counts_match_numpy(P, data):
    n = P.shape[1]
    n_groups = data.draw(st.integers(1, 4))
    groups = np.array(data.draw(st.lists(st.integers(0, n_groups - 1), min_size=n,
                                         max_size=n)), dtype=np.int64)
    b = P[data.draw(st.integers(0, P.shape[0] - 1))]
    flips = P != b
    expected = np.stack([flips[:, groups == g].sum(axis=1) for g in range(n_groups)], axis=1)
    npt.assert_array_equal(K._group_flip_counts(P, b, groups, n_groups), expected)


@settings(max_examples=60, deadline=None)
@given(Q=probability_matrices(max_samples=20), data=st.data(),
       threshold=st.sampled_from([0.0, 0.05, 0.1, 0.5, 1.0]))
def test_probabilistic_flips_agree_in_both_callers(Q, data, threshold):
    Q = np.asarray(Q, dtype=np.float64)
    if Q.ndim == 2:
        Q = Q[:, :, None]
    m, n, k = Q.shape
    b = data.draw(st.integers(0, m - 1))
    B = np.ascontiguousarray(Q[b])
    expected = (np.abs(Q - B[None]).max(axis=2) >= threshold).astype(np.uint8)
    for i in range(m):
        for j in range(n):
            assert K._proba_flip(Q, i, j, B, threshold) == expected[i, j]
    flipped, counts = metrics_kernels._proba_flip_stats(Q, B, threshold, 3)
    npt.assert_array_equal(flipped, expected.max(axis=0))
    npt.assert_array_equal(counts, expected.sum(axis=1))
    flags = np.zeros((m, n), dtype=np.uint8)
    vmin, vmax = np.empty((n, k)), np.empty((n, k))
    rashomon_kernels._proba_chunk_stats(Q, B, threshold, flags, vmin, vmax)
    npt.assert_array_equal(flags, expected)
    npt.assert_array_equal(vmin, Q.min(axis=0))
    npt.assert_array_equal(vmax, Q.max(axis=0))
