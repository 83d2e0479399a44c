"""Access to the measured dotenv corpus in ``tests/assets/dotenv-corpus`` (self-contained copy).

``truth.json`` abbreviates strings over 200 characters as
``<<N chars, sha256-16=..., starts '...'>>``; :func:`same_value` compares such a placeholder with a
real string by length and hash prefix.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

CORPUS_DIR = Path(__file__).resolve().parent.parent / "assets" / "dotenv-corpus"
CASES_DIR = CORPUS_DIR / "cases"
TRUTH_FILE = CORPUS_DIR / "truth.json"

_ABBREVIATED = re.compile(r"<<(\d+) chars, sha256-16=([0-9a-f]{16}), starts '.*'>>\Z", re.DOTALL)


@lru_cache(maxsize=1)
def truth() -> dict[str, Any]:
    """The whole trimmed truth file."""
    with TRUTH_FILE.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def harness_env() -> dict[str, str]:
    """The environment every probe ran with (``SHELL_VAR=from_shell``, ``EMPTY_SHELL_VAR=``)."""
    env: dict[str, str] = dict(truth()["harness_env"])
    return env


def case_names() -> list[str]:
    """Every case, sorted."""
    return sorted(truth()["cases"])


def case(name: str) -> dict[str, Any]:
    """The truth entry of one case."""
    entry: dict[str, Any] = truth()["cases"][name]
    return entry


def case_path(name: str) -> Path:
    """The ``.env`` file of one case."""
    return CASES_DIR / f"{name}.env"


def case_bytes(name: str) -> bytes:
    """The raw bytes of one case, checked against the sha256 recorded with the truth."""
    data = case_path(name).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert digest == case(name)["sha256"], f"{name}.env was modified (sha256 {digest})"
    return data


def same_value(actual: str | None, expected: str | None) -> bool:
    """``actual == expected``, where ``expected`` may be a truth.json long-string placeholder."""
    if isinstance(actual, str) and isinstance(expected, str):
        m = _ABBREVIATED.match(expected)
        if m is not None and len(actual) > 200:
            digest = hashlib.sha256(actual.encode("utf-8", "surrogatepass")).hexdigest()
            return len(actual) == int(m.group(1)) and digest[:16] == m.group(2)
    return actual == expected


def same_mapping(actual: Mapping[str, str | None], expected: Mapping[str, Any]) -> bool:
    """Same keys in the same order, and :func:`same_value` for every value."""
    return list(actual) == list(expected) and all(
        same_value(actual[k], expected[k]) for k in expected
    )


def same_list(actual: list[str], expected: list[Any]) -> bool:
    """Same length and :func:`same_value` item by item."""
    return len(actual) == len(expected) and all(map(same_value, actual, expected))
