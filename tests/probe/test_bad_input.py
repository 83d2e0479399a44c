"""Bad input for ``envaudit probe``, end to end (issue 7, "Bad input"): base URLs with odd
schemes, IPv6 and user information; proxies that close or reset mid-``CONNECT``; a 200 with a
body that is not JSON or is huge; redirects, to another host and back to plain HTTP; servers
that trickle bytes. Each runs the real command (``envaudit probe --format json``) with the
app's environment, and every case proves three things:

* a verdict, never a traceback: the EA9 rule the table names fires (exit code 1 or 0, never 2);
* no hang: the command returns within ``--total`` plus a generous margin (a hang check, not a
  timing assertion);
* no leak: every byte the servers received is recorded, and the key is in none of them except
  the API double's own credential header; it is in nothing the command printed (stdout,
  stderr, and the file descriptors, for anything written around Click).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from contextlib import ExitStack
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from click.testing import CliRunner

from envaudit.cli import main

from .doubles import (
    LOOPBACK6,
    UNRESOLVABLE,
    ApiDouble,
    Listener,
    ScriptedProxy,
    SlowLoris,
    ipv6_loopback,
    local_only,
    pki,
)

pytest.importorskip("trustme")

KEY = ("sk-ant-api03-FAKE-BADIN-EXAMPLE-0000-FAKE-BADIN-EXAMPLE-0000-FAKE-BADIN-EXAMPLE-0000-"
       "FAKE-BADIN-EXAMPLE-00AA")
URL_PASSWORD = "url-pa55word-FIXTURE"
TIMEOUT, TOTAL = 1.0, 3.0
#: How much longer than ``--total`` the whole command may take before it counts as a hang
#: (the interpreter's start-up, the collection, a loaded machine).
MARGIN = 15.0


class Scene(NamedTuple):
    """One bad input, set up."""

    env: dict[str, str]
    """The app's environment (the key and the CA are added)."""
    api: Listener | None
    """The server that may see the key (in its credential header only)."""
    watched: list[Listener]
    """Servers that must never see the key."""


def _api(stack: ExitStack, **kwargs: Any) -> ApiDouble:
    api = stack.enter_context(ApiDouble(**kwargs))
    assert isinstance(api, ApiDouble)
    return api


def _base(url: str) -> Callable[[ExitStack], Scene]:
    """A base URL built from a running API double (``{api}``: its netloc)."""
    def build(stack: ExitStack) -> Scene:
        api = _api(stack)
        return Scene({"ANTHROPIC_BASE_URL": url.replace("{api}", api.netloc)}, api, [])
    return build


def _redirect(status: int, to: str) -> Callable[[ExitStack], Scene]:
    """An API double redirecting with ``status`` to another double (``to``: how the Location
    names it: ``localhost`` (another host), ``http`` (plain HTTP, another port), ``relative``
    (a path on the same host))."""
    def build(stack: ExitStack) -> Scene:
        other = _api(stack, key=KEY, tls=to != "http")
        location = {"localhost": other.url_as("localhost"), "http": other.url,
                    "relative": "/elsewhere"}[to]
        api = _api(stack, redirect=location, redirect_status=status)
        return Scene({"ANTHROPIC_BASE_URL": api.url}, api, [other])
    return build


def _proxy(proxy: Callable[[], Listener]) -> Callable[[ExitStack], Scene]:
    def build(stack: ExitStack) -> Scene:
        api = _api(stack)
        through = stack.enter_context(proxy())
        return Scene({"ANTHROPIC_BASE_URL": api.url, "HTTPS_PROXY": through.url}, None,
                     [through, api])
    return build


def _server(server: Callable[[], Listener]) -> Callable[[ExitStack], Scene]:
    def build(stack: ExitStack) -> Scene:
        slow = stack.enter_context(server())
        return Scene({"ANTHROPIC_BASE_URL": slow.url}, slow if slow.tls else None, [])
    return build


def _ipv6(stack: ExitStack) -> Scene:
    if not ipv6_loopback():
        pytest.skip("no IPv6 loopback here")
    api = _api(stack, host=LOOPBACK6)
    return Scene({"ANTHROPIC_BASE_URL": api.url}, api, [])


#: (id, the scene, the verdicts allowed: ``None`` for none).
CASES: list[tuple[str, Callable[[ExitStack], Scene], AbstractSet[str | None]]] = [
    ("scheme-ftp", _base("ftp://{api}"), {"EA916"}),
    ("scheme-file", _base("file:///etc/passwd"), {"EA916"}),
    ("scheme-javascript", _base("javascript:alert(1)"), {"EA916"}),
    ("scheme-ws", _base("ws://{api}"), {"EA916"}),
    ("scheme-one-slash", _base("https:/{api}"), {"EA916"}),
    ("scheme-no-host", _base("https://"), {"EA916"}),
    ("scheme-upper-case", _base("HTTPS://{api}"), {None}),
    ("scheme-http-to-tls", _base("http://{api}"), {"EA912"}),
    ("ipv6-literal", _ipv6, {None}),
    ("ipv6-unclosed", _base("https://[::1"), {"EA916"}),
    # a zone index: resolved or not as the platform decides, never a hang or a traceback
    ("ipv6-zone", _base("https://[fe80::1%25lo]:1"), {"EA916", "EA901", "EA902"}),
    ("userinfo", _base(f"https://alice:{URL_PASSWORD}@{{api}}"), {None}),
    ("userinfo-no-password", _base("https://alice@{api}"), {None}),
    ("port-out-of-range", _base(f"https://{UNRESOLVABLE}:99999"), {"EA916"}),
    ("proxy-closes-mid-connect", _proxy(ScriptedProxy.closing_mid_connect), {"EA903"}),
    ("proxy-resets-mid-connect", _proxy(lambda: ScriptedProxy(b"HTTP/1.1 200", then="reset")),
     {"EA903"}),
    ("proxy-answers-garbage", _proxy(lambda: ScriptedProxy(b"\x05\x00garbage\r\n\r\n")),
     {"EA903"}),
    ("non-json-200", lambda s: Scene({"ANTHROPIC_BASE_URL": _api(
        s, body=b"<html>portal</html>", content_type="text/html").url}, None, []), {"EA913"}),
    ("huge-200", lambda s: Scene({"ANTHROPIC_BASE_URL": _api(s, body_size=200_000_000).url},
                                 None, []), {"EA913"}),
    *((f"redirect-{status}-{to}", _redirect(status, to), {"EA914"})
      for status in (301, 302, 307, 308) for to in ("localhost", "http", "relative")),
    ("slow-loris-headers", _server(lambda: SlowLoris(interval=0.1)), {"EA912"}),
    ("slow-loris-body", _server(lambda: SlowLoris(stage="body", interval=0.1)), {"EA912"}),
]


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterator[None]:
    with local_only():
        yield


def _verdict(document: dict[str, Any]) -> str | None:
    fired = sorted({f["id"] for f in document["findings"] if f["severity"] != "info"})
    assert len(fired) <= 1, fired
    return fired[0] if fired else None


@pytest.mark.parametrize(("build", "verdicts"), [(b, v) for _, b, v in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input(build: Callable[[ExitStack], Scene], verdicts: AbstractSet[str | None],
                   runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   capfd: pytest.CaptureFixture[str]) -> None:
    with ExitStack() as stack:
        scene = build(stack)
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        monkeypatch.setenv("SSL_CERT_FILE", str(pki().api_bundle))
        for name, value in scene.env.items():
            monkeypatch.setenv(name, value)
        started = time.monotonic()
        result = runner.invoke(main, ["probe", str(tmp_path), "--format", "json",
                                      "--timeout", str(TIMEOUT), "--total", str(TOTAL)])
        elapsed = time.monotonic() - started
        printed = capfd.readouterr()
    assert elapsed < TOTAL + MARGIN, f"hung for {elapsed:.1f} s"
    assert result.exit_code in (0, 1), (result.exit_code, result.output, result.exception)
    for text in (result.stdout, result.stderr, printed.out, printed.err):
        assert KEY not in text and KEY[13:50] not in text
        assert URL_PASSWORD not in text
    document = json.loads(result.stdout)
    assert _verdict(document) in verdicts, document["findings"]
    assert document["total_ms"] < (TOTAL + 1) * 1000
    for server in scene.watched:
        assert KEY.encode() not in server.received, "the key reached a server it must not"
        assert URL_PASSWORD.encode() not in server.received
    if scene.api is not None:
        received = scene.api.received
        assert URL_PASSWORD.encode() not in received
        # the key only ever in the credential header, once per request sent
        header = b"Authorization: Bearer " + KEY.encode()
        assert received.count(KEY.encode()) == received.count(header)


def test_a_redirect_is_never_followed(runner: CliRunner, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Not even to the same host: the redirect's target gets no connection at all."""
    with ApiDouble() as other, ApiDouble(redirect=other.url_as("localhost")) as api:
        monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
        monkeypatch.setenv("SSL_CERT_FILE", str(pki().api_bundle))
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.url)
        result = runner.invoke(main, ["probe", str(tmp_path), "--format", "json", "--messages",
                                      "--timeout", str(TIMEOUT), "--total", str(TOTAL)])
    assert result.exit_code == 1, result.output
    assert other.connections == 0 and other.received == b""
    assert _verdict(json.loads(result.stdout)) == "EA914"
