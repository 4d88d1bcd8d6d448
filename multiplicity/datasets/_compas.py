"""COMPAS two-year recidivism, binarised as in TreeFARMS."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from ._base import read_bundled_csv

_FILE = "compas_binned.csv.gz"
_AGE_BINS = ["age:<21", "age:<23", "age:<26", "age:<46"]
AGE_GROUPS = ["<21", "21-22", "23-25", "26-45", ">=46"]

DESCR = """\
COMPAS two-year recidivism (binarised, TreeFARMS version)
=========================================================

6,907 defendants from Broward County, Florida, screened with COMPAS in 2013-2014, as
collected by ProPublica (compas-scores-two-years). Twelve binary (0/1) features:

- sex:Female
- age:<21, age:<23, age:<26, age:<46 (cumulative thresholds on age)
- juvenile-felonies:=0, juvenile-misdemeanors:=0, juvenile-crimes:=0
- priors:=0, priors:=1, priors:2-3, priors:>3 (one-hot count of prior offences)

Target: recidivate-within-two-years:1 (1 = re-offended within two years; 46.27% positive).
123 distinct feature vectors, 213 distinct (x, y) rows: many exact duplicates.

Sensitive features (derived from the data columns):
- sex: "Female" where sex:Female == 1, else "Male" (1,328 / 5,579).
- age_group: the four age columns are cumulative (age:<21 implies age:<23 implies
  age:<26 implies age:<46 on every row), so the number of 1s gives five groups
  "<21" (699), "21-22" (649), "23-25" (920), "26-45" (3,419), ">=46" (1,220).

Source: file experiments/datasets/compas/binned.csv of github.com/ubc-systopia/treeFarms
(last changed in commit d6d1363d1d4a4cf4bc768c98a481b6b8f484a153; sha256
39f01416ea57adeccda31a8db7059aa90204787b8b9af24d0bb0d93d019a655c), shipped byte-identical
(gzip-compressed). The same bytes are test/compas.csv of github.com/Sichao-Li/
generalized_rashomon_set (MIT).

Licence: BSD-3-Clause, Copyright (c) 2021, 2022 Chudi Zhong, Hayden McTavish, Jimmy Lin,
Margo Seltzer, Cynthia Rudin, The University of British Columbia, Duke University
(see multiplicity/datasets/LICENSES/COMPAS_TreeFARMS_BSD-3-Clause.txt).

Citations:
- J. Angwin, J. Larson, S. Mattu, L. Kirchner (2016). Machine Bias. ProPublica.
- R. Xin, C. Zhong, Z. Chen, T. Takagi, M. Seltzer, C. Rudin (2022). Exploring the Whole
  Rashomon Set of Sparse Decision Trees. NeurIPS 2022.

Caution: COMPAS is a contested benchmark (the label records re-arrest, not re-offending;
the data come from one county and one period). Use it to study methods, not to draw
conclusions about people.
"""


def _age_group(data: pd.DataFrame) -> pd.Categorical:
    """Five age groups from the cumulative age thresholds (count of 1s, 4 -> "<21")."""
    n_true = data[_AGE_BINS].to_numpy(dtype=np.int64).sum(axis=1)
    labels = np.asarray(AGE_GROUPS, dtype=object)[len(_AGE_BINS) - n_true]
    return pd.Categorical(labels, categories=AGE_GROUPS, ordered=True)


def load_compas(*, return_X_y: bool = False) -> Bunch | tuple[pd.DataFrame, pd.Series]:
    """Load the binarised COMPAS two-year recidivism data (6,907 defendants).

    Twelve binary features from ProPublica's ``compas-scores-two-years`` data, binarised
    as in the TreeFARMS experiments of Xin, Zhong et al. (NeurIPS 2022). Bundled with the
    package; no network access.

    =================  =====================================
    Samples            6,907
    Features           12, binary (``int8`` 0/1)
    Target             two-year recidivism, 0/1 (46.27% are 1)
    Sensitive features ``sex`` (2 groups), ``age_group`` (5 groups)
    =================  =====================================

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with attributes

        data : pandas.DataFrame of shape (6907, 12)
            The binary features as ``int8`` columns, named as in the source file
            (``"sex:Female"``, ``"age:<21"``, ..., ``"priors:>3"``).
        target : pandas.Series of shape (6907,)
            ``recidivate-within-two-years:1``: 1 if re-arrested within two years.
        sensitive_features : pandas.DataFrame of shape (6907, 2)
            ``sex`` (categorical ``"Female"``/``"Male"``, from ``sex:Female``) and
            ``age_group`` (ordered categorical ``"<21"``, ``"21-22"``, ``"23-25"``,
            ``"26-45"``, ``">=46"``). The four age columns are cumulative thresholds
            (``age:<21`` implies ``age:<23`` implies ``age:<26`` implies ``age:<46`` on
            every row), so the number of 1s among them identifies the group.
        feature_names : list of str
            The 12 feature column names.
        target_names : numpy.ndarray of shape (2,)
            ``["no recidivism", "recidivism"]`` for target 0 and 1.
        frame : pandas.DataFrame of shape (6907, 13)
            ``data`` and ``target`` side by side.
        DESCR : str
            Full description with source, licence and citations.
    (data, target) : tuple
        Returned instead when ``return_X_y`` is True.

    See Also
    --------
    load_german_credit : Another tabular benchmark with sensitive features.

    Notes
    -----
    Source: ``experiments/datasets/compas/binned.csv`` of github.com/ubc-systopia/treeFarms
    (commit d6d1363d1d4a4cf4bc768c98a481b6b8f484a153), byte-identical and gzip-compressed.
    Licence: BSD-3-Clause, Copyright (c) 2021, 2022 Chudi Zhong, Hayden McTavish, Jimmy Lin,
    Margo Seltzer, Cynthia Rudin, The University of British Columbia, Duke University; the
    underlying data are ProPublica's COMPAS analysis. Only 123 distinct feature vectors occur.

    Cite J. Angwin, J. Larson, S. Mattu and L. Kirchner (2016), "Machine Bias", ProPublica,
    and R. Xin, C. Zhong, Z. Chen, T. Takagi, M. Seltzer and C. Rudin (2022), "Exploring the
    Whole Rashomon Set of Sparse Decision Trees", NeurIPS.

    Examples
    --------
    >>> from multiplicity.datasets import load_compas
    >>> compas = load_compas()
    >>> compas.data.shape
    (6907, 12)
    >>> int(compas.target.sum()), round(float(compas.target.mean()), 4)
    (3196, 0.4627)
    >>> compas.sensitive_features["age_group"].value_counts(sort=False).tolist()
    [699, 649, 920, 3419, 1220]
    >>> X, y = load_compas(return_X_y=True)
    >>> X.shape, y.shape
    ((6907, 12), (6907,))
    """
    frame = read_bundled_csv(_FILE)
    target_col = frame.columns[-1]
    target = frame[target_col].astype(np.int64)
    data = frame.drop(columns=target_col).astype(np.int8)
    if return_X_y:
        return data, target

    sex = pd.Categorical(
        np.where(data["sex:Female"].to_numpy() == 1, "Female", "Male"),
        categories=["Female", "Male"],
    )
    sensitive = pd.DataFrame({"sex": sex, "age_group": _age_group(data)}, index=data.index)
    return Bunch(
        data=data,
        target=target,
        sensitive_features=sensitive,
        feature_names=list(data.columns),
        target_names=np.array(["no recidivism", "recidivism"], dtype=object),
        frame=pd.concat([data, target], axis=1),
        DESCR=DESCR,
    )
