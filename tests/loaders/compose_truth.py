"""Access to ``tests/assets/dotenv-corpus/truth-compose.json`` and ``precedence.json``.

Both are self-contained copies of the team's measured corpus (see the corpus README); nothing here
reads the shared research folder. Long strings are abbreviated as in ``truth.json``
(``corpus.same_value`` compares them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from . import corpus

TRUTH_FILE = corpus.CORPUS_DIR / "truth-compose.json"
PRECEDENCE_FILE = corpus.CORPUS_DIR / "precedence.json"
_LINE = re.compile(r": line (\d+): ")


@lru_cache(maxsize=1)
def truth() -> dict[str, Any]:
    """The compose truth file."""
    with TRUTH_FILE.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


@lru_cache(maxsize=1)
def precedence() -> dict[str, Any]:
    """The precedence file."""
    with PRECEDENCE_FILE.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def case_names() -> list[str]:
    """Every case with a compose truth, sorted."""
    return sorted(truth()["cases"])


def case(name: str) -> dict[str, Any]:
    """One case's compose truth."""
    entry: dict[str, Any] = truth()["cases"][name]
    return entry


def harness_env(name: str, *, preset: bool) -> dict[str, str]:
    """The shell compose ran with for this case (``preset``: the "with_preset" probe)."""
    env = dict(truth()["harness_env"])
    if preset:
        env[case(name)["preset_key"]] = truth()["preset_value"]
    return env


def reported_line(message: str) -> int | None:
    """The ``line N`` compose printed in an error message, if any."""
    m = _LINE.search(message)
    return int(m.group(1)) if m else None


def same_values(actual: Mapping[str, str], expected: Mapping[str, Any]) -> bool:
    """Same keys (compose sorts them, so order is not compared) and equal values."""
    return set(actual) == set(expected) and all(
        corpus.same_value(actual[k], expected[k]) for k in expected
    )
