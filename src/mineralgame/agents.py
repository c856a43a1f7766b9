"""Agents by role: member states, supplier states, the dominant processor, rest of world.

Endowments live in the model's ``WorldState`` arrays (indexed by ``agent.index``) so the
mechanisms can work on plain data; agents hold identity, preferences and levers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from mineralgame.config.schema import CountrySpec, StrategyParams

if TYPE_CHECKING:
    from mineralgame.model import MineralModel


class Country(mesa.Agent):  # type: ignore[misc]
    """A country agent; subclasses name the role."""

    role = "country"

    def __init__(
        self,
        model: MineralModel,
        code: str,
        spec: CountrySpec,
        index: int,
        strategy: str,
        params: StrategyParams,
    ) -> None:
        super().__init__(model)
        self.code = code
        self.spec = spec
        self.index = index
        self.strategy = strategy
        self.params = params
        self.budget_usd = spec.budget_usd_per_round

    def holdings(self, mineral: str) -> dict[str, float]:
        """This country's current reserves, capacities, technology and stock of a mineral."""
        ms = self.model.state.minerals[mineral]
        i = self.index
        return {
            "reserves_t": float(ms.reserves[i]),
            "mine_capacity_t": float(ms.mine_capacity[i]),
            "refining_capacity_t": float(ms.ref_capacity[i]),
            "technology": float(ms.technology[i]),
            "base_demand_t": float(ms.base_demand[i]),
            "stock_t": float(ms.stock[i]),
        }

    @property
    def stockpile_target_days(self) -> float:
        """National target if set, else the strategy's."""
        if self.spec.stockpile_target_days is not None:
            return max(self.spec.stockpile_target_days, self.params.stockpile_target_days)
        return self.params.stockpile_target_days


class MemberState(Country):
    """A member of the dialogues: demand, stockpiles, budget and a strategy."""

    role = "member"


class SupplierState(Country):
    """A supplier: reserves and mines, some refining, resource-nationalist policies."""

    role = "supplier"


class DominantProcessor(Country):
    """The dominant refiner: export controls, retaliation, undercutting."""

    role = "dominant"


class RestOfWorld(Country):
    """Residual so that world totals match the data."""

    role = "rest_of_world"


AGENT_CLASSES: dict[str, type[Country]] = {
    "member": MemberState,
    "supplier": SupplierState,
    "dominant": DominantProcessor,
    "rest_of_world": RestOfWorld,
}
