"""Cross-reference checks on a validated scenario.

The schema (``config.schema``) checks each record on its own: types, units, ranges. The small,
named checks here look across records: that every name a field refers to (a country, mineral,
group or strategy) is defined, that the timing of events fits the run, and that every mineral
has a supply chain. Each check returns ``Problem`` records that say which field is wrong, what
is wrong and how to fix it (with a "did you mean" for misspelt names); ``check_scenario`` runs
them all and returns the problems de-duplicated, in a fixed order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import pairwise

from mineralgame.config.load import Problem, did_you_mean
from mineralgame.config.schema import Scenario

Check = Callable[[Scenario, str], Iterable[Problem]]

BUILT_IN_STRATEGIES = ("bau", "derisk", "decouple")
FIRST_YEAR, LAST_YEAR = 1990, 2100
_MAX_LISTED = 12
_PARTY_WHERE = "`countries` or `groups`"


def _unknown(
    file: str, path: str, kind: str, name: str, known: Iterable[str], where: str
) -> Problem:
    """A problem for a name that refers to nothing defined, with a close match if any."""
    names = sorted(set(known))
    match = did_you_mean(name, names)
    if match:
        fix = f"did you mean '{match}'?"
    elif not names:
        fix = f"define it under {where} first"
    elif len(names) <= _MAX_LISTED:
        fix = f"use one defined under {where}: {', '.join(names)}"
    else:
        fix = f"use one defined under {where}"
    return Problem(file, path, f"unknown {kind} '{name}'", fix)


def _parties(s: Scenario) -> set[str]:
    """Names that may stand for countries: country codes and group names."""
    return set(s.countries) | set(s.groups)


def _check_party_list(file: str, path: str, names: Iterable[str], s: Scenario) -> Iterator[Problem]:
    known = _parties(s)
    for i, name in enumerate(names):
        if name not in known:
            yield _unknown(file, f"{path}.{i}", "country or group", name, known, _PARTY_WHERE)


def check_dominant(s: Scenario, file: str) -> Iterator[Problem]:
    """``dominant`` names a country whose role is dominant, and no other country is dominant."""
    if s.dominant not in s.countries:
        yield _unknown(file, "dominant", "country", s.dominant, s.countries, "`countries`")
        return
    role = s.countries[s.dominant].role
    if role != "dominant":
        msg = f"is '{role}', but {s.dominant} is the scenario's `dominant` processor"
        yield Problem(file, f"countries.{s.dominant}.role", msg, "set role: dominant")
    for code, country in s.countries.items():
        if country.role == "dominant" and code != s.dominant:
            msg = f"is 'dominant', but the scenario's `dominant` is {s.dominant}"
            fix = "exactly one country may have role dominant; give this one another role"
            yield Problem(file, f"countries.{code}.role", msg, fix)


def check_country_minerals(s: Scenario, file: str) -> Iterator[Problem]:
    """Every mineral a country lists is defined under ``minerals``."""
    for code, country in s.countries.items():
        for mineral in country.minerals:
            if mineral not in s.minerals:
                path = f"countries.{code}.minerals.{mineral}"
                yield _unknown(file, path, "mineral", mineral, s.minerals, "`minerals`")


def _group_cycle(groups: Mapping[str, tuple[str, ...]], start: str) -> list[str] | None:
    """Return a chain of groups from ``start`` back to itself, or None."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        name, chain = stack.pop()
        for member in groups.get(name, ()):
            if member == start:
                return [*chain, start]
            if member in groups and member not in seen:
                seen.add(member)
                stack.append((member, [*chain, member]))
    return None


def check_groups(s: Scenario, file: str) -> Iterator[Problem]:
    """Group members are known countries or groups; no group contains itself."""
    for name, members in s.groups.items():
        if name in s.countries:
            msg = f"group '{name}' has the same name as a country"
            yield Problem(file, f"groups.{name}", msg, "rename the group")
        yield from _check_party_list(file, f"groups.{name}", members, s)
        cycle = _group_cycle(s.groups, name)
        if cycle and min(cycle) == name:
            msg = f"group contains itself ({' -> '.join(cycle)})"
            yield Problem(file, f"groups.{name}", msg, "remove the member that closes the loop")


def check_rival_bloc(s: Scenario, file: str) -> Iterator[Problem]:
    """``rival_bloc`` names known countries or groups."""
    yield from _check_party_list(file, "rival_bloc", s.rival_bloc, s)


def check_event_references(s: Scenario, file: str) -> Iterator[Problem]:
    """Each event's actor is a country; its minerals and targets are defined."""
    for i, event in enumerate(s.events):
        path = f"events.{i}"
        if event.actor in s.groups and event.actor not in s.countries:
            msg = f"'{event.actor}' is a group; an event's actor is one country"
            yield Problem(file, f"{path}.actor", msg, "name a country code")
        elif event.actor not in s.countries:
            yield _unknown(
                file, f"{path}.actor", "country", event.actor, s.countries, "`countries`"
            )
        for j, mineral in enumerate(event.minerals):
            if mineral not in s.minerals:
                where = f"{path}.minerals.{j}"
                yield _unknown(file, where, "mineral", mineral, s.minerals, "`minerals`")
        yield from _check_party_list(file, f"{path}.targets", event.targets, s)


def _run_end(s: Scenario) -> float:
    return s.start_year + s.rounds * s.years_per_round


def check_event_timing(s: Scenario, file: str) -> Iterator[Problem]:
    """Events start before the run ends (events before the start are in force from round 0)."""
    end = _run_end(s)
    span = f"{s.rounds} rounds from {s.start_year}, {s.years_per_round:g} year(s) each"
    for i, event in enumerate(s.events):
        if event.year is not None and event.year >= end:
            msg = f"{event.year} is at or after the end of the run ({end:g}; {span})"
            fix = f"use a year before {end:g}, or raise `rounds`"
            yield Problem(file, f"events.{i}.year", msg, fix)
        if event.round is not None and event.round >= s.rounds:
            msg = f"round {event.round} never happens (rounds are 0 to {s.rounds - 1})"
            fix = f"use a round below {s.rounds}, or raise `rounds`"
            yield Problem(file, f"events.{i}.round", msg, fix)


def check_strategy_names(s: Scenario, file: str) -> Iterator[Problem]:
    """Strategies that countries use are defined under ``strategies``."""
    members = [c for c in s.countries.values() if c.role == "member"]
    if any(c.strategy is None for c in members) and s.default_strategy not in s.strategies:
        yield _undefined_strategy(file, "default_strategy", s.default_strategy, s)
    for code, country in s.countries.items():
        if country.strategy is not None and country.strategy not in s.strategies:
            yield _undefined_strategy(file, f"countries.{code}.strategy", country.strategy, s)


def _undefined_strategy(file: str, path: str, name: str, s: Scenario) -> Problem:
    if name in BUILT_IN_STRATEGIES:
        msg = f"strategy '{name}' is not defined under `strategies`"
        fix = f"add a `strategies.{name}` block (bau, derisk and decouple are parameter sets)"
        return Problem(file, path, msg, fix)
    return _unknown(file, path, "strategy", name, s.strategies, "`strategies`")


def check_strategy_references(s: Scenario, file: str) -> Iterator[Problem]:
    """Banned counterparties and investment partners of each strategy are defined."""
    for name, params in s.strategies.items():
        path = f"strategies.{name}"
        bans = params.banned_counterparties
        yield from _check_party_list(file, f"{path}.banned_counterparties", bans, s)
        partners = params.invest_with_groups
        yield from _check_party_list(file, f"{path}.invest_with_groups", partners, s)


def check_dominant_policy(s: Scenario, file: str) -> Iterator[Problem]:
    """The dominant processor retaliates only in defined minerals."""
    for i, mineral in enumerate(s.dominant_policy.retaliation_minerals):
        if mineral not in s.minerals:
            path = f"dominant_policy.retaliation_minerals.{i}"
            yield _unknown(file, path, "mineral", mineral, s.minerals, "`minerals`")


def check_demand_growth(s: Scenario, file: str) -> Iterator[Problem]:
    """Demand growth tables use calendar years, listed in increasing order."""
    for name, mineral in s.minerals.items():
        path = f"minerals.{name}.demand_growth"
        years = list(mineral.demand_growth)
        for year in years:
            if not FIRST_YEAR <= year <= LAST_YEAR:
                msg = f"{year} is not a calendar year of the model"
                fix = f"use years between {FIRST_YEAR} and {LAST_YEAR}"
                yield Problem(file, f"{path}.{year}", msg, fix)
        for before, after in pairwise(years):
            if after <= before:
                msg = f"years are not in increasing order ({after} comes after {before})"
                yield Problem(file, path, msg, "list the years in increasing order")
                break


def check_mineral_supply(s: Scenario, file: str) -> Iterator[Problem]:
    """Every mineral is mined or refined somewhere (output or capacity above zero)."""
    for name in s.minerals:
        total = 0.0
        for country in s.countries.values():
            cm = country.minerals.get(name)
            if cm is not None:
                total += cm.mine_output_t + cm.refining_output_t
                total += (cm.mine_capacity_t or 0.0) + (cm.refining_capacity_t or 0.0)
        if total <= 0.0:
            msg = "no country mines or refines it (total mine and refining output are 0)"
            fix = f"add mine_output_t or refining_output_t under countries.<code>.minerals.{name}"
            yield Problem(file, f"minerals.{name}", msg, fix)


def _non_finite(value: object, path: str) -> Iterator[str]:
    if isinstance(value, float) and not math.isfinite(value):
        yield path
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _non_finite(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _non_finite(item, f"{path}.{i}")


def check_finite_numbers(s: Scenario, file: str) -> Iterator[Problem]:
    """No parameter is infinite or not-a-number."""
    for path in _non_finite(s.model_dump(), ""):
        yield Problem(file, path, "is not a finite number", "write an ordinary number")


def _registry_name(
    file: str, path: str, kind: str, name: str, known: Iterable[str]
) -> Iterator[Problem]:
    if name not in known:
        yield _unknown(file, path, kind, name, known, f"the {kind} registry")


def check_negotiation_names(s: Scenario, file: str) -> Iterator[Problem]:
    """Negotiation settings name registered rules, strategies, roles, groups and countries."""
    from mineralgame.negotiation import ACCEPTANCE, OFFER_POLICIES, STRATEGIES

    n = s.negotiation
    yield from _registry_name(
        file, "negotiation.acceptance", "acceptance rule", n.acceptance, ACCEPTANCE
    )
    yield from _registry_name(
        file, "negotiation.offer_policy", "offer policy", n.offer_policy, OFFER_POLICIES
    )
    for role, mix in n.strategy_mix.items():
        yield from _registry_name(
            file,
            f"negotiation.strategy_mix.{role}",
            "role",
            role,
            ("member", "supplier", "dominant", "rest_of_world"),
        )
        for name in mix:
            path = f"negotiation.strategy_mix.{role}.{name}"
            yield from _registry_name(file, path, "strategy", name, STRATEGIES)
    for i, group in enumerate(n.pacts.initial):
        if group not in s.groups:
            path = f"negotiation.pacts.initial.{i}"
            yield _unknown(file, path, "group", group, s.groups, "`groups`")
    for code in n.renegotiation.nationalism:
        if code not in s.countries:
            path = f"negotiation.renegotiation.nationalism.{code}"
            yield _unknown(file, path, "country", code, s.countries, "`countries`")


CHECKS: tuple[Check, ...] = (
    check_dominant,
    check_country_minerals,
    check_groups,
    check_rival_bloc,
    check_event_references,
    check_event_timing,
    check_strategy_names,
    check_strategy_references,
    check_dominant_policy,
    check_demand_growth,
    check_mineral_supply,
    check_finite_numbers,
    check_negotiation_names,
)


def _path_key(path: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key for dotted paths: numbers in numeric order (events.2 before events.10)."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in path.split("."))


def check_scenario(scenario: Scenario, file: str) -> list[Problem]:
    """Return every cross-reference problem in ``scenario``, de-duplicated and sorted by path."""
    unique: dict[tuple[str, str, str], Problem] = {}
    for check in CHECKS:
        for p in check(scenario, file):
            unique.setdefault((p.file, p.path, p.message), p)
    return sorted(unique.values(), key=lambda p: (p.file, _path_key(p.path), p.message))
