"""Cheap evidence from the root's manifests and run scripts: does the project use the Anthropic
SDK, and which dotenv loaders does it use? Each file is read once, never parsed beyond need."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from envaudit.collectors.base import CollectOptions, Collector, Fact, ProviderHint
from envaudit.collectors.fileio import NotRegularFile, read_regular
from envaudit.model import (
    DOCKER_ENV_FILE,
    DOTENV_EXPAND,
    DOTENV_FLOW,
    DOTENVX,
    NEXTJS,
    NODE_DOTENV,
    PYTHON_DOTENV,
    VITE,
    DockerBuild,
    LoaderUse,
)

#: The npm packages that are an Anthropic SDK.
NODE_SDK_PACKAGES = frozenset(("@anthropic-ai/sdk", "@anthropic-ai/claude-agent-sdk",
                               "@anthropic-ai/bedrock-sdk", "@anthropic-ai/vertex-sdk"))
_SDK = {
    "pyproject.toml": re.compile(r"""["']anthropic(?:\[[^\]]*\])?\s*(?:[<>=!~;"'\s]|$)"""),
    "requirements.txt": re.compile(r"(?mi)^\s*anthropic(?:\[[^\]]*\])?\s*(?:[<>=!~;#]|$)"),
    "Pipfile": re.compile(r"(?mi)^\s*anthropic\s*="),
    "package.json": re.compile(r'"@anthropic-ai/(?:sdk|claude-agent-sdk|bedrock-sdk|vertex-sdk)"'),
}
#: python-dotenv declared as a dependency (PEP 621 / Poetry / requirements / Pipfile).
_PYTHON_DOTENV = {
    "pyproject.toml": re.compile(
        r"""(?mi)(?:["']python-dotenv(?:\[[^\]]*\])?\s*(?:[<>=!~;"'\s]|$)|^\s*python-dotenv\s*=)"""
    ),
    "requirements.txt": re.compile(r"(?mi)^\s*python-dotenv(?:\[[^\]]*\])?\s*(?:[<>=!~;#]|$)"),
    "Pipfile": re.compile(r"(?mi)^\s*[\"']?python-dotenv[\"']?\s*="),
}
#: package.json dependency -> the loader it brings (the source analysis reads every workspace's
#: package.json with it too).
NODE_PACKAGES = {
    "dotenv": NODE_DOTENV,
    "dotenv-expand": DOTENV_EXPAND,
    "@dotenvx/dotenvx": DOTENVX,
    "dotenv-flow": DOTENV_FLOW,
    "next": NEXTJS,
    "vite": VITE,
}
#: What a run script says about loaders (package.json scripts, Procfile, Makefile).
_SCRIPT_SIGNS = (
    (re.compile(r"(?:^|\s)(?:-r|--require)[ =]dotenv/config\b"), NODE_DOTENV,
     "preloads dotenv/config"),
    (re.compile(r"\bdotenvx\s+run\b"), DOTENVX, "runs dotenvx run"),
    (re.compile(r"\bdocker\s+(?:run|create)\b[^\n]*--env-file"), DOCKER_ENV_FILE,
     "runs docker run --env-file"),
)
# NOTE: compose is not named here: it is a loader in use only when a service names env files,
# which the compose collector reads from the compose file itself (collectors/compose_files.py).
_MAX_BYTES = 1024 * 1024


def _read(root: str, name: str) -> str | None:
    try:  # never open() a FIFO or a device named like a manifest: it can block
        _, data = read_regular(os.path.join(root, name), _MAX_BYTES)
    except (OSError, NotRegularFile):
        return None
    return None if data is None else data.decode("utf-8", "replace")


def _package_json(text: str) -> Iterator[LoaderUse]:
    import json

    try:
        manifest = json.loads(text)
    except ValueError:
        return
    if not isinstance(manifest, dict):
        return
    for field in ("dependencies", "devDependencies"):
        deps = manifest.get(field)
        if isinstance(deps, dict):
            for package, loader in NODE_PACKAGES.items():
                if package in deps:
                    yield LoaderUse(loader, f"package.json {field} has {package}")
    scripts = manifest.get("scripts")
    if isinstance(scripts, dict):
        for name, command in scripts.items():
            if isinstance(command, str):
                yield from _script(command, f"package.json script {name!r}")


def _script(text: str, where: str) -> Iterator[LoaderUse]:
    for pattern, loader, what in _SCRIPT_SIGNS:
        if pattern.search(text):
            yield LoaderUse(loader, f"{where} {what}")


class ManifestCollector(Collector):
    """Reads only the root's ``pyproject.toml``, ``requirements.txt``, ``Pipfile``,
    ``package.json``, ``Procfile``, ``Makefile``, ``Dockerfile`` and ``.dockerignore``; the
    compose files, the SDK inventory (installed versions) and the source code are other
    collectors'."""

    name = "manifests"
    phase = 0

    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        """Yield a ``ProviderHint`` per manifest that names an Anthropic SDK, and a ``LoaderUse``
        per sign of a dotenv loader."""
        root = options.root
        for filename, pattern in _SDK.items():
            text = _read(root, filename)
            if text is None:
                continue
            if pattern.search(text):
                yield ProviderHint(f"{filename} declares an Anthropic SDK")
            dotenv = _PYTHON_DOTENV.get(filename)
            if dotenv is not None and dotenv.search(text):
                yield LoaderUse(PYTHON_DOTENV, f"{filename} declares python-dotenv")
            if filename == "package.json":
                yield from _package_json(text)
        for filename in ("Procfile", "Makefile"):
            text = _read(root, filename)
            if text is not None:
                yield from _script(text, filename)
        dockerfile = _read(root, "Dockerfile")
        if dockerfile is not None:
            ignore = _read(root, ".dockerignore")
            patterns = tuple(line.strip() for line in (ignore or "").splitlines()
                             if line.strip() and not line.lstrip().startswith("#"))
            yield DockerBuild("Dockerfile", ".dockerignore" if ignore is not None else None,
                              patterns)
