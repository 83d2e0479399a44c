"""The language-neutral part of the source analysis: finding entry points, reading each source
file at most once, the import graph, and running an entry point's module-level code in order.

How the cost stays small on a monorepo of 200k files:

* Entry points are looked for only in the top levels (the root and two levels of folders below
  it, plus ``src/`` of a package), never by walking the tree.
* From each entry point the imports are followed, file by file; each file is read once and its
  imports are found with a regular expression over its bytes. A file is parsed (``ast`` or
  tree-sitter) only when it mentions a dotenv loader or the SDK (``dotenv``, ``anthropic``,
  ``Anthropic``, ``@anthropic-ai``) or imports, directly or not, a file that does: every other
  file can neither load a dotenv file nor build a client, so running it changes nothing.
* ``node_modules``, virtual environments (a folder holding ``pyvenv.cfg``), ``.git``,
  ``__pycache__``, ``site-packages``, ``dist`` and ``build`` are never entered; files over
  1 MiB are not read; at most ``MAX_FILES`` files are read and imports are followed
  ``MAX_DEPTH`` modules deep (Python itself cannot nest imports that deep: its recursion limit
  stops a chain of a few hundred).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from envaudit.collectors.discovery import PRUNED_DIRS, VENV_MARKER, display_path
from envaudit.collectors.fileio import FIFO, NotRegularFile, read_regular
from envaudit.model import Location
from envaudit.source.facts import (
    ClientSite,
    EntryPoint,
    LoadCall,
    LoaderImport,
    SkippedSource,
    Step,
)

#: Source files larger than this are not read (generated bundles, vendored code).
MAX_FILE_BYTES = 1024 * 1024
#: At most this many files are read per analysis (about 2 s of work in the worst case measured:
#: 2,450 modules reachable from 39 entry points, 160 of them parsed, took 1.2 s).
MAX_FILES = 5_000
#: Imports are followed this many modules deep (CPython's default recursion limit of 1000
#: frames stops a chain of nested imports well before: each import takes several frames).
MAX_DEPTH = 200
#: Folders never entered (besides virtual environments): the walk's, plus build output.
PRUNED = PRUNED_DIRS | {"dist", "build", ".venv", "venv"}
#: Bytes whose presence makes a file worth parsing: a dotenv loader or the Anthropic SDK
#: (``nthropic`` covers ``anthropic``, ``Anthropic`` and ``@anthropic-ai``).
TRIGGERS = (b"dotenv", b"nthropic")

IMPORT, LOAD, CLIENT, CALL = range(4)


class Event:
    """Something a module does when its code runs, in order. (Plain slotted classes here, not
    ``NamedTuple``s: with postponed annotations, each of those costs a third of a millisecond
    to create at import time, and this module is imported on every scan.)"""

    __slots__ = ("action", "kind", "line", "main_only", "target")

    def __init__(self, kind: int, line: int, target: Any, action: str = "",
                 main_only: bool = False) -> None:
        self.kind = kind
        """``IMPORT``, ``LOAD``, ``CLIENT`` or ``CALL``."""
        self.line = line
        """1-based line."""
        self.target = target
        """``IMPORT``: the imported file (absolute path); ``LOAD``: a ``LoadCall``; ``CLIENT``:
        a ``ClientSite``; ``CALL``: ``(absolute path of the defining module, function name)``."""
        self.action = action
        """``import`` (Python import, hoisted ES import), ``require`` (runs in place), ``call``."""
        self.main_only = main_only
        """Python: inside ``if __name__ == "__main__":`` (runs only in the entry module)."""


class Bodies(Protocol):
    """What a call of a function runs: ``get(name)`` (a ``dict`` will do)."""

    def get(self, name: str, /) -> tuple[Event, ...] | None:
        """The events of the body a call of ``name`` runs, or ``None``."""


class ModuleCode:
    """A parsed module: what it does when imported, and what its functions do when called."""

    __slots__ = ("clients", "events", "functions", "in_order", "loader_imports", "loads")

    def __init__(self, events: tuple[Event, ...], functions: Bodies,
                 loads: tuple[LoadCall, ...] = (), clients: tuple[ClientSite, ...] = (),
                 loader_imports: tuple[LoaderImport, ...] = (),
                 in_order: tuple[Event, ...] | None = None) -> None:
        self.events = events
        """Module-level events in execution order (an ES module's static imports first)."""
        self.functions = functions
        """Top-level functions (and Python classes, by their ``__init__``): their events."""
        self.loads = loads
        """Every load call in the file, function bodies included."""
        self.clients = clients
        """Every client construction in the file, function bodies included."""
        self.loader_imports = loader_imports
        """Dotenv loader packages the file imports."""
        self.in_order = in_order
        """TypeScript in a CommonJS package: the events with every import in place, as tsc
        (and ts-node) compile it (``events`` then has the imports first, as esbuild, tsx and
        ES modules run it; checked on typescript 5.9 and esbuild's CommonJS output)."""


class SourceFile:
    """One file, read once: its bytes, whether it mentions a trigger, the files it imports."""

    __slots__ = ("abspath", "data", "edges", "rel", "skip", "trigger")

    def __init__(self, abspath: str, rel: str) -> None:
        self.abspath = abspath
        self.rel = rel
        self.data: bytes | None = None
        self.skip: str | None = None
        self.trigger = False
        self.edges: list[str] | None = None


class Start:
    """How an entry point runs: what ``EntryPoint`` says, resolved to files."""

    __slots__ = ("abspath", "as_main", "call", "entry", "prelude", "tsc_order")

    def __init__(self, entry: EntryPoint, abspath: str, prelude: tuple[str, ...] = (),
                 as_main: bool = True, call: str | None = None,
                 tsc_order: bool = True) -> None:
        self.entry = entry
        """The fact."""
        self.abspath = abspath
        """The file that runs as the main module (or the module a server imports)."""
        self.prelude = prelude
        """Python: package ``__init__`` files imported before it (``python -m pkg.mod``)."""
        self.as_main = as_main
        """Python: the file runs as ``__main__`` (its ``if __name__ == "__main__":`` block)."""
        self.call = call
        """Python: a function of the module called after the import (console scripts)."""
        self.tsc_order = tsc_order
        """TypeScript in a CommonJS package runs with its imports in place (compiled by tsc,
        run by ts-node), not first (esbuild and tsx, checked; other runners are assumed to
        follow ES module order too)."""


class TraceItem:
    """A load or a construction as it happens when an entry point runs."""

    __slots__ = ("kind", "path", "site")

    def __init__(self, kind: int, site: Any, path: tuple[Step, ...]) -> None:
        self.kind = kind
        """``LOAD`` or ``CLIENT``."""
        self.site = site
        """The ``LoadCall`` or ``ClientSite``."""
        self.path = path
        """The imports and calls that lead to it from the entry point."""


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """Whether a listed name is a folder (symlinks followed; ``False`` when it cannot tell)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def skip_reason(exc: OSError) -> str:
    """A short reason for a file that could not be read."""
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT:
        return "no such file (dangling symlink?)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"not readable: {exc.strerror}"
    return f"cannot read: {exc.strerror or exc}"


class Project:
    """The audited root as the analysis sees it: cached folder listings and files read once."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.files: dict[str, SourceFile] = {}
        self._inodes: dict[tuple[int, int], SourceFile] = {}
        self._listings: dict[str, dict[str, bool] | None] = {}
        self._pruned: dict[str, bool] = {}
        self.skipped: dict[str, SkippedSource] = {}
        self.notes: list[str] = []
        self.files_read = 0
        self.files_parsed = 0

    # ------------------------------------------------------------------ folders

    def listing(self, folder: str) -> dict[str, bool] | None:
        """``name -> is a folder`` for ``folder`` (symlinks followed for the kind), or ``None``
        when it cannot be listed. Listed once."""
        try:
            return self._listings[folder]
        except KeyError:
            pass
        out: dict[str, bool] | None
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            entries = None
        if entries is None:
            out = None
        else:
            try:  # the kind comes from the listing itself (d_type) except for symlinks
                out = {entry.name: entry.is_dir() for entry in entries}
            except OSError:  # a symlink that cannot be followed: one entry at a time
                out = {entry.name: _is_dir(entry) for entry in entries}
        self._listings[folder] = out
        return out

    def is_file(self, path: str) -> bool:
        """Whether ``path`` names something that is not a folder, from its folder's listing."""
        folder, name = os.path.split(path)
        names = self.listing(folder)
        return names is not None and names.get(name) is False

    def file_exists(self, path: str) -> bool:
        """``is_file`` without listing the folder when it is not listed yet (one ``stat``:
        cheaper for a few names in a large folder)."""
        folder, name = os.path.split(path)
        names = self._listings.get(folder)
        if names is not None or folder in self._listings:
            return names is not None and names.get(name) is False
        try:
            return stat.S_ISREG(os.stat(path).st_mode)
        except (OSError, ValueError):
            return False

    def is_dir(self, path: str) -> bool:
        """Whether ``path`` names a folder (symlinks followed), from its folder's listing."""
        folder, name = os.path.split(path)
        names = self.listing(folder)
        return names is not None and names.get(name) is True

    def inside(self, path: str) -> bool:
        """``path`` is under the root and in no pruned folder or virtual environment."""
        root = self.root
        prefix = root if root.endswith(os.sep) else root + os.sep
        if not path.startswith(prefix):
            return False
        folder = os.path.dirname(path)
        while len(folder) >= len(prefix):
            pruned = self._pruned.get(folder)
            if pruned is None:
                names = self.listing(folder)
                pruned = (os.path.basename(folder) in PRUNED
                          or (names is not None and VENV_MARKER in names))
                self._pruned[folder] = pruned
            if pruned:
                return False
            folder = os.path.dirname(folder)
        return True

    def rel(self, path: str) -> str:
        """Root-relative display path."""
        return display_path(path, self.root)

    def location(self, path: str, line: int | None) -> Location:
        """A ``code`` location."""
        return Location("code", self.rel(path), line)

    # ------------------------------------------------------------------ files

    def read(self, abspath: str) -> SourceFile:
        """The file at ``abspath``, read on first use (never again); unreadable, too large and
        binary files come back with ``skip`` set and no data."""
        known = self.files.get(abspath)
        if known is not None:
            return known
        f = SourceFile(abspath, self.rel(abspath))
        self.files[abspath] = f
        if self.files_read >= MAX_FILES:  # one note, not a skip per file
            note = f"the analysis stopped reading files at {MAX_FILES:,}: imports not followed"
            if note not in self.notes:
                self.notes.append(note)
            return f
        self.files_read += 1
        try:
            st, data = read_regular(abspath, MAX_FILE_BYTES)
        except NotRegularFile as exc:
            f.skip = ("a FIFO (named pipe): not read" if exc.kind == FIFO
                      else f"{exc.kind}, not a file")
            return f
        except OSError as exc:
            f.skip = skip_reason(exc)
            return f
        same = self._inodes.get((st.st_dev, st.st_ino))
        if same is not None:  # another name (a symlink) of a file already read
            self.files[abspath] = same
            return same
        self._inodes[(st.st_dev, st.st_ino)] = f
        if data is None:
            f.skip = f"too large ({st.st_size / 1048576:.1f} MiB; the limit is 1 MiB)"
        elif b"\x00" in data:
            f.skip = "binary (NUL bytes), not source text"
        else:
            f.data = data
            f.trigger = any(t in data for t in TRIGGERS)
        return f

    def record_skip(self, f: SourceFile, reason: str | None = None) -> None:
        """Remember that ``f`` was needed but could not be used."""
        why = reason or f.skip
        if why and f.rel not in self.skipped:
            self.skipped[f.rel] = SkippedSource(f.rel, why)


# ---------------------------------------------------------------------- the import graph


def reachable(project: Project, starts: list[str], edges: Callable[[SourceFile], list[str]]
              ) -> dict[str, int]:
    """Read every file reachable from ``starts`` by imports (breadth first, ``MAX_DEPTH``
    levels): ``path -> distance``. ``edges`` finds a file's imports (cheaply, over-approximated:
    an import inside a function or a string counts)."""
    depth: dict[str, int] = {}
    level = list(dict.fromkeys(starts))
    for p in level:
        depth[p] = 0
    d = 0
    while level and d < MAX_DEPTH:
        nxt: list[str] = []
        for path in level:
            f = project.read(path)
            if f.data is None:
                continue
            if f.edges is None:
                f.edges = edges(f)
            for target in f.edges:
                if target not in depth:
                    depth[target] = d + 1
                    nxt.append(target)
        level, d = nxt, d + 1
    for path in level:  # the last level is known but its imports are not followed
        f = project.read(path)
        if f.data is not None and f.edges is None:
            f.edges = []
            project.record_skip(f, f"imports not followed: {MAX_DEPTH} modules deep from an "
                                   "entry point")
    return depth


def relevant(project: Project, nodes: dict[str, int]) -> set[str]:
    """The files among ``nodes`` that mention a trigger or import (transitively) one that does:
    the only ones worth parsing."""
    back: dict[str, list[str]] = {}
    todo: list[str] = []
    for path in nodes:
        f = project.files.get(path)
        if f is None or f.data is None:
            continue
        if f.trigger:
            todo.append(path)
        for target in f.edges or ():
            back.setdefault(target, []).append(path)
    seen = set(todo)
    while todo:
        for parent in back.get(todo.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


# ---------------------------------------------------------------------- running an entry point


class _Frame:
    """A module or a function body being run."""

    __slots__ = ("calling", "events", "module", "path")

    def __init__(self, events: Iterator[Event], path: tuple[Step, ...], module: str,
                 calling: frozenset[tuple[str, str]]) -> None:
        self.events = events
        self.path = path
        self.module = module
        self.calling = calling


def run(project: Project, start: Start, code_of: Callable[[str], ModuleCode | None],
        first: tuple[TraceItem, ...] = ()) -> list[TraceItem]:
    """The loads and constructions that happen, in order, when ``start`` runs: module-level
    code of each module imported (once: a module being imported is not entered again, as with
    ``sys.modules`` and ES module records), with module-level calls of project functions
    followed into their bodies. Imports nest at most ``MAX_DEPTH`` deep; a call chain that comes
    back to a function already running is not followed again."""
    trace = list(first)
    imported: set[str] = set()
    stack: list[_Frame] = []
    entry_steps = (Step(start.entry.location, "run", project.rel(start.abspath)),)

    def enter(target: str, path: tuple[Step, ...], main: bool = False) -> None:
        if target in imported:
            return
        imported.add(target)
        code = code_of(target)
        if code is None:
            return
        if len(stack) >= MAX_DEPTH:
            project.record_skip(project.read(target),
                                f"not followed: imports nest more than {MAX_DEPTH} deep")
            return
        chosen = code.in_order if start.tsc_order and code.in_order is not None else code.events
        events = chosen if main else (e for e in chosen if not e.main_only)
        stack.append(_Frame(iter(events), path, target, frozenset()))

    def drain() -> None:
        while stack:
            frame = stack[-1]
            event = next(frame.events, None)
            if event is None:
                stack.pop()
            elif event.kind == IMPORT:
                step = Step(project.location(frame.module, event.line),
                            event.action or "import", project.rel(event.target))
                enter(event.target, frame.path + (step,))
            elif event.kind == CALL:
                module, name = event.target
                step = Step(project.location(frame.module, event.line), "call", name)
                if len(stack) < MAX_DEPTH:
                    _push_call(stack, code_of, module, name, frame.path + (step,),
                               frame.calling)
            else:
                trace.append(TraceItem(event.kind, event.target, frame.path))

    # Python: ``python -m a.b`` and ``a.b:main`` import the parent packages first.
    for init in start.prelude:
        enter(init, entry_steps)
        drain()
    enter(start.abspath, entry_steps, start.as_main)
    drain()
    if start.call:
        _push_call(stack, code_of, start.abspath, start.call, entry_steps, frozenset())
        drain()
    return trace


def _push_call(stack: list[_Frame], code_of: Callable[[str], ModuleCode | None], module: str,
               name: str, path: tuple[Step, ...], calling: frozenset[tuple[str, str]]) -> None:
    key = (module, name)
    if key in calling:
        return
    code = code_of(module)
    body = code.functions.get(name) if code is not None else None
    if body:
        stack.append(_Frame(iter(body), path, module, calling | {key}))
