"""The bundled data files (TOML), loaded lazily once per process."""

from __future__ import annotations

import os
import re
import sys
from functools import cache
from typing import Any

from envaudit.record import Record

_DATA = os.path.join(os.path.dirname(__file__), "data")


def load_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse a TOML file with tomllib (3.11+) or tomli."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    with open(path, "rb") as fh:
        return tomllib.load(fh)


class KeyFormat(Record):
    """A credential format: a public prefix and the whole-value pattern."""

    kind: str
    """``api-key``, ``admin-key``, ``oauth-token`` ... or the foreign provider's label."""
    label: str
    """Human name."""
    prefix: str
    """Public prefix, safe to print."""
    regex: str
    """Whole-value pattern (regular expression source)."""
    provider: str = "Anthropic"
    """Who issues it."""
    length: int | None = None
    """Exact length when the format fixes it."""

    @property
    def pattern(self) -> re.Pattern[str]:
        """``regex`` compiled, on first use (most runs match values against the catalogue's
        alternations only; ``re`` keeps the compiled pattern)."""
        return re.compile(self.regex)


class CredentialCatalogue(Record):
    """Everything ``credentials.toml`` says."""

    anthropic: tuple[KeyFormat, ...]
    """Anthropic's credential kinds."""
    foreign: tuple[KeyFormat, ...]
    """Other providers' formats."""
    variables: dict[str, dict[str, Any]]
    """Anthropic credential variables -> what they accept."""
    platform_variables: tuple[str, ...]
    """Platform credential variables (presence only)."""
    platform_markers: tuple[str, ...]
    """Variables that mean a platform client is configured."""
    federation: tuple[tuple[str, ...], ...]
    """Variable groups that together form a federation credential."""
    profile_variable: str
    """``ANTHROPIC_PROFILE``."""
    misnamed: tuple[str, ...]
    """Known near-miss names."""
    misnamed_prefixes: tuple[str, ...]
    """Framework prefixes that hide a variable from server code."""
    placeholder_regex: str
    """One alternation of every placeholder pattern (source; matched case-insensitively)."""
    foreign_regex: str
    """One alternation of every foreign pattern (source)."""
    needles: tuple[str, ...] = ()
    """Literal starts that every credential of every format begins with, none holding another
    (``sk-`` covers ``sk-ant-`` and ``sk-proj-``): a text without any of them holds no
    credential (EA704 searches source files for these bytes before any pattern runs)."""

    @property
    def placeholders(self) -> re.Pattern[str]:
        """``placeholder_regex`` compiled on first use (a millisecond: a run whose values are
        all well-formed keys never needs it; ``re`` keeps the compiled pattern)."""
        return re.compile(self.placeholder_regex, re.IGNORECASE)

    @property
    def any_foreign(self) -> re.Pattern[str]:
        """``foreign_regex`` compiled on first use: a single match for the common value that is
        none of the foreign formats."""
        return re.compile(self.foreign_regex)


@cache
def credentials() -> CredentialCatalogue:
    """The credential catalogue (``data/credentials.toml``)."""
    raw = load_toml(os.path.join(_DATA, "credentials.toml"))
    anthropic = tuple(
        KeyFormat(e["kind"], e["label"], e["prefix"], e["pattern"],
                  length=e.get("length"))
        for e in raw["anthropic"]
    )
    foreign = tuple(
        KeyFormat(e["label"], e["label"], e["prefix"], e["pattern"], e["provider"])
        for e in raw["foreign"]
    )
    placeholder = "|".join(f"(?:{p})" for p in raw["placeholders"]["patterns"])
    starts = {fmt.prefix for fmt in anthropic} | {
        n for e in raw["foreign"] for n in e.get("needles", [e["prefix"]])}
    needles = tuple(sorted(n for n in starts if not any(o != n and o in n for o in starts)))
    platform = raw["platform"]
    return CredentialCatalogue(
        anthropic=anthropic,
        foreign=foreign,
        variables=raw["variables"],
        platform_variables=tuple(platform["variables"]),
        platform_markers=tuple(platform["markers"]),
        federation=tuple(tuple(g) for g in platform["federation"]),
        profile_variable=platform["profile"],
        misnamed=tuple(raw["misnamed"]["names"]),
        misnamed_prefixes=tuple(raw["misnamed"]["prefixes"]),
        placeholder_regex=placeholder,
        foreign_regex="|".join(f"(?:{f.regex})" for f in foreign),
        needles=needles,
    )
