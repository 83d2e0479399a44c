"""Differential proof of the network model (``envaudit.network``, EA3xx): for a matrix of
environments, the real ``anthropic`` SDK (the release installed, pinned by the test extra, and
0.x releases installed into cached virtual environments when the package index answers) and
Node's ``fetch`` (when ``node`` is on PATH) send one request to a local HTTP server through a
real forward proxy (the ``proxy.py`` package, started here), and what envaudit predicted,
proxied or direct, is what the client did.

Everything listens on and talks to 127.0.0.1 only (``localhost`` in one base-URL form); the
servers and the proxy are stopped when the module ends. A request came through the proxy when
it carries proxy.py's ``Via`` header. Each component that is missing (proxy.py, node, the index
for 0.x) skips its tests with the reason.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from envaudit import network

anthropic = pytest.importorskip("anthropic")
if importlib.util.find_spec("proxy") is None:
    pytest.skip("the proxy.py package is not installed (test extra)", allow_module_level=True)

_MESSAGE = json.dumps({
    "id": "msg_01FAKEEXAMPLE", "type": "message", "role": "assistant",
    "model": "claude-sonnet-4-6", "content": [{"type": "text", "text": "ok"}],
    "stop_reason": "end_turn", "stop_sequence": None,
    "usage": {"input_tokens": 1, "output_tokens": 1},
}).encode()
#: 0.x releases proved when the index answers: one that reads the proxy variables (httpx's
#: matching, no IPv4 ranges) and one that ignores them (0.47-0.53).
OLD_RELEASES = ("0.125.0", "0.50.0")


class Origin:
    """A recording HTTP server on 127.0.0.1: each request's path and ``Via`` header."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None]] = []
        self.cases: dict[str, list[str | None]] = {}
        """``x-case`` -> the ``Via`` header of each request it sent."""
        origin = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                origin.seen.append((self.path, self.headers.get("via")))
                case = self.headers.get("x-case")
                if case:
                    origin.cases.setdefault(case, []).append(self.headers.get("via"))
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(_MESSAGE)))
                self.end_headers()
                self.wfile.write(_MESSAGE)

            do_GET = do_POST = _answer  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def outcome(self, since: int) -> str:
        """``proxy``, ``direct``, or ``none`` for the requests after index ``since``."""
        vias = [via for _, via in self.seen[since:]]
        if not vias:
            return "none"
        return "proxy" if all(v and "proxy.py" in v for v in vias) else "direct"


@pytest.fixture(scope="module")
def origin() -> Iterator[Origin]:
    server = Origin()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


@pytest.fixture(scope="module")
def proxy_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """proxy.py's log (its access log: one ``CONNECT host:port`` line per tunnel)."""
    return tmp_path_factory.mktemp("proxy-log") / "proxy.log"


@pytest.fixture(scope="module")
def proxy_port(tmp_path_factory: pytest.TempPathFactory, proxy_log: Path) -> Iterator[int]:
    """proxy.py on 127.0.0.1, on a port it picks, for the whole module."""
    folder = tmp_path_factory.mktemp("proxy")
    port_file = folder / "port"
    proc = subprocess.Popen(
        [sys.executable, "-m", "proxy", "--hostname", "127.0.0.1", "--port", "0",
         "--port-file", str(port_file), "--num-workers", "1", "--num-acceptors", "1",
         "--log-level", "INFO", "--log-file", str(proxy_log)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not (port_file.is_file() and port_file.read_text().strip()):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.skip("proxy.py did not start")
            time.sleep(0.05)
        yield int(port_file.read_text().strip())
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _clean_env() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "SYSTEMROOT", "TMPDIR")
    return {k: v for k, v in os.environ.items() if k in keep}


#: Runs every case in one process (the SDK reads the environment when a client is built):
#: each request carries its case's name in ``x-case``; prints one JSON line per case.
_SDK_SCRIPT = """
import json, os, sys, warnings
warnings.simplefilter("ignore")
import anthropic
for name, env in json.load(open(sys.argv[1])):
    for key in list(os.environ):
        if key.lower().endswith("_proxy") or key in ("REQUEST_METHOD", "ANTHROPIC_BASE_URL"):
            del os.environ[key]
    os.environ.update(env)
    try:
        client = anthropic.Anthropic(api_key="sk-ant-api03-proxyproof", max_retries=0,
                                     timeout=10, default_headers={"x-case": name})
    except Exception as exc:
        print(json.dumps([name, "construction", type(exc).__name__]), flush=True)
        continue
    try:
        client.messages.create(model="claude-sonnet-4-6", max_tokens=1,
                               messages=[{"role": "user", "content": "hi"}])
        client.close()  # a tunnel's access line is written when it closes
        print(json.dumps([name, "ok", anthropic.__version__]), flush=True)
    except Exception as exc:
        print(json.dumps([name, "request", type(exc).__name__]), flush=True)
"""

_NODE_SCRIPT = """
fetch(process.env.TARGET_URL + "/v1/messages", {method: "POST", body: "{}"})
  .then(r => console.log("ok", r.status)).catch(e => console.log("request", e.name));
"""


#: (id, environment given the proxy URL, the origin's port and host): the matrix. The base
#: URL is http://HOST:PORT unless the case sets ANTHROPIC_BASE_URL.
Case = tuple[str, Callable[[str, int], dict[str, str]]]
CASES: list[Case] = [
    ("unset", lambda p, o: {}),
    ("HTTP_PROXY", lambda p, o: {"HTTP_PROXY": p}),
    ("http_proxy", lambda p, o: {"http_proxy": p}),
    ("no-scheme", lambda p, o: {"HTTP_PROXY": p.split("://")[1]}),
    ("empty-lower-deletes", lambda p, o: {"HTTP_PROXY": p, "http_proxy": ""}),
    ("ALL_PROXY", lambda p, o: {"ALL_PROXY": p}),
    ("HTTPS_PROXY-only", lambda p, o: {"HTTPS_PROXY": p}),
    ("REQUEST_METHOD", lambda p, o: {"HTTP_PROXY": p, "REQUEST_METHOD": "GET"}),
    ("REQUEST_METHOD-lower", lambda p, o: {"http_proxy": p, "REQUEST_METHOD": "GET"}),
    ("NO_PROXY-ip", lambda p, o: {"HTTP_PROXY": p, "NO_PROXY": "127.0.0.1"}),
    ("NO_PROXY-cidr", lambda p, o: {"HTTP_PROXY": p, "NO_PROXY": "127.0.0.0/8"}),
    ("NO_PROXY-star", lambda p, o: {"HTTP_PROXY": p, "NO_PROXY": "example.com,*"}),
    ("NO_PROXY-port", lambda p, o: {"HTTP_PROXY": p, "no_proxy": f"127.0.0.1:{o}"}),
    ("NO_PROXY-other-port", lambda p, o: {"HTTP_PROXY": p, "NO_PROXY": "127.0.0.1:1"}),
    ("NO_PROXY-wildcard", lambda p, o: {"HTTP_PROXY": p, "NO_PROXY": "*.0.0.1"}),
    ("NO_PROXY-localhost", lambda p, o: {
        "HTTP_PROXY": p, "NO_PROXY": "localhost",
        "ANTHROPIC_BASE_URL": f"http://localhost:{o}"}),
    ("NO_PROXY-dot-localhost", lambda p, o: {
        "HTTP_PROXY": p, "NO_PROXY": ".localhost",
        "ANTHROPIC_BASE_URL": f"http://localhost:{o}"}),
    ("base-url-path", lambda p, o: {
        "HTTP_PROXY": p, "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{o}/gateway/"}),
    ("NO_PROXY-ipv6-range", lambda p, o: {"HTTP_PROXY": p, "NO_PROXY": "fd00::/8"}),
]


def _environment(case: Case, proxy_port: int, origin: Origin) -> dict[str, str]:
    """The case's environment, with the base URL of the origin unless it sets its own."""
    env = case[1](f"http://127.0.0.1:{proxy_port}", origin.port)
    env.setdefault("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{origin.port}")
    return env


def _run_sdk(python: str, cases: list[Case], proxy_port: int, origin: Origin,
             folder: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """What the SDK did in each case: ``proxy``, ``direct``, ``error`` (construction failed) or
    ``none`` (no request arrived)."""
    tag = f"{len(origin.seen)}-"
    plan = [(tag + c[0], {**_environment(c, proxy_port, origin), **(extra or {})})
            for c in cases]
    path = folder / f"cases-{tag}.json"
    path.write_text(json.dumps(plan))
    proc = subprocess.run([python, "-c", _SDK_SCRIPT, str(path)], env=_clean_env(),
                          capture_output=True, text=True, timeout=300, check=False)
    out: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        name, stage, _ = json.loads(line)
        vias = origin.cases.get(name, [])
        if stage == "construction":
            out[name[len(tag):]] = "error"
        elif not vias:
            out[name[len(tag):]] = "none"
        else:
            out[name[len(tag):]] = ("proxy" if all(v and "proxy.py" in v for v in vias)
                                    else "direct")
    if len(out) != len(cases):
        pytest.fail(f"the SDK script stopped: {proc.stderr[-600:]}")
    return out


def _predicted(env: dict[str, str], client: network.Client) -> str:
    r = network.routes(env, [client])[0]
    if r.route == "unknown":
        pytest.skip(f"{client.label} is outside the measured releases")
    return r.route


@pytest.fixture(scope="module")
def installed_outcomes(proxy_port: int, origin: Origin,
                       tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _run_sdk(sys.executable, CASES, proxy_port, origin, tmp_path_factory.mktemp("sdk"))


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_installed_sdk_goes_where_envaudit_says(case: Case, proxy_port: int, origin: Origin,
                                                installed_outcomes: dict[str, str]) -> None:
    env = _environment(case, proxy_port, origin)
    client = network.Client("anthropic", f"anthropic {anthropic.__version__}",
                            anthropic.__version__)
    assert installed_outcomes[case[0]] == _predicted(env, client), (case[0], env)


@pytest.fixture(scope="module", params=OLD_RELEASES)
def old_sdk(request: pytest.FixtureRequest, proxy_port: int, origin: Origin,
            tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    """(version, outcome per case) of that release, installed in a cached venv (system site
    packages visible)."""
    version: str = request.param
    cache = Path(tempfile.gettempdir()) / "envaudit-test-venvs" / f"anthropic-{version}"
    python = cache / "bin" / "python"
    if not python.is_file():
        if cache.exists():
            shutil.rmtree(cache)
        try:
            subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(cache)],
                           check=True, capture_output=True, timeout=120)
            subprocess.run([str(python), "-m", "pip", "install", "-q",
                            "--disable-pip-version-check", f"anthropic=={version}"],
                           check=True, capture_output=True, timeout=300)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            shutil.rmtree(cache, ignore_errors=True)
            pytest.skip(f"anthropic {version} could not be installed (index unreachable?): "
                        f"{type(exc).__name__}")
    check = subprocess.run([str(python), "-c", "import anthropic; print(anthropic.__version__)"],
                           capture_output=True, text=True, timeout=60, check=False)
    if check.stdout.strip() != version:
        pytest.skip(f"the venv for anthropic {version} does not import it")
    return version, _run_sdk(str(python), CASES, proxy_port, origin,
                             tmp_path_factory.mktemp("old"))


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_old_sdk_goes_where_envaudit_says(case: Case, old_sdk: tuple[str, dict[str, str]],
                                          proxy_port: int, origin: Origin) -> None:
    version, outcomes = old_sdk
    env = _environment(case, proxy_port, origin)
    predicted = _predicted(env, network.Client("anthropic", f"anthropic {version}", version))
    assert outcomes[case[0]] == predicted, (case[0], version, env)


def _node_version(node: str) -> str:
    proc = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10,
                          check=False)
    return proc.stdout.strip().lstrip("v")


NODE_CASES: list[Case] = [
    ("unset", lambda p, o: {}),
    ("HTTP_PROXY", lambda p, o: {"HTTP_PROXY": p}),
    ("HTTP_PROXY+NODE_USE_ENV_PROXY", lambda p, o: {"HTTP_PROXY": p, "NODE_USE_ENV_PROXY": "1"}),
    ("http_proxy+NODE_USE_ENV_PROXY", lambda p, o: {"http_proxy": p, "NODE_USE_ENV_PROXY": "1"}),
    ("ALL_PROXY+NODE_USE_ENV_PROXY", lambda p, o: {"ALL_PROXY": p, "NODE_USE_ENV_PROXY": "1"}),
]


@pytest.mark.parametrize("case", NODE_CASES, ids=[c[0] for c in NODE_CASES])
def test_node_fetch_goes_where_envaudit_says(case: Case, proxy_port: int,
                                             origin: Origin) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH")
    version = _node_version(node)
    env = _environment(case, proxy_port, origin)
    target = network.target(env["ANTHROPIC_BASE_URL"])
    assert target is not None
    r = network.node_route(env, target, f"Node {version}", version)
    predicted = "direct" if r.ignored else r.route
    since = len(origin.seen)
    proc = subprocess.run([node, "-e", _NODE_SCRIPT],
                          env={**_clean_env(), **env, "TARGET_URL": env["ANTHROPIC_BASE_URL"]},
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.stdout.startswith("ok"), proc.stdout + proc.stderr[-400:]
    assert origin.outcome(since) == predicted, (case[0], version)


# ------------------------------------------------------------------ https through CONNECT
@pytest.fixture(scope="module")
def tls_origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Origin, Path]]:
    """The recording server behind TLS (a trustme CA), and the CA's PEM file."""
    trustme = pytest.importorskip("trustme")
    import ssl

    ca = trustme.CA()
    pem = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    server = Origin()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
    server.thread.start()
    try:
        yield server, pem
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


TLS_CASES: list[Case] = [
    ("HTTPS_PROXY", lambda p, o: {"HTTPS_PROXY": p}),
    ("HTTP_PROXY-only", lambda p, o: {"HTTP_PROXY": p}),
    ("https_proxy-empty", lambda p, o: {"HTTPS_PROXY": p, "https_proxy": ""}),
    ("NO_PROXY-ip", lambda p, o: {"HTTPS_PROXY": p, "NO_PROXY": "127.0.0.1"}),
    ("NO_PROXY-default-port", lambda p, o: {"ALL_PROXY": p, "NO_PROXY": f"127.0.0.1:{o}"}),
]


def _tunnels(log: Path, port: int) -> int:
    text = log.read_text(errors="replace") if log.is_file() else ""
    return text.count(f"CONNECT 127.0.0.1:{port} ")


@pytest.mark.parametrize("case", TLS_CASES, ids=[c[0] for c in TLS_CASES])
def test_installed_sdk_over_https_goes_where_envaudit_says(
        case: Case, proxy_port: int, proxy_log: Path, tls_origin: tuple[Origin, Path],
        tmp_path: Path) -> None:
    origin, pem = tls_origin
    env = case[1](f"http://127.0.0.1:{proxy_port}", origin.port)
    env["ANTHROPIC_BASE_URL"] = f"https://127.0.0.1:{origin.port}"
    client = network.Client("anthropic", f"anthropic {anthropic.__version__}",
                            anthropic.__version__)
    predicted = _predicted(env, client)
    before = _tunnels(proxy_log, origin.port)
    outcome = _run_sdk(sys.executable, [(case[0], lambda p, o, e=env: dict(e))], proxy_port,
                       origin, tmp_path, extra={"SSL_CERT_FILE": str(pem)})[case[0]]
    assert outcome == "direct"  # a tunnel hides the proxy from the origin: the log tells
    deadline = time.monotonic() + 0.5
    while _tunnels(proxy_log, origin.port) == before and time.monotonic() < deadline:
        time.sleep(0.05)  # proxy.py writes the access line when the tunnel closes
    did = "proxy" if _tunnels(proxy_log, origin.port) > before else "direct"
    assert did == predicted, (case[0], env)
