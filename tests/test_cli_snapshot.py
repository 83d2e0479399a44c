"""``envaudit snapshot`` and ``envaudit diff`` on the command line: exit codes, standard
input, ``live``, ``-o``, and bad snapshots as one line (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from snapshots.build import KEY_A, KEY_B, project

from envaudit.cli import main
from envaudit.snapshots.load import check

ASSETS = Path(__file__).resolve().parent / "assets" / "snapshots"


def _one_error_line(result) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("envaudit: error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return project(tmp_path / "app", {".env": f"ANTHROPIC_API_KEY={KEY_A}\n"
                                              "ANTHROPIC_MODEL=claude-sonnet-4-6\n"})


def test_snapshot_writes_a_valid_document_and_exits_0(runner: CliRunner, app: Path,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "snap.json"
    result = runner.invoke(main, ["snapshot", str(app), "-o", str(out), "--name", "dev"],
                           env={"ANTHROPIC_API_KEY": KEY_A + "\n"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    doc = json.loads(out.read_text(encoding="utf-8"))
    check(doc, "snap.json")
    assert doc["name"] == "dev" and doc["summary"]["error"] >= 1
    assert KEY_A not in out.read_text(encoding="utf-8")
    failing = runner.invoke(main, ["snapshot", str(app), "--fail-on", "error"],
                            env={"ANTHROPIC_API_KEY": KEY_A + "\n"})
    assert failing.exit_code == 1 and json.loads(failing.stdout)["kind"] == "envaudit-snapshot"


def test_snapshot_takes_its_name_from_the_environment(runner: CliRunner, app: Path) -> None:
    result = runner.invoke(main, ["snapshot", str(app)], env={"APP_ENV": "staging"})
    doc = json.loads(result.stdout)
    assert (doc["name"], doc["name_source"]) == ("staging", "APP_ENV")
    files_only = runner.invoke(main, ["snapshot", str(app), "--no-process-env"],
                               env={"APP_ENV": "staging"})
    assert json.loads(files_only.stdout)["name"] is None


def test_snapshot_markdown_is_the_bug_ticket_report(runner: CliRunner, app: Path) -> None:
    result = runner.invoke(main, ["snapshot", str(app), "--format", "markdown"])
    assert result.exit_code == 0 and result.stdout.startswith("#")
    assert KEY_A not in result.stdout


def test_snapshot_errors_are_one_line(runner: CliRunner, tmp_path: Path, app: Path) -> None:
    assert "no such file or folder" in _one_error_line(
        runner.invoke(main, ["snapshot", str(tmp_path / "missing")]))
    assert "cannot write" in _one_error_line(
        runner.invoke(main, ["snapshot", str(app), "-o", str(tmp_path / "no" / "x.json")]))


def test_diff_of_a_snapshot_with_itself(runner: CliRunner) -> None:
    dev = str(ASSETS / "dev.json")
    result = runner.invoke(main, ["diff", dev, dev])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("No differences.\n")
    assert "dev.json#1" in result.stdout and "dev.json#2" in result.stdout


def test_diff_gates_on_fail_on(runner: CliRunner) -> None:
    dev, prod = str(ASSETS / "dev.json"), str(ASSETS / "prod.json")
    assert runner.invoke(main, ["diff", dev, prod]).exit_code == 1  # a new error finding
    assert runner.invoke(main, ["diff", dev, prod, "--fail-on", "never"]).exit_code == 0
    staging = str(ASSETS / "staging.json")
    assert runner.invoke(main, ["diff", dev, staging]).exit_code == 0  # warnings only
    assert runner.invoke(main, ["diff", dev, staging, "--fail-on", "warning"]).exit_code == 1
    ignored = runner.invoke(main, ["diff", dev, staging, "--fail-on", "warning", "--ignore",
                                   "ANTHROPIC_API_KEY,HTTPS_PROXY"])
    assert ignored.exit_code == 1  # the proxy still changes the route
    only = runner.invoke(main, ["diff", dev, staging, "--only", "ANTHROPIC_MODEL", "--format",
                                "json"])
    assert json.loads(only.stdout)["summary"]["differences"]["warning"] == 2  # the routes


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_diff_formats_and_output_file(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"diff.{fmt}"
    out.write_text("old", encoding="utf-8")
    result = runner.invoke(main, ["diff", str(ASSETS / "dev.json"), str(ASSETS / "prod.json"),
                                  "--format", fmt, "-o", str(out)])
    assert result.exit_code == 1 and result.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert "ANTHROPIC_BASE_URL" in text and "old" not in text[:3]
    assert not list(tmp_path.glob(".envaudit-*"))


def test_diff_reads_standard_input(runner: CliRunner) -> None:
    data = (ASSETS / "dev.json").read_text(encoding="utf-8")
    result = runner.invoke(main, ["diff", "-", str(ASSETS / "dev.json")], input=data)
    assert result.exit_code == 0 and "No differences." in result.stdout
    assert "standard input (-) can be read once" in _one_error_line(
        runner.invoke(main, ["diff", "-", "-"], input=data))


def test_diff_against_live(runner: CliRunner, app: Path, tmp_path: Path) -> None:
    base = tmp_path / "baseline.json"
    env = {"ANTHROPIC_API_KEY": KEY_B}
    assert runner.invoke(main, ["snapshot", str(app), "-o", str(base)], env=env).exit_code == 0
    same = runner.invoke(main, ["diff", str(base), "live", "--project", str(app)], env=env)
    assert same.exit_code == 0 and "No differences." in same.stdout, same.stdout
    broken = runner.invoke(main, ["diff", str(base), "live", "--project", str(app)],
                           env={"ANTHROPIC_API_KEY": KEY_B + " "})
    assert broken.exit_code == 1
    assert "+ new in live: error EA103 key-whitespace" in broken.stdout
    for output in (same.stdout, broken.stdout):
        assert KEY_B not in output and KEY_A not in output


def test_a_file_named_live_is_read_as_a_file(runner: CliRunner, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "live").write_text((ASSETS / "dev.json").read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["diff", "live", str(ASSETS / "dev.json")])
    assert result.exit_code == 0 and "No differences." in result.stdout


@pytest.mark.parametrize(("content", "said"), [
    (b"", "empty, not a snapshot"),
    (b'{"kind": "envaudit-snapshot", "schema_version": 2, "tool": {"name": "env', "truncated?"),
    (b"not json at all", "invalid JSON"),
    (b'{"tool": {"name": "envaudit"}, "kind": "envaudit-snapshot", "schema_version": 3}',
     "newer than this envaudit reads"),
    (b'{"tool": {"name": "diffenv", "version": "1"}}', "written by 'diffenv'"),
    (b'\x89PNG\r\n\x1a\n\x00\x00', "not UTF-8 text"),
])
def test_bad_snapshots_exit_2_with_one_line(runner: CliRunner, tmp_path: Path, content: bytes,
                                            said: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    line = _one_error_line(runner.invoke(main, ["diff", str(bad), str(ASSETS / "dev.json")]))
    assert said in line and str(bad) in line


def test_diff_usage_errors(runner: CliRunner, tmp_path: Path) -> None:
    assert "at least two snapshots" in _one_error_line(
        runner.invoke(main, ["diff", str(ASSETS / "dev.json")]))
    assert "Missing argument" in _one_error_line(runner.invoke(main, ["diff"]))
    assert "cannot read it" in _one_error_line(
        runner.invoke(main, ["diff", str(tmp_path / "nope.json"), str(ASSETS / "dev.json")]))
    edited = json.loads((ASSETS / "dev.json").read_text(encoding="utf-8"))
    edited["variables"][0]["winner"] = []
    (tmp_path / "edited.json").write_text(json.dumps(edited))
    assert "variables[0].winner must be object" in _one_error_line(
        runner.invoke(main, ["diff", str(tmp_path / "edited.json"), str(ASSETS / "dev.json")]))


def test_a_real_process_reads_a_corrupt_snapshot_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes((ASSETS / "prod.json").read_bytes()[:500])
    proc = subprocess.run([sys.executable, "-m", "envaudit", "diff", str(bad),
                           str(ASSETS / "prod.json")], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "truncated?" in proc.stderr


def test_snapshot_of_a_running_process(runner: CliRunner, app: Path) -> None:
    """``--pid``: the process's environment is the one recorded (names, hints, fingerprints),
    its APP_ENV names the snapshot, and envaudit's own is not audited."""
    from processes import running

    from envaudit.redact import value_fp

    with running({"ANTHROPIC_API_KEY": KEY_B, "APP_ENV": "production"}) as pid:
        result = runner.invoke(main, ["snapshot", str(app), "--pid", str(pid)],
                               env={"ANTHROPIC_API_KEY": KEY_A})
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    check(doc, "pid snapshot")
    assert doc["audited"] == {"kind": "pid", "pids": [pid]}
    assert (doc["name"], doc["name_source"]) == ("production", "APP_ENV")
    [process] = doc["processes"]
    assert process["pid"] == pid
    keys = {v["name"]: v for v in process["variables"]}
    assert keys["ANTHROPIC_API_KEY"]["value_fp"] == value_fp(KEY_B)
    assert KEY_B not in result.stdout and KEY_A not in result.stdout
    bad = runner.invoke(main, ["snapshot", str(app), "--pid", "nope"])
    assert "not a process id" in _one_error_line(bad)
