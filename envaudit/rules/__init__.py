"""The rule registry: ``ALL_RULES`` is the only list of rules, in ID order.

``MODULES`` names every rule module; they are imported on the first use of ``ALL_RULES``,
``RULES_BY_ID`` or ``RULES_BY_NAME`` (a module ``__getattr__``, PEP 562), not when a rule
module of its own is imported: ``envaudit diff`` runs the rules over environments
(``envaudit.rules.environments``) and leaves out the 23 ms the other modules cost to import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from envaudit.rules.base import Rule

    ALL_RULES: tuple[Rule, ...]
    RULES_BY_ID: dict[str, Rule]
    RULES_BY_NAME: dict[str, Rule]

#: Every rule module, each with its ``RULES`` tuple: the registry.
MODULES = (
    "credentials",
    "dotenv",
    "dotenv_loading",
    "dotenv_sources",
    "load_order",
    "proxy",
    "tls",
    "sdk",
    "endpoint",
    "models",
    "exposure",
    "environments",
    "processes",
    "probe",
)


def _load() -> dict[str, Any]:
    """Import every rule module and build the three lookups (once)."""
    rules: list[Rule] = []
    for name in MODULES:
        rules += importlib.import_module(f"envaudit.rules.{name}").RULES
    every = tuple(sorted(rules, key=lambda rule: rule.meta.id))
    built = {"ALL_RULES": every,
             "RULES_BY_ID": {rule.meta.id: rule for rule in every},
             "RULES_BY_NAME": {rule.meta.name: rule for rule in every}}
    globals().update(built)
    return built


def __getattr__(name: str) -> Any:
    """``ALL_RULES``, ``RULES_BY_ID`` and ``RULES_BY_NAME``, built on first use."""
    if name in ("ALL_RULES", "RULES_BY_ID", "RULES_BY_NAME"):
        return _load()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def find_rule(key: str) -> Rule | None:
    """The rule with this ID (``EA103``) or name (``key-whitespace``), case-insensitive ID."""
    from envaudit.rules import RULES_BY_ID, RULES_BY_NAME

    return RULES_BY_ID.get(key.upper()) or RULES_BY_NAME.get(key.lower())
