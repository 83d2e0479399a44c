"""``envaudit ps`` output: a text table, JSON and Markdown of ``processes.ProcessList``.

Outside ``envaudit.formatters`` on purpose: that package's formatters render audit reports and
import the engine (every collector and rule, 20 ms), which ``ps`` never needs.

The JSON document (``schema_version`` 1; fields documented in ``docs/processes.md``)::

    {"schema_version": 1, "tool": {"name": "envaudit", "version": "0.1.0"},
     "processes": [{"pid": 4242, "ppid": 1, "user": "app", "started": "2026-12-06T09:14:03Z",
                    "name": "gunicorn", "command": "gunicorn app:app …", "command_truncated": false,
                    "variables": [{"name": "ANTHROPIC_API_KEY", "shown": "sk-ant-api03-…",
                                   "secret": true, "value_fp": "3f2a9c0d1b7e4a65"}],
                    "command_secrets": [{"index": 3, "kind": "option-value", "hint": "…"}]}],
     "unreadable": {"access_denied": 41, "exited": 0, "zombie": 1},
     "summary": {"listed": 1, "read": 2014, "with_provider_variables": 1,
                 "command_line_secrets": 1}}
"""

from __future__ import annotations

import json
import time
from typing import Any

from envaudit import __version__
from envaudit.cmdline import describe
from envaudit.model import CommandSecret
from envaudit.processes import DENIED, EXITED, ZOMBIE, ProcessList, ProcessRow
from envaudit.record import Record

#: The formats ``envaudit ps`` writes.
PS_FORMATS = ("text", "json", "markdown")
#: Commands are cut to this many characters in text output that is not a terminal (a
#: terminal: its width); ``--wide`` shows them whole.
PIPED_COMMAND_WIDTH = 160
class PsRender(Record):
    """Presentation choices of ``envaudit ps``."""

    width: int | None = PIPED_COMMAND_WIDTH
    """Text: the line width commands are cut to (``None``: whole, ``--wide``)."""
    quiet: bool = False
    """Text: the table only, no summary lines."""
    verbose: bool = False
    """Text: also count the zombies and the processes that exited while read."""


def _processes(n: int) -> str:
    """``1 process``, ``2,014 processes``."""
    return f"{n:,} process" + ("" if n == 1 else "es")


def _started(row: ProcessRow) -> str:
    if row.started is None:
        return "?"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(row.started))


def _iso(started: float | None) -> str | None:
    if started is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started))


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(width - 1, 0)] + "…"


def secret_line(secret: CommandSecret) -> str:
    """``argument 3 is the value of a secret option: sk-ant-…``."""
    return f"{describe(secret)}: {secret.hint}"


def render_text(plist: ProcessList, options: PsRender) -> str:
    """A table: one line per process (pid, user, start, command), its provider variables
    indented below it, then the summary."""
    out: list[str] = []
    rows = plist.rows
    if rows:
        pid_w = max(3, *(len(str(r.pid)) for r in rows))
        user_w = max(4, *(len(r.user) for r in rows))
        lead = pid_w + user_w + 16 + 6
        command_w = None if options.width is None else max(options.width - lead, 24)
        out.append(f"{'PID'.rjust(pid_w)}  {'USER'.ljust(user_w)}  {'STARTED'.ljust(16)}  "
                   "COMMAND")
        indent = " " * (pid_w + 2)
        for r in rows:
            command = r.command if command_w is None else _cut(r.command, command_w)
            out.append(f"{str(r.pid).rjust(pid_w)}  {r.user.ljust(user_w)}  "
                       f"{_started(r).ljust(16)}  {command}".rstrip())
            name_w = max((len(v.name) for v in r.variables), default=0)
            out.extend(f"{indent}{v.name.ljust(name_w)}  {v.shown}" for v in r.variables)
            out.extend(f"{indent}EA705 {secret_line(s)}" for s in r.command_secrets)
    if options.quiet:
        return "\n".join(out) + "\n" if out else ""
    if out:
        out.append("")
    out.extend(summary_lines(plist, options.verbose))
    return "\n".join(out) + "\n"


def summary_lines(plist: ProcessList, verbose: bool = False) -> list[str]:
    """What was listed, what shows a secret, and what could not be read."""
    out = []
    provider = sum(1 for r in plist.rows if r.variables)
    read = f"{plist.read:,} environment{'s' if plist.read != 1 else ''} read"
    if not plist.rows:
        out.append(f"No process holds provider variables ({read}).")
    elif plist.everything:
        out.append(f"{_processes(len(plist.rows))} ({read}), {provider} with provider "
                   "variables.")
    else:
        out.append(f"{_processes(len(plist.rows))} with provider variables or "
                   f"credentials ({read}).")
    exposed = sum(1 for r in plist.rows if r.command_secrets)
    if exposed:
        out.append(f"{exposed} show{'s' if exposed == 1 else ''} a secret in its command line "
                   "(EA705 key-in-command-line): any user of this machine can read it with ps; "
                   "pass it in the environment or a file instead.")
    denied = plist.unreadable.get(DENIED, 0)
    if denied:
        out.append(f"{_processes(denied)} could not be read (access denied): run as root "
                   "or as their user.")
    if verbose:
        gone, zombies = plist.unreadable.get(EXITED, 0), plist.unreadable.get(ZOMBIE, 0)
        if gone or zombies:
            out.append(f"Skipped: {_processes(gone)} that exited while read, {zombies:,} "
                       f"zombie{'' if zombies == 1 else 's'}.")
    return out


def ps_json(plist: ProcessList) -> dict[str, Any]:
    """The JSON document (module docstring)."""
    return {
        "schema_version": 1,
        "tool": {"name": "envaudit", "version": __version__},
        "processes": [{
            "pid": r.pid, "ppid": r.ppid, "user": r.user, "started": _iso(r.started),
            "name": r.name, "command": r.command, "command_truncated": r.truncated,
            "variables": [{"name": v.name, "shown": v.shown, "secret": v.secret,
                           "value_fp": v.value_fp} for v in r.variables],
            "command_secrets": [{"index": s.index, "kind": s.kind, "hint": s.hint}
                                for s in r.command_secrets],
        } for r in plist.rows],
        "unreadable": dict(plist.unreadable),
        "summary": {
            "listed": len(plist.rows),
            "read": plist.read,
            "with_provider_variables": sum(1 for r in plist.rows if r.variables),
            "command_line_secrets": sum(1 for r in plist.rows if r.command_secrets),
        },
    }


def render_json(plist: ProcessList) -> str:
    """``ps_json`` indented, non-ASCII as is."""
    return json.dumps(ps_json(plist), indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    """Text for a Markdown table cell, in a code span when it has no backtick."""
    text = text.replace("|", "\\|")
    return f"`{text}`" if "`" not in text else text


def render_markdown(plist: ProcessList) -> str:
    """A table for a ticket: pid, user, start, command, provider variables."""
    out = ["## Processes with provider variables", ""]
    if plist.rows:
        out += ["| PID | user | started | command | provider variables |",
                "| ---: | --- | --- | --- | --- |"]
        for r in plist.rows:
            shown = [f"{_cell(v.name)} {_cell(v.shown)}" for v in r.variables]
            shown += [f"EA705 {_cell(secret_line(s))}" for s in r.command_secrets]
            out.append(f"| {r.pid} | {_cell(r.user)} | {_started(r)} | "
                       f"{_cell(_cut(r.command, 300))} | {'<br>'.join(shown)} |")
        out.append("")
    out.extend(summary_lines(plist))
    return "\n".join(out) + "\n"


def render(plist: ProcessList, fmt: str, options: PsRender) -> str:
    """``plist`` in format ``fmt`` (``PS_FORMATS``)."""
    if fmt == "json":
        return render_json(plist)
    if fmt == "markdown":
        return render_markdown(plist)
    return render_text(plist, options)


def exit_code(plist: ProcessList, fail_on: str) -> int:
    """1 when a listed process shows a secret in its command line (EA705, an error: every
    threshold but ``never`` counts it), else 0."""
    if fail_on == "never":
        return 0
    return 1 if any(r.command_secrets for r in plist.rows) else 0
