"""Small real data sets bundled with ``multiplicity`` (no network access needed).

Each loader returns a fresh :class:`sklearn.utils.Bunch` on every call, with a ``DESCR``
that states the source, licence and citation. Licence texts and notices are in
``multiplicity/datasets/LICENSES/``.

- :func:`load_compas`: COMPAS two-year recidivism, 12 binary features (TreeFARMS, BSD-3-Clause).
- :func:`load_german_credit`: UCI Statlog German Credit, decoded (CC BY 4.0).
- :func:`load_anaesthesia`: Dawid & Skene (1979) ratings, 45 patients x 5 observers (MIT).
- :func:`load_goemotions_disagreement`: GoEmotions per-rater sentiment labels, Ni et al.
  (2025) subsets (Apache-2.0 data, MIT repository).
"""

from __future__ import annotations

from ._anaesthesia import load_anaesthesia
from ._compas import load_compas
from ._german import load_german_credit
from ._goemotions import load_goemotions_disagreement

__all__ = [
    "load_anaesthesia",
    "load_compas",
    "load_german_credit",
    "load_goemotions_disagreement",
]
