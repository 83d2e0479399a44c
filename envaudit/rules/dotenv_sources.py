"""EA2xx, across sources: what the process environment, duplicate keys, references and the
loaders' different readings do to the value the app ends up with (EA201-EA204, EA207, EA208,
EA210, EA214, EA215).

Credential variables are EA1xx's: their values are checked as every loader in use reads them
(EA103-EA110), shadowing between sources is EA113, an empty exported key is EA102. These rules
cover the provider's other variables (base URL, model, headers, proxies, CA settings).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from envaudit.catalogue import credentials
from envaudit.context import AuditContext, Site
from envaudit.loaders import LOADERS, loader_label
from envaudit.model import (
    DOTENV_EXPAND,
    DOTENV_FLOW,
    DOTENVX,
    NEXTJS,
    VITE,
    Definition,
    DotenvFile,
    Finding,
    Location,
    Severity,
)
from envaudit.redact import show, value_fp
from envaudit.rules.base import Rule, RuleMeta, listed
from envaudit.variables import relevant


def _credentials() -> set[str]:
    cat = credentials()
    return {*cat.variables, *cat.platform_variables}


def _loads_into_process(loader: str) -> bool:
    """A dotenv library or convention: it sets variables in the running process and keeps those
    already set (docker and compose build a container's environment instead)."""
    info = LOADERS.get(loader)
    return info is not None and info.kind != "docker"


def _file_values(site: Site) -> dict[str, str | None]:
    """The values a file site gives the loaders that load into the process."""
    return {ld: v for ld, v in site.values.items() if _loads_into_process(ld)}


def _kept_out(ctx: AuditContext, site: Site) -> dict[str, str | None]:
    """The values a file site gives the loaders that load it into the process without
    override: those an already-set variable keeps out (a file another call loads, or one
    loaded with ``override=True``, is not kept out)."""
    if site.file is None:
        return {}
    return {ld: v for ld, v in _file_values(site).items()
            if ctx.loads_over_environment(ld, site.file) is False}


def _provider_names(ctx: AuditContext) -> list[str]:
    """The provider's variables set anywhere the app may load from, credentials aside."""
    skip = _credentials()
    return sorted(n for n in ctx.names() if n not in skip and relevant(n))


def _keep(who: list[str]) -> str:
    """``python-dotenv keeps`` / ``python-dotenv and node dotenv keep``."""
    return f"{listed(who)} {'keeps' if len(who) == 1 else 'keep'}"


class DotenvShadowed(Rule):
    """
    ## What it does
    Finds a provider variable (base URL, model, proxy, CA settings …) that the process
    environment already sets to a non-empty value different from the one in a `.env` file that
    a dotenv library in use loads. The process environment is envaudit's own, or with `--pid`
    the environment the app's process started with. A file the code loads with
    `override=True` / `override: true` (it wins), or one no load call reaches, is not reported.
    Credentials are EA113's.

    ## Why is this bad?
    `load_dotenv()`, `dotenv.config()`, dotenvx, dotenv-flow, Next.js and Vite never replace a
    variable that is already set (unless told to override), so the edit to `.env` has no
    effect: the app keeps talking to the old base URL or model, and the file says otherwise.

    ## Example
    `export ANTHROPIC_BASE_URL=http://localhost:4010` left in a shell profile, and
    `ANTHROPIC_BASE_URL=https://gateway.example.com` in `.env`.

    ## Use instead
    `unset ANTHROPIC_BASE_URL`, or `load_dotenv(override=True)` when the file must win.

    ## References
    - research/dotenv-semantics.md, "Precedence between files and the process environment"
    """

    meta = RuleMeta("EA201", "dotenv-shadowed", Severity.WARNING,
                    "a process variable differs from the .env value and keeps winning",
                    "unset the exported variable, or load the file with override")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per file definition hidden by a different non-empty process value."""
        for name in _provider_names(ctx):
            process = ctx.process.get(name)
            if process is None or not process.value:
                continue
            for site in ctx.sites(name):
                values = _kept_out(ctx, site)
                differing = [ld for ld, v in values.items() if v != process.value]
                if not differing:
                    continue
                path = site.location.display()
                loaders = _keep([loader_label(ld) for ld in differing])
                message = (f"{name} in {path} is never loaded: {process.location.environment()} "
                           f"already sets it ({show(name, process.value)}), and {loaders} an "
                           "existing variable, so edits to the file have no effect")
                yield self.finding(message, site.location, name, subject=site.location.path or "")


class DotenvEmptyShadow(Rule):
    """
    ## What it does
    Finds a provider variable exported empty (`export ANTHROPIC_BASE_URL=`) while a `.env` file
    loaded by a dotenv library in use gives it a value (not one loaded with override, which
    wins). Credentials are EA102's.

    ## Why is this bad?
    An empty variable is still a set variable: python-dotenv's `load_dotenv()`, node
    `dotenv.config()`, dotenvx, dotenv-flow, Next.js and Vite keep it, so the value in `.env`
    never loads and the app sees `""` (for a base URL, the SDK's default host). Only
    dotenv-expand treats an empty preset as unset and overwrites it.

    ## Example
    `export ANTHROPIC_BASE_URL=` in a CI step, `ANTHROPIC_BASE_URL=https://gateway.example.com`
    in `.env`.

    ## Use instead
    `unset ANTHROPIC_BASE_URL` instead of exporting it empty.

    ## References
    - research/dotenv-semantics.md, "Already-set process variable, including an EMPTY one"
    """

    meta = RuleMeta("EA202", "dotenv-empty-shadow", Severity.ERROR,
                    "an exported empty variable blocks a non-empty .env value",
                    "unset the variable instead of exporting it empty")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire once per empty process variable that blocks a file value."""
        for name in _provider_names(ctx):
            process = ctx.process.get(name)
            if process is None or process.value:
                continue
            blocked: dict[str, None] = {}
            loaders: dict[str, None] = {}
            for site in ctx.sites(name):
                values = {ld: v for ld, v in _kept_out(ctx, site).items() if v}
                if values:
                    blocked[site.location.display()] = None
                    loaders.update(dict.fromkeys(values))
            if not blocked:
                continue
            keeping = [ld for ld in loaders if ld != DOTENV_EXPAND]
            if not keeping:
                continue  # dotenv-expand alone overwrites an empty preset
            note = ("; dotenv-expand alone would overwrite it" if DOTENV_EXPAND in loaders
                    else "")
            message = (f"{name} is exported empty, which blocks its value in "
                       f"{listed(list(blocked))}: {_keep([loader_label(x) for x in keeping])} "
                       f"an existing variable even when it is empty{note}")
            yield self.finding(message, process.location, name)


class DotenvDuplicateKey(Rule):
    """
    ## What it does
    Finds a provider variable assigned twice in one file, and says which assignment each loader
    in use keeps (the last, for every loader envaudit models; docker sends both and runc keeps
    the last).

    ## Why is this bad?
    The first assignment looks authoritative when reading the file top-down; edits to it have
    no effect. Merges and copy-pasted blocks produce these.

    ## Example
    `ANTHROPIC_MODEL=claude-sonnet-4-5` on line 2 and `ANTHROPIC_MODEL=claude-3-haiku` on
    line 30.

    ## Use instead
    One assignment per variable.

    ## References
    - research/dotenv-semantics.md, divergence table, "duplicate key"
    """

    meta = RuleMeta("EA203", "dotenv-duplicate-key", Severity.WARNING,
                    "a key defined twice in one file",
                    "delete every assignment but the one you mean")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire at the last assignment of a variable assigned more than once in a file."""
        for f in ctx.snapshot.files:
            readings = [r for r in f.readings if r.loader in f.loaders and r.status == "ok"]
            lines: dict[str, dict[int, None]] = {}
            for reading in readings:
                for d in reading.definitions:
                    seen = lines.get(d.name)
                    if seen is None:
                        seen = lines[d.name] = {}
                    seen[d.location.line or 0] = None
            for name, seen in lines.items():
                if len(seen) < 2 or not relevant(name):
                    continue
                numbers = sorted(seen)
                last = numbers[-1]
                loaders = [r.loader for r in readings if any(d.name == name for d in r.definitions)]
                who = _keep([loader_label(ld) for ld in dict.fromkeys(loaders)])
                message = (f"{name} is assigned {len(numbers)} times in {f.path} (lines "
                           f"{listed([str(n) for n in numbers])}): {who} the last one "
                           f"(line {last}), so the earlier ones have no effect")
                yield self.finding(message, Location("dotenv", f.path, last), name)


def _is_url(name: str, values: list[str | None]) -> bool:
    return name.upper().endswith(("_URL", "_PROXY", "_ENDPOINT", "_HOST")) or any(
        v is not None and "://" in v for v in values)


class DotenvLayerConflict(Rule):
    """
    ## What it does
    For each file convention in use (dotenv-flow, Next.js, Vite), finds a provider variable
    set with different values in several files of one folder's `.env` family (`.env`,
    `.env.local`, `.env.<mode>`, `.env.<mode>.local`), and says which file wins in each mode.
    Credentials differing between files are also EA113's.

    ## Why is this bad?
    The conventions differ on the order: Next.js puts `.env.local` above `.env.development`,
    Vite the other way round, and Next.js and dotenv-flow skip `.env.local` in test mode while
    Vite reads it. An edit to the file that looks right has no effect in the mode that matters.

    ## Example
    `ANTHROPIC_BASE_URL` in `.env.local` (a mock server) and in `.env.development` (the
    gateway), in a Next.js app.

    ## Use instead
    Set each variable in one file of the family, or make the values agree.

    ## References
    - research/dotenv-semantics.md, "Precedence between files and the process environment"
    """

    meta = RuleMeta("EA207", "dotenv-layer-conflict", Severity.WARNING,
                    "the same key in several files of a convention, with different values",
                    "set the variable in one file of the .env family")

    _MODES = ("development", "production", "test")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire once per convention, folder and variable whose files disagree."""
        conventions = [c for c in ctx.snapshot.loaders if c in (DOTENV_FLOW, NEXTJS, VITE)]
        if not conventions:
            return
        from envaudit.loaders.conventions import files_for

        for convention in conventions:
            for folder, files in sorted(self._folders(ctx, convention).items()):
                yield from self._conflicts(convention, folder, files, files_for)

    @staticmethod
    def _folders(ctx: AuditContext, convention: str) -> dict[str, dict[str, dict[str, Definition]]]:
        """folder -> file name -> variable -> its last definition in that file."""
        out: dict[str, dict[str, dict[str, Definition]]] = {}
        for f in ctx.env_files:
            reading = f.reading(convention)
            if f.origin != "discovered" or reading is None or reading.status != "ok":
                continue
            folder, _, name = f.path.rpartition("/")
            values = out.setdefault(folder, {}).setdefault(name, {})
            for d in reading.definitions:
                if relevant(d.name):
                    values[d.name] = d
        return out

    def _conflicts(self, convention: str, folder: str, files: dict[str, dict[str, Definition]],
                   files_for: Any) -> Iterator[Finding]:
        names = sorted({n for defs in files.values() for n in defs})
        for name in names:
            holders = {f: defs[name] for f, defs in files.items() if name in defs}
            if len(holders) < 2 or len({d.value for d in holders.values()}) < 2:
                continue
            winners: dict[str, list[str]] = {}
            for mode in self._MODES:
                order = [f for f in files_for(convention, mode) if f in holders]
                if order:
                    winners.setdefault(order[0], []).append(mode)
            if not winners:
                continue
            files_shown = listed(sorted(holders))
            says = "; ".join(f"{'/'.join(modes)} {'uses' if len(modes) == 1 else 'use'} "
                             f"{file}'s" for file, modes in winners.items())
            first = next(iter(winners))
            where = f"{folder}/" if folder else ""
            message = (f"{name} has different values in {files_shown}"
                       f"{' in ' + folder if folder else ''}"
                       f": under {loader_label(convention)}, {says}")
            yield self.finding(message, holders[first].location, name,
                               subject=f"{convention}:{where}")


class DotenvParseDivergence(Rule):
    """
    ## What it does
    Compares how the loaders in use read each line that assigns a provider variable, and
    reports a line they read differently: quotes kept by docker, `#` cutting the value for node
    loaders (`abc#def` -> `abc`), escapes, spaces around `=`, `$VAR` expanded by some and not
    others, a key one loader cannot see. `details.outcomes` has each loader's status and value
    fingerprint. Credentials are checked loader by loader by EA103-EA110; a file a loader
    refuses outright is EA205's or EA206's.

    ## Why is this bad?
    The project works with one loader and breaks with the other: in development with
    python-dotenv, in the container with `docker run --env-file`, in the Next.js front end.

    ## Example
    `ANTHROPIC_BASE_URL="https://gateway.example.com"` read by python-dotenv and by
    `docker run --env-file` (which keeps the quotes: "Unsupported protocol").

    ## Use instead
    Write the value so every loader reads it the same: no quotes, no inline comments, no spaces
    around `=`, `${VAR}` only where every loader expands it.

    ## References
    - research/dotenv-semantics.md, the divergence table
    """

    meta = RuleMeta("EA204", "dotenv-parse-divergence", Severity.WARNING,
                    "loaders in use read a line differently",
                    "write the value so that every loader in use reads it the same way")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per (file, line, variable) whose loaders in use disagree."""
        skip = _credentials()
        for f in ctx.snapshot.files:
            readings = [r for r in f.readings if r.loader in f.loaders and r.status == "ok"]
            if len(readings) < 2:
                continue
            per_line: dict[tuple[int, str], dict[str, Definition]] = {}
            for reading in readings:
                for d in reading.definitions:
                    if d.name not in skip and relevant(d.name):
                        key = (d.location.line or 0, d.name)
                        by_loader = per_line.get(key)
                        if by_loader is None:
                            by_loader = per_line[key] = {}
                        by_loader[reading.loader] = d
            for (line, name), by_loader in sorted(per_line.items()):
                finding = self._divergence(f, line, name, by_loader, [r.loader for r in readings])
                if finding is not None:
                    yield finding

    def _divergence(self, f: DotenvFile, line: int, name: str, by_loader: dict[str, Definition],
                    loaders: list[str]) -> Finding | None:
        if len(by_loader) == len(loaders) and len({d.value for d in by_loader.values()}) == 1:
            return None  # the common line: every loader reads the same value
        outcomes: dict[str, dict[str, str]] = {}
        shown: dict[str, list[str]] = {}
        for loader in loaders:
            d = by_loader.get(loader)
            if d is None:
                outcomes[loader] = {"status": "absent"}
                shown.setdefault("does not read it", []).append(loader_label(loader))
            else:
                value = d.value or ""
                outcomes[loader] = {"status": "ok", "value_fp": value_fp(value)}
                shown.setdefault(f"reads {show(name, d.value)}", []).append(
                    loader_label(loader))
        if len(shown) < 2:
            return None
        values = [d.value for d in by_loader.values()]
        severity = Severity.ERROR if _is_url(name, values) else None
        parts = "; ".join(f"{listed(who)} {what}" for what, who in shown.items())
        message = f"{name} on line {line} of {f.path} is read differently: {parts}"
        return self.finding(message, Location("dotenv", f.path, line), name,
                            severity=severity, details={"outcomes": outcomes})


class DotenvUndefinedReference(Rule):
    """
    ## What it does
    Finds `${VAR}` in a provider variable's value where `VAR` is defined nowhere: not earlier
    in the file, not in the process environment, not in another dotenv file of the project.
    Not reported without the process environment (`--no-process-env`): the deployment may set
    it.

    ## Why is this bad?
    python-dotenv and docker compose expand an undefined reference to an empty string without a
    word, so `ANTHROPIC_BASE_URL=${GATEWAY}/v1` becomes `/v1`.

    ## Example
    `ANTHROPIC_BASE_URL=${LLM_GATEWAY_URL}` with `LLM_GATEWAY_URL` set nowhere.

    ## Use instead
    Define the variable before the line that uses it, or write the value out.

    ## References
    - research/dotenv-semantics.md, the python-dotenv rules (interpolation)
    """

    meta = RuleMeta("EA208", "dotenv-undefined-reference", Severity.WARNING,
                    "${VAR} refers to a variable defined nowhere",
                    "define the referenced variable, or write the value out")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per reference nothing defines."""
        if not ctx.has_process_env:
            return
        defined: set[str] = set(ctx.process)
        for f in ctx.snapshot.files:
            for reading in f.readings:
                defined.update(reading.names)
                defined.update(d.name for d in reading.definitions)
        for f in ctx.env_files:
            for reading in f.readings:
                if reading.loader not in f.loaders:
                    continue
                for line, variable, name in reading.unresolved:
                    if name in defined or not relevant(variable):
                        continue
                    message = (f"{variable} refers to ${{{name}}}, which is defined nowhere "
                               f"(not in {f.path} before line {line}, not in the process "
                               "environment, not in another dotenv file): python-dotenv "
                               "expands it to an empty string")
                    yield self.finding(message, Location("dotenv", f.path, line), variable,
                                       subject=name)


class DotenvMissingExampleKey(Rule):
    """
    ## What it does
    Finds a provider variable listed in `.env.example` (or `.sample`, `.template`) that no
    source the app may load sets: no dotenv file of the same app and, when it was read, not the
    process environment. Only the provider's variables are compared.

    ## Why is this bad?
    The example is the project's own list of what the app needs; a variable missing from the
    real environment is usually a setting someone forgot to copy (a gateway URL, a model), and
    the app falls back to a default nobody chose.

    ## Example
    `.env.example` lists `ANTHROPIC_BASE_URL`, `.env` does not set it.

    ## Use instead
    Set the variable, or remove it from the example when it is no longer needed.

    ## References
    - research/anchors.md (dotenv-linter and the example-file checks users ask for)
    """

    meta = RuleMeta("EA214", "dotenv-missing-example-key", Severity.WARNING,
                    "a key in .env.example is missing from the effective environment",
                    "set the variable, or drop it from the example file")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per example key that nothing sets (once per variable and example file)."""
        if not ctx.env_files and not ctx.has_process_env:
            return  # nothing to compare with: a template-only checkout
        skip = _credentials()  # a missing credential is EA101's
        for example in ctx.example_files:
            folder = example.path.rpartition("/")[0]
            names: dict[str, int] = {}
            for reading in example.readings:
                for d in reading.definitions:
                    names.setdefault(d.name, d.location.line or 0)
            for name, line in names.items():
                if name in ctx.process or name in skip or not relevant(name):
                    continue
                if any(self._reaches(site, folder) for site in ctx.sites(name)):
                    continue
                message = (f"{name} is listed in {example.path} but no source the app loads "
                           "sets it")
                yield self.finding(message, Location("dotenv", example.path, line), name)

    @staticmethod
    def _reaches(site: Site, folder: str) -> bool:
        if site.file is None or site.file.origin != "discovered":
            return True
        mine = site.file.path.rpartition("/")[0]
        return folder in ("", mine) or mine.startswith(folder + "/") or folder.startswith(
            mine + "/") or mine == ""


class DotenvCommandSubstitution(Rule):
    """
    ## What it does
    Finds `$(command)` in a value of a file that dotenv-expand (1000.x) or dotenvx, when in
    use, expand: they run the command while loading the file.

    ## Why is this bad?
    Loading configuration runs a program: a value copied from a shell script, or a file an
    attacker can write, executes code in the app's process with its credentials; the same file
    read by python-dotenv or docker keeps the text literally, so the value also differs.

    ## Example
    `ANTHROPIC_API_KEY=$(cat /run/secrets/anthropic)`

    ## Use instead
    Resolve the value before the process starts (the shell, the orchestrator's secrets), or
    write it out.

    ## References
    - research/dotenv-semantics.md, dotenv-expand 1000.0.0 and dotenvx sections
    """

    meta = RuleMeta("EA215", "dotenv-command-substitution", Severity.WARNING,
                    "$(...) in a value that dotenv-expand or dotenvx executes",
                    "resolve the value before the process starts, or write it out")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per line a loader in use would run as a command."""
        for f in ctx.snapshot.files:
            lines: dict[int, list[str]] = {}
            for reading in f.readings:
                if reading.loader in f.loaders and reading.loader in (DOTENV_EXPAND, DOTENVX):
                    for line in reading.executes:
                        lines.setdefault(line, []).append(loader_label(reading.loader))
            for line, who in sorted(lines.items()):
                verb = "runs" if len(who) == 1 else "run"
                message = (f"line {line} of {f.path} holds $(...): {listed(who)} {verb} the "
                           "command when the file loads")
                yield self.finding(message, Location("dotenv", f.path, line),
                                   subject=str(line))


class DotenvExcludedFromImage(Rule):
    """
    ## What it does
    Finds a `.env` file holding provider variables that a dotenv library in use loads at run
    time, while the root's `.dockerignore` leaves it out of the Docker build context.

    ## Why is this bad?
    `COPY . .` copies everything but the excluded files, so inside the container
    `load_dotenv()` or `dotenv.config()` finds no `.env` and loads nothing, silently. The app
    works on the laptop and fails in the image with "Could not resolve authentication method"
    unless the variables are passed at run time. Excluding `.env` is right (secrets do not
    belong in images): the finding is a reminder to pass them with `docker run --env-file`,
    `-e`, compose `env_file:` or the orchestrator's secrets.

    ## Example
    `.dockerignore` has `.env`; `app.py` calls `load_dotenv()`; the Dockerfile runs
    `python app.py` and the deployment passes no variables.

    ## Use instead
    Pass the variables at run time: `docker run --env-file .env image`, or compose
    `env_file: .env`.

    ## References
    - docs.docker.com, "Dockerignore file"
    - research/dotenv-semantics.md, "What bites", item 1
    """

    meta = RuleMeta("EA210", "dotenv-excluded-from-image", Severity.WARNING,
                    ".dockerignore excludes the .env file the code loads at run time",
                    "pass the variables at run time (docker run --env-file, compose env_file)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per excluded `.env` file that a run-time loader reads and that holds provider
        variables."""
        build = ctx.snapshot.docker_build
        if build is None or not build.ignore_patterns:
            return
        from envaudit.dockerignore import excluded

        runtime = [ld for ld in ctx.snapshot.loaders if _loads_into_process(ld)]
        if not runtime:
            return
        for f in ctx.env_files:
            name = f.path.rpartition("/")[2]
            if f.origin != "discovered" or not name.startswith(".env"):
                continue
            loaders = [ld for ld in runtime if ld in f.loaders]
            names = sorted({d.name for r in f.readings if r.loader in loaders
                            for d in r.definitions if relevant(d.name)})
            if not loaders or not names or not excluded(f.path, build.ignore_patterns):
                continue
            who = listed([loader_label(ld) for ld in loaders])
            shown = listed(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            message = (f"{build.ignore_file} keeps {f.path} out of the image built from "
                       f"{build.dockerfile}: in the container {who} finds no file, so {shown} "
                       "must be passed at run time")
            yield self.finding(message, Location("dotenv", f.path), subject=f.path)


RULES: tuple[Rule, ...] = (
    DotenvShadowed(), DotenvEmptyShadow(), DotenvDuplicateKey(), DotenvParseDivergence(),
    DotenvExcludedFromImage(), DotenvLayerConflict(),
    DotenvUndefinedReference(), DotenvMissingExampleKey(), DotenvCommandSubstitution(),
)
