"""QR codes of the join URL, made offline with ``segno`` (pure Python) as an SVG data URI."""

from __future__ import annotations


def qr_data_uri(text: str) -> str | None:
    """An ``data:image/svg+xml`` URI of a QR code for ``text``, or None without ``segno``."""
    try:
        import segno
    except ImportError:
        return None
    code = segno.make(text, error="m")
    uri: str = code.svg_data_uri(scale=6, border=2, dark="#111111")
    return uri
