"""Find the dotenv files under a root without following directory symlinks.

Prunes ``.git``, ``node_modules``, ``__pycache__``, ``site-packages``, tool caches and every
virtual environment (a folder holding ``pyvenv.cfg``, whatever its name: people do call a venv
``.env``). Gitignored files are kept: they are the ones the app loads at run time.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from typing import Any, Generic, NamedTuple, TypeVar

from envaudit.errors import CollectorError
from envaudit.model import Skip

PRUNED_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", "__pycache__", "site-packages",
    ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
})
#: The file every virtual environment holds at its top (venv, virtualenv, uv, poetry, pdm).
VENV_MARKER = "pyvenv.cfg"
# Editor swap files and encrypted copies share the name but are not dotenv text.
_IGNORED_SUFFIXES = (".swp", ".swo", ".swx", "~", ".gpg", ".age", ".enc", ".asc", ".pgp")
#: Words of a file name (split at ``.``, ``-``, ``_``) that make it an example, not a real file.
_EXAMPLE_WORDS = frozenset({"example", "examples", "sample", "samples", "template", "templates",
                            "tmpl", "tpl", "dist"})
_NAME_WORDS = re.compile(r"[._-]+")
#: The skip reason of a (non-venv) folder named ``.env``.
FOLDER_NAMED_ENV = ("a folder, not a file: load_dotenv() finds no .env here (find_dotenv() goes "
                    "on to the parent folders); the files inside are audited")


def is_dotenv_name(name: str) -> bool:
    """``.env``, ``.env.*`` and ``*.env``, minus swap files and encrypted copies."""
    if name == ".env":
        return True
    if not (name.startswith(".env.") or (name.endswith(".env") and len(name) > 4)):
        return False
    return not name.endswith(_IGNORED_SUFFIXES)


def role_of(name: str) -> str:
    """``example`` for .env.example / .sample / .template / .dist files, else ``env``."""
    words = _NAME_WORDS.split(name.lower())
    return "example" if any(word in _EXAMPLE_WORDS for word in words) else "env"


def printable(name: str) -> str:
    """A file name as it can be shown on one line: undecodable bytes as ``\\xe9``, control
    and invisible characters escaped (``\\n``, ``\\u200b``), so that a file name can neither
    break a report's lines nor hide what it is."""
    if name.isprintable():
        return name
    out = []
    for char in name:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode() could not decode
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char.isprintable():
            out.append(char)
        else:
            out.append(char.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def display_path(abspath: str, root: str) -> str:
    """``abspath`` relative to ``root`` when it lies under it (``/`` separators), else absolute;
    made ``printable``."""
    prefix = root if root.endswith(os.sep) else root + os.sep
    if abspath.startswith(prefix) and os.sep + os.pardir + os.sep not in abspath:
        return printable(abspath[len(prefix):].replace(os.sep, "/"))  # the common case, fast
    try:
        rel = os.path.relpath(abspath, root)
    except ValueError:  # another drive (Windows)
        return printable(abspath)
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return printable(abspath)
    return printable(rel.replace(os.sep, "/"))


class Found(NamedTuple):
    """A dotenv file name found by the walk."""

    abspath: str
    """Absolute path."""
    symlink: bool
    """The name is a symlink (to a file; directories are never followed)."""
    regular: bool = False
    """The listing said it is a regular file (and not a symlink)."""


def _unreadable(exc: OSError) -> str:
    return f"folder not readable: {exc.strerror or exc}"


T = TypeVar("T")
A = TypeVar("A")

#: Share the walk with a second process once a level of the tree holds this many folders (a
#: small tree is done before that: a fork costs more than it saves there).
SHARE_AT = 64
#: The share of that level's folders the helper process walks.
CHILD_SHARE = 0.5


class _Walker:
    """Lists folders one at a time, collecting dotenv files and skips (each with the path its
    place in the final order comes from)."""

    def __init__(self, root: str, read: Callable[[Found], Any] | None = None) -> None:
        self.root = root
        self.read = read
        self.found: list[Found] = []
        self.skips: list[tuple[str, bool, Skip]] = []  # (path, is a folder, skip)

    def visit(self, folder: str) -> list[str]:
        """List ``folder``; return its subfolders to walk."""
        root = self.root
        subdirs: list[str] = []
        found: list[Found] = []
        venv = False
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    name = entry.name
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if name not in PRUNED_DIRS:
                                subdirs.append(entry.path)
                        elif ".env" in name:
                            if is_dotenv_name(name):
                                found.append(Found(entry.path, entry.is_symlink(),
                                                   entry.is_file(follow_symlinks=False)))
                        elif name == VENV_MARKER:
                            venv = True
                    except OSError as exc:  # the entry vanished, or lstat() was refused
                        if is_dotenv_name(name):
                            self.skips.append((entry.path, False, Skip(
                                "dotenv", f"cannot stat: {exc.strerror or exc}",
                                path=display_path(entry.path, root))))
        except OSError as exc:
            if folder == root:
                raise CollectorError(f"{root}: {_unreadable(exc)}") from None
            self.skips.append((folder, True, Skip("dotenv", _unreadable(exc),
                                                  path=display_path(folder, root))))
            return []
        if folder != root:
            if venv:
                return []  # a virtual environment (even one named .env): not the app's files
            if os.path.basename(folder) == ".env":
                # Walked into (a folder of env files), but python-dotenv's find_dotenv() wants
                # a file: load_dotenv() looks past this folder to the parent folders.
                self.skips.append((folder, True, Skip("dotenv", FOLDER_NAMED_ENV,
                                                      path=display_path(folder, root))))
        self.found.extend(found)
        return subdirs

    def walk(self, folders: list[str]) -> None:
        """Walk everything under ``folders`` (depth first)."""
        stack = list(folders)
        while stack:
            stack.extend(self.visit(stack.pop()))

    def results(self) -> list[tuple[Found, Any]]:
        """Each file found, with what ``read`` makes of it (``None`` without ``read``)."""
        read = self.read
        return [(f, None if read is None else read(f)) for f in self.found]

    def order(self, path: str, folder: bool) -> tuple[tuple[int, str], ...]:
        """Depth-first order, by name within a folder, a folder's files before its subfolders."""
        prefix = self.root if self.root.endswith(os.sep) else self.root + os.sep
        parts = path[len(prefix):].split(os.sep) if path.startswith(prefix) else []
        if folder:
            return tuple((1, part) for part in parts)
        return (*((1, part) for part in parts[:-1]), (0, parts[-1]))


def _can_share() -> bool:
    """A second process helps: Linux (fork without exec is safe there for a process with no
    threads), two CPUs or more available to this process."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except (AttributeError, OSError):
        return False


def _walk_in_child(
    walker: _Walker, folders: list[str], make_reader: Callable[[Any], Callable[[Found], Any]]
) -> tuple[int, int, int] | None:
    """Fork a process that walks ``folders``, then waits for the reader's argument on a pipe
    (``Walk.finish``), reads what it found and writes the results to another pipe: ``(pid,
    results read end, argument write end)``, or ``None`` when no process could be started."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        arg_read, arg_write = os.pipe()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    try:
        pid = os.fork()
    except OSError:
        for fd in (read_end, write_end, arg_read, arg_write):
            os.close(fd)
        return None
    if pid == 0:  # the child: walk, read, send, leave without running any of the parent's code
        status = 1
        try:
            os.close(read_end)
            os.close(arg_write)
            child = _Walker(walker.root)
            child.walk(folders)
            with os.fdopen(arg_read, "rb") as pipe:
                argument = pipe.read()  # empty: the parent gave up on the walk
            if argument:
                import pickle

                child.read = make_reader(pickle.loads(argument))
                payload = pickle.dumps((child.results(), child.skips), pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
                status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    os.close(arg_read)
    return pid, read_end, arg_write


def _collect_child(
    pid: int, read_end: int
) -> tuple[list[tuple[Found, Any]], list[tuple[str, bool, Skip]]] | None:
    """What the child found, or ``None`` when it failed (it then counts as not having run)."""
    try:
        with os.fdopen(read_end, "rb") as pipe:
            payload = pipe.read()
    except OSError:
        payload = b""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        status = -1
    if status != 0 or not payload:
        return None
    import pickle

    try:
        found, skips = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a truncated payload: walk that share here
        return None
    return found, skips


def _spread(count: int, share: float) -> list[bool]:
    """``count`` flags, ``share`` of them true, evenly spread (neighbouring folders of a sorted
    level tend to be alike: ``apps/a``, ``apps/b``)."""
    return [int((i + 1) * share) > int(i * share) for i in range(count)]


def _no_reader(_: object) -> None:
    return None


class Walk(Generic[A, T]):
    """A walk begun before the reader is known (the engine starts it before the phase-0
    collectors run, so that the helper process lists folders meanwhile).

    The first levels are walked breadth first; when a level holds ``SHARE_AT`` folders or more
    and ``share`` allows it (default: Linux with two CPUs), a forked process walks
    ``CHILD_SHARE`` of them and, once ``finish`` sends it the reader's argument (pickled),
    reads the files it found with ``make_reader(argument)`` (which must return something
    picklable). Should that process fail, its share is walked and read here.
    """

    def __init__(self, root: str, make_reader: Callable[[A], Callable[[Found], T]],
                 *, share: bool | None = None) -> None:
        self._make_reader = make_reader
        self._walker = walker = _Walker(root)
        level = walker.visit(root)
        sharing = _can_share() if share is None else share
        while sharing and level and len(level) < SHARE_AT:
            level = [sub for folder in level for sub in walker.visit(folder)]
        self._child: tuple[int, int, int] | None = None
        self._theirs: list[str] = []
        if sharing and len(level) >= SHARE_AT:
            level.sort()
            picked = _spread(len(level), CHILD_SHARE)
            theirs = [f for f, p in zip(level, picked) if p]
            self._child = _walk_in_child(walker, theirs, make_reader)
            if self._child is not None:
                self._theirs = theirs
                level = [f for f, p in zip(level, picked) if not p]
        self._level = level

    def finish(self, argument: A) -> tuple[list[tuple[Found, T | None]], list[Skip]]:
        """Walk the rest, read every file found with ``make_reader(argument)``: each file with
        what the reader made of it, in depth-first order (by name within a folder, a folder's
        files before its subfolders'), and what could not be read."""
        walker, child = self._walker, self._child
        self._child = None
        if child is not None:
            pid, read_end, arg_write = child
            try:
                import pickle

                with os.fdopen(arg_write, "wb") as pipe:
                    pipe.write(pickle.dumps(argument, pickle.HIGHEST_PROTOCOL))
            except Exception:  # noqa: BLE001 - not picklable, or the child is gone: walk here
                pass
        walker.read = self._make_reader(argument)
        walker.walk(self._level)
        results = walker.results()
        if child is not None:
            from_child = _collect_child(pid, read_end)
            if from_child is None:
                walker.found = []
                walker.walk(self._theirs)
                results += walker.results()
            else:
                results += from_child[0]
                walker.skips.extend(from_child[1])
        results.sort(key=lambda pair: walker.order(pair[0].abspath, False))
        skips = sorted(walker.skips, key=lambda s: walker.order(s[0], s[1]))
        return results, [skip for _, _, skip in skips]

    def close(self) -> None:
        """Give up on a walk that will not be finished: the helper process is told and
        reaped."""
        child, self._child = self._child, None
        if child is not None:
            pid, read_end, arg_write = child
            os.close(arg_write)  # the child reads no argument and leaves
            _collect_child(pid, read_end)


def walk(root: str, *, share: bool | None = None) -> tuple[list[Found], list[Skip]]:
    """Every dotenv file under ``root`` (in depth-first order, by name within a folder, a
    folder's files before its subfolders'), and what could not be read.

    Raises ``CollectorError`` when ``root`` itself cannot be listed: the audit would otherwise
    report a clean project it never saw.
    """
    found, skips = walk_and_read(root, None, share=share)
    return [f for f, _ in found], skips


def walk_and_read(
    root: str, read: Callable[[Found], T] | None, *, share: bool | None = None
) -> tuple[list[tuple[Found, T | None]], list[Skip]]:
    """``walk``, with what ``read`` makes of each file found (``Walk`` begun and finished at
    once)."""
    if read is None:
        return Walk(root, _no_reader, share=share).finish(None)
    return Walk(root, lambda _: read, share=share).finish(None)
