"""Differential proof for the TypeScript SDK: ``@anthropic-ai/sdk`` (the release pinned below,
installed with npm into a temporary folder cached across sessions) runs in ``node`` against
local servers, and what envaudit predicted is what it did:

* proxies (``envaudit.network``): direct or through a real forward proxy (``proxy.py``, as in
  ``test_proxy_behaviour.py``), plain HTTP and HTTPS through ``CONNECT``;
* TLS (the EA4xx findings): whether a test CA is trusted with ``NODE_EXTRA_CA_CERTS`` /
  ``NODE_TLS_REJECT_UNAUTHORIZED``, and whether Node warns about the CA file;
* base URLs (``envaudit.rules.endpoint.predict``, EA601/EA602): the request target sent;
* the credential header and ``anthropic-version`` (``envaudit.sdkfacts``, the SDK profile of the
  installed package as envaudit's inventory reads it).

Everything listens on and talks to 127.0.0.1 only. The node script replaces the global
``fetch`` with a guard that passes requests for 127.0.0.1 / ``localhost`` to the real one and
answers any other host itself, recording the URL: an empty ``ANTHROPIC_BASE_URL`` (the default
host) never leaves the machine. Servers and the proxy stop when the module ends; node runs as
one short child process per environment. Skipped without node and npm, when the install fails
(no registry), or without the component a test needs (proxy.py, trustme).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable, NamedTuple

import pytest

from envaudit import engine, network
from envaudit.collectors.base import CollectOptions
from envaudit.rules.endpoint import predict, ts_path
from envaudit.sdkfacts import SdkProfile, fact, installed_profiles

from .make_binary_cases import api_key

#: The release proved (the newest 1.x when written; moving it is a deliberate change that comes
#: with a new section in docs/sdk-facts.md).
SDK_VERSION = "1.17.0"
SDK = "@anthropic-ai/sdk"
KEY = api_key("TSSDKPROOF")
MODEL = "claude-sonnet-4-6"
NODE = shutil.which("node")
NPM = shutil.which("npm")

#: Builds ``new Anthropic({apiKey, baseURL, maxRetries: 0})`` and makes one
#: ``messages.create`` per case of the plan (argv: the SDK's folder, the plan's file); prints one
#: JSON line per case: the stage reached, the error's class and its causes' codes, and every URL
#: the SDK fetched with its credential headers.
_SCRIPT = r"""
const fs = require("fs");
const [sdkDir, planFile] = process.argv.slice(1);
const Anthropic = require(sdkDir).default;
const realFetch = globalThis.fetch;
const LOCAL = new Set(["127.0.0.1", "localhost"]);
const MESSAGE = {id: "msg_01FAKEEXAMPLE", type: "message", role: "assistant", model: "m",
  content: [{type: "text", text: "ok"}], stop_reason: "end_turn", stop_sequence: null,
  usage: {input_tokens: 1, output_tokens: 1}};
let fetched = [];
globalThis.fetch = async (input, init = {}) => {
  const url = typeof input === "string" ? input : (input.url || String(input));
  const headers = new Headers(init.headers || (typeof input === "object" ? input.headers : {}));
  const local = LOCAL.has(new URL(url).hostname);
  fetched.push({url, local, authorization: headers.get("authorization"),
                x_api_key: headers.get("x-api-key"),
                anthropic_version: headers.get("anthropic-version")});
  if (!local) {  // never leave the machine: answer here
    return new Response(JSON.stringify(MESSAGE),
                        {status: 200, headers: {"content-type": "application/json"}});
  }
  return realFetch(input, init);
};
function codes(error) {
  const out = [];
  for (let c = error.cause; c && out.length < 5; c = c.cause) out.push(c.code || c.name);
  return out;
}
(async () => {
  for (const c of JSON.parse(fs.readFileSync(planFile, "utf8"))) {
    for (const [k, v] of Object.entries(c.env || {})) {
      if (v === null) delete process.env[k]; else process.env[k] = v;
    }
    fetched = [];
    const out = {name: c.name};
    let client;
    try {
      client = new Anthropic({apiKey: c.apiKey === null ? undefined : c.apiKey,
                              baseURL: c.baseURL === null ? undefined : c.baseURL,
                              maxRetries: 0, timeout: 10000,
                              defaultHeaders: {"x-case": c.name}});
    } catch (e) {
      Object.assign(out, {stage: "construction", error: e.constructor.name,
                          message: String(e.message).slice(0, 200)});
      console.log(JSON.stringify(out));
      continue;
    }
    try {
      await client.messages.create({model: "claude-sonnet-4-6", max_tokens: 16,
                                    messages: [{role: "user", content: "hi"}]});
      out.stage = "ok";
    } catch (e) {
      Object.assign(out, {stage: e.status ? "status" : "request", error: e.constructor.name,
                          status: e.status || null, causes: codes(e)});
    }
    out.fetched = fetched;
    console.log(JSON.stringify(out));
  }
})();
"""


class TsSdk(NamedTuple):
    """The installed SDK and the node that runs it."""

    node: str
    node_version: str
    folder: Path
    """The npm project holding ``node_modules/@anthropic-ai/sdk``."""

    @property
    def sdk_dir(self) -> Path:
        return self.folder / "node_modules" / "@anthropic-ai" / "sdk"


def _installed_version(folder: Path) -> str | None:
    try:
        meta = json.loads((folder / "node_modules" / "@anthropic-ai" / "sdk" / "package.json")
                          .read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta.get("version") if isinstance(meta, dict) else None


@pytest.fixture(scope="module")
def ts_sdk() -> TsSdk:
    """``@anthropic-ai/sdk`` at ``SDK_VERSION``, installed once into a temporary folder keyed by
    the version (from the registry npm is configured with), reused by later sessions."""
    if NODE is None or NPM is None:
        pytest.skip("node and npm are needed")
    version = subprocess.run([NODE, "--version"], capture_output=True, text=True, timeout=10,
                             check=False).stdout.strip().lstrip("v")
    cache = Path(tempfile.gettempdir()) / "envaudit-test-npm" / f"anthropic-ai-sdk-{SDK_VERSION}"
    if _installed_version(cache) != SDK_VERSION:
        shutil.rmtree(cache, ignore_errors=True)
        cache.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{cache.name}-", dir=cache.parent))
        (staging / "package.json").write_text(
            '{"name": "envaudit-ts-sdk-proof", "private": true}\n', encoding="utf-8")
        env = {k: v for k, v in os.environ.items()
               if not k.lower().startswith("npm_config_loglevel")}
        try:
            proc = subprocess.run(
                [NPM, "install", "--no-audit", "--no-fund", "--ignore-scripts",
                 "--loglevel=error", f"{SDK}@{SDK_VERSION}"],
                cwd=staging, env=env, capture_output=True, text=True, timeout=600, check=False)
        except subprocess.TimeoutExpired:
            shutil.rmtree(staging, ignore_errors=True)
            pytest.skip("npm install timed out (is the configured registry reachable?)")
        if proc.returncode != 0 or _installed_version(staging) != SDK_VERSION:
            shutil.rmtree(staging, ignore_errors=True)
            pytest.skip(f"npm install failed with exit code {proc.returncode} (is the "
                        "configured registry reachable?)")
        try:
            staging.rename(cache)
        except OSError:  # another session installed it meanwhile
            shutil.rmtree(staging, ignore_errors=True)
    if _installed_version(cache) != SDK_VERSION:
        pytest.skip(f"{SDK} {SDK_VERSION} is not in {cache}")
    return TsSdk(NODE, version, cache)


def _environ(settings: dict[str, str], home: Path) -> dict[str, str]:
    """A small process environment: no proxy, CA variable, key or profile of the machine's."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "SYSTEMROOT")}
    return {**keep, "HOME": str(home), **settings}


def run(sdk: TsSdk, cases: list[dict[str, Any]], settings: dict[str, str],
        folder: Path) -> dict[str, dict[str, Any]]:
    """Runs the cases in one node process with ``settings`` as its environment: name -> the
    script's result."""
    plan = folder / "plan.json"
    plan.write_text(json.dumps(cases), encoding="utf-8")
    home = folder / "home"
    home.mkdir(exist_ok=True)
    proc = subprocess.run([sdk.node, "-e", _SCRIPT, str(sdk.sdk_dir), str(plan)],
                          env=_environ(settings, home), capture_output=True, text=True,
                          timeout=120, check=False)
    results = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            item = json.loads(line)
            results[item["name"]] = item
    assert len(results) == len(cases), proc.stderr[-2000:].replace(KEY, "<key>")
    results["_stderr"] = {"text": proc.stderr}
    return results


def case(name: str, base_url: str | None = None, *, api_key: str | None = KEY,
         env: dict[str, str | None] | None = None) -> dict[str, Any]:
    """One plan entry: ``baseURL`` passed to the constructor (``None``: not passed, so
    ``ANTHROPIC_BASE_URL`` is read), variables set (``None``: deleted) before it is built."""
    return {"name": name, "baseURL": base_url, "apiKey": api_key, "env": env or {}}


def audit_workspace(sdk: TsSdk, settings: dict[str, str], root: Path | None = None
                    ) -> engine.Report:
    """envaudit's audit of a project using the installed SDK (its ``node_modules`` and the node
    on PATH), with ``settings`` as the app's environment."""
    folder = root or sdk.folder
    environ = {"ANTHROPIC_API_KEY": KEY, **settings,
               "PATH": str(Path(sdk.node).parent), "HOME": str(folder / ".no-such-home")}
    return engine.audit(engine.collect(CollectOptions(root=str(folder), environ=environ,
                                                      offline=True)))


def node_profile_of(sdk: TsSdk) -> SdkProfile:
    """The profile envaudit derives for the installed SDK (its inventory and node on PATH)."""
    report = audit_workspace(sdk, {})
    found = [p for p in installed_profiles(report.view().snapshot) if p.kind == "node"]
    assert len(found) == 1, found
    assert found[0].version == SDK_VERSION and found[0].runtime == f"Node {sdk.node_version}"
    return found[0]


# ----------------------------------------------------------------------------- (d) headers


def test_credential_header_is_the_profiles(ts_sdk: TsSdk, tmp_path: Path) -> None:
    """The key travels in the header the SDK profile names, with its ``anthropic-version``;
    with the key and a token both set (``ANTHROPIC_API_KEY`` / ``ANTHROPIC_AUTH_TOKEN``), what
    the profile's ``both`` says."""
    profile = node_profile_of(ts_sdk)
    assert profile.key_header is not None, f"{SDK} {SDK_VERSION} is outside the profile"
    cases = [case("key"), case("both", api_key=None,
                                  env={"ANTHROPIC_API_KEY": KEY,
                                       "ANTHROPIC_AUTH_TOKEN": "sk-ant-oat01-FAKE-TOKEN"})]
    out = run(ts_sdk, cases, {"ANTHROPIC_BASE_URL": "https://api.anthropic.com"}, tmp_path)
    for name in ("key", "both"):
        sent = out[name]["fetched"]
        assert out[name]["stage"] == "ok" and len(sent) == 1 and not sent[0]["local"]
        header = ("Authorization: Bearer" if sent[0]["authorization"] == f"Bearer {KEY}" else
                  "X-Api-Key" if sent[0]["x_api_key"] == KEY else "none")
        assert header == profile.key_header, name
        assert sent[0]["anthropic_version"] == profile.api_version, name
    assert out["both"]["fetched"][0]["x_api_key"] is None
    both = profile.both or ""
    assert both.startswith("sends only the key")  # not the token
    warning = both.split("'")[1]
    assert warning in out["_stderr"]["text"]


# ----------------------------------------------------------------------------- (c) base URL


@pytest.fixture(scope="module")
def raw_server() -> Iterator[Any]:
    """The endpoint test's server: records each raw request target (127.0.0.1)."""
    from .test_endpoint_behaviour import RawServer

    with RawServer() as srv:
        yield srv


#: Suffixes of the server's ``http://127.0.0.1:PORT`` where the TS SDK requests what
#: ``predict`` (anthropic 2.17.0's joining, EA601's) says.
_SAME_AS_PREDICTED = ["", "/", "/v1", "/v1/", "/v1/messages", "/proxy/anthropic",
                      "/proxy/anthropic/v1", "//", " ", "HTTP"]


def _targets(ts_sdk: TsSdk, raw_server: Any, values: list[str], tmp_path: Path
             ) -> dict[str, list[str]]:
    """value of ``ANTHROPIC_BASE_URL`` -> the request targets the server saw for it."""
    tag = f"{len(raw_server.requests)}-{tmp_path.name}-"  # the server is the module's
    cases = [case(f"{tag}{i}", env={"ANTHROPIC_BASE_URL": v}) for i, v in enumerate(values)]
    out = run(ts_sdk, cases, {}, tmp_path)
    seen: dict[str, list[str]] = {}
    for i, value in enumerate(values):
        seen[value] = [r.path for r in raw_server.requests
                       if r.headers.get("x-case") == f"{tag}{i}"]
        assert all(f["local"] for f in out[f"{tag}{i}"]["fetched"]), value
    return seen


def _form(server_url: str, suffix: str) -> str:
    if suffix == "HTTP":
        return "HTTP://" + server_url.split("://", 1)[1] + "/up"
    return server_url + suffix


def test_request_target_is_predicted(ts_sdk: TsSdk, raw_server: Any, tmp_path: Path) -> None:
    values = [_form(raw_server.url, s) for s in _SAME_AS_PREDICTED]
    seen = _targets(ts_sdk, raw_server, values, tmp_path)
    for value in values:
        assert seen[value] == [predict(value).target] == [ts_path(value)], repr(value)


#: Forms where the TypeScript SDK does not do what anthropic 2.17.0 does: what it sends
#: (measured), and what EA602's message says the TypeScript SDK does (besides ``ts_path``).
_TS_ONLY = {
    "/v1 ": ("/v1/v1/messages", "the TypeScript SDK trims it"),
    "\n": ("/v1/messages", "the TypeScript SDK trims white space at the ends only"),
    "/a?x=1": ("/a?x=1%2Fv1%2Fmessages", "(v1/messages lands in the query string)"),
    "/a#frag": ("/a", "the TypeScript SDK appends v1/messages after the '#'"),
}


def test_where_the_ts_sdk_joins_differently(ts_sdk: TsSdk, raw_server: Any,
                                            tmp_path: Path) -> None:
    """The SDK trims the variable (``readEnv``) and joins by string concatenation, then
    ``new URL`` (``buildURL``): a query string or a fragment in the base URL swallows the
    appended path, which the URL parser moves out of the path (``ts_path``)."""
    values = {_form(raw_server.url, s): s for s in _TS_ONLY}
    leading = " " + raw_server.url  # a leading space: trimmed too
    seen = _targets(ts_sdk, raw_server, [*values, leading], tmp_path)
    for value, suffix in values.items():
        assert seen[value] == [_TS_ONLY[suffix][0]], repr(value)  # the measured fact
        assert seen[value][0].split("?")[0] == ts_path(value), repr(value)
        assert predict(value).target != seen[value][0]  # the Python SDK's differs
    assert seen[leading] == [ts_path(leading)] == ["/v1/messages"]


@pytest.mark.parametrize("suffix", list(_TS_ONLY), ids=repr)
def test_ea602_says_what_the_ts_sdk_does(suffix: str, ts_sdk: TsSdk, tmp_path: Path) -> None:
    value = "http://127.0.0.1:8080" + suffix
    findings = _endpoint_findings(ts_sdk, {"ANTHROPIC_BASE_URL": value}, tmp_path)
    messages = [f.message for f in findings.get("EA602", [])]
    assert len(messages) == 1, findings
    assert _TS_ONLY[suffix][1] in messages[0]
    if "?" in suffix or "#" in suffix:
        assert f"TypeScript SDK {ts_path(value)}?" in messages[0] or (
            f"its requests go to {ts_path(value)}," in messages[0]), messages[0]


def _endpoint_findings(ts_sdk: TsSdk, settings: dict[str, str], root: Path
                       ) -> dict[str, list[Any]]:
    """EA6xx findings for a project using the installed SDK only (its ``node_modules``)."""
    project = root / "app"
    project.mkdir()
    (project / "package.json").write_text(
        json.dumps({"dependencies": {SDK: SDK_VERSION}}), encoding="utf-8")
    (project / "index.mjs").write_text(
        f'import Anthropic from "{SDK}";\nconst client = new Anthropic();\n', encoding="utf-8")
    (project / "node_modules").symlink_to(ts_sdk.folder / "node_modules")
    out: dict[str, list[Any]] = {}
    for f in audit_workspace(ts_sdk, settings, project).findings:
        if f.rule_id.startswith("EA6"):
            out.setdefault(f.rule_id, []).append(f)
    return out


def test_empty_base_url_is_the_default_host(ts_sdk: TsSdk, tmp_path: Path) -> None:
    """An empty ``ANTHROPIC_BASE_URL`` is unset for the TS SDK: the request goes to the default
    host (answered by the script's guard, never sent), as the network model's node route and
    EA602's TypeScript wording (info, for a Node-only app) say."""
    out = run(ts_sdk, [case("empty", env={"ANTHROPIC_BASE_URL": ""})], {}, tmp_path)["empty"]
    assert out["stage"] == "ok"
    assert [(f["url"], f["local"]) for f in out["fetched"]] == [
        (f"{network.DEFAULT_BASE_URL}{ts_path('')}", False)]
    route = network.routes({"ANTHROPIC_BASE_URL": ""},
                           [network.Client("node", "Node fetch", ts_sdk.node_version)])
    assert [r.target for r in route] == [network.DEFAULT_BASE_URL]
    ea602 = _endpoint_findings(ts_sdk, {"ANTHROPIC_BASE_URL": ""}, tmp_path)["EA602"]
    assert len(ea602) == 1 and ea602[0].severity.label == "info"
    assert fact("base-url", "empty-ts") in ea602[0].message
    assert fact("base-url", "default") == network.DEFAULT_BASE_URL


# ----------------------------------------------------------------------------- (a) proxies

try:
    from .test_proxy_behaviour import (  # noqa: F401 - module fixtures used below
        Origin,
        _tunnels,
        origin,
        proxy_log,
        proxy_port,
        tls_origin,
    )
except pytest.skip.Exception as exc:  # proxy.py (or the Python SDK) is not installed
    _NO_PROXY_REASON = str(exc)

    @pytest.fixture(scope="module")
    def proxy_port() -> int:
        pytest.skip(_NO_PROXY_REASON)

    @pytest.fixture(scope="module")
    def origin() -> Any:
        pytest.skip(_NO_PROXY_REASON)

    @pytest.fixture(scope="module")
    def proxy_log() -> Path:
        pytest.skip(_NO_PROXY_REASON)

    @pytest.fixture(scope="module")
    def tls_origin() -> Any:
        pytest.skip(_NO_PROXY_REASON)


Setting = Callable[[str], dict[str, str]]
_PROXY_VARIABLES: list[tuple[str, Setting]] = [
    ("HTTP_PROXY", lambda p: {"HTTP_PROXY": p}),
    ("http_proxy", lambda p: {"http_proxy": p}),
    ("HTTPS_PROXY", lambda p: {"HTTPS_PROXY": p}),
    ("https_proxy", lambda p: {"https_proxy": p}),
    ("all four", lambda p: {"HTTP_PROXY": p, "http_proxy": p, "HTTPS_PROXY": p,
                            "https_proxy": p}),
]
PROXY_CASES = [(f"{name}{'+NODE_USE_ENV_PROXY' if flag else ''}", setting, flag)
               for name, setting in _PROXY_VARIABLES for flag in (False, True)]
#: The cases that set a proxy for https targets.
HTTPS_CASES = [c for c in PROXY_CASES if not c[0].lower().startswith("http_proxy")]


def _predicted_route(env: dict[str, str], ts_sdk: TsSdk) -> str:
    r = network.routes(env, [network.Client(
        "node", f"Node {ts_sdk.node_version} fetch ({SDK} {SDK_VERSION})",
        ts_sdk.node_version)])[0]
    return "direct" if r.ignored else r.route


@pytest.mark.parametrize("name, setting, flag", PROXY_CASES, ids=[c[0] for c in PROXY_CASES])
def test_proxy_route_is_predicted(name: str, setting: Setting, flag: bool, ts_sdk: TsSdk,
                                  proxy_port: int, origin: Any, tmp_path: Path) -> None:
    env = setting(f"http://127.0.0.1:{proxy_port}")
    if flag:
        env["NODE_USE_ENV_PROXY"] = "1"
    env["ANTHROPIC_BASE_URL"] = f"http://127.0.0.1:{origin.port}"
    predicted = _predicted_route(env, ts_sdk)
    tag = f"ts-{name}"
    out = run(ts_sdk, [case(tag)], env, tmp_path)[tag]
    assert out["stage"] == "ok", out
    vias = origin.cases.get(tag, [])
    assert len(vias) == 1, vias
    did = "proxy" if vias[0] and "proxy.py" in vias[0] else "direct"
    assert did == predicted, (name, ts_sdk.node_version)


@pytest.mark.parametrize("name, setting, flag", HTTPS_CASES, ids=[c[0] for c in HTTPS_CASES])
def test_https_proxy_route_is_predicted(name: str, setting: Setting, flag: bool,
                                        ts_sdk: TsSdk, proxy_port: int, proxy_log: Path,
                                        tls_origin: Any, tmp_path: Path) -> None:
    """Over HTTPS (the CA trusted with ``NODE_EXTRA_CA_CERTS``) a tunnel shows in proxy.py's
    log as ``CONNECT 127.0.0.1:PORT``."""
    server, pem = tls_origin
    env = setting(f"http://127.0.0.1:{proxy_port}")
    if flag:
        env["NODE_USE_ENV_PROXY"] = "1"
    env["ANTHROPIC_BASE_URL"] = f"https://127.0.0.1:{server.port}"
    predicted = _predicted_route(env, ts_sdk)
    before = _tunnels(proxy_log, server.port)
    out = run(ts_sdk, [case(name)], {**env, "NODE_EXTRA_CA_CERTS": str(pem)}, tmp_path)[name]
    assert out["stage"] == "ok", out
    deadline = time.monotonic() + 0.5
    while _tunnels(proxy_log, server.port) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    did = "proxy" if _tunnels(proxy_log, server.port) > before else "direct"
    assert did == predicted, (name, ts_sdk.node_version)


def test_profile_proxy_state_matches(ts_sdk: TsSdk) -> None:
    """The SDK profile's proxy state for this node is the network model's answer."""
    profile = node_profile_of(ts_sdk)
    env = {"HTTPS_PROXY": "http://127.0.0.1:3128", "NODE_USE_ENV_PROXY": "1"}
    expected = "ignored" if _predicted_route(env, ts_sdk) == "direct" else "node-env"
    assert profile.proxy == expected


# ----------------------------------------------------------------------------- (b) TLS


# ``pki`` and ``server``: tests/rules/conftest.py (shared with test_tls_behaviour).


TLS_CASES: list[tuple[str, Callable[[Any], dict[str, str]]]] = [
    ("nothing set", lambda p: {}),
    ("NODE_EXTRA_CA_CERTS=the CA", lambda p: {"NODE_EXTRA_CA_CERTS": str(p.ca_pem)}),
    ("NODE_EXTRA_CA_CERTS=a bundle", lambda p: {"NODE_EXTRA_CA_CERTS": str(p.bundle)}),
    ("NODE_EXTRA_CA_CERTS missing",
     lambda p: {"NODE_EXTRA_CA_CERTS": str(p.folder / "missing.pem")}),
    ("NODE_EXTRA_CA_CERTS empty", lambda p: {"NODE_EXTRA_CA_CERTS": str(p.empty)}),
    ("NODE_EXTRA_CA_CERTS DER", lambda p: {"NODE_EXTRA_CA_CERTS": str(p.der)}),
    ("NODE_TLS_REJECT_UNAUTHORIZED=0", lambda p: {"NODE_TLS_REJECT_UNAUTHORIZED": "0"}),
    ("NODE_TLS_REJECT_UNAUTHORIZED=false",
     lambda p: {"NODE_TLS_REJECT_UNAUTHORIZED": "false"}),
    ("SSL_CERT_FILE=the CA", lambda p: {"SSL_CERT_FILE": str(p.ca_pem)}),
]


def tls_prediction(ts_sdk: TsSdk, settings: dict[str, str], root: Path
                   ) -> tuple[bool, bool, dict[str, Any]]:
    """(trusted, Node warns about the CA file, EA4xx findings) from envaudit's audit of a
    project using the installed SDK: verification is off when EA401 is an error; the test CA is
    in no default store, so it is trusted only through a ``NODE_EXTRA_CA_CERTS`` file no
    EA402/EA403 finding rejects; Node warns when that finding quotes its warning."""
    project = root / "app"
    project.mkdir()
    (project / "package.json").write_text(
        json.dumps({"dependencies": {SDK: SDK_VERSION}}), encoding="utf-8")
    (project / "node_modules").symlink_to(ts_sdk.folder / "node_modules")
    findings = {f.rule_id: f for f in audit_workspace(ts_sdk, settings, project).findings
                if f.rule_id.startswith("EA4")}
    off = "EA401" in findings and findings["EA401"].severity.label == "error"
    rejected = [f for f in findings.values()
                if f.variable == "NODE_EXTRA_CA_CERTS" and f.rule_id in ("EA402", "EA403")]
    trusted = off or ("NODE_EXTRA_CA_CERTS" in settings and not rejected)
    warns = any("Ignoring extra certs from" in f.message for f in rejected)
    return trusted, warns, findings


@pytest.mark.parametrize("name, settings", TLS_CASES, ids=[c[0] for c in TLS_CASES])
def test_tls_is_predicted(name: str, settings: Callable[[Any], dict[str, str]], ts_sdk: TsSdk,
                          pki: Any, server: Any, tmp_path: Path) -> None:
    env = settings(pki)
    trusted, warns, findings = tls_prediction(ts_sdk, env, tmp_path)
    out = run(ts_sdk, [case("tls", server.url)], env, tmp_path)
    result, stderr = out["tls"], out["_stderr"]["text"]
    assert (result["stage"] == "ok") is trusted, (name, result, list(findings))
    if not trusted:
        assert result["error"] == "APIConnectionError", result
        assert set(result["causes"]) & {"UNABLE_TO_VERIFY_LEAF_SIGNATURE",
                                         "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
                                         "SELF_SIGNED_CERT_IN_CHAIN"}, result
    assert ("Ignoring extra certs from" in stderr) is warns, (name, stderr[-500:])
    if name == "NODE_TLS_REJECT_UNAUTHORIZED=0":
        assert "NODE_TLS_REJECT_UNAUTHORIZED" in stderr  # Node's own warning


def test_profile_trust_store_is_node(ts_sdk: TsSdk) -> None:
    """The profile says Node's store with NODE_EXTRA_CA_CERTS adding to it: proved above."""
    assert node_profile_of(ts_sdk).ca_store == "node"
