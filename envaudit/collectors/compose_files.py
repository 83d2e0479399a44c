"""docker compose projects: the env files compose reads for each service, and each service's
``environment:`` entries (definition sites of their own).

A compose file is looked for only where it is cheap to know that one exists: in the folders the
source analysis listed (the root and two levels below it) whose listing holds a compose file
name, or, when that analysis did not run, at the root (one ``lstat`` per default name, stopping
at the first). The compose model (``envaudit.loaders.compose_project``) is imported only when a
compose file says ``env_file``, says ``environment`` beside a project ``.env``, or
``COMPOSE_FILE`` may name other files (PyYAML only when the model's own block-YAML reader,
``compose_yaml``, hands a file over to it). Compose is a loader in use when a service names env
files or takes an ``environment:`` value from the project ``.env``; otherwise it reads no dotenv
file and its ``environment:`` entries are not audited. Everything compose
would refuse (bad YAML, an invalid entry, an unreadable project ``.env``, a required env file
that does not exist) is a ``Skip`` with a one-line reason, never an exception.

The projects that ``docker compose -f …`` command lines in scripts run (found by the source
analysis: ``CodeFacts.compose_commands``) are read too, each with its own folder and project
``.env`` (or ``--env-file``).

The env files themselves are read by the dotenv collector, as compose reads them
(``CollectOptions.compose_env_files``): a file named with ``format: raw`` by every entry naming
it is read with docker's ``--env-file`` rules; a file named both ways is read with compose's
dotenv rules only, and a ``Skip`` says the raw reading was not modelled.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from envaudit.collectors.base import (
    CollectOptions,
    Collector,
    ComposeFacts,
    ComposeRead,
    Fact,
)
from envaudit.collectors.discovery import display_path
from envaudit.collectors.fileio import NotRegularFile, read_regular
from envaudit.model import COMPOSE, ComposeService, Definition, LoaderUse, Location, Skip

if TYPE_CHECKING:
    from envaudit.loaders.compose_project import ComposeProjectError, Service
    from envaudit.source.facts import ComposeCommand

#: compose's default file names and override file names (``compose_project``'s, repeated here
#: so that a project without compose files never imports the compose model).
COMPOSE_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_FILE_NAMES = ("compose.override.yml", "compose.override.yaml",
                       "docker-compose.override.yml", "docker-compose.override.yaml")
#: Compose files larger than this are left to the model, which refuses them.
_GATE_BYTES = 4 * 1024 * 1024
#: ``Skip.source`` and ``Location.source`` of what comes from a compose file.
SOURCE = "compose"
#: A variable an ``environment:`` value interpolates (``$NAME``, ``${NAME}``, ``${NAME:-x}``).
_REFERENCE = re.compile(r"(?<!\$)\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def names_env_files(folder: str, environ: Mapping[str, str]) -> bool:
    """Whether a compose file of ``folder`` may name env files: one of them says ``env_file``
    (or cannot be read here, for the model to say why), or ``COMPOSE_FILE`` (in ``environ`` or
    the folder's ``.env``) may name other files. Without it compose reads no dotenv file and is
    not a loader in use, so the model is not loaded."""
    if environ.get("COMPOSE_FILE"):
        return True
    try:
        _, data = read_regular(os.path.join(folder, ".env"), _GATE_BYTES)
    except (OSError, NotRegularFile):
        data = b""
    if data is None or b"COMPOSE_FILE" in data:
        return True
    project_env = bool(data)  # environment: entries may take their values from it
    for name in (*COMPOSE_FILE_NAMES, *OVERRIDE_FILE_NAMES):
        try:
            _, data = read_regular(os.path.join(folder, name), _GATE_BYTES)
        except FileNotFoundError:
            continue
        except (OSError, NotRegularFile):
            return True
        if data is None or b"env_file" in data or (project_env and b"environment" in data):
            return True
    return False


def compose_folders(options: CollectOptions) -> list[str]:
    """The absolute folders that hold a compose file: those the source analysis saw
    (``options.compose_folders``), else the root when it holds one."""
    root = options.root
    if options.compose_folders is not None:
        return [os.path.join(root, rel) if rel else root for rel in options.compose_folders]
    if any(os.path.lexists(os.path.join(root, name)) for name in COMPOSE_FILE_NAMES):
        return [root]
    return []


class _Projects:
    """The compose projects read so far: their services, the env files to read and how, the
    skips, one loader use per project whose services name env files."""

    def __init__(self, options: CollectOptions, environ: Mapping[str, str]) -> None:
        self.options = options
        self.environ = environ
        self.keep = options.keep()
        self.services: list[ComposeService] = []
        self.reads: dict[str, ComposeRead] = {}
        self.raw: dict[str, dict[bool, list[str]]] = {}  # path -> format: raw? -> services
        self.missing: dict[str, list[str]] = {}  # required env file -> the entries naming it
        self.seen: set[tuple[str, ...]] = set()  # the file lists read
        self.facts: list[Fact] = []

    def show(self, path: str) -> str:
        return display_path(os.path.normpath(path), self.options.root)

    def refused(self, error: ComposeProjectError, fallback: str) -> Skip:
        """compose would refuse the whole project: nothing of it is audited."""
        line = f" (line {error.line})" if error.line is not None else ""
        return Skip(SOURCE, f"{error.message}{line}: docker compose refuses this project; its "
                            "env_file and environment: entries are not audited",
                    path=self.show(error.path or fallback))

    def read(self, folder: str) -> None:
        """Read the project of ``folder`` (its default compose files, merged)."""
        from envaudit.loaders import compose_project as cp

        dotenv = cp.read_project_dotenv(folder, self.environ)
        files, warnings = cp.chosen_compose_files(folder, self.environ, dotenv.values)
        if not files:
            return
        self.facts += [Skip(SOURCE, w, path=self.show(files[0])) for w in warnings]
        if dotenv.error is not None:
            self.facts.append(self.refused(dotenv.error, files[0]))
            return
        self.seen.add(files)
        # the project folder is the first file's (relative env_file paths start there)
        self.load(files, os.path.dirname(files[0]), dotenv.path, dotenv.values, None)

    def command(self, command: ComposeCommand) -> None:
        """Read the project a ``docker compose -f`` command line runs (unless it is a folder's
        default one, read already): its folder is ``--project-directory`` or the first file's,
        its ``.env`` there unless ``--env-file`` names others."""
        from envaudit.loaders import compose_project as cp

        where = os.path.join(self.options.root, command.folder)
        files = tuple(cp.pure_path(os.path.join(where, f)) for f in command.files)
        if files in self.seen:
            return
        self.seen.add(files)
        folder = (cp.pure_path(os.path.join(where, command.project_directory))
                  if command.project_directory else os.path.dirname(files[0]))
        if command.env_files:
            values: dict[str, str] = {}
            paths = [cp.pure_path(os.path.join(where, name)) for name in command.env_files]
            for path in paths:
                dotenv = cp.read_dotenv_file(path, self.environ)
                if dotenv.error is not None:
                    self.facts.append(self.refused(dotenv.error, files[0]))
                    return
                values.update(dotenv.values)
            self.load(files, folder, paths[-1], values, command.how)
            return
        dotenv = cp.read_project_dotenv(folder, self.environ)
        if dotenv.error is not None:
            self.facts.append(self.refused(dotenv.error, files[0]))
            return
        self.load(files, folder, dotenv.path, dotenv.values, command.how)

    def load(self, files: tuple[str, ...], folder: str, dotenv_path: str | None,
             project_env: Mapping[str, str], how: str | None) -> None:
        """Load one project and record its services, env files and loader use."""
        from envaudit.loaders import compose_project as cp

        loaded = cp.load_project(folder, self.environ, files=files, project_env=project_env)
        if isinstance(loaded, cp.ComposeProjectError):
            self.facts.append(self.refused(loaded, files[0]))
            return
        self.facts += [Skip(SOURCE, w, path=self.show(files[0])) for w in loaded.warnings]
        lookup = cp.project_lookup(self.environ, project_env)
        project_env = dict(project_env)
        use: LoaderUse | None = None
        for service in loaded.services:
            resolved: dict[str, str | None] = {}
            for entry in service.environment:
                value = entry.value
                if value is None:  # a bare name: the shell's value, else the project .env's
                    found, looked_up = lookup(entry.key)
                    value = looked_up if found else None
                resolved[entry.key] = value
            self.services.append(ComposeService(
                service.name, self.show(service.source),
                self.env_files(service, project_env, resolved),
                self.environment(service, resolved)))
            if use is None and service.env_files:
                ref = service.env_files[0]
                use = LoaderUse(COMPOSE, f"{self.show(ref.source)}:{ref.line} service "
                                         f"{service.name!r} has env_file {ref.path}")
            if use is None and dotenv_path is not None:
                label = ("the project .env" if os.path.basename(dotenv_path) == ".env"
                         and os.path.dirname(dotenv_path) == os.path.normpath(folder)
                         else self.show(dotenv_path))
                use = self._from_project_env(service, project_env, label)
        if use is not None:
            self.facts.append(use._replace(reason=f"{how}: {use.reason}") if how else use)

    def _from_project_env(self, service: Service, project_env: Mapping[str, str],
                          label: str) -> LoaderUse | None:
        """Compose in use without ``env_file``: an ``environment:`` entry takes its value from
        the project ``.env`` (a bare name the shell does not set, or ``${NAME}`` of one)."""
        for e in service.environment:
            names = [e.key] if e.value is None else _REFERENCE.findall(e.written or "")
            for name in names:
                if name in project_env and name not in self.environ:
                    return LoaderUse(COMPOSE, f"{self.show(e.source)}:{e.line} service "
                                              f"{service.name!r} takes {name} from {label}")
        return None

    def environment(self, service: Service, resolved: dict[str, str | None]
                    ) -> tuple[Definition, ...]:
        kept = None if self.keep is None else self.keep(set(resolved))
        return tuple(
            Definition(e.key, resolved[e.key], Location(SOURCE, self.show(e.source), e.line),
                       COMPOSE)
            for e in service.environment if kept is None or e.key in kept)

    def env_files(self, service: Service, project_env: dict[str, str],
                  resolved: dict[str, str | None]) -> tuple[str, ...]:
        """The display paths of the env files compose reads for ``service`` (recording how to
        read each), and a skip for each entry compose would refuse."""
        out: list[str] = []
        for ref in service.env_files:
            where = f"{self.show(ref.source)}:{ref.line} (service {service.name})"
            path = os.path.normpath(str(ref.resolved))
            if ref.format not in (None, "raw"):
                self.facts.append(Skip(
                    SOURCE, f"{where} names it with format {ref.format!r}, which docker "
                            "compose does not know: it refuses the project",
                    path=self.show(path)))
                continue
            if not os.path.lexists(path):
                if ref.required:
                    self.missing.setdefault(path, []).append(where)
                continue  # optional and missing: compose goes on without it
            if os.path.isdir(path):
                self.facts.append(Skip(
                    SOURCE, f"a folder, not a file ({where} names it as env_file): docker "
                            "compose refuses the project",
                    path=self.show(path)))
                continue
            out.append(self.show(path))
            self.raw.setdefault(path, {}).setdefault(ref.format == "raw", []).append(
                service.name)
            if path not in self.reads:
                self.reads[path] = ComposeRead(where, False, project_env, resolved)
        return tuple(out)

    def settle(self) -> None:
        """One skip per missing required env file; ``format: raw`` when every entry naming a
        file says so (a file named both ways is read with compose's dotenv rules only, and a
        skip says so)."""
        for path, entries in self.missing.items():
            more = f" (so do {len(entries) - 1} more entries)" if len(entries) > 1 else ""
            self.facts.append(Skip(
                SOURCE, f"no such file, and {entries[0]} requires it{more}: docker compose "
                        "refuses to start the project (`required: false` makes it optional)",
                path=self.show(path)))
        for path, ways in self.raw.items():
            if True not in ways:
                continue
            if False not in ways:
                self.reads[path] = self.reads[path]._replace(raw=True)
                continue
            raw, plain = sorted(set(ways[True])), sorted(set(ways[False]))
            self.facts.append(Skip(
                SOURCE, f"read with compose's default (dotenv) rules only, as service "
                        f"{', '.join(plain)} reads it: service {', '.join(raw)} names it with "
                        "format: raw (docker --env-file rules), a second reading envaudit does "
                        "not make",
                path=self.show(path)))


class ComposeCollector(Collector):
    """Reads the compose projects of the top folders (phase 0: which files compose reads, and
    for which service, decides how the dotenv collector reads them)."""

    name = "compose"
    phase = 0

    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        """Yield a ``LoaderUse`` per project whose services name env files, a ``Skip`` per
        thing compose would refuse, then one ``ComposeFacts`` when any project was read."""
        environ = options.reading_environ()
        folders = [f for f in compose_folders(options) if names_env_files(f, environ)]
        if not folders and not options.compose_commands:
            return
        project = _Projects(options, environ)
        for folder in folders:
            project.read(folder)
        for command in options.compose_commands:
            project.command(command)
        project.settle()
        yield from project.facts
        if project.services:
            yield ComposeFacts(tuple(project.services), project.reads)
