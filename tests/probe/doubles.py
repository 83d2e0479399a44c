"""Servers on 127.0.0.1 that ``envaudit probe`` and the real SDKs are run against.

Each double is a context manager: entering it starts its listener (threads, or a ``proxy.py``
subprocess), leaving it closes every connection and joins every thread. Each records every byte
it receives (``received``: what a client sent it, decrypted when it terminates TLS), which is
how the tests prove where a key went and where it did not.

* ``ApiDouble``: the Anthropic API over HTTPS (a ``trustme`` CA, ``Pki.api_bundle``) or HTTP.
  ``GET /v1/models`` answers the model list, ``POST /v1/messages`` a message (or 404 for a
  model it does not list); ``status=`` makes every route answer that status with Anthropic's
  error body (``{"type": "error", "error": {"type": ..., "message": ...}, "request_id": ...}``)
  and headers (``request-id``; ``retry-after`` on 429 and 529); ``key=`` answers 401 to any
  other credential; ``body=`` / ``body_size=`` a 200 that is not the API's (a captive portal's
  HTML, a huge body); ``redirect=`` a redirect to another URL; ``cert_hosts=`` /
  ``expired=`` a certificate for other names, or one that expired; ``prefix=`` serves the API
  under a path (a gateway's ``/anthropic``), any other path answers 404; ``messages_status=``
  an error for ``POST /v1/messages`` only.
* ``ProxyPy``: a real forward proxy (the ``proxy.py`` package), optionally demanding Basic
  proxy authentication (407 without it).
* ``MitmProxy``: a proxy that intercepts TLS: it answers ``CONNECT``, terminates TLS with a
  certificate for the requested host issued by its own CA (``Pki.mitm``), and relays the
  decrypted request to the real (local) server.
* ``ScriptedProxy``: a proxy that answers ``CONNECT`` with given bytes, then closes, resets or
  holds the connection (a proxy that closes mid-``CONNECT``, one that refuses with 403).
* ``Silent`` (accepts and never answers; with ``tls=True`` after the handshake), ``Resetter``
  (accepts and resets), ``Garbage`` (speaks something that is not TLS), ``SlowLoris`` (answers
  one byte at a time, forever).
* ``UNRESOLVABLE``: a host name under the reserved ``.invalid`` top-level domain (RFC 6761).
* ``local_only()``: while active, this process resolves only loopback names (and ``.invalid``):
  a test that should stay on 127.0.0.1 fails loudly instead of reaching the network.

Nothing here listens on another address than 127.0.0.1 or ::1, or connects anywhere else.
"""

from __future__ import annotations

import atexit
import base64
import functools
import json
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

LOOPBACK = "127.0.0.1"
LOOPBACK6 = "::1"
#: A name no resolver answers (RFC 6761 reserves ``.invalid``).
UNRESOLVABLE = "envaudit-probe-test.invalid"
#: The models the API double lists (``GET /v1/models``), newest first as the API lists them.
MODELS = ("claude-opus-4-7", "claude-sonnet-4-6", "claude-haiku-4-5-20251001")
#: Aliases the API accepts for the dated IDs it lists (research D1).
ALIASES = {"claude-haiku-4-5": "claude-haiku-4-5-20251001",
           "claude-opus-4-5": "claude-opus-4-5-20251101",
           "claude-sonnet-4-5": "claude-sonnet-4-5-20250929"}
#: The ``request-id`` header (and body ``request_id``) of every answer: goldens name it.
REQUEST_ID = "req_011CEnvauditProbeDouble"
#: How long a double waits for a client's bytes before it gives up on a connection.
IDLE = 30.0

#: Anthropic's ``error.type`` and a message as the API words it, by status.
ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "Your credit balance is too low to access the Anthropic "
          "API. Please go to Plans & Billing to upgrade or purchase credits."),
    401: ("authentication_error", "invalid x-api-key"),
    402: ("billing_error", "Your organization has no valid payment method."),
    403: ("permission_error", "Your API key does not have permission to use the specified "
          "resource."),
    404: ("not_found_error", "Not found"),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: ("rate_limit_error", "Number of requests has exceeded your per-minute rate limit"),
    500: ("api_error", "Internal server error"),
    503: ("api_error", "Service unavailable"),
    504: ("timeout_error", "Request timed out"),
    529: ("overloaded_error", "Overloaded"),
}
#: ``retry-after`` of a 429 or 529 (seconds).
RETRY_AFTER = "17"
_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 307: "Temporary Redirect",
            308: "Permanent Redirect", 400: "Bad Request", 401: "Unauthorized",
            402: "Payment Required", 403: "Forbidden", 404: "Not Found",
            407: "Proxy Authentication Required", 413: "Payload Too Large",
            429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable",
            504: "Gateway Timeout", 529: "Overloaded"}


# ----------------------------------------------------------------------------- certificates


class Pki:
    """The test CAs and the files a client is pointed at.

    ``api``: the CA that signs the API double's certificates; ``mitm``: the intercepting
    proxy's own. Each ``*_bundle`` file holds its CA among ten filler CAs, as a full trust
    store would (a one-certificate ``SSL_CERT_FILE`` is EA405's finding, not the probe's).
    Names are fixed so that messages naming an issuer are the same on every run."""

    def __init__(self) -> None:
        import trustme

        self.folder = Path(tempfile.mkdtemp(prefix="envaudit-probe-pki-"))
        atexit.register(shutil.rmtree, self.folder, True)
        self.api = trustme.CA(organization_name="Envaudit Test API CA",
                              organization_unit_name="Probe doubles")
        self.mitm = trustme.CA(organization_name="Envaudit Test Interception CA",
                               organization_unit_name="Probe doubles")
        fillers = b"".join(
            trustme.CA(organization_name=f"Envaudit Test Filler CA {i}",
                       organization_unit_name="Probe doubles")
            .cert_pem.bytes() for i in range(10))
        self.api_ca = self._write("api-ca.pem", self.api.cert_pem.bytes())
        self.api_bundle = self._write("api-bundle.pem", fillers + self.api.cert_pem.bytes())
        self.mitm_bundle = self._write("mitm-bundle.pem", fillers + self.mitm.cert_pem.bytes())
        self.both_bundle = self._write("both-bundle.pem", fillers + self.api.cert_pem.bytes()
                                       + self.mitm.cert_pem.bytes())
        self._contexts: dict[tuple[str, tuple[str, ...], bool], ssl.SSLContext] = {}
        self._lock = threading.Lock()

    def _write(self, name: str, data: bytes) -> Path:
        path = self.folder / name
        path.write_bytes(data)
        return path

    def server_context(self, hosts: Iterable[str] = (LOOPBACK, LOOPBACK6, "localhost"), *,
                       ca: str = "api", expired: bool = False) -> ssl.SSLContext:
        """A server-side context presenting a certificate for ``hosts`` signed by the ``api``
        or ``mitm`` CA (``expired``: one whose validity ended in 2021)."""
        import datetime

        key = (ca, tuple(hosts), expired)
        with self._lock:
            context = self._contexts.get(key)
            if context is None:
                authority = self.api if ca == "api" else self.mitm
                leaf = authority.issue_cert(
                    *key[1], common_name=key[1][0], organization_name="Envaudit Test Server",
                    not_before=datetime.datetime(2020, 1, 1) if expired else None,
                    not_after=datetime.datetime(2021, 1, 1) if expired else None)
                context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                leaf.configure_cert(context)
                self._contexts[key] = context
            return context

    def client_context(self) -> ssl.SSLContext:
        """A client context trusting the ``api`` CA only (the interception proxy's upstream)."""
        context = ssl.create_default_context(cafile=str(self.api_ca))
        return context


@functools.lru_cache(maxsize=1)
def pki() -> Pki:
    """The test PKI, made once per process (``trustme`` is in the test extra)."""
    return Pki()


def ipv6_loopback() -> bool:
    """Whether this machine can listen on ``::1``."""
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind((LOOPBACK6, 0))
    except OSError:
        return False
    return True


# ----------------------------------------------------------------------------- listeners


def _shutdown(sock: socket.socket) -> None:
    """Shut ``sock`` down both ways (wakes a thread blocked reading it); never raises."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class Connection:
    """One accepted connection: reads are recorded by its listener; ``tls`` swaps the socket
    for its TLS wrapper (so that ``Listener.stop`` shuts the right one down)."""

    def __init__(self, listener: Listener, sock: socket.socket) -> None:
        self.listener = listener
        self.sock: socket.socket = sock
        self.buffer = bytearray()

    def recv(self, size: int = 65536) -> bytes:
        """Up to ``size`` bytes (``b""``: closed), recorded."""
        data = self.sock.recv(size)
        self.listener.record(data)
        return data

    def send(self, data: bytes) -> None:
        """All of ``data``."""
        self.sock.sendall(data)

    def tls(self, context: ssl.SSLContext) -> None:
        """Complete a server-side TLS handshake (``ssl.SSLError`` / ``OSError`` when the
        client aborts it, as a client that does not trust the certificate does)."""
        wrapped = context.wrap_socket(self.sock, server_side=True,
                                      do_handshake_on_connect=False)
        self.sock = wrapped
        wrapped.do_handshake()

    def read_until(self, marker: bytes, limit: int = 65536) -> bytes | None:
        """The buffered bytes up to and including ``marker`` (``None``: closed first or
        ``limit`` exceeded)."""
        while marker not in self.buffer:
            if len(self.buffer) > limit:
                return None
            data = self.recv()
            if not data:
                return None
            self.buffer += data
        end = self.buffer.index(marker) + len(marker)
        head = bytes(self.buffer[:end])
        del self.buffer[:end]
        return head

    def read_exact(self, size: int) -> bytes | None:
        """Exactly ``size`` buffered bytes (``None``: closed first)."""
        while len(self.buffer) < size:
            data = self.recv()
            if not data:
                return None
            self.buffer += data
        out = bytes(self.buffer[:size])
        del self.buffer[:size]
        return out

    def reset(self) -> None:
        """Close with an RST instead of a FIN (``SO_LINGER`` 0)."""
        import struct

        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


class Listener:
    """A TCP listener on 127.0.0.1 (or ``::1``) that serves each connection in a thread with
    ``handle``; a context manager. ``received`` is every byte its clients sent."""

    #: Whether clients reach it with ``https://``.
    tls = False

    def __init__(self, host: str = LOOPBACK) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._sock = socket.socket(family, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, 0))
        self._sock.listen(64)
        self._sock.settimeout(0.05)
        self.host = host
        self.port: int = self._sock.getsockname()[1]
        self.connections = 0
        """How many connections were accepted."""
        self._lock = threading.Lock()
        self._received = bytearray()
        self._open: set[Connection] = set()
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True,
                                          name=f"{type(self).__name__}:{self.port}")

    # -- life cycle

    def __enter__(self) -> Listener:
        self._acceptor.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop accepting, shut every open connection down, join every thread."""
        self._stopping.set()
        if self._acceptor.is_alive():
            self._acceptor.join(5)
        self._sock.close()
        with self._lock:
            open_now = list(self._open)
        for conn in open_now:
            _shutdown(conn.sock)
        for thread in list(self._threads):
            thread.join(5)

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            sock.settimeout(IDLE)
            conn = Connection(self, sock)
            with self._lock:
                self.connections += 1
                self._open.add(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: Connection) -> None:
        try:
            self.handle(conn)
        except (OSError, ssl.SSLError, ValueError):
            pass  # the client went away, or aborted its handshake: nothing to answer
        finally:
            try:
                conn.sock.close()
            except OSError:
                pass
            with self._lock:
                self._open.discard(conn)

    def handle(self, conn: Connection) -> None:
        """Serve one connection (subclasses)."""
        raise NotImplementedError

    def hold(self, conn: Connection) -> None:
        """Read and discard until the client closes or the double stops: never answer."""
        conn.sock.settimeout(None)  # stop() shuts the socket down, which ends the wait
        while not self._stopping.is_set() and conn.recv():
            pass

    # -- what clients sent

    def record(self, data: bytes) -> None:
        """Keep ``data`` in ``received``."""
        with self._lock:
            self._received += data

    @property
    def received(self) -> bytes:
        """Every byte the clients sent (after TLS: decrypted)."""
        with self._lock:
            return bytes(self._received)

    # -- addresses

    @property
    def netloc(self) -> str:
        """``127.0.0.1:PORT`` or ``[::1]:PORT``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def url(self) -> str:
        """The base URL a client is given (``https://127.0.0.1:PORT``)."""
        return f"{'https' if self.tls else 'http'}://{self.netloc}"

    def url_as(self, name: str) -> str:
        """The base URL with another name for this host (``localhost``: another host name
        than ``127.0.0.1`` to a client, the same listener)."""
        return f"{'https' if self.tls else 'http'}://{name}:{self.port}"


# ----------------------------------------------------------------------------- HTTP


class Request(NamedTuple):
    """One HTTP request as a double received it."""

    method: str
    target: str
    """The request target (``/v1/models?limit=1000``, or ``host:port`` for ``CONNECT``)."""
    headers: dict[str, str]
    """Lower-case names; the last of repeated ones."""
    body: bytes = b""

    @property
    def path(self) -> str:
        """The target without its query."""
        return self.target.partition("?")[0]

    def credential(self) -> str | None:
        """The key it carried: ``x-api-key``, else a ``Bearer`` token."""
        if "x-api-key" in self.headers:
            return self.headers["x-api-key"]
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        return token if scheme.lower() == "bearer" else None


def read_request(conn: Connection, *, body_limit: int = 1 << 20) -> Request | None:
    """The next request on ``conn`` (``None``: closed, or not HTTP)."""
    head = conn.read_until(b"\r\n\r\n")
    if head is None:
        return None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    body = b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size_line = conn.read_until(b"\r\n")
            if size_line is None:
                return None
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            data = conn.read_exact(size + 2)
            if data is None:
                return None
            if size == 0:
                break
            chunks.append(data[:-2])
        body = b"".join(chunks)
    elif headers.get("content-length"):
        length = min(int(headers["content-length"]), body_limit)
        data = conn.read_exact(length)
        if data is None:
            return None
        body = data
    return Request(parts[0], parts[1], headers, body)


def http_response(status: int, headers: Iterable[tuple[str, str]] = (), body: bytes = b"",
                  *, length: int | None = None) -> bytes:
    """The bytes of an HTTP/1.1 answer (``content-length`` from ``body`` unless given)."""
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    lines += [f"{k}: {v}" for k, v in headers]
    lines.append(f"content-length: {len(body) if length is None else length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def error_body(status: int, message: str | None = None, error_type: str | None = None) -> bytes:
    """Anthropic's error body for ``status``."""
    default_type, default_message = ERRORS.get(status, ("api_error", f"HTTP {status}"))
    return json.dumps({"type": "error", "error": {"type": error_type or default_type,
                                                  "message": message or default_message},
                       "request_id": REQUEST_ID}).encode()


def models_body(models: Iterable[str]) -> bytes:
    """``GET /v1/models``'s 200 body listing ``models``."""
    data = [{"type": "model", "id": m, "display_name": m.replace("-", " ").title(),
             "created_at": "2026-01-01T00:00:00Z"} for m in models]
    return json.dumps({"data": data, "has_more": False,
                       "first_id": data[0]["id"] if data else None,
                       "last_id": data[-1]["id"] if data else None}).encode()


def message_body(model: str) -> bytes:
    """``POST /v1/messages``'s 200 body."""
    return json.dumps({
        "id": "msg_01EnvauditProbeDouble", "type": "message", "role": "assistant",
        "model": model, "content": [{"type": "text", "text": "o"}],
        "stop_reason": "max_tokens", "stop_sequence": None,
        "usage": {"input_tokens": 8, "output_tokens": 1}}).encode()


class ApiDouble(Listener):
    """The Anthropic API (module docstring). ``requests`` lists what it was asked."""

    def __init__(self, *, tls: bool = True, host: str = LOOPBACK, status: int = 200,
                 models: Iterable[str] = MODELS, key: str | None = None,
                 message: str | None = None, error_type: str | None = None,
                 retry_after: str | None = RETRY_AFTER, body: bytes | None = None,
                 content_type: str = "application/json", body_size: int | None = None,
                 redirect: str | None = None, redirect_status: int = 307,
                 cert_hosts: Iterable[str] | None = None, expired: bool = False,
                 prefix: str = "", messages_status: int | None = None) -> None:
        super().__init__(host)
        self.prefix = prefix.rstrip("/")
        self.messages_status = messages_status
        self.tls = tls
        self.status = status
        self.models = tuple(models)
        self.key = key
        self.message = message
        self.error_type = error_type
        self.retry_after = retry_after
        self.body = body
        self.content_type = content_type
        self.body_size = body_size
        self.redirect = redirect
        self.redirect_status = redirect_status
        self.requests: list[Request] = []
        hosts = (LOOPBACK, LOOPBACK6, "localhost") if cert_hosts is None else tuple(cert_hosts)
        self.context = pki().server_context(hosts, expired=expired) if tls else None

    def handle(self, conn: Connection) -> None:
        """Serve requests until the client closes (keep-alive)."""
        if self.context is not None:
            conn.tls(self.context)
        self.serve(conn)

    def serve(self, conn: Connection) -> None:
        """Answer the requests on ``conn`` (TLS already done, or none) until it closes."""
        while True:
            request = read_request(conn)
            if request is None:
                return
            with self._lock:
                self.requests.append(request)
            if self.body_size is not None:
                self._send_huge(conn)
                return
            conn.send(self.answer(request))

    def answer(self, request: Request) -> bytes:
        """The bytes answering ``request``."""
        common = [("request-id", REQUEST_ID)]
        if self.redirect is not None:
            location = self.redirect.rstrip("/") + request.target
            return http_response(self.redirect_status, [*common, ("location", location)])
        if self.body is not None:
            return http_response(200, [("content-type", self.content_type)], self.body)
        if self.key is not None and request.credential() != self.key:
            return self._error(401)
        if self.status != 200:
            return self._error(self.status)
        json_type = [*common, ("content-type", "application/json")]
        if request.method == "GET" and request.path == f"{self.prefix}/v1/models":
            return http_response(200, json_type, models_body(self.models))
        if request.method == "POST" and request.path == f"{self.prefix}/v1/messages":
            if self.messages_status is not None:
                return self._error(self.messages_status)
            try:
                model = json.loads(request.body or b"{}").get("model")
            except ValueError:
                return self._error(400, "There was an error parsing the body of your request")
            if model not in self.models and ALIASES.get(model) not in self.models:
                return self._error(404, f"model: {model}")
            return http_response(200, json_type, message_body(model))
        return self._error(404)

    def _error(self, status: int, message: str | None = None) -> bytes:
        headers = [("request-id", REQUEST_ID), ("content-type", "application/json")]
        if status in (429, 529) and self.retry_after is not None:
            headers.append(("retry-after", self.retry_after))
        if status in (429, 500, 529):
            headers.append(("x-should-retry", "true"))
        return http_response(status, headers,
                             error_body(status, message or self.message, self.error_type))

    def _send_huge(self, conn: Connection) -> None:
        """A 200 with ``body_size`` bytes of HTML, sent in 64 KiB pieces until the client
        stops reading."""
        assert self.body_size is not None
        conn.send(http_response(200, [("content-type", "text/html")], length=self.body_size))
        piece = b"<p>" + b"x" * (65536 - 7) + b"</p>\n"
        left = self.body_size
        while left > 0 and not self._stopping.is_set():
            chunk = piece[:left]
            conn.send(chunk)
            left -= len(chunk)


# ----------------------------------------------------------------------------- broken servers


class Refused:
    """A port on 127.0.0.1 where nothing listens (bound, then closed: connections are
    refused). A context manager like the others; ``tls=False``: an ``http://`` URL (a
    proxy's)."""

    def __init__(self, *, tls: bool = True, host: str = LOOPBACK) -> None:
        self.tls = tls
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            self.port: int = sock.getsockname()[1]
        self.host = host

    def __enter__(self) -> Refused:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    @property
    def netloc(self) -> str:
        """``127.0.0.1:PORT``."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """``https://127.0.0.1:PORT`` (``http://`` without TLS)."""
        return f"{'https' if self.tls else 'http'}://{self.netloc}"


class Silent(Listener):
    """Accepts and never answers: a client's TLS handshake waits forever (``handshake=True``:
    the handshake completes, then the request is read and never answered). Clients reach it
    with ``https://`` (``tls=False``: ``http://``, the request is never answered)."""

    def __init__(self, *, handshake: bool = False, tls: bool = True,
                 host: str = LOOPBACK) -> None:
        super().__init__(host)
        self.tls = tls
        self.handshake = handshake and tls

    def handle(self, conn: Connection) -> None:
        """Hold the connection open until the client or the double gives up."""
        if self.handshake:
            conn.tls(pki().server_context())
        self.hold(conn)


class Resetter(Listener):
    """Accepts, waits for the client's first bytes (a TLS ClientHello, a request), then resets
    the connection (``RST``), as a firewall that kills a flow it does not like does."""

    def __init__(self, *, host: str = LOOPBACK) -> None:
        super().__init__(host)
        self.tls = True

    def handle(self, conn: Connection) -> None:
        """Reset after the first bytes arrive."""
        conn.sock.settimeout(5)
        try:
            conn.recv()
        except socket.timeout:
            pass
        conn.reset()


class Garbage(Listener):
    """Answers a TLS ClientHello with bytes that are not TLS (by default, a plain HTTP answer:
    an ``https://`` URL for an HTTP port), then closes."""

    def __init__(self, data: bytes = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n",
                 *, host: str = LOOPBACK) -> None:
        super().__init__(host)
        self.tls = True
        self.data = data

    def handle(self, conn: Connection) -> None:
        """Wait for the ClientHello, answer garbage, close."""
        conn.sock.settimeout(5)
        conn.recv()
        conn.send(self.data)
        time.sleep(0.05)


class SlowLoris(Listener):
    """Answers one byte every ``interval`` seconds, forever: an HTTP status line and then a
    header that never ends (``stage="headers"``), or a complete head announcing a body that
    trickles (``stage="body"``). Each byte arrives well within any per-read timeout; only a
    bound on the whole exchange stops a client."""

    def __init__(self, *, tls: bool = True, stage: str = "headers", interval: float = 0.2,
                 host: str = LOOPBACK) -> None:
        super().__init__(host)
        assert stage in ("headers", "body"), stage
        self.tls = tls
        self.stage = stage
        self.interval = interval

    def handle(self, conn: Connection) -> None:
        """Read the request head, then trickle."""
        if self.tls:
            conn.tls(pki().server_context())
        if read_request(conn) is None:
            return
        if self.stage == "headers":
            head, tail = b"HTTP/1.1 200 OK\r\nx-padding: ", b"a"
        else:
            conn.send(http_response(200, [("content-type", "application/json")],
                                    length=10_000_000))
            head, tail = b'{"data": [', b" "
        for byte in head:
            if self._stopping.wait(self.interval):
                return
            conn.send(bytes([byte]))
        while not self._stopping.wait(self.interval):
            conn.send(tail)


# ----------------------------------------------------------------------------- proxies


class ScriptedProxy(Listener):
    """A proxy that reads a ``CONNECT`` (or any request head), answers ``reply`` (``None``:
    nothing), then does ``then``: ``close``, ``reset`` or ``hold``. ``requests`` holds the
    heads it read."""

    def __init__(self, reply: bytes | None = None, *, then: str = "close",
                 host: str = LOOPBACK) -> None:
        super().__init__(host)
        assert then in ("close", "reset", "hold"), then
        self.reply = reply
        self.then = then
        self.requests: list[Request] = []

    def handle(self, conn: Connection) -> None:
        """One scripted exchange."""
        request = read_request(conn)
        if request is not None:
            with self._lock:
                self.requests.append(request)
        if self.reply is not None:
            conn.send(self.reply)
        if self.then == "reset":
            conn.reset()
        elif self.then == "hold":
            self.hold(conn)

    @classmethod
    def closing_mid_connect(cls) -> ScriptedProxy:
        """Reads the ``CONNECT``, starts an answer (``HTTP/1.1 200 Conn``) and closes."""
        return cls(b"HTTP/1.1 200 Conn", then="close")

    @classmethod
    def refusing(cls, status: int = 403) -> ScriptedProxy:
        """Refuses every ``CONNECT`` with ``status`` (a proxy's ACL), as squid words it."""
        body = b"<html><body>Access Denied</body></html>"
        return cls(http_response(status, [("content-type", "text/html"),
                                          ("connection", "close")], body), then="close")


class MitmProxy(Listener):
    """A TLS-intercepting proxy: answers ``CONNECT host:port`` with 200, terminates the
    client's TLS with a certificate for ``host`` issued by ``Pki.mitm``, opens its own TLS
    connection to ``host:port`` (only a loopback address; it trusts ``Pki.api``) and relays.
    For any other host it connects nowhere: it answers as ``impersonate`` (an ``ApiDouble``,
    not started: its answers only), so a test can reach "``api.anthropic.com``" without
    leaving the machine; with no ``impersonate``, it answers 502. ``received`` holds the
    ``CONNECT`` heads and the decrypted bytes of the tunnels."""

    def __init__(self, *, host: str = LOOPBACK, impersonate: ApiDouble | None = None) -> None:
        super().__init__(host)
        self.requests: list[Request] = []
        self.impersonate = impersonate

    def handle(self, conn: Connection) -> None:
        """Intercept one tunnel."""
        request = read_request(conn)
        if request is None or request.method != "CONNECT":
            return
        with self._lock:
            self.requests.append(request)
        target_host, _, port = request.target.rpartition(":")
        target_host = target_host.strip("[]")
        local = target_host in (LOOPBACK, LOOPBACK6, "localhost")
        if not local and self.impersonate is None:
            conn.send(http_response(502, [("connection", "close")]))
            return
        conn.send(b"HTTP/1.1 200 Connection established\r\n\r\n")
        conn.tls(pki().server_context((target_host,), ca="mitm"))
        if not local:
            assert self.impersonate is not None
            self.impersonate.serve(conn)
            return
        upstream_raw = socket.create_connection((target_host, int(port)), timeout=IDLE)
        upstream = pki().client_context().wrap_socket(upstream_raw, server_hostname=target_host)
        try:
            self._relay(conn, upstream)
        finally:
            upstream.close()

    def _relay(self, conn: Connection, upstream: ssl.SSLSocket) -> None:
        if conn.buffer:
            upstream.sendall(bytes(conn.buffer))
            conn.buffer.clear()

        def back() -> None:
            try:
                while True:
                    data = upstream.recv(65536)
                    if not data:
                        break
                    conn.send(data)
            except OSError:
                pass
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        thread = threading.Thread(target=back, daemon=True)
        thread.start()
        try:
            while True:
                data = conn.recv()
                if not data:
                    break
                upstream.sendall(data)
        finally:
            try:
                upstream.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            thread.join(5)


class ProxyPy:
    """``proxy.py`` on 127.0.0.1, a real forward proxy (``CONNECT`` tunnels, plain HTTP
    forwarding), optionally with ``--basic-auth USER:PASSWORD`` (407 without it). A context
    manager; ``log`` is its log file (one ``CONNECT host:port`` line per tunnel)."""

    tls = False

    def __init__(self, *, basic_auth: str | None = None) -> None:
        self.basic_auth = basic_auth
        self.folder = Path(tempfile.mkdtemp(prefix="envaudit-proxypy-"))
        self.log = self.folder / "proxy.log"
        self.port = 0
        self.host = LOOPBACK
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ProxyPy:
        port_file = self.folder / "port"
        args = [sys.executable, "-m", "proxy", "--hostname", LOOPBACK, "--port", "0",
                "--port-file", str(port_file), "--num-workers", "1", "--num-acceptors", "1",
                "--log-level", "INFO", "--log-file", str(self.log)]
        if self.basic_auth:
            args += ["--basic-auth", self.basic_auth]
        self._proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not (port_file.is_file() and port_file.read_text().strip()):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError("proxy.py did not start")
            time.sleep(0.05)
        self.port = int(port_file.read_text().strip())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def netloc(self) -> str:
        """``127.0.0.1:PORT``."""
        return f"{LOOPBACK}:{self.port}"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (no credentials)."""
        return f"http://{self.netloc}"

    def url_with(self, credentials: str) -> str:
        """``http://USER:PASSWORD@127.0.0.1:PORT``."""
        return f"http://{credentials}@{self.netloc}"

    @staticmethod
    def authorization(credentials: str) -> str:
        """The ``Proxy-Authorization`` value for ``USER:PASSWORD``."""
        return "Basic " + base64.b64encode(credentials.encode()).decode()


# ----------------------------------------------------------------------------- the guard


_LOCAL_NAMES = {LOOPBACK, LOOPBACK6, "localhost", "ip6-localhost"}


@contextmanager
def local_only() -> Iterator[None]:
    """While active, ``socket.getaddrinfo`` answers only loopback names and addresses (and
    ``.invalid`` names, which fail as they should): any other name raises, so a probe that
    would leave the machine fails in the test instead."""
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is None or name in _LOCAL_NAMES or str(name).rstrip(".").endswith(".invalid"):
            return real(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME,
                              f"tests resolve loopback names only, not {name!r}")

    socket.getaddrinfo = guarded
    try:
        yield
    finally:
        socket.getaddrinfo = real
