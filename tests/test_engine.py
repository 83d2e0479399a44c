"""``envaudit.engine``: ``collect`` freezes what the collectors find, ``audit`` runs the rules
(duplicates merged, most severe first), ``select_rules`` and ``exit_code`` apply the user's
choices."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from collectors.helpers import options, write

from envaudit.collectors.base import (
    CollectOptions,
    Collector,
    Fact,
    ProcessFacts,
    ProviderHint,
)
from envaudit.context import AuditContext
from envaudit.engine import Report, audit, collect, exit_code, select_rules
from envaudit.errors import CollectorError, ConfigError
from envaudit.model import (
    COMPOSE,
    DOCKER_ENV_FILE,
    PROCESS,
    PYTHON_DOTENV,
    Definition,
    DotenvFile,
    Finding,
    LoaderUse,
    Location,
    Severity,
    Skip,
    Snapshot,
)
from envaudit.rules import ALL_RULES
from envaudit.rules.base import Rule, RuleMeta

ALL_IDS = [r.meta.id for r in ALL_RULES]


def opts(root: Path, **kwargs: Any) -> CollectOptions:
    """``options`` without the process environment (the engine tests audit files only)."""
    kwargs.setdefault("process_env", False)
    return options(root, **kwargs)


def ids(rules: tuple[Rule, ...]) -> list[str]:
    return [r.meta.id for r in rules]


# --------------------------------------------------------------------------- collect + audit


def test_collect_and_audit_a_tree(tmp_path: Path) -> None:
    write(tmp_path, ".env", 'ANTHROPIC_MODEL=claude\nBROKEN="open\n')
    write(tmp_path, "svc/.env.local", "ANTHROPIC_MODEL=claude\n".encode("utf-16"))
    write(tmp_path, ".env.example", "ANTHROPIC_API_KEY=\n")
    os.mkfifo(tmp_path / "svc" / ".env")
    snapshot = collect(opts(tmp_path))
    assert snapshot.root == str(tmp_path)
    assert [(f.path, f.role) for f in snapshot.files] == [
        (".env", "env"), (".env.example", "example"), ("svc/.env.local", "env")]
    assert [s.path for s in snapshot.skipped] == ["svc/.env"]
    assert snapshot.process is None
    report = audit(snapshot)
    got = [(f.rule_id, f.location.path, f.location.line) for f in report.findings]
    assert ("EA205", ".env", 2) in got
    assert ("EA206", "svc/.env.local", 1) in got
    assert report.rules == ALL_RULES
    assert report.snapshot is snapshot


def test_collect_reads_the_process_environment_only_when_asked(tmp_path: Path) -> None:
    environ = {"ANTHROPIC_MODEL": "claude", "HOME": str(tmp_path / "home")}
    without = collect(opts(tmp_path, environ=environ, process_env=False))
    assert without.process is None
    with_env = collect(opts(tmp_path, environ=environ, process_env=True))
    assert with_env.process is not None
    assert {(d.name, d.value, d.loader) for d in with_env.process} == {
        ("ANTHROPIC_MODEL", "claude", PROCESS), ("HOME", str(tmp_path / "home"), PROCESS)}


def test_collect_records_profile_files(tmp_path: Path) -> None:
    config = tmp_path / "anthropic"
    write(config, "active_config", "work\n")
    write(config, "configs/work.json", "{}")
    write(config, "configs/notes.txt", "")
    snapshot = collect(opts(tmp_path, process_env=True,
                            environ={"ANTHROPIC_CONFIG_DIR": str(config)}))
    assert snapshot.profile_files == (str(config / "active_config"),
                                      str(config / "configs" / "work.json"))


def test_provider_hints(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "anthropic>=0.40\n")
    assert collect(opts(tmp_path)).provider_hints == (
        "requirements.txt declares an Anthropic SDK",)
    assert collect(opts(tmp_path, provider="anthropic")).provider_hints == (
        "--provider anthropic", "requirements.txt declares an Anthropic SDK")


def test_an_unreadable_root_stops_the_collection(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.scandir

    def scandir(path: str) -> Any:
        if path == str(tmp_path):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(CollectorError, match="Permission denied"):
        collect(opts(tmp_path))


class _Facts(Collector):
    """A collector yielding given facts."""

    name = "fixed"

    def __init__(self, *facts: Fact) -> None:
        self.facts = facts

    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        yield from self.facts


def _file(path: str, loaders: tuple[str, ...] = (PYTHON_DOTENV,)) -> DotenvFile:
    return DotenvFile(path, f"/p/{path}", "env", "discovered", loaders)


def test_collect_sorts_facts_by_kind_in_collector_order() -> None:
    process = (Definition("A", "1", Location(PROCESS), PROCESS),)
    collectors = [
        _Facts(_file("a.env"), Skip("dotenv", "why", path="x"), ProviderHint("hint 1")),
        _Facts(ProcessFacts(process, ("/home/p/.config/anthropic/active_config",)),
               _file("b.env"), ProviderHint("hint 2"), Skip("pid", "gone", pid=4)),
    ]
    snapshot = collect(CollectOptions(root="/p"), collectors)
    assert [f.path for f in snapshot.files] == ["a.env", "b.env"]
    assert snapshot.skipped == (Skip("dotenv", "why", path="x"), Skip("pid", "gone", pid=4))
    assert snapshot.provider_hints == ("hint 1", "hint 2")
    assert snapshot.process == process
    assert snapshot.profile_files == ("/home/p/.config/anthropic/active_config",)


class _Failing(Collector):
    """A phase-0 collector that cannot run."""

    name = "failing"
    phase = 0

    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        raise CollectorError("cannot run")


def test_a_walk_begun_before_phase_0_is_closed_when_phase_0_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from envaudit.collectors import discovery
    from envaudit.collectors.dotenv_files import DotenvFilesCollector

    closed: list[object] = []
    real_close = discovery.Walk.close

    def close(self: discovery.Walk[Any, Any]) -> None:
        closed.append(self)
        real_close(self)

    monkeypatch.setattr(discovery.Walk, "close", close)
    write(tmp_path, ".env", "A=1\n")
    with pytest.raises(CollectorError):
        collect(opts(tmp_path), [_Failing(), DotenvFilesCollector()])
    assert len(closed) == 1
    snapshot = collect(opts(tmp_path), [DotenvFilesCollector()])  # begun, then finished
    assert [f.path for f in snapshot.files] == [".env"]


# --------------------------------------------------------------------------- Snapshot.loaders


@pytest.mark.parametrize(("files", "chosen", "expected"), [
    ((), None, (PYTHON_DOTENV,)),
    (((PYTHON_DOTENV,),), None, (PYTHON_DOTENV,)),
    (((PYTHON_DOTENV,), (PYTHON_DOTENV, DOCKER_ENV_FILE)), None,
     (PYTHON_DOTENV, DOCKER_ENV_FILE)),
    (((DOCKER_ENV_FILE,),), None, (PYTHON_DOTENV, DOCKER_ENV_FILE)),   # python-dotenv first
    (((PYTHON_DOTENV, DOCKER_ENV_FILE),), (DOCKER_ENV_FILE,), (DOCKER_ENV_FILE,)),  # --loader
    ((), (PYTHON_DOTENV, DOCKER_ENV_FILE), (PYTHON_DOTENV, DOCKER_ENV_FILE)),
])
def test_snapshot_loaders_inference(files: tuple[tuple[str, ...], ...],
                                    chosen: tuple[str, ...] | None,
                                    expected: tuple[str, ...]) -> None:
    facts = [_file(f"{i}.env", loaders) for i, loaders in enumerate(files)]
    snapshot = collect(CollectOptions(root="/p", loaders=chosen), [_Facts(*facts)])
    assert snapshot.loaders == expected


def test_snapshot_loaders_from_a_real_tree(tmp_path: Path) -> None:
    write(tmp_path, ".env", "A=1\n")
    assert collect(opts(tmp_path)).loaders == (PYTHON_DOTENV,)
    write(tmp_path, "deploy/web.env", "A=1\n")
    assert collect(opts(tmp_path)).loaders == (PYTHON_DOTENV, DOCKER_ENV_FILE)


def test_snapshot_loaders_with_an_explicit_file(tmp_path: Path) -> None:
    write(tmp_path, ".env", "A=1\n")
    extra = write(tmp_path, "ci/settings", "A=1\n")
    snapshot = collect(opts(tmp_path, env_files=(str(extra),)))
    assert snapshot.loaders == (PYTHON_DOTENV, DOCKER_ENV_FILE)
    snapshot = collect(opts(tmp_path, env_files=(str(extra),), loaders=(PYTHON_DOTENV,)))
    assert snapshot.loaders == (PYTHON_DOTENV,)
    assert {f.loaders for f in snapshot.files} == {(PYTHON_DOTENV,)}


# --------------------------------------------------------------------------- compose

COMPOSE_ENV_FILE = "services:\n  web:\n    env_file: [.env, config/app.vars]\n"


def test_compose_is_a_loader_in_use_when_a_service_names_env_files(tmp_path: Path) -> None:
    write(tmp_path, "compose.yaml", COMPOSE_ENV_FILE
          + "    environment:\n      ANTHROPIC_MODEL: pinned\n")
    write(tmp_path, ".env", "ANTHROPIC_MODEL=a\n")
    write(tmp_path, "config/app.vars", "ANTHROPIC_BASE_URL=https://gw.example\n")
    snapshot = collect(opts(tmp_path))
    assert snapshot.loaders == (PYTHON_DOTENV, COMPOSE)
    assert LoaderUse(COMPOSE, "compose.yaml:3 service 'web' has env_file .env") in (
        snapshot.loader_uses)
    assert {f.path: (f.origin, f.loaders) for f in snapshot.files} == {
        ".env": ("discovered", (PYTHON_DOTENV, COMPOSE)),
        "config/app.vars": ("compose", (COMPOSE,))}
    (web,) = snapshot.compose
    assert web.env_files == (".env", "config/app.vars")
    assert [(d.name, d.value, d.location.display()) for d in web.environment] == [
        ("ANTHROPIC_MODEL", "pinned", "compose.yaml:5")]


@pytest.mark.parametrize("files", [
    {"compose.yaml": "services:\n  web:\n    environment: [ANTHROPIC_MODEL=x]\n"},
    {"compose.yaml": "services:\n  web:\n    image: acme/web\n",
     "Makefile": "up:\n\tdocker compose up -d\n"},
    {"compose.yaml": "services:\n  web:\n    env_file: [.env\n"},  # compose refuses it
])
def test_compose_without_env_files_is_not_in_use(tmp_path: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        write(tmp_path, rel, text)
    write(tmp_path, ".env", "ANTHROPIC_MODEL=a\n")
    snapshot = collect(opts(tmp_path))
    assert snapshot.loaders == (PYTHON_DOTENV,)
    assert all(u.loader != COMPOSE for u in snapshot.loader_uses)
    assert snapshot.compose == ()
    assert [f.loaders for f in snapshot.files] == [(PYTHON_DOTENV,)]


def test_a_broken_compose_file_is_a_skip(tmp_path: Path) -> None:
    write(tmp_path, "compose.yaml", "services:\n  web:\n    env_file: [.env\n")
    (skip,) = collect(opts(tmp_path)).skipped
    assert skip.source == "compose" and skip.path == "compose.yaml"
    assert skip.reason.startswith("malformed YAML")


def test_loader_option_leaves_compose_files_out(tmp_path: Path) -> None:
    write(tmp_path, "compose.yaml", COMPOSE_ENV_FILE)
    write(tmp_path, ".env", "ANTHROPIC_MODEL=a\n")
    write(tmp_path, "config/app.vars", "ANTHROPIC_MODEL=b\n")
    snapshot = collect(opts(tmp_path, loaders=(PYTHON_DOTENV,)))
    assert snapshot.loaders == (PYTHON_DOTENV,) and snapshot.compose == ()
    assert [f.path for f in snapshot.files] == [".env"]


def test_a_compose_project_two_levels_down_is_found(tmp_path: Path) -> None:
    write(tmp_path, "services/api/docker-compose.yml",
          "services:\n  api:\n    env_file: ../../shared/api.vars\n")
    write(tmp_path, "shared/api.vars", "ANTHROPIC_MODEL=a\n")
    snapshot = collect(opts(tmp_path))
    assert snapshot.code is not None and snapshot.code.compose_folders == ("services/api",)
    assert snapshot.loaders == (PYTHON_DOTENV, COMPOSE)
    assert [(f.path, f.origin) for f in snapshot.files] == [("shared/api.vars", "compose")]
    write(tmp_path, "a/b/c/compose.yaml", "services:\n  c:\n    env_file: c.env\n")
    write(tmp_path, "a/b/c/c.env", "ANTHROPIC_MODEL=c\n")  # three levels down: not looked at
    assert "a/b/c/c.env" not in {f.path for f in collect(opts(tmp_path)).files if
                                 COMPOSE in f.loaders}


# --------------------------------------------------------------------------- select_rules


@pytest.mark.parametrize(("select", "expected"), [
    (["EA103"], ["EA103"]),
    (["ea103"], ["EA103"]),
    (["key-whitespace"], ["EA103"]),
    (["KEY-WHITESPACE"], ["EA103"]),
    ([" EA103 "], ["EA103"]),
    (["EA2"], [i for i in ALL_IDS if i.startswith("EA2")]),
    (["EA20"], [i for i in ALL_IDS if i.startswith("EA20")]),
    (["EA205"], ["EA205"]),
    (["EA1"], [i for i in ALL_IDS if i.startswith("EA1")]),
    (["EA10"], [i for i in ALL_IDS if i.startswith("EA10")]),
    (["EA206", "key-missing"], ["EA101", "EA206"]),   # catalogue order, not selector order
    (["EA103", "EA103", "key-whitespace"], ["EA103"]),
    ([], ALL_IDS),
    (["", "  "], ALL_IDS),                               # empty selectors are no selection
])
def test_select(select: list[str], expected: list[str]) -> None:
    assert ids(select_rules(select)) == expected


@pytest.mark.parametrize(("select", "ignore", "expected"), [
    ([], ["EA103"], [i for i in ALL_IDS if i != "EA103"]),
    ([], ["EA1"], [i for i in ALL_IDS if not i.startswith("EA1")]),
    ([], ["dotenv-encoding", "EA2"], [i for i in ALL_IDS if not i.startswith("EA2")]),
    (["EA2"], ["EA206"], [i for i in ALL_IDS if i.startswith("EA2") and i != "EA206"]),
    (["EA103"], ["EA1"], []),                           # ignore wins
])
def test_ignore(select: list[str], ignore: list[str], expected: list[str]) -> None:
    assert ids(select_rules(select, ignore)) == expected


@pytest.mark.parametrize(("select", "ignore"), [
    (["EA999"], []),
    (["EA0"], []),                                      # no family 0: no rule
    ([], ["key-whitspace"]),
    (["key"], []),                                      # a name prefix is not a selector
    (["EA103", "nope"], []),
    (["EA1030"], []),
])
def test_unknown_selector_raises_config_error(select: list[str], ignore: list[str]) -> None:
    bad = (select + ignore)[-1]
    with pytest.raises(ConfigError, match=f"no rule matches '{bad}'"):
        select_rules(select, ignore)


def test_select_from_a_given_rule_list() -> None:
    rules = [r for r in ALL_RULES if r.meta.id in ("EA101", "EA205")]
    assert ids(select_rules(["EA1"], rules=rules)) == ["EA101"]
    with pytest.raises(ConfigError):
        select_rules(["EA206"], rules=rules)


# --------------------------------------------------------------------------- audit


class _Rule(Rule):
    """A rule yielding given findings (docs are not needed outside the catalogue)."""

    def __init__(self, rule_id: str, findings: list[tuple[str, int | None, str]],
                 severity: Severity = Severity.ERROR) -> None:
        self.meta = RuleMeta(rule_id, f"test-{rule_id.lower()}", severity, "test", "fix it")
        self.planned = findings

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for path, line, message in self.planned:
            yield self.finding(message, Location("dotenv", path, line), "VAR")


def test_duplicate_findings_merge() -> None:
    rule = _Rule("EA901", [(".env", 3, "m"), (".env", 3, "m"), (".env", 3, "m")])
    assert len(audit(Snapshot(root="/p"), [rule]).findings) == 1


def test_the_same_finding_from_two_passes_merges_across_rules() -> None:
    first, again = _Rule("EA901", [(".env", 3, "m")]), _Rule("EA901", [(".env", 3, "m")])
    assert len(audit(Snapshot(root="/p"), [first, again]).findings) == 1


@pytest.mark.parametrize("other", [(".env", 4, "m"), (".env", 3, "other message"),
                                   (".env.local", 3, "m"), (".env", None, "m")])
def test_findings_that_differ_do_not_merge(other: tuple[str, int | None, str]) -> None:
    rule = _Rule("EA901", [(".env", 3, "m"), other])
    assert len(audit(Snapshot(root="/p"), [rule]).findings) == 2


def test_findings_of_different_rules_do_not_merge() -> None:
    rules = [_Rule("EA901", [(".env", 3, "m")]), _Rule("EA902", [(".env", 3, "m")])]
    assert [f.rule_id for f in audit(Snapshot(root="/p"), rules).findings] == ["EA901", "EA902"]


def test_findings_are_sorted_most_severe_first_then_by_place() -> None:
    rules = [
        _Rule("EA903", [("b.env", 1, "i")], Severity.INFO),
        _Rule("EA902", [("b.env", 2, "w"), ("a.env", 9, "w")], Severity.WARNING),
        _Rule("EA901", [("b.env", 10, "e"), ("b.env", 2, "e"), ("a.env", None, "e")]),
    ]
    report = audit(Snapshot(root="/p"), rules)
    assert [(f.severity.label, f.location.path, f.location.line) for f in report.findings] == [
        ("error", "a.env", None), ("error", "b.env", 2), ("error", "b.env", 10),
        ("warning", "a.env", 9), ("warning", "b.env", 2), ("info", "b.env", 1)]
    assert report.summary() == {"error": 3, "warning": 2, "info": 1}


def test_summary_of_a_clean_report() -> None:
    assert audit(Snapshot(root="/p"), []).summary() == {"error": 0, "warning": 0, "info": 0}


# --------------------------------------------------------------------------- exit_code


def _report(*severities: Severity) -> Report:
    rules = [_Rule(f"EA9{i:02d}", [(".env", 1, "m")], s) for i, s in enumerate(severities)]
    return audit(Snapshot(root="/p"), rules)


ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@pytest.mark.parametrize(("present", "fail_on", "code"), [
    ((), "error", 0), ((), "warning", 0), ((), "info", 0), ((), "never", 0),
    ((ERR,), "error", 1), ((ERR,), "warning", 1), ((ERR,), "info", 1), ((ERR,), "never", 0),
    ((WARN,), "error", 0), ((WARN,), "warning", 1), ((WARN,), "info", 1), ((WARN,), "never", 0),
    ((INFO,), "error", 0), ((INFO,), "warning", 0), ((INFO,), "info", 1), ((INFO,), "never", 0),
    ((INFO, WARN), "error", 0), ((INFO, WARN), "warning", 1),
    ((INFO, WARN, ERR), "ERROR", 1), ((WARN,), " Warning ", 1),
])
def test_exit_code(present: tuple[Severity, ...], fail_on: str, code: int) -> None:
    assert exit_code(_report(*present), fail_on) == code


def test_exit_code_rejects_an_unknown_threshold() -> None:
    with pytest.raises(ValueError, match="unknown severity"):
        exit_code(_report(ERR), "fatal")

