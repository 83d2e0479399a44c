"""``--format sarif``: SARIF 2.1.0 for code-scanning dashboards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from envaudit import __version__
from envaudit.engine import Report
from envaudit.formatters.base import Formatter, RenderOptions, rule_url
from envaudit.model import Finding, Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _location(f: Finding) -> dict[str, Any]:
    loc = f.location
    if loc.path is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": loc.path}}
        if not Path(loc.path).is_absolute():
            physical["artifactLocation"]["uriBaseId"] = "%SRCROOT%"
        if loc.line is not None:
            physical["region"] = {"startLine": loc.line}
        return {"physicalLocation": physical}
    return {"logicalLocations": [{"name": loc.display(), "kind": "environment"}]}


class SarifFormatter(Formatter):
    """Each fired rule once in ``tool.driver.rules``; fingerprints in ``partialFingerprints``."""

    def render(self, report: Report, options: RenderOptions) -> str:
        """SARIF JSON."""
        fired: list[str] = []
        for f in report.findings:
            if f.rule_id not in fired:
                fired.append(f.rule_id)
        by_id = {r.meta.id: r for r in report.rules}
        rules = []
        for rule_id in fired:
            meta = by_id[rule_id].meta if rule_id in by_id else None
            entry: dict[str, Any] = {"id": rule_id, "helpUri": rule_url(rule_id)}
            if meta is not None:
                entry.update({
                    "name": meta.name,
                    "shortDescription": {"text": meta.summary},
                    "help": {"text": f"{meta.fix}. See {rule_url(rule_id)}"},
                    "defaultConfiguration": {"level": _LEVEL[meta.severity]},
                })
            rules.append(entry)
        results = [
            {
                "ruleId": f.rule_id,
                "ruleIndex": fired.index(f.rule_id),
                "level": _LEVEL[f.severity],
                "message": {"text": f"{f.message}. Fix: {f.fix}"},
                "locations": [_location(f)],
                "partialFingerprints": {"envaudit/v1": f.fingerprint},
            }
            for f in report.findings
        ]
        root = report.snapshot.root.rstrip("/") + "/"
        doc = {
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "envaudit", "version": __version__,
                                    "semanticVersion": __version__,
                                    "informationUri": rule_url("index").rsplit("/", 1)[0],
                                    "rules": rules}},
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(root).as_uri() + "/"}},
                "results": results,
            }],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
