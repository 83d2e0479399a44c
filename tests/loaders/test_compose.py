"""``envaudit.loaders.compose`` against docker compose v2.40.3's ``env_file`` reading.

* every corpus case (``truth-compose.json``): values, ``with_preset``, ``format: raw`` and the
  errors (kind and the line compose reports) reproduced;
* focused cases with hand-written expectations (each checked once against the real binary);
* hypothesis properties of our own parser (no binary needed);
* when the real docker compose is installed (``docker compose`` or ``docker-compose``): corpus
  cases and hypothesis-generated files through ``config --format json``; skipped otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from envaudit.loaders import compose, docker_env_file
from envaudit.loaders.base import LoaderResult

from . import compose_real, compose_truth, corpus

HARNESS = {"SHELL_VAR": "from_shell", "EMPTY_SHELL_VAR": ""}
_ERROR_KINDS = {
    "key cannot contain a space": "key_space",
    "unexpected character": "unexpected_character",
    "unterminated quoted value": "unterminated_quote",
    "Invalid template": "invalid_template",
    "is missing a value": "required_variable",
    "zero length string": "zero_length",
}


def _kind_of(message: str) -> str:
    for needle, kind in _ERROR_KINDS.items():
        if needle in message:
            return kind
    return "raw_rejected" if message.startswith("failed to parse env_file") else "?"


def _probes(name: str) -> list[tuple[str, dict[str, Any], dict[str, str], bool]]:
    entry = compose_truth.case(name)
    return [
        ("values", entry, compose_truth.harness_env(name, preset=False), False),
        ("with_preset", entry["with_preset"], compose_truth.harness_env(name, preset=True), False),
        ("format_raw", entry["format_raw"], compose_truth.harness_env(name, preset=False), True),
    ]


def _check_against(expected: Mapping[str, Any], reading: compose.EnvFileReading) -> None:
    if "error" in expected:
        message = expected["error"]
        assert reading.error is not None, message
        assert reading.error.kind == _kind_of(message), (reading.error, message)
        assert reading.error.compose_line == compose_truth.reported_line(message)
        return
    assert reading.error is None, reading.error
    values = compose.final_values(reading)
    assert compose_truth.same_values(values, expected["values"]), values


# --------------------------------------------------------------------------- corpus (truth)


def test_truth_covers_every_corpus_case() -> None:
    assert compose_truth.case_names() == corpus.case_names()
    for name in compose_truth.case_names():
        assert compose_truth.case(name)["sha256"] == corpus.case(name)["sha256"]


@pytest.mark.parametrize("name", compose_truth.case_names())
def test_corpus_case_matches_truth(name: str) -> None:
    data = corpus.case_bytes(name)
    for label, expected, environ, raw in _probes(name):
        reading = compose.parse_env_file(data, environ, raw=raw)
        try:
            _check_against(expected, reading)
        except AssertionError as e:
            raise AssertionError(f"{name} [{label}]: {e}") from None


@pytest.mark.parametrize("name", compose_truth.case_names())
def test_corpus_read_interface(name: str) -> None:
    """``read`` says the same as ``parse_env_file``, as a LoaderResult."""
    data = corpus.case_bytes(name)
    expected = compose_truth.case(name)
    result = compose.read(data, compose_truth.harness_env(name, preset=False))
    assert isinstance(result, LoaderResult)
    if "error" in expected:
        assert result.rejected is not None and result.assignments == []
        assert result.rejected.startswith("docker compose refuses")
        assert result.rejected_line == 1
        # never quotes the value compose's own message quotes
        assert "sk-ant" not in result.rejected
    else:
        assert result.rejected is None
        assert compose_truth.same_values(compose.final_values(result), expected["values"])


def test_corpus_lines_and_ignored_statements() -> None:
    result = compose.read(corpus.case_bytes("quote_double_then_extra"), HARNESS)
    assert [(a.key, a.value, a.line) for a in result.assignments] == [
        ("ANTHROPIC_API_KEY", "sk-ant-test", 1), ("NEXT", "ok", 2)]
    assert [i.line for i in result.ignored] == [1]
    assert "after a closing quote" in result.ignored[0].reason
    bare = compose.read(corpus.case_bytes("key_only_no_equals"), HARNESS)
    assert [(a.key, a.value, a.line) for a in bare.assignments] == [
        ("SHELL_VAR", "from_shell", 2), ("OTHER", "1", 3)]
    assert [i.line for i in bare.ignored] == [1]


# --------------------------------------------------------------------------- focused cases

# (file bytes, expected final values or an error kind), each checked against compose v2.40.3.
FOCUSED: list[tuple[bytes, Any]] = [
    (b"A=1\nB", {"A": "1", "": "B"}),  # no separator before EOF: a value for the empty name
    (b"export \n", {}),
    (b"export ", "zero_length"),
    (b"export\nA=1\n", {"A": "1"}),
    (b"A\tB=1\n", {"A\tB": "1"}),
    (b"A\rB=1\n", {"A\rB": "1"}),
    (b'K="\\0123\\012x\\0777\\c\\u0041\\0\\08\\0400"\n',
     {"K": "S\\12x\\777\\c\\u0041\\\\8\\400"}),
    (b"K=${A:-x} ${SHELL_VAR}-${B:-y}}\n", {"K": "x from_shell-y}"}),
    (b"K=${A:-{}}\n", {"K": "{}"}),
    (b"K=${A:-${SHELL_VAR:+z}}\n", {"K": "z"}),
    (b"K=${}\n", "invalid_template"),
    (b"K=${A:?boom}\n", "required_variable"),
    (b"K=${EMPTY_SHELL_VAR?}\n", {"K": ""}),
    (b"K=${EMPTY_SHELL_VAR:?}\n", "required_variable"),
    (b"K=${EMPTY_SHELL_VAR-d}${EMPTY_SHELL_VAR+p}${NOPE+q}\n", {"K": "p"}),
    (b"K=$\xe2\x84\xaaX\n", {"K": ""}),  # Go's case folding: U+212A is a name character
    (b'K="a\\$SHELL_VAR"\n', {"K": "a$SHELL_VAR"}),
    (b'K="$$SHELL_VAR"\n', {"K": "$SHELL_VAR"}),
    (b"K='$SHELL_VAR'\n", {"K": "$SHELL_VAR"}),
    (b"=v\n", {"": "v"}),
    (b'K="v"#c\nL=1\n', {"K": "v", "L": "1"}),
    (b"K:v\n", {"K": "v"}),
    (b"K=a # b\n", {"K": "a"}),
    (b"K=a\xc2\xa0\n", {"K": "a"}),
    (b"SHELL_VAR=from_file\nX=${SHELL_VAR}\n", {"SHELL_VAR": "from_file", "X": "from_shell"}),
    (b"A=1\nB=${A}\nA=2\nC=$A\n", {"A": "2", "B": "1", "C": "2"}),
    (b"K=${A\n}\n", "invalid_template"),
    (b"K=\xff\n", {"K": "\ufffd"}),
    (b"\xef\xbb\xbfK=v\n", {"K": "v"}),
    (b"K\xff=v\n", "unexpected_character"),
]


@pytest.mark.parametrize(("data", "expected"), FOCUSED, ids=[repr(d)[:40] for d, _ in FOCUSED])
def test_focused(data: bytes, expected: Any) -> None:
    reading = compose.parse_env_file(data, HARNESS)
    if isinstance(expected, str):
        assert reading.error is not None and reading.error.kind == expected
    else:
        assert reading.error is None, reading.error
        assert compose.final_values(reading) == expected


def test_compose_line_counter_drifts_after_bare_key_with_trailing_space() -> None:
    """compose does not count the line break of ``KEY<space>`` (it reported line 2 here)."""
    reading = compose.parse_env_file(b'KEY  \nA="x\n', HARNESS)
    assert reading.error is not None
    assert (reading.error.kind, reading.error.line, reading.error.compose_line) == (
        "unterminated_quote", 2, 2)


def test_lookup_order_shell_project_environment_then_file() -> None:
    data = b"K=from_file\nA=${K}\nB\n"
    only_file = compose.parse_env_file(data, {})
    assert compose.final_values(only_file) == {"K": "from_file", "A": "from_file"}
    svc = compose.parse_env_file(data, {}, service_environment={"K": "svc", "B": "svc_b"})
    assert compose.final_values(svc) == {"K": "from_file", "A": "svc", "B": "svc_b"}
    proj = compose.parse_env_file(data, {}, project_env={"K": "proj"},
                                  service_environment={"K": "svc"})
    assert compose.final_values(proj)["A"] == "proj"
    shell = compose.parse_env_file(data, {"K": "sh"}, project_env={"K": "proj"})
    assert compose.final_values(shell)["A"] == "sh"
    earlier = compose.parse_env_file(b"A=${X}\n", {}, earlier={"X": "from_a_env"})
    assert compose.final_values(earlier) == {"A": "from_a_env"}


def test_bare_key_ignores_earlier_keys_and_takes_empty_shell_values() -> None:
    reading = compose.parse_env_file(b"A=1\nA\nE\n", {"E": ""})
    assert [(a.key, a.value) for a in reading.assignments] == [("A", "1"), ("E", "")]
    assert [i.line for i in reading.ignored] == [2]


def test_read_keep_filter_and_override_is_ignored() -> None:
    data = b"A=1\nB=2\nA=3\n"
    result = compose.read(data, {}, keep=lambda names: names & {"A"}, override=True)
    assert [(a.key, a.value, a.line) for a in result.assignments] == [("A", "1", 1), ("A", "3", 3)]


def test_raw_bare_keys_use_compose_lookup() -> None:
    result = compose.read(b"P\nS\nV=${S}\n", {"S": "sh"}, project_env={"P": "proj"}, raw=True)
    assert [(a.key, a.value) for a in result.assignments] == [
        ("P", "proj"), ("S", "sh"), ("V", "${S}")]
    rejected = compose.read(b"export A=1\n", {}, raw=True)
    assert rejected.rejected is not None and "format: raw" in rejected.rejected


def test_interpolate_errors_do_not_quote_values() -> None:
    lookup = compose.make_lookup({"A": "x"})
    assert compose.interpolate("$A-${B:-d}-$$", lookup) == "x-d-$"
    with pytest.raises(ValueError, match="required variable B"):
        compose.interpolate("${B:?secret-ish message}", lookup)
    with pytest.raises(ValueError) as info:
        compose.interpolate("sk-ant-${", lookup)
    assert "sk-ant" not in str(info.value)


def test_decode_is_per_byte() -> None:
    assert compose.decode(b"\xe2\x82") == "\ufffd\ufffd"  # Python's "replace" would give one
    assert compose.decode(b"\xef\xbb\xbfx\xef\xbb\xbf") == "x\ufeff"


# --------------------------------------------------------------------------- properties

_TOKENS = [
    "A", "B", "KEY", "k.x", "a-b", "x[1]", "SHELL_VAR", "=", ":", " ", "\t", "\n", "\r\n", "\r",
    "#", " #", "'", '"', "\\", "\\n", "\\'", '\\"', "\\$", "$", "$$", "${", "}", "{", "${A}",
    "${SHELL_VAR}", "$SHELL_VAR", "${A:-d}", "${A-d}", "${SHELL_VAR:+p}", "${EMPTY_SHELL_VAR-q}",
    "${X:?m}", "export ", "v", "\u00e9", "\u00a0", "\u2003", "1", "\\0101", "`", ";", "\x00",
]
env_texts = st.lists(st.sampled_from(_TOKENS), max_size=16).map("".join)
env_bytes = st.one_of(env_texts.map(lambda s: s.encode("utf-8")), st.binary(max_size=60))
safe_keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,10}", fullmatch=True)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(env_bytes)
def test_never_raises_and_is_deterministic(data: bytes) -> None:
    first = compose.parse_env_file(data, HARNESS)
    assert first == compose.parse_env_file(data, HARNESS)
    result = compose.read(data, HARNESS)
    assert (result.rejected is None) == (first.error is None)


@settings(max_examples=300)
@given(env_bytes)
def test_raw_format_is_docker_env_file(data: bytes) -> None:
    result = compose.read(data, HARNESS, raw=True)
    entries, rejected = docker_env_file.parse(data, HARNESS)
    assert (result.rejected is None) == (rejected is None)
    assert [(a.key, a.value, a.line) for a in result.assignments] == [
        (e.key, e.value, e.line) for e in entries]


@settings(max_examples=300)
@given(env_bytes)
def test_bom_and_leading_comment_change_nothing_but_lines(data: bytes) -> None:
    assume(not data.startswith(b"\xef\xbb\xbf"))
    plain = compose.parse_env_file(data, HARNESS)
    assert compose.parse_env_file(b"\xef\xbb\xbf" + data, HARNESS) == plain
    shifted = compose.parse_env_file(b"# comment\n" + data, HARNESS)
    assert [(a.key, a.value, a.line + 1) for a in plain.assignments] == [
        (a.key, a.value, a.line) for a in shifted.assignments]
    assert (plain.error is None) == (shifted.error is None)
    if plain.error is not None and shifted.error is not None:
        assert shifted.error.kind == plain.error.kind
        assert shifted.error.line == (plain.error.line or 0) + 1


def _single_quoted(value: str) -> str:
    return "'" + value.replace("'", "\\'") + "'"


def _double_quoted(value: str) -> str:
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return '"' + out.replace("\n", "\\n").replace("\t", "\\t") + '"'


values_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                      max_size=30)


@settings(max_examples=300)
@given(st.dictionaries(safe_keys, values_text, max_size=6), st.booleans())
def test_quoting_round_trips(values: dict[str, str], double: bool) -> None:
    """What we write quoted, compose reads back verbatim (no interpolation, escapes undone)."""
    if not double:
        assume(all("\\'" not in v and not v.endswith("\\") for v in values.values()))
    quote = _double_quoted if double else _single_quoted
    text = "".join(f"{k}={quote(v)}\n" for k, v in values.items())
    reading = compose.parse_env_file(text.encode("utf-8"), HARNESS)
    assert reading.error is None
    assert compose.final_values(reading) == values


@settings(max_examples=200)
@given(st.dictionaries(safe_keys, st.from_regex(r"[A-Za-z0-9_./:@+,-]{1,20}", fullmatch=True),
                       max_size=6))
def test_plain_values_read_back_unchanged(values: dict[str, str]) -> None:
    """(An EMPTY value is not safe: ``K =   # note`` reads as ``# note``, see the corpus.)"""
    text = "".join(f"export {k} = {v}  # note\n" for k, v in values.items())
    reading = compose.parse_env_file(text.encode("utf-8"), {})
    assert reading.error is None
    assert compose.final_values(reading) == values


# --------------------------------------------------------------------------- real compose

needs_compose = pytest.mark.skipif(compose_real.find() is None, reason=compose_real.skip_reason())


def _real_matches(tmp: Path, data: bytes, environ: Mapping[str, str], raw: bool) -> None:
    tmp.mkdir(parents=True, exist_ok=True)
    env_file = tmp / "case.env"
    env_file.write_bytes(data)
    run = compose_real.env_file_values(tmp / "project", env_file, environ, raw=raw)
    mine = compose.parse_env_file(data, environ, raw=raw)
    if run.services is None:
        assert mine.error is not None, (data, run.error)
        return
    assert mine.error is None, (data, mine.error, run.services)
    assert compose.final_values(mine) == run.services["s"], data


@needs_compose
@pytest.mark.parametrize("name", compose_truth.case_names())
def test_real_compose_on_corpus(name: str, tmp_path: Path) -> None:
    data = corpus.case_bytes(name)
    for i, (_, _, environ, raw) in enumerate(_probes(name)):
        _real_matches(tmp_path / str(i), data, environ, raw)


@needs_compose
@pytest.mark.parametrize(("data", "expected"), FOCUSED, ids=[repr(d)[:40] for d, _ in FOCUSED])
def test_real_compose_on_focused(data: bytes, expected: Any, tmp_path: Path) -> None:
    del expected
    _real_matches(tmp_path, data, HARNESS, False)


@needs_compose
@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=env_bytes, raw=st.booleans())
def test_real_compose_on_generated_files(data: bytes, raw: bool, tmp_path_factory: Any) -> None:
    _real_matches(tmp_path_factory.mktemp("gen"), data, HARNESS, raw)
