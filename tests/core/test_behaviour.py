"""Behaviour that can fail: policies and shocks move the outcomes the way the design says.

Every comparison runs the same scenario with the same seed (common random numbers) with and
without the one change under test:

(a) a full ban of refined rare-earth exports from CHN to JPN raises JPN's rare-earth
    shortfall or the price it pays;
(b) decoupling ends with lower dependence on the dominant processor than derisking, at a
    higher cumulative cost (baseline, seeds 0 and 1);
(c) stockpiles reduce members' shortfall during a shock (DRC cobalt halt, Chinese rare-earth
    ban);
(d) base-year calibration: with random shocks off, round-0 world mine and refined output per
    mineral are within 2% of the scenario's totals.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import mineralgame
from mineralgame.config.schema import EventSpec, Scenario
from mineralgame.record import RunRecord

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "configs"
BASELINE = CONFIGS / "baseline.yaml"
NO_RANDOM_SHOCKS = {"shocks.disruption_probability": 0.0, "shocks.export_control_hazard": 0.0}


def member_rows(rec: RunRecord, mineral: str) -> pd.DataFrame:
    cm = rec.tables["country_mineral"]
    return cm[(cm["role"] == "member") & (cm["mineral"] == mineral)]


# --- (a) export ban ---------------------------------------------------------------------------

BAN_ROUNDS = 8


def with_ban(scenario: Scenario) -> Scenario:
    ban = EventSpec(
        kind="export_ban",
        round=1,
        actor="CHN",
        minerals=("rare_earths",),
        stage="refined",
        targets=("JPN",),
        description="full ban of refined rare earths to Japan",
    )
    return scenario.model_copy(update={"events": (*scenario.events, ban)})


def jpn_rare_earths(rec: RunRecord) -> pd.DataFrame:
    cm = rec.tables["country_mineral"]
    rows = cm[(cm["country"] == "JPN") & (cm["mineral"] == "rare_earths")]
    return rows.set_index("round").sort_index()


def chn_to_jpn(rec: RunRecord) -> pd.Series:
    """Refined rare earths shipped CHN -> JPN per round [t]."""
    f = rec.tables["flows"]
    sel = f[
        (f["mineral"] == "rare_earths")
        & (f["stage"] == "refined")
        & (f["origin"] == "CHN")
        & (f["destination"] == "JPN")
    ]
    return sel.groupby("round")["tonnes"].sum().reindex(range(BAN_ROUNDS), fill_value=0.0)


@pytest.mark.parametrize(
    ("strategy", "seed"), [("bau", 0), ("bau", 1), ("derisk", 0), ("decouple", 0)]
)
def test_export_ban_raises_shortfall_or_price(strategy: str, seed: int) -> None:
    scenario = mineralgame.load_scenario(BASELINE).model_copy(update={"rounds": BAN_ROUNDS})
    free = mineralgame.run(scenario, strategy=strategy, seed=seed)
    banned = mineralgame.run(with_ban(scenario), strategy=strategy, seed=seed)
    a, b = jpn_rare_earths(free), jpn_rare_earths(banned)

    # round 0 is before the ban: same seed, same world
    pd.testing.assert_series_equal(a.loc[0], b.loc[0], check_exact=True)
    # the ban binds: nothing flows CHN -> JPN from round 1, although it did without the ban
    assert (chn_to_jpn(banned).loc[1:] <= 1e-6).all()
    assert chn_to_jpn(free).loc[1:].sum() > 1.0

    after_a, after_b = a.loc[1:], b.loc[1:]
    shortfall_up = after_b["shortfall_t"].sum() > after_a["shortfall_t"].sum() + 1e-6
    price_up = after_b["price_usd_per_t"].mean() > after_a["price_usd_per_t"].mean() * (1 + 1e-9)
    assert shortfall_up or price_up, (
        f"{strategy}/{seed}: JPN rare-earth shortfall {after_a['shortfall_t'].sum():.1f} -> "
        f"{after_b['shortfall_t'].sum():.1f} t, mean price "
        f"{after_a['price_usd_per_t'].mean():.0f} -> {after_b['price_usd_per_t'].mean():.0f}"
    )


# --- (b) decouple vs derisk ---------------------------------------------------------------------


@cache
def baseline_summary(strategy: str, seed: int) -> dict[str, Any]:
    return mineralgame.run(BASELINE, strategy=strategy, seed=seed).summary


@pytest.mark.parametrize("seed", [0, 1])
def test_decoupling_ends_less_dependent_at_higher_cost(seed: int) -> None:
    derisk = baseline_summary("derisk", seed)
    decouple = baseline_summary("decouple", seed)
    assert decouple["rounds"] == derisk["rounds"] == 16
    assert decouple["end_dependence"] < derisk["end_dependence"], (decouple, derisk)
    assert decouple["cumulative_cost_usd"] > derisk["cumulative_cost_usd"], (decouple, derisk)


# --- (c) stockpiles during a shock -----------------------------------------------------------

STOCK_DAYS = 90


def stock_overrides(scenario: Scenario, with_stock: bool) -> dict[str, Any]:
    """Members hold (and target) 90 days of demand, or nothing at all (national targets too)."""
    days = STOCK_DAYS if with_stock else 0
    overrides: dict[str, Any] = {"strategies.bau.stockpile_target_days": days}
    for code, spec in scenario.countries.items():
        if spec.role != "member":
            continue
        overrides[f"countries.{code}.stockpile_target_days"] = days
        for mineral, cm in spec.minerals.items():
            overrides[f"countries.{code}.minerals.{mineral}.stockpile_t"] = (
                cm.demand_t * days / 365.0
            )
    return overrides


@pytest.mark.parametrize(
    ("config", "mineral", "shock_rounds", "seed"),
    [
        pytest.param("cobalt_halt.yaml", "cobalt", (1, 2, 3), 0, id="cobalt_halt-seed0"),
        pytest.param("cobalt_halt.yaml", "cobalt", (1, 2, 3), 1, id="cobalt_halt-seed1"),
        pytest.param("export_ban.yaml", "rare_earths", (1, 2), 0, id="export_ban-seed0"),
    ],
)
def test_stockpiles_reduce_shortfall_during_a_shock(
    config: str, mineral: str, shock_rounds: tuple[int, ...], seed: int
) -> None:
    path = CONFIGS / config
    scenario = mineralgame.load_scenario(path)
    rounds = max(shock_rounds) + 1
    runs = {
        w: mineralgame.run(
            path, strategy="bau", seed=seed, rounds=rounds, overrides=stock_overrides(scenario, w)
        )
        for w in (True, False)
    }
    stocked, bare = member_rows(runs[True], mineral), member_rows(runs[False], mineral)
    assert (bare["stock_t"] == 0).all(), "the run without stocks should hold none"
    assert stocked[stocked["round"] == 0]["stock_t"].sum() > 0

    def shortfall(rows: pd.DataFrame) -> pd.Series:
        return rows.groupby("round")["shortfall_t"].sum().reindex(shock_rounds)

    first = shock_rounds[0]
    drawn = stocked[stocked["round"] == first]["stock_draw_t"].sum()
    s_with, s_without = shortfall(stocked), shortfall(bare)
    assert s_without.loc[first] > 0, "the shock should cause a shortfall"
    assert drawn > 0, "members should draw their stocks in the shock"
    assert s_with.loc[first] < s_without.loc[first], (s_with.to_dict(), s_without.to_dict())
    assert s_with.sum() < s_without.sum(), (s_with.to_dict(), s_without.to_dict())


# --- (d) base-year calibration ----------------------------------------------------------------


@pytest.mark.parametrize("config", ["baseline.yaml", "classroom.yaml"])
def test_round_zero_matches_calibrated_world_totals(config: str) -> None:
    scenario = mineralgame.load_scenario(CONFIGS / config, NO_RANDOM_SHOCKS)
    system = mineralgame.run(scenario, strategy="bau", seed=0, rounds=1).tables["system"]
    system = system.set_index("mineral")
    assert sorted(system.index) == sorted(scenario.minerals)
    for mineral in scenario.minerals:
        rows = [c.minerals[mineral] for c in scenario.countries.values() if mineral in c.minerals]
        mine = sum(r.mine_output_t for r in rows)
        refined = sum(r.refining_output_t for r in rows)
        got_mine = float(system.loc[mineral, "world_mine_output_t"])
        got_refined = float(system.loc[mineral, "world_refined_output_t"])
        assert got_mine == pytest.approx(mine, rel=0.02), (mineral, got_mine, mine)
        assert got_refined == pytest.approx(refined, rel=0.02), (mineral, got_refined, refined)
