"""docker compose's ``env_file`` reading (compose v2.40.3, compose-go v2.9.1), from measured facts.

What is modelled (research/dotenv-semantics.md, section "docker compose env_file"; every corpus
case was run through the real ``docker-compose config --format json``, and the rules below were
read from compose-go v2.9.1 ``dotenv/parser.go``, ``template/template.go`` and
``types/project.go``; the code here is written from those facts, not copied):

* A leading UTF-8 BOM is dropped. Invalid UTF-8 is not an error: every invalid byte ends up as
  U+FFFD in the value (and, in a variable name, as a character compose refuses).
* Only ``\\n`` separates lines. ``\\r`` is white space: trimmed from the end of unquoted values, so
  a CR-only file is one line whose value swallows the rest of the file.
* Statements: optional ``export`` + white space; the name runs to ``=``, ``:`` or the end of the
  line (a bare ``KEY``). Name characters are Unicode letters and digits and ``_ . - [ ]``; any
  other character (quote, backtick, U+200B, U+FFFD, ...) **aborts loading the whole project**, so
  does a space inside the name (``KEY VALUE``). ``=value`` gives a variable with an empty name.
  Tabs and other non-space blanks inside a name are kept in it.
* Unquoted value: the rest of the line, cut at the first ``" #"`` (space then hash; a TAB before
  ``#`` does not start a comment), right-trimmed, then interpolated.
* ``'...'``: literal, may span lines, ``\\'`` is a quote, nothing else is unescaped, no
  interpolation. ``"..."``: may span lines; ``\\a \\b \\f \\n \\r \\t \\v \\" \\\\ \\$`` and
  ``\\0ooo`` (octal, exactly three digits, at most 0377) are decoded (Go ``strconv.UnquoteChar``;
  no ``\\u``/``\\x``), then the value is interpolated. Text after the closing quote starts a new
  statement: ``"v" # c`` is fine, ``"v"123`` reads ``123`` as a bare name. An unterminated quote
  aborts the project load.
* Interpolation (unquoted and double-quoted values): ``$VAR``, ``${VAR}``, ``${VAR:-d}``,
  ``${VAR-d}``, ``${VAR:+a}``, ``${VAR+a}``, ``${VAR:?msg}`` / ``${VAR?msg}`` (abort), nesting in
  the default, ``$$`` -> ``$``; ``$(cmd)`` and a lone ``$`` stay literal; ``${`` not followed by a
  valid name and ``}`` on the same line aborts ("Invalid template"). Names:
  ``[_A-Za-z][_A-Za-z0-9]*`` (Go's case folding also admits U+017F and U+212A). Lookup order:
  the shell environment, then the project ``.env``, then the service's ``environment:`` values,
  and only then keys read so far (earlier lines, earlier ``env_file`` entries of the service,
  and ``environment:``). So a file redefining ``SHELL_VAR`` still interpolates ``${SHELL_VAR}``
  from the shell.
* Bare ``KEY``: the shell value (even empty), else the project ``.env`` value, else the service's
  ``environment:`` value; omitted when none has it (earlier keys of the files are NOT consulted).
* ``format: raw`` (registered by docker compose itself): exactly docker's ``--env-file`` parser,
  :mod:`envaudit.loaders.docker_env_file`, with the same lookup for bare keys. Measured identical
  on all corpus cases.

How files combine (see ``envaudit.loaders.compose_project``): later ``env_file`` entries override
earlier ones, ``environment:`` overrides every ``env_file``, shell variables never replace an
``env_file`` value (they only feed interpolation and bare keys). compose has no "override" switch,
so :func:`read` ignores ``override``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache

from envaudit.loaders import docker_env_file
from envaudit.loaders.base import Assignment, Ignored, KeyFilter, LoaderResult
from envaudit.record import Record

COMPOSE_VERSION = "2.40.3"
"""The docker compose release the facts were measured with."""
COMPOSE_GO_VERSION = "2.9.1"
"""The compose-go library inside it (its ``dotenv`` and ``template`` packages do the reading)."""

#: A lookup of variable names: ``(found, value)``.
Lookup = Callable[[str], "tuple[bool, str]"]

# Go's unicode.IsSpace (str.isspace differs: it also counts U+001C..U+001F).
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
_GO_SPACE_SET = frozenset(_GO_SPACE)
# compose-go's own isSpace: blanks that are not a line break.
_BLANK = frozenset("\t\v\f\r \x85\xa0")
_KEY_PUNCTUATION = frozenset("_.-[]")
# Go regexp \s is [\t\n\f\r ] (no \v): what must follow "export" (compose-go's "export\s+").
_EXPORT_SPACE = "\t\n\f\r "
_UTF8_BOM = b"\xef\xbb\xbf"

# compose-go template pattern. Go's (?i) folds k/K with U+212A and s/S with U+017F; Python's
# re.IGNORECASE would also fold U+0130/U+0131, so the classes are spelled out instead.
_NAME = "[_A-Za-z\u017f\u212a][_A-Za-z0-9\u017f\u212a]*"


@cache
def _template() -> re.Pattern[str]:
    """compose-go's template pattern (compiled on first use, then cached)."""
    return re.compile(
        r"\$(?:(?P<escaped>\$)|(?P<named>" + _NAME + r")|\{(?:(?P<braced>" + _NAME
        + r"(?::?[-+?](?:.*))?)\}|(?P<invalid>)))"
    )


@cache
def _braced_parts() -> re.Pattern[str]:
    """Name, operator and argument of a braced template (compiled on first use, then cached)."""
    return re.compile("(" + _NAME + r")(?:(:?[-+?])(.*))?\Z", re.DOTALL)


@cache
def _escape() -> re.Pattern[str]:
    """Escapes decoded inside double quotes; Go's ``\\d`` is ASCII only (compiled on first use,
    then cached)."""
    return re.compile(r"\\(?:[abcfnrtv$\"\\]|0[0-9]{0,3})")


_SIMPLE_ESCAPES = {
    "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
    '"': '"', "\\": "\\",
}


class ComposeError(Record):
    """Why docker compose refuses the file: the whole project fails to load (nothing starts)."""

    kind: str
    """One of ``unexpected_character``, ``key_space``, ``unterminated_quote``,
    ``invalid_template``, ``required_variable``, ``zero_length``, ``raw_rejected``."""
    line: int | None
    """1-based line where the offending statement starts (ours, always physical)."""
    compose_line: int | None
    """The line number compose prints in its message (``line N: ...``), when it prints one. For an
    unterminated quote compose counts every line break up to the end of the file."""
    detail: str = ""
    """Safe detail: the refused character as ``U+XXXX``, or the required variable's name."""

    @property
    def message(self) -> str:
        """A sentence in words; never quotes a value."""
        where = f" (compose reports line {self.compose_line})" if self.compose_line else ""
        texts = {
            "unexpected_character": f"character {self.detail} is not allowed in a variable name",
            "key_space": "a variable name contains a space",
            "unterminated_quote": "a quoted value is never closed",
            "invalid_template": "a '${' is not followed by a valid name and '}' (Invalid template)",
            "required_variable": f"required variable {self.detail} is missing a value (${{...:?}})",
            "zero_length": "'export' followed only by blanks at the end of the file",
            "raw_rejected": f"format: raw (docker --env-file rules): {self.detail}",
        }
        return "docker compose refuses the env file: " + texts.get(self.kind, self.kind) + where


class EnvFileReading(Record):
    """compose's reading of one env file, with the detail :class:`LoaderResult` does not carry."""

    assignments: list[Assignment]
    """Variables produced, in file order, duplicates kept (the last one wins)."""
    ignored: list[Ignored]
    """Bare names that nothing defines (compose omits them)."""
    error: ComposeError | None
    """Set when compose refuses the file; ``assignments`` then holds what was read before."""


class _TemplateError(Exception):
    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(kind)
        self.kind = kind
        self.detail = detail


class _Abort(Exception):
    def __init__(self, error: ComposeError) -> None:
        super().__init__(error.kind)
        self.error = error


# --------------------------------------------------------------------------- decoding


def decode(data: bytes) -> str:
    """Bytes as compose sees them: BOM dropped, each invalid UTF-8 byte as U+FFFD.

    compose-go keeps the raw bytes, refuses an invalid byte in a name (Go reads it as U+FFFD) and
    passes it through in a value, which JSON encoding (``config``, the Engine API) turns into
    U+FFFD, one per byte (Python's ``errors="replace"`` would merge some runs: not used).
    """
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    text = data.decode("utf-8", "surrogateescape")
    if any("\udc80" <= c <= "\udcff" for c in text):
        text = "".join("\ufffd" if "\udc80" <= c <= "\udcff" else c for c in text)
    return text


def _is_name_char(c: str) -> bool:
    if c in _KEY_PUNCTUATION:
        return True
    if c.isascii():  # a letter or digit is Unicode category L or N (no import needed)
        return c.isalnum()
    import unicodedata

    return unicodedata.category(c)[0] in "LN"


# --------------------------------------------------------------------------- interpolation


def interpolate(template: str, lookup: Lookup) -> str:
    """compose-go's ``template.Substitute`` (used for env files and the compose file itself).

    Raises ``ValueError`` (with a message that quotes no value) where compose aborts: an invalid
    ``${...}`` or a ``${VAR:?}``/``${VAR?}`` whose variable is missing.
    """
    try:
        return _substitute(template, lookup)
    except _TemplateError as e:
        if e.kind == "required_variable":
            raise ValueError(f"required variable {e.detail} is missing a value") from None
        raise ValueError("invalid interpolation template (a '${' without a valid name)") from None


def _substitute(template: str, lookup: Lookup) -> str:
    if "$" not in template:
        return template  # nothing to substitute (and no pattern to compile)
    out: list[str] = []
    pos = 0
    for m in _template().finditer(template):
        out.append(template[pos:m.start()])
        out.append(_replace(m.group(0), lookup))
        pos = m.end()
    out.append(template[pos:])
    return "".join(out)


def _first_brace_closing(s: str) -> int:
    """compose-go's brace matcher: counts ``{``/``}``, skipping the character after each ``{``."""
    depth = 0
    i = 0
    while i < len(s):
        if s[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        if s[i] == "{":
            depth += 1
            i += 1
        i += 1
    return -1


def _replace(matched: str, lookup: Lookup) -> str:
    # The braced alternative's ".*" is greedy: "${A:-x} ${B}" matches as one piece; compose cuts
    # it at the first balanced "}" and substitutes the rest separately.
    rest = ""
    close = _first_brace_closing(matched)
    if close > -1:
        rest = matched[close + 1:]
        matched = matched[:close + 1]
    m = _template().match(matched)
    if m is None or m.group("escaped"):
        return "$"
    if m.group("named"):
        return lookup(m.group("named"))[1]
    braced = m.group("braced")
    if not braced:
        raise _TemplateError("invalid_template")
    parts = _braced_parts().match(braced)
    if parts is None or parts.group(2) is None:
        return lookup(braced)[1]
    name, sep, arg = parts.group(1), parts.group(2), parts.group(3)
    found, value = lookup(name)
    if sep in (":-", "-"):
        default = _substitute(arg, lookup)
        if not found or (sep == ":-" and value == ""):
            value = default
    elif sep in (":+", "+"):
        alternative = _substitute(arg, lookup)
        if found and (sep == "+" or value != ""):
            value = alternative
    else:  # ":?" or "?"
        _substitute(arg, lookup)  # compose expands the message first (its errors win)
        if not found or (sep == ":?" and value == ""):
            raise _TemplateError("required_variable", name)
    return value + _substitute(rest, lookup)


def _expand_escapes(s: str) -> str:
    """Double-quote escapes, as compose-go decodes them before interpolating."""

    def one(m: re.Match[str]) -> str:
        text = m.group(0)
        if text == "\\$":
            return "$$"  # interpolation then turns "$$" into a literal "$"
        if text.startswith("\\0"):
            # compose rewrites "\\0ddd" as Go's "\\ddd" and keeps that rewritten text when Go
            # refuses it (fewer than three digits, 8 or 9, or above 0377): "\\012" -> "\\12".
            digits = text[2:]
            octal = len(digits) == 3 and all(d in "01234567" for d in digits)
            if octal and int(digits, 8) <= 0o377:
                return chr(int(digits, 8))
            return "\\" + digits
        return _SIMPLE_ESCAPES.get(text[1], text)

    if "\\" not in s:
        return s  # nothing to decode (and no pattern to compile)
    return _escape().sub(one, s)


# --------------------------------------------------------------------------- parser


class _Parser:
    """One pass over the text, tracking compose's own line counter next to the physical lines."""

    def __init__(self, text: str, lookup: Lookup, env_map: dict[str, str]) -> None:
        self.text = text
        self.lookup = lookup
        self.env_map = env_map
        self.compose_line = 1
        self.breaks = [i for i, c in enumerate(text) if c == "\n"]
        self.assignments: list[Assignment] = []
        self.ignored: list[Ignored] = []

    def physical_line(self, pos: int) -> int:
        from bisect import bisect_left  # only files with interpolation need it

        return bisect_left(self.breaks, pos) + 1

    def interpolation_lookup(self, name: str) -> tuple[bool, str]:
        found, value = self.lookup(name)
        if found:
            return True, value
        if name in self.env_map:
            return True, self.env_map[name]
        return False, ""

    def abort(self, kind: str, start: int, compose_line: int | None, detail: str = "") -> _Abort:
        return _Abort(ComposeError(kind, self.physical_line(start), compose_line, detail))

    def statement_start(self, pos: int) -> int | None:
        text, n = self.text, len(self.text)
        while True:
            while pos < n and text[pos] in _GO_SPACE_SET:
                if text[pos] == "\n":
                    self.compose_line += 1
                pos += 1
            if pos >= n:
                return None
            if text[pos] != "#":
                return pos
            pos = text.find("\n", pos)
            if pos < 0:
                return None

    def run(self) -> None:
        text, n = self.text, len(self.text)
        pos = 0
        quote_closed_at: int | None = None
        while True:
            start = self.statement_start(pos)
            if start is None:
                return
            after_quote = quote_closed_at is not None and "\n" not in text[quote_closed_at:start]
            quote_closed_at = None
            key_start = start
            if (text.startswith("export", start) and start + 6 < n
                    and text[start + 6] in _EXPORT_SPACE):
                key_start = start + len("export")
                while key_start < n and text[key_start] in _BLANK:
                    key_start += 1
            i = key_start
            end_char = ""
            while i < n:
                c = text[i]
                if c in _BLANK:
                    i += 1
                    continue
                if c in "=:\n":
                    end_char = c
                    break
                if not _is_name_char(c):
                    raise self.abort("unexpected_character", start, self.compose_line,
                                     f"U+{ord(c):04X}")
                i += 1
            if key_start >= n:
                raise self.abort("zero_length", start, None)
            if end_char:
                raw_key, value_pos = text[key_start:i], i + 1
            else:  # no '=', ':' or line break before the end: compose reads a value for key ""
                raw_key, value_pos = "", key_start
            inherited = end_char == "\n"
            if inherited and " " not in raw_key:
                self.compose_line += 1
            key = raw_key.rstrip(_GO_SPACE)
            while value_pos < n and text[value_pos] in _BLANK:
                value_pos += 1
            if " " in key:
                raise self.abort("key_space", start, self.compose_line)
            if inherited:
                found, value = self.lookup(key)
                if found:
                    self.assignments.append(Assignment(key, value, self.physical_line(start)))
                elif after_quote:
                    self.ignored.append(Ignored(
                        self.physical_line(start),
                        "text after a closing quote is read as a new statement: a bare name "
                        "that nothing defines, so compose drops it",
                    ))
                else:
                    self.ignored.append(Ignored(
                        self.physical_line(start),
                        "bare name not set in the shell, the project .env or environment: "
                        "(compose omits it)",
                    ))
                pos = value_pos
                continue
            if value_pos < n and text[value_pos] in "'\"":
                value, pos = self.quoted(start, value_pos)
                quote_closed_at = pos
            else:
                value, pos = self.unquoted(start, value_pos)
            self.env_map[key] = value
            self.assignments.append(Assignment(key, value, self.physical_line(start)))

    def unquoted(self, start: int, pos: int) -> tuple[str, int]:
        text = self.text
        end = text.find("\n", pos)
        raw, after = (text[pos:], len(text)) if end < 0 else (text[pos:end], end + 1)
        self.compose_line += 1
        raw = raw.split(" #", 1)[0].rstrip(_GO_SPACE)
        return self.expand(raw, start), after

    def quoted(self, start: int, pos: int) -> tuple[str, int]:
        text, n = self.text, len(self.text)
        quote = text[pos]
        chars: list[str] = []
        escaped = False
        i = pos + 1
        while i < n:
            c = text[i]
            if c == "\n":
                self.compose_line += 1
            if c != quote:
                if not escaped and c == "\\":
                    escaped = True
                elif escaped:
                    escaped = False
                    chars.append("\\" + c)
                else:
                    chars.append(c)
                i += 1
                continue
            if escaped:  # \" inside "...", \' inside '...'
                escaped = False
                chars.append(c)
                i += 1
                continue
            value = "".join(chars)
            if quote == '"':
                value = self.expand(_expand_escapes(value), start)
            return value, i + 1
        raise self.abort("unterminated_quote", start, self.compose_line)

    def expand(self, value: str, start: int) -> str:
        try:
            return _substitute(value, self.interpolation_lookup)
        except _TemplateError as e:
            raise self.abort(e.kind, start, None, e.detail) from None


# --------------------------------------------------------------------------- entry points


def make_lookup(
    environ: Mapping[str, str],
    project_env: Mapping[str, str] | None = None,
    service_environment: Mapping[str, str | None] | None = None,
) -> Lookup:
    """compose's lookup for env files: shell, then project ``.env``, then ``environment:``."""

    def lookup(name: str) -> tuple[bool, str]:
        if name in environ:
            return True, environ[name]
        if project_env is not None and name in project_env:
            return True, project_env[name]
        if service_environment is not None:
            value = service_environment.get(name)
            if value is not None:
                return True, value
        return False, ""

    return lookup


def parse_env_file(
    data: bytes,
    environ: Mapping[str, str],
    *,
    project_env: Mapping[str, str] | None = None,
    service_environment: Mapping[str, str | None] | None = None,
    earlier: Mapping[str, str] | None = None,
    raw: bool = False,
) -> EnvFileReading:
    """Read one ``env_file`` entry's bytes as compose does.

    ``environ`` is the shell environment of ``docker compose``; ``project_env`` the project
    ``.env`` values (see ``compose_project.read_project_dotenv``); ``service_environment`` the
    service's ``environment:`` after bare names were resolved (``None`` = unresolved); ``earlier``
    the values already read from earlier ``env_file`` entries of the same service (they feed
    interpolation, after every other source). ``raw=True`` is ``format: raw``.
    """
    lookup = make_lookup(environ, project_env, service_environment)
    if raw:
        return _parse_raw(data, lookup, environ, project_env, service_environment)
    env_map: dict[str, str] = {
        k: v for k, v in (service_environment or {}).items() if v is not None
    }
    env_map.update(earlier or {})
    parser = _Parser(decode(data), lookup, env_map)
    try:
        parser.run()
    except _Abort as abort:
        return EnvFileReading(parser.assignments, parser.ignored, abort.error)
    return EnvFileReading(parser.assignments, parser.ignored, None)


def _parse_raw(
    data: bytes,
    lookup: Lookup,
    environ: Mapping[str, str],
    project_env: Mapping[str, str] | None,
    service_environment: Mapping[str, str | None] | None,
) -> EnvFileReading:
    host: dict[str, str] = {k: v for k, v in (service_environment or {}).items() if v is not None}
    host.update(project_env or {})
    host.update(environ)
    entries, rejected = docker_env_file.parse(data, host)
    if rejected is not None:
        return EnvFileReading([], [], ComposeError("raw_rejected", rejected.line, None,
                                                   rejected.reason))
    assignments = [Assignment(e.key, e.value, e.line) for e in entries]
    return EnvFileReading(assignments, [], None)


def read(
    data: bytes,
    environ: Mapping[str, str],
    *,
    override: bool = False,
    keep: KeyFilter | None = None,
    project_env: Mapping[str, str] | None = None,
    raw: bool = False,
    service_environment: Mapping[str, str | None] | None = None,
    earlier: Mapping[str, str] | None = None,
) -> LoaderResult:
    """compose's reading of one env file as a :class:`LoaderResult` (see :func:`parse_env_file`).

    ``override`` has no meaning for compose (shell variables never replace env_file values) and
    is accepted for the common loader interface only. When compose refuses the file, the result
    carries no assignments (the project does not load) and ``rejected``/``rejected_line`` say why.
    """
    del override
    reading = parse_env_file(data, environ, project_env=project_env,
                             service_environment=service_environment, earlier=earlier, raw=raw)
    if reading.error is not None:
        return LoaderResult([], reading.ignored, reading.error.message, reading.error.line)
    assignments = reading.assignments
    if keep is not None:
        kept = keep({a.key for a in assignments})
        assignments = [a for a in assignments if a.key in kept]
    return LoaderResult(assignments, reading.ignored)


def final_values(reading: EnvFileReading | LoaderResult) -> dict[str, str]:
    """Last assignment of each key wins (compose fills a map)."""
    values: dict[str, str] = {}
    for a in reading.assignments:
        values[a.key] = a.value if a.value is not None else ""
    return values
