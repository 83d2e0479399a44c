"""The collector interface and the options every collector reads.

Its records are named tuples (cheaper to define than frozen dataclasses, and this module is
imported by every run: see ``envaudit.model``); change one with ``_replace``."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Union

from envaudit.model import (
    ComposeService,
    Declared,
    Definition,
    DockerBuild,
    DotenvFile,
    GitStatus,
    LoaderUse,
    NodeModules,
    PidEnvironment,
    PythonEnvironment,
    Releases,
    Skip,
)
from envaudit.record import Record

if TYPE_CHECKING:
    from typing import Protocol

    from envaudit.source.facts import ComposeCommand

    class Begun(Protocol):
        """A phase-1 collector's run, begun before phase 0 (``Collector.begin``); for type
        checkers only (a ``Protocol`` class costs a millisecond to define)."""

        def __call__(self, options: CollectOptions) -> Iterator[Fact]:
            """``collect`` with the phase-0 facts in ``options``."""

        def close(self) -> None:
            """Give up (phase 0 failed): release what was started."""


class ComposeRead(Record):
    """How docker compose reads one env file (``CollectOptions.compose_env_files``)."""

    named_by: str
    """The first ``env_file:`` entry naming it: ``compose.yaml:7 (service web)``."""
    raw: bool = False
    """``format: raw`` (docker ``--env-file`` rules) for every entry naming it."""
    project_env: Mapping[str, str] = {}
    """The project ``.env`` values (``${VAR}`` and bare names look there after the shell)."""
    service_environment: Mapping[str, str | None] = {}
    """The ``environment:`` values of the first service naming it (looked up after the project
    ``.env``)."""


class CollectOptions(Record):
    """What to collect (built by the CLI from options and ``[tool.envaudit]``)."""

    root: str
    """Absolute path of the project."""
    env_files: tuple[str, ...] = ()
    """Extra env files (``--env-file``, config ``env-files``), absolute paths."""
    process_env: bool = True
    """Collect envaudit's own environment."""
    loaders: tuple[str, ...] | None = None
    """Loaders named with ``--loader``; ``None`` = infer."""
    loaders_in_use: tuple[str, ...] | None = None
    """The loaders the project uses, set by the engine between the two collector phases (the
    files are then read as these loaders read them); ``None`` before."""
    load_names: dict[str, frozenset[str]] | None = None
    """Per node loader, the file names the code makes it load (``dotenv.config({path: [...]})``,
    ``.env`` by default); ``None`` when the code was not analysed (every file is read)."""
    convention_folders: Mapping[str, frozenset[str]] | None = None
    """Per convention loader (Next.js, Vite, dotenv-flow), the root-relative folders whose
    ``package.json`` declares it (``""``: the root); set by the engine between the two phases
    when the code was analysed, ``None`` otherwise (only the root's files are the
    framework's)."""
    provider: str | None = None
    """``--provider`` (forces the provider's rules on)."""
    environ: Mapping[str, str] = {}
    """The environment envaudit runs in (``os.environ`` in the CLI, a dict in tests)."""
    all_variables: bool = False
    """Keep every variable's definitions; by default only those a rule or the effective table
    reads (``envaudit.variables.relevant``) are kept (every line is still parsed)."""
    compose_folders: tuple[str, ...] | None = None
    """Root-relative folders (``""``: the root) that hold a compose file, as the source
    analysis's listing of the top levels saw them; set by the engine when that analysis ran,
    ``None`` otherwise (the compose collector then looks at the root itself)."""
    pids: tuple[int, ...] = ()
    """Processes whose environments the app starts with (``--pid``), in the order given."""
    auto_pids: Mapping[int, str] | None = None
    """``--pid auto``'s picks among ``pids``, with why each was picked
    (``processes.find_app_processes``); empty when it found none, ``None`` when it was not
    asked."""
    pythons: tuple[str, ...] = ()
    """Interpreters whose packages to inventory (``--python``), absolute paths."""
    app_environ: Mapping[str, str] | None = None
    """The environment of those processes (the first to set a name wins), set by the engine
    between the two phases when one could be read: files are then interpolated against it
    instead of envaudit's own."""
    package_folders: tuple[str, ...] | None = None
    """Root-relative folders holding a ``package.json``, as the source analysis listed them;
    ``None`` when it did not run."""
    compose_commands: tuple[ComposeCommand, ...] = ()
    """The ``docker compose -f`` command lines the source analysis found (their projects are
    read too); set by the engine when that analysis ran."""
    compose_env_files: Mapping[str, ComposeRead] = {}
    """The env files compose reads (normalised absolute path -> how), set by the engine between
    the two phases when compose is a loader in use."""
    offline: bool = False
    """``--offline``: no network (the release lookup uses the bundled release data)."""
    look_up_releases: bool = True
    """Look up the latest releases of the installed SDKs (EA501 is among the rules run)."""
    stale_after: tuple[int, int] = (1, 0)
    """``(releases, days)`` behind the latest from which EA501 warns (``[tool.envaudit]``
    ``stale-releases``, ``stale-days``)."""
    release_data: str | None = None
    """A release data file to use instead of the bundled one (tests)."""
    sdk_installs: tuple[tuple[str, str, str], ...] = ()
    """The Anthropic SDKs the inventories found installed, in the order found, set by the
    engine as they report them: ``("python", environment folder, site-packages)``,
    ``("npm", folder holding node_modules, package folder)``, absolute paths."""

    today: str | None = None
    """The scan's date (ISO); ``None``: today's, UTC (tests pin it: goldens must not change
    with time)."""
    git: bool = True
    """Ask git whether the ``env`` files that hold secrets are tracked or ignored (EA701 is
    among the rules run; the rule cases ask only in EA701's own)."""
    dotenv_files: tuple[DotenvFile, ...] = ()
    """The dotenv files phase 1 read, set by the engine before phase 2 (the git collector asks
    about them)."""
    model_variables: tuple[str, ...] | None = None
    """``[tool.envaudit] model-variables`` (``None``: the defaults); kept by ``keep``."""
    max_tokens_variables: tuple[str, ...] | None = None
    """``[tool.envaudit] max-tokens-variables`` (``None``: the defaults); kept by ``keep``."""

    def reading_environ(self) -> Mapping[str, str]:
        """The environment files are interpolated against: with ``--pid``, those processes';
        else ``environ`` when the process environment is collected, else none."""
        if self.pids:  # the app is another process: its environment, when it could be read
            return self.app_environ or {}
        return self.environ if self.process_env else {}

    def keep(self) -> Callable[[set[str]], set[str]] | None:
        """The name filter for definitions (a ``variables.KeyFilter``; ``None``: keep all)."""
        if self.all_variables:
            return None
        from envaudit.variables import relevant_among

        extra = frozenset((*(self.model_variables or ()), *(self.max_tokens_variables or ())))
        if extra:  # configured names a rule reads besides the defaults
            return lambda names: relevant_among(names) | (names & extra)
        return relevant_among


class ProcessFacts(Record):
    """What the process collector found."""

    definitions: tuple[Definition, ...] | None
    """The environment's variables (those ``CollectOptions.keep`` accepts); ``None`` when it
    was not read (``--pid``: the app is another process)."""
    profile_files: tuple[str, ...]
    """Anthropic SDK profile files on disk."""
    own_credentials: tuple[Definition, ...] | None = None
    """With ``--pid`` (``definitions`` is then ``None``): the credential variables of
    envaudit's own environment (``Snapshot.own_credentials``, EA801)."""


class PidFacts(Record):
    """What the pid collector read of one process (``--pid``)."""

    environment: PidEnvironment
    """Its environment, as the snapshot keeps it."""
    environ: Mapping[str, str]
    """All of it (the engine interpolates files against it; not kept)."""


class ComposeFacts(Record):
    """What the compose collector found: the services and the env files compose reads."""

    services: tuple[ComposeService, ...]
    """Every service of the compose projects read, in their files' order."""
    env_files: Mapping[str, ComposeRead]
    """Each existing env file a service names (normalised absolute path), and how compose reads
    it."""


Fact = Union[DotenvFile, ProcessFacts, PidFacts, Skip, "ProviderHint", LoaderUse, DockerBuild,
             ComposeFacts, PythonEnvironment, NodeModules, Declared, "PendingReleases",
             GitStatus]


class PendingReleases(Record):
    """The release lookup the releases collector started (``envaudit.inventory.releases``):
    the engine calls ``finish`` once the other collectors are done, which waits at most until
    the lookup's deadline."""

    finish: Callable[[], Releases]
    """The lookup's ``Lookup.finish``."""


class ProviderHint(Record):
    """Evidence that the project uses the Anthropic SDK (a manifest names it)."""

    reason: str
    """e.g. ``pyproject.toml declares anthropic``."""


class Collector(abc.ABC):
    """Yields facts and skips for one part of the world; never raises for bad input, only
    ``CollectorError`` when it cannot run at all (the root cannot be listed)."""

    name: str = ""
    phase: int = 1
    """0: reads what the project is made of (manifests, code: which loaders it uses); 1: reads
    the files and environments as those loaders do (``CollectOptions.loaders_in_use``); 2:
    asks about what phase 1 found (``CollectOptions.dotenv_files``: git's view of them)."""

    @abc.abstractmethod
    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        """Yield every fact found; record what could not be read as a ``Skip``."""

    def begin(self, options: CollectOptions) -> Begun | None:
        """For a phase-1 collector, start what needs no phase-0 facts (the engine calls this
        before phase 0, then the result instead of ``collect``); ``None``: nothing to start."""
        return None
