"""Frozen facts about the project's source code, as the ``source-code`` collector finds them.

Paths are relative to the audited root (``/`` separators); every place in the code is an
``envaudit.model.Location`` with ``source == "code"`` (a ``package.json`` script, a Dockerfile
``CMD`` or a ``Procfile`` line is code too: it is where the command is written). Nothing here
holds a value read from a dotenv file or from the environment.

Every record here, ``CodeFacts`` included, is a named tuple (as cheap to
define as to use: a scan imports this module whatever the project holds).
"""

from __future__ import annotations

from envaudit.model import Location
from envaudit.record import Record

#: ``LoadCall.loader`` / ``LoaderImport.loader`` names (the ``--loader`` spelling where one exists).
PYTHON_DOTENV = "python-dotenv"
NODE_DOTENV = "node-dotenv"
DOTENV_EXPAND = "dotenv-expand"
DOTENVX = "dotenvx"
DOTENV_FLOW = "dotenv-flow"
NODE_ENV_FILE = "node --env-file"
NODE_LOAD_ENV_FILE = "process.loadEnvFile"
UVICORN_ENV_FILE = "uvicorn --env-file"

#: ``LoadCall.path_kind`` values.
SEARCH = "search"
"""No path: python-dotenv's ``find_dotenv()`` searches upward from the calling file's folder."""
CWD = "cwd"
"""The working directory's file (node dotenv's default ``./.env``; ``find_dotenv(usecwd=True)``)."""
LITERAL = "literal"
"""A string literal (``path`` / ``paths`` hold it)."""
EXPRESSION = "expression"
"""A computed path (``Path(__file__).parent / ".env"``, ``path.resolve(__dirname, ".env")``)."""
STREAM = "stream"
"""python-dotenv's ``stream=`` argument: no file is searched."""


class LoadCall(Record):
    """One place where the code (or the command that starts it) loads or reads dotenv files."""

    loader: str
    """``python-dotenv``, ``node-dotenv``, ``dotenvx``, ``dotenv-flow``, ``node --env-file``,
    ``process.loadEnvFile`` or ``uvicorn --env-file``."""
    function: str
    """What is written, shortly: ``load_dotenv()``, ``dotenv_values()``, ``find_dotenv()``,
    ``dotenv.config()``, ``import 'dotenv/config'``, ``require('dotenv/config')``,
    ``node -r dotenv/config``, ``node --env-file``, ``dotenvx run``, ``dotenv run`` ..."""
    location: Location
    """The call (``source="code"``, root-relative ``path``, 1-based ``line``)."""
    sets_environ: bool = True
    """It writes the process environment (``load_dotenv``, ``config()``); ``dotenv_values`` and
    ``find_dotenv`` only read or find a file."""
    path_kind: str = SEARCH
    """How the file is chosen: ``search`` (python-dotenv's upward search from the calling file),
    ``cwd``, ``literal``, ``expression`` or ``stream``."""
    paths: tuple[str, ...] = ()
    """The literal path(s) given (``path: ['.env.local', '.env']`` gives two; the first file that
    sets a key wins in node dotenv, unless ``override``)."""
    search_name: str = ".env"
    """The file name an upward search looks for (``find_dotenv(filename=...)``)."""
    override: bool | None = None
    """``override=True`` / ``override: true`` (``None``: not given, or not a literal)."""
    at_import_time: bool = True
    """The call is in module-level code (or a command's preload), not in a function body."""


class ClientSite(Record):
    """An Anthropic SDK client constructed in the project's code."""

    constructor: str
    """The class as written, without ``new``/arguments: ``Anthropic``, ``AsyncAnthropic``,
    ``AnthropicBedrock``, ``AnthropicVertex``, ``AnthropicFoundry``, ``anthropic.Anthropic`` ..."""
    sdk: str
    """``anthropic`` (Python) or the npm package (``@anthropic-ai/sdk``,
    ``@anthropic-ai/bedrock-sdk`` ...)."""
    location: Location
    """The construction."""
    language: str
    """``python`` or ``javascript`` (TypeScript included)."""
    context: str = "module level"
    """Where it runs: ``module level``, ``class body``, ``default argument``, ``decorator``,
    ``function body`` (runs when the function is called)."""
    credential: str = "environment"
    """Where the credential comes from: ``environment`` (no credential argument: the SDK reads
    ``ANTHROPIC_API_KEY`` and friends when the client is built), ``environment-argument`` (an
    argument that reads the environment itself, ``api_key=os.environ[...]``), ``argument``
    (anything else: the environment's key is not used)."""

    @property
    def reads_environment(self) -> bool:
        """Whether the client takes its credential from the process environment when built."""
        return self.credential != "argument"


class Step(Record):
    """One link of the path from an entry point to a construction or a load call."""

    location: Location
    """The ``import``/``require``/call statement."""
    action: str
    """``import`` (a static import, hoisted in an ES module), ``require`` (runs in place),
    ``call`` (a module-level call of a project function) or ``run`` (the command runs it)."""
    target: str
    """The module imported or the function called, root-relative path or name."""


class EntryPoint(Record):
    """A way the project's code starts."""

    path: str
    """The file that runs first (root-relative)."""
    language: str
    """``python`` or ``javascript``."""
    how: str
    """How it is started, for messages: ``python app.py``, ``python -m pkg``,
    ``pyproject.toml [project.scripts] bot = bot.cli:main``, ``package.json scripts.start:
    node index.mjs``, ``Procfile web: gunicorn app:app``, ``app.py (conventional name)``."""
    location: Location
    """Where the start is declared (the manifest line, or the file itself)."""
    preload: LoadCall | None = None
    """Dotenv loading done by the command before any of the code runs (``node -r
    dotenv/config``, ``node --env-file=.env``, ``dotenvx run --``, ``dotenv run --``,
    ``uvicorn --env-file``)."""
    module: str | None = None
    """Python: the dotted module name it runs (``python -m``, console scripts, app servers)."""
    call: str | None = None
    """Python: the function the start calls after importing ``module`` (console scripts)."""


class LoadOrderHazard(Record):
    """An SDK client built before the first dotenv load on an entry point's execution path
    (EA212 for Python, EA213 for JavaScript)."""

    language: str
    """``python`` or ``javascript``."""
    entry: EntryPoint
    """The entry point whose execution order this is."""
    client: ClientSite
    """The construction that runs first."""
    load: LoadCall
    """The first load call that sets the environment, which runs after it."""
    client_path: tuple[Step, ...]
    """How execution gets from the entry point to the construction."""
    load_path: tuple[Step, ...]
    """How execution gets from the entry point to the load call."""
    hoisted: bool = False
    """JavaScript: the module whose body loads ``.env`` statically imports the construction's
    module, and static imports are evaluated before the body (``require`` in the same place
    would run after the load)."""


class DotenvSearch(Record):
    """A python-dotenv call that searches for its file from the calling module's folder
    (``load_dotenv()`` with no path, ``find_dotenv()``), reached from an entry point (EA211)."""

    load: LoadCall
    """The call."""
    entry: EntryPoint
    """An entry point whose execution reaches it."""
    start_folder: str
    """The folder the search starts from: the calling file's (root-relative, ``""`` = root)."""
    load_path: tuple[Step, ...] = ()
    """How execution gets from the entry point to the call."""


class LoaderImport(Record):
    """A dotenv loader package the code imports (for loader inference)."""

    loader: str
    """``python-dotenv``, ``node-dotenv``, ``dotenv-expand``, ``dotenvx`` or ``dotenv-flow``."""
    package: str
    """The module or package as written: ``dotenv``, ``dotenv/config``, ``@dotenvx/dotenvx``."""
    location: Location
    """The import."""


class SkippedSource(Record):
    """A source file the analysis needed but could not read or parse."""

    path: str
    """Root-relative path."""
    reason: str
    """``unparsable: ...``, ``too large``, ``not readable: ...``, ``binary``, ``symlink loop``,
    ``import chain deeper than N modules`` ... (never quotes the file's content)."""


class PackageLoader(Record):
    """A ``package.json`` that declares a dotenv library or a framework with an env-file
    convention (``next``, ``vite``, ``dotenv-flow``): the framework reads that package's
    folder's ``.env`` family."""

    loader: str
    """As ``--loader`` names it (``nextjs``, ``vite``, ``dotenv-flow``, ``node-dotenv`` ...)."""
    folder: str
    """Root-relative folder of the ``package.json`` (``""``: the root)."""
    reason: str
    """``apps/web/package.json dependencies has next``."""


class ComposeCommand(Record):
    """A ``docker compose -f …`` command line in a script: the compose files it runs."""

    folder: str
    """Root-relative folder the command runs in (``""``: the root)."""
    files: tuple[str, ...]
    """The ``-f`` / ``--file`` paths as written, in order."""
    project_directory: str | None
    """``--project-directory``, as written."""
    env_files: tuple[str, ...]
    """``--env-file`` paths as written (they replace the project ``.env``)."""
    how: str
    """``package.json scripts.deploy: docker compose -f compose.prod.yaml up -d``."""


#: ``ApiUse.api`` values.
MESSAGES = "messages"
"""``client.messages.*``: the Messages API at the top level (anthropic >= 0.16, TS >= 0.14)."""
BETA_MESSAGES = "beta-messages"
"""``client.beta.messages.*``: the Messages API as older SDKs first shipped it (anthropic >= 0.8,
TS >= 0.11)."""
TEXT_COMPLETIONS = "text-completions"
"""The retired Text Completions API (``/v1/complete``)."""


class ApiUse(Record):
    """A place where the code uses an API surface that depends on the SDK version (EA503, EA504)."""

    api: str
    """``messages`` (``client.messages.*``), ``beta-messages`` (``client.beta.messages.*``) or
    ``text-completions`` (the retired ``/v1/complete``)."""
    evidence: str
    """What is written: ``messages.create()``, ``max_tokens_to_sample``, ``/v1/complete``,
    ``HUMAN_PROMPT``, ``claude-v1``, ``completions.create()``."""
    location: Location
    """The first such place in the file."""
    language: str
    """``python`` or ``javascript``."""


class HttpxArgument(Record):
    """An ``httpx`` object passed to the Python SDK as ``http_client=`` or ``timeout=`` (EA508)."""

    argument: str
    """``http_client`` or ``timeout``."""
    httpx_class: str
    """``Client``, ``AsyncClient`` or ``Timeout``."""
    written: str
    """``httpx.Client(…)``, or ``http (httpx.Client, line 4)`` for a variable."""
    call: str
    """The SDK call given it: ``Anthropic()``, ``with_options()``, ``create()``."""
    location: Location
    """The call."""


class HardcodedKey(Record):
    """A real-looking credential written in a source or configuration file (EA704), described
    without its value (``envaudit.exposure.credentials_in``)."""

    location: Location
    """The file and line: ``code`` for source files, Dockerfiles, Procfiles and Makefiles,
    ``config`` for configuration (``package.json``, ``*.toml``, ``*.yaml``, compose files …)."""
    kind: str
    """The credential format (``Anthropic API key``, ``GitHub token``)."""
    hint: str
    """``redact.hint`` of the value: its public prefix, last characters, length, fingerprint."""
    fingerprint: str
    """``redact.value_fp`` of the value (the same key written twice is one credential)."""


class CodeFacts(Record):
    """What the project's Python and JavaScript/TypeScript source says about loading dotenv files
    and building SDK clients.

    Only files that can matter are read (those reachable by imports from an entry point, and
    scripts at the top of a project folder), and only those that mention a dotenv loader or the
    SDK, or import such a file, are parsed."""

    entry_points: tuple[EntryPoint, ...] = ()
    """The entry points found and followed, in discovery order."""
    loads: tuple[LoadCall, ...] = ()
    """Every dotenv load call in the parsed files, by path and line (a command's preload is on
    its ``EntryPoint``)."""
    clients: tuple[ClientSite, ...] = ()
    """Every SDK client construction in the analysed files, by path and line."""
    hazards: tuple[LoadOrderHazard, ...] = ()
    """Clients built before the first load on some entry point's path (EA212, EA213)."""
    searches: tuple[DotenvSearch, ...] = ()
    """python-dotenv upward searches reached from an entry point (EA211)."""
    loader_imports: tuple[LoaderImport, ...] = ()
    """Dotenv loader packages imported by the analysed files."""
    skipped: tuple[SkippedSource, ...] = ()
    """Files the analysis needed and could not use, with the reason."""
    files_read: int = 0
    """How many source and manifest files were read (each at most once)."""
    files_parsed: int = 0
    """How many of them were parsed (``ast`` / tree-sitter)."""
    notes: tuple[str, ...] = ()
    """Limits met (JavaScript not analysed without tree-sitter, a file limit reached ...)."""
    compose_folders: tuple[str, ...] = ()
    """Root-relative folders (``""``: the root) among those listed for entry points that hold a
    compose file (``compose.yaml`` ...): where the compose collector looks."""
    package_folders: tuple[str, ...] = ()
    """Root-relative folders (``""``: the root) among those listed for entry points that hold a
    ``package.json``: where npm runs a package's scripts, so node's current folder."""
    package_loaders: tuple[PackageLoader, ...] = ()
    """The loaders those ``package.json`` files declare (dependencies, devDependencies), per
    folder: a workspace's Next.js reads its own folder's files."""
    compose_commands: tuple[ComposeCommand, ...] = ()
    """``docker compose -f`` command lines in package.json scripts, Procfiles and Makefiles."""
    sdk_manifests: tuple[str, ...] = ()
    """Root-relative paths of the workspace ``package.json`` files (below the root) that declare
    an Anthropic SDK: evidence the provider is in use (the root's is the manifest collector's)."""
    api_uses: tuple[ApiUse, ...] = ()
    """Messages and Text Completions API uses in every file read (``source.api_use``)."""
    httpx_arguments: tuple[HttpxArgument, ...] = ()
    """``httpx`` clients and timeouts passed to the Python SDK (``source.api_use``)."""
    hardcoded_keys: tuple[HardcodedKey, ...] = ()
    """Credentials written in every file read, and in the configuration files of the top
    folders (``source.hardcoded``), by path and line."""

    @property
    def loader_names(self) -> tuple[str, ...]:
        """The loaders the code imports or its commands use, once each, in first-seen order."""
        names = [i.loader for i in self.loader_imports]
        names += [e.preload.loader for e in self.entry_points if e.preload is not None]
        return tuple(dict.fromkeys(names))
