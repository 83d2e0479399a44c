"""EA209: the provider's variables live in a .env file that nothing in the project loads."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from envaudit.catalogue import credentials
from envaudit.context import AuditContext
from envaudit.model import DOCKER_ENV_FILE, PYTHON_DOTENV, DotenvFile, Finding, Location, Severity
from envaudit.record import Record
from envaudit.rules.base import Rule, RuleMeta, listed
from envaudit.rules.credentials import credential_variables
from envaudit.variables import PROVIDER_PREFIXES, relevant

if TYPE_CHECKING:
    from envaudit.source.facts import CodeFacts, EntryPoint

#: How ``engine.loaders_in_use`` marks python-dotenv when nothing in the project names a loader
#: (``LoaderUse.reason``), and the reason it gives a docker loader that only reads docker-style
#: files (``--env-file``, ``NAME.env``) without any evidence. Neither says the project loads a
#: file; ``tests/rules/test_dotenv_loading.py`` checks the engine still writes them.
ASSUMED_PREFIX = "assumed:"
DOCKER_STYLE_FILES = "reads docker-style files (--env-file, NAME.env)"
#: Procfile runners (``heroku local``, foreman, honcho) load ``.env`` before starting a process.
_PROCFILE = "Procfile"
#: pipenv (``pipenv run``, ``pipenv shell``) loads ``.env``; the manifests collector only tells
#: a Pipfile through its provider hint (``Pipfile declares an Anthropic SDK``).
_PIPFILE_HINT = "Pipfile "
_RUNTIME = {"python": "Python", "javascript": "node"}
#: Files whose commands run in their own folder (``EntryPoint.location``).
_COMMAND_FILES = ("package.json", "Procfile", "Dockerfile")


class _Variable(Record):
    """A provider variable that only a never-loaded file sets."""

    name: str
    location: Location


def _provider_variables(ctx: AuditContext) -> set[str]:
    """The credential variables EA1xx checks, plus the platform markers and federation
    variables when the provider is in use (every ``ANTHROPIC_*``/``CLAUDE_*`` name is added by
    prefix in ``_is_provider``)."""
    names = set(credential_variables(ctx))
    if ctx.provider_in_use:
        cat = credentials()
        names.update(cat.platform_markers)
        names.add(cat.profile_variable)
        names.update(n for group in cat.federation for n in group)
    return names


def _is_provider(name: str, names: set[str]) -> bool:
    return (name in names or name.startswith(PROVIDER_PREFIXES)) and relevant(name)


def _loading_evidence(ctx: AuditContext) -> list[str]:
    """Why the project is known to load dotenv files (empty: nothing says it does).

    NOTE: the engine assumes python-dotenv when no modelled, non-docker loader is named, and
    drops what it does not model (``node --env-file``, ``process.loadEnvFile()``, ``uvicorn
    --env-file``): the code facts are read here directly, not only ``loader_uses``.
    """
    snapshot = ctx.snapshot
    uses = snapshot.loader_uses
    if not any(u.loader == PYTHON_DOTENV and u.reason.startswith(ASSUMED_PREFIX) for u in uses):
        return ["loaders named"]  # --loader, or the project names a dotenv library
    out = [f"{u.loader}: {u.reason}" for u in uses
           if not u.reason.startswith(ASSUMED_PREFIX)
           and not (u.loader == DOCKER_ENV_FILE and u.reason == DOCKER_STYLE_FILES)]
    code = snapshot.code
    if code is not None:
        out += [f"{c.location.display()} calls {c.function}" for c in code.loads]
        out += [f"{e.how} preloads it" for e in code.entry_points if e.preload is not None]
        out += [f"{i.location.display()} imports {i.package}" for i in code.loader_imports]
        out += [f"{e.how}: Procfile runners load .env" for e in code.entry_points
                if posixpath.basename(e.location.path or "") == _PROCFILE]
    out += [f"{h}: pipenv loads .env" for h in snapshot.provider_hints
            if h.startswith(_PIPFILE_HINT)]
    return out


def _code_decides(code: CodeFacts | None) -> bool:
    """Whether the source analysis can vouch that no code loads a file: it found how the app
    starts, read everything it needed, hit no limit, and the clients it found (if any) take
    their credential from the environment."""
    if code is None or not code.entry_points or code.skipped or code.notes:
        return False
    # NOTE: every client given its credential explicitly (`Anthropic(api_key=settings.key)`):
    # the app reads its own configuration (pydantic-settings `env_file`, python-decouple,
    # environs, a secrets manager), which may well read the .env file.
    return not code.clients or any(c.reads_environment for c in code.clients)


def _entries_for(code: CodeFacts, f: DotenvFile) -> list[EntryPoint]:
    """The entry points of the app the file belongs to: those in its folder or below it (the
    folders python-dotenv's upward search and node's working directory see it from), else all."""
    folder = posixpath.dirname(f.path)
    mine = [e for e in code.entry_points
            if folder == "" or e.path == folder or e.path.startswith(folder + "/")]
    return mine or list(code.entry_points)


def _fixes(ctx: AuditContext, f: DotenvFile, entries: list[EntryPoint]) -> tuple[list[str], str]:
    """The fixes for each ecosystem the app uses (``python: …``, ``node: …``, then ``docker: …``
    and ``compose: …`` when the root has a Dockerfile), and the one-line fix for the first."""
    folder = posixpath.dirname(f.path)
    fixes: list[str] = []
    fix = ""
    for language in dict.fromkeys(e.language for e in entries):
        entry = next(e for e in entries if e.language == language)
        if language == "python":
            where = posixpath.dirname(entry.path)
            # load_dotenv() searches upward from the calling file's folder
            call = ("load_dotenv()" if folder == "" or where == folder
                    or where.startswith(folder + "/") else f'load_dotenv("{f.path}")')
            code = f"`from dotenv import load_dotenv; {call}`"
            fixes.append(f"python: {code} at the top of {entry.path} (pip install python-dotenv)")
            fix = fix or (f"add {code} at the top of {entry.path}, before the client is built "
                          "(pip install python-dotenv)")
            continue
        # node resolves both from the working directory: the manifest's folder for a
        # package.json script, the root for `node index.js`
        declared = entry.location.path or ""
        cwd = posixpath.dirname(declared) if posixpath.basename(declared) in _COMMAND_FILES else ""
        rel = posixpath.relpath(f.path, cwd or ".")
        flag = f"`node --env-file={rel} {posixpath.relpath(entry.path, cwd or '.')}`"
        if rel == ".env":  # dotenv.config()'s default: ./.env
            preload = f"`import 'dotenv/config'` as the first import of {entry.path}"
            fixes.append(f"node: {preload} (npm install dotenv), or {flag}")
            fix = fix or f"add {preload} (npm install dotenv), or start it with {flag}"
        else:
            fixes.append(f"node: {flag}")
            fix = fix or f"start it with {flag}"
    if ctx.snapshot.docker_build is not None:
        fixes += [f"docker: `docker run --env-file {f.path}`", f"compose: `env_file: {f.path}`"]
    return fixes, fix


class DotenvNotLoaded(Rule):
    """
    ## What it does
    Finds provider variables (`ANTHROPIC_API_KEY` and the other credentials, `ANTHROPIC_*`,
    the platform variables) that are set only in a `.env` file — not in the process
    environment, not in a file given with `--env-file` — while nothing in the project loads
    that file: no code calls or imports a dotenv loader (`load_dotenv()`, `dotenv.config()`,
    `import 'dotenv/config'`, `process.loadEnvFile()` ...), no command preloads one (`node
    --env-file`, `node -r dotenv/config`, `dotenv run`, `dotenvx run`, `uvicorn --env-file`),
    no manifest declares one, and no run script passes the file to `docker run --env-file`.
    One finding per file, at its first credential (else its first provider variable).

    It fires only when the source analysis can vouch for the code: it found how the app
    starts (an entry point) and read every file it needed, and the clients it found read their
    credential from the environment. So it is silent for a folder with env files and no code
    (a deploy folder whose app runs from elsewhere), for files named like `prod.env` (given to
    `docker run --env-file` by a deployment), with `--loader`, when every client is given its
    credential explicitly (`Anthropic(api_key=settings.anthropic_api_key)`: pydantic-settings,
    python-decouple and friends read `.env` themselves), under a `Procfile` (`heroku local`,
    foreman and honcho load `.env`) and for a Pipfile project (`pipenv run` loads `.env`).
    A compose service that names the file with `env_file:`, or whose `environment:` entries
    take values from the project `.env` (`${ANTHROPIC_API_KEY}`, a bare name), loads it too.

    ## Why is this bad?
    A `.env` file is not read by Python, node or the SDK: only a dotenv loader puts it into
    the process environment. Without one, the SDK finds no key and the first request fails
    with "Could not resolve authentication method" (the platform clients fail when they are
    built), while the key sits visibly in `.env`. It often works for the author, whose shell,
    IDE (VS Code's Python extension reads `.env`) or direnv exports the variables, and fails
    for everyone else.

    ## Example
    ```python
    # app.py   (.env: ANTHROPIC_API_KEY=sk-ant-api03-…; no python-dotenv anywhere)
    import anthropic
    client = anthropic.Anthropic()
    ```

    ## Use instead
    ```python
    # app.py
    from dotenv import load_dotenv
    load_dotenv()                 # before the client is built
    import anthropic
    client = anthropic.Anthropic()
    ```
    In node, make `import 'dotenv/config'` the first import, or start with `node
    --env-file=.env app.js` (Node 20.6+); in a container, `docker run --env-file .env` or
    compose `env_file: .env`.

    ## References
    - research/sdk-facts.md, "Python SDK" 1 (the client reads the process environment only)
      and "TypeScript SDK" 15
    - research/dotenv-semantics.md, "Other precedence facts"
    """

    meta = RuleMeta("EA209", "dotenv-not-loaded", Severity.ERROR,
                    "provider variables live only in a .env file that nothing in the project "
                    "loads",
                    "load the file before the client is built (load_dotenv(), import "
                    "'dotenv/config', node --env-file, docker --env-file)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire once per discovered `.env` file whose provider variables nothing loads."""
        code = ctx.snapshot.code
        if code is None or not _code_decides(code) or _loading_evidence(ctx):
            return
        names = _provider_variables(ctx)
        elsewhere = {d.name for d in ctx.process.values() if d.value}
        for f in ctx.env_files:
            if f.origin != "discovered":
                for d in ctx.file_definitions(f):
                    if d.value:
                        elsewhere.add(d.name)
        for f in ctx.env_files:
            if f.origin != "discovered" or not posixpath.basename(f.path).startswith(".env"):
                continue
            found: dict[str, _Variable] = {}
            for d in ctx.file_definitions(f):
                if d.value and d.name not in elsewhere and _is_provider(d.name, names):
                    found[d.name] = _Variable(d.name, d.location)  # the last one wins
            if found:
                yield self._finding(ctx, code, f, list(found.values()), elsewhere)

    def _finding(self, ctx: AuditContext, code: CodeFacts, f: DotenvFile,
                 found: list[_Variable], elsewhere: set[str]) -> Finding:
        found.sort(key=lambda v: v.location.line or 0)
        creds = credential_variables(ctx)
        first = next((v for v in found if v.name in creds), found[0])
        entries = _entries_for(code, f)
        fixes, fix = _fixes(ctx, f, entries)
        shown = [f"{v.name} ({v.location.display()})" for v in found[:4]]
        if len(found) > 4:
            shown.append(f"{len(found) - 4} more")
        one = len(found) == 1
        more = len(entries) - 2
        starts = listed([e.how for e in entries[:2]]) + (
            f" and {more} other entry point{'s' if more > 1 else ''}" if more > 0 else "")
        runtimes = listed(list(dict.fromkeys(_RUNTIME.get(e.language, e.language)
                                             for e in entries)))
        sdk_read = {n for n, spec in credentials().variables.items() if spec.get("sdk")}
        effect = ""
        if first.name in sdk_read and not sdk_read & elsewhere:
            effect = (": the client finds no credential and its first request fails with "
                      "\"Could not resolve authentication method\"")
        message = (f"{listed(shown)} {'is' if one else 'are'} set only in {f.path}, and nothing "
                   "in the project loads that file: no code calls or imports a dotenv loader, "
                   "no manifest or run script names one or passes the file to docker run "
                   f"--env-file, and no --env-file was given; the app ({starts}) starts "
                   f"without {'it' if one else 'them'} (neither {runtimes} nor the SDK reads "
                   f".env files){effect}. Load the file before the client is built: "
                   f"{'; '.join(fixes)}")
        return self.finding(message, first.location, first.name, fix=fix, subject=f.path,
                            details={"variables": [v.name for v in found],
                                     "entry_points": [e.how for e in entries]})


RULES: tuple[Rule, ...] = (DotenvNotLoaded(),)
