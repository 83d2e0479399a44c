"""Running processes: which hold provider variables (``envaudit ps``), and which are the app
(``--pid auto``).

Two ways to read them, with the same results (``tests/test_processes.py`` holds them to each
other):

- ``proc`` (Linux): ``/proc/PID/environ``, ``cmdline``, ``stat`` and ``status`` read directly,
  the environment of every process first and the rest only for the processes listed. Each
  distinct environment block is parsed once (a server's workers, a shell's children share
  theirs byte for byte).
- ``psutil`` (every other platform, or ``--backend psutil``): the same facts through psutil.

The ``proc`` route is the default where it works: on 2,000 processes it reads every environment
in about 16 ms against 58 ms through ``psutil.Process(pid).environ()`` plus 13 ms to import
psutil (``benchmarks/bench_ps.py`` measures both through the CLI; figures in
``docs/processes.md``). psutil answers the same questions from the same files, one Python
object, one exception translation and several ``open`` calls per process.

What is read is the environment a process *started* with (exec time): what it set afterwards
(``load_dotenv()``, ``dotenv.config()``) is not there. A process that could not be read is
counted by reason (another user's without root: ``access denied``; gone while read:
``exited``; a zombie) and never raises.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from envaudit.errors import CollectorError
from envaudit.model import CommandSecret
from envaudit.record import Record

if TYPE_CHECKING:
    from envaudit.redact import SecretSet

#: Backends (``--backend``): ``auto`` is ``proc`` where ``/proc`` has environments.
BACKENDS = ("auto", "proc", "psutil")
#: Why a process was not read (the JSON ``unreadable`` keys).
DENIED, EXITED, ZOMBIE = "access_denied", "exited", "zombie"
#: The longest command kept (redacted) in a report; text output cuts it shorter.
MAX_COMMAND = 4096
#: Programs ``--pid auto`` takes for an app: interpreters, app servers, task runners and the
#: package managers' ``start`` scripts (``python3.11`` is ``python``).
APP_PROGRAMS = frozenset({
    "python", "pypy", "node", "bun", "deno", "gunicorn", "uvicorn", "hypercorn", "daphne",
    "granian", "celery", "flask", "fastapi", "waitress-serve", "streamlit", "npm", "npx",
    "yarn", "pnpm", "tsx", "ts-node", "nodemon", "next-server",
})
#: What a command line holds when it hands the app a provider credential or variable
#: (looked for in every process's command line, as bytes, before anything is parsed).
_PROVIDER_MARKS = (b"sk-ant-", b"ANTHROPIC_", b"CLAUDE_")


class ShownVariable(Record):
    """A provider variable of a process, as any output may show it."""

    name: str
    """The variable's name."""
    shown: str
    """``redact.show``: the value, or its hint for a secret."""
    secret: bool
    """Whether the value is a secret (shown as a hint)."""
    value_fp: str
    """The value's fingerprint (spec: ``value_fp``)."""


class ProcessRow(Record):
    """One process of ``envaudit ps``."""

    pid: int
    """Its process id."""
    ppid: int | None
    """Its parent's, when known."""
    user: str
    """The user it runs as (the real uid's name, else the number); ``""`` when unknown."""
    started: float | None
    """When it started (seconds since the epoch), when known."""
    name: str
    """Its executable's name (``python3``)."""
    command: str
    """Its command line with every secret replaced by its hint (``envaudit.cmdline``), at most
    ``MAX_COMMAND`` characters."""
    truncated: bool
    """``command`` was cut at ``MAX_COMMAND``."""
    variables: tuple[ShownVariable, ...]
    """Its provider variables (``envaudit.variables.relevant``), sorted by name."""
    command_secrets: tuple[CommandSecret, ...] = ()
    """The secrets its command line shows (EA705)."""


class ProcessList(Record):
    """What ``envaudit ps`` found."""

    rows: tuple[ProcessRow, ...]
    """The processes listed, by pid."""
    read: int
    """Processes whose environment was read (envaudit's own left out)."""
    unreadable: dict[str, int]
    """Processes not read, by reason (``DENIED``, ``EXITED``, ``ZOMBIE``)."""
    backend: str
    """``proc`` or ``psutil``."""
    everything: bool = False
    """``--all``: processes without provider variables are listed too."""


class _Details(Record):
    """The facts of a process listed (read after its environment)."""

    ppid: int | None
    user: str
    started: float | None
    name: str
    argv: tuple[str, ...]


# --------------------------------------------------------------------------- /proc


def _parse_environ(text: str) -> dict[str, str]:
    """An environment block as psutil parses it: ``NAME=VALUE`` items ended by NUL (a last
    item without its NUL, or without a name, is left out); a later duplicate wins."""
    out: dict[str, str] = {}
    for item in text.split("\0")[:-1]:
        at = item.find("=")
        if at > 0:
            out[item[:at]] = item[at + 1:]
    return out


def _split_cmdline(data: str) -> list[str]:
    """``/proc/PID/cmdline`` as psutil splits it: at NULs, the final NUL dropped; a process
    that rewrote its title (``gunicorn: master [app]``) has none, and is split at spaces."""
    if data.endswith("\0"):
        data = data[:-1]
    argv = data.split("\0")
    if len(argv) == 1 and " " in data:
        argv = data.split(" ")
    return argv if argv != [""] else []


class _Proc:
    """Reads ``/proc`` directly (Linux)."""

    name = "proc"

    def __init__(self) -> None:
        self._dir = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)
        self._boot: float | None = None
        self._users: dict[int, str] = {}

    def close(self) -> None:
        """Release the ``/proc`` descriptor."""
        os.close(self._dir)

    def pids(self) -> list[int]:
        """Every process id."""
        return [int(n) for n in os.listdir(self._dir) if n.isdigit()]

    def _read(self, path: str) -> bytes:
        """A ``/proc`` file relative to ``/proc``, whole."""
        fd = os.open(path, os.O_RDONLY, dir_fd=self._dir)
        try:
            chunk = os.read(fd, 131072)
            if len(chunk) < 131072:
                return chunk
            chunks = [chunk]
            while chunk:
                chunk = os.read(fd, 131072)
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    def environs(self, pids: Iterable[int]) -> Iterator[tuple[int, Mapping[str, str] | str]]:
        """``(pid, environment)``, or ``(pid, reason)`` for a process not read; a process
        with an empty environment (a kernel thread) is left out. Processes started with the
        same block share one mapping (read-only)."""
        parsed: dict[bytes, Mapping[str, str]] = {}
        for pid in pids:
            try:
                data = self._read(f"{pid}/environ")
            except PermissionError:
                yield pid, DENIED
                continue
            except ProcessLookupError:  # ESRCH: no memory to read (measured, Linux 6.x)
                state = self._state(pid)
                if state == "Z":
                    yield pid, ZOMBIE
                elif not state:
                    yield pid, EXITED
                continue  # a kernel thread: it has no environment
            except OSError:  # ENOENT: it exited (its pid may already be reused)
                yield pid, EXITED
                continue
            if not data:
                continue  # a process between fork and exec, or one that emptied its block
            environ = parsed.get(data)
            if environ is None:
                environ = parsed[data] = _parse_environ(data.decode("utf-8", "surrogateescape"))
            yield pid, environ

    def _state(self, pid: int) -> str:
        try:
            return self._read(f"{pid}/stat").rpartition(b")")[2][1:2].decode()
        except OSError:
            return ""

    def argv(self, pid: int) -> list[str] | None:
        """Its command line (``None``: gone or unreadable)."""
        try:
            data = self._read(f"{pid}/cmdline")
        except OSError:
            return None
        return _split_cmdline(data.decode("utf-8", "surrogateescape"))

    def marked(self, pid: int) -> bool:
        """Whether its command line holds a provider credential or variable (bytes test)."""
        try:
            data = self._read(f"{pid}/cmdline")
        except OSError:
            return False
        return any(mark in data for mark in _PROVIDER_MARKS)

    def details(self, pid: int) -> _Details | str:
        """The facts a row shows, or why they could not be read."""
        try:
            stat = self._read(f"{pid}/stat").decode("utf-8", "surrogateescape")
            status = self._read(f"{pid}/status")
            cmdline = self._read(f"{pid}/cmdline").decode("utf-8", "surrogateescape")
        except PermissionError:
            return DENIED
        except OSError:
            return EXITED
        comm, _, rest = stat.partition("(")[2].rpartition(")")
        fields = rest.split()
        argv = _split_cmdline(cmdline)
        return _Details(ppid=int(fields[1]), user=self._user(status),
                        started=self._boot_time() + int(fields[19]) / _clock_ticks(),
                        name=_program_name(comm, argv), argv=tuple(argv))

    def _user(self, status: bytes) -> str:
        at = status.find(b"\nUid:")
        if at < 0:
            return ""
        uid = int(status[at + 5:].split(None, 1)[0])
        return _user_name(uid, self._users)

    def _boot_time(self) -> float:
        if self._boot is None:
            with open("/proc/stat", "rb") as fh:
                line = next(ln for ln in fh if ln.startswith(b"btime"))
            self._boot = float(line.split()[1])
        return self._boot

    def cwd(self, pid: int) -> str | None:
        """Its working folder (``None``: unreadable or gone)."""
        try:
            return os.readlink(f"{pid}/cwd", dir_fd=self._dir)
        except OSError:
            return None

    def ppid(self, pid: int) -> int | None:
        """Its parent's pid (``None``: gone)."""
        try:
            return int(self._read(f"{pid}/stat").rpartition(b")")[2].split()[1])
        except (OSError, ValueError, IndexError):
            return None


def _clock_ticks() -> int:
    return os.sysconf("SC_CLK_TCK")


def _user_name(uid: int, cache: dict[int, str]) -> str:
    name = cache.get(uid)
    if name is None:
        try:
            import pwd

            name = pwd.getpwuid(uid).pw_name
        except (KeyError, ImportError):
            name = str(uid)
        cache[uid] = name
    return name


def _program_name(comm: str, argv: list[str]) -> str:
    """psutil's ``name()``: the kernel's 15-character ``comm``, completed from the command
    line when it was cut."""
    if len(comm) >= 15 and argv:
        exe = os.path.basename(argv[0])
        if exe.startswith(comm):
            return exe
    return comm


# --------------------------------------------------------------------------- psutil


class _Psutil:
    """Reads processes through psutil (every platform)."""

    name = "psutil"

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        self._users: dict[int, str] = {}

    def close(self) -> None:
        """Nothing to release."""

    def pids(self) -> list[int]:
        """Every process id."""
        return list(self._psutil.pids())

    def environs(self, pids: Iterable[int]) -> Iterator[tuple[int, Mapping[str, str] | str]]:
        """As ``_Proc.environs``."""
        psutil = self._psutil
        for pid in pids:
            try:
                environ = psutil.Process(pid).environ()
            except psutil.ZombieProcess:
                yield pid, ZOMBIE
                continue
            except psutil.NoSuchProcess:
                if not psutil.pid_exists(pid):
                    yield pid, EXITED
                continue  # a kernel thread: it has no environment
            except psutil.AccessDenied:
                yield pid, DENIED
                continue
            except (psutil.Error, OSError):
                yield pid, EXITED
                continue
            if environ:
                yield pid, environ

    def argv(self, pid: int) -> list[str] | None:
        """Its command line (``None``: gone or unreadable)."""
        try:
            return list(self._psutil.Process(pid).cmdline())
        except (self._psutil.Error, OSError):
            return None

    def marked(self, pid: int) -> bool:
        """Whether its command line holds a provider credential or variable."""
        argv = self.argv(pid)
        if not argv:
            return False
        data = "\0".join(argv).encode("utf-8", "surrogateescape")
        return any(mark in data for mark in _PROVIDER_MARKS)

    def details(self, pid: int) -> _Details | str:
        """As ``_Proc.details``."""
        psutil = self._psutil
        try:
            process = psutil.Process(pid)
            with process.oneshot():
                uid = process.uids().real if hasattr(process, "uids") else None
                user = (_user_name(uid, self._users) if uid is not None
                        else process.username())
                return _Details(ppid=process.ppid(), user=user, started=process.create_time(),
                                name=process.name(), argv=tuple(process.cmdline()))
        except psutil.AccessDenied:
            return DENIED
        except (psutil.Error, OSError):
            return EXITED

    def cwd(self, pid: int) -> str | None:
        """Its working folder (``None``: unreadable or gone)."""
        try:
            return str(self._psutil.Process(pid).cwd())
        except (self._psutil.Error, OSError):
            return None

    def ppid(self, pid: int) -> int | None:
        """Its parent's pid (``None``: gone)."""
        try:
            return int(self._psutil.Process(pid).ppid())
        except (self._psutil.Error, OSError):
            return None


def backend(name: str = "auto") -> _Proc | _Psutil:
    """The reader: ``proc`` where ``/proc`` shows environments (Linux), else ``psutil``."""
    if name == "proc" or (name == "auto" and sys.platform.startswith("linux")
                          and os.path.exists("/proc/self/environ")):
        return _Proc()
    return _Psutil()


def _open(name: str) -> _Proc | _Psutil:
    """``backend(name)``, or a ``CollectorError`` saying why processes cannot be read."""
    try:
        return backend(name)
    except OSError as exc:
        raise CollectorError(f"cannot read the processes ({name}): "
                             f"{exc.strerror or exc}") from None


def _pids(reader: _Proc | _Psutil) -> list[int]:
    """Every process id, or a ``CollectorError``."""
    try:
        return reader.pids()
    except OSError as exc:
        raise CollectorError(f"cannot list the processes: {exc.strerror or exc}") from None


# --------------------------------------------------------------------------- envaudit ps


def list_processes(*, everything: bool = False, backend_name: str = "auto",
                   exclude: Iterable[int] = ()) -> tuple[ProcessList, SecretSet]:
    """The processes whose environment holds provider variables (``envaudit.variables``; at
    least one of the provider's own, ``_names_provider``), or
    whose command line shows a secret and names the provider (``sk-ant-``, ``ANTHROPIC_``,
    ``CLAUDE_``: a key passed as an argument); with ``everything``, every
    process whose environment was read. Also returns a ``SecretSet`` of every value read (the
    environments, the secrets of the command lines shown) for the report's self-check.
    ``exclude``: pids left out (envaudit's own is always)."""
    from envaudit.redact import SecretSet, salt
    from envaudit.variables import relevant_among

    reader = _open(backend_name)
    secrets = SecretSet()
    left_out = {os.getpid(), *exclude}
    unreadable = {DENIED: 0, EXITED: 0, ZOMBIE: 0}
    chosen: list[tuple[int, Mapping[str, str], set[str]]] = []
    # per environment mapping (equal blocks share one), kept alive so that ids stay unique
    names: dict[int, tuple[Mapping[str, str], set[str]]] = {}
    seen: set[tuple[str, str]] = set()  # (name, value) pairs given to the self-check
    read = 0
    try:
        for pid, environ in reader.environs(p for p in _pids(reader) if p not in left_out):
            if isinstance(environ, str):
                unreadable[environ] += 1
                continue
            read += 1
            known = names.get(id(environ))
            if known is None:  # a new environment: its names, and every value read
                known = names[id(environ)] = (environ, relevant_among(set(environ)))
                fresh = environ.items() - seen  # most (PATH, HOME, LANG ...) are everybody's
                seen.update(fresh)
                secrets.add_all(fresh)
            kept = known[1]
            if _names_provider(kept) or everything or reader.marked(pid):
                chosen.append((pid, environ, kept))
        rows = []
        key_salt = salt()
        for pid, environ, kept in chosen:
            details = reader.details(pid)
            if isinstance(details, str):
                unreadable[details] += 1
                read -= 1
                continue
            row = _row(pid, details, environ, kept, secrets, key_salt)
            if _names_provider(kept) or everything or row.command_secrets:  # not `grep …`
                rows.append(row)
    finally:
        reader.close()
    rows.sort(key=lambda r: r.pid)
    return ProcessList(tuple(rows), read, unreadable, reader.name, everything), secrets


#: Variables that every shell of a machine may carry whatever it runs: Claude Code exports
#: these into the shells it starts.
_AMBIENT = frozenset({"CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT"})
_naming: dict[frozenset[str], bool] = {}


def _names_provider(kept: set[str]) -> bool:
    """Whether an environment's relevant names include a provider's own (``ANTHROPIC_*``,
    ``CLAUDE_*``, a credential variable, a near-miss name), not only the proxy and CA
    variables a rule also reads: those are in every shell of a machine behind a proxy, and a
    listing of every shell says nothing. The process, once listed, shows them all."""
    if not kept:
        return False
    key = frozenset(kept)
    verdict = _naming.get(key)
    if verdict is None:
        from envaudit.catalogue import credentials
        from envaudit.variables import PROVIDER_PREFIXES, misnamed_target

        known = credentials().variables
        verdict = _naming[key] = any(
            n not in _AMBIENT and (n.startswith(PROVIDER_PREFIXES) or n in known
                                   or misnamed_target(n) is not None) for n in kept)
    return verdict


def _row(pid: int, details: _Details, environ: Mapping[str, str], kept: set[str],
         secrets: SecretSet, key: bytes) -> ProcessRow:
    """One process as ``envaudit ps`` shows it."""
    from envaudit import cmdline
    from envaudit.redact import is_secret, show, value_fp

    command, found, raw = cmdline.redact(details.argv, environ)
    for value in raw:  # the self-check looks for what the redaction hid
        secrets.add("COMMAND_LINE_SECRET", value)
    shown = tuple(ShownVariable(name, show(name, environ[name], key),
                                is_secret(name, environ[name]), value_fp(environ[name], key))
                  for name in sorted(kept))
    truncated = len(command) > MAX_COMMAND
    return ProcessRow(pid, details.ppid, details.user, details.started, details.name,
                      command[:MAX_COMMAND] if truncated else command, truncated, shown, found)


# --------------------------------------------------------------------------- --pid auto


def program(argv: list[str]) -> tuple[str, str]:
    """The program a command line runs: as ``APP_PROGRAMS`` names it (the first word's base
    name without a title's ``:`` and a version: ``python3.11`` is ``python``; a script an
    interpreter runs when it is an app program: ``python /venv/bin/gunicorn`` is
    ``gunicorn``), and as it is written (``python3.11``, ``gunicorn``)."""
    if not argv:
        return "", ""
    words = argv[0].split()
    first = os.path.basename(words[0] if words else "").split(":")[0]
    base = first.rstrip("0123456789.").rstrip("-")
    if base in ("python", "pypy", "node") and len(argv) > 1 and not argv[1].startswith("-"):
        script = os.path.basename(argv[1])
        if script in APP_PROGRAMS:
            return script, script
    return (base if base in APP_PROGRAMS else first), first


def _under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def _shown_path(path: str, roots: tuple[str, ...]) -> str:
    """``path`` relative to the audited folder (``the audited folder`` for itself)."""
    for root in roots:
        if path == root:
            return "the audited folder"
        if path.startswith(root.rstrip(os.sep) + os.sep):
            return path[len(root.rstrip(os.sep)) + 1:]
    return path


def find_app_processes(root: str, *, backend_name: str = "auto") -> dict[int, str]:
    """The processes ``--pid auto`` picks: an app program (``APP_PROGRAMS``) whose working
    folder, or a path in whose command line, lies in ``root``; never envaudit itself or a
    process it runs under (its shell, ``uv run``), and not a child of a process picked (a
    server's workers start with its environment). pid -> why, in pid order."""
    roots = tuple(dict.fromkeys((os.path.abspath(root), os.path.realpath(root))))
    reader = _open(backend_name)
    try:
        ancestors = _ancestors(reader)
        found: dict[int, str] = {}
        for pid in _pids(reader):
            if pid in ancestors:
                continue
            argv = reader.argv(pid)
            if not argv:
                continue
            kind, name = program(argv)
            if kind not in APP_PROGRAMS:
                continue
            why = _why_app(reader, pid, argv, name, roots)
            if why is not None:
                found[pid] = why
        return {pid: why for pid, why in sorted(found.items())
                if not _descends(reader, pid, found)}
    finally:
        reader.close()


def _why_app(reader: _Proc | _Psutil, pid: int, argv: list[str], name: str,
             roots: tuple[str, ...]) -> str | None:
    """Why the process is the app's (``None``: nothing ties it to the audited folder)."""
    cwd = reader.cwd(pid)
    if cwd is not None and _under(cwd, roots):
        where = _shown_path(cwd, roots)
        at = "is the audited folder" if where == "the audited folder" else f"is {where}"
        return f"{name} whose working folder {at}"
    for arg in argv:
        path = arg.partition("=")[2] if arg.startswith("-") else arg
        if path.startswith(os.sep) and _under(os.path.normpath(path), roots):
            return f"{name} whose command line names {_shown_path(os.path.normpath(path), roots)}"
    return None


def _ancestors(reader: _Proc | _Psutil) -> set[int]:
    """envaudit's pid and its ancestors' (never the app)."""
    out = {os.getpid()}
    pid: int | None = os.getppid()
    while pid and pid not in out:
        out.add(pid)
        pid = reader.ppid(pid)
    return out


def _descends(reader: _Proc | _Psutil, pid: int, found: Mapping[int, str]) -> bool:
    """Whether process ``pid`` descends from one in ``found`` (through any processes between:
    ``npm start`` runs ``sh -c 'node server.js'``)."""
    seen = {pid}
    parent = reader.ppid(pid)
    while parent and parent not in seen:
        if parent in found:
            return True
        seen.add(parent)
        parent = reader.ppid(parent)
    return False
