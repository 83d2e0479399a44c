"""Read a snapshot back: any supported schema version, upgraded to the current one, checked
against ``snapshot.schema.json``; bad input becomes one line (``SnapshotError``).

The check interprets the schema file itself (the subset it uses: ``type``, ``const``, ``enum``,
``properties``, ``required``, ``items``, ``additionalProperties``, ``oneOf``, ``$ref``,
``pattern``, ``minimum``, ``maxLength``), so the file the tests validate with ``jsonschema``
is the one envaudit applies; importing ``jsonschema`` would cost more than the diff.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Callable

from envaudit.errors import EnvauditError
from envaudit.record import Record
from envaudit.snapshots import KIND, SCHEMA_FILE, SCHEMA_VERSION

#: Largest snapshot read (a monorepo's is about 1 MB; a file 256 times that is not one).
MAX_BYTES = 256 * 1024 * 1024


class SnapshotError(EnvauditError):
    """A snapshot that cannot be read: missing, not JSON, another tool's, too new, edited
    into a shape envaudit does not know."""


class Loaded(Record):
    """One snapshot as ``diff`` compares it."""

    label: str
    """How tables and messages name it: the file name (without its folder when that is
    unique among the snapshots compared), ``-`` or ``live``."""
    document: dict[str, Any]
    """The document, upgraded to ``SCHEMA_VERSION``."""
    read_as: int
    """The schema version it was written with."""
    origin: str = ""
    """The path as given on the command line (``""``: the same as ``label``)."""


_SCHEMA: dict[str, Any] | None = None


def schema() -> dict[str, Any]:
    """The JSON Schema of the current version (read once)."""
    global _SCHEMA
    if _SCHEMA is None:
        path = os.path.join(os.path.dirname(__file__), SCHEMA_FILE)
        with open(path, encoding="utf-8") as fh:
            _SCHEMA = json.load(fh)
    return _SCHEMA


def decode(data: bytes, label: str) -> str:
    """The text of a snapshot file: UTF-8 (a BOM allowed), or UTF-16 with a BOM (PowerShell's
    ``>`` writes that)."""
    if not data.strip():
        raise SnapshotError(f"{label}: empty, not a snapshot")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise SnapshotError(f"{label}: not a snapshot (broken UTF-16 text)") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SnapshotError(f"{label}: not a snapshot (not UTF-8 text: byte {exc.start} is "
                            f"0x{data[exc.start]:02x})") from None


def parse(text: str, label: str) -> dict[str, Any]:
    """The JSON object in ``text``."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        end = text.rstrip()
        if exc.pos >= len(end) or (end.lstrip()[:1] in ("{", "[")
                                   and not end.endswith(("}", "]"))):
            raise SnapshotError(f"{label}: not a complete snapshot: the JSON ends early at line "
                                f"{exc.lineno} (truncated?)") from None
        raise SnapshotError(f"{label}: not a snapshot: invalid JSON at line {exc.lineno} column "
                            f"{exc.colno} ({exc.msg})") from None
    except RecursionError:
        raise SnapshotError(f"{label}: not a snapshot: JSON nested too deeply") from None
    if not isinstance(document, dict):
        raise SnapshotError(f"{label}: not a snapshot: the JSON is {_kind(document)}, "
                            "not an object")
    return document


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def identify(document: dict[str, Any], label: str) -> int:
    """The schema version of an envaudit snapshot or report; ``SnapshotError`` for anything
    else (another tool's JSON, an envaudit diff, a version this envaudit does not know)."""
    tool = document.get("tool")
    name = tool.get("name") if isinstance(tool, dict) else None
    if name != "envaudit":
        what = f"written by {name!r}" if isinstance(name, str) else "no tool.name"
        raise SnapshotError(f"{label}: not an envaudit snapshot ({what}); make one with "
                            "`envaudit snapshot -o FILE`")
    kind = document.get("kind")
    if kind is not None and kind != KIND:
        raise SnapshotError(f"{label}: an envaudit {kind!r} document, not a snapshot")
    version = document.get("schema_version")
    if type(version) is not int:
        raise SnapshotError(f"{label}: not a snapshot: schema_version is missing or not an "
                            "integer")
    if version > SCHEMA_VERSION:
        wrote = tool.get("version") if isinstance(tool, dict) else None
        by = f" (envaudit {wrote})" if isinstance(wrote, str) else ""
        raise SnapshotError(f"{label}: schema_version {version}{by} is newer than this "
                            f"envaudit reads (up to {SCHEMA_VERSION}): upgrade envaudit")
    if version < 1 or (version == 1 and kind is not None) or (version > 1 and kind is None):
        raise SnapshotError(f"{label}: not a snapshot: schema_version {version} with "
                            f"{'kind ' + repr(kind) if kind else 'no kind'}")
    return version


def check(document: dict[str, Any], label: str) -> None:
    """``SnapshotError`` naming the first member that does not match the schema."""
    problem = _validator()(document)
    if problem is not None:
        path, what = problem
        where = "".join(reversed(path)).lstrip(".") or "the document"
        raise SnapshotError(f"{label}: not a valid snapshot: {where} {what} (edited by hand?)")


#: A compiled schema node: ``None`` when the value matches, else ``(path parts, innermost
#: first; what is wrong)``.
Validator = Callable[[Any], "tuple[list[str], str] | None"]
_VALIDATOR: Validator | None = None
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "null": (type(None),),
    "boolean": (bool,), "integer": (int,), "number": (int, float),
}


def _validator() -> Validator:
    """The schema compiled once into nested closures: a snapshot of a large monorepo has
    about 50,000 JSON values, and interpreting the schema's dicts at each one cost 55 ms."""
    global _VALIDATOR
    if _VALIDATOR is None:
        root = schema()
        _VALIDATOR = _compile(root, root, {})
    return _VALIDATOR


def _compile(node: dict[str, Any], root: dict[str, Any], refs: dict[str, Validator]
             ) -> Validator:
    """One schema node as a validator (``$ref`` targets compiled once, shared)."""
    ref = node.get("$ref")
    if ref is not None:
        name = ref.rsplit("/", 1)[1]
        if name not in refs:
            refs[name] = _never  # a placeholder while it compiles (no recursion in ours)
            refs[name] = _compile(root["$defs"][name], root, refs)
        return refs[name]
    checks: list[Validator] = []
    if "const" in node:
        const = node["const"]

        def check_const(value: Any) -> tuple[list[str], str] | None:
            if value != const or type(value) is not type(const):
                return [], f"must be {json.dumps(const)}"
            return None
        checks.append(check_const)
    if "enum" in node:
        allowed = node["enum"]
        said = ", ".join(map(json.dumps, allowed))

        def check_enum(value: Any) -> tuple[list[str], str] | None:
            if value not in allowed or isinstance(value, bool):
                return [], f"must be one of {said}"
            return None
        checks.append(check_enum)
    if "oneOf" in node:
        options = [_compile(n, root, refs) for n in node["oneOf"]]

        def check_one_of(value: Any) -> tuple[list[str], str] | None:
            problems = []
            for option in options:
                problem = option(value)
                if problem is None:
                    return None
                problems.append(problem)
            return max(problems, key=lambda p: len(p[0]))  # the deepest
        checks.append(check_one_of)
    if "type" in node:
        names = node["type"] if isinstance(node["type"], list) else [node["type"]]
        types = tuple(t for n in names for t in _TYPES[n])
        integer_only = "integer" in names and "number" not in names
        wanted = " or ".join(names)

        def check_type(value: Any) -> tuple[list[str], str] | None:
            if not isinstance(value, types) or (isinstance(value, bool) and bool not in types) \
                    or (integer_only and type(value) is float):
                return [], f"must be {wanted}, not {_kind(value)}"
            return None
        checks.append(check_type)
    if "pattern" in node or "maxLength" in node:
        pattern = re.compile(node["pattern"]) if "pattern" in node else None
        limit = node.get("maxLength")

        def check_string(value: Any) -> tuple[list[str], str] | None:
            if isinstance(value, str):
                if pattern is not None and not pattern.search(value):
                    return [], "is not in the expected form"
                if limit is not None and len(value) > limit:
                    return [], f"is longer than {limit} characters"
            return None
        checks.append(check_string)
    if "minimum" in node:
        minimum = node["minimum"]

        def check_minimum(value: Any) -> tuple[list[str], str] | None:
            if type(value) is int and value < minimum:
                return [], f"must be at least {minimum}"
            return None
        checks.append(check_minimum)
    if "properties" in node or "required" in node or "additionalProperties" in node:
        properties = {k: _compile(v, root, refs) for k, v in node.get("properties", {}).items()}
        required = tuple(node.get("required", ()))
        extra = node.get("additionalProperties", True)
        other: Validator | None = (None if isinstance(extra, bool)
                                   else _compile(extra, root, refs))
        closed = extra is False

        def check_object(value: Any) -> tuple[list[str], str] | None:
            if not isinstance(value, dict):
                return None
            for name in required:
                if name not in value:
                    return [], f"lacks the member {name!r}"
            for name, item in value.items():
                sub = properties.get(name, other)
                if sub is None:
                    if closed:
                        return [], f"has an unknown member {name!r}"
                    continue
                problem = sub(item)
                if problem is not None:
                    problem[0].append(f".{name}")
                    return problem
            return None
        checks.append(check_object)
    if "items" in node:
        item_check = _compile(node["items"], root, refs)

        def check_items(value: Any) -> tuple[list[str], str] | None:
            if not isinstance(value, list):
                return None
            for i, item in enumerate(value):
                problem = item_check(item)
                if problem is not None:
                    problem[0].append(f"[{i}]")
                    return problem
            return None
        checks.append(check_items)
    if len(checks) == 1:
        return checks[0]

    def check_all(value: Any) -> tuple[list[str], str] | None:
        for one in checks:
            problem = one(value)
            if problem is not None:
                return problem
        return None
    return check_all


def _never(value: Any) -> tuple[list[str], str] | None:  # pragma: no cover - placeholder
    return None


def load_document(document: dict[str, Any], label: str) -> Loaded:
    """An already parsed document (``live``), identified, upgraded and checked."""
    from envaudit.snapshots.upgrade import upgrade

    version = identify(document, label)
    document = upgrade(document, version, label)
    check(document, label)
    return Loaded(label, document, version)


def load_bytes(data: bytes, label: str) -> Loaded:
    """A snapshot from its bytes."""
    return load_document(parse(decode(data, label), label), label)


def read(path: str) -> Loaded:
    """A snapshot from a file, or from standard input for ``-``."""
    import sys

    if path == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        label = "-"
    else:
        label = path
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except IsADirectoryError:
            raise SnapshotError(f"{path}: a folder, not a snapshot file") from None
        except OSError as exc:
            raise SnapshotError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise SnapshotError(f"{label}: larger than {MAX_BYTES >> 20} MiB, not a snapshot")
    return load_bytes(data, label)
