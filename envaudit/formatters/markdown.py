"""``--format markdown``: a redacted report made to paste into a bug ticket."""

from __future__ import annotations

import re

from envaudit.context import AuditContext
from envaudit.effective import NOT_IN_USE, precedence_note, rows, sdk_rows
from envaudit.engine import Report
from envaudit.formatters import base
from envaudit.formatters.base import (
    Formatter,
    RenderOptions,
    plural,
    rule_url,
    short_root,
    skip_where,
)

#: Characters Markdown may read as markup in a table cell, backslash-escaped outside code
#: spans; ``_`` only where it can open or close emphasis (not inside ANTHROPIC_API_KEY).
#: NOTE: one character class, then a look back that turns away ``_`` between two letters or
#: digits: three times faster than alternatives that try a look-behind at every position.
_MARKUP = re.compile(r"[\\`*\[\]<~|_](?<![A-Za-z0-9]_(?=[A-Za-z0-9]))")


def _escape(text: str) -> str:
    return _MARKUP.sub(r"\\\g<0>", text)  # a backslash, then the match


def cell(text: str) -> str:
    """Prose safe inside a Markdown table cell: markup escaped, except inside balanced
    `code spans`, which are kept (only their ``|`` is escaped, as GFM tables require)."""
    text = " ".join(text.splitlines())
    parts = text.split("`")
    if len(parts) % 2 == 0:  # unbalanced: no code spans
        return _escape(text)
    return "`".join(_escape(p) if i % 2 == 0 else p.replace("|", "\\|")
                    for i, p in enumerate(parts))


def code(text: str) -> str:
    """``text`` as a code span inside a table cell (values, paths)."""
    text = " ".join(text.splitlines()).replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _configuration(ctx: AuditContext) -> list[str]:
    out = ["### Effective configuration", ""]
    if not ctx.provider_in_use:
        return [*out, f"Effective configuration {cell(NOT_IN_USE)}."]
    note = precedence_note(ctx)
    out += [f"{cell(note[0].upper() + note[1:])}.", "",
            "| variable | value | source | what the SDK does |", "| --- | --- | --- | --- |"]
    for r in rows(ctx):
        value = r.shown if r.source == "-" else code(r.shown)
        source = "-" if r.source == "-" else code(r.source_text)
        out.append(f"| {code(r.variable)} | {value} | {source} | {cell(r.effect)} |")
    for r in sdk_rows(ctx):
        where = r.variable.removeprefix("SDK").strip()
        source = "-" if r.source == "-" else cell(r.source)
        out.append(f"| SDK{' ' + code(where) if where else ''} | {cell(r.shown)} | {source} | "
                   f"{cell(r.effect)} |")
    return [*out, "", "SDK facts: research/sdk-facts.md and docs/sdk-facts.md, per release "
            "(each fact's source is in the JSON report's `sdks`)."]


class MarkdownFormatter(Formatter):
    """Summary, effective configuration, findings, skipped, versions."""

    def render(self, report: Report, options: RenderOptions) -> str:
        """GitHub-flavoured Markdown."""
        snap = report.snapshot
        counts = report.summary()
        summary = ", ".join(plural(n, k) for k, n in counts.items())
        process = base.environment_note(snap)
        if process is None:
            process = "process environment " + (
                "included" if snap.process is not None else "not read")
        elif snap.pids:
            process += " included"
        out = ["## envaudit report", "",
               f"**{summary}** in {code(short_root(snap.root))} "
               f"({plural(len(snap.files), 'dotenv file')}; loaders: {', '.join(snap.loaders)}; "
               f"{process}).", ""]
        if snap.loader_uses:
            out += [*(f"- loader {code(u.loader)}: {cell(u.reason)}" for u in snap.loader_uses),
                    ""]
        if not options.quiet:
            out += [*_configuration(report.view()), ""]
        out += ["### Findings", ""]
        if not report.findings:
            out.append("No problems found.")
        else:
            out += ["| severity | rule | location | message | fix |",
                    "| --- | --- | --- | --- | --- |"]
            rules: dict[tuple[str, str], str] = {}  # a rule's link, made once
            fixes: dict[str, str] = {}  # most findings of a rule share its fix
            for f in report.findings:
                rule = rules.get((f.rule_id, f.name))
                if rule is None:
                    rule = rules[(f.rule_id, f.name)] = (f"[{f.rule_id} {f.name}]"
                                                         f"({rule_url(f.rule_id)})")
                fix = fixes.get(f.fix)
                if fix is None:
                    fix = fixes[f.fix] = cell(f.fix)
                out.append(f"| {f.severity.label} | {rule} | {code(f.location.display())} | "
                           f"{cell(f.message)} | {fix} |")
        if snap.skipped:
            out += ["", "### Skipped", ""]
            out += [f"- {code(skip_where(s))}: {cell(s.reason)}" for s in snap.skipped]
        out += ["", "### Versions", ""]
        out += [f"- {k}: {cell(v)}" for k, v in base.versions().items()]
        out += ["", "_Secrets are shown as hints (public prefix, last 4 characters, length, HMAC "
                "fingerprint); no secret value is in this report._"]
        return "\n".join(out) + "\n"
