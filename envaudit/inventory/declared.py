"""The versions a project declares for its relevant packages: exact pins (lock files, ``==``)
and ranges (manifests).

Read: ``uv.lock`` and ``poetry.lock`` (TOML ``[[package]]`` tables, tomllib/tomli),
``Pipfile.lock`` (JSON, ``==x`` versions), ``requirements*.txt`` (``name==version`` lines are
pins, other specifiers ranges), ``pyproject.toml`` (PEP 621 ``dependencies`` and
``optional-dependencies``, PEP 735 ``dependency-groups``, Poetry's ``dependencies`` and groups),
``package-lock.json`` (npm's ``packages`` map) and ``package.json`` (``dependencies``,
``devDependencies``, ``optionalDependencies``). A file that cannot be parsed is a problem string;
nothing raises.
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
from envaudit.inventory.ranges import requirement_spec
from envaudit.model import Declared, DeclaredPin, DeclaredRange
from envaudit.record import Record

#: The lock and requirement files looked for in a folder, with their ecosystem.
PYTHON_FILES = ("uv.lock", "poetry.lock", "Pipfile.lock", "requirements.txt",
                "requirements-prod.txt", "requirements.lock", "pyproject.toml")
NPM_FILES = ("package-lock.json", "package.json")
_EXACT_NPM = re.compile(r"=?v?\d+\.\d+\.\d+")
_EXACT_POETRY = re.compile(r"(?:==)?\d+(?:\.\d+)*")
Found = tuple[list[DeclaredPin], list[DeclaredRange]]
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


def _requirements(text: str) -> Found:
    pins, ranges = [], []
    for number, raw in enumerate(text.splitlines(), 1):
        m = _PIN.match(raw)
        if m and normalise(m[1]) in PY_RELEVANT:
            pins.append(DeclaredPin(normalise(m[1]), m[2], number))
            continue
        found = requirement_spec(raw) if not raw.lstrip().startswith(("-", "#")) else None
        if found is not None and found[1] and normalise(found[0]) in PY_RELEVANT:
            ranges.append(DeclaredRange(normalise(found[0]), found[1], "pep440", number))
    return pins, ranges


def _pyproject(text: str) -> Found:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python < 3.11
        import tomli as tomllib
    doc = tomllib.loads(text)
    pins: list[DeclaredPin] = []
    ranges: list[DeclaredRange] = []
    project = doc.get("project") if isinstance(doc.get("project"), dict) else {}
    lists = [project.get("dependencies")]
    for table in (project.get("optional-dependencies"), doc.get("dependency-groups")):
        if isinstance(table, dict):
            lists += table.values()
    for entries in lists:
        for entry in entries if isinstance(entries, list) else ():
            found = requirement_spec(entry) if isinstance(entry, str) else None
            if found is None or not found[1] or normalise(found[0]) not in PY_RELEVANT:
                continue
            name, spec = normalise(found[0]), found[1]
            line = _line_of(text, entry)
            exact = re.fullmatch(r"\s*===?\s*([^\s,*]+)\s*", spec)
            if exact is not None:
                pins.append(DeclaredPin(name, exact.group(1), line))
            else:
                ranges.append(DeclaredRange(name, spec, "pep440", line))
    tool = doc.get("tool") if isinstance(doc.get("tool"), dict) else {}
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
    groups = poetry.get("group")
    if isinstance(groups, dict):
        tables += [g.get("dependencies") for g in groups.values() if isinstance(g, dict)]
    for table in tables:
        for raw_name, value in (table.items() if isinstance(table, dict) else ()):
            if isinstance(value, dict):
                value = value.get("version")
            name = normalise(str(raw_name))
            if not isinstance(value, str) or name not in PY_RELEVANT or not value.strip():
                continue
            line = _line_of(text, f"{raw_name} =") or _line_of(text, f'"{raw_name}"')
            if _EXACT_POETRY.fullmatch(value.strip()):
                pins.append(DeclaredPin(name, value.strip().lstrip("="), line))
            else:
                ranges.append(DeclaredRange(name, value.strip(), "poetry", line))
    return pins, ranges


def _package_json(text: str) -> Found:
    doc = json.loads(text)
    pins: list[DeclaredPin] = []
    ranges: list[DeclaredRange] = []
    if not isinstance(doc, dict):
        return pins, ranges
    for section in ("dependencies", "devDependencies", "optionalDependencies"):
        table = doc.get(section)
        for name, spec in (table.items() if isinstance(table, dict) else ()):
            if name not in NPM_RELEVANT or not isinstance(spec, str) or not spec.strip():
                continue
            line = _line_of(text, json.dumps(name) + ":") or _line_of(text, json.dumps(name))
            if _EXACT_NPM.fullmatch(spec.strip()):
                pins.append(DeclaredPin(name, spec.strip().lstrip("=v"), line))
            else:
                ranges.append(DeclaredRange(name, spec.strip(), "npm", line))
    return pins, ranges


def _package_lock(data: bytes) -> list[DeclaredPin]:
    out = []
    for key, entry, at in lock_entries(data, NPM_RELEVANT):
        version = entry.get("version")
        if key.count("node_modules/") == 1 and key.startswith("node_modules/") and isinstance(
                version, str):
            out.append(DeclaredPin(package_name(key), version, data.count(b"\n", 0, at) + 1))
    return out


_PARSERS = {"uv.lock": _toml_lock, "poetry.lock": _toml_lock, "Pipfile.lock": _pipfile_lock}
_MANIFESTS = {"pyproject.toml": _pyproject, "package.json": _package_json}


def read_declared(path: str) -> DeclaredFile:
    """The pins of one lock or requirements file; never raises."""
    name = os.path.basename(path)
    ecosystem = "npm" if name in NPM_FILES else "python"
    data = _read(path)
    if isinstance(data, str):
        return DeclaredFile(Declared(path, ecosystem), f"cannot read it ({data})")
    ranges: list[DeclaredRange] = []
    try:
        if name == "package-lock.json":
            # NOTE: an npm lock file is megabytes: its wanted entries are found in the bytes
            pins = _package_lock(data)
        elif name in _PARSERS:
            pins = _PARSERS[name](data.decode("utf-8"))
        else:
            pins, ranges = _MANIFESTS.get(name, _requirements)(data.decode("utf-8"))
    except UnicodeDecodeError:
        return DeclaredFile(Declared(path, ecosystem), "not UTF-8")
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        kind = "TOML" if name.endswith((".lock", ".toml")) and name != "Pipfile.lock" else (
            "JSON")
        return DeclaredFile(Declared(path, ecosystem), f"not valid {kind} ({str(exc)[:80]})")
    return DeclaredFile(Declared(path, ecosystem, tuple(pins), tuple(ranges)))
