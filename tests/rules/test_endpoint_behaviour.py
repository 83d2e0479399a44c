"""What EA601-EA603, EA610 and EA611 predict, proved with the real ``anthropic`` package (the test
extra pins 2.17.0) against a local HTTP server on 127.0.0.1 (no other host is ever contacted).

For each base URL form, ``envaudit.rules.endpoint.predict`` names the request target the SDK
sends (path and query, as the server's request line has it) or the error it raises and when
(``Anthropic()`` itself, or every request); the tests build the client from
``ANTHROPIC_BASE_URL`` as an app does and compare. Header values are fake and never asserted on
in a message.
"""

from __future__ import annotations

from typing import Any

import pytest

from envaudit.inventory.models import token_limits
from envaudit.rules.endpoint import parse_headers, predict

from .test_sdk_behaviour import _ENV, KEY, MODEL, Server

anthropic = pytest.importorskip("anthropic")


class RawServer(Server):
    """``Server``, recording the request line's target as sent: ``http.server`` folds a
    leading ``//`` in ``self.path`` into ``/`` (CPython's open-redirect fix), which would hide
    what the SDK requested."""

    def __init__(self) -> None:
        super().__init__()
        handler = self._httpd.RequestHandlerClass
        recorder = self

        class Raw(handler):  # type: ignore[misc,valid-type]
            def _answer(self) -> None:
                super()._answer()
                recorder.requests[-1].path = self.requestline.split(" ")[1]

            do_GET = do_POST = _answer  # noqa: N815

        self._httpd.RequestHandlerClass = Raw


@pytest.fixture
def server() -> Any:
    with RawServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)


def _observe(base_url: str, monkeypatch: pytest.MonkeyPatch, server: Server,
             **create: Any) -> tuple[str | None, str | None, str | None]:
    """(request target the server saw, exception class name, when) for ``base_url``."""
    monkeypatch.setenv("ANTHROPIC_BASE_URL", base_url)
    try:
        client = anthropic.Anthropic(max_retries=0, timeout=10.0)
    except Exception as exc:  # noqa: BLE001 - the class is what is compared
        return None, type(exc).__name__, "construction"
    try:
        client.messages.create(model=MODEL, max_tokens=16,
                               messages=[{"role": "user", "content": "hi"}], **create)
    except anthropic.APIStatusError:
        pass  # the server answered (404 for a path that is not /v1/messages)
    except anthropic.APIConnectionError as exc:
        return None, type(exc.__cause__).__name__, "request"
    targets = [r.path for r in server.requests]
    return (targets[0] if targets else None), None, None


#: Suffixes appended to the server's ``http://127.0.0.1:PORT``.
_SUFFIXES = ["", "/", "/v1", "/v1/", "/v1/messages", "/v1/messages/", "/proxy/anthropic",
             "/proxy/anthropic/v1", "/v1/anthropic", "//", "/a?x=1", "/a/?x=1&y=2", "/a#frag",
             " ", "/v1 "]


@pytest.mark.parametrize("suffix", _SUFFIXES, ids=repr)
def test_request_target_is_predicted(suffix: str, server: Server,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    url = server.url + suffix
    target, error, when = _observe(url, monkeypatch, server)
    assert (target, error, when) == tuple(predict(url))


def test_scheme_case_is_normalised(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    url = "HTTP://" + server.url.split("://", 1)[1] + "/up"
    assert _observe(url, monkeypatch, server) == tuple(predict(url)) == ("/up/v1/messages",
                                                                         None, None)


@pytest.mark.parametrize("form", ["", "{hostport}", "localhost:{port}", "ftp://{hostport}",
                                  " {url}", "{url}\n", "{url}\r", "{url}\t", "{url}/a\nb",
                                  "\t{url}"], ids=repr)
def test_errors_are_predicted(form: str, server: Server,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    hostport = server.url.split("://", 1)[1]
    url = form.format(url=server.url, hostport=hostport, port=hostport.split(":")[1])
    observed = _observe(url, monkeypatch, server)
    assert observed == tuple(predict(url))
    assert server.requests == []


# ----------------------------------------------------------------------------- EA611


def _headers_sent(server: Server, monkeypatch: pytest.MonkeyPatch, value: str
                  ) -> dict[str, str] | str:
    monkeypatch.setenv("ANTHROPIC_CUSTOM_HEADERS", value)
    target, error, _ = _observe(server.url, monkeypatch, server)
    if target is None:
        return error or "no request"
    return server.requests[0].headers


def test_authorization_replaces_the_key(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    sent = _headers_sent(server, monkeypatch, "Authorization: Bearer gw-FAKE-0000")
    assert isinstance(sent, dict)
    assert sent["authorization"] == "Bearer gw-FAKE-0000"
    assert KEY not in "".join(sent.values())


def test_x_api_key_goes_beside_the_key(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    sent = _headers_sent(server, monkeypatch, "x-api-key: gw-FAKE-0000")
    assert isinstance(sent, dict)
    assert sent["x-api-key"] == "gw-FAKE-0000"
    assert sent["authorization"] == f"Bearer {KEY}"


def test_line_without_colon_is_ignored(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    sent = _headers_sent(server, monkeypatch, "X-Gateway-Team platform\nX-Trace: on")
    assert isinstance(sent, dict)
    assert "x-trace" in sent and not any(k.startswith("x-gateway") for k in sent)
    assert [h.name for h in parse_headers("X-Gateway-Team platform\nX-Trace: on")] == [
        None, "X-Trace"]


@pytest.mark.parametrize("value", ["X Gateway Team: platform", ": platform"], ids=repr)
def test_invalid_name_fails_every_request(value: str, server: Server,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    assert _headers_sent(server, monkeypatch, value) == "LocalProtocolError"


def test_literal_backslash_n_is_one_header(server: Server,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    sent = _headers_sent(server, monkeypatch, "X-A: 1\\nX-B: 2")
    assert isinstance(sent, dict)
    assert sent["x-a"] == "1\\nX-B: 2" and "x-b" not in sent


def test_crlf_lines_are_stripped(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    sent = _headers_sent(server, monkeypatch, "X-A: 1\r\nX-B: 2\r\n")
    assert isinstance(sent, dict)
    assert (sent["x-a"], sent["x-b"]) == ("1", "2")


# ----------------------------------------------------------------------------- EA610


@pytest.mark.parametrize("model, allowed", [
    (MODEL, token_limits().nonstreaming_default),
    *((m, n) for m, n in token_limits().nonstreaming.items()),
])
def test_nonstreaming_limits(model: str, allowed: int, server: Server) -> None:
    """The bundled limits are the SDK's: ``allowed`` passes, one more raises before sending."""
    client = anthropic.Anthropic(api_key=KEY, base_url=server.url, max_retries=0)
    messages = [{"role": "user", "content": "hi"}]
    with pytest.raises(ValueError, match="Streaming is required"):
        client.messages.create(model=model, max_tokens=allowed + 1, messages=messages)
    assert server.requests == []
    client.messages.create(model=model, max_tokens=allowed, messages=messages)
    assert len(server.requests) == 1


def test_an_explicit_timeout_lifts_the_limit(server: Server) -> None:
    client = anthropic.Anthropic(api_key=KEY, base_url=server.url, max_retries=0, timeout=30.0)
    client.messages.create(model=MODEL, max_tokens=64000,
                           messages=[{"role": "user", "content": "hi"}])
    assert len(server.requests) == 1
