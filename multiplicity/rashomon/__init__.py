"""Rashomon sets: collections of near-optimal models, explorers that find them, profiles."""

from ._profile import MultiplicityProfile
from ._set import RashomonSet

__all__ = ["MultiplicityProfile", "RashomonSet"]
