"""``--pid``: the environments of real running processes, read through psutil.

Every process here is a real child started with a chosen environment (bytes, so that values
that are not UTF-8 can be planted); nothing is mocked. What envaudit reads is the environment the
process started with; its own environment is then left out of the audit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner
from processes import as_nobody, exited_pid, running

from envaudit.cli import main
from envaudit.collectors.base import CollectOptions, PidFacts
from envaudit.collectors.pid_env import PidEnvCollector, read_environ
from envaudit.model import Definition, Location, Skip

KEY = "sk-ant-api03-" + "Pq7_" * 23 + "xAA"
OWN_KEY = "sk-ant-api03-" + "Zz9-" * 23 + "yAA"


def test_reads_the_environment_a_real_process_started_with() -> None:
    with running({"ANTHROPIC_BASE_URL": "https://gw.example.com", "UNRELATED": "x"}) as pid:
        read = read_environ(pid)
    assert not isinstance(read, str)
    name, environ = read
    assert name.startswith("python")
    assert environ["ANTHROPIC_BASE_URL"] == "https://gw.example.com"


def test_a_process_read_the_moment_it_starts_has_its_environment() -> None:
    """``app & envaudit --pid $!``: Linux shows an empty environment until exec has set it up;
    it is read again until it appears."""
    for _ in range(30):
        proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"],
                                env={"ANTHROPIC_MODEL": "claude-sonnet-4-5"})
        try:
            read = read_environ(proc.pid)
        finally:
            proc.kill()
            proc.wait()
        assert not isinstance(read, str) and read[1] == {"ANTHROPIC_MODEL": "claude-sonnet-4-5"}


def test_collector_keeps_the_relevant_variables_at_a_pid_location(tmp_path: Path) -> None:
    with running({"ANTHROPIC_BASE_URL": "https://gw.example.com", "UNRELATED": "x"}) as pid:
        facts = list(PidEnvCollector().collect(CollectOptions(str(tmp_path), pids=(pid, pid))))
    assert len(facts) == 1  # a pid given twice is read once
    fact = facts[0]
    assert isinstance(fact, PidFacts)
    names = {d.name: d for d in fact.environment.definitions}
    assert names["ANTHROPIC_BASE_URL"].location == Location("pid", pid=pid)
    assert "UNRELATED" not in names  # no rule reads it
    assert fact.environ["UNRELATED"] == "x"  # kept for interpolation


def test_a_vanished_process_and_a_zombie_are_skips(tmp_path: Path) -> None:
    gone = exited_pid()
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 10
        while psutil.Process(zombie.pid).status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        facts = list(PidEnvCollector().collect(CollectOptions(str(tmp_path),
                                                              pids=(gone, zombie.pid))))
    finally:
        zombie.wait()
    assert facts == [Skip("pid", "no such process", pid=gone),
                     Skip("pid", "a zombie process: its environment is gone", pid=zombie.pid)]


@pytest.mark.skipif(not hasattr(os, "fork") or os.geteuid() != 0,
                    reason="needs root (and fork) to become another user")
def test_another_users_process_is_access_denied() -> None:
    """As root, a forked child that became nobody reads a process of root's."""
    with running({"ANTHROPIC_BASE_URL": "https://gw.example.com"}) as pid:
        said = as_nobody(lambda: str(read_environ(pid)))
    assert said == "access denied"


# --------------------------------------------------------------------------- the CLI


def _scan(runner: CliRunner, root: Path, *args: str, env: dict[str, str] | None = None
          ) -> tuple[int, str, str]:
    result = runner.invoke(main, ["scan", str(root), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def _project(root: Path, dotenv: str) -> Path:
    (root / ".env").write_text(dotenv, encoding="utf-8")
    (root / "requirements.txt").write_text("anthropic\npython-dotenv\n", encoding="utf-8")
    (root / "app.py").write_text("from dotenv import load_dotenv\nload_dotenv()\n"
                                 "import anthropic\nclient = anthropic.Anthropic()\n",
                                 encoding="utf-8")
    return root


def test_the_process_s_empty_variable_blocks_the_file_and_says_which_pid(
        runner: CliRunner, tmp_path: Path) -> None:
    root = _project(tmp_path, f"ANTHROPIC_API_KEY={KEY}\n"
                              "ANTHROPIC_BASE_URL=https://gw.example.com\n")
    with running({"ANTHROPIC_BASE_URL": "", "ANTHROPIC_MODEL": "claude-sonnet-4-5"}) as pid:
        code, out, err = _scan(runner, root, "--pid", str(pid),
                               env={"ANTHROPIC_BASE_URL": "https://own.example.com"})
        _, raw, _ = _scan(runner, root, "--pid", str(pid), "--format", "json")
    assert code == 1, err
    assert f"environment of pid {pid} (python" in out.splitlines()[0]
    assert f"(the environment of pid {pid} wins over .env files)" in out
    row = next(line for line in out.splitlines() if line.strip().startswith("ANTHROPIC_BASE_URL"))
    assert f'""  from pid {pid} (overrides .env:2)' in row
    assert "own.example.com" not in out  # envaudit's own environment is not the app's
    report = json.loads(raw)
    ea202 = [f for f in report["findings"] if f["id"] == "EA202"]
    assert [f["location"] for f in ea202] == [{"source": "pid", "pid": pid}]
    model = next(v for v in report["variables"] if v["name"] == "ANTHROPIC_MODEL")
    assert {"source": "pid", "pid": pid} in [s["location"] for s in model["sources"]]


def test_files_are_interpolated_with_the_process_s_environment(
        runner: CliRunner, tmp_path: Path) -> None:
    root = _project(tmp_path, f"ANTHROPIC_API_KEY={KEY}\n"
                              "ANTHROPIC_BASE_URL=https://${GATEWAY_HOST}/anthropic\n")
    with running({"GATEWAY_HOST": "gw.internal"}) as pid:
        _, out, _ = _scan(runner, root, "--pid", str(pid), env={"GATEWAY_HOST": "own.host"})
    assert "https://gw.internal/anthropic" in out
    assert "own.host" not in out


def test_the_first_pid_wins_and_both_are_sources(runner: CliRunner, tmp_path: Path) -> None:
    root = _project(tmp_path, f"ANTHROPIC_API_KEY={KEY}\n")
    with running({"ANTHROPIC_MODEL": "claude-sonnet-4-5"}) as web, \
            running({"ANTHROPIC_MODEL": "claude-opus-4-1"}) as worker:
        _, raw, _ = _scan(runner, root, "--pid", str(web), "--pid", str(worker),
                          "--format", "json")
    model = next(v for v in json.loads(raw)["variables"] if v["name"] == "ANTHROPIC_MODEL")
    assert [s["location"].get("pid") for s in model["sources"]] == [web, worker]
    winners = {w["location"].get("pid") for w in model["winner"].values()}
    assert winners == {web}


def test_unreadable_pids_are_skipped_and_the_run_goes_on(runner: CliRunner,
                                                         tmp_path: Path) -> None:
    root = _project(tmp_path, f"ANTHROPIC_API_KEY={KEY}\n")
    gone = exited_pid()
    code, raw, err = _scan(runner, root, "--pid", str(gone), "--format", "json",
                           env={"ANTHROPIC_API_KEY": OWN_KEY})
    assert code in (0, 1), err
    report = json.loads(raw)
    assert {"source": "pid", "pid": gone, "reason": "no such process"} in report["skipped"]
    # the app's environment is unknown: envaudit's own is still not taken for it
    key = next(v for v in report["variables"] if v["name"] == "ANTHROPIC_API_KEY")
    assert all(s["location"]["source"] == "dotenv" for s in key["sources"])
    _, text, _ = _scan(runner, root, "--pid", str(gone))
    assert f"environment of pid {gone} not read" in text.splitlines()[0]
    assert f"pid {gone}: no such process" in text


def test_a_negative_pid_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["scan", str(tmp_path), "--pid", "-4"])
    assert result.exit_code == 2
    assert result.stderr.startswith("envaudit: error: ")
    assert "Traceback" not in result.stderr


def test_values_that_are_not_utf8_are_reported_without_a_crash(runner: CliRunner,
                                                               tmp_path: Path) -> None:
    root = _project(tmp_path, "")
    with running({"ANTHROPIC_BASE_URL": b"https://gw\xff.example.com",
                  "ANTHROPIC_API_KEY": (KEY[:-2] + "\xff").encode("latin-1")}) as pid:
        for fmt in ("text", "json", "markdown", "sarif"):
            proc = subprocess.run([sys.executable, "-m", "envaudit", "scan", str(root),
                                   "--pid", str(pid), "--format", fmt],
                                  capture_output=True, timeout=60, check=False)
            assert proc.returncode == 1, proc.stderr
            assert b"Traceback" not in proc.stderr
            assert KEY[13:40].encode() not in proc.stdout
            if fmt == "text":
                assert (b"ANTHROPIC_API_KEY contains the byte 0xFF, which is not UTF-8, at "
                        b"position 107") in proc.stdout


# ------------------------------------------------------------- command lines, --pid auto


def test_the_command_line_s_secrets_are_kept_as_index_kind_and_hint(tmp_path: Path) -> None:
    from envaudit.model import CommandSecret
    from envaudit.redact import hint

    with running({"ANTHROPIC_BASE_URL": "https://gw.example.com"},
                 ["app.py", "--api-key", KEY]) as pid:
        [fact] = list(PidEnvCollector().collect(CollectOptions(str(tmp_path), pids=(pid,))))
    assert isinstance(fact, PidFacts)
    assert fact.environment.command_secrets == (CommandSecret(5, "option-value", hint(KEY)),)
    assert KEY not in repr(fact.environment)  # the command line itself is never kept
    assert fact.environment.picked is None


def test_auto_s_picks_say_why_and_none_found_is_a_skip(tmp_path: Path) -> None:
    with running({"ANTHROPIC_MODEL": "claude-sonnet-4-6"}) as pid:
        facts = list(PidEnvCollector().collect(CollectOptions(
            str(tmp_path), pids=(pid,), auto_pids={pid: "python whose working folder is the "
                                                        "audited folder"})))
    assert [f.environment.picked for f in facts if isinstance(f, PidFacts)] == [
        "python whose working folder is the audited folder"]
    none = list(PidEnvCollector().collect(CollectOptions(str(tmp_path), auto_pids={})))
    assert len(none) == 1 and isinstance(none[0], Skip) and none[0].pid is None
    assert none[0].reason.startswith("--pid auto found no app process")


def test_envaudit_s_own_credentials_are_kept_apart_with_pid(tmp_path: Path) -> None:
    from envaudit import engine

    own = {"ANTHROPIC_API_KEY": OWN_KEY, "ANTHROPIC_BASE_URL": "https://own.example.com"}
    with running({"ANTHROPIC_API_KEY": KEY}) as pid:
        snap = engine.collect(CollectOptions(str(tmp_path), pids=(pid,), environ=own))
        files_only = engine.collect(CollectOptions(str(tmp_path), pids=(pid,), environ=own,
                                                   process_env=False))
    assert snap.process is None  # the app is the other process
    assert snap.own_credentials == (Definition("ANTHROPIC_API_KEY", OWN_KEY, Location("process"),
                                               "process"),)
    assert files_only.own_credentials is None
    assert engine.collect(CollectOptions(str(tmp_path), environ=own)).own_credentials is None
