"""``--format sarif``: SARIF 2.1.0 for code-scanning dashboards."""

from __future__ import annotations

import functools
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from envaudit import jsontext
from envaudit.engine import Report
from envaudit.formatters import base
from envaudit.formatters.base import Formatter, RenderOptions, docs_base_url, rule_url
from envaudit.model import Finding, Severity

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: The ``partialFingerprints`` key; bump the suffix if the fingerprint recipe ever changes.
FINGERPRINT_KEY = "envaudit/v1"
SRCROOT = "%SRCROOT%"


def _artifact(path: str) -> dict[str, Any]:
    """A relative path under ``%SRCROOT%`` (percent-encoded: a SARIF uri is a URI, not a path),
    or a ``file:`` URI with no base for a file outside the root (``--env-file /etc/app.env``)."""
    uri, absolute = _uri(path)
    return {"uri": uri} if absolute else {"uri": uri, "uriBaseId": SRCROOT}


@functools.lru_cache(maxsize=4096)
def _uri(path: str) -> tuple[str, bool]:
    """``path``'s URI and whether it is absolute, worked out once per path (pathlib takes
    microseconds, and a monorepo's findings share a few hundred paths)."""
    if Path(path).is_absolute():
        return Path(path).as_uri(), True
    return quote(PurePosixPath(path).as_posix(), safe="/"), False


def _location(f: Finding) -> dict[str, Any]:
    loc = f.location
    if loc.path is not None:
        physical: dict[str, Any] = {"artifactLocation": _artifact(loc.path)}
        if loc.line is not None:
            physical["region"] = {"startLine": loc.line}
        return {"physicalLocation": physical}
    where = loc.display()
    name = f.variable or where
    return {"logicalLocations": [{"name": name, "fullyQualifiedName": f"{where}/{name}",
                                  "kind": "variable"}]}


def _rules(report: Report) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """``tool.driver.rules``: each rule that fired, once, in order of first result."""
    by_id = {r.meta.id: r.meta for r in report.rules}
    index: dict[str, int] = {}
    out: list[dict[str, Any]] = []
    for f in report.findings:
        if f.rule_id in index:
            continue
        index[f.rule_id] = len(out)
        entry: dict[str, Any] = {"id": f.rule_id, "name": f.name, "helpUri": rule_url(f.rule_id)}
        meta = by_id.get(f.rule_id)
        if meta is not None:
            entry.update({
                "shortDescription": {"text": meta.summary},
                "help": {"text": f"{meta.fix}. See {rule_url(f.rule_id)}"},
                "defaultConfiguration": {"level": LEVELS[meta.severity]},
            })
        out.append(entry)
    return out, index


class SarifFormatter(Formatter):
    """Each fired rule once in ``tool.driver.rules``; fingerprints in ``partialFingerprints``."""

    def render(self, report: Report, options: RenderOptions) -> str:
        """SARIF JSON."""
        rules, index = _rules(report)
        results = [
            {
                "ruleId": f.rule_id,
                "ruleIndex": index[f.rule_id],
                "level": LEVELS[f.severity],
                "message": {"text": f"{f.message}. Fix: {f.fix}"},
                "locations": [_location(f)],
                "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
            }
            for f in report.findings
        ]
        version = base.versions()["envaudit"]
        doc = {
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "envaudit", "version": version,
                                    "semanticVersion": version,
                                    "informationUri": docs_base_url(),
                                    "rules": rules}},
                "originalUriBaseIds": {SRCROOT: {"uri": Path(report.snapshot.root).as_uri()
                                                 .rstrip("/") + "/"}},
                "results": results,
            }],
        }
        return jsontext.indented(doc) + "\n"
