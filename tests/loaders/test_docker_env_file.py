"""``envaudit.loaders.docker_env_file`` against docker's ``--env-file`` reading.

* every corpus case: our entries equal the ``Env`` list the real docker 28.2.2 CLI sent (or we
  reject where the CLI refused the file); bare keys read the harness environment;
* focused cases (CR-only file, BOM, the 64 KiB line limit, ``export``, spaces around ``=``, ``=v``,
  bare keys, NUL, invalid UTF-8 on a later line, ...), with hand-written expectations;
* when a ``docker`` client is on PATH: the same focused cases and hypothesis-generated files through
  the real CLI, talking to a fake Engine API on a unix socket (``fake_docker_engine``). No engine
  and no network are needed; without ``docker`` those tests are skipped.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envaudit.loaders import docker_env_file
from envaudit.loaders.docker_env_file import MAX_LINE_BYTES, Entry, Rejected

from . import corpus
from .fake_docker_engine import FakeDockerEngine, docker_create_env

HARNESS = corpus.harness_env()


def _env_list(entries: list[Entry]) -> list[str]:
    return [f"{e.key}={e.value}" for e in entries]


def _last_wins(env_list: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in env_list:
        key, _, value = item.partition("=")
        values[key] = value
    return values


# --------------------------------------------------------------------------- corpus (truth)


@pytest.mark.parametrize("name", corpus.case_names())
def test_corpus_case_matches_truth(name: str) -> None:
    expected = corpus.case(name)["docker_env_file"]
    entries, rejected = docker_env_file.parse(corpus.case_bytes(name), HARNESS)
    if "error" in expected:
        assert rejected is not None, expected["error"]
        assert isinstance(rejected, Rejected)
        assert entries == []
        return
    assert rejected is None
    sent = _env_list(entries)
    assert corpus.same_list(sent, expected["env_list_sent_by_cli"]), sent
    assert corpus.same_mapping(_last_wins(sent), expected["values"])
    raw_lines = corpus.case_bytes(name).split(b"\n")
    for entry in entries:
        assert entry.from_host == (b"=" not in raw_lines[entry.line - 1])


def test_corpus_bare_keys_come_from_host() -> None:
    entries, rejected = docker_env_file.parse(corpus.case_bytes("key_only_no_equals"), HARNESS)
    assert rejected is None
    assert [(e.key, e.value, e.line, e.from_host) for e in entries] == [
        ("SHELL_VAR", "from_shell", 2, True),
        ("OTHER", "1", 3, False),
    ]


# --------------------------------------------------------------------------- focused cases


@dataclass(frozen=True)
class Focus:
    """One hand-written input and what docker does with it."""

    data: bytes
    env: list[str] | None
    """The Env list sent, or ``None`` when docker rejects the file."""
    line: int | None = None
    """For a rejection: the line we report."""


_LONG_OK = b"A=" + b"x" * (MAX_LINE_BYTES - 1 - 2)  # 65535 bytes: the longest line accepted
_LONG_BAD = b"A=" + b"x" * (MAX_LINE_BYTES - 2)  # 65536 bytes

FOCUSED: dict[str, Focus] = {
    "cr_only_file": Focus(b"A=one\rB=two\r", ["A=one\rB=two"]),
    "cr_only_bare_key": Focus(b"SHELL_VAR\rA=1\r", ["SHELL_VAR\rA=1"]),
    "crlf": Focus(b"A=1\r\nB=2\r\n", ["A=1", "B=2"]),
    "crlf_only_one_cr_dropped": Focus(b"A=v\r\r\n", ["A=v\r"]),
    "bom": Focus(b"\xef\xbb\xbfA=1\nB=2\n", ["A=1", "B=2"]),
    "bom_on_line_2_is_key_text": Focus(b"A=1\n\xef\xbb\xbfB=2\n", ["A=1", "\ufeffB=2"]),
    "bom_then_comment": Focus(b"\xef\xbb\xbf# c\nA=1\n", ["A=1"]),
    "line_65535_bytes": Focus(_LONG_OK + b"\nB=1\n", ["A=" + "x" * 65533, "B=1"]),
    "line_65535_bytes_at_eof": Focus(_LONG_OK, ["A=" + "x" * 65533]),
    "line_65536_bytes": Focus(_LONG_BAD + b"\nB=1\n", None, 1),
    "line_65536_bytes_at_eof": Focus(b"B=1\n" + _LONG_BAD, None, 2),
    "line_65534_bytes_crlf": Focus(_LONG_OK[:-1] + b"\r\n", ["A=" + "x" * 65532]),
    "line_65535_bytes_crlf": Focus(_LONG_OK + b"\r\n", None, 1),
    "long_line_in_comment": Focus(b"#" + b"x" * MAX_LINE_BYTES + b"\n", None, 1),
    "export_key": Focus(b"export KEY=v\n", None, 1),
    "export_bare_key": Focus(b"export SHELL_VAR\n", None, 1),
    "space_around_equals": Focus(b"KEY = v\n", None, 1),
    "space_before_equals": Focus(b"A=1\nKEY =v\n", None, 2),
    "tab_before_equals": Focus(b"KEY\t=v\n", None, 1),
    "space_after_equals_kept": Focus(b"KEY= v \n", ["KEY= v "]),
    "empty_name": Focus(b"=v\n", None, 1),
    "empty_name_indented": Focus(b"  =v\n", None, 1),
    "bare_key_trailing_spaces": Focus(b"SHELL_VAR  \n", None, 1),
    "bare_key_absent_from_host": Focus(b"NOT_IN_HOST_ENV_XYZ\nA=1\n", ["A=1"]),
    "bare_key_from_host": Focus(b"SHELL_VAR\n", ["SHELL_VAR=from_shell"]),
    "bare_key_empty_in_host": Focus(b"EMPTY_SHELL_VAR\n", ["EMPTY_SHELL_VAR="]),
    "bare_key_indented": Focus(b"\t SHELL_VAR\n", ["SHELL_VAR=from_shell"]),
    "nul_in_value": Focus(b"A=a\x00b\n", ["A=a\x00b"]),
    "invalid_utf8_later_line": Focus(b"A=1\nB=2\nC=caf\xe9\n", None, 3),
    "invalid_utf8_in_comment": Focus(b"# caf\xe9\nA=1\n", None, 1),
    "utf16le": Focus("A=1\n".encode("utf-16"), None, 1),
    "value_verbatim": Focus(
        b"A=\"q\" # c\nB='s'\nC=x=y\nD=\xc2\xa0v\xc2\xa0\n",
        ['A="q" # c', "B='s'", "C=x=y", "D=\xa0v\xa0"],
    ),
    "unicode_leading_space_trimmed": Focus(
        "\xa0A=1\n\u2028B=2\n\u3000C=3\n\x85D=4\n\x0b\x0cE=5\n".encode(),
        ["A=1", "B=2", "C=3", "D=4", "E=5"],
    ),
    "info_separator_not_go_space": Focus(b"\x1cA=1\n", ["\x1cA=1"]),
    "comments_and_blank_lines": Focus(
        b"\n  # c\n\t\n#A=1\nB=2 # not a comment\n", ["B=2 # not a comment"]
    ),
    "duplicates_kept": Focus(b"A=1\nA=2\nA\n", ["A=1", "A=2"]),
    "multiline_double_quoted": Focus(b'K="line1\nline2"\n', ['K="line1']),  # bare key, unset
    "multiline_second_line_spaces": Focus(b'K="a\nb c"\n', None, 2),
    "only_blank": Focus(b"\n\n  \n", []),
    "empty_file": Focus(b"", []),
}


def test_focused_cover_the_brief() -> None:
    """The brief's list of hazards is present."""
    wanted = {
        "cr_only_file",
        "bom",
        "line_65535_bytes",
        "line_65536_bytes",
        "export_key",
        "space_around_equals",
        "empty_name",
        "bare_key_trailing_spaces",
        "bare_key_absent_from_host",
        "nul_in_value",
        "invalid_utf8_later_line",
    }
    assert wanted <= set(FOCUSED)


@pytest.mark.parametrize("name", sorted(FOCUSED))
def test_focused_case(name: str) -> None:
    focus = FOCUSED[name]
    entries, rejected = docker_env_file.parse(focus.data, HARNESS)
    if focus.env is None:
        assert rejected is not None
        assert entries == []
        assert rejected.line == focus.line
        assert rejected.reason
    else:
        assert rejected is None, rejected
        assert _env_list(entries) == focus.env


def test_entry_lines_and_host_flag() -> None:
    data = b"# c\n\nA=1\r\nSHELL_VAR\nB=\n"
    entries, rejected = docker_env_file.parse(data, HARNESS)
    assert rejected is None
    assert entries == [
        Entry("A", "1", 3),
        Entry("SHELL_VAR", "from_shell", 4, from_host=True),
        Entry("B", "", 5),
    ]


def test_rejection_reason_never_quotes_the_value() -> None:
    secret = "sk-ant-api03-DO-NOT-PRINT"
    for data in (f"export K={secret}\n", f"K ={secret}\n", f"={secret}\n"):
        _, rejected = docker_env_file.parse(data.encode(), HARNESS)
        assert rejected is not None
        assert secret not in rejected.reason


# --------------------------------------------------------------------------- the real CLI

DOCKER = shutil.which("docker")
needs_docker = pytest.mark.skipif(DOCKER is None, reason="no docker client on PATH")


@dataclass(frozen=True)
class _Cli:
    docker: str
    engine: FakeDockerEngine
    workdir: Path
    environ: Mapping[str, str]
    """The docker CLI's whole environment (the host environment for bare keys)."""

    def run(self, data: bytes) -> tuple[list[str] | None, str]:
        path = self.workdir / "case.env"
        path.write_bytes(data)
        outcome = docker_create_env(self.docker, self.engine, path, self.environ)
        return outcome.env, outcome.error or ""


@pytest.fixture(scope="module")
def docker_cli() -> Iterator[_Cli]:
    if DOCKER is None:
        pytest.skip("no docker client on PATH")
    workdir = Path(tempfile.mkdtemp(prefix="ea-docker-"))
    if len(str(workdir / "api.sock")) > 100:  # sun_path limit
        shutil.rmtree(workdir)
        workdir = Path(tempfile.mkdtemp(prefix="ea-docker-", dir="/tmp"))
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "DOCKER_CONFIG": str(workdir / "docker-config"),
        **HARNESS,
    }
    try:
        with FakeDockerEngine(workdir / "api.sock") as engine:
            yield _Cli(DOCKER, engine, workdir, environ)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _assert_same_as_cli(cli: _Cli, data: bytes) -> None:
    sent, error = cli.run(data)
    entries, rejected = docker_env_file.parse(data, cli.environ)
    if sent is None:
        assert "invalid env file" in error or "token too long" in error, error
        assert rejected is not None, f"docker refused the file: {error}"
        assert entries == []
    else:
        assert rejected is None, f"docker accepted the file, we said: {rejected}"
        assert _env_list(entries) == sent


@needs_docker
@pytest.mark.parametrize("name", sorted(FOCUSED))
def test_focused_case_real_cli(name: str, docker_cli: _Cli) -> None:
    _assert_same_as_cli(docker_cli, FOCUSED[name].data)


@needs_docker
@pytest.mark.parametrize(
    "name",
    ["key_only_no_equals", "quote_mismatched", "cr_only_line_endings", "latin1_invalid_utf8"],
)
def test_corpus_case_real_cli(name: str, docker_cli: _Cli) -> None:
    _assert_same_as_cli(docker_cli, corpus.case_bytes(name))


_INDENT = st.lists(
    st.sampled_from([" ", "\t", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u2028", "\u3000"]),
    max_size=2,
).map("".join)
_KEY = st.one_of(
    st.sampled_from(
        [
            "A",
            "B",
            "SHELL_VAR",
            "EMPTY_SHELL_VAR",
            "ABSENT_VAR",
            "HOME",
            "export A",
            "A B",
            "A\t",
            "'A'",
            "\u200bA",
            "ké",
            "a.b",
            "#A",
            "",
            "A ",
        ]
    ),
    st.text(alphabet="ABCxyz_09.-", min_size=1, max_size=4),
)
_VALUE = st.lists(
    st.one_of(
        st.sampled_from(
            ["'", '"', "#", " # c", " ", "\t", "=", "\\n", "${A}", "\x00", "\xa0", "\r", "é"]
        ),
        st.text(alphabet="abcXYZ019-_./:", min_size=1, max_size=4),
    ),
    max_size=5,
).map("".join)


@st.composite
def env_files(draw: st.DrawFn) -> bytes:
    """Bytes of a docker env file with the hazards docker cares about."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["assign", "assign", "assign", "bare", "comment", "blank"]))
        indent = draw(_INDENT)
        if kind == "assign":
            lines.append(
                indent + draw(_KEY) + draw(st.sampled_from(["=", "=", " =", "= "])) + draw(_VALUE)
            )
        elif kind == "bare":
            lines.append(indent + draw(_KEY))
        elif kind == "comment":
            lines.append(indent + "#" + draw(_VALUE))
        else:
            lines.append(indent)
    text = "".join(line + draw(st.sampled_from(["\n", "\n", "\r\n", "\r"])) for line in lines)
    if draw(st.integers(0, 4)) == 0:
        text = "\ufeff" + text
    data = text.encode("utf-8")
    if draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"])) + data[at:]
    return data


@needs_docker
@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=env_files())
def test_generated_files_match_real_cli(docker_cli: _Cli, data: bytes) -> None:
    _assert_same_as_cli(docker_cli, data)
