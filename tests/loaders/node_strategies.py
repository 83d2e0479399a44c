"""Hypothesis strategies for the Node loader differential tests: plausible-but-hostile ``.env``
files (as bytes) and environments.

Files mix ``KEY=value`` lines (``export``, ``KEY: v``, white space around ``=``, odd keys) whose
values are built from tokens that stress the parsers: the three quote characters (closed,
unclosed, escaped), backslash escapes, ``#``, references in every form dotenv-expand knows
(``$VAR``, ``${VAR:-d}``, ``\\$``, ``$$``, replacement patterns such as ``$&``), CRLF/CR line
ends, NBSP, U+2028, a BOM, non-ASCII text and invalid UTF-8 bytes; sometimes the whole file is
UTF-16LE with a BOM. ``$(`` never appears in a generated file (it would be run by the real
loaders): every ``$(`` is broken up as ``$ (``.
"""

from __future__ import annotations

from hypothesis import strategies as st

#: The harness environment of the measured corpus.
HARNESS_ENV = {"SHELL_VAR": "from_shell", "EMPTY_SHELL_VAR": ""}

KEYS = ("A", "B", "KEY", "SHELL_VAR", "EMPTY_SHELL_VAR", "x.y", "a-b", "_1", "1", "0", "K2",
        "export", "UNSET")
ODD_KEYS = ("CLÉ", "\u200bK", "'Q'", "K K", "", "A$")
PREFIXES = ("", "", "", "export ", "  ", "\t", "export\t", "\ufeff")
SEPARATORS = ("=", "=", "=", " = ", "\t=\t", ": ", ":", " =", "= ", ":\t", "=\n")
TOKENS = (
    "abc", "x y", "Z9", " ", "  ", "\t", "#", " #c", "#c", "'", '"', "`", "\\", "\\n", "\\r",
    "\\t", "\\'", '\\"', "\\`", "\\\\", "$", "$A", "${A}", "$B", "${SHELL_VAR}", "$SHELL_VAR",
    "${EMPTY_SHELL_VAR:-d}", "${A-d}", "${B:+alt}", "${A+x}", "${X:?err}", "${UNSET:-${A}}",
    "${KEY}", "$KEY", "\\$", "\\${A}", "$$", "{", "}", "(", ")", "é", "\u2615", "\u00a0",
    "\u2028", "\ufeff", "=", ":", "encrypted:abc", "&", "$&", "$'", "$`", "\n", "\r\n", "\r",
    "null", "${Anull}", "$1", "${x.y}",
)
QUOTES = ("'", '"', "`")
TRAILERS = ("", "", "", " # comment", "\t#x", "#x", " x", "  ")
OTHER_LINES = ("", "", "# comment", "   ", "bare", "export K", "=v", "junk line here", "#", " # x")
LINE_ENDS = ("\n", "\n", "\n", "\r\n", "\r")
RAW_BYTES = (b"\xff", b"\xe9", b"\xc3", b"\xed\xa0\x80", b"\xf0\x9f", b"\x00")
ENV_VALUES = ("", "pre", "pre$A", "a\\$b", "${B}", "x y", "$&")


@st.composite
def values(draw: st.DrawFn) -> str:
    """A value: tokens, sometimes wrapped in a quote (closed or not)."""
    body = "".join(draw(st.lists(st.sampled_from(TOKENS), max_size=6)))
    style = draw(st.integers(0, 5))
    if style <= 2:
        return body
    quote = draw(st.sampled_from(QUOTES))
    if style == 5:
        return quote + body  # unterminated
    return " " * (style - 3) + quote + body + quote


@st.composite
def lines(draw: st.DrawFn) -> str:
    """One statement line (or a blank, comment or junk line), with its line end."""
    if draw(st.integers(0, 6)) == 0:
        text = draw(st.sampled_from(OTHER_LINES))
    else:
        key = draw(st.sampled_from(KEYS if draw(st.integers(0, 9)) else ODD_KEYS))
        text = (draw(st.sampled_from(PREFIXES)) + key + draw(st.sampled_from(SEPARATORS))
                + draw(values()) + draw(st.sampled_from(TRAILERS)))
    return text + draw(st.sampled_from(LINE_ENDS))


@st.composite
def env_files(draw: st.DrawFn) -> bytes:
    """A whole ``.env`` file as bytes (never containing ``$(``)."""
    text = "".join(draw(st.lists(lines(), min_size=1, max_size=7))).replace("$(", "$ (")
    if draw(st.integers(0, 14)) == 0:
        data = b"\xff\xfe" + text.encode("utf-16-le", "surrogatepass")
    else:
        data = text.encode("utf-8")
        if draw(st.integers(0, 5)) == 0:
            data = b"\xef\xbb\xbf" + data
        for _ in range(draw(st.integers(0, 2)) if draw(st.booleans()) else 0):
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.sampled_from(RAW_BYTES)) + data[at:]
    return data.replace(b"$(", b"$ (")


@st.composite
def environs(draw: st.DrawFn) -> dict[str, str]:
    """The harness environment, sometimes with some of the generated keys preset."""
    env = dict(HARNESS_ENV)
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=3, unique=True)):
        env[key] = draw(st.sampled_from(ENV_VALUES))
    return env


#: A batch of (file, environment) inputs for one node process.
batches = st.lists(st.tuples(env_files(), environs()), min_size=5, max_size=40)
