"""The Mesa model: ``step()`` only sequences the named phases of a round."""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from mineralgame import policies, shocks, supply
from mineralgame.agents import AGENT_CLASSES, Country, MemberState
from mineralgame.config.schema import EventSpec, Scenario
from mineralgame.deals import NegotiationLayer
from mineralgame.decisions import Decision, EventDecision, LeverDecision, apply_levers
from mineralgame.recorder import Recorder
from mineralgame.shocks import MineralRules
from mineralgame.state import build_state
from mineralgame.trade import Contract, TradeOutcome, produce_and_trade


class MineralModel(mesa.Model):  # type: ignore[misc]
    """Critical-minerals supply chains with strategies, shocks and negotiation.

    Randomness: ``rng=seed`` seeds Mesa's generators; mechanisms draw from streams spawned
    from ``SeedSequence(seed)`` (shocks first), so shocks do not depend on what else draws.

    ``tables=False`` keeps only what the run scalars (``summary()``) need: the flows,
    sources, prices and projects tables and the negotiation logs are not built. The run
    itself is the same (a test compares the scalars with and without tables).
    """

    def __init__(
        self,
        scenario: Scenario,
        strategy: str | None = None,
        rng: int = 0,
        decisions: list[Decision] | None = None,
        humans: tuple[str, ...] = (),
        tables: bool = True,
    ) -> None:
        super().__init__(rng=rng)
        self.decisions = list(decisions or [])
        # Countries played by people (classroom): bots never decide for them; their answers
        # to offers and their own offers arrive as decisions.
        self.humans = tuple(sorted(humans))
        self.cfg = scenario
        self.run_strategy = strategy or scenario.default_strategy
        self.seed = rng
        shock_ss, negotiation_ss = np.random.SeedSequence(rng).spawn(2)
        self.shock_rng = np.random.default_rng(shock_ss)
        self.negotiation_rng = np.random.default_rng(negotiation_ss)
        self.state = build_state(scenario)
        self.round = -1
        self.rpr = scenario.years_per_round
        self.lasting_events: list[EventSpec] = []
        self.projects: list[supply.Project] = []
        self.rules: dict[str, MineralRules] = {}
        self.outcomes: dict[str, TradeOutcome] = {}
        self.investment_spend = np.zeros(len(self.state.codes))
        self.dependence: dict[str, np.ndarray] = {}
        self.price_ratio: dict[str, float] = {}
        self.recorder = Recorder(self, tables)
        self.countries: list[Country] = []
        for i, code in enumerate(self.state.codes):
            spec = scenario.countries[code]
            name, params = policies.strategy_of(code, scenario, self.run_strategy)
            self.countries.append(AGENT_CLASSES[spec.role](self, code, spec, i, name, params))
        supply.seed_pipeline(scenario, self.state)
        self.negotiation = NegotiationLayer(self)

    @property
    def members(self) -> list[MemberState]:
        """Member-state agents in country order."""
        return [a for a in self.countries if isinstance(a, MemberState)]

    def step(self) -> None:
        """One round: shocks, policy, negotiation, build, produce and trade, account."""
        self.round += 1
        self.phase_shocks()
        self.phase_policy()
        self.phase_negotiation()
        self.phase_build()
        self.phase_produce_and_trade()
        self.phase_account_and_record()

    def phase_shocks(self) -> None:
        """Scheduled events and random shocks become this round's rules."""
        self.rules = shocks.empty_rules(self.state)
        injected = [
            d.event.model_copy(update={"round": self.round, "year": None})
            for d in self.decisions
            if isinstance(d, EventDecision) and d.round == self.round
        ]
        self.lasting_events.extend(injected)
        events = [*self.cfg.events, *self.lasting_events]
        rows = shocks.scheduled(self.round, self.cfg, self.state, self.rules, events)
        random_rows, lasting = shocks.stochastic(
            self.round, self.cfg, self.state, self.rules, self.shock_rng
        )
        for event in lasting:
            shocks.apply_event(event, self.rules, self.cfg, self.state)
        self.lasting_events.extend(lasting)
        self.recorder.events.extend(rows + random_rows)

    def phase_policy(self) -> None:
        """Strategies set caps, bans, stock orders and investment; the dominant responds."""
        self._apply_lever_decisions()
        decouplers = []
        for agent in self.members:
            policies.apply_strategy(
                self.round, agent.index, agent.params, self.cfg, self.state, self.rules
            )
            dominant = self.state.codes[self.state.dominant]
            if dominant in shocks.resolve(agent.params.banned_counterparties, self.cfg):
                decouplers.append(agent.index)
        rows = policies.retaliate(self.round, self.cfg, self.state, self.rules, decouplers)
        rows += policies.undercut(self.round, self.cfg, self.state, self.rules)
        self.recorder.events.extend(rows)
        self.investment_spend = np.zeros(len(self.state.codes))
        for agent in self.members:
            self._invest(agent)

    def _apply_lever_decisions(self) -> None:
        by_code = {a.code: a for a in self.countries}
        for d in self.decisions:
            if isinstance(d, LeverDecision) and d.round == self.round and d.country in by_code:
                agent = by_code[d.country]
                agent.params = apply_levers(agent.params, d.levers)
                self.recorder.events.append(
                    shocks.event_row(
                        self.round,
                        self.cfg,
                        kind="decision",
                        actor=d.country,
                        description=f"levers set: {sorted(d.levers.items())}",
                        source="decision",
                    )
                )

    def _invest(self, agent: MemberState) -> None:
        budget = agent.budget_usd * agent.params.investment_share
        if budget <= 0:
            return
        mineral = self._most_exposed_mineral(agent.index)
        groups = agent.params.invest_with_groups
        candidates = shocks.resolve(groups, self.cfg) if groups else list(self.state.codes)
        banned = set(shocks.resolve(agent.params.banned_counterparties, self.cfg))
        host = supply.choose_host(
            mineral, agent.code, [c for c in candidates if c not in banned], self.state
        )
        if host is None:
            return
        project = supply.plan_project(
            self.round,
            agent.code,
            mineral,
            host,
            budget,
            agent.params.offtake_share,
            self.cfg,
            self.state,
            len(self.projects),
        )
        if project is not None:
            self.projects.append(project)
            self.investment_spend[agent.index] += project.capex_usd

    def _most_exposed_mineral(self, member: int) -> str:
        """The mineral whose consumption depends most on the dominant (ties by name)."""
        scores = {m: float(dep[member]) for m, dep in sorted(self.dependence.items())}
        if not scores:
            return sorted(self.state.minerals)[0]
        return max(sorted(scores), key=lambda m: scores[m])

    def phase_negotiation(self) -> None:
        """Agents choose partners and negotiate deals and pacts (``deals.NegotiationLayer``).

        Signed deals become ``Project`` entries (``self.projects``) and contracts that the
        build and trade phases honour; transferred technology raises ``state`` technology.
        Countries in ``self.humans`` are never decided for by bots: offers to them are
        recorded as pending and take effect only when a later ``OfferDecision`` answers them.
        """
        if self.cfg.negotiation.enabled:
            self.negotiation.run(self)

    def phase_build(self) -> None:
        """Capacity ordered earlier comes online; producers order new capacity."""
        supply.commission(self.round, self.state, self.projects, self.cfg)
        supply.order_capacity(self.round, self.cfg, self.state, self.price_ratio)

    def _contracts(self, mineral: str) -> list[Contract]:
        spec = self.cfg.minerals[mineral]
        out = []
        for p in self.projects:
            if p.source != "strategy":
                continue  # deal projects deliver through the negotiation layer's contracts
            if p.mineral == mineral and p.online(self.round) and p.offtake_share > 0:
                tonnes = p.offtake_share * p.capacity_t * self.cfg.utilisation
                out.append(
                    Contract(
                        p.project_id,
                        self.state.index(p.host),
                        self.state.index(p.owner),
                        tonnes,
                        spec.refined_price_usd_per_t,
                    )
                )
        if self.cfg.negotiation.enabled:
            out.extend(self.negotiation.contracts(self, mineral))
        return out

    def phase_produce_and_trade(self) -> None:
        """Contracts first, then each mineral's market clears; stocks drawn and refilled."""
        self.outcomes = {}
        for m in sorted(self.state.minerals):
            spec = self.cfg.minerals[m]
            requirement = self._requirement(m)
            refill, release = self._stock_orders(m, requirement)
            self.outcomes[m] = produce_and_trade(
                self.state,
                m,
                spec,
                self.rules[m],
                requirement,
                refill,
                release,
                self._contracts(m),
                self.rpr,
            )

    def _requirement(self, mineral: str) -> np.ndarray:
        spec = self.cfg.minerals[mineral]
        year = self.cfg.start_year + self.round * self.rpr
        growth = supply.growth_multiple(spec, year, self.cfg.start_year)
        ms = self.state.minerals[mineral]
        return np.asarray(
            ms.base_demand * growth * self.rules[mineral].demand_multiplier * self.rpr, dtype=float
        )

    def _stock_orders(
        self, mineral: str, requirement: np.ndarray
    ) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
        n = len(self.state.codes)
        qty, wtp, release = np.zeros(n), np.zeros(n), np.full(n, 1.0)
        price = self.cfg.minerals[mineral].refined_price_usd_per_t
        stock = self.state.minerals[mineral].stock
        for agent in self.countries:
            i = agent.index
            order = policies.stock_order(
                i,
                agent.stockpile_target_days,
                agent.params,
                price,
                float(requirement[i]) / self.rpr,
                float(stock[i]),
            )
            qty[i], wtp[i], release[i] = order.qty, order.wtp, order.release_threshold
        return (qty, wtp), release

    def phase_account_and_record(self) -> None:
        """Measures of the round go into the record."""
        self.recorder.record_round()

    def summary(self) -> dict[str, Any]:
        """Run scalars."""
        return self.recorder.summary()
