"""``--format text``: the effective configuration, then findings grouped by severity."""

from __future__ import annotations

from envaudit.context import AuditContext
from envaudit.effective import NOT_IN_USE, precedence_note, rows, sdk_rows
from envaudit.engine import Report
from envaudit.formatters import base
from envaudit.formatters.base import Formatter, RenderOptions, plural, short_root, skip_where
from envaudit.model import Severity

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}
_BOLD = "1"


def _style(text: str, code: str, on: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if on else text


def _origin(origin: str) -> str:
    """``; named by a compose env_file`` for a file only compose reads (the walk did not find
    it), else nothing."""
    return "; named by a compose env_file" if origin == "compose" else ""


def _configuration(ctx: AuditContext, on: bool) -> list[str]:
    title = _style("Effective configuration", _BOLD, on)
    if not ctx.provider_in_use:
        return [f"{title}: {NOT_IN_USE}"]
    out = [f"{title} ({precedence_note(ctx)})"]
    table = rows(ctx)
    width = max(len(r.variable) for r in table)  # an SDK line's long place runs over
    for r in [*table, *sdk_rows(ctx)]:
        source = "" if r.source == "-" else f"  from {r.source_text}"
        out.append(f"  {r.variable.ljust(width)}  {r.shown}{source}")
        if r.effect:
            out.append(f"  {' ' * width}  → {r.effect}")
    return out


class TextFormatter(Formatter):
    """For people at a terminal or reading CI logs."""

    def render(self, report: Report, options: RenderOptions) -> str:
        """Header, effective configuration, findings, skipped items, summary."""
        snap = report.snapshot
        on = options.color
        out: list[str] = []
        env_note = base.environment_note(snap) or (
            "process environment" if snap.process is not None else "no process environment")
        out.append(_style(f"envaudit {base.versions()['envaudit']}", _BOLD, on)
                   + f" · {short_root(snap.root)} · {plural(len(snap.files), 'dotenv file')}"
                   + f" · {env_note} · loaders: {', '.join(snap.loaders)}")
        out.extend(f"  {note}" for note in base.pid_pick_notes(snap))
        limit = base.pid_limit_note(snap)
        if limit is not None and not options.quiet:
            out.append(f"  {limit}")
        if options.verbose:
            out.extend(f"  loader {u.loader}: {u.reason}" for u in snap.loader_uses)
            out.extend(f"  read {f.path} ({f.role}; {', '.join(f.loaders)}{_origin(f.origin)})"
                       for f in snap.files)
            out.extend(f"  python {e.path} ({e.origin}; Python {e.python or 'unknown'}): "
                       + (", ".join(f"{p.name} {p.version}" for p in e.packages) or
                          "none of the packages envaudit reads")
                       for e in snap.python_envs)
            out.extend(f"  node_modules of {m.folder}: "
                       + (", ".join(f"{p.name} {p.version}" for p in m.packages) or
                          "none of the packages envaudit reads")
                       for m in snap.node_modules)
        if not options.quiet:
            out += ["", *_configuration(report.view(), on)]
        for severity in sorted(Severity, reverse=True):
            group = [f for f in report.findings if f.severity == severity]
            if not group:
                continue
            out.append("")
            out.append(_style(f"{severity.label} ({len(group)})", f"{_BOLD};{_COLORS[severity]}",
                              on))
            for f in group:
                head = _style(f"{f.rule_id} {f.name}", _COLORS[severity], on)
                out.append(f"  {f.location.display()}  {head}")
                out.append(f"    {f.message}")
                out.append(f"    fix: {f.fix}  (envaudit rules {f.rule_id})")
        if snap.skipped:
            out.append("")
            out.append(_style(f"skipped ({len(snap.skipped)})", _BOLD, on))
            for s in snap.skipped:
                out.append(f"  {skip_where(s)}: {s.reason}")
        counts = report.summary()
        out.append("")
        if report.findings:
            out.append("Found " + ", ".join(plural(counts[k], k) for k in counts) + ".")
        else:
            out.append("No problems found.")
        return "\n".join(out) + "\n"
