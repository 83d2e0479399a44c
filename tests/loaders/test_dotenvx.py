"""``envaudit.loaders.dotenvx`` against @dotenvx/dotenvx 2.38.2 (primitives 3.3.1).

* every corpus case: the library ``parse`` result, the CLI ``dotenvx get -f FILE`` results
  (without and with the preset, with ``--overload``) and ``process.env`` after ``config()``
  (command substitution lines excepted: the research probes ran them, we never do);
* unquoting, precedence, command substitution (recorded, never run), literals, UTF-16 and
  crashes as unit tests;
* with node and npm (skipped otherwise): the corpus (lines with ``$(`` blanked), explicit
  regression inputs and hypothesis-generated files through the installed package: library
  ``parse`` and the file loader ``getSync`` (what ``dotenvx get`` prints), with and without
  ``overload``.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from envaudit.loaders import dotenvx, node_dotenv
from envaudit.loaders.base import Assignment, LoaderResult

from . import node_corpus, node_harness, node_strategies
from .node_harness import real_node_fixture  # noqa: F401  (the real_node fixture)

CASES = node_corpus.case_names()
PROBES = ("dotenvx_parse", "dotenvx_parse_overload", "dotenvx_get", "dotenvx_get_overload")
HARNESS = node_strategies.HARNESS_ENV


def _object(data: bytes, env: dict[str, str] | None = None,
            override: bool = False) -> dict[str, str | None]:
    result = dotenvx.read(data, HARNESS if env is None else env, override=override)
    assert result.rejected is None, result.rejected
    return node_dotenv.as_object(result.assignments)


def _executed_keys(result: LoaderResult) -> frozenset[str]:
    return frozenset(a.key for a in result.assignments if a.line in result.executes)


# ---- the measured corpus -----------------------------------------------------------------

@pytest.mark.parametrize("name", CASES)
def test_corpus_library_parse(name: str) -> None:
    """``parse(buf.toString('utf8'), {processEnv})``: a UTF-16 file gives ``{}`` here."""
    text = node_dotenv.decode(node_corpus.case_bytes(name))
    result = dotenvx.parse(text, node_corpus.harness_env())
    truth = node_corpus.case(name)["dotenvx"]["parse"]
    ours = node_corpus.as_object(result)
    assert node_corpus.same(ours, truth, _executed_keys(result)), (ours, truth)


@pytest.mark.parametrize("probe", ["cli_get", "cli_get_with_preset",
                                   "cli_get_with_preset_overload"])
@pytest.mark.parametrize("name", CASES)
def test_corpus_cli_get(name: str, probe: str) -> None:
    """``dotenvx get -f FILE --format json [--overload]``: the file loader (UTF-16 decoded)."""
    env = node_corpus.harness_env() if probe == "cli_get" else node_corpus.preset_env(name)
    result = dotenvx.read(node_corpus.case_bytes(name), env, override=probe.endswith("overload"))
    truth = node_corpus.case(name)["dotenvx"][probe]
    ours = node_corpus.as_object(result)
    assert node_corpus.same(ours, truth, _executed_keys(result)), (ours, truth)


@pytest.mark.parametrize("name", CASES)
def test_corpus_config_with_preset(name: str) -> None:
    """``config({path})`` on process.env: every key it read is written, preset values kept."""
    env = node_corpus.preset_env(name)
    result = dotenvx.read(node_corpus.case_bytes(name), env)
    env.update({k: v or "" for k, v in node_corpus.as_object(result).items()})
    entry = node_corpus.case(name)["dotenvx"]["config_with_preset"]
    picked = node_corpus.picked(env, list(entry["env"]))
    assert node_corpus.same(picked, entry["env"], _executed_keys(result)), (picked, entry)


# ---- unit tests --------------------------------------------------------------------------

def test_unquoting() -> None:
    data = (b"A=\"a\\tb\\nc\\\\d\\\"e\"\nB='it\\'s \\n'\nC=`a\\tb`\nD=a\\tb\nE=abc#d\n"
            b"F='line1\nline2'\n")
    assert _object(data) == {"A": 'a\tb\nc\\\\d\\"e', "B": "it's \\n", "C": "a\\tb",
                             "D": "a\\tb", "E": "abc", "F": "line1\nline2"}


def test_single_quotes_are_literal() -> None:
    assert _object(b"A='${SHELL_VAR}'\nB=\"${SHELL_VAR}\"\nC=`$SHELL_VAR`\nD=\\$x\n") == {
        "A": "${SHELL_VAR}", "B": "from_shell", "C": "from_shell", "D": "$x"}


def test_environment_wins_even_empty_unless_overload() -> None:
    env = {"A": "shell", "B": "", "SHELL_VAR": "from_shell"}
    data = b"A=file\nB=file\nC=$A|$B\n"
    assert _object(data, env) == {"A": "shell", "B": "", "C": "shell|"}
    assert _object(data, env, override=True) == {"A": "file", "B": "file", "C": "file|file"}


def test_duplicates_are_resolved_at_each_occurrence() -> None:
    result = dotenvx.read(b"A=1\nB=${A}\nA=2\n", HARNESS)
    assert result.assignments == [Assignment("A", "1", 1), Assignment("B", "1", 2),
                                  Assignment("A", "2", 3)]
    assert node_dotenv.as_object(result.assignments) == {"A": "2", "B": "1"}


def test_a_literal_with_a_reference_stops_the_expansion() -> None:
    assert _object(b"L='$X'\nB=${L}-${SHELL_VAR}\n") == {"L": "$X", "B": "$X-${SHELL_VAR}"}


def test_command_substitution_is_recorded_not_run() -> None:
    data = b"X=$(echo injected)\nY='$(echo injected)'\nZ=\"$(id) $SHELL_VAR\"\n"
    result = dotenvx.read(data, HARNESS)
    assert result.executes == (1, 3)
    assert node_dotenv.as_object(result.assignments) == {
        "X": "$(echo injected)", "Y": "$(echo injected)", "Z": "$(id) $SHELL_VAR"}
    # a preset key is not run from the file, but a preset value that is the same text is
    assert dotenvx.read(b"X=$(id)\n", {"X": "other"}).executes == ()
    assert dotenvx.read(b"X=$(id)\n", {"X": "$(id)"}).executes == (1,)
    assert dotenvx.read(b"X=$(id)\n", {"X": "other"}, override=True).executes == ()


def test_encrypted_values_are_kept() -> None:
    assert _object(b"S=encrypted:QUJD$SHELL_VAR\n") == {"S": "encrypted:QUJD$SHELL_VAR"}


def test_utf16_file_loader_versus_library_parse() -> None:
    data = b"\xff\xfe" + "A=1\r\nB='x'\r\n".encode("utf-16-le")
    assert _object(data) == {"A": "1", "B": "x"}
    assert dotenvx.parse(node_dotenv.decode(data), HARNESS).assignments == []


def test_object_prototype_key_crashes_the_parser() -> None:
    for key in (b"constructor", b"__proto__", b"toString"):
        result = dotenvx.read(b"A=1\n" + key + b"=x\n", HARNESS)
        assert result.rejected is not None and "TypeError" in result.rejected
        assert result.rejected_line == 2
        assert result.assignments == []


def test_keep_still_expands_with_every_key() -> None:
    result = dotenvx.read(b"A=a\nB=$A\n", HARNESS, keep=lambda names: names & {"B"})
    assert result.assignments == [Assignment("B", "a", 2)]


# ---- the real loader ---------------------------------------------------------------------

#: Inputs whose real (file loader) results are recorded here, with their environment.
REGRESSIONS: list[tuple[bytes, dict[str, str], dict[str, str]]] = [
    (b"L='$X'\nB=${L}-${SHELL_VAR}\n", HARNESS, {"L": "$X", "B": "$X-${SHELL_VAR}"}),
    (b"A=1\nB=${A}\nA=2\n", HARNESS, {"A": "2", "B": "1"}),
    (b"A=file\nB=file\nC=$A|$B\n", {"A": "shell", "B": ""}, {"A": "shell", "B": "", "C": "shell|"}),
    (b"\xff\xfe" + "A=1\r\nB='x'\r\n".encode("utf-16-le"), HARNESS, {"A": "1", "B": "x"}),
    (b"\xff\xfe" + "A=\ud800\n".encode("utf-16-le", "surrogatepass") + b"B", HARNESS,
     {"A": "\ud800"}),
    (b"A=1\nconstructor=x\n", HARNESS, {}),
]


@pytest.mark.parametrize(("data", "env", "expected"), REGRESSIONS)
def test_regressions(data: bytes, env: dict[str, str], expected: dict[str, str]) -> None:
    result = dotenvx.read(data, env)
    got = node_dotenv.as_object(result.assignments)
    assert list(got.items()) == list(expected.items())






def test_corpus_and_regressions_against_real(real_node: node_harness.NodeLab) -> None:
    inputs = [(node_harness.blank_commands(node_corpus.case_bytes(n)), node_corpus.harness_env())
              for n in CASES]
    inputs += [(node_harness.blank_commands(node_corpus.case_bytes(n)), node_corpus.preset_env(n))
               for n in CASES]
    node_harness.check(real_node, inputs + [(data, env) for data, env, _ in REGRESSIONS], PROBES)
    results = node_harness.run(real_node, [
        node_harness.Job(data, env, ("dotenvx_get",)) for data, env, _ in REGRESSIONS])
    for (data, _, expected), real in zip(REGRESSIONS, results):
        assert node_harness.real_outcome(real["dotenvx_get"]) == list(expected.items()), data


def test_hangs_and_crashes_against_real(real_node: node_harness.NodeLab) -> None:
    inputs = [(b"A=\\$A\nC=x$A\n", HARNESS), (b"__proto__=x\n", HARNESS),
              (b"A=${constructor:-x}\n", HARNESS), (b"A=$hasOwnProperty\n", HARNESS),
              (b"A=$toString|$isPrototypeOf|${__proto__}\n", HARNESS)]
    node_harness.check(real_node, inputs, PROBES, timeout_ms=250)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=node_strategies.batches)
def test_generated_files_against_real(
    real_node: node_harness.NodeLab, batch: list[tuple[bytes, dict[str, str]]]
) -> None:
    # small files: a hang is known well before
    node_harness.check(real_node, batch, PROBES, timeout_ms=250)
