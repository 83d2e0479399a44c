"""Time the formatters alone: each one renders the same report of a tree, in this process.

    python benchmarks/render.py [--size large] [--repeat 21] [--markdown-from REV]

The report is collected once (``--no-process-env``, offline) from a tree of ``gen_tree.py``
(cached as ``bench.py`` caches it), then every formatter renders it ``--repeat`` times,
interleaved, with a floor measured in the same runs: one line per finding (rule, location,
message) joined, the least any report of the findings does. ``--markdown-from REV`` also times
the Markdown formatter of a git revision (``git show REV:envaudit/formatters/markdown.py``),
for a before/after in the same run. Prints medians and their ratio to the floor; exits 0.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def _formatter_from(rev: str) -> Callable[..., str]:
    """The ``MarkdownFormatter.render`` of ``markdown.py`` at git revision ``rev``."""
    source = subprocess.run(["git", "show", f"{rev}:envaudit/formatters/markdown.py"],
                            cwd=REPO, capture_output=True, text=True, check=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(source)
    spec = importlib.util.spec_from_file_location("markdown_at_rev", fh.name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    os.unlink(fh.name)
    return module.MarkdownFormatter().render  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="large", choices=["small", "medium", "large"])
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--markdown-from", metavar="REV",
                        help="also time the Markdown formatter of this git revision")
    args = parser.parse_args()

    os.environ["ENVAUDIT_OFFLINE"] = "1"
    from bench import default_tree_dir, ensure_tree, load_gen_tree

    from envaudit import engine
    from envaudit.collectors.base import CollectOptions
    from envaudit.formatters import FORMATTERS, OutputFormat, RenderOptions

    cache, gen = default_tree_dir(), load_gen_tree()
    ensure_tree(gen, cache, args.size, gen.DEFAULT_SEED, False)
    tree = cache / args.size
    snapshot = engine.collect(CollectOptions(root=str(tree), environ={}, process_env=False,
                                             offline=True))
    report = engine.audit(snapshot)
    options = RenderOptions()

    def floor(report: engine.Report, options: RenderOptions) -> str:
        return "\n".join(f"{f.rule_id} {f.location.display()} {f.message}"
                         for f in report.findings) + "\n"

    subjects: dict[str, Callable[..., str]] = {"floor (one line per finding)": floor}
    subjects.update({f"--format {fmt.value}": FORMATTERS[fmt].render for fmt in OutputFormat})
    if args.markdown_from:
        subjects[f"--format markdown at {args.markdown_from}"] = _formatter_from(
            args.markdown_from)
    samples: dict[str, list[float]] = {name: [] for name in subjects}
    sizes = {name: len(render(report, options)) for name, render in subjects.items()}  # warm-up
    for rep in range(args.repeat):
        names = list(subjects) if rep % 2 == 0 else list(reversed(subjects))
        for name in names:
            start = time.perf_counter()
            subjects[name](report, options)
            samples[name].append(time.perf_counter() - start)
    base = statistics.median(samples["floor (one line per finding)"])
    print(f"{args.size} tree: {len(report.findings)} findings, {len(snapshot.files)} dotenv "
          f"files, {args.repeat} runs each, interleaved\n")
    print("| renderer | median | ratio to the floor | characters |")
    print("| --- | --- | --- | --- |")
    for name, times in samples.items():
        median = statistics.median(times)
        print(f"| {name} | {median * 1000:.2f} ms | {median / base:.1f} | {sizes[name]:,} |")


if __name__ == "__main__":
    main()
