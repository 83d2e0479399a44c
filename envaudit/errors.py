"""The exception tree: the core raises these, the CLI turns them into one line and exit 2."""

from __future__ import annotations


class EnvauditError(Exception):
    """Root of every error envaudit reports to the user."""


class ConfigError(EnvauditError):
    """Unreadable or malformed configuration (``[tool.envaudit]``, ``--config``)."""


class CollectorError(EnvauditError):
    """A collector could not run at all (the audited path is missing, for example)."""


class OutputError(EnvauditError):
    """The report could not be written."""


class LeakError(EnvauditError):
    """The pre-emit self-check found a secret value in a report."""
