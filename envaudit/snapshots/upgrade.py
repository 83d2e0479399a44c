"""The explicit upgrade functions: ``UPGRADES[n]`` turns a version-``n`` document into version
``n + 1``. ``upgrade`` applies them in turn; each is pure (it returns a new dict) and knows
only its two versions, so an old file keeps loading however many versions follow.

Version 1 is the JSON report of ``envaudit scan --format json`` (shared/spec/cli.md: ``tool``,
``root``, ``findings``, ``skipped``, ``summary``; this envaudit's reports also carry
``loaders``, ``variables``, ``sdks`` and ``network``), so a report saved as a baseline can be
diffed like a snapshot. Version 2 is the first snapshot document.
"""

from __future__ import annotations

from typing import Any, Callable

from envaudit.snapshots import KIND, SCHEMA_VERSION

#: Members a version-2 snapshot has that a report does not record, with the value the
#: upgrade gives them; ``diff`` reads a member listed in ``not_recorded`` as unknown.
_UNRECORDED_IN_REPORTS: dict[str, Any] = {
    "name": None,
    "name_source": None,
    "host": None,
    "files": None,
    "processes": [],
    "packages": None,
    "runtimes": None,
    "releases": None,
}


def upgrade_1_to_2(report: dict[str, Any]) -> dict[str, Any]:
    """A JSON report (version 1) as a version-2 snapshot: its members kept, the snapshot's
    new members set to "not recorded" (and listed in ``not_recorded``), ``audited`` taken from
    its findings' locations, ``fingerprints`` assumed to use the default salt (reports do not
    say; ``check`` is then the default salt's)."""
    from envaudit.redact import value_fp
    from envaudit.snapshots.document import SALT_CHECK_TEXT

    findings = report.get("findings")
    pids = sorted({f["location"]["pid"] for f in findings or ()
                   if isinstance(f, dict) and isinstance(f.get("location"), dict)
                   and type(f["location"].get("pid")) is int})
    missing = [name for name in ("loaders", "variables", "sdks", "network")
               if name not in report]
    out: dict[str, Any] = {
        "kind": KIND,
        "schema_version": 2,
        "tool": report.get("tool"),
        "name": None,
        "name_source": None,
        "root": report.get("root"),
        "host": None,
        "fingerprints": {"salt": "default", "check": value_fp(SALT_CHECK_TEXT, b"envaudit-v1")},
        "audited": {"kind": "pid" if pids else "process", "pids": pids},
        "findings": findings,
        "skipped": report.get("skipped", []),
        "summary": report.get("summary"),
        "loaders": report.get("loaders", []),
        "files": None,
        "variables": report.get("variables", []),
        "processes": [],
        "packages": None,
        "runtimes": None,
        "releases": None,
        "sdks": report.get("sdks", []),
        "network": report.get("network"),
        "not_recorded": [*_UNRECORDED_IN_REPORTS, *missing],
        "upgraded_from": 1,
    }
    return out


#: ``version -> function to version + 1``: the registry ``upgrade`` walks.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: upgrade_1_to_2,
}


def upgrade(document: dict[str, Any], version: int, label: str) -> dict[str, Any]:
    """``document`` (of ``version``) upgraded step by step to ``SCHEMA_VERSION``."""
    from envaudit.snapshots.load import SnapshotError

    while version < SCHEMA_VERSION:
        step = UPGRADES.get(version)
        if step is None:  # pragma: no cover - every version below the current has a step
            raise SnapshotError(f"{label}: schema_version {version} cannot be upgraded")
        try:
            document = step(document)
        except (KeyError, TypeError, AttributeError) as exc:
            raise SnapshotError(f"{label}: not a valid version-{version} document "
                                f"({type(exc).__name__}: {exc})") from None
        version += 1
    return document
