"""Real processes for the ``--pid`` tests: started with a chosen environment, killed after."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import psutil

#: What the sleeping processes run (``python -c SLEEP ARGS...``).
SLEEP = "import time; time.sleep(120)"


@contextmanager
def running(environ: Mapping[str, str | bytes], args: Sequence[str] = (),
            cwd: str | os.PathLike[str] | None = None) -> Iterator[int]:
    """The pid of a real process that sleeps with exactly ``environ`` (values may be bytes;
    ``PATH`` is added when missing), killed on exit; it runs ``python -c SLEEP *args`` in
    ``cwd`` (its command line's argument 3 is ``args[0]``)."""
    env = {k.encode(): v if isinstance(v, bytes) else v.encode() for k, v in environ.items()}
    env.setdefault(b"PATH", os.environ.get("PATH", "/usr/bin:/bin").encode())
    proc = subprocess.Popen([sys.executable, "-c", SLEEP, *args], env=env, cwd=cwd)
    try:
        # Popen returns when exec has closed the error pipe, which Linux does before it sets up
        # the new environment: /proc/PID/environ reads empty for a moment (measured)
        deadline = time.monotonic() + 10
        while "PATH" not in psutil.Process(proc.pid).environ():
            if time.monotonic() > deadline:
                raise RuntimeError("the child's environment never appeared")
            time.sleep(0.005)
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


def exited_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@contextmanager
def zombie() -> Iterator[int]:
    """The pid of a real zombie: a child that has exited and that nobody has reaped yet (it is
    reaped on exit)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 10
        while psutil.Process(proc.pid).status() != psutil.STATUS_ZOMBIE:
            if time.monotonic() > deadline:
                raise RuntimeError("the child never became a zombie")
            time.sleep(0.01)
        yield proc.pid
    finally:
        proc.wait()


def as_nobody(work: Callable[[], str]) -> str:
    """What ``work`` returns when run by a forked child that became the user nobody (or the
    ``repr`` of what it raised): how the tests read processes as another user would. Needs
    root and ``fork``; import what ``work`` uses first (nobody may not read the modules)."""
    import pwd

    nobody = pwd.getpwnam("nobody")
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child process
        try:
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            said = work()
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            said = repr(exc)
        finally:
            os.write(write_end, said.encode())
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        said = reader.read().decode()
    os.waitpid(child, 0)
    return said
