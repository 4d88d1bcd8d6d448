"""Rashomon sets: collections of near-optimal models, explorers that find them, profiles."""

from ._dropout import DropoutExplorer
from ._level_set import LogisticLevelSet
from ._profile import MultiplicityProfile
from ._retraining import RetrainingExplorer
from ._set import RashomonSet

__all__ = ["DropoutExplorer", "LogisticLevelSet", "MultiplicityProfile", "RashomonSet",
           "RetrainingExplorer"]
