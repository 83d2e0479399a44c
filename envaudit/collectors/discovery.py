"""Find the dotenv files under a root without following directory symlinks.

Prunes ``.git``, ``node_modules``, ``__pycache__``, ``site-packages``, tool caches and every
virtual environment (a folder holding ``pyvenv.cfg``, whatever its name: people do call a venv
``.env``). Gitignored files are kept: they are the ones the app loads at run time.
"""

from __future__ import annotations

import io
import os
import re
import select
import sys
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from envaudit.errors import CollectorError
from envaudit.model import Skip
from envaudit.record import Record

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


class Found(Record):
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
#: That level is dealt into this many chunks (256 at most: a chunk is named by one byte), which
#: the two processes claim one at a time. Each takes more while the other is busy elsewhere (the
#: parent with phase 0, the helper with reading what it walked), and the last chunk, which one
#: process may still be on when the other is done, is small.
CHUNKS = 64


class _Walker:
    """Lists folders one at a time, collecting dotenv files and skips (each with the path its
    place in the final order comes from)."""

    def __init__(self, root: str, read: Callable[[Found], Any] | None = None) -> None:
        self.root = root
        self.read = read
        self.found: list[Found] = []
        self.skips: list[tuple[str, bool, Skip]] = []  # (path, is a folder, skip)
        self.venvs: list[str] = []  # the virtual environments met (and not walked into)

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
                self.venvs.append(folder)
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
        """Each file found since the last call, with what ``read`` makes of it (``None``
        without ``read``)."""
        found, self.found = self.found, []
        read = self.read
        return [(f, None if read is None else read(f)) for f in found]

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


def _chunks(level: list[str], count: int) -> list[list[str]]:
    """``level`` sorted and dealt into ``count`` chunks, every ``count``-th folder to a chunk:
    neighbouring folders tend to be alike (``apps/a``, ``apps/b``, then ``docs/a``,
    ``docs/b``), so dealing them out evens out the chunks' work."""
    ordered = sorted(level)
    return [ordered[i::count] for i in range(count)]


def _claim(queue: int) -> int | None:
    """The next chunk from the queue, or ``None`` when every chunk is taken.

    The queue is a pipe filled with one byte per chunk, its write end closed before the fork:
    a one-byte read is atomic, so the two processes never get the same chunk, and end of file
    means there is no more work."""
    token = os.read(queue, 1)
    return token[0] if token else None


def _ready(fd: int) -> bool:
    """Whether reading ``fd`` would not wait (something was written, or the pipe is closed)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


def _walked_enough(unread: int, first_files: int, walked: int, queued: int) -> bool:
    """Whether the helper, still without the reader, should stop walking and wait for it.

    What it walks before then it must read after, while the parent reads the files it found
    in the first levels (``first_files``) and takes the ``queued`` chunks. Walking on once its
    ``unread`` files outnumber those (the queued chunks' counted at its average so far) would
    leave the parent waiting for it at the end, as when phase 0 outlasts the whole walk. (The
    parent also has the queued chunks to walk: the estimate errs towards stopping early, which
    costs a shorter wait.)"""
    return unread * (walked - queued) > first_files * walked  # unread > first + queued * avg


class _Child(Record):
    """The helper process, and the parent's ends of the pipes to it."""

    pid: int
    queue: int
    """The chunk queue (the helper holds its own copy of this read end)."""
    argument: int
    """Write end: the reader's argument, pickled, then closed (closed empty: give up)."""
    results: int
    """Read end: what the helper read, then the chunks it walked and its skips (``_help``)."""


#: ``fcntl.F_SETPIPE_SZ`` (Linux; named in ``fcntl`` from Python 3.10).
_SETPIPE_SZ = 1031


def _widen(fd: int) -> None:
    """Let the pipe hold 1 MiB (the default limit for a process) rather than 64 KiB, so that
    the helper writes its results as it reads them without waiting for the parent, which
    takes them at the end; a pipe that cannot be widened only makes the helper wait."""
    import fcntl

    try:
        fcntl.fcntl(fd, _SETPIPE_SZ, 1 << 20)
    except OSError:
        pass


def _start_child(root: str, chunks: list[list[str]], first_files: int,
                 make_reader: Callable[[Any], Callable[[Found], Any]]) -> _Child | None:
    """Fill the chunk queue and fork the helper (``_help``): ``None`` when no process could be
    started. Chunk 0 is the helper's own, never queued: a process forked is sure to have work,
    however fast the parent empties the queue."""
    fds: list[int] = []
    try:
        queue, fill = os.pipe()
        fds += (queue, fill)
        os.write(fill, bytes(range(1, len(chunks))))  # < PIPE_BUF: written whole, never waits
        fds.remove(fill)
        os.close(fill)  # end of file once the chunks are taken
        arg_read, arg_write = os.pipe()
        fds += (arg_read, arg_write)
        res_read, res_write = os.pipe()
        fds += (res_read, res_write)
        _widen(res_write)
        pid = os.fork()
    except OSError:
        for fd in fds:
            os.close(fd)
        return None
    if pid == 0:  # the helper: leaves without running any of the parent's code
        status = 1
        try:
            os.close(arg_write)
            os.close(res_read)
            if _help(root, chunks, first_files, queue, arg_read, res_write, make_reader):
                status = 0
        finally:
            os._exit(status)
    os.close(arg_read)
    os.close(res_write)
    return _Child(pid, queue, arg_write, res_read)


def _start_reading(walker: _Walker, arg_read: int,
                   make_reader: Callable[[Any], Callable[[Found], Any]]) -> bool:
    """Wait for the reader's argument (the whole of it: the pipe is closed once it is sent) and
    read with ``make_reader(argument)`` from now on; ``False`` when the parent sent nothing (it
    gave up, or the argument did not pickle)."""
    import pickle

    with os.fdopen(arg_read, "rb") as pipe:
        argument = pipe.read()
    if not argument:
        return False
    walker.read = make_reader(pickle.loads(argument))
    return True


def _help(root: str, chunks: list[list[str]], first_files: int, queue: int, arg_read: int,
          res_write: int, make_reader: Callable[[Any], Callable[[Found], Any]]) -> bool:
    """The helper process: walk chunk 0, then chunks from the queue until it is empty, and send
    what it reads as it reads it; ``False`` when the parent gave up.

    Until the reader's argument arrives (looked for without waiting after each chunk) it only
    walks, and no further than ``_walked_enough`` says (then it waits for the argument); once
    the argument is there it reads what it walked, then reads each chunk it claims as it walks
    it, so that both processes end their last chunk at about the same time.

    What it sends is a stream of pickles: a list of (file, what the reader made of it) per
    chunk read (pickled meanwhile, not all at the end, when the parent would wait for it), then
    the tuple (chunks walked, skips, venvs), which says it is complete (``_collect_child``)."""
    import pickle

    walker = _Walker(root)
    walked: list[int] = []
    reading = False
    with os.fdopen(res_write, "wb") as out:
        index: int | None = 0
        while index is not None:
            walker.walk(chunks[index])
            walked.append(index)
            # (until the argument comes, only this process claims: the rest is queued)
            if not reading and (_ready(arg_read) or _walked_enough(
                    len(walker.found), first_files, len(walked), len(chunks) - len(walked))):
                if not _start_reading(walker, arg_read, make_reader):
                    return False
                reading = True
            if reading:  # before the argument, the files found wait for it
                pickle.dump(walker.results(), out, pickle.HIGHEST_PROTOCOL)
            index = _claim(queue)
        if not reading and not _start_reading(walker, arg_read, make_reader):
            return False  # every chunk walked before the argument came, and none came
        pickle.dump(walker.results(), out, pickle.HIGHEST_PROTOCOL)
        pickle.dump((walked, walker.skips, walker.venvs), out, pickle.HIGHEST_PROTOCOL)
    return True


def _send(arg_write: int, argument: object) -> None:
    """Send the helper the reader's argument, pickled, and close the pipe: closed empty when
    the argument does not pickle (the helper then leaves and its chunks are done here); a
    helper already gone is not an error either."""
    import pickle

    try:
        payload = pickle.dumps(argument, pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - whatever pickling raises: the parent does it all
        payload = b""
    try:
        with os.fdopen(arg_write, "wb") as pipe:
            pipe.write(payload)
    except OSError:
        pass


def _collect_child(child: _Child) -> tuple[
        list[int], list[tuple[Found, Any]], list[tuple[str, bool, Skip]], list[str]] | None:
    """The chunks the helper walked, what it found and read, its skips and the virtual
    environments it met (once it has left, and reaped); ``None`` when it failed: it then counts
    as having done nothing."""
    try:
        with os.fdopen(child.results, "rb") as pipe:
            payload = pipe.read()
    except OSError:
        payload = b""
    try:
        _, status = os.waitpid(child.pid, 0)
    except ChildProcessError:
        status = -1
    if status != 0 or not payload:
        return None
    import pickle

    stream = io.BytesIO(payload)
    found: list[tuple[Found, Any]] = []
    try:
        while True:
            record = pickle.load(stream)
            if not isinstance(record, list):
                break
            found += record
        walked, skips, venvs = record
    except Exception:  # noqa: BLE001 - a truncated payload: its chunks are done here
        return None
    if stream.tell() != len(payload):
        return None
    return walked, found, skips, venvs


def _no_reader(_: object) -> None:
    return None


class Walk(Generic[A, T]):
    """A walk begun before the reader is known (the engine starts it before the phase-0
    collectors run, so that the helper process lists folders meanwhile).

    The first levels are walked breadth first; when a level holds ``SHARE_AT`` folders or more
    and ``share`` allows it (default: Linux with two CPUs), that level is dealt into ``CHUNKS``
    chunks and a forked helper claims them from a queue, one at a time, while the parent runs
    phase 0. ``finish`` sends the helper the reader's argument (pickled): the helper reads the
    files it found with ``make_reader(argument)`` (which must return something picklable), and
    both processes then claim, walk and read chunks until none is left. The split follows the
    work (a fixed split left the helper idle while the parent caught up after phase 0). Should
    the helper fail, every chunk not done here is walked and read here.
    """

    def __init__(self, root: str, make_reader: Callable[[A], Callable[[Found], T]],
                 *, share: bool | None = None) -> None:
        self._make_reader = make_reader
        self._walker = walker = _Walker(root)
        level = walker.visit(root)
        sharing = _can_share() if share is None else share
        while sharing and level and len(level) < SHARE_AT:
            level = [sub for folder in level for sub in walker.visit(folder)]
        self._level = level  # walked here at ``finish`` (all of it when nothing is shared)
        self._chunks: list[list[str]] = []
        self._child: _Child | None = None
        #: Chunks walked here and by the helper (set by ``finish``; ``(0, 0)``: none shared).
        self.chunks_walked = (0, 0)
        #: The virtual environments (folders holding ``pyvenv.cfg``) below the root that the
        #: walk met and did not enter, sorted (set by ``finish``).
        self.venvs: list[str] = []
        if sharing and len(level) >= SHARE_AT:
            chunks = _chunks(level, min(CHUNKS, 256, len(level)))
            self._child = _start_child(root, chunks, len(walker.found), make_reader)
            if self._child is not None:
                self._chunks, self._level = chunks, []

    def finish(self, argument: A) -> tuple[list[tuple[Found, T | None]], list[Skip]]:
        """Walk the rest, read every file found with ``make_reader(argument)``: each file with
        what the reader made of it, in depth-first order (by name within a folder, a folder's
        files before its subfolders'), and what could not be read."""
        walker, child = self._walker, self._child
        self._child = None
        if child is not None:
            _send(child.argument, argument)  # first: the helper starts reading at once
            results = self._share(child, argument)
        else:
            walker.read = self._make_reader(argument)
            walker.walk(self._level)
            results = walker.results()
        results.sort(key=lambda pair: walker.order(pair[0].abspath, False))
        skips = sorted(walker.skips, key=lambda s: walker.order(s[0], s[1]))
        self.venvs = sorted(walker.venvs)
        return results, [skip for _, _, skip in skips]

    def _share(self, child: _Child, argument: A) -> list[tuple[Found, Any]]:
        """Read the first levels' files, then claim, walk and read chunks until the queue is
        empty; add the helper's results, or, when it failed, walk and read here every chunk not
        done here (whatever it claimed)."""
        walker, chunks = self._walker, self._chunks
        mine: set[int] = set()
        try:
            walker.read = self._make_reader(argument)
            results = walker.results()
            index = _claim(child.queue)
            while index is not None:
                walker.walk(chunks[index])
                results += walker.results()
                mine.add(index)
                index = _claim(child.queue)
        except BaseException:
            import signal  # here only: its enums cost 0.3 ms to import

            os.kill(child.pid, signal.SIGKILL)  # this walk is lost: so is the helper's work
            raise
        finally:
            os.close(child.queue)
            theirs = _collect_child(child)
        if theirs is not None and sorted([*theirs[0], *mine]) == list(range(len(chunks))):
            results += theirs[1]
            walker.skips.extend(theirs[2])
            walker.venvs.extend(theirs[3])
            self.chunks_walked = (len(mine), len(theirs[0]))
            return results
        walker.walk([f for i, chunk in enumerate(chunks) if i not in mine for f in chunk])
        self.chunks_walked = (len(chunks), 0)
        return results + walker.results()

    def close(self) -> None:
        """Give up on a walk that will not be finished: the helper process is told (it leaves
        after the chunk it is on) and reaped."""
        child, self._child = self._child, None
        if child is not None:
            os.close(child.argument)  # closed empty: the helper reads no argument and leaves
            os.close(child.queue)
            _collect_child(child)


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
