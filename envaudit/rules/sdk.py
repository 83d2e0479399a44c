"""EA5xx: the SDK versions installed in the app's environments (``Snapshot.python_envs``).

Implemented so far: EA502, EA505 (exact pins) and EA509; the others need the release data and
the source's imports (issue 4).
"""

from __future__ import annotations

import posixpath
import re
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


def _same(installed: str | None, pinned: str) -> bool:
    """The same version, written alike or as the same plain release (``2.12`` = ``2.12.0``)."""
    a, b = (installed or "").strip().lstrip("v"), pinned.strip().lstrip("v")
    plain = re.compile(r"\d+(\.\d+)*")
    return a == b or (bool(plain.fullmatch(a)) and bool(plain.fullmatch(b))
                      and release(a) == release(b))


class SdkDeclaredMismatch(Rule):
    """
    ## What it does
    Finds a relevant package (anthropic, httpx, httpx2, python-dotenv, @anthropic-ai/sdk,
    dotenv …) whose installed version differs from the exact version the project pins for it:
    `uv.lock`, `poetry.lock`, `Pipfile.lock`, `name==version` in `requirements*.txt` (compared
    with each Python environment of the project), `package-lock.json` (with the same folder's
    `node_modules`). Ranges (`>=`, `^`) are not compared.

    ## Why is this bad?
    The lock file is what was tested; the environment is what runs. A stale `.venv` after a
    `git pull`, an image built with `pip install anthropic` instead of from the lock, or a
    `node_modules` left from another branch run a different SDK than the one the lock file
    describes, with different headers, HTTP stack and bugs.

    ## Example
    `uv.lock` pins anthropic 2.12.0, `.venv` has anthropic 1.17.0.

    ## Use instead
    Reinstall from the lock file: `uv sync`, `poetry install --sync`, `pipenv sync`,
    `pip install -r requirements.txt`, `npm ci`.

    ## References
    - research/sdk-facts.md (what each version line does differently)
    """

    meta = RuleMeta("EA505", "sdk-declared-mismatch", Severity.WARNING,
                    "an installed version differs from the one a lock or requirements file pins",
                    "reinstall from the lock file (uv sync, poetry install --sync, npm ci)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per pinned package whose installed copy has another version."""
        snap = ctx.snapshot
        for declared in snap.declared:
            if declared.ecosystem == "python":
                places = [(e.path, e.package) for e in snap.python_envs]
            else:
                folder = posixpath.dirname(declared.path) or "."
                places = [(f"{m.folder}/node_modules" if m.folder != "." else "node_modules",
                           m.package) for m in snap.node_modules if m.folder == folder]
            for pin in declared.pins:
                for where, package_of in places:
                    installed = package_of(pin.name)
                    if installed is None or _same(installed.version, pin.version):
                        continue
                    message = (f"{declared.path} pins {pin.name} {pin.version}, but {where} has "
                               f"{installed.version}: the app runs a version the lock file "
                               "does not describe")
                    yield self.finding(message, Location("config", declared.path, pin.line),
                                       subject=f"{pin.name}@{where}")


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


RULES: tuple[Rule, ...] = (SdkHttpxIncompatible(), SdkDeclaredMismatch(), SdkBearerAuthGateway())
