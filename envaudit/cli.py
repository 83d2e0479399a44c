"""The command line: parse options, call the core, render, write, exit. No logic lives here."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Callable, NoReturn

import click

from envaudit import __version__
from envaudit.config import FAIL_ON

if TYPE_CHECKING:
    from envaudit.config import Config
    from envaudit.engine import Report
    from envaudit.model import Snapshot
    from envaudit.redact import SecretSet
    from envaudit.rules.base import Rule
    from envaudit.snapshots.load import Loaded

ISSUES_URL = "https://github.com/envaudit/envaudit/issues"
#: ``--loader`` choices: ``envaudit.loaders.LOADERS`` (spelled out: the CLI imports no model).
LOADER_CHOICES = ("python-dotenv", "node-dotenv", "dotenv-expand", "dotenvx", "dotenv-flow",
                  "nextjs", "vite", "docker-env-file", "compose")
FORMAT_CHOICES = ("text", "json", "markdown", "sarif")


def _fail(message: str) -> NoReturn:
    """The one line every error becomes, then exit 2."""
    click.echo(f"envaudit: error: {' '.join(message.split())}", err=True)
    sys.exit(2)


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for v in values for part in v.split(",") if part.strip())


class _State:
    """What the error handler needs to scrub a traceback; reset by every command."""

    secrets: SecretSet | None = None
    snapshot: Snapshot | None = None
    pids: tuple[int, ...] = ()
    verbose = False


def _internal_error(exc: BaseException) -> NoReturn:
    """One line naming the exception and where it was raised; ``-v`` adds the traceback, with
    every collected secret (and anything shaped like a credential) hidden."""
    import traceback

    from envaudit.redact import SecretSet

    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = "?"
    if tb is not None:
        where = f"{os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}"
    if _State.verbose:
        from envaudit.output import add_every_file_value

        secrets = _State.secrets or SecretSet()
        if _State.snapshot is not None:
            add_every_file_value(secrets, _State.snapshot)
        if _State.pids:  # read again: the traceback may come before the snapshot
            from envaudit.collectors.pid_env import read_environ

            for pid in _State.pids:
                read = read_environ(pid)
                if not isinstance(read, str):
                    secrets.add_all(read[1].items())
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        click.echo(secrets.scrub(text), err=True, nl=False)
        hint = "the traceback is above"
    else:
        hint = "run with -v for the traceback"
    _fail(f"internal error ({type(exc).__name__} at {where}); {hint}; please report it at "
          f"{ISSUES_URL}")


def _guard(func: Callable[..., None]) -> Callable[..., None]:
    """Turn every error into one line and exit 2; ``-v`` adds a (scrubbed) traceback."""

    def wrapper(*args: Any, **kwargs: Any) -> None:
        from envaudit.errors import EnvauditError
        from envaudit.redact import SecretSet

        _State.verbose = bool(kwargs.get("verbose"))
        _State.secrets, _State.snapshot = SecretSet(), None
        _State.pids = ()  # the processes audited: _resolve_pids sets them (auto resolved)
        _State.secrets.add_all(os.environ.items())
        try:
            func(*args, **kwargs)
        except EnvauditError as exc:
            _fail(str(exc))
        except click.ClickException:
            raise
        except KeyboardInterrupt:
            click.echo("envaudit: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # NOTE: the reader went away (`envaudit | head`); point stdout at /dev/null so that
            # the interpreter's final flush does not print a second error.
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except (OSError, ValueError):  # no real file descriptor behind stdout
                pass
            sys.exit(2)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            _internal_error(exc)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


class _Group(click.Group):
    """``scan`` is the default command, and Click's usage errors become one line."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Insert ``scan`` unless the first argument is a command or a group option."""
        group_options = (*ctx.help_option_names, "--version")
        if not args or (args[0] not in self.commands and args[0] not in group_options):
            args = ["scan", *args]
        return super().parse_args(ctx, args)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        """Click's ``main`` with one-line errors: ``envaudit: error: ...`` and exit 2."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name or "envaudit", complete_var, False, **extra)
        except click.exceptions.Abort:
            click.echo("envaudit: interrupted", err=True)
            sys.exit(130)
        except click.UsageError as exc:
            if exc.ctx is not None:
                command = exc.ctx.command_path
            else:  # some parser errors carry no context: name the command from the arguments
                given = list(sys.argv[1:] if args is None else args)
                command = "envaudit " + (given[0] if given and given[0] in self.commands
                                         else "scan")
            _fail(f"{exc.format_message()} (see `{command} --help`)")
        except click.ClickException as exc:
            _fail(exc.format_message())
        sys.exit(rv if isinstance(rv, int) else 0)


def run() -> NoReturn:
    """The console script and ``python -m envaudit``: ``main``, then a fast exit.

    The garbage collector is off (envaudit's objects are acyclic and bounded by the files it
    reads; the console script, ``envaudit.__main__.run``, turns it off before this module and
    Click are imported), and once the report is written and flushed envaudit leaves with
    ``os._exit``: Python's teardown frees every object one by one, 30 ms after a large scan.
    Tests call ``main`` through Click's runner, which this does not affect.
    """
    import gc

    gc.disable()
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        click.echo(code, err=True)
        code = 1
    if not (_flushed(sys.stdout) and _flushed(sys.stderr)):
        code = code or 2
    os._exit(code)


def _flushed(stream: Any) -> bool:
    try:
        stream.flush()
    except (OSError, ValueError):  # the reader went away, or the stream is closed
        return False
    return True


@click.group("envaudit", cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="envaudit",
                      message="%(prog)s %(version)s")
def main() -> None:
    """Audit the environment an app that calls the Anthropic API will really run with.

    Without a command, runs `envaudit scan` (options included: `envaudit --format json`).
    """


def _check_path(path: str) -> str:
    root = os.path.abspath(path)
    if not os.path.exists(root):
        import difflib

        close = difflib.get_close_matches(path, list(main.commands), n=1)
        also = f" (did you mean `envaudit {close[0]}`?)" if close else ""
        _fail(f"{path}: no such file or folder{also}")
    if not os.path.isdir(root):
        _fail(f"{path}: not a folder (give the project folder; use --env-file for one file)")
    return root


def _check_python(path: str) -> str:
    """An interpreter, or a venv folder (its ``bin/python`` is meant)."""
    if not os.path.exists(path):
        _fail(f"--python {path}: no such file or folder")
    if os.path.isdir(path):
        if not os.path.isfile(os.path.join(path, "pyvenv.cfg")):
            _fail(f"--python {path}: a folder without pyvenv.cfg (give the interpreter)")
        return os.path.join(os.path.abspath(path), "bin", "python")
    return os.path.abspath(path)


def _check_env_file(path: str, where: str) -> str:
    if not os.path.exists(path):
        _fail(f"{where} {path}: no such file")
    if os.path.isdir(path):
        _fail(f"{where} {path}: is a folder, not an env file")
    return os.path.abspath(path)


#: The largest number ``--pid`` takes (a process id is 32 bits on every platform).
_MAX_PID = 2**32 - 1


def _resolve_pids(values: Sequence[str], root: str
                  ) -> tuple[tuple[int, ...], dict[int, str] | None]:
    """``--pid`` values (numbers, or ``auto``) for ``CollectOptions(pids=..., auto_pids=...)``:
    the pids in the order given, each once (``auto``'s picks where it stands, pid order), and
    ``auto``'s picks with why each was picked (``None`` when ``auto`` was not given; empty when
    it found none: the audit then says so and uses envaudit's own environment). Anything else
    is a one-line usage error."""
    pids: list[int] = []
    picked: dict[int, str] | None = None
    for value in values:
        text = value.strip()
        if text.lower() == "auto":
            if picked is None:
                from envaudit.processes import find_app_processes

                picked = find_app_processes(root)
                pids.extend(picked)
            continue
        try:
            pid = int(text)
        except ValueError:
            _fail(f"--pid {value}: not a process id (give a number, or auto)")
        if pid <= 0 or pid > _MAX_PID:
            what = "0 is not a process" if pid == 0 else "no process has that id"
            _fail(f"--pid {value}: {what} (give the app's process id, or auto)")
        pids.append(pid)
    chosen = tuple(dict.fromkeys(pids))
    _State.pids = chosen
    return chosen, picked


def _rules(select: tuple[str, ...], ignore: tuple[str, ...], conf: Config) -> tuple[Rule, ...]:
    """The rules chosen on the command line, else in the config file; a selector that matches
    no rule is an error wherever it is written (the config file's is named)."""
    from envaudit import engine
    from envaudit.errors import ConfigError

    try:
        engine.select_rules(conf.select, conf.ignore)
    except ConfigError as exc:
        raise ConfigError(f"{conf.source}: {exc}") from None
    return engine.select_rules(select or conf.select, ignore or conf.ignore)


#: The options that say what to collect (``scan``, ``snapshot``, ``diff … live``, ``probe``):
#: each command takes those that apply to it, through ``_collect_options``.
_COLLECT_OPTIONS: dict[str, Callable[[Callable[..., None]], Callable[..., None]]] = {
    "no-process-env": click.option("--no-process-env", is_flag=True,
                                   help="Leave envaudit's own environment out."),
    "env-file": click.option(
        "--env-file", "env_files", multiple=True, type=click.Path(),
        help="Extra env file (e.g. the one given to docker run --env-file); repeatable."),
    "loader": click.option("--loader", "loaders", multiple=True,
                           type=click.Choice(LOADER_CHOICES),
                           help="Loader the app uses; repeatable [default: inferred]."),
    "pid": click.option(
        "--pid", "pids", multiple=True, metavar="PID|auto",
        help="A running process of the app: audit the environment it started with instead of "
             "envaudit's own; repeatable. auto: the python/node/gunicorn/uvicorn/celery... "
             "processes whose working folder or command line lies in PATH."),
    "python": click.option(
        "--python", "pythons", multiple=True, type=click.Path(),
        help="An interpreter (or venv) of the app whose packages to inventory; repeatable "
             "[default: VIRTUAL_ENV, .venv/venv/env in the project]."),
    "provider": click.option("--provider", type=click.Choice(["anthropic"]),
                             help="Force the provider's rules on."),
    "offline": click.option(
        "--offline", is_flag=True,
        help="No network: compare the installed SDKs with the bundled release data."),
    "config": click.option(
        "--config", "config_file", type=click.Path(dir_okay=False),
        help="Config file [default: [tool.envaudit] in pyproject.toml, else envaudit.toml]."),
    "name": click.option("--name", help="The environment's name (prod, staging…) "
                                        "[default: ENVAUDIT_ENVIRONMENT, APP_ENV, … if set]."),
}


def _collect_options(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Decorate a command with the collection options ``names`` (in --help order)."""

    def apply(func: Callable[..., None]) -> Callable[..., None]:
        for name in reversed(names):
            func = _COLLECT_OPTIONS[name](func)
        return func
    return apply


@main.command()
@click.argument("path", default=".", required=False)
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (atomically).")
@click.option("--fail-on", type=click.Choice(FAIL_ON),
              help="Exit 1 when a finding at or above this severity exists [default: error].")
@click.option("--select", multiple=True, help="Rules to run: ID, name or prefix (comma-separated).")
@click.option("--ignore", multiple=True, help="Rules to skip: ID, name or prefix.")
@_collect_options("no-process-env", "env-file", "loader", "pid", "python", "provider",
                  "offline", "config")
@click.option("--no-color", is_flag=True, help="No ANSI colours.")
@click.option("-q", "--quiet", is_flag=True, help="Findings only.")
@click.option("-v", "--verbose", is_flag=True, help="More detail; tracebacks on internal errors.")
@_guard
def scan(path: str, fmt: str, output: str | None, fail_on: str | None,
         select: tuple[str, ...], ignore: tuple[str, ...], no_process_env: bool,
         env_files: tuple[str, ...], loaders: tuple[str, ...], pids: tuple[str, ...],
         pythons: tuple[str, ...], provider: str | None, config_file: str | None,
         no_color: bool, quiet: bool, verbose: bool, offline: bool = False) -> None:
    """Collect everything about the project at PATH and run every rule."""
    from envaudit import engine
    from envaudit.formatters import FORMATTERS, OutputFormat, RenderOptions
    from envaudit.output import write_report

    report, conf, _ = _audit(path, config_file=config_file, select=select, ignore=ignore,
                             no_process_env=no_process_env, env_files=env_files,
                             loaders=loaders, pids=pids, pythons=pythons, provider=provider,
                             offline=offline)
    if fmt == "markdown":  # the bug-ticket report names the machine (the others do not)
        from envaudit.host import host_facts

        report = report._replace(host=host_facts())
    color = (fmt == "text" and not no_color and output is None
             and not os.environ.get("NO_COLOR") and sys.stdout.isatty())
    text = FORMATTERS[OutputFormat(fmt)].render(report, RenderOptions(color, quiet, verbose))
    assert _State.secrets is not None  # set by _audit
    write_report(text, output, _State.secrets)
    sys.exit(engine.exit_code(report, fail_on or conf.fail_on or "error"))


def _audit(path: str, *, config_file: str | None, select: tuple[str, ...] = (),
           ignore: tuple[str, ...] = (), no_process_env: bool = False,
           env_files: tuple[str, ...] = (), loaders: tuple[str, ...] = (),
           pids: tuple[str, ...] = (), pythons: tuple[str, ...] = (),
           provider: str | None = None, offline: bool = False,
           only: tuple[Rule, ...] | None = None
           ) -> tuple[Report, Config, tuple[int, ...]]:
    """Collect and audit the project at ``path`` (``scan``, ``snapshot``, ``diff … live``,
    ``probe``): the report, the configuration, and the processes audited (``--pid``, ``auto``
    resolved); the secrets read are kept for the self-check. ``only``: these rules, instead
    of the selection (``probe``: the EA9 family, so no release look-up and no git)."""
    from envaudit import config as config_mod
    from envaudit import engine
    from envaudit.collectors.base import CollectOptions
    from envaudit.output import collect_secrets

    root = _check_path(path)
    conf = config_mod.load(root, config_file)
    extra = [_check_env_file(p, "--env-file") for p in env_files]
    extra += [_check_env_file(p, f"env-files in {conf.source}:") for p in conf.env_files]
    rules = _rules(_split(select), _split(ignore), conf) if only is None else only
    chosen, picked = _resolve_pids(pids, root)
    options = CollectOptions(
        root=root,
        env_files=tuple(dict.fromkeys(extra)),
        process_env=not no_process_env,
        loaders=tuple(dict.fromkeys(loaders)) or None,
        pids=chosen,
        auto_pids=picked,
        pythons=tuple(dict.fromkeys(_check_python(p) for p in pythons)),
        provider=provider,
        environ=dict(os.environ),
        offline=offline,
        look_up_releases=any(r.meta.id == "EA501" for r in rules),
        git=any(r.meta.id == "EA701" for r in rules),
        stale_after=(conf.stale_releases, conf.stale_days),
        model_variables=conf.model_variables,
        max_tokens_variables=conf.max_tokens_variables,
    )
    snapshot = engine.collect(options)
    _State.secrets, _State.snapshot = collect_secrets(snapshot, os.environ), snapshot
    return engine.audit(snapshot, rules), conf, chosen


def _app_environ(pids: tuple[int, ...], no_process_env: bool) -> dict[str, str] | None:
    """The audited environment, for its name (``APP_ENV`` …): the first ``--pid`` that can be
    read, else envaudit's own; ``None`` with ``--no-process-env``."""
    if pids:
        from envaudit.collectors.pid_env import read_environ

        for pid in pids:
            read = read_environ(pid)
            if not isinstance(read, str):
                return read[1]
        return None
    return None if no_process_env else dict(os.environ)


def _snapshot_of(report: Report, name: str | None, pids: tuple[int, ...],
                 no_process_env: bool) -> Any:
    """``(document text builder inputs)``: the host facts and the environment's name."""
    from envaudit.host import host_facts
    from envaudit.snapshots.document import environment_name

    host = report.host or host_facts()
    return host, environment_name(name, _app_environ(pids, no_process_env))




@main.command()
@click.argument("path", default=".", required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (atomically).")
@click.option("--format", "fmt", type=click.Choice(["json", "markdown"]), default="json",
              show_default=True, help="json: the snapshot; markdown: the bug-ticket report.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="never", show_default=True,
              help="Exit 1 when a finding at or above this severity exists.")
@click.option("--select", multiple=True, help="Rules to run: ID, name or prefix.")
@click.option("--ignore", multiple=True, help="Rules to skip: ID, name or prefix.")
@_collect_options("no-process-env", "env-file", "loader", "pid", "python", "provider",
                  "offline", "config", "name")
@click.option("-v", "--verbose", is_flag=True, help="Tracebacks on internal errors.")
@_guard
def snapshot(path: str, output: str | None, fmt: str, fail_on: str, select: tuple[str, ...],
             ignore: tuple[str, ...], no_process_env: bool, env_files: tuple[str, ...],
             loaders: tuple[str, ...], pids: tuple[str, ...], pythons: tuple[str, ...],
             provider: str | None, offline: bool, config_file: str | None, name: str | None,
             verbose: bool) -> None:
    """Write the redacted snapshot of the project at PATH and its environment (JSON, for
    `envaudit diff`), or the bug-ticket report with --format markdown."""
    from envaudit import engine
    from envaudit.output import write_report

    report, _, chosen = _audit(path, config_file=config_file, select=select, ignore=ignore,
                               no_process_env=no_process_env, env_files=env_files,
                               loaders=loaders, pids=pids, pythons=pythons, provider=provider,
                               offline=offline)
    host, env_name = _snapshot_of(report, name, chosen, no_process_env)
    report = report._replace(host=host)
    if fmt == "markdown":
        from envaudit.formatters import FORMATTERS, OutputFormat, RenderOptions

        text = FORMATTERS[OutputFormat.MARKDOWN].render(report, RenderOptions())
    else:
        from envaudit.snapshots.document import snapshot_text

        text = snapshot_text(report, host, env_name)
    assert _State.secrets is not None
    write_report(text, output, _State.secrets)
    sys.exit(engine.exit_code(report, fail_on))


def _labelled(loaded: list[Loaded]) -> list[Loaded]:
    """Short labels for the tables: each file's name without its folder when the names are
    unique, else the paths as given; the same path twice is numbered (``dev.json#2``)."""
    short = [os.path.basename(s.label) if s.label not in ("-", "live") else s.label
             for s in loaded]
    labels = short if len(set(short)) == len(short) else [s.label for s in loaded]
    if len(set(labels)) < len(labels):
        labels = [f"{label}#{i + 1}" for i, label in enumerate(labels)]
    return [s._replace(label=label, origin=s.label) for s, label in zip(loaded, labels)]


@main.command()
@click.argument("snapshots", nargs=-1, required=True, metavar="A B [C ...]")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (atomically).")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
              help="Exit 1 when a difference, a new finding or a finding across environments "
                   "is at or above this severity.")
@click.option("--only", multiple=True, metavar="PATTERN",
              help="Compare only variables matching this shell pattern (ANTHROPIC_*); "
                   "repeatable, comma-separated.")
@click.option("--ignore", multiple=True, metavar="PATTERN",
              help="Leave out variables matching this shell pattern; repeatable.")
@click.option("--project", default=".", show_default=True,
              help="The project `live` audits.")
@_collect_options("no-process-env", "env-file", "loader", "pid", "python", "provider",
                  "offline", "config", "name")
@click.option("--no-color", is_flag=True, help="No ANSI colours.")
@click.option("-v", "--verbose", is_flag=True, help="Also list the variables that are the same.")
@_guard
def diff(snapshots: tuple[str, ...], fmt: str, output: str | None, fail_on: str,
         only: tuple[str, ...], ignore: tuple[str, ...], project: str, no_process_env: bool,
         env_files: tuple[str, ...], loaders: tuple[str, ...], pids: tuple[str, ...],
         pythons: tuple[str, ...], provider: str | None, offline: bool,
         config_file: str | None, name: str | None, no_color: bool, verbose: bool) -> None:
    """Compare snapshots: files written by `envaudit snapshot` (or saved `scan --format json`
    reports), `-` for standard input, `live` for the project and environment now."""
    from envaudit.diff import VariableFilter, compare
    from envaudit.diff_format import RENDERERS, render_text
    from envaudit.redact import SecretSet
    from envaudit.snapshots.load import load_document, read

    if len(snapshots) < 2:
        _fail("diff needs at least two snapshots (files, - for standard input, live)")
    if snapshots.count("-") > 1:
        _fail("standard input (-) can be read once")
    if snapshots.count("live") > 1:
        _fail("live can be given once")
    loaded: list[Loaded] = []
    for item in snapshots:
        if item == "live" and not os.path.exists(item):
            from envaudit.snapshots.document import snapshot_dict

            report, _, chosen = _audit(project, config_file=config_file,
                                       no_process_env=no_process_env, env_files=env_files,
                                       loaders=loaders, pids=pids, pythons=pythons,
                                       provider=provider, offline=offline)
            host, env_name = _snapshot_of(report, name, chosen, no_process_env)
            loaded.append(load_document(snapshot_dict(report, host, env_name), "live"))
        else:
            loaded.append(read(item))
    loaded = _labelled(loaded)
    comparison = compare(loaded, VariableFilter(_split(only), _split(ignore)))
    if fmt == "text":
        color = (not no_color and output is None and not os.environ.get("NO_COLOR")
                 and sys.stdout.isatty())
        text = render_text(comparison, color, verbose)
    else:
        text = RENDERERS[fmt](comparison)
    from envaudit.output import write_report

    write_report(text, output, _State.secrets or SecretSet())
    sys.exit(1 if comparison.threshold_reached(fail_on) else 0)


@main.command("ps")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (atomically).")
@click.option("-a", "--all", "everything", is_flag=True,
              help="Also list the processes without provider variables.")
@click.option("-w", "--wide", is_flag=True, help="Text: do not cut commands to the line width.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
              help="Exit 1 when a process listed shows a secret in its command line (EA705, "
                   "an error); never: exit 0.")
@click.option("--backend", type=click.Choice(["auto", "proc", "psutil"]), default="auto",
              hidden=True, help="How processes are read (benchmarks, tests).")
@click.option("-q", "--quiet", is_flag=True, help="The table only.")
@click.option("-v", "--verbose", is_flag=True,
              help="Also count zombies and processes that exited while read.")
@_guard
def ps(fmt: str, output: str | None, everything: bool, wide: bool, fail_on: str, backend: str,
       quiet: bool, verbose: bool) -> None:
    """Processes whose environment holds provider variables (or whose command line holds a
    provider credential), with user, start time, command and each variable's value or hint.

    Exit 1 when one of them shows a secret in its command line (EA705)."""
    from envaudit import ps_format
    from envaudit.output import write_report
    from envaudit.processes import list_processes

    plist, secrets = list_processes(everything=everything, backend_name=backend)
    secrets.add_all(os.environ.items())
    _State.secrets = secrets
    width: int | None = None
    if not wide:
        width = ps_format.PIPED_COMMAND_WIDTH
        if output is None and sys.stdout.isatty():
            import shutil

            width = shutil.get_terminal_size().columns
    text = ps_format.render(plist, fmt, ps_format.PsRender(width, quiet, verbose))
    write_report(text, output, secrets)
    sys.exit(ps_format.exit_code(plist, fail_on))


def _probe_rules() -> tuple[Rule, ...]:
    """The EA9 family (``envaudit.rules.probe``), imported alone: the probe runs no other rule
    (so no release look-up and no git); none while the module does not exist."""
    import importlib.util

    if importlib.util.find_spec("envaudit.rules.probe") is None:
        return ()
    from envaudit.rules import probe as probe_rules

    return tuple(probe_rules.RULES)


@main.command()
@click.argument("path", default=".", required=False)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=5.0,
              show_default=True, help="Bound of each stage (DNS, connect, TLS …), in seconds.")
@click.option("--total", type=click.FloatRange(min=0, min_open=True), default=15.0,
              show_default=True, help="Bound of the whole probe, in seconds.")
@click.option("--messages", is_flag=True,
              help="Also send a minimal Messages request (max_tokens 1): it costs a token.")
@click.option("--curl", "curl", is_flag=True,
              help="Print the equivalent curl command (the key as \"$ANTHROPIC_API_KEY\") "
                   "instead of probing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (atomically).")
@click.option("--fail-on", type=click.Choice(FAIL_ON),
              help="Exit 1 when a finding at or above this severity exists [default: error].")
@_collect_options("no-process-env", "env-file", "loader", "pid", "python", "config")
@click.option("-v", "--verbose", is_flag=True,
              help="Each stage's data; tracebacks on internal errors.")
@_guard
def probe(path: str, timeout: float, total: float, messages: bool, curl: bool, fmt: str,
          output: str | None, fail_on: str | None, no_process_env: bool,
          env_files: tuple[str, ...], loaders: tuple[str, ...], pids: tuple[str, ...],
          pythons: tuple[str, ...], config_file: str | None, verbose: bool) -> None:
    """Send one live request, GET {base}/v1/models, along the path the installed SDK would
    take from the app's environment at PATH (base URL, proxy and NO_PROXY, CA store, auth
    header, anthropic-version), each stage timed and bounded, and give the verdict with its
    fix (EA901-EA918). Only this command sends anything; the key is never printed."""
    from envaudit import engine
    from envaudit.output import write_report
    from envaudit.probe.plan import prepare

    rules = _probe_rules()
    report, conf, _ = _audit(path, config_file=config_file, no_process_env=no_process_env,
                             env_files=env_files, loaders=loaders, pids=pids, pythons=pythons,
                             only=rules)
    planned = prepare(report.view())
    assert _State.secrets is not None  # set by _audit
    _State.secrets.add("ANTHROPIC_API_KEY", planned.credential)
    if curl:
        from envaudit.network import app_environ
        from envaudit.probe.curl import curl_command

        text = curl_command(planned.target, app_environ(report.view()), messages=messages,
                            total=total)
        write_report(text, output, _State.secrets)
        sys.exit(0)
    from envaudit.probe.render import render
    from envaudit.probe.run import run

    result = run(planned.target, planned.credential, timeout=timeout, total=total,
                 messages=messages, proxy_auth=planned.proxy_auth, secrets=_State.secrets)
    audited = engine.audit(report.snapshot._replace(probe=result), rules)
    write_report(render(audited, result, fmt, verbose), output, _State.secrets)
    sys.exit(engine.exit_code(audited, fail_on or conf.fail_on or "error"))


@main.command()
@click.argument("rule", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text",
              show_default=True, help="Output format.")
@_guard
def rules(rule: str | None, fmt: str) -> None:
    """The rule catalogue, or one rule's documentation (by ID or name)."""
    from envaudit import docs
    from envaudit.rules import ALL_RULES, find_rule

    if rule is None:
        index = docs.index_markdown if fmt == "markdown" else docs.index_text
        click.echo(index(ALL_RULES), nl=False)
        return
    found = find_rule(rule)
    if found is None:
        _fail(f"no rule {rule!r} (see `envaudit rules`)")
    click.echo(docs.rule_markdown(found) if fmt == "markdown" else docs.rule_text(found), nl=False)
