"""EA5xx: the SDK versions installed in the app's environments (``Snapshot.python_envs``).

EA503, EA504 and EA508 also read what the code calls (``CodeFacts.api_uses``,
``CodeFacts.httpx_arguments``).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from envaudit.context import AuditContext
from envaudit.inventory.python_envs import release
from envaudit.model import DeclaredRange, Finding, Location, NodeModules, Package, Severity
from envaudit.redact import show
from envaudit.rules.base import Rule, RuleMeta

if TYPE_CHECKING:
    from envaudit.model import ReleaseCheck, Releases
    from envaudit.source.facts import ApiUse


class SdkStale(Rule):
    """
    ## What it does
    Compares each installed `anthropic` (every Python environment of the app) and top-level
    `@anthropic-ai/sdk` (every `node_modules`) with the latest release: asked from the package
    index the project's pip and npm are configured to use (`PIP_INDEX_URL`, `pip.conf`,
    `npm_config_registry`, `.npmrc`, else their own default), within 1.5 s in all, with a
    per-user cache of a day. Warns when the installed version is at least `stale-releases`
    releases behind (default 1) and the latest came out at least `stale-days` days after it
    (default 0); both are set in `[tool.envaudit]`. With `--offline`, or when the index cannot
    be read, the release data bundled with envaudit (and its date) stands in, and the message
    says so. A check that could not be made is reported as unknown (info), never as a pass.

    ## Why is this bad?
    Every fix since the installed release is missing: the messages envaudit quotes, the
    proxy, TLS and retry behaviour, new models, and the deprecations the SDK warns about. An
    old SDK is also what breaks next, when a dependency moves (httpx 0.28 broke anthropic up
    to 0.39) or an API it uses is retired. Pre-releases and yanked files are never taken for
    the latest.

    ## Example
    `venv` has anthropic 0.39.0 while the index's latest is 2.17.0.

    ## Use instead
    Upgrade (`pip install -U anthropic`, `uv lock --upgrade-package anthropic`, `npm install
    @anthropic-ai/sdk@latest`) and re-test; or raise `stale-releases` / `stale-days` in
    `[tool.envaudit]` when you upgrade on a schedule.

    ## References
    - docs/releases.md (where the latest release comes from, the bound, the cache, the bundled
      data)
    - PEP 503 and PEP 691 (simple index pages), PEP 592 (yanked files), PEP 700 (upload times);
      npm's package documents (`dist-tags.latest`, `time`)
    """

    meta = RuleMeta("EA501", "sdk-stale", Severity.WARNING,
                    "an installed SDK is behind the latest release (unknown: info)",
                    "upgrade the SDK (pip install -U anthropic, npm install "
                    "@anthropic-ai/sdk@latest) and update the lock file")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire once per installed copy that is behind, or that could not be checked."""
        snap = ctx.snapshot
        if snap.releases is None:
            return  # no lookup was made (no SDK installed)
        copies = [("python", e.path, p) for e in snap.python_envs
                  if (p := e.package("anthropic"))]
        copies += [("npm", m.shown, p)
                   for m in snap.node_modules if (p := _top_level(m, "@anthropic-ai/sdk"))]
        for ecosystem, where, package in copies:
            check = snap.releases.check(ecosystem)
            if check is not None:
                yield from self._compare(snap.releases, check, where, package)

    def _compare(self, releases: Releases, check: ReleaseCheck, where: str, package: Package
                 ) -> Iterator[Finding]:
        from envaudit.inventory.releases import version_key

        eco, installed = check.ecosystem, package.version or "?"
        what = f"{package.name} {installed} in {where}"
        key = version_key(installed, eco)
        latest = version_key(check.latest, eco) if check.latest else None
        details: dict[str, Any] = {"installed": installed, "latest": check.latest,
                                   "source": check.source, "index": check.index,
                                   "date": check.date, "reason": check.reason}
        if check.latest is None or latest is None or key is None:
            why = (check.reason or "no release data") if check.latest is None else (
                f"its version {installed!r} cannot be compared")
            yield self._unknown(f"{what} could not be checked against the latest release: "
                                f"{why}", package, where, details)
            return
        # the releases are in version order (the index's, sorted; the bundled data, written
        # so): two binary searches instead of a key for each of some 500 versions
        keys: dict[int, tuple[Any, ...]] = {}

        def key_at(i: int) -> tuple[Any, ...]:
            if i not in keys:
                keys[i] = version_key(check.releases[i][0], eco) or ()
            return keys[i]

        above_installed = _bisect_right(key_at, len(check.releases), key)
        above_latest = _bisect_right(key_at, len(check.releases), latest)
        behind = max(0, above_latest - above_installed) or (1 if key < latest else 0)
        dates = {key_at(i): check.releases[i][1] for i in (above_installed - 1, above_latest - 1)
                 if i >= 0}
        days = _days(dates.get(key), dates.get(latest))
        details.update(releases_behind=behind, days_behind=days)
        stale = behind > 0 and behind >= releases.stale_releases and (
            releases.stale_days <= 0 or days is None or days >= releases.stale_days)
        source = _source(check)
        if stale:
            lower = "" if check.authoritative else "at least "
            when = (f" (released {dates[latest]}, {days} days after {installed})"
                    if days is not None else "")
            message = (f"{what} is {lower}{behind} release{'s' if behind != 1 else ''} behind "
                       f"the latest, {check.latest}{when}, {source}")
            yield self.finding(message, Location("package", package.path),
                               subject=f"{package.name}@{where}", fix=_FIX[eco],
                               details={**details, "status": "stale"})
        elif not check.authoritative:
            basis = (f"the bundled release data of {check.date}" if check.source == "bundled"
                     else f"the answer the index at {check.index} gave on {check.date}")
            if behind:
                state = (f"{basis} has it {behind} release{'s' if behind != 1 else ''} behind "
                         f"{check.latest} (EA501 warns from {releases.stale_releases}"
                         f"{f' and {releases.stale_days} days' if releases.stale_days else ''})"
                         ", and more may have come out since")
            else:
                state = (f"{basis} has no newer release (latest {check.latest}), but one may "
                         "have come out since")
            yield self._unknown(f"{what} could not be checked against the index "
                                f"({check.reason}): {state}", package, where, details)

    def _unknown(self, message: str, package: Package, where: str, details: dict[str, Any]
                 ) -> Finding:
        return self.finding(message, Location("package", package.path), severity=Severity.INFO,
                            subject=f"{package.name}@{where}:unknown",
                            fix="let envaudit reach the package index (no --offline), or look "
                                "by hand: pip index versions anthropic / npm view "
                                "@anthropic-ai/sdk version",
                            details={**details, "status": "unknown"})


#: EA501's fix per ecosystem.
_FIX = {"python": "upgrade it: pip install -U anthropic (uv lock --upgrade-package anthropic), "
                  "then re-test",
        "npm": "upgrade it: npm install @anthropic-ai/sdk@latest, then re-test"}


def _days(installed: str | None, latest: str | None) -> int | None:
    """Days between two ``YYYY-MM-DD`` dates (``None`` when one is unknown)."""
    import datetime

    if not installed or not latest:
        return None
    try:
        return (datetime.date.fromisoformat(latest) - datetime.date.fromisoformat(installed)).days
    except ValueError:
        return None


def _source(check: ReleaseCheck) -> str:
    """Where EA501's answer comes from, in words (the index URL with credentials as ***)."""
    if check.source == "index":
        return f"per the index at {check.index}"
    if check.source == "cache" and check.reason is None:
        return f"per the index at {check.index} (its answer of {check.date}, cached)"
    if check.source == "cache":
        return (f"per the answer the index at {check.index} gave on {check.date}, cached "
                f"({check.reason})")
    return f"per the bundled release data of {check.date} ({check.reason})"


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
    `node_modules`); or whose installed version is outside the range a manifest asks for:
    `pyproject.toml` (PEP 621, dependency groups, Poetry's `^`/`~`), requirement lines other
    than `==`, `package.json`. A range envaudit cannot decide (a pre-release, a git or path
    source, `workspace:*`) is not compared. A lock or requirements file that cannot be read
    (not valid TOML or JSON, not UTF-8, unreadable) is an info finding: the comparison was not
    made (a broken manifest is only listed as skipped).

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
        """Fire per pinned package whose installed copy has another version, and (info) per
        lock or manifest file that could not be read, so the comparison was not made."""
        snap = ctx.snapshot
        for skip in snap.skipped:
            if skip.source == "package" and skip.reason.endswith(UNCOMPARED) and skip.path and (
                    not skip.path.endswith(("pyproject.toml", "package.json"))) and (
                    "not a regular file" not in skip.reason):  # lock files that are files
                problem = skip.reason[:-len(UNCOMPARED)]
                message = (f"{skip.path} could not be compared with the installed versions: "
                           f"{problem}")
                yield self.finding(message, Location("config", skip.path),
                                   severity=Severity.INFO, subject=skip.path)
        for declared in snap.declared:
            if declared.ecosystem == "python":
                places = [(e.path, e.package) for e in snap.python_envs]
            else:
                folder = posixpath.dirname(declared.path) or "."
                places = [(m.shown, m.package) for m in snap.node_modules
                          if m.folder == folder]
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
            for allowed in declared.ranges:
                for where, package_of in places:
                    installed = package_of(allowed.name)
                    if installed is None or installed.version is None or _satisfies(
                            installed.version, allowed) is not False:
                        continue
                    message = (f"{declared.path} asks for {allowed.name} {allowed.spec}, but "
                               f"{where} has {installed.version}, outside that range: the "
                               "environment was not installed from this manifest")
                    yield self.finding(message, Location("config", declared.path, allowed.line),
                                       subject=f"{allowed.name}@{where}")


def _bisect_right(key_at: Callable[[int], tuple[Any, ...]], size: int,
                  wanted: tuple[Any, ...]) -> int:
    """How many of the ``size`` sorted keys (``key_at(i)``) are ``<= wanted``."""
    low, high = 0, size
    while low < high:
        middle = (low + high) // 2
        if wanted < key_at(middle):
            high = middle
        else:
            low = middle + 1
    return low


#: The end of the ``Skip.reason`` of a declared-versions file that could not be read.
UNCOMPARED = ": its versions are not compared"


def _satisfies(version: str, allowed: DeclaredRange) -> bool | None:
    from envaudit.inventory import ranges

    check = {"pep440": ranges.pep440_satisfies, "npm": ranges.npm_satisfies,
             "poetry": ranges.poetry_satisfies}[allowed.syntax]
    return check(version, allowed.spec)


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
            resolving = [m for m in snap.node_modules if m.serves(folder)]
            key = f"{client.sdk}@{','.join(m.folder for m in resolving)}"
            if not resolving or any(_top_level(m, client.sdk) for m in resolving) or (
                    key in reported):
                continue
            reported.add(key)
            where = ", ".join(m.shown for m in resolving)
            message = (f"{client.location.display()} builds {client.constructor}, but "
                       f"{client.sdk} is not in {where}: node fails with Cannot find package "
                       f"'{client.sdk}' (ERR_MODULE_NOT_FOUND)")
            yield self.finding(message, client.location, subject=key)


def _sdk_versions(ctx: AuditContext, language: str, path: str
                 ) -> list[tuple[str, Package, tuple[int, ...]]]:
    """``(where, package, release)`` of the SDK a source file runs with: every Python
    environment's ``anthropic``; for JavaScript, the top-level ``@anthropic-ai/sdk`` of each
    ``node_modules`` the file resolves from. Without any installed copy, the project's exact pins
    (lock and requirements files) stand in, ``where`` naming the file."""
    snap = ctx.snapshot
    found: list[tuple[str, Package | None]]
    if language == "python":
        name = "anthropic"
        found = [(e.path, e.package(name)) for e in snap.python_envs]
    else:
        name = "@anthropic-ai/sdk"
        folder = posixpath.dirname(path)
        found = [(m.shown, _top_level(m, name)) for m in snap.node_modules
                 if m.serves(folder)]
    out = [(where, p, r) for where, p in found if p is not None
           and (r := release(p.version)) is not None]
    if out:
        return out
    ecosystem = "python" if language == "python" else "npm"
    return [(declared.path, Package(name, pin.version, declared.path), r)
            for declared in snap.declared if declared.ecosystem == ecosystem
            for pin in declared.pins if pin.name == name
            and (r := release(pin.version)) is not None]


def _version_text(package: Package, where: str) -> str:
    kind = "pinned by" if package.path == where and not where.endswith("node_modules") else "in"
    return f"{package.name} {package.version} {kind} {where}"


class SdkNoMessagesApi(Rule):
    """
    ## What it does
    Finds code that calls the Messages API (`client.messages.create(…)`, `.stream(…)`,
    `.count_tokens(…)`; or `client.beta.messages.create(…)`) while the SDK the app runs with
    predates it: anthropic (Python) before 0.16.0 (before 0.8.0 for `beta.messages`),
    @anthropic-ai/sdk before 0.14.0 (before 0.11.0 for `beta.messages`). The version is the
    installed one (each Python environment; the `node_modules` the file resolves from), else the
    project's exact pin.

    ## Why is this bad?
    Those releases have no `messages` attribute on the client: the call fails every time with
    `AttributeError: 'Anthropic' object has no attribute 'messages'` (Python, measured on
    0.15.1), or `TypeError: Cannot read properties of undefined (reading 'create')` (Node).
    0.8.0–0.15.x (TS 0.11–0.13) had the API only as `client.beta.messages`. The usual cause is
    an old pin copied from an early tutorial, or an image built from a stale lock file.

    ## Example
    `bot.py` calls `client.messages.create(...)`; `.venv` has anthropic 0.15.1.

    ## Use instead
    Upgrade the SDK (`pip install -U anthropic`, `npm install @anthropic-ai/sdk@latest`).

    ## References
    - research/sdk-facts.md, "History boundaries" (0.16.0: `client.messages`) and section 14
      (TS 0.11.0 / 0.14.0)
    """

    meta = RuleMeta("EA503", "sdk-no-messages-api", Severity.ERROR,
                    "the code calls the Messages API but the SDK it runs with predates it",
                    "upgrade the SDK (anthropic >= 0.16, @anthropic-ai/sdk >= 0.14)")

    #: The first release with the API: (language, api) -> release.
    FIRST = {("python", "messages"): (0, 16, 0), ("python", "beta-messages"): (0, 8, 0),
             ("javascript", "messages"): (0, 14, 0), ("javascript", "beta-messages"): (0, 11, 0)}

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire once per file, API and SDK copy too old for it."""
        code = ctx.snapshot.code
        if code is None:
            return
        reported: set[tuple[str, str, str]] = set()
        for use in code.api_uses:
            first = self.FIRST.get((use.language, use.api))
            path = use.location.path or ""
            if first is None:
                continue
            for where, package, version in _sdk_versions(ctx, use.language, path):
                key = (path, use.api, package.path)
                if version >= first or key in reported:
                    continue
                reported.add(key)
                needed = ".".join(map(str, first))
                attribute = "client.beta.messages" if use.api == "beta-messages" else (
                    "client.messages")
                error = ("AttributeError: 'Anthropic' object has no attribute "
                         f"'{attribute.rsplit('.', 1)[1]}'" if use.language == "python" else
                         "TypeError: Cannot read properties of undefined (reading 'create')")
                message = (f"{use.location.display()} calls {use.evidence.split('(')[0]}(), "
                           f"but {_version_text(package, where)} has no {attribute} (added in "
                           f"{needed}): every call fails with {error}")
                yield self.finding(message, use.location, subject=f"{use.api}@{package.path}")


class SdkLegacyApi(Rule):
    """
    ## What it does
    Finds code that uses the retired Text Completions API: `max_tokens_to_sample`, a
    `/v1/complete` URL, `HUMAN_PROMPT` / `AI_PROMPT`, a `claude-v1` / `claude-instant-v1` model,
    or `completions.create(…)` in a file that uses the Anthropic SDK and not OpenAI's. One
    finding per file, at its first use, naming every sign found there.

    ## Why is this bad?
    The models Text Completions served (`claude-v1`, `claude-instant-1`, `claude-2`) are
    retired, and the SDKs dropped the API: anthropic 1.0.0 and later have no
    `client.completions` and no `HUMAN_PROMPT` / `AI_PROMPT` (measured: present in 0.125.0,
    gone in 1.0.0, 1.17.0 and 2.17.0), so such code fails with `AttributeError` or
    `ImportError` as soon as the SDK is upgraded.

    ## Example
    `client.completions.create(model="claude-v1", max_tokens_to_sample=300,
    prompt=f"{HUMAN_PROMPT} hi{AI_PROMPT}")`

    ## Use instead
    The Messages API: `client.messages.create(model=..., max_tokens=...,
    messages=[{"role": "user", "content": "hi"}])`.

    ## References
    - research/sdk-facts.md, "History boundaries" (Messages API from 0.8.0) and D2
      (`DEPRECATED_MODELS`: the Text Completions models' end-of-life dates)
    - docs/sdk-facts.md, "Text Completions and httpx objects in anthropic 1.x and 2.x"
    """

    meta = RuleMeta("EA504", "sdk-legacy-api", Severity.WARNING,
                    "the code uses the retired Text Completions API",
                    "move to the Messages API (client.messages.create)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire once per file that shows a sign of the Text Completions API."""
        code = ctx.snapshot.code
        if code is None:
            return
        from envaudit.source.facts import TEXT_COMPLETIONS

        by_file: dict[str, list[ApiUse]] = {}
        for use in code.api_uses:
            if use.api == TEXT_COMPLETIONS:
                by_file.setdefault(use.location.path or "", []).append(use)
        for uses in by_file.values():
            first = min(uses, key=lambda u: u.location.line or 0)
            signs = ", ".join(dict.fromkeys(u.evidence for u in uses))
            removed = ""
            if first.language == "python":
                newer = [f"{p.version} in {where}" for where, p, r
                         in _sdk_versions(ctx, "python", first.location.path or "")
                         if r >= (1, 0, 0)]
                if newer:
                    removed = (f"; anthropic {', '.join(newer)} no longer has client.completions "
                               "or HUMAN_PROMPT/AI_PROMPT (AttributeError / ImportError)")
            message = (f"{first.location.display()} uses the retired Text Completions API "
                       f"({signs}): its models are retired and the SDKs dropped it "
                       f"(anthropic >= 1.0){removed}")
            yield self.finding(message, first.location, subject=first.location.path or "")


class SdkHttpClientMismatch(Rule):
    """
    ## What it does
    Finds an `httpx` object passed to the Python SDK — `http_client=httpx.Client(…)` /
    `httpx.AsyncClient(…)`, `timeout=httpx.Timeout(…)`, inline or through a variable assigned
    from one — in `Anthropic(…)`, `with_options(…)` or a request, while the app's environment has
    anthropic 1.0 or newer (else its exact pin).

    ## Why is this bad?
    anthropic 1.0 moved from `httpx` to `httpx2`, and rejects `httpx` objects with a
    `TypeError`: at construction (`Invalid `http_client` argument; `httpx.Client` is from the
    `httpx` package, but this SDK uses `httpx2`. Use `httpx2.Client` instead.` in 1.17.0 and
    2.17.0; `Expected an instance of `httpx2.Client` but got <class 'httpx.Client'>` in 1.0.0)
    or at the request for a `timeout`. Code written for anthropic 0.x (the proxy and timeout
    recipes in many answers) breaks on upgrade.

    ## Example
    `Anthropic(http_client=httpx.Client(proxy="http://proxy:3128"))` with anthropic 2.17.0.

    ## Use instead
    `anthropic.DefaultHttpxClient(proxy=...)` (keeps the SDK's defaults), or `httpx2.Client` /
    `httpx2.Timeout`; a plain number for `timeout=`.

    ## References
    - research/sdk-facts.md, headline fact 2 and D8 ("httpx object passed")
    - docs/sdk-facts.md, "Text Completions and httpx objects in anthropic 1.x and 2.x"
    """

    meta = RuleMeta("EA508", "sdk-http-client-mismatch", Severity.ERROR,
                    "the code passes an httpx object to anthropic >= 1.0, which uses httpx2",
                    "use anthropic.DefaultHttpxClient or httpx2.Client / httpx2.Timeout")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire once per place, when some environment's anthropic is 1.0 or newer."""
        code = ctx.snapshot.code
        if code is None:
            return
        for arg in code.httpx_arguments:
            newer = [(where, p) for where, p, r
                     in _sdk_versions(ctx, "python", arg.location.path or "") if r >= (1, 0, 0)]
            if not newer:
                continue
            versions = ", ".join(_version_text(p, where) for where, p in newer)
            message = (f"{arg.location.display()} passes {arg.argument}={arg.written} to "
                       f"{arg.call}, but {versions} uses httpx2: it raises TypeError 'Invalid "
                       f"`{arg.argument}` argument' (use httpx2.{arg.httpx_class})")
            yield self.finding(message, arg.location,
                               subject=f"{arg.argument}@{arg.location.path}")


class RuntimeUnsupported(Rule):
    """
    ## What it does
    Finds a runtime older than the current SDK needs, where the project uses that SDK:
    - Python below 3.10: a Python environment of the app (its `pyvenv.cfg`, or the interpreter
      on the app's PATH), a `.python-version` file, or the Dockerfile's final
      `FROM python:3.9…`, while the project uses the Python SDK (installed, pinned, declared in
      a manifest, or a client in the code);
    - Node.js below 20: the `node` on the app's PATH, a `.nvmrc` / `.node-version` file, or the
      Dockerfile's final `FROM node:18…`, while the project uses `@anthropic-ai/sdk`.

    ## Why is this bad?
    anthropic 1.0 and later require Python 3.10 (`Requires-Python >=3.10`): on 3.9 the
    resolver silently installs the last 0.x release, with httpx instead of httpx2, `certifi`
    instead of the system trust store, `x-api-key` instead of `Authorization: Bearer`, and none
    of the fixes since. `@anthropic-ai/sdk` supports "Node.js 20 LTS or later (non-EOL)
    versions" (its README; 0.50.1 declared `engines: node >=20`): older Node lines are end of
    life and the SDK's use of the built-in `fetch` is not supported there. A Dockerfile or a
    version file is checked too: the deploy image is where it bites, not the laptop.

    ## Example
    `.venv/pyvenv.cfg` says `version = 3.9.18`; `Dockerfile` ends with `FROM node:18-alpine`.

    ## Use instead
    Recreate the environment on Python 3.10 or newer; move the image and `.nvmrc` to Node 20
    or newer.

    ## References
    - research/sdk-facts.md, "History of the floor" (1.0.0: `>=3.10`) and "Minimum Node"
    """

    meta = RuleMeta("EA510", "runtime-unsupported", Severity.WARNING,
                    "the runtime is older than the current SDK needs",
                    "move to Python 3.10+ / Node.js 20+")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire once per Python environment or named runtime below the SDK's floor, when the
        project uses that SDK."""
        snap = ctx.snapshot
        code = snap.code
        hinted = any("declares an Anthropic SDK" in h for h in snap.provider_hints)
        uses_python = (code is not None and any(c.language == "python" for c in code.clients)
                       ) or any(
            p.name == "anthropic" for d in snap.declared for p in (*d.pins, *d.ranges))
        uses_node = (code is not None and (any(c.language == "javascript" for c in code.clients)
                                           or bool(code.sdk_manifests))) or any(
            m.package("@anthropic-ai/sdk") for m in snap.node_modules) or any(
            p.name == "@anthropic-ai/sdk" for d in snap.declared for p in (*d.pins, *d.ranges))
        for env in snap.python_envs:
            version = release(env.python)
            sdk = env.package("anthropic")
            if version is None or version >= (3, 10, 0) or not (uses_python or sdk or hinted):
                continue
            got = f" (it has anthropic {sdk.version})" if sdk else ""
            message = (f"{env.path} runs Python {env.python}{got}: anthropic >= 1.0 needs "
                       "Python >= 3.10, so this environment can only install 0.x (httpx, "
                       "certifi, x-api-key)")
            yield self.finding(message, Location("package", env.path), subject=env.path)
        uses_python = uses_python or hinted or any(e.package("anthropic")
                                                   for e in snap.python_envs)
        for runtime in snap.runtimes:
            version = release(runtime.version)
            if version is None:
                continue
            if runtime.kind == "python" and version < (3, 10, 0) and uses_python:
                message = (f"{runtime.source} means Python {runtime.version}: anthropic >= 1.0 "
                           "needs Python >= 3.10, so the app gets the last 0.x release (httpx, "
                           "certifi, x-api-key)")
            elif runtime.kind == "node" and version < (20, 0, 0) and (uses_node or hinted):
                message = (f"{runtime.source} means Node.js {runtime.version}: "
                           "@anthropic-ai/sdk supports Node.js 20 LTS or later")
            else:
                continue
            yield self.finding(message, runtime.location, subject=runtime.source)


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
        installed += [(f"@anthropic-ai/sdk {p.version} in {m.shown}", p)
                      for m in ctx.snapshot.node_modules
                      if (p := m.package("@anthropic-ai/sdk"))
                      and (release(p.version) or ()) >= (1, 0, 0)]
        for what, package in installed:
            message = (f"{what} sends ANTHROPIC_API_KEY as 'Authorization: Bearer <key>' with "
                       f"anthropic-version 2026-10-21, not as x-api-key, to {url}: a gateway "
                       "that forwards or allow-lists only x-api-key answers 401")
            yield self.finding(message, Location("package", package.path),
                               "ANTHROPIC_API_KEY", subject=package.name)


RULES: tuple[Rule, ...] = (SdkStale(), SdkHttpxIncompatible(), SdkDeclaredMismatch(),
                           SdkMultipleInstalls(),
                           SdkMissing(), SdkNoMessagesApi(), SdkLegacyApi(),
                           SdkHttpClientMismatch(), SdkBearerAuthGateway(), RuntimeUnsupported())
