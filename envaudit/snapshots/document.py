"""Build a snapshot document from a report: the JSON report's members, then what ``diff``
compares (host, files, packages, runtimes, processes), every value redacted as in the report
(hints and fingerprints; non-secret values in full)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from envaudit.engine import Report
from envaudit.host import Host
from envaudit.model import Snapshot
from envaudit.record import Record
from envaudit.snapshots import KIND, SCHEMA_VERSION

#: Variables that name the environment a deployment is, tried in this order when ``--name``
#: is not given: envaudit's own, then the common conventions (twelve-factor apps, Rails,
#: Vercel, Node). ``NODE_ENV`` comes last: staging servers run with ``production`` too.
NAME_VARIABLES = ("ENVAUDIT_ENVIRONMENT", "APP_ENV", "ENVIRONMENT", "DEPLOY_ENV",
                  "DEPLOYMENT_ENVIRONMENT", "STAGE", "RAILS_ENV", "RACK_ENV", "VERCEL_ENV",
                  "FLASK_ENV", "NODE_ENV")
#: A fixed text whose fingerprint a snapshot records: two snapshots made with different
#: ``ENVAUDIT_SALT`` values show different fingerprints here, and ``diff`` then says their
#: value fingerprints cannot be compared.
SALT_CHECK_TEXT = "envaudit salt check"
#: Longest environment name kept (a name is shown in every diff header).
_NAME_LIMIT = 64


class EnvironmentName(Record):
    """What the snapshot says the environment is (``prod``), and who says so."""

    name: str
    """As given, at most 64 characters."""
    source: str
    """``--name``, or the variable it was read from (``APP_ENV``)."""


def environment_name(given: str | None, environ: Mapping[str, str] | None
                     ) -> EnvironmentName | None:
    """``--name``, else the first ``NAME_VARIABLES`` entry set in the audited environment
    (``None``: the files only, or nothing names it)."""
    if given is not None and given.strip():
        return EnvironmentName(given.strip()[:_NAME_LIMIT], "--name")
    for variable in NAME_VARIABLES:
        value = (environ or {}).get(variable, "").strip()
        if value and value.isprintable():
            return EnvironmentName(value[:_NAME_LIMIT], variable)
    return None


def _files(snap: Snapshot) -> list[dict[str, Any]]:
    return [{"path": f.path, "role": f.role, "origin": f.origin, "loaders": list(f.loaders),
             "size": f.size, "mode": f"{f.mode & 0o7777:04o}",
             "readings": {r.loader: r.status for r in f.readings},
             "issues": [i.kind for i in f.issues]}
            for f in snap.files]


def _packages(snap: Snapshot) -> dict[str, Any]:
    return {
        "python": [{"path": e.path, "origin": e.origin, "python": e.python,
                    "packages": [{"name": p.name, "version": p.version, "path": p.path}
                                 for p in e.packages]}
                   for e in snap.python_envs],
        "node": [{"folder": m.folder,
                  "packages": [{"name": p.name, "version": p.version, "path": p.path}
                               for p in m.packages]}
                 for m in snap.node_modules],
        "declared": [{"path": d.path, "ecosystem": d.ecosystem,
                      "pins": [{"name": p.name, "version": p.version} for p in d.pins],
                      "ranges": [{"name": r.name, "spec": r.spec} for r in d.ranges]}
                     for d in snap.declared],
    }


def _runtimes(snap: Snapshot) -> list[dict[str, Any]]:
    return [{"kind": r.kind, "version": r.version, "source": r.source} for r in snap.runtimes]


def _releases(snap: Snapshot) -> list[dict[str, Any]] | None:
    if snap.releases is None:
        return None
    return [{"ecosystem": c.ecosystem, "name": c.name, "latest": c.latest, "source": c.source,
             "reason": c.reason} for c in snap.releases.checks]


def _processes(snap: Snapshot) -> list[dict[str, Any]]:
    from envaudit.redact import salt, show, value_fp

    key = salt()
    return [{"pid": e.pid, "name": e.name,
             "variables": [{"name": d.name, "shown": show(d.name, d.value, key),
                            "value_fp": None if d.value is None else value_fp(d.value, key)}
                           for d in e.definitions]}
            for e in snap.pids]


def _audited(snap: Snapshot) -> dict[str, Any]:
    """Which environment the app was audited with: envaudit's own, other processes', or none
    (the files only)."""
    if snap.pids or any(s.source == "pid" for s in snap.skipped):
        return {"kind": "pid", "pids": [e.pid for e in snap.pids]}
    return {"kind": "process" if snap.process is not None else "none", "pids": []}


def members(report: Report, host: Host, name: EnvironmentName | None) -> dict[str, Any]:
    """The snapshot's members, in order, with ``findings`` and ``variables`` as lists of JSON
    text (one line each, as the JSON report writes them)."""
    from envaudit.effective import sdks, variables_json
    from envaudit.formatters.json_format import _network, finding_text
    from envaudit.redact import salt, value_fp

    snap = report.snapshot
    ctx = report.view()
    custom = salt() != b"envaudit-v1"
    return {
        "kind": KIND,
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "envaudit", "version": host.envaudit},
        "name": None if name is None else name.name,
        "name_source": None if name is None else name.source,
        "root": snap.root,
        "host": host.to_json(),
        "fingerprints": {"salt": "ENVAUDIT_SALT" if custom else "default",
                         "check": value_fp(SALT_CHECK_TEXT)},
        "audited": _audited(snap),
        "findings": [finding_text(f) for f in report.findings],
        "skipped": [s.to_json() for s in snap.skipped],
        "summary": report.summary(),
        "loaders": [{"loader": u.loader, "reason": u.reason} for u in snap.loader_uses],
        "files": _files(snap),
        "variables": variables_json(ctx),
        "processes": _processes(snap),
        "packages": _packages(snap),
        "runtimes": _runtimes(snap),
        "releases": _releases(snap),
        "sdks": sdks(ctx),
        "network": _network(report),
    }


#: Members written one item per line (their items are JSON text already).
ONE_PER_LINE = ("findings", "variables")


def render(parts: Mapping[str, Any]) -> str:
    """The document as indented JSON text, ``findings`` and ``variables`` one item per line
    (as the JSON report): a monorepo's snapshot has thousands of variable sources."""
    out = []
    for key, value in parts.items():
        if key in ONE_PER_LINE and value:
            body = "[\n" + ",\n".join("    " + item for item in value) + "\n  ]"
        elif key in ONE_PER_LINE:
            body = "[]"
        else:
            body = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        out.append(f"  {json.dumps(key)}: {body}")
    return "{\n" + ",\n".join(out) + "\n}\n"


def snapshot_text(report: Report, host: Host, name: EnvironmentName | None) -> str:
    """``envaudit snapshot``'s JSON."""
    return render(members(report, host, name))


def snapshot_dict(report: Report, host: Host, name: EnvironmentName | None) -> dict[str, Any]:
    """The snapshot as a JSON-ready dict (``diff … live`` compares it without writing it)."""
    parts = dict(members(report, host, name))
    for key in ONE_PER_LINE:
        parts[key] = [json.loads(item) for item in parts[key]]
    return parts
