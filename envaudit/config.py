"""``[tool.envaudit]`` in pyproject.toml, ``envaudit.toml``, or ``--config FILE``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envaudit.errors import ConfigError

FAIL_ON = ("error", "warning", "info", "never")
_KEYS = {"select", "ignore", "fail-on", "env-files"}


@dataclass(frozen=True)
class Config:
    """Settings from the config file (command-line options override them)."""

    select: tuple[str, ...] = ()
    """Rules to run (IDs, names, prefixes)."""
    ignore: tuple[str, ...] = ()
    """Rules to skip."""
    fail_on: str | None = None
    """``error`` / ``warning`` / ``info`` / ``never``."""
    env_files: tuple[str, ...] = ()
    """Extra env files, absolute (relative ones resolve against the config file's folder)."""
    source: str | None = None
    """The file the settings came from."""


def _strings(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return tuple(v.strip() for v in value)


def parse_table(table: Any, where: str, base: str) -> Config:
    """Validate a ``[tool.envaudit]`` table."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [tool.envaudit] must be a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)} in [tool.envaudit] "
                          f"(known: {', '.join(sorted(_KEYS))})")
    fail_on = table.get("fail-on")
    if fail_on is not None and fail_on not in FAIL_ON:
        raise ConfigError(f"{where}: 'fail-on' must be one of {', '.join(FAIL_ON)}")
    env_files = tuple(os.path.abspath(os.path.join(base, p))
                      for p in _strings(table, "env-files", where))
    return Config(_strings(table, "select", where), _strings(table, "ignore", where), fail_on,
                  env_files, where)


def load(root: str, explicit: str | None = None) -> Config:
    """The configuration for ``root``; ``ConfigError`` when it is unreadable or malformed."""
    from envaudit.catalogue import load_toml

    candidates: list[tuple[Path, bool]]
    if explicit:
        candidates = [(Path(explicit), True)]
    else:
        candidates = [(Path(root) / "pyproject.toml", False), (Path(root) / "envaudit.toml", False)]
    for path, required in candidates:
        try:
            is_file = path.is_file()
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
        if not is_file:
            if required:
                raise ConfigError(f"{path}: config file not found")
            continue
        try:
            data = load_toml(path)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
        except ValueError as exc:  # tomllib.TOMLDecodeError and UnicodeDecodeError
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        if path.name == "pyproject.toml" or (explicit and "tool" in data):
            table = data.get("tool", {}).get("envaudit") if isinstance(data.get("tool"),
                                                                       dict) else None
            if table is None:
                if explicit:
                    return Config(source=str(path))
                continue
        else:
            table = data
        return parse_table(table, str(path), str(path.parent))
    return Config()
