"""Numba kernels of the histogram regression trees of :class:`BoostingExplorer`.

Data. ``Xb`` uint8 ``(n_features, n_samples)``: the bin of every value (a feature's bins
contiguous), bin ``b`` of feature ``f`` holding the values ``x`` with ``thresholds[f, b -
1] < x <= thresholds[f, b]``; ``n_bins`` int64 ``(n_features,)`` the bins of every feature
(at most 256). A split ``(f, b)`` sends a row left when its bin is ``<= b``, that is when
``x <= thresholds[f, b]``.

Targets, per output ``k`` of ``K``: ``G`` float64 ``(K, n)`` the pseudo-residuals the trees
fit, ``Y`` float64 ``(K, n)`` the targets of the leaf values (one-hot codes for multiclass,
codes or values otherwise), ``R`` float64 ``(K, n)`` the current raw scores.

Trees. One task per (candidate ``c``, output ``k``), ``task = c * K + k``: the candidate's
rows are drawn once (the same for its ``K`` trees) by selection sampling from ``U[c]``
(uniform draws, ``(C, n)``; ``n_in`` rows, in increasing order; ``U`` of shape ``(C, 0)``:
all rows). Each tree is grown depth first, as scikit-learn's
``DecisionTreeRegressor(criterion="squared_error")``: a node of ``n`` rows with sum ``S``
of ``g`` is split on the (feature, bin) that maximises ``S_L**2 / n_L + S_R**2 / n_R``
(the first feature, then the first bin, on ties), unless it is at ``max_depth``, has
fewer than two rows, has impurity ``sum(g**2) / n - (S / n)**2 <= EPSILON``, or has no
feature with rows in two bins. Histograms (per feature and bin, the count and the sum of
``g`` over the node's rows) are built from the rows for the smaller child and by
subtraction from the parent for the larger; histogram slot ``2 * depth + side`` serves
the node pending at that depth and side (a depth-first stack holds at most two nodes per
depth), so memory per task is ``2 * (max_depth + 1) * n_features * max_bins * 16`` bytes.

Output per task, nodes in creation order (root 0, children after their parent):
``feature`` int64 (-2 for a leaf), ``bin`` int64 (-2 for a leaf), ``left`` and ``right``
int64 (-1 for a leaf), ``value`` float64 (the leaf value the boosting step sets; the mean
of ``g`` at internal nodes), ``node_count``; and ``values`` float64 ``(C, K, n)``, the value
of every tree on every row (the in-bag rows and the others).
"""

import numpy as np
from numba import njit, prange

from .._config import NJIT, NJIT_PARALLEL
from ._boosting_kernels import LOSS_ABSOLUTE, LOSS_SQUARED

# scikit-learn's trees: a node whose impurity is at most this is a leaf.
EPSILON = float(np.finfo(np.float64).eps)
# Newton steps with a smaller denominator are 0 (scikit-learn's gradient boosting).
_NEWTON_TINY = 1e-150


@njit(**NJIT)
def _select_rows(u, n, n_in, rows):
    """``n_in`` of the ``n`` rows into ``rows``, increasing: row ``i`` is taken when
    ``u[i] * (n - i) < still_needed`` (selection sampling, uniform over the subsets)."""
    if u.shape[0] == 0:
        for i in range(n):
            rows[i] = i
        return
    need = n_in
    m = 0
    for i in range(n):
        if need == 0:
            break
        if u[i] * (n - i) < need:
            rows[m] = i
            m += 1
            need -= 1


@njit(**NJIT)
def _node_stats(gs, lo, hi):
    """(sum, sum of squares) of ``gs[lo:hi]``."""
    s = 0.0
    sq = 0.0
    for i in range(lo, hi):
        s += gs[i]
        sq += gs[i] * gs[i]
    return s, sq


@njit(**NJIT)
def _build_histogram(Xb, rows, gs, lo, hi, cnt, sm):
    """Count and sum of ``gs`` per feature and bin over ``rows[lo:hi]``, into ``cnt``, ``sm``
    (n_features, max_bins)."""
    n_features = Xb.shape[0]
    cnt[:, :] = 0
    sm[:, :] = 0.0
    for f in range(n_features):
        xf = Xb[f]
        cf = cnt[f]
        sf = sm[f]
        for i in range(lo, hi):
            b = xf[rows[i]]
            cf[b] += 1
            sf[b] += gs[i]


@njit(**NJIT)
def _best_split(cnt, sm, n_bins, n, s):
    """The best ``(feature, bin, n_left)`` of a node of ``n`` rows and sum ``s`` from its
    histogram; feature -1 when no feature has rows in two bins."""
    best = -np.inf
    best_f = -1
    best_b = -1
    best_nl = 0
    for f in range(cnt.shape[0]):
        n_l = 0
        s_l = 0.0
        for b in range(n_bins[f] - 1):
            c = cnt[f, b]
            if c == 0:
                continue
            n_l += c
            s_l += sm[f, b]
            if n_l == n:
                break
            s_r = s - s_l
            proxy = s_l * s_l / n_l + s_r * s_r / (n - n_l)
            if proxy > best:
                best = proxy
                best_f = f
                best_b = b
                best_nl = n_l
    return best_f, best_b, best_nl


@njit(**NJIT)
def _partition(xf, split_bin, rows, gs, lo, hi, row_buf, g_buf):
    """Stable partition of ``rows[lo:hi]`` (and ``gs``): bins ``<= split_bin`` first."""
    m = lo
    k = 0
    for i in range(lo, hi):
        r = rows[i]
        if xf[r] <= split_bin:
            rows[m] = r
            gs[m] = gs[i]
            m += 1
        else:
            row_buf[k] = r
            g_buf[k] = gs[i]
            k += 1
    for j in range(k):
        rows[m + j] = row_buf[j]
        gs[m + j] = g_buf[j]


@njit(**NJIT)
def _leaf_value(loss, rows, lo, hi, g, y, raw, n_classes, buf):
    """The boosting step of a leaf over ``rows[lo:hi]``: the mean of ``g`` (squared
    error), one Newton step (log loss), the lower median of ``y - raw`` (absolute error)."""
    n_l = hi - lo
    if loss == LOSS_SQUARED:
        s = 0.0
        for i in range(lo, hi):
            s += g[rows[i]]
        return s / n_l
    if loss == LOSS_ABSOLUTE:
        for i in range(lo, hi):
            buf[i - lo] = y[rows[i]] - raw[rows[i]]
        part = np.sort(buf[:n_l])
        return part[(n_l + 1) // 2 - 1]
    num = 0.0
    den = 0.0
    for i in range(lo, hi):
        r = rows[i]
        p = y[r] - g[r]
        num += g[r]
        den += p * (1.0 - p)
    numerator = num / n_l
    if n_classes > 2:
        numerator *= (n_classes - 1) / n_classes
    denominator = den / n_l
    if abs(denominator) < _NEWTON_TINY:
        return 0.0
    return numerator / denominator


@njit(**NJIT)
def _grow_tree(Xb, n_bins, max_bins, g, y, raw, rows, n_in, loss, max_depth, n_classes,
               feature, split_bin, left, right, value):
    """Grow one tree on ``rows[:n_in]`` (reordered in place) and set its leaf values;
    returns the node count. ``max_depth`` < 0: no limit."""
    n_features = Xb.shape[0]
    cap = feature.shape[0]
    depth_cap = max_depth if max_depth >= 0 else n_in
    n_slots = 2 * (min(depth_cap, 16) + 1)
    cnt = np.zeros((n_slots, n_features, max_bins), dtype=np.int64)
    sm = np.zeros((n_slots, n_features, max_bins))
    gs = np.empty(n_in)
    for i in range(n_in):
        gs[i] = g[rows[i]]
    row_buf = np.empty(n_in, dtype=np.int64)
    g_buf = np.empty(n_in)
    start = np.empty(cap, dtype=np.int64)
    stop = np.empty(cap, dtype=np.int64)
    depth = np.empty(cap, dtype=np.int64)
    slot_of = np.empty(cap, dtype=np.int64)
    node_sum = np.empty(cap)
    stack = np.empty(cap, dtype=np.int64)
    kid_lo = np.empty(2, dtype=np.int64)
    kid_hi = np.empty(2, dtype=np.int64)
    need = np.zeros(2, dtype=np.bool_)

    s, sq = _node_stats(gs, 0, n_in)
    start[0] = 0
    stop[0] = n_in
    depth[0] = 0
    slot_of[0] = 0
    node_sum[0] = s
    feature[0] = -2
    split_bin[0] = -2
    left[0] = -1
    right[0] = -1
    n_nodes = 1
    top = 0
    if depth_cap > 0 and n_in >= 2 and sq / n_in - (s / n_in) ** 2 > EPSILON:
        _build_histogram(Xb, rows, gs, 0, n_in, cnt[0], sm[0])
        stack[0] = 0
        top = 1
    while top > 0:
        top -= 1
        node = stack[top]
        d = depth[node]
        slot = slot_of[node]
        lo = start[node]
        hi = stop[node]
        n = hi - lo
        f, b, n_l = _best_split(cnt[slot], sm[slot], n_bins, n, node_sum[node])
        if f < 0:
            continue
        _partition(Xb[f], b, rows, gs, lo, hi, row_buf, g_buf)
        feature[node] = f
        split_bin[node] = b
        left[node] = n_nodes
        right[node] = n_nodes + 1
        kid_lo[0] = lo
        kid_hi[0] = lo + n_l
        kid_lo[1] = lo + n_l
        kid_hi[1] = hi
        for side in range(2):
            kid = n_nodes + side
            k_lo = kid_lo[side]
            k_hi = kid_hi[side]
            start[kid] = k_lo
            stop[kid] = k_hi
            depth[kid] = d + 1
            slot_of[kid] = 2 * (d + 1) + side
            feature[kid] = -2
            split_bin[kid] = -2
            left[kid] = -1
            right[kid] = -1
            ks, ksq = _node_stats(gs, k_lo, k_hi)
            node_sum[kid] = ks
            k_n = k_hi - k_lo
            need[side] = (d + 1 < depth_cap and k_n >= 2
                          and ksq / k_n - (ks / k_n) ** 2 > EPSILON)
        first_kid = n_nodes
        n_nodes += 2
        if not (need[0] or need[1]):
            continue
        if 2 * (d + 1) + 1 >= n_slots:
            grown = 2 * n_slots
            cnt2 = np.zeros((grown, n_features, max_bins), dtype=np.int64)
            sm2 = np.zeros((grown, n_features, max_bins))
            cnt2[:n_slots] = cnt
            sm2[:n_slots] = sm
            cnt = cnt2
            sm = sm2
            n_slots = grown
        small = 0 if n_l <= n - n_l else 1
        large = 1 - small
        s_slot = 2 * (d + 1) + small
        l_slot = 2 * (d + 1) + large
        _build_histogram(Xb, rows, gs, kid_lo[small], kid_hi[small], cnt[s_slot],
                         sm[s_slot])
        if need[large]:
            cnt[l_slot] = cnt[slot] - cnt[s_slot]
            sm[l_slot] = sm[slot] - sm[s_slot]
        # the right child first on the stack, so that the left subtree grows first
        if need[1]:
            stack[top] = first_kid + 1
            top += 1
        if need[0]:
            stack[top] = first_kid
            top += 1
    buf = np.empty(n_in)
    for node in range(n_nodes):
        lo = start[node]
        hi = stop[node]
        if left[node] < 0:
            value[node] = _leaf_value(loss, rows, lo, hi, g, y, raw, n_classes, buf)
        else:
            value[node] = node_sum[node] / (hi - lo)
    return n_nodes


@njit(**NJIT)
def _tree_apply_binned(Xb, split_feature, split_bin, left, right, value, out):
    """Value of one tree (binned splits) on every column of ``Xb`` into ``out`` (n,)."""
    for i in range(Xb.shape[1]):
        node = 0
        while left[node] >= 0:
            if Xb[split_feature[node], i] <= split_bin[node]:
                node = left[node]
            else:
                node = right[node]
        out[i] = value[node]


@njit(**NJIT_PARALLEL)
def _fit_trees(Xb, n_bins, max_bins, G, Y, R, U, n_in, loss, max_depth, n_classes,
               feature, split_bin, left, right, value, node_count, values):
    """Grow the ``C * K`` trees of one boosting stage in parallel (see the module
    docstring); ``feature`` ... ``value`` (C * K, max_nodes), ``node_count`` (C * K,),
    ``values`` (C, K, n) are filled."""
    n_out = G.shape[0]
    n = G.shape[1]
    n_tasks = U.shape[0] * n_out
    for task in prange(n_tasks):
        c = task // n_out
        k = task - c * n_out
        rows = np.empty(n, dtype=np.int64)
        _select_rows(U[c], n, n_in, rows)
        count = _grow_tree(Xb, n_bins, max_bins, G[k], Y[k], R[k], rows, n_in, loss,
                           max_depth, n_classes, feature[task], split_bin[task], left[task],
                           right[task], value[task])
        node_count[task] = count
        _tree_apply_binned(Xb, feature[task], split_bin[task], left[task], right[task],
                           value[task], values[c, k])
