"""Numba kernels of the Dawid-Skene EM (see ``_aggregation.py``).

The kernels read the long arrays of :class:`~multiplicity.annotation.Annotations`: for
every annotation its item index, annotator index and label code (int64, sorted by item,
with ``item_ptr`` CSR offsets). They never see pandas objects.

One EM iteration is one sequential sweep over the annotations (:func:`_em_sweep`): for
each item, the E-step posterior from the current parameters, then that posterior added
to the expected-count slabs the next M-step needs. The items are cut into a fixed number
of blocks (:func:`n_blocks`, chosen from the data size, never from the thread count);
``prange`` runs over the blocks (the ``*_serial`` twins, compiled without ``parallel``,
run them in order for small inputs), each block writes only its own slab, and
:func:`_finish_m_step` adds the slabs up serially in block order, so the results do not
depend on how many threads run.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .._config import NJIT, NJIT_PARALLEL

MAX_BLOCKS = 16
#: Below this many annotations the serial twins run: a parallel region costs more than
#: the work, and much more when other jobs hold the cores.
PARALLEL_MIN_ANNOTATIONS = 50_000
SLAB_BUDGET = 64 << 20  # bytes for all the blocks' expected-count slabs together


def n_blocks(n_items: int, n_annotators: int, k: int) -> int:
    """Number of item blocks: up to 16, fewer when the slabs would exceed 64 MiB."""
    per_slab = max(n_annotators * k * k * 8, 1)
    return int(max(1, min(MAX_BLOCKS, SLAB_BUDGET // per_slab, n_items)))


def _em_sweep_impl(q, log_prior, log_conf, item_ptr, annotator_codes, label_codes, e_step,
                   ll, slabs, prior_sums, gold):
    """One pass over the annotations: E-step (optional), then M-step expected counts.

    Inputs: ``log_prior`` float64 (k,); ``log_conf`` float64 (n_annotators, k, k) indexed
    ``[annotator, given label, true class]``; ``item_ptr`` int64 (n_items + 1,);
    ``annotator_codes``, ``label_codes`` int64 (n_annotations,) sorted by item.

    With ``e_step`` True, ``q`` float64 (n_items, k) is overwritten with the posteriors
    ``P(z_i = c) ~ prior_c prod_j conf[w_j, c, l_j]`` (log scores shifted by their
    maximum before exponentiating; NaN rows for items without annotations) and ``ll``
    float64 (n_items,) with ``log sum_c prior_c prod_j conf[w_j, c, l_j]`` (0 for unrated
    items). With ``e_step`` False, ``q`` is read as given and ``ll`` is left alone.

    Then, per block b of items: ``slabs[b, w, l, c]`` = sum of ``q[i, c]`` over the
    block's annotations (i, w, l), and ``prior_sums[b, c]`` = sum of ``q[i, c]`` over
    its rated items (both float64, overwritten).
    """
    n = item_ptr.shape[0] - 1
    k = log_prior.shape[0]
    nb = slabs.shape[0]
    has_gold = gold.shape[0] > 0
    for blk in prange(nb):
        slab = slabs[blk]
        slab[:] = 0.0
        psum = prior_sums[blk]
        psum[:] = 0.0
        s = np.empty(k)
        for i in range(blk * n // nb, (blk + 1) * n // nb):
            a = item_ptr[i]
            b = item_ptr[i + 1]
            if a == b:
                if e_step:
                    for c in range(k):
                        q[i, c] = np.nan
                    ll[i] = 0.0
                continue
            if e_step:
                for c in range(k):
                    s[c] = log_prior[c]
                for j in range(a, b):
                    w = annotator_codes[j]
                    lab = label_codes[j]
                    for c in range(k):
                        s[c] += log_conf[w, lab, c]
                # mx is finite even with floor=0: the class c that held most of the
                # item's previous posterior has prior_c > 0 and conf[w_j, c, l_j] > 0
                # for every annotation j of the item (the item itself put mass there);
                # for a gold item that class is its gold class g, so s[g] is finite.
                g = gold[i] if has_gold else -1
                if g >= 0:
                    for c in range(k):
                        q[i, c] = 0.0
                    q[i, g] = 1.0
                    ll[i] = s[g]
                else:
                    mx = s[0]
                    for c in range(1, k):
                        if s[c] > mx:
                            mx = s[c]
                    tot = 0.0
                    for c in range(k):
                        s[c] = math.exp(s[c] - mx)
                        tot += s[c]
                    for c in range(k):
                        q[i, c] = s[c] / tot
                    ll[i] = mx + math.log(tot)
            for c in range(k):
                psum[c] += q[i, c]
            for j in range(a, b):
                w = annotator_codes[j]
                lab = label_codes[j]
                for c in range(k):
                    slab[w, lab, c] += q[i, c]


_em_sweep_gold = njit(**NJIT_PARALLEL)(_em_sweep_impl)
_em_sweep_gold_serial = njit(**NJIT)(_em_sweep_impl)


@njit(**NJIT)
def _em_sweep_serial(q, log_prior, log_conf, item_ptr, annotator_codes, label_codes, e_step,
                     ll, slabs, prior_sums):
    """:func:`_em_sweep_impl` without gold labels, serial (the dask path's per-partition
    step)."""
    _em_sweep_gold_serial(q, log_prior, log_conf, item_ptr, annotator_codes, label_codes,
                          e_step, ll, slabs, prior_sums, np.empty(0, dtype=np.int64))


@njit(**NJIT)
def _finish_m_step(slabs, prior_sums, n_rated, used, floor, conf, log_conf):
    """Parameters from the slabs of :func:`_em_sweep` (serial, in block order).

    ``used`` bool (n_annotators, k): labels each annotator gave at least once;
    ``floor`` >= 0. Writes ``conf`` float64 (n_annotators, k, k), rows = true class,
    columns = given label: expected counts, floored at ``floor`` for the labels the
    annotator used (0 for the others), normalised over each row (NaN for annotators
    without annotations); ``log_conf`` float64 (n_annotators, k, k) gets their logarithms
    (-inf for zeros) transposed, ``log_conf[w, l, c] = log conf[w, c, l]``, so that the
    E-step reads the classes of one given label contiguously. Returns the class priors
    float64 (k,): mean posterior over the ``n_rated`` rated items, floored at ``floor``.
    """
    nb, n_ann, k, _ = slabs.shape
    cnt = np.empty((k, k))
    for w in range(n_ann):
        any_used = False
        for lab in range(k):
            any_used = any_used or used[w, lab]
        if not any_used:
            for c in range(k):
                for lab in range(k):
                    conf[w, c, lab] = np.nan
                    log_conf[w, lab, c] = np.nan
            continue
        for lab in range(k):
            for c in range(k):
                v = 0.0
                for blk in range(nb):
                    v += slabs[blk, w, lab, c]
                cnt[c, lab] = v
        for c in range(k):
            tot = 0.0
            for lab in range(k):
                if used[w, lab]:
                    v = cnt[c, lab]
                    if v < floor:
                        v = floor
                    cnt[c, lab] = v
                    tot += v
                else:
                    cnt[c, lab] = 0.0
            for lab in range(k):
                v = cnt[c, lab] / tot if tot > 0.0 else 0.0
                conf[w, c, lab] = v
                log_conf[w, lab, c] = math.log(v) if v > 0.0 else -np.inf
    priors = np.zeros(k)
    for c in range(k):
        for blk in range(nb):
            priors[c] += prior_sums[blk, c]
        priors[c] /= max(n_rated, 1)
        if priors[c] < floor:
            priors[c] = floor
    return priors


def _crowdkit_objective_terms_impl(q, log_prior, log_conf, item_ptr, annotator_codes,
                              label_codes, eps, out):
    """crowd-kit's ``DawidSkene._evidence_lower_bound`` terms, per item, into ``out``.

    For item i: ``sum_j sum_c q_ic (log conf[w_j, c, l_j] + log prior_c)`` over its
    annotations j (the prior is counted once per annotation, as crowd-kit does) plus the
    entropy ``-sum_c q~_ic log q~_ic`` with ``q~ = max(q, eps)``. Terms with ``q_ic = 0``
    are skipped (0 log 0 = 0). ``log_conf`` is indexed ``[annotator, label, class]``.
    """
    n = item_ptr.shape[0] - 1
    k = log_prior.shape[0]
    for blk in prange(MAX_BLOCKS):
        acc = np.empty(k)
        for i in range(blk * n // MAX_BLOCKS, (blk + 1) * n // MAX_BLOCKS):
            a = item_ptr[i]
            b = item_ptr[i + 1]
            t = 0.0
            if a < b:
                for c in range(k):
                    acc[c] = (b - a) * log_prior[c]
                for j in range(a, b):
                    w = annotator_codes[j]
                    lab = label_codes[j]
                    for c in range(k):
                        acc[c] += log_conf[w, lab, c]
                for c in range(k):
                    p = q[i, c]
                    if p > 0.0:
                        t += p * acc[c]
                    if p < eps:
                        p = eps
                    if p > 0.0:
                        t -= p * math.log(p)
            out[i] = t


_crowdkit_objective_terms = njit(**NJIT_PARALLEL)(_crowdkit_objective_terms_impl)
_crowdkit_objective_terms_serial = njit(**NJIT)(_crowdkit_objective_terms_impl)


@njit(**NJIT)
def _serial_sum(x):
    """Sum of a float64 array in index order (thread-count independent)."""
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i]
    return s
