"""``--format json``: the schema-1 report of shared/spec/cli.md, exactly."""

from __future__ import annotations

import json
from typing import Any

from envaudit import jsontext
from envaudit.effective import sdks, variables, variables_json
from envaudit.engine import Report
from envaudit.formatters import base
from envaudit.formatters.base import Formatter, RenderOptions
from envaudit.model import Finding, Snapshot


def finding_json(f: Finding) -> dict[str, Any]:
    """One finding as the spec's JSON object."""
    return {
        "id": f.rule_id,
        "name": f.name,
        "severity": f.severity.label,
        "message": f.message,
        "variable": f.variable,
        "location": f.location.to_json(),
        "fingerprint": f.fingerprint,
        "details": f.details,
    }


def finding_text(f: Finding) -> str:
    """``finding_json(f)`` as JSON text, exactly as ``json.dumps(..., ensure_ascii=False)``
    writes it, without the dict."""
    string = jsontext.string
    details = jsontext.value(f.details) if f.details else "{}"
    return (f'{{"id": {string(f.rule_id)}, "name": {string(f.name)}, '
            f'"severity": {string(f.severity.label)}, "message": {string(f.message)}, '
            f'"variable": {jsontext.optional(f.variable)}, '
            f'"location": {jsontext.location(f.location)}, '
            f'"fingerprint": {string(f.fingerprint)}, "details": {details}}}')


def _report(report: Report, findings: list[Any], variables: list[Any]) -> dict[str, Any]:
    """The report's members in the spec's order, with ``findings`` and ``variables`` given;
    ``pids`` only with ``--pid`` (``pids_json``)."""
    out = {
        "schema_version": 1,
        "tool": {"name": "envaudit", "version": base.versions()["envaudit"]},
        "root": report.snapshot.root,
        "findings": findings,
        "skipped": [s.to_json() for s in report.snapshot.skipped],
        "summary": report.summary(),
        "loaders": [{"loader": u.loader, "reason": u.reason}
                    for u in report.snapshot.loader_uses],
        "variables": variables,
        "sdks": sdks(report.view()),
        "network": _network(report),
    }
    if report.snapshot.pids:
        out["pids"] = pids_json(report.snapshot)
    return out


def pids_json(snapshot: Snapshot) -> list[dict[str, Any]]:
    """``pids``: each process read (``--pid``), in order: its pid, its executable's name, and
    why ``--pid auto`` picked it (``null``: named by its pid). Those not read are in
    ``skipped``."""
    return [{"pid": e.pid, "name": e.name, "picked": e.picked} for e in snapshot.pids]


def _network(report: Report) -> dict[str, Any] | None:
    """``network``: each HTTP client's route to the API host (``envaudit.network``), proxy
    passwords as ``***``; ``null`` when nothing says the app uses the provider."""
    from envaudit.network import network_json

    return network_json(report.view())


def report_json(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready dict."""
    return _report(report, [finding_json(f) for f in report.findings],
                   variables(report.view()))


class JsonFormatter(Formatter):
    """Machine-readable report."""

    def render(self, report: Report, options: RenderOptions) -> str:
        """Indented JSON, non-ASCII kept as is, with each finding and each ``variables`` entry
        on one line: a monorepo has hundreds of findings and thousands of sources, one line
        each keeps the report readable. Those lines are written as JSON text directly
        (``finding_text``, ``variables_json``); the rest is ``report_json``'s."""
        lines = _report(report, [finding_text(f) for f in report.findings],
                        variables_json(report.view()))
        parts = []
        for key, value in lines.items():
            if key in _ONE_PER_LINE and value:
                body = "[\n" + ",\n".join("    " + item for item in value) + "\n  ]"
            else:
                body = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
            parts.append(f"  {json.dumps(key)}: {body}")
        return "{\n" + ",\n".join(parts) + "\n}\n"


#: Lists written one item per line (items given as JSON text).
_ONE_PER_LINE = ("findings", "variables")
