"""The runtime versions of the app (``envaudit.inventory.runtimes``): the ``node`` on the app's
PATH when the project has a ``package.json``, and the versions the project's files name
(``.nvmrc``, ``.node-version``, ``.python-version``, the Dockerfile's final ``FROM``) in the
root and each package folder."""

from __future__ import annotations

import os
from collections.abc import Iterator

from envaudit.collectors.base import CollectOptions, Collector, Fact
from envaudit.collectors.discovery import display_path
from envaudit.model import Location, Runtime, Skip

#: ``Skip.source`` of a runtime that could not be read.
SOURCE = "package"


class RuntimesCollector(Collector):
    """Yields a ``Runtime`` per version found, a ``Skip`` for a ``node`` that would not say."""

    name = "runtimes"

    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        """Look in the root and the package folders; ask about ``node`` only for a Node
        project."""
        from envaudit.inventory import runtimes as inv

        root = options.root
        folders = list(dict.fromkeys(["", *(options.package_folders or ())]))
        node_project = False
        for rel in folders:
            folder = os.path.join(root, rel) if rel else root
            node_project = node_project or os.path.isfile(os.path.join(folder, "package.json"))
            for name, kind in inv.VERSION_FILES:
                path = os.path.join(folder, name)
                data = _read(path)
                version = inv.version_file(data) if data is not None else None
                if version is not None:
                    shown = display_path(path, root)
                    yield Runtime(kind, version, shown, Location("config", shown, 1))
            path = os.path.join(folder, "Dockerfile")
            data = _read(path)
            found = inv.dockerfile_runtime(data.decode("utf-8", "replace")) if data else None
            if found is not None:
                kind, version, image, line = found
                shown = display_path(path, root)
                yield Runtime(kind, version, f"{shown} FROM {image}",
                              Location("config", shown, line))
        if node_project:
            yield from _node_on_path(options)


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(256 * 1024)
    except OSError:
        return None


def _node_on_path(options: CollectOptions) -> Iterator[Fact]:
    path = options.reading_environ().get("PATH")
    if not path:  # --no-process-env: no PATH, and shutil is not imported for nothing
        return
    import shutil

    from envaudit.inventory.runtimes import node_version

    node = shutil.which("node", path=path)
    if node is None:
        return
    answer = node_version(node)
    if isinstance(answer, str):
        yield Skip(SOURCE, f"node on PATH {answer}: its version is not known",
                   path=display_path(node, options.root))
        return
    version, _ = answer
    shown = display_path(node, options.root)
    yield Runtime("node", version, f"node on PATH ({shown})", Location("package", shown))
