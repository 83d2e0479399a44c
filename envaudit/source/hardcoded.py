"""Credentials written in the project's files (EA704): every file the source analysis read
(entry points, the modules they import, manifests, Dockerfiles, Procfiles, Makefiles, top-level
scripts), plus the configuration files of the folders it listed.

The search costs almost nothing: the bytes are already in memory, and each file is searched for
the credential formats' literal starts (``sk-``, ``AKIA``, ``ghp_`` …: ``exposure.needles``)
before any pattern runs; only a file holding one is decoded and matched. What is kept is the
place, the format and the hint, never the value.

Not a secret scanner of the whole tree or of the git history (gitleaks and trufflehog are): a
module nothing imports is not read, and neither is a test file.
"""

from __future__ import annotations

import os

from envaudit.collectors.compose_files import COMPOSE_FILE_NAMES, OVERRIDE_FILE_NAMES
from envaudit.collectors.discovery import is_dotenv_name
from envaudit.exposure import credentials_in
from envaudit.model import Location
from envaudit.source.facts import HardcodedKey
from envaudit.source.project import Project

#: Configuration read in the root and in ``.devcontainer`` (``devcontainer.json``'s
#: ``remoteEnv``): data files people write settings, and sometimes keys, into.
CONFIG_EXTENSIONS = (".json", ".jsonc", ".json5", ".yaml", ".yml", ".toml", ".ini", ".cfg",
                     ".conf", ".properties")
#: Folders whose configuration files are read besides the root.
_CONFIG_FOLDERS = frozenset({".devcontainer"})
#: Generated files with hashes, not settings (large, and never hand-written).
_LOCK_FILES = frozenset({"package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml",
                         "composer.lock", "Pipfile.lock", "bun.lock"})
_COMPOSE_NAMES = frozenset(COMPOSE_FILE_NAMES + OVERRIDE_FILE_NAMES)
#: Files that are commands, hence ``code`` locations (as the entry points' are).
_CODE_NAMES = ("Dockerfile", "Procfile", "Makefile", "Containerfile")
_CODE_EXTENSIONS = (".py", ".pyw", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx",
                    ".sh", ".dockerfile")


def _is_compose(name: str) -> bool:
    return name in _COMPOSE_NAMES or (
        name.startswith(("docker-compose", "compose.")) and name.endswith((".yml", ".yaml")))


def _is_dockerfile(name: str) -> bool:
    return name.startswith(("Dockerfile", "Containerfile")) or name.endswith(".dockerfile")


def config_files(project: Project, folders: list[tuple[str, dict[str, bool]]]) -> list[str]:
    """The files to read besides what the analysis read: compose files and Dockerfiles in every
    listed folder (``folders``: ``(absolute folder, listing)``), and the configuration files of
    the root and of ``.devcontainer`` (lock files and dotenv files left out)."""
    out = []
    for folder, names in folders:
        config = folder == project.root or os.path.basename(folder) in _CONFIG_FOLDERS
        for name, is_dir in names.items():
            if is_dir:
                continue
            if _is_compose(name) or _is_dockerfile(name) or (
                    config and name.endswith(CONFIG_EXTENSIONS) and name not in _LOCK_FILES
                    and not is_dotenv_name(name)):
                out.append(os.path.join(folder, name))
    return out


def _source(path: str) -> str:
    """``code`` for a script or a command file, ``config`` for the rest."""
    name = os.path.basename(path)
    if name.startswith(_CODE_NAMES) or name.endswith(_CODE_EXTENSIONS):
        return "code"
    return "config"


def hardcoded_keys(project: Project, extra: list[str]) -> tuple[HardcodedKey, ...]:
    """The real-looking credentials in every file ``project`` read, once the files of ``extra``
    are read too; by path, then line."""
    from envaudit.redact import hint, salt, value_fp

    for path in extra:
        project.read(path)
    key = salt()
    seen: set[int] = set()
    out = []
    for f in list(project.files.values()):
        if f.data is None or id(f) in seen:  # a symlink's second name: the same object
            continue
        seen.add(id(f))
        for line, kind, value in credentials_in(f.data):
            out.append(HardcodedKey(Location(_source(f.abspath), f.rel, line), kind,
                                    hint(value, key), value_fp(value, key)))
    return tuple(sorted(out, key=lambda h: (h.location.path or "", h.location.line or 0)))
