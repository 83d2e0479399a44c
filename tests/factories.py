"""Builders for the records the formatters and the CLI handle, with defaults for every field
(detect-secrets' ``tests/util``): a test names only what it is about."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from envaudit.engine import Report
from envaudit.model import (
    PROCESS,
    PYTHON_DOTENV,
    Definition,
    DotenvFile,
    DroppedLine,
    FileReading,
    Finding,
    Location,
    Package,
    PythonEnvironment,
    Severity,
    Skip,
    Snapshot,
)
from envaudit.redact import hint, value_fp
from envaudit.rules import ALL_RULES, RULES_BY_ID
from envaudit.rules.base import Rule, fingerprint

ROOT = "/project"


def make_finding(
    rule_id: str = "EA103",
    message: str = "ANTHROPIC_API_KEY ends with a newline",
    *,
    severity: Severity | str | None = None,
    location: Location | None = None,
    variable: str | None = "ANTHROPIC_API_KEY",
    fix: str | None = None,
    details: dict[str, Any] | None = None,
) -> Finding:
    """A finding of the real rule ``rule_id`` (its name, severity and fix by default), with the
    fingerprint the rule would compute."""
    meta = RULES_BY_ID[rule_id].meta
    if isinstance(severity, str):
        severity = Severity.parse(severity)
    location = location or Location("dotenv", ".env", 1)
    return Finding(
        rule_id=rule_id,
        name=meta.name,
        severity=severity or meta.severity,
        message=message,
        location=location,
        variable=variable,
        fix=fix or meta.fix,
        fingerprint=fingerprint(rule_id, variable, location.source, location.path, ""),
        details=details or {},
    )


def make_file(
    path: str = ".env",
    values: Sequence[tuple[str, str | None]] | Mapping[str, str | None] = (),
    *,
    root: str = ROOT,
    role: str = "env",
    origin: str = "discovered",
    loaders: tuple[str, ...] = (PYTHON_DOTENV,),
    dropped: Iterable[int] = (),
) -> DotenvFile:
    """A dotenv file whose every loader reads ``values`` (one per line, from line 1), with the
    lines in ``dropped`` skipped as unparsable."""
    pairs = list(values.items()) if isinstance(values, Mapping) else list(values)
    readings = tuple(
        FileReading(
            loader, "ok",
            tuple(Definition(name, value, Location("dotenv", path, line), loader)
                  for line, (name, value) in enumerate(pairs, start=1)),
            tuple(DroppedLine(line, "python-dotenv could not parse the statement (expected the "
                                    "end of the line after the value) and skips it with a "
                                    "logged warning") for line in dropped),
        )
        for loader in loaders
    )
    abspath = path if path.startswith("/") else f"{root}/{path}"
    return DotenvFile(path=path, abspath=abspath, role=role, origin=origin, loaders=loaders,
                      size=sum(len(f"{k}={v}\n") for k, v in pairs), mode=0o600,
                      readings=readings)


def make_snapshot(
    files: Sequence[DotenvFile] = (),
    process: Mapping[str, str] | None = None,
    *,
    root: str = ROOT,
    skipped: Sequence[Skip] = (),
    loaders: tuple[str, ...] = (PYTHON_DOTENV,),
    provider_hints: tuple[str, ...] = (),
) -> Snapshot:
    """A snapshot; ``process=None`` means ``--no-process-env``."""
    definitions = None
    if process is not None:
        definitions = tuple(Definition(k, v, Location(PROCESS), PROCESS)
                            for k, v in process.items())
    return Snapshot(root=root, files=tuple(files), process=definitions, loaders=loaders,
                    provider_hints=provider_hints, skipped=tuple(skipped))


def venv(*packages: str, path: str = ".venv", python: str = "3.12.0",
         origin: str = ".venv in the project") -> PythonEnvironment:
    """A Python environment holding ``packages`` (``"anthropic 2.17.0"``: name and version)."""
    site = f"{path}/lib/python{python[:4]}/site-packages"
    return PythonEnvironment(path, origin, python, tuple(
        Package(name, version, f"{site}/{name}-{version}.dist-info")
        for name, version in (p.split(" ", 1) for p in packages)))


def make_report(
    snapshot: Snapshot | None = None,
    findings: Sequence[Finding] = (),
    rules: Sequence[Rule] = ALL_RULES,
) -> Report:
    """A report, findings sorted as ``engine.audit`` sorts them."""
    from envaudit.engine import _sort_key

    return Report(snapshot or make_snapshot(), tuple(sorted(findings, key=_sort_key)),
                  tuple(rules))


# ---------------------------------------------------------------- the shared findings fixture
#: Fake, valid-shaped credentials (never real ones); the golden files must not contain them.
API_KEY = "sk-ant-api03-" + ("GoldenFixtureKey0-" * 6)[:91] + "x9AA"
AUTH_TOKEN = "sk-ant-oat01-" + "GoldenFixtureToken_" * 3
PROXY_PASSWORD = "Pr0xyPassw0rd-fixture"
DB_PASSWORD = "DbPassw0rd-fixture-42"
FIXTURE_SECRETS = (API_KEY, AUTH_TOKEN, PROXY_PASSWORD, DB_PASSWORD)
_PUBLIC_PREFIX = re.compile(r"sk-ant-[a-z]+[0-9]+-|sk-proj-")


def fragments(secret: str, size: int = 12) -> set[str]:
    """Every ``size``-character piece of the secret part of ``secret`` (its public prefix left
    out): none may appear in any output."""
    m = _PUBLIC_PREFIX.match(secret)
    body = secret[m.end():] if m else secret
    return {body[i:i + size] for i in range(max(1, len(body) - size + 1))}


def findings_report() -> Report:
    """The report every formatter golden file renders: a ``.env`` file and the process
    environment, a skipped file, findings at all three severities (one in the process
    environment, one with details), secrets of every kind in the sources, and a ``.venv``
    with anthropic 2.17.0 (the effective table's SDK line)."""
    dotenv = make_file(".env", [
        ("ANTHROPIC_API_KEY", API_KEY + "\n"),
        ("ANTHROPIC_BASE_URL", "https://llm-gateway.internal/anthropic"),
        ("HTTPS_PROXY", f"http://proxyuser:{PROXY_PASSWORD}@proxy.internal:3128"),
        ("ANTHROPIC_MODEL", "claude-sonnet-4-5"),
        ("DATABASE_URL", f"postgres://app:{DB_PASSWORD}@db.internal/app"),
    ], dropped=[6])
    local = make_file(".env.local", [("ANTHROPIC_MODEL", "claude-opus-4-1")])
    snapshot = make_snapshot(
        [dotenv, local],
        {"ANTHROPIC_AUTH_TOKEN": AUTH_TOKEN, "NO_PROXY": "localhost,.internal", "PWD": ROOT,
         "HOME": "/home/dev"},
        skipped=[Skip("dotenv", "not readable: Permission denied", path="config/.env.production")],
    )._replace(python_envs=(venv("anthropic 2.17.0", "httpx2 2.17.0", "truststore 0.10.5"),))
    key_hint = hint(API_KEY + "\n")
    findings = [
        make_finding("EA103", f"ANTHROPIC_API_KEY ends with a newline ({key_hint}): the Python "
                              "SDK fails every request with 'Connection error.'",
                     location=Location("dotenv", ".env", 1)),
        make_finding("EA111", "ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN are both set: "
                              "anthropic >= 2.0 sends only the API key",
                     location=Location(PROCESS), variable="ANTHROPIC_AUTH_TOKEN"),
        make_finding("EA205", "line 6: python-dotenv could not parse the statement and skips "
                              "it with a logged warning",
                     location=Location("dotenv", ".env", 6), variable=None),
        make_finding("EA113", "ANTHROPIC_MODEL has 2 different values: .env.local wins over "
                              ".env | python-dotenv reads `.env.local` first",
                     severity="info", location=Location("dotenv", ".env.local", 1),
                     variable="ANTHROPIC_MODEL",
                     details={"values": [
                         {"source": ".env.local:1", "value_fp": value_fp("claude-opus-4-1")},
                         {"source": ".env:4", "value_fp": value_fp("claude-sonnet-4-5")},
                     ]}),
    ]
    return make_report(snapshot, findings)
