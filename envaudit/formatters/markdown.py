"""``--format markdown``: the redacted report made to paste into a bug ticket.

Sections, most useful first: a summary line (counts, project, the environment audited,
loaders), the findings with their fixes and rule links, the effective configuration, the SDK
and runtime versions, the network path, what could not be checked, and the host. A typical
project's report stays under 60 lines outside its ``<details>`` blocks; the rest (findings
beyond the first ``FIRST_FINDINGS``, every variable's sources, the full network table, the
files read) is folded into ``<details>`` blocks, written as GitHub renders them: a blank line
after the ``<summary>`` line and before ``</details>``, so the Markdown inside renders.

A pure function of the ``Report``: the scan and ``envaudit snapshot --format markdown`` (a
report read back from a snapshot) render the same way. The host facts are the report's
(``Report.host``); a report without them shows envaudit's own versions.

A GitHub issue or comment holds at most 65,536 characters: the folded lists stop when the
report reaches ``LIMIT`` characters and say how many rows were left out (the JSON report has
them); the sections outside the folds are never cut.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Union

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
from envaudit.model import Finding, Location, Package, Snapshot
from envaudit.record import Record

if TYPE_CHECKING:
    from envaudit.host import Host
    from envaudit.network import Route

#: Findings shown before the rest is folded into ``<details>``.
FIRST_FINDINGS = 10
#: Environments (SDK table), routes (network) and skipped items shown before folding.
FIRST_ROWS = 5
#: Sources listed per variable in the folded sources list.
SOURCES_PER_VARIABLE = 12
#: The most characters a report takes while its folds have rows to leave out: a GitHub issue
#: or comment holds 65,536, and the reporter adds words of their own.
LIMIT = 60_000
#: Characters Markdown may read as markup in a table cell, backslash-escaped outside code
#: spans; ``_`` only where it can open or close emphasis (not inside ANTHROPIC_API_KEY).
#: NOTE: one character class, then a look back that turns away ``_`` between two letters or
#: digits: three times faster than alternatives that try a look-behind at every position.
_MARKUP = re.compile(r"[\\`*\[\]<~|_](?<![A-Za-z0-9]_(?=[A-Za-z0-9]))")
#: What GitHub's autolink extension links: a URL with a scheme, ``www.``, an e-mail address.
_LINKABLE = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s<>`]*"
                       r"|[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
#: Punctuation that ends a sentence rather than a link.
_TRAILING = ".,;:!?'\")]"
FOOTER = ("_Secrets are shown as hints (public prefix, last 4 characters, length, HMAC "
          "fingerprint); no secret value is in this report. SDK facts: research/sdk-facts.md "
          "and docs/sdk-facts.md, per release (each fact's source is in the JSON report's "
          "`sdks`)._")
_FINDINGS_HEADER = ["| severity | rule | location | problem and fix |", "| --- | --- | --- | --- |"]


def _escape(text: str) -> str:
    return _MARKUP.sub(r"\\\g<0>", text)  # a backslash, then the match


def _prose(text: str, table: bool) -> str:
    """Text outside code spans: markup escaped, and what GitHub would turn into a link (a URL,
    ``www.``, an e-mail address) set as a code span instead: a proxy URL's ``***`` would show
    its backslashes inside a link, and an API endpoint is not a page to open."""
    if "://" not in text and "@" not in text and "www." not in text:
        return _escape(text)
    out, at = [], 0
    for m in _LINKABLE.finditer(text):
        link = m.group(0).rstrip(_TRAILING)
        if not link or link.endswith(("://", "@")):
            continue
        out += [_escape(text[at:m.start()]), code(link, table)]
        at = m.start() + len(link)
    out.append(_escape(text[at:]))
    return "".join(out)


def cell(text: str, table: bool = True) -> str:
    """Prose safe inside a Markdown table cell: markup escaped, links set as code, except
    inside balanced `code spans`, which are kept (only their ``|`` is escaped, as GFM tables
    require). ``table=False`` (``prose``): the same outside a table, where a ``\\|`` inside a
    code span would show its backslash."""
    text = " ".join(text.splitlines())
    parts = text.split("`")
    if len(parts) % 2 == 0:  # unbalanced: no code spans
        return _prose(text, table)
    return "`".join(_prose(p, table) if i % 2 == 0 else p.replace("|", "\\|") if table else p
                    for i, p in enumerate(parts))


def code(text: str, table: bool = True) -> str:
    """``text`` as a code span inside a table cell (values, paths); ``table=False``
    (``span``): outside a table."""
    text = " ".join(text.splitlines())
    if table:
        text = text.replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def prose(text: str) -> str:
    """``cell`` for text outside a table (a paragraph, a list item)."""
    return cell(text, table=False)


def span(text: str) -> str:
    """``code`` for a code span outside a table."""
    return code(text, table=False)


def details(summary: str, body: Sequence[str]) -> list[str]:
    """A collapsed block as GitHub renders it: the summary is plain text (HTML-escaped), and
    blank lines around ``body`` make the Markdown inside it render."""
    return [f"<details><summary>{html.escape(summary, quote=False)}</summary>", "", *body, "",
            "</details>"]


class Fold(Record):
    """A ``<details>`` block whose rows are made only while they fit the report's limit
    (``MarkdownFormatter.render`` decides how many: the rows past it are never built)."""

    summary: str
    """The ``<summary>`` text (plain text)."""
    rows: Iterable[str]
    """The rows, lazily."""
    total: int
    """How many rows ``rows`` yields."""
    what: str
    """One row, in words, for the line saying how many were left out (``finding``)."""
    where: str
    """Where every row can be read instead (``the JSON report's `network```)."""
    header: tuple[str, ...] = ()
    """Lines before the rows (a table's header), never left out."""
    last: bool = False
    """Filled last, in order, with all the room the other folds leave (the findings, then the
    file list); the others take at most a quarter of the room each, in order."""


#: A section: lines, and blocks whose rows wait for the limit.
Lines = list[Union[str, Fold]]


def _unfold(fold: Fold, room: int) -> tuple[list[str], int]:
    """The fold as lines, with as many rows as ``room`` characters hold; and what is left."""
    kept: list[str] = []
    for row in fold.rows:
        if len(row) + 1 > room:
            break
        room -= len(row) + 1
        kept.append(row)
    left = fold.total - len(kept)
    if left:
        kept += ["", f"{plural(left, fold.what)} not listed here (a GitHub comment holds 65,536 "
                     f"characters): {fold.where} lists every one."]
    return details(fold.summary, [*fold.header, *kept]), room


def _overhead(fold: Fold) -> int:
    """Characters a fold takes with no row: its summary, header and blank lines, and room for
    the left-out line."""
    return len(fold.summary) + 40 + sum(len(h) + 1 for h in fold.header) + 200


# ------------------------------------------------------------------------ summary
def _audited(snap: Snapshot) -> str:
    """What was audited: the environment the app starts with (envaudit's own, a ``--pid``'s)
    and the dotenv files, in words."""
    files = plural(len(snap.files), "dotenv file")
    note = base.environment_note(snap)
    if note is not None and snap.pids:
        return f"{note} and {files}"
    if note is not None:  # --pid given, unreadable
        return f"{files} ({note})"
    if snap.process is not None:
        return f"the process environment and {files}"
    return f"{files} only (the process environment was not read)"


def _summary(report: Report) -> list[str]:
    snap = report.snapshot
    counts = ", ".join(plural(n, k) for k, n in report.summary().items())
    uses = {u.loader: u.reason for u in snap.loader_uses}
    loaders = ", ".join(f"{span(ld)} ({prose(uses[ld])})" if ld in uses else span(ld)
                        for ld in snap.loaders) or "none"
    out = ["## envaudit report", "",
           f"**{counts}** in {span(short_root(snap.root))} · audited: {prose(_audited(snap))} "
           f"· loaders: {loaders}."]
    limit = base.pid_limit_note(snap)  # the --pid limit (issue 6): what /proc cannot show
    if limit is not None:
        out += ["", f"> **--pid:** {prose(limit)}"]
        out += [f"> {prose(note)}." for note in base.pid_pick_notes(snap)]
    return out


# ------------------------------------------------------------------------ configuration
def _configuration(ctx: AuditContext) -> Lines:
    out: Lines = ["### Effective configuration", ""]
    if not ctx.provider_in_use:
        return [*out, f"Effective configuration {prose(NOT_IN_USE)}."]
    note = precedence_note(ctx)
    out += [f"{prose(note[0].upper() + note[1:])}.", "",
            "| variable | value | source | what the SDK does |", "| --- | --- | --- | --- |"]
    table = rows(ctx)
    for r in table:
        value = r.shown if r.source == "-" else code(r.shown)
        source = "-" if r.source == "-" else code(r.source_text)
        out.append(f"| {code(r.variable)} | {value} | {source} | {cell(r.effect)} |")
    for r in sdk_rows(ctx):
        where = r.variable.removeprefix("SDK").strip()
        source = "-" if r.source == "-" else cell(r.source)
        out.append(f"| SDK{' ' + code(where) if where else ''} | {cell(r.shown)} | {source} | "
                   f"{cell(r.effect)} |")
    names = [r.variable for r in table]
    total = sum(_source_count(ctx, n) for n in names)
    return [*out, "", Fold(f"Every source of each variable ({plural(total, 'row')})",
                           _source_rows(ctx, names), total, "row",
                           "the JSON report's `variables`",
                           ("| variable | source | value | read by | wins for |",
                            "| --- | --- | --- | --- | --- |"))]


def _source_count(ctx: AuditContext, name: str) -> int:
    """How many rows ``_source_rows`` gives ``name``."""
    sites = ctx.site_values(name)
    if not sites:
        return 1
    listed = sum(len(values) for _, values in sites[:SOURCES_PER_VARIABLE])
    return listed + (len(sites) > SOURCES_PER_VARIABLE)


def _source_rows(ctx: AuditContext, names: list[str]) -> Iterator[str]:
    """Per variable of the table, each place it is defined (at most
    ``SOURCES_PER_VARIABLE``), the value read there, the loaders that read it and those that
    end up with it: one row per distinct value; a variable set nowhere, one row."""
    from envaudit.redact import salt, show

    key = salt()
    loaders = tuple(dict.fromkeys(ctx.snapshot.loaders))
    for name in names:
        shown = code(name)
        winners: dict[Location, list[str]] = {}
        for loader in loaders:
            won = ctx.effective(name, loader)
            if won is not None:
                winners.setdefault(won.location, []).append(loader)
        sites = ctx.site_values(name)
        if not sites:
            yield f"| {shown} | - | (not set) | - | - |"
        for site, values in sites[:SOURCES_PER_VARIABLE]:
            where = code(site.location.display())
            wins = ", ".join(winners.get(site.location, ["-"]))
            for value, by in values:
                yield (f"| {shown} | {where} | {code(show(name, value, key))} | "
                       f"{', '.join(by)} | {wins} |")
        if len(sites) > SOURCES_PER_VARIABLE:
            yield (f"| {shown} | +{len(sites) - SOURCES_PER_VARIABLE} more | the JSON "
                   "report's `variables` lists them | | |")


# ------------------------------------------------------------------------ findings
def _finding_rows(findings: Iterable[Finding]) -> Iterable[str]:
    rules: dict[tuple[str, str], str] = {}  # a rule's link, made once
    fixes: dict[str, str] = {}  # most findings of a rule share its fix
    for f in findings:
        rule = rules.get((f.rule_id, f.name))
        if rule is None:
            rule = rules[(f.rule_id, f.name)] = (f"[{f.rule_id} {f.name}]"
                                                 f"({rule_url(f.rule_id)})")
        fix = fixes.get(f.fix)
        if fix is None:
            fix = fixes[f.fix] = cell(f.fix)
        yield (f"| {f.severity.label} | {rule} | {code(f.location.display())} | "
               f"{cell(f.message)}<br>**Fix:** {fix} |")


def _findings(report: Report) -> Lines:
    findings = report.findings
    out: Lines = [f"### Findings ({len(findings)})" if findings else "### Findings", ""]
    if not findings:
        return [*out, "No problems found."]
    out += [*_FINDINGS_HEADER, *_finding_rows(findings[:FIRST_FINDINGS])]
    rest = findings[FIRST_FINDINGS:]
    if not rest:
        return out
    by_rule: dict[str, int] = {}
    for f in findings:
        by_rule[f.rule_id] = by_rule.get(f.rule_id, 0) + 1
    out += ["", "By rule: " + ", ".join(f"{rule} ×{n}" for rule, n in sorted(
        by_rule.items(), key=lambda item: (-item[1], item[0]))) + ".", ""]
    return [*out, Fold(plural(len(rest), "more finding"), _finding_rows(rest), len(rest),
                       "finding", "`envaudit scan --format json`", tuple(_FINDINGS_HEADER),
                       last=True)]


# ------------------------------------------------------------------------ versions
def _packages(packages: Iterable[Package], sdk: str) -> tuple[str, str]:
    """(the SDK's version or ``not installed``, the other packages read) of one environment;
    a package installed in several copies (nested ``node_modules``) is named once."""
    seen: dict[str, str] = {}
    for p in packages:
        seen.setdefault(p.name, p.version or "?")
    version = seen.pop(sdk, None)
    others = ", ".join(f"{name} {v}" for name, v in seen.items()) or "-"
    return (f"{sdk} {version}" if version is not None else f"{sdk} not installed"), others


def _versions(snap: Snapshot) -> Lines:
    """Per environment of the app the SDK installed (or not) and the packages beside it, the
    runtimes found or named, and the latest releases."""
    out: Lines = ["### SDK and runtime versions", ""]
    node = next((r for r in snap.runtimes
                 if r.kind == "node" and r.source.startswith("node on PATH")), None)
    table = []
    for env in snap.python_envs:
        sdk, others = _packages(env.packages, "anthropic")
        table.append(f"| {code(env.path)} | {cell(env.origin)} | "
                     f"Python {cell(env.python or 'unknown')} | {cell(sdk)} | {cell(others)} |")
    for modules in snap.node_modules:
        sdk, others = _packages(sorted(modules.packages, key=lambda p: p.path.count(
            "node_modules")), "@anthropic-ai/sdk")
        runtime = f"Node {node.version}" if node is not None else "Node (none on PATH)"
        table.append(f"| {code(modules.shown)} | node_modules | {cell(runtime)} | {cell(sdk)} | "
                     f"{cell(others)} |")
    if table:
        header = ["| environment | found as | runtime | SDK | also installed |",
                  "| --- | --- | --- | --- | --- |"]
        out += [*header, *table[:FIRST_ROWS]]
        if len(table) > FIRST_ROWS:
            more = table[FIRST_ROWS:]
            out += ["", Fold(plural(len(more), "more environment"), more, len(more),
                             "environment", "the JSON report's `sdks`", tuple(header))]
    else:
        out.append("No Python environment or node\\_modules of the app found (the table's SDK "
                   "rows then state each SDK line's behaviour).")
    facts: list[str] = []
    if snap.runtimes:
        facts.append("- runtimes: " + "; ".join(
            f"{r.kind} {prose(r.version)} ({prose(r.source)})" for r in snap.runtimes))
    releases = snap.releases
    if releases is not None and releases.checks:
        by_source: dict[str, list[str]] = {}
        for c in releases.checks:
            where = {"index": "asked of the index now", "cache": "the index's cached answer",
                     "bundled": f"release data bundled with envaudit, {c.date or 'undated'}",
                     }.get(c.source, "unknown")
            by_source.setdefault(where, []).append(f"{c.name} {c.latest or 'unknown'}")
        facts.append("- latest releases: " + prose("; ".join(
            f"{', '.join(names)} ({where})" for where, names in by_source.items())))
    return [*out, *([""] + facts if facts else [])]


# ------------------------------------------------------------------------ network
def _route_text(r: Route) -> str:
    """Where one client's requests go, in a few words (passwords already ``***``)."""
    if r.route == "proxy":
        return f"through {code(r.proxy or '?')} ({code(r.variable or '?')})"
    if r.route == "error":
        return f"fails: {cell(r.error or 'unknown error')}"
    if r.route == "unknown":
        return f"unknown: {cell(r.note or 'not measured')}"
    if r.bypass is not None:
        return f"direct (NO\\_PROXY entry {code(r.bypass)})"
    if r.ignored is not None:
        return f"direct: {cell(r.ignored)} ({code(r.variable or '?')} is set)"
    return "direct"


def _network(ctx: AuditContext) -> Lines:
    """Each HTTP client's route to the API host, the proxy variables and the CA store."""
    from envaudit.network import PROXY_NAMES, app_environ, model
    from envaudit.redact import show
    from envaudit.tls import TLS_NAMES, summary

    out: Lines = ["### Network path", ""]
    if not ctx.provider_in_use:
        return [*out, "Not computed: nothing says this app uses the Anthropic API."]
    routes = model(ctx)
    targets = ", ".join(span(t) for t in dict.fromkeys(r.target for r in routes))
    env = app_environ(ctx)
    proxies = [f"{span(n)}={span(show(n, v))}" for n, v in env.items() if n in PROXY_NAMES]
    plain = all(r.route == "direct" and r.bypass is None and r.ignored is None for r in routes)
    if not routes:
        out.append("No client of the app has a route to compute (ANTHROPIC\\_BASE\\_URL is not "
                   "a URL the clients can use).")
    elif plain and not proxies:  # the common case, in one line
        out.append(f"Every client goes direct to {targets} (no proxy variable set): "
                   f"{prose(', '.join(r.client for r in routes))}.")
    else:
        out += [f"To {targets}:", "", "| client | route |", "| --- | --- |",
                *(f"| {cell(r.client)} | {_route_text(r)} |" for r in routes[:FIRST_ROWS])]
        if len(routes) > FIRST_ROWS:
            out += ["", f"{plural(len(routes) - FIRST_ROWS, 'more client')}: every route below."]
    cas = {ca.path: ca for ca in ctx.snapshot.ca_files}
    tls: list[str] = []
    for name in TLS_NAMES:
        value = ctx.effective_value(name)
        if value is not None:
            ca = cas.get(value)
            held = f": {summary(ca)}" if ca is not None else ""
            tls.append(f"{span(name)}={span(show(name, value))}{prose(held)}")
    out += [""]
    if proxies or not plain:
        out.append("- proxy variables: " + (", ".join(proxies) if proxies else "none set"))
    out.append("- TLS: " + ("; ".join(tls) if tls else "no CA or verification variable set "
                            "(each client uses its default store)"))
    if routes:
        full = []
        for r in routes:
            proxy = f"{code(r.variable)}={code(r.proxy or '')}" if r.variable else "-"
            why = r.error or r.ignored or r.note or "-"
            facts = f"{r.matcher} matching; {r.source}" if r.matcher else r.source or "-"
            full.append(f"| {cell(r.client)} | {cell(r.route)} | {proxy} | "
                        f"{code(r.bypass) if r.bypass else '-'} | {cell(why)} | {cell(facts)} |")
        out += ["", Fold(f"Every route ({plural(len(routes), 'client')}, with the facts used)",
                         full, len(full), "route", "the JSON report's `network`",
                         ("| client | route | proxy | NO\\_PROXY match | ignored or error | "
                          "facts |", "| --- | --- | --- | --- | --- | --- |"))]
    return out


# ------------------------------------------------------------------------ gaps and host
def _not_checked(snap: Snapshot) -> Lines:
    """Skipped items and release lookups that could not be made."""
    out: Lines = ["### What could not be checked", ""]
    items = [f"- {span(skip_where(s))}: {prose(s.reason)}" for s in snap.skipped]
    releases = snap.releases
    if releases is not None:
        for c in releases.checks:
            if c.reason is not None or c.source not in ("index", "cache"):
                why = c.reason or releases.offline or "no answer"
                items.append(f"- latest {span(c.name)} release: not asked of the index "
                             f"({prose(why)}); compared with {prose(_release_source(c.source))}")
    if snap.pids:
        items.append("- what the processes of `--pid` loaded after exec (load\\_dotenv()): "
                     "/proc does not show it (the note at the top)")
    if not items:
        return [*out, "Nothing: every file, environment and lookup named was read."]
    out += items[:FIRST_ROWS]
    if len(items) > FIRST_ROWS:
        more = items[FIRST_ROWS:]
        out += ["", Fold(plural(len(more), "more item"), more, len(more), "item",
                         "`envaudit scan --format json` (`skipped`)")]
    return out


def _release_source(source: str) -> str:
    return {"bundled": "the release data bundled with envaudit",
            "cache": "an earlier answer of the index (cached)"}.get(source, "nothing")


def _host(host: Host | None) -> list[str]:
    """The machine the report was made on: OS, container, envaudit, time."""
    out = ["### Host", ""]
    if host is None:
        v = base.versions()
        return [*out, f"{prose(v['os'])} {prose(v['machine'])} · envaudit {prose(v['envaudit'])} "
                      f"on Python {prose(v['python'])} ({prose(v['implementation'])})."]
    system = host.system + (f" ({host.distribution})" if host.distribution else "")
    container = ("no container detected" if host.container is None else
                 f"{host.container.kind} container ({host.container.evidence})")
    return [*out, f"{prose(system)} {prose(host.machine)} · {prose(container)} · envaudit "
                  f"{prose(host.envaudit)} on Python {prose(host.python)} · {prose(host.time)}."]


def _files(snap: Snapshot) -> Lines:
    """The dotenv files read, folded."""
    if not snap.files:
        return []
    listed = (f"- {span(f.path)} ({f.role}; {', '.join(f.loaders) or 'no loader in use'}"
              f"{'; named by a compose env_file' if f.origin == 'compose' else ''})"
              for f in snap.files)
    return [Fold(f"Files read ({len(snap.files)})", listed, len(snap.files), "file",
                 "`envaudit snapshot` (`files`)", last=True), ""]


class MarkdownFormatter(Formatter):
    """Summary, findings, effective configuration, versions, network, gaps, host."""

    def render(self, report: Report, options: RenderOptions) -> str:
        """GitHub-flavoured Markdown. ``quiet`` leaves out the effective configuration and the
        network path; ``verbose`` changes nothing (the detail is folded)."""
        snap = report.snapshot
        ctx = report.view()
        parts: Lines = [*_summary(report), "", *_findings(report), ""]
        if not options.quiet:
            parts += [*_configuration(ctx), ""]
        parts += [*_versions(snap), ""]
        if not options.quiet:
            parts += [*_network(ctx), ""]
        parts += [*_not_checked(snap), "", *_host(report.host), "", *_files(snap), FOOTER]
        # the sections are never cut; the folds share what is left of LIMIT
        room = LIMIT - sum(len(p) + 1 if isinstance(p, str) else _overhead(p) for p in parts)
        folds = [p for p in parts if isinstance(p, Fold)]
        unfolded: dict[int, list[str]] = {}
        cap = max(room, 0) // 4
        for fold in sorted(folds, key=lambda f: f.last):
            share = max(room, 0) if fold.last else min(max(room, 0), cap)
            unfolded[id(fold)], left = _unfold(fold, share)
            room -= share - left
        out: list[str] = []
        for part in parts:
            out += [part] if isinstance(part, str) else unfolded[id(part)]
        return "\n".join(out) + "\n"
