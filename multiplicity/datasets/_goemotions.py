"""GoEmotions per-rater sentiment-group labels, subsets of Ni et al. (2025)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from ._base import check_option, read_bundled_csv

GROUPS = ("positive", "negative", "ambiguous")
SUBSETS = ("random", "high_variance")
_FILES = {"random": "goemotions_random.csv.gz", "high_variance": "goemotions_high_variance.csv.gz"}

DESCR = """\
GoEmotions annotator disagreement (Ni et al. 2025 test subsets)
===============================================================

English Reddit comments from GoEmotions (Demszky et al. 2020), each labelled by 4-5
raters with any of 27 emotions or neutral. Ni et al. (2025) group the labels into
sentiment groups and ask whether a model can predict the share of raters who assign the
group. For one group (positive, negative or ambiguous) this loader returns the per-rater
binary label: 1 if the rater chose at least one emotion of the group.

Groups (checked against the emotion columns of the source files):
- positive: admiration, amusement, approval, caring, desire, excitement, gratitude, joy,
  love, optimism, pride, relief
- negative: anger, annoyance, disappointment, disapproval, disgust, embarrassment, fear,
  grief, nervousness, remorse, sadness
- ambiguous: confusion, curiosity, realization, surprise AND neutral (in these files
  the "ambiguous" list is 1 exactly when one of these five is chosen; GoEmotions' own
  sentiment mapping does not include neutral)

Subsets (one source file per group and subset):
- random ("Random", test_goe_<group>_rnd.csv): 1,000 comments, the same comments, raters
  and labels for all three groups (897 items with 5 raters, 103 with 4); 80 raters.
- high_variance ("HighVar", test_goe_<group>_dis.csv): 200 comments chosen per group
  for high disagreement, so the items differ between groups.

Columns: item (0-based row of the comment in the source file), annotator (GoEmotions
rater id), label (0/1 for the chosen group), very_unclear (1 if the rater flagged the
comment as very unclear; such raters chose no emotion, so their label is 0).
prob_positive is the source file's column: the share of raters with label 1 for the
file's group (verified equal to the mean of the labels).

Source: test_data/test_goe_{positive,negative,ambiguous}_{rnd,dis}.csv of
github.com/EdisonNi-hku/Disagreement_Prediction (commit
007d0fe6d797d27860beae6498b8cf6316459d16), reduced by scripts/build_datasets.py to the
rater ids, the three group labels, the unclear flag, prob_positive and the full text (the
28 emotion and 7 Ekman columns are dropped).

Licences: GoEmotions data Apache-2.0 (Google Research, Hugging Face dataset card
google-research-datasets/go_emotions); the Ni et al. repository MIT, Copyright (c) 2025
EdisonNi-hku. See multiplicity/datasets/LICENSES/GoEmotions_NOTICE.txt and
LICENSES/Apache-2.0.txt. The texts are public Reddit comments and may be offensive.

Citations:
- D. Demszky, D. Movshovitz-Attias, J. Ko, A. Cowen, G. Nemade, S. Ravi (2020).
  GoEmotions: A Dataset of Fine-Grained Emotions. ACL 2020. arXiv:2005.00547.
- J. Ni et al. (2025). Can Large Language Models Capture Human Annotator Disagreements?
  arXiv:2506.19467.
"""


def load_goemotions_disagreement(
    group: Literal["positive", "negative", "ambiguous"] = "positive",
    subset: Literal["random", "high_variance"] = "random",
) -> Bunch:
    """Load per-rater GoEmotions sentiment labels (Ni et al. 2025 disagreement subsets).

    Reddit comments from GoEmotions, each labelled by 4-5 raters. For the chosen sentiment
    ``group`` every rater's label is 1 if they picked at least one emotion of that group.
    Bundled with the package; no network access.

    ===================  ==================  ===================
    ``subset``           ``"random"``        ``"high_variance"``
    Items                1,000               200
    Ratings (positive)   4,897               983
    Raters per item      4-5                 4-5
    ===================  ==================  ===================

    Parameters
    ----------
    group : {"positive", "negative", "ambiguous"}, default="positive"
        Sentiment group whose per-rater label is returned. ``"ambiguous"`` covers
        confusion, curiosity, realization, surprise and also neutral (as in the source
        files).
    subset : {"random", "high_variance"}, default="random"
        ``"random"``: the 1,000-comment "Random" test set (the same comments for every
        group). ``"high_variance"``: the 200-comment "HighVar" test set selected for the
        group, so its comments differ between groups.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with attributes

        data : pandas.DataFrame of shape (n_ratings, 4)
            Long format, one row per (item, rater): ``item`` (int, the 0-based row of the
            comment in the source file), ``annotator`` (int, GoEmotions rater id),
            ``label`` (int 0/1 for ``group``) and ``very_unclear`` (int 0/1, the rater
            flagged the comment as very unclear and chose no emotion).
        item_table : pandas.DataFrame of shape (n_items, 3)
            Indexed by ``item``: ``text`` (the full comment), ``prob_positive`` (the
            source file's share of raters with label 1, equal to the mean of ``label``
            over the item's raters) and ``n_raters``. Named ``item_table`` rather than
            ``items`` because a Bunch is a dict and ``bunch.items`` is the dict method.
        group : str
            The ``group`` argument.
        subset : str
            The ``subset`` argument.
        DESCR : str
            Full description with source, licences and citations.

    Raises
    ------
    ValueError
        If ``group`` or ``subset`` is not one of the listed values.

    See Also
    --------
    load_anaesthesia : Ordinal ratings with a repeated annotator.

    Notes
    -----
    Source: ``test_data/test_goe_<group>_<rnd|dis>.csv`` of
    github.com/EdisonNi-hku/Disagreement_Prediction (commit
    007d0fe6d797d27860beae6498b8cf6316459d16). The list-valued columns of those files hold
    one entry per rater, aligned with ``rater_id``; ``scripts/build_datasets.py`` unrolls
    them. Licences: GoEmotions data Apache-2.0; repository MIT, Copyright (c) 2025
    EdisonNi-hku. The texts are public Reddit comments and may be offensive.

    Cite D. Demszky et al. (2020), "GoEmotions: A Dataset of Fine-Grained Emotions", ACL,
    arXiv:2005.00547, and J. Ni et al. (2025), "Can Large Language Models Capture Human
    Annotator Disagreements?", arXiv:2506.19467.

    Examples
    --------
    >>> import numpy as np
    >>> from multiplicity.datasets import load_goemotions_disagreement
    >>> goe = load_goemotions_disagreement(group="negative")
    >>> goe.item_table.shape, goe.data.shape
    ((1000, 3), (4897, 4))
    >>> sorted(goe.data.groupby("item").size().unique().tolist())
    [4, 5]
    >>> shares = goe.data.groupby("item")["label"].mean()
    >>> bool(np.allclose(shares, goe.item_table["prob_positive"]))
    True
    >>> load_goemotions_disagreement(group="ambiguous", subset="high_variance").item_table.shape
    (200, 3)
    """
    check_option(group, "group", GROUPS)
    check_option(subset, "subset", SUBSETS)
    table = read_bundled_csv(_FILES[subset], text_columns=("text",))
    table = table[table["group"] == group]

    data = pd.DataFrame(
        {
            "item": table["item"].to_numpy(dtype=np.int64),
            "annotator": table["rater"].to_numpy(dtype=np.int64),
            "label": table[group].to_numpy(dtype=np.int64),
            "very_unclear": table["very_unclear"].to_numpy(dtype=np.int64),
        }
    )
    n_raters = data.groupby("item").size()
    items = (
        table.drop_duplicates("item")
        .set_index("item")[["text", "prob_positive"]]
        .astype({"prob_positive": np.float64})
    )
    items.index = items.index.astype(np.int64)
    items = items.assign(n_raters=n_raters.reindex(items.index).to_numpy(dtype=np.int64))
    return Bunch(data=data, item_table=items, group=group, subset=subset, DESCR=DESCR)
