"""Run the real ``docker compose config --format json`` when it is installed (no engine needed).

Found as the ``docker compose`` plugin or a ``docker-compose`` binary on PATH; nothing is
downloaded. ``config`` prints every ``$`` as ``$$`` (so its output can be re-loaded); that is
undone here, as the corpus harness did.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

#: Variables the harness keeps from our own environment (the rest is controlled by each test).
_KEEP = ("PATH", "SYSTEMROOT", "TMPDIR")


class RealCompose(NamedTuple):
    """How to call the real compose, and its version."""

    argv: tuple[str, ...]
    version: str


class ConfigRun(NamedTuple):
    """One ``config --format json`` run."""

    services: dict[str, Any] | None
    """``services`` of the resolved project, or ``None`` when compose failed."""
    error: str
    """compose's stderr when it failed."""


def _version(argv: list[str]) -> str | None:
    try:
        p = subprocess.run(argv + ["version", "--short"], capture_output=True, timeout=60,
                           check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = p.stdout.decode("utf-8", "replace").strip()
    if p.returncode != 0 or not out or not out.lstrip("v")[:1].isdigit():
        return None
    return out


@lru_cache(maxsize=1)
def find() -> RealCompose | None:
    """The real docker compose, or ``None`` when neither form is installed."""
    docker = shutil.which("docker")
    if docker:
        v = _version([docker, "compose"])
        if v:
            return RealCompose((docker, "compose"), v)
    standalone = shutil.which("docker-compose")
    if standalone:
        v = _version([standalone])
        if v:
            return RealCompose((standalone,), v)
    return None


def skip_reason() -> str:
    """Why the differential tests skip."""
    return ("the real docker compose is not installed (neither `docker compose version` nor a "
            "`docker-compose` binary on PATH); differential tests need it")


def config(folder: Path, environ: Mapping[str, str], *, home: Path) -> ConfigRun:
    """``config --format json`` in ``folder`` with exactly ``environ`` (+ PATH) as environment."""
    real = find()
    assert real is not None
    env = {k: os.environ[k] for k in _KEEP if k in os.environ}
    env.update({"HOME": str(home), "DOCKER_CONFIG": str(home / ".docker"), "LANG": "C.UTF-8"})
    env.update(environ)
    p = subprocess.run(
        list(real.argv) + ["-p", "probe", "config", "--format", "json"],
        cwd=str(folder), env=env, capture_output=True, timeout=120,
        check=False,
    )
    if p.returncode != 0:
        return ConfigRun(None, p.stderr.decode("utf-8", "replace").strip())
    # `config` escapes every '$' as '$$'; the value the container gets is the unescaped one.
    text = p.stdout.decode("utf-8", "replace").replace("$$", "$")
    return ConfigRun(json.loads(text).get("services") or {}, "")


def env_file_values(
    folder: Path, env_file: Path, environ: Mapping[str, str], *, raw: bool = False,
    project_dotenv: bytes | None = None,
) -> ConfigRun:
    """The environment compose resolves for one service whose only source is ``env_file``."""
    entry: dict[str, Any] = {"path": str(env_file)}
    if raw:
        entry["format"] = "raw"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "compose.yaml").write_text(
        json.dumps({"services": {"s": {"image": "scratch", "env_file": [entry]}}}),
        encoding="utf-8",
    )
    if project_dotenv is not None:
        (folder / ".env").write_bytes(project_dotenv)
    run = config(folder, environ, home=folder)
    if run.services is None:
        return run
    return ConfigRun({"s": run.services["s"].get("environment") or {}}, "")
