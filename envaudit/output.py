"""Writing reports: the pre-emit secret self-check and atomic file writes."""

from __future__ import annotations

import os
import sys
import tempfile

from envaudit.errors import OutputError
from envaudit.model import Snapshot
from envaudit.redact import SecretSet


def collect_secrets(snapshot: Snapshot) -> SecretSet:
    """Every secret value the snapshot holds (process environment and every file reading)."""
    secrets = SecretSet()
    for d in snapshot.process or ():
        secrets.add(d.name, d.value)
    for f in snapshot.files:
        for reading in f.readings:
            for d in reading.definitions:
                secrets.add(d.name, d.value)
    return secrets


def atomic_write(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed into place."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    try:
        fd, tmp = tempfile.mkstemp(prefix=".envaudit-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
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
            sys.stdout.buffer.write(text.encode("utf-8", "replace"))
            sys.stdout.flush()
        return
    atomic_write(output, text)
