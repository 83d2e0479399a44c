"""Proof with the real packages that the load-order hazards EA212/EA213 describe are real, and
that their fixes work: the sample projects run against a local HTTP server standing in for the
Messages API.

* Node: ``dotenv`` and ``@anthropic-ai/sdk`` are installed from the user's configured npm
  registry into a temporary folder (``npm install --no-audit --no-fund --ignore-scripts``);
  skipped when node or npm is missing or the install fails (no registry).
* Python: the ``anthropic`` SDK and ``python-dotenv`` installed in this interpreter; skipped when
  they are not.

The apps only ever talk to ``127.0.0.1``: ``ANTHROPIC_BASE_URL`` is set in the process
environment (not in ``.env``, so even the broken app cannot reach another host), proxies are
unset, and ``HOME`` is an empty folder (no SDK profile to fall back on). The key lives only in
the sample's ``.env``; the server records the ``x-api-key`` and ``authorization`` headers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from envaudit.source.analyse import analyse

SAMPLES = Path(__file__).resolve().parent.parent.parent / "sample_envs"
REPLY = "Thanks for the report: a fix is on its way."
_MESSAGE = {
    "id": "msg_01envauditproof", "type": "message", "role": "assistant",
    "model": "claude-haiku-4-5", "content": [{"type": "text", "text": REPLY}],
    "stop_reason": "end_turn", "stop_sequence": None,
    "usage": {"input_tokens": 12, "output_tokens": 9},
}


class _Recorder(BaseHTTPRequestHandler):
    """Answers every POST with a Messages API reply and records the auth headers."""

    server: _Server

    def do_POST(self) -> None:  # noqa: N802 - the http.server naming
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        self.server.requests.append({
            "path": self.path,
            "x-api-key": self.headers.get("x-api-key"),
            "authorization": self.headers.get("authorization"),
        })
        body = json.dumps(_MESSAGE).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.send_header("request-id", "req_envauditproof")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the signature
        pass


class _Server(ThreadingHTTPServer):
    requests: list[dict[str, str | None]]


@pytest.fixture
def api() -> Iterator[_Server]:
    """A Messages-API-shaped server on 127.0.0.1 (a free port)."""
    server = _Server(("127.0.0.1", 0), _Recorder)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _environment(api: _Server, home: Path) -> dict[str, str]:
    """Only what the runtimes need, the local base URL, and no proxy, key or profile."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "LANG": "C.UTF-8", "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1"}
    env["ANTHROPIC_BASE_URL"] = f"http://127.0.0.1:{api.server_address[1]}"
    for name in ("SYSTEMROOT", "PYENV_VERSION", "PYENV_ROOT"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def _key(project: Path) -> str:
    for line in (project / ".env").read_text(encoding="utf-8").splitlines():
        if line.startswith("ANTHROPIC_API_KEY="):
            return line.partition("=")[2]
    raise AssertionError(f"{project.name}/.env has no ANTHROPIC_API_KEY")


def _copy(project: str, into: Path) -> Path:
    target = into / project
    shutil.copytree(SAMPLES / project, target,
                    ignore=shutil.ignore_patterns("expected.toml", "README.md", "__pycache__"))
    return target


def _sent_key(request: dict[str, str | None]) -> str | None:
    """The credential a request carried (``x-api-key``, or a Bearer token: SDK 2.x / TS 1.x)."""
    if request["x-api-key"]:
        return request["x-api-key"]
    auth = request["authorization"] or ""
    return auth[len("Bearer "):] if auth.startswith("Bearer ") else None


def _assert_fails_without_key(proc: subprocess.CompletedProcess[str], api: _Server) -> None:
    assert proc.returncode != 0, proc.stdout
    assert "Could not resolve authentication method" in proc.stderr
    assert api.requests == []  # nothing reached the server: the SDK refused before sending


def _assert_sends_key(proc: subprocess.CompletedProcess[str], api: _Server, key: str) -> None:
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert REPLY in proc.stdout
    assert [r["path"] for r in api.requests] == ["/v1/messages"]
    assert _sent_key(api.requests[0]) == key


# --------------------------------------------------------------------------- Python


@pytest.fixture
def python_sdk() -> None:
    pytest.importorskip("anthropic")
    pytest.importorskip("dotenv")


@pytest.mark.parametrize(("project", "broken"), [
    ("python-client-before-load-dotenv", True),
    ("python-load-dotenv-fixed", False),
])
def test_python_sample_really_behaves_as_reported(
        project: str, broken: bool, python_sdk: None, api: _Server, tmp_path: Path) -> None:
    facts = analyse(str(SAMPLES / project))
    assert bool(facts.hazards) is broken  # what envaudit says (EA212) ...
    app = _copy(project, tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    proc = subprocess.run([sys.executable, "app.py"], cwd=app, env=_environment(api, home),
                          capture_output=True, text=True, timeout=120)
    if broken:  # ... is what happens
        _assert_fails_without_key(proc, api)
    else:
        _assert_sends_key(proc, api, _key(app))


# --------------------------------------------------------------------------- Node


@pytest.fixture(scope="module")
def node_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the real ``dotenv`` and ``@anthropic-ai/sdk`` in ``node_modules``."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed")
    work = tmp_path_factory.mktemp("node-proof")
    (work / "package.json").write_text('{"name": "envaudit-proof", "private": true}\n',
                                       encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith("npm_config_loglevel")}
    try:
        proc = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error",
             "dotenv", "@anthropic-ai/sdk"],
            cwd=work, env=env, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        pytest.skip("npm install timed out (is the configured registry reachable?)")
    if proc.returncode != 0:  # npm's own output names the registry: not repeated here
        pytest.skip(f"npm install failed with exit code {proc.returncode} (is the configured "
                    "registry reachable?)")
    if not (work / "node_modules" / "@anthropic-ai" / "sdk").is_dir():
        pytest.skip("npm install did not install @anthropic-ai/sdk")
    return work


@pytest.mark.parametrize(("project", "broken"), [
    ("node-esm-hoisted-client", True),
    ("node-esm-dotenv-config-first", False),
])
def test_node_sample_really_behaves_as_reported(
        project: str, broken: bool, node_workspace: Path, api: _Server, tmp_path: Path) -> None:
    facts = analyse(str(SAMPLES / project))
    assert bool(facts.hazards) is broken  # what envaudit says (EA213) ...
    app = _copy(project, node_workspace / f"{project}-{os.getpid()}-{id(tmp_path)}")
    home = tmp_path / "home"
    home.mkdir()
    node = shutil.which("node")
    assert node is not None
    try:
        proc = subprocess.run([node, "index.mjs"], cwd=app, env=_environment(api, home),
                              capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(app.parent, ignore_errors=True)
    if broken:  # ... is what happens
        _assert_fails_without_key(proc, api)
    else:
        _assert_sends_key(proc, api, _key(SAMPLES / project))
