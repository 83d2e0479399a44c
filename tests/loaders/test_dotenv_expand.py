"""``envaudit.loaders.dotenv_expand`` against dotenv-expand 1000.0.0 (over dotenv 18.0.10).

* every corpus case: our reading equals the measured ``expand({parsed: dotenv.parse(buf),
  processEnv})`` object, and ``process.env`` after ``expand(dotenv.config())`` with the preset
  (command substitution lines excepted: the research probes ran them, we never do);
* the expansion rules, command substitution (recorded, never run), ``encrypted:`` values, hangs
  and crashes as unit tests;
* with node and npm (skipped otherwise): the corpus (lines with ``$(`` blanked), explicit
  regression inputs and hypothesis-generated files through the installed ``dotenv-expand``,
  without and with ``dotenv.config({override: true})`` first.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from envaudit.loaders import dotenv_expand, node_dotenv
from envaudit.loaders.base import Assignment

from . import node_corpus, node_harness, node_strategies
from .node_harness import real_node_fixture  # noqa: F401  (the real_node fixture)

CASES = node_corpus.case_names()
PROBES = ("expand", "expand_override")
HARNESS = node_strategies.HARNESS_ENV


def _object(data: bytes, env: dict[str, str] | None = None,
            override: bool = False) -> dict[str, str | None]:
    result = dotenv_expand.read(data, HARNESS if env is None else env, override=override)
    assert result.rejected is None, result.rejected
    return node_dotenv.as_object(result.assignments)


def _executed_keys(result: object) -> frozenset[str]:
    assert isinstance(result, tuple)
    return frozenset(a.key for a in result[0] if a.line in result[4])


# ---- the measured corpus -----------------------------------------------------------------

@pytest.mark.parametrize("name", CASES)
def test_corpus_expand_parse(name: str) -> None:
    result = dotenv_expand.read(node_corpus.case_bytes(name), node_corpus.harness_env())
    truth = node_corpus.case(name)["dotenv_expand"]["expand_parse"]
    ours = node_corpus.as_object(result)
    assert node_corpus.same(ours, truth, _executed_keys(result)), (ours, truth)


@pytest.mark.parametrize("name", CASES)
def test_corpus_expand_config_with_preset(name: str) -> None:
    """``expand(dotenv.config({path}))``: config fills process.env first, then expand runs."""
    data = node_corpus.case_bytes(name)
    preset = node_corpus.preset_env(name)
    parsed = node_dotenv.as_object(node_dotenv.read(data, preset).assignments)
    env = node_dotenv.populate(preset, parsed)
    result = dotenv_expand.read(data, env)
    env.update({k: v or "" for k, v in node_corpus.as_object(result).items()})
    entry = node_corpus.case(name)["dotenv_expand"]["expand_config_with_preset"]
    picked = node_corpus.picked(env, list(entry["env"]))
    assert node_corpus.same(picked, entry["env"], _executed_keys(result)), (picked, entry)


# ---- unit tests --------------------------------------------------------------------------

def test_operators() -> None:
    data = (b"A=${SHELL_VAR:-d}|${EMPTY_SHELL_VAR:-d}|${UNSET:-d}\n"
            b"B=${SHELL_VAR-d}|${EMPTY_SHELL_VAR-d}|${UNSET-d}\n"
            b"C=${SHELL_VAR:+a}|${EMPTY_SHELL_VAR:+a}|${UNSET:+a}\n"
            b"D=${SHELL_VAR+a}|${EMPTY_SHELL_VAR+a}|${UNSET+a}\n"
            b"E=${SHELL_VAR:?e}|${UNSET:?e}|$SHELL_VAR|${SHELL_VAR}\n")
    assert _object(data) == {"A": "from_shell|d|d", "B": "from_shell||d", "C": "a||",
                             "D": "a|a|", "E": "||from_shell|from_shell"}


def test_single_quotes_do_not_protect_and_escapes() -> None:
    assert _object(b"A='${SHELL_VAR}'\nB=\\${SHELL_VAR}\nC=\"costs \\$5\"\nD=pa$$word$\n") == {
        "A": "from_shell", "B": "${SHELL_VAR}", "C": "costs $5", "D": "pa$$"}


def test_earlier_keys_and_later_keys() -> None:
    assert _object(b"H=h\nA=$H/${L}\nL=l\n") == {"H": "h", "A": "h/", "L": "l"}
    # with config({override: true}) first, later keys are in processEnv (raw)
    assert _object(b"A=${L}\nL=l\n", override=True) == {"A": "l", "L": "l"}


def test_non_empty_preset_wins_empty_preset_does_not() -> None:
    env = {"A": "shell", "B": "", "C": "a\\$b"}
    # ... but for lookups the empty preset still shadows the file's B
    assert _object(b"A=file\nB=file\nC=x\nD=$A$B\n", env) == {
        "A": "shell", "B": "file", "C": "a$b", "D": "shell"}
    # the file's own value wins over a preset in override mode
    assert _object(b"A=file\n", env, override=True) == {"A": "file"}


def test_process_env_wins_over_the_file_for_lookups() -> None:
    assert _object(b"SHELL_VAR=from_file\nX=${SHELL_VAR}\n") == {
        "SHELL_VAR": "from_shell", "X": "from_shell"}


def test_duplicates_expand_once_at_the_first_position() -> None:
    result = dotenv_expand.read(b"A=1\nB=${A}\nA=2\n", HARNESS)
    assert result.assignments == [Assignment("A", "1", 1), Assignment("B", "2", 2),
                                  Assignment("A", "2", 3)]


def test_array_index_keys_are_expanded_first() -> None:
    assert _object(b"B=x\n1=${B}\n") == {"1": "", "B": "x"}


def test_replacement_patterns_first_occurrence_and_rescanning() -> None:
    """``$``` and ``$'`` insert the text around the reference, ``$$`` is ``$``; the first
    occurrence of the reference text is replaced (here the escaped one), and the result is
    scanned again (``a$b`` loses ``$b``)."""
    env = {"P": "<$`|$'>", "DD": "a$$b"}
    assert _object(b"X=ab${P}cd\nY=$DD\nZ=\\${DD}${DD}\n", env) == {
        "X": "ab<ab|cd>cd", "Y": "a", "Z": "\\aa"}
    # ``$&`` re-inserts the reference itself: the real loader loops forever
    assert dotenv_expand.read(b"X=[${AMP}]\n", {"AMP": "<$&>"}).rejected is not None


def test_no_operator_splits_on_null() -> None:
    assert _object(b"X=${SHELL_VARnullable}\n") == {"X": "from_shell"}


def test_command_substitution_is_recorded_not_run() -> None:
    result = dotenv_expand.read(b"A=1\nX=$(echo $A)\nY='$(id)'\nZ=$(unclosed\n", HARNESS)
    assert result.executes == (2, 3)
    assert node_dotenv.as_object(result.assignments) == {
        "A": "1", "X": "$(echo 1)", "Y": "$(id)", "Z": "$(unclosed"}


def test_commands_scanner() -> None:
    assert dotenv_expand.commands("a $(b (c) ')' \\)) d $(e) $(f") == [
        "$(b (c) ')' \\))", "$(e)"]
    assert dotenv_expand.commands('$(echo "$(x)")') == ['$(echo "$(x)")']
    assert dotenv_expand.commands("no $ ( here") == []


def test_encrypted_values_are_not_decrypted() -> None:
    data = b"DOTENV_PRIVATE_KEY=abc\nS=encrypted:QUJD$X\n"
    assert _object(data)["S"] == "encrypted:QUJD$X"
    assert _object(b"S=encrypted:QUJD$SHELL_VAR\n")["S"] == "encrypted:QUJDfrom_shell"


def test_endless_expansion_is_rejected() -> None:
    result = dotenv_expand.read(b"A=1\nB=x${B}\n", {"B": "x${B}y"}, override=True)
    assert result.rejected is not None and "never ends" in result.rejected
    assert result.rejected_line == 2
    assert result.assignments == []


def test_object_prototype_names() -> None:
    crash = dotenv_expand.read(b"toString=x\n", HARNESS)
    assert crash.rejected is not None and "TypeError" in crash.rejected
    assert _object(b"A=$toString|${__proto__}|$isPrototypeOf|${constructor-d}\n") == {
        "A": "[object Undefined]|[object Object]|false|d"}
    assert dotenv_expand.read(b"A=$constructor\n", HARNESS).rejected is not None
    assert dotenv_expand.read(b"A=$valueOf\n", HARNESS).rejected is not None


def test_keep_still_expands_with_every_key() -> None:
    result = dotenv_expand.read(b"A=a\nB=$A\n", HARNESS, keep=lambda names: names & {"B"})
    assert result.assignments == [Assignment("B", "a", 2)]


# ---- the real loader ---------------------------------------------------------------------

#: Inputs whose real results are recorded here, with the environment they ran with.
REGRESSIONS: list[tuple[bytes, dict[str, str], dict[str, str]]] = [
    (b"A=1\nB=${A}\nA=2\n", HARNESS, {"A": "2", "B": "2"}),
    (b"B=x\n1=${B}\n", HARNESS, {"1": "", "B": "x"}),
    (b"X=ab${P}cd\nY=$DD\nZ=\\${DD}${DD}\n", {"P": "<$`|$'>", "DD": "a$$b"},
     {"X": "ab<ab|cd>cd", "Y": "a", "Z": "\\aa"}),
    (b"X=${SHELL_VARnullable}\n", HARNESS, {"X": "from_shell"}),
    (b"A=$toString|${__proto__}|$isPrototypeOf|${constructor-d}\n", HARNESS,
     {"A": "[object Undefined]|[object Object]|false|d"}),
    (b"A=x\nB=$A\n", {"A": "a\\$b"}, {"A": "a$b", "B": "a$b"}),
    (b"A=file\nB=file\nC=x\nD=$A$B\n", {"A": "shell", "B": "", "C": "a\\$b"},
     {"A": "shell", "B": "file", "C": "a$b", "D": "shell"}),
]


@pytest.mark.parametrize(("data", "env", "expected"), REGRESSIONS)
def test_regressions(data: bytes, env: dict[str, str], expected: dict[str, str]) -> None:
    assert list(_object(data, env).items()) == list(expected.items())






def test_corpus_and_regressions_against_real(real_node: node_harness.NodeLab) -> None:
    inputs = [(node_harness.blank_commands(node_corpus.case_bytes(n)), node_corpus.harness_env())
              for n in CASES]
    inputs += [(node_harness.blank_commands(node_corpus.case_bytes(n)), node_corpus.preset_env(n))
               for n in CASES]
    node_harness.check(real_node, inputs + [(data, env) for data, env, _ in REGRESSIONS], PROBES)
    results = node_harness.run(real_node, [
        node_harness.Job(data, env, ("expand",)) for data, env, _ in REGRESSIONS])
    for (data, _, expected), real in zip(REGRESSIONS, results):
        assert node_harness.real_outcome(real["expand"]) == list(expected.items()), data


def test_hangs_and_crashes_against_real(real_node: node_harness.NodeLab) -> None:
    inputs = [(b"A=1\nB=x${B}\n", {"B": "x${B}y"}), (b"toString=x\n", HARNESS),
              (b"A=$constructor\n", HARNESS), (b"A=$valueOf\n", HARNESS),
              (b"SHELL_VAR=${SHELL_VAR}:extra\n", HARNESS), (b"X=[${AMP}]\n", {"AMP": "<$&>"}),
              (b"A=\\$&\nB=x${A}y\n", HARNESS),
              # found by hypothesis: the text doubles at each step (V8's RangeError or a hang)
              (b"\xef\xbb\xbfexport\tB= `:\\`${x.y}${UNSET:-${A}}\t\n  B: \\t${X:?err}&\t#x\r\n"
               b"\xef\xbb\xbfSHELL_VAR=':`\xc3\xa9\xe2\x80\xa8 \\`' x\n"
               b"B = & \\'}${x.y}\xe2\x98\x95\n"
               b"0:\t'${EMPTY_SHELL_VAR:-d}\\t  ${EMPTY_SHELL_VAR:-d} x\n"
               b"export EMPTY_SHELL_VAR = ':$'\\r\xc3\xa9$'\xe2\x80\xa8' # comment\n",
               {"SHELL_VAR": "from_shell", "EMPTY_SHELL_VAR": ""})]
    node_harness.check(real_node, inputs, PROBES, timeout_ms=250)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=node_strategies.batches)
def test_generated_files_against_real(
    real_node: node_harness.NodeLab, batch: list[tuple[bytes, dict[str, str]]]
) -> None:
    # small files: a hang is known well before
    node_harness.check(real_node, batch, PROBES, timeout_ms=250)
