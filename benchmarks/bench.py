#!/usr/bin/env python3
"""Benchmark harness for envaudit: start-up time, scan time and peak memory.

Usage::

    python benchmarks/bench.py [--sizes small,medium,large] [--repeat 15] [--warmup 2]
                               [--tree-dir DIR] [--seed N] [--regenerate]
                               [--launcher auto|module|script] [--json FILE]

What it does:

1. generates the synthetic trees (``benchmarks/gen_tree.py``) into a cache
   directory, ``${TMPDIR:-/tmp}/envaudit-bench`` by default, reusing a tree whose
   stored manifest matches (same generator version, size and seed);
2. times, with warm-up runs first and the subject and its baseline interleaved in
   every repetition (so ratios compare runs made under the same conditions):

   * ``python -m envaudit --version`` and the ``envaudit`` console script found
     next to ``sys.executable`` against a minimal Click hello-world run by the
     same interpreter (goal: ratio <= 1.3);
   * ``envaudit scan --no-process-env --format json -o /dev/null TREE`` against a
     prune-aware ``find`` over the same tree (goals: large ratio <= 1.3, small
     median <= 60 ms);
   * the peak RSS of the scan (``os.wait4`` on the child; goal on the large tree:
     <= 40 MiB);

3. prints Markdown tables and, with ``--json FILE``, writes every sample as JSON.

The baseline ``find`` prunes ``.git``, ``node_modules``, ``__pycache__`` and
``site-packages`` by name; "directory containing pyvenv.cfg" cannot be expressed
in find without forking ``test`` once per directory, so it is not pruned (only
the few files of a virtualenv outside site-packages are visited).

The harness always exits 0: it reports, it does not gate CI.  A command that
cannot start or exits with an unexpected status is reported as an error.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
SIZES = ("small", "medium", "large")

VERSION_RATIO_GOAL = 1.3
SCAN_RATIO_GOAL = 1.3  # large tree
SMALL_SCAN_MS_GOAL = 60.0
LARGE_RSS_MIB_GOAL = 40.0

HELLO_SOURCE = '''"""Minimal Click CLI: the start-up baseline for envaudit --version."""
import click


@click.command()
@click.version_option("1.0.0", prog_name="hello")
def main() -> None:
    """Say hello."""
    click.echo("hello")


if __name__ == "__main__":
    main()
'''


def load_gen_tree() -> ModuleType:
    """Import ``gen_tree.py`` from this folder without touching ``sys.path``."""
    spec = importlib.util.spec_from_file_location("envaudit_bench_gen_tree", HERE / "gen_tree.py")
    if spec is None or spec.loader is None:
        raise ImportError("cannot load gen_tree.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while executing it
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------
# trees


def default_tree_dir() -> Path:
    """``${TMPDIR:-/tmp}/envaudit-bench``."""
    return Path(os.environ.get("TMPDIR") or "/tmp") / "envaudit-bench"


def ensure_tree(
    gen: ModuleType, cache: Path, size: str, seed: int, regenerate: bool
) -> dict[str, object]:
    """Return the manifest of the cached ``size`` tree, generating it when needed."""
    root = cache / size
    manifest_path = cache / f"{size}.manifest.json"
    if not regenerate and manifest_path.is_file() and (root / ".git").is_dir():
        manifest: dict[str, object] = {}
        try:
            loaded = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = None
        if isinstance(loaded, dict):
            manifest = loaded
        if (
            manifest.get("generator_version") == gen.GENERATOR_VERSION
            and manifest.get("size") == size
            and manifest.get("seed") == seed
            and manifest.get("root") == str(root)
        ):
            manifest["reused"] = True
            return manifest
    cache.mkdir(parents=True, exist_ok=True)
    manifest_path.unlink(missing_ok=True)
    log(f"generating the {size} tree in {root} ...")
    manifest = dict(gen.generate(size, str(root), seed=seed, force=True))
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    log(
        f"  {manifest['files']} files, {manifest['dotenv_files']} dotenv files, "
        f"{manifest['seconds']} s"
    )
    manifest["reused"] = False
    return manifest


# ---------------------------------------------------------------------------
# running commands


@dataclass
class RunResult:
    """One execution of a command."""

    seconds: float
    returncode: int | None
    maxrss_kib: int
    stderr: str = ""
    error: str = ""


# Linux charges the address space a child is spawned from (the parent's, up to
# the exec) to the child's ru_maxrss, so a child of this harness would never
# report less than the harness's own peak RSS.  Commands are therefore started
# by a tiny runner process (python -S -E, a few MiB) that times them and reads
# their rusage with os.wait4; the harness talks to it over a pipe.
RUNNER_SOURCE = r"""
import os, sys, time
err_path = sys.argv[1]
actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
           (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
           (os.POSIX_SPAWN_OPEN, 2, err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)]
for line in sys.stdin.buffer:
    argv = [os.fsdecode(a) for a in line.rstrip(b"\n").split(b"\0")]
    start = time.perf_counter()
    try:
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
    except OSError as exc:
        reply = "E\t" + " ".join(str(exc).split())
    else:
        _, status, usage = os.wait4(pid, 0)
        elapsed = time.perf_counter() - start
        reply = "%d\t%.9f\t%d" % (os.waitstatus_to_exitcode(status), elapsed, usage.ru_maxrss)
    sys.stdout.write(reply + "\n")
    sys.stdout.flush()
"""


class Runner:
    """A small long-lived process that runs commands and reports time and peak RSS."""

    def __init__(self, env: dict[str, str], cwd: str) -> None:
        self.err_path = os.path.join(cwd, "stderr.txt")
        self.proc = subprocess.Popen(
            [sys.executable, "-S", "-E", "-c", RUNNER_SOURCE, self.err_path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=cwd,
        )

    def run(self, argv: list[str]) -> RunResult:
        """Run ``argv`` once (stdin/stdout on /dev/null); wall time includes the spawn."""
        if any("\n" in a or "\0" in a for a in argv):
            raise ValueError(f"unsupported character in {argv!r}")
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(b"\0".join(os.fsencode(a) for a in argv) + b"\n")
        self.proc.stdin.flush()
        reply = self.proc.stdout.readline().decode("utf-8", "replace").rstrip("\n")
        if not reply:
            raise RuntimeError("the runner process died")
        fields = reply.split("\t")
        if fields[0] == "E":
            return RunResult(0.0, None, 0, error=f"cannot start: {fields[1]}")
        returncode, seconds, maxrss = int(fields[0]), float(fields[1]), int(fields[2])
        stderr = ""
        if returncode != 0:
            with open(self.err_path, encoding="utf-8", errors="replace") as fh:
                stderr = fh.read()[-20_000:]
        return RunResult(seconds, returncode, maxrss, stderr)

    def close(self) -> None:
        """Stop the runner."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.proc.wait()


@dataclass
class Command:
    """A command under test (or a baseline) and the samples collected for it."""

    label: str
    argv: list[str]
    ok_codes: tuple[int, ...] = (0,)
    seconds: list[float] = field(default_factory=list)
    maxrss_kib: list[int] = field(default_factory=list)
    error: str = ""
    goal: bool = True
    """The group's goals apply (else the row is for information)."""

    def check(self, result: RunResult) -> bool:
        """Record a failure message unless ``result`` is acceptable."""
        if result.error:
            self.error = result.error
        elif result.returncode not in self.ok_codes:
            tail = "\n".join(result.stderr.strip().splitlines()[-15:])
            self.error = f"exit status {result.returncode}" + (f":\n{tail}" if tail else "")
        return not self.error

    def record(self, result: RunResult) -> None:
        """Keep the timing and memory of an acceptable run."""
        self.seconds.append(result.seconds)
        self.maxrss_kib.append(result.maxrss_kib)

    def median_ms(self) -> float | None:
        """Median wall time in milliseconds (None without samples)."""
        return statistics.median(self.seconds) * 1000 if self.seconds else None

    def summary(self) -> dict[str, object]:
        """A JSON-friendly summary."""
        ms = [s * 1000 for s in self.seconds]
        return {
            "label": self.label,
            "argv": self.argv,
            "error": self.error or None,
            "median_ms": statistics.median(ms) if ms else None,
            "min_ms": min(ms) if ms else None,
            "max_ms": max(ms) if ms else None,
            "samples_ms": [round(v, 3) for v in ms],
            "maxrss_kib": self.maxrss_kib,
        }


@dataclass
class Group:
    """Subjects measured against one baseline in interleaved runs."""

    name: str
    baseline: Command
    subjects: list[Command]
    ratio_goal: float | None = None
    abs_goal_ms: float | None = None
    rss_goal_mib: float | None = None


def measure(group: Group, repeat: int, warmup: int, runner: Runner) -> None:
    """Warm up, then time every command of ``group`` ``repeat`` times, interleaved."""
    commands = [group.baseline, *group.subjects]
    for i in range(max(1, warmup)):  # the first warm-up also checks that commands work
        for cmd in commands:
            if not cmd.error:
                result = runner.run(cmd.argv)
                if i == 0:
                    cmd.check(result)
    live = [cmd for cmd in commands if not cmd.error]
    for rep in range(repeat):
        order = live if rep % 2 == 0 else live[::-1]  # alternate to cancel order effects
        for cmd in order:
            if cmd.error:
                continue
            result = runner.run(cmd.argv)
            if cmd.check(result):
                cmd.record(result)
        log(f"  {group.name}: {rep + 1}/{repeat}", end="\r")
    log("")


# ---------------------------------------------------------------------------
# reporting


def log(message: str, end: str = "\n") -> None:
    """Progress output on stderr."""
    print(message, end=end, file=sys.stderr, flush=True)


def fmt_ms(value: float | None) -> str:
    """A millisecond figure for the table."""
    return "—" if value is None else f"{value:.1f}"


def first_line(text: str) -> str:
    """A one-line, table-safe summary of an error: its first and last lines."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    brief = lines[0] if len(lines) == 1 else f"{lines[0]} {lines[-1]}"
    if len(brief) > 120:
        brief = brief[:117] + "..."
    return brief.replace("|", "\\|")


def group_rows(group: Group) -> tuple[list[list[str]], list[dict[str, object]]]:
    """Markdown rows and JSON records for the timing table."""
    rows: list[list[str]] = []
    records: list[dict[str, object]] = []
    base = group.baseline
    base_med = base.median_ms()
    rows.append(
        [
            f"{base.label} (baseline)",
            fmt_ms(base_med),
            fmt_ms(min(base.seconds) * 1000 if base.seconds else None),
            fmt_ms(max(base.seconds) * 1000 if base.seconds else None),
            "1.00" if base_med else "—",
            "—",
            f"ERROR: {first_line(base.error)}" if base.error else "baseline",
        ]
    )
    records.append({"group": group.name, "role": "baseline", **base.summary()})
    for cmd in group.subjects:
        med = cmd.median_ms()
        ratio = med / base_med if med is not None and base_med else None
        goals: list[str] = []
        verdicts: list[bool] = []
        if group.ratio_goal is not None and cmd.goal:
            goals.append(f"ratio ≤ {group.ratio_goal:g}")
            if ratio is not None:
                verdicts.append(ratio <= group.ratio_goal)
        if group.abs_goal_ms is not None and cmd.goal:
            goals.append(f"median ≤ {group.abs_goal_ms:g} ms")
            if med is not None:
                verdicts.append(med <= group.abs_goal_ms)
        if cmd.error:
            verdict = f"ERROR: {first_line(cmd.error)}"
        elif not goals:
            verdict = "info"
        elif not all(verdicts):
            verdict = "FAIL"
        elif len(verdicts) < len(goals):
            verdict = "n/a (baseline failed)"
        else:
            verdict = "pass"
        rows.append(
            [
                cmd.label,
                fmt_ms(med),
                fmt_ms(min(cmd.seconds) * 1000 if cmd.seconds else None),
                fmt_ms(max(cmd.seconds) * 1000 if cmd.seconds else None),
                "—" if ratio is None else f"{ratio:.2f}",
                ", ".join(goals) or "—",
                verdict,
            ]
        )
        records.append(
            {
                "group": group.name,
                "role": "subject",
                "ratio": ratio,
                "goals": goals,
                "verdict": verdict,
                **cmd.summary(),
            }
        )
    return rows, records


def memory_rows(group: Group) -> tuple[list[list[str]], list[dict[str, object]]]:
    """Markdown rows and JSON records for the peak-RSS table of a scan group."""
    rows: list[list[str]] = []
    records: list[dict[str, object]] = []
    for cmd, is_subject in [(group.baseline, False)] + [(c, True) for c in group.subjects]:
        peak: float | None = None
        median: float | None = None
        if cmd.maxrss_kib:
            peak = max(cmd.maxrss_kib) / 1024
            median = statistics.median(cmd.maxrss_kib) / 1024
        goal = group.rss_goal_mib if is_subject and cmd.goal else None
        if cmd.error:
            verdict = f"ERROR: {first_line(cmd.error)}"
        elif goal is None or peak is None:
            verdict = "info" if is_subject else "baseline"
        else:
            verdict = "pass" if peak <= goal else "FAIL"
        rows.append(
            [
                cmd.label if is_subject else f"{cmd.label} (baseline)",
                "—" if peak is None else f"{peak:.1f}",
                "—" if median is None else f"{median:.1f}",
                "—" if goal is None else f"peak ≤ {goal:g} MiB",
                verdict,
            ]
        )
        records.append(
            {
                "group": group.name,
                "label": cmd.label,
                "peak_mib": peak,
                "median_mib": median,
                "goal_mib": goal,
                "verdict": verdict,
            }
        )
    return rows, records


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# main


def find_console_script() -> Path | None:
    """The ``envaudit`` console script installed next to this interpreter, if any."""
    candidate = Path(sys.executable).parent / "envaudit"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    return None


def find_baseline(tree: Path) -> list[str]:
    """Prune-aware find listing the dotenv files of ``tree``."""
    return [
        "find",
        str(tree),
        "(",
        "-name",
        ".git",
        "-o",
        "-name",
        "node_modules",
        "-o",
        "-name",
        "__pycache__",
        "-o",
        "-name",
        "site-packages",
        ")",
        "-prune",
        "-o",
        "-type",
        "f",
        "(",
        "-name",
        ".env",
        "-o",
        "-name",
        ".env.*",
        "-o",
        "-name",
        "*.env",
        ")",
        "-print",
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description="Benchmark envaudit start-up, scan time and memory on synthetic trees."
    )
    parser.add_argument(
        "--sizes",
        default=",".join(SIZES),
        help="comma-separated tree sizes to scan (default: all three)",
    )
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per command")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs per command first")
    parser.add_argument(
        "--tree-dir",
        type=Path,
        default=default_tree_dir(),
        help="cache of generated trees (default: ${TMPDIR:-/tmp}/envaudit-bench)",
    )
    parser.add_argument("--seed", type=int, default=None, help="generator seed")
    parser.add_argument("--regenerate", action="store_true", help="rebuild cached trees")
    parser.add_argument(
        "--launcher",
        choices=("auto", "module", "script"),
        default="auto",
        help="how to start the scan: console script, python -m, or auto "
        "(script when installed next to the interpreter)",
    )
    parser.add_argument("--skip-version", action="store_true", help="skip the start-up benchmark")
    parser.add_argument("--json", type=Path, help="also write all results to this JSON file")
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s): {', '.join(unknown)} (choose from {', '.join(SIZES)})")
    args.sizes = [s for s in SIZES if s in sizes]
    args.repeat = max(1, args.repeat)
    args.warmup = max(0, args.warmup)
    return args


def bench(args: argparse.Namespace) -> None:
    """Generate trees, run every group and print the report."""
    gen = load_gen_tree()
    seed = gen.DEFAULT_SEED if args.seed is None else args.seed
    cache: Path = args.tree_dir.expanduser().resolve()
    manifests = {size: ensure_tree(gen, cache, size, seed, args.regenerate) for size in args.sizes}

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("LC_ALL", "C.UTF-8")
    py = sys.executable
    script = find_console_script()
    workdir = tempfile.mkdtemp(prefix="envaudit-bench-")
    groups: list[Group] = []
    rss_floor_kib: int | None = None
    try:
        hello = Path(workdir) / "hello.py"
        hello.write_text(HELLO_SOURCE, encoding="utf-8")
        if not args.skip_version:
            subjects = [
                Command("python -m envaudit --version", [py, "-m", "envaudit", "--version"])
            ]
            if script is not None:
                subjects.append(
                    Command("envaudit --version (console script)", [str(script), "--version"])
                )
            else:
                log(f"note: no envaudit console script next to {py}; measuring -m only")
            groups.append(
                Group(
                    "startup",
                    Command("python hello.py --version (Click)", [py, str(hello), "--version"]),
                    subjects,
                    ratio_goal=VERSION_RATIO_GOAL,
                )
            )
        use_script = script is not None and args.launcher in ("auto", "script")
        if args.launcher == "script" and script is None:
            log("note: --launcher script requested but no console script found; using -m")
        launcher = [str(script)] if use_script else [py, "-m", "envaudit"]
        shown = "envaudit" if use_script else "python -m envaudit"
        for size in args.sizes:
            tree = cache / size
            # The command, exactly: text to stdout (here /dev/null, so no colour).
            scan = Command(
                f"{shown} scan --no-process-env <{size}>",
                [*launcher, "scan", "--no-process-env", str(tree)],
                ok_codes=(0, 1),
            )
            # The JSON report (with its `variables` table) written to a file: for information.
            scan_json = Command(
                f"{shown} scan --no-process-env --format json -o /dev/null <{size}>",
                [
                    *launcher,
                    "scan",
                    "--no-process-env",
                    "--format",
                    "json",
                    "-o",
                    os.devnull,
                    str(tree),
                ],
                ok_codes=(0, 1),
                goal=False,
            )
            base = Command(f"find <{size}> (prune-aware)", find_baseline(tree))
            groups.append(
                Group(
                    f"scan-{size}",
                    base,
                    [scan, scan_json],
                    ratio_goal=SCAN_RATIO_GOAL if size == "large" else None,
                    abs_goal_ms=SMALL_SCAN_MS_GOAL if size == "small" else None,
                    rss_goal_mib=LARGE_RSS_MIB_GOAL if size == "large" else None,
                )
            )
        runner = Runner(env, workdir)
        try:
            floor = runner.run(["true"])
            rss_floor_kib = floor.maxrss_kib if floor.returncode == 0 else None
            for group in groups:
                log(f"measuring {group.name} ({args.warmup} warm-up, {args.repeat} timed runs)")
                measure(group, args.repeat, args.warmup, runner)
        finally:
            runner.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    timing_rows: list[list[str]] = []
    timing_records: list[dict[str, object]] = []
    mem_rows: list[list[str]] = []
    mem_records: list[dict[str, object]] = []
    for group in groups:
        rows, records = group_rows(group)
        timing_rows += rows
        timing_records += records
        if group.name.startswith("scan-"):
            rows, records = memory_rows(group)
            mem_rows += rows
            mem_records += records

    print(
        f"## envaudit benchmark ({args.repeat} runs, {args.warmup} warm-up, "
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs)\n"
    )
    print(
        markdown_table(
            ["tree", "files", "symlinks", "dotenv files", "generated"],
            [
                [
                    size,
                    str(m["files"]),
                    str(m["symlinks"]),
                    str(m["dotenv_files"]),
                    "cached" if m.get("reused") else f"{m['seconds']} s",
                ]
                for size, m in manifests.items()
            ],
        )
    )
    print()
    print(
        markdown_table(
            ["command", "median ms", "min ms", "max ms", "ratio vs baseline", "goal", "result"],
            timing_rows,
        )
    )
    if mem_rows:
        print()
        print(
            markdown_table(
                ["command", "peak RSS MiB", "median RSS MiB", "goal", "result"], mem_rows
            )
        )
    failures = [cmd for g in groups for cmd in (g.baseline, *g.subjects) if cmd.error]
    if failures:
        print("\n### Errors\n")
        for cmd in failures:
            print(f"* `{cmd.label}` — `{' '.join(cmd.argv)}`:\n")
            print("```\n" + cmd.error + "\n```")
    print(
        "\nRatios compare medians of interleaved runs; times include process start-up. "
        "The find baseline does not prune folders holding pyvenv.cfg (not expressible "
        "in find without a per-directory -exec)."
    )
    if rss_floor_kib is not None and mem_rows:
        print(
            f"Peak RSS comes from wait4 in a small runner process; readings at or below "
            f"{rss_floor_kib / 1024:.1f} MiB (what `true` reports) are the runner's floor."
        )

    if args.json:
        payload = {
            "meta": {
                "python": sys.version,
                "executable": py,
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "repeat": args.repeat,
                "warmup": args.warmup,
                "seed": seed,
                "tree_dir": str(cache),
                "console_script": str(script) if script else None,
                "rss_floor_kib": rss_floor_kib,
                "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            },
            "trees": manifests,
            "timings": timing_records,
            "memory": mem_records,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        log(f"wrote {args.json}")


def main(argv: list[str] | None = None) -> int:
    """Entry point; always returns 0 once the options parsed."""
    args = parse_args(argv)
    try:
        bench(args)
    except KeyboardInterrupt:
        log("interrupted")
    except Exception:  # the benchmark reports problems, it never fails the build
        log("benchmark harness error:\n" + traceback.format_exc())
    return 0


if __name__ == "__main__":
    sys.exit(main())
