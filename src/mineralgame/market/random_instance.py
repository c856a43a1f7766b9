"""Random clearing instances for oracle tests and benchmarks (not used by the model)."""

from __future__ import annotations

import numpy as np

from mineralgame.market.demand import demand_steps
from mineralgame.market.problem import MarketInput


def random_market(rng: np.random.Generator, n: int = 6, regions: int = 3) -> MarketInput:
    """A random but well-formed market: some clones (same class), some restrictions."""
    base = int(rng.integers(1, n + 1))
    proto = rng.integers(0, base, size=n)  # clones share a prototype's region and rules
    proto[:base] = np.arange(base)
    region = rng.integers(0, regions, size=base)[proto]
    price = 1000.0
    miners = rng.random(base)[proto] < 0.6
    refiners = rng.random(base)[proto] < 0.5
    miners[0] = refiners[0] = True
    scale = rng.uniform(0.5, 2.0, size=n)
    requirement = rng.uniform(10.0, 100.0, size=n)
    qty, wtp = demand_steps(requirement, price, -0.3, 0.5, 4.0)
    freight = rng.uniform(5.0, 60.0, size=(regions, regions))
    np.fill_diagonal(freight, 0.0)
    mi = MarketInput(
        countries=tuple(f"C{i}" for i in range(n)),
        region=region.astype(np.int64),
        transport_ore=freight,
        transport_ref=freight * 1.5,
        mine_cap_lo=np.where(miners, rng.uniform(20, 150, size=n) * scale, 0.0),
        mine_cost_lo=rng.uniform(100, 400, size=n),
        mine_cap_hi=np.where(miners, rng.uniform(0, 40, size=n), 0.0),
        mine_cost_hi=rng.uniform(500, 900, size=n),
        ref_cap_lo=np.where(refiners, rng.uniform(20, 150, size=n) * scale, 0.0),
        ref_cost_lo=rng.uniform(50, 300, size=n),
        ref_cap_hi=np.where(refiners, rng.uniform(0, 40, size=n), 0.0),
        ref_cost_hi=rng.uniform(300, 600, size=n),
        ref_yield=rng.uniform(0.7, 1.0, size=base)[proto],
        secondary=rng.uniform(0, 5, size=n),
        requirement=requirement,
        demand_qty=qty,
        demand_wtp=wtp,
        refill_qty=rng.uniform(0, 10, size=n) * (rng.random(n) < 0.4),
        refill_wtp=np.round(rng.uniform(0.8, 1.3, size=base), 2)[proto] * price,
        ore_export_cap=np.full(n, np.inf),
        ref_export_cap=np.full(n, np.inf),
    )
    return _with_rules(rng, mi, base, proto)


def _with_rules(
    rng: np.random.Generator, mi: MarketInput, base: int, proto: np.ndarray
) -> MarketInput:
    from dataclasses import replace

    n = mi.n
    ore_cap = mi.ore_export_cap.copy()
    ref_cap = mi.ref_export_cap.copy()
    if rng.random() < 0.5:
        ore_cap[int(rng.integers(n))] = 0.0
    if rng.random() < 0.5:
        ref_cap[int(rng.integers(n))] = float(rng.uniform(0, 50))
    dominant = 0
    targets = [j for j in range(n) if j != dominant and rng.random() < 0.4]
    share = float(rng.choice([0.0, 0.3, 0.7]))
    pair_share = tuple((dominant, j, share) for j in targets)
    tariffs = tuple((dominant, j, 40.0) for j in range(n) if j != dominant and proto[j] == 1)
    soft = tuple(
        (j, dominant, 0.5, 150.0) for j in range(n) if j != dominant and proto[j] == base - 1
    )
    return replace(
        mi,
        ore_export_cap=ore_cap,
        ref_export_cap=ref_cap,
        ore_pair_ban=((dominant, n - 1),) if rng.random() < 0.3 and n > 1 else (),
        ref_pair_share=pair_share,
        ref_tariff=tariffs,
        soft_cap=soft,
    )
