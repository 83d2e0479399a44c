"""``envaudit.loaders.python_dotenv`` against python-dotenv: the measured corpus, the real loader.

* every corpus case: our ``values(decode(bytes))`` equals the measured ``dotenv_values`` result and
  our dropped statements match the warnings python-dotenv logged;
* the same cases through the installed python-dotenv ``dotenv_values(path)`` (real, not mocked);
* a hypothesis property: for generated ``.env`` files written as bytes, our model equals the real
  ``dotenv_values(path)`` (values, key order, number of logged warnings);
* explicit regression inputs for divergences the property test found.

The real loader is the oracle only from python-dotenv 1.2.4 on (1.2.4 changed the quoted-value
grammar, ``KEY= #comment`` and BOM handling); with an older install those tests are skipped.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import dotenv
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from envaudit.loaders import python_dotenv

from . import corpus

HARNESS = corpus.harness_env()


def _version_tuple(version: str) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in version.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


DOTENV_VERSION = importlib.metadata.version("python-dotenv")
ORACLE = _version_tuple(DOTENV_VERSION) >= (1, 2, 4)
needs_oracle = pytest.mark.skipif(
    not ORACLE,
    reason=f"python-dotenv {DOTENV_VERSION} < 1.2.4 parses differently (quoted values, "
    "'KEY= #c', BOM); install python-dotenv==1.2.4 to use the real loader as the oracle",
)


class _Capture(logging.Handler):
    """Collects the records the ``dotenv.main`` logger emits."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def _dotenv_warnings() -> Iterator[_Capture]:
    """Capture python-dotenv's ``could not parse statement`` warnings."""
    logger = logging.getLogger("dotenv.main")
    handler = _Capture()
    old_level, old_disabled = logger.level, logger.disabled
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.disabled = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.disabled = old_disabled


def _parse_warnings(handler: _Capture) -> list[logging.LogRecord]:
    return [
        r
        for r in handler.records
        if r.levelno == logging.WARNING and "could not parse statement" in r.getMessage()
    ]


def _real_values(path: Path) -> tuple[dict[str, str | None], list[int]]:
    """``dotenv_values(path)`` with ``os.environ`` exactly the harness environment.

    Returns the dict and the line number of every logged parse warning.
    """
    with mock.patch.dict(os.environ, HARNESS, clear=True), _dotenv_warnings() as handler:
        result = dotenv.dotenv_values(path)
    lines = [int(str(r.args[0])) for r in _parse_warnings(handler)]  # type: ignore[index]
    return dict(result), lines


def _ours(data: bytes) -> tuple[dict[str, str | None], list[python_dotenv.Unparsable]]:
    text = python_dotenv.decode(data)
    _, dropped = python_dotenv.parse(text)
    return python_dotenv.values(text, HARNESS), dropped


# --------------------------------------------------------------------------- corpus (truth)


@pytest.mark.parametrize("name", corpus.case_names())
def test_corpus_case_matches_truth(name: str) -> None:
    data = corpus.case_bytes(name)
    expected = corpus.case(name)["python_dotenv"]
    if "error" in expected:
        assert expected["error"].startswith("UnicodeDecodeError")
        with pytest.raises(UnicodeDecodeError):
            python_dotenv.decode(data)
        return
    ours, dropped = _ours(data)
    assert corpus.same_mapping(ours, expected["values"]), (ours, expected["values"])
    assert len(dropped) == expected["warnings"]


def test_corpus_is_complete() -> None:
    names = corpus.case_names()
    files = sorted(p.stem for p in corpus.CASES_DIR.glob("*.env"))
    assert names == files
    assert len(names) >= 50


def test_interpolate_matches_values() -> None:
    text = "A=1\nB\nC=${A}-${B}-${SHELL_VAR}-${ABSENT:-d}\nA=2\nD=${A}\n"
    bindings, dropped = python_dotenv.parse(text)
    assert dropped == []
    assert [b.key for b in bindings] == ["A", "B", "C", "A", "D"]
    assert [b.line for b in bindings] == [1, 2, 3, 4, 5]
    assert python_dotenv.interpolate(bindings, HARNESS) == ["1", None, "1--from_shell-d", "2", "2"]
    assert python_dotenv.values(text, HARNESS) == {
        "A": "2",
        "B": None,
        "C": "1--from_shell-d",
        "D": "2",
    }


def test_decode_newlines_and_bom() -> None:
    assert python_dotenv.decode(b"\xef\xbb\xbfA=1\r\nB=2\rC=3\n") == "A=1\nB=2\nC=3\n"
    # only the first BOM is python-dotenv's to strip
    assert python_dotenv.decode(b"\xef\xbb\xbf\xef\xbb\xbfA=1") == "\ufeffA=1"
    with pytest.raises(UnicodeDecodeError):
        python_dotenv.decode(b"A=1\nB=caf\xe9\n")


# --------------------------------------------------------------------------- the real loader


@needs_oracle
@pytest.mark.parametrize("name", corpus.case_names())
def test_corpus_case_with_real_python_dotenv(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The installed python-dotenv reproduces the measured truth, and our model equals it."""
    path = corpus.case_path(name)
    data = corpus.case_bytes(name)
    expected = corpus.case(name)["python_dotenv"]
    for key in list(os.environ):
        monkeypatch.delenv(key)
    for key, value in HARNESS.items():
        monkeypatch.setenv(key, value)
    with _dotenv_warnings() as handler:
        if "error" in expected:
            with pytest.raises(UnicodeDecodeError):
                dotenv.dotenv_values(path)
            return
        real = dict(dotenv.dotenv_values(path))
    assert corpus.same_mapping(real, expected["values"])
    assert len(_parse_warnings(handler)) == expected["warnings"]
    ours, dropped = _ours(data)
    assert ours == real
    assert list(ours) == list(real)
    assert len(dropped) == expected["warnings"]


# Inputs on which our model once disagreed with python-dotenv 1.2.4; the expected dicts were
# produced by the real loader.
REGRESSIONS: list[tuple[str, dict[str, str | None], int]] = [
    # `=` + white space + `#`: empty value and a comment (fast path and slow path)
    ("ANTHROPIC_API_KEY= # fill me in\n", {"ANTHROPIC_API_KEY": ""}, 0),
    ("A=\t#c\nB=1\n", {"A": "", "B": "1"}, 0),
    ("export A= #c\n", {"A": ""}, 0),
    ("A.B= #c\n", {"A.B": ""}, 0),
    ("A=#c\n", {"A": "#c"}, 0),
    ('A= #c "x\n', {"A": ""}, 0),
    # an escaped backslash before the closing quote does not escape the quote
    ("A='a\\\\'\nB=2\n", {"A": "a\\", "B": "2"}, 0),
    ('A="a\\\\"\nB=2\n', {"A": "a\\", "B": "2"}, 0),
    # a backslash escapes any character, newlines included (DOTALL)
    ("A='x\\\ny'\n", {"A": "x\\\ny"}, 0),
    ('A="\\q\\$"\n', {"A": "\\q\\$"}, 0),
    # `\"` escapes the quote, so the value closes at `B="` and `b"` makes the statement invalid
    ('A="a\\"\nB="b"\n', {}, 1),
]


@pytest.mark.parametrize(("text", "expected", "warnings"), REGRESSIONS)
def test_regression_inputs(text: str, expected: dict[str, str | None], warnings: int) -> None:
    ours, dropped = _ours(text.encode("utf-8"))
    assert ours == expected
    assert len(dropped) == warnings


@needs_oracle
@pytest.mark.parametrize(("text", "expected", "warnings"), REGRESSIONS)
def test_regression_inputs_real(
    text: str, expected: dict[str, str | None], warnings: int, tmp_path: Path
) -> None:
    path = tmp_path / ".env"
    path.write_bytes(text.encode("utf-8"))
    real, lines = _real_values(path)
    assert real == expected
    assert len(lines) == warnings


# --------------------------------------------------------------------------- property test

# fmt: off
KEYS = [
    "A", "B", "KEY", "SHELL_VAR", "EMPTY_SHELL_VAR", "ABSENT", "export", "exportA", "a.b",
    "a-b", "clé", "\u200bK", "K'x", 'k"', "_1", "$K", "K}", "1", "K`", "ключ", "A:", "K\\",
]
QUOTED_KEYS = ["'A'", "'B C'", "''", "'x", "'a\nb'", "'K=V'", "'#'"]
REFERENCES = [
    "${A}", "${B}", "${KEY}", "${SHELL_VAR}", "${EMPTY_SHELL_VAR}", "${ABSENT}", "${A:-d}",
    "${ABSENT:-dflt}", "${EMPTY_SHELL_VAR:-f}", "${SHELL_VAR:-x}", "${}", "${A:-}", "${:-z}",
    "$A", "${A", "$${A}", "\\${A}", "${A:+x}", "${A-x}", "${a.b}", "${ABSENT:-${A}}", "$",
]
ESCAPES = [
    "\\\\", "\\'", '\\"', "\\n", "\\t", "\\a", "\\b", "\\f", "\\r", "\\v", "\\x", "\\u00e9",
    "\\", "\\$", "\\#", "\\\n",
]
SPACES = [
    " ", "\t", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0", "\u2028",
    "\u2029", "\u3000", "\u1680", "\u200b", "\ufeff",
]
PUNCT = ["#", " #", " # c", "\t#x", "'", '"', "`", "=", ":", ";", "}", "{", "export "]
NEWLINES = ["\n", "\r\n", "\r"]
# fmt: on
BOM = "\ufeff"

_word = st.text(alphabet="abcXYZ019-_./@é日", min_size=1, max_size=5)
_piece = st.one_of(
    st.sampled_from(REFERENCES + ESCAPES + SPACES + PUNCT + NEWLINES),
    _word,
    st.characters(exclude_categories=["Cs"]),
)
_raw = st.lists(_piece, max_size=6).map("".join)
_ws = st.lists(st.sampled_from(SPACES[:-2]), max_size=2).map("".join)  # no ZWSP / BOM
_soup = st.lists(
    st.sampled_from(
        KEYS
        + QUOTED_KEYS
        + REFERENCES
        + ESCAPES
        + SPACES
        + PUNCT
        + NEWLINES
        + ["=", "A", "export", "'", '"', "\\", "#", " ", "\n"] * 3
    ),
    max_size=30,
).map("".join)
_key = st.one_of(st.sampled_from(KEYS), st.sampled_from(QUOTED_KEYS), _word)
_export = st.sampled_from(["", "", "", "export ", "export\t", "export  ", "export\xa0", "export"])
_trailing = st.sampled_from(
    ["", "", " ", "\t", " # comment", "#c", " garbage", "x", "  \t# c 'q'", "\xa0", " \\"]
)


@st.composite
def _value(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["unquoted", "single", "double", "backtick", "empty"]))
    if kind == "empty":
        return ""
    inner = draw(_raw)
    if kind == "unquoted":
        return inner
    quote = {"single": "'", "double": '"', "backtick": "`"}[kind]
    # backslashes right before the closing quote are where the grammars differ most
    inner += draw(st.sampled_from(["", "", "\\\\", "\\", "\\'", '\\"', "\\\n"]))
    closing = draw(st.sampled_from([quote, quote, quote, "", "'", '"']))
    return quote + inner + closing


@st.composite
def _statement(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["assign"] * 6 + ["bare", "comment", "blank", "soup"]))
    indent = draw(_ws)
    if kind == "assign":
        return (
            indent
            + draw(_export)
            + draw(_key)
            + draw(_ws)
            + "="
            + draw(_ws)
            + draw(_value())
            + draw(_trailing)
        )
    if kind == "bare":
        return indent + draw(_export) + draw(_key) + draw(_trailing)
    if kind == "comment":
        return indent + "#" + draw(_raw)
    if kind == "blank":
        return indent
    return draw(_raw)


@st.composite
def dotenv_files(draw: st.DrawFn) -> bytes:
    """Bytes of a plausible-but-hostile ``.env`` file."""
    text = ""
    if draw(st.integers(0, 4)) == 0:  # token soup, no statement structure at all
        text = draw(_soup)
    else:
        for statement in draw(st.lists(_statement(), min_size=1, max_size=8)):
            text += statement + draw(st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"]))
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    if draw(st.integers(0, 9)) == 0:
        text = BOM + text
    data = text.encode("utf-8")
    if draw(st.integers(0, 24)) == 0:  # now and then an invalid byte: both must fail
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\xe9" + data[at:]
    return data


@pytest.fixture(scope="module")
def scratch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the property test writes its ``.env`` files (module scope: hypothesis-safe)."""
    return tmp_path_factory.mktemp("dotenv-property")


@needs_oracle
@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=dotenv_files())
@example(data=b"ANTHROPIC_API_KEY= # fill me in\n")
@example(data=b"A='a\\\\'\nB=2\n")
@example(data=b"\xef\xbb\xbfA=1\r\nB='x\r\ny'\rC=${A}${B}\n")
@example(data="A=\x85#x\nB=1\x1c#c\nC='\u2028'\x0b#\n".encode())
def test_matches_real_python_dotenv(scratch_dir: Path, data: bytes) -> None:
    path = scratch_dir / "case.env"
    path.write_bytes(data)
    try:
        ours, dropped = _ours(data)
    except UnicodeDecodeError:
        with pytest.raises(UnicodeDecodeError):
            _real_values(path)
        return
    real, warning_lines = _real_values(path)
    assert ours == real
    assert list(ours) == list(real)
    assert len(dropped) == len(warning_lines)
    # python-dotenv counts from the end of the previous statement, we from the statement's
    # first character (documented difference): ours is never earlier.
    assert all(o.line >= r for o, r in zip(dropped, warning_lines))


# --------------------------------------------------------------------------- read(keep=...)


def _filtered(text: str, environ: dict[str, str], wanted: set[str]) -> list[python_dotenv.Binding]:
    bindings = python_dotenv.read(text, environ).bindings
    return [b for b in bindings if b.key in wanted]


@settings(max_examples=400, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=dotenv_files(), pick=st.sets(st.sampled_from(KEYS)),
       environ=st.dictionaries(st.sampled_from(KEYS), st.sampled_from(["", "v", "${A}"])))
@example(data=b"A=1\nB=${A}\n", pick={"B"}, environ={})
@example(data=b"A=1\n\x0bB = 2 # c\nexport C='x'\n", pick={"A", "B", "C"}, environ={})
@example(data=b"export =1\nexport=2\nexport ='3'\n", pick={"export"}, environ={})
def test_read_with_a_key_filter_keeps_exactly_those_bindings(
    data: bytes, pick: set[str], environ: dict[str, str]
) -> None:
    """The key-filter route (which skips most statements) yields exactly the filtered bindings
    of a full reading, with the same values, lines and dropped statements."""
    try:
        text = python_dotenv.decode(data)
    except UnicodeDecodeError:
        return
    wanted = pick | {"export"}
    bindings, dropped, names, _, raw = python_dotenv.read(text, environ, wanted.__and__,
                                                          pick.__or__)
    assert bindings == _filtered(text, environ, wanted)
    full = python_dotenv.read(text, environ, also=pick.__or__)
    assert dropped == full.dropped and names == full.names
    # ``also``'s statements, as written, are the same by either route (every one here)
    assert list(raw) == list(full.raw) == python_dotenv.parse(text)[0]


def test_the_key_filter_skips_the_full_parse_of_a_simple_file() -> None:
    text = "# c\nA=1\n  export B = 'two' # c\n\nC=${A}\n"
    assert python_dotenv._key_filter(text, {"A", "B"}.__and__)[:4] == (
        [python_dotenv.Binding("A", "1", 2), python_dotenv.Binding("B", "two", 3)], [],
        frozenset({"A", "B", "C"}), True)
    # a raw statement with ${...} does not need the full parse: it is not interpolated
    found = python_dotenv._key_filter(text, {"A"}.__and__, {"C"}.__and__)
    assert found is not None and found.bindings == [python_dotenv.Binding("A", "1", 2)]
    assert list(found.raw) == [python_dotenv.Binding("C", "${A}", 5)]
    # a kept value to interpolate, or a line only the slow path reads: the full parse
    assert python_dotenv._key_filter(text, {"C"}.__and__) is None
    assert python_dotenv._key_filter(text + 'D="a\\nb"\n', {"A"}.__and__) is None
