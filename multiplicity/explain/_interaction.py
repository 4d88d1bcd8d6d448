"""The feature-interaction-score cloud of a Rashomon set (Li, Wang, Deng & Barnard 2024)."""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from ..rashomon import RashomonSet
from ._common import (
    NOT_A_SET,
    Passes,
    check_data,
    check_n_repeats,
    check_set,
    permutations,
)
from ._importance import class_codes
from ._linear import linear_stack
from ._losses import check_cloud_loss, member_losses
from ._masking import mask_rashomon_set

__all__ = ["feature_interaction_cloud", "member_losses", "resolve_pair"]

UNKNOWN_FEATURE = "pairs names an unknown feature {0!r}; the features are {1}"


PAIR_SEPARATOR = " x "


def _feature_index(f: object, names: list[str], lookup: dict[str, int]) -> int:
    p = len(names)
    if isinstance(f, numbers.Integral) and not isinstance(f, bool):
        if not 0 <= int(f) < p:
            raise ValueError(UNKNOWN_FEATURE.format(f, f"positions 0..{p - 1}"))
        return int(f)
    if str(f) in lookup:
        return lookup[str(f)]
    raise ValueError(UNKNOWN_FEATURE.format(f, names))


def _split_pair_name(pair: str, lookup: dict[str, int]) -> tuple[str, str]:
    """``"a x b"`` as ``("a", "b")``; a name that holds " x " itself is split where both
    sides are features."""
    splits = []
    start = pair.find(PAIR_SEPARATOR)
    while start >= 0:
        a, b = pair[:start], pair[start + len(PAIR_SEPARATOR):]
        if a in lookup and b in lookup:
            splits.append((a, b))
        start = pair.find(PAIR_SEPARATOR, start + 1)
    if len(splits) == 1:
        return splits[0]
    if not splits:
        raise ValueError(f"pairs names an unknown pair {pair!r}: expected 'feature x feature' "
                         f"with features among {list(lookup)}")
    raise ValueError(f"pair {pair!r} can be read as {' or '.join(map(repr, splits))}; "
                     "give it as a (feature, feature) tuple")


def resolve_pair(pair: object, names: list[str]) -> tuple[int, int]:
    """Positions ``(i, j)`` of one pair given as ``(feature, feature)`` (names or
    positions) or as its name ``"a x b"``."""
    lookup = {name: j for j, name in enumerate(names)}
    if isinstance(pair, str):
        pair = _split_pair_name(pair, lookup)
    elif not isinstance(pair, Sequence | np.ndarray) or len(pair) != 2:
        raise ValueError(f"pairs must hold (feature, feature) pairs or 'feature x feature' "
                         f"names, got {pair!r}")
    idx = (_feature_index(pair[0], names, lookup), _feature_index(pair[1], names, lookup))
    if idx[0] == idx[1]:
        raise ValueError(f"pairs must name two different features, got {pair!r}")
    return idx


def check_pairs(pairs: object, names: list[str]) -> list[tuple[int, int]]:
    """Pairs of distinct features, given by name or position (or as ``"a x b"``); all
    pairs when None."""
    p = len(names)
    if pairs is None:
        if p < 2:
            raise ValueError("feature interactions need at least two features, got "
                             f"{p}")
        return list(itertools.combinations(range(p), 2))
    if isinstance(pairs, str) or not isinstance(pairs, Sequence | np.ndarray):
        raise TypeError(f"pairs must be a sequence of (feature, feature) pairs or None, "
                        f"got {type(pairs).__name__}")
    out = [resolve_pair(pair, names) for pair in pairs]
    if not out:
        raise ValueError("pairs must hold at least one pair, got none")
    return out


def feature_interaction_cloud(rashomon_set: Any, X: Any, y: ArrayLike,
                              pairs: Sequence[tuple[Any, Any]] | None = None,
                              n_repeats: int = 5, loss: str | Callable | None = None,
                              random_state: Any = None, *,
                              loss_input: Literal["predict", "predict_proba"] = "predict",
                              epsilon: float | None = None, n_models: int = 100
                              ) -> pd.DataFrame:
    """Feature interaction scores (FIS) of every member of a Rashomon set and feature pair.

    For a model ``h`` with loss ``L(h)`` on ``(X, y)`` (Li, Wang, Deng & Barnard 2024):

    - ``phi_i = E[L(h; X with column i permuted)] - L(h)`` (the model's reliance on i),
    - ``phi_ij = E[L(h; X with columns i and j permuted by the same permutation)] - L(h)``,
    - ``FIS_ij = phi_ij - phi_i - phi_j``: zero when removing both features costs exactly
      what removing each one costs, i.e. no interaction in the loss.

    Expectations are means over ``n_repeats`` permutations; every member, feature and
    pair sees the same permutations (common random numbers, drawn as in
    :func:`feature_importance_range`), so the spread of FIS over the set (the "FIS cloud")
    is due to the models, not to the draw.

    Parameters
    ----------
    rashomon_set : RashomonSet or fitted classifier
        The models. A single fitted classifier needs ``epsilon``: the set is then sampled
        around it with :func:`mask_rashomon_set` (feature-wise scaling of its inputs).
    X : array-like or DataFrame of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    pairs : sequence of (feature, feature) or of "feature x feature", default=None
        Features by DataFrame column name (``x0, x1, ...`` for arrays) or position, or a
        pair by its name in the ``pair`` column (``"x0 x x1"``); all
        ``n_features * (n_features - 1) / 2`` pairs when None.
    n_repeats : int, default=5
        Permutations per feature and pair (>= 1).
    loss : {"log_loss", "zero_one", "brier"}, callable or None, default=None
        None: ``"log_loss"`` when every member has ``predict_proba``, else ``"zero_one"``.
        A callable is called as ``loss(y, output)``, output from ``loss_input``.
    random_state : int, RandomState instance or None, default=None
        Seeds the permutations (and the masks when a single model is given).
    loss_input : {"predict", "predict_proba"}, default="predict"
        What a callable ``loss`` receives.
    epsilon : float, default=None
        Only with a single model: the loss tolerance of the sampled set (absolute, on the
        chosen loss on ``(X, y)``).
    n_models : int, default=100
        Only with a single model: number of masked models sampled (the model itself is
        added as the baseline).

    Returns
    -------
    DataFrame
        One row per (member, pair): ``model`` (position in the set), ``baseline`` (is
        it h0), ``feature_i``, ``feature_j``, ``pair`` (``"feature_i x feature_j"``),
        ``loss`` (the member's loss ``L(h)``), ``phi_i``, ``phi_j``, ``phi_ij``, ``fis``.
        ``attrs`` holds ``loss`` (its name), ``n_repeats`` and ``feature_names`` (every
        feature of X in order, so that :func:`plot_halo` reads positions).

    Raises
    ------
    ValueError
        Unknown features or a repeated feature in ``pairs``; ``n_repeats < 1``; X and y
        of different lengths; unknown loss name; labels outside the models' classes with
        a probability loss.
    TypeError
        Members without the method the loss needs (``predict_proba`` for ``log_loss``);
        not a RashomonSet and no ``epsilon``.

    Notes
    -----
    Cost: ``n_repeats * (n_features_in_pairs + n_pairs)`` passes, each one prediction
    of every member on one permuted copy of X (in row chunks). Memory: one copy of X.
    The caller's X and y are never modified. Binary scikit-learn linear members
    (``LogisticRegression`` for the probability losses) take the batched path of
    :func:`feature_importance_range` (one matrix product for the whole set per pass).

    References
    ----------
    S. Li, R. Wang, Q. Deng, A. Barnard (2024). Exploring the cloud of feature interaction
    scores in a Rashomon set. ICLR 2024.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from multiplicity.rashomon import RashomonSet
    >>> X, y = make_classification(n_samples=200, n_features=3, n_informative=2,
    ...                            n_redundant=0, random_state=0)
    >>> pool = [LogisticRegression(C=c).fit(X, y) for c in (0.1, 1.0)]
    >>> rs = RashomonSet.from_models(pool, X, y, epsilon=1.0)
    >>> cloud = feature_interaction_cloud(rs, X, y, pairs=[(0, 1)], random_state=0)
    >>> cloud[["model", "pair"]].values.tolist()
    [[0, 'x0 x x1'], [1, 'x0 x x1']]
    >>> bool(((cloud.phi_ij - cloud.phi_i - cloud.phi_j - cloud.fis).abs() < 1e-12).all())
    True
    """
    n_repeats = check_n_repeats(n_repeats)
    X, y_arr, names = check_data(X, y)
    if not isinstance(rashomon_set, RashomonSet):
        if epsilon is None or not hasattr(rashomon_set, "predict"):
            raise TypeError(NOT_A_SET.format(type(rashomon_set).__name__)
                            + "; or pass one fitted classifier together with epsilon=")
        rashomon_set = mask_rashomon_set(rashomon_set, X, y_arr, epsilon=epsilon,
                                         n_models=n_models, loss=loss,
                                         loss_input=loss_input, random_state=random_state)
    elif epsilon is not None:
        raise ValueError("epsilon is only used with a single model; a RashomonSet already "
                         "has its epsilon")
    rs = check_set(rashomon_set)
    loss = check_cloud_loss(rs, loss, loss_input)
    index = check_pairs(pairs, names)
    y_codes = class_codes(rs.classes_, y_arr)
    if isinstance(loss, str) and loss != "zero_one" and np.any(y_codes < 0):
        raise ValueError(f"y has labels that are not classes of the models "
                         f"({list(rs.classes_)}); loss={loss!r} is undefined for them")
    orders = permutations(X.shape[0], n_repeats, random_state)

    fast = None if callable(loss) else linear_stack(rs, X, proba=loss != "zero_one")
    passes = Passes(X, fast, y_codes, loss,
                    lambda data: member_losses(rs, data, y_arr, y_codes, loss, loss_input))
    base = passes()

    def reliance(columns: tuple[int, ...]) -> NDArray[np.float64]:
        acc = np.zeros(len(rs))
        for r in range(n_repeats):
            acc += passes(columns, orders[r])
        passes.restore(columns)
        return acc / n_repeats - base

    single = {j: reliance((j,)) for j in sorted({j for pair in index for j in pair})}
    frames = []
    for i, j in index:
        phi_ij = reliance((i, j))
        frames.append(pd.DataFrame({
            "model": np.arange(len(rs)),
            "baseline": np.arange(len(rs)) == rs.baseline_index_,
            "feature_i": names[i], "feature_j": names[j],
            "pair": f"{names[i]} x {names[j]}",
            "loss": base,
            "phi_i": single[i], "phi_j": single[j], "phi_ij": phi_ij,
            "fis": phi_ij - single[i] - single[j],
        }))
    out = pd.concat(frames, ignore_index=True)
    out.attrs = {"loss": loss if isinstance(loss, str) else getattr(loss, "__name__", "callable"),
                 "n_repeats": n_repeats, "feature_names": list(names)}
    return out
