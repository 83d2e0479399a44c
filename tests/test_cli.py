"""The command line (spec cli.md): commands, options, exit codes, one-line errors.

``CliRunner`` in isolated folders for most cases, ``(exit_code, output)`` asserted together;
a few real subprocess runs of ``python -m envaudit`` and of the console script.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner, Result

from envaudit import __version__, engine
from envaudit.cli import main
from envaudit.redact import hint
from envaudit.rules import ALL_RULES

VALID_KEY = "sk-ant-api03-" + "Cli7Test_" * 10 + "qrs" + "AA"
SPACE_KEY = f'ANTHROPIC_API_KEY="{VALID_KEY} "\n'  # EA103 key-whitespace: error
BAD_LINE = "BAD LINE\n"  # EA205 dotenv-invalid-line: warning


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    root.mkdir()
    return root


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if path.name.startswith(".env") or path.name.endswith(".env"):
        path.chmod(0o600)  # owner-only, as EA702 asks: these tests are about other rules
    return path


def run(runner: CliRunner, *args: str | Path, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(main, [str(a) for a in args], env=env)


def ids(result: Result) -> list[str]:
    """Rule IDs of the findings in a ``--format json`` run."""
    return sorted({f["id"] for f in json.loads(result.stdout)["findings"]})


def one_error_line(result: Result) -> str:
    """The single stderr line of a failed run (exit 2, nothing on stdout)."""
    assert (result.exit_code, result.stdout) == (2, ""), result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("envaudit: error: ")
    return lines[0]


# ---------------------------------------------------------------- exit codes and --fail-on


def test_clean_project_exits_0(runner: CliRunner, project: Path) -> None:
    write(project / ".env", f"ANTHROPIC_API_KEY={VALID_KEY}\n")
    result = run(runner, "scan", project, "--no-process-env")
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (0, "No problems found.")
    assert result.stderr == ""


def test_error_finding_exits_1(runner: CliRunner, project: Path) -> None:
    write(project / ".env", SPACE_KEY)
    result = run(runner, "scan", project, "--no-process-env")
    assert (result.exit_code, "EA103 key-whitespace" in result.stdout) == (1, True)


@pytest.mark.parametrize("content, fail_on, code", [
    (BAD_LINE, None, 0),
    (BAD_LINE, "error", 0),
    (BAD_LINE, "warning", 1),
    (BAD_LINE, "info", 1),
    (BAD_LINE, "never", 0),
    (SPACE_KEY, "never", 0),
    (SPACE_KEY, "warning", 1),
    (f"ANTHROPIC_API_KEY={VALID_KEY}\n", "info", 0),
])
def test_fail_on(runner: CliRunner, project: Path, content: str, fail_on: str | None,
                 code: int) -> None:
    write(project / ".env", content)
    extra = ["--fail-on", fail_on] if fail_on else []
    assert run(runner, "scan", project, "--no-process-env", *extra).exit_code == code


# ---------------------------------------------------------------- --select / --ignore


@pytest.fixture
def two_findings(project: Path) -> Path:
    write(project / ".env", SPACE_KEY + BAD_LINE)
    return project


@pytest.mark.parametrize("options, expected", [
    ([], ["EA103", "EA205"]),
    (["--select", "EA205"], ["EA205"]),
    (["--select", "ea205"], ["EA205"]),
    (["--select", "dotenv-invalid-line"], ["EA205"]),
    (["--select", "EA2"], ["EA205"]),
    (["--select", "EA103,EA205"], ["EA103", "EA205"]),
    (["--select", "EA103", "--select", "EA205"], ["EA103", "EA205"]),
    (["--ignore", "EA1"], ["EA205"]),
    (["--ignore", "key-whitespace"], ["EA205"]),
    (["--select", "EA1", "--ignore", "EA103"], []),
])
def test_select_and_ignore(runner: CliRunner, two_findings: Path, options: list[str],
                           expected: list[str]) -> None:
    result = run(runner, "scan", two_findings, "--no-process-env", "--format", "json",
                 "--fail-on", "never", *options)
    assert (result.exit_code, ids(result)) == (0, expected)


@pytest.mark.parametrize("option, value", [("--select", "EA999"), ("--ignore", "no-such-rule"),
                                           ("--select", "EA205,EA0")])
def test_unknown_selector_is_a_usage_error(runner: CliRunner, two_findings: Path, option: str,
                                           value: str) -> None:
    line = one_error_line(run(runner, "scan", two_findings, option, value))
    assert "no rule matches" in line and "`envaudit rules`" in line


# ---------------------------------------------------------------- formats and -o


def test_every_format(runner: CliRunner, two_findings: Path) -> None:
    outputs = {fmt: run(runner, "scan", two_findings, "--no-process-env", "--format", fmt)
               for fmt in ("text", "json", "markdown", "sarif")}
    assert {fmt: r.exit_code for fmt, r in outputs.items()} == dict.fromkeys(outputs, 1)
    assert outputs["text"].stdout.startswith(f"envaudit {__version__} · ")
    assert json.loads(outputs["json"].stdout)["schema_version"] == 1
    assert outputs["markdown"].stdout.startswith("## envaudit report\n")
    assert json.loads(outputs["sarif"].stdout)["version"] == "2.1.0"
    assert all("\x1b[" not in r.stdout for r in outputs.values())


def test_output_file_is_written_atomically(runner: CliRunner, two_findings: Path,
                                           tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.sarif"
    target.parent.mkdir()
    stdout = run(runner, "scan", two_findings, "--no-process-env", "--format", "sarif").stdout
    result = run(runner, "scan", two_findings, "--no-process-env", "--format", "sarif",
                 "-o", target)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "")
    assert target.read_text(encoding="utf-8") == stdout
    assert os.listdir(target.parent) == ["report.sarif"]
    dash = run(runner, "scan", two_findings, "--no-process-env", "--format", "sarif", "-o", "-")
    assert dash.stdout == stdout


@pytest.mark.parametrize("where", ["missing/report.txt", "a-file/report.txt"])
def test_unwritable_output_is_one_line_and_no_partial_file(runner: CliRunner, project: Path,
                                                           tmp_path: Path, where: str) -> None:
    write(tmp_path / "a-file", "")
    before = sorted(p.name for p in tmp_path.iterdir())
    line = one_error_line(run(runner, "scan", project, "-o", tmp_path / where))
    assert line.startswith(f"envaudit: error: cannot write {tmp_path / where}: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into read-only folders")
def test_read_only_output_folder(runner: CliRunner, project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        line = one_error_line(run(runner, "scan", project, "-o", folder / "r.txt"))
        assert line == f"envaudit: error: cannot write {folder / 'r.txt'}: Permission denied"
        assert os.listdir(folder) == []
    finally:
        folder.chmod(0o700)


def test_output_to_a_folder_is_a_usage_error(runner: CliRunner, project: Path) -> None:
    line = one_error_line(run(runner, "scan", project, "-o", project))
    assert "is a directory" in line


# ---------------------------------------------------------------- process environment


def test_process_environment_is_audited_unless_told_not_to(runner: CliRunner,
                                                           project: Path) -> None:
    write(project / ".env", "ANTHROPIC_MODEL=claude-sonnet-4-6\n")
    env = {"ANTHROPIC_API_KEY": VALID_KEY + " "}
    # (--ignore EA5: the interpreters on this machine's PATH join the inventory)
    with_env = run(runner, "scan", project, "--format", "json", "--ignore", "EA5", env=env)
    assert (with_env.exit_code, ids(with_env)) == (1, ["EA103"])
    text = run(runner, "scan", project, env=env).stdout
    assert "ANTHROPIC_API_KEY" in text and "from process" in text and VALID_KEY not in text
    without = run(runner, "scan", project, "--no-process-env", "--format", "json", env=env)
    assert (without.exit_code, ids(without)) == (0, [])
    assert " · no process environment · " in run(runner, "scan", project,
                                                  "--no-process-env", env=env).stdout


def test_pwd_holding_the_root_does_not_trip_the_self_check(runner: CliRunner,
                                                          project: Path) -> None:
    # PWD matches the secret-name pattern; treating the current folder as a secret made the
    # self-check refuse every report that names the audited root.
    write(project / ".env", f"ANTHROPIC_API_KEY={VALID_KEY}\n")
    result = run(runner, "scan", project, env={"PWD": str(project), "OLDPWD": str(project)})
    assert (result.exit_code, str(project) in result.stdout) == (0, True)


# ---------------------------------------------------------------- --env-file


def test_env_file_is_read_as_docker_does(runner: CliRunner, project: Path,
                                         tmp_path: Path) -> None:
    deploy = write(tmp_path / "deploy" / "prod.env", 'ANTHROPIC_API_KEY="' + VALID_KEY + '"\n')
    result = run(runner, "scan", project, "--no-process-env", "--env-file", deploy,
                 "--format", "json")
    doc = json.loads(result.stdout)
    assert (result.exit_code, ids(result)) == (1, ["EA104"])
    assert doc["findings"][0]["location"]["path"] == str(deploy)


@pytest.mark.parametrize("name, message", [("missing.env", "no such file"),
                                           ("a-folder", "is a folder, not an env file")])
def test_env_file_problems_are_one_line(runner: CliRunner, project: Path, tmp_path: Path,
                                        name: str, message: str) -> None:
    (tmp_path / "a-folder").mkdir()
    line = one_error_line(run(runner, "scan", project, "--env-file", tmp_path / name))
    assert line == f"envaudit: error: --env-file {tmp_path / name}: {message}"


# ---------------------------------------------------------------- configuration


def test_pyproject_settings_apply(runner: CliRunner, two_findings: Path, tmp_path: Path) -> None:
    deploy = write(tmp_path / "prod.env", f"ANTHROPIC_API_KEY='{VALID_KEY}'\n")
    write(two_findings / "pyproject.toml", f"""
[tool.envaudit]
ignore = ["EA103", "key-divergent"]
fail-on = "warning"
env-files = ["{deploy}"]
""")
    result = run(runner, "scan", two_findings, "--no-process-env", "--format", "json")
    assert (result.exit_code, ids(result)) == (1, ["EA104", "EA205"])
    # the command line wins over the file
    result = run(runner, "scan", two_findings, "--no-process-env", "--format", "json",
                 "--fail-on", "never", "--ignore", "EA104,EA205,EA113")
    assert (result.exit_code, ids(result)) == (0, ["EA103"])


def test_select_from_the_config_file(runner: CliRunner, two_findings: Path) -> None:
    write(two_findings / "envaudit.toml", 'select = ["key-whitespace"]\n')
    result = run(runner, "scan", two_findings, "--no-process-env", "--format", "json")
    assert (result.exit_code, ids(result)) == (1, ["EA103"])


def test_explicit_config(runner: CliRunner, two_findings: Path, tmp_path: Path) -> None:
    conf = write(tmp_path / "ci.toml", 'fail-on = "never"\n')
    assert run(runner, "scan", two_findings, "--config", conf).exit_code == 0
    line = one_error_line(run(runner, "scan", two_findings, "--config", tmp_path / "nope.toml"))
    assert line.endswith("nope.toml: config file not found")


@pytest.mark.parametrize("text, message", [
    ("[tool.envaudit\n", "not valid TOML"),
    ('[tool.envaudit]\nfail_on = "error"\n', "unknown key(s) fail_on"),
    ('[tool.envaudit]\nfail-on = "sometimes"\n', "'fail-on' must be one of"),
    ('[tool.envaudit]\nselect = ["EA999"]\n', "no rule matches 'EA999'"),
    ('[tool.envaudit]\nenv-files = ["gone.env"]\n', "gone.env: no such file"),
])
def test_bad_config_is_one_line_never_a_traceback(runner: CliRunner, project: Path, text: str,
                                                  message: str) -> None:
    write(project / "pyproject.toml", text)
    line = one_error_line(run(runner, "scan", project))
    assert str(project / "pyproject.toml") in line and message in line


# ---------------------------------------------------------------- PATH and the default command


@pytest.mark.parametrize("target, message", [
    ("no-such-folder", "no-such-folder: no such file or folder"),
    ("rulse", "rulse: no such file or folder (did you mean `envaudit rules`?)"),
    (".env", ".env: not a folder (give the project folder; use --env-file for one file)"),
])
def test_bad_path_is_one_line(runner: CliRunner, project: Path, target: str, message: str,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    write(project / ".env", "A=1\n")
    work = project.parent / "cwd"
    write(work / ".env", "A=1\n")
    monkeypatch.chdir(work)
    assert one_error_line(run(runner, target)) == f"envaudit: error: {message}"
    assert one_error_line(run(runner, "scan", target)) == f"envaudit: error: {message}"


def test_no_command_is_scan_dot(runner: CliRunner, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "cwd" / ".env", SPACE_KEY + BAD_LINE)
    monkeypatch.chdir(tmp_path / "cwd")
    plain, scan = run(runner), run(runner, "scan", ".")
    assert (plain.exit_code, plain.stdout) == (scan.exit_code, scan.stdout)
    assert plain.exit_code == 1 and "EA103" in plain.stdout
    with_options = run(runner, "--format", "json", "--select", "EA205")
    assert (with_options.exit_code, ids(with_options)) == (0, ["EA205"])


# ---------------------------------------------------------------- rules, --version


def test_rules_lists_every_rule(runner: CliRunner) -> None:
    result = run(runner, "rules")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == [r.meta.id for r in ALL_RULES]
    markdown = run(runner, "rules", "--format", "markdown")
    assert markdown.exit_code == 0 and markdown.stdout.startswith("# envaudit rules")


@pytest.mark.parametrize("key", ["EA103", "ea103", "key-whitespace"])
def test_rules_one_rule_by_id_or_name(runner: CliRunner, key: str) -> None:
    result = run(runner, "rules", key)
    assert (result.exit_code, result.stdout.splitlines()[0]) == (
        0, "EA103 key-whitespace (error, since 0.1.0)")
    assert "## What it does" in result.stdout


def test_rules_unknown_rule(runner: CliRunner) -> None:
    assert one_error_line(run(runner, "rules", "EA999")) == (
        "envaudit: error: no rule 'EA999' (see `envaudit rules`)")


def test_version(runner: CliRunner) -> None:
    result = run(runner, "--version")
    assert (result.exit_code, result.stdout) == (0, f"envaudit {__version__}\n")


# ---------------------------------------------------------------- Click's own errors


@pytest.mark.parametrize("args, message, command", [
    (["scan", "--bogus"], "No such option", "scan"),
    (["--bogus"], "No such option", "scan"),
    (["scan", "--format", "xml"], "Invalid value for '--format'", "scan"),
    (["scan", "--fail-on", "sometimes"], "Invalid value for '--fail-on'", "scan"),
    (["scan", "--fail-on"], "requires an argument", "scan"),
    (["--select"], "requires an argument", "scan"),
    (["scan", "a", "b"], "unexpected extra argument", "scan"),
    (["rules", "EA101", "EA102"], "unexpected extra argument", "rules"),
    (["rules", "--format"], "requires an argument", "rules"),
    (["scan", "--loader", "bun"], "Invalid value for '--loader'", "scan"),
])
def test_usage_errors_are_one_line(runner: CliRunner, args: list[str], message: str,
                                   command: str) -> None:
    line = one_error_line(run(runner, *args))
    assert message in line and line.endswith(f"(see `envaudit {command} --help`)")


def test_help(runner: CliRunner) -> None:
    result = run(runner, "--help")
    assert result.exit_code == 0 and "scan" in result.stdout and "rules" in result.stdout
    assert run(runner, "scan", "-h").exit_code == 0


# ---------------------------------------------------------------- internal errors


def test_internal_error_is_one_line(runner: CliRunner, project: Path) -> None:
    with mock.patch.object(engine, "audit", side_effect=RuntimeError("kaput")):
        line = one_error_line(run(runner, "scan", project))
    assert line.startswith("envaudit: error: internal error (RuntimeError at ")
    assert "run with -v for the traceback" in line
    assert "https://github.com/envaudit/envaudit/issues" in line
    assert "kaput" not in line


def test_verbose_internal_error_shows_a_scrubbed_traceback(runner: CliRunner,
                                                            project: Path) -> None:
    file_secret = "file-password-Zx81Qw"
    write(project / ".env", f"DB_PASSWORD={file_secret}\n")
    env_key = "sk-ant-api03-" + "Tb9" * 31 + "AA"
    boom = RuntimeError(f"bad {file_secret} and {env_key} and http://u:pr0xypassw0rd@p:1")
    with mock.patch.object(engine, "audit", side_effect=boom):
        result = run(runner, "scan", project, "-v", env={"ANTHROPIC_API_KEY": env_key})
    assert (result.exit_code, result.stdout) == (2, "")
    *traceback, last = result.stderr.splitlines()
    assert traceback[0] == "Traceback (most recent call last):"
    assert traceback[-1].startswith("RuntimeError: bad …81Qw (20 chars, fp ")
    assert last.startswith("envaudit: error: internal error (RuntimeError at ")
    assert "the traceback is above" in last
    for secret in (file_secret, env_key, env_key[13:40], "pr0xypassw0rd"):
        assert secret not in result.stderr


def test_keyboard_interrupt(runner: CliRunner, project: Path) -> None:
    with mock.patch.object(engine, "audit", side_effect=KeyboardInterrupt):
        result = run(runner, "scan", project)
    assert (result.exit_code, result.stderr) == (130, "envaudit: interrupted\n")


# ---------------------------------------------------------------- -q, -v, colour


def test_quiet_and_verbose(runner: CliRunner, two_findings: Path) -> None:
    normal = run(runner, "scan", two_findings, "--no-process-env").stdout
    quiet = run(runner, "scan", two_findings, "--no-process-env", "-q").stdout
    verbose = run(runner, "scan", two_findings, "--no-process-env", "-v").stdout
    assert "Effective configuration" in normal and "Effective configuration" not in quiet
    assert "EA103" in quiet and "  read .env (env; python-dotenv)" in verbose


def test_no_colour_when_not_a_terminal_or_asked(runner: CliRunner, two_findings: Path) -> None:
    for extra in ([], ["--no-color"]):
        assert "\x1b[" not in run(runner, "scan", two_findings, *extra).stdout


# ---------------------------------------------------------------- real processes


def _python(args: Sequence[str | Path], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "envaudit", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=60, check=False)


def test_python_dash_m(clean_environ: dict[str, str], project: Path) -> None:
    version = _python(["--version"], clean_environ)
    assert (version.returncode, version.stdout) == (0, f"envaudit {__version__}\n")
    write(project / ".env", SPACE_KEY + BAD_LINE)
    scan = _python(["scan", project, "--format", "json", "--no-process-env"], clean_environ)
    assert (scan.returncode, ids_of(scan.stdout), scan.stderr) == (1, ["EA103", "EA205"], "")
    missing = _python(["scan", project / "nope"], clean_environ)
    assert (missing.returncode, missing.stdout) == (2, "")
    assert missing.stderr == f"envaudit: error: {project / 'nope'}: no such file or folder\n"
    usage = _python(["scan", "--format", "xml"], clean_environ)
    assert (usage.returncode, usage.stderr.count("\n")) == (2, 1)


def test_python_dash_m_default_command_in_the_working_folder(clean_environ: dict[str, str],
                                                             project: Path) -> None:
    write(project / ".env", SPACE_KEY)
    proc = subprocess.run([sys.executable, "-m", "envaudit"], capture_output=True, text=True,
                          env={**clean_environ, "PWD": str(project)}, cwd=project, timeout=60,
                          check=False)
    assert (proc.returncode, "EA103 key-whitespace" in proc.stdout, proc.stderr) == (1, True, "")


def ids_of(stdout: str) -> list[str]:
    return sorted({f["id"] for f in json.loads(stdout)["findings"]})


def test_console_script(clean_environ: dict[str, str], project: Path) -> None:
    script = Path(sys.executable).with_name("envaudit")
    if not script.exists():
        pytest.skip("the envaudit console script is not installed next to this Python")
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True,
                             env=clean_environ, timeout=60, check=False)
    assert (version.returncode, version.stdout) == (0, f"envaudit {__version__}\n")
    write(project / ".env", BAD_LINE)
    proc = subprocess.run([str(script), "scan", str(project), "--fail-on", "warning", "-q"],
                          capture_output=True, text=True, env=clean_environ, timeout=60,
                          check=False)
    assert (proc.returncode, "EA205 dotenv-invalid-line" in proc.stdout) == (1, True)


def test_console_script_entry_point_is_the_group() -> None:
    from importlib.metadata import entry_points

    (entry,) = [e for e in entry_points(group="console_scripts") if e.name == "envaudit"]
    assert entry.value == "envaudit.__main__:run"
    from envaudit import __main__ as entry_module

    assert entry.load() is entry_module.run


def test_the_entry_point_turns_the_collector_off_before_click_is_imported() -> None:
    """``envaudit.__main__.run`` disables the garbage collector, then imports the CLI."""
    code = ("import gc, sys, builtins\n"
            "import envaudit.__main__ as m\n"
            "assert 'click' not in sys.modules\n"
            "real = builtins.__import__\n"
            "def spy(name, *a, **k):\n"
            "    if name == 'click' and 'click' not in sys.modules:\n"
            "        print('gc on' if gc.isenabled() else 'gc off')\n"
            "    return real(name, *a, **k)\n"
            "builtins.__import__ = spy\n"
            "sys.argv = ['envaudit', '--version']\n"
            "m.run()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.splitlines()[0] == "gc off", out.stderr
    assert out.stdout.splitlines()[1].startswith("envaudit ")
    assert out.returncode == 0


def _many_findings(project: Path) -> None:
    for i in range(300):
        write(project / f"app{i:03}" / ".env", BAD_LINE)


def test_run_flushes_everything_before_its_fast_exit(project: Path,
                                                     clean_environ: dict[str, str]) -> None:
    _many_findings(project)
    proc = subprocess.run([sys.executable, "-m", "envaudit", "scan", str(project), "--format",
                           "json", "--fail-on", "warning", "--select", "EA205"],
                          capture_output=True, text=True, env=clean_environ, timeout=60,
                          check=False)  # (the machine's interpreters on PATH add EA5xx)
    assert (proc.returncode, proc.stderr) == (1, "")
    assert len(json.loads(proc.stdout)["findings"]) == 300


def test_run_exits_2_quietly_when_the_reader_goes_away(project: Path,
                                                       clean_environ: dict[str, str]) -> None:
    _many_findings(project)
    proc = subprocess.Popen([sys.executable, "-m", "envaudit", "scan", str(project), "--format",
                             "json", "--fail-on", "never"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_environ)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()   # `envaudit | true`: nobody reads the report
    assert proc.wait(timeout=60) == 2
    assert proc.stderr.read() == b""


def test_broken_pipe_is_quiet(runner: CliRunner, project: Path) -> None:
    # `envaudit | head`: the reader went away; no traceback, no error line, exit 2.
    with mock.patch("envaudit.output.write_report", side_effect=BrokenPipeError):
        result = run(runner, "scan", project)
    assert (result.exit_code, result.stderr) == (2, "")


def test_loader_choices_are_the_loader_registry() -> None:
    from envaudit.cli import LOADER_CHOICES
    from envaudit.loaders import LOADERS

    assert LOADER_CHOICES == tuple(LOADERS)


# ---------------------------------------------------------------- ps, --pid auto, --pid values

PROC_KEY = "sk-ant-api03-" + "PsEnvKey" * 11 + "efghi" + "AA"
ARG_KEY = "sk-ant-api03-" + "PsArgKey" * 11 + "ghijk" + "AA"
FILE_KEY = "sk-ant-api03-" + "PsDotenv" * 11 + "ijklm" + "AA"


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_ps_shows_hints_never_a_secret(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    from processes import running

    with running({"ANTHROPIC_API_KEY": PROC_KEY, "DB_PASSWORD": "FAKE-db-Passw0rd"},
                 ["app.py", "--db", "FAKE-db-Passw0rd"]) as env_pid, \
            running({"HOME": "/home/app"}, ["job.py", f"--api-key={ARG_KEY}"]) as arg_pid:
        result = run(runner, "ps", "--format", fmt)
        written = run(runner, "ps", "--format", fmt, "-o", tmp_path / "ps.out")
    assert result.exit_code == 1, result.stderr  # ARG_KEY is in a command line: EA705
    out = result.stdout
    for secret in (PROC_KEY, ARG_KEY, "FAKE-db-Passw0rd"):
        assert secret not in out and secret not in result.stderr
        assert hint(secret) in out
    assert str(env_pid) in out and str(arg_pid) in out
    assert (written.exit_code, written.stdout) == (1, "")
    assert (tmp_path / "ps.out").read_text(encoding="utf-8") == out
    if fmt == "json":
        rows = {p["pid"]: p for p in json.loads(out)["processes"]}
        assert rows[arg_pid]["command_secrets"][0]["kind"] == "option-value"
        assert rows[env_pid]["command_secrets"] == [
            {"index": 5, "kind": "environment-value", "hint": hint("FAKE-db-Passw0rd")}]


def test_ps_fail_on_never_and_all(runner: CliRunner) -> None:
    from processes import running

    with running({"HOME": "/home/app"}, ["job.py", "--token", ARG_KEY]) as pid, \
            running({"HOME": "/home/app"}) as plain:
        never = run(runner, "ps", "--fail-on", "never", "--format", "json")
        everything = run(runner, "ps", "--all", "--format", "json")
    assert never.exit_code == 0
    assert pid in {p["pid"] for p in json.loads(never.stdout)["processes"]}
    assert plain not in {p["pid"] for p in json.loads(never.stdout)["processes"]}
    assert plain in {p["pid"] for p in json.loads(everything.stdout)["processes"]}


def test_ps_psutil_backend_gives_the_same_rows(runner: CliRunner) -> None:
    from processes import running

    with running({"ANTHROPIC_BASE_URL": "https://gw.example.com"}) as pid:
        fast = run(runner, "ps", "--format", "json", "--backend", "proc")
        slow = run(runner, "ps", "--format", "json", "--backend", "psutil")
    rows = [next(p for p in json.loads(r.stdout)["processes"] if p["pid"] == pid)
            for r in (fast, slow)]
    assert rows[0] == rows[1]


@pytest.mark.parametrize("value, message", [
    ("0", "--pid 0: 0 is not a process (give the app's process id, or auto)"),
    ("-4", "--pid -4: no process has that id (give the app's process id, or auto)"),
    ("4294967296", "--pid 4294967296: no process has that id (give the app's process id, "
                   "or auto)"),
    ("web", "--pid web: not a process id (give a number, or auto)"),
])
def test_pid_values_that_name_no_process_are_usage_errors(runner: CliRunner, project: Path,
                                                          value: str, message: str) -> None:
    line = one_error_line(run(runner, "scan", project, "--pid", value))
    assert line == f"envaudit: error: {message}"


def test_a_pid_no_process_has_is_an_info_finding(runner: CliRunner, project: Path) -> None:
    write(project / ".env", f"ANTHROPIC_API_KEY={FILE_KEY}\n")
    result = run(runner, "scan", project, "--pid", "4194305", "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"source": "pid", "pid": 4194305, "reason": "no such process"} in report["skipped"]
    [finding] = [f for f in report["findings"] if f["location"]["source"] == "pid"]
    assert (finding["id"], finding["location"]) == ("EA802", {"source": "pid", "pid": 4194305})


def _app(project: Path) -> Path:
    write(project / ".env", f"ANTHROPIC_API_KEY={FILE_KEY}\n")
    write(project / "requirements.txt", "anthropic\npython-dotenv\n")
    write(project / "app.py", "from dotenv import load_dotenv\nload_dotenv()\n"
                              "import anthropic\nclient = anthropic.Anthropic()\n")
    return project


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif"])
def test_scan_pid_never_prints_a_secret(runner: CliRunner, project: Path, fmt: str) -> None:
    from processes import running

    _app(project)
    with running({"ANTHROPIC_API_KEY": PROC_KEY, "HTTPS_PROXY": "http://u:FAKE-proxy-pw@p:3128"},
                 ["app.py", "--api-key", ARG_KEY]) as pid:
        result = run(runner, "scan", project, "--pid", str(pid), "--format", fmt,
                     env={"ANTHROPIC_API_KEY": FILE_KEY})
    assert result.exit_code == 1, result.stderr  # EA705
    for secret in (PROC_KEY, ARG_KEY, FILE_KEY, "FAKE-proxy-pw"):
        assert secret not in result.stdout and secret not in result.stderr
    assert "EA705" in result.stdout and "EA801" in result.stdout
    if fmt == "text":
        assert (f"  Read from pid {pid}: the environment it started with (/proc/PID/environ "
                "is fixed at exec); values it loaded later with load_dotenv() or "
                "dotenv.config() are not in it, and the .env rows show what its loader would "
                "have added.") in result.stdout.splitlines()


def test_pid_auto_picks_the_app_and_says_why(runner: CliRunner, project: Path,
                                            tmp_path: Path) -> None:
    from processes import running

    _app(project)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with running({"ANTHROPIC_MODEL": "claude-sonnet-4-6"}, cwd=project) as pid, \
            running({"ANTHROPIC_MODEL": "claude-opus-4-1"}, cwd=elsewhere) as other:
        text = run(runner, "scan", project, "--pid", "auto")
        raw = run(runner, "scan", project, "--pid", "auto", "--format", "json")
    name = Path(sys.executable).name
    assert (f"  pid {pid} ({_comm(name)}): picked by --pid auto, {name} whose working folder "
            "is the audited folder") in text.stdout.splitlines()
    report = json.loads(raw.stdout)
    assert [p["pid"] for p in report["pids"]] == [pid]
    assert report["pids"][0]["picked"] == f"{name} whose working folder is the audited folder"
    assert str(other) not in text.stdout


def _comm(name: str) -> str:
    """What ``Process.name()`` says for an interpreter called ``name``."""
    return name[:15]


def test_pid_auto_without_an_app_process_audits_envaudit_s_own_environment(
        runner: CliRunner, project: Path) -> None:
    _app(project)
    result = run(runner, "scan", project, "--pid", "auto", "--format", "json",
                 env={"ANTHROPIC_BASE_URL": "https://gw.example.com"})
    report = json.loads(result.stdout)
    assert [s for s in report["skipped"] if s["source"] == "pid"] == [{"source": "pid", "reason": (
        "--pid auto found no app process (python, node, gunicorn, uvicorn, celery ...) whose "
        "working folder or command line lies in the audited folder; envaudit's own "
        "environment is audited instead")}]
    assert "pids" not in report
    url = next(v for v in report["variables"] if v["name"] == "ANTHROPIC_BASE_URL")
    assert [s["location"] for s in url["sources"]] == [{"source": "process"}]
    assert "EA802" not in {f["id"] for f in report["findings"]}
