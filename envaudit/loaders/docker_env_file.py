"""docker's ``--env-file`` reading (docker/cli ``pkg/kvfile``), reproduced from measured behaviour.

Facts (research/dotenv-semantics.md, confirmed with the real docker 28.2.2 CLI): the whole file
must be valid UTF-8; a UTF-8 BOM is dropped; lines split on ``\\n`` only, a trailing ``\\r`` is
dropped, a line of 64 KiB or more fails the whole command; leading white space is trimmed; empty
lines and ``#`` lines are skipped; the key is everything before the first ``=`` and must be
non-empty without space or tab, else the whole command fails; the value is verbatim; a bare
``KEY`` takes the docker CLI's own environment value, or is omitted when unset.
"""

from __future__ import annotations

from collections.abc import Mapping

from envaudit.record import Record

#: bufio.Scanner's MaxScanTokenSize: a line this long (without its newline) fails the command.
MAX_LINE_BYTES = 64 * 1024
# Go's unicode.IsSpace (Latin-1 part and the Unicode White_Space set); str.isspace differs
# (it also counts U+001C..U+001F), so the set is spelled out.
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)


class Entry(Record):
    """One variable docker sends, with the line it came from."""

    key: str
    """Variable name, verbatim."""
    value: str
    """Value, verbatim (quotes, spaces and ``#`` included)."""
    line: int
    """1-based line."""
    from_host: bool = False
    """True for a bare ``KEY`` line whose value came from the CLI's environment."""


class Rejected(Record):
    """docker refuses the whole file: ``docker run`` exits before the container starts."""

    reason: str
    """What docker objects to (never quotes the value)."""
    line: int | None
    """1-based line, when known."""


def parse(data: bytes, host_environ: Mapping[str, str]) -> tuple[list[Entry], Rejected | None]:
    """Read raw file bytes as ``docker run --env-file`` does.

    Returns the entries in file order (duplicates kept: runc keeps the last one) and, when docker
    rejects the file, the reason (the entries are then empty: nothing reaches the container).
    """
    entries: list[Entry] = []
    raw_lines = data.split(b"\n")
    if raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()
    for index, raw in enumerate(raw_lines, start=1):
        if len(raw) >= MAX_LINE_BYTES:
            return [], Rejected("a line is 64 KiB or longer (bufio.Scanner: token too long)", index)
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return [], Rejected("the file is not valid UTF-8 (invalid utf8 bytes)", index)
        if index == 1 and text.startswith("\ufeff"):
            text = text[1:]
        line = text.lstrip(_GO_SPACE)
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            if " " in line or "\t" in line:
                return [], Rejected("a line without '=' contains white space", index)
            if line in host_environ:
                entries.append(Entry(line, host_environ[line], index, from_host=True))
            continue
        if not key:
            return [], Rejected("a line has no variable name before '='", index)
        if " " in key or "\t" in key:
            return [], Rejected("a variable name contains white space", index)
        entries.append(Entry(key, value, index))
    return entries, None
