"""mineralgame: a multi-agent negotiation game of critical-minerals supply chains."""

__version__ = "0.1.0"

from mineralgame.api import RunRecord, open_record, run
from mineralgame.config import Scenario, ScenarioError, load_scenario

__all__ = [
    "RunRecord",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load_scenario",
    "open_record",
    "run",
]
