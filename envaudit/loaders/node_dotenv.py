"""motdotla ``dotenv`` 18.0.10's reading of a file: ``dotenv.parse`` and ``config()``'s options.

The real package is the oracle: ``tests/loaders/test_node_dotenv.py`` replays the team's measured
corpus (``tests/assets/dotenv-corpus/truth-node.json``) and, when node and npm are available,
compares this model with the installed ``dotenv@18.0.10`` on hypothesis-generated files. Facts
modelled (read from ``dist/index.cjs`` and measured with Node v20):

* Bytes are decoded as ``Buffer.toString()`` does: UTF-8, each invalid sequence becomes U+FFFD
  (the same maximal-subpart rule as Python's ``errors="replace"``); a UTF-8 BOM is not removed
  but JavaScript's ``\\s`` includes U+FEFF, so it is skipped like white space. A UTF-16 file
  decodes to text with NULs between the letters and yields ``{}``.
* ``\\r\\n`` and lone ``\\r`` become ``\\n`` first. Then one global, multi-line regular
  expression is matched over the whole text; every statement is one match, and text no match
  covers is skipped **silently** (this module reports it in ``ignored``). A statement is:
  optional ``export`` and white space, a key of ``[A-Za-z0-9_.-]`` (a non-ASCII letter, a quote
  or U+200B in the key skips the line), ``=`` (white space around it allowed) or ``:`` followed
  by white space (``KEY:v`` is skipped), an optional value, an optional ``# comment``, the end of
  the line.
* The value is either a quoted run (``'…'``, ``"…"`` or ```…```, newlines allowed, ``\\``
  followed by the same quote does not end it), or the rest of the line up to the first ``#``
  (**no space needed**: ``abc#def`` gives ``abc``, ``#ff0000`` gives ``''``). The value is
  trimmed (JavaScript white space, which includes NBSP and U+FEFF), then one pair of matching
  quotes is removed where a line starts and ends with the same quote character (JavaScript's
  ``/^(['"`])([\\s\\S]*)\\1$/mg``). Only when the trimmed value started with ``"``, ``\\n`` and
  ``\\r`` are turned into LF and CR; no other escape is decoded.
* An unterminated or mismatched quote is not an error: the value is the rest of the line, quote
  included (``"v`` stays ``"v``), and the following lines are read as statements again.
  ``KEY=`` at the end of a line followed by a quoted value on the next line takes that value
  (the value pattern may start with white space, newlines included).
* Duplicates: the last value wins, at the position of the first occurrence in the returned
  object; a key that is a canonical array index (``0``, ``42``) is listed before the other keys
  in ascending order (JavaScript object key order, see :func:`as_object`). ``__proto__`` is
  never stored (assigning a string to it is a no-op on a plain object).
* No interpolation, no command substitution. ``override`` changes nothing in the reading:
  ``parse`` never looks at the environment; ``config()`` then copies the values into
  ``process.env`` without replacing an existing key (even an empty one) unless ``override``
  (:func:`populate`).

The ``fast`` parser (``parse(buf, {fast: true})``, or ``DOTENV_FAST``) gave identical results
on the corpus and on thousands of generated files; it is not modelled separately. :func:`read`
decodes UTF-8 (``config()``'s default); an ``encoding`` option (:func:`config_options`) is
reported, not applied.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping

from envaudit.loaders.base import Assignment, Ignored, KeyFilter, LoaderResult
from envaudit.record import Record

#: JavaScript's ``\\s`` (and the characters ``String.prototype.trim`` removes).
JS_WHITESPACE = (
    "\t\n\x0b\x0c\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_S = "[" + JS_WHITESPACE.replace("\x0b", "\\x0b").replace("\x0c", "\\x0c") + "]"
#: JavaScript line terminators: where ``^`` and ``$`` match under the ``m`` flag.
_TERMINATORS = "\n\r\u2028\u2029"
_BOL = "(?<![^" + _TERMINATORS + "])"
_EOL = "(?=[" + _TERMINATORS + "]|\\Z)"

#: dotenv's statement pattern, translated to Python with JavaScript's ``\\s``, ``\\w``, ``.``,
#: ``^`` and ``$`` (multi-line). Group 1: the key; group 2: the raw value (``None``: absent).
LINE = re.compile(
    _BOL + _S + "*(?:export" + _S + "+)?([A-Za-z0-9_.-]+)(?:" + _S + "*=" + _S + "*?|:" + _S
    + "+?)(" + _S + "*'(?:\\\\'|[^'])*'|" + _S + "*\"(?:\\\\\"|[^\"])*\"|" + _S
    + "*`(?:\\\\`|[^`])*`|[^#\r\n]+)?" + _S + "*(?:#[^" + _TERMINATORS + "]*)?" + _EOL
)
#: ``/^(['"`])([\\s\\S]*)\\1$/mg``: a quote at a line start, the same quote at a line end.
_QUOTED = re.compile(_BOL + "(['\"`])([\\s\\S]*)\\1" + _EOL)
_WHITE_RUN = re.compile(_S + "*")
_TERMINATOR = re.compile("[" + _TERMINATORS + "]")
_NEWLINES = re.compile(r"\r\n?")
_CANONICAL_INDEX = re.compile(r"0|[1-9][0-9]{0,9}")
_BARE_KEY = re.compile(_S + "*(?:export" + _S + "+)?[A-Za-z0-9_.-]+" + _S + "*")
_KEY_COLON = re.compile(_S + "*(?:export" + _S + "+)?[A-Za-z0-9_.-]+:")

#: Names a plain JavaScript object inherits from ``Object.prototype``.
OBJECT_PROTOTYPE = frozenset({
    "__proto__", "constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable",
    "toLocaleString", "toString", "valueOf", "__defineGetter__", "__defineSetter__",
    "__lookupGetter__", "__lookupSetter__",
})


#: Byte order marks of UTF-16 files (PowerShell 5's ``>`` writes UTF-16LE).
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class Statement(Record):
    """One match of :data:`LINE`: the key and its raw value, before trimming and unquoting."""

    key: str
    raw: str
    """Group 2 of the match (``''`` when absent), untrimmed."""
    line: int
    """1-based line of the key."""


class NodeConfigOptions(Record):
    """``config()`` options read from the environment (``None``: the variable is not set)."""

    path: str | None = None
    """One path, used as is (no comma splitting); a leading ``~`` is the home folder."""
    encoding: str | None = None
    """The encoding ``readFileSync`` is given (default ``utf8``)."""
    override: bool | None = None
    """Replace keys already in ``process.env`` (even empty ones)."""
    quiet: bool | None = None
    """No ``injected env (N) from …`` line (printed anyway when ``debug`` is on)."""
    debug: bool | None = None
    """Log what ``config()`` does (and the ``injected env`` line even when quiet)."""
    fast: bool | None = None
    """Use the ``fast`` parser instead of the regular expression."""


def decode(data: bytes) -> str:
    """``Buffer.toString('utf8')``: invalid sequences become U+FFFD, a BOM is kept."""
    return data.decode("utf-8", "replace")


def normalize_newlines(text: str) -> str:
    """``\\r\\n`` and lone ``\\r`` to ``\\n`` (dotenv and dotenvx do this before matching)."""
    return _NEWLINES.sub("\n", text) if "\r" in text else text


def statements(text: str) -> tuple[list[Statement], list[Ignored]]:
    """Every statement :data:`LINE` matches in ``text`` (newlines already normalised), in file
    order, and the non-blank, non-comment lines no statement covers."""
    found: list[Statement] = []
    covered: list[tuple[int, int]] = []
    line, counted = 1, 0
    for m in matches(text):
        start = m.start(1)
        line += text.count("\n", counted, start)
        counted = start
        found.append(Statement(m.group(1), m.group(2) or "", line))
        covered.append((m.start(), m.end()))
    return found, _uncovered(text, covered)


def matches(text: str) -> Iterator[re.Match[str]]:
    """``LINE.finditer(text)``, without its quadratic time on long runs of blank lines.

    A match can only start where a line starts, and its leading ``\\s*`` runs to the first
    non-white character: every line start inside one white run leads to the same attempt. So
    each run is tried once, from its first line start."""
    pos, end = 0, len(text)
    while pos < end:
        m = LINE.match(text, pos)
        if m is not None:
            yield m
            pos = m.end()
            if pos > 0 and text[pos - 1] in _TERMINATORS:
                continue
        else:
            pos = _WHITE_RUN.match(text, pos).end()  # type: ignore[union-attr]  # ``*``
        nxt = _TERMINATOR.search(text, pos)
        if nxt is None:
            return
        pos = nxt.end()


def _uncovered(text: str, covered: list[tuple[int, int]]) -> list[Ignored]:
    """Lines with content that no match covers (dotenv skips them without a word)."""
    ignored: list[Ignored] = []
    spans = iter(covered)
    span = next(spans, None)
    offset = 0
    for number, row in enumerate(text.split("\n"), start=1):
        end = offset + len(row)
        while span is not None and span[1] < offset:
            span = next(spans, None)
        inside = span is not None and span[0] < end and span[1] > offset
        content = row.strip(JS_WHITESPACE)
        if content and not content.startswith("#") and not inside:
            ignored.append(Ignored(number, _why_skipped(row)))
        offset = end + 1
    return ignored


def _why_skipped(row: str) -> str:
    if _BARE_KEY.fullmatch(row):
        return "a key without '=' (node dotenv skips it)"
    if _KEY_COLON.match(row):
        return "':' not followed by white space (node dotenv skips the line)"
    return ("not a KEY=value statement: node dotenv keys are made of A-Z a-z 0-9 _ . - "
            "(the line is skipped)")


def strip_quotes(value: str) -> str:
    """``value.replace(/^(['"`])([\\s\\S]*)\\1$/mg, '$2')`` with JavaScript's line terminators."""
    if value[:1] not in ("'", '"', "`") and not any(c in value for c in _TERMINATORS):
        return value
    return _QUOTED.sub(r"\2", value)


def unquote(raw: str) -> str:
    """dotenv's value: trimmed, one pair of quotes removed, ``\\n``/``\\r`` decoded only when
    the value started with a double quote."""
    value = raw.strip(JS_WHITESPACE)
    first = value[:1]
    value = strip_quotes(value)
    if first == '"':
        value = value.replace("\\n", "\n").replace("\\r", "\r")
    return value


def parse(text: str) -> tuple[list[Assignment], list[Ignored]]:
    """``dotenv.parse``'s statements in file order (duplicates kept) and the skipped lines."""
    found, ignored = statements(normalize_newlines(text))
    assignments: list[Assignment] = []
    for st in found:
        if st.key == "__proto__":
            ignored.append(Ignored(st.line, "the key __proto__ is never stored: dotenv keeps "
                                            "values in a plain JavaScript object"))
            continue
        assignments.append(Assignment(st.key, unquote(st.raw), st.line))
    ignored.sort()
    return assignments, ignored


def filter_keys(assignments: list[Assignment], keep: KeyFilter | None) -> list[Assignment]:
    """The assignments whose key ``keep`` keeps (all of them without a filter)."""
    if keep is None:
        return assignments
    kept = keep({a.key for a in assignments})
    return [a for a in assignments if a.key in kept]


def read(
    data: bytes, environ: Mapping[str, str], *, override: bool = False,
    keep: KeyFilter | None = None,
) -> LoaderResult:
    """``dotenv.parse(fs.readFileSync(path))``: the file's assignments (environ and override
    change nothing: dotenv does not interpolate; see :func:`populate` for ``config()``)."""
    assignments, ignored = parse(decode(data))
    if not assignments and data[:2] in UTF16_BOMS:
        ignored = [Ignored(1, "a UTF-16 file: dotenv decodes it as UTF-8 and finds no statement")]
    return LoaderResult(filter_keys(assignments, keep), ignored)


def is_array_index(key: str) -> bool:
    """Whether JavaScript lists ``key`` first in an object (a canonical index below 2**32-1)."""
    return _CANONICAL_INDEX.fullmatch(key) is not None and int(key) < 2**32 - 1


def js_key_order(keys: Iterable[str]) -> list[str]:
    """Keys in the order a JavaScript object lists them after insertion in ``keys`` order:
    array indexes ascending first, then the other keys in first-insertion order."""
    unique = list(dict.fromkeys(keys))
    indexes = sorted((k for k in unique if is_array_index(k)), key=int)
    return indexes + [k for k in unique if not is_array_index(k)]


def as_object(assignments: Iterable[Assignment]) -> dict[str, str | None]:
    """The object the real loader returns: last value of each key, JavaScript key order."""
    values: dict[str, str | None] = {}
    for a in assignments:
        values[a.key] = a.value
    return {k: values[k] for k in js_key_order(values)}


def populate(
    environ: Mapping[str, str], values: Mapping[str, str | None], *, override: bool = False
) -> dict[str, str]:
    """What ``config()`` leaves in a plain-object ``processEnv``: a key already present (even
    empty) is kept unless ``override``. (The real ``process.env`` also cuts a value at its
    first NUL, from the team's research; a plain object does not.)"""
    env = dict(environ)
    for key, value in values.items():
        if value is not None and (override or key not in env):
            env[key] = value
    return env


def parse_boolean(value: str) -> bool:
    """dotenv's truthiness of an option string: false for ``false``, ``0``, ``no``, ``off``
    and ``''`` (any case, no trimming), true for anything else."""
    return value.lower() not in ("false", "0", "no", "off", "")


def config_options(environ: Mapping[str, str]) -> NodeConfigOptions:
    """The ``config()`` defaults dotenv 18.0.10 reads from the environment.

    For each option ``X`` in ENCODING, PATH, QUIET, DEBUG, OVERRIDE, FAST: ``DOTENV_X`` if it is
    set (even empty: an empty or false value does not fall back), else ``DOTENV_CONFIG_X``.
    PATH and ENCODING are taken verbatim; the others through :func:`parse_boolean`. Options
    passed to ``config()`` in code win over these. (``dist/index.cjs`` ``optionsFromEnv``.)
    """
    found: dict[str, str] = {}
    for name in ("ENCODING", "PATH", "QUIET", "DEBUG", "OVERRIDE", "FAST"):
        value = environ.get("DOTENV_" + name)
        if value is None:
            value = environ.get("DOTENV_CONFIG_" + name)
        if value is not None:
            found[name] = value

    def flag(name: str) -> bool | None:
        return parse_boolean(found[name]) if name in found else None

    return NodeConfigOptions(
        path=found.get("PATH"), encoding=found.get("ENCODING"), override=flag("OVERRIDE"),
        quiet=flag("QUIET"), debug=flag("DEBUG"), fast=flag("FAST"),
    )


def config_path(options: NodeConfigOptions, *, cwd: str, home: str) -> str:
    """The file ``config()`` reads: ``cwd/.env`` without a path option, else the path with a
    leading ``~`` replaced by the home folder (``path.join(homedir, rest)``)."""
    if options.path is None:
        return os.path.join(cwd, ".env")
    path = options.path
    if path.startswith("~"):
        path = os.path.normpath(home + "/" + path[1:])
    return os.path.join(cwd, path)
