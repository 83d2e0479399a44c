"""``AuditContext``: the snapshot plus the derived views every rule needs, computed once.

Which value wins, per loader (``AuditContext.effective``; the facts are in
``docs/loader-facts.md``, "Precedence", measured on the real loaders):

- The process environment first (``load_dotenv()``, ``dotenv.config()`` and the frameworks never
  override it), then files named with ``--env-file`` (the last one given wins, as with
  ``docker run``). Inside one file the last definition wins (python-dotenv and runc agree).
- python-dotenv, when the code's calls are known (``CodeFacts.loads``) and every one names its
  file (an upward search, or a literal path): only the files those calls load, the nearest
  first. ``load_dotenv()`` searches up from the calling file's folder and loads the first
  ``.env`` it meets, so a ``.env`` in a folder above it, and a ``.env.local`` beside it, are
  never read.
- Next.js: ``.env.<mode>.local`` > ``.env.local`` > ``.env.<mode>`` > ``.env``; Vite and
  dotenv-flow: ``.env.<mode>.local`` > ``.env.<mode>`` > ``.env.local`` > ``.env``.
- Otherwise (node dotenv, dotenv-expand, dotenvx, docker's ``--env-file``, python-dotenv whose
  calls are unknown): discovered files from the root down, and within a folder ``.env.*.local``
  > ``.env.local`` > ``.env.<mode>`` > ``.env`` > ``NAME.env``.

compose is the exception (``AuditContext.compose_effective``): it builds a container's
environment from its services' ``environment:`` entries and ``env_file`` entries, never from
the shell's variables.
"""

from __future__ import annotations

import functools
import os
import posixpath
from collections.abc import Callable, Container, Iterable, Iterator
from functools import cached_property

from envaudit.catalogue import credentials
from envaudit.model import (
    COMPOSE,
    DOTENV_EXPAND,
    DOTENV_FLOW,
    ENVIRONMENTS,
    NEXTJS,
    NODE_DOTENV,
    PROCESS,
    PYTHON_DOTENV,
    VITE,
    Definition,
    DotenvFile,
    Location,
    Snapshot,
)
from envaudit.record import Record

ANTHROPIC_HOSTS = ("api.anthropic.com",)
#: What ``urlsplit`` deletes from a URL before splitting it.
_URL_REMOVED = str.maketrans("", "", "\t\r\n")


class Site(Record):
    """One place a variable is defined, with the value each loader in use reads there."""

    name: str
    """Variable name."""
    location: Location
    """File and line, or the process environment."""
    values: dict[str, str | None]
    """Loader -> value (``None``: bare key)."""
    file: DotenvFile | None = None
    """The file, for dotenv sites (``None`` for the process environment and a compose
    ``environment:`` entry)."""

    def by_value(self) -> dict[str | None, list[str]]:
        """Distinct values -> the loaders that read them (so a finding names its loaders)."""
        out: dict[str | None, list[str]] = {}
        for loader, value in self.values.items():
            out.setdefault(value, []).append(loader)
        return out


def folder_contains(outer: str, inner: str) -> bool:
    """Whether folder ``inner`` is ``outer`` or lies under it (root-relative, ``""`` = root)."""
    return outer == "" or inner == outer or inner.startswith(outer + "/")


@functools.lru_cache(maxsize=4096)
def folder_of(path: str) -> str:
    """The folder of root-relative ``path`` (``posixpath.dirname``), remembered: each file's
    folder is asked for once per variable, by several rules and tables."""
    return posixpath.dirname(path)


@functools.lru_cache(maxsize=4096)
def _above(folder: str) -> tuple[str, ...]:
    """The folders above root-relative ``folder``, the root ``""`` first (none for the root)."""
    if folder == "":
        return ()
    parts = folder.split("/")
    return ("", *("/".join(parts[:i]) for i in range(1, len(parts))))


def search_up(paths: Container[str], name: str, folder: str) -> str | None:
    """The file named ``name`` that python-dotenv's upward search from root-relative ``folder``
    meets first among ``paths`` (root-relative), staying inside the project; ``None``: none."""
    for at in (folder, *reversed(_above(folder))):
        path = f"{at}/{name}" if at else name
        if path in paths:
            return path
    return None


def app_groups(sites: list[Site]) -> list[list[Site]]:
    """``sites`` split per app: one group per deepest folder holding a discovered file, with
    the process environment, ``--env-file`` files and the files of the folders above it.

    ``apps/a/.env`` and ``apps/b/.env`` are two apps of a monorepo (python-dotenv searches up
    from the calling file, node dotenv reads ``./.env``), never loaded together, while ``.env``
    at the root and ``apps/a/.env`` may be; the process environment and files named with
    ``--env-file`` reach every app.
    """
    placed = [(s, None if s.file is None or s.file.origin != "discovered"
               else folder_of(s.file.path)) for s in sites]
    folders = {f for _, f in placed if f is not None}
    if not folders:
        return [sites] if sites else []
    # A leaf holds no other folder: neither a deeper folder below it, nor (for the root "")
    # any folder at all.
    inner: set[str] = set()
    for known in folders:
        inner.update(_above(known))
    leaves = sorted(folders - inner)
    # Each folder's leaves: the leaves at or below it.
    below: dict[str, list[int]] = {}
    for index, leaf in enumerate(leaves):
        below.setdefault(leaf, []).append(index)
        for folder in _above(leaf):
            below.setdefault(folder, []).append(index)
    groups: list[list[Site]] = [[] for _ in leaves]
    everywhere = range(len(leaves))
    for site, f in placed:
        for index in (everywhere if f is None else below.get(f, ())):
            groups[index].append(site)
    return groups


def _file_rank(f: DotenvFile) -> tuple[int, int, int, str]:
    name = os.path.basename(f.path)
    if f.origin != "discovered":
        return (0, 0, 0, "")
    if name == ".env.local":
        within = 1
    elif name.startswith(".env.") and name.endswith(".local"):
        within = 0
    elif name.startswith(".env."):
        within = 2
    elif name == ".env":
        within = 3
    else:
        within = 4
    return (1, f.path.count("/"), within, name)


#: Within the framework's folder, each convention's order (highest first; measured, see
#: docs/loader-facts.md): 0 ``.env.<mode>.local``, then the two middle files, then ``.env``.
_CONVENTION_LOCAL_FIRST = {NEXTJS: True, VITE: False, DOTENV_FLOW: False}


def _convention_rank(loader: str, name: str) -> int | None:
    """Where file ``name`` stands in convention ``loader``'s order (``None``: not one of its)."""
    if name == ".env":
        return 3
    if name == ".env.local":
        return 1 if _CONVENTION_LOCAL_FIRST[loader] else 2
    if name.startswith(".env."):
        if name.endswith(".local"):
            return 0
        return 2 if _CONVENTION_LOCAL_FIRST[loader] else 1
    return None


def _node_boolean(text: str | None) -> bool:
    """node dotenv's ``parseBoolean`` of an option read from the environment."""
    return text is not None and text.lower() not in ("false", "0", "no", "off", "")


def _literal_matches(files: dict[str, list[str]], literal: str, cwd: str, *,
                     anywhere: bool) -> list[str]:
    """The root-relative files a loader started in root-relative folder ``cwd`` reads for
    path ``literal``, among ``files`` (file name -> root-relative paths): the one relative to
    ``cwd``; else, with ``anywhere`` (the current folder is a guess) or for an absolute path
    or one leaving the project, every file of that name (``/app/.env`` in an image is the
    project's ``.env``)."""
    literal = literal.replace("\\", "/")
    named = files.get(posixpath.basename(literal), [])
    if not literal.startswith(("/", "~")):
        path = posixpath.normpath(posixpath.join(cwd, literal))
        if path in named:
            return [path]
        if not anywhere and not path.startswith(".."):
            return []
    return list(named)


def _by_name(paths: Iterable[str]) -> dict[str, list[str]]:
    """Root-relative ``paths`` by file name."""
    out: dict[str, list[str]] = {}
    for path in paths:
        out.setdefault(posixpath.basename(path), []).append(path)
    return out


#: The tiers of a loader's order of files (``AuditContext._file_ranks``).
_OVERRIDES, _NAMED, _FOUND = range(3)
#: A loader's order of files: lower first, ``None`` for a file it does not load.
_Rank = Callable[["DotenvFile | None"], "tuple[int, ...] | None"]


class AuditContext:
    """Read-only views over a snapshot, shared by all rules of one run."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._winners: dict[tuple[str, str], Definition | None] = {}
        self._ranks: dict[str, _Rank | None] = {}
        self._site_values: dict[str, list[tuple[Site, list[tuple[str | None, list[str]]]]]] = {}

    # ------------------------------------------------------------------ sources
    @cached_property
    def env_files(self) -> tuple[DotenvFile, ...]:
        """Files the app may load (not examples), highest precedence first."""
        files = [f for f in self.snapshot.files if f.role == "env"]
        explicit = [f for f in files if f.origin != "discovered"]
        discovered = [f for f in files if f.origin == "discovered"]
        return tuple(reversed(explicit)) + tuple(sorted(discovered, key=_file_rank))

    @cached_property
    def example_files(self) -> tuple[DotenvFile, ...]:
        """``.env.example`` and friends."""
        return tuple(f for f in self.snapshot.files if f.role == "example")

    @cached_property
    def process(self) -> dict[str, Definition]:
        """The environment the app starts with, by name: envaudit's own, or with ``--pid`` the
        processes' (the first to set a name wins); empty with ``--no-process-env``."""
        out: dict[str, Definition] = {}
        for d in self._environment_definitions():
            out.setdefault(d.name, d)
        return out

    def _environment_definitions(self) -> Iterator[Definition]:
        for environment in self.snapshot.pids:
            yield from environment.definitions
        yield from self.snapshot.process or ()

    @property
    def environment_location(self) -> Location:
        """Where the app's starting environment is: the first ``--pid``'s, else envaudit's."""
        pids = self.snapshot.pids
        return Location("pid", pid=pids[0].pid) if pids else Location(PROCESS)

    def environment_words(self) -> str:
        """The environment(s) the app starts with, in words: ``the process environment``,
        ``the environment of pid 42``, ``the environments of pids 42 and 43``."""
        pids = [str(e.pid) for e in self.snapshot.pids]
        if len(pids) > 1:
            return f"the environments of pids {', '.join(pids[:-1])} and {pids[-1]}"
        return self.environment_location.environment()

    @property
    def has_process_env(self) -> bool:
        """Whether the environment the app starts with was read (envaudit's own, or a
        ``--pid``'s)."""
        return self.snapshot.process is not None or bool(self.snapshot.pids)

    def file_definitions(self, f: DotenvFile) -> Iterator[Definition]:
        """Definitions of ``f`` as read by each loader in use for it."""
        for reading in f.readings:
            if reading.loader in f.loaders and reading.status == "ok":
                yield from reading.definitions

    @cached_property
    def _sites(self) -> dict[str, list[Site]]:
        out: dict[str, list[Site]] = {}
        for d in self._environment_definitions():  # every --pid's, then envaudit's own
            out.setdefault(d.name, []).append(Site(d.name, d.location, {PROCESS: d.value}))
        for service in self.snapshot.compose:  # compose's highest precedence
            for d in service.environment:
                out.setdefault(d.name, []).append(Site(d.name, d.location, {COMPOSE: d.value}))
        for f in self.env_files:
            by_line: dict[tuple[str, int | None], dict[str, str | None]] = {}
            for reading in f.readings:
                if reading.loader not in f.loaders or reading.status != "ok":
                    continue  # file_definitions, inline: thousands of definitions
                for d in reading.definitions:
                    key = (d.name, d.location.line)
                    values = by_line.get(key)
                    if values is None:
                        values = by_line[key] = {}
                        site = Site(d.name, d.location, values, f)
                        named = out.get(d.name)
                        if named is None:
                            out[d.name] = [site]
                        else:
                            named.append(site)
                    values[d.loader] = d.value
        return out

    def sites(self, name: str) -> list[Site]:
        """Every place the app may load ``name`` from, highest precedence first."""
        return self._sites.get(name, [])

    def site_values(self, name: str) -> list[tuple[Site, list[tuple[str | None, list[str]]]]]:
        """Each site of ``name`` (``sites`` order) with its distinct values (empty and bare ones
        included) and the loaders that read each (``Site.by_value``, as pairs); worked out once
        per name: every credential rule and the JSON report walk them. Read-only."""
        out = self._site_values.get(name)
        if out is None:
            out = self._site_values[name] = [(site, list(site.by_value().items()))
                                             for site in self.sites(name)]
        return out

    def names(self) -> Iterable[str]:
        """Every variable name defined in a source the app may load."""
        return self._sites.keys()

    def all_names(self) -> set[str]:
        """Every variable name anywhere, example files included."""
        names = set(self._sites)
        for f in self.example_files:
            for reading in f.readings:
                names.update(d.name for d in reading.definitions)
        return names

    def effective(
        self, name: str, loader: str = PYTHON_DOTENV, *, among: list[Site] | None = None
    ) -> Definition | None:
        """The definition the app ends up with under ``loader`` (``None``: not set).

        ``among`` restricts the sources considered to some of ``sites(name)``, in their order
        (for instance to one app of a monorepo).
        """
        if among is None:  # the whole app's winner: asked for again and again, kept
            key = (name, loader)
            if key in self._winners:
                return self._winners[key]
            found = self._winners[key] = self._effective(name, loader, self.sites(name))
            return found
        return self._effective(name, loader, among)

    def loads_over_environment(self, loader: str, f: DotenvFile) -> bool | None:
        """How ``loader`` loads ``f``: ``None`` not at all (another call's file, a disabled
        loader), ``True`` with override (it beats the environment the app starts with),
        ``False`` as usual (an already-set variable keeps its value)."""
        if loader not in self._ranks:
            self._ranks[loader] = self._file_ranks(loader)
        rank = self._ranks[loader]
        key = (_FOUND,) if rank is None else rank(f)
        return None if key is None else key[0] == _OVERRIDES

    def _effective(self, name: str, loader: str, sites: list[Site]) -> Definition | None:
        """``effective`` among ``sites``."""
        if loader == COMPOSE and self.snapshot.compose:
            return self.compose_effective(name, sites)
        if loader not in self._ranks:  # asked for thousands of times on a large tree
            self._ranks[loader] = self._file_ranks(loader)
        rank = self._ranks[loader]
        best: tuple[tuple[int, ...], Site] | None = None
        process: Site | None = None  # the first environment (``--pid`` before envaudit's)
        for index, site in enumerate(sites):
            if site.location.source in ENVIRONMENTS:
                process = process or site
            elif loader in site.values:
                key = (_FOUND, index) if rank is None else rank(site.file)
                if key is not None and (best is None or (*key, index) < best[0]):
                    best = ((*key, index), site)
                    if rank is None:
                        break  # the shared order: the sites' own
        if process is not None and (best is None or (
                best[0][0] != _OVERRIDES  # a file loaded with override=True beats it
                and not (loader == DOTENV_EXPAND and process.values[PROCESS] == ""))):
            return Definition(name, process.values[PROCESS], process.location, PROCESS)
        if best is None:
            return None
        # NOTE: within one file the last definition wins.
        file = best[1].file
        for last in reversed(sites):
            if last.file is file and loader in last.values:
                return Definition(name, last.values[loader], last.location, loader)
        return None

    def _file_ranks(self, loader: str) -> _Rank | None:
        """How ``loader`` orders the files it reads (lower first; ``None`` for a file it does
        not load), or ``None`` when it keeps the shared order (module docstring). A key starts
        with its tier: ``_OVERRIDES`` (loaded with ``override=True``: beats the process
        environment too), ``_NAMED`` (``--env-file``), ``_FOUND`` (discovered files)."""
        if loader in _CONVENTION_LOCAL_FIRST:
            def convention(f: DotenvFile | None) -> tuple[int, ...] | None:
                if f is None or f.origin != "discovered":
                    return (_NAMED, 0)
                at = _convention_rank(loader, os.path.basename(f.path))
                return None if at is None else (_FOUND, at)
            return convention
        if loader == PYTHON_DOTENV and (self._app_environ_option("PYTHON_DOTENV_DISABLED")
                                        or "").casefold() in ("1", "true", "t", "yes", "y"):
            # load_dotenv() is then a no-op (python-dotenv >= 1.2.0; dotenv_values still reads)
            return lambda f: (_NAMED, 0) if f is None or f.origin != "discovered" else None
        loads = None
        if loader == PYTHON_DOTENV:
            loads = self._python_dotenv_loads
        elif loader in (NODE_DOTENV, DOTENV_EXPAND):  # dotenv-expand expands config()'s files
            loads = self._node_dotenv_loads
        if loads is None:
            return None
        chosen = loads

        def by_calls(f: DotenvFile | None) -> tuple[int, ...] | None:
            if f is None or f.origin != "discovered":
                return (_NAMED, 0)
            return chosen.get(f.path)
        return by_calls

    @cached_property
    def _python_dotenv_loads(self) -> dict[str, tuple[int, ...]] | None:
        """The discovered files python-dotenv's calls load, each with its rank: calls in the
        order found (the first load of a key wins), except that a call with ``override=True``
        beats the others and the process environment (the last such call first); within a
        call, the literal paths in the order written. ``None`` when the calls are unknown, or
        one names its file with an expression or a stream."""
        from envaudit.source.facts import CWD, LITERAL, SEARCH  # (the CLI's start-up: not)

        code = self.snapshot.code
        calls = [c for c in code.loads if c.loader == PYTHON_DOTENV] if code else []
        if not calls or any(c.path_kind not in (SEARCH, CWD, LITERAL) for c in calls):
            return None
        files = {f.path for f in self.env_files if f.origin == "discovered"}
        by_name = _by_name(files)
        out: dict[str, tuple[int, ...]] = {}
        for number, call in enumerate(calls):
            tier = (_OVERRIDES, -number) if call.override else (_FOUND, number)
            if call.path_kind == LITERAL:  # relative to the current folder, unknown
                for index, literal in enumerate(call.paths):
                    for path in _literal_matches(by_name, literal, "", anywhere=True):
                        out[path] = min(out.get(path, (9,)), (*tier, index))
                continue
            start = "" if call.path_kind == CWD else folder_of(call.location.path or "")
            found = search_up(files, call.search_name, start)
            if found is not None:
                out[found] = min(out.get(found, (9,)), (*tier, -found.count("/")))
        return out

    @cached_property
    def _node_dotenv_loads(self) -> dict[str, tuple[int, ...]] | None:
        """The discovered files node dotenv's ``config()`` calls load, each with its rank (as
        ``_python_dotenv_loads``): preloads (``node -r dotenv/config``) first, then the calls
        in the order found. Each call reads its current folder's ``.env``, or its ``path``
        (an array: the first file that sets a key wins; with ``override: true`` the last) from
        that folder; the current folder is the nearest one above the calling file (or the
        manifest naming the command) that holds a ``package.json`` (npm runs a package's
        scripts there), else the root. ``dotenv/config`` also takes ``DOTENV_CONFIG_PATH`` and
        ``DOTENV_CONFIG_OVERRIDE`` from the environment. ``None`` when the calls are unknown
        or one computes its path."""
        from envaudit.source.facts import CWD, LITERAL
        from envaudit.source.facts import NODE_DOTENV as CODE_NODE_DOTENV

        code = self.snapshot.code
        if code is None:
            return None
        calls = [e.preload for e in code.entry_points
                 if e.preload is not None and e.preload.loader == CODE_NODE_DOTENV]
        calls += [c for c in code.loads if c.loader == CODE_NODE_DOTENV]
        if not calls or any(c.path_kind not in (CWD, LITERAL) for c in calls):
            return None
        by_name = _by_name(f.path for f in self.env_files if f.origin == "discovered")
        packages = frozenset(code.package_folders)
        out: dict[str, tuple[int, ...]] = {}
        for number, call in enumerate(calls):
            from_env = "dotenv/config" in call.function  # the preload reads its options there
            override = call.override
            if override is None:
                option = self._app_environ_option("OVERRIDE", node=True)
                override = from_env and _node_boolean(option)
            paths = call.paths
            if call.path_kind == CWD:
                option = self._app_environ_option("PATH", node=True) if from_env else None
                paths = (option,) if option else (".env",)
            folder = folder_of(call.location.path or "")
            cwd = next((at for at in (folder, *reversed(_above(folder))) if at in packages), "")
            for index, literal in enumerate(paths):
                tier = (_OVERRIDES, -number, -index) if override else (_FOUND, number, index)
                for path in _literal_matches(by_name, literal, cwd, anywhere=False):
                    out[path] = min(out.get(path, (9,)), tier)
        return out

    def _app_environ_option(self, name: str, *, node: bool = False) -> str | None:
        """A loader option read from the app's environment: ``name`` (python-dotenv's
        ``PYTHON_DOTENV_DISABLED``), or with ``node``, node dotenv's ``DOTENV_<name>`` else
        ``DOTENV_CONFIG_<name>`` (``None``: not set)."""
        names = (f"DOTENV_{name}", f"DOTENV_CONFIG_{name}") if node else (name,)
        for option in names:
            d = self.process.get(option)
            if d is not None:
                return d.value
        return None

    def compose_effective(self, name: str, sites: list[Site]) -> Definition | None:
        """compose's winner among ``sites`` (``compose_project.service_environment``'s
        precedence): for each service, in the compose files' order, its ``environment:`` entry,
        else its last ``env_file`` entry whose file defines ``name`` (the file's last line);
        the first service that gets the variable. The process environment is not a source: the
        shell of ``docker compose`` only feeds interpolation and bare names, which the readings
        already resolved.

        NOTE: compose's own precedence, kept to compose; the other loaders' order is
        ``effective``'s.
        """
        for environment, rank in self._compose_index:
            own = environment.get(name)
            chosen = None if own is None else next(
                (s for s in reversed(sites)
                 if s.file is None and s.location in own and COMPOSE in s.values), None)
            if chosen is None:  # a later env_file wins, and the last line within one
                best = (-1, 0)
                for site in sites:
                    at = rank.get(site.file.path, -1) if site.file is not None else -1
                    if at >= 0 and COMPOSE in site.values and (at, site.location.line or 0) > best:
                        best, chosen = (at, site.location.line or 0), site
            if chosen is not None:
                return Definition(name, chosen.values[COMPOSE], chosen.location, COMPOSE)
        return None

    @cached_property
    def _compose_index(self) -> list[tuple[dict[str, set[Location]], dict[str, int]]]:
        """Per compose service: its ``environment:`` entries' locations by name, and the rank
        of each of its env files (a later one wins)."""
        out = []
        for service in self.snapshot.compose:
            environment: dict[str, set[Location]] = {}
            for d in service.environment:
                environment.setdefault(d.name, set()).add(d.location)
            out.append((environment, {path: i for i, path in enumerate(service.env_files)}))
        return out

    def winner(self, name: str) -> Definition | None:
        """The definition the app ends up with under its first loader that sets ``name``
        (empty values kept: the SDKs decide what empty means); the effective table's rule."""
        for loader in self.snapshot.loaders or (PYTHON_DOTENV,):
            d = self.effective(name, loader)
            if d is not None:
                return d
        return None

    def effective_value(self, name: str) -> str | None:
        """The value the app ends up with under its first loader, empty counting as unset."""
        for loader in self.snapshot.loaders or (PYTHON_DOTENV,):
            d = self.effective(name, loader)
            if d is not None and d.value:
                return d.value
        return None

    # ------------------------------------------------------------------ provider
    @cached_property
    def provider_in_use(self) -> bool:
        """Anthropic is in use: forced, a manifest names its SDK, or any of its variables is set.

        NOTE: not every ``CLAUDE_CODE_*`` variable: Claude Code exports ``CLAUDECODE`` and
        ``CLAUDE_CODE_ENTRYPOINT`` into every shell it runs, whatever the project.
        """
        if self.snapshot.provider_hints:
            return True
        cat = credentials()
        known = set(cat.variables) | set(cat.platform_variables) | set(cat.platform_markers)
        for name in self.all_names():
            if name.startswith("ANTHROPIC_") or name in cat.variables:
                return True
            if name in known and name not in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID",
                                              "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                                              "GOOGLE_APPLICATION_CREDENTIALS"):
                return True
        return False

    @cached_property
    def base_url_is_anthropic(self) -> bool:
        """The effective ``ANTHROPIC_BASE_URL`` is unset or Anthropic's own host."""
        value = self.effective_value("ANTHROPIC_BASE_URL")
        if not value:
            return True
        if "anthropic.com" not in value.lower().translate(_URL_REMOVED):
            return False  # no such host can be in it (and urllib stays unimported)
        try:
            from urllib.parse import urlsplit

            host = urlsplit(value.strip()).hostname or ""
        except ValueError:
            return True
        return host in ANTHROPIC_HOSTS or host.endswith(".anthropic.com")
