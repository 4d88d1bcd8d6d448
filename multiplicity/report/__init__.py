"""The audit report: every multiplicity and disagreement measure of one model, explained.

:func:`audit` explores the Rashomon set of an estimator on a data set (by retraining, and
exactly for linear models on small data), measures it overall and by sensitive group,
adds selective-ensemble abstention, feature-importance ranges and, when annotations are
given, annotator agreement and label aggregation, and with an automatic annotator's labels
(``candidate=``) whether it may replace an annotator. :func:`judge_report` reports on an
automatic annotator alone. The :class:`AuditReport` they return renders as one
self-contained HTML page, Markdown with PNG figures, or JSON.
"""

from ._audit import audit
from ._judge import judge_report
from ._report import AuditReport

__all__ = ["AuditReport", "audit", "judge_report"]
