"""Typed, frozen settings of the negotiation layer (``Scenario.negotiation``).

Every default of the negotiation layer lives here, with its unit and a description; the
negotiation submodel in ``docs/MODEL.md`` §7.8 gives the equations the parameters enter.
Money inside negotiations is in USD million ($m); shares and multiples are unitless [-].
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from mineralgame.config.types import Frozen, NonNeg, Pos, PosShare, Rate, Share

TechLevels = tuple[float, float, float, float, float, float]


class Doctrine(Frozen):
    """Negotiation side of a member strategy (bau, derisk, decouple are instances).

    Dependence cap, the shadow price above it and banned counterparties come from the
    strategy's ``StrategyParams``; these are the parameters only negotiations use.
    """

    security_weight: NonNeg = Field(
        default=0.0, description="γ: security premium multiplier σ0·X·(1 + γ) on exposure [-]."
    )
    concession_exponent: Pos | None = Field(
        default=None,
        description=(
            "Time-dependent concession exponent e (> 1 Boulware, < 1 conceder) that replaces "
            "the drawn strategy of members of this doctrine; empty = draw from the mix [-]."
        ),
    )
    deal_budget_share: Share = Field(
        default=0.2,
        description="Share of the budget available each round for deal equity and fees [-].",
    )
    dominant_equity_limit: Share = Field(
        default=1.0,
        description=(
            "Hosts in which the dominant processor holds at least this equity in a project of "
            "the mineral are excluded (1 = none excluded) [-]."
        ),
    )


def _doctrines() -> dict[str, Doctrine]:
    return {
        "bau": Doctrine(security_weight=0.0, deal_budget_share=0.2),
        "derisk": Doctrine(security_weight=0.5, concession_exponent=1.5, deal_budget_share=0.3),
        "decouple": Doctrine(
            security_weight=1.0,
            concession_exponent=3.0,
            deal_budget_share=0.4,
            dominant_equity_limit=0.3,
        ),
    }


class DealEconomics(Frozen):
    """Parameters of the deal utilities (offtake-for-investment, offtake, technology)."""

    member_rate: Rate = Field(default=0.04, description="Discount rate of member states [1/yr].")
    supplier_rate: Rate = Field(
        default=0.10, description="Discount rate of supplier states and others [1/yr]."
    )
    dominant_rate: Rate = Field(
        default=0.03, description="Cost of capital of the dominant processor's offers [1/yr]."
    )
    project_return: Rate = Field(
        default=0.04, description="Risk-adjusted project return ρ on equity [1/yr]."
    )
    base_security_premium: NonNeg = Field(
        default=0.1, description="σ0: security value per unit of exposed supply value [-]."
    )
    min_security_premium: NonNeg = Field(
        default=0.08,
        description="Members seek investment and offtake deals only for minerals whose "
        "security premium σ is at least this [-].",
    )
    control_premium: NonNeg = Field(
        default=0.5,
        description="κ: extra security value per unit of the dominant's exports withheld [-].",
    )
    flexibility_cost: NonNeg = Field(
        default=0.08, description="φ: seller's option value of uncommitted output [-]."
    )
    stable_buyer_value: NonNeg = Field(
        default=0.03, description="ψ: seller's value of an assured buyer (offtake deals) [-]."
    )
    sovereignty_cost: NonNeg = Field(
        default=0.8, description="s_h: host's cost s_h·e²·C of foreign equity e [-]."
    )
    holdup_loss: Share = Field(
        default=0.3,
        description="λ: share of equity lost when a host renegotiates (expected hold-up) [-].",
    )
    project_size_share: PosShare = Field(
        default=0.1, description="Project capacity as a share of the investor's requirement [-]."
    )
    reserve_life_years: Pos = Field(
        default=20.0, description="Largest project: host reserves spread over this many [yr]."
    )
    tech_cost_shares: TechLevels = Field(
        default=(0.0, 0.04, 0.08, 0.12, 0.19, 0.27),
        description="c_i(τ): investor's cost of technology levels τ = 0..5, share of capex [-].",
    )
    tech_value_shares: TechLevels = Field(
        default=(0.0, 0.05, 0.11, 0.17, 0.25, 0.33),
        description="v_h(τ): host's value of technology levels τ = 0..5, share of capex [-].",
    )
    tech_gap_reference: Pos = Field(
        default=0.3, description="Technology gap at which v_h(τ) reaches its full value [-]."
    )
    licensor_min_technology: Annotated[float, Field(ge=0.0, le=1.5)] = Field(
        default=0.85, description="Lowest technology level of a licensor [-]."
    )
    min_technology_gap: NonNeg = Field(
        default=0.1, description="Smallest technology gap worth a licence [-]."
    )
    licence_years: Pos = Field(
        default=10.0, description="Years over which a licensee values its cost savings [yr]."
    )
    transfer_cost_share: NonNeg = Field(
        default=0.2, description="c_L: licensor's direct cost at τ = 5, share of the value [-]."
    )
    rent_loss: NonNeg = Field(
        default=1.0,
        description="κ_L: licensor's rent loss per unit of its refining share and value [-].",
    )
    strategic_value_member: NonNeg = Field(
        default=0.2, description="Member licensor's strategic value of a licence, share [-]."
    )
    strategic_value_dominant: NonNeg = Field(
        default=0.3,
        description="Dominant licensor's value of tying a non-rival licensee, share [-].",
    )
    local_content_value: NonNeg = Field(
        default=0.2, description="Licensee's value of full local content, share of value [-]."
    )
    local_content_cost: NonNeg = Field(
        default=0.15, description="Licensor's cost of full local content, share of value [-]."
    )
    offtake_max_share: Share = Field(
        default=0.3, description="Largest offtake contract as a share of the buyer's need [-]."
    )
    retaliation_loss: NonNeg = Field(
        default=0.5,
        description="Host's expected loss, in years of exports to the dominant, from signing "
        "with a member that bans the dominant [yr].",
    )
    tech_lag_rounds: Annotated[int, Field(ge=0, le=10)] = Field(
        default=1, description="Rounds before transferred technology takes effect [rounds]."
    )
    esg_min: Share = Field(
        default=0.4, description="Lowest host ESG rating under a pact's ESG standard [-]."
    )
    esg_weight: NonNeg = Field(
        default=0.05,
        description="Investor's value of host ESG per unit of its ESG preference, share of "
        "capex per rating point above 0.5 [-].",
    )


class RivalOffers(Frozen):
    """The dominant processor's posted offers to supplier states (deal D)."""

    enabled: bool = Field(default=True, description="The dominant posts rival offers.")
    offtake: Share = Field(default=0.5, description="Offtake share q of its offers [-].")
    price: Pos = Field(
        default=1.05, description="Price π of its offers, multiple of the index [-]."
    )
    duration_years: Annotated[int, Field(ge=1)] = Field(
        default=10, description="Duration d of its offers [yr]."
    )
    equity: Share = Field(default=0.3, description="Equity share e of its offers [-].")
    generosity_step: NonNeg = Field(
        default=0.05,
        description="Rise of its price π per member deal signed in the host (competition) [-].",
    )
    max_price: Pos = Field(default=1.2, description="Highest price π it offers [-].")
    max_offers: Annotated[int, Field(ge=0)] = Field(
        default=4, description="Offers posted per round (hosts with the largest reserves) [-]."
    )
    hosts_accept: bool = Field(
        default=True,
        description="Hosts without a member deal take a rival offer worth more than no deal.",
    )
    retaliation_rounds: Annotated[int, Field(ge=0)] = Field(
        default=3,
        description="Rounds the dominant withholds offers from hosts that signed with a "
        "member banning it [rounds].",
    )


class Renegotiation(Frozen):
    """Renegotiation hazard of signed deals (the obsolescing bargain)."""

    enabled: bool = Field(default=True, description="Hosts may renegotiate signed deals.")
    hazard_supplier: Share = Field(
        default=0.03, description="Base hazard per round of a supplier host's deal [1/round]."
    )
    hazard_member: Share = Field(
        default=0.0, description="Base hazard per round of a member host's deal [1/round]."
    )
    nationalism: dict[str, NonNeg] = Field(
        default_factory=dict,
        description="Resource-nationalism multiplier of the hazard by ISO3 code (default 1) [-].",
    )
    price_sensitivity: NonNeg = Field(
        default=1.0, description="Hazard × (index / base price)^this: high prices tempt [-]."
    )
    equity_protection: Share = Field(
        default=0.5, description="Hazard cut per unit of investor equity / 0.49 [-]."
    )
    tech_protection: Share = Field(
        default=0.5, description="Hazard cut per unit of technology level τ / 5 [-]."
    )


class Information(Frozen):
    """What agents know when they choose partners."""

    reservations: Literal["private", "public"] = Field(
        default="private",
        description="public: openers know partners' reservation values; private: estimates.",
    )
    batna_noise: NonNeg = Field(
        default=0.1,
        description="Relative noise (sd) of a private estimate of the partner's reservation [-].",
    )


class PactRules(Frozen):
    """Pacts: joint stockpile, price floor, member preference, ESG standard, joint fund."""

    initial: tuple[str, ...] = Field(
        default=(), description="Groups (alliances) that start as pacts; empty = no pacts."
    )
    terms_every_rounds: Annotated[int, Field(ge=1)] = Field(
        default=4, description="Pact terms are negotiated in round 0 and every this [rounds]."
    )
    quota: Literal["unanimity", "two_thirds", "majority"] = Field(
        default="two_thirds",
        description="Votes needed to adopt pact terms (under unanimity a member with little "
        "at stake can block a joint stockpile; outvoted members may leave).",
    )
    iterations: Annotated[int, Field(ge=1)] = Field(
        default=60, description="Mediator proposals (single text) or rounds (Baron-Ferejohn)."
    )
    hysteresis: NonNeg = Field(
        default=0.02,
        description="Gain needed to join or leave, share of the country's exposed import "
        "value (or output value for producers) [-].",
    )
    logit_lambda: NonNeg | None = Field(
        default=None, description="Logit noise λ of membership moves; empty = deterministic [-]."
    )
    revisions_per_round: Annotated[int, Field(ge=0)] = Field(
        default=2, description="Membership revision opportunities per pact and round [-]."
    )
    shapley_exact_limit: Annotated[int, Field(ge=1, le=15)] = Field(
        default=10,
        description="Largest pact whose Shapley shares are computed exactly (2^n coalitions); "
        "larger pacts sample permutations [-].",
    )
    shapley_samples: Annotated[int, Field(ge=10)] = Field(
        default=400, description="Permutations sampled for the Shapley shares of large pacts."
    )
    cost_rule: Literal["shapley", "proportional", "equal"] = Field(
        default="shapley", description="How the pact's costs are shared among members."
    )
    correlation: Share = Field(
        default=0.3, description="ρ: correlation of members' supply risks (pooling) [-]."
    )
    holding_cost: NonNeg = Field(
        default=0.1, description="Cost of holding stock per year, share of its value [1/yr]."
    )
    fixed_cost: NonNeg = Field(
        default=20.0, description="Fixed cost of a joint stockpile facility [$m/yr]."
    )
    spillover: Share = Field(
        default=0.5, description="Share of the pact's security benefit outsiders enjoy [-]."
    )
    outsider_penalty: NonNeg = Field(
        default=0.0, description="Penalty on outsiders, share of their exposed value [-]."
    )
    emergency_share: Share = Field(
        default=0.2,
        description="Share of pact producers' refined output shared with members in an "
        "emergency (supply cut by the dominant or shortfall) [-].",
    )
    floor_volatility: NonNeg = Field(
        default=0.3, description="Price volatility used to value a price floor (put) [-]."
    )
    esg_compliance_cost: NonNeg = Field(
        default=0.02,
        description="Producer's cost of the ESG standard per rating point below it, share "
        "of its output value [-].",
    )
    fund_cap_rounds: NonNeg = Field(
        default=2.0,
        description="Members stop paying into the joint fund while it holds more than this "
        "many rounds of contributions [rounds].",
    )
    fund_cofinance: Share = Field(
        default=0.5, description="Share of a member's deal equity the joint fund can match [-]."
    )


class NegotiationConfig(Frozen):
    """Negotiation layer: protocols, strategies, partner choice, deals and pacts."""

    enabled: bool = Field(default=True, description="Run the negotiation phase.")
    protocol: Literal["alternating_offers", "nash"] = Field(
        default="alternating_offers", description="Protocol of bilateral deals."
    )
    pact_protocol: Literal["single_text", "baron_ferejohn"] = Field(
        default="single_text", description="Protocol of pact terms."
    )
    deadline_rounds: Annotated[int, Field(ge=1, le=200)] = Field(
        default=20, description="T: offers each party may make in a session [offers]."
    )
    discount: PosShare = Field(
        default=1.0, description="δ: discount factor per move (1 = none) [-]."
    )
    breakdown_probability: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        default=0.0, description="Chance talks break down after each rejection [-]."
    )
    first_mover: Literal["random", "opener", "responder"] = Field(
        default="random", description="Who moves first in a bilateral session (recorded)."
    )
    acceptance: str = Field(
        default="ac_combi", description="Acceptance rule: ac_next, ac_const, ac_time, ac_combi."
    )
    acceptance_time: Share = Field(
        default=0.95, description="T': relative time after which AC_time/AC_combi apply [-]."
    )
    offer_policy: str = Field(
        default="similarity",
        description="Offer selection: similarity, random_in_band, at_target, best.",
    )
    strategy_mix: dict[str, dict[str, NonNeg]] = Field(
        default_factory=lambda: {
            "member": {"boulware": 1.0, "linear": 1.0, "tit_for_tat": 1.0},
            "supplier": {"boulware": 1.0, "linear": 1.0},
            "dominant": {"boulware": 1.0},
        },
        description="Strategy weights by role, drawn once per agent (registry names).",
    )
    deal_types: tuple[Literal["investment", "offtake", "tech"], ...] = Field(
        default=("investment", "offtake", "tech"),
        description="Bilateral deal types agents seek (investment, offtake, tech).",
    )
    shortlist: Annotated[int, Field(ge=1, le=100)] = Field(
        default=6,
        description="Partners an agent values per deal type and mineral (largest reserves, "
        "refined output or refining capacity first) [-].",
    )
    sessions_per_agent: Annotated[int, Field(ge=0, le=20)] = Field(
        default=2, description="k: most sessions an agent opens or joins per round [-]."
    )
    cooldown_rounds: Annotated[int, Field(ge=0)] = Field(
        default=2, description="Rounds before a failed pair reopens the same deal [rounds]."
    )
    doctrines: dict[str, Doctrine] = Field(
        default_factory=_doctrines,
        description="Negotiation doctrine by strategy name (unknown strategies: the bau "
        "doctrine). Defaults: bau γ 0, budget 0.2; derisk γ 0.5, e 1.5, budget 0.3; decouple "
        "γ 1, e 3, budget 0.4, dominant equity limit 0.3.",
    )
    deals: DealEconomics = Field(
        default_factory=DealEconomics, description="Deal utility parameters."
    )
    rival: RivalOffers = Field(
        default_factory=RivalOffers, description="The dominant's rival offers."
    )
    renegotiation: Renegotiation = Field(
        default_factory=Renegotiation, description="Renegotiation hazard of signed deals."
    )
    information: Information = Field(
        default_factory=Information, description="Information settings."
    )
    pacts: PactRules = Field(default_factory=PactRules, description="Pact rules.")

    @model_validator(mode="after")
    def _mix_has_weight(self) -> NegotiationConfig:
        for role, mix in self.strategy_mix.items():
            if mix and sum(mix.values()) <= 0:
                raise ValueError(
                    f"strategy_mix.{role} has no positive weight; give at least one strategy "
                    "a weight above 0"
                )
        return self

    def doctrine(self, strategy: str) -> Doctrine:
        """The doctrine of a strategy (the ``bau`` doctrine, or defaults, if not listed)."""
        found = self.doctrines.get(strategy) or self.doctrines.get("bau")
        return found if found is not None else Doctrine()
