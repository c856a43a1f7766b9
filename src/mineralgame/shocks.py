"""Shocks phase: scheduled events and random shocks turned into this round's trade rules.

Random draws are made in a fixed shape every round whatever the state, so two runs with the
same seed and different strategies face the same shocks (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mineralgame.config.schema import EventSpec, Scenario
from mineralgame.market.problem import FloatArray
from mineralgame.state import WorldState


@dataclass
class MineralRules:
    """Trade rules and shocks in force for one mineral this round."""

    ore_export_cap: FloatArray
    ref_export_cap: FloatArray
    capacity_loss: FloatArray
    demand_multiplier: FloatArray
    ore_pair_ban: set[tuple[int, int]] = field(default_factory=set)
    ref_pair_share: dict[tuple[int, int], float] = field(default_factory=dict)
    ref_tariff: dict[tuple[int, int], float] = field(default_factory=dict)
    soft_cap: dict[tuple[int, int], tuple[float, float]] = field(default_factory=dict)
    tech_export_ban: set[int] = field(default_factory=set)
    dominant_cost_cut: float = 0.0

    def limit_pair(self, origin: int, dest: int, share: float) -> None:
        """Tighten the origin→dest refined cap (the strictest rule wins)."""
        key = (origin, dest)
        self.ref_pair_share[key] = min(share, self.ref_pair_share.get(key, np.inf))


def empty_rules(state: WorldState) -> dict[str, MineralRules]:
    """Rules with nothing in force."""
    n = len(state.codes)
    return {
        m: MineralRules(np.full(n, np.inf), np.full(n, np.inf), np.zeros(n), np.ones(n))
        for m in state.minerals
    }


def resolve(names: tuple[str, ...] | list[str], scenario: Scenario, depth: int = 0) -> list[str]:
    """Expand group names into sorted country codes."""
    out: set[str] = set()
    for name in names:
        if name in scenario.countries:
            out.add(name)
        elif name in scenario.groups and depth < 8:
            out.update(resolve(list(scenario.groups[name]), scenario, depth + 1))
    return sorted(out)


def event_window(event: EventSpec, scenario: Scenario) -> tuple[int, float]:
    """Round the event starts (may be negative: already in force) and round it ends."""
    if event.round is not None:
        start = event.round
    else:
        assert event.year is not None
        start = int(np.floor((event.year - scenario.start_year) / scenario.years_per_round))
    end = start + event.duration_rounds if event.duration_rounds is not None else np.inf
    return start, end


def apply_event(
    event: EventSpec, rules: dict[str, MineralRules], scenario: Scenario, state: WorldState
) -> None:
    """Write one active event into the round's rules."""
    actor = state.index(event.actor)
    minerals = list(event.minerals) or list(state.minerals)
    targets = [state.index(c) for c in resolve(event.targets, scenario) if c != event.actor]
    if not event.targets:
        targets = [i for i in range(len(state.codes)) if i != actor]
    for m in minerals:
        if m not in rules:
            continue
        r = rules[m]
        price = scenario.minerals[m].refined_price_usd_per_t
        if event.kind in ("export_ban", "export_licensing"):
            share = 0.0 if event.kind == "export_ban" else event.share
            if event.stage == "refined":
                for t in targets:
                    r.limit_pair(actor, t, share)
            elif share == 0.0 and event.targets:
                r.ore_pair_ban.update((actor, t) for t in targets)
            else:
                cap = share * state.minerals[m].mine_nominal[actor]
                r.ore_export_cap[actor] = min(r.ore_export_cap[actor], cap)
        elif event.kind == "export_quota":
            cap = float(event.quota_t or 0.0) * scenario.years_per_round
            caps = r.ore_export_cap if event.stage == "ore" else r.ref_export_cap
            caps[actor] = min(caps[actor], cap)
        elif event.kind == "ore_export_ban":
            r.ore_export_cap[actor] = 0.0
        elif event.kind == "tariff":
            origins = targets if event.targets else [i for i in range(len(state.codes))]
            for o in origins:
                if o != actor:
                    r.ref_tariff[(o, actor)] = event.share * price
        elif event.kind == "disruption":
            r.capacity_loss[actor] = max(r.capacity_loss[actor], min(event.share, 1.0))
        elif event.kind == "demand_shock":
            for t in [actor, *(targets if event.targets else [])]:
                r.demand_multiplier[t] *= event.share
        elif event.kind == "tech_export_ban":
            r.tech_export_ban.add(actor)


def event_row(rnd: int, scenario: Scenario, **fields: Any) -> dict[str, Any]:
    """One row of the events table."""
    row = {
        "round": rnd,
        "year": scenario.start_year + rnd * scenario.years_per_round,
        "kind": "",
        "actor": "",
        "target": "",
        "mineral": "",
        "stage": "",
        "magnitude": 0.0,
        "description": "",
        "source": "",
    }
    row.update(fields)
    return row


def scheduled(
    rnd: int,
    scenario: Scenario,
    state: WorldState,
    rules: dict[str, MineralRules],
    events: tuple[EventSpec, ...] | list[EventSpec],
) -> list[dict[str, Any]]:
    """Apply the events in force this round; return rows for those starting now."""
    rows = []
    for event in events:
        start, end = event_window(event, scenario)
        if not start <= rnd < end and not (rnd == 0 and start < 0 < end):
            continue
        apply_event(event, rules, scenario, state)
        if start == rnd or (rnd == 0 and start < 0):
            magnitude = event.quota_t if event.kind == "export_quota" else event.share
            rows.append(
                event_row(
                    rnd,
                    scenario,
                    kind=event.kind,
                    actor=event.actor,
                    target=",".join(event.targets),
                    mineral=",".join(event.minerals),
                    stage=event.stage,
                    magnitude=float(magnitude or 0.0),
                    description=event.description or event.kind,
                    source="scheduled" if start == rnd else "scheduled (in force at start)",
                )
            )
    return rows


def stochastic(
    rnd: int,
    scenario: Scenario,
    state: WorldState,
    rules: dict[str, MineralRules],
    rng: np.random.Generator,
) -> tuple[list[dict[str, Any]], list[EventSpec]]:
    """Draw random disruptions and export controls (always the same draws per round).

    Returns the event rows and the new lasting events (random controls), which the caller
    keeps and applies in later rounds through ``scheduled``.
    """
    cfg = scenario.shocks
    names = sorted(state.minerals)
    n = len(state.codes)
    hit = rng.random((len(names), n)) < cfg.disruption_probability
    lo, hi = cfg.disruption_severity
    severity = lo + (hi - lo) * rng.random((len(names), n))
    control = rng.random() < cfg.export_control_hazard
    control_mineral = names[int(rng.integers(len(names)))]
    rows = []
    for k, m in enumerate(names):
        for i in np.flatnonzero(hit[k] & (state.minerals[m].mine_capacity > 0)):
            rules[m].capacity_loss[i] = max(rules[m].capacity_loss[i], severity[k, i])
            rows.append(
                event_row(
                    rnd,
                    scenario,
                    kind="disruption",
                    actor=state.codes[i],
                    mineral=m,
                    stage="ore",
                    magnitude=float(severity[k, i]),
                    description=f"mine disruption: {severity[k, i]:.0%} of capacity lost",
                    source="stochastic",
                )
            )
    lasting: list[EventSpec] = []
    if control and scenario.rival_bloc:
        targets = resolve(scenario.rival_bloc, scenario)
        event = _random_control(rnd, scenario, state, control_mineral, targets)
        lasting.append(event)
        rows.append(
            event_row(
                rnd,
                scenario,
                kind=event.kind,
                actor=event.actor,
                target=",".join(targets),
                mineral=control_mineral,
                stage="refined",
                magnitude=event.share,
                description=event.description,
                source="stochastic",
            )
        )
    return rows, lasting


def _random_control(
    rnd: int, scenario: Scenario, state: WorldState, mineral: str, targets: list[str]
) -> EventSpec:
    return EventSpec(
        kind="export_licensing",
        round=rnd,
        duration_rounds=scenario.shocks.export_control_duration_rounds,
        actor=state.codes[state.dominant],
        minerals=(mineral,),
        targets=tuple(targets),
        share=scenario.shocks.export_control_share,
        description="random export licensing by the dominant processor",
    )
