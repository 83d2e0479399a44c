"""The effective-configuration table (like ``aws configure list``): for each provider variable,
its value or hint, the winning source, and what the SDKs will do with it.

Spec: shared/spec/cli.md "Effective configuration"; the sentences come from
research/sdk-facts.md (``data/sdk_facts.toml`` where a rule says the same thing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from envaudit.context import AuditContext, Site, folder_contains, folder_of
from envaudit.model import COMPOSE, Definition, DotenvFile
from envaudit.record import Record
from envaudit.redact import redact_url, salt, show, value_fp
from envaudit.sdkfacts import NOT_MEASURED, SdkProfile, fact, installed_profiles
from envaudit.variables import PROVIDER_PREFIXES, TABLE_ALWAYS, TABLE_VARIABLES, relevant

#: Shadowed sources listed after the winner before ``+N more``.
_SHADOWED_SHOWN = 2
_OTHER = {
    "ANTHROPIC_MODEL": "not read by the SDKs: only code that passes it as model= (or Claude Code) "
                       "uses it",
    "ANTHROPIC_PROFILE": "selects <config dir>/configs/<profile>.json when no API key or auth "
                         "token is set",
    "ANTHROPIC_CONFIG_DIR": "where the SDKs look for profiles (default ~/.config/anthropic)",
    "ANTHROPIC_LOG": "only 'debug' or 'info' turn on the SDK's logging (the key is never logged)",
    "ANTHROPIC_CUSTOM_HEADERS": "newline-separated 'Name: value' headers added to every request",
    "ANTHROPIC_ADMIN_KEY": "not read by the SDKs (Admin API clients only)",
    "ANTHROPIC_ADMIN_API_KEY": "not read by the SDKs (Admin API clients only)",
    "SSL_CERT_DIR": "replaces the Python SDK's trust store when SSL_CERT_FILE is unset",
    "REQUESTS_CA_BUNDLE": "ignored by every anthropic (Python) version; requests/curl only",
    "CURL_CA_BUNDLE": "ignored by every anthropic (Python) version; requests/curl only",
    "NODE_EXTRA_CA_CERTS": "adds CAs for Node (the TypeScript SDK); the Python SDK ignores it",
    "NODE_TLS_REJECT_UNAUTHORIZED": "'0' turns TLS verification off for every Node request",
    "NODE_USE_ENV_PROXY": "'1' makes Node's fetch use HTTP(S)_PROXY on Node >= 22.21 / 24 only; "
                          "Node 20 and 22.20 ignore it",
}
#: Shown instead of the table when nothing says the app uses the Anthropic API.
NOT_IN_USE = ("not shown: nothing says this app uses the Anthropic API (no ANTHROPIC_* variable, "
              "no manifest naming the SDK); --provider anthropic shows it anyway")
_PROXY_EFFECT = ("anthropic (Python) < 0.47 and >= 0.54 connect through it; 0.47-0.53 ignore it; "
                 "Node's fetch ignores it unless NODE_USE_ENV_PROXY=1 (Node >= 22.21 / 24)")
#: The SDK line of the table when no environment of the app has the SDK.
NO_SDK = ("no anthropic SDK found in the project's environments; rows state each SDK line's "
          "behaviour")
#: A proxy variable's row, by the installed SDKs' proxy state (``SdkProfile.proxy``).
_PROXY_STATE = {
    "honoured": "connects through it",
    "ignored": "ignores it and connects directly (anthropic 0.47-0.53; fixed in 0.54)",
    "node-env": "ignores it: Node's fetch reads it only with NODE_USE_ENV_PROXY=1 (Node >= "
                "22.21 / 24)",
}
#: A trust store (``SdkProfile.ca_store``) in a few words.
_STORES = {"certifi": "certifi's bundle", "system": "the OS trust store"}


class ConfigRow(Record):
    """One row of the table."""

    variable: str
    """Variable name."""
    shown: str
    """The value (non-secret) or its hint (secret), or ``(not set)``."""
    source: str
    """``process``, ``.env:3`` ... or ``-``."""
    effect: str
    """What the SDKs do with it."""
    shadowed: tuple[str, ...] = ()
    """Lower-precedence sources that also define it (``.env:3``), whose values are not used."""

    @property
    def source_text(self) -> str:
        """The winning source, with the sources it overrides: ``process (overrides .env:3)``."""
        if not self.shadowed:
            return self.source
        more = len(self.shadowed) - _SHADOWED_SHOWN
        listed = ", ".join(self.shadowed[:_SHADOWED_SHOWN]) + (f" +{more} more" if more > 0 else "")
        return f"{self.source} (overrides {listed})"


class _Installed:
    """The SDK releases installed in the app's environments, for the rows' wording: a row
    states what they do when they agree on it, and each SDK line's behaviour otherwise (none
    installed, releases that differ, a release outside the measured ranges)."""

    def __init__(self, profiles: list[SdkProfile]) -> None:
        self.profiles = profiles
        self.kinds = {p.kind for p in profiles}

    def agreed(self, field: str, kind: str | None = None) -> str | None:
        """The value every installed release (of ``kind``) has for ``field``; ``None`` when
        there is none, they differ, or one is not measured."""
        values = {getattr(p, field) for p in self.profiles if kind is None or p.kind == kind}
        return values.pop() if len(values) == 1 and None not in values else None

    def label(self, kind: str | None = None) -> str:
        """The subject of a row's sentence (singular): ``anthropic 2.17.0 (installed)``, or
        ``each installed SDK (anthropic 2.12.0, 2.17.0; @anthropic-ai/sdk 1.10.0)``."""
        versions: dict[str, list[str]] = {}
        for p in self.profiles:
            if kind is None or p.kind == kind:
                listed = versions.setdefault(p.sdk, [])
                if p.version not in listed:
                    listed.append(p.version)
        named = "; ".join(f"{sdk} {', '.join(v)}" for sdk, v in versions.items())
        if sum(map(len, versions.values())) == 1:
            return f"{named} (installed)"
        return f"each installed SDK ({named})"


_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")


def split_url(url: str) -> tuple[str, str]:
    """(scheme in lower case, path) as ``urllib.parse.urlsplit`` splits ``url``, for a URL
    with no white space or control characters in it (callers deal with those first).

    Written out rather than imported: ``urllib.parse`` (which imports ``ipaddress``) costs
    2.4 ms to import on every run that shows a base URL or a proxy; and unlike ``urlsplit``
    this never raises (``http://[::1/v1``: ``urlsplit`` rejects the unclosed bracket).
    ``tests/formatters/test_effective.py`` holds it to ``urlsplit`` with hypothesis.
    """
    scheme, rest = "", url
    colon = url.find(":")
    if colon > 0 and url[0].isascii() and url[0].isalpha() and all(
            c in _SCHEME_CHARS for c in url[:colon]):
        scheme, rest = url[:colon].lower(), url[colon + 1:]
    if rest[:2] == "//":  # the authority runs to the first of / ? #
        ends = [i for i in (rest.find(c, 2) for c in "/?#") if i >= 0]
        rest = rest[min(ends):] if ends else ""
    return scheme, rest.split("#", 1)[0].split("?", 1)[0]


def _base_url_effect(value: str | None, sdk: _Installed) -> str:
    if value is None:
        return f"requests go to {fact('base-url', 'default')}/v1/messages"
    if value.strip() == "":
        if sdk.kinds == {"python"}:
            return fact("base-url", "empty-python")
        if sdk.kinds == {"node"}:
            return fact("base-url", "empty-ts")
        return f"{fact('base-url', 'empty-python')}; {fact('base-url', 'empty-ts')}"
    shown = redact_url(value.strip())
    if any(ch in value for ch in "\r\n\t"):
        return ("anthropic (Python) raises InvalidURL (non-printable character) when the client "
                "is built; the TypeScript SDK trims it")
    scheme, path = split_url(value.strip())
    if value != value.lstrip() or scheme not in ("http", "https"):
        return ("every request fails with APIConnectionError 'Connection error.' (anthropic 2.17: "
                "'Connection to HOST failed: UnsupportedProtocol'; the URL needs http:// or "
                "https://); the TypeScript SDK raises TypeError 'Invalid URL'")
    path = path.rstrip("/")
    target = f"requests go to {shown.rstrip('/')}/v1/messages"
    if path.endswith("/v1") or path.endswith("/v1/messages"):
        return f"{target}: the SDKs append /v1 themselves, so drop it from the base URL"
    return target


def _proxy_effect(name: str, value: str, ctx: AuditContext, sdk: _Installed) -> str:
    lower = name.lower()
    if name != lower:
        other = ctx.effective(lower)
        if other is not None:
            if not other.value:
                return f"ignored: the empty {lower} deletes it (urllib's getproxies)"
            return f"ignored: {lower} is also set and lower case wins (urllib's getproxies)"
    state = sdk.agreed("proxy")
    effect = f"{sdk.label()} {_PROXY_STATE[state]}" if state in _PROXY_STATE else _PROXY_EFFECT
    if state == "ignored" or (state is not None and sdk.kinds == {"node"}):
        return effect  # no Python client parses the value: its construction errors cannot happen
    scheme = split_url(value.strip())[0] if "://" in value else ""
    if scheme in ("socks5", "socks5h"):
        return ("anthropic (Python) raises ImportError at construction unless the socksio package "
                "is installed; " + effect)
    if scheme and scheme not in ("http", "https"):
        return f"anthropic (Python) raises ValueError 'Unknown scheme for proxy URL' ({scheme}://)"
    if value != value.strip():
        return ("anthropic (Python) fails when the client is built (white space around the proxy "
                "URL: ValueError or InvalidURL)")
    assumed = "" if scheme else "http:// is assumed; "
    return assumed + effect


def _key_effect(sdk: _Installed) -> str:
    header, version = sdk.agreed("key_header"), sdk.agreed("api_version")
    if header and version:
        return f"{sdk.label()} sends {header} <key>, anthropic-version {version}"
    return f"{fact('auth-header', 'python-2')}; {fact('auth-header', 'python-0')}"


def _token_effect(ctx: AuditContext, sdk: _Installed) -> str:
    if ctx.effective_value("ANTHROPIC_API_KEY"):
        both = sdk.agreed("both")
        if both:
            return f"{sdk.label()} {both}"
        return (f"{fact('auth-conflict', 'python-2')}; {fact('auth-conflict', 'python-mid')}; "
                f"{fact('auth-conflict', 'python-old')}")
    header = sdk.agreed("token_header")
    return f"{sdk.label()} sends {header} <token>" if header else fact("auth-header", "token")


def _ca_effect(name: str, sdk: _Installed) -> str:
    """``SSL_CERT_FILE`` / ``SSL_CERT_DIR``: the Python SDK's store they replace."""
    store = _STORES.get(sdk.agreed("ca_store", "python") or "")
    when = "" if name == "SSL_CERT_FILE" else " when SSL_CERT_FILE is unset"
    if store is None:
        if name == "SSL_CERT_DIR":
            return _OTHER[name]
        return ("replaces the Python SDK's trust store (httpx and httpx2): the file must hold "
                "every CA needed; Node ignores it")
    node = "; Node ignores it" if "node" in sdk.kinds and name == "SSL_CERT_FILE" else ""
    need = ": the file must hold every CA needed" if name == "SSL_CERT_FILE" else ""
    return f"replaces {store}, the trust store of {sdk.label('python')}{when}{need}{node}"


def _no_proxy_effect(sdk: _Installed) -> str:
    if sdk.agreed("proxy") == "ignored":
        return f"no effect: {sdk.label()} ignores the proxy variables"
    matching = sdk.agreed("no_proxy")
    if matching:
        return (f"hosts that bypass the proxy, as {sdk.label()} matches them: {matching} "
                "(EA307/EA308)")
    return "hosts that bypass the proxy (the Python SDK's own matching; see EA307/EA308)"


def _routes_note(ctx: AuditContext, name: str) -> str:
    """What the network model (``envaudit.network``) says of the API host for this proxy or
    ``NO_PROXY`` variable: ``; to https://api.anthropic.com: anthropic 2.17.0 (.venv) through
    it, curl through it``."""
    from envaudit.network import model

    routes = model(ctx)
    if not routes:
        return ""
    no_proxy = name.lower() == "no_proxy"
    parts = []
    for r in routes:
        if no_proxy:
            if r.variable is None or r.route == "unknown" or r.ignored:
                continue
            parts.append(f"{r.client} bypasses the proxy (entry {r.bypass!r})" if r.bypass
                         else f"{r.client} does not match it")
        elif r.error and r.error.startswith("construction") and r.variable != name:
            parts.append(f"{r.client} cannot be built ({r.variable or 'NO_PROXY'} fails)")
        elif r.variable == name:
            if r.ignored:
                parts.append(f"{r.client} ignores it")
            elif r.error:
                parts.append(f"{r.client} fails ({r.error})")
            elif r.bypass:
                parts.append(f"{r.client} goes direct (NO_PROXY entry {r.bypass!r})")
            elif r.route == "proxy":
                parts.append(f"{r.client} through it")
    target = routes[0].target
    if not parts:
        if no_proxy:
            return ""
        return f"; not used for {target}"
    return f"; for {target}: {', '.join(parts)}"


def _effect(name: str, value: str | None, ctx: AuditContext, sdk: _Installed) -> str:
    if name == "ANTHROPIC_BASE_URL":
        return _base_url_effect(value, sdk)
    if value is None:
        if name == "ANTHROPIC_API_KEY" and ctx.effective_value("ANTHROPIC_AUTH_TOKEN"):
            return "the SDKs use ANTHROPIC_AUTH_TOKEN instead"
        if name == "ANTHROPIC_API_KEY":
            if not ctx.has_process_env:
                return ("not loaded from any file; the process environment was not read "
                        "(--no-process-env), so the deployment may still set it")
            return fact("key-missing", "ts" if sdk.kinds == {"node"} else "python")
        return ""
    if name == "ANTHROPIC_API_KEY":
        if not value:
            return fact("key-empty", "all")
        both = ""
        if ctx.effective_value("ANTHROPIC_AUTH_TOKEN"):
            both = "; ANTHROPIC_AUTH_TOKEN is also set (EA111)"
        return f"{_key_effect(sdk)}{both}"
    if name == "ANTHROPIC_AUTH_TOKEN":
        return _token_effect(ctx, sdk) if value else "empty: treated as unset"
    lower = name.lower()
    if lower in ("https_proxy", "http_proxy", "all_proxy"):
        if not value:
            return "empty: no proxy"
        return _proxy_effect(name, value, ctx, sdk) + _routes_note(ctx, name)
    if lower == "no_proxy":
        return _no_proxy_effect(sdk) + _routes_note(ctx, name)
    if name == "SSL_CERT_FILE":
        if not value:
            return "empty: ignored (the default trust store is used)"
        return _ca_effect(name, sdk) + _ca_held(ctx, name, value)
    if name == "SSL_CERT_DIR":
        if ctx.effective_value("SSL_CERT_FILE"):
            return "ignored: SSL_CERT_FILE wins when both are set"
        return _ca_effect(name, sdk) + _ca_held(ctx, name, value)
    return _OTHER.get(name, "") + _ca_held(ctx, name, value)


def _ca_held(ctx: AuditContext, name: str, path: str) -> str:
    """``; holds 1 certificate (…)``: what a CA variable's path holds (``envaudit.tls``)."""
    folder = name == "SSL_CERT_DIR"
    ca = next((c for c in ctx.snapshot.ca_files if c.path == path and c.folder == folder), None)
    if ca is None:
        return ""
    from envaudit.tls import summary

    return f"; {show(name, path)}: {summary(ca)}"


def _layered(winner: Definition, mine: DotenvFile | None, site: Site) -> bool:
    """Whether ``site`` is a lower layer of the same app as ``winner`` (read from ``mine``):
    the process environment and explicit files layer over everything; discovered files only
    along one folder chain (sibling workspaces of a monorepo are different apps, not layers)."""
    if winner.location.source != "dotenv" or site.location.source != "dotenv":
        return True
    other = site.file
    if mine is None or other is None:
        return True
    if mine.origin != "discovered" or other.origin != "discovered":
        return True
    a, b = folder_of(mine.path), folder_of(other.path)
    return folder_contains(a, b) or folder_contains(b, a)


def _compose_only(site: Site, winner: Definition) -> bool:
    """``site`` only reaches compose's containers (an ``environment:`` entry, a file only
    compose reads), which another loader's winner does not override."""
    return winner.loader != COMPOSE and site.values.keys() == {COMPOSE}


def precedence_note(ctx: AuditContext) -> str:
    """What beats what in the table, in words: ``the process environment wins over .env files``
    (``the environment of pid 42 …``; ``…, except those loaded with override``)."""
    if not ctx.has_process_env:
        return ".env files only: the process environment was not read"
    from envaudit.loaders import LOADERS

    override = any(ctx.loads_over_environment(loader, f)
                   for loader in ctx.snapshot.loaders
                   if loader in LOADERS and LOADERS[loader].kind != "docker"
                   for f in ctx.env_files)
    return (f"{ctx.environment_words()} wins over .env files"
            + (", except those loaded with override" if override else ""))


def _source(d: Definition) -> str:
    return "process" if d.location.source == "process" else d.location.display()


def _shown_names(ctx: AuditContext, also: Callable[[str], bool]) -> list[str]:
    """The table's variables that are set anywhere (and those always shown), in its order, then
    the other set variables ``also`` accepts, sorted."""
    names = set(ctx.names())
    return ([n for n in TABLE_VARIABLES if n in names or n in TABLE_ALWAYS]
            + sorted(n for n in names if also(n) and n not in TABLE_VARIABLES))


def rows(ctx: AuditContext) -> list[ConfigRow]:
    """The table rows, in a fixed order; variables that are set anywhere, plus the key and URL."""
    names = _shown_names(ctx, lambda n: n.startswith(PROVIDER_PREFIXES))
    files = {f.path: f for f in ctx.env_files}
    sdk = _Installed(installed_profiles(ctx.snapshot))
    out: list[ConfigRow] = []
    for name in names:
        winner = ctx.winner(name)
        if winner is None:
            unread = list(dict.fromkeys(s.location.display() for s in ctx.sites(name)
                                        if s.file is not None))
            if unread:  # defined, but only in files no loader in use reads (or not this way)
                more = f" +{len(unread) - 2} more" if len(unread) > 2 else ""
                shown = f"(not loaded; set in {', '.join(unread[:2])}{more})"
            else:
                shown = "(not set)" if ctx.has_process_env else "(not set in any file)"
            out.append(ConfigRow(name, shown, "-", _effect(name, None, ctx, sdk)))
            continue
        source = _source(winner)
        mine = files.get(winner.location.path or "")
        shadowed = tuple(dict.fromkeys(
            site.location.display() for site in ctx.sites(name)
            if site.location != winner.location and _layered(winner, mine, site)
            and not _compose_only(site, winner)
        ))
        out.append(ConfigRow(name, show(name, winner.value), source,
                             _effect(name, winner.value, ctx, sdk), shadowed))
    return out


def sdk_rows(ctx: AuditContext) -> list[ConfigRow]:
    """The table's SDK lines, after the variables: one per environment of the app that has the
    SDK (environments with the same release, runtime and facts share one), else one saying
    none has it. ``variable`` is ``SDK <where>``, ``source`` how the environment was found."""
    groups: list[list[SdkProfile]] = []
    for p in installed_profiles(ctx.snapshot):
        group = next((g for g in groups if g[0].same_facts(p)), None)
        if group is None:
            groups.append([p])
        else:
            group.append(p)
    if not groups:
        return [ConfigRow("SDK", NO_SDK, "-", "")]
    out = []
    for group in groups:
        p = group[0]
        places = [q.where for q in group]
        more = f" +{len(places) - 2} more" if len(places) > 2 else ""
        shown = " · ".join(part for part in (f"{p.sdk} {p.version}", p.http, p.runtime) if part)
        origins = ", ".join(dict.fromkeys(q.origin for q in group if q.origin)) or "-"
        out.append(ConfigRow(f"SDK {', '.join(places[:2])}{more}", shown, origins,
                             profile_summary(p)))
    return out


def profile_summary(p: SdkProfile) -> str:
    """An SDK line's effect: the key's header, ``anthropic-version``, trust store, proxies."""
    if not any((p.http, p.key_header, p.api_version, p.ca, p.proxy)):
        return (f"{NOT_MEASURED}: the facts cover {p.sdk} {p.measured_range}; rows state each "
                "SDK line's behaviour")
    return (f"key: {p.key_header or NOT_MEASURED} · anthropic-version: "
            f"{p.api_version or NOT_MEASURED} · CA: {p.ca or NOT_MEASURED} · proxy: "
            f"{p.proxy_text or NOT_MEASURED}")


def sdks(ctx: AuditContext) -> list[dict[str, Any]]:
    """The JSON report's ``sdks``: the profile of every environment of the app that has the
    SDK (``SdkProfile.to_json``). Empty when nothing says the app uses the provider (as the
    table)."""
    if not ctx.provider_in_use:
        return []
    return [p.to_json() for p in installed_profiles(ctx.snapshot)]


def variables(ctx: AuditContext) -> list[dict[str, Any]]:
    """The JSON report's ``variables``: for every provider variable set anywhere the app may
    load from (and the key and base URL), every place it is defined with the distinct values
    read there and the loaders that read each, and the definition each loader in use ends up
    with (``null``: not set). Empty when nothing says the app uses the provider (as the table).

    Each value is ``{"shown": ..., "value_fp": ...}``: shown as every output may carry it
    (value, hint or redacted URL) and its fingerprint (``null`` for a bare key). Read back from
    ``variables_json``, which the JSON report writes."""
    import json

    return [json.loads(entry) for entry in variables_json(ctx)]


def variables_json(ctx: AuditContext) -> list[str]:
    """``variables(ctx)``'s entries as JSON text, each exactly as ``json.dumps(entry,
    ensure_ascii=False)`` writes it, built from pieces: a monorepo's provider variables have
    thousands of definition sites, and a value (its hint, its fingerprint) recurs in many."""
    if not ctx.provider_in_use:
        return []
    from envaudit import jsontext

    string, location = jsontext.string, jsontext.location
    key = salt()
    loaders_in_use = tuple(dict.fromkeys(ctx.snapshot.loaders))
    lists: dict[tuple[str, ...], str] = {}  # a list of loaders, as JSON
    out: list[str] = []
    for name in _shown_names(ctx, relevant):
        shown: dict[str | None, str] = {}  # a value recurs in many files: its members, once
        sources = []
        for site, values in ctx.site_values(name):
            entries = []
            for v, loaders in values:
                ids = tuple(loaders)
                listed = lists.get(ids) or lists.setdefault(ids, jsontext.array(map(string, ids)))
                members = shown.get(v) or shown.setdefault(v, _value_members(name, v, key))
                entries.append(f'{{"loaders": {listed}, {members}}}')
            sources.append(f'{{"location": {location(site.location)}, '
                           f'"values": [{", ".join(entries)}]}}')
        winners = []
        for loader in loaders_in_use:
            d = ctx.effective(name, loader)
            if d is None:
                winners.append(f"{string(loader)}: null")
                continue
            members = shown.get(d.value) or shown.setdefault(d.value,
                                                             _value_members(name, d.value, key))
            winners.append(f'{string(loader)}: {{"location": {location(d.location)}, {members}}}')
        out.append(f'{{"name": {string(name)}, "sources": [{", ".join(sources)}], '
                   f'"winner": {{{", ".join(winners)}}}}}')
    return out


def _value_members(name: str, value: str | None, key: bytes) -> str:
    """A value as every output may carry it, as the JSON members ``"shown": ..., "value_fp":
    ...``: shown (value, hint or redacted URL) and its fingerprint (``null`` for a bare key)."""
    from envaudit.jsontext import string

    fp = "null" if value is None else string(value_fp(value, key))
    return f'"shown": {string(show(name, value, key))}, "value_fp": {fp}'
