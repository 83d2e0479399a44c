"""The rule registry: ``ALL_RULES`` is the only list of rules, in ID order."""

from __future__ import annotations

from envaudit.rules import (
    credentials,
    dotenv,
    dotenv_loading,
    dotenv_sources,
    endpoint,
    environments,
    exposure,
    load_order,
    models,
    processes,
    proxy,
    sdk,
    tls,
)
from envaudit.rules.base import Rule

ALL_RULES: tuple[Rule, ...] = tuple(
    sorted(credentials.RULES + dotenv.RULES + dotenv_loading.RULES + dotenv_sources.RULES
           + load_order.RULES + proxy.RULES + sdk.RULES + tls.RULES
           + endpoint.RULES + models.RULES + environments.RULES + processes.RULES
           + exposure.RULES,
           key=lambda rule: rule.meta.id)
)
RULES_BY_ID: dict[str, Rule] = {rule.meta.id: rule for rule in ALL_RULES}
RULES_BY_NAME: dict[str, Rule] = {rule.meta.name: rule for rule in ALL_RULES}


def find_rule(key: str) -> Rule | None:
    """The rule with this ID (``EA103``) or name (``key-whitespace``), case-insensitive ID."""
    return RULES_BY_ID.get(key.upper()) or RULES_BY_NAME.get(key.lower())
