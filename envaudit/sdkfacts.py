"""Sentences about what each SDK line does, from ``data/sdk_facts.toml``."""

from __future__ import annotations

import os
from functools import cache

from envaudit.catalogue import load_toml


@cache
def _situations() -> dict[str, dict[str, str]]:
    raw = load_toml(os.path.join(os.path.dirname(__file__), "data", "sdk_facts.toml"))
    return raw["situations"]  # type: ignore[no-any-return]


def fact(situation: str, line: str) -> str:
    """The sentence for ``situation`` on SDK ``line`` (KeyError when the data has none)."""
    return _situations()[situation][line]
