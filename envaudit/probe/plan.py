"""What ``envaudit probe`` sends, and along which path: ``GET {base}/v1/models`` as the
installed SDK would send it from the app's environment.

Everything comes from what envaudit already models: the SDK followed and its facts
(``envaudit.sdkfacts``: the key's header, ``anthropic-version``, the trust store, whether it
reads the proxy variables), the base URL joined as that SDK joins it
(``envaudit.rules.endpoint.predict`` for Python, the TypeScript SDK's string join for Node),
the proxy and ``NO_PROXY`` as the network model decides for that client
(``envaudit.network``), and the effective values of the app's variables
(``AuditContext``). Which SDK is followed: the first Python environment's ``anthropic``, else
one a manifest declares, else the first ``node_modules``' ``@anthropic-ai/sdk`` (0.50.1+),
else the newest measured Python release (``network.ASSUMED_RELEASE``), said in
``ProbeTarget.sdk``; a release outside the measured ranges takes that release's facts for the
aspects not measured, and says so.

The credential's value (and the proxy's user and password) are returned apart from the
``ProbeTarget``, which names them only (variable, hint): a record may be printed.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from envaudit.model import ProbeTarget
from envaudit.record import Record

if TYPE_CHECKING:
    from envaudit.context import AuditContext
    from envaudit.model import Definition
    from envaudit.network import Route
    from envaudit.sdkfacts import SdkProfile

#: The request every probe sends, appended to the base URL as the SDK appends its paths.
MODELS = "v1/models"
#: Asked of ``GET /v1/models`` (the API lists 20 models a page by default) unless the base
#: URL already carries a query string.
LIMIT = "?limit=1000"
#: ``--messages``' request.
MESSAGES = "v1/messages"
#: The API host when ``ANTHROPIC_BASE_URL`` is unset.
DEFAULT_BASE_URL = "https://api.anthropic.com"
#: The newest measured TypeScript SDK release (its facts stand in for an unmeasured one).
LATEST_NODE = "1.17.0"
_KEY = "ANTHROPIC_API_KEY"
_TOKEN = "ANTHROPIC_AUTH_TOKEN"
_BEARER = "Authorization: Bearer"


class Sdk(Record):
    """The SDK whose behaviour the probe follows, with the facts it needs."""

    kind: str
    """``python`` or ``node``."""
    label: str
    """``ProbeTarget.sdk``: which release, where, and what was assumed."""
    client: str | None
    """The network model's client label (its route); ``None``: the SDK is not installed or
    declared (the route is computed here with the newest release's matcher)."""
    key_header: str
    """``X-Api-Key`` or ``Authorization: Bearer``."""
    token_header: str
    """The header of ``ANTHROPIC_AUTH_TOKEN``."""
    api_version: str
    """``anthropic-version``."""
    both: str | None
    """What it does when the key and the token are both set, in words."""
    ca_store: str
    """``certifi``, ``system`` or ``node``."""
    version: str | None = None
    """The release followed (``None``: none known)."""


class Plan(Record):
    """``prepare``'s answer: the target, and the secrets it names, kept apart."""

    target: ProbeTarget
    """What is sent, and along which path (no secret)."""
    credential: str | None
    """The value of ``target.credential_variable``, as the SDK would send it."""
    proxy_auth: tuple[str, str] | None = None
    """The proxy URL's user and password, percent-decoded (sent as ``Proxy-Authorization:
    Basic``); ``None``: the proxy URL has no user."""


def plan(ctx: AuditContext) -> tuple[ProbeTarget, str | None]:
    """The target of ``envaudit probe`` for the app ``ctx`` audits, and the credential's value
    (``None``: no credential set), never stored in the target. The proxy's user and password,
    when its URL has them, come with ``prepare``."""
    planned = prepare(ctx)
    return planned.target, planned.credential


def prepare(ctx: AuditContext) -> Plan:
    """``plan`` with the proxy's credentials: what ``run.run`` takes."""
    from envaudit.network import app_environ

    env = app_environ(ctx)
    sdk = follow(ctx)
    base = env.get("ANTHROPIC_BASE_URL")
    if sdk.kind == "node":
        base = (base or "").strip() or None  # readEnv trims; empty is unset
    end = endpoint(sdk.kind, base)
    credential, header, variable, hint = _credential(ctx, sdk)
    proxy, proxy_variable, proxy_blocked, proxy_auth = _proxy(ctx, env, sdk, base)
    ca, verify = _trust(ctx, sdk)
    model, max_tokens = _settings(ctx, sdk.kind)
    blocked, stage = (end.blocked, "url") if end.blocked else (
        (proxy_blocked, "proxy") if proxy_blocked else (None, None))
    target = ProbeTarget(
        sdk=sdk.label, url=end.url, scheme=end.scheme, host=end.host, port=end.port,
        proxy=proxy, proxy_variable=proxy_variable, ca=ca, verify=verify,
        auth_header=header, credential_variable=variable, credential_hint=hint,
        anthropic_version=sdk.api_version, model=model, max_tokens=max_tokens,
        blocked=blocked, blocked_stage=stage)
    return Plan(target, credential, proxy_auth if stage is None else None)


# ---------------------------------------------------------------------------- the SDK
def _latest(kind: str) -> SdkProfile:
    """The newest measured release's profile (its facts stand in for what is not known)."""
    from envaudit.network import ASSUMED_RELEASE
    from envaudit.sdkfacts import profile

    if kind == "node":
        found = profile("node", {"@anthropic-ai/sdk": LATEST_NODE})
    else:
        found = profile("python", {"anthropic": ASSUMED_RELEASE, "httpx2": ASSUMED_RELEASE})
    assert found is not None  # the tables cover their newest release
    return found


def follow(ctx: AuditContext) -> Sdk:
    """The SDK the probe follows (see the module's docstring)."""
    from envaudit.network import ASSUMED_RELEASE, clients
    from envaudit.sdkfacts import installed_profiles, profile

    found = clients(ctx)
    profiles = installed_profiles(ctx.snapshot)
    python = next((c for c in found if c.kind == "anthropic"), None)
    if python is not None:
        prof = next((p for p in profiles if p.kind == "python"
                     and f"anthropic {p.version} ({p.where})" == python.label), None)
        if prof is None and python.version:  # declared in a manifest, not installed here
            prof = profile("python", {"anthropic": python.version})
        return _facts("python", python.label, python.label, prof, python.version)
    node = next((c for c in found if c.kind == "node"), None)
    if node is not None:
        prof = next((p for p in profiles if p.kind == "node"
                     and f"(@anthropic-ai/sdk {p.version} in {p.where})" in node.label), None)
        return _facts("node", node.label, node.label, prof, prof.version if prof else None)
    return _facts("python", f"no SDK installed: anthropic {ASSUMED_RELEASE} defaults", None,
                  _latest("python"), ASSUMED_RELEASE)


def _facts(kind: str, label: str, client: str | None, prof: SdkProfile | None,
           version: str | None) -> Sdk:
    """The facts of ``prof``, the newest measured release's for those it does not know (said
    in the label)."""
    latest = _latest(kind)
    assumed: list[str] = []

    def pick(field: str, words: str) -> str:
        value = getattr(prof, field) if prof is not None else None
        if value is None:
            if words not in assumed:
                assumed.append(words)
            value = getattr(latest, field)
        return str(value)

    key = pick("key_header", "headers")
    token = pick("token_header", "headers")
    version_header = pick("api_version", "headers")
    store = pick("ca_store", "trust store")
    both = prof.both if prof is not None and prof.both is not None else latest.both
    if assumed and client is not None:
        label += (f" ({' and '.join(assumed)} not measured for this release: "
                  f"{latest.sdk} {latest.version}'s assumed)")
    return Sdk(kind, label, client, key, token, version_header, both, store, version)


# ---------------------------------------------------------------------------- the URL
class Endpoint(Record):
    """Where the request goes (``endpoint``)."""

    scheme: str
    host: str
    """Lower case, IPv6 without brackets; ``""`` when there is none."""
    port: int
    url: str
    """The URL requested, user information as ``***``."""
    blocked: str | None = None
    """Why the SDK sends nothing for this base URL."""


def endpoint(kind: str, base: str | None) -> Endpoint:
    """The URL of ``GET {base}/v1/models`` as the SDK (``kind``) joins it: Python keeps the base
    URL's raw path with a ``/`` added and appends the request path (``predict``); Node appends
    ``/v1/models`` to the trimmed string. Never raises."""
    from envaudit.rules.endpoint import MESSAGES as JOINED
    from envaudit.rules.endpoint import predict, split

    value = DEFAULT_BASE_URL if base is None else base
    parts = split(value.strip())
    scheme = parts.scheme
    if kind == "node":
        path: str | None = None
        if scheme in ("http", "https") and parts.netloc:
            stripped = value.strip()
            joined = split(stripped + (MODELS if stripped.endswith("/") else "/" + MODELS))
            path = (joined.path or "/") + (LIMIT if joined.query is None else "?" + joined.query)
        why = "TypeError: Invalid URL (fetch refuses it)"
    else:
        prediction = predict(value)
        path = None
        if prediction.target is not None:
            path = prediction.target[:-len(JOINED)] + MODELS
            path += "" if "?" in path else LIMIT
        when = "when the client is built" if prediction.when == "construction" else (
            "on every request")
        why = f"{prediction.error} {when}" if prediction.error else ""
        if prediction.error == "UnsupportedProtocol":
            why += " (the base URL needs http:// or https:// and a host)"
        elif prediction.error == "InvalidURL":
            why += " (a control character: a newline or tab copied with the value?)"
        parts = split(value.rstrip(" "))
    host, port, problem = _hostport(parts.netloc, scheme)
    if path is None or problem is not None:
        shown = _printable(f"{scheme}://{_userinfo_mark(parts.netloc)}"
                           f"{parts.netloc.rpartition('@')[2]}{path or parts.path}")
        return Endpoint(scheme, host, port, shown, f"{_printable(value)!r}: {why}"
                        if path is None else f"InvalidURL: {problem}")
    authority = f"[{host}]" if ":" in host else host
    if port != (443 if scheme == "https" else 80):
        authority += f":{port}"
    return Endpoint(scheme, host, port, _printable(
        f"{scheme}://{_userinfo_mark(parts.netloc)}{authority}{_encoded(path)}"))


def _hostport(netloc: str, scheme: str) -> tuple[str, int, str | None]:
    """``(host, port, problem)`` of an authority, as httpx2 reads it (the last ``@`` ends
    the user information; an IPv6 address in brackets)."""
    default = 443 if scheme == "https" else 80
    hostport = netloc.rpartition("@")[2]
    if hostport.startswith("["):
        close = hostport.find("]")
        if close < 0:
            return hostport[1:].lower(), default, "an IPv6 address without its closing ']'"
        host, rest = hostport[1:close], hostport[close + 1:]
        if rest and not rest.startswith(":"):
            return host.lower(), default, f"{rest!r} after the IPv6 address"
        port_text = rest[1:]
    else:
        host, _, port_text = hostport.partition(":")
    host = host.lower()
    if not host:
        return host, default, "no host"
    if not port_text:
        return host, default, None
    if not (port_text.isascii() and port_text.isdigit()):
        return host, default, f"Invalid port: {_printable(port_text)!r}"
    port = int(port_text)
    if not 0 < port < 65536:
        return host, default, f"port {port} out of range"
    return host, port, None


def _userinfo_mark(netloc: str) -> str:
    """``***@`` when the authority carries user information (never sent, never shown)."""
    return "***@" if "@" in netloc else ""


def _encoded(path: str) -> str:
    """The request target as sent: a space and anything outside printable ASCII
    percent-encoded (UTF-8), as httpx2 does."""
    if all(0x20 < ord(c) < 0x7F for c in path):
        return path
    return "".join(c if 0x20 < ord(c) < 0x7F else "".join(f"%{b:02X}" for b in c.encode(
        "utf-8", "surrogateescape")) for c in path)


def _printable(text: str) -> str:
    from envaudit.redact import printable

    return printable(text)


# ---------------------------------------------------------------------------- the credential
def _credential(ctx: AuditContext, sdk: Sdk
                ) -> tuple[str | None, str | None, str | None, str | None]:
    """``(value, header, variable, hint)``: the credential the SDK sends (the key, else the
    token; empty is unset; Node trims, Python does not) and the header carrying it."""
    from envaudit.redact import hint

    def value_of(d: Definition | None) -> str | None:
        if d is None or d.value is None:
            return None
        return (d.value.strip() if sdk.kind == "node" else d.value) or None

    key_d, token_d = ctx.winner(_KEY), ctx.winner(_TOKEN)
    key, token = value_of(key_d), value_of(token_d)
    if key is not None and key_d is not None:
        header = "authorization" if sdk.key_header == _BEARER else "x-api-key"
        variable = f"{_KEY} ({key_d.location.display()})"
        if token is not None:
            if sdk.both and "both" in sdk.both and "only" not in sdk.both:
                variable += (f"; {_TOKEN} is also set: the SDK also sends it as "
                             "Authorization: Bearer, the probe sends the key only")
            else:
                variable += f"; {_TOKEN} is also set: the SDK sends the key only"
        return key, header, variable, hint(key)
    if token is not None and token_d is not None:
        return (token, "authorization", f"{_TOKEN} ({token_d.location.display()})",
                hint(token))
    return None, None, None, None


# ---------------------------------------------------------------------------- the proxy
def _proxy(ctx: AuditContext, env: dict[str, str], sdk: Sdk, base: str | None
           ) -> tuple[str | None, str | None, str | None, tuple[str, str] | None]:
    """``(proxy shown, variable or why none, blocked, (user, password))`` from the network
    model's route for the client followed."""
    route = _route(ctx, env, sdk, base)
    if route is None:
        return None, None, None, None
    if route.route == "error":
        where = route.variable or "NO_PROXY"
        return route.proxy, where, f"{route.error} ({where})", None
    if route.route != "proxy":
        if route.bypass:
            return None, f"NO_PROXY entry {route.bypass!r} (direct)", None, None
        if route.ignored and route.variable:
            return None, f"{route.variable} ignored: {route.ignored}", None, None
        return None, None, None, None
    raw = env.get(route.variable or "", "")
    return route.proxy, route.variable, None, _userinfo(raw)


def _route(ctx: AuditContext, env: dict[str, str], sdk: Sdk, base: str | None
           ) -> Route | None:
    """The network model's route for the SDK followed; computed here with the newest
    release's matcher when the model has none for it (the SDK is not installed, or its
    release is outside the measured ones)."""
    from envaudit import network

    if sdk.client is not None:
        found = next((r for r in network.model(ctx) if r.client == sdk.client), None)
        if found is not None and found.route != "unknown":
            return found
    t = network.target(base)
    if t is None or sdk.kind == "node":
        return None
    return network.python_route(env, t, sdk.label, "anthropic", network.SDK_HTTPX2,
                                "R §8 (anthropic 2.10.0 matrix); D (2.17.0)")


def _userinfo(raw: str) -> tuple[str, str] | None:
    """The proxy URL's user and password, percent-decoded as httpx decodes them."""
    from envaudit.network import parse_proxy
    from envaudit.redact import proxy_password

    parsed = parse_proxy(raw)
    if parsed.user is None:
        return None
    from urllib.parse import unquote

    return unquote(parsed.user), unquote(proxy_password(raw) or "")


# ---------------------------------------------------------------------------- trust
def _trust(ctx: AuditContext, sdk: Sdk) -> tuple[str, bool]:
    """``(ca, verify)``: the trust store the SDK would use. Python: ``SSL_CERT_FILE``, else
    ``SSL_CERT_DIR`` (a folder path ends with ``/``), replaces its store (certifi or the OS
    store by its HTTP package's release); Node: its bundled roots (``node``), with
    ``NODE_EXTRA_CA_CERTS`` added (``node:PATH``), and no verification with
    ``NODE_TLS_REJECT_UNAUTHORIZED=0``."""
    root = ctx.snapshot.root
    if sdk.kind == "node":
        extra = ctx.effective_value("NODE_EXTRA_CA_CERTS")
        verify = ctx.effective_value("NODE_TLS_REJECT_UNAUTHORIZED") != "0"
        return ("node" if not extra else "node:" + os.path.join(root, extra)), verify
    cafile = ctx.effective_value("SSL_CERT_FILE")
    if cafile:
        return os.path.join(root, cafile), True
    capath = ctx.effective_value("SSL_CERT_DIR")
    if capath:
        return os.path.join(os.path.join(root, capath), ""), True
    return sdk.ca_store, True


# ---------------------------------------------------------------------------- settings
def _settings(ctx: AuditContext, kind: str) -> tuple[str | None, str | None]:
    """The configured model and max-tokens setting (the first variable of each list the
    app sets; names without the provider's prefix only for a ``claude…`` model)."""
    from envaudit.variables import MAX_TOKENS_VARIABLES, MODEL_VARIABLES, PROVIDER_PREFIXES

    snap = ctx.snapshot

    def first(names: tuple[str, ...], configured: tuple[str, ...] | None, model: bool
              ) -> str | None:
        for name in configured or names:
            value = ctx.effective_value(name)
            if not value or "$" in value or not value.strip():
                continue
            value = value.strip()
            ours = configured is not None or name.startswith(PROVIDER_PREFIXES)
            if model and not ours and not value.lower().startswith("claude"):
                continue
            return value
        return None

    return (first(MODEL_VARIABLES, snap.model_variables, True),
            first(MAX_TOKENS_VARIABLES, snap.max_tokens_variables, False))


def messages_target(models_target: str) -> str:
    """``--messages``' request target from ``GET /v1/models``' (the same base URL join)."""
    for suffix in (MODELS + LIMIT, MODELS):
        if models_target.endswith(suffix):
            return models_target[:-len(suffix)] + MESSAGES
    return models_target
