"""Fixtures for the rule tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_real_profile(monkeypatch: pytest.MonkeyPatch,
                     tmp_path_factory: pytest.TempPathFactory) -> None:
    """The SDK profile lookup falls back to the real home folder when a case sets no HOME:
    point it at an empty one, so no case depends on the machine running the tests."""
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("APPDATA", str(tmp_path_factory.mktemp("appdata")))
    monkeypatch.delenv("ANTHROPIC_CONFIG_DIR", raising=False)
