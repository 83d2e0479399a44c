"""The formatter interface: render a report to a string; the CLI writes it."""

from __future__ import annotations

import abc
import os
import sys

from envaudit import __version__
from envaudit.engine import Report
from envaudit.model import Skip, Snapshot
from envaudit.record import Record

#: Where the generated rule pages are published (``docs/rules/<ID>.md`` in the repository);
#: ``ENVAUDIT_DOCS_URL`` points the links at a mirror.
DEFAULT_DOCS_URL = "https://github.com/envaudit/envaudit/blob/main/docs/rules/"


def docs_base_url() -> str:
    """The folder URL the rule links start with."""
    return os.environ.get("ENVAUDIT_DOCS_URL") or DEFAULT_DOCS_URL


def rule_url(rule_id: str) -> str:
    """The documentation page of a rule."""
    return f"{docs_base_url()}{rule_id}.md"


class RenderOptions(Record):
    """Presentation choices."""

    color: bool = False
    """ANSI colours (text format only)."""
    quiet: bool = False
    """Findings only, no effective-configuration table."""
    verbose: bool = False
    """Also list every file read."""


def versions() -> dict[str, str]:
    """envaudit, Python and OS versions, for bug reports.

    Every formatter takes the envaudit version from here too (as ``base.versions()``, so the
    golden-file tests can pin all of them with one monkeypatch).
    """
    if hasattr(os, "uname"):  # what ``platform`` reads too, without its 1 ms import
        system, _, release, _, machine = os.uname()
    else:  # pragma: no cover - Windows
        import platform

        system, release, machine = platform.system(), platform.release(), platform.machine()
    return {
        "envaudit": __version__,
        "python": sys.version.split()[0],
        "implementation": sys.implementation.name,
        "os": f"{system} {release}",
        "machine": machine,
    }


def short_root(root: str) -> str:
    """The root with the home folder shown as ``~`` (reports are pasted into tickets)."""
    home = os.path.expanduser("~")
    if home not in ("", "/") and (root == home or root.startswith(home + os.sep)):
        return "~" + root[len(home):]
    return root


def plural(n: int, word: str) -> str:
    """``1 error``, ``2 errors``, ``3 info``."""
    return f"{n} {word}{'' if n == 1 or word == 'info' else 's'}"


def environment_note(snap: Snapshot) -> str | None:
    """The environment the app starts with, for a header: ``environment of pid 42
    (python3)``, ``environment of pid 42 not read``; ``None`` for envaudit's own (the
    formatter says it its way)."""
    if snap.pids:
        shown = ", ".join(f"pid {e.pid}" + (f" ({e.name})" if e.name else "") for e in snap.pids)
        return f"environment{'s' if len(snap.pids) > 1 else ''} of {shown}"
    unread = [s.pid for s in snap.skipped if s.source == "pid" and s.pid is not None]
    if unread:
        return f"environment of pid {', '.join(map(str, unread))} not read"
    return None


def pid_limit_note(snap: Snapshot) -> str | None:
    """With ``--pid``, the limit of what was read, as one sentence for any report (``None``
    without ``--pid``, or when no process could be read): /proc shows the environment a
    process started with, not what it loaded itself later."""
    if not snap.pids:
        return None
    pids = [str(e.pid) for e in snap.pids]
    if len(pids) == 1:
        which, verb, own = f"pid {pids[0]}", "it", "its"
    else:
        which, verb, own = f"pids {', '.join(pids[:-1])} and {pids[-1]}", "they", "their"
    return (f"Read from {which}: the environment {verb} started with (/proc/PID/environ is "
            f"fixed at exec); values {verb} loaded later with load_dotenv() or dotenv.config() "
            f"are not in it, and the .env rows show what {own} loader would have added.")


def pid_pick_notes(snap: Snapshot) -> list[str]:
    """Which processes ``--pid auto`` picked and why, one sentence each (``pid 42 (gunicorn):
    picked by --pid auto, gunicorn whose working folder is the audited folder``)."""
    return [f"pid {e.pid}" + (f" ({e.name})" if e.name else "") + f": picked by --pid auto, "
            f"{e.picked}" for e in snap.pids if e.picked]


def skip_where(skip: Skip) -> str:
    """What a skipped item was: its path, ``pid 42``, or its source."""
    if skip.path is not None:
        return skip.path
    return f"pid {skip.pid}" if skip.pid is not None else skip.source


class Formatter(abc.ABC):
    """Renders a ``Report``."""

    @abc.abstractmethod
    def render(self, report: Report, options: RenderOptions) -> str:
        """The whole output, ending with a newline."""
