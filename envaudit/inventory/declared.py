"""Exact versions a project declares for its relevant packages: lock files and ``==`` pins.

Read: ``uv.lock`` and ``poetry.lock`` (TOML ``[[package]]`` tables, tomllib/tomli),
``Pipfile.lock`` (JSON, ``==x`` versions), ``requirements*.txt`` (``name==version`` lines), and
``package-lock.json`` (npm's ``packages`` map). Ranges (``>=``, ``^``) are not versions and are
left out. A file that cannot be parsed is a problem string; nothing raises.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys

from envaudit.inventory.node_modules import RELEVANT as NPM_RELEVANT
from envaudit.inventory.node_modules import lock_entries, package_name
from envaudit.inventory.python_envs import RELEVANT as PY_RELEVANT
from envaudit.inventory.python_envs import normalise
from envaudit.model import Declared, DeclaredPin
from envaudit.record import Record

#: The lock and requirement files looked for in a folder, with their ecosystem.
PYTHON_FILES = ("uv.lock", "poetry.lock", "Pipfile.lock", "requirements.txt",
                "requirements-prod.txt", "requirements.lock")
NPM_FILES = ("package-lock.json",)
MAX_BYTES = 32 * 1024 * 1024
_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([^\s;#,]+)")


class DeclaredFile(Record):
    """A file's pins, or why it could not be read."""

    declared: Declared
    problem: str | None = None


def _read(path: str) -> bytes | str:
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return "not a regular file"
        if st.st_size > MAX_BYTES:
            return f"larger than {MAX_BYTES} bytes"
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as fh:
            return fh.read(MAX_BYTES + 1)
    except OSError as exc:
        return exc.strerror or type(exc).__name__


def _line_of(text: str, needle: str) -> int | None:
    at = text.find(needle)
    return None if at < 0 else text.count("\n", 0, at) + 1


def _toml_lock(text: str) -> list[DeclaredPin]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python < 3.11
        import tomli as tomllib
    doc = tomllib.loads(text)
    out = []
    for package in doc.get("package") or []:
        if not isinstance(package, dict):
            continue
        name, version = package.get("name"), package.get("version")
        if isinstance(name, str) and isinstance(version, str) and normalise(name) in PY_RELEVANT:
            out.append(DeclaredPin(normalise(name), version, _line_of(text, f'name = "{name}"')))
    return out


def _pipfile_lock(text: str) -> list[DeclaredPin]:
    doc = json.loads(text)
    out = []
    for section in ("default", "develop"):
        for name, entry in (doc.get(section) or {}).items():
            version = entry.get("version") if isinstance(entry, dict) else None
            if isinstance(version, str) and version.startswith("==") and (
                    normalise(name) in PY_RELEVANT):
                out.append(DeclaredPin(normalise(name), version[2:], _line_of(text, f'"{name}"')))
    return out


def _requirements(text: str) -> list[DeclaredPin]:
    out = []
    for number, raw in enumerate(text.splitlines(), 1):
        m = _PIN.match(raw)
        if m and normalise(m[1]) in PY_RELEVANT:
            out.append(DeclaredPin(normalise(m[1]), m[2], number))
    return out


def _package_lock(data: bytes) -> list[DeclaredPin]:
    out = []
    for key, entry, at in lock_entries(data, NPM_RELEVANT):
        version = entry.get("version")
        if key.count("node_modules/") == 1 and key.startswith("node_modules/") and isinstance(
                version, str):
            out.append(DeclaredPin(package_name(key), version, data.count(b"\n", 0, at) + 1))
    return out


_PARSERS = {"uv.lock": _toml_lock, "poetry.lock": _toml_lock, "Pipfile.lock": _pipfile_lock}


def read_declared(path: str) -> DeclaredFile:
    """The pins of one lock or requirements file; never raises."""
    name = os.path.basename(path)
    ecosystem = "npm" if name in NPM_FILES else "python"
    data = _read(path)
    if isinstance(data, str):
        return DeclaredFile(Declared(path, ecosystem), f"cannot read it ({data})")
    try:
        # NOTE: an npm lock file is megabytes: its wanted entries are found in the bytes
        pins = (_package_lock(data) if name in NPM_FILES
                else _PARSERS.get(name, _requirements)(data.decode("utf-8")))
    except UnicodeDecodeError:
        return DeclaredFile(Declared(path, ecosystem), "not UTF-8")
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        kind = "TOML" if name.endswith(".lock") and name != "Pipfile.lock" else "JSON"
        return DeclaredFile(Declared(path, ecosystem), f"not valid {kind} ({str(exc)[:80]})")
    return DeclaredFile(Declared(path, ecosystem, tuple(pins)))
