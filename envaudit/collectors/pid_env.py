"""The environments of running processes named with ``--pid`` (read through psutil).

What is read is the environment a process *started* with (``/proc/PID/environ`` on Linux, the
process's own memory on macOS and Windows): what ``load_dotenv()`` or ``dotenv.config()`` then
added is not in it, which is exactly the input the loader models need. A process that is gone,
a zombie, or one envaudit may not read (another user's, without root) is a ``Skip`` with a short
reason (EA802); nothing else is collected for it and the run goes on. Its command line is read
for the secrets it shows (EA705: their index, kind and hint only, ``envaudit.cmdline``).

psutil is imported only when ``--pid`` is given.
"""

from __future__ import annotations

from collections.abc import Iterator

from envaudit.collectors.base import CollectOptions, Collector, Fact, PidFacts
from envaudit.model import PROCESS, Definition, Location, PidEnvironment, Skip

#: ``Skip.source`` and ``Location.source`` of what comes from another process.
SOURCE = "pid"
#: How often, and how long apart, an empty environment is read again.
_RETRIES = 10
_RETRY_SECONDS = 0.005


def read_environ(pid: int) -> tuple[str, dict[str, str]] | str:
    """``(executable name, environment)`` of process ``pid``, or why it cannot be read (a short
    reason, as the JSON ``skipped`` entry gives it)."""
    import psutil

    try:
        process = psutil.Process(pid)
        environ = process.environ()
        for _ in range(_RETRIES):
            if environ:
                break
            # just started (`app & envaudit --pid $!`): Linux shows an empty environment until
            # exec has set it up (measured); a process with no environment at all costs 50 ms
            import time

            time.sleep(_RETRY_SECONDS)
            environ = process.environ()
    except psutil.ZombieProcess:  # a NoSuchProcess: test it first
        return "a zombie process: its environment is gone"
    except psutil.NoSuchProcess:
        return "no such process"
    except psutil.AccessDenied:
        return "access denied"
    except (psutil.Error, OSError, ValueError) as exc:  # ValueError: a negative pid
        detail = getattr(exc, "strerror", None) or type(exc).__name__
        return f"its environment cannot be read ({detail})"
    try:
        name = process.name()
    except (psutil.Error, OSError):
        name = ""
    return name, environ


def read_argv(pid: int) -> list[str]:
    """The command line of process ``pid`` (empty when it cannot be read: gone, a zombie)."""
    import psutil

    try:
        return list(psutil.Process(pid).cmdline())
    except (psutil.Error, OSError, ValueError):
        return []


#: ``--pid auto``'s Skip when it found no process of the app.
AUTO_NONE = ("--pid auto found no app process (python, node, gunicorn, uvicorn, celery ...) "
             "whose working folder or command line lies in the audited folder; envaudit's own "
             "environment is audited instead")


class PidEnvCollector(Collector):
    """The environments of ``CollectOptions.pids`` (phase 0: the files are interpolated
    against them)."""

    name = "pid-env"
    phase = 0

    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        """One ``PidFacts`` per process read (with the secrets its command line shows, and why
        ``--pid auto`` picked it), one ``Skip`` per process that could not be, and one when
        ``--pid auto`` found none."""
        picked = options.auto_pids
        if picked is not None and not picked:
            yield Skip(SOURCE, AUTO_NONE)
        keep = options.keep()
        for pid in dict.fromkeys(options.pids):
            read = read_environ(pid)
            if isinstance(read, str):
                yield Skip(SOURCE, read, pid=pid)
                continue
            name, environ = read
            kept = None if keep is None else keep(set(environ))
            location = Location(SOURCE, pid=pid)
            definitions = tuple(Definition(key, value, location, PROCESS)
                                for key, value in environ.items()
                                if kept is None or key in kept)
            from envaudit.cmdline import find_secrets

            secrets = find_secrets(read_argv(pid), environ)
            why = picked.get(pid) if picked else None
            yield PidFacts(PidEnvironment(pid, name, definitions, secrets, why), environ)
