"""Every output format against its golden file, plus the structure each format promises.

The shared fixture is ``factories.findings_report()``. Run ``pytest --update-golden`` to rewrite
``golden/findings.*`` after a deliberate change, and review the diff.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from factories import (
    FIXTURE_SECRETS,
    ROOT,
    findings_report,
    fragments,
    make_file,
    make_finding,
    make_report,
    make_snapshot,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit.cli import FORMAT_CHOICES
from envaudit.engine import Report
from envaudit.formatters import FORMATTERS, OutputFormat, RenderOptions, base, markdown
from envaudit.formatters.json_format import finding_json, finding_text
from envaudit.host import Container, Host
from envaudit.model import Location, Severity

GOLDEN = Path(__file__).parent / "golden"
SUFFIX = {OutputFormat.TEXT: "txt", OutputFormat.JSON: "json", OutputFormat.MARKDOWN: "md",
          OutputFormat.SARIF: "sarif"}
PINNED_VERSIONS = {"envaudit": "0.0.0-golden", "python": "3.12.0", "implementation": "cpython",
                   "os": "Linux 6.0.0", "machine": "x86_64"}
#: The host the Markdown golden file names (the time pinned).
PINNED_HOST = Host(system="Linux 6.0.0", machine="x86_64",
                   distribution="Debian GNU/Linux 12 (bookworm)", hostname="golden-host",
                   container=Container("docker", "/.dockerenv exists"),
                   python="3.12.0 (cpython)", envaudit="0.0.0-golden",
                   time="2026-12-06T12:00:00Z")


@pytest.fixture(autouse=True)
def _pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    """Versions, salt, docs URL and HOME fixed: the golden files are the same on every machine."""
    monkeypatch.setattr(base, "versions", lambda: dict(PINNED_VERSIONS))
    monkeypatch.delenv("ENVAUDIT_SALT", raising=False)
    monkeypatch.delenv("ENVAUDIT_DOCS_URL", raising=False)
    monkeypatch.setenv("HOME", "/home/golden")


def render(fmt: OutputFormat, report: Report | None = None, **options: bool) -> str:
    report = report or findings_report()
    if fmt == OutputFormat.MARKDOWN and report.host is None:  # as the CLI makes it
        report = report._replace(host=PINNED_HOST)
    return FORMATTERS[fmt].render(report, RenderOptions(**options))


@pytest.mark.parametrize("fmt", list(OutputFormat), ids=lambda f: f.value)
def test_golden(fmt: OutputFormat, update_golden: bool) -> None:
    path = GOLDEN / f"findings.{SUFFIX[fmt]}"
    got = render(fmt).encode("utf-8")
    if update_golden:
        path.write_bytes(got)
    assert got == path.read_bytes(), f"{path.name} differs; rerun with --update-golden and review"


@pytest.mark.parametrize("fmt", list(OutputFormat), ids=lambda f: f.value)
def test_no_fixture_secret_in_any_format(fmt: OutputFormat) -> None:
    text = render(fmt, verbose=True)
    for secret in FIXTURE_SECRETS:
        assert secret not in text
        assert not {f for f in fragments(secret) if f in text}


def test_every_format_has_a_formatter_and_renders_the_fixture() -> None:
    assert set(FORMATTERS) == set(OutputFormat)
    assert set(FORMAT_CHOICES) == {f.value for f in OutputFormat}
    for fmt in OutputFormat:
        for options in (RenderOptions(), RenderOptions(color=True, quiet=True, verbose=True)):
            text = FORMATTERS[fmt].render(findings_report(), options)
            assert text.endswith("\n") and not text.endswith("\n\n")


@pytest.mark.parametrize("fmt", list(OutputFormat), ids=lambda f: f.value)
def test_every_format_renders_an_empty_report(fmt: OutputFormat) -> None:
    text = render(fmt, make_report(make_snapshot()))
    assert text.endswith("\n")
    if fmt in (OutputFormat.JSON, OutputFormat.SARIF):
        json.loads(text)


# ---------------------------------------------------------------- JSON (schema 1)
FINDING_KEYS = {"id", "name", "severity", "message", "variable", "location", "fingerprint",
                "details"}


def test_json_has_the_schema_1_keys_then_the_additive_ones() -> None:
    # schema 1's keys, in order; ``loaders``, ``variables`` (issue 3), ``sdks`` (issue 4) and
    # ``network`` (issue 5) are additions that no schema-1 reader is affected by.
    doc = json.loads(render(OutputFormat.JSON))
    assert list(doc) == ["schema_version", "tool", "root", "findings", "skipped", "summary",
                         "loaders", "variables", "sdks", "network"]
    assert doc["schema_version"] == 1
    assert doc["tool"] == {"name": "envaudit", "version": "0.0.0-golden"}
    assert doc["root"] == ROOT
    assert doc["summary"] == {"error": 1, "warning": 2, "info": 1}
    assert doc["skipped"] == [{"source": "dotenv", "path": "config/.env.production",
                               "reason": "not readable: Permission denied"}]
    for finding in doc["findings"]:
        assert set(finding) == FINDING_KEYS
        assert finding["severity"] in ("error", "warning", "info")
        assert re.fullmatch(r"EA[1-9]\d\d", finding["id"])
        assert set(finding["location"]) <= {"source", "path", "line", "pid"}
        assert finding["location"]["source"] in ("dotenv", "process", "pid", "code", "package",
                                                 "config", "probe", "snapshot")
        assert isinstance(finding["details"], dict)
        assert re.fullmatch(r"[0-9a-f]{16}", finding["fingerprint"])
    by_id = {f["id"]: f for f in doc["findings"]}
    assert by_id["EA111"]["location"] == {"source": "process"}
    assert by_id["EA103"]["location"] == {"source": "dotenv", "path": ".env", "line": 1}
    assert by_id["EA205"]["variable"] is None
    assert by_id["EA113"]["details"]["values"][0]["source"] == ".env.local:1"


def test_json_findings_most_severe_first() -> None:
    doc = json.loads(render(OutputFormat.JSON))
    order = ["error", "warning", "info"]
    ranks = [order.index(f["severity"]) for f in doc["findings"]]
    assert ranks == sorted(ranks)


# ---------------------------------------------------------------- SARIF 2.1.0
def sarif(report: Report | None = None) -> dict[str, Any]:
    return json.loads(render(OutputFormat.SARIF, report))  # type: ignore[no-any-return]


def test_sarif_log_shape() -> None:
    doc = sarif()
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].endswith("sarif-2.1.0.json")
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "envaudit"
    assert driver["version"] == driver["semanticVersion"] == "0.0.0-golden"
    assert driver["informationUri"].startswith("https://")
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///project/"}}


def test_sarif_each_fired_rule_once_and_results_link_to_it() -> None:
    run = sarif()["runs"][0]
    rules, results = run["tool"]["driver"]["rules"], run["results"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    assert set(ids) == {r["ruleId"] for r in results} == {"EA103", "EA111", "EA205", "EA113"}
    for rule in rules:
        assert rule["helpUri"] == f"{base.DEFAULT_DOCS_URL}{rule['id']}.md"
        assert rule["name"] and rule["shortDescription"]["text"] and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert re.fullmatch(r"[0-9a-f]{16}", result["partialFingerprints"]["envaudit/v1"])
        assert result["message"]["text"]


def test_sarif_levels() -> None:
    levels = {r["ruleId"]: r["level"] for r in sarif()["runs"][0]["results"]}
    assert levels == {"EA103": "error", "EA111": "warning", "EA205": "warning", "EA113": "note"}


def test_sarif_locations() -> None:
    results = {r["ruleId"]: r["locations"] for r in sarif()["runs"][0]["results"]}
    (dotenv,) = results["EA103"]
    assert dotenv == {"physicalLocation": {
        "artifactLocation": {"uri": ".env", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1}}}
    assert results["EA205"][0]["physicalLocation"]["region"] == {"startLine": 6}
    (process,) = results["EA111"]
    assert "physicalLocation" not in process
    assert process["logicalLocations"][0]["name"] == "ANTHROPIC_AUTH_TOKEN"


def test_sarif_uris_are_uris() -> None:
    findings = [
        make_finding("EA103", location=Location("dotenv", "my app/.env ü", 2)),
        make_finding("EA103", location=Location("dotenv", "/etc/app/prod.env", 3)),
    ]
    results = sarif(make_report(findings=findings))["runs"][0]["results"]
    artifacts = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in results]
    assert {"uri": "my%20app/.env%20%C3%BC", "uriBaseId": "%SRCROOT%"} in artifacts
    assert {"uri": "file:///etc/app/prod.env"} in artifacts


def test_sarif_has_no_result_and_no_rule_for_a_clean_report() -> None:
    run = sarif(make_report())["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []


def _walk_keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in _walk_keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in _walk_keys(v)}
    return set()


def test_sarif_uses_only_properties_of_the_2_1_0_objects_it_emits() -> None:
    # NOTE: the SARIF JSON schema cannot be vendored here, so the properties envaudit emits are
    # checked against the ones SARIF 2.1.0 defines for those objects (sarifLog, run, tool,
    # toolComponent, reportingDescriptor, result, location, physicalLocation, artifactLocation,
    # region, logicalLocation, message, multiformatMessageString, reportingConfiguration).
    allowed = {
        "$schema", "version", "runs", "tool", "driver", "name", "semanticVersion",
        "informationUri", "rules", "id", "helpUri", "shortDescription", "help",
        "defaultConfiguration", "level", "text", "originalUriBaseIds", "uri", "results",
        "ruleId", "ruleIndex", "message", "locations", "physicalLocation", "artifactLocation",
        "uriBaseId", "region", "startLine", "logicalLocations", "fullyQualifiedName", "kind",
        "partialFingerprints", "%SRCROOT%", "envaudit/v1",
    }
    assert _walk_keys(sarif()) <= allowed


# ---------------------------------------------------------------- text
def test_text_has_no_colour_unless_asked() -> None:
    assert "\x1b[" not in render(OutputFormat.TEXT)
    coloured = render(OutputFormat.TEXT, color=True)
    assert "\x1b[1;31merror (1)\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render(OutputFormat.TEXT)


def test_text_starts_with_the_effective_configuration_then_groups_by_severity() -> None:
    text = render(OutputFormat.TEXT)
    positions = [text.index(s) for s in ("Effective configuration", "\nerror (1)\n",
                                         "\nwarning (2)\n", "\ninfo (1)\n", "\nskipped (1)\n")]
    assert positions == sorted(positions)
    assert "Found 1 error, 2 warnings, 1 info." in text


def test_text_each_finding_has_location_fix_and_rules_pointer() -> None:
    text = render(OutputFormat.TEXT)
    for where, rule_id in ((".env:1", "EA103"), ("process environment", "EA111"),
                           (".env:6", "EA205"), (".env.local:1", "EA113")):
        block = text[text.index(f"  {where}  {rule_id} "):]
        fix_line = block.splitlines()[2]
        assert fix_line.startswith("    fix: ") and fix_line.endswith(f"(envaudit rules {rule_id})")


def test_text_quiet_leaves_out_the_table_verbose_lists_files() -> None:
    quiet = render(OutputFormat.TEXT, quiet=True)
    assert "Effective configuration" not in quiet and "EA103" in quiet
    verbose = render(OutputFormat.TEXT, verbose=True)
    assert "  read .env (env; python-dotenv)" in verbose


def test_text_clean_report() -> None:
    text = render(OutputFormat.TEXT, make_report(make_snapshot(process={})))
    assert text.rstrip().endswith("No problems found.")


# ---------------------------------------------------------------- markdown
def test_markdown_sections_in_order() -> None:
    text = render(OutputFormat.MARKDOWN)
    heads = [line for line in text.splitlines() if line.startswith("#")]
    assert heads == ["## envaudit report", "### Findings (4)", "### Effective configuration",
                     "### SDK and runtime versions", "### Network path",
                     "### What could not be checked", "### Host"]
    assert "**1 error, 2 warnings, 1 info** in `/project`" in text
    assert "audited: the process environment and 2 dotenv files" in text
    host = text[text.index("### Host"):]
    for fact in ("Linux 6.0.0 (Debian GNU/Linux 12 (bookworm)) x86_64", "docker container",
                 "envaudit 0.0.0-golden", "Python 3.12.0 (cpython)", "2026-12-06T12:00:00Z"):
        assert fact in host
    assert "golden-host" not in text  # a host name says nothing about the bug


def test_markdown_quiet_leaves_out_the_configuration_and_the_network() -> None:
    heads = [line for line in render(OutputFormat.MARKDOWN, quiet=True).splitlines()
             if line.startswith("#")]
    assert heads == ["## envaudit report", "### Findings (4)", "### SDK and runtime versions",
                     "### What could not be checked", "### Host"]


def test_markdown_without_host_facts_shows_envaudits_versions() -> None:
    # a report made without host facts (a library call): envaudit's own versions
    text = FORMATTERS[OutputFormat.MARKDOWN].render(findings_report(), RenderOptions())
    assert "Linux 6.0.0 x86_64 · envaudit 0.0.0-golden on Python 3.12.0 (cpython)." in text


def _tables(text: str) -> list[list[str]]:
    """The Markdown tables of ``text``: runs of lines starting with ``|``."""
    tables: list[list[str]] = []
    previous = ""
    for line in text.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            tables[-1].append(line)
        previous = line
    return tables


def test_markdown_table_rows_have_the_header_column_count() -> None:
    # An unescaped | in a message or value would add a column and break the table.
    tables = _tables(render(OutputFormat.MARKDOWN))
    assert len(tables) == 6  # findings, configuration, sources, versions (none: "No ..."),
    # routes, every route; each separated from the text before it by a blank line
    for table in tables:
        widths = {len(re.findall(r"(?<!\\)\|", line)) for line in table}
        assert len(widths) == 1, table
        assert re.fullmatch(r"\|( --- \|)+", table[1])


def test_markdown_tables_and_folds_follow_a_blank_line() -> None:
    lines = render(OutputFormat.MARKDOWN).splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|") and not lines[i - 1].startswith("|"):
            assert lines[i - 1] == "", line
        if line.startswith("<details>"):
            assert lines[i - 1] == "" and lines[i + 1] == "", line
            assert re.fullmatch(r"<details><summary>[^<>]+</summary>", line)
        if line == "</details>":
            assert lines[i - 1] == "" and lines[i + 1] == ""


def test_markdown_escapes_markup_but_keeps_code_spans() -> None:
    text = render(OutputFormat.MARKDOWN)
    assert ".env \\| python-dotenv reads `.env.local` first" in text
    assert "ANTHROPIC_API_KEY ends with a newline" in text  # no \\_ inside words


def test_markdown_findings_have_fix_and_rule_link() -> None:
    text = render(OutputFormat.MARKDOWN)
    for rule_id, name in (("EA103", "key-whitespace"), ("EA111", "auth-conflict")):
        row = next(line for line in text.splitlines() if f"[{rule_id} {name}]" in line)
        assert f"]({base.DEFAULT_DOCS_URL}{rule_id}.md)" in row
        assert "<br>**Fix:** " in row


@pytest.mark.parametrize("text, want", [
    ("go to https://api.example.com/v1/messages.", "go to `https://api.example.com/v1/messages`."),
    ("HTTPS_PROXY=http://u:***@proxy:3128 is set", "HTTPS_PROXY=`http://u:***@proxy:3128` is set"),
    ("_x_ http://a.b/c_d_", "\\_x\\_ `http://a.b/c_d_`"),
    ("(see www.example.com)", "(see `www.example.com`)"),
    ("mail ops@example.com, please", "mail `ops@example.com`, please"),
    ("@anthropic-ai/sdk 1.0 and a://", "@anthropic-ai/sdk 1.0 and a://"),
    ("`http://x` stays", "`http://x` stays"),
])
def test_markdown_cells_set_what_github_would_link_as_code(text: str, want: str) -> None:
    # GitHub's autolink extension links URLs, www. and e-mail addresses, and a link shows the
    # backslashes of escaped markup (a proxy URL's ***) as they are
    assert markdown.cell(text) == want


def test_markdown_pipes_are_escaped_in_table_code_spans_only() -> None:
    # GFM needs \| for a | in a table cell, code spans included; outside a table a code span
    # shows the backslash
    assert markdown.code("a|b") == "`a\\|b`" and markdown.span("a|b") == "`a|b`"
    assert markdown.cell("x `a|b` y|z") == "x `a\\|b` y\\|z"
    assert markdown.prose("x `a|b` y|z") == "x `a|b` y\\|z"
    assert markdown.prose("see http://h/a|b") == "see `http://h/a|b`"


# ---------------------------------------------------------------- severities in every format
@pytest.mark.parametrize("severity", list(Severity), ids=lambda s: s.label)
def test_each_severity_appears_in_every_format(severity: Severity) -> None:
    report = make_report(make_snapshot([make_file(".env", {"ANTHROPIC_MODEL": "x"})]),
                         [make_finding("EA110", "a message", severity=severity)])
    assert f"{severity.label} (1)" in render(OutputFormat.TEXT, report)
    assert f'"severity": "{severity.label}"' in render(OutputFormat.JSON, report)
    assert f"| {severity.label} |" in render(OutputFormat.MARKDOWN, report)
    level = {"error": "error", "warning": "warning", "info": "note"}[severity.label]
    assert f'"level": "{level}"' in render(OutputFormat.SARIF, report)


# ---------------------------------------------------------------- written without dicts

TEXTS = st.text(st.characters(min_codepoint=0, max_codepoint=0x2FFF), max_size=40)
DETAILS = st.dictionaries(TEXTS, st.recursive(
    st.none() | st.booleans() | st.integers() | TEXTS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXTS, inner, max_size=3),
    max_leaves=8), max_size=3)


@settings(max_examples=200, deadline=None)
@given(message=TEXTS, variable=st.none() | TEXTS, details=DETAILS,
       location=st.builds(Location, st.sampled_from(["dotenv", "process", "pid", "compose"]),
                          st.none() | TEXTS, st.none() | st.integers(1, 10**6),
                          st.none() | st.integers(1, 99999)))
def test_finding_text_is_the_finding_json(message: str, variable: str | None,
                                          details: dict[str, Any], location: Location) -> None:
    finding = make_finding("EA113", message, variable=variable, details=details,
                           location=location)
    assert finding_text(finding) == json.dumps(finding_json(finding), ensure_ascii=False)


#: The markup pattern as first written (a look-behind tried at every position).
_FIRST_MARKUP = re.compile(r"[\\`*\[\]<~|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


@settings(max_examples=500, deadline=None)
@given(text=st.text("aZ9_ \\`*[]<~|-é\n", max_size=20) | st.text(max_size=20))
def test_markdown_escapes_what_the_first_pattern_escaped(text: str) -> None:
    assert markdown._escape(text) == _FIRST_MARKUP.sub(lambda m: "\\" + m.group(0), text)
