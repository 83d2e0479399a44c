"""``envaudit probe``'s output: text (the target, the stages as a timed list, the answer, the
verdict findings with their fixes), JSON (docs/probe.md, "JSON") and Markdown (for a ticket).

Every string shown was made safe where it was made: the target names the credential (its
variable and hint, never its value), the stages' strings from the answer are scrubbed and cut
(``run``); the CLI's self-check (``output.write_report``) still checks the whole text.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from envaudit.engine import Report
    from envaudit.model import Finding, ProbeResult, ProbeStage, ProbeTarget

#: The JSON document's version (docs/probe.md).
SCHEMA_VERSION = 1
_MARKS = {"ok": "✓", "failed": "✗", "timeout": "✗", "skipped": "–"}
#: Said wherever ``--messages`` ran.
COSTS = "--messages sent POST /v1/messages with max_tokens 1: it costs a token"


def failed_stage(result: ProbeResult) -> ProbeStage | None:
    """The first stage that failed or timed out (``None``: every stage that ran is ``ok``)."""
    return next((s for s in result.stages if s.status in ("failed", "timeout")), None)


def verdict(result: ProbeResult) -> str:
    """One line: where the probe failed, else what the API answered."""
    stage = failed_stage(result)
    if stage is not None and stage.name != "messages":
        what = "timed out" if stage.status == "timeout" else "failed"
        return f"✗ {what} at {stage.name}: {stage.detail}"
    if result.status is None:
        skipped = next((s for s in result.stages if s.status == "skipped"
                        and s.name != "proxy" and s.name != "tls"), None)
        if skipped is None:
            skipped = next((s for s in result.stages if s.status == "skipped"), None)
        return f"– not probed: {skipped.detail}" if skipped else "– not probed"
    ok = 200 <= result.status < 300
    return f"{'✓' if ok else '✗'} the API answered {answer_words(result)}"


def answer_words(result: ProbeResult) -> str:
    """``HTTP 401 authentication_error: invalid x-api-key · request-id req_…``."""
    parts = [f"HTTP {result.status}"]
    if result.error_type or result.error_message:
        parts[0] += f" {result.error_type or ''}".rstrip()
        if result.error_message:
            parts[0] += f": {result.error_message}"
    if result.models is not None:
        shown = ", ".join(result.models[:8]) + (" …" if len(result.models) > 8 else "")
        parts.append(f"{len(result.models)} model{'s' if len(result.models) != 1 else ''}"
                     + (f": {shown}" if shown else ""))
    if result.retry_after:
        parts.append(f"retry-after {result.retry_after}")
    if result.request_id:
        parts.append(f"request-id {result.request_id}")
    return " · ".join(parts)


def target_rows(target: ProbeTarget) -> list[tuple[str, str]]:
    """The target as (label, words) rows: URL, SDK followed, proxy, CA store, auth, version,
    model."""
    from envaudit.probe.run import store_words

    proxy = target.proxy or "direct"
    if target.proxy and target.proxy_variable:
        proxy += f" (from {target.proxy_variable})"
    elif target.proxy_variable:
        proxy += f" ({target.proxy_variable})"
    if target.auth_header is None:
        auth = "none: no credential is set (sent without one)"
    else:
        header = "x-api-key" if target.auth_header == "x-api-key" else "Authorization: Bearer"
        auth = f"{header} ← {target.credential_variable}: {target.credential_hint}"
    ca = store_words(target.ca) + ("" if target.verify else " (not verified)")
    rows = [("URL", target.url), ("SDK followed", target.sdk), ("proxy", proxy),
            ("CA store", ca), ("auth", auth),
            ("version", f"anthropic-version: {target.anthropic_version}")]
    if target.model:
        rows.append(("model", target.model))
    if target.blocked:
        rows.append(("blocked", f"{target.blocked_stage}: {target.blocked}"))
    return rows


def _ms(stage: ProbeStage) -> str:
    return "" if stage.ms is None else f"{stage.ms:.1f} ms"


def render_text(report: Report, result: ProbeResult, verbose: bool = False) -> str:
    """The text report."""
    target = result.target
    out = [f"envaudit probe · GET {target.url}"]
    width = max(len(label) for label, _ in target_rows(target))
    out += [f"  {label.ljust(width)}  {words}" for label, words in target_rows(target)[1:]]
    out += ["", "Stages"]
    for s in result.stages:
        out.append(f"  {_MARKS.get(s.status, '?')} {s.name.ljust(10)} {_ms(s).rjust(9)}  "
                   f"{s.detail}")
        if verbose and s.data:
            out.append(f"    {json.dumps(s.data, ensure_ascii=False, sort_keys=True)}")
    out.append(f"  total {result.total_ms:.1f} ms")
    if any(s.name == "messages" and s.status != "skipped" for s in result.stages):
        out.append(f"  ({COSTS})")
    out += ["", verdict(result)]
    findings = report.findings
    if findings:
        out.append("")
        for f in findings:
            out += _finding_lines(f)
    summary = report.summary()
    counts = ", ".join(f"{n} {label}{'s' if n != 1 else ''}" for label, n in summary.items()
                       if n)
    out += ["", f"{counts or 'no findings'} · probed in {result.total_ms:.0f} ms"]
    return "\n".join(out) + "\n"


def _finding_lines(f: Finding) -> list[str]:
    return [f"{f.severity.label} {f.rule_id} {f.name}: {f.message}", f"  fix: {f.fix}"]


def probe_json(report: Report, result: ProbeResult) -> dict[str, Any]:
    """The JSON document (docs/probe.md)."""
    from envaudit.formatters.base import versions
    from envaudit.formatters.json_format import finding_json

    error = None
    if result.error_type or result.error_message:
        error = {"type": result.error_type, "message": result.error_message}
    messages = None
    if result.messages_status is not None:
        kind, message = result.messages_error
        messages = {"status": result.messages_status,
                    "error": {"type": kind, "message": message} if kind or message else None}
    stage = failed_stage(result)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "envaudit", "version": versions()["envaudit"]},
        "root": report.snapshot.root,
        "target": result.target._asdict(),
        "stages": [s._asdict() for s in result.stages],
        "failed_stage": stage.name if stage is not None else None,
        "status": result.status,
        "error": error,
        "request_id": result.request_id,
        "retry_after": result.retry_after,
        "models": list(result.models) if result.models is not None else None,
        "messages": messages,
        "total_ms": result.total_ms,
        "verdict": verdict(result),
        "findings": [finding_json(f) for f in report.findings],
        "summary": report.summary(),
    }


def render_json(report: Report, result: ProbeResult) -> str:
    """The JSON report, indented."""
    return json.dumps(probe_json(report, result), indent=2, ensure_ascii=False) + "\n"


def render_markdown(report: Report, result: ProbeResult) -> str:
    """The Markdown report, for a ticket: verdict, target, stages, findings."""
    from envaudit.formatters.markdown import FOOTER, cell, code, prose, span

    target = result.target
    out = [f"### envaudit probe: {span('GET ' + target.url)}", "",
           f"**Verdict:** {prose(verdict(result))}", "", "| | |", "| --- | --- |"]
    for label, words in target_rows(target)[1:]:
        out.append(f"| {label} | {code(words) if label == 'version' else cell(words)} |")
    out += ["", "| stage | | time | what happened |", "| --- | --- | ---: | --- |"]
    for s in result.stages:
        out.append(f"| {s.name} | {_MARKS.get(s.status, '?')} {s.status} | {_ms(s)} | "
                   f"{cell(s.detail)} |")
    out.append(f"| total | | {result.total_ms:.1f} ms | |")
    if any(s.name == "messages" and s.status != "skipped" for s in result.stages):
        out += ["", prose(COSTS) + "."]
    findings = report.findings
    out += ["", f"#### Findings ({len(findings)})" if findings else "#### Findings", ""]
    if not findings:
        out.append("No problems found.")
    else:
        out += ["| severity | rule | problem and fix |", "| --- | --- | --- |"]
        out += [f"| {f.severity.label} | {f.rule_id} {f.name} | {cell(f.message)}<br>"
                f"**Fix:** {cell(f.fix)} |" for f in findings]
    out += ["", FOOTER]
    return "\n".join(out) + "\n"


def render(report: Report, result: ProbeResult, fmt: str, verbose: bool = False) -> str:
    """``fmt``: ``text``, ``json`` or ``markdown``."""
    if fmt == "json":
        return render_json(report, result)
    if fmt == "markdown":
        return render_markdown(report, result)
    return render_text(report, result, verbose)
