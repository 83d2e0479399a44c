"""The Node half of the measured dotenv corpus: ``tests/assets/dotenv-corpus/truth-node.json``.

Same cases and ``.env`` files as :mod:`tests.loaders.corpus` (whose sha256 check and long-string
comparison this module reuses); the truth is what dotenv 18.0.10, dotenv-expand 1000.0.0 and
@dotenvx/dotenvx 2.38.2 produced on them (see the file's ``about``). Also the views the tests
compare with it: the object a loader returns, and the ``process.env`` keys a config probe
recorded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from envaudit.loaders import node_dotenv
from envaudit.loaders.base import LoaderResult

from . import corpus

TRUTH_FILE = corpus.CORPUS_DIR / "truth-node.json"


@lru_cache(maxsize=1)
def truth() -> dict[str, Any]:
    """The whole file."""
    with TRUTH_FILE.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def case_names() -> list[str]:
    """Every case, sorted."""
    return sorted(truth()["cases"])


def case(name: str) -> dict[str, Any]:
    """One case's entry."""
    entry: dict[str, Any] = truth()["cases"][name]
    return entry


def harness_env() -> dict[str, str]:
    """``SHELL_VAR=from_shell``, ``EMPTY_SHELL_VAR=``: the environment of every probe."""
    return dict(truth()["harness_env"])


def preset_env(name: str) -> dict[str, str]:
    """The environment of the config and ``with_preset`` probes of one case."""
    env = harness_env()
    env[case(name)["preset_key"]] = truth()["preset_value"]
    return env


def case_bytes(name: str) -> bytes:
    """The case's ``.env`` bytes (sha256-checked against the truth)."""
    data = corpus.case_bytes(name)
    assert corpus.case(name)["sha256"] == case(name)["sha256"]
    return data


def as_object(result: LoaderResult) -> dict[str, str | None]:
    """The object the real loader returns for ``result`` (JavaScript key order)."""
    assert result.rejected is None, result.rejected
    return node_dotenv.as_object(result.assignments)


def picked(env: Mapping[str, str], keys: list[str]) -> dict[str, str | None]:
    """``env`` restricted to ``keys`` (``None`` for an unset key), as the config probes wrote."""
    return {k: env.get(k) for k in keys}


def same(actual: Mapping[str, str | None], expected: Mapping[str, Any],
         skip: frozenset[str] = frozenset()) -> bool:
    """Same keys in the same order and the same values (abbreviations allowed), ignoring
    ``skip`` keys' values (command substitution the tests never run)."""
    if list(actual) != list(expected):
        return False
    return all(corpus.same_value(actual[k], expected[k]) for k in expected if k not in skip)
