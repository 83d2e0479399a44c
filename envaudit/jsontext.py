"""JSON text written piece by piece, byte for byte as ``json.dumps(obj, ensure_ascii=False)``
writes the same object (default separators ``", "`` and ``": "``).

The JSON report of a large monorepo has thousands of definition sites and hundreds of findings;
building a dict for each, then encoding it, cost more than the rules. The report's writers put
the pieces together from these helpers instead (``tests/test_jsontext.py`` holds them to
``json.dumps``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from json.encoder import encode_basestring
from typing import Any

from envaudit.model import Location

#: A ``str`` as a JSON string: the function ``json.dumps`` itself uses with
#: ``ensure_ascii=False`` (quotes, backslashes and control characters escaped; everything else,
#: lone surrogates included, as is).
string = encode_basestring

#: Any JSON-ready value (``json.dumps`` defaults, ``ensure_ascii=False``), for the rare nested
#: object (a finding's ``details``).
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def value(obj: Any) -> str:
    """``json.dumps(obj, ensure_ascii=False)``."""
    return _ENCODER.encode(obj)


def optional(text: str | None) -> str:
    """A string, or ``null`` for ``None``."""
    return "null" if text is None else encode_basestring(text)


def integer(number: int) -> str:
    """An integer as ``json`` writes it (``int.__repr__``, also for an ``int`` subclass)."""
    return int.__repr__(number)


def array(items: Iterable[str]) -> str:
    """A JSON array of items that are JSON text already."""
    return "[" + ", ".join(items) + "]"


def location(loc: Location) -> str:
    """``Location.to_json()`` as JSON text: ``source``, then ``path``, ``line`` and ``pid`` when
    set."""
    out = '{"source": ' + encode_basestring(loc.source)
    if loc.path is not None:
        out += ', "path": ' + encode_basestring(loc.path)
    if loc.line is not None:
        out += ', "line": ' + int.__repr__(loc.line)
    if loc.pid is not None:
        out += ', "pid": ' + int.__repr__(loc.pid)
    return out + "}"


class _Unwritten(Exception):
    """A value ``indented`` leaves to ``json.dumps`` (a float, a non-string key ...)."""


def indented(obj: Any, indent: int = 2) -> str:
    """``json.dumps(obj, indent=indent, ensure_ascii=False)``.

    NOTE: with ``indent``, ``json`` cannot use its C encoder, and its Python one yields every
    piece through nested generators: a SARIF log of a monorepo's findings took longer to encode
    than to build. This writes strings, integers, booleans, ``None``, lists, tuples and dicts
    with string keys the same way, appending to one list; anything else (a float, another key
    type, an object ``json`` cannot encode) hands the whole value to ``json.dumps``.
    """
    parts: list[str] = []
    try:
        _write(obj, parts.append, "\n", " " * indent)
    except (_Unwritten, RecursionError):  # json's own error for a cycle, too
        return json.dumps(obj, indent=indent, ensure_ascii=False)
    return "".join(parts)


def _write(obj: Any, put: Any, newline: str, step: str) -> None:
    """Append ``obj`` indented, its lines starting with ``newline`` (the test order is
    ``json``'s: ``str``, ``None``, ``True``, ``False``, ``int``, then containers)."""
    if isinstance(obj, str):
        put(encode_basestring(obj))
    elif obj is None:
        put("null")
    elif obj is True:
        put("true")
    elif obj is False:
        put("false")
    elif isinstance(obj, int):
        put(int.__repr__(obj))
    elif isinstance(obj, (list, tuple)):
        if not obj:
            put("[]")
            return
        inner = newline + step
        separator = "[" + inner
        for item in obj:
            put(separator)
            separator = "," + inner
            _write(item, put, inner, step)
        put(newline + "]")
    elif isinstance(obj, dict):
        if not obj:
            put("{}")
            return
        inner = newline + step
        separator = "{" + inner
        for key, item in obj.items():
            if not isinstance(key, str):
                raise _Unwritten
            put(separator + encode_basestring(key) + ": ")
            separator = "," + inner
            _write(item, put, inner, step)
        put(newline + "}")
    else:
        raise _Unwritten
