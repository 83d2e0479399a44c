"""EA5xx: the SDK versions installed in the app's environments (``Snapshot.python_envs``).

Only EA502 is implemented so far; the other EA5xx rules need the Node inventory, the declared
versions and the release data (issue 4).
"""

from __future__ import annotations

from collections.abc import Iterator

from envaudit.context import AuditContext
from envaudit.inventory.python_envs import release
from envaudit.model import Finding, Location, Severity
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


RULES: tuple[Rule, ...] = (SdkHttpxIncompatible(),)
