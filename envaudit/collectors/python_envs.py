"""The app's Python environments and ``node_modules``, and what is installed in them
(``envaudit.inventory``).

Looked at: the environment ``VIRTUAL_ENV`` names (in the app's environment: envaudit's own, or
``--pid``'s), ``.venv``, ``venv`` and ``env`` in the project (each only with a ``pyvenv.cfg``),
and every ``--python`` interpreter: one inside a venv is read as that venv, any other is asked
once, with a time limit, where its site-packages are. envaudit's own interpreter is never
looked at unless named. Each environment is read once (by its real path). The virtual
environments deeper in the project (any folder holding ``pyvenv.cfg``) are met by the dotenv
walk, which does not enter them: the dotenv collector reads them with ``read_environment``
once the walk is done, leaving out those read here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping

from envaudit.collectors.base import CollectOptions, Collector, Fact
from envaudit.collectors.discovery import VENV_MARKER, display_path
from envaudit.model import ModelCatalogue, NodeModules, Package, PythonEnvironment, Skip

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
        """Read every candidate environment once; with none, in a Python project, the
        interpreters on the app's ``PATH`` (a deploy image installs into the system Python)."""
        seen: set[str] = set()
        found = candidates(options) or (
            on_path(options) if python_project(options.root) else [])
        catalogued = False
        for path, origin, is_venv in found:
            real = os.path.realpath(path)
            if real not in seen:
                seen.add(real)
                for fact in read_environment(path, origin, options.root, is_venv,
                                             not catalogued):
                    catalogued = catalogued or _catalogued(fact)
                    yield fact


def candidates(options: CollectOptions) -> list[tuple[str, str, bool]]:
    """``(path, origin, is a venv folder)`` of what ``PythonEnvsCollector`` reads."""
    found: list[tuple[str, str, bool]] = []
    virtual_env = options.reading_environ().get("VIRTUAL_ENV")
    if virtual_env and os.path.isdir(virtual_env):
        found.append((virtual_env, "VIRTUAL_ENV", True))
    for name in PROJECT_ENVS:
        folder = os.path.join(options.root, name)
        if os.path.isfile(os.path.join(folder, VENV_MARKER)):
            found.append((folder, f"{name} in the project", True))
    conda = options.reading_environ().get("CONDA_PREFIX")
    if conda and os.path.isdir(os.path.join(conda, "conda-meta")):
        found.append((conda, "CONDA_PREFIX", True))
    for python in options.pythons:
        env = _venv_of(python) or _conda_of(python)
        found.append((env or python, f"--python {python}", env is not None))
    return found


#: Files whose presence at the root says the project runs Python (else the interpreters on the
#: PATH are not the app's: a Node service's deploy host has a python3 too).
PYTHON_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "Pipfile", "requirements.txt",
                  "manage.py", "uv.lock", "poetry.lock")


def python_project(root: str) -> bool:
    """Whether the root holds a Python manifest or a ``.py`` file."""
    if any(os.path.isfile(os.path.join(root, name)) for name in PYTHON_MARKERS):
        return True
    try:
        with os.scandir(root) as entries:
            return any(e.name.endswith(".py") or (e.name.startswith("requirements")
                                                   and e.name.endswith(".txt"))
                       for e in entries)
    except OSError:
        return False


def on_path(options: CollectOptions) -> list[tuple[str, str, bool]]:
    """``python3`` and ``python`` on the app's ``PATH`` (each once): a venv's
    interpreter is read as that venv, a conda prefix by its layout, a pyenv shim as the
    interpreter it runs (``pyenv_target``); any other as ``inventory.python_envs.static_layout``
    infers it, else asked (``ask_interpreter``). envaudit's own virtual environment is left out
    (it is not the app's)."""
    import shutil
    import sys

    environ = options.reading_environ()
    path = environ.get("PATH")
    if not path:
        return []
    own = os.path.realpath(sys.prefix) if sys.prefix != sys.base_prefix else None
    found: list[tuple[str, str, bool]] = []
    seen: set[str] = set()
    for name in ("python3", "python"):
        python = shutil.which(name, path=path)
        if python is None:
            continue
        python = pyenv_target(python, name, environ, options.root) or python
        env = _venv_of(python) or _conda_of(python)
        key = os.path.realpath(env or python)  # a venv's python links to its base's
        if key in seen or key == own:
            continue
        seen.add(key)
        found.append((env or python, f"{name} on PATH", env is not None))
    return found


def pyenv_target(python: str, name: str, environ: Mapping[str, str], root: str) -> str | None:
    """The interpreter a pyenv shim (``<PYENV_ROOT>/shims/python3``) runs for the project, as
    pyenv chooses it: ``PYENV_VERSION``, else the nearest ``.python-version`` from the project
    folder up, else ``<PYENV_ROOT>/version``; its first entry, when installed. ``None`` when
    ``python`` is no shim or the choice is ``system`` or not installed (it is then asked)."""
    shims = os.path.dirname(os.path.abspath(python))
    if os.path.basename(shims) != "shims":
        return None
    pyenv_root = os.path.dirname(shims)
    choice = environ.get("PYENV_VERSION")
    if not choice:
        folder = os.path.abspath(root)
        while True:
            choice = _first_line(os.path.join(folder, ".python-version"))
            parent = os.path.dirname(folder)
            if choice or parent == folder:
                break
            folder = parent
    choice = choice or _first_line(os.path.join(pyenv_root, "version"))
    version = (choice or "").replace(":", " ").split()
    if not version or version[0] == "system":
        return None
    target = os.path.join(pyenv_root, "versions", version[0], "bin", name)
    return target if os.path.isfile(target) else None


def _first_line(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(4096).decode("utf-8", "replace").strip() or None
    except OSError:
        return None


def _conda_of(python: str) -> str | None:
    """The conda prefix an interpreter path belongs to (``<prefix>/bin/python``), if any."""
    prefix = os.path.dirname(os.path.dirname(os.path.abspath(python)))
    return prefix if os.path.isdir(os.path.join(prefix, "conda-meta")) else None


def walked_environments(venvs: list[str], options: CollectOptions) -> Iterator[Fact]:
    """The virtual environments the dotenv walk met that ``PythonEnvsCollector`` did not read
    (those deeper in the project than ``.venv`` / ``venv`` / ``env``)."""
    read = {os.path.realpath(path) for path, _, _ in candidates(options)}
    catalogued = False
    for venv in venvs:
        if os.path.realpath(venv) not in read:
            for fact in read_environment(venv, WALKED_ORIGIN, options.root,
                                         models_wanted=not catalogued):
                catalogued = catalogued or _catalogued(fact)
                yield fact


def _catalogued(fact: Fact) -> bool:
    """Whether ``fact`` carries a model catalogue read from an installed SDK."""
    models = getattr(fact, "models", None)
    return isinstance(fact, (PythonEnvironment, NodeModules)) and models is not None and (
        models.reason is None)


def read_environment(path: str, origin: str, root: str, is_venv: bool = True,
                     models_wanted: bool = True) -> Iterator[Fact]:
    """One environment's ``PythonEnvironment`` (a venv folder, or an interpreter asked where its
    packages are), and a ``Skip`` per record that could not be read. The SDK's model catalogue
    is read only when ``models_wanted`` (``catalogue_for`` takes the first one read: reading it
    for each of a monorepo's environments would cost a millisecond each for nothing)."""
    from envaudit.inventory import python_envs as inv

    shown = display_path(path, root)
    if is_venv:
        version, sites = inv.pyvenv_version(path), inv.site_folders(path)
        if version is None:
            version = inv.conda_version(path)
    else:
        answer = inv.static_layout(path) or ask_interpreter(path)
        if isinstance(answer, str):
            yield Skip(SOURCE, f"the interpreter {answer}: its packages are not inventoried",
                       path=shown)
            return
        version, sites = answer
    packages: list[Package] = []
    models: ModelCatalogue | None = None
    for site in sites:
        reading = inv.read_site(site)
        packages += [Package(d.name, d.version, display_path(d.path, root))
                     for d in reading.distributions]
        if models_wanted and models is None and any(
                d.name == "anthropic" for d in reading.distributions):
            from envaudit.inventory.models import python_catalogue  # only with the SDK

            models = python_catalogue(reading.distributions, shown)
        for where, problem in reading.problems:
            yield Skip(SOURCE, f"{problem}: not inventoried", path=display_path(where, root))
    yield PythonEnvironment(shown, origin, version, tuple(packages), models=models)


#: ``PythonEnvironment.origin`` of a virtual environment the dotenv walk met deeper in the project.
WALKED_ORIGIN = "pyvenv.cfg in the project"


class NodeModulesCollector(Collector):
    """Yields one ``NodeModules`` per package folder (the source analysis's, else the root)
    that has a ``node_modules``, and a ``Skip`` per record that could not be read."""

    name = "node-modules"

    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        """Read each folder's ``node_modules``."""
        from envaudit.inventory.node_modules import read_node_modules, read_pnp

        root = options.root
        folders = options.package_folders
        if folders is None:
            folders = ("",) if os.path.isfile(os.path.join(root, "package.json")) else ()
        catalogued = False
        for rel in folders:
            folder = os.path.join(root, rel) if rel else root
            reading = read_node_modules(folder)
            if reading is None and not rel:  # Yarn Plug'n'Play: one .pnp.cjs, at the root
                reading = read_pnp(folder)
            if reading is None:
                continue
            for where, problem in reading.problems:
                yield Skip(SOURCE, f"{problem}: not inventoried", path=display_path(where, root))
            models: ModelCatalogue | None = None
            if not catalogued and any(d.name == "@anthropic-ai/sdk"
                                      for d in reading.distributions):
                from envaudit.inventory.models import node_catalogue  # only with the SDK

                models = node_catalogue(reading.distributions, folder,
                                        f"{rel}/node_modules" if rel else "node_modules")
            fact = NodeModules(rel or ".", tuple(
                Package(d.name, d.version, display_path(d.path, root))
                for d in reading.distributions), models=models)
            catalogued = catalogued or _catalogued(fact)
            yield fact


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
            folder = os.path.join(root, rel) if rel else root
            # a workspace's package.json ranges are compared with its own node_modules only:
            # a monorepo's hundreds of others are not read
            paths += [os.path.join(folder, name) for name in NPM_FILES
                      if name != "package.json" or not rel
                      or os.path.isdir(os.path.join(folder, "node_modules"))
                      or os.path.lexists(os.path.join(folder, ".pnp.cjs"))]
        for path in paths:
            if not os.path.lexists(path):
                continue
            shown = display_path(path, root)
            found = read_declared(path)
            if found.problem is not None:
                yield Skip(SOURCE, f"{found.problem}: its versions are not compared",
                           path=shown)
                continue
            if found.declared.pins or found.declared.ranges or not path.endswith(
                    ("pyproject.toml", "package.json")):  # a manifest without them: not one
                yield found.declared._replace(path=shown)
