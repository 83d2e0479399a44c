"""Write the snapshot fixtures of ``tests/assets/snapshots/`` (the diff goldens compare them):
three environments of one app, made through the real pipeline, then given a fixed root.

    python tests/snapshots/make_fixtures.py

``test_fixtures_are_current`` fails when the pipeline's output for them changes; rerun this
and review the diff (the goldens of ``test_diff_format`` follow).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ASSETS = HERE.parent / "assets" / "snapshots"
#: The root every fixture shows (the temporary folder's path would change with each run).
ROOT = "/srv/app"
if str(HERE.parent) not in sys.path:  # run as a script: import the tests' helpers
    sys.path.insert(0, str(HERE.parent))


def _documents(tmp: Path) -> dict[str, dict[str, Any]]:
    from snapshots.build import KEY_A, KEY_B, document, project

    dev = project(tmp / "dev", {
        ".env": f"ANTHROPIC_API_KEY={KEY_A}\nANTHROPIC_MODEL=claude-sonnet-4-6\n",
        ".env.local": "ANTHROPIC_LOG=debug\n"})
    staging = project(tmp / "staging", {
        ".env": "ANTHROPIC_MODEL=claude-sonnet-4-6\n"})
    prod = project(tmp / "prod", {
        ".env": "ANTHROPIC_MODEL=claude-opus-4-5\n"})
    return {
        "dev": document(dev, {}, "dev"),
        "staging": document(staging, {"ANTHROPIC_API_KEY": KEY_A,
                                      "HTTPS_PROXY": "http://proxy.internal:3128"}, "staging"),
        "prod": document(prod, {"ANTHROPIC_API_KEY": KEY_B + "\n",
                                "ANTHROPIC_BASE_URL": "https://gateway.internal/anthropic"},
                         "production"),
    }


def fixtures() -> dict[str, str]:
    """``file name -> text`` of every fixture, as this envaudit makes them: the three
    snapshots, and prod's JSON report (``report-v1.json``: a report is a version-1 snapshot).
    ``report-v1-minimal.json`` is written by hand (the spec's example) and not made here."""
    from envaudit.formatters import FORMATTERS, OutputFormat, RenderOptions
    from snapshots.build import report_of

    with tempfile.TemporaryDirectory() as tmp:
        docs = _documents(Path(tmp))
        out = {}
        for name, doc in docs.items():
            text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
            out[f"{name}.json"] = text.replace(str(Path(tmp) / name), ROOT)
        from snapshots.build import KEY_B

        report = report_of(Path(tmp) / "prod", {"ANTHROPIC_API_KEY": KEY_B + "\n",
                                                "ANTHROPIC_BASE_URL":
                                                    "https://gateway.internal/anthropic"})
        text = FORMATTERS[OutputFormat.JSON].render(report, RenderOptions())
        out["report-v1.json"] = text.replace(str(Path(tmp) / "prod"), ROOT)
        return out


def main() -> None:
    ASSETS.mkdir(parents=True, exist_ok=True)
    for name, text in fixtures().items():
        (ASSETS / name).write_text(text, encoding="utf-8")
        print(f"wrote {ASSETS / name}")


if __name__ == "__main__":
    main()
