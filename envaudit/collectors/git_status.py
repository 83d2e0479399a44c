"""Ask the real ``git`` whether the dotenv files that hold secrets are tracked, or would be
(EA701).

Run only when some ``env`` file holds a secret (``DotenvFile.secrets``) and the root lies in a
git work tree (a ``.git`` in it or in a folder above): a deploy image without ``.git`` and a
project without secrets in files never start git. Then two commands run, each once, in the
work tree's top folder:

* ``git ls-files -z -- '<root>/*.env' '<root>/*.env.*' …``: the tracked ones (in the index:
  committed, or staged to be). Two wildcard pathspecs rather than one per file: git matches
  every index entry against every pathspec (measured on a 200,000-entry index: 10 literal
  paths 33 ms, 1,000 paths 1 s, the two wildcards 35 ms; reading the index alone 22 ms).
* ``git check-ignore -z --stdin -v -n --no-index``: the ignore rule that matches each file, if
  any, whether or not the file is tracked (``--no-index``), so that a tracked file which
  ``.gitignore`` lists (ignored after it was committed) is told apart.

Both run side by side (``run_all``), with ``GIT_OPTIONAL_LOCKS=0`` (git never writes the
index), ``GIT_TERMINAL_PROMPT=0``, no terminal (a new session) and no standard input to prompt
on, ``core.fsmonitor`` off (a repository's configuration cannot make git run a program),
``LC_ALL=C`` (its messages are quoted in skips) and without the variables that point git at
another repository (``GIT_DIR``, ``GIT_INDEX_FILE`` …: a pre-commit hook sets them), so that it
answers about the work tree holding the root. Whatever goes wrong (no ``git``, a corrupt
repository, a repository git refuses for its owner, no answer within ``GIT_TIMEOUT``) becomes
one ``Skip`` (source ``git``) and EA701 stays silent.
"""

from __future__ import annotations

import os
import select
import time
from collections.abc import Iterator, Mapping

from envaudit.collectors.base import CollectOptions, Collector, Fact
from envaudit.collectors.discovery import printable
from envaudit.model import DotenvFile, GitFile, GitStatus, Skip

#: Seconds both git commands together may take (they take milliseconds; a repository on a
#: hung network file system must not hang a deploy).
GIT_TIMEOUT = 5.0
#: ``Skip.source`` of what git could not answer.
SOURCE = "git"
#: ``-c`` options: no file-system monitor program, whatever the repository configures.
_CONFIG = ("-c", "core.fsmonitor=false")
#: Kept from envaudit's environment among git's own variables: configuration (``safe.directory``
#: given by CI through ``GIT_CONFIG_COUNT`` …), never a repository location.
_KEPT_PREFIX = "GIT_CONFIG"
#: Longest part of git's message quoted in a skip.
_MESSAGE_LIMIT = 200
#: Characters a wildcard pathspec gives a meaning to.
_WILDCARDS = "\\*?["


def work_tree(root: str) -> str | None:
    """The top folder of the git work tree holding ``root``: the nearest folder, ``root`` or
    one above it, that has a ``.git`` (a folder, or a file for worktrees and submodules)."""
    folder = os.path.abspath(root)
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def git_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment git runs with: envaudit's, without git's repository variables, with
    prompts and optional locks off and C messages."""
    env = {k: v for k, v in environ.items()
           if not k.startswith("GIT_") or k.startswith(_KEPT_PREFIX)}
    env.update(GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", GIT_NO_LAZY_FETCH="1",
               LC_ALL="C", LANGUAGE="C")
    env.pop("LANG", None)
    return env


def _pathspec(rel: str) -> str:
    """``rel`` (a path from the work tree's top) with git's wildcard characters escaped."""
    return "".join("\\" + c if c in _WILDCARDS else c for c in rel)


def _message(stderr: bytes) -> str:
    """git's first message line, without ``fatal:``, shown printable and short."""
    text = os.fsdecode(stderr).strip()
    lines = [line for line in text.splitlines() if line.strip()]
    line = next((ln for ln in lines if ln.startswith(("fatal:", "error:"))), lines[0] if lines
                else "no message")
    line = line.split(":", 1)[1].strip() if line.startswith(("fatal:", "error:")) else line
    line = printable(line)
    return line if len(line) <= _MESSAGE_LIMIT else line[:_MESSAGE_LIMIT - 1] + "…"


class GitError(Exception):
    """git could not answer; the message is the skip's reason."""


def ask_git(git: str, top: str, rels: list[str], root_rel: str,
            environ: Mapping[str, str], timeout: float = GIT_TIMEOUT
            ) -> tuple[set[str], dict[str, tuple[str, str]]]:
    """``(tracked, ignored)`` for the files ``rels`` (paths from ``top``, ``/``-separated):
    the ones in git's index, and per file the rule that ignores it (``(source:line,
    pattern)``).
    ``root_rel``: the audited root from ``top`` (``""``: the top). Raises ``GitError``."""
    prefix = _pathspec(root_rel) + "/" if root_rel else ""
    specs = [prefix + "*.env", prefix + "*.env.*"]
    under = root_rel + "/" if root_rel else ""
    for rel in rels:  # a file outside the root, or named otherwise: named literally
        name = rel.rsplit("/", 1)[-1]
        if not rel.startswith(under) or not (name.endswith(".env") or ".env." in name):
            specs.append(":(literal)" + rel)
    env = git_environment(environ)
    base = [git, "-C", top, *_CONFIG]
    # check-ignore reads paths, but a leading ":" would start pathspec magic
    data = b"".join(os.fsencode("./" + rel if rel.startswith(":") else rel) + b"\0"
                    for rel in rels)
    (code, out_list, err_list), (code_check, out_check, err_check) = run_all(
        [([*base, "ls-files", "-z", "--", *specs], b""),
         ([*base, "check-ignore", "-z", "--stdin", "-v", "-n", "--no-index"], data)],
        env, timeout)
    if code != 0:
        raise GitError(f"git ls-files failed: {_message(err_list)}")
    if code_check not in (0, 1):  # 1: nothing ignored
        raise GitError(f"git check-ignore failed: {_message(err_check)}")
    tracked = {os.fsdecode(p) for p in out_list.split(b"\0") if p}
    fields = out_check.split(b"\0")
    ignored: dict[str, tuple[str, str]] = {}
    for i in range(0, len(fields) - 3, 4):
        source, line, pattern, path = (os.fsdecode(f) for f in fields[i:i + 4])
        path = path[2:] if path.startswith("./:") else path
        if pattern and not pattern.startswith("!"):  # "!…": an exception un-ignores it
            ignored[path] = (printable(f"{source}:{line}"), printable(pattern))
    return tracked, ignored


Result = tuple[int, bytes, bytes]
"""A command's exit status, output and error output."""


def run_all(commands: list[tuple[list[str], bytes]], env: Mapping[str, str],
            timeout: float = GIT_TIMEOUT) -> list[Result]:
    """Run ``(argv, input)`` commands side by side, each in a session of its own (no terminal
    to prompt on), all killed when ``timeout`` seconds pass (``GitError``).

    NOTE: ``os.posix_spawn`` and one ``poll`` over every pipe: 1.8 ms for both git commands on
    a small repository, against 2.9 ms one after the other through ``subprocess`` (4.0 ms side
    by side, its six pipes multiplexed) plus 1.7-2.7 ms to import it. ``subprocess``, one
    command after the other, where there is no ``posix_spawn`` (Windows)."""
    if not hasattr(os, "posix_spawn") or not hasattr(select, "poll"):
        return [_run(argv, data, env, time.monotonic() + timeout, timeout)
                for argv, data in commands]
    deadline = time.monotonic() + timeout
    poller = select.poll()
    readers: dict[int, list[bytes]] = {}
    writers: dict[int, memoryview] = {}
    pids: list[int] = []
    outputs: list[tuple[list[bytes], list[bytes]]] = []
    try:
        for argv, data in commands:
            child_in, write_in = os.pipe()
            read_out, child_out = os.pipe()
            read_err, child_err = os.pipe()
            readers[read_out], readers[read_err] = [], []
            outputs.append((readers[read_out], readers[read_err]))
            try:
                pids.append(os.posix_spawn(argv[0], argv, env, setsid=True, file_actions=[
                    (os.POSIX_SPAWN_DUP2, child_in, 0), (os.POSIX_SPAWN_DUP2, child_out, 1),
                    (os.POSIX_SPAWN_DUP2, child_err, 2)]))
            except (OSError, NotImplementedError) as exc:
                os.close(write_in)
                raise GitError(f"git could not be started ({_reason(exc)})") from None
            finally:
                for fd in (child_in, child_out, child_err):
                    os.close(fd)
            poller.register(read_out, select.POLLIN)
            poller.register(read_err, select.POLLIN)
            if data:
                os.set_blocking(write_in, False)
                writers[write_in] = memoryview(data)
                poller.register(write_in, select.POLLOUT)
            else:
                os.close(write_in)
        while readers or writers:
            left = deadline - time.monotonic()
            if left <= 0:
                raise GitError(f"git did not answer within {timeout:g} s")
            for fd, _ in poller.poll(left * 1000):
                if fd in writers:
                    try:
                        written = os.write(fd, writers[fd][:65536])
                    except BrokenPipeError:  # it stopped reading: its status will say why
                        written = len(writers[fd])
                    writers[fd] = writers[fd][written:]
                    if not writers[fd]:
                        poller.unregister(fd)
                        os.close(fd)
                        del writers[fd]
                else:
                    chunk = os.read(fd, 65536)
                    if chunk:
                        readers[fd].append(chunk)
                    else:
                        poller.unregister(fd)
                        os.close(fd)
                        del readers[fd]
        results: list[Result] = []
        while pids:  # each reaped in turn: none is left to kill below
            _, status = os.waitpid(pids[0], 0)
            pids.pop(0)
            out, err = outputs[len(results)]
            results.append((os.waitstatus_to_exitcode(status), b"".join(out), b"".join(err)))
        return results
    finally:
        for fd in (*readers, *writers):
            os.close(fd)
        for pid in pids:  # given up on (an error, the deadline): killed and reaped
            import signal

            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)


def _reason(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)) or "?"


def _run(argv: list[str], data: bytes, env: Mapping[str, str], deadline: float,
         timeout: float) -> Result:
    """One command through ``subprocess`` (``run_all`` without ``posix_spawn``)."""
    import subprocess

    try:
        proc = subprocess.run(argv, input=data, capture_output=True, env=env,
                              start_new_session=True,
                              timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        raise GitError(f"git did not answer within {timeout:g} s") from None
    except OSError as exc:  # not executable, or its pipe broke
        raise GitError(f"git could not be started ({_reason(exc)})") from None
    return proc.returncode, proc.stdout, proc.stderr


def candidates(files: tuple[DotenvFile, ...]) -> list[DotenvFile]:
    """The files git is asked about: ``env`` files holding secrets, but symlinks (git keeps
    the link, not what it points to)."""
    return [f for f in files if f.role == "env" and f.secrets and f.symlink_target is None]


class GitStatusCollector(Collector):
    """Yields one ``GitStatus``, or a ``Skip`` saying why git could not be asked."""

    name = "git-status"
    phase = 2  # asks about the dotenv files phase 1 read

    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        """Ask git about the ``env`` files with secrets, when there are any."""
        files = candidates(options.dotenv_files) if options.git else []
        if not files:
            return  # nothing to ask: git is not started
        top = work_tree(options.root)
        if top is None:
            yield Skip(SOURCE, "the root is not inside a git work tree (no .git in it or "
                               "above it): EA701 (a .env tracked by git) was not checked")
            return
        import shutil

        git = shutil.which("git", path=options.environ.get("PATH", os.defpath))
        if git is not None:
            git = os.path.abspath(git)  # posix_spawn does not search
        if git is None:
            yield Skip(SOURCE, "no git executable on PATH: EA701 (a .env tracked by git) was "
                               "not checked", path=printable(top))
            return
        inside: list[tuple[DotenvFile, str]] = []
        outside: list[str] = []
        for f in files:
            rel = os.path.relpath(f.abspath, top)
            if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
                outside.append(f.path)
            else:
                inside.append((f, rel.replace(os.sep, "/")))
        status = GitStatus(printable(top), outside=tuple(outside))
        if inside:
            root_rel = os.path.relpath(options.root, top).replace(os.sep, "/")
            try:
                tracked, ignored = ask_git(git, top, [rel for _, rel in inside],
                                           "" if root_rel == "." else root_rel,
                                           options.environ)
            except GitError as exc:
                yield Skip(SOURCE, f"{exc}: EA701 (a .env tracked by git) was not checked",
                           path=printable(top))
                return
            status = status._replace(files=tuple(
                GitFile(f.path, rel in tracked, *ignored.get(rel, (None, None)))
                for f, rel in inside))
        yield status
