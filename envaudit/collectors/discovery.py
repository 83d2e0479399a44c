"""Find the dotenv files under a root without following directory symlinks.

Prunes ``.git``, ``node_modules``, ``__pycache__``, ``site-packages``, tool caches and every
virtual environment (a folder holding ``pyvenv.cfg``, whatever its name: people do call a venv
``.env``). Gitignored files are kept: they are the ones the app loads at run time.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from envaudit.model import Skip

PRUNED_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", "__pycache__", "site-packages",
    ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
})
# Editor swap files and encrypted copies share the name but are not dotenv text.
_IGNORED_SUFFIXES = (".swp", ".swo", ".swx", "~", ".gpg", ".age", ".enc", ".asc", ".pgp")
_EXAMPLE_WORDS = ("example", "sample", "template", ".dist")


def is_dotenv_name(name: str) -> bool:
    """``.env``, ``.env.*`` and ``*.env``, minus swap files and encrypted copies."""
    if name == ".env":
        return True
    if not (name.startswith(".env.") or (name.endswith(".env") and len(name) > 4)):
        return False
    return not name.endswith(_IGNORED_SUFFIXES)


def role_of(name: str) -> str:
    """``example`` for .env.example / .sample / .template / .dist files, else ``env``."""
    lower = name.lower()
    return "example" if any(word in lower for word in _EXAMPLE_WORDS) else "env"


@dataclass(frozen=True)
class Found:
    """A dotenv file name found by the walk."""

    abspath: str
    """Absolute path."""
    symlink: bool
    """The name is a symlink (to a file; directories are never followed)."""


def walk(root: str) -> tuple[list[Found], list[Skip]]:
    """Every dotenv file under ``root`` (sorted per folder), and what could not be read."""
    found: list[Found] = []
    skips: list[Skip] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            skips.append(Skip("dotenv", f"folder not readable: {exc.strerror or exc}",
                              path=folder))
            continue
        if folder != root and any(e.name == "pyvenv.cfg" for e in entries):
            continue
        subdirs: list[str] = []
        for entry in sorted(entries, key=lambda e: e.name):
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if name not in PRUNED_DIRS:
                        subdirs.append(entry.path)
                    continue
            except OSError:
                continue
            if is_dotenv_name(name):
                found.append(Found(entry.path, entry.is_symlink()))
        stack.extend(reversed(subdirs))
    return found, skips


def file_kind(st_mode: int) -> str | None:
    """A word for what a non-regular file is, or ``None`` for a regular file."""
    if stat.S_ISREG(st_mode):
        return None
    if stat.S_ISDIR(st_mode):
        return "a folder"
    if stat.S_ISFIFO(st_mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(st_mode):
        return "a socket"
    if stat.S_ISCHR(st_mode) or stat.S_ISBLK(st_mode):
        return "a device"
    return "not a regular file"
