"""The network model: per HTTP client the app uses, which proxy it takes to the API host and
whether ``NO_PROXY`` bypasses it, computed from the environment the app sees.

Pure functions over a name -> value mapping (``app_environ`` builds it from an
``AuditContext``: the effective value of each proxy variable, empty ones included, since an
empty lower-case variable deletes the upper-case one). Nothing here raises for bad input: a
proxy URL or ``NO_PROXY`` entry a client cannot use is an ``error`` on the route, in the
client's own words.

Facts (R = shared research/sdk-facts.md, D = docs/sdk-facts.md, T = the behaviour tests):

- Which variables: ``urllib.request.getproxies`` for every Python client (R §8, §11): any case
  collected, then lower case wins and an empty lower-case variable deletes the upper-case one;
  with ``REQUEST_METHOD`` set (CGI) the upper-case ``HTTP_PROXY`` is dropped. An https target
  takes the ``https`` proxy, else ``all``; an http target the ``http`` one, else ``all``. A
  value without ``://`` gets ``http://``. curl never reads upper-case ``HTTP_PROXY`` (R §11).
  Node's fetch reads ``HTTP(S)_PROXY`` only with ``NODE_USE_ENV_PROXY=1`` on Node >= 22.21 /
  24 (R §12), never ``ALL_PROXY``.
- anthropic (Python) 0.47-0.53 ignore every proxy variable (R headline 7).
- ``NO_PROXY`` as the SDK matches it (R §8; D, 2.17.0): ``*`` anywhere switches proxies off; a
  name ``x`` matches ``x`` and its subdomains, ``.x`` only subdomains, ``*.x`` nothing, an entry
  with a port only that explicit port (``host:443`` never matches a URL on its default port), an
  entry with ``://`` that scheme and host exactly, an IPv4 range only from anthropic 1.0 (httpx2's
  patterns), an IPv6 range makes the client's construction fail.
- urllib (``proxy_bypass_environment``) and requests strip leading dots and match on domain
  boundaries; requests also takes IPv4 ranges and ``host:port`` (R §8 table, §11).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from envaudit.record import Record

if TYPE_CHECKING:
    from envaudit.context import AuditContext
    from envaudit.model import Snapshot

#: The proxy variables by their lower-case name (``getproxies``' keys: ``https_proxy`` ->
#: ``https``).
PROXY_SCHEMES = ("http", "https", "all")
PROXY_NAMES = ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy",
               "ALL_PROXY", "no_proxy", "NO_PROXY")
#: Other variables the model reads.
OTHER_NAMES = ("REQUEST_METHOD", "NODE_USE_ENV_PROXY", "ANTHROPIC_BASE_URL")
DEFAULT_BASE_URL = "https://api.anthropic.com"
#: Proxy URL schemes httpx and httpx2 accept (SOCKS needs ``socksio``).
PYTHON_PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
SOCKS_SCHEMES = ("socks5", "socks5h")
#: anthropic (Python) building a client with a SOCKS proxy and no ``socksio`` (R §8, D8).
SOCKS_ERROR = ("construction: ImportError 'Using SOCKS proxy, but the 'socksio' package is not "
               "installed'")
#: More NO_PROXY entries than this are not matched one by one (a generated list): the model
#: stops and says so.
MAX_ENTRIES = 10_000

#: NO_PROXY matchers.
SDK_HTTPX = "httpx"  # the SDK's copy of httpx's function with httpx's patterns (0.x)
SDK_HTTPX2 = "httpx2"  # the same copy with httpx2's patterns (1.0-2.17): IPv4 ranges too
URLLIB = "urllib"
REQUESTS = "requests"
CURL = "curl"
NODE = "node"


class ProxyUrl(Record):
    """A proxy variable's value as the Python clients read it (``parse_proxy``)."""

    raw: str
    """The value as set (may hold a password: never shown as is)."""
    scheme: str
    """Lower case, ``http`` when the value has no ``://``."""
    host: str
    """The host (IPv6 without brackets), ``""`` when missing."""
    port: int | None
    """The port, ``None`` when not given or not a number."""
    user: str | None = None
    """The user part, when the URL has user information."""
    has_password: bool = False
    """Whether the URL carries a password."""
    error: str | None = None
    """Why anthropic (Python) cannot use it: ``construction: ...`` (raised when the client is
    built) or ``request: ...`` (every request fails)."""
    problem: str | None = None
    """What is wrong, in words (``an unencoded '#' in the password``)."""

    @property
    def shown(self) -> str:
        """The URL with its password replaced by ``***`` (``redact_proxy``)."""
        return redact_proxy(self.raw)


def _split_userinfo(authority: str) -> tuple[str | None, str]:
    """``(userinfo, host[:port])``: the last ``@`` splits, as httpx splits it."""
    userinfo, sep, hostport = authority.rpartition("@")
    return (userinfo if sep else None), hostport


def password_span(value: str) -> tuple[int, int] | None:
    """``redact.proxy_password_span``: where a proxy URL's password is."""
    from envaudit.redact import proxy_password_span

    return proxy_password_span(value)


def redact_proxy(value: str) -> str:
    """``redact.redact_proxy``: the proxy URL with its password as ``***``."""
    from envaudit.redact import redact_proxy as redact

    return redact(value)


@functools.lru_cache(maxsize=256)
def parse_proxy(value: str) -> ProxyUrl:
    """How anthropic (Python, httpx / httpx2) reads a proxy URL. Never raises.

    Measured on anthropic 2.17.0 (D, "Proxy URLs"): a leading space makes the scheme unknown
    (``ValueError``), a control character anywhere is ``InvalidURL`` at construction, a port
    that is not a number is ``InvalidURL: Invalid port`` at construction (an unencoded ``#``,
    ``?`` or ``/`` in the password ends the host early and leaves part of the password as the
    port), an unencoded ``@`` in the password works (the last ``@`` splits), and a port above
    65535 or an empty host are accepted when the client is built but every request fails.
    """
    text = value
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        where = next(i for i, c in enumerate(text) if ord(c) < 0x20 or ord(c) == 0x7F)
        return ProxyUrl(value, "", "", None, error=(
            f"construction: InvalidURL (non-printable character at position {where})"),
            problem="a control character (a newline or tab copied with it?)")
    text = text.rstrip()  # trailing spaces are dropped (measured: the proxy is used)
    if text != text.lstrip():
        return ProxyUrl(value, "", "", None, error=(
            "construction: ValueError 'Unknown scheme for proxy URL' (the leading white space "
            "is taken as part of the scheme)"), problem="leading white space")
    if "://" not in text:
        text = "http://" + text
    scheme, _, rest = text.partition("://")
    scheme_l = scheme.lower()
    authority = rest
    for stop in "/?#":
        cut = authority.find(stop)
        if cut >= 0:
            authority = authority[:cut]
    userinfo, hostport = _split_userinfo(authority)
    user: str | None = None
    has_password = False
    if userinfo is not None:
        user, colon, password = userinfo.partition(":")
        has_password = bool(colon and password)
    elif "@" in rest:  # a '#', '?' or '/' before the '@': the password is cut
        span = password_span(value)
        has_password = span is not None
        user = rest.partition(":")[0] if has_password else None
    host, port_text = hostport, ""
    if hostport.startswith("["):
        close = hostport.find("]")
        if close < 0:
            return ProxyUrl(value, scheme_l, "", None, user, has_password,
                            "construction: InvalidURL (unclosed '[' in the host)",
                            "an IPv6 address without its closing ']'")
        host, after = hostport[1:close], hostport[close + 1:]
        if after and not after.startswith(":"):
            return ProxyUrl(value, scheme_l, host, None, user, has_password,
                            "construction: InvalidURL (text after ']')",
                            "text after the IPv6 address")
        port_text = after[1:]
    else:
        host, _, port_text = hostport.partition(":")
    port: int | None = None
    if port_text:
        if not port_text.isascii() or not port_text.isdigit():
            cut = userinfo is None and "@" in rest
            problem = ("an unencoded '#', '?' or '/' in the password (percent-encode it: "
                       "%23, %3F, %2F)" if cut else f"the port {port_text!r} is not a number")
            return ProxyUrl(value, scheme_l, host, None, user, has_password,
                            "construction: InvalidURL 'Invalid port'", problem)
        port = int(port_text)
    if scheme_l not in PYTHON_PROXY_SCHEMES:
        return ProxyUrl(value, scheme_l, host, port, user, has_password,
                        f"construction: ValueError 'Unknown scheme for proxy URL' ({scheme}://)",
                        f"the scheme {scheme}:// (httpx knows http, https, socks5, socks5h)")
    if port is not None and port > 65535:
        return ProxyUrl(value, scheme_l, host, port, user, has_password,
                        "request: the port is above 65535",
                        f"the port {port} is above 65535")
    if port == 0:
        return ProxyUrl(value, scheme_l, host, port, user, has_password,
                        "request: the port is 0", "the port is 0")
    if not host:
        return ProxyUrl(value, scheme_l, host, port, user, has_password,
                        "request: the URL has no host", "no host in the URL")
    return ProxyUrl(value, scheme_l, host, port, user, has_password)


def getproxies(env: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """``urllib.request.getproxies_environment`` on ``env``: scheme (``http``, ``https``,
    ``all``, ``no``) -> (value, the variable it came from). Lower case wins; an empty lower-case
    variable deletes; ``REQUEST_METHOD`` drops the upper-case ``HTTP_PROXY`` (R §8)."""
    proxies: dict[str, tuple[str, str]] = {}
    for name, value in env.items():
        lower = name.lower()
        if value and lower[-6:] == "_proxy":
            proxies[lower[:-6]] = (value, name)
    if "REQUEST_METHOD" in env:
        proxies.pop("http", None)
    for name, value in env.items():
        if name[-6:] == "_proxy":
            key = name.lower()[:-6]
            if value:
                proxies[key] = (value, name)
            else:
                proxies.pop(key, None)
    return proxies


class Target(Record):
    """The API URL a client sends to (from ``ANTHROPIC_BASE_URL``)."""

    scheme: str
    host: str
    """Lower case, IPv6 without brackets."""
    port: int | None
    """``None`` on the scheme's default port (as httpx normalises it)."""
    url: str
    """The base URL as shown."""


def target(base_url: str | None) -> Target | None:
    """The target of a base URL (``None``: unset, Anthropic's); ``None`` when it is not an
    http(s) URL the model can place, or empty (the base-URL rules say why)."""
    url = DEFAULT_BASE_URL if base_url is None else base_url.strip()
    if "://" not in url:  # "" too: anthropic (Python) takes an empty base URL as set
        return None
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme not in ("http", "https"):
        return None
    authority = rest
    for stop in "/?#":
        cut = authority.find(stop)
        if cut >= 0:
            authority = authority[:cut]
    hostport = authority.rpartition("@")[2]
    if hostport.startswith("["):
        close = hostport.find("]")
        if close < 0:
            return None
        host, port_text = hostport[1:close], hostport[close + 1:].lstrip(":")
    else:
        host, _, port_text = hostport.partition(":")
    if not host or (port_text and not (port_text.isascii() and port_text.isdigit())):
        return None
    port = int(port_text) if port_text else None
    if port == (443 if scheme == "https" else 80):
        port = None
    from envaudit.redact import redact_url

    return Target(scheme, host.lower().rstrip(), port, redact_url(url))


def _ipv4(text: str) -> tuple[int, ...] | None:
    parts = text.split(".")
    if len(parts) != 4 or not all(p.isascii() and p.isdigit() and len(p) <= 3 for p in parts):
        return None
    numbers = tuple(int(p) for p in parts)
    return numbers if all(n <= 255 for n in numbers) else None


def _ipv6(text: str) -> bool:
    """Whether ``text`` is an IPv6 address as ``ipaddress.IPv6Address`` accepts it (lazily:
    ``ipaddress`` costs 2.4 ms, and only a ``:`` entry can be one)."""
    if ":" not in text:
        return False
    import ipaddress

    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _in_cidr(host: str, cidr: str) -> bool:
    address = _ipv4(host)
    network, _, bits_text = cidr.partition("/")
    base = _ipv4(network)
    if address is None or base is None or not (bits_text.isascii() and bits_text.isdigit()):
        return False
    bits = int(bits_text)
    if bits > 32:
        return False
    a = int.from_bytes(bytes(address), "big")
    b = int.from_bytes(bytes(base), "big")
    mask = (0xFFFFFFFF << (32 - bits)) & 0xFFFFFFFF
    return (a & mask) == (b & mask)


class Bypass(Record):
    """What a client makes of ``NO_PROXY`` for one target."""

    bypassed: bool
    """The target goes direct."""
    entry: str | None = None
    """The entry that matched (``*`` for the catch-all)."""
    error: str | None = None
    """The client cannot be built because of an entry (``construction: ...``)."""
    note: str | None = None
    """Something the model could not decide (too many entries)."""


def entries(no_proxy: str) -> list[str]:
    """The comma-separated entries, stripped, empty ones dropped."""
    return [e.strip() for e in no_proxy.split(",") if e.strip()]


def _sdk_pattern_match(entry: str, t: Target, matcher: str) -> bool | str:
    """Whether the SDK's mount for one ``NO_PROXY`` entry matches ``t``; a string: the error
    building the mount raises."""
    host_entry = entry.split("/")[0]
    if "://" in entry:
        scheme, _, rest = entry.partition("://")
        hostport = rest.split("/")[0]
        host, _, port_text = hostport.partition(":")
        if scheme.lower() not in ("all", t.scheme):
            return False
        if port_text and not port_text.isdigit():
            return f"construction: InvalidURL 'Invalid port: {port_text!r}'"
        port = int(port_text) if port_text else None
        return host.lower() == t.host and (port is None or port == t.port)
    if _ipv4(host_entry) is not None:
        if "/" in entry:
            return matcher == SDK_HTTPX2 and _in_cidr(t.host, entry)
        return t.host == entry
    if _ipv6(host_entry):
        if "/" in entry:
            return "construction: InvalidURL 'Invalid port: ':''"
        return t.host == host_entry.lower()
    if entry.lower() == "localhost":
        return t.host == "localhost"
    pattern = "*" + entry.lower()
    host, _, port_text = pattern.partition(":")
    if port_text:
        if not port_text.isdigit():
            return f"construction: InvalidURL 'Invalid port: {port_text!r}'"
        if int(port_text) != t.port:
            return False
    if host.startswith("*."):
        return t.host.endswith(host[1:]) and len(t.host) > len(host) - 1
    name = host[1:]
    if name.startswith("*"):  # '*.x' became '**.x': matches nothing
        return False
    return t.host == name or t.host.endswith("." + name)


def _domain_match(entry: str, host: str) -> bool:
    name = entry.lstrip(".").lower()
    return bool(name) and (host == name or host.endswith("." + name))


def bypass(no_proxy: str, t: Target, matcher: str) -> Bypass:
    """Whether ``NO_PROXY`` sends ``t`` direct for ``matcher`` (``SDK_HTTPX``, ``SDK_HTTPX2``,
    ``URLLIB``, ``REQUESTS``, ``CURL``, ``NODE``). Never raises."""
    items = entries(no_proxy)
    if len(items) > MAX_ENTRIES:
        return Bypass(False, note=f"{len(items)} entries: not matched one by one (more than "
                                  f"{MAX_ENTRIES})")
    if matcher in (SDK_HTTPX, SDK_HTTPX2):
        if "*" in items:
            return Bypass(True, "*")
        hit: str | None = None
        for entry in items:
            outcome = _sdk_pattern_match(entry, t, matcher)
            if isinstance(outcome, str):
                return Bypass(False, entry, error=outcome)
            if outcome and hit is None:
                hit = entry
        return Bypass(hit is not None, hit)
    if matcher == URLLIB:
        if no_proxy.strip() == "*":
            return Bypass(True, "*")
        for entry in items:
            if _domain_match(entry, t.host):
                return Bypass(True, entry)
        return Bypass(False)
    if items == ["*"] or (matcher != CURL and "*" in items):
        return Bypass(True, "*")
    for entry in items:
        host_entry, _, port_text = entry.lstrip(".").partition(":")
        if matcher == REQUESTS and "/" in entry and _ipv4(t.host) is not None:
            if _in_cidr(t.host, entry):
                return Bypass(True, entry)
            continue
        if port_text:
            if matcher == REQUESTS and port_text.isdigit() and t.port == int(port_text) \
                    and _domain_match(host_entry, t.host):
                return Bypass(True, entry)
            continue
        if _domain_match(entry, t.host):
            return Bypass(True, entry)
    return Bypass(False)


class Route(Record):
    """Where one client's requests to the API host go."""

    client: str
    """``anthropic 2.17.0 (.venv)``, ``requests 2.34.2 (.venv)``, ``curl``, ``Node 22.21.0
    fetch (@anthropic-ai/sdk 1.10.0)``."""
    kind: str
    """``anthropic``, ``requests``, ``node``, ``curl``."""
    route: str
    """``proxy``, ``direct``, ``error`` (the client cannot be built or every request fails)."""
    target: str
    """The API base URL."""
    variable: str | None = None
    """The proxy variable used (or ignored), ``None`` when none applies."""
    proxy: str | None = None
    """Its value, password as ``***``."""
    bypass: str | None = None
    """The ``NO_PROXY`` entry that sends the target direct."""
    ignored: str | None = None
    """Why a proxy that is set is not used (the client ignores the variables)."""
    error: str | None = None
    """The failure (``construction: ...`` or ``request: ...``)."""
    matcher: str | None = None
    """The ``NO_PROXY`` matching applied."""
    source: str = ""
    """Where the facts come from."""
    note: str | None = None
    """Something not decided (a fact not measured, too many entries)."""

    def to_json(self) -> dict[str, Any]:
        """The JSON report's ``network.routes`` entry (secrets already redacted)."""
        return {"client": self.client, "kind": self.kind, "route": self.route,
                "target": self.target, "variable": self.variable, "proxy": self.proxy,
                "no_proxy_match": self.bypass, "ignored": self.ignored, "error": self.error,
                "matcher": self.matcher, "source": self.source, "note": self.note}


class Client(Record):
    """An HTTP client of the app (``clients``)."""

    kind: str
    """``anthropic``, ``requests``, ``node`` or ``curl``."""
    label: str
    """How messages name it: ``anthropic 2.17.0 (.venv)``."""
    version: str | None = None
    """The release (anthropic, requests) or node's version (``node``)."""
    socksio: bool = False
    """A Python client: ``socksio`` is installed beside it (SOCKS proxies can be used)."""


def _proxy_for(proxies: Mapping[str, tuple[str, str]], scheme: str
               ) -> tuple[str, str] | None:
    return proxies.get(scheme) or proxies.get("all")


def python_route(env: Mapping[str, str], t: Target, client: str, kind: str, matcher: str,
                 source: str, socksio: bool = False) -> Route:
    """A Python client on httpx / httpx2 (the SDK's copy of ``get_environment_proxies``):
    ``NO_PROXY`` is read before any proxy URL is parsed; ``*`` switches everything off."""
    proxies = getproxies(env)
    no_proxy = proxies.get("no", ("", ""))[0]
    chosen = _proxy_for(proxies, t.scheme)
    base = Route(client, kind, "direct", t.url, matcher=matcher, source=source)
    if kind == "anthropic":
        by = bypass(no_proxy, t, matcher) if no_proxy else Bypass(False)
        if by.error is not None:
            return base._replace(route="error", bypass=by.entry,
                                 error=f"{by.error} (NO_PROXY entry {by.entry!r})")
        if by.entry == "*":
            return base._replace(bypass="*", variable=chosen[1] if chosen else None,
                                 proxy=redact_proxy(chosen[0]) if chosen else None)
        # every mount is built when the client is: a broken proxy URL of another scheme fails
        # the construction too
        for scheme in PROXY_SCHEMES:
            other = proxies.get(scheme)
            if other is not None:
                parsed = parse_proxy(other[0])
                error = parsed.error
                if error is None and parsed.scheme in SOCKS_SCHEMES and not socksio:
                    error = SOCKS_ERROR
                if error and error.startswith("construction"):
                    return base._replace(route="error", variable=other[1],
                                         proxy=redact_proxy(other[0]), error=error)
        if chosen is None:
            return base
        parsed = parse_proxy(chosen[0])
        out = base._replace(variable=chosen[1], proxy=redact_proxy(chosen[0]), note=by.note)
        if by.bypassed:
            return out._replace(bypass=by.entry)
        if parsed.error:
            return out._replace(route="error", error=parsed.error)
        return out._replace(route="proxy")
    # requests / urllib-based
    if chosen is None:
        return base
    out = base._replace(variable=chosen[1], proxy=redact_proxy(chosen[0]))
    by = bypass(no_proxy, t, matcher) if no_proxy else Bypass(False)
    if by.bypassed:
        return out._replace(bypass=by.entry)
    return out._replace(route="proxy", note=by.note)


def curl_route(env: Mapping[str, str], t: Target) -> Route:
    """curl (R §11): ``http_proxy`` only in lower case; the others either case, lower first."""
    def get(name: str) -> tuple[str, str] | None:
        for n in (name, name.upper()) if name != "http_proxy" else (name,):
            if env.get(n):
                return env[n], n
        return None

    chosen = get(f"{t.scheme}_proxy") or get("all_proxy")
    base = Route("curl", CURL, "direct", t.url, matcher=CURL,
                 source="R §11 (curl 7.88.1, everything.curl.dev)")
    if chosen is None:
        return base
    no_proxy = env.get("no_proxy") or env.get("NO_PROXY") or ""
    out = base._replace(variable=chosen[1], proxy=redact_proxy(chosen[0]))
    by = bypass(no_proxy, t, CURL) if no_proxy else Bypass(False)
    return out._replace(bypass=by.entry) if by.bypassed else out._replace(route="proxy")


def node_route(env: Mapping[str, str], t: Target, client: str, node: str | None) -> Route:
    """Node's global fetch (the TypeScript SDK 0.50.1+): the variables only with
    ``NODE_USE_ENV_PROXY=1`` on Node >= 22.21 / 24 (R headline 10, §12)."""
    from envaudit.inventory.python_envs import release

    base = Route(client, NODE, "direct", t.url, matcher=NODE,
                 source="R headline 10, §12 (ran Node 20.20.2, 22.20.0, 22.21.0, 24.21.0)")
    names = ([f"{t.scheme}_proxy", f"{t.scheme.upper()}_PROXY"]
             + (["http_proxy", "HTTP_PROXY"] if t.scheme == "https" else []))
    chosen = next(((env[n], n) for n in names if env.get(n)), None)
    if chosen is None:
        return base
    out = base._replace(variable=chosen[1], proxy=redact_proxy(chosen[0]))
    at = release(node) if node else None
    if env.get("NODE_USE_ENV_PROXY") != "1":
        return out._replace(ignored="Node's fetch reads the proxy variables only with "
                                    "NODE_USE_ENV_PROXY=1 (Node >= 22.21 / 24)")
    if at is None:
        return out._replace(note="the version of node is not known: NODE_USE_ENV_PROXY=1 "
                                 "works on Node >= 22.21 / 24 only")
    if at < (22, 21, 0) or at[0] == 23:
        return out._replace(ignored=f"Node {node} ignores NODE_USE_ENV_PROXY (it needs Node >= "
                                    "22.21 / 24)")
    no_proxy = env.get("no_proxy") or env.get("NO_PROXY") or ""
    by = bypass(no_proxy, t, NODE) if no_proxy else Bypass(False)
    if by.bypassed:
        return out._replace(bypass=by.entry, note="Node's NO_PROXY matching is not measured: "
                                                  "domain suffixes assumed")
    return out._replace(route="proxy")


def sdk_matcher(version: str | None) -> tuple[str | None, str]:
    """The ``NO_PROXY`` matcher of an anthropic (Python) release, or ``None`` for a release
    that ignores the proxy variables (0.47-0.53) or that no fact covers; with the source."""
    from envaudit.inventory.python_envs import release

    at = release(version) if version else None
    if at is None or at < (0, 8, 0) or at >= (2, 18):
        return None, "not measured"
    if (0, 47, 0) <= at < (0, 54, 0):
        return None, "R headline 7, §6 (ran 0.47.0 and 0.53.0)"
    if at < (1, 0, 0):
        return SDK_HTTPX, "R §8 (httpx 0.28.1 and anthropic 0.125.0 matrix); T (0.x)"
    return SDK_HTTPX2, "R §8 (anthropic 2.10.0 matrix); D (2.17.0); T (2.17.0)"


def routes(env: Mapping[str, str], clients: Iterable[Client]) -> list[Route]:
    """The route of each client for the API host ``ANTHROPIC_BASE_URL`` names. Never
    raises."""
    t = target(env.get("ANTHROPIC_BASE_URL"))
    out: list[Route] = []
    for client in clients:
        kind, label, version = client.kind, client.label, client.version
        if kind == "node":
            node_target = target(env.get("ANTHROPIC_BASE_URL", "").strip() or None)
            if node_target is not None:
                out.append(node_route(env, node_target, label, version))
            continue
        if t is None:
            continue
        if kind == "anthropic":
            matcher, source = sdk_matcher(version)
            if matcher is None:
                chosen = _proxy_for(getproxies(env), t.scheme)
                r = Route(label, kind, "direct", t.url, source=source)
                if source == "not measured":
                    r = r._replace(route="unknown", note=f"anthropic {version} is outside the "
                                                         "measured releases")
                elif chosen is not None:
                    r = r._replace(variable=chosen[1], proxy=redact_proxy(chosen[0]),
                                   ignored=f"anthropic {version} ignores the proxy variables "
                                           "(0.47-0.53; fixed in 0.54)")
                out.append(r)
                continue
            out.append(python_route(env, t, label, kind, matcher, source, client.socksio))
        elif kind == "requests":
            out.append(python_route(env, t, label, kind, REQUESTS,
                                    "R §8 table, §11 (requests 2.34.2)"))
        elif kind == "curl":
            out.append(curl_route(env, t))
    return out


# ---------------------------------------------------------------------- from a snapshot
def app_environ(ctx: AuditContext) -> dict[str, str]:
    """The proxy variables (and the few others the model reads) the app ends up with: each
    one's winner under the first loader in use that has one, empty values kept."""
    out: dict[str, str] = {}
    for name in (*PROXY_NAMES, *OTHER_NAMES):
        d = ctx.winner(name)
        if d is not None and d.value is not None:
            out[name] = d.value
    return out


def clients(ctx: AuditContext) -> list[Client]:
    """The HTTP clients of the app: each Python environment's anthropic and requests, each
    ``node_modules``' TypeScript SDK (0.50.1+, on Node's fetch) with the node on PATH, and curl
    for comparison."""
    from envaudit.inventory.python_envs import release

    snap = ctx.snapshot
    out: list[Client] = []
    for env in snap.python_envs:
        socks = env.package("socksio") is not None
        sdk = env.package("anthropic")
        if sdk is not None:
            out.append(Client("anthropic", f"anthropic {sdk.version} ({env.path})", sdk.version,
                              socks))
        req = env.package("requests")
        if req is not None:
            out.append(Client("requests", f"requests {req.version} ({env.path})", req.version,
                              socks))
    if not any(c.kind == "anthropic" for c in out):
        out += _declared_sdk(snap)
    node = next((r.version for r in snap.runtimes
                 if r.kind == "node" and r.source.startswith("node on PATH")), None)
    for modules in snap.node_modules:
        sdk = modules.package("@anthropic-ai/sdk")
        if sdk is None or sdk.path.count("node_modules") != 1:
            continue
        at = release(sdk.version)
        if at is None or at < (0, 50, 1):
            continue  # node-fetch: not measured
        where = modules.shown
        runtime = f"Node {node}" if node else "Node (version unknown)"
        out.append(Client("node", f"{runtime} fetch (@anthropic-ai/sdk {sdk.version} in "
                                  f"{where})", node))
    out.append(Client("curl", "curl"))
    return out


#: The release the model assumes for a Python SDK that is declared but not installed where
#: envaudit looks (CI on the repository): the newest measured.
ASSUMED_RELEASE = "2.17.0"


def _declared_sdk(snap: Snapshot) -> list[Client]:
    """The Python SDK a manifest or lock file declares when no environment has it installed
    (a scan of the repository in CI): its exact pin, else the newest measured release, said
    so in the label."""
    for declared in snap.declared:
        if declared.ecosystem != "python":
            continue
        pin = declared.pin("anthropic")
        if pin is not None:
            return [Client("anthropic", f"anthropic {pin.version} (pinned in {declared.path}, "
                                        "not installed here)", pin.version)]
        if any(r.name == "anthropic" for r in declared.ranges):
            return [Client("anthropic", f"anthropic (declared in {declared.path}, not installed "
                                        f"here; as {ASSUMED_RELEASE})", ASSUMED_RELEASE)]
    for hint in snap.provider_hints:  # "requirements.txt declares an Anthropic SDK"
        where = hint.split(" ", 1)[0]
        if where.rsplit("/", 1)[-1].startswith(("requirements", "pyproject", "Pipfile",
                                                "setup.", "uv.lock", "poetry.lock")):
            return [Client("anthropic", f"anthropic (declared in {where}, not installed here; "
                                        f"as {ASSUMED_RELEASE})", ASSUMED_RELEASE)]
    return []


def model(ctx: AuditContext) -> list[Route]:
    """Every client's route for the app's environment (memoised on the context)."""
    cached: list[Route] | None = getattr(ctx, "_network_routes", None)
    if cached is None:
        cached = routes(app_environ(ctx), clients(ctx))
        ctx._network_routes = cached  # type: ignore[attr-defined]
    return cached


def network_json(ctx: AuditContext) -> dict[str, Any] | None:
    """The JSON report's ``network``: the proxy variables in effect (passwords as ``***``) and
    each client's route; ``None`` when nothing says the app uses the provider."""
    if not ctx.provider_in_use:
        return None
    env = app_environ(ctx)
    variables = {n: redact_proxy(v) for n, v in env.items() if n in PROXY_NAMES}
    from envaudit.tls import network_tls  # CA files and TLS switches (EA4xx)

    return {"proxy_variables": variables, "routes": [r.to_json() for r in model(ctx)],
            "tls": network_tls(ctx)}
