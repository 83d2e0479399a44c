"""EA601-EA604, EA611: the endpoint the SDKs send to (``ANTHROPIC_BASE_URL``) and the headers
they add (``ANTHROPIC_CUSTOM_HEADERS``).

The base URL is joined as anthropic 2.17.0 joins it (``_base_client.py``: the base URL's raw
path gets a trailing ``/``, then the request path ``v1/messages`` is appended; the query string
is part of the raw path), and ``predict`` says what the SDK requests for a value, or which
error it raises and when. ``tests/rules/test_endpoint_behaviour.py`` holds ``predict`` to the
real SDK against a server on 127.0.0.1 (docs/sdk-facts.md, "Base URL joining and custom
headers"). ``ts_path`` gives the path @anthropic-ai/sdk 1.17.0 requests, held to the real
package by ``tests/rules/test_ts_sdk_behaviour.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

from envaudit.context import ANTHROPIC_HOSTS, AuditContext, Site
from envaudit.model import ENVIRONMENTS, Finding, Severity
from envaudit.record import Record
from envaudit.redact import redact_url
from envaudit.rules.base import Rule, RuleMeta
from envaudit.rules.credentials import where

BASE_URL = "ANTHROPIC_BASE_URL"
CUSTOM_HEADERS = "ANTHROPIC_CUSTOM_HEADERS"
#: The path every Messages request appends to the base URL.
MESSAGES = "v1/messages"
#: The TypeScript SDK's base URL when ``ANTHROPIC_BASE_URL`` is unset or empty.
DEFAULT_BASE_URL = "https://api.anthropic.com"
#: Hosts whose traffic stays on the machine (EA603 stays silent for ``http://`` to them).
_LOCAL_HOSTS = frozenset(("localhost", "127.0.0.1", "::1", "0.0.0.0", "host.docker.internal"))
#: Headers that carry a credential (EA611): ``Authorization`` replaces the one the SDK builds
#: from ANTHROPIC_API_KEY; ``x-api-key`` travels beside it.
_AUTH_HEADERS = {"authorization": "Authorization", "x-api-key": "x-api-key",
                 "proxy-authorization": "Proxy-Authorization"}
#: RFC 9110 token characters: what h11 accepts in a header name.
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"
                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_SCHEME = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")
_CONTROL = frozenset(chr(c) for c in (*range(32), 127))


class UrlParts(Record):
    """A URL split as ``urllib.parse.urlsplit`` splits it (without its error checks)."""

    scheme: str
    """In lower case; ``""`` when there is none."""
    netloc: str
    """The authority (``user:pw@host:port``); ``""`` when there is none."""
    path: str
    """The path (``""`` when empty)."""
    query: str | None
    """The query string without ``?``; ``None`` when there is no ``?``."""

    @property
    def host(self) -> str:
        """The host name in lower case, without user info, port or IPv6 brackets."""
        hostport = self.netloc.rpartition("@")[2]
        if hostport.startswith("["):
            return hostport[1:].partition("]")[0].lower()
        return hostport.partition(":")[0].lower()


def split(url: str) -> UrlParts:
    """``url`` split into scheme, authority, path and query; never raises (held to
    ``urlsplit`` by a property test). Like ``effective.split_url``, written out so that a scan
    does not import ``urllib.parse``."""
    scheme, rest = "", url
    colon = url.find(":")
    if colon > 0 and url[0].isascii() and url[0].isalpha() and all(
            c in _SCHEME for c in url[:colon]):
        scheme, rest = url[:colon].lower(), url[colon + 1:]
    netloc = ""
    if rest[:2] == "//":
        ends = [i for i in (rest.find(c, 2) for c in "/?#") if i >= 0]
        end = min(ends) if ends else len(rest)
        netloc, rest = rest[2:end], rest[end:]
    rest = rest.split("#", 1)[0]
    path, mark, query = rest.partition("?")
    return UrlParts(scheme, netloc, path, query if mark else None)


class Prediction(Record):
    """What anthropic 2.17.0 does with a base URL for ``messages.create``."""

    target: str | None
    """The request target sent (path and query: ``/v1/v1/messages``); ``None`` on error."""
    error: str | None = None
    """The exception when there is no request: ``InvalidURL``, ``UnsupportedProtocol``."""
    when: str | None = None
    """``construction`` (``Anthropic()`` raises) or ``request`` (every call fails)."""


def predict(value: str) -> Prediction:
    """The request target (or the error) anthropic 2.17.0 produces for base URL ``value``,
    for a value whose path and query are printable ASCII without ``%`` (others get
    percent-encoded by httpx2, which this does not model)."""
    if any(c in _CONTROL for c in value.strip(" ")):
        return Prediction(None, "InvalidURL", "construction")
    parts = split(value)
    if value[:1] == " " or parts.scheme not in ("http", "https") or not parts.netloc:
        return Prediction(None, "UnsupportedProtocol", "request")
    if not parts.path and parts.query is None:
        parts = split(value.rstrip(" "))  # spaces after the port are dropped
    # NOTE: httpx2 percent-encodes a space in the path (a trailing one too: ``/v1%20/...``)
    raw = (parts.path.replace(" ", "%20") or "/") + (
        "" if parts.query is None else "?" + parts.query)
    if not raw.endswith("/"):
        raw += "/"
    return Prediction(raw + MESSAGES)


def ts_path(value: str) -> str:
    """The path (without the query string) @anthropic-ai/sdk 1.17.0 requests for
    ``messages.create`` when ``ANTHROPIC_BASE_URL`` is ``value``: the value is trimmed
    (``readEnv``; empty is unset, the default host), ``/v1/messages`` is appended as a string
    (one ``/`` dropped after a trailing ``/``) and the result parsed as a URL (``buildURL``), so
    a ``?`` or ``#`` in the base URL takes the appended path into the query string or the
    fragment. For http(s) values of printable ASCII: the URL parser's normalisation (dot
    segments, backslashes, percent-encoding) is not modelled. Measured by
    ``tests/rules/test_ts_sdk_behaviour.py``."""
    stripped = value.strip() or DEFAULT_BASE_URL
    joined = stripped + (MESSAGES if stripped.endswith("/") else "/" + MESSAGES)
    return split(joined).path or "/"


def shown_url(text: str) -> str:
    """A URL or request target as a message may show it: passwords as ``***`` and the query
    string as ``?…`` (it may carry a key: ``?api_key=…``)."""
    text = redact_url(text)
    mark = text.find("?")
    if mark < 0:
        return text
    tail = text[mark:]
    rest = tail.find("/v1/messages")
    return text[:mark] + "?…" + (tail[rest:] if rest >= 0 else "")


def is_local(host: str) -> bool:
    """Whether traffic to ``host`` stays on the machine (loopback names and addresses)."""
    return (host in _LOCAL_HOSTS or host.endswith(".localhost") or host.startswith("127.")
            or host == "[::1]")


def is_anthropic(host: str) -> bool:
    """Whether ``host`` is Anthropic's API host (as ``AuditContext.base_url_is_anthropic``)."""
    return host in ANTHROPIC_HOSTS or host.endswith(".anthropic.com")


def _private(host: str) -> bool:
    """A single-label name (a compose service, a cluster name) or an RFC 1918 IPv4 address:
    a network of the app's own, not the internet."""
    if "." not in host and ":" not in host:
        return True
    parts = host.split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        return False
    a, b = int(parts[0]), int(parts[1])
    return a == 10 or (a == 172 and 16 <= b <= 31) or (a == 192 and b == 168)


def base_url_values(ctx: AuditContext) -> Iterator[tuple[Site, str, list[str]]]:
    """(site, value, loaders) for every value of ``ANTHROPIC_BASE_URL`` the app may load, the
    empty ones included (a bare key, ``None``, is left out)."""
    for site, values in ctx.site_values(BASE_URL):
        for value, loaders in values:
            if value is not None:
                yield site, value, loaders


def _sdk_kinds(ctx: AuditContext) -> set[str]:
    from envaudit.sdkfacts import installed_profiles

    return {p.kind for p in installed_profiles(ctx.snapshot)}


class BaseUrlV1Suffix(Rule):
    """
    ## What it does
    Finds an `ANTHROPIC_BASE_URL` whose path ends in `/v1`, `/v1/` or `/v1/messages`.

    ## Why is this bad?
    The SDKs treat the base URL as a prefix: they add a `/` when it has none and append the
    request path, `v1/messages`, themselves (Python and TypeScript alike). A base URL ending
    in `/v1` therefore sends every request to `/v1/v1/messages`, and one ending in the full
    endpoint to `/v1/messages/v1/messages`: the server answers 404 (`not_found_error`), which
    reads like a wrong model or a disabled key. Gateway documentation often shows the URL with
    `/v1` because other clients (OpenAI-style ones, curl examples) want it.

    ## Example
    `ANTHROPIC_BASE_URL=https://llm-gateway.example.com/anthropic/v1`

    ## Use instead
    `ANTHROPIC_BASE_URL=https://llm-gateway.example.com/anthropic` (requests then go to
    `/anthropic/v1/messages`).

    ## References
    - research/sdk-facts.md, section 2 "Base URL handling" (the request paths seen by a server)
    - docs/sdk-facts.md, "Base URL joining and custom headers" (anthropic 2.17.0, proved by
      tests/rules/test_endpoint_behaviour.py)
    """

    meta = RuleMeta("EA601", "base-url-v1-suffix", Severity.ERROR,
                    "ANTHROPIC_BASE_URL ends in /v1 or /v1/messages: requests go to "
                    "/v1/v1/messages",
                    "drop /v1 (or /v1/messages) from the end of ANTHROPIC_BASE_URL: the SDKs "
                    "append /v1/messages themselves")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per base URL value whose joined request path repeats ``/v1``."""
        for site, value, loaders in base_url_values(ctx):
            prediction = predict(value)
            if prediction.target is None:
                continue  # EA602's
            path = split(value.strip()).path.rstrip("/")
            suffix = next((s for s in ("/v1/messages", "/v1") if path.endswith(s)), None)
            if suffix is None:
                continue
            base = redact_url(value.strip().split("#", 1)[0].split("?", 1)[0]).rstrip("/")
            fixed = base[: -len(suffix)] or base
            message = (f"{BASE_URL} ends in {suffix}{where(site, loaders)}: the SDKs append "
                       f"/v1/messages themselves, so requests go to "
                       f"{shown_url(prediction.target or '')} and the server answers 404 "
                       f"not_found_error; use {fixed}")
            yield self.finding(message, site.location, BASE_URL, subject=suffix)


class BaseUrlMalformed(Rule):
    """
    ## What it does
    Finds an `ANTHROPIC_BASE_URL` the SDKs cannot use: empty, without `http://` or
    `https://` (`localhost:8080`, `api.example.com`), with another scheme (`ftp://`), with
    white space or control characters (a trailing newline, a leading space), or with a query
    string or fragment.

    ## Why is this bad?
    - *Empty*: the Python SDK takes `""` as set (`os.environ.get`), so every request fails
      with `APIConnectionError` (anthropic 2.17: `Connection failed: UnsupportedProtocol`);
      the TypeScript SDK treats it as unset and uses the default host, so the same file works
      from Node.
    - *No scheme, another scheme, a leading space*: every request fails with
      `APIConnectionError` (cause `UnsupportedProtocol`); the TypeScript SDK throws `TypeError:
      Invalid URL` when the client is built.
    - *A control character* (a newline from `echo url > file`, a CR from a Windows file):
      anthropic raises `InvalidURL` when the client is built.
    - *A query string*: the SDKs append `v1/messages` to it (anthropic requests
      `/a?x=1/v1/messages`, the TypeScript SDK `/a?x=1%2Fv1%2Fmessages`), so the parameter's
      value is broken and the path is not the endpoint's.
    - *A fragment*: anthropic drops it (`/a#x` requests `/a/v1/messages`); the TypeScript SDK
      appends `v1/messages` after the `#`, so it requests `/a`, not the endpoint.

    ## Example
    `ANTHROPIC_BASE_URL=localhost:4000`

    ## Use instead
    `ANTHROPIC_BASE_URL=http://localhost:4000`, or no `ANTHROPIC_BASE_URL` line at all for
    Anthropic's API (comment it out rather than leaving it empty).

    ## References
    - research/sdk-facts.md, headline fact 9 and section 2 "Failure modes"
    - docs/sdk-facts.md, "Base URL joining and custom headers"
    """

    meta = RuleMeta("EA602", "base-url-malformed", Severity.ERROR,
                    "ANTHROPIC_BASE_URL is empty, has no http(s):// scheme, white space, "
                    "control characters or a query string",
                    "write the base URL as http(s)://host[:port][/prefix], or remove the line")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per base URL value the SDKs cannot use."""
        kinds: set[str] | None = None
        for site, value, loaders in base_url_values(ctx):
            at = where(site, loaders)
            severity = None
            if value == "" or not value.strip(" \t"):
                if site.location.source in ENVIRONMENTS and any(
                        v for _, vs in ctx.site_values(BASE_URL) for v, _ in vs):
                    continue  # an exported empty value blocking a file's: EA202's (unset it)
                from envaudit.sdkfacts import fact

                kinds = _sdk_kinds(ctx) if kinds is None else kinds
                problem, effect = "is empty", fact("base-url", "empty-python")
                if kinds == {"node"}:
                    severity, effect = Severity.INFO, fact("base-url", "empty-ts")
                else:
                    effect = f"{effect}; {fact('base-url', 'empty-ts')}"
            else:
                found = _malformed(value)
                if found is None or _reported_elsewhere(site):
                    continue
                problem, effect = found
            message = f"{BASE_URL} {problem}{at}: {effect}"
            yield self.finding(message, site.location, BASE_URL, severity=severity,
                               subject=problem.split(":")[0])


def _reported_elsewhere(site: Site) -> bool:
    """The line's value is broken by how it is read, which another rule names: loaders that
    read it differently, one of them a usable URL (EA204), or a ``${VAR}`` nothing defines
    (EA208)."""
    if any(v and predict(v).target is not None and _malformed(v) is None
           for v in site.values.values()):
        return True
    f, line = site.file, site.location.line
    return f is not None and any(u[0] == line and u[1] == BASE_URL
                                 for r in f.readings for u in r.unresolved)


def _malformed(value: str) -> tuple[str, str] | None:
    """(what is wrong, what the SDKs do) for a non-empty base URL, or ``None``."""
    prediction = predict(value)
    if prediction.error == "InvalidURL":
        bad = next(c for c in value.strip(" ") if c in _CONTROL)
        return (f"contains a control character ({bad!r})",
                "anthropic (Python) raises InvalidURL (non-printable character) when the client "
                "is built; the TypeScript SDK trims white space at the ends only")
    stripped = value.strip()
    parts = split(stripped)
    if value[:1] == " ":
        return ("starts with a space",
                "every request fails with APIConnectionError (cause UnsupportedProtocol: the "
                "URL becomes '%20http…'); the TypeScript SDK trims it")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        what = (f"has no http:// or https:// (it reads as scheme '{parts.scheme}://')"
                if parts.scheme and not parts.netloc else
                f"has the scheme {parts.scheme}://" if parts.scheme else "has no scheme")
        return (what, "every request fails with APIConnectionError (anthropic 2.17: 'Connection "
                      "… failed: UnsupportedProtocol'); the TypeScript SDK raises TypeError "
                      "'Invalid URL'")
    if parts.query is not None:
        return ("has a query string",
                f"the SDKs append v1/messages to it, so anthropic (Python) requests "
                f"{shown_url(prediction.target or '')} and the TypeScript SDK "
                f"{shown_url(ts_path(value))}?… (v1/messages lands in the query string): the "
                "path is not the endpoint's and the parameter's value is broken")
    if "#" in stripped:
        return ("has a fragment (#…)",
                f"anthropic (Python) drops the fragment (requests go to "
                f"{shown_url(prediction.target or '')}), so whatever it was meant to carry "
                "never reaches the server; the TypeScript SDK appends v1/messages after the "
                f"'#', so its requests go to {shown_url(ts_path(value))}, not the endpoint")
    if value != value.rstrip(" ") and split(stripped).path:
        return ("ends with a space",
                f"the SDK sends it as %20 in the path, so requests go to "
                f"{shown_url(prediction.target or '')} "
                "and the server answers 404; the TypeScript SDK trims it")
    return None


class BaseUrlInsecure(Rule):
    """
    ## What it does
    Finds an `ANTHROPIC_BASE_URL` with `http://` to a host that is not the machine itself
    (anything but `localhost`, `127.x`, `::1`, `0.0.0.0`, `*.localhost` and
    `host.docker.internal`). A single-label host (a compose service, `http://litellm:4000`) or
    a private IPv4 address (10/8, 172.16/12, 192.168/16) is a warning: the traffic stays on a
    network of the app's own, but still in clear text.

    ## Why is this bad?
    Every request carries the credential (`Authorization: Bearer <key>` in anthropic 2.x,
    `x-api-key` before) and the prompts. Over plain HTTP anyone on the path reads and can
    replay them; and a server that redirects `http://` to `https://` makes the SDK fail
    instead (it does not follow a redirect for a POST with a body).

    ## Example
    `ANTHROPIC_BASE_URL=http://llm-gateway.example.com`

    ## Use instead
    `ANTHROPIC_BASE_URL=https://llm-gateway.example.com`

    ## References
    - research/sdk-facts.md, section 3 "Headers sent" (the key in every request)
    """

    meta = RuleMeta("EA603", "base-url-insecure", Severity.ERROR,
                    "ANTHROPIC_BASE_URL uses http:// to a host that is not the machine itself",
                    "use https:// (http:// only for a server on the same machine)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per ``http://`` base URL to a host off the machine."""
        for site, value, loaders in base_url_values(ctx):
            if predict(value).target is None:
                continue
            parts = split(value.strip())
            host = parts.host
            if parts.scheme != "http" or not host or is_local(host):
                continue
            severity = Severity.WARNING if _private(host) else None
            network = ("a network of the app's own, still " if severity else "the network ")
            message = (f"{BASE_URL} sends every request to http://{host} in clear text"
                       f"{where(site, loaders)}: the API key and the prompts cross {network}"
                       "unencrypted")
            yield self.finding(message, site.location, BASE_URL, severity=severity,
                               subject=host)


class BaseUrlThirdParty(Rule):
    """
    ## What it does
    Says when the effective `ANTHROPIC_BASE_URL` points at a host that is not Anthropic's
    (`api.anthropic.com`): a gateway, a proxy, a mock server, another provider's
    Anthropic-compatible endpoint.

    ## Why is this bad?
    It is often meant, but it changes what every other check means: the credential goes to
    that host (which may want its own keys), model names are the gateway's (a valid Claude ID
    can 404 there, and a gateway's alias is not a Claude ID), and a leftover base URL from a
    local experiment (`http://localhost:4000`) silently sends production traffic nowhere.
    envaudit's key-format rules (EA109, EA110) stay silent for such hosts, and EA605 is a
    warning for IDs the gateway may map.

    ## Example
    `ANTHROPIC_BASE_URL=https://llm-gateway.example.com/anthropic`

    ## Use instead
    Nothing, when the gateway is meant. Otherwise remove the line (the SDKs default to
    `https://api.anthropic.com`).

    ## References
    - research/anchors.md, "Model not found / deprecated model 404" (a leftover base URL to a
      local server made a valid model 404)
    """

    meta = RuleMeta("EA604", "base-url-third-party", Severity.INFO,
                    "ANTHROPIC_BASE_URL points at a host that is not Anthropic's",
                    "keep it when the gateway is meant; otherwise remove ANTHROPIC_BASE_URL")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire once, at the winning definition, for a host that is not Anthropic's."""
        winner = ctx.winner(BASE_URL)
        if winner is None or not winner.value or predict(winner.value).target is None:
            return
        host = split(winner.value.strip()).host
        if not host or is_anthropic(host):
            return
        shown = shown_url(winner.value.strip()).rstrip("/")
        message = (f"{BASE_URL} sends requests to {host}, not api.anthropic.com: the credential "
                   f"goes to that host, and model IDs are its own (requests go to "
                   f"{shown}/v1/messages)")
        yield self.finding(message, winner.location, BASE_URL, subject=host)


class Header(Record):
    """One line of ``ANTHROPIC_CUSTOM_HEADERS`` as the SDK reads it."""

    line: int
    """1-based line within the value."""
    name: str | None
    """The header name (stripped), ``None`` for a line without ``:``."""
    blank: bool
    """The line is empty or white space."""
    text: str = ""
    """The line's value part (after the first ``:``); never shown."""


def parse_headers(value: str) -> list[Header]:
    """The lines of ``ANTHROPIC_CUSTOM_HEADERS`` as anthropic 2.17.0 splits them (on ``\\n``;
    a line without ``:`` is ignored; name and value stripped)."""
    out = []
    for number, line in enumerate(value.split("\n"), start=1):
        colon = line.find(":")
        out.append(Header(number, line[:colon].strip() if colon >= 0 else None,
                          not line.strip(), line[colon + 1:] if colon >= 0 else ""))
    return out


def _name_shown(name: str) -> str:
    """A header name as a message may show it: a valid token of at most 40 characters that no
    credential format matches; otherwise its length only."""
    from envaudit.redact import is_secret

    # NOTE: judged by its form only (a neutral variable name; "HEADER" would read as secret)
    if 0 < len(name) <= 40 and all(c in _TOKEN for c in name) and not is_secret("X", name):
        return f"'{name}'"
    return f"a {len(name)}-character name"


class CustomHeadersMalformed(Rule):
    """
    ## What it does
    Reads `ANTHROPIC_CUSTOM_HEADERS` as the SDK does (one `Name: value` per line, lines split
    on `\\n`) and finds lines without a colon, header names that are empty or hold characters
    a header name cannot (a space), and headers that carry a credential (`Authorization`,
    `x-api-key`). It never shows a header's value: the variable often holds auth headers.

    ## Why is this bad?
    - A line without `:` is silently ignored: the header the gateway needs is never sent (a
      `\\n` written literally inside single quotes is not a line break either: the next header
      becomes part of this one's value).
    - An empty or invalid name makes every request fail: anthropic 2.17 raises
      `APIConnectionError: Connection to HOST failed: LocalProtocolError`.
    - `Authorization` replaces the `Authorization: Bearer` header the SDK builds from
      `ANTHROPIC_API_KEY` (measured on anthropic 2.17.0: the key is not sent); `x-api-key` is
      sent beside it. Either way a credential lives in a variable that key checks, rotation
      and secret scanners do not look at.

    ## Example
    `ANTHROPIC_CUSTOM_HEADERS='X-Gateway-Team platform'`

    ## Use instead
    `ANTHROPIC_CUSTOM_HEADERS="X-Gateway-Team: platform\\nX-Trace: on"` (double quotes, so
    the loader turns `\\n` into a line break), and the credential in `ANTHROPIC_API_KEY` or
    `ANTHROPIC_AUTH_TOKEN`.

    ## References
    - research/sdk-facts.md, section 1 (`ANTHROPIC_CUSTOM_HEADERS`, `_client.py`)
    - docs/sdk-facts.md, "Base URL joining and custom headers" (measured on anthropic 2.17.0)
    """

    meta = RuleMeta("EA611", "custom-headers-malformed", Severity.ERROR,
                    "ANTHROPIC_CUSTOM_HEADERS has lines that are not 'Name: value', or sets "
                    "an auth header",
                    "one 'Name: value' per line, and credentials in ANTHROPIC_API_KEY / "
                    "ANTHROPIC_AUTH_TOKEN")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per malformed or credential-carrying line of each value."""
        for site, values in ctx.site_values(CUSTOM_HEADERS):
            for value, loaders in values:
                if not value:
                    continue
                at = where(site, loaders)
                for h in parse_headers(value):
                    problem = _header_problem(h, value)
                    if problem is None:
                        continue
                    text, severity, subject = problem
                    message = f"{CUSTOM_HEADERS} line {h.line}{at}: {text}"
                    yield self.finding(message, site.location, CUSTOM_HEADERS,
                                       severity=severity, subject=f"{subject}:{h.line}")


def _header_problem(h: Header, value: str) -> tuple[str, Severity | None, str] | None:
    """(message, severity, subject) for a line, or ``None`` when it is fine."""
    if h.name is None:
        if h.blank:
            return None
        literal = " (a literal \\n? only a real line break separates headers)" if (
            "\\n" in value) else ""
        return (f"has no ':', so the SDK ignores it and the header is never sent{literal}",
                None, "no-colon")
    if not h.name or any(c not in _TOKEN for c in h.name):
        what = "an empty header name" if not h.name else (
            f"{_name_shown(h.name)} that is not a valid header name (a space or another "
            "character names cannot hold)")
        return (f"has {what}: every request fails with APIConnectionError (anthropic 2.17: "
                "'Connection to HOST failed: LocalProtocolError')", None, "bad-name")
    auth = _AUTH_HEADERS.get(h.name.lower())
    if auth is None:
        if "\\n" in h.text:
            return (f"the value of header {_name_shown(h.name)} holds a literal \\n (single "
                    "quotes, or an "
                    "escaped one): the SDK splits on real line breaks only, so what follows is "
                    "part of this header's value, not a header of its own", Severity.WARNING,
                    "literal-newline")
        return None
    effect = ("replaces the Authorization header the SDK builds from ANTHROPIC_API_KEY (the key "
              "is not sent)" if auth == "Authorization" else "is sent beside the SDK's own "
              "credential header")
    return (f"sets {auth}: a credential in a variable key checks and secret rotation do not "
            f"cover; it {effect}", Severity.WARNING, auth.lower())


RULES: tuple[Rule, ...] = (BaseUrlV1Suffix(), BaseUrlMalformed(), BaseUrlInsecure(),
                           BaseUrlThirdParty(), CustomHeadersMalformed())
