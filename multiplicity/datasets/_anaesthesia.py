"""Dawid & Skene (1979) anaesthetist ratings of patients' ASA grade."""

from __future__ import annotations

import numpy as np
from sklearn.utils import Bunch

from ._base import read_bundled_csv

_FILE = "anaesthesia_long.csv.gz"

DESCR = """\
Dawid & Skene (1979) anaesthesia ratings
========================================

Five anaesthetists (observers) graded the pre-operative health of 45 patients on the
4-point ASA scale (1 = healthiest ... 4). Observer 1 rated every patient three times, the
other four once each: 45 * (3 + 4) = 315 ratings. This is Table 1 of the paper that
introduced the Dawid-Skene EM model of annotator confusion matrices.

Long format, one row per rating: item (patient 1-45), annotator (observer 1-5),
replicate (1-3; always 1 for observers 2-5), label (ASA grade 1-4).
Label counts: 1: 127, 2: 125, 3: 48, 4: 15.

Known discrepancy: this transcription (Dallas Card) and the R package rater
(data/anesthesia.rda) agree on all 315 ratings except one: patient 7, observer 1 has
replicates [1, 2, 2] here and [1, 1, 2] in rater. Which one matches the printed 1979 table
has not been verified. Dawid-Skene MAP classes are identical under both; the estimated
class marginals are 0.3996/0.4220/0.1118/0.0667 (this file) vs
0.4000/0.4216/0.1118/0.0667.

Source: function generate_sample_data() in dawid_skene.py of github.com/dallascard/
dawid_skene (commit 9f49db72b6e2d7b3162d9c9247be3b68575cc263), transcribed to CSV
(columns patient, observer, replicate, rating; renamed here).

Licence: MIT, Copyright (C) 2014 Dallas Card (see
multiplicity/datasets/LICENSES/Anaesthesia_dawid_skene_MIT.txt).

Citation: A. P. Dawid and A. M. Skene (1979). Maximum Likelihood Estimation of Observer
Error-Rates Using the EM Algorithm. Journal of the Royal Statistical Society, Series C
(Applied Statistics) 28(1):20-28. doi:10.2307/2346806.
"""


def load_anaesthesia() -> Bunch:
    """Load the Dawid & Skene (1979) anaesthesia ratings (315 ratings of 45 patients).

    Five anaesthetists graded 45 patients on the 4-point ASA scale; observer 1 rated
    each patient three times, observers 2-5 once. Bundled with the package; no network
    access.

    =================  =====================================
    Ratings            315
    Items (patients)   45
    Annotators         5 (observer 1: 3 replicates per patient)
    Categories         4 (ASA grade 1-4)
    =================  =====================================

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with attributes

        data : pandas.DataFrame of shape (315, 4)
            Long format, one row per rating, ``int64`` columns ``item`` (patient, 1-45),
            ``annotator`` (observer, 1-5), ``replicate`` (1-3) and ``label``
            (ASA grade, 1-4). Ready for ``Annotations.from_long(data, item="item",
            annotator="annotator", label="label")``; note that observer 1 contributes
            three labels per patient.
        categories : numpy.ndarray of shape (4,)
            ``[1, 2, 3, 4]``.
        DESCR : str
            Full description with source, licence and citation.

    See Also
    --------
    load_goemotions_disagreement : Binary per-rater labels of Reddit comments.

    Notes
    -----
    Table 1 of A. P. Dawid and A. M. Skene (1979), "Maximum Likelihood Estimation of
    Observer Error-Rates Using the EM Algorithm", J. R. Stat. Soc. C 28(1):20-28,
    doi:10.2307/2346806. Transcribed from ``dawid_skene.py`` (``generate_sample_data()``)
    of github.com/dallascard/dawid_skene, commit 9f49db72b6e2d7b3162d9c9247be3b68575cc263;
    licence MIT, Copyright (C) 2014 Dallas Card.

    One cell is uncertain: for patient 7, observer 1 this transcription has the
    replicates ``[1, 2, 2]``, while the R package ``rater`` (``data/anesthesia.rda``) has
    ``[1, 1, 2]``; all other 314 ratings agree. Which one matches the printed table has
    not been verified. Dawid-Skene MAP classes are the same under both variants.

    Examples
    --------
    >>> from multiplicity.datasets import load_anaesthesia
    >>> ratings = load_anaesthesia().data
    >>> ratings.shape
    (315, 4)
    >>> ratings["item"].nunique(), ratings["annotator"].nunique()
    (45, 5)
    >>> ratings.query("item == 7 and annotator == 1")["label"].tolist()
    [1, 2, 2]
    """
    raw = read_bundled_csv(_FILE)
    data = raw.rename(columns={"patient": "item", "observer": "annotator", "rating": "label"})[
        ["item", "annotator", "replicate", "label"]
    ].astype(np.int64)
    return Bunch(
        data=data,
        categories=np.arange(1, 5, dtype=np.int64),
        DESCR=DESCR,
    )
