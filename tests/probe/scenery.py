"""The scenery of a probe case: the servers a ``case.toml`` ``[probe]`` table names, started on
127.0.0.1, the placeholders they fill in ``[env]``, and the real probe run against them
(``tests/rules/casefiles.py`` documents the table)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .doubles import (
    UNRESOLVABLE,
    ApiDouble,
    Garbage,
    Listener,
    MitmProxy,
    ProxyPy,
    Refused,
    Resetter,
    ScriptedProxy,
    Silent,
    SlowLoris,
    pki,
)

if TYPE_CHECKING:
    from envaudit.model import ProbeResult, Snapshot

#: The ``[probe]`` keys.
KEYS = {"server", "api", "other", "proxy", "timeout", "total", "messages"}
#: ``api`` / ``other`` keys -> ``ApiDouble`` keyword arguments.
_API_OPTIONS = {"status": "status", "models": "models", "key": "key", "body": "body",
                "content-type": "content_type", "body-size": "body_size",
                "redirect": "redirect", "redirect-status": "redirect_status",
                "cert-hosts": "cert_hosts", "expired": "expired", "prefix": "prefix",
                "tls": "tls", "message": "message", "error-type": "error_type",
                "retry-after": "retry_after", "messages-status": "messages_status"}
#: The user and password ``proxy = "proxy.py-auth"`` demands (``{proxy-auth}`` carries them).
PROXY_CREDENTIALS = "probe-user:probe-pass"
#: How much longer than ``total`` a probe may take before the case fails as a hang (a hang
#: check, not a timing assertion: threads and interpreters are slow on a loaded machine).
HANG_MARGIN = 10.0
#: Default bounds of a case's probe (short: every server is local).
TIMEOUT = 2.0
TOTAL = 5.0


@dataclass
class Scenery:
    """The started servers of one case."""

    places: dict[str, str] = field(default_factory=dict)
    """Placeholder (``{api}``) -> value."""
    other: ApiDouble | None = None
    """The second API double (a redirect's target), which must never see the key."""
    timeout: float = TIMEOUT
    total: float = TOTAL
    messages: bool = False


def _api(options: Mapping[str, Any]) -> ApiDouble:
    kwargs = {}
    for key, value in options.items():
        if key not in _API_OPTIONS:
            raise ValueError(f"[probe] api: unknown key {key!r}")
        kwargs[_API_OPTIONS[key]] = value.encode() if key == "body" else value
    return ApiDouble(**kwargs)


def _server(kind: str, options: Mapping[str, Any]) -> Listener | Refused:
    """The server answering at ``{api}``."""
    if kind == "api":
        return _api(options)
    servers: dict[str, Callable[[], Listener | Refused]] = {
        "silent": lambda: Silent(), "silent-tls": lambda: Silent(handshake=True),
        "reset": Resetter, "garbage": Garbage, "slow-loris": SlowLoris,
        "slow-loris-body": lambda: SlowLoris(stage="body"), "refused": Refused}
    if kind not in servers or options:
        raise ValueError(f"[probe] server: unknown {kind!r} (or api options with it)")
    return servers[kind]()


def _proxy(kind: str, api: Listener | Refused) -> Listener | ProxyPy | Refused:
    """The proxy at ``{proxy}``; an intercepting one answers for non-local hosts as ``api``
    (when it is the API double) does."""
    impersonate = api if isinstance(api, ApiDouble) else None
    proxies: dict[str, Callable[[], Listener | ProxyPy | Refused]] = {
        "proxy.py": lambda: ProxyPy(),
        "proxy.py-auth": lambda: ProxyPy(basic_auth=PROXY_CREDENTIALS),
        "mitm": lambda: MitmProxy(impersonate=impersonate),
        "closing": ScriptedProxy.closing_mid_connect, "refusing": ScriptedProxy.refusing,
        "silent": lambda: ScriptedProxy(then="hold"), "refused": lambda: Refused(tls=False)}
    if kind not in proxies:
        raise ValueError(f"[probe] proxy: unknown {kind!r}")
    return proxies[kind]()


def _skip_without(table: Mapping[str, Any]) -> None:
    """Skip the test when a component the table needs is not installed (the test extra has
    them all): trustme for the CAs, proxy.py for its proxies."""
    import importlib.util

    import pytest

    if importlib.util.find_spec("trustme") is None:
        pytest.skip("trustme is not installed (test extra)")
    if str(table.get("proxy", "")).startswith("proxy.py") and (
            importlib.util.find_spec("proxy") is None):
        pytest.skip("the proxy.py package is not installed (test extra)")


@contextmanager
def started(table: Mapping[str, Any]) -> Iterator[Scenery]:
    """Start what ``table`` names; stop everything on exit."""
    unknown = set(table) - KEYS
    if unknown:
        raise ValueError(f"[probe]: unknown keys {sorted(unknown)}")
    _skip_without(table)
    scenery = Scenery(timeout=float(table.get("timeout", TIMEOUT)),
                      total=float(table.get("total", TOTAL)),
                      messages=bool(table.get("messages", False)))
    bundle = pki()
    scenery.places.update({"ca": str(bundle.api_bundle), "mitm-ca": str(bundle.both_bundle),
                           "unresolvable": UNRESOLVABLE})
    with ExitStack() as stack:
        if "other" in table:
            other = _api(table["other"])
            stack.enter_context(other)
            scenery.other = other
            scenery.places["other"] = other.url_as("localhost")
        api_options = {k: (v.replace("{other}", scenery.places.get("other", "{other}"))
                           if isinstance(v, str) else v)
                       for k, v in table.get("api", {}).items()}
        server = _server(table.get("server", "api"), api_options)
        stack.enter_context(server)
        scenery.places["api"] = server.url
        if "proxy" in table:
            proxy = _proxy(table["proxy"], server)
            stack.enter_context(proxy)
            scenery.places["proxy"] = proxy.url
            scenery.places["proxy-auth"] = f"http://{PROXY_CREDENTIALS}@{proxy.netloc}"
        yield scenery


def probe(scenery: Scenery, snapshot: Snapshot) -> ProbeResult:
    """The real probe (``plan.prepare``, then ``run.run``) of what ``snapshot``'s app would use,
    bounded as the scenery says; fails as a hang past ``total`` + ``HANG_MARGIN``, or when the
    key reaches the ``other`` server."""
    from envaudit.context import AuditContext
    from envaudit.probe.plan import prepare
    from envaudit.probe.run import run

    from .doubles import local_only

    planned = prepare(AuditContext(snapshot))
    started_at = time.monotonic()
    with local_only():
        result = run(planned.target, planned.credential, timeout=scenery.timeout,
                     total=scenery.total, messages=scenery.messages,
                     proxy_auth=planned.proxy_auth)
    elapsed = time.monotonic() - started_at
    assert elapsed < scenery.total + HANG_MARGIN, f"the probe hung: {elapsed:.1f} s"
    if scenery.other is not None and planned.credential:
        assert planned.credential.encode() not in scenery.other.received, \
            "the credential reached the redirect's other host"
    return result


def normalise_result(text: str, result: ProbeResult, root: str) -> str:
    """``text`` with the ports of ``result``'s servers as ``<api-port>``, ``<proxy-port>`` and
    ``<other-port>`` (a redirect's), the CA files' folder as ``<pki>`` and the case folder
    (``root``) as ``<case>``: what changes from run to run or machine to machine."""
    import re

    from envaudit.rules.endpoint import split

    target = result.target
    ports = {target.port: "<api-port>"}
    for url, label in ((target.proxy, "<proxy-port>"), *(
            (s.data.get("location"), "<other-port>") for s in result.stages)):
        if isinstance(url, str):
            port = split(url).netloc.rpartition(":")[2]
            if port.isdigit():
                ports.setdefault(int(port), label)
    text = text.replace(str(pki().folder), "<pki>").replace(root, "<case>")
    return re.sub(r"(?<=:)\d{2,5}\b", lambda m: ports.get(int(m.group(0)), m.group(0)), text)
