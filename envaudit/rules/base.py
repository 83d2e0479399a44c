"""The rule interface: ``RuleMeta`` plus one pure ``check`` method per rule."""

from __future__ import annotations

import abc
import inspect
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from envaudit.model import Finding, Location, Severity
from envaudit.record import Record

if TYPE_CHECKING:
    from envaudit.context import AuditContext
    from envaudit.diff import Comparison, VariableFilter

DOC_HEADINGS = ("What it does", "Why is this bad?", "Example", "Use instead", "References")


class RuleMeta(Record):
    """A rule's identity and defaults."""

    id: str
    """``EA`` + three digits, hundreds by family; never reused."""
    name: str
    """Kebab-case name of the problem."""
    severity: Severity
    """Default severity."""
    summary: str
    """One line: when it fires."""
    fix: str
    """The default one-line fix."""
    since: str = "0.1.0"
    """The envaudit version that added the rule."""


def listed(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def fingerprint(*parts: str | None) -> str:
    """Stable identity of a finding from non-secret parts (no line numbers, no PIDs)."""
    from envaudit.redact import _sha256

    text = "\x1f".join(p or "" for p in parts)
    return _sha256()(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


class Rule(abc.ABC):
    """A rule: a ``meta`` attribute, a docstring with the five doc headings, one ``check``."""

    meta: RuleMeta

    @abc.abstractmethod
    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Yield findings; pure (no I/O, no environment reads, no printing)."""

    def finding(
        self,
        message: str,
        location: Location,
        variable: str | None = None,
        *,
        fix: str | None = None,
        severity: Severity | None = None,
        subject: str = "",
        details: dict[str, Any] | None = None,
    ) -> Finding:
        """A finding of this rule, with its fingerprint."""
        return Finding(
            rule_id=self.meta.id,
            name=self.meta.name,
            severity=severity or self.meta.severity,
            message=message,
            location=location,
            variable=variable,
            fix=fix or self.meta.fix,
            fingerprint=fingerprint(self.meta.id, variable, location.source, location.path,
                                    subject),
            details=details or {},
        )

    @classmethod
    def doc(cls) -> str:
        """The rule's documentation (its class docstring, dedented)."""
        return inspect.cleandoc(cls.__doc__ or "")


class DiffRule(Rule):
    """A rule that compares environments (``envaudit diff``): ``check`` finds nothing in one
    environment; ``check_diff`` runs over the comparison of snapshots."""

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Nothing: one environment cannot be compared with another."""
        return iter(())

    @abc.abstractmethod
    def check_diff(self, comparison: Comparison, keep: VariableFilter) -> Iterator[Finding]:
        """Findings over ``comparison`` (``keep``: the ``--only``/``--ignore`` filter)."""
