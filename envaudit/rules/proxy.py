"""EA3xx: proxies and ``NO_PROXY``, as each HTTP client of the app reads them
(``envaudit.network``: the proxy chosen for the API host, the ``NO_PROXY`` outcome, the
failures)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from envaudit.model import Finding, Severity
from envaudit.redact import printable
from envaudit.redact import redact_proxy as _redact_proxy
from envaudit.rules.base import Rule, RuleMeta

if TYPE_CHECKING:
    from envaudit.context import AuditContext
    from envaudit.model import Definition
    from envaudit.network import Route

_PROXY_VARS = ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy",
               "ALL_PROXY")
_NAMES = (*_PROXY_VARS, "no_proxy", "NO_PROXY")


def redact_proxy(value: str) -> str:
    """A proxy variable's value as a message shows it: password as ``***``, control
    characters escaped."""
    return printable(_redact_proxy(value))


def _set(ctx: AuditContext) -> bool:
    """Whether the provider is in use and a proxy or NO_PROXY variable is defined anywhere
    (the cheap test every rule starts with)."""
    # NOTE: the names are spelled here so that a scan with no proxy variable never imports
    # envaudit.network (``tests/test_network.py`` holds them to ``network.PROXY_NAMES``).
    return ctx.provider_in_use and any(ctx.sites(name) for name in _NAMES)


def _python_uses(ctx: AuditContext) -> list[Route]:
    """The routes of the anthropic (Python) clients that read the proxy variables."""
    from envaudit.network import model

    return [r for r in model(ctx) if r.kind == "anthropic" and r.matcher is not None]


def _python_clients(ctx: AuditContext) -> str:
    """Who fails, in words: the installed anthropic releases that read the proxy variables,
    else ``anthropic (Python)``."""
    routes = _python_uses(ctx)
    return ", ".join(r.client for r in routes) if routes else "anthropic (Python)"


def _honoured(ctx: AuditContext) -> bool:
    """Some Python SDK installed reads the proxy variables, or none is installed (the facts
    then speak of the SDK lines)."""
    from envaudit.network import model

    anthropic = [r for r in model(ctx) if r.kind == "anthropic"]
    return not anthropic or any(r.matcher is not None for r in anthropic)


def _applied(ctx: AuditContext) -> list[tuple[str, str, Definition]]:
    """``(scheme, value, definition)`` of each proxy the Python clients build (``getproxies``:
    lower case wins, an empty lower case deletes), unless a ``NO_PROXY`` of ``*`` switches
    them all off."""
    from envaudit.network import app_environ, entries, getproxies

    env = app_environ(ctx)
    proxies = getproxies(env)
    if "*" in entries(proxies.get("no", ("", ""))[0]):
        return []
    out = []
    for scheme in ("https", "http", "all"):
        found = proxies.get(scheme)
        if found is not None:
            d = ctx.winner(found[1])
            if d is not None:
                out.append((scheme, found[0], d))
    return out


class ProxyMalformed(Rule):
    """
    ## What it does
    Parses every proxy variable the Python SDK builds a proxy from (`HTTPS_PROXY`,
    `HTTP_PROXY`, `ALL_PROXY`, lower case winning) as httpx / httpx2 parse it, and reports a
    value the installed anthropic cannot use: leading white space, a control character, an
    unknown scheme (`socks4://`, `ftp://`), a port that is not a number (also what an unencoded
    `#`, `?` or `/` in the password leaves), an unclosed IPv6 bracket, a port above 65535, no
    host.

    ## Why is this bad?
    anthropic builds a proxy for every scheme when the client is built, so one bad value makes
    `Anthropic()` raise (`ValueError: Unknown scheme for proxy URL`, `InvalidURL: Invalid port:
    'pa'`) even when the API host would use another variable; a port out of range or an empty
    host are accepted and every request then fails with `Connection error.` (2.17: `Connection
    to api.anthropic.com failed`, naming the API host, not the proxy).

    ## Example
    `HTTPS_PROXY=http://alice:pa#ss@proxy.corp:3128` (the `#` starts a fragment: the host
    becomes `alice`, the port `pa`).

    ## Use instead
    `HTTPS_PROXY=http://alice:pa%23ss@proxy.corp:3128`: percent-encode `#` `?` `/` `@` `:` in
    the user and password, no spaces, a scheme httpx knows (`http`, `https`, `socks5`,
    `socks5h`).

    ## References
    - research/sdk-facts.md §8, "Proxy URL forms"
    - docs/sdk-facts.md, "Proxy URLs and the network model" (anthropic 2.17.0)
    """

    meta = RuleMeta("EA301", "proxy-malformed", Severity.ERROR,
                    "a proxy variable the Python SDK reads cannot be used (the client raises when "
                    "built, or every request fails)",
                    "fix the proxy URL: http://[user:password@]host:port, special characters "
                    "percent-encoded, no white space")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """One finding per proxy variable whose value httpx cannot use."""
        if not _set(ctx) or not _honoured(ctx):
            return
        from envaudit.network import parse_proxy

        for _, value, d in _applied(ctx):
            parsed = parse_proxy(value)
            if parsed.error is None:
                continue
            when, _, what = parsed.error.partition(": ")
            effect = (f"{_python_clients(ctx)} raises {what} when the client is built"
                      if when == "construction" else
                      f"every request of {_python_clients(ctx)} fails to connect")
            yield self.finding(f"{d.name}={redact_proxy(value)}: {parsed.problem}; {effect}",
                               d.location, d.name, subject=d.name,
                               details={"error": parsed.error})


class ProxySocksUnsupported(Rule):
    """
    ## What it does
    Finds a `socks5://` or `socks5h://` proxy the Python SDK will build (`HTTPS_PROXY`,
    `HTTP_PROXY` or `ALL_PROXY`) in an environment of the app where `socksio` is not
    installed.

    ## Why is this bad?
    httpx and httpx2 need `socksio` for SOCKS: without it `Anthropic()` raises `ImportError:
    Using SOCKS proxy, but the 'socksio' package is not installed. Make sure to install httpx
    using pip install httpx[socks]` when the client is built; `ALL_PROXY=socks5://…` alone is
    enough. With anthropic 1.x and 2.x the advice in the message is wrong: the SDK uses httpx2,
    so installing `httpx[socks]` does not help.

    ## Example
    `ALL_PROXY=socks5://127.0.0.1:1080` and a `.venv` with anthropic but no socksio.

    ## Use instead
    `pip install socksio` in the app's environment (or `httpx2[socks]` for anthropic >= 1.0),
    or an `http://` proxy.

    ## References
    - research/sdk-facts.md §8 ("socks5:// without socksio") and D8
    """

    meta = RuleMeta("EA302", "proxy-socks-unsupported", Severity.ERROR,
                    "a SOCKS proxy applies and socksio is not installed beside the SDK",
                    "pip install socksio in the app's environment, or use an http:// proxy")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """One finding per SOCKS proxy variable and environment lacking socksio."""
        if not _set(ctx):
            return
        from envaudit.network import SOCKS_SCHEMES, parse_proxy, sdk_matcher

        socks = [(value, d) for _, value, d in _applied(ctx)
                 if parse_proxy(value).error is None
                 and parse_proxy(value).scheme in SOCKS_SCHEMES]
        if not socks:
            return
        lacking = [e for e in ctx.snapshot.python_envs
                   if (sdk := e.package("anthropic")) is not None
                   and sdk_matcher(sdk.version)[0] is not None and e.package("socksio") is None]
        for value, d in socks:
            for env in lacking:
                sdk = env.package("anthropic")
                assert sdk is not None
                yield self.finding(
                    f"{d.name}={redact_proxy(value)} is a SOCKS proxy and socksio is not "
                    f"installed in {env.path}: anthropic {sdk.version} raises ImportError 'Using "
                    "SOCKS proxy, but the 'socksio' package is not installed' when the client is "
                    "built", d.location, d.name, subject=f"{d.name}@{env.path}")


class ProxyHttpsScheme(Rule):
    """
    ## What it does
    Finds a proxy URL with the `https://` scheme that the Python SDK will use.

    ## Why is this bad?
    `https://proxy:3128` means TLS *to the proxy*, supported by httpx since 0.25 and by httpx2,
    with the proxy's certificate checked against the default trust store. Most corporate
    proxies speak plain HTTP on their port and tunnel HTTPS with `CONNECT`: the TLS handshake
    with the proxy then fails, and the SDK reports a connection error naming the API host.

    ## Example
    `HTTPS_PROXY=https://proxy.corp:3128`

    ## Use instead
    `HTTPS_PROXY=http://proxy.corp:3128` (the scheme is the proxy's own protocol, not the
    target's), unless the proxy really listens with TLS.

    ## References
    - research/sdk-facts.md §8, "Proxy URL forms" (`https://proxy`)
    """

    meta = RuleMeta("EA303", "proxy-https-scheme", Severity.WARNING,
                    "a proxy URL uses https:// (TLS to the proxy itself)",
                    "use http://proxy:port unless the proxy itself listens with TLS")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """One finding per https:// proxy the Python clients use."""
        if not _set(ctx) or not _honoured(ctx):
            return
        from envaudit.network import parse_proxy

        for _, value, d in _applied(ctx):
            parsed = parse_proxy(value)
            if parsed.error is None and parsed.scheme == "https":
                yield self.finding(
                    f"{d.name}={redact_proxy(value)} asks for TLS to the proxy itself: a proxy "
                    "that speaks plain HTTP on that port (most do, tunnelling HTTPS with "
                    "CONNECT) fails the handshake, and the SDK reports a connection error to "
                    "the API host", d.location, d.name, subject=d.name)


class ProxyCaseConflict(Rule):
    """
    ## What it does
    Finds a proxy variable set in both cases (`HTTPS_PROXY` and `https_proxy`, `NO_PROXY` and
    `no_proxy` …) with different values, an empty lower-case one included.

    ## Why is this bad?
    Python (`urllib.request.getproxies`, which every Python client starts from), curl and
    Node's proxy support take the lower-case variable, and an empty lower-case variable deletes
    the upper-case one in Python (`HTTPS_PROXY=http://proxy:3128 https_proxy=` means no proxy).
    Tools that read only the upper-case name (Java, some Go and shell scripts) then go another
    way: "it works in one tool" stops meaning anything.

    ## Example
    `HTTPS_PROXY=http://proxy-new.corp:3128` in the deploy environment and
    `https_proxy=http://proxy-old.corp:3128` in `.env`.

    ## Use instead
    Set both cases to the same value (or unset one of them).

    ## References
    - research/sdk-facts.md §8 ("all-lowercase names win", "an empty lowercase variable
      deletes"), §11 (curl), §12 (Node)
    """

    meta = RuleMeta("EA304", "proxy-case-conflict", Severity.WARNING,
                    "upper- and lower-case proxy variables differ (lower case wins; an empty "
                    "lower-case one deletes the other)",
                    "give HTTPS_PROXY and https_proxy (and the others) the same value")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """One finding per pair of names whose effective values differ."""
        if not _set(ctx):
            return
        for lower in ("https_proxy", "http_proxy", "all_proxy", "no_proxy"):
            low, up = ctx.winner(lower), ctx.winner(lower.upper())
            if low is None or up is None or low.value == up.value:
                continue
            if not low.value and not up.value:
                continue
            if not low.value:
                what = (f"the empty {lower} ({low.location.display()}) deletes "
                        f"{lower.upper()}={redact_proxy(up.value or '')} for every Python client:"
                        f" they use no {lower.split('_')[0].upper()} proxy setting at all")
            else:
                what = (f"{lower}={redact_proxy(low.value)} ({low.location.display()}) wins "
                        f"over {lower.upper()}={redact_proxy(up.value or '')} "
                        f"({up.location.display()}) in Python, curl and Node; tools that read "
                        "only the upper-case name go another way")
            yield self.finding(what, low.location, lower, subject=lower)


class ProxyCredentials(Rule):
    """
    ## What it does
    Finds a proxy URL with a password (`http://user:password@proxy:3128`).

    ## Why is this bad?
    The password is a secret: it ends up in `env` dumps, crash reports and CI logs that print
    the environment (envaudit shows it as `***`). And unencoded special characters break it:
    `#`, `?` or `/` in the password cut the URL (`Anthropic()` raises `InvalidURL: Invalid
    port`); an `@` works in httpx (the last `@` splits) but not everywhere. The credentials are
    sent to the proxy as `Proxy-Authorization: Basic`, percent-decoded.

    ## Example
    `HTTPS_PROXY=http://alice:s3cr3t@proxy.corp:3128` in a committed `.env`.

    ## Use instead
    Keep the proxy URL in the deployment's secret store, not in a file; percent-encode special
    characters (`%40` for `@`, `%23` for `#`); prefer a proxy that authenticates the machine.

    ## References
    - research/sdk-facts.md §8 ("credentials in the URL … sent as Proxy-Authorization")
    - shared/spec/cli.md, "Redaction" (URL passwords are secrets)
    """

    meta = RuleMeta("EA305", "proxy-credentials", Severity.WARNING,
                    "a proxy URL carries a user and password (a secret)",
                    "keep the proxy URL in a secret store and percent-encode special "
                    "characters in the password")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """One finding per proxy variable definition with a password (every source)."""
        if not _set(ctx):
            return
        from envaudit.network import password_span

        for name in _PROXY_VARS:
            for site in ctx.sites(name):
                values = {v for v in site.values.values() if v}
                for value in sorted(values):
                    span = password_span(value)
                    if span is None:
                        continue
                    password = value[span[0]:span[1]]
                    odd = [c for c in "@#?/" if c in password]
                    extra = (f"; the password holds unencoded {' '.join(odd)}"
                             + (" (the URL is cut there: InvalidURL when the client is built)"
                                if set(odd) & set("#?/") else
                                " (httpx splits at the last @; other tools may not)")
                             if odd else "")
                    yield self.finding(
                        f"{name}={redact_proxy(value)} carries a proxy password in "
                        f"{site.location.display()}{extra}", site.location, name,
                        subject=name)


class ProxyIgnored(Rule):
    """
    ## What it does
    Finds a proxy variable that is set while one of the app's clients does not read it:
    anthropic (Python) 0.47.0-0.53.x, or the TypeScript SDK on Node's fetch without
    `NODE_USE_ENV_PROXY=1`, or with it on a Node that does not support it (before 22.21, 23.x).

    ## Why is this bad?
    The client connects directly. In a network where only the proxy may reach the internet the
    request times out or fails with `Connection error.`, while `curl` through the same proxy
    works. Node's fetch ignores `HTTP(S)_PROXY` on every version by default; the TypeScript
    SDK passes no dispatcher of its own.

    ## Example
    `HTTPS_PROXY=http://proxy.corp:3128`, `@anthropic-ai/sdk` 1.10.0 and Node 20.20.2.

    ## Use instead
    anthropic >= 0.54; on Node >= 22.21 / 24, `NODE_USE_ENV_PROXY=1`; otherwise pass a proxy
    dispatcher: `new Anthropic({ fetchOptions: { dispatcher: new EnvHttpProxyAgent() } })`
    (npm `undici`).

    ## References
    - research/sdk-facts.md, headline facts 7 and 10, §6, §12
    """

    meta = RuleMeta("EA306", "proxy-ignored", Severity.ERROR,
                    "a proxy is set but one of the app's clients ignores it and connects "
                    "directly",
                    "upgrade anthropic to >= 0.54; on Node set NODE_USE_ENV_PROXY=1 (Node >= "
                    "22.21 / 24) or pass an undici proxy dispatcher")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """One finding per client that ignores a proxy it is given."""
        if not _set(ctx):
            return
        from envaudit.network import model

        for route in model(ctx):
            if route.ignored is None or route.variable is None:
                continue
            d = ctx.winner(route.variable)
            location = d.location if d is not None else ctx.environment_location
            proxy = printable(route.proxy or "")
            yield self.finding(
                f"{route.variable}={proxy} is ignored by {route.client}: {route.ignored}; "
                f"its requests to {route.target} go direct", location, route.variable,
                subject=f"{route.variable}:{route.client}")


def _loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


class NoProxyBypassesApi(Rule):
    """
    ## What it does
    Matches `NO_PROXY` against the API host (`ANTHROPIC_BASE_URL`'s, else `api.anthropic.com`)
    the way each of the app's clients matches it (the SDK's own copy of httpx's function for
    anthropic, Node's for the TypeScript SDK), while a proxy that client would use is set.

    ## Why is this bad?
    The API requests then go direct, not through the proxy. In an egress-locked container or
    a corporate network they time out or fail with `Connection error.` (2.17: `Connection to
    api.anthropic.com failed`). `NO_PROXY` lists are copied between services, and
    `anthropic.com`, `.anthropic.com` or `*` slip in with internal domains.

    ## Example
    `HTTPS_PROXY=http://proxy.corp:3128` and `NO_PROXY=localhost,.corp,anthropic.com`.

    ## Use instead
    Remove the entry that matches the API host (the message names it), or `*`.

    ## References
    - research/sdk-facts.md §8 (NO_PROXY matrix; `*` anywhere switches proxies off)
    - docs/sdk-facts.md (the same matrix on anthropic 2.17.0)
    """

    meta = RuleMeta("EA307", "no-proxy-bypasses-api", Severity.WARNING,
                    "NO_PROXY matches the API host while a proxy is set: the API requests go "
                    "direct", "remove the NO_PROXY entry that matches the API host")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """One finding per client whose requests to the API host bypass its proxy."""
        if not _set(ctx):
            return
        from envaudit.network import model, target

        for route in model(ctx):
            if route.kind in ("anthropic", "node") and route.note and "entries" in route.note:
                name = "no_proxy" if ctx.winner("no_proxy") else "NO_PROXY"
                d = ctx.winner(name)
                yield self.finding(
                    f"{name} was not matched against the API host for {route.client}: "
                    f"{route.note}; look for the API host in it by hand",
                    d.location if d is not None else ctx.environment_location, name,
                    severity=Severity.INFO, subject=f"unmatched:{route.client}")
                continue
            if route.kind not in ("anthropic", "node") or route.bypass is None \
                    or route.variable is None:
                continue
            t = target(route.target)
            if t is not None and _loopback(t.host):
                continue  # a local mock or gateway: direct is what is meant
            name = "no_proxy" if ctx.winner("no_proxy") else "NO_PROXY"
            d = ctx.winner(name)
            location = d.location if d is not None else ctx.environment_location
            host = printable(t.host if t is not None else route.target)
            proxy = printable(route.proxy or "")
            yield self.finding(
                f"{name} entry {route.bypass!r} matches {host} for {route.client}: its API "
                f"requests go direct, not through {route.variable}={proxy}; where only "
                "the proxy reaches the internet they fail with a connection error",
                location, name, subject=f"{route.bypass}:{route.client}",
                details={"entry": route.bypass, "client": route.client})


class NoProxyIneffective(Rule):
    """
    ## What it does
    Finds `NO_PROXY` entries that the Python SDK does not match the way they are usually meant,
    while a proxy is set: `*.example.com` (matches nothing: write `.example.com` or
    `example.com`), `host:443` or `host:80` (a URL on its default port never matches an entry
    with a port), `.example.com` when `example.com` is the API host itself (the SDK covers
    only subdomains, while urllib, requests and curl cover both), a trailing dot, and
    `https://host` (the SDK matches it; urllib, requests and curl do not).

    ## Why is this bad?
    The host meant to go direct goes through the proxy (or the other way round for some tools
    only), and the app and `curl` disagree.

    ## Example
    `NO_PROXY=*.internal.corp,api.anthropic.com:443`

    ## Use instead
    Plain names: `NO_PROXY=internal.corp,api.anthropic.com` (a name covers its subdomains).

    ## References
    - research/sdk-facts.md §8 (NO_PROXY matrix: httpx, httpx2, anthropic 2.10.0 / 0.125.0,
      urllib, requests)
    - docs/sdk-facts.md (the same matrix on anthropic 2.17.0)
    """

    meta = RuleMeta("EA308", "no-proxy-ineffective", Severity.WARNING,
                    "NO_PROXY entries the Python SDK does not match as meant (*.x, host:443, .x, "
                    "a trailing dot, scheme://host)",
                    "write NO_PROXY entries as plain names (example.com covers its subdomains)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """One finding per ineffective entry."""
        if not _set(ctx) or not _honoured(ctx):
            return
        from envaudit.network import MAX_ENTRIES, app_environ, entries, getproxies, target

        proxies = getproxies(app_environ(ctx))
        found = proxies.get("no")
        if found is None or not any(s in proxies for s in ("http", "https", "all")):
            return
        items = entries(found[0])
        if "*" in items:
            return
        d = ctx.winner(found[1])
        location = d.location if d is not None else ctx.environment_location
        t = target(app_environ(ctx).get("ANTHROPIC_BASE_URL"))
        api_host = t.host if t is not None else ""
        for entry in dict.fromkeys(items[:MAX_ENTRIES]):
            why = _ineffective(entry, api_host)
            if why is not None:
                yield self.finding(f"{found[1]} entry {entry!r} {why}", location, found[1],
                                   subject=entry)


def _ineffective(entry: str, api_host: str) -> str | None:
    """Why a ``NO_PROXY`` entry does not do what it says for the Python SDK (``None``: fine)."""
    if "://" in entry:
        return ("is matched by anthropic (Python) for that scheme only, and never by urllib, "
                "requests or curl: write the host alone")
    if entry.startswith("*."):
        return (f"matches nothing in anthropic (Python): write {entry[1:]!r} or "
                f"{entry[2:]!r} ({entry[2:]!r} covers the domain and its subdomains)")
    host, _, port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
    if port in ("443", "80"):
        return (f"never matches a URL on its default port in anthropic (Python): write "
                f"{host!r}")
    if entry.endswith(".") and not entry.endswith(".."):
        return f"never matches {entry.rstrip('.')!r} (the trailing dot stays in the pattern)"
    if entry.startswith(".") and len(entry) > 1 and entry[1:].lower() == api_host:
        return (f"covers the subdomains of {entry[1:]!r} but not {entry[1:]!r} itself, the API "
                "host, in anthropic (Python), while urllib, requests and curl cover both: "
                f"write {entry[1:]!r}")
    return None


class NoProxyCrashesClient(Rule):
    """
    ## What it does
    Finds a `NO_PROXY` entry that makes the Python SDK's client construction fail: an IPv6
    range (`fd00::/8`), a bracketed IPv6 address with a port (`[::1]:8080`), or a port that is
    not a number (`host:abc`).

    ## Why is this bad?
    The SDK turns every entry into a URL pattern when the client is built; `all://[fd00::/8]`
    is not a URL, and `Anthropic()` raises `httpx2.InvalidURL: Invalid port: ':'` (0.x:
    `httpx.InvalidURL`), even when no proxy is set. Kubernetes and Docker setups often put
    their IPv6 service ranges in `NO_PROXY`.

    ## Example
    `NO_PROXY=localhost,10.0.0.0/8,fd00::/8`

    ## Use instead
    Leave IPv6 ranges out of the app's `NO_PROXY` (list the hosts instead), or build the
    client with `http_client=httpx2.Client(trust_env=False)` and no proxy.

    ## References
    - research/sdk-facts.md, headline fact 6 and §8 (NO_PROXY matrix, `fd00::/8`), D8
    - docs/sdk-facts.md (anthropic 2.17.0: the same failure)
    """

    meta = RuleMeta("EA309", "no-proxy-crashes-client", Severity.ERROR,
                    "a NO_PROXY entry (an IPv6 range) makes the Python SDK raise InvalidURL "
                    "when the client is built",
                    "remove IPv6 ranges from NO_PROXY (list hosts instead)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """One finding per Python SDK whose construction the NO_PROXY entries break."""
        if not _set(ctx):
            return
        for route in _python_uses(ctx) or ():
            if route.error is None or "NO_PROXY entry" not in route.error:
                continue
            name = "no_proxy" if ctx.winner("no_proxy") else "NO_PROXY"
            d = ctx.winner(name)
            location = d.location if d is not None else ctx.environment_location
            yield self.finding(
                f"{name} entry {route.bypass!r} makes {route.client} raise "
                f"{route.error.partition(': ')[2].rpartition(' (NO_PROXY')[0]} when the client "
                "is built, whether a proxy is set or not", location, name,
                subject=f"{route.bypass}:{route.client}")


class CurlIgnoresHttpProxy(Rule):
    """
    ## What it does
    Finds upper-case `HTTP_PROXY` set without `http_proxy`.

    ## Why is this bad?
    curl never reads upper-case `HTTP_PROXY` (a CGI-safety choice: a request header `Proxy:`
    becomes `HTTP_PROXY` in a CGI environment), and Python drops it when `REQUEST_METHOD` is set.
    Also, `HTTP_PROXY` is only for `http://` URLs: the API (`https://api.anthropic.com`) goes
    through `HTTPS_PROXY` or `ALL_PROXY` in every client. "curl works, the app fails" (or the
    reverse) comparisons made with this variable mislead.

    ## Example
    `HTTP_PROXY=http://proxy.corp:3128` alone.

    ## Use instead
    Set `HTTPS_PROXY` (and `https_proxy`) for the API; set `http_proxy` too if curl should use
    the proxy for `http://` URLs.

    ## References
    - research/sdk-facts.md §8 (`REQUEST_METHOD`), §11 (curl: "We don't try the uppercase
      version of HTTP_PROXY")
    """

    meta = RuleMeta("EA310", "curl-ignores-http-proxy", Severity.INFO,
                    "only upper-case HTTP_PROXY is set: curl ignores it, and https:// API "
                    "requests never use it",
                    "set HTTPS_PROXY for the API, and http_proxy for curl")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """One finding when HTTP_PROXY is set and http_proxy is not."""
        if not _set(ctx):
            return
        up = ctx.winner("HTTP_PROXY")
        if up is None or not up.value or ctx.winner("http_proxy") is not None:
            return
        https = any(ctx.winner(n) is not None and ctx.winner(n).value  # type: ignore[union-attr]
                    for n in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"))
        api = ("" if https else "; and no HTTPS_PROXY or ALL_PROXY is set, so every client "
               "sends https:// API requests direct")
        yield self.finding(f"HTTP_PROXY={redact_proxy(up.value)} is ignored by curl (it reads "
                           f"only lower-case http_proxy){api}", up.location, "HTTP_PROXY",
                           subject="HTTP_PROXY")


RULES: tuple[Rule, ...] = (ProxyMalformed(), ProxySocksUnsupported(), ProxyHttpsScheme(),
                           ProxyCaseConflict(), ProxyCredentials(), ProxyIgnored(),
                           NoProxyBypassesApi(), NoProxyIneffective(), NoProxyCrashesClient(),
                           CurlIgnoresHttpProxy())
