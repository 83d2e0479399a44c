"""The effective table's SDK lines (issue 4): one per environment that has the SDK, and the
variable rows worded from the installed release's facts when every installed release agrees,
each SDK line's behaviour otherwise."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest
from factories import API_KEY, make_file, make_report, make_snapshot, venv

from envaudit.context import AuditContext
from envaudit.effective import NO_SDK, ConfigRow, rows, sdk_rows, sdks
from envaudit.formatters import FORMATTERS, OutputFormat, RenderOptions
from envaudit.model import NodeModules, Package, PythonEnvironment, Snapshot

TOKEN = "sk-ant-oat01-" + "t" * 50
V2 = venv("anthropic 2.17.0", "httpx2 2.17.0", "truststore 0.10.5")
V0 = venv("anthropic 0.50.0", "httpx 0.28.1", "certifi 2025.1.31", path="/srv/bot",
          origin="VIRTUAL_ENV", python="3.9.18")


def node_modules(version: str, folder: str = ".") -> NodeModules:
    where = "node_modules" if folder == "." else f"{folder}/node_modules"
    return NodeModules(folder, (Package("@anthropic-ai/sdk", version,
                                        f"{where}/@anthropic-ai/sdk"),))


def snap(process: Mapping[str, str], *envs: PythonEnvironment,
         modules: tuple[NodeModules, ...] = ()) -> Snapshot:
    return make_snapshot([], {"ANTHROPIC_MODEL": "m", **process})._replace(
        python_envs=envs, node_modules=modules)


def table(snapshot: Snapshot) -> dict[str, ConfigRow]:
    return {r.variable: r for r in rows(AuditContext(snapshot))}


def test_no_sdk_one_line_and_the_rows_state_each_line() -> None:
    s = snap({"ANTHROPIC_API_KEY": API_KEY, "HTTPS_PROXY": "http://p:3128"})
    assert sdk_rows(AuditContext(s)) == [ConfigRow("SDK", NO_SDK, "-", "")]
    t = table(s)
    assert "X-Api-Key: <key>" in t["ANTHROPIC_API_KEY"].effect
    assert "0.47-0.53 ignore it" in t["HTTPS_PROXY"].effect


def test_one_release_words_the_rows_from_its_facts() -> None:
    t = table(snap({"ANTHROPIC_API_KEY": API_KEY, "ANTHROPIC_AUTH_TOKEN": TOKEN,
                    "HTTPS_PROXY": "http://p:3128", "ALL_PROXY": "socks5://s:1080",
                    "NO_PROXY": ".internal", "SSL_CERT_FILE": "/ca.pem"}, V2))
    assert t["ANTHROPIC_API_KEY"].effect == (
        "anthropic 2.17.0 (installed) sends Authorization: Bearer <key>, anthropic-version "
        "2026-10-21; ANTHROPIC_AUTH_TOKEN is also set (EA111)")
    assert t["ANTHROPIC_AUTH_TOKEN"].effect.startswith(
        "anthropic 2.17.0 (installed) sends only the key (Authorization: Bearer) and logs")
    assert t["HTTPS_PROXY"].effect.startswith("anthropic 2.17.0 (installed) connects through it")
    assert ("socksio package is installed; anthropic 2.17.0 (installed) connects through it"
            in t["ALL_PROXY"].effect)
    assert "IPv4 ranges" in t["NO_PROXY"].effect and "(installed)" in t["NO_PROXY"].effect
    assert t["SSL_CERT_FILE"].effect == (
        "replaces the OS trust store, the trust store of anthropic 2.17.0 (installed): the file "
        "must hold every CA needed")


def test_the_release_that_ignores_proxies() -> None:
    t = table(snap({"ANTHROPIC_API_KEY": API_KEY, "ANTHROPIC_AUTH_TOKEN": TOKEN,
                    "HTTPS_PROXY": "proxy:3128", "NO_PROXY": "localhost", "SSL_CERT_DIR": "/c"},
                   V0))
    assert t["HTTPS_PROXY"].effect.startswith(
        "anthropic 0.50.0 (installed) ignores it and connects directly (anthropic 0.47-0.53; "
        "fixed in 0.54)")
    assert t["NO_PROXY"].effect.startswith(
        "no effect: anthropic 0.50.0 (installed) ignores the proxy variables")
    bad = table(snap({"ALL_PROXY": "socks5://s:1080", "HTTP_PROXY": "ftp://f"}, V0))
    assert bad["ALL_PROXY"].effect.startswith("anthropic 0.50.0 (installed) ignores it")
    assert bad["HTTP_PROXY"].effect.startswith("anthropic 0.50.0 (installed) ignores it")
    assert "sends X-Api-Key <key>, anthropic-version 2023-06-01" in t["ANTHROPIC_API_KEY"].effect
    assert t["ANTHROPIC_AUTH_TOKEN"].effect == ("anthropic 0.50.0 (installed) sends both "
                                                "X-Api-Key and Authorization: Bearer <token>")
    assert t["SSL_CERT_DIR"].effect == ("replaces certifi's bundle, the trust store of anthropic "
                                        "0.50.0 (installed) when SSL_CERT_FILE is unset")


def test_token_alone_and_missing_key() -> None:
    t = table(snap({"ANTHROPIC_AUTH_TOKEN": TOKEN}, V2))
    assert t["ANTHROPIC_AUTH_TOKEN"].effect == ("anthropic 2.17.0 (installed) sends "
                                                "Authorization: Bearer <token>")
    t = table(snap({}, modules=(node_modules("1.10.0"),)))
    assert t["ANTHROPIC_API_KEY"].effect.startswith("@anthropic-ai/sdk throws Error")


def test_releases_that_differ_keep_each_lines_wording_and_each_get_a_line() -> None:
    s = snap({"ANTHROPIC_API_KEY": API_KEY, "HTTPS_PROXY": "http://p:3128"}, V2, V0)
    t = table(s)
    assert "anthropic 0.x-1.x / @anthropic-ai/sdk 0.x" in t["ANTHROPIC_API_KEY"].effect
    assert "0.47-0.53 ignore it" in t["HTTPS_PROXY"].effect
    lines = sdk_rows(AuditContext(s))
    assert [(r.variable, r.shown, r.source) for r in lines] == [
        ("SDK .venv", "anthropic 2.17.0 · httpx2 2.17.0 · Python 3.12.0", ".venv in the project"),
        ("SDK /srv/bot", "anthropic 0.50.0 · httpx 0.28.1 · Python 3.9.18", "VIRTUAL_ENV"),
    ]
    assert lines[1].effect == (
        "key: X-Api-Key · anthropic-version: 2023-06-01 · CA: certifi's bundle (certifi "
        "2025.1.31) · proxy: HTTP_PROXY, HTTPS_PROXY and ALL_PROXY ignored: 0.47-0.53 connect "
        "directly (fixed in 0.54)")


def test_releases_that_agree_on_an_aspect_share_its_wording() -> None:
    """anthropic 2.17.0 and @anthropic-ai/sdk 1.10.0 send the key alike, not proxies."""
    s = snap({"ANTHROPIC_API_KEY": API_KEY, "HTTPS_PROXY": "http://p:3128",
              "ANTHROPIC_BASE_URL": "", "SSL_CERT_FILE": "/ca.pem"}, V2,
             modules=(node_modules("1.10.0"),))
    t = table(s)
    assert t["ANTHROPIC_API_KEY"].effect.startswith(
        "each installed SDK (anthropic 2.17.0; @anthropic-ai/sdk 1.10.0) sends Authorization: "
        "Bearer <key>")
    assert "0.47-0.53 ignore it" in t["HTTPS_PROXY"].effect
    assert "TypeScript SDK treats it as unset" in t["ANTHROPIC_BASE_URL"].effect
    assert "Python SDK treats" in t["ANTHROPIC_BASE_URL"].effect
    assert t["SSL_CERT_FILE"].effect == (
        "replaces the OS trust store, the trust store of anthropic 2.17.0 (installed): the file "
        "must hold every CA needed; Node ignores it")


def test_two_releases_that_agree() -> None:
    other = venv("anthropic 2.12.0", "httpx2 2.16.2", "truststore 0.10.5", path="venv")
    t = table(snap({"HTTPS_PROXY": "http://p:3128", "SSL_CERT_FILE": "/ca.pem"}, V2, other))
    assert t["HTTPS_PROXY"].effect.startswith(
        "each installed SDK (anthropic 2.17.0, 2.12.0) connects through it")
    assert t["SSL_CERT_FILE"].effect.startswith(
        "replaces the OS trust store, the trust store of each installed SDK (anthropic 2.17.0, "
        "2.12.0): ")
    assert len(sdk_rows(AuditContext(snap({}, V2, other)))) == 2


def test_node_only() -> None:
    s = snap({"HTTPS_PROXY": "http://p:3128", "ANTHROPIC_BASE_URL": ""},
             modules=(node_modules("1.10.0", "apps/web"),))
    t = table(s)
    assert t["HTTPS_PROXY"].effect.startswith("@anthropic-ai/sdk 1.10.0 (installed) ignores it: "
                                              "Node's fetch reads it only with "
                                              "NODE_USE_ENV_PROXY=1")
    assert t["ANTHROPIC_BASE_URL"].effect.startswith("the TypeScript SDK treats it as unset")
    socks = table(snap({"ALL_PROXY": "socks5://s:1080"}, modules=(node_modules("1.10.0"),)))
    assert "socksio" not in socks["ALL_PROXY"].effect
    (line,) = sdk_rows(AuditContext(s))
    assert (line.variable, line.shown, line.source) == (
        "SDK apps/web/node_modules", "@anthropic-ai/sdk 1.10.0 · Node's global fetch", "-")
    assert "NODE_EXTRA_CA_CERTS" in line.effect and "not measured" in line.effect


def test_environments_with_the_same_facts_share_a_line() -> None:
    modules = tuple(node_modules("1.10.0", f"apps/{n}") for n in "abcd")
    (line,) = sdk_rows(AuditContext(snap({}, modules=modules)))
    assert line.variable == "SDK apps/a/node_modules, apps/b/node_modules +2 more"
    same = venv("anthropic 2.17.0", "httpx2 2.17.0", "truststore 0.10.5", path="venv",
                origin="venv in the project")
    (line,) = sdk_rows(AuditContext(snap({}, V2, same)))
    assert (line.variable, line.source) == ("SDK .venv, venv",
                                            ".venv in the project, venv in the project")


def test_a_release_outside_the_measured_ones() -> None:
    s = snap({"ANTHROPIC_API_KEY": API_KEY}, venv("anthropic 2.18.0", "httpx2 2.18.0"))
    assert "anthropic 0.x-1.x" in table(s)["ANTHROPIC_API_KEY"].effect
    (line,) = sdk_rows(AuditContext(s))
    assert line.shown == "anthropic 2.18.0 · Python 3.12.0"
    assert line.effect == ("not measured: the facts cover anthropic 0.8.0-2.17.x; rows state "
                           "each SDK line's behaviour")
    partly = sdk_rows(AuditContext(snap({}, venv("anthropic 2.17.0", "httpx2 2.18.0"))))
    assert "CA: not measured" in partly[0].effect


@pytest.mark.parametrize("fmt", [OutputFormat.TEXT, OutputFormat.MARKDOWN])
def test_rendered_after_the_variables(fmt: OutputFormat) -> None:
    text = FORMATTERS[fmt].render(make_report(snap({}, V2, V0)), RenderOptions())
    config = (text.split("### Effective configuration")[1].split("<details>")[0]
              if fmt is OutputFormat.MARKDOWN else text.split("No problems")[0])
    assert config.index("ANTHROPIC_MODEL") < config.index("anthropic 2.17.0 · httpx2 2.17.0")
    assert config.index("anthropic 2.17.0 · httpx2") < config.index("anthropic 0.50.0 · httpx")
    none = FORMATTERS[fmt].render(make_report(snap({})), RenderOptions())
    assert NO_SDK in none.replace("\\", "")


def test_markdown_sdk_rows_and_sources_note() -> None:
    text = FORMATTERS[OutputFormat.MARKDOWN].render(make_report(snap({}, V0)), RenderOptions())
    assert ("| SDK `/srv/bot` | anthropic 0.50.0 · httpx 0.28.1 · Python 3.9.18 | VIRTUAL_ENV |"
            in text)
    assert "SDK facts: research/sdk-facts.md and docs/sdk-facts.md" in text
    none = FORMATTERS[OutputFormat.MARKDOWN].render(make_report(snap({})), RenderOptions())
    assert "| SDK | no anthropic SDK found" in none


def test_json_sdks() -> None:
    s = snap({}, V2, V0, modules=(node_modules("1.18.0"),))
    doc = json.loads(FORMATTERS[OutputFormat.JSON].render(make_report(s), RenderOptions()))
    assert [(e["environment"], e["version"]) for e in doc["sdks"]] == [
        (".venv", "2.17.0"), ("/srv/bot", "0.50.0"), ("node_modules", "1.18.0")]
    assert doc["sdks"][0]["auth"]["api_key"] == "Authorization: Bearer"
    assert doc["sdks"][1]["proxy"]["state"] == "ignored"
    assert doc["sdks"][2]["auth"]["api_key"] is None  # not measured
    assert sdks(AuditContext(snap({}))) == []


def test_json_sdks_empty_when_the_provider_is_not_in_use() -> None:
    s = make_snapshot([make_file(".env", {"DEBUG": "1"})], {"PATH": "/bin"})._replace(
        python_envs=(V2,))
    assert sdks(AuditContext(s)) == []
