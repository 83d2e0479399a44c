"""The latest releases of the installed Anthropic SDKs (``envaudit.inventory.releases``).

Runs only when the inventories found ``anthropic`` in a Python environment or
``@anthropic-ai/sdk`` in a ``node_modules`` (``CollectOptions.sdk_installs``): it starts the
lookup in the background and yields a ``PendingReleases``, which the engine finishes after the
other collectors, so the indexes are asked while the dotenv files are read. The whole wait is
bounded (``releases.TOTAL_SECONDS``); with ``--offline`` (or ``ENVAUDIT_OFFLINE``) no
network is used at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from envaudit.collectors.base import CollectOptions, Collector, Fact, PendingReleases
from envaudit.model import NodeModules, PythonEnvironment


def sdk_found(options: CollectOptions, fact: PythonEnvironment | NodeModules) -> CollectOptions:
    """``options`` with the SDK an inventory fact shows installed added to ``sdk_installs``."""
    if isinstance(fact, PythonEnvironment):
        package = fact.package("anthropic")
        if package is None:
            return options
        path = os.path.join(options.root, package.path)
        found = ("python", os.path.join(options.root, fact.path), os.path.dirname(path))
    else:
        package = fact.package("@anthropic-ai/sdk")
        if package is None:
            return options
        found = ("npm", os.path.join(options.root, fact.folder),
                 os.path.join(options.root, package.path))
    return options._replace(sdk_installs=(*options.sdk_installs, found))


class ReleasesCollector(Collector):
    """Yields one ``PendingReleases`` when an Anthropic SDK is installed, nothing otherwise."""

    name = "releases"

    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        """Start the lookup for each ecosystem whose SDK is installed."""
        if not options.sdk_installs or not options.look_up_releases:
            return
        from envaudit.inventory import releases

        wanted: dict[str, releases.Wanted] = {}
        for ecosystem, folder, where in options.sdk_installs:
            if ecosystem in wanted:
                continue  # the first environment found holding it decides the index
            if ecosystem == releases.PYTHON:
                env = folder if os.path.isfile(os.path.join(folder, "pyvenv.cfg")) else None
                wanted[ecosystem] = releases.Wanted(ecosystem, env_folder=env, sites=(where,))
            else:
                wanted[ecosystem] = releases.Wanted(ecosystem, project=folder,
                                                    root=options.root)
        offline = releases.offline_reason(options.offline, options.environ, os.environ)
        lookup = releases.start(list(wanted.values()), options.environ, offline,
                                options.release_data, options.stale_after)
        yield PendingReleases(lookup.finish)
