"""Annotation disagreement: the Annotations container, agreement coefficients, inference.

Containers: :class:`Annotations`, and :class:`DaskAnnotations` for annotations kept on a
dask cluster. Coefficients (each returns a float):
:func:`krippendorff_alpha`, :func:`fleiss_kappa`, :func:`cohen_kappa`, :func:`scott_pi`,
:func:`gwet_ac1`, :func:`brennan_prediger`, :func:`conger_kappa`,
:func:`percent_agreement`, :func:`intraclass_correlation`. Inference: :func:`agreement`.
Per item: :func:`item_disagreement`, :func:`soft_labels`. Set-valued labels:
:meth:`Annotations.binary`, :func:`tag_agreement`, :func:`masi_distance`,
:func:`jaccard_distance`. Ordered labels with annotator bias: :class:`AdditiveBias`.
Automatic annotators (an LLM judge, a classifier) against people: :func:`alt_test`,
:func:`candidate_agreement`, :func:`candidate_distribution_scores` (with
:func:`calibration_table` and :func:`plot_calibration`), and :func:`labeler_multiplicity`
for how much their labels change with the prompt, seed or version.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - for type checkers and the API docs
    from ._aggregation import DawidSkene, MajorityVote
    from ._agreement import agreement
    from ._alpha import Distance, krippendorff_alpha
    from ._alt_test import AltTestResult, alt_test
    from ._belief import belief_conflict, discounted_belief_fusion
    from ._candidate_agreement import CandidateAgreement, candidate_agreement
    from ._candidate_distribution import (
        calibration_table,
        candidate_distribution_scores,
        plot_calibration,
    )
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
    from ._dask import DaskAnnotations
    from ._embedding import AnnotatorEmbeddingClassifier
    from ._glad_mace import GLAD, MACE
    from ._icc import intraclass_correlation
    from ._items import item_disagreement, soft_labels
    from ._labelers import LabelerMultiplicity, labeler_multiplicity
    from ._ordinal import AdditiveBias
    from ._profile import DisagreementProfile
    from ._scores import (
        disagreement_f1,
        manhattan_distance,
        normalized_absolute_distance,
        perspectivist_error_rate,
        soft_cross_entropy,
        variance_correlation,
        wasserstein_distance,
    )
    from ._set_distances import jaccard_distance, masi_distance
    from ._tags import tag_agreement

# Public name -> module that defines it. Every name loads on first access, so that a
# script that computes one coefficient imports only that coefficient's module (and not
# scikit-learn, pandas or Numba unless its input needs them).
_LAZY = {
    "AdditiveBias": "._ordinal",
    "jaccard_distance": "._set_distances",
    "masi_distance": "._set_distances",
    "tag_agreement": "._tags",
    "AltTestResult": "._alt_test",
    "CandidateAgreement": "._candidate_agreement",
    "LabelerMultiplicity": "._labelers",
    "alt_test": "._alt_test",
    "candidate_agreement": "._candidate_agreement",
    "calibration_table": "._candidate_distribution",
    "candidate_distribution_scores": "._candidate_distribution",
    "plot_calibration": "._candidate_distribution",
    "labeler_multiplicity": "._labelers",
    "AnnotatorEmbeddingClassifier": "._embedding",
    "Annotations": "._container",
    "DaskAnnotations": "._dask",
    "DawidSkene": "._aggregation",
    "DisagreementProfile": "._profile",
    "Distance": "._alpha",
    "GLAD": "._glad_mace",
    "MACE": "._glad_mace",
    "MajorityVote": "._aggregation",
    "agreement": "._agreement",
    "belief_conflict": "._belief",
    "brennan_prediger": "._chance",
    "cohen_kappa": "._chance",
    "conger_kappa": "._chance",
    "disagreement_f1": "._scores",
    "discounted_belief_fusion": "._belief",
    "fleiss_kappa": "._chance",
    "gwet_ac1": "._chance",
    "intraclass_correlation": "._icc",
    "item_disagreement": "._items",
    "krippendorff_alpha": "._alpha",
    "manhattan_distance": "._scores",
    "normalized_absolute_distance": "._scores",
    "percent_agreement": "._chance",
    "perspectivist_error_rate": "._scores",
    "scott_pi": "._chance",
    "soft_cross_entropy": "._scores",
    "soft_labels": "._items",
    "variance_correlation": "._scores",
    "wasserstein_distance": "._scores",
    "weight_matrix": "._chance",
}

__all__ = [
    "GLAD",
    "MACE",
    "AdditiveBias",
    "AltTestResult",
    "Annotations",
    "AnnotatorEmbeddingClassifier",
    "CandidateAgreement",
    "DaskAnnotations",
    "DawidSkene",
    "DisagreementProfile",
    "Distance",
    "LabelerMultiplicity",
    "MajorityVote",
    "agreement",
    "alt_test",
    "belief_conflict",
    "brennan_prediger",
    "calibration_table",
    "candidate_agreement",
    "candidate_distribution_scores",
    "cohen_kappa",
    "conger_kappa",
    "disagreement_f1",
    "discounted_belief_fusion",
    "fleiss_kappa",
    "gwet_ac1",
    "intraclass_correlation",
    "item_disagreement",
    "jaccard_distance",
    "krippendorff_alpha",
    "labeler_multiplicity",
    "manhattan_distance",
    "masi_distance",
    "normalized_absolute_distance",
    "percent_agreement",
    "perspectivist_error_rate",
    "plot_calibration",
    "scott_pi",
    "soft_cross_entropy",
    "soft_labels",
    "tag_agreement",
    "variance_correlation",
    "wasserstein_distance",
    "weight_matrix",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    # The public names, loaded or not, and the private ones; not the helpers imported here.
    return sorted(set(__all__) | {n for n in globals() if n.startswith("_")})
