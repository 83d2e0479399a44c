"""The SDK behaviour the EA1xx messages state, proved with the real ``anthropic`` package against
a local HTTP server on 127.0.0.1 (no other host is ever contacted).

Key values are fake and still never appear in an assertion message: comparisons are made
outside ``assert`` and only their outcome is asserted.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from envaudit.sdkfacts import fact

from .make_binary_cases import api_key, oauth_token

anthropic = pytest.importorskip("anthropic")

KEY = api_key("SDKPROOF")
TOKEN = oauth_token("SDKPROOF")
MODEL = "claude-sonnet-4-6"
_MESSAGE = {
    "id": "msg_01FAKEEXAMPLE", "type": "message", "role": "assistant", "model": MODEL,
    "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn",
    "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 1},
}
_UNAUTHORIZED = {"type": "error", "error": {"type": "authentication_error",
                                             "message": "invalid x-api-key"}}
_NOT_FOUND = {"type": "error", "error": {"type": "not_found_error", "message": "Not found"}}
_ENV = (
    "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "ANTHROPIC_PROFILE",
    "ANTHROPIC_CONFIG_DIR", "ANTHROPIC_CUSTOM_HEADERS", "ANTHROPIC_FEDERATION_RULE_ID",
    "ANTHROPIC_ORGANIZATION_ID", "ANTHROPIC_IDENTITY_TOKEN", "ANTHROPIC_IDENTITY_TOKEN_FILE",
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
    "NO_PROXY", "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR",
)


def _major(version: str) -> int:
    return int(version.split(".")[0])


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:2])


def _connection_error_text(server: Server, reason: str) -> str:
    """APIConnectionError's text: bare before anthropic 2.17, naming host and cause since."""
    if _release(anthropic.__version__) >= (2, 17):
        return f"Connection to {server.url.split('://')[1].rstrip('/')} failed: {reason}"
    return "Connection error."


needs_v2 = pytest.mark.skipif(_major(anthropic.__version__) < 2,
                              reason="anthropic >= 2.0 behaviour (Authorization: Bearer)")


@dataclass
class Request:
    """What the server saw."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    """Lower-case name -> value (http.server decodes header bytes as Latin-1)."""


class Server:
    """A recording HTTP server on 127.0.0.1 answering with a fixed status."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.status = 200
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                if length:
                    self.rfile.read(length)
                recorder.requests.append(Request(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
                status = recorder.status
                if status == 200 and not self.path.startswith("/v1/messages"):
                    status = 404
                body = {200: _MESSAGE, 401: _UNAUTHORIZED}.get(status, _NOT_FOUND)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        daemon=True)

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    with Server() as srv:
        yield srv


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No credential, proxy or profile from the machine running the tests."""
    for name in _ENV:  # HOME and APPDATA: tests/rules/conftest.py
        monkeypatch.delenv(name, raising=False)


def _client(server: Server, **kwargs: Any) -> Any:
    kwargs.setdefault("base_url", server.url)
    return anthropic.Anthropic(max_retries=0, timeout=10.0, **kwargs)


def _create(client: Any) -> Any:
    return client.messages.create(model=MODEL, max_tokens=16,
                                  messages=[{"role": "user", "content": "hi"}])


# ----------------------------------------------------------------------------- EA103


@pytest.mark.parametrize(
    "variant",
    ["trailing-lf", "trailing-crlf", "trailing-cr", "trailing-space", "trailing-tab",
     "inner-lf"],
)
def test_whitespace_in_key_is_connection_error(
    variant: str, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    value = {"trailing-lf": KEY + "\n", "trailing-crlf": KEY + "\r\n",
             "trailing-cr": KEY + "\r", "trailing-space": KEY + " ",
             "trailing-tab": KEY + "\t", "inner-lf": KEY[:50] + "\n" + KEY[50:]}[variant]
    monkeypatch.setenv("ANTHROPIC_API_KEY", value)
    with pytest.raises(anthropic.APIConnectionError) as info:
        _create(_client(server))
    message_ok = str(info.value) == _connection_error_text(server, "LocalProtocolError")
    cause = type(info.value.__cause__).__name__
    assert message_ok, "not the misleading connection error that does not name the key"
    assert cause == "LocalProtocolError"
    reached = len(server.requests)
    assert reached == 0, "the request must fail before reaching the server"
    assert "Connection error." in fact("key-whitespace", "python")
    assert "Connection to HOST failed: LocalProtocolError" in fact("key-whitespace", "python")


def test_nul_in_key(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError):  # os.environ cannot hold a NUL (EA103's message)
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY + "\x00")
    with pytest.raises(anthropic.APIConnectionError):
        _create(_client(server, api_key=KEY + "\x00"))
    reached = len(server.requests)
    assert reached == 0


@needs_v2
def test_leading_space_is_sent_with_two_spaces(server: Server,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", " " + KEY)
    server.status = 401
    with pytest.raises(anthropic.AuthenticationError):
        _create(_client(server))
    # http.server strips the header's leading white space, not the one inside the value.
    sent_ok = server.requests[0].headers.get("authorization", "") == "Bearer  " + KEY
    assert sent_ok, "the key was not sent unchanged, after 'Bearer' and two spaces"


# ----------------------------------------------------------------------------- auth headers


@needs_v2
def test_clean_key_is_sent_as_bearer(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    reply = _create(_client(server))
    assert reply.content[0].text == "ok"
    (request,) = server.requests
    assert request.path == "/v1/messages"
    sent_ok = request.headers.get("authorization") == f"Bearer {KEY}"
    assert sent_ok, "Authorization is not 'Bearer <ANTHROPIC_API_KEY>'"
    no_x_api_key = "x-api-key" not in request.headers
    assert no_x_api_key, "X-Api-Key was sent too"
    assert request.headers.get("anthropic-version") == "2026-10-21"
    assert "Authorization: Bearer" in fact("auth-header", "python-2")


@needs_v2
def test_key_and_token_both_set_sends_only_the_key(
    server: Server, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", TOKEN)
    with caplog.at_level(logging.WARNING, logger="anthropic"):
        _create(_client(server))
    (request,) = server.requests
    key_sent = request.headers.get("authorization") == f"Bearer {KEY}"
    token_sent = any(TOKEN in v for v in request.headers.values())
    assert key_sent, "the API key was not sent"
    assert not token_sent, "the auth token was sent too"
    no_x_api_key = "x-api-key" not in request.headers
    assert no_x_api_key, "X-Api-Key was sent too"
    warning = "ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN are both set. Using ANTHROPIC_API_KEY."
    logged = warning in caplog.text
    assert logged, "the SDK did not log its 'both set' warning"
    assert warning in fact("auth-conflict", "python-2")


def test_token_alone_is_sent_as_bearer(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", TOKEN)
    _create(_client(server))
    sent_ok = server.requests[0].headers.get("authorization") == f"Bearer {TOKEN}"
    assert sent_ok, "Authorization is not 'Bearer <ANTHROPIC_AUTH_TOKEN>'"


def test_empty_key_with_token_uses_the_token(server: Server,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Why EA102 stays silent on an empty ANTHROPIC_API_KEY while a token is set.
    monkeypatch.setenv("ANTHROPIC_API_KEY", "")
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", TOKEN)
    _create(_client(server))
    sent_ok = server.requests[0].headers.get("authorization") == f"Bearer {TOKEN}"
    assert sent_ok, "the token was not used"


# ----------------------------------------------------------------------------- EA101 / EA102


@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_missing_or_empty_key_raises_type_error(
    value: str | None, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    if value is not None:
        monkeypatch.setenv("ANTHROPIC_API_KEY", value)
    client = _client(server)  # construction succeeds: the failure comes at the first request
    with pytest.raises(TypeError, match="Could not resolve authentication method"):
        _create(client)
    reached = len(server.requests)
    assert reached == 0
    assert "Could not resolve authentication method" in fact("key-missing", "python")
    assert "Could not resolve authentication method" in fact("key-empty", "all")


# ----------------------------------------------------------------------------- values sent as is


@needs_v2
def test_quoted_key_is_sent_with_its_quotes(server: Server,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", f'"{KEY}"')
    server.status = 401
    with pytest.raises(anthropic.AuthenticationError):
        _create(_client(server))
    sent_ok = server.requests[0].headers.get("authorization") == f'Bearer "{KEY}"'
    assert sent_ok, "the quotes were not sent as part of the key"


@needs_v2
def test_non_ascii_key_is_sent_as_utf8(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    value = f"\u201c{KEY}\u201d"
    monkeypatch.setenv("ANTHROPIC_API_KEY", value)
    server.status = 401
    with pytest.raises(anthropic.AuthenticationError):
        _create(_client(server))
    latin1 = f"Bearer {value}".encode().decode("latin-1")
    sent_ok = server.requests[0].headers.get("authorization") == latin1
    assert sent_ok, "the key was not sent UTF-8 encoded"
    assert "UTF-8" in fact("key-non-ascii", "python-2")


# ----------------------------------------------------------------------------- base URL


@pytest.mark.parametrize("suffix, path", [("/v1", "/v1/v1/messages"),
                                          ("/v1/", "/v1/v1/messages"),
                                          ("", "/v1/messages")])
def test_base_url_path_is_prefixed(
    suffix: str, path: str, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url + suffix)
    client = anthropic.Anthropic(max_retries=0, timeout=10.0)
    if path == "/v1/messages":
        _create(client)
    else:
        with pytest.raises(anthropic.NotFoundError):
            _create(client)
    assert [r.path for r in server.requests] == [path]
