"""EA5xx: the SDK versions installed in the app's environments (``Snapshot.python_envs``).

Implemented so far: EA502 and EA509; the other EA5xx rules need the declared versions and the
release data (issue 4).
"""

from __future__ import annotations

from collections.abc import Iterator

from envaudit.context import AuditContext
from envaudit.inventory.python_envs import release
from envaudit.model import Finding, Location, Severity
from envaudit.redact import show
from envaudit.rules.base import Rule, RuleMeta


class SdkHttpxIncompatible(Rule):
    """
    ## What it does
    Finds a Python environment of the app where `anthropic` 0.39.x or older is installed
    together with `httpx` 0.28 or newer.

    ## Why is this bad?
    httpx 0.28.0 removed the `proxies` argument, and anthropic up to 0.39.0 always passes it:
    building the client fails with `TypeError: Client.__init__() got an unexpected keyword
    argument 'proxies'` (`AsyncClient.__init__()` for the async client), before any request.
    anthropic 0.40.0 passes it only when given. It typically appears when an image is rebuilt:
    `anthropic` is pinned, `httpx` is not, and the resolver picks the newer httpx.

    ## Example
    `.venv` with `anthropic-0.39.0.dist-info` and `httpx-0.28.1.dist-info`.

    ## Use instead
    Upgrade anthropic (`pip install 'anthropic>=0.40'`), or pin `httpx<0.28` until you can.

    ## References
    - research/sdk-facts.md, "History boundaries" (httpx 0.28 `proxies`; ran 0.39.0 and 0.40.0
      with httpx 0.28.1)
    """

    meta = RuleMeta("EA502", "sdk-httpx-incompatible", Severity.ERROR,
                    "anthropic <= 0.39 with httpx >= 0.28: the client cannot be built",
                    "upgrade anthropic to >= 0.40 (or pin httpx<0.28)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire once per environment holding the broken pair."""
        for env in ctx.snapshot.python_envs:
            sdk, httpx = env.package("anthropic"), env.package("httpx")
            if sdk is None or httpx is None:
                continue
            sdk_release, httpx_release = release(sdk.version), release(httpx.version)
            if sdk_release is None or httpx_release is None:
                continue
            if sdk_release < (0, 40, 0) and httpx_release >= (0, 28, 0):
                message = (f"anthropic {sdk.version} with httpx {httpx.version} in {env.path} "
                           f"({env.origin}): building the client raises TypeError: "
                           "Client.__init__() got an unexpected keyword argument 'proxies' "
                           "(httpx 0.28 removed it; anthropic 0.40.0 stopped passing it)")
                yield self.finding(message, Location("package", sdk.path),
                                   subject=env.path)


class SdkBearerAuthGateway(Rule):
    """
    ## What it does
    Finds an installed SDK that sends the API key as `Authorization: Bearer` — anthropic 2.0 or
    newer (Python), @anthropic-ai/sdk 1.0 or newer (TypeScript) — while `ANTHROPIC_API_KEY` is
    set and the effective `ANTHROPIC_BASE_URL` is not Anthropic's host (a gateway, a proxy, a
    mock).

    ## Why is this bad?
    Older SDKs sent the key as `x-api-key` with `anthropic-version: 2023-06-01`; the new ones
    send only `Authorization: Bearer <key>` with `anthropic-version: 2026-10-21`. A gateway that
    forwards or allow-lists only `x-api-key` (or rewrites `Authorization` for its own auth)
    answers `401` after an SDK upgrade, while nothing in the app changed.

    ## Example
    `ANTHROPIC_BASE_URL=https://llm-gateway.example.com` and anthropic 2.12.0 in `.venv`.

    ## Use instead
    Make sure the gateway forwards `Authorization` and the new `anthropic-version`, or keep
    anthropic < 2.0 / @anthropic-ai/sdk < 1.0 until it does.

    ## References
    - research/sdk-facts.md, headline fact 1 and "History boundaries" (`x-api-key` ->
      `Authorization: Bearer`, 2.0.0)
    """

    meta = RuleMeta("EA509", "sdk-bearer-auth-gateway", Severity.WARNING,
                    "the installed SDK sends the API key as Authorization: Bearer to a base URL "
                    "that is not Anthropic's",
                    "make the gateway forward Authorization (or keep anthropic < 2.0 / "
                    "@anthropic-ai/sdk < 1.0 until it does)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire once per installed SDK of the Bearer line, when a key goes to a gateway."""
        if ctx.base_url_is_anthropic or not ctx.effective_value("ANTHROPIC_API_KEY"):
            return
        url = show("ANTHROPIC_BASE_URL", ctx.effective_value("ANTHROPIC_BASE_URL"))
        installed = [(f"anthropic {p.version} in {e.path}", p)
                     for e in ctx.snapshot.python_envs
                     if (p := e.package("anthropic")) and (release(p.version) or ()) >= (2, 0, 0)]
        installed += [(f"@anthropic-ai/sdk {p.version} in "
                       f"{'node_modules' if m.folder == '.' else m.folder + '/node_modules'}", p)
                      for m in ctx.snapshot.node_modules
                      if (p := m.package("@anthropic-ai/sdk"))
                      and (release(p.version) or ()) >= (1, 0, 0)]
        for what, package in installed:
            message = (f"{what} sends ANTHROPIC_API_KEY as 'Authorization: Bearer <key>' with "
                       f"anthropic-version 2026-10-21, not as x-api-key, to {url}: a gateway "
                       "that forwards or allow-lists only x-api-key answers 401")
            yield self.finding(message, Location("package", package.path),
                               "ANTHROPIC_API_KEY", subject=package.name)


RULES: tuple[Rule, ...] = (SdkHttpxIncompatible(), SdkBearerAuthGateway())
