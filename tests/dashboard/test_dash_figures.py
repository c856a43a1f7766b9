"""Unit tests of the pure figure builders, on their output dicts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from dashboard.geo import EU_MEMBERS, position

from dashboard import figures, figures_compare, figures_country


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"USA": [0.1, 0.2, 0.3], "CHN": [0.0, 0.05, 0.1]}, index=pd.Index([0, 1, 2], name="round")
    )


def test_choropleth_expands_eur_skips_row_and_fixes_scale() -> None:
    fig = figures.choropleth_figure(
        {"USA": 0.5, "EUR": 0.25, "ROW": 0.9},
        label="dep",
        zrange=(0.0, 1.0),
        measure="dependence_dominant",
        selected="EUR",
    ).to_dict()
    (trace,) = fig["data"]
    assert trace["type"] == "choropleth"
    assert trace["locationmode"] == "ISO-3"
    assert trace["locations"][0] == "USA"
    assert set(trace["locations"][1:]) == set(EU_MEMBERS)
    assert "ROW" not in trace["locations"]
    assert all(c == "EUR" for c in trace["customdata"][1:])
    assert trace["z"][1:] == [0.25] * len(EU_MEMBERS)
    assert (trace["zmin"], trace["zmax"]) == (0.0, 1.0)
    widths = trace["marker"]["line"]["width"]
    assert widths[0] < widths[1]  # the selected actor (EUR) is outlined
    assert fig["layout"]["geo"]["projection"]["type"] == "natural earth"


def test_choropleth_empty_values_is_still_a_map() -> None:
    fig = figures.choropleth_figure({}, label="x", zrange=(0, 1)).to_dict()
    assert fig["data"][0]["locations"] == []


def test_network_nodes_at_stable_positions_with_edges() -> None:
    actors = ["USA", "JPN", "EUR", "CHN", "COD", "ROW"]
    roles = {"USA": "member", "JPN": "member", "EUR": "member", "CHN": "dominant"}
    flows = pd.DataFrame(
        {
            "origin": ["CHN", "COD", "CHN"],
            "destination": ["USA", "CHN", "USA"],
            "tonnes": [5, 10, 5],
        }
    )
    pacts = pd.DataFrame({"pact": ["MSP"] * 3, "member": ["USA", "JPN", "EUR"]})
    contracts = pd.DataFrame({"buyer": ["JPN"], "seller": ["COD"]})
    kwargs = {"flows": flows, "pacts": pacts, "contracts": contracts, "tonnes_max": 10.0}
    fig = figures.network_figure(actors, roles, selected="JPN", **kwargs).to_dict()
    nodes = fig["data"][-1]
    assert nodes["customdata"] == actors
    assert nodes["x"] == [position(a)[0] for a in actors]
    assert nodes["marker"]["size"][1] > nodes["marker"]["size"][0]
    names = [t.get("name") for t in fig["data"]]
    assert "trade flow" in names
    assert "pact MSP" in names
    assert "deal / contract" in names
    pact = next(t for t in fig["data"] if t.get("name") == "pact MSP")
    assert len(pact["x"]) == 3 * 3  # 3 pairs, each (a, b, None)
    assert fig["layout"]["xaxis"]["range"] == list(figures.NETWORK_X)
    # positions do not depend on the data of the round
    empty = pd.DataFrame()
    other = figures.network_figure(actors, roles, flows=empty, pacts=empty, contracts=empty)
    assert other.to_dict()["data"][-1]["x"] == nodes["x"]


def test_network_flow_width_classes_use_run_maximum() -> None:
    flows = pd.DataFrame({"origin": ["AUS"], "destination": ["JPN"], "tonnes": [10.0]})
    empty = pd.DataFrame()
    small = figures.network_figure(
        ["AUS", "JPN"], {}, flows=flows, pacts=empty, contracts=empty, tonnes_max=100.0
    ).to_dict()
    big = figures.network_figure(
        ["AUS", "JPN"], {}, flows=flows, pacts=empty, contracts=empty, tonnes_max=10.0
    ).to_dict()
    assert small["data"][0]["line"]["width"] < big["data"][0]["line"]["width"]


def test_timeseries_cursor_and_fixed_ranges() -> None:
    fig = figures.timeseries_figure(
        _frame(), cursor=1, title="t", y_label="share", highlight="USA"
    ).to_dict()
    assert [t["name"] for t in fig["data"]] == ["USA", "CHN"]
    assert fig["data"][0]["line"]["width"] > fig["data"][1]["line"]["width"]
    (shape,) = fig["layout"]["shapes"]
    assert shape["x0"] == shape["x1"] == 1
    assert shape["yref"] == "paper"
    assert fig["layout"]["xaxis"]["range"] == [-0.3, 2.3]
    lo, hi = fig["layout"]["yaxis"]["range"]
    assert lo == 0.0
    assert hi > 0.3


def test_timeseries_explicit_range_and_empty() -> None:
    fig = figures.timeseries_figure(_frame(), cursor=2, title="t", y_label="y", y_range=[0, 5])
    assert list(fig.layout.yaxis.range) == [0, 5]
    empty = figures.timeseries_figure(pd.DataFrame(), cursor=0, title="t", y_label="y")
    assert empty.to_dict()["data"] == []
    assert empty.to_dict()["layout"]["annotations"][0]["text"] == "no data"


def test_cursor_shape() -> None:
    assert figures.cursor_shape(4)["x0"] == 4


def test_sources_figure_stacks_by_refiner_and_origin() -> None:
    src = pd.DataFrame(
        {
            "refiner": ["CHN", "CHN", "AUS"],
            "mine_origin": ["COD", "AUS", "AUS"],
            "tonnes": [10.0, 5.0, 2.0],
        }
    )
    fig = figures_country.sources_figure(src).to_dict()
    by_name = {t["name"]: t for t in fig["data"]}
    assert set(by_name) == {"AUS", "CHN", "COD"}

    # each trace: a rectangle per bar (5 points and a gap); widths are the tonnes
    def widths(trace: dict) -> list[float]:
        return [trace["x"][i + 1] - trace["x"][i] for i in (0, 6)]

    assert widths(by_name["CHN"]) == [15.0, 0.0]
    assert widths(by_name["AUS"]) == [2.0, 7.0]
    assert widths(by_name["COD"]) == [0.0, 10.0]
    assert by_name["AUS"]["x"][0] == 0.0  # AUS comes first (sorted), then CHN, then COD
    assert by_name["CHN"]["x"][0] == 2.0
    assert by_name["COD"]["x"][6] == 7.0
    assert fig["layout"]["yaxis"]["ticktext"] == ["by refiner", "by mine origin"]
    assert fig["layout"]["xaxis"]["range"][1] >= 17.0


def test_side_by_side_shares_y_range() -> None:
    a = _frame()
    b = _frame() * 3
    fig = figures_compare.side_by_side_figure({"A": a, "B": b}, title="t", y_label="y").to_dict()
    ranges = [fig["layout"][k]["range"] for k in ("yaxis", "yaxis2")]
    assert ranges[0] == ranges[1]
    assert ranges[0][1] >= 0.9
    legends = [t["showlegend"] for t in fig["data"]]
    assert legends == [True, True, False, False]
    assert fig["data"][0]["line"]["color"] == fig["data"][2]["line"]["color"]


def test_difference_is_symmetric_around_zero() -> None:
    diff = pd.DataFrame({"USA": [0.1, -0.4]}, index=[0, 1])
    fig = figures_compare.difference_figure({"B − A": diff}, title="d", y_label="y").to_dict()
    lo, hi = fig["layout"]["yaxis"]["range"]
    assert lo == pytest.approx(-hi)
    assert hi == pytest.approx(0.42)
    assert fig["layout"]["shapes"][0]["y0"] == 0
    assert fig["data"][0]["name"] == "USA (B − A)"


def test_band_figure_traces() -> None:
    stats = pd.DataFrame(
        {"mean": [1.0, 2.0], "p05": [0.5, 1.5], "p95": [1.5, 2.5], "n": [3, 3]}, index=[0, 1]
    )
    fig = figures_compare.band_figure({"derisk": stats}, title="b", y_label="y").to_dict()
    upper, lower, mean = fig["data"]
    assert upper["y"] == [1.5, 2.5]
    assert lower["fill"] == "tonexty"
    assert lower["y"] == [0.5, 1.5]
    assert mean["name"] == "derisk mean (n=3)"
    lo, hi = fig["layout"]["yaxis"]["range"]
    assert lo <= 0.5
    assert hi >= 2.5


def test_empty_compare_figures() -> None:
    for builder in (
        figures_compare.side_by_side_figure,
        figures_compare.difference_figure,
        figures_compare.band_figure,
    ):
        fig = builder({}, title="t", y_label="y").to_dict()
        assert fig["data"] == []


def test_padded_range_and_colors() -> None:
    assert figures.padded_range([]) == [0.0, 1.0]
    assert figures.padded_range([np.nan, 2.0, 2.0])[0] < 2.0
    assert figures.padded_range([-1.0, 1.0]) == pytest.approx([-1.1, 1.1])
    assert figures.color_for("CHN") == "#d62728"
    assert figures.color_for("XYZ") == figures.color_for("XYZ")


def _all_builder_outputs() -> list[go.Figure]:
    frame = _frame()
    stats = pd.DataFrame({"mean": [1.0], "p05": [0.5], "p95": [1.5], "n": [2]}, index=[0])
    empty = pd.DataFrame()
    flows = pd.DataFrame({"origin": ["CHN"], "destination": ["USA"], "tonnes": [5.0]})
    pacts = pd.DataFrame({"pact": ["P"] * 2, "member": ["USA", "JPN"]})
    deals = pd.DataFrame({"buyer": ["JPN"], "seller": ["AUS"]})
    src = pd.DataFrame({"refiner": ["CHN"], "mine_origin": ["COD"], "tonnes": [1.0]})
    return [
        figures.empty_figure("x"),
        figures.choropleth_figure({"USA": 1.0, "EUR": 2.0}, label="l", zrange=(0, 2)),
        figures.network_figure(["USA", "JPN"], {}, flows=flows, pacts=pacts, contracts=deals),
        figures.network_figure(["USA"], {}, flows=empty, pacts=empty, contracts=empty),
        figures.timeseries_figure(frame, cursor=0, title="t", y_label="y"),
        figures_country.sources_figure(src),
        figures_compare.side_by_side_figure({"a": frame, "b": frame}, title="t", y_label="y"),
        figures_compare.difference_figure({"d": frame}, title="t", y_label="y"),
        figures_compare.band_figure({"g": stats}, title="t", y_label="y"),
    ]


@pytest.mark.parametrize("index", range(9))
def test_builder_output_passes_plotly_validation(index: int) -> None:
    fig = _all_builder_outputs()[index]
    go.Figure(fig.to_dict())  # raises ValueError on any invalid property or value


@pytest.mark.parametrize("measure", ["dependence_dominant", "stock_cover_days", "price_usd_per_t"])
def test_colorscales_are_explicit_and_run_light_to_dark(measure: str) -> None:
    trace = figures.choropleth_figure({"USA": 1.0}, label="l", zrange=(0, 1), measure=measure)
    scale = trace.to_dict()["data"][0]["colorscale"]
    assert isinstance(scale, list | tuple)  # plotly.js's own names may run the other way
    assert scale[0][0] == 0.0
    assert scale[-1][0] == 1.0
    if measure != "price_usd_per_t":
        assert scale[0][1] in ("rgb(255,255,204)", "rgb(247,251,255)")  # light for low values


def test_assign_colors_distinct() -> None:
    names = ["CHN", "AAA", "BBB", "CCC", "USA", "AAA"]
    colors = figures.assign_colors(names)
    assert set(colors) == {"CHN", "AAA", "BBB", "CCC", "USA"}
    assert colors["CHN"] == figures.FIXED_COLORS["CHN"]
    assert len(set(colors.values())) == len(colors)


SHIPPED_TRACE_TYPES = {"scatter", "scattergeo", "choropleth"}  # assets/plotly-geo.min.js


@pytest.mark.parametrize("index", range(9))
def test_builders_use_only_trace_types_of_the_shipped_bundle(index: int) -> None:
    fig = _all_builder_outputs()[index].to_dict()
    assert {t["type"] for t in fig["data"]} <= SHIPPED_TRACE_TYPES
