"""envaudit's own environment, and the Anthropic SDK profile files it points at."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping

from envaudit.collectors.base import CollectOptions, Collector, Fact, ProcessFacts
from envaudit.model import PROCESS, Definition, Location


def profile_files(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The SDK's profile files (``<config dir>/active_config``, ``configs/*.json``).

    Config dir: ``ANTHROPIC_CONFIG_DIR``, else ``~/.config/anthropic`` (Linux and macOS; the
    Python SDK ignores ``XDG_CONFIG_HOME``), ``%APPDATA%\\Anthropic`` on Windows.
    """
    base = environ.get("ANTHROPIC_CONFIG_DIR")
    if not base:
        if sys.platform == "win32":
            base = os.path.join(environ.get("APPDATA", ""), "Anthropic")
        else:
            base = os.path.join(environ.get("HOME") or os.path.expanduser("~"),
                                ".config", "anthropic")
    found: list[str] = []
    active = os.path.join(base, "active_config")
    if os.path.isfile(active):
        found.append(active)
    configs = os.path.join(base, "configs")
    try:
        with os.scandir(configs) as it:
            found.extend(sorted(e.path for e in it if e.name.endswith(".json")))
    except OSError:
        pass
    return tuple(found)


class ProcessEnvCollector(Collector):
    """The environment envaudit itself runs in (skipped with ``--no-process-env``, and with
    ``--pid``: the app is then another process, and its profile files are those its own
    environment points at)."""

    name = "process-env"

    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        """Yield one ``ProcessFacts``."""
        if options.pids:
            app = options.app_environ
            yield ProcessFacts(None, profile_files(app) if app is not None else ())
            return
        if not options.process_env:
            return
        location = Location(PROCESS)
        keep = options.keep()
        kept = None if keep is None else keep(set(options.environ))
        definitions = tuple(
            Definition(name, value, location, PROCESS) for name, value in options.environ.items()
            if kept is None or name in kept
        )
        yield ProcessFacts(definitions, profile_files(options.environ))
