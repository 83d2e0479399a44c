"""A small, exact reader for the YAML most compose files are written in; PyYAML stays the fallback.

Importing PyYAML costs ~9 ms (its reader compiles a large unicode pattern) and its pure-Python
composer is slow, yet compose files use a narrow part of YAML. :func:`compose_documents` reads that
part and builds the node trees ``yaml.compose_all(data, Loader=yaml.SafeLoader)`` builds (PyYAML 6,
YAML 1.1): same kinds (``.id``), tags (the SafeLoader resolver's YAML 1.1 types: ``yes``/``no``/
``on``/``off`` booleans, ``017`` octals, ``1:20`` sexagesimals, timestamps), values, styles and
start marks (0-based line and column). For anything else it returns ``None`` and the caller
composes with PyYAML, so correctness never depends on the subset being complete and malformed YAML
keeps PyYAML's own error messages. PyYAML is the oracle (``tests/loaders/test_compose_yaml.py``).

Read here:

* UTF-8 without a BOM, LF or CRLF line breaks;
* block mappings and block sequences laid out with spaces, including a sequence written at its
  key's own indentation and ``- key: value`` mappings in sequence entries; several keys of the
  same name are kept in order, as PyYAML's composer keeps them;
* plain scalars on one line, single- and double-quoted scalars on one line (every PyYAML escape);
* comments, blank lines, ``---`` and ``...`` document markers.

Left to PyYAML (``None``): tabs anywhere, flow collections (``[``, ``{``), anchors and aliases,
tags, merge keys (``<<``), block scalars (``|``, ``>``), any scalar spanning lines, complex keys
(``?``), directives (``%``), empty documents, a document that is a scalar, ``- - x``, keys longer
than 1000 characters, nesting deeper than :data:`MAX_DEPTH`, a BOM or U+FEFF anywhere, invalid
UTF-8, characters PyYAML refuses or reads as line breaks (NEL, LS, PS, a CR not before an LF), and
every layout PyYAML would refuse.
"""

from __future__ import annotations

from typing import Any, Union

MAX_DEPTH = 100
"""Collections nested deeper than this are left to PyYAML."""

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_VALUE = "tag:yaml.org,2002:value"
_YAML = "tag:yaml.org,2002:yaml"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

_BOOLS = frozenset((
    "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
    "on", "On", "ON", "off", "Off", "OFF",
))
_DIGITS = frozenset("0123456789")
_DIGITS_ = frozenset("0123456789_")
_OCTAL_ = frozenset("01234567_")
_BINARY_ = frozenset("01_")
_HEX_ = frozenset("0123456789abcdefABCDEF_")
_HEX = frozenset("0123456789abcdefABCDEF")
# A plain scalar may not start with these (``-``, ``?``, ``:`` may when a non-space follows).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# Double-quoted escapes with a fixed replacement (``\\<TAB>`` too, but tabs are never read here).
_ESCAPES = {
    "0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "n": "\n", "v": "\x0b", "f": "\x0c",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "\\": "\\", "/": "/", "N": "\x85", "_": "\xa0",
    "L": "\u2028", "P": "\u2029",
}
_HEX_WIDTHS = {"x": 2, "u": 4, "U": 8}
# Bytes read as they are: printable ASCII, LF, CR (checked apart) and every non-ASCII byte (checked
# after decoding). Tabs, other control bytes and DEL are left to PyYAML.
_PASS_BYTES = bytes(range(0x20, 0x7F)) + b"\n\r" + bytes(range(0x80, 0x100))
# Non-ASCII characters PyYAML refuses, reads as line breaks, or does not count as a column.
_ODD_CHARS = frozenset("\u2028\u2029\ufeff\ufffe\uffff")


# --------------------------------------------------------------------------- nodes


class Mark:
    """Where a node starts, as PyYAML's ``Mark`` has it (0-based)."""

    __slots__ = ("column", "line")

    def __init__(self, line: int, column: int) -> None:
        self.line = line
        """0-based line."""
        self.column = column
        """0-based column (in characters)."""

    def __repr__(self) -> str:
        return f"Mark({self.line}, {self.column})"


class ScalarNode:
    """A scalar: ``value`` is its text, ``style`` ``None`` (plain), ``"'"`` or ``'"'``."""

    __slots__ = ("start_mark", "style", "tag", "value")
    id = "scalar"
    """Node kind, as PyYAML names it."""

    def __init__(self, tag: str, value: str, start_mark: Mark, style: str | None) -> None:
        self.tag = tag
        """The SafeLoader resolver's tag."""
        self.value = value
        """The scalar's text."""
        self.start_mark = start_mark
        """Where it starts (a quoted scalar at its quote)."""
        self.style = style
        """``None`` for plain, else the quote character."""

    def __repr__(self) -> str:
        return f"ScalarNode({self.tag!r}, {self.value!r}, {self.start_mark!r}, {self.style!r})"


class _CollectionNode:
    """A block collection (PyYAML's ``CollectionNode``): ``value`` in file order."""

    __slots__ = ("start_mark", "value")
    flow_style = False
    """Always block style here."""

    def __init__(self, value: list[Any], start_mark: Mark) -> None:
        self.value = value
        """The entries, in file order."""
        self.start_mark = start_mark
        """Where its first key or ``-`` starts."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r}, {self.start_mark!r})"


class MappingNode(_CollectionNode):
    """A block mapping: ``value`` holds its ``(key, value)`` node pairs in order (keys of the
    same name all kept)."""

    __slots__ = ()
    id = "mapping"
    """Node kind, as PyYAML names it."""
    tag = _MAP
    """``tag:yaml.org,2002:map``."""
    value: list[tuple[Node, Node]]


class SequenceNode(_CollectionNode):
    """A block sequence: ``value`` holds its entry nodes in order."""

    __slots__ = ()
    id = "sequence"
    """Node kind, as PyYAML names it."""
    tag = _SEQ
    """``tag:yaml.org,2002:seq``."""
    value: list[Node]


Node = Union[ScalarNode, MappingNode, SequenceNode]


class _NotHandled(Exception):
    """Outside the subset: the caller falls back to PyYAML."""


# --------------------------------------------------------------------------- entry point


def compose_documents(data: bytes) -> list[Node] | None:
    """The root node of every document in ``data``, or ``None`` when PyYAML must read it.

    Equal, node for node, to ``list(yaml.compose_all(data, Loader=yaml.SafeLoader))`` whenever
    it is not ``None``. Never raises.
    """
    text = _decode(data)
    if text is None:
        return None
    try:
        return _Reader(text).documents()
    except (_NotHandled, RecursionError):
        return None


def _decode(data: bytes) -> str | None:
    """The text of ``data`` with LF line breaks, or ``None`` for what is left to PyYAML."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:3] == b"\xef\xbb\xbf":
        return None  # PyYAML reads UTF-16 by its BOM; a UTF-8 BOM shifts its first column
    if data.translate(None, _PASS_BYTES):
        return None  # a tab, a control byte or DEL
    if b"\r" in data:
        if data.count(b"\r") != data.count(b"\r\n"):
            return None  # a lone CR is a line break for PyYAML
        data = data.replace(b"\r\n", b"\n")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not data.isascii():
        for ch in set(text):
            if ch >= "\x80" and (ch < "\xa0" or ch in _ODD_CHARS):
                return None
    return text


# --------------------------------------------------------------------------- structure


class _Reader:
    """Block structure by indentation, line by line (every line is one physical line)."""

    __slots__ = ("count", "depth", "indents", "lines")

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.count = len(self.lines)
        self.depth = 0
        # indentation of each line holding content; -1 for blank and comment-only lines
        self.indents: list[int] = []
        for line in self.lines:
            body = line.lstrip(" ")
            self.indents.append(len(line) - len(body) if body and body[0] != "#" else -1)

    def next_content(self, i: int) -> int:
        """The first line from ``i`` on that is neither blank nor only a comment (or ``count``)."""
        indents, count = self.indents, self.count
        while i < count and indents[i] < 0:
            i += 1
        return i

    def marker(self, i: int) -> str | None:
        """``"---"`` or ``"..."`` when line ``i`` is a document marker."""
        line = self.lines[i]
        if line[:3] in ("---", "...") and (len(line) == 3 or line[3] == " "):
            rest = line[3:].lstrip(" ")
            if rest and rest[0] != "#":
                raise _NotHandled  # content on the marker's line
            return line[:3]
        return None

    def is_entry(self, i: int) -> bool:
        """Line ``i`` starts (after its indentation) with a sequence entry ``-``."""
        line, col = self.lines[i], self.indents[i]
        return line[col] == "-" and (len(line) == col + 1 or line[col + 1] == " ")

    def documents(self) -> list[Node]:
        roots: list[Node] = []
        i = self.next_content(0)
        while i < self.count:
            marker = self.marker(i)
            if marker == "---":
                i = self.next_content(i + 1)
                if i >= self.count or self.marker(i) is not None:
                    raise _NotHandled  # an empty document
            elif marker is not None or roots:
                raise _NotHandled  # "..." before any content, or content left after a root
            root, i = self.block(i, self.indents[i])
            roots.append(root)
            if i < self.count:
                marker = self.marker(i)
                if marker is None:
                    raise _NotHandled  # less indented than the root: PyYAML refuses it
                while i < self.count and self.marker(i) == "...":
                    i = self.next_content(i + 1)
                if i < self.count and self.marker(i) != "---":
                    raise _NotHandled  # after "...", only "---" may start a document
        return roots

    def block(self, i: int, col: int) -> tuple[Node, int]:
        """The block collection whose first line is ``i``, indented ``col``; and the next line."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _NotHandled
        node: Node
        if self.is_entry(i):
            node, i = self.sequence(i, col, False)
        else:
            node, i = self.mapping(i, col)
        self.depth -= 1
        return node, i

    def mapping(self, i: int, col: int) -> tuple[MappingNode, int]:
        """A block mapping whose first key is at line ``i``, column ``col``."""
        lines, indents, count = self.lines, self.indents, self.count
        pairs: list[tuple[Node, Node]] = []
        start = Mark(i, col)
        while True:
            line = lines[i]
            n = len(line)
            key, q = _scalar(line, col, i)
            while q < n and line[q] == " ":
                q += 1
            if q >= n or line[q] != ":" or (q + 1 < n and line[q + 1] != " "):
                raise _NotHandled  # a scalar that is not a key
            if q - col > 1000 or key.tag == _MERGE:
                raise _NotHandled  # PyYAML's 1024-character key limit; merge keys
            v = q + 1
            while v < n and line[v] == " ":
                v += 1
            value: Node
            if v >= n or line[v] == "#":  # the value is on the next lines, or empty
                k = self.next_content(i + 1)
                if k < count and indents[k] > col:
                    value, k = self.block(k, indents[k])
                elif k < count and indents[k] == col and self.is_entry(k):
                    value, k = self.sequence(k, col, True)
                else:
                    value = ScalarNode(_NULL, "", Mark(i, q + 1), None)
            else:
                value, end = _scalar(line, v, i)
                _end_of_line(line, end)
                k = self.next_content(i + 1)
            pairs.append((key, value))
            if k >= count or indents[k] < col or self.marker(k) is not None:
                return MappingNode(pairs, start), k
            if indents[k] > col or self.is_entry(k):
                raise _NotHandled  # a scalar going on, or a layout PyYAML refuses
            i = k

    def sequence(self, i: int, col: int, indentless: bool) -> tuple[SequenceNode, int]:
        """A block sequence whose first ``-`` is at line ``i``, column ``col``.

        ``indentless``: written at its key's own indentation (it ends at the first line there
        that is not an entry).
        """
        lines, indents, count = self.lines, self.indents, self.count
        items: list[Node] = []
        start = Mark(i, col)
        while True:
            line = lines[i]
            n = len(line)
            p = col + 1
            while p < n and line[p] == " ":
                p += 1
            item: Node
            if p >= n or line[p] == "#":  # the entry is on the next lines, or empty
                k = self.next_content(i + 1)
                if k < count and indents[k] > col:
                    item, k = self.block(k, indents[k])
                else:
                    item = ScalarNode(_NULL, "", Mark(i, col + 1), None)
            elif line[p] == "-" and (p + 1 >= n or line[p + 1] == " "):
                raise _NotHandled  # "- - x"
            else:
                node, end = _scalar(line, p, i)
                q = end
                while q < n and line[q] == " ":
                    q += 1
                if q < n and line[q] == ":" and (q + 1 >= n or line[q + 1] == " "):
                    self.depth += 1
                    if self.depth > MAX_DEPTH:
                        raise _NotHandled
                    item, k = self.mapping(i, p)  # "- key: value": a mapping at column p
                    self.depth -= 1
                else:
                    _end_of_line(line, end)
                    item, k = node, self.next_content(i + 1)
            items.append(item)
            if k >= count or indents[k] < col or self.marker(k) is not None:
                return SequenceNode(items, start), k
            if indents[k] > col:
                raise _NotHandled  # a scalar going on, or a layout PyYAML refuses
            if not self.is_entry(k):
                if indentless:
                    return SequenceNode(items, start), k
                raise _NotHandled
            i = k


def _end_of_line(line: str, end: int) -> None:
    """After a value: only spaces, then the end of the line or (after a space) a comment."""
    n = len(line)
    q = end
    while q < n and line[q] == " ":
        q += 1
    if q < n and (q == end or line[q] != "#"):
        raise _NotHandled


# --------------------------------------------------------------------------- scalars


def _scalar(line: str, p: int, i: int) -> tuple[ScalarNode, int]:
    """The one-line scalar starting at ``line[p]`` (line ``i``) and where it ends."""
    c = line[p]
    if c == "'":
        q = p + 1
        while True:
            k = line.find("'", q)
            if k < 0:
                raise _NotHandled  # spans lines (or never closes)
            if line[k + 1:k + 2] != "'":
                break
            q = k + 2
        return ScalarNode(_STR, line[p + 1:k].replace("''", "'"), Mark(i, p), "'"), k + 1
    if c == '"':
        return _double_quoted(line, p, i)
    if c in _INDICATORS and not (c in "-?:" and p + 1 < len(line) and line[p + 1] != " "):
        raise _NotHandled  # flow collection, anchor, alias, tag, block scalar, directive, ...
    # A plain scalar ends before ": " (or a ':' ending the line) or " #"; trailing spaces are
    # not part of it (inner runs of spaces are).
    n = len(line)
    end = n
    k = line.find(" #", p)
    if k >= 0:
        end = k
    k = line.find(": ", p)
    if 0 <= k < end:
        end = k
    if end == n and line[-1] == ":":
        end = n - 1
    value = line[p:end].rstrip(" ")
    return ScalarNode(plain_tag(value), value, Mark(i, p), None), p + len(value)


def _double_quoted(line: str, p: int, i: int) -> tuple[ScalarNode, int]:
    parts: list[str] = []
    q = p + 1
    while True:
        close = line.find('"', q)
        if close < 0:
            raise _NotHandled  # spans lines (or never closes)
        slash = line.find("\\", q, close)
        if slash < 0:
            parts.append(line[q:close])
            return ScalarNode(_STR, "".join(parts), Mark(i, p), '"'), close + 1
        parts.append(line[q:slash])
        code = line[slash + 1:slash + 2]
        if code in _ESCAPES:
            parts.append(_ESCAPES[code])
            q = slash + 2
        elif code in _HEX_WIDTHS:
            width = _HEX_WIDTHS[code]
            digits = line[slash + 2:slash + 2 + width]
            if len(digits) != width or not _HEX.issuperset(digits):
                raise _NotHandled
            number = int(digits, 16)
            if number > 0x10FFFF:
                raise _NotHandled
            parts.append(chr(number))
            q = slash + 2 + width
        else:
            raise _NotHandled  # a line break (folding) or an escape PyYAML refuses


def plain_tag(value: str) -> str:
    """The tag PyYAML's SafeLoader resolver gives the plain scalar ``value`` (YAML 1.1 types)."""
    if not value:
        return _NULL
    c = value[0]
    if c in "yYnNtTfFoO":
        if value in _BOOLS:
            return _BOOL
        return _NULL if value in ("null", "Null", "NULL") else _STR
    if c in "-+.0123456789":
        return _number_tag(value)
    if c == "~":
        return _NULL if value == "~" else _STR
    if value == "<<":
        return _MERGE
    if value == "=":
        return _VALUE
    if value in ("!", "&", "*"):
        return _YAML  # never a plain scalar in a document; kept for an exact resolver
    return _STR


def _number_tag(value: str) -> str:
    body = value[1:] if value[0] in "+-" else value
    signed = len(body) != len(value)
    if not body:
        return _STR
    if body[0] == ".":
        tail = body[1:]
        if tail in ("inf", "Inf", "INF"):
            return _FLOAT
        if signed:
            return _STR
        if tail in ("nan", "NaN", "NAN"):
            return _FLOAT
        return _FLOAT if tail[:1] in _DIGITS and _digits_then_exponent(tail[1:]) else _STR
    if body[0] not in _DIGITS:
        return _STR
    if not signed and _is_timestamp(body):
        return _TIMESTAMP
    if _is_int(body):
        return _INT
    if _is_float(body):
        return _FLOAT
    return _STR


def _digits_then_exponent(text: str) -> bool:
    """``[0-9_]*`` then an optional ``[eE][-+][0-9]+``."""
    i = 0
    n = len(text)
    while i < n and text[i] in _DIGITS_:
        i += 1
    if i == n:
        return True
    rest = text[i:]
    return (len(rest) >= 3 and rest[0] in "eE" and rest[1] in "+-"
            and _DIGITS.issuperset(rest[2:]))


def _sexagesimal_tail(text: str) -> bool:
    """One or more ``[0-5]?[0-9]`` separated by ``:`` (what follows the first ``:``)."""
    for part in text.split(":"):
        if len(part) == 1:
            if part not in _DIGITS:
                return False
        elif len(part) != 2 or part[0] not in "012345" or part[1] not in _DIGITS:
            return False
    return True


def _is_int(body: str) -> bool:
    """YAML 1.1 int (sign removed; ``body`` starts with a digit)."""
    prefix = body[:2]
    if prefix == "0b":
        return len(body) > 2 and _BINARY_.issuperset(body[2:])
    if prefix == "0x":
        return len(body) > 2 and _HEX_.issuperset(body[2:])
    if body[0] == "0":
        return _OCTAL_.issuperset(body[1:])
    head, colon, rest = body.partition(":")
    if not _DIGITS_.issuperset(head):
        return False
    return not colon or _sexagesimal_tail(rest)


def _is_float(body: str) -> bool:
    """YAML 1.1 float written with digits (sign removed; ``body`` starts with a digit)."""
    head, dot, fraction = body.partition(".")
    if not dot:
        return False
    if _DIGITS_.issuperset(head):
        return _digits_then_exponent(fraction)
    first, colon, rest = head.partition(":")
    return (bool(colon) and _DIGITS_.issuperset(first) and _sexagesimal_tail(rest)
            and _DIGITS_.issuperset(fraction))


def _take_digits(text: str, i: int, least: int, most: int) -> int:
    """The index after ``least`` to ``most`` digits at ``text[i]``, or -1."""
    j = i
    n = min(len(text), i + most)
    while j < n and text[j] in _DIGITS:
        j += 1
    return j if j - i >= least else -1


def _is_timestamp(text: str) -> bool:
    """YAML 1.1 timestamp: ``YYYY-MM-DD``, or a date and time (``text`` starts with a digit)."""
    n = len(text)
    if n < 8 or text[4] != "-" or not _DIGITS.issuperset(text[:4]):
        return False
    if n == 10 and text[7] == "-" and _DIGITS.issuperset(text[5:7] + text[8:10]):
        return True
    i = _take_digits(text, 5, 1, 2)
    if i < 0 or text[i:i + 1] != "-":
        return False
    i = _take_digits(text, i + 1, 1, 2)
    if i < 0:
        return False
    if text[i:i + 1] in ("T", "t"):
        i += 1
    else:
        j = i
        while j < n and text[j] in " \t":
            j += 1
        if j == i:
            return False
        i = j
    i = _take_digits(text, i, 1, 2)
    if i < 0 or text[i:i + 1] != ":":
        return False
    i = _take_digits(text, i + 1, 2, 2)
    if i < 0 or text[i:i + 1] != ":":
        return False
    i = _take_digits(text, i + 1, 2, 2)
    if i < 0:
        return False
    if text[i:i + 1] == ".":
        i += 1
        while i < n and text[i] in _DIGITS:
            i += 1
    if i == n:
        return True
    while i < n and text[i] in " \t":
        i += 1
    zone = text[i:i + 1]
    if zone == "Z":
        return i + 1 == n
    if zone not in ("+", "-"):
        return False
    i = _take_digits(text, i + 1, 1, 2)
    if i < 0 or i == n:
        return i == n
    if text[i] != ":":
        return False
    return _take_digits(text, i + 1, 2, 2) == n
