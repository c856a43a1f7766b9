"""Layout pieces that more than one page uses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from dash import html


class FolderEntry(Protocol):
    """An entry of a records or sweeps folder, readable or not."""

    @property
    def name(self) -> str: ...

    @property
    def readable(self) -> bool: ...

    @property
    def reason(self) -> str: ...


def unreadable_list(element_id: str, what: str, entries: Iterable[FolderEntry]) -> html.Div:
    """The entries that cannot be read, with reasons, under 'Unreadable <what> (n)'.

    Args:
        element_id: Id of the returned Div (kept when every entry is readable).
        what: Plural noun for the heading, e.g. 'entries' or 'sweeps'.
        entries: The folder's entries.

    Returns:
        The list, or an empty Div when every entry is readable.
    """
    bad = [e for e in entries if not e.readable]
    if not bad:
        return html.Div(id=element_id)
    return html.Div(
        id=element_id,
        children=[
            html.H3(f"Unreadable {what} ({len(bad)})"),
            html.Ul(
                [html.Li([html.Code(e.name), f": {e.reason}"], className="unreadable") for e in bad]
            ),
        ],
    )
