"""Fixtures for collector tests."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """An empty project folder."""
    root = tmp_path / "project"
    root.mkdir()
    return root


@pytest.fixture
def no_hang() -> Iterator[None]:
    """Fail (instead of hanging the run) when the test blocks for 10 s, e.g. on a FIFO."""

    def alarm(signum: int, frame: object) -> None:
        raise TimeoutError("blocked for 10 s: was a FIFO opened or read?")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(10)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
