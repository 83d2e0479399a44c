"""The command line: parse options, call the core, render, write, exit. No logic lives here."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Callable

import click

from envaudit import __version__

if TYPE_CHECKING:
    from envaudit.redact import SecretSet

ISSUES_URL = "the envaudit issue tracker"
LOADER_CHOICES = ("python-dotenv", "docker-env-file")


def _fail(message: str) -> None:
    click.echo(f"envaudit: error: {message}", err=True)
    sys.exit(2)


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for v in values for part in v.split(",") if part.strip())


class _State:
    """What the error handler needs to scrub a traceback."""

    secrets: SecretSet | None = None
    verbose = False


def _guard(func: Callable[..., None]) -> Callable[..., None]:
    """Turn every error into one line and exit 2; ``-v`` adds a (scrubbed) traceback."""

    def wrapper(*args: Any, **kwargs: Any) -> None:
        from envaudit.errors import EnvauditError

        try:
            func(*args, **kwargs)
        except EnvauditError as exc:
            _fail(str(exc))
        except (KeyboardInterrupt, BrokenPipeError):
            sys.exit(130 if sys.exc_info()[0] is KeyboardInterrupt else 2)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            import traceback

            tb = exc.__traceback__
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            where = "?"
            if tb is not None:
                where = f"{os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}"
            if _State.verbose:
                text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
                if _State.secrets is not None:
                    text = _State.secrets.scrub(text)
                click.echo(text, err=True, nl=False)
            _fail(f"internal error {type(exc).__name__} at {where}; run with -v for the "
                  f"traceback and report it to {ISSUES_URL}")

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="envaudit",
                      message="%(prog)s %(version)s")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Audit the environment an app that calls the Anthropic API will really run with.

    Without a command, runs `envaudit scan .`.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(scan)


@main.command()
@click.argument("path", default=".", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "sarif"]),
              default="text", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (atomically).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]),
              help="Exit 1 when a finding at or above this severity exists [default: error].")
@click.option("--select", multiple=True, help="Rules to run: ID, name or prefix (comma-separated).")
@click.option("--ignore", multiple=True, help="Rules to skip: ID, name or prefix.")
@click.option("--no-process-env", is_flag=True, help="Leave envaudit's own environment out.")
@click.option("--env-file", "env_files", multiple=True, type=click.Path(),
              help="Extra env file (e.g. the one given to docker run --env-file); repeatable.")
@click.option("--loader", "loaders", multiple=True, type=click.Choice(LOADER_CHOICES),
              help="Loader the app uses; repeatable [default: inferred].")
@click.option("--provider", type=click.Choice(["anthropic"]),
              help="Force the provider's rules on.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Config file [default: [tool.envaudit] in pyproject.toml, else envaudit.toml].")
@click.option("--no-color", is_flag=True, help="No ANSI colours.")
@click.option("-q", "--quiet", is_flag=True, help="Findings only.")
@click.option("-v", "--verbose", is_flag=True, help="More detail; tracebacks on internal errors.")
@_guard
def scan(path: str, fmt: str, output: str | None, fail_on: str | None,
         select: tuple[str, ...], ignore: tuple[str, ...], no_process_env: bool,
         env_files: tuple[str, ...], loaders: tuple[str, ...], provider: str | None,
         config_file: str | None, no_color: bool, quiet: bool, verbose: bool) -> None:
    """Collect everything about the project at PATH and run every rule."""
    from envaudit import config as config_mod
    from envaudit import engine
    from envaudit.collectors.base import CollectOptions
    from envaudit.formatters import FORMATTERS, OutputFormat, RenderOptions
    from envaudit.output import collect_secrets, write_report

    _State.verbose = verbose
    root = os.path.abspath(path)
    if not os.path.exists(root):
        _fail(f"{path}: no such file or folder")
    if not os.path.isdir(root):
        _fail(f"{path}: not a folder (give the project folder; use --env-file for one file)")
    conf = config_mod.load(root, config_file)
    for extra in env_files:
        if not os.path.isfile(extra):
            _fail(f"--env-file {extra}: no such file")
    rules = engine.select_rules(_split(select) or conf.select, _split(ignore) or conf.ignore)
    options = CollectOptions(
        root=root,
        env_files=tuple(os.path.abspath(p) for p in env_files) + conf.env_files,
        process_env=not no_process_env,
        loaders=tuple(dict.fromkeys(loaders)) or None,
        provider=provider,
        environ=dict(os.environ),
    )
    snapshot = engine.collect(options)
    _State.secrets = collect_secrets(snapshot)
    report = engine.audit(snapshot, rules)
    color = (not no_color and output is None and "NO_COLOR" not in os.environ
             and sys.stdout.isatty())
    text = FORMATTERS[OutputFormat(fmt)].render(report, RenderOptions(color, quiet, verbose))
    write_report(text, output, _State.secrets)
    sys.exit(engine.exit_code(report, fail_on or conf.fail_on or "error"))


@main.command()
@click.argument("rule", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text",
              show_default=True)
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
        return
    click.echo(docs.rule_markdown(found) if fmt == "markdown" else docs.rule_text(found), nl=False)
