"""Dash dashboard for mineralgame run records."""
