"""The effective-configuration table (like ``aws configure list``): for each provider variable,
its value or hint, the winning source, and what the SDKs will do with it."""

from __future__ import annotations

from dataclasses import dataclass

from envaudit.context import AuditContext
from envaudit.redact import show
from envaudit.sdkfacts import fact

_ALWAYS = ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL")
_ORDER = (
    "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "ANTHROPIC_CUSTOM_HEADERS",
    "ANTHROPIC_MODEL", "ANTHROPIC_PROFILE", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY",
    "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "SSL_CERT_FILE",
    "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS",
    "NODE_TLS_REJECT_UNAUTHORIZED", "NODE_USE_ENV_PROXY",
)


@dataclass(frozen=True)
class ConfigRow:
    """One row of the table."""

    variable: str
    """Variable name."""
    shown: str
    """The value (non-secret) or its hint (secret), or ``(not set)``."""
    source: str
    """``process``, ``.env:3`` ... or ``-``."""
    effect: str
    """What the SDKs do with it."""


def _effect(name: str, value: str | None, ctx: AuditContext) -> str:
    if name == "ANTHROPIC_API_KEY":
        if not value:
            return fact("key-missing", "python")
        extra = ""
        if ctx.effective_value("ANTHROPIC_AUTH_TOKEN"):
            extra = "; ANTHROPIC_AUTH_TOKEN is also set (EA111)"
        return f"{fact('auth-header', 'python-2')}; {fact('auth-header', 'python-0')}{extra}"
    if name == "ANTHROPIC_AUTH_TOKEN":
        return fact("auth-header", "token")
    if name == "ANTHROPIC_BASE_URL":
        if value is None:
            return f"requests go to {fact('base-url', 'default')}/v1/messages"
        if value == "":
            return f"{fact('base-url', 'empty-python')}; {fact('base-url', 'empty-ts')}"
        return f"requests go to {value.rstrip('/')}/v1/messages"
    if name.lower() in ("https_proxy", "http_proxy", "all_proxy"):
        return ("anthropic (Python) < 0.47 and >= 0.54 connect through it (lower case wins); "
                "0.47-0.53 ignore it; Node's fetch ignores it unless NODE_USE_ENV_PROXY=1 "
                "(Node >= 22.21 / 24)")
    if name.lower() == "no_proxy":
        return "hosts that bypass the proxy (the Python SDK's own matching; see EA307/EA308)"
    if name == "SSL_CERT_FILE":
        return "replaces the Python SDK's trust store (httpx and httpx2); Node ignores it"
    if name == "SSL_CERT_DIR":
        return "replaces the Python SDK's trust store when SSL_CERT_FILE is unset"
    if name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        return "ignored by every anthropic (Python) version; requests/curl only"
    if name == "NODE_EXTRA_CA_CERTS":
        return "adds CAs for Node (the TypeScript SDK); the Python SDK ignores it"
    if name == "ANTHROPIC_CUSTOM_HEADERS":
        return "newline-separated 'Name: value' headers added to every request"
    return ""


def rows(ctx: AuditContext) -> list[ConfigRow]:
    """The table rows, in a fixed order; variables that are set anywhere, plus the key and URL."""
    names = set(ctx.names())
    wanted = [n for n in _ORDER if n in names or n in _ALWAYS]
    extra = sorted(n for n in names if n.startswith(("ANTHROPIC_", "CLAUDE_")) and n not in _ORDER)
    out: list[ConfigRow] = []
    for name in wanted + extra:
        winner = None
        for loader in ctx.snapshot.loaders:
            winner = ctx.effective(name, loader)
            if winner is not None:
                break
        if winner is None:
            out.append(ConfigRow(name, "(not set)", "-", _effect(name, None, ctx)))
            continue
        source = "process" if winner.location.source == "process" else winner.location.display()
        out.append(ConfigRow(name, show(name, winner.value), source,
                             _effect(name, winner.value, ctx)))
    return out
