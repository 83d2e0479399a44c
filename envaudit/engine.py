"""The pipeline: ``collect`` runs the collectors into a frozen ``Snapshot``; ``audit`` runs the
rules over it; ``select_rules`` and ``exit_code`` apply the user's choices."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from envaudit.collectors import ALL_COLLECTORS
from envaudit.collectors.base import (
    CollectOptions,
    Collector,
    ComposeFacts,
    ComposeRead,
    PendingReleases,
    PidFacts,
    ProcessFacts,
    ProviderHint,
)
from envaudit.collectors.releases import sdk_found
from envaudit.collectors.tls_files import ca_files
from envaudit.context import AuditContext
from envaudit.errors import ConfigError
from envaudit.model import (
    COMPOSE,
    PYTHON_DOTENV,
    Declared,
    Definition,
    DockerBuild,
    DotenvFile,
    Finding,
    GitStatus,
    LoaderUse,
    NodeModules,
    PidEnvironment,
    PythonEnvironment,
    Releases,
    Runtime,
    Severity,
    Skip,
    Snapshot,
)
from envaudit.record import Record
from envaudit.rules import ALL_RULES
from envaudit.rules.base import Rule

if TYPE_CHECKING:
    from envaudit.host import Host


def collect(
    options: CollectOptions, collectors: Sequence[Collector] = ALL_COLLECTORS
) -> Snapshot:
    """Run every collector and freeze what they found: first the phase-0 collectors (what the
    project is made of, which loaders it uses), then the others with the loaders in use."""
    files: list[DotenvFile] = []
    skipped: list[Skip] = []
    process: tuple[Definition, ...] | None = None
    own_credentials: tuple[Definition, ...] | None = None
    pids: list[PidEnvironment] = []
    python_envs: list[PythonEnvironment] = []
    node_modules: list[NodeModules] = []
    runtimes: list[Runtime] = []
    declared: list[Declared] = []
    profiles: tuple[str, ...] = ()
    hints: list[str] = []
    uses: list[LoaderUse] = []
    docker_build: DockerBuild | None = None
    compose: ComposeFacts | None = None
    pending: PendingReleases | None = None
    git: GitStatus | None = None
    from envaudit.source.facts import CodeFacts  # the source collector imports it anyway

    code: CodeFacts | None = None
    # A phase-1 collector may start before phase 0 (the dotenv walk lists folders meanwhile).
    begun = {id(c): run for c in collectors
             if c.phase == 1 and (run := c.begin(options)) is not None}
    try:
        for phase in (0, 1, 2):
            if phase == 2:  # what phase 1 read, for the collectors that ask about it
                options = options._replace(dotenv_files=tuple(files))
            elif phase == 1:
                loaders, uses = loaders_in_use(options, uses, code)
                options = options._replace(loaders_in_use=loaders, load_names=load_names(code),
                                           convention_folders=convention_folders(code),
                                           compose_env_files=_compose_reads(compose, loaders))
            for collector in collectors:
                if collector.phase != phase:
                    continue
                run = begun.pop(id(collector), None)
                for fact in run(options) if run is not None else collector.collect(options):
                    if isinstance(fact, DotenvFile):
                        files.append(fact)
                    elif isinstance(fact, Skip):
                        skipped.append(fact)
                    elif isinstance(fact, ProcessFacts):
                        process, profiles = fact.definitions, fact.profile_files
                        own_credentials = fact.own_credentials
                    elif isinstance(fact, PidFacts):
                        pids.append(fact.environment)
                        # the first process to set a name wins
                        environ = {**fact.environ, **(options.app_environ or {})}
                        options = options._replace(app_environ=environ)
                    elif isinstance(fact, ProviderHint):
                        hints.append(fact.reason)
                    elif isinstance(fact, LoaderUse):
                        uses.append(fact)
                    elif isinstance(fact, DockerBuild):
                        docker_build = fact
                    elif isinstance(fact, CodeFacts):
                        code = fact  # later phase-0 collectors look where its listing looked:
                        options = options._replace(compose_folders=fact.compose_folders,
                                                   compose_commands=fact.compose_commands,
                                                   package_folders=fact.package_folders)
                    elif isinstance(fact, ComposeFacts):
                        compose = fact
                    elif isinstance(fact, PythonEnvironment):
                        python_envs.append(fact)
                        options = sdk_found(options, fact)
                    elif isinstance(fact, NodeModules):
                        node_modules.append(fact)
                        options = sdk_found(options, fact)
                    elif isinstance(fact, Runtime):
                        runtimes.append(fact)
                    elif isinstance(fact, PendingReleases):
                        pending = fact
                    elif isinstance(fact, Declared):
                        declared.append(fact)
                    elif isinstance(fact, GitStatus):
                        git = fact
    finally:
        for run in begun.values():
            run.close()
    # the indexes were asked while the files were read; this waits until the lookup's bound
    releases: Releases | None = pending.finish() if pending is not None else None
    if options.provider:
        hints.insert(0, f"--provider {options.provider}")
    loaders = options.loaders or tuple(dict.fromkeys(
        [*(options.loaders_in_use or ()), *(ld for f in files for ld in f.loaders)]))
    for loader in loaders:
        if not any(u.loader == loader for u in uses):
            uses.append(LoaderUse(loader, "reads docker-style files (--env-file, NAME.env)"))
    return Snapshot(
        root=options.root, files=tuple(files), process=process, pids=tuple(pids),
        python_envs=tuple(python_envs), node_modules=tuple(node_modules),
        runtimes=tuple(runtimes),
        declared=tuple(declared), loaders=loaders,
        loader_uses=tuple(uses), provider_hints=tuple(hints), profile_files=profiles,
        skipped=tuple(skipped), docker_build=docker_build,
        code=code, git=git,
        compose=compose.services if compose is not None and COMPOSE in loaders else (),
        releases=releases,
        today=options.today or _utc_today(),
        model_variables=options.model_variables,
        max_tokens_variables=options.max_tokens_variables,
        ca_files=ca_files(options.root, files, process, pids),
        own_credentials=own_credentials,
    )


def _utc_today() -> str:
    """Today's date, UTC, ISO (``time``: ``datetime`` is not needed for one string)."""
    import time

    return time.strftime("%Y-%m-%d", time.gmtime())


def _compose_reads(compose: ComposeFacts | None, loaders: tuple[str, ...]
                   ) -> dict[str, ComposeRead]:
    """The env files compose reads, when compose is a loader in use (none otherwise: with
    ``--loader`` naming other loaders, compose's files are not the app's)."""
    if compose is None or COMPOSE not in loaders:
        return {}
    return dict(compose.env_files)


def loaders_in_use(
    options: CollectOptions, uses: list[LoaderUse], code: Any = None
) -> tuple[tuple[str, ...], list[LoaderUse]]:
    """The loaders whose readings matter, and why: ``--loader`` when given; else every modelled
    loader the manifests and the code point at, in ``LOADERS`` order; python-dotenv when
    nothing does (the common case of a script calling ``load_dotenv()``)."""
    from envaudit.loaders import LOADERS, modeled

    if options.loaders:
        return options.loaders, [LoaderUse(ld, "--loader") for ld in options.loaders]
    found: dict[str, LoaderUse] = {}
    for use in [*_code_uses(code), *uses]:
        if use.loader not in found and modeled(use.loader):
            found[use.loader] = use
    if not any(LOADERS[ld].kind != "docker" for ld in found):
        found[PYTHON_DOTENV] = LoaderUse(PYTHON_DOTENV, "assumed: nothing in the project names "
                                                        "a dotenv loader")
    ordered = [found[ld] for ld in LOADERS if ld in found]
    return tuple(u.loader for u in ordered), ordered


def _code_uses(code: Any) -> list[LoaderUse]:
    """What the source says: each load call, preload and loader import (``CodeFacts``)."""
    if code is None:
        return []
    out = [LoaderUse(c.loader, f"{c.location.display()} calls {c.function}") for c in code.loads]
    out += [LoaderUse(e.preload.loader, f"{e.how} preloads it") for e in code.entry_points
            if e.preload is not None]
    out += [LoaderUse(p.loader, p.reason) for p in code.package_loaders]
    out += [LoaderUse(i.loader, f"{i.location.display()} imports {i.package}")
            for i in code.loader_imports]
    return out


def convention_folders(code: Any) -> dict[str, frozenset[str]] | None:
    """Per framework with an env-file convention (Next.js, Vite, dotenv-flow), the root-relative
    folders whose ``package.json`` declares it: the framework reads those folders' ``.env``
    family; ``None`` without code facts (the root's, then)."""
    if code is None:
        return None
    from envaudit.loaders import LOADERS

    out: dict[str, set[str]] = {}
    for p in code.package_loaders:
        if p.loader in LOADERS and LOADERS[p.loader].kind == "convention":
            out.setdefault(p.loader, set()).add(p.folder)
    return {loader: frozenset(folders) for loader, folders in out.items()}


def load_names(code: Any) -> dict[str, frozenset[str]] | None:
    """Per loader, the file names the code makes it read (``.env`` by default, plus literal
    paths given to ``dotenv.config({path})`` and friends); ``None`` without code facts."""
    if code is None:
        return None
    names: dict[str, set[str]] = {}
    for call in code.loads:
        chosen = names.setdefault(call.loader, {".env"})
        chosen.update(p.replace("\\", "/").rpartition("/")[2] for p in call.paths)
    return {loader: frozenset(v) for loader, v in names.items()}


def _matches(rule: Rule, key: str) -> bool:
    key = key.strip()
    return (rule.meta.id.startswith(key.upper()) or rule.meta.name == key.lower())


def select_rules(
    select: Iterable[str] = (), ignore: Iterable[str] = (), rules: Sequence[Rule] = ALL_RULES
) -> tuple[Rule, ...]:
    """Rules chosen by ID (``EA103``), name (``key-whitespace``) or family prefix (``EA1``).

    Raises ``ConfigError`` for a selector that matches no rule (a typo must not pass silently).
    """
    select, ignore = [s for s in select if s.strip()], [s for s in ignore if s.strip()]
    for key in (*select, *ignore):
        if not any(_matches(rule, key) for rule in rules):
            raise ConfigError(f"no rule matches {key!r} (see `envaudit rules`)")
    chosen = [r for r in rules if not select or any(_matches(r, k) for k in select)]
    return tuple(r for r in chosen if not any(_matches(r, k) for k in ignore))


class Report(Record):
    """The outcome of one audit: what the formatters render."""

    snapshot: Snapshot
    """What was collected."""
    findings: tuple[Finding, ...]
    """Findings, most severe first, then by location."""
    rules: tuple[Rule, ...]
    """The rules that ran."""
    context: AuditContext | None = None
    """The rules' view of the snapshot, kept so the formatters do not derive it again."""
    host: Host | None = None
    """The machine the snapshot was taken on (``envaudit.host.host_facts``), for the reports
    that show it (Markdown); ``None``: not recorded."""

    def view(self) -> AuditContext:
        """The audit context (built from the snapshot when the report was made without one)."""
        return self.context if self.context is not None else AuditContext(self.snapshot)

    def summary(self) -> dict[str, int]:
        """Counts per severity label."""
        out = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for f in self.findings:
            out[f.severity.label] += 1
        return out


def _sort_key(f: Finding) -> tuple[int, str, int, str, str]:
    loc = f.location
    return (-f.severity, loc.path or "", loc.line or 0, f.rule_id, f.message)


def audit(snapshot: Snapshot, rules: Sequence[Rule] = ALL_RULES) -> Report:
    """Run ``rules`` over ``snapshot``; duplicate findings (same fingerprint and line) merge."""
    ctx = AuditContext(snapshot)
    seen: set[tuple[str, int | None, str]] = set()
    findings: list[Finding] = []
    for rule in rules:
        for finding in rule.check(ctx):
            key = (finding.fingerprint, finding.location.line, finding.message)
            if key not in seen:
                seen.add(key)
                findings.append(finding)
    return Report(snapshot, tuple(sorted(findings, key=_sort_key)), tuple(rules), ctx)


def exit_code(report: Report, fail_on: str) -> int:
    """0 when no finding is at or above ``fail_on`` (``never`` always gives 0), else 1."""
    if fail_on == "never":
        return 0
    threshold = Severity.parse(fail_on)
    return 1 if any(f.severity >= threshold for f in report.findings) else 0
