"""EA5xx: the SDK versions installed in the app's environments (``Snapshot.python_envs``).

Implemented so far: EA502, EA505 (exact pins), EA506, EA507, EA509 and EA510 (Python); EA501
needs the release data, EA503/EA504/EA508 what the code calls (issue 4).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from envaudit.context import AuditContext
from envaudit.inventory.python_envs import release
from envaudit.model import Finding, Location, NodeModules, Package, Severity
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


def _top_level(modules: NodeModules, name: str) -> Package | None:
    """The copy of ``name`` directly in that ``node_modules`` (not a nested one)."""
    package = modules.package(name)
    return package if package is not None and package.path.count("node_modules") == 1 else None


class SdkMultipleInstalls(Rule):
    """
    ## What it does
    Finds the SDK installed at different versions in different environments of the same
    project: two Python environments (`.venv` and `VIRTUAL_ENV`, or an interpreter given with
    `--python`), or two workspaces' `node_modules`.

    ## Why is this bad?
    Which version runs depends on how the app is started: `python app.py` from an activated
    shell, `uv run`, the IDE's interpreter, a workspace script. "It works from my terminal"
    then means "it works with the other copy".

    ## Example
    `.venv` has anthropic 2.12.0; `VIRTUAL_ENV` points at an old `~/venvs/bot` with 0.39.0.

    ## Use instead
    One environment per app, synced from the lock file; remove the stale one.

    ## References
    - research/sdk-facts.md (what differs between the version lines)
    """

    meta = RuleMeta("EA506", "sdk-multiple-installs", Severity.WARNING,
                    "the SDK is installed at different versions in different environments of "
                    "the project",
                    "keep one environment per app, synced from the lock file")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire once per SDK installed at more than one version."""
        snap = ctx.snapshot
        python = [(e.path, p) for e in snap.python_envs if (p := e.package("anthropic"))]
        node = [(m.folder, p) for m in snap.node_modules
                if (p := _top_level(m, "@anthropic-ai/sdk"))]
        for sdk, copies in (("anthropic", python), ("@anthropic-ai/sdk", node)):
            versions = {p.version for _, p in copies}
            if len(versions) < 2:
                continue
            shown = "; ".join(f"{where}: {p.version}" for where, p in copies)
            message = (f"{sdk} is installed at {len(versions)} versions ({shown}): which one "
                       "runs depends on how the app is started")
            yield self.finding(message, Location("package", copies[0][1].path), subject=sdk)


class SdkMissing(Rule):
    """
    ## What it does
    Finds code that builds an Anthropic client (`Anthropic()`, `new Anthropic()` …) while the
    app's environment does not have the SDK installed: every Python environment found lacks
    `anthropic`, or the `node_modules` the file resolves from (its folder's or a parent's)
    lacks the package. Silent when no environment or `node_modules` was found (nothing
    installed yet, as on a fresh CI checkout).

    ## Why is this bad?
    The app fails at import: `ModuleNotFoundError: No module named 'anthropic'`, or node's
    `Cannot find package '@anthropic-ai/sdk'` / `ERR_MODULE_NOT_FOUND`, typically because it
    was installed globally or in another environment than the one that runs the app.

    ## Example
    `llm.py` builds `Anthropic()`; `.venv` has no `anthropic` (it was `pip install`ed into the
    system Python).

    ## Use instead
    Install it into the app's environment (`uv add anthropic`, `.venv/bin/pip install
    anthropic`, `npm install @anthropic-ai/sdk` in the package folder).

    ## References
    - research/sdk-facts.md, "Python SDK" 1
    """

    meta = RuleMeta("EA507", "sdk-missing", Severity.ERROR,
                    "code builds a client but the app's environment does not have the SDK",
                    "install the SDK into the app's environment")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire once per SDK package and environment that lacks it."""
        code = ctx.snapshot.code
        if code is None:
            return
        snap = ctx.snapshot
        reported: set[str] = set()
        for client in code.clients:
            if client.language == "python":
                envs = snap.python_envs
                sdk = client.sdk
                if not envs or any(e.package(sdk) for e in envs) or sdk in reported:
                    continue
                reported.add(sdk)
                where = ", ".join(e.path for e in envs)
                message = (f"{client.location.display()} builds {client.constructor}(), but "
                           f"{sdk} is not installed in {where}: the app fails with "
                           f"ModuleNotFoundError: No module named '{sdk}'")
                yield self.finding(message, client.location, subject=sdk)
                continue
            folder = posixpath.dirname(client.location.path or "")
            resolving = [m for m in snap.node_modules
                         if m.folder == "." or folder == m.folder
                         or folder.startswith(m.folder + "/")]
            key = f"{client.sdk}@{','.join(m.folder for m in resolving)}"
            if not resolving or any(_top_level(m, client.sdk) for m in resolving) or (
                    key in reported):
                continue
            reported.add(key)
            where = ", ".join("node_modules" if m.folder == "." else f"{m.folder}/node_modules"
                              for m in resolving)
            message = (f"{client.location.display()} builds {client.constructor}, but "
                       f"{client.sdk} is not in {where}: node fails with Cannot find package "
                       f"'{client.sdk}' (ERR_MODULE_NOT_FOUND)")
            yield self.finding(message, client.location, subject=key)


class RuntimeUnsupported(Rule):
    """
    ## What it does
    Finds a Python environment of the app on Python older than 3.10 while the project uses the
    Python SDK (installed there, or a client in the code).

    ## Why is this bad?
    anthropic 1.0 and later require Python 3.10 (`Requires-Python >=3.10`): on 3.9 the
    resolver silently installs the last 0.x release, with httpx instead of httpx2, `certifi`
    instead of the system trust store, `x-api-key` instead of `Authorization: Bearer`, and none
    of the fixes since. (Node < 20 is not checked yet: envaudit does not run `node`.)

    ## Example
    `.venv/pyvenv.cfg` says `version = 3.9.18`.

    ## Use instead
    Recreate the environment on Python 3.10 or newer.

    ## References
    - research/sdk-facts.md, "History of the floor" (1.0.0: `>=3.10`)
    """

    meta = RuleMeta("EA510", "runtime-unsupported", Severity.WARNING,
                    "the runtime is older than the current SDK needs",
                    "recreate the environment on Python 3.10 or newer")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire once per Python environment below 3.10 where the SDK matters."""
        code = ctx.snapshot.code
        uses = code is not None and any(c.language == "python" for c in code.clients)
        for env in ctx.snapshot.python_envs:
            version = release(env.python)
            sdk = env.package("anthropic")
            if version is None or version >= (3, 10, 0) or not (uses or sdk):
                continue
            got = f" (it has anthropic {sdk.version})" if sdk else ""
            message = (f"{env.path} runs Python {env.python}{got}: anthropic >= 1.0 needs "
                       "Python >= 3.10, so this environment can only install 0.x (httpx, "
                       "certifi, x-api-key)")
            yield self.finding(message, Location("package", env.path), subject=env.path)


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


RULES: tuple[Rule, ...] = (SdkHttpxIncompatible(), SdkDeclaredMismatch(), SdkMultipleInstalls(),
                           SdkMissing(), SdkBearerAuthGateway(), RuntimeUnsupported())
