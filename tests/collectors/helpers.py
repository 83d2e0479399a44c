"""Builders for collector tests: real files in a temporary tree, and collect options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from envaudit.collectors.base import CollectOptions


def write(root: Path, rel: str, content: str | bytes = "KEY=value\n") -> Path:
    """Create ``root/rel`` (and its folders) holding ``content``."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def options(root: Path, **kwargs: Any) -> CollectOptions:
    """``CollectOptions`` for ``root``, with an empty environment unless one is given, keeping
    every variable (these tests are about reading; ``test_relevance.py`` is about the filter)."""
    kwargs.setdefault("environ", {})
    kwargs.setdefault("all_variables", True)
    return CollectOptions(root=str(root), **kwargs)
