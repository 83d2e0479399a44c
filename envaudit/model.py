"""Frozen records that cross stage boundaries: collectors -> snapshot -> rules -> formatters.

Every record is a named tuple (``envaudit.record.Record``: ``typing.NamedTuple`` to a type
checker, without its per-field ``ForwardRef`` compiles at run time) with a docstring per field,
as immutable and typed as a frozen dataclass: this module is imported by every run, and on
Python 3.11 a frozen dataclass costs about 0.43 ms to define (six generated methods, each
``exec``-ed) against 0.05 ms for a record. A named tuple is also built, hashed, pickled (the
walk's helper process sends its readings) and unpickled faster, and a large tree makes
thousands of them. Change one with ``_replace``; never compare records of different types (a
named tuple equals a plain tuple with the same items)."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from envaudit.record import Record

if TYPE_CHECKING:
    from envaudit.source.facts import CodeFacts
    from envaudit.tls import CaFile


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so that ``ERROR > WARNING > INFO``."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """The lower-case name used in every output format."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Return the severity named ``text`` (case-insensitive); ValueError otherwise."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}") from None


#: Loader names, as the ``--loader`` option spells them.
PYTHON_DOTENV = "python-dotenv"
DOCKER_ENV_FILE = "docker-env-file"
NODE_DOTENV = "node-dotenv"
DOTENV_EXPAND = "dotenv-expand"
DOTENVX = "dotenvx"
COMPOSE = "compose"
DOTENV_FLOW = "dotenv-flow"
NEXTJS = "nextjs"
VITE = "vite"
PROCESS = "process"
#: ``Location.source`` of the environments an app starts with: envaudit's own, another
#: process's (``--pid``).
ENVIRONMENTS = frozenset({"process", "pid"})


class Location(Record):
    """Where a value or a finding comes from (spec: ``location`` in the JSON report)."""

    source: str
    """One of ``dotenv``, ``process``, ``pid``, ``code``, ``compose`` (a compose file's
    ``environment:`` entry), ``package``, ``config``, ``probe``."""
    path: str | None = None
    """Path relative to the audited root when under it, else absolute."""
    line: int | None = None
    """1-based line number, when the source has lines."""
    pid: int | None = None
    """Process id, for ``source == "pid"``."""

    def environment(self) -> str:
        """The environment an app starts with that this location is, in words: ``the process
        environment``, ``the environment of pid 42``."""
        return (f"the environment of pid {self.pid}" if self.source == "pid"
                else "the process environment")

    def display(self) -> str:
        """A short human form: ``.env:3``, ``process environment``, ``pid 42``."""
        if self.source == "process":
            return "process environment"
        if self.source == "pid":
            return f"pid {self.pid}"
        if self.path is None:
            return self.source
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def to_json(self) -> dict[str, Any]:
        """The spec's ``location`` object, omitting unset fields."""
        out: dict[str, Any] = {"source": self.source}
        if self.path is not None:
            out["path"] = self.path
        if self.line is not None:
            out["line"] = self.line
        if self.pid is not None:
            out["pid"] = self.pid
        return out


class Definition(Record):
    """One definition of a variable as one loader reads one source."""

    name: str
    """The variable name exactly as the loader yields it."""
    value: str | None
    """The value the loader yields (``None``: a bare key with no ``=``)."""
    location: Location
    """The file and line, or the process environment."""
    loader: str
    """The loader that reads it (``python-dotenv``, ``compose`` ...) or ``process``."""


class DroppedLine(Record):
    """A line a loader could not parse and skipped (python-dotenv logs a warning)."""

    line: int
    """1-based line where the unparsable statement starts."""
    reason: str
    """Why the loader dropped it, in words; never contains the value."""
    end_line: int = 0
    """Last line whose variable is lost with the statement (> ``line`` when an open quote ran
    on); ``line`` when nothing more is lost, 0 when unknown."""
    lost_keys: tuple[str, ...] = ()
    """Variables lost with the statement, as docker's line-by-line reading names them (empty
    when docker refuses the file)."""


class FileReading(Record):
    """What one loader makes of one file."""

    loader: str
    """The loader's name."""
    status: str
    """``ok``, or ``file-rejected`` when the loader refuses or crashes on the whole file."""
    definitions: tuple[Definition, ...] = ()
    """Every assignment, in file order (duplicates kept)."""
    dropped: tuple[DroppedLine, ...] = ()
    """Statements the loader skipped."""
    error: str | None = None
    """Why the file was rejected (written by envaudit; never quotes a value)."""
    error_line: int | None = None
    """Line the rejection points at, when there is one."""
    names: frozenset[str] = frozenset()
    """Every variable name the loader reads from the file, kept or not (python-dotenv)."""
    unresolved: tuple[tuple[int, str, str], ...] = ()
    """``(line, variable, name)``: a ``${name}`` in a kept value that nothing defines when the
    file loads (python-dotenv makes it ``""``)."""
    executes: tuple[int, ...] = ()
    """Lines whose value runs a command when this loader expands it (``$(...)``)."""
    raw: bool = False
    """compose only: the file is named with ``format: raw`` and read with docker
    ``--env-file``'s rules (values verbatim)."""


class EncodingIssue(Record):
    """A byte-level problem in a dotenv file (EA206)."""

    kind: str
    """``utf-16``, ``invalid-utf-8``, ``nul``, ``long-line``, ``binary`` or ``too-large``."""
    line: int | None
    """1-based line of the first occurrence, when known."""
    detail: str
    """A sentence about the problem; never contains a value."""


class FileSecret(Record):
    """A secret a dotenv file holds (EA701-EA703), described without its value
    (``envaudit.exposure``)."""

    name: str
    """The variable (a name is not a secret; one shaped like a credential is shown as a hint)."""
    line: int
    """1-based line of its definition."""
    kind: str | None = None
    """Example files: the credential format of a real-looking credential (``Anthropic API
    key``, ``GitHub token``); ``None`` in the other files (not looked at)."""
    hint: str | None = None
    """``redact.hint`` of the value, when ``kind`` is set."""


class DotenvFile(Record):
    """A dotenv file found under the root or named with ``--env-file``."""

    path: str
    """Display path: relative to the root when under it."""
    abspath: str
    """Absolute path."""
    role: str
    """``env`` (loaded at run time) or ``example`` (.env.example / .sample / .template)."""
    origin: str
    """``discovered``, ``explicit`` (``--env-file``), ``config`` (``[tool.envaudit]``) or
    ``compose`` (named by a compose ``env_file:`` entry, not found by the walk: read by compose
    only)."""
    loaders: tuple[str, ...]
    """The loaders in use that read this file."""
    size: int = 0
    """Size in bytes."""
    mode: int = 0
    """``st_mode`` permission bits."""
    symlink_target: str | None = None
    """Where the file points, when the name is a symlink."""
    issues: tuple[EncodingIssue, ...] = ()
    """Byte-level problems."""
    readings: tuple[FileReading, ...] = ()
    """python-dotenv's reading, then docker-env-file's when docker reads the file. Their
    definitions hold the variables a rule reads (every variable with ``all_variables``)."""
    secrets: tuple[FileSecret, ...] = ()
    """``env`` files: the first secrets python-dotenv reads there (``exposure.is_file_secret``,
    at most ``exposure.SECRETS_NAMED``); ``example`` files: every real-looking credential
    (``exposure.credential_kind``)."""

    def reading(self, loader: str) -> FileReading | None:
        """The reading by ``loader``, if any."""
        for reading in self.readings:
            if reading.loader == loader:
                return reading
        return None


class Skip(Record):
    """Something that could not be inspected, recorded instead of failing."""

    source: str
    """``dotenv``, ``pid``, ``config`` ... (as in ``Location.source``), or ``git`` (the
    repository could not be asked: EA701)."""
    reason: str
    """Why it was skipped."""
    path: str | None = None
    """The path concerned, if any."""
    pid: int | None = None
    """The process concerned, if any."""

    def to_json(self) -> dict[str, Any]:
        """The spec's ``skipped`` entry."""
        out: dict[str, Any] = {"source": self.source}
        if self.path is not None:
            out["path"] = self.path
        if self.pid is not None:
            out["pid"] = self.pid
        out["reason"] = self.reason
        return out


class GitFile(Record):
    """What git says about one dotenv file (EA701)."""

    path: str
    """The file (``DotenvFile.path``)."""
    tracked: bool
    """In git's index (committed, or staged to be)."""
    ignored_by: str | None = None
    """Where the rule that ignores it is (``.gitignore:3``, ``.git/info/exclude:7``, a global
    excludes file), as ``git check-ignore -v`` names it, even when the file is tracked;
    ``None``: no rule ignores it (``git add .`` adds it)."""
    pattern: str | None = None
    """That rule's pattern (``.env``, ``*.env``)."""


class GitStatus(Record):
    """git's view of the dotenv files that hold secrets (``collectors.git_status``)."""

    worktree: str
    """The top folder of the work tree that holds the root (absolute)."""
    files: tuple[GitFile, ...] = ()
    """Each ``env`` file with secrets inside the work tree, in the snapshot's file order."""
    outside: tuple[str, ...] = ()
    """Such files outside the work tree (``--env-file ~/prod.env``): not asked about."""

    def file(self, path: str) -> GitFile | None:
        """What git says about the file at ``path``, if it was asked."""
        return next((f for f in self.files if f.path == path), None)


class DockerBuild(Record):
    """The root's Docker build context: a Dockerfile and the ``.dockerignore`` rules."""

    dockerfile: str
    """The Dockerfile's root-relative path."""
    ignore_file: str | None = None
    """``.dockerignore`` (root-relative), when there is one."""
    ignore_patterns: tuple[str, ...] = ()
    """Its patterns in order (``!`` exceptions kept), comments and blank lines dropped."""


class LoaderUse(Record):
    """Evidence that the project loads dotenv files with one loader."""

    loader: str
    """The loader, named as ``--loader`` names it."""
    reason: str
    """Where the evidence is: ``package.json depends on dotenv``, ``--loader``."""


class ComposeService(Record):
    """One docker compose service, as far as its environment goes: the env files compose reads
    for it and its ``environment:`` entries (``compose_project.Service``, resolved)."""

    name: str
    """The service name."""
    file: str
    """The compose file that declares it (display path)."""
    env_files: tuple[str, ...]
    """Display paths of the env files compose reads for it, in its ``env_file`` order (a later
    one wins); missing optional files are left out."""
    environment: tuple[Definition, ...] = ()
    """Its ``environment:`` entries (loader ``compose``, ``Location("compose", file, line)``),
    interpolated from the shell and the project ``.env``; a bare name takes its value from them,
    ``None`` when neither has it. Only the variables a rule reads, as for files."""


class CommandSecret(Record):
    """A secret in a process's command line (``envaudit.cmdline``): where it is and its hint,
    never the command line itself."""

    index: int
    """The argument holding it (0: the program)."""
    kind: str
    """How it was recognised: ``credential`` (a known credential format), ``option-value``
    (after ``--api-key``, ``--token`` ...), ``assignment`` (``NAME=VALUE`` with a secret name),
    ``header`` (``Authorization: ...``), ``url-password``, ``environment-value`` (the value of
    one of the process's own secret variables)."""
    hint: str
    """``redact.hint`` of the secret part."""


class PidEnvironment(Record):
    """The environment another process started with (``--pid``)."""

    pid: int
    """Its process id."""
    name: str
    """Its executable's name (``python3``), ``""`` when unknown; never its command line, which
    may hold secrets."""
    definitions: tuple[Definition, ...]
    """Its variables (loader ``process``, ``Location("pid", pid=...)``), those a rule reads."""
    command_secrets: tuple[CommandSecret, ...] = ()
    """The secrets its command line shows (EA705), in argument order."""
    picked: str | None = None
    """Why ``--pid auto`` picked it (``None``: named with ``--pid PID``)."""


class Package(Record):
    """One installed distribution of a Python environment (``envaudit.inventory``)."""

    name: str
    """PEP 503 normalised name (``python-dotenv``)."""
    version: str | None
    """As its METADATA says."""
    path: str
    """Its ``.dist-info`` / ``.egg-info`` / ``.egg-link`` (display path)."""


class DeprecatedModel(Record):
    """A model an SDK's ``DEPRECATED_MODELS`` (or the bundled catalogue) names, with its
    end-of-life."""

    model: str
    """The model ID (``claude-opus-4-5``)."""
    end_of_life: str
    """As the SDK writes it (``January 22nd, 2027``): the SDK warns with this text."""
    date: str | None = None
    """The same as an ISO date (``2027-01-22``); ``None`` when the text is not a date."""


class ModelCatalogue(Record):
    """The model IDs an installed SDK knows and the deprecations it warns about, read from its
    source files (``envaudit.inventory.models``); or the bundled catalogue."""

    source: str
    """Where it comes from: ``anthropic 2.17.0 at .venv``, ``@anthropic-ai/sdk 1.17.0 at
    node_modules``, ``bundled catalogue of 2026-12-06``."""
    models: tuple[str, ...] = ()
    """The model IDs listed (the SDK's ``Model`` type, in its order); empty when unread."""
    deprecated: tuple[DeprecatedModel, ...] = ()
    """Its deprecation map, in its order (an SDK too old to have one: empty)."""
    aliases: tuple[tuple[str, str], ...] = ()
    """``(alias, model ID)`` pairs (``claude-opus-4-5`` -> ``claude-opus-4-5-20251101``): the
    bundled catalogue's; the SDKs do not say."""
    files: tuple[str, ...] = ()
    """The files read: package-relative (``types/model.py``), or the bundled data file."""
    reason: str | None = None
    """An SDK's reading: why its lists could not be read (``models`` is then empty). The
    bundled catalogue picked for a snapshot: why no SDK's was used."""

    def knows(self, model: str) -> bool:
        """Whether ``model`` is listed, deprecated or an alias here."""
        return (model in self.models or any(d.model == model for d in self.deprecated)
                or any(a == model for a, _ in self.aliases))

    def deprecation(self, model: str) -> DeprecatedModel | None:
        """The deprecation entry of ``model``, if any."""
        return next((d for d in self.deprecated if d.model == model), None)


class PythonEnvironment(Record):
    """A Python environment the app may run in, with the distributions the rules read."""

    path: str
    """The environment's folder (display path), or the interpreter's for one without
    ``pyvenv.cfg``."""
    origin: str
    """How it was found: ``.venv in the project``, ``VIRTUAL_ENV``, ``--python …``."""
    python: str | None
    """Its Python version (``pyvenv.cfg``, or the interpreter's answer)."""
    packages: tuple[Package, ...] = ()
    """The relevant distributions installed (``inventory.python_envs.RELEVANT``)."""
    models: ModelCatalogue | None = None
    """What its ``anthropic`` knows about models (``None``: not installed)."""

    def package(self, name: str) -> Package | None:
        """The installed distribution of that (normalised) name."""
        return next((p for p in self.packages if p.name == name), None)


class Runtime(Record):
    """A Python or Node.js version the app runs on, or that the project says it runs on."""

    kind: str
    """``python`` or ``node``."""
    version: str
    """As found (``20.20.2``, ``18``, ``3.9``)."""
    source: str
    """Where from, for messages: ``node on PATH (/usr/bin/node)``, ``.nvmrc``,
    ``Dockerfile FROM node:18-alpine``."""
    location: Location
    """``package`` for an installed runtime (its path), ``config`` for a file that names it."""


class NodeModules(Record):
    """A project folder's ``node_modules`` with the npm packages the rules read."""

    folder: str
    """The folder holding ``node_modules`` (display path; ``.`` for the root)."""
    packages: tuple[Package, ...] = ()
    """The relevant packages installed there (nested copies included, each at its path)."""
    models: ModelCatalogue | None = None
    """What its top-level ``@anthropic-ai/sdk`` knows about models (``None``: not installed)."""

    def package(self, name: str) -> Package | None:
        """The top-level copy of that package (else the first nested one)."""
        copies = [p for p in self.packages if p.name == name]
        return min(copies, key=lambda p: p.path.count("node_modules")) if copies else None

    @property
    def shown(self) -> str:
        """The ``node_modules`` folder as messages name it (``apps/web/node_modules``)."""
        return "node_modules" if self.folder == "." else f"{self.folder}/node_modules"

    def serves(self, folder: str) -> bool:
        """Whether code in ``folder`` (root-relative, ``""``: the root) resolves packages from
        here: node looks in the file's folder's ``node_modules``, then each parent's."""
        return self.folder == "." or folder == self.folder or folder.startswith(
            self.folder + "/")


class DeclaredPin(Record):
    """One exact version a lock or requirements file declares."""

    name: str
    """Normalised (Python) or npm name."""
    version: str
    line: int | None = None
    """1-based line of the declaration, when found."""


class DeclaredRange(Record):
    """A range a manifest allows for a package (``anthropic>=2.0``, ``"@anthropic-ai/sdk":
    "^1.10.0"``, Poetry's ``^2.0``)."""

    name: str
    """Normalised (Python) or npm name."""
    spec: str
    """As written (``>=2.0,<3``, ``^1.10.0``)."""
    syntax: str
    """``pep440``, ``npm`` or ``poetry`` (``envaudit.inventory.ranges``)."""
    line: int | None = None
    """1-based line of the declaration, when found."""


class Declared(Record):
    """What one lock, requirements or manifest file pins or allows, as far as the relevant
    packages go."""

    path: str
    """The file (display path once collected)."""
    ecosystem: str
    """``python`` or ``npm``."""
    pins: tuple[DeclaredPin, ...] = ()
    ranges: tuple[DeclaredRange, ...] = ()
    """Ranges (``pyproject.toml``, ``requirements*.txt`` lines other than ``==``,
    ``package.json``)."""

    def pin(self, name: str) -> DeclaredPin | None:
        """The pin of that package."""
        return next((p for p in self.pins if p.name == name), None)


class ReleaseCheck(Record):
    """The latest release of an installed Anthropic SDK, and where the answer comes from
    (``envaudit.inventory.releases``)."""

    ecosystem: str
    """``python`` or ``npm``."""
    name: str
    """``anthropic`` or ``@anthropic-ai/sdk``."""
    latest: str | None
    """The latest final release (no pre-release, nothing yanked); ``None``: unknown."""
    releases: tuple[tuple[str, str | None], ...] = ()
    """Every final release known, ``(version, YYYY-MM-DD or None)``, oldest version first."""
    source: str = "none"
    """``index`` (asked now), ``cache`` (an earlier answer of the index), ``bundled`` (the
    release data shipped with envaudit) or ``none``."""
    index: str | None = None
    """The index URL asked or configured, credentials shown as ``***``."""
    date: str | None = None
    """When the cached answer was fetched, or the bundled data taken."""
    reason: str | None = None
    """Why the index's own answer is not used (``--offline``, ``the index at … answered HTTP
    404``); ``None`` when it is."""

    @property
    def authoritative(self) -> bool:
        """The index's own answer (now or fresh in the cache): a version it does not find
        behind is current. Otherwise ``latest`` is only a lower bound."""
        return self.source in ("index", "cache") and self.reason is None


class Releases(Record):
    """The release lookup of a scan (made when an Anthropic SDK is installed) and the
    thresholds EA501 applies (``[tool.envaudit]`` ``stale-releases`` / ``stale-days``)."""

    checks: tuple[ReleaseCheck, ...]
    """One per ecosystem whose SDK is installed."""
    offline: str | None = None
    """Why the network was not used (``--offline``, ``ENVAUDIT_OFFLINE is set``), or ``None``."""
    stale_releases: int = 1
    """EA501 warns from this many releases behind the latest ..."""
    stale_days: int = 0
    """... when the latest came out at least this many days after the installed one."""

    def check(self, ecosystem: str) -> ReleaseCheck | None:
        """The check of that ecosystem."""
        return next((c for c in self.checks if c.ecosystem == ecosystem), None)


class ProbeTarget(Record):
    """What ``envaudit probe`` sends, and along which path: the installed SDK's request as the
    network model computes it for the app's environment (``envaudit.probe.plan``). Holds no
    secret: the credential is named, never carried."""

    sdk: str
    """Whose behaviour is followed: ``anthropic 2.17.0 (.venv)``, ``@anthropic-ai/sdk 1.17.0
    (node_modules)``, or ``no SDK installed: anthropic 2.x defaults``."""
    url: str
    """The URL requested (``https://api.anthropic.com/v1/models``), userinfo as ``***``."""
    scheme: str
    """``https`` or ``http``."""
    host: str
    """The API host (an IPv6 address without brackets)."""
    port: int
    """Its port."""
    proxy: str | None = None
    """The proxy the SDK would use (password as ``***``); ``None``: direct."""
    proxy_variable: str | None = None
    """The variable it comes from (``HTTPS_PROXY``), or why none applies (``NO_PROXY``)."""
    ca: str = "certifi"
    """The trust store the SDK would use: ``certifi``, ``system``, or a CA file/folder path."""
    verify: bool = True
    """``False``: the SDK would not verify the certificate (``NODE_TLS_REJECT_UNAUTHORIZED=0``)."""
    auth_header: str | None = None
    """``x-api-key`` or ``authorization`` (``Bearer``); ``None``: no credential set."""
    credential_variable: str | None = None
    """The variable whose value is sent (``ANTHROPIC_API_KEY``), and where it wins from."""
    credential_hint: str | None = None
    """Its hint (``sk-ant-api03-…x9AA (108 chars, fp …)``)."""
    anthropic_version: str = "2023-06-01"
    """The ``anthropic-version`` header the SDK sends."""
    model: str | None = None
    """The configured model (``ANTHROPIC_MODEL`` …), checked against the models listed."""
    max_tokens: str | None = None
    """The configured max-tokens setting, for ``--messages``."""
    blocked: str | None = None
    """Why the SDK would send no request at all (``UnsupportedProtocol: ...`` for a base URL
    without an http(s) scheme, ``construction: InvalidURL ...`` for a proxy URL or ``NO_PROXY``
    entry it cannot build): the probe then fails at ``blocked_stage`` and sends nothing."""
    blocked_stage: str | None = None
    """``url`` or ``proxy``: the stage ``blocked`` fails; ``None`` when nothing blocks."""


class ProbeStage(Record):
    """One timed step of the probe."""

    name: str
    """``url`` (only when the SDK could send nothing: ``ProbeTarget.blocked``), ``dns``,
    ``connect``, ``proxy``, ``tls``, ``request``, ``first-byte``, ``response`` (the rest of
    the answer, bounded), ``messages``; docs/probe.md lists each one's ``data``."""
    status: str
    """``ok``, ``failed``, ``timeout`` or ``skipped`` (not reached, or not needed)."""
    ms: float | None = None
    """How long it took (``None``: not run)."""
    detail: str = ""
    """What happened, in words (``resolved to 127.0.0.1``, ``Connection refused``,
    ``certificate verify failed: self-signed certificate in certificate chain``); never a
    secret."""
    data: dict[str, Any] = {}
    """Stage-specific facts (JSON-ready): ``addresses``; the proxy's status line; the TLS
    version, cipher, the leaf's subject, issuer, expiry and whether the issuer is a public CA;
    the HTTP status."""


class ProbeResult(Record):
    """What ``envaudit probe`` found (``Snapshot.probe``; the EA9xx rules read it)."""

    target: ProbeTarget
    """What was sent, and along which path."""
    stages: tuple[ProbeStage, ...]
    """In order; the first that is not ``ok`` is where it failed."""
    status: int | None = None
    """The HTTP status of ``GET /v1/models``; ``None``: no answer."""
    error_type: str | None = None
    """The API's ``error.type`` (``authentication_error``)."""
    error_message: str | None = None
    """The API's ``error.message``, scrubbed of secrets and cut to 300 characters."""
    request_id: str | None = None
    """The ``request-id`` header."""
    retry_after: str | None = None
    """The ``retry-after`` header (429, 529)."""
    models: tuple[str, ...] | None = None
    """The model IDs a 200 listed (``None``: not listed)."""
    messages_status: int | None = None
    """``--messages``: the status of the minimal Messages request (``None``: not sent)."""
    messages_error: tuple[str | None, str | None] = (None, None)
    """``--messages``: its ``error.type`` and scrubbed ``error.message``."""
    total_ms: float = 0.0
    """The whole probe."""


class Snapshot(Record):
    """Everything the collectors found; the only input of the rules."""

    root: str
    """Absolute path of the audited project."""
    files: tuple[DotenvFile, ...] = ()
    """Dotenv files, in discovery order."""
    process: tuple[Definition, ...] | None = None
    """envaudit's own environment, or ``None`` with ``--no-process-env`` or ``--pid`` (the app
    is then another process)."""
    python_envs: tuple[PythonEnvironment, ...] = ()
    """The app's Python environments found (venvs in the project, ``VIRTUAL_ENV``,
    ``--python``), with their relevant distributions."""
    declared: tuple[Declared, ...] = ()
    """The lock and requirements files read (``uv.lock``, ``package-lock.json`` ...)."""
    node_modules: tuple[NodeModules, ...] = ()
    """The ``node_modules`` of the project's package folders, with their relevant packages."""
    runtimes: tuple[Runtime, ...] = ()
    """The ``node`` on the app's PATH, and the versions ``.nvmrc``, ``.node-version``,
    ``.python-version`` and the Dockerfiles' final ``FROM`` name (the Python environments carry
    their own version)."""
    pids: tuple[PidEnvironment, ...] = ()
    """The environments of the processes named with ``--pid`` that could be read, in the
    order given (the first is the app's, when they disagree)."""
    loaders: tuple[str, ...] = (PYTHON_DOTENV,)
    """Loaders considered in use."""
    loader_uses: tuple[LoaderUse, ...] = ()
    """Why each loader is considered in use (``--loader``, a manifest, the code)."""
    docker_build: DockerBuild | None = None
    """The root's Docker build context, when the root has a Dockerfile."""
    provider_hints: tuple[str, ...] = ()
    """Why the Anthropic provider is considered in use (besides its variables)."""
    profile_files: tuple[str, ...] = ()
    """Anthropic SDK profile files found on disk (an active profile is a credential)."""
    skipped: tuple[Skip, ...] = ()
    """What could not be inspected."""
    code: CodeFacts | None = None
    """What the project's source says about loading dotenv files (``None``: not analysed)."""
    git: GitStatus | None = None
    """Whether git tracks or ignores the ``env`` files that hold secrets (EA701); ``None``:
    not asked (no such file, EA701 not run) or git could not answer (a ``Skip`` says why)."""
    compose: tuple[ComposeService, ...] = ()
    """The compose services whose env files and ``environment:`` the app gets, when compose is
    a loader in use (in the compose files' order)."""
    releases: Releases | None = None
    """The latest releases of the installed SDKs (``None``: none installed, not looked up)."""
    today: str | None = None
    """The scan's date, ISO (``2026-12-06``, UTC): EA607/EA608 compare end-of-life dates with
    it (``CollectOptions.today`` pins it in tests); ``None``: the rules use today's."""
    model_variables: tuple[str, ...] | None = None
    """Variables holding model IDs (``[tool.envaudit] model-variables``); ``None``: the
    defaults (``envaudit.variables.MODEL_VARIABLES``)."""
    max_tokens_variables: tuple[str, ...] | None = None
    """Variables holding max-tokens settings (``max-tokens-variables``); ``None``: the
    defaults (``envaudit.variables.MAX_TOKENS_VARIABLES``)."""
    ca_files: tuple[CaFile, ...] = ()
    """What the CA variables' paths hold (``SSL_CERT_FILE`` ...: ``envaudit.tls``), each path
    named by a definition read once; empty when none is set (EA402-EA406)."""
    probe: ProbeResult | None = None
    """``envaudit probe``'s result (EA901-EA918); ``None``: not probed (``scan`` never
    probes)."""
    own_credentials: tuple[Definition, ...] | None = None
    """With ``--pid`` (``process`` is then ``None``): the credential variables of envaudit's own
    environment, what a process started now would get besides the files (EA801); ``None``
    without ``--pid``, or with ``--no-process-env``."""


class Finding(Record):
    """One problem found by one rule."""

    rule_id: str
    """``EA103``."""
    name: str
    """``key-whitespace``."""
    severity: Severity
    """Effective severity."""
    message: str
    """What is wrong and what the SDK will do; never contains a secret."""
    location: Location
    """Where it is."""
    variable: str | None = None
    """The variable concerned."""
    fix: str = ""
    """A one-line fix."""
    fingerprint: str = ""
    """Stable identity: rule, variable, source and path (no line numbers or PIDs)."""
    details: dict[str, Any] = {}
    """Rule-specific data (JSON-serialisable)."""
