"""Snapshots made through the real pipeline from small projects written in a test."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from envaudit import engine
from envaudit.collectors.base import CollectOptions
from envaudit.host import Host
from envaudit.snapshots.document import EnvironmentName, snapshot_dict, snapshot_text
from envaudit.snapshots.load import Loaded, load_document

#: A fixed host and time: documents must not depend on the machine running the tests.
HOST = Host(system="Linux 6.1.0", machine="x86_64", distribution="Debian GNU/Linux 12",
            hostname="test-host", container=None, python="3.11.7 (cpython)",
            envaudit="0.1.0", time="2026-12-06T12:00:00Z")
#: Well-formed fake keys (108 characters, as real ones).
KEY_A = "sk-ant-api03-" + "FAKE-key-A-0123456789-" * 4 + "abcde" + "AA"
KEY_B = "sk-ant-api03-" + "FAKE-key-B-9876543210-" * 4 + "edcba" + "AA"
APP = ('"""Summarise tickets with Claude."""\nfrom anthropic import Anthropic\n'
       "from dotenv import load_dotenv\n\nload_dotenv()\nclient = Anthropic()\n")


def project(root: Path, files: Mapping[str, str]) -> Path:
    """A project folder with ``files`` (relative path -> text), an app and a manifest."""
    root.mkdir(parents=True, exist_ok=True)
    defaults = {"app.py": APP, "requirements.txt": "anthropic>=2.0\npython-dotenv>=1.0\n"}
    for rel, text in {**defaults, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def report_of(root: Path, environ: Mapping[str, str] | None = None, **options: Any
              ) -> engine.Report:
    """The project audited offline (``environ``: the process environment; ``None``: the files
    only)."""
    env = {"PATH": str(root / ".no-such-bin"), "HOME": str(root / ".home"), **(environ or {})}
    opts = CollectOptions(root=str(root), process_env=environ is not None, environ=env,
                          offline=True, today="2026-12-06", **options)
    return engine.audit(engine.collect(opts))


def document(root: Path, environ: Mapping[str, str] | None = None, name: str | None = None,
             **options: Any) -> dict[str, Any]:
    """The snapshot of the project, as a dict."""
    env_name = EnvironmentName(name, "--name") if name else None
    return snapshot_dict(report_of(root, environ, **options), HOST, env_name)


def text(root: Path, environ: Mapping[str, str] | None = None, name: str | None = None) -> str:
    """The snapshot as ``envaudit snapshot`` writes it."""
    env_name = EnvironmentName(name, "--name") if name else None
    return snapshot_text(report_of(root, environ), HOST, env_name)


def loaded(root: Path, label: str, environ: Mapping[str, str] | None = None,
           name: str | None = None, **options: Any) -> Loaded:
    """The snapshot as ``diff`` reads it."""
    return load_document(document(root, environ, name, **options), label)
