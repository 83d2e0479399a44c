"""A tiny stand-in for the Docker Engine API, served on a unix socket, for driving the real CLI.

The docker CLI parses ``--env-file`` on the client side and sends the result as the ``Env`` list
of ``POST /containers/create``. So the real CLI can be observed without an engine: this server
answers the version ping, records the body of every create request and returns a container id;
every other request gets a 404. It listens on a unix socket only (no TCP, no network).

Usage::

    with FakeDockerEngine(Path("/tmp/x/api.sock")) as engine:
        result = docker_create_env(docker, engine, env_file, cli_environ)
"""

from __future__ import annotations

import json
import os
import socketserver
import subprocess
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import TracebackType
from typing import Any

#: The API version the fake engine claims (the CLI negotiates down to it).
API_VERSION = "1.45"


class _UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    engine: FakeDockerEngine


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _UnixHTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        """Stay quiet (the default writes every request to stderr)."""

    def address_string(self) -> str:
        return "unix"

    def _reply(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Api-Version", API_VERSION)
        self.send_header("Ostype", "linux")
        self.send_header("Docker-Experimental", "false")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _reply_json(self, status: int, document: object) -> None:
        self._reply(status, json.dumps(document).encode("utf-8"), "application/json")

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _route(self) -> None:
        body = self._body()
        path = self.path.split("?", 1)[0]
        if path.endswith("/_ping"):
            self._reply(200, b"OK", "text/plain; charset=utf-8")
        elif self.command == "POST" and path.endswith("/containers/create"):
            number = self.server.engine.record(json.loads(body or b"{}"))
            self._reply_json(201, {"Id": f"{number:064x}", "Warnings": []})
        else:
            self._reply_json(404, {"message": f"fake engine: {self.command} {path} not served"})

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _route


class FakeDockerEngine:
    """Serves the fake API on ``socket_path`` in a background thread while the context is open."""

    def __init__(self, socket_path: Path) -> None:
        self.socket_path = socket_path
        self._lock = threading.Lock()
        self._creates: list[dict[str, Any]] = []
        self._server: _UnixHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        """The value for ``docker --host``."""
        return f"unix://{self.socket_path}"

    def record(self, body: dict[str, Any]) -> int:
        """Store one create request; returns its 1-based number."""
        with self._lock:
            self._creates.append(body)
            return len(self._creates)

    def take_creates(self) -> list[dict[str, Any]]:
        """The create requests received since the last call."""
        with self._lock:
            taken, self._creates = self._creates, []
        return taken

    def __enter__(self) -> FakeDockerEngine:
        if self.socket_path.exists():
            self.socket_path.unlink()
        server = _UnixHTTPServer(str(self.socket_path), _Handler)
        server.engine = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.socket_path.exists():
            self.socket_path.unlink()


@dataclass(frozen=True)
class CliOutcome:
    """What ``docker create --env-file`` did: the Env list it sent, or its error."""

    env: list[str] | None
    """The ``Env`` list of the create request (``None`` when the CLI failed)."""
    error: str | None
    """The CLI's stderr when it exited non-zero without sending a create request."""


def docker_create_env(
    docker: str,
    engine: FakeDockerEngine,
    env_file: Path,
    cli_environ: Mapping[str, str],
    timeout: float = 30.0,
) -> CliOutcome:
    """Run ``docker --host unix://SOCK create --env-file FILE alpine`` with ``cli_environ``.

    ``cli_environ`` is the CLI process' whole environment (bare ``KEY`` lines read it).
    """
    engine.take_creates()
    proc = subprocess.run(
        [docker, "--host", engine.host, "create", "--env-file", os.fspath(env_file), "alpine"],
        env=dict(cli_environ),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    creates = engine.take_creates()
    if proc.returncode != 0 or not creates:
        message = proc.stderr.decode("utf-8", "replace").strip()
        return CliOutcome(None, message or f"exit status {proc.returncode}")
    env = creates[-1].get("Env") or []
    return CliOutcome([str(item) for item in env], None)
