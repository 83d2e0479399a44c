"""Read every dotenv file twice: as python-dotenv does and as ``docker run --env-file`` does."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Mapping

from envaudit.collectors.base import CollectOptions, Collector, Fact
from envaudit.collectors.discovery import file_kind, role_of, walk
from envaudit.loaders import docker_env_file, python_dotenv
from envaudit.model import (
    DOCKER_ENV_FILE,
    PYTHON_DOTENV,
    Definition,
    DotenvFile,
    DroppedLine,
    EncodingIssue,
    FileReading,
    Location,
    Skip,
)

#: Files larger than this are not parsed (a dotenv file of this size is a mistake in itself).
MAX_FILE_BYTES = 16 * 1024 * 1024


def display_path(abspath: str, root: str) -> str:
    """``abspath`` relative to ``root`` when it lies under it, else absolute."""
    rel = os.path.relpath(abspath, root)
    return abspath if rel.startswith(os.pardir) else rel.replace(os.sep, "/")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def encoding_issues(data: bytes) -> tuple[EncodingIssue, ...]:
    """Byte-level problems: UTF-16, invalid UTF-8, binary content, NUL bytes, 64 KiB lines."""
    issues: list[EncodingIssue] = []
    head = data[:512]
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        len(head) >= 8 and head[1::2].count(0) > len(head) // 4 and head[0::2].count(0) == 0
    )
    if utf16:
        issues.append(EncodingIssue(
            "utf-16", 1,
            "the file is UTF-16 (PowerShell 5 writes it with '>' or Out-File); every loader "
            "expects UTF-8: python-dotenv raises UnicodeDecodeError, docker refuses the file, "
            "node dotenv reads nothing",
        ))
        return tuple(issues)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        controls = sum(1 for b in head if b < 9 or 13 < b < 32)
        if controls > len(head) // 10:
            issues.append(EncodingIssue(
                "binary", None,
                "the file is binary, not text: python-dotenv raises UnicodeDecodeError and "
                "docker refuses it",
            ))
            return tuple(issues)
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
    start = 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        if len(line) >= docker_env_file.MAX_LINE_BYTES:
            issues.append(EncodingIssue(
                "long-line", number,
                f"line {number} is {len(line):,} bytes long: docker --env-file refuses lines "
                "of 64 KiB or more (bufio.Scanner: token too long)",
            ))
            break
        start += len(line) + 1
    return tuple(issues)


def read_python_dotenv(data: bytes, environ: Mapping[str, str], location: Location) -> FileReading:
    """python-dotenv's reading (``dotenv_values`` with interpolation against ``environ``)."""
    try:
        text = python_dotenv.decode(data)
    except UnicodeDecodeError as exc:
        return FileReading(
            PYTHON_DOTENV, "file-rejected",
            error=f"python-dotenv raises UnicodeDecodeError ({exc.reason} at byte {exc.start}): "
                  "load_dotenv() crashes the app",
            error_line=_line_of(data, exc.start),
        )
    bindings, unparsable = python_dotenv.parse(text)
    values = python_dotenv.interpolate(bindings, environ)
    definitions = tuple(
        Definition(b.key, value, Location("dotenv", location.path, b.line), PYTHON_DOTENV)
        for b, value in zip(bindings, values)
    )
    dropped = tuple(
        DroppedLine(u.line, f"python-dotenv could not parse the statement (expected {u.reason}) "
                            "and skips it with a logged warning")
        for u in unparsable
    )
    return FileReading(PYTHON_DOTENV, "ok", definitions, dropped)


def read_docker(data: bytes, environ: Mapping[str, str], location: Location) -> FileReading:
    """``docker run --env-file``'s reading."""
    entries, rejected = docker_env_file.parse(data, environ)
    if rejected is not None:
        return FileReading(DOCKER_ENV_FILE, "file-rejected",
                           error=f"docker refuses the whole file: {rejected.reason}",
                           error_line=rejected.line)
    definitions = tuple(
        Definition(e.key, e.value, Location("dotenv", location.path, e.line), DOCKER_ENV_FILE)
        for e in entries
    )
    return FileReading(DOCKER_ENV_FILE, "ok", definitions)


def loaders_for(name: str, origin: str, options: CollectOptions) -> tuple[str, ...]:
    """Which loaders in use read this file.

    ``--loader`` wins. Otherwise python-dotenv reads every file, and docker's ``--env-file``
    reads files named with ``--env-file`` and docker-style ``NAME.env`` files.
    """
    if options.loaders:
        return options.loaders
    if origin != "discovered" or not name.startswith(".env"):
        return (PYTHON_DOTENV, DOCKER_ENV_FILE)
    return (PYTHON_DOTENV,)


def read_file(
    abspath: str, origin: str, options: CollectOptions, environ: Mapping[str, str]
) -> Fact:
    """A ``DotenvFile`` for one path, or a ``Skip`` saying why it could not be read."""
    path = display_path(abspath, options.root)
    name = os.path.basename(abspath)
    target: str | None = None
    try:
        if os.path.islink(abspath):
            target = os.readlink(abspath)
        st = os.stat(abspath)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Skip("dotenv", "symlink loop", path=path)
        if target is not None and exc.errno == errno.ENOENT:
            return Skip("dotenv", f"dangling symlink to {target}", path=path)
        return Skip("dotenv", f"cannot stat: {exc.strerror or exc}", path=path)
    kind = file_kind(st.st_mode)
    if kind is not None:
        return Skip("dotenv", f"{kind}, not a file: not read", path=path)
    role = role_of(name)
    loaders = loaders_for(name, origin, options)
    common = {"path": path, "abspath": abspath, "role": role, "origin": origin, "loaders": loaders,
                  "size": st.st_size, "mode": stat.S_IMODE(st.st_mode), "symlink_target": target}
    if st.st_size > MAX_FILE_BYTES:
        issue = EncodingIssue(
            "too-large", None,
            f"the file is {st.st_size / 1048576:.1f} MiB: not parsed (limit "
            f"{MAX_FILE_BYTES // 1048576} MiB); a dotenv file this large is not a config file",
        )
        return DotenvFile(issues=(issue,), **common)  # type: ignore[arg-type]
    try:
        fd = os.open(abspath, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return Skip("dotenv", f"not readable: {exc.strerror or exc}", path=path)
    location = Location("dotenv", path)
    readings = (
        read_python_dotenv(data, environ, location),
        read_docker(data, environ, location),
    )
    return DotenvFile(issues=encoding_issues(data), readings=readings,  # type: ignore[arg-type]
                      **common)


class DotenvFilesCollector(Collector):
    """Dotenv files under the root plus the ones named explicitly."""

    name = "dotenv-files"

    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        """Yield a ``DotenvFile`` or ``Skip`` per file, explicit files last."""
        environ = options.environ if options.process_env else {}
        found, skips = walk(options.root)
        yield from skips
        # A file named explicitly is read once, as explicit (it gains the docker reading).
        explicit = {os.path.realpath(p) for p in options.env_files}
        for item in found:
            if item.symlink or os.path.realpath(item.abspath) not in explicit:
                yield read_file(item.abspath, "discovered", options, environ)
        for abspath in dict.fromkeys(options.env_files):
            yield read_file(abspath, "explicit", options, environ)
