"""EA2xx: dotenv files the loaders in use cannot read as written."""

from __future__ import annotations

from collections.abc import Iterator

from envaudit.context import AuditContext
from envaudit.model import (
    DOCKER_ENV_FILE,
    PYTHON_DOTENV,
    DroppedLine,
    Finding,
    Location,
    Severity,
)
from envaudit.rules.base import Rule, RuleMeta, listed


class DotenvInvalidLine(Rule):
    """
    ## What it does
    Finds statements a loader in use cannot parse: python-dotenv drops them (an unterminated
    quote, text after a closing quote, `KEY: value`, `=value`) with only a logged warning, and
    docker's `--env-file` refuses the whole file (`export KEY=…`, `KEY = value`, a key with a
    space). The message names the variables lost with a dropped statement, when docker's
    line-by-line reading of the file can tell. Byte-level problems (invalid UTF-8, a line of
    64 KiB or more) are EA206's.

    ## Why is this bad?
    python-dotenv's warning goes to a logger nobody configured, so the variable silently goes
    missing; an unterminated single quote can swallow every following line up to the next
    quote. docker refuses the file outright, so the container does not start (the finding is an
    error then).

    ## Example
    `ANTHROPIC_API_KEY="sk-ant-api03-…AA` (no closing quote)

    ## Use instead
    `ANTHROPIC_API_KEY=sk-ant-api03-…AA` (no quotes, `=` right after the key, no `export` in
    files meant for `docker --env-file`).

    ## References
    - research/dotenv-semantics.md, the divergence table
    """

    meta = RuleMeta("EA205", "dotenv-invalid-line", Severity.WARNING,
                    "a line that a loader in use cannot parse",
                    "rewrite the line as KEY=value (quotes balanced, no spaces around '=')")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per dropped statement and per file docker refuses."""
        for f in ctx.snapshot.files:
            encoding_problem = bool(f.issues)
            for reading in f.readings:
                if reading.loader not in f.loaders:
                    continue
                if reading.loader == PYTHON_DOTENV:
                    for dropped in reading.dropped:
                        message = f"{dropped.reason}{_lost(dropped)}"
                        yield self.finding(message, Location("dotenv", f.path, dropped.line),
                                           subject=f"{PYTHON_DOTENV}:{dropped.line}")
                elif (reading.loader == DOCKER_ENV_FILE and reading.status == "file-rejected"
                      and not encoding_problem):
                    yield self.finding(
                        f"{reading.error}; `docker run --env-file {f.path}` fails before the "
                        "container starts",
                        Location("dotenv", f.path, reading.error_line),
                        severity=Severity.ERROR, subject=DOCKER_ENV_FILE,
                        fix="remove 'export', spaces in keys and around '=', and multi-line "
                            "values from files given to docker --env-file")


def _lost(dropped: DroppedLine) -> str:
    """Which variables python-dotenv loses with a dropped statement, as ``; … not loaded``."""
    names = dropped.lost_keys
    if not names:
        return ""
    verb = "is" if len(names) == 1 else "are"
    if dropped.end_line == dropped.line:
        return f": {listed(names)} {verb} not loaded"
    return (f"; the open quote swallows the lines up to line {dropped.end_line}, so "
            f"{listed(names)} {verb} not loaded")


class DotenvEncoding(Rule):
    """
    ## What it does
    Checks the bytes of every dotenv file: UTF-16 (PowerShell 5's `>` and `Out-File`), invalid
    UTF-8 (a Latin-1 editor), binary content, NUL bytes, lines of 64 KiB or more, files too
    large to be configuration. A long line is a warning in a file that only python-dotenv reads
    (it copes), an error in one given to `docker run --env-file`.

    ## Why is this bad?
    Each loader fails differently: python-dotenv raises `UnicodeDecodeError` and the app
    crashes at `load_dotenv()`; node dotenv returns nothing for UTF-16; docker refuses the file;
    compose replaces bad bytes with U+FFFD. A NUL byte makes `load_dotenv()` raise `ValueError`.

    ## Example
    `Set-Content .env "ANTHROPIC_API_KEY=sk-ant-…"` in Windows PowerShell 5 (UTF-16 LE).

    ## Use instead
    Save the file as UTF-8 without NUL bytes (`Set-Content -Encoding utf8`, or
    `iconv -f utf-16 -t utf-8`).

    ## References
    - research/dotenv-semantics.md, "What bites", item 6
    """

    meta = RuleMeta("EA206", "dotenv-encoding", Severity.ERROR,
                    "not UTF-8, NUL bytes, binary content or lines over 64 KiB",
                    "save the file as plain UTF-8 text")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Fire per byte-level problem."""
        for f in ctx.snapshot.files:
            docker = DOCKER_ENV_FILE in f.loaders
            for issue in f.issues:
                severity, detail = None, issue.detail
                if issue.kind == "long-line" and not docker:
                    severity = Severity.WARNING
                    detail += ("; python-dotenv reads it, so it matters where the file also goes "
                               "to docker --env-file")
                yield self.finding(detail, Location("dotenv", f.path, issue.line),
                                   severity=severity, subject=issue.kind)


RULES: tuple[Rule, ...] = (DotenvInvalidLine(), DotenvEncoding())
