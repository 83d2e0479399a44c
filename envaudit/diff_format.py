"""``envaudit diff``'s output: a side-by-side text table, JSON, Markdown.

Every cell comes from the snapshots, which hold hints and fingerprints only; ``diff`` adds no
value of its own (the CLI still runs the secret self-check over the output).
"""

from __future__ import annotations

import json
from typing import Any

from envaudit.diff import Comparison, Difference, environment_class
from envaudit.model import Severity

#: Section titles, in output order.
SECTIONS = (("variables", "Variables"), ("files", "Dotenv files"), ("packages", "Packages"),
            ("runtimes", "Runtimes"), ("network", "Network"), ("host", "Host"))
#: The widest a text cell grows; longer values lose their middle (a hint keeps its
#: fingerprint, which is at the end).
CELL_WIDTH = 60
_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _fit(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    head = (width - 1) // 2
    return text[:head] + "…" + text[len(text) - (width - 1 - head):]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 or word == 'info' else 's'}"


def _style(text: str, code: str, on: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if on else text


def _about(comparison: Comparison) -> list[tuple[str, str]]:
    """``(label, what it is)`` for each snapshot: name, root, host, time, version."""
    out = []
    for s in comparison.snapshots:
        doc = s.document
        parts = []
        if doc.get("name"):
            parts.append(f"{doc['name']!r} ({doc.get('name_source') or 'name'})")
        parts.append(doc.get("root") or "?")
        host = doc.get("host")
        if host:
            where = host.get("hostname") or "?"
            if host.get("container"):
                where += f" in {host['container']['kind']}"
            parts += [where, host.get("time", "")]
        parts.append(f"envaudit {doc['tool'].get('version', '?')}"
                     + (f", read as schema {s.read_as}" if s.read_as != 2 else ""))
        label = s.label if not s.origin or s.origin == s.label else f"{s.label} ({s.origin})"
        out.append((label, " · ".join(p for p in parts if p)))
    return out


def summary_line(comparison: Comparison) -> str:
    """``3 differences (1 error, 2 warnings); 1 new finding, 2 resolved`` or ``No
    differences.``"""
    counts = comparison.counts()
    total = sum(counts.values())
    new = sum(c.change == "new" for c in comparison.changes)
    resolved = sum(c.change == "resolved" for c in comparison.changes)
    parts = []
    if total:
        parts.append(_plural(total, "difference") + " ("
                     + ", ".join(_plural(n, k) for k, n in counts.items() if n) + ")")
    if new or resolved:
        parts.append(f"{_plural(new, 'new finding')}, {resolved} resolved")
    if comparison.findings:
        parts.append(_plural(len(comparison.findings), "finding") + " across environments")
    return "; ".join(parts) + "." if parts else "No differences."


# -- text ------------------------------------------------------------------------------------


def render_text(comparison: Comparison, color: bool = False, verbose: bool = False) -> str:
    """The side-by-side table: one column per snapshot, the value on a row's first line and
    its source on the second, the severity and the difference in words at the end."""
    labels = comparison.labels
    out = [_style("envaudit diff", "1", color) + " · " + " ↔ ".join(labels)]
    out += [f"  {label}: {text}" for label, text in _about(comparison)]
    for note in comparison.notes:
        out.append(f"  note: {note}")
    for section, title in SECTIONS:
        rows = [d for d in comparison.differences if d.section == section]
        same = len(comparison.same) if section == "variables" else 0
        if not rows and not (verbose and same):
            continue
        head = f"{title}: {len(rows)} differ" + (f", {same} same" if section == "variables"
                                                  else "")
        out += ["", _style(head, "1", color)]
        out += _table(rows, labels, color)
        if verbose and section == "variables" and comparison.same:
            out.append(f"  same everywhere: {', '.join(comparison.same)}")
    changes = comparison.changes
    if changes:
        out += ["", _style("Findings", "1", color)]
        for c in changes:
            f = c.finding
            sign = "+" if c.change == "new" else "-"
            where = _location(f.get("location") or {})
            out.append(f"  {sign} {c.change} in {c.label}: {f.get('severity')} {f.get('id')} "
                       f"{f.get('name')} at {where}")
            out.append(f"      {f.get('message')}")
    if comparison.findings:
        out += ["", _style("Across environments", "1", color)]
        for f in comparison.findings:
            mark = _style(f"{f.severity.label} {f.rule_id} {f.name}", _COLORS[f.severity], color)
            out.append(f"  {mark}")
            out.append(f"      {f.message}")
            out.append(f"      fix: {f.fix}  (envaudit rules {f.rule_id})")
    out += ["", summary_line(comparison)]
    return "\n".join(out) + "\n"


def _location(loc: dict[str, Any]) -> str:
    from envaudit.model import Location

    return Location(loc.get("source", "?"), loc.get("path"), loc.get("line"),
                    loc.get("pid")).display()


def _table(rows: list[Difference], labels: tuple[str, ...], color: bool) -> list[str]:
    if not rows:
        return []
    first = max(len("name"), *(len(d.subject) for d in rows))
    widths = []
    for i, label in enumerate(labels):
        cells = [d.cells[i] for d in rows]
        widths.append(min(CELL_WIDTH, max(len(label), *(len(c.shown) for c in cells),
                                          *(len(c.source or "") for c in cells))))
    header = "  " + "".ljust(first) + "".join("  " + _fit(label, w).ljust(w)
                                              for label, w in zip(labels, widths))
    out = [header.rstrip()]
    for d in rows:
        severity = _style(d.severity.label, _COLORS[d.severity], color)
        line = "  " + d.subject.ljust(first) + "".join(
            "  " + _fit(c.shown, w).ljust(w) for c, w in zip(d.cells, widths))
        out.append(f"{line}  {severity}: {d.note}")
        if any(c.source for c in d.cells):
            sources = "  " + "".ljust(first) + "".join(
                "  " + _fit(f"from {c.source}" if c.source else "", w).ljust(w)
                for c, w in zip(d.cells, widths))
            out.append(sources.rstrip())
    return out


# -- JSON ------------------------------------------------------------------------------------


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    """The JSON document (``kind`` ``envaudit-diff``, its own ``schema_version`` 1)."""
    from envaudit import __version__
    from envaudit.formatters.json_format import finding_json

    counts = comparison.counts()
    return {
        "kind": "envaudit-diff",
        "schema_version": 1,
        "tool": {"name": "envaudit", "version": __version__},
        "snapshots": [{
            "label": s.label, "name": s.document.get("name"),
            "environment": (environment_class(s.document["name"]) if s.document.get("name")
                            else None),
            "root": s.document.get("root"),
            "time": (s.document.get("host") or {}).get("time"),
            "envaudit": s.document["tool"].get("version"), "read_as": s.read_as,
        } for s in comparison.snapshots],
        "differences": [{
            "section": d.section, "subject": d.subject, "kind": d.kind,
            "severity": d.severity.label, "note": d.note,
            "cells": [{"label": label, "shown": c.shown, "source": c.source,
                       "recorded": c.recorded} for label, c in zip(comparison.labels, d.cells)],
        } for d in comparison.differences],
        "same": list(comparison.same),
        "findings": {
            "new": [{"label": c.label, "finding": c.finding} for c in comparison.changes
                    if c.change == "new"],
            "resolved": [{"label": c.label, "finding": c.finding} for c in comparison.changes
                         if c.change == "resolved"],
        },
        "rule_findings": [finding_json(f) for f in comparison.findings],
        "notes": list(comparison.notes),
        "summary": {"differences": counts,
                    "new_findings": sum(c.change == "new" for c in comparison.changes),
                    "resolved_findings": sum(c.change == "resolved" for c in comparison.changes),
                    "rule_findings": len(comparison.findings)},
    }


def render_json(comparison: Comparison) -> str:
    """Indented JSON."""
    return json.dumps(comparison_json(comparison), indent=2, ensure_ascii=False) + "\n"


# -- Markdown --------------------------------------------------------------------------------


def render_markdown(comparison: Comparison) -> str:
    """GitHub-flavoured Markdown: a table per section, findings, and the variables that are
    the same folded in ``<details>``."""
    from envaudit.formatters.markdown import cell, code

    labels = comparison.labels
    out = ["## envaudit diff", "", f"**{cell(summary_line(comparison))}**", ""]
    out += [f"- {code(label)}: {cell(text)}" for label, text in _about(comparison)]
    out += [f"- note: {cell(note)}" for note in comparison.notes]
    for section, title in SECTIONS:
        rows = [d for d in comparison.differences if d.section == section]
        if not rows:
            continue
        out += ["", f"### {title}", "",
                "| | " + " | ".join(code(label) for label in labels) + " | difference |",
                "| --- | " + " | ".join("---" for _ in labels) + " | --- |"]
        for d in rows:
            cells = [code(c.shown) + (f" from {code(c.source)}" if c.source else "")
                     for c in d.cells]
            out.append(f"| {code(d.subject)} | " + " | ".join(cells)
                       + f" | {d.severity.label}: {cell(d.note)} |")
    if comparison.changes:
        out += ["", "### Findings", "", "| change | snapshot | severity | rule | location | "
                "message |", "| --- | --- | --- | --- | --- | --- |"]
        for c in comparison.changes:
            f = c.finding
            out.append(f"| {c.change} | {code(c.label)} | {f.get('severity')} | "
                       f"{cell(str(f.get('id')))} {cell(str(f.get('name')))} | "
                       f"{code(_location(f.get('location') or {}))} | "
                       f"{cell(str(f.get('message')))} |")
    if comparison.findings:
        out += ["", "### Across environments", ""]
        out += [f"- **{f.severity.label}** {f.rule_id} {f.name}: {cell(f.message)} "
                f"Fix: {cell(f.fix)}." for f in comparison.findings]
    if comparison.same:
        out += ["", f"<details><summary>{len(comparison.same)} variables the same "
                "everywhere</summary>", "",
                ", ".join(code(n) for n in comparison.same), "", "</details>"]
    out += ["", "_Values are shown as in the snapshots: secrets as hints and fingerprints "
            "only._"]
    return "\n".join(out) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
