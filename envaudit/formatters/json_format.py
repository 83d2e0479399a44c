"""``--format json``: the schema-1 report of shared/spec/cli.md, exactly."""

from __future__ import annotations

import json
from typing import Any

from envaudit.effective import variables
from envaudit.engine import Report
from envaudit.formatters import base
from envaudit.formatters.base import Formatter, RenderOptions
from envaudit.model import Finding


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


def report_json(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready dict."""
    return {
        "schema_version": 1,
        "tool": {"name": "envaudit", "version": base.versions()["envaudit"]},
        "root": report.snapshot.root,
        "findings": [finding_json(f) for f in report.findings],
        "skipped": [s.to_json() for s in report.snapshot.skipped],
        "summary": report.summary(),
        "loaders": [{"loader": u.loader, "reason": u.reason}
                    for u in report.snapshot.loader_uses],
        "variables": variables(report.view()),
    }


class JsonFormatter(Formatter):
    """Machine-readable report."""

    def render(self, report: Report, options: RenderOptions) -> str:
        """Indented JSON, non-ASCII kept as is, with each finding and each ``variables`` entry
        on one line: a monorepo has hundreds of findings and thousands of sources, one line
        each keeps the report readable and lets the C encoder write it."""
        parts = []
        for key, value in report_json(report).items():
            if key in _ONE_PER_LINE and value:
                lines = ",\n".join("    " + json.dumps(item, ensure_ascii=False) for item in value)
                body = f"[\n{lines}\n  ]"
            else:
                body = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
            parts.append(f"  {json.dumps(key)}: {body}")
        return "{\n" + ",\n".join(parts) + "\n}\n"


#: Lists written one item per line.
_ONE_PER_LINE = ("findings", "variables")
