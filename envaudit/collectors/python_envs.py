"""The app's Python environments and ``node_modules``, and what is installed in them
(``envaudit.inventory``).

Looked at: the environment ``VIRTUAL_ENV`` names (in the app's environment: envaudit's own, or
``--pid``'s), ``.venv``, ``venv`` and ``env`` in the project (each only with a ``pyvenv.cfg``),
and every ``--python`` interpreter: one inside a venv is read as that venv, any other is asked
once, with a time limit, where its site-packages are. envaudit's own interpreter is never
looked at unless named. Each environment is read once (by its real path).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from envaudit.collectors.base import CollectOptions, Collector, Fact
from envaudit.collectors.discovery import VENV_MARKER, display_path
from envaudit.model import NodeModules, Package, PythonEnvironment, Skip

#: ``Skip.source`` of what comes from an installed distribution.
SOURCE = "package"
#: The project folders taken for environments when they hold a ``pyvenv.cfg``.
PROJECT_ENVS = (".venv", "venv", "env")
#: How long an interpreter may take to say where its packages are.
INTERPRETER_SECONDS = 5.0
_QUERY = ("import json, sys, sysconfig; print(json.dumps([sys.version.split()[0], "
          "sorted({sysconfig.get_path('purelib'), sysconfig.get_path('platlib')})]))")


def ask_interpreter(python: str) -> tuple[str, list[str]] | str:
    """``(version, site-packages folders)`` of an interpreter without ``pyvenv.cfg``, from one
    isolated run bounded by ``INTERPRETER_SECONDS``; or why it could not say."""
    import json
    import subprocess

    try:
        proc = subprocess.run([python, "-I", "-c", _QUERY], capture_output=True,
                              timeout=INTERPRETER_SECONDS, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return f"did not answer within {INTERPRETER_SECONDS:g} s"
    except OSError as exc:
        return f"cannot be run ({exc.strerror or type(exc).__name__})"
    if proc.returncode != 0:
        return f"exited with status {proc.returncode}"
    try:
        version, sites = json.loads(proc.stdout.decode("utf-8", "replace").strip())
        return str(version), [str(s) for s in sites if s]
    except (ValueError, TypeError):
        return "answered something that is not its version and site-packages"


def _venv_of(python: str) -> str | None:
    """The venv an interpreter path belongs to (``<env>/bin/python``), if any."""
    env = os.path.dirname(os.path.dirname(os.path.abspath(python)))
    return env if os.path.isfile(os.path.join(env, VENV_MARKER)) else None


class PythonEnvsCollector(Collector):
    """Yields one ``PythonEnvironment`` per environment found, a ``Skip`` per thing that could
    not be read (a broken METADATA, an interpreter that hangs)."""

    name = "python-envs"

    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        """Read every candidate environment once."""
        from envaudit.inventory import python_envs as inv

        root = options.root
        candidates: list[tuple[str, str, bool]] = []  # (path, origin, is a venv folder)
        virtual_env = options.reading_environ().get("VIRTUAL_ENV")
        if virtual_env and os.path.isdir(virtual_env):
            candidates.append((virtual_env, "VIRTUAL_ENV", True))
        for name in PROJECT_ENVS:
            folder = os.path.join(root, name)
            if os.path.isfile(os.path.join(folder, VENV_MARKER)):
                candidates.append((folder, f"{name} in the project", True))
        for python in options.pythons:
            env = _venv_of(python)
            candidates.append((env or python, f"--python {python}", env is not None))
        seen: set[str] = set()
        for path, origin, is_venv in candidates:
            real = os.path.realpath(path)
            if real in seen:
                continue
            seen.add(real)
            shown = display_path(path, root)
            if is_venv:
                version, sites = inv.pyvenv_version(path), inv.site_folders(path)
            else:
                answer = ask_interpreter(path)
                if isinstance(answer, str):
                    yield Skip(SOURCE, f"the interpreter {answer}: its packages are not "
                                       "inventoried", path=shown)
                    continue
                version, sites = answer
            packages: list[Package] = []
            for site in sites:
                reading = inv.read_site(site)
                packages += [Package(d.name, d.version, display_path(d.path, root))
                             for d in reading.distributions]
                for where, problem in reading.problems:
                    yield Skip(SOURCE, f"{problem}: not inventoried",
                               path=display_path(where, root))
            yield PythonEnvironment(shown, origin, version, tuple(packages))


class NodeModulesCollector(Collector):
    """Yields one ``NodeModules`` per package folder (the source analysis's, else the root)
    that has a ``node_modules``, and a ``Skip`` per record that could not be read."""

    name = "node-modules"

    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        """Read each folder's ``node_modules``."""
        from envaudit.inventory.node_modules import read_node_modules

        root = options.root
        folders = options.package_folders
        if folders is None:
            folders = ("",) if os.path.isfile(os.path.join(root, "package.json")) else ()
        for rel in folders:
            folder = os.path.join(root, rel) if rel else root
            reading = read_node_modules(folder)
            if reading is None:
                continue
            for where, problem in reading.problems:
                yield Skip(SOURCE, f"{problem}: not inventoried", path=display_path(where, root))
            yield NodeModules(rel or ".", tuple(
                Package(d.name, d.version, display_path(d.path, root))
                for d in reading.distributions))


class DeclaredVersionsCollector(Collector):
    """Yields one ``Declared`` per lock or requirements file of the root (Python and npm) and
    of each package folder (npm), a ``Skip`` per file that cannot be parsed."""

    name = "declared-versions"

    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        """Read each file that exists."""
        from envaudit.inventory.declared import NPM_FILES, PYTHON_FILES, read_declared

        root = options.root
        paths = [os.path.join(root, name) for name in PYTHON_FILES]
        for rel in options.package_folders or ("",):
            paths += [os.path.join(root, rel, name) if rel else os.path.join(root, name)
                      for name in NPM_FILES]
        for path in paths:
            if not os.path.lexists(path):
                continue
            shown = display_path(path, root)
            found = read_declared(path)
            if found.problem is not None:
                yield Skip(SOURCE, f"{found.problem}: its versions are not compared",
                           path=shown)
                continue
            yield found.declared._replace(path=shown)
