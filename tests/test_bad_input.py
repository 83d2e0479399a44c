"""Bad input through the real CLI (``python -m envaudit`` in a subprocess, with a timeout).

Each bad input gets an EA206/EA205 finding or one clear line (a ``skipped`` entry, or for a
usage error one ``envaudit: error:`` line and exit 2), never a traceback, never a hang; and
nothing else is lost: a canary file elsewhere in the same tree is still audited (its EA205
finding is in the report).

Unreadable files and folders need a process that permission bits stop. As root (here and in
CI), the CLI runs as ``nobody`` when that user can run this interpreter, else as root without
``CAP_DAC_OVERRIDE``/``CAP_DAC_READ_SEARCH`` (dropped from the bounding set before ``exec``);
when neither works those tests are skipped.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

#: Generous: every run here takes well under a second; a hang shows up as TimeoutExpired.
TIMEOUT = 60
#: python-dotenv drops the statement (EA205 at ok/.env:1): proof that the good file was read.
CANARY = 'CANARY_KEY="unterminated\n'
MIB = 1024 * 1024


@dataclass
class Run:
    """One finished CLI run."""

    rc: int
    stdout: str
    stderr: str

    def report(self) -> dict[str, Any]:
        """The JSON report on stdout."""
        data: dict[str, Any] = json.loads(self.stdout)
        return data

    def error_line(self) -> str:
        """The single ``envaudit: error:`` line of a usage error (exit 2)."""
        assert self.rc == 2, (self.rc, self.stdout, self.stderr)
        lines = self.stderr.splitlines()
        assert len(lines) == 1, self.stderr
        assert lines[0].startswith("envaudit: error: "), lines[0]
        assert "internal error" not in lines[0], lines[0]
        return lines[0]


def run_cli(args: list[str], cwd: Path, env: dict[str, str],
            preexec: Callable[[], None] | None = None, timeout: float = TIMEOUT) -> Run:
    """``python -m envaudit ARGS``; never a traceback, whatever the outcome."""
    proc = subprocess.run(
        [sys.executable, "-m", "envaudit", *args], cwd=str(cwd), env=env,
        capture_output=True, timeout=timeout, preexec_fn=preexec, check=False,
    )
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in out and "Traceback" not in err, err
    return Run(proc.returncode, out, err)


@pytest.fixture
def env(clean_environ: dict[str, str]) -> dict[str, str]:
    """The CLI's environment: no provider variables, HOME in an empty folder."""
    return dict(clean_environ, PYTHONDONTWRITEBYTECODE="1")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A project holding the canary."""
    project = tmp_path / "project"
    (project / "ok").mkdir(parents=True)
    (project / "ok" / ".env").write_text(CANARY)
    return project


def scan(root: Path, env: dict[str, str], *extra: str,
         preexec: Callable[[], None] | None = None, timeout: float = TIMEOUT) -> Run:
    return run_cli(["scan", str(root), "--no-process-env", "--format", "json", *extra],
                   cwd=root.parent, env=env, preexec=preexec, timeout=timeout)


def scan_text(root: Path, env: dict[str, str], *extra: str) -> Run:
    return run_cli(["scan", str(root), "--no-process-env", "--no-color", *extra],
                   cwd=root.parent, env=env)


def findings(report: dict[str, Any], path: str, rule: str | None = None) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["location"].get("path") == path
            and (rule is None or f["id"] == rule)]


def skipped(report: dict[str, Any], path: str) -> list[str]:
    return [s["reason"] for s in report["skipped"] if s.get("path") == path]


def assert_canary(report: dict[str, Any]) -> None:
    """The good file was audited: nothing else was lost."""
    canary = findings(report, "ok/.env", "EA205")
    assert [f["location"].get("line") for f in canary] == [1], report["findings"]


def assert_only_canary(run: Run) -> dict[str, Any]:
    assert run.rc == 0, run.stderr
    report = run.report()
    assert_canary(report)
    assert len(report["findings"]) == 1, report["findings"]
    return report


# --------------------------------------------------------------------------- files: findings


def _long_line() -> bytes:
    blob = base64.b64encode(bytes(range(256)) * 200)   # 68 KiB of base64, one line
    return b"A=1\nCERT_BUNDLE=" + blob + b"\nB=2\n"


#: name, content, line, words of the message, severity (python-dotenv reads a long line, so it
#: is only a warning in a file docker does not read).
ENCODING_CASES: list[tuple[str, bytes, int | None, str, str]] = [
    ("binary", bytes(range(256)) * 16, None, "binary", "error"),
    ("utf-16-le-bom", "\ufeffANTHROPIC_MODEL=claude\n".encode("utf-16-le"), 1, "UTF-16",
     "error"),
    ("utf-16-be", "ANTHROPIC_MODEL=claude\n".encode("utf-16-be"), 1, "UTF-16", "error"),
    ("invalid-utf-8", b"A=1\nB=caf\xe9\n", 2, "not valid UTF-8", "error"),
    ("nul", b"A=1\nB=x\x00y\n", 2, "NUL byte", "error"),
    ("long-line", _long_line(), 2, "64 KiB", "warning"),
]


@pytest.mark.parametrize(("data", "line", "words", "severity"), [c[1:] for c in ENCODING_CASES],
                         ids=[c[0] for c in ENCODING_CASES])
def test_encoding_problem_is_an_ea206_finding(root: Path, env: dict[str, str], data: bytes,
                                              line: int | None, words: str,
                                              severity: str) -> None:
    (root / "bad").mkdir()
    (root / "bad" / ".env").write_bytes(data)
    run = scan(root, env)
    assert run.rc == (1 if severity == "error" else 0), run.stderr
    report = run.report()
    bad = findings(report, "bad/.env", "EA206")
    assert [(f["location"].get("line"), words in f["message"], f["severity"]) for f in bad] == [
        (line, True, severity)]
    assert findings(report, "bad/.env", "EA205") == []   # not reported twice
    assert_canary(report)


def test_a_50_mib_dotenv_file(root: Path, env: dict[str, str]) -> None:
    line = b"ANTHROPIC_MODEL=claude-sonnet-4-5\n"
    with open(root / ".env", "wb") as fh:
        for _ in range(50):
            fh.write(line * (MIB // len(line) + 1))
    assert (root / ".env").stat().st_size > 50 * MIB
    try:
        run = scan(root, env)
    finally:
        (root / ".env").unlink()   # pytest keeps the last runs' folders: do not keep 50 MiB
    assert run.rc == 1
    report = run.report()
    big = findings(report, ".env", "EA206")
    assert len(big) == 1 and "MiB" in big[0]["message"], big
    assert_canary(report)


def test_a_long_line_in_a_file_docker_reads_is_an_error(root: Path, env: dict[str, str]) -> None:
    (root / "web.env").write_bytes(_long_line())
    run = scan(root, env)
    assert run.rc == 1
    report = run.report()
    long_line = findings(report, "web.env", "EA206")
    assert [(f["location"]["line"], f["severity"]) for f in long_line] == [(2, "error")]
    assert_canary(report)


#: Lines that took quadratic time somewhere in the pipeline; scanned in well under a second
#: when linear, so a scan that outlasts HANG_TIMEOUT is a hang, not a slow machine.
HANG_TIMEOUT = 5
PATHOLOGICAL_LINES = [
    # Once quadratic: redact.py's URL scheme pattern retried at every position of a run.
    pytest.param(b"HEX_BLOB=" + b"x" * 200_000 + b"\n", id="one-alphanumeric-run"),
    # Once quadratic: the loader's inline-comment pattern backtracked over white space.
    pytest.param(b"K=x" + b" " * 150_000 + b"y#\n", id="spaces-then-hash"),
]


@pytest.mark.parametrize("line", PATHOLOGICAL_LINES)
def test_a_pathological_long_line_does_not_hang(root: Path, env: dict[str, str],
                                                line: bytes) -> None:
    (root / ".env").write_bytes(b"A=1\n" + line)
    report = scan(root, env, timeout=HANG_TIMEOUT).report()
    assert [f["location"]["line"] for f in findings(report, ".env", "EA206")] == [2]
    assert_canary(report)


# --------------------------------------------------------------------------- files: skips


def _fifo(root: Path) -> tuple[str, str]:
    os.mkfifo(root / ".env")
    return ".env", "FIFO"


def _folder_named_env(root: Path) -> tuple[str, str]:
    (root / ".env").mkdir()
    (root / ".env" / "dev.env").write_text('INNER="open\n')
    return ".env", "a folder, not a file"


def _dangling_symlink(root: Path) -> tuple[str, str]:
    (root / ".env").symlink_to("missing.env")
    return ".env", "dangling symlink to missing.env"


def _symlink_loop(root: Path) -> tuple[str, str]:
    (root / ".env").symlink_to(".env")
    return ".env", "symlink loop"


def _symlink_cycle(root: Path) -> tuple[str, str]:
    (root / "a.env").symlink_to("b.env")
    (root / "b.env").symlink_to("a.env")
    return "a.env", "symlink loop"


def _symlink_to_folder(root: Path) -> tuple[str, str]:
    (root / "conf").mkdir()
    (root / ".env").symlink_to("conf", target_is_directory=True)
    return ".env", "a folder"


@pytest.mark.parametrize("make", [_fifo, _folder_named_env, _dangling_symlink, _symlink_loop,
                                  _symlink_cycle, _symlink_to_folder],
                         ids=lambda f: f.__name__.strip("_"))
def test_unreadable_name_is_one_skipped_line(root: Path, env: dict[str, str],
                                             make: Callable[[Path], tuple[str, str]]) -> None:
    path, words = make(root)
    run = scan(root, env)
    report = run.report()
    reasons = skipped(report, path)
    assert len(reasons) == 1 and words in reasons[0], report["skipped"]
    assert_canary(report)
    text = scan_text(root, env)
    assert f"  {path}: {reasons[0]}" in text.stdout.splitlines()


def test_files_inside_a_folder_named_env_are_audited(root: Path, env: dict[str, str]) -> None:
    _folder_named_env(root)
    report = scan(root, env).report()
    assert [f["location"]["line"] for f in findings(report, ".env/dev.env", "EA205")] == [1]


def test_a_virtual_environment_named_env_is_ignored(root: Path, env: dict[str, str]) -> None:
    venv = root / ".env"
    (venv / "lib" / "site").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / ".env").write_bytes(b"\xff\xfe\x00\x00")
    (venv / "lib" / "site" / "pkg.env").write_text('X="open\n')
    report = assert_only_canary(scan(root, env))
    assert report["skipped"] == []


def test_a_directory_symlink_loop_does_not_hang(root: Path, env: dict[str, str]) -> None:
    (root / "a").symlink_to(".", target_is_directory=True)
    (root / "ok" / "up").symlink_to("..", target_is_directory=True)
    report = assert_only_canary(scan(root, env))
    assert report["skipped"] == []


@pytest.mark.parametrize("name", ["pyproject.toml", "requirements.txt", "package.json",
                                  "Pipfile", "envaudit.toml"])
def test_a_fifo_named_like_a_manifest_or_config_does_not_hang(
        root: Path, env: dict[str, str], name: str) -> None:
    os.mkfifo(root / name)
    assert_only_canary(scan(root, env))


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif"])
def test_odd_file_names_in_every_format(root: Path, env: dict[str, str], fmt: str) -> None:
    (root / os.fsdecode(b"caf\xe9.env")).write_text('A="open\n')   # not UTF-8
    (root / "new\nline.env").write_text('A="open\n')               # a newline in the name
    run = run_cli(["scan", str(root), "--no-process-env", "--format", fmt, "--no-color"],
                  cwd=root.parent, env=env)
    assert (run.rc, run.stderr) == (0, "")
    if fmt == "text":
        lines = run.stdout.splitlines()
        assert "  caf\\xe9.env:1  EA205 dotenv-invalid-line" in lines
        assert "  new\\nline.env:1  EA205 dotenv-invalid-line" in lines
    if fmt == "json":
        assert {f["location"]["path"] for f in run.report()["findings"]} == {
            "caf\\xe9.env", "new\\nline.env", "ok/.env"}


# --------------------------------------------------------------------------- --env-file


def test_env_file_that_is_a_fifo_does_not_hang(root: Path, env: dict[str, str]) -> None:
    os.mkfifo(root.parent / "pipe.env")
    run = scan(root, env, "--env-file", str(root.parent / "pipe.env"))
    if run.rc == 2:   # refused as a usage error ...
        assert "pipe.env" in run.error_line()
        return
    report = run.report()   # ... or read as a skip
    reasons = skipped(report, str(root.parent / "pipe.env"))
    assert len(reasons) == 1 and "FIFO" in reasons[0]
    assert_canary(report)


@pytest.mark.parametrize("target", ["folder", "missing"])
def test_env_file_that_is_not_a_file_is_a_usage_error(root: Path, env: dict[str, str],
                                                      target: str) -> None:
    path = root.parent / target
    if target == "folder":
        path.mkdir()
    line = scan(root, env, "--env-file", str(path)).error_line()
    assert str(path) in line


def test_env_file_in_the_config_that_is_a_fifo(root: Path, env: dict[str, str]) -> None:
    os.mkfifo(root / "pipe.env")
    (root / "pyproject.toml").write_text('[tool.envaudit]\nenv-files = ["pipe.env"]\n')
    run = scan(root, env)
    if run.rc == 2:
        assert "pipe.env" in run.error_line()
        return
    report = run.report()
    reasons = skipped(report, "pipe.env")
    assert len(reasons) == 1 and "FIFO" in reasons[0]
    assert_canary(report)


# --------------------------------------------------------------------------- usage errors


def test_path_missing(tmp_path: Path, env: dict[str, str]) -> None:
    run = run_cli(["scan", str(tmp_path / "nope")], cwd=tmp_path, env=env)
    assert "no such file or folder" in run.error_line()


def test_path_is_a_file(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / ".env").write_text("A=1\n")
    run = run_cli(["scan", str(tmp_path / ".env")], cwd=tmp_path, env=env)
    assert "not a folder" in run.error_line()


MALFORMED_CONFIGS = {
    "bad-toml": "[tool.envaudit\nselect = 1\n",
    "not-utf-8": "[tool.envaudit]\nselect = ['EA1']\n# caf\xe9\n",
    "select-not-a-list": "[tool.envaudit]\nselect = 3\n",
    "list-of-numbers": "[tool.envaudit]\nignore = [1, 2]\n",
    "unknown-key": "[tool.envaudit]\nsellect = ['EA1']\n",
    "bad-fail-on": "[tool.envaudit]\nfail-on = 'sometimes'\n",
    "unknown-rule": "[tool.envaudit]\nselect = ['EA999']\n",
    "not-a-table": "[tool]\nenvaudit = 3\n",
    "env-files-not-a-list": "[tool.envaudit]\nenv-files = {a = 1}\n",
}


@pytest.mark.parametrize("content", MALFORMED_CONFIGS.values(), ids=MALFORMED_CONFIGS.keys())
def test_malformed_tool_envaudit(root: Path, env: dict[str, str], content: str) -> None:
    data = content.encode("latin-1") if "\xe9" in content else content.encode()
    (root / "pyproject.toml").write_bytes(data)
    line = scan(root, env).error_line()
    assert "pyproject.toml" in line


def test_malformed_config_given_with_config(root: Path, env: dict[str, str]) -> None:
    (root.parent / "ci.toml").write_text("select = [\n")
    line = scan(root, env, "--config", str(root.parent / "ci.toml")).error_line()
    assert "ci.toml" in line


# --------------------------------------------------------------------------- everything at once


def _build_everything(root: Path) -> None:
    bad = root / "bad"
    bad.mkdir()
    for name, data, *_ in ENCODING_CASES:
        (bad / f"{name}.env").write_bytes(data)
    for make in (_fifo, _folder_named_env, _dangling_symlink):
        sub = root / make.__name__.strip("_")
        sub.mkdir()
        make(sub)
    (root / "loop").mkdir()
    _symlink_cycle(root / "loop")
    (root / "a").symlink_to(".", target_is_directory=True)


def test_every_bad_input_at_once(root: Path, env: dict[str, str]) -> None:
    _build_everything(root)
    run = scan(root, env)
    assert run.rc == 1
    report = run.report()
    assert_canary(report)
    for name, _, line, *_ in ENCODING_CASES:
        ea206 = findings(report, f"bad/{name}.env", "EA206")
        assert [f["location"].get("line") for f in ea206] == [line], name
    assert {s["path"] for s in report["skipped"]} == {
        "fifo/.env", "folder_named_env/.env", "dangling_symlink/.env", "loop/a.env",
        "loop/b.env"}
    text = scan_text(root, env)
    assert text.rc == 1
    lines = text.stdout.splitlines()
    assert f"skipped ({len(report['skipped'])})" in lines
    for s in report["skipped"]:
        assert f"  {s['path']}: {s['reason']}" in lines


def test_every_bad_input_at_once_in_process(root: Path, runner: Any) -> None:
    from envaudit.cli import main

    _build_everything(root)

    def alarm(signum: int, frame: object) -> None:
        raise TimeoutError("the scan blocked")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(TIMEOUT)
    try:
        result = runner.invoke(main, ["scan", str(root), "--no-process-env", "--format", "json"])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert_canary(report)
    assert len(report["skipped"]) == 5


# --------------------------------------------------------------------------- unreadable


@dataclass
class Unprivileged:
    """How to run the CLI so that permission bits stop it, and where it can work."""

    how: str
    """``non-root``, ``nobody`` or ``no-dac-caps``."""
    preexec: Callable[[], None] | None
    base: Path
    """A folder the unprivileged process can traverse."""


def _drop_to_nobody() -> Callable[[], None] | None:
    import pwd

    try:
        pw = pwd.getpwnam("nobody")
    except KeyError:
        return None

    def preexec() -> None:
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)

    return preexec


def _drop_dac_capabilities() -> Callable[[], None] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    pr_capbset_drop, cap_dac_override, cap_dac_read_search = 24, 1, 2

    def preexec() -> None:
        # Root keeps its uid but loses the capabilities that bypass permission bits: after
        # exec, root's capabilities are its bounding set.
        for cap in (cap_dac_override, cap_dac_read_search):
            if prctl(pr_capbset_drop, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")

    return preexec


def _works(preexec: Callable[[], None] | None, base: Path) -> bool:
    """The CLI can start this way, and a mode-000 file stops it."""
    probe = base / "probe"
    probe.write_text("x")
    probe.chmod(0)
    code = (f"import envaudit.cli\ntry:\n    open({str(probe)!r}).read()\n"
            "except PermissionError:\n    raise SystemExit(7)\n")
    try:
        proc = subprocess.run([sys.executable, "-c", code], cwd=str(base), capture_output=True,
                              timeout=TIMEOUT, preexec_fn=preexec, check=False,
                              env={"HOME": str(base), "PATH": os.environ.get("PATH", "")})
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        probe.unlink()
    return proc.returncode == 7


def _choose(base: Path) -> Unprivileged | None:
    if os.geteuid() != 0:
        return Unprivileged("non-root", None, base)
    for how, make in (("nobody", _drop_to_nobody), ("no-dac-caps", _drop_dac_capabilities)):
        preexec = make()
        if preexec is not None and _works(preexec, base):
            return Unprivileged(how, preexec, base)
    return None


@pytest.fixture(scope="module")
def unprivileged() -> Iterator[Unprivileged]:
    base = Path(tempfile.mkdtemp(prefix="envaudit-bad-input-"))
    base.chmod(0o755)   # traversable by nobody (pytest's own tmp folders are not)
    try:
        chosen = _choose(base)
        if chosen is None:
            pytest.skip("running as root and cannot drop privileges (no nobody user able to "
                        "run this interpreter, no CAP_SETPCAP)")
        yield chosen
    finally:
        for folder, dirs, _ in os.walk(base):
            for d in dirs:
                os.chmod(os.path.join(folder, d), 0o755)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def uroot(unprivileged: Unprivileged, request: pytest.FixtureRequest) -> Iterator[Path]:
    """A canary project the unprivileged process can read, in a folder it can traverse."""
    project = unprivileged.base / request.node.name.replace("[", "-").replace("]", "")
    (project / "ok").mkdir(parents=True)
    (project / "ok" / ".env").write_text(CANARY)
    for path in (project, project / "ok"):
        path.chmod(0o755)
    (project / "ok" / ".env").chmod(0o644)
    yield project


@pytest.fixture
def uenv(env: dict[str, str], unprivileged: Unprivileged) -> dict[str, str]:
    return dict(env, HOME=str(unprivileged.base))


def test_an_unreadable_file(uroot: Path, uenv: dict[str, str],
                            unprivileged: Unprivileged) -> None:
    locked = uroot / ".env"
    locked.write_text("ANTHROPIC_API_KEY=sk-ant-api03-secret\n")
    locked.chmod(0)
    run = scan(uroot, uenv, preexec=unprivileged.preexec)
    report = run.report()
    assert skipped(report, ".env") == ["not readable: Permission denied"], unprivileged.how
    assert_canary(report)
    assert run.rc == 0


def test_an_unreadable_folder(uroot: Path, uenv: dict[str, str],
                              unprivileged: Unprivileged) -> None:
    locked = uroot / "locked"
    locked.mkdir()
    (locked / ".env").write_text("A=1\n")
    locked.chmod(0)
    run = scan(uroot, uenv, preexec=unprivileged.preexec)
    report = run.report()
    assert skipped(report, "locked") == ["folder not readable: Permission denied"]
    assert_canary(report)
    assert run.rc == 0


def test_an_unreadable_env_file_given_with_env_file(uroot: Path, uenv: dict[str, str],
                                                    unprivileged: Unprivileged) -> None:
    locked = uroot / "deploy.env"
    locked.write_text("A=1\n")
    locked.chmod(0)
    run = scan(uroot, uenv, "--env-file", str(locked), preexec=unprivileged.preexec)
    if run.rc == 2:
        assert "deploy.env" in run.error_line()
        return
    report = run.report()
    assert skipped(report, "deploy.env") == ["not readable: Permission denied"]
    assert_canary(report)


@pytest.mark.parametrize("mode", [
    pytest.param(0o311, id="no-read"),
    pytest.param(0o000, id="no-access"),
])
def test_an_unreadable_root_is_one_line_and_exit_2(uroot: Path, uenv: dict[str, str],
                                                   unprivileged: Unprivileged, mode: int) -> None:
    uroot.chmod(mode)
    try:
        run = scan(uroot, uenv, preexec=unprivileged.preexec)
    finally:
        uroot.chmod(0o755)
    line = run.error_line()
    assert str(uroot) in line and "ermission denied" in line


def test_unreadable_pyproject(uroot: Path, uenv: dict[str, str],
                              unprivileged: Unprivileged) -> None:
    config = uroot / "pyproject.toml"
    config.write_text("[tool.envaudit]\nselect = ['EA2']\n")
    config.chmod(0)
    line = scan(uroot, uenv, preexec=unprivileged.preexec).error_line()
    assert "pyproject.toml" in line

