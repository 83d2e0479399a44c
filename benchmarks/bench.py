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
2. times, with warm-up runs first and the subjects and their baselines interleaved
   in every repetition (so ratios compare runs made under the same conditions):

   * ``python -m envaudit --version`` and the ``envaudit`` console script found
     next to ``sys.executable`` against a minimal Click hello-world run by the
     same interpreter (goal: ratio <= 1.3);
   * ``envaudit scan --no-process-env TREE`` (the text report) and, for
     information, ``--format json -o /dev/null``, against a prune-aware ``find``
     over the same tree (goals: large ratio <= 1.3 and median <= 400 ms, small
     median <= 60 ms);
   * the SDK inventory alone, ``python -m envaudit.inventory --no-process-env
     --python VENV... TREE`` (every virtualenv of the tree named), against two
     baselines run by the same interpreter: ``importlib.metadata.distributions``
     over the same site-packages folders (name and version of every
     distribution) and a walk that ``json``-loads the ``package.json`` of every
     package in the same ``node_modules`` folders (goal: large median <= 250 ms);
   * the peak RSS of the scan (``os.wait4`` on the child; goal on the large tree:
     <= 40 MiB);

3. prints Markdown tables and, with ``--json FILE``, writes every sample as JSON.

``ENVAUDIT_OFFLINE=1`` is set for every command: the scan's release lookup uses the
bundled data instead of asking the package indexes, so no network is timed.

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
LARGE_SCAN_MS_GOAL = 400.0
LARGE_INVENTORY_MS_GOAL = 250.0
#: Issue 5: the network (EA3xx), TLS (EA4xx) and endpoint/model (EA6xx) rules may add this much
#: to a small-tree scan (median minus the same scan with those families ignored, same run).
SMALL_NETWORK_RULES_MS_GOAL = 10.0
#: The rule families that goal is about.
NETWORK_FAMILIES = "EA3,EA4,EA6"
#: Issue 6: the exposure rules (git asked about the dotenv files with secrets, EA701; the file
#: modes, example files and written keys, EA702-EA704), timed against the same scan with them
#: ignored (no goal: for information; the facts they read are collected either way).
EXPOSURE_RULES = "EA701,EA702,EA703,EA704"
LARGE_RSS_MIB_GOAL = 40.0
#: Issue 6: ``envaudit diff`` of two snapshots of the large tree.
LARGE_DIFF_MS_GOAL = 150.0

#: The diff baseline: read both snapshots with ``json``, same interpreter.
JSON_LOAD_SOURCE = '''"""Baseline: json-load every file given."""
import json
import sys

for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as fh:
        json.load(fh)
'''
#: The other environment's deploy file (``--env-file``): a rotated key, a gateway, a proxy.
PROD_ENV_FILE = (
    "ANTHROPIC_API_KEY=sk-ant-api03-" + "bench-prod-key-0000-" * 4 + "abcdefghijklmAA\n"
    "ANTHROPIC_BASE_URL=https://gateway.internal/anthropic\n"
    "HTTPS_PROXY=http://proxy.internal:3128\n"
)

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

# The inventory baselines: what a tool reading every record would do, same interpreter.
IMPORTLIB_SOURCE = '''"""Baseline: name and version of every distribution in the folders given."""
import importlib.metadata
import sys

count = 0
for site in sys.argv[1:]:
    for dist in importlib.metadata.distributions(path=[site]):
        meta = dist.metadata  # parsed once (dist.version would parse it again)
        name, version = meta["Name"], meta["Version"]
        count += 1
print(count)
'''

PACKAGE_JSON_WALK_SOURCE = '''"""Baseline: json-load every package.json in the node_modules given.

Scoped folders (@scope/name), nested node_modules and pnpm's store (.pnpm/NAME@VER/
node_modules) are entered; symlinks are not followed, so each package is read once.
"""
import json
import os
import sys


def walk(modules):
    count = 0
    try:
        entries = list(os.scandir(modules))
    except OSError:
        return 0
    for entry in entries:
        if not entry.is_dir(follow_symlinks=False):
            continue
        if entry.name == ".pnpm":
            for store in os.scandir(entry.path):
                if store.name != "node_modules" and store.is_dir(follow_symlinks=False):
                    count += walk(os.path.join(store.path, "node_modules"))
        elif entry.name.startswith("@"):
            for scoped in os.scandir(entry.path):
                if scoped.is_dir(follow_symlinks=False):
                    count += package(scoped.path)
        elif not entry.name.startswith("."):
            count += package(entry.path)
    return count


def package(folder):
    try:
        with open(os.path.join(folder, "package.json"), "rb") as fh:
            doc = json.load(fh)
    except (OSError, ValueError):
        return 0
    name, version = doc.get("name"), doc.get("version")
    return 1 + walk(os.path.join(folder, "node_modules"))


print(sum(walk(modules) for modules in sys.argv[1:]))
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
    """A command under test (or a baseline), its goals and the samples collected for it."""

    label: str
    argv: list[str]
    ok_codes: tuple[int, ...] = (0,)
    ratio_goal: float | None = None
    """Goal on the median's ratio to the group's first baseline."""
    abs_goal_ms: float | None = None
    """Goal on the median wall time."""
    rss_goal_mib: float | None = None
    """Goal on the peak RSS."""
    delta_goal_ms: float | None = None
    """Goal on the median minus the group's first baseline's median."""
    short: str = ""
    """How a baseline is named in the ratio column of a group with several."""
    seconds: list[float] = field(default_factory=list)
    maxrss_kib: list[int] = field(default_factory=list)
    error: str = ""

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
    """Subjects measured against one or more baselines in interleaved runs."""

    name: str
    baselines: list[Command]
    subjects: list[Command]
    memory: bool = False
    """Report peak RSS for this group."""


def measure(group: Group, repeat: int, warmup: int, runner: Runner) -> None:
    """Warm up, then time every command of ``group`` ``repeat`` times, interleaved."""
    commands = [*group.baselines, *group.subjects]
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
    several = len(group.baselines) > 1
    for base in group.baselines:
        med = base.median_ms()
        rows.append(
            [
                f"{base.label} (baseline)",
                fmt_ms(med),
                fmt_ms(min(base.seconds) * 1000 if base.seconds else None),
                fmt_ms(max(base.seconds) * 1000 if base.seconds else None),
                "1.00" if med and not several else "—",
                "—",
                f"ERROR: {first_line(base.error)}" if base.error else "baseline",
            ]
        )
        records.append({"group": group.name, "role": "baseline", **base.summary()})
    for cmd in group.subjects:
        med = cmd.median_ms()
        ratios: list[tuple[Command, float | None]] = []
        for base in group.baselines:
            base_med = base.median_ms()
            ratios.append((base, med / base_med if med is not None and base_med else None))
        ratio = ratios[0][1] if ratios else None
        goals: list[str] = []
        verdicts: list[bool] = []
        if cmd.ratio_goal is not None:
            goals.append(f"ratio ≤ {cmd.ratio_goal:g}")
            if ratio is not None:
                verdicts.append(ratio <= cmd.ratio_goal)
        if cmd.abs_goal_ms is not None:
            goals.append(f"median ≤ {cmd.abs_goal_ms:g} ms")
            if med is not None:
                verdicts.append(med <= cmd.abs_goal_ms)
        if cmd.delta_goal_ms is not None:
            goals.append(f"+ ≤ {cmd.delta_goal_ms:g} ms")
            base_med = group.baselines[0].median_ms() if group.baselines else None
            if med is not None and base_med is not None:
                verdicts.append(med - base_med <= cmd.delta_goal_ms)
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
        if several:
            shown = "; ".join(
                f"{'—' if r is None else f'{r:.2f}'} vs {b.short or b.label}" for b, r in ratios
            )
        else:
            shown = "—" if ratio is None else f"{ratio:.2f}"
        rows.append(
            [
                cmd.label,
                fmt_ms(med),
                fmt_ms(min(cmd.seconds) * 1000 if cmd.seconds else None),
                fmt_ms(max(cmd.seconds) * 1000 if cmd.seconds else None),
                shown,
                ", ".join(goals) or "—",
                verdict,
            ]
        )
        records.append(
            {
                "group": group.name,
                "role": "subject",
                "ratio": ratio,
                "ratios": {b.label: r for b, r in ratios},
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
    for cmd, is_subject in [(b, False) for b in group.baselines] + [
        (c, True) for c in group.subjects
    ]:
        peak: float | None = None
        median: float | None = None
        if cmd.maxrss_kib:
            peak = max(cmd.maxrss_kib) / 1024
            median = statistics.median(cmd.maxrss_kib) / 1024
        goal = cmd.rss_goal_mib if is_subject else None
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


def rules_cost_group(name: str, size: str, tree: Path, launcher: list[str], shown: str,
                     ignored: str, label: str, delta_goal_ms: float | None) -> Group:
    """What some rules add to the scan: the scan with ``--ignore IGNORED`` (the baseline)
    against the same scan with every rule, interleaved (``delta_goal_ms``: the most they may
    add)."""
    without = Command(
        f"{shown} scan --no-process-env --ignore {ignored} <{size}>",
        [*launcher, "scan", "--no-process-env", "--ignore", ignored, str(tree)],
        ok_codes=(0, 1),
    )
    every = Command(
        f"{shown} scan --no-process-env <{size}> ({label})",
        [*launcher, "scan", "--no-process-env", str(tree)],
        ok_codes=(0, 1),
        delta_goal_ms=delta_goal_ms,
    )
    return Group(name, [without], [every])


def diff_group(size: str, tree: Path, launcher: list[str], shown: str, py: str,
               workdir: str, env: dict[str, str]) -> Group:
    """``envaudit diff A B`` of two snapshots of the tree (made here, untimed): the tree as
    it is, and the tree with a deploy env file (another key, a gateway, a proxy); against
    ``json``-loading both files with the same interpreter."""
    folder = Path(workdir) / f"diff-{size}"
    folder.mkdir()
    prod_env = folder / "prod.env"
    prod_env.write_text(PROD_ENV_FILE, encoding="utf-8")
    made = []
    for name, extra in (("dev", []), ("prod", ["--env-file", str(prod_env)])):
        out = folder / f"{name}.json"
        subprocess.run([*launcher, "snapshot", "--no-process-env", "--name", name, *extra,
                        "-o", str(out), str(tree)], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        made.append(str(out))
    loader = folder / "json_load.py"
    loader.write_text(JSON_LOAD_SOURCE, encoding="utf-8")
    sizes = "+".join(f"{os.path.getsize(p) >> 10} KiB" for p in made)
    diff = Command(f"{shown} diff dev.json prod.json <{size}> ({sizes})",
                   [*launcher, "diff", *made], ok_codes=(0, 1),
                   abs_goal_ms=LARGE_DIFF_MS_GOAL if size == "large" else None)
    base = Command(f"json.load of both snapshots <{size}>", [py, str(loader), *made],
                   short="json.load")
    return Group(f"diff-{size}", [base], [diff])


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


def tree_folders(manifest: dict[str, object], tree: Path) -> tuple[list[str], list[str], list[str]]:
    """The tree's virtualenvs, their site-packages folders and its node_modules folders
    (absolute paths), from the manifest ``gen_tree.py`` wrote."""
    venvs = manifest.get("venvs")
    modules = manifest.get("node_modules")
    venvs = venvs if isinstance(venvs, list) else []
    modules = modules if isinstance(modules, list) else []
    envs = [str(tree / str(venv["path"])) for venv in venvs]
    sites = [str(tree / str(venv["site_packages"])) for venv in venvs]
    folders = [str(tree / str(nm["path"])) for nm in modules]
    return envs, sites, folders


def read_counts(
    size: str, group: Group, inventory: Command, env: dict[str, str]
) -> dict[str, object]:
    """Run each command of an inventory group once more, outside the timing, and say what it
    read: distributions and ``package.json`` files for the baselines (their stdout), the
    inventory's environments, folders and relevant packages (its ``--json``)."""
    out: dict[str, object] = {"tree": size}
    for cmd in group.baselines:
        key = cmd.short or cmd.label
        try:
            proc = subprocess.run(
                cmd.argv, capture_output=True, text=True, env=env, timeout=300, check=False
            )
            out[key] = int(proc.stdout.strip()) if proc.returncode == 0 else None
        except (OSError, ValueError, subprocess.TimeoutExpired):
            out[key] = None
    argv = [*inventory.argv[:-1], "--json", inventory.argv[-1]]
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, env=env, timeout=300, check=False
        )
        doc = json.loads(proc.stdout) if proc.returncode == 0 else None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        doc = None
    if isinstance(doc, dict):
        envs, folders = doc.get("python_envs") or [], doc.get("node_modules") or []
        out.update(
            environments=len(envs),
            relevant_distributions=sum(len(e.get("packages") or []) for e in envs),
            node_modules=len(folders),
            relevant_npm_packages=sum(len(m.get("packages") or []) for m in folders),
            declared_files=len(doc.get("declared") or []),
            skipped=len(doc.get("skipped") or []),
        )
    return out


def count(items: object) -> str:
    """How many items a manifest list holds (``?`` when it is not a list)."""
    return str(len(items)) if isinstance(items, list) else "?"


def goal_lines(groups: list[Group]) -> list[dict[str, object]]:
    """Every goal of every subject, with its figure and verdict."""
    out: list[dict[str, object]] = []
    for group in groups:
        first = group.baselines[0].median_ms() if group.baselines else None
        for cmd in group.subjects:
            med = cmd.median_ms()
            checks: list[tuple[str, float | None, float, str]] = []
            if cmd.abs_goal_ms is not None:
                checks.append(("median", med, cmd.abs_goal_ms, "ms"))
            if cmd.ratio_goal is not None:
                ratio = med / first if med is not None and first else None
                checks.append((f"ratio vs {group.baselines[0].label}", ratio, cmd.ratio_goal, ""))
            if cmd.rss_goal_mib is not None:
                peak = max(cmd.maxrss_kib) / 1024 if cmd.maxrss_kib else None
                checks.append(("peak RSS", peak, cmd.rss_goal_mib, "MiB"))
            if cmd.delta_goal_ms is not None:
                delta = med - first if med is not None and first is not None else None
                checks.append((f"added to {group.baselines[0].label}", delta,
                               cmd.delta_goal_ms, "ms"))
            for what, value, limit, unit in checks:
                if cmd.error or value is None:
                    verdict = "error" if cmd.error else "n/a"
                else:
                    verdict = "pass" if value <= limit else "FAIL"
                out.append(
                    {
                        "command": cmd.label,
                        "measure": what,
                        "value": value,
                        "goal": limit,
                        "unit": unit,
                        "verdict": verdict,
                    }
                )
    return out


def bench(args: argparse.Namespace) -> None:
    """Generate trees, run every group and print the report."""
    gen = load_gen_tree()
    seed = gen.DEFAULT_SEED if args.seed is None else args.seed
    cache: Path = args.tree_dir.expanduser().resolve()
    manifests = {size: ensure_tree(gen, cache, size, seed, args.regenerate) for size in args.sizes}

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("LC_ALL", "C.UTF-8")
    env["ENVAUDIT_OFFLINE"] = "1"  # the release lookup reads the bundled data: no network
    py = sys.executable
    script = find_console_script()
    workdir = tempfile.mkdtemp(prefix="envaudit-bench-")
    groups: list[Group] = []
    inventory_groups: list[tuple[str, Group, Command]] = []
    counts: list[dict[str, object]] = []
    rss_floor_kib: int | None = None
    try:
        hello = Path(workdir) / "hello.py"
        hello.write_text(HELLO_SOURCE, encoding="utf-8")
        importlib_py = Path(workdir) / "importlib_metadata_baseline.py"
        importlib_py.write_text(IMPORTLIB_SOURCE, encoding="utf-8")
        walk_py = Path(workdir) / "package_json_walk.py"
        walk_py.write_text(PACKAGE_JSON_WALK_SOURCE, encoding="utf-8")
        if not args.skip_version:
            subjects = [
                Command(
                    "python -m envaudit --version",
                    [py, "-m", "envaudit", "--version"],
                    ratio_goal=VERSION_RATIO_GOAL,
                )
            ]
            if script is not None:
                subjects.append(
                    Command(
                        "envaudit --version (console script)",
                        [str(script), "--version"],
                        ratio_goal=VERSION_RATIO_GOAL,
                    )
                )
            else:
                log(f"note: no envaudit console script next to {py}; measuring -m only")
            groups.append(
                Group(
                    "startup",
                    [Command("python hello.py --version (Click)", [py, str(hello), "--version"])],
                    subjects,
                )
            )
        use_script = script is not None and args.launcher in ("auto", "script")
        if args.launcher == "script" and script is None:
            log("note: --launcher script requested but no console script found; using -m")
        launcher = [str(script)] if use_script else [py, "-m", "envaudit"]
        shown = "envaudit" if use_script else "python -m envaudit"
        for size in args.sizes:
            tree = cache / size
            large = size == "large"
            # The command, exactly: text to stdout (here /dev/null, so no colour).
            scan = Command(
                f"{shown} scan --no-process-env <{size}>",
                [*launcher, "scan", "--no-process-env", str(tree)],
                ok_codes=(0, 1),
                ratio_goal=SCAN_RATIO_GOAL if large else None,
                abs_goal_ms=LARGE_SCAN_MS_GOAL
                if large
                else SMALL_SCAN_MS_GOAL
                if size == "small"
                else None,
                rss_goal_mib=LARGE_RSS_MIB_GOAL if large else None,
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
            )
            base = Command(f"find <{size}> (prune-aware)", find_baseline(tree))
            groups.append(Group(f"scan-{size}", [base], [scan, scan_json], memory=True))
            if size == "small":  # issue 5: what the network and model rules add
                groups.append(rules_cost_group(f"rules-{size}", size, tree, launcher, shown,
                                               NETWORK_FAMILIES, "every rule",
                                               SMALL_NETWORK_RULES_MS_GOAL))
            if size in ("small", "large"):  # issue 6: what asking git (EA701) and EA702-4 add
                groups.append(rules_cost_group(f"exposure-{size}", size, tree, launcher, shown,
                                               EXPOSURE_RULES, "exposure rules", None))

            # The SDK inventory alone, every virtualenv of the tree named (a scan meets the
            # deeper ones while walking; this command does not walk), and its baselines over
            # the same site-packages and node_modules folders.
            envs, sites, folders = tree_folders(manifests[size], tree)
            named = [arg for venv in envs for arg in ("--python", venv)]
            inventory = Command(
                f"python -m envaudit.inventory --no-process-env --python ×{len(envs)} <{size}>",
                [py, "-m", "envaudit.inventory", "--no-process-env", *named, str(tree)],
                abs_goal_ms=LARGE_INVENTORY_MS_GOAL if large else None,
            )
            group = Group(
                f"inventory-{size}",
                [
                    Command(
                        f"importlib.metadata, {len(sites)} site-packages <{size}>",
                        [py, str(importlib_py), *sites],
                        short="importlib.metadata",
                    ),
                    Command(
                        f"package.json walk, {len(folders)} node_modules <{size}>",
                        [py, str(walk_py), *folders],
                        short="package.json walk",
                    ),
                ],
                [inventory],
            )
            groups.append(group)
            inventory_groups.append((size, group, inventory))
            if size in ("small", "large"):  # issue 6: diff of two snapshots of the tree
                groups.append(diff_group(size, tree, launcher, shown, py, workdir, env))
        runner = Runner(env, workdir)
        try:
            floor = runner.run(["true"])
            rss_floor_kib = floor.maxrss_kib if floor.returncode == 0 else None
            for group in groups:
                log(f"measuring {group.name} ({args.warmup} warm-up, {args.repeat} timed runs)")
                measure(group, args.repeat, args.warmup, runner)
        finally:
            runner.close()
        for size, group, inventory in inventory_groups:
            counts.append(read_counts(size, group, inventory, env))
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
        if group.memory:
            rows, records = memory_rows(group)
            mem_rows += rows
            mem_records += records
    goals = goal_lines(groups)

    print(
        f"## envaudit benchmark ({args.repeat} runs, {args.warmup} warm-up, "
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs)\n"
    )
    print(
        markdown_table(
            [
                "tree",
                "files",
                "symlinks",
                "dotenv files",
                "venvs (distributions)",
                "node_modules (npm packages)",
                "generated",
            ],
            [
                [
                    size,
                    str(m["files"]),
                    str(m["symlinks"]),
                    str(m["dotenv_files"]),
                    f"{count(m.get('venvs'))} ({m.get('python_distributions', '?')})",
                    f"{count(m.get('node_modules'))} ({m.get('npm_packages', '?')})",
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
    if counts:
        print("\nWhat the inventory rows read (one more run of each, untimed):\n")
        print(
            markdown_table(
                [
                    "tree",
                    "importlib.metadata: distributions",
                    "walk: package.json files",
                    "envaudit: environments (relevant distributions)",
                    "envaudit: node_modules (relevant packages)",
                    "envaudit: files declaring versions",
                    "envaudit: skipped",
                ],
                [
                    [
                        str(c["tree"]),
                        str(c.get("importlib.metadata")),
                        str(c.get("package.json walk")),
                        f"{c.get('environments')} ({c.get('relevant_distributions')})",
                        f"{c.get('node_modules')} ({c.get('relevant_npm_packages')})",
                        str(c.get("declared_files")),
                        str(c.get("skipped")),
                    ]
                    for c in counts
                ],
            )
        )
    if goals:
        print("\n### Goals\n")
        for g in goals:
            value, unit = g["value"], f" {g['unit']}" if g["unit"] else ""
            figure = "—" if not isinstance(value, float) else f"{value:.{1 if unit else 2}f}"
            print(
                f"* `{g['command']}`: {g['measure']} {figure}{unit} "
                f"(goal ≤ {g['goal']:g}{unit}): **{g['verdict']}**"
            )
    failures = [cmd for g in groups for cmd in (*g.baselines, *g.subjects) if cmd.error]
    if failures:
        print("\n### Errors\n")
        for cmd in failures:
            print(f"* `{cmd.label}` — `{' '.join(cmd.argv)}`:\n")
            print("```\n" + cmd.error + "\n```")
    print(
        "\nRatios compare medians of interleaved runs; times include process start-up. "
        "The find baseline does not prune folders holding pyvenv.cfg (not expressible "
        "in find without a per-directory -exec). The inventory baselines run on the same "
        "interpreter; ENVAUDIT_OFFLINE=1 is set for every command."
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
            "inventory_reads": counts,
            "goals": goals,
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
