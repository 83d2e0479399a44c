"""Frozen facts about the project's source code, as the ``source-code`` collector finds them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeFacts:
    """What the project's Python and JavaScript/TypeScript source says about loading dotenv files
    and building SDK clients."""
