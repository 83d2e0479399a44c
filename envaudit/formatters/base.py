"""The formatter interface: render a report to a string; the CLI writes it."""

from __future__ import annotations

import abc
import os
import platform
import sys
from dataclasses import dataclass

from envaudit import __version__
from envaudit.engine import Report

#: Where the generated rule pages are published (``docs/rules/<ID>.md`` in the repository).
DOCS_BASE_URL = os.environ.get(
    "ENVAUDIT_DOCS_URL", "https://github.com/envaudit/envaudit/blob/main/docs/rules/"
)


def rule_url(rule_id: str) -> str:
    """The documentation page of a rule."""
    return f"{DOCS_BASE_URL}{rule_id}.md"


@dataclass(frozen=True)
class RenderOptions:
    """Presentation choices."""

    color: bool = False
    """ANSI colours (text format only)."""
    quiet: bool = False
    """Findings only, no effective-configuration table."""
    verbose: bool = False
    """Also list every file read."""


def versions() -> dict[str, str]:
    """envaudit, Python and OS versions, for bug reports."""
    return {
        "envaudit": __version__,
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "os": f"{platform.system()} {platform.release()}",
        "machine": platform.machine(),
    }


def short_root(root: str) -> str:
    """The root with the home folder shown as ``~`` (reports are pasted into tickets)."""
    home = os.path.expanduser("~")
    if home not in ("", "/") and (root == home or root.startswith(home + os.sep)):
        return "~" + root[len(home):]
    return root


class Formatter(abc.ABC):
    """Renders a ``Report``."""

    @abc.abstractmethod
    def render(self, report: Report, options: RenderOptions) -> str:
        """The whole output, ending with a newline."""
