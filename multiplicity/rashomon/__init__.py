"""Rashomon sets: collections of near-optimal models, explorers that find them, profiles."""

from ._boosting import BoostingExplorer
from ._dask_profile import DaskMultiplicityProfile
from ._dropout import DropoutExplorer
from ._level_set import LevelSetSolveError, LogisticLevelSet
from ._linear_level_set import LinearLevelSet
from ._mip import LinearMIPExplorer, LinearWitness, MIPNotExactWarning
from ._profile import MultiplicityProfile
from ._regression_profile import RegressionProfile
from ._retraining import RetrainingExplorer
from ._set import RashomonSet

__all__ = ["BoostingExplorer", "DaskMultiplicityProfile", "DropoutExplorer",
           "LevelSetSolveError", "LinearLevelSet", "LinearMIPExplorer", "LinearWitness",
           "LogisticLevelSet", "MIPNotExactWarning", "MultiplicityProfile", "RashomonSet",
           "RegressionProfile", "RetrainingExplorer"]
