"""Find the dotenv files under a root without following directory symlinks.

Prunes ``.git``, ``node_modules``, ``__pycache__``, ``site-packages``, tool caches and every
virtual environment (a folder holding ``pyvenv.cfg``, whatever its name: people do call a venv
``.env``). Gitignored files are kept: they are the ones the app loads at run time.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from envaudit.errors import CollectorError
from envaudit.model import Skip

PRUNED_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", "__pycache__", "site-packages",
    ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
})
#: The file every virtual environment holds at its top (venv, virtualenv, uv, poetry, pdm).
VENV_MARKER = "pyvenv.cfg"
# Editor swap files and encrypted copies share the name but are not dotenv text.
_IGNORED_SUFFIXES = (".swp", ".swo", ".swx", "~", ".gpg", ".age", ".enc", ".asc", ".pgp")
#: Words of a file name (split at ``.``, ``-``, ``_``) that make it an example, not a real file.
_EXAMPLE_WORDS = frozenset({"example", "examples", "sample", "samples", "template", "templates",
                            "tmpl", "tpl", "dist"})
_NAME_WORDS = re.compile(r"[._-]+")
#: The skip reason of a (non-venv) folder named ``.env``.
FOLDER_NAMED_ENV = ("a folder, not a file: load_dotenv() finds no .env here (find_dotenv() goes "
                    "on to the parent folders); the files inside are audited")


def is_dotenv_name(name: str) -> bool:
    """``.env``, ``.env.*`` and ``*.env``, minus swap files and encrypted copies."""
    if name == ".env":
        return True
    if not (name.startswith(".env.") or (name.endswith(".env") and len(name) > 4)):
        return False
    return not name.endswith(_IGNORED_SUFFIXES)


def role_of(name: str) -> str:
    """``example`` for .env.example / .sample / .template / .dist files, else ``env``."""
    words = _NAME_WORDS.split(name.lower())
    return "example" if any(word in _EXAMPLE_WORDS for word in words) else "env"


def printable(name: str) -> str:
    """A file name as it can be shown on one line: undecodable bytes as ``\\xe9``, control
    and invisible characters escaped (``\\n``, ``\\u200b``), so that a file name can neither
    break a report's lines nor hide what it is."""
    if name.isprintable():
        return name
    out = []
    for char in name:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode() could not decode
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char.isprintable():
            out.append(char)
        else:
            out.append(char.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def display_path(abspath: str, root: str) -> str:
    """``abspath`` relative to ``root`` when it lies under it (``/`` separators), else absolute;
    made ``printable``."""
    try:
        rel = os.path.relpath(abspath, root)
    except ValueError:  # another drive (Windows)
        return printable(abspath)
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return printable(abspath)
    return printable(rel.replace(os.sep, "/"))


@dataclass(frozen=True)
class Found:
    """A dotenv file name found by the walk."""

    abspath: str
    """Absolute path."""
    symlink: bool
    """The name is a symlink (to a file; directories are never followed)."""


def _unreadable(exc: OSError) -> str:
    return f"folder not readable: {exc.strerror or exc}"


def walk(root: str) -> tuple[list[Found], list[Skip]]:
    """Every dotenv file under ``root`` (depth first, sorted by name within a folder: a
    folder's files come before its subfolders'), and what could not be read.

    Raises ``CollectorError`` when ``root`` itself cannot be listed: the audit would otherwise
    report a clean project it never saw.
    """
    found: list[Found] = []
    skips: list[Skip] = []
    stack = [root]
    pruned = PRUNED_DIRS
    while stack:
        folder = stack.pop()
        subdirs: list[str] = []
        names: list[tuple[str, str, bool]] = []
        venv = False
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    name = entry.name
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if name not in pruned:
                                subdirs.append(name)
                        elif ".env" in name:
                            if is_dotenv_name(name):
                                names.append((name, entry.path, entry.is_symlink()))
                        elif name == VENV_MARKER:
                            venv = True
                    except OSError as exc:  # the entry vanished, or lstat() was refused
                        if is_dotenv_name(name):
                            skips.append(Skip("dotenv", f"cannot stat: {exc.strerror or exc}",
                                              path=display_path(entry.path, root)))
        except OSError as exc:
            if folder == root:
                raise CollectorError(f"{root}: {_unreadable(exc)}") from None
            skips.append(Skip("dotenv", _unreadable(exc), path=display_path(folder, root)))
            continue
        if folder != root:
            if venv:
                continue  # a virtual environment (even one named .env): not the app's files
            if os.path.basename(folder) == ".env":
                # Walked into (a folder of env files), but python-dotenv's find_dotenv() wants
                # a file: load_dotenv() looks past this folder to the parent folders.
                skips.append(Skip("dotenv", FOLDER_NAMED_ENV, path=display_path(folder, root)))
        names.sort()
        found.extend(Found(path, symlink) for _, path, symlink in names)
        subdirs.sort(reverse=True)
        stack.extend(os.path.join(folder, name) for name in subdirs)
    return found, skips
