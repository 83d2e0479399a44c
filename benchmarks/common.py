"""What the single-command benchmarks share (``bench_ps.py``, ``bench_probe.py``): how
envaudit is started and how one run is timed. Standard library only; imported by name, as the
scripts run from this folder (``python benchmarks/bench_ps.py``)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def launcher(kind: str) -> list[str]:
    """The command that starts envaudit: the console script next to the interpreter
    (``auto`` when there is one, or ``script``), else ``python -m envaudit``."""
    script = Path(sys.executable).with_name("envaudit")
    if kind == "script" or (kind == "auto" and script.is_file()):
        return [str(script)]
    return [sys.executable, "-m", "envaudit"]


def time_command(argv: list[str], env: dict[str, str], ok: tuple[int, ...]) -> float:
    """Wall-clock milliseconds of one run of ``argv``; ``RuntimeError`` (with the end of its
    standard error) when it exits with a status not in ``ok``."""
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, env=env, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: "
                           f"{proc.stderr.decode(errors='replace')[-500:]}")
    return elapsed
