"""``python -m envaudit.inventory [PATH]``: the SDK inventory of a project, alone.

Runs the inventory collectors of ``envaudit scan`` through ``engine.collect``, the scan's own
pipeline, restricted to them: the source analysis first (its listing names the package folders
whose ``node_modules`` and lock files are read; ``--pid`` before it, as in a scan), then the
Python environments, the ``node_modules`` folders and the declared versions (lock, requirements
and manifest files). Prints one line per environment, folder and file with the relevant
packages found, or with ``--json`` the records (and the inventory's skips).

The Python environments are those the scan's collector looks at: the environment's
(``VIRTUAL_ENV`` and the like; none with ``--no-process-env``), ``.venv`` / ``venv`` / ``env``
in the project and each ``--python``. This command does not walk the tree, so a virtual
environment deeper in the project, which a scan meets while walking for dotenv files, is read
only when named with ``--python``.

Exit status 0, or 2 for a bad argument. ``benchmarks/bench.py`` times it against
``importlib.metadata`` and a walk reading every ``package.json``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from envaudit.model import Snapshot

#: The scan's collectors this command runs (by ``Collector.name``, in ``ALL_COLLECTORS`` order).
COLLECTORS = frozenset({"pid-env", "source-code", "python-envs", "node-modules",
                        "declared-versions"})


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m envaudit.inventory",
        description="The Anthropic SDK inventory envaudit scan makes of a project: Python "
                    "environments, node_modules, lock files.")
    parser.add_argument("path", nargs="?", default=".", help="the project folder (default: .)")
    parser.add_argument("--python", dest="pythons", action="append", default=[],
                        metavar="PATH", help="an interpreter (or venv) of the app; repeatable")
    parser.add_argument("--pid", dest="pids", action="append", default=[], type=int,
                        metavar="PID", help="a running process of the app (its VIRTUAL_ENV); "
                                            "repeatable")
    parser.add_argument("--no-process-env", action="store_true",
                        help="leave envaudit's own environment (VIRTUAL_ENV) out")
    parser.add_argument("--json", action="store_true", help="print the records as JSON")
    args = parser.parse_args(argv)
    root = os.path.abspath(args.path)
    if not os.path.isdir(root):
        parser.error(f"{args.path}: not a folder")
    pythons: list[str] = []
    for python in args.pythons:  # as `scan --python` takes them
        if not os.path.exists(python):
            parser.error(f"--python {python}: no such file or folder")
        if os.path.isdir(python):
            if not os.path.isfile(os.path.join(python, "pyvenv.cfg")):
                parser.error(f"--python {python}: a folder without pyvenv.cfg")
            python = os.path.join(python, "bin", "python")
        pythons.append(os.path.abspath(python))
    if any(pid < 0 for pid in args.pids):
        parser.error("--pid: a process ID is not negative")
    args.root, args.pythons = root, tuple(dict.fromkeys(pythons))
    return args


def inventory(root: str, *, pythons: tuple[str, ...] = (), pids: tuple[int, ...] = (),
              process_env: bool = True) -> Snapshot:
    """The snapshot of the inventory collectors alone (``engine.collect``)."""
    from envaudit import engine
    from envaudit.collectors import ALL_COLLECTORS
    from envaudit.collectors.base import CollectOptions

    options = CollectOptions(root=root, process_env=process_env, pids=pids, pythons=pythons,
                             environ=dict(os.environ))
    return engine.collect(options, tuple(c for c in ALL_COLLECTORS if c.name in COLLECTORS))


def _plain(value: Any) -> Any:
    """A record (named tuple) as JSON-ready dicts and lists."""
    if hasattr(value, "_asdict"):
        return {key: _plain(item) for key, item in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _packages(packages: Sequence[Any]) -> str:
    return ", ".join(f"{p.name} {p.version}" for p in packages) or "none of the packages read"


def report(snapshot: Snapshot, as_json: bool) -> str:
    """The summary (or the JSON) of an inventory snapshot."""
    from envaudit.collectors.python_envs import SOURCE

    skipped = [s for s in snapshot.skipped if s.source == SOURCE]
    if as_json:
        import json

        return json.dumps({
            "root": snapshot.root,
            "python_envs": _plain(snapshot.python_envs),
            "node_modules": _plain(snapshot.node_modules),
            "declared": _plain(snapshot.declared),
            "skipped": [s.to_json() for s in skipped],
        }, indent=2) + "\n"
    envs, folders, files = snapshot.python_envs, snapshot.node_modules, snapshot.declared
    lines = [
        f"envaudit inventory · {snapshot.root} · "
        f"{len(envs)} Python environment{'s' * (len(envs) != 1)} "
        f"({sum(len(e.packages) for e in envs)} relevant distributions) · "
        f"{len(folders)} node_modules ({sum(len(m.packages) for m in folders)} relevant "
        f"packages) · {len(files)} file{'s' * (len(files) != 1)} declaring versions · "
        f"{len(skipped)} skipped"
    ]
    lines += [f"  python {e.path} ({e.origin}; Python {e.python or 'unknown'}): "
              f"{_packages(e.packages)}" for e in envs]
    lines += [f"  node_modules of {m.folder}: {_packages(m.packages)}" for m in folders]
    lines += [f"  declared in {d.path} ({d.ecosystem}): "
              + (", ".join(f"{p.name} {p.version}" for p in d.pins) or "no relevant pins")
              for d in files]
    lines += [f"  skipped {s.path or ''}: {s.reason}" for s in skipped]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: 0, or 2 (from argparse) for a bad argument."""
    args = _arguments(argv)
    snapshot = inventory(args.root, pythons=args.pythons, pids=tuple(dict.fromkeys(args.pids)),
                         process_env=not args.no_process_env)
    sys.stdout.write(report(snapshot, args.json))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    import gc

    gc.disable()  # as the console script runs a scan (envaudit's records are acyclic)
    sys.exit(main())
