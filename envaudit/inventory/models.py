"""The model IDs an installed Anthropic SDK knows and the deprecations it warns about, read from
its source files without importing it; the bundled catalogue when none can be read.

Python ``anthropic`` (layouts measured on 47 releases, ``docs/sdk-facts.md``): the IDs are the
``Literal`` strings of the ``Model`` alias in ``types/model.py`` (0.32+: ``Union[str,
Literal[...]]``, ``Union[Literal[...], str]`` from 0.50, a plain assignment in 0.32), before
that of the ``model`` fields of the classes in ``types/message_create_params.py`` (0.19-0.31)
and ``types/completion_create_params.py`` (0.3-0.31). The deprecation map,
``DEPRECATED_MODELS``, is the dict the messages resource uses: defined in
``resources/messages.py`` (0.35-0.40) or ``resources/messages/messages.py`` (0.44-2.12),
imported there from ``_data/deprecated_models.py`` since 2.13 (1.17-2.12 ship that file
unused). Files are parsed with ``ast``; in a large module only the statements that define or
import the name are (found from its occurrences, each parsed alone).

TypeScript ``@anthropic-ai/sdk`` (44 releases): the string literals of ``export type Model =
...`` in ``resources/messages/messages.d.ts`` (0.33+) or ``resources/messages.d.ts``
(0.25-0.32), before that of the ``model:`` properties of ``resources/messages.d.ts``
(0.17-0.24) and ``resources/completions.d.ts`` (0.5-0.24); ``DEPRECATED_MODELS`` is the object
literal of ``resources/messages.js`` (0.27-0.32) or ``resources/messages/messages.js``
(0.33-1.12), required there from ``internal/data/deprecated-models.js`` through
``internal/data.js`` since 1.13.

Two to four files are read per SDK; the package is searched (a bounded walk) only for what is
not where a measured layout has it: the model list when no known file holds one, the map when
neither messages resource exists. A file that cannot be read or parsed (too large,
binary, not UTF-8, a syntax error) makes the reading fail with the reason, and the bundled
catalogue (``data/models.toml``) is used instead; nothing here raises.
"""

from __future__ import annotations

import ast
import os
import re
import stat
from collections.abc import Callable, Iterable
from functools import cache
from typing import TYPE_CHECKING, Any, Union

from envaudit.model import DeprecatedModel, ModelCatalogue
from envaudit.record import Record

if TYPE_CHECKING:
    from envaudit.inventory.python_envs import Distribution
    from envaudit.model import NodeModules, PythonEnvironment, Snapshot

PYTHON_SDK = "anthropic"
NODE_SDK = "@anthropic-ai/sdk"
#: The name of the deprecation map in both SDKs.
MAP_NAME = "DEPRECATED_MODELS"
#: The largest SDK file read (anthropic 2.17.0's messages resource is 160 KB, the TypeScript
#: SDK 1.17.0's ``messages.d.ts`` 248 KB).
MAX_SOURCE_BYTES = 4 * 1024 * 1024
#: The largest file parsed whole (``types/model.py`` is 1 KB, the 0.3-0.31 params files 15 KB).
MAX_PARSED_BYTES = 256 * 1024
#: How many imports / requires are followed to the file that defines the map.
MAX_HOPS = 4
#: The most files looked at when the package is searched for the map (an unknown layout).
MAX_SEARCHED_FILES = 3000
#: The longest statement or type parsed out of a large file.
MAX_STATEMENT_CHARS = 256 * 1024

_PY_MODEL_FILES = (("types/model.py", "Model"), ("types/model_param.py", "ModelParam"))
_PY_PARAM_FILES = ("types/message_create_params.py", "types/completion_create_params.py")
_PY_MAP_ENTRIES = ("resources/messages/messages.py", "resources/messages.py")
_TS_MODEL_FILES = ("resources/messages/messages.d.ts", "resources/messages.d.ts")
_TS_PARAM_FILES = ("resources/messages.d.ts", "resources/completions.d.ts")
_JS_MAP_ENTRIES = ("resources/messages/messages.js", "resources/messages.js")
#: The files where each SDK's model list was found, for messages.
_KNOWN = {".py": ("types/model.py", "types/message_create_params.py"),
          ".d.ts": ("resources/messages/messages.d.ts", "resources/completions.d.ts")}

_BUNDLED = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "models.toml")

#: A parser's answer: what it found, or a problem string (never an exception).
Found = Union[tuple[str, ...], str]
#: A map parser's answer: the map, ``None`` (the text defines none) or a problem string.
MapFound = Union[dict[str, str], str, None]
#: What a reader of one SDK's layout returns (raising ``_Bad``).
_Models = Callable[[str], "tuple[tuple[str, ...], list[str]]"]
_Map = Callable[[str], "tuple[dict[str, str], str | None]"]


class _Bad(ValueError):
    """A file that cannot be read or parsed: the reading fails with this reason."""


# --------------------------------------------------------------------------- dates


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# NOTE: the patterns are module constants compiled where used (``re`` keeps them): this module
# is imported only when an SDK is installed, and each run needs the Python or the TypeScript
# half of them (compiling all twelve costs a millisecond).
_SPELLED = r"\s*([A-Za-z]{3,9})\.?\s+([0-9]{1,2})(?:st|nd|rd|th)?,?\s+([0-9]{4})\s*\Z"
_ISO = r"\s*([0-9]{4})-([0-9]{2})-([0-9]{2})\s*\Z"


def iso_date(text: str) -> str | None:
    """``November 6th, 2024`` (as both SDKs write end-of-life dates), ``Nov 6, 2024`` or
    ``2024-11-06`` -> ``2024-11-06``; ``None`` for anything that is not a real date."""
    m = re.compile(_SPELLED).match(text)
    if m is not None:
        word = m.group(1).lower()
        month = next((i for i, name in enumerate(_MONTHS, 1) if name.startswith(word)), 0)
        year, day = int(m.group(3)), int(m.group(2))
    else:
        m = re.compile(_ISO).match(text)
        if m is None:
            return None
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not (year and 1 <= month <= 12 and 1 <= day <= _MONTH_DAYS[month - 1]) or (
            month == 2 and day == 29 and not leap):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _deprecations(pairs: dict[str, str]) -> tuple[DeprecatedModel, ...]:
    return tuple(DeprecatedModel(k, v, iso_date(v)) for k, v in pairs.items())


# --------------------------------------------------------------------------- files


def _read(package: str, rel: str, cap: int) -> str | None:
    """The text of ``package/rel`` (``None``: no such file); raises ``_Bad`` when it exists but
    is not a readable UTF-8 text of at most ``cap`` bytes (a FIFO is never opened)."""
    path = os.path.join(package, *rel.split("/"))
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise _Bad(f"{rel}: cannot read it ({exc.strerror or type(exc).__name__})") from None
    if not stat.S_ISREG(st.st_mode):
        raise _Bad(f"{rel}: not a regular file")
    if st.st_size > cap:
        raise _Bad(f"{rel}: larger than {cap // 1024} KiB")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as fh:
            data = fh.read(cap + 1)
    except OSError as exc:
        raise _Bad(f"{rel}: cannot read it ({exc.strerror or type(exc).__name__})") from None
    if len(data) > cap:
        raise _Bad(f"{rel}: larger than {cap // 1024} KiB")
    if b"\0" in data:
        raise _Bad(f"{rel}: binary, not source")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Bad(f"{rel}: not UTF-8 text") from None


def _parse(text: str) -> ast.Module:
    """``ast.parse``, every failure a ``_Bad`` (a syntax error, a NUL, too deep a nesting)."""
    try:
        return ast.parse(text)
    except SyntaxError as exc:
        raise _Bad(f"a syntax error at line {exc.lineno}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise _Bad(f"not parsable ({type(exc).__name__})") from None


# --------------------------------------------------------------------------- Python parsers


def _literals(node: ast.AST) -> tuple[str, ...]:
    """The strings of every ``Literal[...]`` inside an annotation, in order, once each."""
    out: dict[str, None] = {}
    for sub in ast.walk(node):
        if not isinstance(sub, ast.Subscript):
            continue
        head = sub.value
        name = (head.id if isinstance(head, ast.Name)
                else head.attr if isinstance(head, ast.Attribute) else "")
        if name != "Literal":
            continue
        items = sub.slice.elts if isinstance(sub.slice, ast.Tuple) else [sub.slice]
        out.update((e.value, None) for e in items
                   if isinstance(e, ast.Constant) and isinstance(e.value, str))
    return tuple(out)


def _assigned(stmt: ast.stmt, name: str) -> ast.expr | None:
    """The value a module-level ``name = ...`` / ``name: T = ...`` assigns."""
    if isinstance(stmt, ast.Assign):
        if any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
            return stmt.value
    elif (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
          and stmt.target.id == name):
        return stmt.value
    return None


def python_model_ids(text: str, name: str = "Model") -> Found:
    """The model IDs of the module-level alias ``name`` (``Model: TypeAlias = Union[Literal[
    ...], str]``); ``()`` when the module does not define it; a problem string when the text is
    not parsable Python."""
    try:
        tree = _parse(text)
    except _Bad as exc:
        return str(exc)
    for stmt in tree.body:
        value = _assigned(stmt, name)
        if value is not None:
            return _literals(value)
    return ()


def python_param_model_ids(text: str) -> Found:
    """The model IDs of the ``model`` fields of the module's classes (``model: Required[Union[
    str, Literal[...]]]``, anthropic 0.3-0.31); a problem string for unparsable text."""
    try:
        tree = _parse(text)
    except _Bad as exc:
        return str(exc)
    out: dict[str, None] = {}
    for cls in tree.body:
        if isinstance(cls, ast.ClassDef):
            for stmt in cls.body:
                if (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
                        and stmt.target.id == "model"):
                    out.update(dict.fromkeys(_literals(stmt.annotation)))
    return tuple(out)


def _py_statements(text: str, name: str) -> list[ast.stmt]:
    """The module-level statements of ``text`` that assign ``name`` or import it (``from ..x
    import name``, under any alias, or something as ``name``), each found from an occurrence
    of the name and parsed alone: a 160 KB module is not parsed whole for one dict. Raises
    ``_Bad`` when such a statement cannot be parsed."""
    found: list[ast.stmt] = []
    for start in _statement_starts(text, name):
        stmt = _statement_at(text, start)
        if stmt is None:
            lineno = text.count("\n", 0, start) + 1
            raise _Bad(f"cannot parse the statement at line {lineno}")
        if _assigned(stmt, name) is not None or (
                isinstance(stmt, ast.ImportFrom)
                and any(name in (a.name, a.asname) for a in stmt.names)):
            found.append(stmt)
    return found


_FROM = r"from[ \t]+[.\w]+[ \t]+import\b"
_IMPORTED = r"[\w.]+(?:[ \t]+as[ \t]+\w+)?"


def _statement_starts(text: str, name: str) -> list[int]:
    """Where the statements that may assign or import ``name`` start: each occurrence at column
    0, on a ``from ... import`` line, or in the parenthesised list of one (at most 16)."""
    out: list[int] = []
    pos = text.find(name)
    while pos != -1 and len(out) < 16:
        line = text.rfind("\n", 0, pos) + 1
        start = line if line == pos else _import_start(text, line)
        if start is not None and start not in out:
            out.append(start)
        pos = text.find(name, pos + len(name))
    return out


def _import_start(text: str, line: int) -> int | None:
    """The start of the ``from ... import`` statement whose line, or parenthesised list of
    names, holds the line at ``line``; ``None`` when it is in no import (a use in a function:
    its line is not a list of names)."""
    for _ in range(1000):
        if re.compile(_FROM).match(text, line):
            return line
        end = text.find("\n", line)
        body = text[line:end if end != -1 else len(text)].partition("#")[0].strip()
        if line == 0 or not all(re.compile(_IMPORTED).fullmatch(part.strip())
                                for part in body.split(",") if part.strip()):
            return None
        line = text.rfind("\n", 0, line - 1) + 1
    return None


def _statement_at(text: str, start: int) -> ast.stmt | None:
    """The statement that starts at ``start`` (a line start): the text up to each following
    line that starts at column 0 is tried in turn until one parses (at most 64 tries and
    ``MAX_STATEMENT_CHARS`` parsed in all)."""
    pos = start
    limit = min(len(text), start + MAX_STATEMENT_CHARS)
    budget = MAX_STATEMENT_CHARS
    for _ in range(64):
        nl = text.find("\n", pos, limit)
        while nl != -1 and nl + 1 < limit and text[nl + 1] in " \t\r\n":
            nl = text.find("\n", nl + 1, limit)
        end = limit if nl == -1 else nl + 1
        budget -= end - start
        if budget < 0:
            return None
        try:
            body = ast.parse(text[start:end]).body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            body = []
        if body:
            return body[0]
        if nl == -1:
            return None
        pos = end
    return None


def _string_dict(value: ast.expr, where: str) -> dict[str, str]:
    """A literal ``{"id": "date", ...}``; raises ``_Bad`` for any other shape."""
    if not isinstance(value, ast.Dict):
        raise _Bad(f"{where}: {MAP_NAME} is not a literal dict")
    out: dict[str, str] = {}
    for key, val in zip(value.keys, value.values):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)
                and isinstance(val, ast.Constant) and isinstance(val.value, str)):
            raise _Bad(f"{where}: {MAP_NAME} holds an entry that is not a string pair")
        out[key.value] = val.value
    return out


def python_deprecated(text: str) -> MapFound:
    """The ``DEPRECATED_MODELS`` dict a module defines; ``None`` when it defines none (it may
    import it); a problem string when the statement cannot be read."""
    try:
        for stmt in _py_statements(text, MAP_NAME):
            value = _assigned(stmt, MAP_NAME)
            if value is not None:
                return _string_dict(value, "the module")
    except _Bad as exc:
        return str(exc)
    return None


def _py_module(package: str, current: str, stmt: ast.ImportFrom) -> str:
    """The package-relative file a ``from X import`` in ``current`` names (``X.py`` or
    ``X/__init__.py``); raises ``_Bad`` when it leaves the SDK's package."""
    parts = stmt.module.split(".") if stmt.module else []
    if stmt.level:
        base = current.split("/")[:-1]
        if stmt.level - 1 > len(base):
            raise _Bad(f"{current}: imports {MAP_NAME} from outside the package")
        base = base[:len(base) - (stmt.level - 1)]
    elif parts[:1] == [os.path.basename(package)]:
        base, parts = [], parts[1:]
    else:
        raise _Bad(f"{current}: imports {MAP_NAME} from outside the package")
    stem = "/".join(base + parts)
    if not stem:
        return "__init__.py"
    if os.path.isdir(os.path.join(package, *stem.split("/"))):
        return f"{stem}/__init__.py"
    return f"{stem}.py"


def _python_map(package: str) -> tuple[dict[str, str], str | None]:
    """The live ``DEPRECATED_MODELS`` and the file defining it (``None``: this version has
    none). Raises ``_Bad``."""
    rel = next((r for r in _PY_MAP_ENTRIES
                if os.path.isfile(os.path.join(package, *r.split("/")))), None)
    if rel is None:
        return _searched_map(package, ".py", python_deprecated)
    name = MAP_NAME
    for _ in range(MAX_HOPS + 1):
        text = _read(package, rel, MAX_SOURCE_BYTES)
        if text is None:
            raise _Bad(f"{rel}: missing (imported for {MAP_NAME})")
        try:
            statements = _py_statements(text, name)
        except _Bad as exc:
            raise _Bad(f"{rel}: {exc}") from None
        step: ast.ImportFrom | None = None
        for stmt in statements:
            value = _assigned(stmt, name)
            if value is not None:
                return _string_dict(value, rel), rel
            if isinstance(stmt, ast.ImportFrom):
                step = stmt
        if step is None:
            return {}, None  # a version without a map (0.34 and before)
        # the binding of that name, else the name imported under another one
        name = min((a for a in step.names if name in (a.name, a.asname)),
                   key=lambda a: a.asname != name).name
        rel = _py_module(package, rel, step)
    raise _Bad(f"{MAP_NAME}: more than {MAX_HOPS} imports deep")


def _python_models(package: str) -> tuple[tuple[str, ...], list[str]]:
    """The model IDs and the files they came from. Raises ``_Bad``."""
    for rel, name in _PY_MODEL_FILES:
        text = _read(package, rel, MAX_PARSED_BYTES)
        if text is None:
            continue
        ids = python_model_ids(text, name)
        if isinstance(ids, str):
            raise _Bad(f"{rel}: {ids}")
        if not ids:
            raise _Bad(f"{rel}: {name} lists no model ID")
        return ids, [rel]
    found = _param_files(package, _PY_PARAM_FILES, MAX_PARSED_BYTES, python_param_model_ids)
    if found is None:
        return _searched_models(package, ".py", ("\nModel:", "\nModel ="), python_model_ids)
    return found


# --------------------------------------------------------------------------- TypeScript parsers


def _ts_string(text: str, at: int) -> tuple[str, int]:
    """The JS/TS string literal starting at ``at`` (a quote) and the index after it; raises
    ``_Bad`` when it does not end on its line."""
    quote = text[at]
    out: list[str] = []
    i = at + 1
    while i < len(text):
        c = text[i]
        if c == quote:
            return "".join(out), i + 1
        if c in "\r\n":
            break
        if c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "u" and re.match(r"[0-9A-Fa-f]{4}", text[i + 2:i + 6]):
                out.append(chr(int(text[i + 2:i + 6], 16)))
                i += 6
                continue
            out.append({"n": "\n", "t": "\t", "r": "\r", "0": "\0"}.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    raise _Bad("an unterminated string")


def _ts_skip(text: str, i: int, end: int) -> int:
    """The index of the next character that is not white space or a comment."""
    while i < end:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif text.startswith("//", i):
            nl = text.find("\n", i, end)
            i = end if nl == -1 else nl + 1
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2, end)
            i = end if close == -1 else close + 2
        else:
            break
    return i


def _ts_union(text: str, at: int) -> tuple[str, ...]:
    """The string literals at the top level of the type that starts at ``at`` and ends at its
    ``;`` (``'a' | 'b' | (string & {})``); raises ``_Bad`` when it does not end."""
    end = min(len(text), at + MAX_STATEMENT_CHARS)
    out: dict[str, None] = {}
    depth = 0
    i = at
    while True:
        i = _ts_skip(text, i, end)
        if i >= end:
            raise _Bad("a type that does not end")
        c = text[i]
        if c in "'\"`":
            value, i = _ts_string(text, i)
            if depth == 0:
                out[value] = None
        elif c in "([{<":
            depth += 1
            i += 1
        elif c in ")]}>":
            depth -= 1
            i += 1
            if depth < 0:
                return tuple(out)
        elif c in ";," and depth == 0:
            return tuple(out)
        else:
            i += 1


_TS_MODEL_HEAD = r"[ \t]*(?:export[ \t]+)?(?:declare[ \t]+)?\Z"
_TS_MODEL_TAIL = r"[ \t]*="
_TS_PARAM = r"(?m)^[ \t]+model\??[ \t]*:"


def ts_model_ids(text: str) -> Found | None:
    """The string literals of ``export type Model = 'a' | 'b' | (string & {});``; ``None`` when
    the text declares no ``Model`` type; a problem string when it cannot be read."""
    # NOTE: found with str.find, then checked: a regular expression anchored at line starts
    # scans the 248 KB .d.ts 20 times slower.
    pos = text.find("type Model")
    while pos != -1:
        line = text.rfind("\n", 0, pos) + 1
        tail = re.compile(_TS_MODEL_TAIL).match(text, pos + len("type Model"))
        if tail is not None and re.compile(_TS_MODEL_HEAD).match(text, line, pos):
            try:
                return _ts_union(text, tail.end())
            except _Bad as exc:
                return f"type Model: {exc}"
        pos = text.find("type Model", pos + 1)
    return None


def ts_param_model_ids(text: str) -> Found:
    """The string literals of every ``model: (string & {}) | 'a' | ...;`` property (the
    TypeScript SDK before ``type Model``); a problem string when one cannot be read."""
    out: dict[str, None] = {}
    try:
        for m in re.compile(_TS_PARAM).finditer(text):
            out.update(dict.fromkeys(_ts_union(text, m.end())))
    except _Bad as exc:
        return f"a model property: {exc}"
    return tuple(out)


_JS_DEFINE_HEAD = (r"(?:^|[;{}\s])(?:(?:export[ \t]+)?(?:const|let|var)[ \t]+"
                   r"|(?:module\.)?exports\.)\Z")
_JS_DEFINE_TAIL = r"[ \t]*=[ \t\r\n]*(?=\{)"
_JS_BINDING = r"[A-Za-z_$][\w$]*\Z"
_JS_REQUIRE = r"[ \t]*=[^;\n]*?require\(\s*(['\"])([^'\"\n]+)\1\s*\)"
_JS_NAME = r"[A-Za-z_$][\w$]*"


def _js_object(text: str, at: int) -> dict[str, str]:
    """The object literal of string pairs starting at ``at`` (``{``); raises ``_Bad``."""
    end = min(len(text), at + MAX_STATEMENT_CHARS)
    out: dict[str, str] = {}
    i = at + 1
    while True:
        i = _ts_skip(text, i, end)
        if i >= end:
            raise _Bad(f"{MAP_NAME} does not end")
        if text[i] == "}":
            return out
        if text[i] in "'\"":
            key, i = _ts_string(text, i)
        else:
            m = re.compile(_JS_NAME).match(text, i)
            if m is None:
                raise _Bad(f"{MAP_NAME} holds an entry that is not a string pair")
            key, i = m.group(), m.end()
        i = _ts_skip(text, i, end)
        if i >= end or text[i] != ":":
            raise _Bad(f"{MAP_NAME} holds an entry that is not a string pair")
        i = _ts_skip(text, i + 1, end)
        if i >= end or text[i] not in "'\"":
            raise _Bad(f"{MAP_NAME} holds an entry that is not a string pair")
        out[key], i = _ts_string(text, i)
        i = _ts_skip(text, i, end)
        if i < end and text[i] == ",":
            i += 1


def js_deprecated(text: str) -> MapFound:
    """The object literal a script assigns to ``DEPRECATED_MODELS`` (``const``, ``exports.``,
    ``export const``); ``None`` when it assigns none; a problem string when it is not a literal
    of string pairs."""
    pos = text.find(MAP_NAME)
    while pos != -1:
        tail = re.compile(_JS_DEFINE_TAIL).match(text, pos + len(MAP_NAME))
        if tail is not None and re.compile(_JS_DEFINE_HEAD).search(text, max(0, pos - 40), pos):
            try:
                return _js_object(text, tail.end())
            except _Bad as exc:
                return str(exc)
        pos = text.find(MAP_NAME, pos + 1)
    return None


def _js_required(text: str) -> str | None:
    """The module a script takes ``DEPRECATED_MODELS`` from: ``X.DEPRECATED_MODELS`` with
    ``const X = require("...")`` (compiled TypeScript)."""
    pos = text.find("." + MAP_NAME)
    while pos != -1:
        use = re.compile(_JS_BINDING).search(text, max(0, pos - 80), pos)
        binding = use.group() if use is not None else "exports"
        if binding not in ("exports", "module"):
            for keyword in ("const ", "var ", "let "):
                at = text.find(keyword + binding)
                while at != -1:
                    req = re.compile(_JS_REQUIRE).match(text, at + len(keyword) + len(binding))
                    if req is not None:
                        return req.group(2)
                    at = text.find(keyword + binding, at + 1)
        pos = text.find("." + MAP_NAME, pos + 1)
    return None


def _js_module(package: str, current: str, spec: str) -> str:
    """The package-relative file ``require(spec)`` in ``current`` loads; raises ``_Bad`` when
    it is not a relative path inside the package."""
    if not spec.startswith("."):
        raise _Bad(f"{current}: takes {MAP_NAME} from outside the package")
    parts = current.split("/")[:-1]
    for piece in spec.split("/"):
        if piece == "..":
            if not parts:
                raise _Bad(f"{current}: takes {MAP_NAME} from outside the package")
            parts.pop()
        elif piece not in (".", ""):
            parts.append(piece)
    rel = "/".join(parts)
    if os.path.isdir(os.path.join(package, *parts)):
        return f"{rel}/index.js"
    return rel if rel.endswith((".js", ".cjs")) else f"{rel}.js"


def _node_map(package: str) -> tuple[dict[str, str], str | None]:
    """The live ``DEPRECATED_MODELS`` and the file defining it (``None``: none). Raises
    ``_Bad``."""
    rel = next((r for r in _JS_MAP_ENTRIES
                if os.path.isfile(os.path.join(package, *r.split("/")))), None)
    if rel is None:
        return _searched_map(package, ".js", js_deprecated)
    for _ in range(MAX_HOPS + 1):
        text = _read(package, rel, MAX_SOURCE_BYTES)
        if text is None:
            raise _Bad(f"{rel}: missing (required for {MAP_NAME})")
        found = js_deprecated(text)
        if isinstance(found, str):
            raise _Bad(f"{rel}: {found}")
        if found is not None:
            return found, rel
        spec = _js_required(text)
        if spec is None:
            return {}, None  # a version without a map (0.26 and before)
        rel = _js_module(package, rel, spec)
    raise _Bad(f"{MAP_NAME}: more than {MAX_HOPS} requires deep")


def _node_models(package: str) -> tuple[tuple[str, ...], list[str]]:
    """The model IDs and the files they came from. Raises ``_Bad``."""
    for rel in _TS_MODEL_FILES:
        text = _read(package, rel, MAX_SOURCE_BYTES)
        if text is None:
            continue
        ids = ts_model_ids(text)
        if isinstance(ids, str):
            raise _Bad(f"{rel}: {ids}")
        if ids is None:
            continue
        if not ids:
            raise _Bad(f"{rel}: type Model lists no model ID")
        return ids, [rel]
    found = _param_files(package, _TS_PARAM_FILES, MAX_SOURCE_BYTES, ts_param_model_ids)
    if found is None:
        return _searched_models(package, ".d.ts", ("type Model",), ts_model_ids)
    return found


# --------------------------------------------------------------------------- search


def _searched(package: str, ext: str, needles: tuple[str, ...],
              parse: Callable[[str], object]) -> tuple[object, str | None]:
    """An unknown layout: what ``parse`` finds in the first file (sorted walk, at most
    ``MAX_SEARCHED_FILES`` ending in ``ext``) that holds one of ``needles`` and where it finds
    something (not ``None``, not empty), with the file; ``(None, None)`` when no file has it.
    Files that cannot be read are passed over; raises ``_Bad`` when the one found is
    malformed (``parse`` answers a problem string)."""
    seen = 0
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d not in ("node_modules", "__pycache__", "src"))
        for name in sorted(names):
            if not name.endswith(ext):
                continue
            seen += 1
            if seen > MAX_SEARCHED_FILES:
                return None, None
            rel = os.path.relpath(os.path.join(folder, name), package).replace(os.sep, "/")
            try:
                text = _read(package, rel, MAX_SOURCE_BYTES)
            except _Bad:
                continue
            if text is None or not any(n in text for n in needles):
                continue
            found = parse(text)
            if isinstance(found, str):
                raise _Bad(f"{rel}: {found}")
            if found:
                return found, rel
    return None, None


def _searched_map(package: str, ext: str, parse: Callable[[str], MapFound]
                  ) -> tuple[dict[str, str], str | None]:
    """The map, searched for (``_searched``): ``({}, None)`` when no file defines it."""
    found, rel = _searched(package, ext, (MAP_NAME,), parse)
    return (found, rel) if isinstance(found, dict) else ({}, None)


def _param_files(package: str, rels: Iterable[str], cap: int,
                 parse: Callable[[str], Found]
                 ) -> tuple[tuple[str, ...], list[str]] | None:
    """The model IDs the request-parameter files of older SDKs list (``model`` fields), in
    file order, and the files; ``None`` when none lists any. Raises ``_Bad``."""
    found: dict[str, None] = {}
    files: list[str] = []
    for rel in rels:
        text = _read(package, rel, cap)
        if text is None:
            continue
        ids = parse(text)
        if isinstance(ids, str):
            raise _Bad(f"{rel}: {ids}")
        if ids:
            files.append(rel)
            found.update(dict.fromkeys(ids))
    return (tuple(found), files) if found else None


def _searched_models(package: str, ext: str, needles: tuple[str, ...],
                     parse: Callable[[str], Found | None]) -> tuple[tuple[str, ...], list[str]]:
    """The model IDs, searched for (``_searched``); raises ``_Bad`` when no file lists them."""
    found, rel = _searched(package, ext, needles, parse)
    if not isinstance(found, tuple) or rel is None:
        raise _Bad(f"no model list in its files (none of {', '.join(_KNOWN[ext])}, nor "
                   "any other)")
    return found, [rel]


# --------------------------------------------------------------------------- readers


def read_python_sdk(package: str, source: str) -> ModelCatalogue:
    """What the ``anthropic`` package folder ``package`` (``site-packages/anthropic``) lists;
    on failure an empty catalogue whose ``reason`` says why. Never raises."""
    return _reading(package, source, _python_models, _python_map)


def read_node_sdk(package: str, source: str) -> ModelCatalogue:
    """What the ``@anthropic-ai/sdk`` package folder ``package`` lists; on failure an empty
    catalogue whose ``reason`` says why. Never raises."""
    return _reading(package, source, _node_models, _node_map)


def _reading(package: str, source: str, models: _Models, mapping: _Map) -> ModelCatalogue:
    """Both lists of one SDK folder, or an empty catalogue with the reason."""
    if not os.path.isdir(package):
        return ModelCatalogue(source, reason="its package folder is not there (an editable "
                                             "install, or a partial copy)")
    try:
        ids, files = models(package)
        pairs, where = mapping(package)
    except _Bad as exc:
        return ModelCatalogue(source, reason=str(exc))
    except (OSError, RecursionError, MemoryError, UnicodeError) as exc:  # pragma: no cover
        return ModelCatalogue(source, reason=f"cannot be read ({type(exc).__name__})")
    return ModelCatalogue(source, tuple(ids), _deprecations(pairs),
                          files=(*files, *([where] if where else [])))


def python_package(dist_path: str) -> str:
    """The ``anthropic`` package folder of an installed distribution record (its
    ``.dist-info`` / ``.egg-info``: beside it; an ``.egg-link``: in the folder it points at)."""
    site = os.path.dirname(dist_path)
    if dist_path.endswith(".egg-link"):
        try:
            with open(dist_path, "rb") as fh:
                head = fh.read(4096).decode("utf-8", "replace").splitlines()
        except OSError:
            head = []
        if head and head[0].strip():
            site = os.path.join(site, head[0].strip())
    return os.path.join(site, PYTHON_SDK)


def python_catalogue(distributions: Iterable[Distribution], shown: str
                     ) -> ModelCatalogue | None:
    """The catalogue of the ``anthropic`` among one site-packages folder's distributions, as
    ``anthropic VERSION at SHOWN``; ``None`` when it is not among them."""
    dist = next((d for d in distributions if d.name == PYTHON_SDK), None)
    if dist is None:
        return None
    return read_python_sdk(python_package(dist.path), f"{PYTHON_SDK} {dist.version} at {shown}")


def node_catalogue(distributions: Iterable[Distribution], folder: str, shown: str
                   ) -> ModelCatalogue | None:
    """The catalogue of the ``@anthropic-ai/sdk`` directly in ``folder/node_modules`` (not a
    copy nested in another package), as ``@anthropic-ai/sdk VERSION at SHOWN``; ``None`` when
    there is none."""
    top = os.path.join(folder, "node_modules", *NODE_SDK.split("/"))
    dist = next((d for d in distributions
                 if d.name == NODE_SDK and os.path.normpath(d.path) == top), None)
    if dist is None:
        return None
    return read_node_sdk(dist.path, f"{NODE_SDK} {dist.version} at {shown}")


# --------------------------------------------------------------------------- bundled, picking


@cache
def _bundled_data() -> dict[str, Any]:
    """``data/models.toml``, parsed once (the catalogue and the token limits share it)."""
    from envaudit.catalogue import load_toml

    return load_toml(_BUNDLED)


@cache
def bundled() -> ModelCatalogue:
    """The bundled catalogue (``data/models.toml``): every model ID the measured SDK versions
    list, newest SDK's first, with the aliases and end-of-life dates known when it was taken."""
    raw = _bundled_data()
    entries = raw["models"]
    pairs = {e["id"]: e["end-of-life"] for e in entries if "end-of-life" in e}
    return ModelCatalogue(
        f"bundled catalogue of {raw['taken']}",
        tuple(e["id"] for e in entries),
        _deprecations(pairs),
        aliases=tuple((e["id"], e["alias-of"]) for e in entries if "alias-of" in e),
        files=("envaudit/data/models.toml",),
    )


class TokenLimits(Record):
    """The max-tokens limits the bundled catalogue knows (``[max-tokens]`` of
    ``data/models.toml``), each with its source."""

    nonstreaming_default: int
    """The largest ``max_tokens`` a non-streaming call with the default timeout may ask for
    (21,333: ``3600 * max_tokens / 128000 > 600`` is refused)."""
    nonstreaming_default_source: str
    """Where that comes from."""
    nonstreaming: dict[str, int]
    """Model ID -> its ``MODEL_NONSTREAMING_TOKENS`` entry (a lower non-streaming limit)."""
    nonstreaming_source: str
    """Where those come from."""
    output: dict[str, int]
    """Model ID -> its output-token maximum: empty, no SDK file says (``output_source``)."""
    output_source: str
    """Why ``output`` holds what it holds."""


@cache
def token_limits() -> TokenLimits:
    """The bundled max-tokens limits (EA610). Per-model output maxima are "not known" unless
    the data file gives a number with its source."""
    raw = _bundled_data()["max-tokens"]
    output = raw.get("output")
    return TokenLimits(
        int(raw["nonstreaming-default"]), raw["nonstreaming-default-source"],
        {k: int(v) for k, v in raw.get("nonstreaming", {}).items()}, raw["nonstreaming-source"],
        {k: int(v) for k, v in output.items()} if isinstance(output, dict) else {},
        raw["output-source"],
    )


def catalogue_for(snapshot: Snapshot) -> ModelCatalogue:
    """The catalogue of the first environment (Python ones, then ``node_modules``, in the
    snapshot's order) whose SDK's lists were read; else the bundled catalogue, its ``reason``
    saying why."""
    reasons: list[str] = []
    holders: list[PythonEnvironment | NodeModules] = [*snapshot.python_envs,
                                                      *snapshot.node_modules]
    for holder in holders:
        found = holder.models
        if found is None:
            continue
        if found.reason is None:
            return found
        reasons.append(f"{found.source}: {found.reason}")
    return bundled()._replace(
        reason="; ".join(reasons) or "no Anthropic SDK is installed in the app's environments")


def merged(first: ModelCatalogue, then: ModelCatalogue) -> ModelCatalogue:
    """``first`` completed by ``then``: its IDs, aliases and deprecations, plus those of
    ``then`` it lacks (an SDK drops a model from both lists once it is retired; the bundled
    catalogue keeps it with its date)."""
    if first.source == then.source:
        return first
    ids = dict.fromkeys(first.models)
    ids.update(dict.fromkeys(then.models))
    dated = {d.model for d in first.deprecated}
    aliased = {a for a, _ in first.aliases}
    return ModelCatalogue(
        f"{first.source}, completed by the {then.source}",
        tuple(ids),
        first.deprecated + tuple(d for d in then.deprecated if d.model not in dated),
        first.aliases + tuple(p for p in then.aliases if p[0] not in aliased),
        first.files + then.files,
        first.reason,
    )
