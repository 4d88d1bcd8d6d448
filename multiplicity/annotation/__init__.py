"""Annotation disagreement: the Annotations container, agreement coefficients, inference."""

from ._container import Annotations

__all__ = ["Annotations"]
