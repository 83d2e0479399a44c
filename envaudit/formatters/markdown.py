"""``--format markdown``: a redacted report made to paste into a bug ticket."""

from __future__ import annotations

from envaudit.context import AuditContext
from envaudit.effective import rows
from envaudit.engine import Report
from envaudit.formatters.base import Formatter, RenderOptions, rule_url, short_root, versions


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("`", "'")


class MarkdownFormatter(Formatter):
    """Summary, effective configuration, findings, skipped, versions."""

    def render(self, report: Report, options: RenderOptions) -> str:
        """GitHub-flavoured Markdown."""
        snap = report.snapshot
        counts = report.summary()
        out = ["## envaudit report", ""]
        summary = ", ".join(f"{n} {k}" for k, n in counts.items())
        out.append(f"**{summary}** in `{cell(short_root(snap.root))}` "
                   f"({len(snap.files)} dotenv files; loaders: {', '.join(snap.loaders)}; "
                   f"process environment {'included' if snap.process is not None else 'not read'}"
                   ").")
        out += ["", "### Effective configuration", "",
                "| variable | value | source | what the SDK does |", "| --- | --- | --- | --- |"]
        for r in rows(AuditContext(snap)):
            out.append(f"| `{r.variable}` | {cell(r.shown)} | {cell(r.source)} | "
                       f"{cell(r.effect)} |")
        out += ["", "### Findings", ""]
        if not report.findings:
            out.append("No problems found.")
        else:
            out += ["| severity | rule | location | message | fix |",
                    "| --- | --- | --- | --- | --- |"]
            for f in report.findings:
                rule = f"[{f.rule_id} {f.name}]({rule_url(f.rule_id)})"
                out.append(f"| {f.severity.label} | {rule} | `{cell(f.location.display())}` | "
                           f"{cell(f.message)} | {cell(f.fix)} |")
        if snap.skipped:
            out += ["", "### Skipped", ""]
            for s in snap.skipped:
                where = s.path or (f"pid {s.pid}" if s.pid is not None else s.source)
                out.append(f"- `{cell(where)}`: {cell(s.reason)}")
        out += ["", "### Versions", ""]
        out += [f"- {k}: {cell(v)}" for k, v in versions().items()]
        out += ["", "_Secrets are shown as hints (prefix, last 4 characters, length, HMAC "
                "fingerprint); no value was printed._"]
        return "\n".join(out) + "\n"
