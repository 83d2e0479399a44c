"""The network model (``envaudit.network``): proxy selection, ``NO_PROXY`` matching per client,
proxy URL parsing, and the redaction of proxy passwords in every output.

The tables come from research/sdk-facts.md §8 and §11 (the matrix run on httpx, httpx2,
anthropic 2.10.0 / 0.125.0, urllib and requests) and docs/sdk-facts.md (anthropic 2.17.0).
``test_model_agrees_with_the_installed_sdk`` holds the model to the real anthropic release
installed (the test extra pins 2.17.0): for generated environments, which transport its client
picks for the target, or whether building it raises.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envaudit import network as n
from envaudit.redact import SecretSet, proxy_password, redact_proxy, show

API = n.target("https://api.anthropic.com")
assert API is not None


def route(env: dict[str, str], version: str = "2.17.0", kind: str = "anthropic",
          base: str | None = None) -> n.Route:
    if base is not None:
        env = {**env, "ANTHROPIC_BASE_URL": base}
    return n.routes(env, [n.Client(kind, kind, version)])[0]


def test_the_rules_check_the_same_names() -> None:
    from envaudit.rules import proxy

    assert set(proxy._NAMES) == set(n.PROXY_NAMES)


# ------------------------------------------------------------------ which variable
@pytest.mark.parametrize("env, expected", [
    ({"HTTPS_PROXY": "http://a:1"}, ("http://a:1", "HTTPS_PROXY")),
    ({"HTTPS_PROXY": "http://a:1", "https_proxy": "http://b:1"}, ("http://b:1", "https_proxy")),
    ({"HTTPS_PROXY": "http://a:1", "https_proxy": ""}, None),
    ({"ALL_PROXY": "http://c:1"}, ("http://c:1", "ALL_PROXY")),
    ({"HTTP_PROXY": "http://d:1"}, None),  # https targets never take the http proxy
])
def test_the_https_proxy_as_getproxies_picks_it(env: dict[str, str],
                                                expected: tuple[str, str] | None) -> None:
    proxies = n.getproxies(env)
    assert (proxies.get("https") or proxies.get("all")) == expected


def test_request_method_drops_upper_case_http_proxy_only() -> None:
    assert "http" not in n.getproxies({"HTTP_PROXY": "http://a:1", "REQUEST_METHOD": "GET"})
    assert n.getproxies({"http_proxy": "http://a:1", "REQUEST_METHOD": "GET"})["http"][0] == \
        "http://a:1"


def test_curl_ignores_upper_case_http_proxy() -> None:
    t = n.target("http://10.1.2.3:8080")
    assert t is not None
    assert n.curl_route({"HTTP_PROXY": "http://p:1"}, t).route == "direct"
    assert n.curl_route({"http_proxy": "http://p:1"}, t).route == "proxy"
    assert n.curl_route({"HTTPS_PROXY": "http://p:1"}, API).route == "proxy"


# ------------------------------------------------------------------ NO_PROXY per client
# (entry, target, httpx (SDK 0.x), httpx2 (SDK 1.x-2.x), urllib, requests): True = direct
MATRIX = [
    (".example.com", "https://example.com", False, False, True, True),
    (".example.com", "https://api.example.com", True, True, True, True),
    ("example.com", "https://api.example.com", True, True, True, True),
    ("example.com", "https://badexample.com", False, False, False, False),
    ("*", "https://anything.org", True, True, True, True),
    ("*.example.com", "https://api.example.com", False, False, False, False),
    ("example.com:8443", "https://example.com:8443", True, True, None, True),
    ("example.com:8443", "https://example.com", False, False, False, False),
    ("api.anthropic.com:443", "https://api.anthropic.com", False, False, None, None),
    ("10.0.0.0/8", "http://10.1.2.3", False, True, False, True),
    ("10.1.2.3", "http://10.1.2.3", True, True, True, True),
    ("localhost", "http://localhost:8080", True, True, True, True),
    ("::1", "http://[::1]:8080", True, True, None, None),
    ("EXAMPLE.COM", "https://example.com", True, True, True, True),
    ("https://example.com", "https://example.com", True, True, False, False),
    ("example.com.", "https://example.com", False, False, False, False),
]


@pytest.mark.parametrize("entry, url, httpx, httpx2, urllib, requests", MATRIX)
def test_no_proxy_matrix(entry: str, url: str, httpx: bool, httpx2: bool, urllib: bool | None,
                         requests: bool | None) -> None:
    t = n.target(url)
    assert t is not None
    assert n.bypass(entry, t, n.SDK_HTTPX).bypassed is httpx
    assert n.bypass(entry, t, n.SDK_HTTPX2).bypassed is httpx2
    if urllib is not None:
        assert n.bypass(entry, t, n.URLLIB).bypassed is urllib
    if requests is not None:
        assert n.bypass(entry, t, n.REQUESTS).bypassed is requests


def test_ipv6_range_breaks_the_sdk_even_without_a_proxy() -> None:
    r = route({"NO_PROXY": "localhost,fd00::/8"})
    assert r.route == "error" and "Invalid port: ':'" in (r.error or "")
    assert route({"NO_PROXY": "fd00::/8,*"}).route == "direct"  # '*' returns first
    assert route({"NO_PROXY": "fd00::/8"}, version="0.125.0").route == "error"


def test_releases_that_ignore_proxies() -> None:
    r = route({"HTTPS_PROXY": "http://p:3128"}, version="0.50.0")
    assert r.route == "direct" and r.ignored and r.variable == "HTTPS_PROXY"
    assert route({"HTTPS_PROXY": "http://p:3128"}, version="0.54.0").route == "proxy"
    assert route({"HTTPS_PROXY": "http://p:3128"}, version="0.46.0").route == "proxy"
    assert route({"HTTPS_PROXY": "http://p:3128"}, version="9.0.0").route == "unknown"


@pytest.mark.parametrize("env, node, expected", [
    ({"HTTPS_PROXY": "http://p:1"}, "24.1.0", "ignored"),
    ({"HTTPS_PROXY": "http://p:1", "NODE_USE_ENV_PROXY": "1"}, "20.20.2", "ignored"),
    ({"HTTPS_PROXY": "http://p:1", "NODE_USE_ENV_PROXY": "1"}, "22.20.0", "ignored"),
    ({"HTTPS_PROXY": "http://p:1", "NODE_USE_ENV_PROXY": "1"}, "22.21.0", "proxy"),
    ({"HTTPS_PROXY": "http://p:1", "NODE_USE_ENV_PROXY": "1"}, "24.1.0", "proxy"),
    ({"ALL_PROXY": "http://p:1", "NODE_USE_ENV_PROXY": "1"}, "24.1.0", "direct"),
])
def test_node_fetch(env: dict[str, str], node: str, expected: str) -> None:
    r = n.node_route(env, API, "node", node)
    assert ("ignored" if r.ignored else r.route) == expected


def test_node_ignores_an_empty_base_url() -> None:
    r = n.routes({"ANTHROPIC_BASE_URL": "", "HTTPS_PROXY": "http://p:1"},
                 [n.Client("node", "node", "24.1.0"), n.Client("anthropic", "py", "2.17.0")])
    assert [x.kind for x in r] == ["node"]  # the Python SDK cannot send to "" at all


# ------------------------------------------------------------------ proxy URLs
@pytest.mark.parametrize("value, error", [
    ("http://proxy:3128", None),
    ("proxy.corp:3128", None),
    ("http://user:p@ss@proxy:3128", None),
    ("http://[::1]:3128", None),
    ("http://proxy:3128 ", None),
    ("socks5://proxy:1080", None),
    ("http://user:pa#ss@proxy:3128", "construction: InvalidURL 'Invalid port'"),
    ("http://user:pa/ss@proxy:3128", "construction: InvalidURL 'Invalid port'"),
    ("http://proxy:abc", "construction: InvalidURL 'Invalid port'"),
    ("socks4://proxy:1080", "construction: ValueError"),
    (" http://proxy:3128", "construction: ValueError"),
    ("http://proxy:3128\n", "construction: InvalidURL"),
    ("http://[fd00::1:3128", "construction: InvalidURL"),
    ("http://proxy:99999", "request:"),
    ("http://:3128", "request:"),
])
def test_parse_proxy(value: str, error: str | None) -> None:
    parsed = n.parse_proxy(value)
    if error is None:
        assert parsed.error is None
    else:
        assert parsed.error is not None and parsed.error.startswith(error)


@pytest.mark.parametrize("value, password", [
    ("http://alice:s3cret@proxy:3128", "s3cret"),
    ("http://alice:pa#ss@proxy:3128", "pa#ss"),
    ("http://alice:p@ss@proxy:3128", "p@ss"),
    ("http://alice:a/b?c@proxy:3128", "a/b?c"),
    ("alice:nosch3me@proxy:3128", "nosch3me"),
    ("http://proxy:3128", None),
])
def test_proxy_passwords_are_found_and_redacted(value: str, password: str | None) -> None:
    assert proxy_password(value) == password
    if password is not None:
        assert password not in redact_proxy(value)
        assert password not in show("HTTPS_PROXY", value)
        secrets = SecretSet()
        secrets.add("HTTPS_PROXY", value)
        assert password in secrets or len(password) < 8


# ------------------------------------------------------------------ never raises
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)


@settings(max_examples=300, deadline=None)
@given(value=TEXT)
def test_parse_proxy_never_raises(value: str) -> None:
    parsed = n.parse_proxy(value)
    assert parsed.error is None or parsed.error.startswith(("construction", "request"))
    redact_proxy(value)


@settings(max_examples=300, deadline=None)
@given(no_proxy=TEXT, base=TEXT, proxy=TEXT)
def test_routes_never_raise(no_proxy: str, base: str, proxy: str) -> None:
    env = {"HTTPS_PROXY": proxy, "HTTP_PROXY": proxy, "NO_PROXY": no_proxy,
           "ANTHROPIC_BASE_URL": base, "NODE_USE_ENV_PROXY": "1"}
    clients = [n.Client("anthropic", "a", v) for v in ("0.40.0", "0.50.0", "0.60.0", "2.17.0")]
    clients += [n.Client("requests", "r", "2.34.2"), n.Client("node", "n", "24.1.0"),
                n.Client("curl", "curl")]
    for r in n.routes(env, clients):
        assert r.route in ("proxy", "direct", "error", "unknown")
        r.to_json()


def test_thousands_of_no_proxy_entries() -> None:
    many = ",".join(f"h{i}.corp" for i in range(20_000))
    r = route({"HTTPS_PROXY": "http://p:1", "NO_PROXY": many + ",api.anthropic.com"})
    assert r.route == "proxy" and r.note and "20001 entries" in r.note
    r = route({"HTTPS_PROXY": "http://p:1",
               "NO_PROXY": ",".join(f"h{i}.corp" for i in range(5000)) + ",anthropic.com"})
    assert r.route == "direct" and r.bypass == "anthropic.com"


# ------------------------------------------------------------------ the real SDK as oracle
PROXIES = ["http://127.0.0.1:3128", "127.0.0.1:3128", "https://127.0.0.1:3128",
           "socks4://127.0.0.1:1080", "http://u:pa#ss@127.0.0.1:3128",
           "http://u:p@ss@127.0.0.1:3128", " http://127.0.0.1:3128", "http://127.0.0.1:3128 ",
           "http://[::1]:3128", "http://127.0.0.1:abc", ""]
ENTRIES = ["anthropic.com", ".anthropic.com", "*.anthropic.com", "api.anthropic.com:443",
           "api.anthropic.com", "example.com", "*", "localhost", "127.0.0.1", "10.0.0.0/8",
           "127.0.0.0/8", "::1", "fd00::/8", "https://api.anthropic.com", "EXAMPLE.COM",
           "127.0.0.1:8080", "x:y", "[::1]:80", "foo bar", "anthropic.com."]
TARGETS = ["https://api.anthropic.com", "http://127.0.0.1:8080", "http://localhost:8080",
           "https://example.com", "http://10.1.2.3", "http://[::1]:8080"]
NAMES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]


@contextlib.contextmanager
def environ(env: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    for key in list(os.environ):
        if key.lower().endswith("_proxy") or key == "REQUEST_METHOD":
            del os.environ[key]
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def sdk_route(env: dict[str, str], url: str) -> str:
    """What the installed anthropic does: ``proxy``, ``direct`` or ``error`` (construction)."""
    anthropic = pytest.importorskip("anthropic")
    httpx2 = pytest.importorskip("httpx2")
    with environ(env), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            client = anthropic.Anthropic(api_key="sk-ant-api03-test")
        except Exception:  # noqa: BLE001 - any construction failure is the outcome
            return "error"
        transport = client._client._transport_for_url(httpx2.URL(url))
        pool = getattr(transport, "_pool", None)
        client.close()
        return "proxy" if getattr(pool, "_proxy_url", None) is not None else "direct"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(proxies=st.dictionaries(st.sampled_from(NAMES), st.sampled_from(PROXIES), max_size=3),
       entries=st.lists(st.sampled_from(ENTRIES), max_size=4),
       no_proxy_name=st.sampled_from(["NO_PROXY", "no_proxy"]),
       url=st.sampled_from(TARGETS), cgi=st.booleans())
def test_model_agrees_with_the_installed_sdk(proxies: dict[str, str], entries: list[str],
                                             no_proxy_name: str, url: str, cgi: bool) -> None:
    anthropic = pytest.importorskip("anthropic")
    env = dict(proxies)
    if entries:
        env[no_proxy_name] = ",".join(entries)
    if cgi:
        env["REQUEST_METHOD"] = "GET"
    expected = sdk_route(env, url)
    predicted = route(env, version=anthropic.__version__, base=url)
    got = {"unknown": "skip"}.get(predicted.route, predicted.route)
    if got == "skip":
        pytest.skip(f"anthropic {anthropic.__version__} is outside the measured releases")
    if got == "error" and (predicted.error or "").startswith("request"):
        got = "proxy"  # built fine; every request fails through that proxy
    assert got == expected, (env, url, predicted)


# ------------------------------------------------------------------ every output format
def test_proxy_passwords_never_reach_any_output(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from envaudit.cli import main

    passwords = ["s3cr#t-proxy-pass-2026", "p@ssw0rd-proxy-2026", "sl/sh?proxy-pass-2026",
                 "plainProxyPassword2026"]
    names = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "HTTP_PROXY"]
    root = tmp_path / "app"
    root.mkdir()
    (root / "requirements.txt").write_text("anthropic\n")
    (root / ".env").write_text("".join(
        f'{name}="http://alice:{pw}@proxy.corp:3128"\n' for name, pw in zip(names, passwords)))
    runner = CliRunner()
    for fmt in ("text", "json", "markdown", "sarif"):
        result = runner.invoke(main, ["scan", "--no-process-env", str(root), "--format", fmt,
                                      "-v"])
        assert result.exit_code in (0, 1), (fmt, result.output)
        for pw in passwords:
            assert pw not in result.output, (fmt, pw)
            for part in pw.replace("#", " ").replace("@", " ").replace("/", " ").replace(
                    "?", " ").split():
                if len(part) >= 8:
                    assert part not in result.output, (fmt, part)
        if fmt == "json":
            assert '"network"' in result.output and "alice:***@proxy.corp" in result.output


# ------------------------------------------------------------------ through the rules
def _findings(process: dict[str, str]) -> list[tuple[str, str]]:
    from factories import make_snapshot, venv

    from envaudit.context import AuditContext
    from envaudit.rules import proxy

    snap = make_snapshot([], {"ANTHROPIC_API_KEY": "x", **process})._replace(
        python_envs=(venv("anthropic 2.17.0", "httpx2 2.17.0"),))
    ctx = AuditContext(snap)
    return [(f.rule_id, f.severity.label) for rule in proxy.RULES for f in rule.check(ctx)]


def test_a_no_proxy_too_long_to_match_is_an_info_finding_not_a_crash() -> None:
    many = ",".join(f"h{i}.corp" for i in range(n.MAX_ENTRIES + 1))
    assert _findings({"HTTPS_PROXY": "http://p:3128", "NO_PROXY": many}) == [
        ("EA307", "info")]


@pytest.mark.parametrize("value", ["http://u:p@ss#w/rd?x@[fd00::1]:99999999",
                                   "http://[", "http://]:", "::::", "@", "http://@:@:",
                                   "socks5h://" + "a" * 5000, "http://h:" + "9" * 400])
def test_odd_proxy_values_never_crash_a_rule(value: str) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "HTTP_PROXY"):
        _findings({name: value, "NO_PROXY": value})


def test_control_characters_in_proxy_values_stay_escaped_in_messages() -> None:
    from factories import make_snapshot, venv

    from envaudit.context import AuditContext
    from envaudit.rules import proxy

    snap = make_snapshot([], {"ANTHROPIC_API_KEY": "x",
                              "HTTPS_PROXY": "http://alice:s3cr3t-proxy-pw@proxy:3128\n",
                              "https_proxy": "http://proxy:3128\t", "HTTP_PROXY": "http://x\r"})
    ctx = AuditContext(snap._replace(python_envs=(venv("anthropic 0.50.0", "httpx 0.28.1"),)))
    messages = [f.message for rule in proxy.RULES for f in rule.check(ctx)]
    assert messages and all(m.isprintable() for m in messages)
    assert not any("s3cr3t-proxy-pw" in m for m in messages)
