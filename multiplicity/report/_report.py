"""AuditReport: the results of :func:`audit` and their HTML, Markdown and JSON renderings."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import _render

__all__ = ["AuditReport", "Figure", "Section"]


@dataclass(frozen=True)
class Figure:
    """One PNG figure of a section."""

    name: str
    caption: str
    png: bytes = field(repr=False)


@dataclass
class Section:
    """One part of the report.

    ``paragraphs`` are plain text (escaped when rendered), ``numbers`` the figures the
    text quotes (machine-readable; every one goes to JSON), ``tables`` named DataFrames
    with a caption, ``figures`` PNGs.
    """

    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, tuple[str, pd.DataFrame]] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    status: str = "done"  # "done", "skipped" or "not available"


def jsonable(value: Any) -> Any:
    """``value`` with NumPy scalars/arrays, tuples and NaN/inf turned into JSON types."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, pd.DataFrame):
        return table_to_dict(value)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, int | str):
        return value
    return str(value)


def table_to_dict(df: pd.DataFrame) -> dict[str, Any]:
    """A DataFrame as ``{"index": [...], "columns": [...], "data": [[...], ...]}``."""
    return {
        "index_name": jsonable(df.index.name),
        "index": jsonable(list(df.index)),
        "columns": jsonable(list(df.columns)),
        "data": [[jsonable(v) for v in row] for row in df.itertuples(index=False, name=None)],
    }


@dataclass(eq=False)
class AuditReport:
    """Results of :func:`multiplicity.report.audit`, ready to read, render or export.

    Attributes
    ----------
    title : str
    subject : str
        Plural noun for the people (or items) the model decides about, used in the text.
    parameters : dict
        Everything needed to regenerate the report: the estimator (``repr`` and
        parameters), ``epsilon``, ``n_models``, the resolved ``random_state`` and the other
        settings of :func:`audit`.
    data : dict
        Size, features, classes and a SHA-256 fingerprint of ``X`` and ``y``.
    sections : list of Section
        In report order; ids ``overview``, ``multiplicity``, ``exact``, ``groups``,
        ``abstention``, ``importance``, ``annotations``, ``notes``, ``reproduce``. A
        regression audit (``parameters["task"] == "regression"``) has no ``abstention``
        and ``importance``; its ``exact`` section holds the ridge / least-squares ranges.
    headline : DataFrame
        What :meth:`summary` returns.
    version : str
        ``multiplicity.__version__`` that produced the report.
    created : str
        UTC time stamp (the only part of the renderings that changes between runs).
    notes : list of str
        Warnings raised while auditing and methods that were skipped, with the reason.
    rashomon_set : RashomonSet
        The sampled Rashomon set the measures are computed on.
    profile : MultiplicityProfile or RegressionProfile
        Its profile on the measured data (a ``RegressionProfile`` for regressors).
    explorer : RetrainingExplorer or None
        The fitted explorer (every candidate, not only the set); the explorer the audit
        was given, or None when it was given a RashomonSet or a list of models.
    per_person_table : DataFrame or None
        What :meth:`per_person` returns.
    lead : str or None
        The line under the title; None for an audit (the data, model and settings).
    """

    title: str
    subject: str
    parameters: dict[str, Any]
    data: dict[str, Any]
    sections: list[Section]
    headline: pd.DataFrame
    version: str
    created: str
    notes: list[str]
    rashomon_set: Any = field(repr=False, default=None)
    profile: Any = field(repr=False, default=None)
    explorer: Any = field(repr=False, default=None)
    per_person_table: Any = field(repr=False, default=None)
    lead: str | None = None

    # ------------------------------------------------------------------ access
    def summary(self) -> pd.DataFrame:
        """Headline figures: one row per measure with ``value`` and ``meaning``.

        Returns
        -------
        DataFrame
            Index: measure names (``ambiguity``, ``discrepancy``, ``abstention_rate``, ...);
            columns ``value`` (float, NaN where the measure was not computed) and
            ``meaning`` (one plain-language sentence).
        """
        return self.headline.copy()

    def per_person(self) -> pd.DataFrame:
        """One row per person of the audited data, ready to join back onto it.

        The rows are those the measures are reported on (``X_test`` when the audit was
        given held-out data, else ``X``), with their index (a ``RangeIndex`` for NumPy
        input), so ``X_test.join(report.per_person())`` lines them up.

        Returns
        -------
        DataFrame
            ``prediction`` (the baseline model's class), ``y_true``, ``flipped`` (some
            model of the set predicts another class), ``models_disagreeing`` (how many),
            ``self_consistency``; for two classes ``vpr_class`` (the class whose
            probability the range is about), ``vpr_low`` and ``vpr_high`` (the viable
            prediction range over the sampled set) and, when the logistic level set ran,
            ``exact_vpr_low`` and ``exact_vpr_high``; ``abstained`` (the selective
            ensemble declines to decide) and one ``group:<name>`` column per sensitive
            feature. ``attrs["measured_on"]`` is ``"X_test"`` or ``"X"``. For a
            regression: the columns of ``RegressionProfile.to_frame()``
            (``baseline_prediction``, ``range_min``, ``range_max``, ``range_width``,
            ``moved``, ``decision_ambiguous`` with a threshold, ``y_true``), then
            ``exact_range_min`` and ``exact_range_max`` when the ridge level set ran, and
            the ``group:<name>`` columns.

        Notes
        -----
        ``report.per_person().to_csv("per_person.csv")`` writes it for another tool;
        ``multiplicity audit --per-person FILE`` does the same from the command line.
        """
        if self.per_person_table is None:
            raise ValueError("this report has no per-person table (it was not produced "
                             "by audit())")
        out = self.per_person_table.copy()
        out.attrs = dict(self.per_person_table.attrs)
        return out

    def section(self, section_id: str) -> Section:
        """The section with id ``section_id`` (``KeyError`` if there is none)."""
        for sec in self.sections:
            if sec.id == section_id:
                return sec
        raise KeyError(f"no section {section_id!r}; the report has "
                       f"{[s.id for s in self.sections]}")

    def __repr__(self) -> str:
        return (f"AuditReport({self.title!r}, n_samples={self.data.get('n_samples')}, "
                f"sections={[s.id for s in self.sections]})")

    # ------------------------------------------------------------------ export
    def to_dict(self, *, per_sample: bool = False) -> dict[str, Any]:
        """Every number of the report as plain JSON types (NaN and infinity -> None).

        Parameters
        ----------
        per_sample : bool, default=False
            Also include the per-sample table of the profile (``profile.to_frame()``:
            ambiguous flag, self-consistency, viable prediction range, Rashomon
            capacity, and the baseline prediction for every row of ``X``).
        """
        out: dict[str, Any] = {
            "format": "multiplicity-audit-report/1",
            "title": self.title,
            "subject": self.subject,
            "multiplicity_version": self.version,
            "created_utc": self.created,
            "parameters": jsonable(self.parameters),
            "data": jsonable(self.data),
            "summary": table_to_dict(self.headline),
            "sections": {
                s.id: {"title": s.title, "status": s.status, "text": list(s.paragraphs),
                       "numbers": jsonable(s.numbers),
                       "tables": {k: {"caption": cap, **table_to_dict(df)}
                                  for k, (cap, df) in s.tables.items()},
                       "figures": [{"name": f.name, "caption": f.caption}
                                   for f in s.figures]}
                for s in self.sections},
            "notes": list(self.notes),
        }
        if per_sample and self.profile is not None:
            out["per_sample"] = table_to_dict(self.profile.to_frame())
        return out

    def to_json(self, path: str | Path | None = None, *, per_sample: bool = False,
                indent: int | None = 2) -> str:
        """Write (when ``path`` is given) and return the report as JSON.

        All numbers are included (NaN written as ``null``), with the package version,
        the parameters and the ``random_state`` needed to regenerate the report.
        Figures are not included (see :meth:`to_html` or :meth:`to_markdown`).
        """
        text = json.dumps(self.to_dict(per_sample=per_sample), indent=indent,
                          allow_nan=False, ensure_ascii=False)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    def to_html(self, path: str | Path | None = None) -> str:
        """Write (when ``path`` is given) and return one self-contained HTML page.

        Figures are embedded as base64 PNG and the style sheet is inline: the file loads
        nothing from the network and needs no JavaScript. Each part of the report is a
        ``<section>`` whose ``id`` is the section id (``#multiplicity``, ``#groups``, ...).
        """
        text = _render.html(self)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def to_markdown(self, path: str | Path) -> str:
        """Write the report as Markdown at ``path``, figures as PNG files beside it.

        The figures are named ``<stem>_<figure>.png`` (``report.md`` ->
        ``report_profile.png``, ...) and linked relatively. Returns the Markdown text.
        """
        path = Path(path)
        files = {}
        for sec in self.sections:
            for fig in sec.figures:
                name = f"{path.stem}_{fig.name}.png"
                (path.parent / name).write_bytes(fig.png)
                files[fig.name] = name
        text = _render.markdown(self, files)
        path.write_text(text, encoding="utf-8")
        return text
