"""The effective-configuration table (spec cli.md "Effective configuration"): each variable's
value or hint, the winning source, and what the SDKs will do with it; the JSON report's
``variables``, written as text, against the dicts they were first built as."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from collectors.helpers import options, write
from factories import API_KEY, findings_report, make_file, make_report, make_snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit import engine
from envaudit.context import AuditContext
from envaudit.effective import (
    NOT_IN_USE,
    ConfigRow,
    _shown_names,
    rows,
    split_url,
    variables,
    variables_json,
)
from envaudit.formatters import FORMATTERS, OutputFormat, RenderOptions
from envaudit.model import DOCKER_ENV_FILE, PYTHON_DOTENV, Snapshot
from envaudit.redact import hint, show, value_fp
from envaudit.variables import relevant


def table(snapshot: Snapshot) -> dict[str, ConfigRow]:
    return {r.variable: r for r in rows(AuditContext(snapshot))}


def test_process_wins_and_the_overridden_file_line_is_named() -> None:
    snap = make_snapshot([make_file(".env", [("ANTHROPIC_MODEL", "claude-a"),
                                             ("ANTHROPIC_API_KEY", API_KEY)])],
                         {"ANTHROPIC_API_KEY": API_KEY + "x"})
    row = table(snap)["ANTHROPIC_API_KEY"]
    assert row.source == "process"
    assert row.source_text == "process (overrides .env:2)"
    assert row.shown == hint(API_KEY + "x")
    assert table(snap)["ANTHROPIC_MODEL"].source == ".env:1"


def test_last_line_of_a_file_wins_and_long_override_lists_are_cut() -> None:
    files = [make_file(name, [("ANTHROPIC_MODEL", name)])
             for name in (".env.local", ".env.development", ".env", "app.env")]
    files.append(make_file(".env.development.local", [("ANTHROPIC_MODEL", "a"),
                                                      ("ANTHROPIC_MODEL", "b")]))
    row = table(make_snapshot(files, {}))["ANTHROPIC_MODEL"]
    assert row.shown == "b"
    assert row.source == ".env.development.local:2"
    assert row.source_text == (".env.development.local:2 (overrides .env.development.local:1, "
                               ".env.local:1 +3 more)")


def test_sibling_workspaces_are_not_layers_of_each_other() -> None:
    files = [make_file(path, {"ANTHROPIC_MODEL": path}) for path in
             ("apps/chat/.env", "apps/summarizer/.env", ".env", "apps/chat/sub/.env")]
    explicit = make_file("/deploy/prod.env", {"ANTHROPIC_MODEL": "prod"}, origin="explicit")
    row = table(make_snapshot(files, {}))["ANTHROPIC_MODEL"]
    assert row.source == ".env:1"
    assert row.shadowed == ("apps/chat/.env:1", "apps/summarizer/.env:1", "apps/chat/sub/.env:1")
    row = table(make_snapshot([*files, explicit], {}))["ANTHROPIC_MODEL"]
    assert row.source == "/deploy/prod.env:1" and len(row.shadowed) == 4
    snap = make_snapshot([make_file("apps/chat/.env", {"ANTHROPIC_MODEL": "a"}),
                          make_file("apps/summarizer/.env", {"ANTHROPIC_MODEL": "b"})], {})
    assert table(snap)["ANTHROPIC_MODEL"].shadowed == ()


def test_secret_hinted_non_secret_in_full_url_password_masked() -> None:
    snap = make_snapshot([make_file(".env", {
        "ANTHROPIC_API_KEY": API_KEY,
        "ANTHROPIC_BASE_URL": "https://gw.example/anthropic",
        "HTTPS_PROXY": "http://bob:hunter2hunter2@proxy:3128",
        "SSL_CERT_FILE": "/etc/ssl/corp.pem",
    })], {})
    t = table(snap)
    assert t["ANTHROPIC_API_KEY"].shown == hint(API_KEY)
    assert t["ANTHROPIC_API_KEY"].shown.startswith("sk-ant-api03-…")
    assert t["ANTHROPIC_BASE_URL"].shown == "https://gw.example/anthropic"
    assert t["HTTPS_PROXY"].shown == "http://bob:***@proxy:3128"
    assert t["SSL_CERT_FILE"].shown == "/etc/ssl/corp.pem"


def test_key_and_url_rows_always_present() -> None:
    t = table(make_snapshot([], {"ANTHROPIC_MODEL": "m"}))
    assert t["ANTHROPIC_API_KEY"].shown == "(not set)"
    assert t["ANTHROPIC_API_KEY"].source == "-"
    assert "Could not resolve authentication method" in t["ANTHROPIC_API_KEY"].effect
    assert t["ANTHROPIC_BASE_URL"].effect == "requests go to https://api.anthropic.com/v1/messages"


def test_without_the_process_environment_a_missing_key_is_not_called_fatal() -> None:
    t = table(make_snapshot([make_file(".env", {"ANTHROPIC_MODEL": "m"})], None))
    assert t["ANTHROPIC_API_KEY"].shown == "(not set in any file)"
    assert "--no-process-env" in t["ANTHROPIC_API_KEY"].effect


@pytest.mark.parametrize("value, effect", [
    ("https://gw.example", "requests go to https://gw.example/v1/messages"),
    ("https://gw.example/v1/", "the SDKs append /v1 themselves"),
    ("https://u:s3cretpass@gw.example/x", "requests go to https://u:***@gw.example/x/v1/messages"),
    ("", "treats an empty ANTHROPIC_BASE_URL as set"),
    ("gw.example:8080", "UnsupportedProtocol"),
    (" https://gw.example", "UnsupportedProtocol"),
    ("https://gw.example\n", "InvalidURL"),
])
def test_base_url_effect(value: str, effect: str) -> None:
    row = table(make_snapshot([], {"ANTHROPIC_BASE_URL": value}))["ANTHROPIC_BASE_URL"]
    assert effect in row.effect
    assert "s3cretpass" not in row.effect + row.shown


def test_urls_urlsplit_rejects_get_an_effect_not_a_crash() -> None:
    """``urlsplit`` raises ValueError on an unclosed ``[``; a scan once died of it."""
    t = table(make_snapshot([], {"ANTHROPIC_BASE_URL": "http://[::1/v1",
                                 "HTTPS_PROXY": "http://[bad:3128"}))
    assert t["ANTHROPIC_BASE_URL"].effect.startswith("requests go to http://[::1/v1/v1/messages")
    assert t["HTTPS_PROXY"].effect and "assumed" not in t["HTTPS_PROXY"].effect


_URL_CHARS = st.sampled_from(list("abcHTTPSps:/?#[]@.-+_%0189") + ["http://", "https://", "//"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_URL_CHARS, max_size=12).map("".join))
def test_split_url_is_urlsplit(url: str) -> None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed bracket: split_url reads it anyway
        split_url(url)
        return
    assert split_url(url) == (parts.scheme.lower(), parts.path)


def test_auth_headers_and_conflict() -> None:
    t = table(make_snapshot([], {"ANTHROPIC_API_KEY": API_KEY}))
    assert "Authorization: Bearer <key>" in t["ANTHROPIC_API_KEY"].effect
    assert "X-Api-Key: <key>" in t["ANTHROPIC_API_KEY"].effect
    t = table(make_snapshot([], {"ANTHROPIC_AUTH_TOKEN": "sk-ant-oat01-" + "t" * 50}))
    assert t["ANTHROPIC_AUTH_TOKEN"].effect == "Authorization: Bearer <token> (every SDK line)"
    assert t["ANTHROPIC_API_KEY"].effect == "the SDKs use ANTHROPIC_AUTH_TOKEN instead"
    t = table(make_snapshot([], {"ANTHROPIC_API_KEY": API_KEY,
                                 "ANTHROPIC_AUTH_TOKEN": "sk-ant-oat01-" + "t" * 50}))
    assert "EA111" in t["ANTHROPIC_API_KEY"].effect
    assert "send only the API key" in t["ANTHROPIC_AUTH_TOKEN"].effect
    t = table(make_snapshot([], {"ANTHROPIC_API_KEY": ""}))
    assert "as unset" in t["ANTHROPIC_API_KEY"].effect


def test_proxy_effects() -> None:
    t = table(make_snapshot([], {"ANTHROPIC_MODEL": "m", "HTTPS_PROXY": "http://a:3128",
                                 "https_proxy": "http://b:3128", "HTTP_PROXY": "http://c:3128",
                                 "http_proxy": "", "ALL_PROXY": "socks5://d:1080"}))
    assert t["HTTPS_PROXY"].effect.startswith("ignored: https_proxy is also set")
    assert "0.47-0.53 ignore it" in t["https_proxy"].effect
    assert t["HTTP_PROXY"].effect.startswith("ignored: the empty http_proxy deletes it")
    assert "socksio" in t["ALL_PROXY"].effect
    t = table(make_snapshot([], {"ANTHROPIC_MODEL": "m", "HTTPS_PROXY": "proxy:3128"}))
    assert t["HTTPS_PROXY"].effect.startswith("http:// is assumed")


def test_ca_effects() -> None:
    t = table(make_snapshot([], {"ANTHROPIC_MODEL": "m", "SSL_CERT_FILE": "/ca.pem",
                                 "SSL_CERT_DIR": "/certs", "REQUESTS_CA_BUNDLE": "/ca.pem"}))
    assert "replaces the Python SDK's trust store" in t["SSL_CERT_FILE"].effect
    assert t["SSL_CERT_DIR"].effect == "ignored: SSL_CERT_FILE wins when both are set"
    assert "ignored by every anthropic (Python) version" in t["REQUESTS_CA_BUNDLE"].effect


def test_unrelated_variables_are_left_out() -> None:
    t = table(make_snapshot([], {"ANTHROPIC_MODEL": "m", "PATH": "/bin", "CLAUDE_X": "1"}))
    assert "PATH" not in t and "CLAUDE_X" in t


@pytest.mark.parametrize("fmt", [OutputFormat.TEXT, OutputFormat.MARKDOWN])
def test_table_replaced_by_a_note_when_the_provider_is_not_in_use(fmt: OutputFormat) -> None:
    report = make_report(make_snapshot([make_file(".env", {"DEBUG": "1"})], {"PATH": "/bin"}))
    text = FORMATTERS[fmt].render(report, RenderOptions())
    assert NOT_IN_USE in text.replace("\\", "")
    assert "ANTHROPIC_API_KEY" not in text
    forced = make_report(make_snapshot([], {}, provider_hints=("--provider anthropic",)))
    assert "ANTHROPIC_API_KEY" in FORMATTERS[fmt].render(forced, RenderOptions())


def test_compose_sources_and_winners(tmp_path: Path) -> None:
    """compose's ``environment:`` entries are sources of their own; another loader's winner
    does not override them (the table), and compose's winner is listed beside it (JSON)."""
    write(tmp_path, "compose.yaml", "services:\n  app:\n    env_file: [.env, app.vars]\n"
                                    "    environment:\n      ANTHROPIC_MODEL: pinned\n")
    write(tmp_path, ".env", "ANTHROPIC_MODEL=from-dotenv\nANTHROPIC_API_KEY=" + API_KEY + "\n")
    write(tmp_path, "app.vars", "ANTHROPIC_BASE_URL=https://gw.example\n")
    ctx = AuditContext(engine.collect(options(tmp_path, process_env=False)))
    t = {r.variable: r for r in rows(ctx)}
    assert t["ANTHROPIC_MODEL"].source_text == ".env:1"  # python-dotenv's; compose.yaml:5 is not
    assert t["ANTHROPIC_BASE_URL"].source_text == "app.vars:1"  # compose is the only reader
    listed = {v["name"]: v for v in variables(ctx)}
    model = listed["ANTHROPIC_MODEL"]
    assert [s["location"] for s in model["sources"]] == [
        {"source": "compose", "path": "compose.yaml", "line": 5},
        {"source": "dotenv", "path": ".env", "line": 1}]
    assert model["winner"]["compose"]["location"]["path"] == "compose.yaml"
    assert model["winner"]["compose"]["shown"] == "pinned"
    assert model["winner"]["python-dotenv"]["shown"] == "from-dotenv"
    key = listed["ANTHROPIC_API_KEY"]["winner"]
    assert key["compose"]["shown"] == key["python-dotenv"]["shown"] == hint(API_KEY)


# ---------------------------------------------------------------- variables_json


def _reference_variables(ctx: AuditContext) -> list[dict[str, Any]]:
    """``variables`` as first written: a dict per site and value, ``show`` and ``value_fp``
    each time."""
    if not ctx.provider_in_use:
        return []

    def value(name: str, v: str | None) -> dict[str, Any]:
        return {"shown": show(name, v), "value_fp": None if v is None else value_fp(v)}

    out = []
    for name in _shown_names(ctx, relevant):
        sources = [{"location": site.location.to_json(),
                    "values": [{"loaders": loaders, **value(name, v)}
                               for v, loaders in site.by_value().items()]}
                   for site in ctx.sites(name)]
        winners: dict[str, Any] = {}
        for loader in ctx.snapshot.loaders:
            d = ctx.effective(name, loader)
            winners[loader] = None if d is None else {"location": d.location.to_json(),
                                                      **value(name, d.value)}
        out.append({"name": name, "sources": sources, "winner": winners})
    return out


def _assert_variables_are_the_reference(ctx: AuditContext) -> None:
    expected = _reference_variables(ctx)
    assert variables_json(ctx) == [json.dumps(e, ensure_ascii=False) for e in expected]
    assert variables(ctx) == expected


def test_variables_json_of_the_fixture_and_of_compose(tmp_path: Path) -> None:
    _assert_variables_are_the_reference(findings_report().view())
    write(tmp_path, "compose.yaml", "services:\n  app:\n    env_file: [.env]\n"
                                    "    environment:\n      ANTHROPIC_MODEL: pinned\n")
    write(tmp_path, ".env", "ANTHROPIC_MODEL=x\nANTHROPIC_API_KEY=" + API_KEY + "\nBARE\n")
    _assert_variables_are_the_reference(
        AuditContext(engine.collect(options(tmp_path, process_env=False))))
    _assert_variables_are_the_reference(AuditContext(make_snapshot([], {"PATH": "/bin"})))


#: Values with everything JSON escapes or ``show`` treats specially.
VALUES = st.none() | st.sampled_from(["", "claude-x", API_KEY, " " + API_KEY + "\n",
                                      "http://u:pw-123456789@proxy:3128", 'a"b\\c\n\t\x00é–密',
                                      "\udcff", "sk-proj-" + "q" * 30]) | st.text(max_size=12)
NAMES = st.sampled_from(["ANTHROPIC_API_KEY", "ANTHROPIC_MODEL", "ANTHROPIC_BASE_URL",
                         "HTTPS_PROXY", "ANTHROPIC_CUSTOM_HEADERS", "CLAUDE_CODE_X"])


@settings(max_examples=150, deadline=None)
@given(files=st.lists(st.tuples(st.sampled_from([".env", ".env.local", "apps/a/.env",
                                                 "apps/b/.env", "deploy.env"]),
                                st.lists(st.tuples(NAMES, VALUES), max_size=4)),
                      max_size=4),
       process=st.none() | st.dictionaries(NAMES, st.text(max_size=8), max_size=2),
       loaders=st.sampled_from([(PYTHON_DOTENV,), (PYTHON_DOTENV, DOCKER_ENV_FILE),
                                (DOCKER_ENV_FILE, PYTHON_DOTENV, PYTHON_DOTENV)]))
def test_variables_json_is_the_reference(files: list[tuple[str, list[tuple[str, Any]]]],
                                         process: dict[str, str] | None,
                                         loaders: tuple[str, ...]) -> None:
    made = [make_file(path, pairs, loaders=loaders[:1 + i % len(loaders)])
            for i, (path, pairs) in enumerate(files)]
    snapshot = make_snapshot(made, process, loaders=loaders,
                             provider_hints=("--provider anthropic",))
    _assert_variables_are_the_reference(AuditContext(snapshot))
