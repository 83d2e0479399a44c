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


def own_credentials(environ: Mapping[str, str]) -> tuple[Definition, ...]:
    """The credential variables of ``environ`` (the catalogue's credential and platform
    credential variables), at the process location: with ``--pid``, what a process started
    now from envaudit's environment would get besides the files (EA801)."""
    from envaudit.catalogue import credentials

    cat = credentials()
    names = (*cat.variables, *cat.platform_variables)
    location = Location(PROCESS)
    return tuple(Definition(name, environ[name], location, PROCESS) for name in names
                 if name in environ)


class ProcessEnvCollector(Collector):
    """The environment envaudit itself runs in (skipped with ``--no-process-env``, and with
    ``--pid``: the app is then another process, and its profile files are those its own
    environment points at; only envaudit's credential variables are kept then, for EA801)."""

    name = "process-env"

    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        """Yield one ``ProcessFacts``."""
        if options.pids:
            app = options.app_environ
            yield ProcessFacts(None, profile_files(app) if app is not None else (),
                               own_credentials(options.environ) if options.process_env
                               else None)
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
