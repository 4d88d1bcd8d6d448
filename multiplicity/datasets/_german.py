"""UCI Statlog German Credit, with the symbol codes decoded."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from ._base import read_bundled_csv

_FILE = "german_credit.csv.gz"

# Column names in UCI attribute order (attributes 1-20, then the class).
_COLUMNS = [
    "checking_account",
    "duration_months",
    "credit_history",
    "purpose",
    "credit_amount",
    "savings",
    "employment_since",
    "installment_rate",
    "personal_status_sex",
    "other_debtors",
    "residence_since",
    "property",
    "age",
    "other_installment_plans",
    "housing",
    "existing_credits",
    "job",
    "people_liable",
    "telephone",
    "foreign_worker",
]
_TARGET = "good_credit"

# Readable values of the qualitative attributes, written from the UCI attribute
# documentation (german.doc). Categories keep UCI code order. Codes that never occur in the
# file (A47 "vacation", A95 "female: single") are left out so that no empty category appears.
_CODES: dict[str, dict[str, str]] = {
    "checking_account": {
        "A11": "< 0 DM",
        "A12": "0 <= ... < 200 DM",
        "A13": ">= 200 DM or salary assignment >= 1 year",
        "A14": "no checking account",
    },
    "credit_history": {
        "A30": "no credits taken / all paid back duly",
        "A31": "all credits at this bank paid back duly",
        "A32": "existing credits paid back duly till now",
        "A33": "delay in paying off in the past",
        "A34": "critical account / other credits existing (not at this bank)",
    },
    "purpose": {
        "A40": "car (new)",
        "A41": "car (used)",
        "A42": "furniture/equipment",
        "A43": "radio/television",
        "A44": "domestic appliances",
        "A45": "repairs",
        "A46": "education",
        "A48": "retraining",
        "A49": "business",
        "A410": "others",
    },
    "savings": {
        "A61": "< 100 DM",
        "A62": "100 <= ... < 500 DM",
        "A63": "500 <= ... < 1000 DM",
        "A64": ">= 1000 DM",
        "A65": "unknown / no savings account",
    },
    "employment_since": {
        "A71": "unemployed",
        "A72": "< 1 year",
        "A73": "1 <= ... < 4 years",
        "A74": "4 <= ... < 7 years",
        "A75": ">= 7 years",
    },
    "personal_status_sex": {
        "A91": "male: divorced/separated",
        "A92": "female: divorced/separated/married",
        "A93": "male: single",
        "A94": "male: married/widowed",
    },
    "other_debtors": {
        "A101": "none",
        "A102": "co-applicant",
        "A103": "guarantor",
    },
    "property": {
        "A121": "real estate",
        "A122": "building society savings agreement / life insurance",
        "A123": "car or other",
        "A124": "unknown / no property",
    },
    "other_installment_plans": {
        "A141": "bank",
        "A142": "stores",
        "A143": "none",
    },
    "housing": {
        "A151": "rent",
        "A152": "own",
        "A153": "for free",
    },
    "job": {
        "A171": "unemployed / unskilled - non-resident",
        "A172": "unskilled - resident",
        "A173": "skilled employee / official",
        "A174": "management / self-employed / highly qualified employee / officer",
    },
    "telephone": {
        "A191": "none",
        "A192": "yes, registered under the customer's name",
    },
    "foreign_worker": {
        "A201": "yes",
        "A202": "no",
    },
}
_FEMALE_CODES = ("A92", "A95")  # A91, A93, A94 are male

DESCR = """\
Statlog (German Credit Data)
============================

1,000 credit applicants of a German bank, each classified as a good (700) or bad (300)
credit risk. 20 attributes: 13 qualitative (decoded here from the UCI symbol codes
A11 ... A202 into readable pandas categoricals) and 7 numerical (duration in months,
credit amount in DM, instalment rate in % of disposable income, years at present
residence, age in years, number of existing credits at this bank, number of people liable
to provide maintenance for).

Target: good_credit, 1 = good, 0 = bad (the raw file uses 1 = good, 2 = bad).

Sensitive features (derived from the data columns, which are kept):
- sex: from personal status (A91, A93, A94 -> "Male"; A92, A95 -> "Female"); 690 / 310.
  Code A95 (female: single) does not occur in the data.
- age_group: "<25" (149) or ">=25" (851), from age in years.

Source: uci-tabular/uciml/data/german-credit.csv of
github.com/jpmorganchase/dropout-rashomon-set-exploration (commit
5d64b3b80fc7ca61d65625764ed0f8182af791a9; sha256
ec12a88b9fc14d74ba646ea0410cf7ff4533bec2eb61652f8ad76796bbfec017), the raw UCI
"german.data" layout without header, shipped byte-identical (gzip-compressed). The
decoding table is this package's own, written from the UCI attribute documentation.
UCI page: https://archive.ics.uci.edu/dataset/144/statlog+german+credit+data

Licence: CC BY 4.0 (UCI Machine Learning Repository); see
multiplicity/datasets/LICENSES/German_Credit_CC-BY-4.0.txt.

Citation: H. Hofmann (1994). Statlog (German Credit Data). UCI Machine Learning
Repository. doi:10.24432/C5NC77. Used in Hsu, Li, Hu and Chen (ICLR 2024), "Dropout-Based
Rashomon Set Exploration for Efficient Predictive Multiplicity Estimation".

Note: UCI recommends a cost matrix (classifying a bad customer as good costs 5, the
reverse 1); this loader does not apply it.
"""


def _decode(raw: pd.DataFrame) -> pd.DataFrame:
    """Readable categoricals for the coded attributes, ``int64`` for the numerical ones."""
    data = {}
    for name in _COLUMNS:
        column = raw[name]
        if name in _CODES:
            mapping = _CODES[name]
            unknown = set(column.unique()) - set(mapping)
            if unknown:  # pragma: no cover - the bundled file is fixed
                raise ValueError(f"unexpected codes in {name}: {sorted(unknown)}")
            values = [mapping[code] for code in column.tolist()]
            data[name] = pd.Categorical(values, categories=list(mapping.values()))
        else:
            data[name] = column.astype(np.int64)
    return pd.DataFrame(data, index=raw.index)


def load_german_credit(*, return_X_y: bool = False) -> Bunch | tuple[pd.DataFrame, pd.Series]:
    """Load the UCI Statlog German Credit data (1,000 applicants, 700 good credit risks).

    The 13 qualitative attributes are decoded from the UCI symbol codes (``A11``,
    ``A12``, ...) into readable :class:`pandas.Categorical` columns; the 7 numerical
    attributes are ``int64``. Bundled with the package; no network access.

    =================  =====================================
    Samples            1,000
    Features           20 (13 categorical, 7 integer)
    Target             1 = good credit (700), 0 = bad (300)
    Sensitive features ``sex`` (2 groups), ``age_group`` (2 groups)
    =================  =====================================

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with attributes

        data : pandas.DataFrame of shape (1000, 20)
            Columns in UCI order: ``checking_account``, ``duration_months``,
            ``credit_history``, ``purpose``, ``credit_amount``, ``savings``,
            ``employment_since``, ``installment_rate``, ``personal_status_sex``,
            ``other_debtors``, ``residence_since``, ``property``, ``age``,
            ``other_installment_plans``, ``housing``, ``existing_credits``, ``job``,
            ``people_liable``, ``telephone``, ``foreign_worker``.
        target : pandas.Series of shape (1000,)
            ``good_credit``: 1 = good, 0 = bad. The raw file codes good as 1 and bad as 2.
        sensitive_features : pandas.DataFrame of shape (1000, 2)
            ``sex`` (categorical ``"Female"``/``"Male"``; codes A91, A93, A94 are male,
            A92, A95 female) and ``age_group`` (ordered categorical ``"<25"``/``">=25"``).
            Both are derived from columns that stay in ``data``.
        feature_names : list of str
            The 20 feature column names.
        target_names : numpy.ndarray of shape (2,)
            ``["bad", "good"]`` for target 0 and 1.
        frame : pandas.DataFrame of shape (1000, 21)
            ``data`` and ``target`` side by side.
        DESCR : str
            Full description with source, licence and citation.
    (data, target) : tuple
        Returned instead when ``return_X_y`` is True.

    See Also
    --------
    load_compas : Another tabular benchmark with sensitive features.

    Notes
    -----
    Source: ``uci-tabular/uciml/data/german-credit.csv`` of
    github.com/jpmorganchase/dropout-rashomon-set-exploration (commit
    5d64b3b80fc7ca61d65625764ed0f8182af791a9), the raw UCI ``german.data`` layout,
    byte-identical and gzip-compressed. The decoding of the symbol codes is this package's
    own, written from the UCI attribute documentation; codes A47 (vacation) and A95
    (female: single) do not occur and are not categories. Licence: CC BY 4.0 (UCI Machine
    Learning Repository).

    Cite H. Hofmann (1994), "Statlog (German Credit Data)", UCI Machine Learning Repository,
    doi:10.24432/C5NC77.

    Examples
    --------
    >>> from multiplicity.datasets import load_german_credit
    >>> german = load_german_credit()
    >>> german.data.shape
    (1000, 20)
    >>> int(german.target.sum())
    700
    >>> german.sensitive_features["sex"].value_counts().sort_index().tolist()
    [310, 690]
    >>> str(german.data.loc[0, "purpose"])
    'radio/television'
    """
    raw = read_bundled_csv(_FILE, header=None)
    raw.columns = [*_COLUMNS, _TARGET]
    label = raw[_TARGET].to_numpy()
    if set(np.unique(label).tolist()) != {1, 2}:  # pragma: no cover - the bundled file is fixed
        raise ValueError("german credit label must be coded 1 (good) / 2 (bad)")
    data = _decode(raw)
    target = pd.Series((label == 1).astype(np.int64), index=raw.index, name=_TARGET)
    if return_X_y:
        return data, target

    codes = raw["personal_status_sex"].to_numpy()
    sex = pd.Categorical(
        np.where(np.isin(codes, _FEMALE_CODES), "Female", "Male"),
        categories=["Female", "Male"],
    )
    age_group = pd.Categorical(
        np.where(data["age"].to_numpy() < 25, "<25", ">=25"),
        categories=["<25", ">=25"],
        ordered=True,
    )
    sensitive = pd.DataFrame({"sex": sex, "age_group": age_group}, index=data.index)
    return Bunch(
        data=data,
        target=target,
        sensitive_features=sensitive,
        feature_names=list(data.columns),
        target_names=np.array(["bad", "good"], dtype=object),
        frame=pd.concat([data, target], axis=1),
        DESCR=DESCR,
    )
