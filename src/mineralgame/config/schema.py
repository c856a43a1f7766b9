"""Typed, frozen, validated scenario schema.

Every parameter carries its unit and a description next to it (``Field(description=...)``);
defaults live here and nowhere else. YAML is parsed once at the boundary (``config.load``)
into these records; the rest of the code never sees a raw dict.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field, model_validator

from mineralgame.config.negotiation import NegotiationConfig
from mineralgame.config.types import Frozen, NonNeg, Pos, PosShare, Share

Role = Literal["member", "supplier", "dominant", "rest_of_world"]
Stage = Literal["ore", "refined"]
EventKind = Literal[
    "export_ban",
    "export_licensing",
    "export_quota",
    "ore_export_ban",
    "tariff",
    "disruption",
    "demand_shock",
    "tech_export_ban",
    "news",
]

# The tuples are read off the literals so the two spellings cannot drift apart.
ROLES: tuple[Role, ...] = get_args(Role)
STAGES: tuple[Stage, ...] = get_args(Stage)
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)


class MineralSpec(Frozen):
    """Market and technology parameters of one mineral (both stages)."""

    unit: str = Field(description="Physical unit of quantities, e.g. 't Li content'.")
    refined_price_usd_per_t: Pos = Field(description="Base-year (2024) refined price [USD/t].")
    ore_price_share: Share = Field(
        default=0.5, description="Base ore (concentrate) price as a share of refined price [-]."
    )
    mining_cost_share: Share = Field(
        default=0.6,
        description="Cash cost of nominal mine output as a share of the base ore price [-].",
    )
    refining_cost_share: Share = Field(
        default=0.25,
        description="Conversion cost of refining as a share of the base refined price [-].",
    )
    headroom_cost_multiple: Annotated[float, Field(ge=1.0)] = Field(
        default=1.15,
        description="Cost of output above nominal (idle capacity) relative to the base price [-].",
    )
    refined_per_ore: Pos = Field(
        default=1.0,
        description=(
            "Tonnes of refined product (in the refined scope) per tonne of mined content at "
            "technology 1.0; calibrates scope differences (e.g. magnet REE within total REO) [t/t]."
        ),
    )
    demand_elasticity: Annotated[float, Field(le=0.0, ge=-3.0)] = Field(
        default=-0.2, description="Short-run price elasticity of demand [-]."
    )
    value_of_lost_supply_multiple: Annotated[float, Field(ge=1.0)] = Field(
        default=4.0,
        description="Value of lost supply (essential demand) as a multiple of the base price [-].",
    )
    essential_share: Share = Field(
        default=0.6, description="Share of demand valued at the value of lost supply [-]."
    )
    reserve_replacement: Annotated[float, Field(ge=0.0, le=2.0)] = Field(
        default=0.8,
        description=(
            "New reserves proven per tonne mined (exploration), where a country already has "
            "reserves; 1 keeps reserves constant [t/t]."
        ),
    )
    recycling_rate: Share = Field(
        default=0.0,
        description="Secondary supply as a share of the previous round's consumption [-].",
    )
    demand_growth: dict[int, Pos] = Field(
        default_factory=dict,
        description="Demand multiple of the base year by calendar year (IEA STEPS), interpolated.",
    )
    mine_capex_usd_per_tpy: Pos = Field(description="Capex of new mine capacity [USD per t/yr].")
    refinery_capex_usd_per_tpy: Pos = Field(
        description="Capex of new refining capacity [USD per t/yr]."
    )
    mine_lead_time_rounds: Annotated[int, Field(ge=0, le=40)] = Field(
        default=6, description="Rounds from investment decision to mine output [rounds]."
    )
    refinery_lead_time_rounds: Annotated[int, Field(ge=0, le=40)] = Field(
        default=3, description="Rounds from investment decision to refinery output [rounds]."
    )
    transport_inter_share: Share = Field(
        default=0.04,
        description="Freight between regions as a share of base price; within a region 0 [-].",
    )


class CountryMineral(Frozen):
    """A country's endowment in one mineral at the start of the run."""

    reserves_t: NonNeg = Field(default=0.0, description="Economic reserves [t].")
    mine_output_t: NonNeg = Field(default=0.0, description="Base-year nominal mine output [t/yr].")
    mine_capacity_t: NonNeg | None = Field(
        default=None, description="Mine capacity [t/yr]; default output / utilisation."
    )
    refining_output_t: NonNeg = Field(
        default=0.0, description="Base-year nominal refined output [t/yr] (refined scope)."
    )
    refining_capacity_t: NonNeg | None = Field(
        default=None, description="Refining capacity [t/yr]; default output / utilisation."
    )
    technology: Annotated[float, Field(gt=0.0, le=1.5)] = Field(
        default=0.8, description="Refining technology level (1.0 = frontier) [-]."
    )
    demand_t: NonNeg = Field(default=0.0, description="Base-year consumption [t/yr].")
    stockpile_t: NonNeg = Field(default=0.0, description="Initial stockpile [t].")
    cost_factor: Pos = Field(default=1.0, description="Mining cost relative to the norm [-].")

    @model_validator(mode="after")
    def _capacity_covers_output(self) -> CountryMineral:
        if self.mine_capacity_t is not None and self.mine_capacity_t < self.mine_output_t:
            raise ValueError(
                "mine_capacity_t is below mine_output_t; raise the capacity or lower the output"
            )
        if self.refining_capacity_t is not None and self.refining_capacity_t < (
            self.refining_output_t
        ):
            raise ValueError(
                "refining_capacity_t is below refining_output_t; "
                "raise the capacity or lower the output"
            )
        return self


class Preferences(Frozen):
    """Policy weights of a country (normalised when used)."""

    cost: NonNeg = Field(default=1.0, description="Weight on cost [-].")
    security: NonNeg = Field(default=1.0, description="Weight on supply security [-].")
    esg: NonNeg = Field(default=0.5, description="Weight on ESG standards [-].")
    alignment: NonNeg = Field(default=0.5, description="Weight on geopolitical alignment [-].")


class CountrySpec(Frozen):
    """One country agent."""

    name: str = Field(description="Display name.")
    role: Role = Field(description="Agent role.")
    region: str = Field(description="Geographic region (sets freight costs and price regions).")
    budget_usd_per_round: NonNeg = Field(
        default=0.0, description="Budget available for deals and stockpiles [USD/round]."
    )
    strategy: str | None = Field(
        default=None, description="Strategy for member states; default: the run's strategy."
    )
    stockpile_target_days: NonNeg | None = Field(
        default=None, description="National stockpile target, overriding the strategy's [days]."
    )
    esg_rating: Share = Field(default=0.5, description="ESG rating of projects hosted [-].")
    preferences: Preferences = Field(
        default_factory=Preferences, description="Policy weights (cost, security, ESG, alignment)."
    )
    minerals: dict[str, CountryMineral] = Field(
        default_factory=dict, description="Endowment by mineral name; absent = none."
    )


class StrategyParams(Frozen):
    """Member-state strategy as a parameter set (bau, derisk, decouple are instances)."""

    dependence_cap: Share = Field(
        default=1.0,
        description=(
            "Target cap on the share of consumption refined by any one foreign country [-]."
        ),
    )
    cap_phase_in_rounds: Annotated[int, Field(ge=1)] = Field(
        default=5, description="Rounds over which the cap tightens from 1.0 to its target [rounds]."
    )
    security_premium: NonNeg = Field(
        default=0.0,
        description="Levy per tonne imported above the cap, as a share of base price [-].",
    )
    banned_counterparties: tuple[str, ...] = Field(
        default=(),
        description="Countries or groups banned as refined suppliers after the phase-out.",
    )
    phase_out_rounds: Annotated[int, Field(ge=1)] = Field(
        default=8, description="Rounds to phase out purchases from banned counterparties [rounds]."
    )
    stockpile_target_days: NonNeg = Field(default=0.0, description="Stockpile target [days].")
    stockpile_release_threshold: Share = Field(
        default=0.02, description="Shortfall share above which the stockpile is drawn [-]."
    )
    refill_price_multiple: NonNeg = Field(
        default=1.1, description="Highest price, relative to base, paid to refill stock [-]."
    )
    investment_share: Share = Field(
        default=0.0, description="Share of the budget invested in new supply each round [-]."
    )
    invest_with_groups: tuple[str, ...] = Field(
        default=(),
        description="Groups whose members host the investments (friend-shoring); empty = any.",
    )
    offtake_share: Share = Field(
        default=0.5, description="Share of an invested project's output taken by the investor [-]."
    )


class DominantPolicy(Frozen):
    """Policy of the dominant processor."""

    retaliation: bool = Field(default=True, description="Retaliate against decoupling members.")
    retaliation_licence_share: Share = Field(
        default=0.5,
        description="Share of normal refined exports licensed to a retaliated-against member [-].",
    )
    retaliation_minerals: tuple[str, ...] = Field(
        default=(), description="Minerals subject to retaliation; empty = all."
    )
    undercut: bool = Field(default=True, description="Undercut prices against new entrants.")
    undercut_trigger_share: Share = Field(
        default=0.05,
        description=(
            "Growth of non-dominant refining capacity (share of world) that triggers it [-]."
        ),
    )
    undercut_cost_cut: Share = Field(
        default=0.2, description="Cut in the dominant's refining cost while undercutting [-]."
    )


class EventSpec(Frozen):
    """A scheduled event (shock or policy)."""

    kind: EventKind = Field(description="What happens.")
    year: int | None = Field(default=None, description="Calendar year it starts (or use round).")
    round: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="Round it starts (0 = first round)."
    )
    duration_rounds: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="How long it lasts [rounds]; empty = to the end."
    )
    actor: str = Field(description="Country imposing or suffering it (ISO3 code).")
    minerals: tuple[str, ...] = Field(default=(), description="Minerals affected; empty = all.")
    stage: Stage = Field(default="refined", description="Stage affected.")
    targets: tuple[str, ...] = Field(
        default=(), description="Destination countries or groups; empty = everyone else."
    )
    share: NonNeg = Field(
        default=0.0,
        description=(
            "Magnitude: licensing = share of exports still licensed [-]; tariff = ad valorem "
            "rate [-]; disruption = share of capacity lost [-]; demand_shock = multiple [-]."
        ),
    )
    quota_t: NonNeg | None = Field(default=None, description="Export quota [t/yr].")
    description: str = Field(default="", description="What it is.")
    source: str = Field(default="", description="Where it comes from.")

    @model_validator(mode="after")
    def _when(self) -> EventSpec:
        if (self.year is None) == (self.round is None):
            raise ValueError(
                "has both or neither of 'year' and 'round'; "
                "give exactly one of them for when the event starts"
            )
        if self.kind == "export_quota" and self.quota_t is None:
            raise ValueError("an export_quota event needs quota_t; add quota_t (tonnes per year)")
        if self.kind in ("export_licensing", "disruption") and self.share > 1.0:
            raise ValueError(
                f"share of a {self.kind} event must be between 0 and 1; write a share such as 0.5"
            )
        return self


class StochasticShocks(Frozen):
    """Random shocks drawn from the model's generator each round."""

    disruption_probability: Share = Field(
        default=0.02, description="Chance per producing country, mineral and round [-]."
    )
    disruption_severity: tuple[Share, Share] = Field(
        default=(0.1, 0.4), description="Range of mine capacity lost in a disruption [-]."
    )
    export_control_hazard: Share = Field(
        default=0.0,
        description="Chance per round that the dominant licenses one mineral to rival blocs [-].",
    )
    export_control_share: Share = Field(
        default=0.5, description="Share of exports licensed in such a random control [-]."
    )
    export_control_duration_rounds: Annotated[int, Field(ge=1)] = Field(
        default=2, description="Duration of a random export control [rounds]."
    )

    @model_validator(mode="after")
    def _ordered(self) -> StochasticShocks:
        lo, hi = self.disruption_severity
        if lo > hi:
            raise ValueError(
                "disruption_severity must be [low, high] with low <= high; swap the two values"
            )
        return self


class Scenario(Frozen):
    """A complete scenario: world, agents, strategies, policies and events."""

    name: str = Field(description="Scenario name.")
    description: str = Field(default="", description="What the scenario is about.")
    start_year: Annotated[int, Field(ge=1990, le=2100)] = Field(
        default=2025, description="Calendar year of round 0."
    )
    rounds: Annotated[int, Field(ge=1, le=200)] = Field(
        default=16, description="Number of rounds [rounds]."
    )
    years_per_round: Pos = Field(default=1.0, description="Length of a round [years].")
    utilisation: PosShare = Field(
        default=0.85, description="Default capacity utilisation of base-year output [-]."
    )
    dominant: str = Field(description="ISO3 code of the dominant processor.")
    minerals: dict[str, MineralSpec] = Field(description="Minerals by name.")
    countries: dict[str, CountrySpec] = Field(description="Countries by ISO3 code.")
    groups: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="Alliances and blocs: group name -> member codes."
    )
    rival_bloc: tuple[str, ...] = Field(
        default=(),
        description="Countries/groups treated as rivals by the dominant processor's controls.",
    )
    strategies: dict[str, StrategyParams] = Field(
        default_factory=dict, description="Strategy parameter sets by name."
    )
    default_strategy: str = Field(default="bau", description="Strategy of member states.")
    dominant_policy: DominantPolicy = Field(
        default_factory=DominantPolicy, description="Policy of the dominant processor."
    )
    shocks: StochasticShocks = Field(
        default_factory=StochasticShocks, description="Random shocks drawn each round."
    )
    events: tuple[EventSpec, ...] = Field(default=(), description="Scheduled events.")
    negotiation: NegotiationConfig = Field(
        default_factory=NegotiationConfig,
        description="Negotiation layer settings (see the negotiation sections below).",
    )
