#!/usr/bin/env python3
"""Time one envaudit command under two source trees, interleaved: what a change costs.

    git archive BASE envaudit | tar -x -C /tmp/ab/base      # the tree before the change
    git archive HEAD envaudit | tar -x -C /tmp/ab/head      # and after
    python benchmarks/ab.py /tmp/ab/base /tmp/ab/head -- scan --no-process-env {small}

Each repetition runs the command once with ``PYTHONPATH`` set to each tree (``python -m
envaudit ARGS``), alternating which goes first, so both see the same machine load; the report
gives both medians, their difference and ratio, and the spread (quartiles). ``{small}``,
``{medium}`` and ``{large}`` stand for the trees ``bench.py`` generated (same cache folder:
``--tree-dir``). Both trees are byte-compiled first. Every command runs with
``ENVAUDIT_OFFLINE=1``; exit codes 0 and 1 are accepted. Standard library only.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def default_tree_dir() -> Path:
    """Where ``bench.py`` keeps its generated trees."""
    return Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "envaudit-bench"


def run_once(tree: Path, args: list[str]) -> float:
    """Seconds taken by ``python -m envaudit ARGS`` with ``tree`` first on the path."""
    env = {**os.environ, "PYTHONPATH": str(tree), "ENVAUDIT_OFFLINE": "1",
           "PYTHONDONTWRITEBYTECODE": "1"}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "envaudit", *args], env=env, cwd=tree,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{tree}: exit {proc.returncode}: "
                         f"{proc.stderr.decode(errors='replace')[-2000:]}")
    return seconds


def quartiles(samples: list[float]) -> tuple[float, float, float]:
    """Lower quartile, median, upper quartile, in milliseconds."""
    q1, q2, q3 = statistics.quantiles(samples, n=4) if len(samples) > 1 else samples * 3
    return q1 * 1000, q2 * 1000, q3 * 1000


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the interleaved samples, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", type=Path, help="source tree holding envaudit/ (before)")
    parser.add_argument("head", type=Path, help="source tree holding envaudit/ (after)")
    parser.add_argument("args", nargs="+", help="envaudit's arguments (after --)")
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--tree-dir", type=Path, default=default_tree_dir())
    opts = parser.parse_args(argv)
    trees = {f"{{{size}}}": str(opts.tree_dir / size) for size in ("small", "medium", "large")}
    args = [trees.get(a, a) for a in opts.args]
    for tree in (opts.base, opts.head):
        if not (tree / "envaudit" / "__init__.py").is_file():
            parser.error(f"{tree}: no envaudit/ package there")
        compileall.compile_dir(str(tree / "envaudit"), quiet=1)
    samples: dict[Path, list[float]] = {opts.base: [], opts.head: []}
    for i in range(opts.warmup + opts.repeat):
        order = (opts.base, opts.head) if i % 2 == 0 else (opts.head, opts.base)
        for tree in order:
            seconds = run_once(tree, args)
            if i >= opts.warmup:
                samples[tree].append(seconds)
    base, head = quartiles(samples[opts.base]), quartiles(samples[opts.head])
    print(f"command: python -m envaudit {' '.join(args)}  ({opts.repeat} interleaved runs)")
    print("| tree | median | quartiles |")
    print("| --- | --- | --- |")
    for name, (q1, q2, q3) in (("base", base), ("head", head)):
        print(f"| {name} | {q2:.1f} ms | {q1:.1f}-{q3:.1f} ms |")
    print(f"head - base: {head[1] - base[1]:+.1f} ms (ratio {head[1] / base[1]:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
