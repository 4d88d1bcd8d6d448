"""multiplicity: measure predictive multiplicity and annotation disagreement.

Subpackages
-----------
metrics
    Array measures over a set of models: ambiguity, discrepancy, Rashomon capacity, ...
rashomon
    Rashomon sets of models: explorers that find them and profiles that measure them.
ensemble
    Selective ensembles that abstain where the choice of model is arbitrary.
annotation
    Annotation disagreement: the Annotations container and agreement coefficients.
explain
    Explanations across a Rashomon set: feature-importance ranges, interaction clouds.
datasets
    Small real data sets shipped with the package (no network needed).
report
    ``audit()``: the whole audit of one model as an HTML, Markdown or JSON report.
"""

from ._config import config_context, get_config, set_config
from ._version import __version__

__all__ = [
    "AnnotatorEmbeddingClassifier",
    "__version__", "annotation", "config_context", "datasets", "ensemble", "explain",
    "get_config", "metrics", "rashomon", "report", "set_config",
]


def __getattr__(name: str):
    # Subpackages load on first use, so `import multiplicity` stays light.
    if name in {"metrics", "datasets", "rashomon", "ensemble", "annotation",
                "explain", "report"}:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    if name == "AnnotatorEmbeddingClassifier":
        from .annotation import AnnotatorEmbeddingClassifier

        return AnnotatorEmbeddingClassifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
