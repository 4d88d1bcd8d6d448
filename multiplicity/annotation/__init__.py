"""Annotation disagreement: the Annotations container, agreement coefficients, inference.

Containers: :class:`Annotations`. Coefficients (each returns a float):
:func:`krippendorff_alpha`, :func:`fleiss_kappa`, :func:`cohen_kappa`, :func:`scott_pi`,
:func:`gwet_ac1`, :func:`brennan_prediger`, :func:`conger_kappa`,
:func:`percent_agreement`, :func:`intraclass_correlation`. Inference: :func:`agreement`.
Per item: :func:`item_disagreement`, :func:`soft_labels`.
"""

from ._agreement import agreement
from ._alpha import krippendorff_alpha
from ._chance import (
    brennan_prediger,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    gwet_ac1,
    percent_agreement,
    scott_pi,
    weight_matrix,
)
from ._container import Annotations
from ._icc import intraclass_correlation
from ._items import item_disagreement, soft_labels

__all__ = [
    "Annotations", "agreement", "brennan_prediger", "cohen_kappa", "conger_kappa",
    "fleiss_kappa", "gwet_ac1", "intraclass_correlation", "item_disagreement",
    "krippendorff_alpha", "percent_agreement", "scott_pi", "soft_labels", "weight_matrix",
]
