"""Hooks for every test folder: browser tests run headless Chromium, or skip without it."""

from __future__ import annotations

import shutil

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Always drive Chromium headless (there is no display on CI)."""
    if hasattr(config.option, "headless"):
        config.option.headless = True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip browser tests when Chromium or its driver is missing."""
    if shutil.which("chromedriver") and (shutil.which("chromium") or shutil.which("chrome")):
        return
    skip = pytest.mark.skip(reason="chromium/chromedriver not installed")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
