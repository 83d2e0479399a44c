"""``[tool.envaudit]`` in pyproject.toml, ``envaudit.toml``, or ``--config FILE``."""

from __future__ import annotations

import os
import sys
from typing import Any

from envaudit.errors import ConfigError
from envaudit.record import Record

FAIL_ON = ("error", "warning", "info", "never")
_KEYS = {"select", "ignore", "fail-on", "env-files", "stale-releases", "stale-days",
         "model-variables", "max-tokens-variables"}
#: A config file larger than this is refused rather than read.
MAX_CONFIG_BYTES = 8 * 1024 * 1024


class Config(Record):
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
    stale_releases: int = 1
    """EA501 warns when the installed SDK is this many releases behind the latest or more ..."""
    stale_days: int = 0
    """... and the latest came out at least this many days after it."""
    model_variables: tuple[str, ...] | None = None
    """Variables holding model IDs (EA605-EA608), replacing the defaults; ``None``: defaults."""
    max_tokens_variables: tuple[str, ...] | None = None
    """Variables holding max-tokens settings (EA609, EA610), replacing the defaults."""


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
                  env_files, where, _count(table, "stale-releases", where, 1, 1),
                  _count(table, "stale-days", where, 0, 0),
                  _names(table, "model-variables", where),
                  _names(table, "max-tokens-variables", where))


def _names(table: dict[str, Any], key: str, where: str) -> tuple[str, ...] | None:
    """A list of variable names (``None`` when the key is absent: the defaults)."""
    if key not in table:
        return None
    names = _strings(table, key, where)
    bad = [n for n in names if not n or any(c in n for c in "= \t\n\r")]
    if bad:
        raise ConfigError(f"{where}: '{key}' holds {bad[0]!r}, not a variable name")
    return tuple(dict.fromkeys(names))


def _count(table: dict[str, Any], key: str, where: str, default: int, minimum: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{where}: '{key}' must be a whole number of at least {minimum}")
    return value


def load(root: str, explicit: str | None = None) -> Config:
    """The configuration for ``root``; ``ConfigError`` when it is unreadable or malformed.

    A ``pyproject.toml`` that does not mention envaudit is not parsed (most are not about us,
    and parsing one costs more than the rest of a small scan's start-up).
    """
    candidates: list[tuple[str, bool]]
    if explicit:
        candidates = [(explicit, True)]
    else:
        candidates = [(os.path.join(root, "pyproject.toml"), False),
                      (os.path.join(root, "envaudit.toml"), False)]
    from envaudit.collectors.fileio import NotRegularFile, read_regular

    for path, required in candidates:
        try:
            _, raw = read_regular(path, MAX_CONFIG_BYTES)
        except (FileNotFoundError, NotADirectoryError, NotRegularFile):
            # NOTE: a FIFO or a folder by that name is not a config file (and is never opened)
            if required:
                raise ConfigError(f"{path}: config file not found") from None
            continue
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
        if raw is None:
            raise ConfigError(f"{path}: too large for a config file "
                              f"(over {MAX_CONFIG_BYTES // 1048576} MiB)")
        pyproject = os.path.basename(path) == "pyproject.toml"
        if pyproject and not explicit and b"envaudit" not in raw:
            continue
        data = _parse(raw, path)
        if pyproject or (explicit and "tool" in data):
            table = data.get("tool", {}).get("envaudit") if isinstance(data.get("tool"),
                                                                       dict) else None
            if table is None:
                if explicit:
                    return Config(source=path)
                continue
        else:
            table = data
        return parse_table(table, path, os.path.dirname(os.path.abspath(path)))
    return Config()


def _parse(raw: bytes, path: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except ValueError as exc:  # tomllib.TOMLDecodeError and UnicodeDecodeError
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
