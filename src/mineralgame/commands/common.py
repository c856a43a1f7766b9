"""Helpers shared by subcommands: progress bars and summary tables."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

SUMMARY_COLUMNS = (
    ("strategy", "strategy", "{}"),
    ("seed", "seed", "{}"),
    ("cumulative_shortfall_share", "shortfall %", "{:.2%}"),
    ("cumulative_cost_usd", "cost $bn", "{:,.0f}"),
    ("end_dependence", "end dep. on CHN", "{:.1%}"),
    ("end_refining_hhi", "refining HHI", "{:.3f}"),
    ("mean_price_ratio", "price / base", "{:.2f}"),
)


def progress_bar(total: int, desc: str, disable: bool = False) -> Any:
    """A tqdm bar on stderr (quiet when not a terminal or disabled)."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, disable=disable or not sys.stderr.isatty(), file=sys.stderr)


def format_summary(rows: Sequence[dict[str, Any]]) -> str:
    """A plain-text table of run scalars."""
    header = [label for _, label, _ in SUMMARY_COLUMNS]
    body = []
    for row in rows:
        cells = []
        for key, _, fmt in SUMMARY_COLUMNS:
            value = row.get(key, "")
            if key == "cumulative_cost_usd" and value != "":
                value = float(value) / 1e9
            cells.append(fmt.format(value) if value != "" else "")
        body.append(cells)
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in body]
    return "\n".join(lines)
