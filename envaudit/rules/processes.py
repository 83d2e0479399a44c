"""EA705, EA801, EA802: the running processes named with ``--pid`` (or picked by ``--pid
auto``): a secret in a command line, a credential older than the current one, an environment
that could not be read.

What a process shows is read by ``envaudit.collectors.pid_env`` (its environment at exec time,
and only the index, kind and hint of each secret in its command line: ``envaudit.cmdline``).
"""

from __future__ import annotations

from collections.abc import Iterator

from envaudit.catalogue import credentials
from envaudit.cmdline import describe
from envaudit.context import AuditContext
from envaudit.model import PROCESS, PYTHON_DOTENV, Definition, Finding, Location, Severity
from envaudit.redact import hint, value_fp
from envaudit.rules.base import Rule, RuleMeta

#: ``Skip.source`` of a process (``envaudit.collectors.pid_env.SOURCE``, not imported: the
#: collector module is not needed to run the rules).
_PID = "pid"


class KeyInCommandLine(Rule):
    """
    ## What it does
    Reads the command line of each process named with `--pid` (or picked by `--pid auto`) and
    finds the secrets it shows: a known credential format in any argument (`sk-ant-…`), the
    value of an option named like a secret (`--api-key VALUE`, `--token=VALUE`), a
    `NAME=VALUE` assignment of a secret variable (`env ANTHROPIC_API_KEY=… python app.py`), an
    `Authorization:` or `x-api-key:` header (`curl -H`), a URL password, or the value of one
    of the process's own secret variables. The finding names the argument's position, how the
    secret was recognised and its hint; the command line itself is never recorded.

    ## Why is this bad?
    On Linux every user of the machine can read every process's command line
    (`/proc/PID/cmdline` is world-readable unless `/proc` is mounted with `hidepid`): `ps aux`,
    `top`, a monitoring agent, a crash report or a `ps` pasted into a ticket shows the key.
    Shell history and CI logs usually have it too.

    ## Example
    `python app.py --api-key sk-ant-api03-…` started by a systemd unit or a Procfile.

    ## Use instead
    Give the key in the environment (`ANTHROPIC_API_KEY`, which the SDKs read themselves) or
    in a file only the app's user can read (`EnvironmentFile=` in systemd, a Docker or
    Kubernetes secret), and read it in the code. `envaudit ps` lists the processes that show
    one.

    ## References
    - proc(5), `/proc/PID/cmdline` and the `hidepid` mount option
    - docs/processes.md (what `envaudit ps` and `--pid` read)
    """

    meta = RuleMeta("EA705", "key-in-command-line", Severity.ERROR,
                    "a secret is visible in a running process's command line",
                    "pass the key in the environment or a file only the app's user can read, "
                    "then restart the process")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """One finding per secret in a ``--pid`` process's command line."""
        for environment in ctx.snapshot.pids:
            pid = environment.pid
            for secret in environment.command_secrets:
                message = (f"the command line of pid {pid}: {describe(secret)} "
                           f"({secret.hint}); any user of this machine can read it with ps "
                           f"or in /proc/{pid}/cmdline")
                yield self.finding(message, Location(_PID, pid=pid),
                                   subject=f"{secret.kind}:{secret.index}",
                                   details={"index": secret.index, "kind": secret.kind})


class ProcessStaleCredential(Rule):
    """
    ## What it does
    Compares each credential a `--pid` process started with (`ANTHROPIC_API_KEY`,
    `ANTHROPIC_AUTH_TOKEN`, the admin keys, the platform credentials) with the one a process
    started now would get: envaudit's own environment (unless `--no-process-env`) and the
    files, as the app's loader reads them. It fires when both are set and their fingerprints
    differ.

    ## Why is this bad?
    A process reads its environment once, at exec: after a key is rotated in `.env`, in the
    deploy environment or in a secret store, the running process keeps sending the old one.
    Once the old key is revoked every request fails with `401 invalid x-api-key` while every
    file, and every new shell, shows a key that works; the errors stop at the next restart,
    which hides the cause.

    ## Example
    `ANTHROPIC_API_KEY` was rotated in `.env` yesterday; the gunicorn master started last
    week with the old key in its environment, and its workers inherit it.

    ## Use instead
    Restart the process (its service, its container) after rotating a credential, and revoke
    the old key only once nothing uses it any more.

    ## References
    - proc(5), `/proc/PID/environ` ("the initial environment that was set when the currently
      executing program was started")
    - docs/processes.md (what `--pid` reads, and what it cannot see)
    """

    meta = RuleMeta("EA801", "process-stale-credential", Severity.WARNING,
                    "a running process holds a credential that differs from the current one",
                    "restart the process so that it starts with the current credential; revoke "
                    "the old one once nothing uses it")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """One finding per process and credential whose value differs from a restart's."""
        snapshot = ctx.snapshot
        if not snapshot.pids or not ctx.provider_in_use:
            return
        cat = credentials()
        names = {*cat.variables, *cat.platform_variables}
        restart = AuditContext(snapshot._replace(pids=(), process=snapshot.own_credentials))
        loaders = tuple(dict.fromkeys(snapshot.loaders or (PYTHON_DOTENV,)))
        for environment in snapshot.pids:
            pid = environment.pid
            for d in environment.definitions:
                if d.name not in names or not d.value:
                    continue
                now = _restart_value(restart, d.name, loaders)
                if now is None or now.value is None or value_fp(now.value) == value_fp(d.value):
                    continue
                where = ("envaudit's environment" if now.location.source == PROCESS
                         else now.location.display())
                message = (f"pid {pid} started with {d.name} {hint(d.value)}, but a process "
                           f"started now would get {hint(now.value)} from {where}: the "
                           f"credential changed after pid {pid} started, and the process still "
                           "uses the one it started with")
                yield self.finding(message, Location(_PID, pid=pid), d.name,
                                   subject=value_fp(d.value))


def _restart_value(restart: AuditContext, name: str, loaders: tuple[str, ...]
                   ) -> Definition | None:
    """The first loader's non-empty winner for ``name`` in what a restart would read."""
    for loader in loaders:
        d = restart.effective(name, loader)
        if d is not None and d.value:
            return d
    return None


#: What to do about a process that could not be read, by ``Skip.reason``.
_UNREADABLE_FIXES = {
    "access denied": "run envaudit as root, or as the process's user (sudo -u USER envaudit "
                     "scan --pid PID)",
    "no such process": "give the pid of the running app (pgrep -f APP), or --pid auto",
}


class ProcessEnvUnreadable(Rule):
    """
    ## What it does
    Reports each process named with `--pid` (or picked by `--pid auto`) whose environment could
    not be read: another user's process while envaudit does not run as root or as that user
    (`access denied`), a pid that does not exist or exited, a zombie. It is also listed under
    "skipped"; the audit goes on with the files.

    ## Why is this bad?
    The environment the app started with is the one that decides which key, base URL and proxy
    it uses, and it was not audited: the report describes the files only, and an exported
    variable that shadows them (EA201, EA202) or a stale key (EA801) goes unseen.

    ## Example
    `envaudit scan --pid 4242` as a developer, where pid 4242 is the app's gunicorn running as
    the `www-data` user.

    ## Use instead
    Run envaudit as the process's user (`sudo -u www-data envaudit scan --pid 4242`) or as
    root, inside the container (`docker exec`), or give the pid of the running app.

    ## References
    - proc(5): `/proc/PID/environ` is readable by the process's owner and root
      (`PTRACE_MODE_READ`)
    - docs/processes.md
    """

    meta = RuleMeta("EA802", "process-env-unreadable", Severity.INFO,
                    "a --pid process's environment could not be read",
                    "run envaudit as root or as the process's user, or give the app's pid")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """One finding per process skipped."""
        for skip in ctx.snapshot.skipped:
            if skip.source != _PID or skip.pid is None:
                continue
            message = (f"the environment of pid {skip.pid} could not be read ({skip.reason}): "
                       "the variables it started with are not audited")
            yield self.finding(message, Location(_PID, pid=skip.pid), subject=skip.reason,
                               fix=_UNREADABLE_FIXES.get(skip.reason))


RULES: tuple[Rule, ...] = (KeyInCommandLine(), ProcessStaleCredential(), ProcessEnvUnreadable())
