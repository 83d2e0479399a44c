"""``envaudit.processes`` and ``envaudit ps``: real processes, read through ``/proc`` and
through psutil, never a secret in the output.

Every process here is a real child (``tests/processes.py``) started with a chosen environment
and command line; the zombie is a real child that has exited and is not reaped yet. Another
user's processes are read as ``nobody`` (when the tests run as root: ``setpriv``, else a
forked child that drops to that user), so access denied is real too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import as_nobody, exited_pid, running, zombie

from envaudit import processes, ps_format
from envaudit.processes import (
    DENIED,
    EXITED,
    ZOMBIE,
    ProcessList,
    find_app_processes,
    list_processes,
    program,
)
from envaudit.redact import hint, value_fp

KEY = "sk-ant-api03-" + "Proc3ss_" * 11 + "abcde" + "AA"
ARGV_KEY = "sk-ant-api03-" + "Argv9Key" * 11 + "cdefg" + "AA"
REPO = Path(__file__).resolve().parent.parent
LINUX = sys.platform.startswith("linux") and os.path.exists("/proc/self/environ")
BACKENDS = ["proc", "psutil"] if LINUX else ["psutil"]


def _row(plist: ProcessList, pid: int) -> processes.ProcessRow | None:
    return next((r for r in plist.rows if r.pid == pid), None)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_process_with_a_provider_variable_is_listed_with_hints(backend: str) -> None:
    env = {"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": "https://gw.example.com",
           "UNRELATED": "x"}
    before = time.time()
    with running(env, ["app.py", "--workers", "2"]) as pid:
        plist, secrets = list_processes(backend_name=backend)
    row = _row(plist, pid)
    assert row is not None
    assert [(v.name, v.shown, v.secret) for v in row.variables] == [
        ("ANTHROPIC_API_KEY", hint(KEY), True),
        ("ANTHROPIC_BASE_URL", "https://gw.example.com", False)]
    assert row.variables[0].value_fp == value_fp(KEY)
    assert row.command == f"{sys.executable} -c {_sleep()} app.py --workers 2"
    assert row.name.startswith("python") and row.ppid == os.getpid()
    assert row.user and row.started is not None and before - 2 <= row.started <= time.time()
    assert row.command_secrets == ()
    assert KEY in secrets  # the self-check knows every value read
    assert plist.backend == backend and plist.read > 0


def _sleep() -> str:
    from processes import SLEEP

    return SLEEP


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_credential_in_the_command_line_alone_lists_the_process(backend: str) -> None:
    with running({"HOME": "/home/app"}, ["app.py", "--api-key", ARGV_KEY]) as pid, \
            running({"HOME": "/home/app"}, ["app.py", "--workers", "2"]) as plain:
        plist, secrets = list_processes(backend_name=backend)
    row = _row(plist, pid)
    assert row is not None and row.variables == ()
    assert [(s.index, s.kind, s.hint) for s in row.command_secrets] == [
        (5, "option-value", hint(ARGV_KEY))]
    assert ARGV_KEY not in row.command and hint(ARGV_KEY) in row.command
    assert ARGV_KEY in secrets
    assert _row(plist, plain) is None
    assert ps_format.exit_code(plist, "error") == 1
    assert ps_format.exit_code(plist, "never") == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_all_lists_every_process_read(backend: str) -> None:
    with running({"HOME": "/home/app"}) as pid:
        default, _ = list_processes(backend_name=backend)
        everything, _ = list_processes(everything=True, backend_name=backend)
    assert _row(default, pid) is None
    row = _row(everything, pid)
    assert row is not None and row.variables == ()
    assert os.getpid() not in {r.pid for r in everything.rows}  # envaudit itself: never


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_shell_behind_a_proxy_is_not_a_provider_process(backend: str) -> None:
    """Proxy and CA variables alone (every shell of a machine behind a proxy has them) do not
    list a process; with a provider variable beside them, all are shown."""
    ambient = {"HTTPS_PROXY": "http://proxy.internal:3128", "SSL_CERT_FILE": "/etc/ca.pem",
               "CLAUDECODE": "1", "CLAUDE_CODE_ENTRYPOINT": "cli"}
    with running(ambient) as shell, running({**ambient, "ANTHROPIC_MODEL": "claude-opus-4-6"}
                                            ) as app:
        default, _ = list_processes(backend_name=backend)
        everything, _ = list_processes(everything=True, backend_name=backend)
    assert _row(default, shell) is None
    assert _row(everything, shell) is not None
    row = _row(default, app)
    assert row is not None
    assert {v.name for v in row.variables} >= {"ANTHROPIC_MODEL", "HTTPS_PROXY",
                                               "SSL_CERT_FILE"}


@pytest.mark.skipif(not LINUX, reason="the two readers are compared where /proc exists")
def test_the_proc_and_psutil_readers_agree() -> None:
    with running({"ANTHROPIC_API_KEY": KEY}) as a, \
            running({"ANTHROPIC_MODEL": "claude-sonnet-4-6", "HTTPS_PROXY": "http://u:pw123456@p:3128"},
                    ["--token", ARGV_KEY]) as b, \
            running({"HOME": "/x"}, ["app.py", "--api-key", ARGV_KEY]) as c, zombie():
        fast, _ = list_processes(backend_name="proc")
        slow, _ = list_processes(backend_name="psutil")
    for pid in (a, b, c):
        assert _row(fast, pid) == _row(slow, pid) is not None
    assert fast.unreadable[ZOMBIE] == slow.unreadable[ZOMBIE] >= 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_zombie_is_counted_never_listed(backend: str) -> None:
    with zombie() as pid:
        plist, _ = list_processes(everything=True, backend_name=backend)
    assert _row(plist, pid) is None
    assert plist.unreadable[ZOMBIE] >= 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_process_that_exits_before_it_is_read_is_counted(backend: str) -> None:
    reader = processes.backend(backend)
    try:
        gone = exited_pid()
        assert list(reader.environs([gone])) == [(gone, EXITED)]
        assert reader.details(gone) == EXITED
        assert reader.argv(gone) is None and reader.cwd(gone) is None
    finally:
        reader.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_processes_exiting_while_the_table_is_read_never_break_it(backend: str) -> None:
    """Short-lived children with a provider variable come and go while the table is read
    again and again: each is listed, counted as exited, or missed; nothing raises."""
    env = {**os.environ, "ANTHROPIC_API_KEY": KEY}
    children: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(10):
            children += [subprocess.Popen(["sleep", f"0.0{i % 5}"], env=env)
                         for i in range(20)]
            plist, _ = list_processes(backend_name=backend)
            assert plist.read > 0
            for row in plist.rows:
                assert KEY not in row.command
    finally:
        for child in children:
            child.wait()


def _as_nobody(backend: str) -> tuple[str, str]:
    """``envaudit ps`` as JSON and as text, computed by a forked child that became the user
    nobody (the modules are imported before the fork: nobody may not read them)."""
    import psutil  # noqa: F401 - imported for the child

    def listing() -> str:
        plist, _ = list_processes(backend_name=backend)
        text = ps_format.render(plist, "text", ps_format.PsRender())
        return json.dumps([ps_format.render_json(plist), text])

    said = as_nobody(listing)
    if not said.startswith("["):  # what the child raised
        said = json.dumps([said, ""])
    raw, text = json.loads(said)
    return raw, text


@pytest.mark.skipif(not hasattr(os, "fork") or os.geteuid() != 0,
                    reason="needs root (and fork) to become another user")
@pytest.mark.parametrize("backend", BACKENDS)
def test_another_user_s_processes_are_counted_as_access_denied(backend: str) -> None:
    with running({"ANTHROPIC_API_KEY": KEY}) as pid:
        raw, text = _as_nobody(backend)
    report = json.loads(raw)
    assert report["unreadable"][DENIED] >= 1
    assert pid not in {p["pid"] for p in report["processes"]}
    denied = report["unreadable"][DENIED]
    noun = "process" if denied == 1 else "processes"
    assert (f"{denied:,} {noun} could not be read (access denied): run as root or as their "
            "user.") in text.splitlines()
    assert KEY not in raw + text


# --------------------------------------------------------------------------- --pid auto


@pytest.mark.parametrize("argv, expected", [
    (["/usr/bin/python3.11", "app.py"], ("python", "python3.11")),
    (["python3", "/srv/app/.venv/bin/gunicorn", "app:app"], ("gunicorn", "gunicorn")),
    (["gunicorn: master [app:app]"], ("gunicorn", "gunicorn")),
    (["/usr/local/bin/uvicorn", "main:app"], ("uvicorn", "uvicorn")),
    (["node", "server.js"], ("node", "node")),
    (["celery", "-A", "tasks", "worker"], ("celery", "celery")),
    (["npm", "start"], ("npm", "npm")),
    (["/bin/bash", "run.sh"], ("bash", "bash")),
    ([], ("", "")),
])
def test_program(argv: list[str], expected: tuple[str, str]) -> None:
    assert program(argv) == expected


@pytest.fixture
def app_root(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "app"
    (root / "src").mkdir(parents=True)
    yield root


@pytest.mark.parametrize("backend", BACKENDS)
def test_auto_picks_app_processes_in_the_audited_folder(app_root: Path, tmp_path: Path,
                                                        backend: str) -> None:
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    script = app_root / "src" / "main.py"
    with running({"A": "1"}, cwd=app_root) as by_cwd, \
            running({"A": "1"}, [str(script)], cwd=elsewhere) as by_path, \
            running({"A": "1"}, cwd=elsewhere) as unrelated:
        picked = find_app_processes(str(app_root), backend_name=backend)
    assert picked.get(by_cwd) == f"{Path(sys.executable).name} whose working folder is the " \
                                 "audited folder"
    assert picked.get(by_path) == (f"{Path(sys.executable).name} whose command line names "
                                   "src/main.py")
    assert unrelated not in picked
    assert os.getpid() not in picked and os.getppid() not in picked


@pytest.mark.parametrize("backend", BACKENDS)
def test_auto_leaves_out_the_children_of_a_process_picked(app_root: Path, backend: str) -> None:
    """A server's workers start from its environment: the master alone is picked."""
    code = ("import subprocess, sys, time; "
            "c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
            "print(c.pid, flush=True); time.sleep(60)")
    master = subprocess.Popen([sys.executable, "-c", code], cwd=app_root,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert master.stdout is not None
        worker = int(master.stdout.readline())
        picked = find_app_processes(str(app_root), backend_name=backend)
        import psutil

        psutil.Process(worker).kill()
    finally:
        master.kill()
        master.wait()
    assert master.pid in picked and worker not in picked


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_command_line_that_names_the_provider_without_a_secret_is_not_listed(
        backend: str) -> None:
    """``grep ANTHROPIC_API_KEY .env`` names a provider variable but holds no secret."""
    with running({"HOME": "/home/app"}, ["grep", "ANTHROPIC_API_KEY", ".env"]) as pid, \
            running({"HOME": "/home/app"}, ["env", f"ANTHROPIC_API_KEY={KEY}"]) as shown:
        plist, _ = list_processes(backend_name=backend)
    assert _row(plist, pid) is None
    row = _row(plist, shown)
    assert row is not None and [s.kind for s in row.command_secrets] == ["assignment"]
