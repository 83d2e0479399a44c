"""``--format text``: the effective configuration, then findings grouped by severity."""

from __future__ import annotations

from envaudit import __version__
from envaudit.context import AuditContext
from envaudit.effective import rows
from envaudit.engine import Report
from envaudit.formatters.base import Formatter, RenderOptions, short_root
from envaudit.model import Severity

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _style(text: str, code: str, on: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if on else text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 or word == 'info' else 's'}"


class TextFormatter(Formatter):
    """For people at a terminal or reading CI logs."""

    def render(self, report: Report, options: RenderOptions) -> str:
        """Header, effective configuration, findings, skipped items, summary."""
        snap = report.snapshot
        on = options.color
        out: list[str] = []
        env_note = "process environment" if snap.process is not None else "no process environment"
        out.append(_style(f"envaudit {__version__}", "1", on)
                   + f" · {short_root(snap.root)} · {_plural(len(snap.files), 'dotenv file')}"
                   + f" · {env_note} · loaders: {', '.join(snap.loaders)}")
        if options.verbose:
            out.extend(f"  read {f.path} ({f.role}; {', '.join(f.loaders)})" for f in snap.files)
        if not options.quiet:
            out.append("")
            out.append(_style("Effective configuration", "1", on)
                       + " (the process environment wins over .env files)")
            table = rows(AuditContext(snap))
            width = max(len(r.variable) for r in table)
            for r in table:
                source = "" if r.source == "-" else f"  from {r.source}"
                out.append(f"  {r.variable.ljust(width)}  {r.shown}{source}")
                if r.effect:
                    out.append(f"  {' ' * width}  → {r.effect}")
        for severity in sorted(Severity, reverse=True):
            group = [f for f in report.findings if f.severity == severity]
            if not group:
                continue
            out.append("")
            out.append(_style(f"{severity.label} ({len(group)})", "1;" + _COLORS[severity], on))
            for f in group:
                head = _style(f"{f.rule_id} {f.name}", _COLORS[severity], on)
                out.append(f"  {f.location.display()}  {head}")
                out.append(f"    {f.message}")
                out.append(f"    fix: {f.fix}  (envaudit rules {f.rule_id})")
        if snap.skipped:
            out.append("")
            out.append(_style(f"skipped ({len(snap.skipped)})", "1", on))
            for s in snap.skipped:
                where = s.path or (f"pid {s.pid}" if s.pid is not None else s.source)
                out.append(f"  {where}: {s.reason}")
        counts = report.summary()
        out.append("")
        if report.findings:
            out.append("Found " + ", ".join(_plural(counts[k], k) for k in counts) + ".")
        else:
            out.append("No problems found.")
        return "\n".join(out) + "\n"
