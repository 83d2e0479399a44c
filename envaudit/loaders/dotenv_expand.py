"""``dotenv-expand`` 1000.0.0's reading of a file: ``expand({parsed: dotenv.parse(buf),
processEnv: {...process.env}})``.

The real package is the oracle: ``tests/loaders/test_dotenv_expand.py`` replays the measured
corpus and, when node and npm are available, compares this model with the installed
``dotenv-expand@1000.0.0`` (over ``dotenv@18.0.10``) on hypothesis-generated files. Facts
modelled (read from ``dist/lib/main.js``, which bundles ``@dotenvx/primitives``, and measured
with Node v20):

* The input is ``dotenv.parse``'s object (:mod:`envaudit.loaders.node_dotenv`): quotes are
  already gone, so single-quoted values are expanded too, and a duplicated key is expanded once,
  with its last value, at its first position. Keys are processed in JavaScript object order
  (array-index keys such as ``1`` first).
* A key already set to a **non-empty** value in ``processEnv`` (and different from the file's
  value) keeps the environment's value, unexpanded; an empty preset does not count (the file's
  value is expanded and replaces it).
* Otherwise the value is expanded: ``${VAR}``, ``$VAR``, ``${VAR:-d}`` (d when unset or empty),
  ``${VAR-d}`` (d when unset), ``${VAR:+a}`` (a when set and non-empty), ``${VAR+a}`` (a when
  set); anything else in braces, ``${VAR:?e}`` included, looks up the whole text and gives ``''``
  (never an error). Lookups see ``processEnv`` first (an empty preset too: it hides the
  file's value of that key from later references), then the file's earlier, already expanded
  keys (a ``processEnv`` entry still equal to such a key's raw file value is skipped); a later
  key is not visible. A reference preceded by a backslash is not expanded. Each
  replacement is done with JavaScript's ``String.prototype.replace(text, value)``: the *first*
  occurrence of the reference text is replaced (even an escaped one), ``$$``, ``$&``, ``$```
  and ``$'`` in the value are replacement patterns, and scanning restarts from the beginning,
  so replaced text is expanded again until the result equals the looked-up value or no
  reference is left. Input whose expansion never settles makes the real loader hang; this
  module reports it as ``rejected``.
* ``$(command)`` is then **executed** (``child_process.execSync``, with the environment and the
  file's earlier keys) by the real loader; a command that fails makes ``expand`` throw. This
  model never runs anything: the line is listed in ``LoaderResult.executes`` and the value keeps
  the literal text (after expansion).
* Finally ``\\$`` becomes ``$`` (also in a value kept from ``processEnv``).
* ``encrypted:`` values are decrypted by the real loader when ``DOTENV_PRIVATE_KEY`` is set in
  ``processEnv`` or earlier in the file. This model does **not** decrypt: such a value is kept as
  its ``encrypted:`` text, unexpanded (without a private key the real loader expands the text).
* Names are looked up on plain JavaScript objects: a key named like an ``Object.prototype``
  member (``constructor``, ``toString``, …) makes ``expand`` throw a TypeError, and a reference
  to one yields JavaScript's odd results, a TypeError or an endless loop (modelled).

``read(..., override=True)`` models ``expand(dotenv.config({override: true}))``: ``config``
has copied every parsed value into ``processEnv`` first, so the file's values win and later keys
are visible (raw) to earlier ones. ``expand(dotenv.config())`` is ``read(data,
node_dotenv.populate(environ, parsed))``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from envaudit.loaders import node_dotenv
from envaudit.loaders.base import Assignment, KeyFilter, LoaderResult

#: A reference: ``${…}`` or ``$NAME``, not preceded by a backslash (group 1 or group 2).
REFERENCE = re.compile(r"(?<!\\)\$\{([^{}]+)\}|(?<!\\)\$([A-Za-z_][A-Za-z0-9_]*)")
#: The check for a single-quoted (literal) value that still contains a reference (dotenvx).
_HAS_REFERENCE = re.compile(r"\$\{[^}]+\}|\$[A-Za-z_][A-Za-z0-9_]*")
_OPERATOR = re.compile(r":\+|\+|:-|-")
_REPLACEMENT_PATTERN = re.compile(r"\$([$&`'])")
ENCRYPTED_PREFIX = "encrypted:"
#: Past these, an expansion is taken to be endless (the real loader hangs or runs out of memory).
#: Every step replaces one reference: a finite expansion takes about one step per ``$`` of the
#: value plus the depth of nested references, far below the step limit.
_MAX_STEPS = 1_000
_MAX_LENGTH = 1 << 22
#: What a reference to an inherited ``Object.prototype`` member is replaced with (the member is
#: called as a replacer function with ``this`` undefined, or stringified); ``constructor``
#: gives back the reference itself, so the expansion never ends; the others throw.
_INHERITED_TEXT = {"__proto__": "[object Object]", "toString": "[object Undefined]",
                   "isPrototypeOf": "false"}

Lookup = Callable[[str], "str | None"]


class Crash(Exception):
    """The real loader throws (args: reason, and the key being expanded when known)."""


class Endless(Exception):
    """The real loader's expansion never ends (args: reason, and the key when known)."""


class _Inherited(str):
    """A name found only on ``Object.prototype``: truthy, like the member it stands for."""


def js_replace_first(text: str, pattern: str, replacement: str, *, literal: bool = False) -> str:
    """``text.replace(pattern, replacement)`` for a string ``pattern``: the first occurrence,
    with ``$$``, ``$&``, ``$``` and ``$'`` expanded in ``replacement`` (not when ``literal``)."""
    at = text.find(pattern)
    if at < 0:
        return text
    after = at + len(pattern)
    if not literal and "$" in replacement:
        special = {"$": "$", "&": pattern, "`": text[:at], "'": text[after:]}
        replacement = _REPLACEMENT_PATTERN.sub(lambda m: special[m.group(1)], replacement)
    return text[:at] + replacement + text[after:]


def interpolate(value: str, lookup: Lookup, literals: Mapping[str, str] | None = None) -> str:
    """``@dotenvx/primitives`` ``expand(value)``: replace references until none is left.

    ``lookup(name)`` is the value of ``name`` in the merged ``processEnv``/running object
    (``None`` when it is not an own property). ``literals`` are the single-quoted keys (dotenvx):
    replacing a reference to one whose value still contains a reference stops the expansion.
    Raises :class:`Endless` when the real loop never ends, :class:`Crash` when it throws.
    """
    text = value
    seen: set[int] = set()  # hashes of the texts met so far: a repeat is an endless loop
    for _ in range(_MAX_STEPS + 2 * value.count("$")):
        m = REFERENCE.search(text)
        if m is None:
            return text
        whole = m.group(0)
        inner = m.group(1) if m.group(1) is not None else m.group(2)
        op_match = _OPERATOR.search(inner)
        op = op_match.group(0) if op_match is not None else None
        # ``inner.split(op)`` where a missing operator is ``null``, i.e. the text "null".
        name, _, default = inner.partition(op if op is not None else "null")
        own = lookup(name)
        current: str | None = own
        if own is None and name in node_dotenv.OBJECT_PROTOTYPE:
            current = _Inherited(name)
        if op == ":-":
            pick = current or default
        elif op == "-":
            pick = own if own is not None else default
        elif op == ":+":
            pick = default if current else ""
        elif op == "+":
            pick = default if own is not None else ""
        else:
            pick = current or ""
        if isinstance(pick, _Inherited):
            if pick == "constructor":
                text = js_replace_first(text, whole, whole, literal=True)
            elif pick in _INHERITED_TEXT:
                text = js_replace_first(text, whole, _INHERITED_TEXT[pick], literal=True)
            else:
                raise Crash(f"a reference to {pick} (an Object.prototype member) throws a "
                            "TypeError")
        else:
            text = js_replace_first(text, whole, pick)
        if (own is not None and text == own) or (
                literals is not None and name in literals
                and _HAS_REFERENCE.search(literals[name])):
            return text
        if hash(text) in seen or len(text) > _MAX_LENGTH:
            raise Endless("the expansion never ends (each replacement brings the reference back)")
        seen.add(hash(text))
    raise Endless("the expansion never ends")


def commands(value: str) -> list[str]:
    """The ``$(…)`` command substitutions the real loader would run, in order (``$(`` up to
    its balancing ``)``, skipping parentheses inside quotes and after a backslash; an
    unbalanced ``$(`` runs nothing)."""
    found: list[str] = []
    start = value.find("$(")
    while start != -1:
        quotes: list[str | None] = [None]  # the open quote of each nesting level
        i, end = start + 2, -1
        while i < len(value):
            quote, ch = quotes[-1], value[i]
            if quote == "'":
                if ch == "'":
                    quotes[-1] = None
                i += 1
            elif quote is not None:
                if ch == "\\":
                    i += 2
                elif ch == quote:
                    quotes[-1] = None
                    i += 1
                elif ch == "$" and value[i + 1:i + 2] == "(":
                    quotes.append(None)
                    i += 2
                else:
                    i += 1
            elif ch == "\\":
                i += 2
            elif ch in "'\"`":
                quotes[-1] = ch
                i += 1
            elif ch == "(":
                quotes.append(None)
                i += 1
            elif ch == ")":
                quotes.pop()
                i += 1
                if not quotes:
                    end = i
                    break
            else:
                i += 1
        if end != -1:
            found.append(value[start:end])
            start = value.find("$(", end)
        else:
            start = value.find("$(", start + 2)
    return found


def unescape_dollar(value: str) -> str:
    """``value.replace(/\\\\\\$/g, '$')``."""
    return value.replace("\\$", "$")


def expand(
    parsed: Mapping[str, str], process_env: Mapping[str, str]
) -> tuple[dict[str, str], set[str]]:
    """``expand({parsed, processEnv})``: the expanded object (JavaScript key order) and the keys
    whose value runs a command. Raises :class:`Crash` or :class:`Endless` like the real one."""
    original = dict(parsed)
    running: dict[str, str] = {}
    out: dict[str, str] = {}
    runs: set[str] = set()
    for key in node_dotenv.js_key_order(parsed):
        value = original[key]
        preset = process_env.get(key)
        if preset is None and key in node_dotenv.OBJECT_PROTOTYPE:
            raise Crash(f"the key {key} (an Object.prototype member) makes expand throw a "
                        "TypeError", key)
        if preset and preset != value:
            value = preset
        else:
            def lookup(name: str) -> str | None:
                if name in process_env and not (
                        name in running and process_env[name] == original.get(name)):
                    return process_env[name]
                return running.get(name)

            private_key = lookup("DOTENV_PRIVATE_KEY") or running.get("DOTENV_PRIVATE_KEY")
            if not (private_key and value.startswith(ENCRYPTED_PREFIX)):
                try:
                    value = interpolate(value, lookup)
                except (Crash, Endless) as exc:
                    raise type(exc)(exc.args[0], key) from None
                if commands(value):
                    runs.add(key)
        value = unescape_dollar(value)
        out[key] = value
        running[key] = value
    return out, runs


def read(
    data: bytes, environ: Mapping[str, str], *, override: bool = False,
    keep: KeyFilter | None = None,
) -> LoaderResult:
    """dotenv-expand over ``dotenv.parse`` with ``processEnv`` a copy of ``environ`` (with
    ``override``, after ``dotenv.config({override: true})`` copied the file's values into it).

    Every statement is listed in file order; the last occurrence of a key carries the expanded
    value, earlier duplicates their unexpanded ``dotenv.parse`` value (the real loader never
    expands them)."""
    parsed, ignored = node_dotenv.parse(node_dotenv.decode(data))
    values = node_dotenv.as_object(parsed)
    process_env = node_dotenv.populate(environ, values, override=True) if override else environ
    last_line = {a.key: a.line for a in parsed}
    try:
        expanded, runs = expand({k: v or "" for k, v in values.items()}, process_env)
    except (Crash, Endless) as exc:
        key = str(exc.args[1]) if len(exc.args) > 1 else ""
        return LoaderResult([], ignored, f"dotenv-expand: {exc.args[0]}", last_line.get(key))
    assignments = [
        Assignment(a.key, expanded[a.key], a.line) if a.line == last_line[a.key] else a
        for a in parsed
    ]
    executes = tuple(sorted(last_line[k] for k in runs))
    return LoaderResult(node_dotenv.filter_keys(assignments, keep), ignored, executes=executes)
