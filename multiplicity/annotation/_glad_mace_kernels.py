"""Numba kernels of GLAD and MACE over the long annotation arrays.

Every kernel takes the arrays of :class:`Annotations` as they are stored: ``item``,
``annotator`` and ``label`` int64 codes of shape ``(n_annotations,)``, sorted by item, and
``item_ptr`` int64 offsets of shape ``(n_items + 1,)``. Parameters are float64 arrays; no
kernel raises on user input (the Python layer validates).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .._config import NJIT

_LOG_2PI = math.log(2.0 * math.pi)


# ----------------------------------------------------------------------------- GLAD
# Serial kernels: one pass over 40,000 annotations takes well under a millisecond, less
# than a parallel region costs to start on a busy machine.
@njit(**NJIT)
def _log_sig_pair(z):
    """``(log sigmoid(z), log sigmoid(-z), sigmoid(z))`` with one exp and one log1p."""
    e = math.exp(-abs(z))
    l1p = math.log1p(e)
    if z >= 0.0:
        return -l1p, -z - l1p, 1.0 / (1.0 + e)
    return z - l1p, -l1p, e / (1.0 + e)


@njit(**NJIT)
def _glad_e_step(item_ptr, annotator, label, log_prior, alpha, log_beta):
    """Posterior class probabilities ``(n_items, n_classes)`` float64 under GLAD.

    ``log_prior`` (n_classes,), ``alpha`` (n_annotators,), ``log_beta`` (n_items,): the
    probability that annotator j labels item i correctly is
    ``sigmoid(alpha[j] * exp(log_beta[i]))``; a wrong label is one of the other
    ``n_classes - 1`` uniformly. Items without annotations get the prior.
    """
    n_items = item_ptr.shape[0] - 1
    k = log_prior.shape[0]
    log_km1 = math.log(k - 1.0)
    out = np.empty((n_items, k))
    row = np.empty(k)
    for i in range(n_items):
        eb = math.exp(log_beta[i])
        wrong = 0.0
        for c in range(k):
            row[c] = log_prior[c]
        for a in range(item_ptr[i], item_ptr[i + 1]):
            ls, lw, _ = _log_sig_pair(alpha[annotator[a]] * eb)
            lw -= log_km1
            wrong += lw
            row[label[a]] += ls - lw
        m = -np.inf
        for c in range(k):
            row[c] += wrong
            m = max(m, row[c])
        s = 0.0
        for c in range(k):
            row[c] = math.exp(row[c] - m)
            s += row[c]
        for c in range(k):
            out[i, c] = row[c] / s
    return out


@njit(**NJIT)
def _glad_objective(x, item_ptr, annotator, label, post, n_classes, alpha_mean,
                    log_beta_mean):
    """Minus GLAD's Q function and its gradient at ``x = [alpha, log_beta]``.

    ``post`` (n_items, n_classes) holds the E-step posteriors; ``alpha_mean``
    (n_annotators,) and ``log_beta_mean`` (n_items,) the means of the standard normal priors.
    Q = sum over annotations of E[log p(label | z)] + sum of log N(alpha - mean) + sum of
    log N(log_beta - mean), as in crowd-kit. Returns ``(-Q, -grad)``.
    """
    n_ann = alpha_mean.shape[0]
    n_items = log_beta_mean.shape[0]
    log_km1 = math.log(n_classes - 1.0)
    grad = np.zeros(n_ann + n_items)
    q = 0.0
    for i in range(n_items):
        eb = math.exp(x[n_ann + i])
        gb = 0.0
        for a in range(item_ptr[i], item_ptr[i + 1]):
            j = annotator[a]
            ab = x[j] * eb
            ls, lw, sig = _log_sig_pair(ab)
            p = post[i, label[a]]
            q += p * ls + (1.0 - p) * (lw - log_km1)
            r = p - sig
            grad[j] += r * eb
            gb += r * ab
        grad[n_ann + i] = gb
    for j in range(n_ann):
        d = x[j] - alpha_mean[j]
        q -= 0.5 * d * d + 0.5 * _LOG_2PI
        grad[j] = -(grad[j] - d)
    for i in range(n_items):
        d = x[n_ann + i] - log_beta_mean[i]
        q -= 0.5 * d * d + 0.5 * _LOG_2PI
        grad[n_ann + i] = -(grad[n_ann + i] - d)
    return -q, grad


# ----------------------------------------------------------------------------- MACE
@njit(**NJIT)
def _digamma(x):
    """The digamma function for x > 0 (recurrence to x >= 6, then the asymptotic series)."""
    r = 0.0
    while x < 6.0:
        r -= 1.0 / x
        x += 1.0
    f = 1.0 / (x * x)
    t = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132.0))))
    return r + math.log(x) - 0.5 / x - t


@njit(**NJIT)
def _mace_e_step(item_ptr, annotator, label, spam, know, strategies, post, p_know, gold):
    """One MACE E-step; fills ``post`` (n_items, n_classes) and ``p_know`` (n_annotations,).

    ``spam``/``know`` (n_annotators,) are the weights of spamming and knowing, and
    ``strategies`` (n_annotators, n_classes) the spamming label distributions. The true
    label is uniform. ``p_know[a]`` is the posterior probability that annotation ``a``
    was given knowingly. ``gold`` int64 (n_items,) or (0,): the category code of each
    item's known label, -1 for none (empty: no gold). A gold item's posterior is one-hot
    on its label ``g``, so ``p_know[a]`` is ``know / (know + spam * xi[l])`` when the
    label ``l`` equals ``g`` and 0 otherwise (a wrong label was spammed), and its term of
    the log-likelihood is the joint ``log P(labels, z = g)``. Returns the log marginal
    likelihood (float).

    Every per-annotation factor depends only on (annotator, label), so the logs are
    taken once per pair, not once per annotation.
    """
    n_items = item_ptr.shape[0] - 1
    n_ann, k = strategies.shape
    log_k = math.log(k)
    log_spam = np.empty((n_ann, k))  # log P(label | spamming)
    log_gain = np.empty((n_ann, k))  # log P(label | truth = label) - log_spam
    knows = np.empty((n_ann, k))  # P(knowing | label, truth = label)
    for j in range(n_ann):
        for c in range(k):
            base = spam[j] * strategies[j, c]
            log_spam[j, c] = math.log(base)
            log_gain[j, c] = math.log(base + know[j]) - log_spam[j, c]
            knows[j, c] = know[j] / (base + know[j])
    row = np.empty(k)
    ll = 0.0
    has_gold = gold.shape[0] > 0
    for i in range(n_items):
        for c in range(k):
            row[c] = 0.0
        spam_all = -log_k
        for a in range(item_ptr[i], item_ptr[i + 1]):
            j = annotator[a]
            lab = label[a]
            spam_all += log_spam[j, lab]
            row[lab] += log_gain[j, lab]
        m = -np.inf
        for c in range(k):
            row[c] += spam_all
            m = max(m, row[c])
        g = gold[i] if has_gold else -1
        if g >= 0:
            ll += row[g]
            for c in range(k):
                post[i, c] = 0.0
            post[i, g] = 1.0
        else:
            s = 0.0
            for c in range(k):
                row[c] = math.exp(row[c] - m)
                s += row[c]
            ll += m + math.log(s)
            for c in range(k):
                post[i, c] = row[c] / s
        for a in range(item_ptr[i], item_ptr[i + 1]):
            lab = label[a]
            p_know[a] = post[i, lab] * knows[annotator[a], lab]
    return ll


@njit(**NJIT)
def _mace_m_step(annotator, label, p_know, vb, smoothing, alpha, beta, strategy_prior,
                 spam, know, strategies):
    """One MACE M-step (EM with additive ``smoothing``, or variational Bayes with Beta(alpha,
    beta) and symmetric Dirichlet(strategy_prior) priors); updates the weights in place."""
    n_ann, k = strategies.shape
    c_spam = np.zeros(n_ann)
    c_know = np.zeros(n_ann)
    c_strat = np.zeros((n_ann, k))
    for a in range(annotator.shape[0]):
        j = annotator[a]
        c_know[j] += p_know[a]
        q = 1.0 - p_know[a]
        c_spam[j] += q
        c_strat[j, label[a]] += q
    for j in range(n_ann):
        if vb:
            tot = _digamma(c_spam[j] + c_know[j] + alpha + beta)
            spam[j] = math.exp(_digamma(c_spam[j] + alpha) - tot)
            know[j] = math.exp(_digamma(c_know[j] + beta) - tot)
            s = k * strategy_prior
            for c in range(k):
                s += c_strat[j, c]
            tot = _digamma(s)
            for c in range(k):
                strategies[j, c] = math.exp(_digamma(c_strat[j, c] + strategy_prior) - tot)
        else:
            s = c_spam[j] + c_know[j] + 2.0 * smoothing
            spam[j] = (c_spam[j] + smoothing) / s
            know[j] = (c_know[j] + smoothing) / s
            s = k * smoothing
            for c in range(k):
                s += c_strat[j, c]
            for c in range(k):
                strategies[j, c] = (c_strat[j, c] + smoothing) / s


@njit(**NJIT)
def _mace_run(item_ptr, annotator, label, spam, know, strategies, vb, smoothing, alpha,
              beta, strategy_prior, max_iter, tol, gold):
    """One MACE run from the given weights (updated in place): E-step, then ``max_iter``
    rounds of (M-step, E-step), stopping early when the log marginal likelihood changes by
    less than ``tol``; gold items clamped in every E-step (see :func:`_mace_e_step`).
    Returns ``(post, history, n_iter)``; ``history`` (max_iter,) holds the log marginal
    likelihood after each round (NaN past ``n_iter``)."""
    n_items = item_ptr.shape[0] - 1
    k = strategies.shape[1]
    post = np.empty((n_items, k))
    p_know = np.empty(label.shape[0])
    history = np.full(max_iter, np.nan)
    ll = _mace_e_step(item_ptr, annotator, label, spam, know, strategies, post, p_know,
                      gold)
    n_iter = 0
    for it in range(max_iter):
        _mace_m_step(annotator, label, p_know, vb, smoothing, alpha, beta, strategy_prior,
                     spam, know, strategies)
        new = _mace_e_step(item_ptr, annotator, label, spam, know, strategies, post, p_know,
                           gold)
        history[it] = new
        n_iter = it + 1
        if abs(new - ll) < tol:
            break
        ll = new
    return post, history, n_iter
