"""Real processes for the ``--pid`` tests: started with a chosen environment, killed after."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager


@contextmanager
def running(environ: Mapping[str, str | bytes]) -> Iterator[int]:
    """The pid of a real process that sleeps with exactly ``environ`` (values may be bytes;
    ``PATH`` is added when missing), killed on exit."""
    env = {k.encode(): v if isinstance(v, bytes) else v.encode() for k, v in environ.items()}
    env.setdefault(b"PATH", os.environ.get("PATH", "/usr/bin:/bin").encode())
    # Popen returns once exec has succeeded: the process already has ``env``
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], env=env)
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


def exited_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid
