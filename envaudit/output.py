"""Writing reports: the pre-emit secret self-check and atomic file writes."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping
from itertools import chain

from envaudit.errors import OutputError
from envaudit.model import Snapshot
from envaudit.redact import SecretSet


def collect_secrets(snapshot: Snapshot, environ: Mapping[str, str] | None = None) -> SecretSet:
    """Every secret value the snapshot holds (process environment, ``--pid`` environments,
    every file reading, compose ``environment:`` entries), plus those of ``environ`` (the
    process environment even when ``--no-process-env`` or ``--pid`` left it out).

    The snapshot holds the variables the rules read, which are all a report can show; a
    traceback adds the rest (``add_every_file_value``)."""
    pairs: dict[tuple[str, str | None], None] = dict.fromkeys((environ or {}).items())
    # NOTE: a monorepo has thousands of definitions, most of them the same (name, value) as
    # another loader reads it: one dict, no per-reading one.
    for definitions in chain([snapshot.process or ()],
                             (environment.definitions for environment in snapshot.pids),
                             (reading.definitions for f in snapshot.files
                              for reading in f.readings),
                             (service.environment for service in snapshot.compose)):
        for d in definitions:
            pairs[d.name, d.value] = None
    secrets = SecretSet()
    secrets.add_all(pairs)
    return secrets


def add_every_file_value(secrets: SecretSet, snapshot: Snapshot) -> None:
    """Add the values of every variable of every file the snapshot read, not only of those it
    kept, and of every compose ``environment:`` entry: for scrubbing a traceback, which may
    quote anything the code touched. Best effort (a file that cannot be read again adds
    nothing)."""
    _add_compose_values(secrets, snapshot)
    from envaudit.collectors.dotenv_files import MAX_FILE_BYTES
    from envaudit.collectors.fileio import read_regular
    from envaudit.loaders import docker_env_file, python_dotenv

    for f in snapshot.files:
        try:
            _, data = read_regular(f.abspath, MAX_FILE_BYTES)
            if data is None:
                continue
            entries, _ = docker_env_file.parse(data, {})
            secrets.add_all((e.key, e.value) for e in entries)
            bindings = python_dotenv.read(python_dotenv.decode(data), {}).bindings
            secrets.add_all((b.key, b.value) for b in bindings)
        except (OSError, ValueError):
            continue


def _add_compose_values(secrets: SecretSet, snapshot: Snapshot) -> None:
    """Every ``environment:`` value (as written, and interpolated without a shell) of the
    compose files the snapshot saw, including those compose refuses (a duplicate key, bad
    YAML): their values are read from the YAML itself, entry by entry."""
    from envaudit.collectors.compose_files import SOURCE

    paths = {os.path.join(snapshot.root, s.file) for s in snapshot.compose}
    paths.update(os.path.join(snapshot.root, skip.path) for skip in snapshot.skipped
                 if skip.source == SOURCE and skip.path)
    if not paths:
        return
    from pathlib import Path

    from envaudit.loaders import compose_project

    for folder in sorted({os.path.dirname(p) for p in paths}):
        project = compose_project.load_project(Path(folder), {}, project_env={})
        if isinstance(project, compose_project.ComposeProject):
            for service in project.services:
                for e in service.environment:
                    secrets.add_all([(e.key, e.value), (e.key, e.written)])
    for path in sorted(paths):
        secrets.add_all(compose_project.written_environment(path))


def _mode_for(path: str) -> int:
    """The permission bits a plain ``open(path, "w")`` would give: the existing file's, else
    0o666 less the umask (``mkstemp`` creates 0o600, which would surprise a CI artefact step)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _write_through(path: str, text: str) -> None:
    """Write to a device, FIFO or socket in place (``/dev/null``, ``/dev/stdout``)."""
    try:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def atomic_write(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed into place.

    A symlink is written through (its target is replaced, the link stays). A path that exists
    and is not a regular file (``/dev/null``, a FIFO) is written in place: renaming over it
    would replace the device with a file (as root, ``-o /dev/null`` did exactly that).
    """
    target = os.path.realpath(path)
    try:
        regular = stat.S_ISREG(os.stat(target).st_mode)
    except OSError:
        regular = True  # does not exist (yet): create it
    if not regular:
        _write_through(path, text)
        return
    import tempfile

    folder = os.path.dirname(target) or "."
    try:
        fd, tmp = tempfile.mkstemp(prefix=".envaudit-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def write_report(text: str, output: str | None, secrets: SecretSet) -> None:
    """Self-check ``text`` for secrets, then write it to ``output`` or standard output."""
    secrets.check(text)
    if output is None or output == "-":
        stream = sys.stdout
        try:
            stream.write(text)
            stream.flush()
        except UnicodeEncodeError:
            stream.buffer.write(text.encode("utf-8", "replace"))
            stream.flush()
        return
    atomic_write(output, text)
