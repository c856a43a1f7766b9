"""Market clearing."""

from mineralgame.market.clearing import clear_market
from mineralgame.market.problem import Flows, MarketInput, MarketResult

__all__ = ["Flows", "MarketInput", "MarketResult", "clear_market"]
