"""Scenario schema, loading and validation."""

from mineralgame.config.load import Problem, ScenarioError, load_scenario
from mineralgame.config.schema import Scenario

__all__ = ["Problem", "Scenario", "ScenarioError", "load_scenario"]
