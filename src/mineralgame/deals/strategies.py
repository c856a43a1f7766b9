"""Each agent's bargaining strategy, drawn once per run from the scenario's mix by role.

Members whose doctrine sets a concession exponent use time-dependent concession with it
(derisking and decoupling as parameter sets over the same strategies); everyone else draws a
registry strategy with the mix's weights (names sorted, so the draw is reproducible).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mineralgame.negotiation import Strategy, TimeDependent, make_strategy

if TYPE_CHECKING:
    from mineralgame.model import MineralModel

__all__ = ["draw_strategies"]

FALLBACK = "linear"


def draw_strategies(model: MineralModel) -> tuple[dict[int, Strategy], dict[int, str]]:
    """Strategy objects and their names by country index (draws from ``negotiation_rng``)."""
    cfg = model.cfg.negotiation
    rng: np.random.Generator = model.negotiation_rng
    strategies: dict[int, Strategy] = {}
    names: dict[int, str] = {}
    for agent in model.countries:
        mix = {k: v for k, v in cfg.strategy_mix.get(agent.role, {}).items() if v > 0}
        options = sorted(mix) or [FALLBACK]
        weights = np.array([mix.get(o, 1.0) for o in options], dtype=float)
        name = options[int(rng.choice(len(options), p=weights / weights.sum()))]
        strategy = make_strategy(name)
        exponent = cfg.doctrine(agent.strategy).concession_exponent
        if agent.role == "member" and exponent is not None:
            strategy, name = TimeDependent(exponent=exponent), f"time_dependent({exponent:g})"
        strategies[agent.index], names[agent.index] = strategy, name
    return strategies, names
