"""Read every dotenv file twice: as python-dotenv does and as ``docker run --env-file`` does."""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Optional

from envaudit.collectors.base import CollectOptions, Collector, ComposeRead, Fact
from envaudit.collectors.discovery import (
    Found,
    Walk,
    display_path,
    printable,
    role_of,
)
from envaudit.collectors.fileio import FIFO, NotRegularFile, read_regular
from envaudit.exposure import (
    SECRETS_NAMED,
    credential_kind,
    has_needle,
    is_file_secret,
    may_hold_secret,
)
from envaudit.loaders import BUILT_IN, LOADERS, docker_env_file, python_dotenv, reader
from envaudit.model import (
    COMPOSE,
    DOCKER_ENV_FILE,
    DOTENV_EXPAND,
    NODE_DOTENV,
    PYTHON_DOTENV,
    Definition,
    DotenvFile,
    DroppedLine,
    EncodingIssue,
    FileReading,
    FileSecret,
    Location,
    Skip,
)
from envaudit.record import Record
from envaudit.redact import hint

#: ``DotenvFile.origin`` of an env file a compose service names that the walk did not find.
COMPOSE_ORIGIN = "compose"
#: Files larger than this are not read (a dotenv file of this size is a mistake in itself; the
#: largest real ones, with a few PEM bundles inline, are tens of KiB). Bounds memory and time.
MAX_FILE_BYTES = 1024 * 1024


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _utf16(head: bytes) -> str | None:
    """``LE`` / ``BE`` when ``head`` looks like UTF-16 text (a BOM, or ASCII text with every
    other byte zero), else ``None``."""
    if head.startswith(b"\xff\xfe"):
        return "LE"
    if head.startswith(b"\xfe\xff"):
        return "BE"
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even, odd = head[0 : 2 * pairs : 2].count(0), head[1 : 2 * pairs : 2].count(0)
    if odd * 2 > pairs and even * 8 < pairs:
        return "LE"
    if even * 2 > pairs and odd * 8 < pairs:
        return "BE"
    return None


def _long_line(data: bytes) -> tuple[int, int] | None:
    """``(line, length)`` of the first line of ``MAX_LINE_BYTES`` or more (without its
    ``\\n``, with a ``\\r``, as docker's scanner counts), else ``None``."""
    limit = docker_env_file.MAX_LINE_BYTES
    if len(data) < limit:
        return None
    start, number = 0, 1
    while True:
        end = data.find(b"\n", start)
        stop = len(data) if end < 0 else end
        if stop - start >= limit:
            return number, stop - start
        if end < 0:
            return None
        start, number = end + 1, number + 1


def encoding_issues(data: bytes) -> tuple[EncodingIssue, ...]:
    """Byte-level problems: UTF-16, invalid UTF-8, binary content, NUL bytes, 64 KiB lines."""
    head = data[:512]
    utf16 = _utf16(head)
    if utf16 is not None:
        origin = " (PowerShell 5 writes it with '>' or Out-File)" if utf16 == "LE" else ""
        return (EncodingIssue(
            "utf-16", 1,
            f"the file is UTF-16 {utf16}{origin}; every loader expects UTF-8: python-dotenv "
            "raises UnicodeDecodeError, docker refuses the file, node dotenv reads nothing",
        ),)
    issues: list[EncodingIssue] = []
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Binary: control bytes (NUL included) are over a tenth of the head, and more than a
        # stray few (a short text file with one NUL and one Latin-1 byte is still text).
        controls = sum(1 for b in head if b < 9 or 13 < b < 32)
        if controls > max(len(head) // 10, 3):
            return (EncodingIssue(
                "binary", None,
                "the file is binary, not text: python-dotenv raises UnicodeDecodeError and "
                "docker refuses it",
            ),)
        issues.append(EncodingIssue(
            "invalid-utf-8", _line_of(data, exc.start),
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8 (a Latin-1 or Windows-1252 "
            "editor?): python-dotenv raises UnicodeDecodeError, docker refuses the file, "
            "node dotenv and compose read U+FFFD instead",
        ))
    nul = data.find(b"\x00")
    if nul >= 0:
        issues.append(EncodingIssue(
            "nul", _line_of(data, nul),
            "the file holds a NUL byte: load_dotenv() raises ValueError (embedded null byte) "
            "when it sets the variable, node truncates the value, runc refuses to start a "
            "container with it",
        ))
    long_line = _long_line(data)
    if long_line is not None:
        number, length = long_line
        issues.append(EncodingIssue(
            "long-line", number,
            f"line {number} is {length:,} bytes long: docker --env-file refuses lines "
            "of 64 KiB or more (bufio.Scanner: token too long)",
        ))
    return tuple(issues)


Keep = Optional[Callable[[set[str]], set[str]]]


def read_python_dotenv(
    data: bytes, environ: Mapping[str, str], location: Location, keep: Keep = None,
    role: str | None = None,
) -> tuple[FileReading, list[python_dotenv.Unparsable], Subset | None, tuple[FileSecret, ...]]:
    """python-dotenv's reading (``dotenv_values`` with interpolation against ``environ``),
    definitions limited to the names ``keep`` accepts, the statements it drops, the kept
    statements other loaders may read on their own (``Subset``), when there is such a subset,
    and, for a file of ``role`` (``env`` or ``example``), its secrets (``file_secrets``).

    NOTE: the secrets come from the same pass: the statements of the variables that may hold
    one (every statement of an example file) are read besides the kept ones, as written
    (``python_dotenv.read``'s ``also``: a ``${`` there does not send the file down the slow
    path, which it did in 367 of the large benchmark tree's 466 files when those statements
    were kept like the others, +130 ms)."""
    try:
        text = python_dotenv.decode(data)
    except UnicodeDecodeError as exc:
        return FileReading(
            PYTHON_DOTENV, "file-rejected",
            error=f"python-dotenv raises UnicodeDecodeError ({exc.reason} at byte {exc.start}): "
                  "load_dotenv() crashes the app",
            error_line=_line_of(data, exc.start),
        ), [], None, ()
    also = None if role is None else _secret_names(role, data)
    bindings, unparsable, names, simple, raw = python_dotenv.read(text, environ, keep, also)
    secrets = file_secrets(raw, role) if role is not None else ()
    definitions = tuple(
        Definition(b.key, b.value, Location("dotenv", location.path, b.line), PYTHON_DOTENV)
        for b in bindings
    )
    unresolved = tuple((b.line, b.key, name) for b in bindings for name in b.missing)
    subset = _subset(data, text, [b.line for b in bindings]) if simple and keep else None
    return FileReading(PYTHON_DOTENV, "ok", definitions, names=names,
                       unresolved=unresolved), unparsable, subset, secrets


def _every_name(names: set[str]) -> set[str]:
    return names


_seen_names: set[str] = set()
_secret_holders: set[str] = set()


def _may_hold_secrets(names: set[str]) -> set[str]:
    """The names that may hold a secret: set operations on the verdicts so far, a call of
    ``may_hold_secret`` only for names never seen before (the same keys recur in every file)."""
    for name in names - _seen_names:
        if may_hold_secret(name):
            _secret_holders.add(name)
        _seen_names.add(name)
    return names & _secret_holders


def _secret_names(role: str, data: bytes) -> Callable[[set[str]], set[str]] | None:
    """The statements ``file_secrets`` reads: in an example file every one (a credential may
    sit under any name there), unless the bytes hold none of the credential formats' literal
    starts (most example files: 269 of the large benchmark tree's, 8,174 statements not read);
    elsewhere those of the variables that may hold a secret (``exposure.may_hold_secret``)."""
    if role != "example":
        return _may_hold_secrets
    return _every_name if has_needle(data) else None


def file_secrets(raw: Iterable[python_dotenv.Binding], role: str) -> tuple[FileSecret, ...]:
    """The secrets among python-dotenv's statements ``raw`` (values as written) of a file of
    ``role``: in an example file the real-looking credentials (EA703), with their hints;
    elsewhere the first ``SECRETS_NAMED`` secret values (EA701, EA702: a file holds secrets,
    and here are some) not written with a ``${...}`` reference (it comes from elsewhere).
    ``tests/test_exposure.py`` checks that the name filter changes none of them."""
    out: list[FileSecret] = []
    for b in raw:
        if role != "example" and len(out) >= SECRETS_NAMED:
            break  # the statements after it are not even parsed
        if not b.value or "${" in b.value:
            continue
        if role == "example":
            kind = credential_kind(b.value)
            if kind is not None:
                out.append(FileSecret(b.key, b.line, kind, hint(b.value)))
        elif is_file_secret(b.key, b.value):
            out.append(FileSecret(b.key, b.line))
    return tuple(out)


#: White space other than space, tab and newline (compose rejects it where python-dotenv skips it).
_ODD_SPACE = re.compile(r"[^\S \t\n]")


class Subset(Record):
    """The kept statements of a file, as a smaller file every line-based loader reads exactly
    as it reads those lines in the whole file."""

    data: bytes
    """The kept lines, joined with ``\n``."""
    lines: tuple[int, ...]
    """The original line number of each line of ``data``."""
    plain: bool
    """No ``$`` and no white space but spaces and tabs anywhere: a loader that refuses a whole
    file for one bad line (compose) accepts every line, so it may read the subset too."""


def _subset(data: bytes, text: str, kept: list[int]) -> Subset | None:
    """The kept lines as a ``Subset`` of a simple file (every line blank, a comment or a
    one-line statement), or ``None`` when a loader could read them differently in context: a
    backtick anywhere (node loaders quote multi-line values with it), a ``$`` on a kept line
    (expansion reads other keys), a carriage return (docker and compose do not split at a lone
    CR)."""
    if b"`" in data or b"\r" in data:
        return None
    lines = text.split("\n")
    picked = [lines[n - 1] for n in kept]
    if any("$" in line for line in picked):
        return None
    plain = "$" not in text and _ODD_SPACE.search(text) is None
    data = ("\n".join(picked) + "\n").encode("utf-8") if picked else b""
    return Subset(data, tuple(kept), plain)


def read_docker(
    data: bytes, environ: Mapping[str, str], location: Location, keep: Keep = None
) -> tuple[FileReading, list[docker_env_file.Entry]]:
    """``docker run --env-file``'s reading (definitions limited to the names ``keep`` accepts),
    and every entry."""
    entries, rejected = docker_env_file.parse(data, environ)
    if rejected is not None:
        return FileReading(DOCKER_ENV_FILE, "file-rejected",
                           error=f"docker refuses the whole file: {rejected.reason}",
                           error_line=rejected.line), []
    kept = None if keep is None else keep({e.key for e in entries})
    definitions = tuple(
        Definition(e.key, e.value, Location("dotenv", location.path, e.line), DOCKER_ENV_FILE)
        for e in entries if kept is None or e.key in kept
    )
    return FileReading(DOCKER_ENV_FILE, "ok", definitions), entries


def dropped_lines(
    unparsable: list[python_dotenv.Unparsable], docker: list[docker_env_file.Entry] | None
) -> tuple[DroppedLine, ...]:
    """python-dotenv's dropped statements, each with the variables lost with it.

    docker's line-by-line reading of the same file names the keys on the lines from the dropped
    statement up to the next one python-dotenv reads (an open quote swallows them all); when
    docker refuses the file (``docker`` is ``None``) there is no such inventory.
    """
    out = []
    for u in unparsable:
        lost = [] if docker is None else [
            e for e in docker if e.line >= u.line and (u.next_line is None or e.line < u.next_line)
        ]
        out.append(DroppedLine(
            u.line,
            f"python-dotenv could not parse the statement (expected {u.reason}) and skips it "
            "with a logged warning",
            end_line=lost[-1].line if lost else u.line,
            lost_keys=tuple(e.key for e in lost),
        ))
    return tuple(out)


def read_generic(
    loader: str, data: bytes, environ: Mapping[str, str], location: Location, keep: Keep = None,
    subset: Subset | None = None, compose: ComposeRead | None = None,
) -> FileReading | None:
    """One modelled loader's reading (``envaudit.loaders.reader``), or ``None`` without a model.

    With a ``subset``, only the kept statements are read (``tests/collectors`` checks that this
    equals the whole file's reading, filtered). ``compose``: how compose reads this file (the
    project ``.env`` and the service's ``environment:`` for interpolation, ``format: raw``).
    """
    read = reader(loader)
    if read is None:
        return None
    context: dict[str, object] = {}
    if compose is not None and loader == COMPOSE:
        context = {"project_env": compose.project_env, "raw": compose.raw,
                   "service_environment": compose.service_environment}
        if compose.raw:
            subset = None  # docker's rules refuse a whole file for lines python-dotenv reads
    if subset is not None and LOADERS[loader].refuses_files and not subset.plain:
        subset = None
    if subset is not None:
        if not subset.data:
            return FileReading(loader, "ok")
        result = read(subset.data, environ, keep=keep, **context)
        lines = subset.lines
        result = result._replace(
            assignments=[a._replace(line=lines[a.line - 1]) for a in result.assignments],
            ignored=[i._replace(line=lines[i.line - 1]) for i in result.ignored],
            rejected_line=None if result.rejected_line is None else lines[result.rejected_line - 1],
            executes=tuple(lines[n - 1] for n in result.executes))
    else:
        result = read(data, environ, keep=keep, **context)
    raw = bool(context.get("raw"))
    if result.rejected is not None:
        return FileReading(loader, "file-rejected", error=result.rejected,
                           error_line=result.rejected_line, raw=raw)
    definitions = tuple(
        Definition(a.key, a.value, Location("dotenv", location.path, a.line), loader)
        for a in result.assignments
    )
    dropped = tuple(DroppedLine(i.line, i.reason, end_line=i.line) for i in result.ignored)
    return FileReading(loader, "ok", definitions, dropped, executes=tuple(result.executes),
                       raw=raw)


def read_contents(
    data: bytes, loaders: tuple[str, ...], environ: Mapping[str, str], location: Location,
    keep: Keep = None, compose: ComposeRead | None = None, role: str = "env",
) -> tuple[tuple[FileReading, ...], tuple[FileSecret, ...]]:
    """One reading per loader in ``loaders`` (python-dotenv first), and the file's secrets as a
    file of ``role`` (``read_python_dotenv``). docker's entries are also read when python-dotenv
    drops a statement, to name what it loses. ``compose``: how compose reads this file, when a
    compose service names it."""
    readings: list[FileReading] = []
    python, unparsable, subset, secrets = read_python_dotenv(data, environ, location, keep, role)
    if PYTHON_DOTENV in loaders:
        readings.append(python)
    if DOCKER_ENV_FILE in loaders or (unparsable and readings):
        docker, entries = read_docker(data, environ, location, keep)
        if DOCKER_ENV_FILE in loaders:
            readings.append(docker)
        if unparsable and readings and readings[0].loader == PYTHON_DOTENV:
            inventory = entries if docker.status == "ok" else None
            readings[0] = readings[0]._replace(dropped=dropped_lines(unparsable, inventory))
    shared: dict[object, FileReading] = {}  # Next.js and Vite read as dotenv-expand does ...
    for loader in loaders:
        if loader in BUILT_IN:
            continue
        read = reader(loader)
        reading = shared.get(read)
        if reading is None and loader == DOTENV_EXPAND and subset is not None:
            reading = _expanded_as_parsed(shared.get(reader(NODE_DOTENV)), environ)
            if reading is not None:
                shared[read] = reading
        if reading is None:
            reading = read_generic(loader, data, environ, location, keep, subset, compose)
            if reading is None:
                continue
            shared[read] = reading
        else:
            reading = _relabel(reading, loader)
        readings.append(reading)
    return tuple(readings), secrets


def _expanded_as_parsed(node: FileReading | None, environ: Mapping[str, str]) -> FileReading | None:
    """dotenv-expand's reading of a subset, when it is node dotenv's (``node``) unchanged: the
    subset has no ``$`` on a kept line (nothing to expand or unescape), and no kept key is set
    non-empty in the environment (dotenv-expand would keep that value). ``None`` otherwise
    (``tests/collectors`` compares this with the model's own reading)."""
    if node is None or node.status != "ok" or any(environ.get(d.name) for d in node.definitions):
        return None
    return _relabel(node, DOTENV_EXPAND)


def _relabel(reading: FileReading, loader: str) -> FileReading:
    """Another loader's identical reading (same model module), under ``loader``'s name."""
    definitions = tuple(d._replace(loader=loader) for d in reading.definitions)
    return reading._replace(loader=loader, definitions=definitions)


def loaders_for(
    name: str, origin: str, options: CollectOptions, *, folder: str = "",
    compose: bool = False,
) -> tuple[str, ...]:
    """Which loaders in use read this file.

    ``--loader`` wins. Otherwise python-dotenv reads every file (``load_dotenv(path)`` can name
    any of them), the node libraries read ``.env`` (``dotenv.config()``'s default), the
    conventions read the ``.env`` family but examples, every loader reads files named with
    ``--env-file``, docker's ``--env-file`` reads those and docker-style ``NAME.env`` files, and
    compose reads the files its services name with ``env_file:`` (``compose``; only compose
    reads one the walk did not find, origin ``compose``).
    """
    if options.loaders:
        return options.loaders
    if origin == COMPOSE_ORIGIN:
        return (COMPOSE,)
    docker_style = origin != "discovered" or not name.startswith(".env")
    example = role_of(name) == "example"
    out: list[str] = []
    for loader in options.loaders_in_use or (PYTHON_DOTENV,):
        kind = LOADERS[loader].kind if loader in LOADERS else "library"
        if loader == PYTHON_DOTENV or origin != "discovered":
            out.append(loader)  # any file may be passed to load_dotenv(path); named files: all
        elif kind == "library" and (options.load_names is None
                                    or name in options.load_names.get(loader, {".env"})):
            out.append(loader)  # dotenv.config() and dotenvx read ./.env unless told otherwise
        elif kind == "convention" and name.startswith(".env") and not example and (
                folder in (options.convention_folders or {}).get(loader, ())
                if options.convention_folders is not None else folder == ""):
            # .env, .env.local, .env.<mode>, .env.<mode>.local of a folder whose package.json
            # declares the framework (the root's when the code was not analysed)
            out.append(loader)
        elif loader == COMPOSE and compose:
            out.append(loader)
    if docker_style:
        out.append(DOCKER_ENV_FILE)
    return tuple(dict.fromkeys(out))


def _skip_reason(exc: OSError, target: str | None, origin: str) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT:
        if target is not None:
            return f"dangling symlink to {printable(target)}"
        return "no such file" if origin != "discovered" else "vanished before it could be read"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"not readable: {exc.strerror}"
    return f"cannot read: {exc.strerror or exc}"


def read_file(
    abspath: str, origin: str, options: CollectOptions, environ: Mapping[str, str],
    *, seen_regular: bool = False,
) -> Fact:
    """A ``DotenvFile`` for one path, or a ``Skip`` saying why it could not be read.

    Never blocks (a FIFO is not opened), never reads more than ``MAX_FILE_BYTES``.
    ``seen_regular``: the walk listed it as a regular file, not a symlink.
    """
    path = display_path(abspath, options.root)
    target: str | None = None
    try:
        if not seen_regular and stat.S_ISLNK(os.lstat(abspath).st_mode):
            target = os.readlink(abspath)  # recorded as is, shown printable
        st, data = read_regular(abspath, MAX_FILE_BYTES, seen_regular=seen_regular)
    except NotRegularFile as exc:
        where = f" (symlink to {printable(target)})" if target is not None else ""
        if exc.kind == FIFO:
            reason = ("a FIFO (named pipe), not a regular file: not read, reading could block "
                      "(python-dotenv >= 1.2 does read it)")
        else:
            reason = f"{exc.kind}, not a file: not read"
        return Skip("dotenv", reason + where, path=path)
    except OSError as exc:
        return Skip("dotenv", _skip_reason(exc, target, origin), path=path)
    name = os.path.basename(abspath)
    # the walk's paths are normal already (joined to an absolute root), so are compose's keys
    compose = options.compose_env_files.get(abspath) if options.compose_env_files else None
    folder = os.path.relpath(os.path.dirname(abspath), options.root).replace(os.sep, "/")
    loaders = loaders_for(name, origin, options, compose=compose is not None,
                          folder="" if folder == "." else folder)
    # a file compose loads is not an example, whatever its name
    role = "env" if compose is not None else role_of(name)
    if data is None:
        size = (f"{st.st_size / 1048576:.1f} MiB" if st.st_size > MAX_FILE_BYTES
                else "over the limit (it grew while being read)")
        issues: tuple[EncodingIssue, ...] = (EncodingIssue(
            "too-large", None,
            f"the file is {size}: not read (limit {MAX_FILE_BYTES // 1048576} MiB); a dotenv "
            "file this large is not a config file",
        ),)
        readings: tuple[FileReading, ...] = ()
        secrets: tuple[FileSecret, ...] = ()
    else:
        issues = encoding_issues(data)
        readings, secrets = read_contents(data, loaders, environ, Location("dotenv", path),
                                          options.keep(), compose, role)
    return DotenvFile(path, abspath, role, origin, loaders,
                      size=st.st_size, mode=stat.S_IMODE(st.st_mode), symlink_target=target,
                      issues=issues, readings=readings, secrets=secrets)


class _FoundReader:
    """Reads a file the walk found, as ``options`` say (picklable: the walk's helper process
    builds its own from the options it is sent)."""

    def __init__(self, options: CollectOptions) -> None:
        self.options = options
        self.environ = options.reading_environ()
        # A file named explicitly is read once, as explicit (it gains the docker reading); a
        # symlink found by the walk stays (it is what load_dotenv() opens, and says so).
        self.explicit = {os.path.realpath(p) for p in options.env_files}

    def __call__(self, item: Found) -> Fact | None:
        if (item.symlink or not self.explicit
                or os.path.realpath(item.abspath) not in self.explicit):
            return read_file(item.abspath, "discovered", self.options, self.environ,
                             seen_regular=item.regular)
        return None


class _Begun:
    """The dotenv collector with its walk begun (``Collector.begin``)."""

    def __init__(self, walk: Walk[CollectOptions, Fact]) -> None:
        self._walk = walk

    def __call__(self, options: CollectOptions) -> Iterator[Fact]:
        found, skips = self._walk.finish(_trimmed(options))
        yield from skips
        for _, fact in found:
            if fact is not None:
                yield fact
        if self._walk.venvs:  # deeper in the project than .venv / venv / env
            from envaudit.collectors.python_envs import walked_environments

            yield from walked_environments(self._walk.venvs, options)
        environ = options.reading_environ()
        for abspath in dict.fromkeys(options.env_files):
            yield read_file(abspath, "explicit", options, environ)
        if options.compose_env_files:  # the env files compose reads that nothing above read
            named = {os.path.normpath(item.abspath) for item, _ in found}
            named.update(os.path.normpath(p) for p in options.env_files)
            for abspath in options.compose_env_files:
                if abspath not in named:
                    yield read_file(abspath, COMPOSE_ORIGIN, options, environ)

    def close(self) -> None:
        self._walk.close()


def _trimmed(options: CollectOptions) -> CollectOptions:
    """``options`` as the walk's helper process needs them (without the environment when the
    files are read without it: it is pickled and sent)."""
    return options if options.process_env else options._replace(environ={})


class DotenvFilesCollector(Collector):
    """Dotenv files under the root plus the ones named explicitly."""

    name = "dotenv-files"

    def begin(self, options: CollectOptions) -> _Begun:
        """List the folders (with a helper process) while the phase-0 collectors run."""
        return _Begun(Walk(options.root, _FoundReader))

    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        """Yield a ``DotenvFile`` or ``Skip`` per file, explicit files last."""
        begun = self.begin(options)
        try:
            yield from begun(options)
        finally:
            begun.close()
