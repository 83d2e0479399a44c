"""``envaudit.loaders.node_dotenv`` against dotenv 18.0.10: the measured corpus, the real loader.

* every corpus case: our reading equals the measured ``dotenv.parse`` (and ``fast``) object, and
  :func:`populate` the ``process.env`` that ``dotenv.config`` left (override false and true);
* line numbers, skipped lines, encodings and ``config_options`` as unit tests;
* with node and npm (skipped otherwise): the corpus, explicit regression inputs and
  hypothesis-generated files through the installed ``dotenv`` (``parse``, ``parse(buf, {fast:
  true})``, ``config`` into a plain ``processEnv``), and the ``DOTENV_*`` option variables
  through a real ``config()``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envaudit.loaders import node_dotenv
from envaudit.loaders.base import Assignment, Ignored

from . import node_corpus, node_harness, node_strategies
from .node_harness import real_node_fixture  # noqa: F401  (the real_node fixture)

CASES = node_corpus.case_names()
PROBES = ("parse", "parse_fast", "config", "config_override")


def _object(data: bytes) -> dict[str, str | None]:
    return node_dotenv.as_object(node_dotenv.read(data, {}).assignments)


# ---- the measured corpus -----------------------------------------------------------------

@pytest.mark.parametrize("name", CASES)
def test_corpus_parse(name: str) -> None:
    data = node_corpus.case_bytes(name)
    truth = node_corpus.case(name)["node_dotenv"]
    ours = node_corpus.as_object(node_dotenv.read(data, node_corpus.harness_env()))
    assert node_corpus.same(ours, truth["parse"]), (ours, truth["parse"])
    assert node_corpus.same(ours, truth["parse_fast"]), (ours, truth["parse_fast"])


@pytest.mark.parametrize("override", [False, True], ids=["override_false", "override_true"])
@pytest.mark.parametrize("name", CASES)
def test_corpus_config(name: str, override: bool) -> None:
    """``dotenv.config({path, override})`` on a process.env holding the preset key."""
    data = node_corpus.case_bytes(name)
    entry = node_corpus.case(name)["node_dotenv"]["config"][
        "override_true" if override else "override_false"]
    env = node_dotenv.populate(node_corpus.preset_env(name), _object(data), override=override)
    assert entry["result"] == "ok"
    picked = node_corpus.picked(env, list(entry["env"]))
    assert node_corpus.same(picked, entry["env"]), (picked, entry["env"])


# ---- unit tests --------------------------------------------------------------------------

def test_lines_are_where_the_key_is() -> None:
    data = b'\n# c\nA=1\r\nB="x\ny"\rexport C: 3\n\n   D=4 # c\n'
    assert node_dotenv.read(data, {}).assignments == [
        Assignment("A", "1", 3), Assignment("B", "x\ny", 4), Assignment("C", "3", 6),
        Assignment("D", "4", 8),
    ]


def test_value_on_the_line_after_an_empty_value() -> None:
    """``\\s*?`` after ``=`` may cross the newline when a quoted value follows."""
    assert node_dotenv.read(b"A=\n'x'\nB=\nC=2\n", {}).assignments == [
        Assignment("A", "x", 1), Assignment("B", "", 3), Assignment("C", "2", 4)]


def test_skipped_lines_are_reported() -> None:
    data = b"A=1\nbare\nCL\xc3\x89=s3cret\nK:s3cret\n=s3cret\n# comment\n__proto__=s3cret\n"
    result = node_dotenv.read(data, {})
    assert [a.key for a in result.assignments] == ["A"]
    assert [i.line for i in result.ignored] == [2, 3, 4, 5, 7]
    assert all("s3cret" not in i.reason for i in result.ignored)


def test_duplicates_keep_every_statement_and_the_object_keeps_the_last() -> None:
    result = node_dotenv.read(b"B=1\nA=2\nB=3\n", {})
    assert [a.value for a in result.assignments] == ["1", "2", "3"]
    assert list(node_dotenv.as_object(result.assignments).items()) == [("B", "3"), ("A", "2")]


def test_array_index_keys_come_first() -> None:
    assert list(_object(b"B=1\n10=x\n2=y\n01=z\n4294967295=w\n")) == [
        "2", "10", "B", "01", "4294967295"]


def test_quotes_escapes_and_comments() -> None:
    data = (b"A='v' # c\nB=`v`\nC=abc#def\nD=#fff\nE=\"a\\tb\\nc\\\\\"\nF='a\\nb'\n"
            b"G=\"v\nH=\"v\"123\nI= \xc2\xa0x\xc2\xa0 \n")
    assert _object(data) == {"A": "v", "B": "v", "C": "abc", "D": "", "E": "a\\tb\nc\\\\",
                             "F": "a\\nb", "G": '"v', "H": '"v"123', "I": "x"}


def test_line_separators_inside_an_unquoted_value() -> None:
    """U+2028 is a line end for JavaScript's ``^``/``$``: quotes after it are stripped."""
    assert _object("A=x\u2028'y'\n".encode()) == {"A": "x\u2028y"}


def test_encodings() -> None:
    assert _object(b"\xef\xbb\xbfA=1\n") == {"A": "1"}
    assert _object(b"A=caf\xe9\n") == {"A": "caf\ufffd"}
    utf16 = node_dotenv.read(b"\xff\xfe" + "A=1\r\n".encode("utf-16-le"), {})
    assert utf16.assignments == []
    assert [i.line for i in utf16.ignored] == [1]


def test_environment_and_override_change_nothing() -> None:
    data = b"A=${B}\nB=x\n"
    assert node_dotenv.read(data, {"A": "env", "B": "y"}, override=True) == node_dotenv.read(
        data, {})


def test_keep_filters_the_output() -> None:
    result = node_dotenv.read(b"A=1\nB=2\n", {}, keep=lambda names: names & {"B"})
    assert result.assignments == [Assignment("B", "2", 2)]


def test_populate_keeps_existing_keys_unless_override() -> None:
    env = {"A": "", "B": "shell"}
    values = {"A": "file", "C": "new"}
    assert node_dotenv.populate(env, values) == {"A": "", "B": "shell", "C": "new"}
    assert node_dotenv.populate(env, values, override=True) == {
        "A": "file", "B": "shell", "C": "new"}


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(["A", "=", ": ", "#", " ", "\t", "\n", "'", '"', "`", "\\",
                                       "export ", "x", "\u2028", "\u00a0", "!"]),
                     max_size=30).map("".join))
def test_matches_is_finditer(text: str) -> None:
    """The linear scan finds exactly the matches of ``LINE.finditer``."""
    def spans(found: Iterable[re.Match[str]]) -> list[tuple[int, int]]:
        return [m.span() for m in found]

    assert spans(node_dotenv.matches(text)) == spans(node_dotenv.LINE.finditer(text))


def test_long_blank_runs_stay_fast() -> None:
    data = b"  \n" * 50_000 + b"!!\nA=1\n"
    started = time.monotonic()
    assert node_dotenv.read(data, {}).assignments == [Assignment("A", "1", 50_002)]
    assert time.monotonic() - started < 5


def test_ignored_records_are_named_tuples() -> None:
    assert node_dotenv.read(b"nope\n", {}).ignored == [
        Ignored(1, "a key without '=' (node dotenv skips it)")]


# ---- config_options ----------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("true", True), ("1", True), ("yes", True), ("on", True), ("TRUE", True), ("anything", True),
    (" false", True), ("false ", True), ("false", False), ("FALSE", False), ("0", False),
    ("no", False), ("No", False), ("off", False), ("OFF", False), ("", False),
])
def test_config_options_truthiness(value: str, expected: bool) -> None:
    for name in ("OVERRIDE", "QUIET", "DEBUG", "FAST"):
        options = node_dotenv.config_options({f"DOTENV_CONFIG_{name}": value})
        assert getattr(options, name.lower()) is expected


def test_config_options_unset() -> None:
    assert node_dotenv.config_options({"OTHER": "1"}) == node_dotenv.NodeConfigOptions()
    assert node_dotenv.config_options({}).override is None


def test_config_options_short_names_win_even_when_empty() -> None:
    both = {"DOTENV_OVERRIDE": "false", "DOTENV_CONFIG_OVERRIDE": "true",
            "DOTENV_PATH": "a.env", "DOTENV_CONFIG_PATH": "b.env"}
    options = node_dotenv.config_options(both)
    assert options.override is False
    assert options.path == "a.env"
    empty = node_dotenv.config_options({"DOTENV_QUIET": "", "DOTENV_CONFIG_QUIET": "true"})
    assert empty.quiet is False
    short = node_dotenv.config_options({"DOTENV_DEBUG": "1", "DOTENV_FAST": "yes"})
    assert (short.debug, short.fast) == (True, True)


def test_config_options_path_and_encoding_are_verbatim() -> None:
    options = node_dotenv.config_options({"DOTENV_CONFIG_PATH": " .env.local,.env ",
                                          "DOTENV_CONFIG_ENCODING": "latin1"})
    assert options.path == " .env.local,.env "
    assert options.encoding == "latin1"


def test_config_path() -> None:
    none = node_dotenv.NodeConfigOptions()
    assert node_dotenv.config_path(none, cwd="/app", home="/home/u") == "/app/.env"
    home = node_dotenv.NodeConfigOptions(path="~/.env.prod")
    assert node_dotenv.config_path(home, cwd="/app", home="/home/u") == "/home/u/.env.prod"
    relative = node_dotenv.NodeConfigOptions(path="conf/.env")
    assert node_dotenv.config_path(relative, cwd="/app", home="/home/u") == "/app/conf/.env"


# ---- the real loader ---------------------------------------------------------------------

#: Inputs whose real results are recorded here (checked against the real loader when it is
#: installed, and against the model always).
REGRESSIONS: list[tuple[bytes, dict[str, str]]] = [
    (b"A=\n'x'\n", {"A": "x"}),
    ("A=x\u2028'y'\n".encode(), {"A": "x\u2028y"}),
    (b"__proto__=x\nconstructor=y\ntoString=z\n", {"constructor": "y", "toString": "z"}),
    (b"B=1\n10=x\n2=y\n", {"2": "y", "10": "x", "B": "1"}),
    (b'A="a\\"b" # c\n', {"A": 'a\\"b'}),
    (b"A= \xef\xbb\xbf'v'\xef\xbb\xbf\n", {"A": "v"}),
]


@pytest.mark.parametrize(("data", "expected"), REGRESSIONS)
def test_regressions(data: bytes, expected: dict[str, str]) -> None:
    assert list(_object(data).items()) == list(expected.items())




def test_corpus_and_regressions_against_real(real_node: node_harness.NodeLab) -> None:
    inputs = [(node_corpus.case_bytes(n), node_corpus.harness_env()) for n in CASES]
    inputs += [(data, node_corpus.harness_env()) for data, _ in REGRESSIONS]
    node_harness.check(real_node, inputs, PROBES)
    results = node_harness.run(real_node, [
        node_harness.Job(data, {}, ("parse",)) for data, _ in REGRESSIONS])
    for (data, expected), real in zip(REGRESSIONS, results):
        assert node_harness.real_outcome(real["parse"]) == list(expected.items()), data


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=node_strategies.batches)
def test_generated_files_against_real(
    real_node: node_harness.NodeLab, batch: list[tuple[bytes, dict[str, str]]]
) -> None:
    # small files: a hang is known well before
    node_harness.check(real_node, batch, PROBES, timeout_ms=250)


def test_config_options_against_real(
    real_node: node_harness.NodeLab, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A real ``config()`` with no options in code, the option variables in ``process.env``."""
    folder = tmp_path_factory.mktemp("options")
    first, second = str(folder / "first.env"), str(folder / "second,list.env")
    files = [node_harness.Job(b"A=first\n", {}, (), path=first),
             node_harness.Job(b"A=second\n", {}, (), path=second)]
    process_envs: list[dict[str, str]] = [{"DOTENV_CONFIG_PATH": first}]
    process_envs += [
        {"DOTENV_CONFIG_PATH": first, "DOTENV_CONFIG_OVERRIDE": value,
         "DOTENV_CONFIG_QUIET": value, "DOTENV_CONFIG_DEBUG": value}
        for value in ("true", "1", "yes", "on", "TRUE", "false", "0", "no", "off", "OFF", "")
    ]
    process_envs += [
        {"DOTENV_PATH": first, "DOTENV_CONFIG_PATH": second},
        {"DOTENV_CONFIG_PATH": second},
        {"DOTENV_CONFIG_PATH": f"{first},{second}"},
        {"DOTENV_PATH": first, "DOTENV_OVERRIDE": "", "DOTENV_CONFIG_OVERRIDE": "true"},
        {"DOTENV_PATH": first, "DOTENV_OVERRIDE": "yes", "DOTENV_CONFIG_OVERRIDE": "no"},
        {"DOTENV_PATH": first, "DOTENV_QUIET": "off", "DOTENV_CONFIG_QUIET": "true"},
    ]
    env = {"A": "preset"}
    jobs = files + [node_harness.Job(None, env, ("options",), process_env=p)
                    for p in process_envs]
    results = node_harness.run(real_node, jobs)[len(files):]
    for process_env, real in zip(process_envs, results):
        got = real["options"]["ok"]
        options = node_dotenv.config_options(process_env)
        path = options.path or ""
        loaded = {first: "first", second: "second"}.get(path)
        expected = {"A": loaded} if loaded is not None and options.override else dict(env)
        assert got["env"] == expected, (process_env, got)
        injected = any("injected env" in line for line in got["logs"])
        # the "injected env" line is printed unless quiet, and always with debug
        assert injected is (bool(options.debug) or not options.quiet), (process_env, got["logs"])
        debugged = any("no encoding is specified" in line for line in got["logs"])
        assert debugged is bool(options.debug), (process_env, got["logs"])
        assert (got["error"] is None) is (loaded is not None), (process_env, got)
