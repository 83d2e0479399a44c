"""python-dotenv's reading of a file, reproduced exactly (python-dotenv 1.2.4 is the oracle).

python-dotenv's own parser costs about 10 µs a line because it recounts newlines after every
token; envaudit parses every dotenv file of a monorepo at each deploy, so this module keeps the
same grammar (the same regular expressions, applied in the same order) with a fast path for the
common ``KEY=value`` line. ``tests/loaders/test_python_dotenv.py`` checks it against the real
``dotenv_values`` with hypothesis.

Differences from python-dotenv that are deliberate: line numbers point at the line where the
statement's key is (python-dotenv's warning counts from the end of the previous statement).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping

from envaudit.record import Record

# NOTE: these mirror python-dotenv's parser.py grammar. The input has already been through
# universal-newline translation (python-dotenv opens files in text mode), so "\r" never occurs,
# but the patterns keep it to stay identical to the original grammar.
_MULTILINE_WHITESPACE = re.compile(r"\s*")
_WHITESPACE = re.compile(r"[^\S\r\n]*")
_EXPORT = re.compile(r"(?:export[^\S\r\n]+)?")
_SINGLE_QUOTED_KEY = re.compile(r"'([^']+)'")
_UNQUOTED_KEY = re.compile(r"([^=\#\s]+)")
_EQUAL_SIGN = re.compile(r"(=[^\S\r\n]*)")
# python-dotenv 1.2.4: a backslash always escapes the next character, so in ``'a\\'`` the
# quote after the escaped backslash closes the value; values span newlines (DOTALL).
_SINGLE_QUOTED_VALUE = re.compile(r"'((?:\\.|[^'\\])*)'", re.DOTALL)
_DOUBLE_QUOTED_VALUE = re.compile(r'"((?:\\.|[^"\\])*)"', re.DOTALL)
_UNQUOTED_VALUE = re.compile(r"([^\r\n]*)")
_COMMENT = re.compile(r"(?:[^\S\r\n]*#[^\r\n]*)?")
_END_OF_LINE = re.compile(r"[^\S\r\n]*(?:\r\n|\n|\r|$)")
_REST_OF_LINE = re.compile(r"[^\r\n]*(?:\r|\n|\r\n)?")
_DOUBLE_QUOTE_ESCAPES = re.compile(r"\\[\\'\"abfnrtv]")
_SINGLE_QUOTE_ESCAPES = re.compile(r"\\[\\']")
# ``re.sub(r"\s+#.*", "")`` in python-dotenv; cutting at the first white space + ``#`` is the
# same after ``rstrip()`` and stays linear on long runs of spaces.
_INLINE_COMMENT = re.compile(r"\s#")


def _cut_comment(value: str) -> str:
    m = _INLINE_COMMENT.search(value)
    return value if m is None else value[: m.start()]
_ESCAPES = {
    "\\\\": "\\", "\\'": "'", '\\"': '"', "\\a": "\a", "\\b": "\b",
    "\\f": "\f", "\\n": "\n", "\\r": "\r", "\\t": "\t", "\\v": "\v",
}
# The common line: optional ``export``, an identifier, ``=`` (spaces or tabs before it), the
# rest of the line. The caller sends ``export =`` (``export`` as a key) down the slow path.
_FAST_LINE = re.compile(r"(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)([ \t]*)=([^\n]*)")
# The common quoted line: ``KEY="value"`` / ``KEY='value'`` with no backslash, quote or newline
# inside, optional spaces around ``=``, then only a comment. Every character class is a subset of
# the grammar's, so a match parses exactly as the slow path would (``export`` as a key aside,
# which the caller sends down the slow path).
_FAST_QUOTED = re.compile(
    r"""(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*"""
    r"""(?:"([^"\\\n]*)"|'([^'\\\n]*)')[ \t]*(?:#[^\n]*)?(?:\n|\Z)"""
)
# A line the fast paths read without failing: blank, a comment, ``KEY=value`` with an unquoted
# value, or ``KEY="value"`` / ``KEY='value'`` as ``_FAST_QUOTED`` reads it; ``export`` as a key
# only in ``export=value`` (``export =`` and ``export="v"`` take the slow path). Built from the
# same pieces as the fast paths, so a file whose every line matches parses exactly as one
# fast-path statement per line. ``_ROW`` matches every line once: group 1 is the key of a
# simple statement line, group 2 a line that is not simple.
_ROW = re.compile(
    r"^(?:[^\S\n]*(?:#[^\n]*"
    r"""|(?!export[ \t]+=)(?!export[ \t]*=[ \t]*['"])(?:export[ \t]+)?"""
    r"([A-Za-z_][A-Za-z0-9_]*)[ \t]*="
    r"""(?:(?![^\S\n]*['"])[^\n]*|[ \t]*(?:"[^"\\\n]*"|'[^'\\\n]*')[ \t]*(?:#[^\n]*)?)"""
    r")?$|([^\n]+))",
    re.MULTILINE,
)


#: python-dotenv's ``${NAME}`` / ``${NAME:-default}`` syntax (variables.py).
POSIX_VARIABLE = re.compile(r"\$\{(?P<name>[^\}:]*)(?::-(?P<default>[^\}]*))?\}")


class Binding(Record):
    """One ``KEY=value`` statement as python-dotenv parses it (before interpolation).

    A named tuple rather than a frozen dataclass: a monorepo has tens of thousands of them and
    a frozen dataclass's ``__init__`` costs three times as much."""

    key: str
    """The key."""
    value: str | None
    """The value after unquoting and unescaping; ``None`` for a bare key."""
    line: int
    """1-based line of the key."""
    missing: tuple[str, ...] = ()
    """``${NAME}`` references in the raw value that neither an earlier key of the file nor the
    environment defines and that have no ``:-`` default (python-dotenv expands them to ``""``);
    filled by ``read``."""


class Unparsable(Record):
    """A statement python-dotenv drops with ``could not parse statement`` (logged warning)."""

    line: int
    """1-based line where the statement starts."""
    reason: str
    """What the grammar expected."""
    end_line: int = 0
    """Last line the dropped statement swallowed (> ``line`` when a quote ran on)."""
    lost_keys: tuple[str, ...] = ()
    """Keys written on the swallowed lines after the first (lost with the statement)."""
    next_line: int | None = None
    """Line where the next statement python-dotenv reads starts (``None``: the last one)."""


_KEY_AT_LINE_START = re.compile(r"^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=", re.M)


class _Fail(Exception):
    """The statement does not match the grammar (python-dotenv's ``parser.Error``)."""


def decode(data: bytes) -> str:
    """Decode file bytes as python-dotenv's ``open(path, encoding="utf-8")`` + Reader do.

    Raises ``UnicodeDecodeError`` as python-dotenv does (the app crashes at ``load_dotenv``).
    """
    text = data.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _unescape(pattern: re.Pattern[str], value: str) -> str:
    if "\\" not in value:
        return value
    return pattern.sub(lambda m: _ESCAPES[m.group(0)], value)


class _Lines:
    """Incremental line counter over one text (positions only move forward)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._line = 1

    def at(self, pos: int) -> int:
        if pos >= self._pos:
            self._line += self._text.count("\n", self._pos, pos)
        else:
            self._line -= self._text.count("\n", pos, self._pos)
        self._pos = pos
        return self._line


def _fast_statement(text: str, pos: int) -> tuple[str, str, int] | None:
    """``(key, value, next position)`` when the statement at ``pos`` is one of the common forms
    (``KEY=value`` unquoted, ``KEY="value"`` with nothing to unescape), else ``None``."""
    # NOTE: ``export =v`` / ``export ='v'``: python-dotenv reads ``export `` as the prefix and
    # then finds no key, so the statement is dropped: the slow path must see it. ``export=v``
    # and ``export export =v`` are plain statements.
    m = _FAST_LINE.match(text, pos)
    if m is not None and not (m.group(2) and m.group(1) == "export" and m.start(1) == pos):
        rest = m.group(3)
        stripped = rest.lstrip()
        if not stripped or stripped[0] not in "'\"":
            if stripped[:1] == "#" and len(stripped) < len(rest):
                # ``KEY= #c``: white space after ``=`` then ``#`` is an empty value and a
                # comment (python-dotenv 1.2.4); ``KEY=#c`` keeps ``#c``.
                value = ""
            else:
                value = stripped
                if "#" in value:
                    value = _cut_comment(value)
            return m.group(1), value.rstrip(), (m.end() + 1 if m.end() < len(text) else m.end())
    m = _FAST_QUOTED.match(text, pos)
    if m is not None and not (m.group(1) == "export" and m.start(1) == pos
                              and text[m.end(1)] != "="):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        return m.group(1), value, m.end()
    return None


def parse(text: str) -> tuple[list[Binding], list[Unparsable]]:
    """Parse decoded text into bindings and dropped statements, in file order."""
    bindings: list[Binding] = []
    dropped: list[Unparsable] = []
    lines = _Lines(text)
    pos, end = 0, len(text)
    fast = _fast_statement
    ws_match = _MULTILINE_WHITESPACE.match
    while pos < end:
        pos = ws_match(text, pos).end()  # type: ignore[union-attr]  # \s* always matches
        if pos >= end:
            break
        start = pos
        if text[pos] == "#":
            nl = text.find("\n", pos)
            pos = end if nl < 0 else nl + 1
            continue
        statement = fast(text, pos)
        if statement is not None:
            key, value, pos = statement
            bindings.append(Binding(key, value, lines.at(start)))
            continue
        try:
            key, value, pos = _parse_statement(text, pos)
        except _Fail as exc:
            pos = _REST_OF_LINE.match(text, exc.args[1]).end()  # type: ignore[union-attr]
            first = lines.at(start)
            last = lines.at(pos - 1) if pos > start else first
            lost: tuple[str, ...] = ()
            if last > first:
                body = text[text.find("\n", start) + 1 : pos]
                lost = tuple(dict.fromkeys(_KEY_AT_LINE_START.findall(body)))
            dropped.append(Unparsable(first, exc.args[0], last, lost))
            continue
        if key is not None:
            bindings.append(Binding(key, value, lines.at(start)))
    if dropped:
        dropped = _with_next_lines(bindings, dropped)
    return bindings, dropped


def _with_next_lines(bindings: list[Binding], dropped: list[Unparsable]) -> list[Unparsable]:
    """``dropped`` with ``next_line`` set: where the next statement python-dotenv reads starts."""
    import bisect

    starts = sorted({b.line for b in bindings} | {u.line for u in dropped})
    out = []
    for u in dropped:
        after = starts[bisect.bisect_right(starts, u.line):]
        out.append(u._replace(next_line=after[0] if after else None))
    return out


class Reading(Record):
    """``read``'s result."""

    bindings: list[Binding]
    """The kept bindings, values interpolated, in file order."""
    dropped: list[Unparsable]
    """Statements python-dotenv drops."""
    names: frozenset[str]
    """Every key the file assigns, kept or not."""
    simple: bool = False
    """Every line is blank, a comment or a one-line fast-path statement (the key-filter route
    read it): each statement can then be read on its own."""
    raw: Iterable[Binding] = ()
    """The bindings whose key ``read``'s ``also`` accepts, values as written (quotes and
    escapes undone, ``${...}`` not expanded), in file order; empty without ``also``. The
    key-filter route parses each as it is iterated (``_Statements``): a caller that stops
    early parses no more."""


class _Statements:
    """The one-line statements on lines ``numbers`` (1-based) of ``lines``, each parsed when
    iteration reaches it."""

    __slots__ = ("_lines", "_numbers")

    def __init__(self, lines: list[str], numbers: list[int]) -> None:
        self._lines = lines
        self._numbers = numbers

    def __iter__(self) -> Iterator[Binding]:
        for number in self._numbers:
            statement = _fast_statement(self._lines[number - 1].lstrip(), 0)
            assert statement is not None  # the key filter read only simple lines
            yield Binding(statement[0], statement[1], number)


def _interned(names: set[str]) -> frozenset[str]:
    """The names, each string shared with every other file's equal name: a monorepo repeats
    the same keys in every app, and the helper process pickles them once instead of per file."""
    return frozenset(map(sys.intern, names))


KeyFilter = Callable[[set[str]], set[str]]


def _key_filter(text: str, keep: KeyFilter, also: KeyFilter | None = None) -> Reading | None:
    """The bindings whose key ``keep`` accepts (and the raw ones ``also`` accepts), without
    parsing every statement, for the common file: every line blank, a comment or a fast-path
    statement, and no ``${`` in a kept value (its interpolation may read any earlier key).
    ``None`` for any other file."""
    rows = _ROW.findall(text)  # one (key, not-simple line) per line
    keys = [key for key, bad in rows if not bad]
    if len(keys) != len(rows):
        return None
    names = set(keys)
    names.discard("")  # blank and comment lines
    hits = keep(names)
    extra = also(names) if also is not None else set()
    if not hits and not extra:
        return Reading([], [], _interned(names), True)
    lines = text.split("\n")
    bindings: list[Binding] = []
    for number, key in enumerate(keys, start=1):
        if key in hits:
            statement = _fast_statement(lines[number - 1].lstrip(), 0)
            assert statement is not None  # every line is simple
            if "${" in statement[1]:
                return None
            bindings.append(Binding(statement[0], statement[1], number))
    raw = _Statements(lines, [n for n, key in enumerate(keys, start=1) if key in extra])
    return Reading(bindings, [], _interned(names), True, raw)


def read(
    text: str, environ: Mapping[str, str], keep: KeyFilter | None = None,
    also: KeyFilter | None = None,
) -> Reading:
    """``dotenv_values``' reading of ``text``: bindings with their interpolated values (only
    those whose key ``keep`` keeps: given a set of keys, it returns those to keep) and the
    dropped statements, in file order; and ``Reading.raw``, the statements whose key ``also``
    accepts, as written (a caller that needs no interpolation: no ``${`` there sends the file
    down the slow path)."""
    if keep is not None:
        found = _key_filter(text, keep, also)
        if found is not None:
            return found
    bindings, dropped = parse(text)
    raw: list[Binding] = []
    if also is not None:
        wanted = also({b.key for b in bindings})
        raw = [b for b in bindings if b.key in wanted]
    values = interpolate(bindings, environ)
    kept = None if keep is None else keep({b.key for b in bindings})
    out = []
    seen: set[str] = set()
    for binding, value in zip(bindings, values):
        if kept is None or binding.key in kept:
            missing = _missing(binding.value, seen, environ)
            out.append(Binding(binding.key, value, binding.line, missing))
        seen.add(binding.key)
    return Reading(out, dropped, _interned(seen), False, raw)


def _missing(raw: str | None, seen: set[str], environ: Mapping[str, str]) -> tuple[str, ...]:
    if raw is None or "${" not in raw:
        return ()
    return tuple(dict.fromkeys(
        m.group("name") for m in POSIX_VARIABLE.finditer(raw)
        if m.group("default") is None and m.group("name") not in seen
        and m.group("name") not in environ))


def _parse_statement(text: str, pos: int) -> tuple[str | None, str | None, int]:
    """The slow path: python-dotenv's ``parse_binding`` step by step from ``pos``."""
    pos = _EXPORT.match(text, pos).end()  # type: ignore[union-attr]
    char = text[pos : pos + 1]
    key: str | None
    if char == "#":
        key = None
    else:
        m = (_SINGLE_QUOTED_KEY if char == "'" else _UNQUOTED_KEY).match(text, pos)
        if m is None:
            raise _Fail("a key", pos)
        key, pos = m.group(1), m.end()
    pos = _WHITESPACE.match(text, pos).end()  # type: ignore[union-attr]
    value: str | None = None
    if text[pos : pos + 1] == "=":
        after_equal = _EQUAL_SIGN.match(text, pos).end()  # type: ignore[union-attr]
        spaced, pos = after_equal - pos > 1, after_equal
        char = text[pos : pos + 1]
        if spaced and char == "#":
            value = ""  # ``KEY= # comment`` (python-dotenv 1.2.4); the comment is read below
        elif char == "'":
            m = _SINGLE_QUOTED_VALUE.match(text, pos)
            if m is None:
                raise _Fail("a closing single quote", pos)
            value, pos = _unescape(_SINGLE_QUOTE_ESCAPES, m.group(1)), m.end()
        elif char == '"':
            m = _DOUBLE_QUOTED_VALUE.match(text, pos)
            if m is None:
                raise _Fail("a closing double quote", pos)
            value, pos = _unescape(_DOUBLE_QUOTE_ESCAPES, m.group(1)), m.end()
        elif char in ("", "\n", "\r"):
            value = ""
        else:
            m = _UNQUOTED_VALUE.match(text, pos)
            assert m is not None  # [^\r\n]* always matches
            value, pos = _cut_comment(m.group(1)).rstrip(), m.end()
    pos = _COMMENT.match(text, pos).end()  # type: ignore[union-attr]
    m = _END_OF_LINE.match(text, pos)
    if m is None:
        raise _Fail("the end of the line after the value", pos)
    return key, value, m.end()


def interpolate(
    bindings: Iterable[Binding], environ: Mapping[str, str]
) -> list[str | None]:
    """Each binding's value after ``${VAR}`` expansion, as ``dotenv_values`` computes it.

    ``dotenv_values`` resolves with the file's earlier keys first, then ``environ``
    (``override=True``); a bare key earlier in the file expands to ``""``. Unlike python-dotenv
    (which copies the whole environment for every value), lookups here are O(1).
    """
    seen: dict[str, str | None] = {}
    out: list[str | None] = []

    def lookup(m: re.Match[str]) -> str:
        name = m.group("name")
        if name in seen:
            found = seen[name]
        elif name in environ:
            found = environ[name]
        else:
            found = m.group("default") or ""
        return found if found is not None else ""

    for binding in bindings:
        value = binding.value
        if value is not None and "${" in value:
            value = POSIX_VARIABLE.sub(lookup, value)
        seen[binding.key] = value
        out.append(value)
    return out


def values(text: str, environ: Mapping[str, str]) -> dict[str, str | None]:
    """The dict ``dotenv_values`` returns for ``text`` (for tests and the snapshot)."""
    bindings, _ = parse(text)
    return dict(zip((b.key for b in bindings), interpolate(bindings, environ)))
