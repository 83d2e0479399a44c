"""Ask the real ``git`` whether the dotenv files that hold secrets are tracked, or would be
(EA701).

Run only when some ``env`` file holds a secret (``DotenvFile.secrets``) and the root lies in a
git work tree (a ``.git`` in it or in a folder above): a deploy image without ``.git`` and a
project without secrets in files never start git. Then two commands run side by side, each
once, in the work tree's top folder:

* ``git ls-files -z -- '<root>/*.env' '<root>/*.env.*' …``: the tracked ones (in the index:
  committed, or staged to be). Two wildcard pathspecs rather than one per file: git matches
  every index entry against every pathspec (measured on a 200,000-entry index: 10 literal
  paths 33 ms, 1,000 paths 1 s, the two wildcards 35 ms; reading the index alone 22 ms).
* ``git check-ignore -z --stdin -v -n --no-index``: the ignore rule that matches each file, if
  any, whether or not the file is tracked (``--no-index``), so that a tracked file which
  ``.gitignore`` lists (ignored after it was committed) is told apart.

git runs with ``GIT_OPTIONAL_LOCKS=0`` (it never writes the index), ``GIT_TERMINAL_PROMPT=0``,
no terminal (a new session) and no standard input to prompt on, ``core.fsmonitor`` off (a
repository's configuration cannot make it run a program), ``LC_ALL=C`` (its messages are
quoted in skips) and without the variables that point git at another repository
(``GIT_DIR``, ``GIT_INDEX_FILE`` …: a pre-commit hook sets them), so that it answers about the
work tree holding the root. Whatever goes wrong (no ``git``, a corrupt repository, a
repository git refuses for its owner, no answer within ``GIT_TIMEOUT``) becomes one ``Skip``
(source ``git``) and EA701 stays silent.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from envaudit.collectors.base import CollectOptions, Collector, Fact
from envaudit.collectors.discovery import printable
from envaudit.model import DotenvFile, GitFile, GitStatus, Skip

if TYPE_CHECKING:
    import subprocess

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
    import subprocess

    prefix = _pathspec(root_rel) + "/" if root_rel else ""
    specs = [prefix + "*.env", prefix + "*.env.*"]
    under = root_rel + "/" if root_rel else ""
    for rel in rels:  # a file outside the root, or named otherwise: named literally
        name = rel.rsplit("/", 1)[-1]
        if not rel.startswith(under) or not (name.endswith(".env") or ".env." in name):
            specs.append(":(literal)" + rel)
    env = git_environment(environ)
    base = [git, "-C", top, *_CONFIG]
    started: list[subprocess.Popen[bytes]] = []
    try:
        try:
            started.append(subprocess.Popen(
                [*base, "ls-files", "-z", "--", *specs], stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                start_new_session=True))
            started.append(subprocess.Popen(
                [*base, "check-ignore", "-z", "--stdin", "-v", "-n", "--no-index"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=env, start_new_session=True))
        except OSError as exc:
            raise GitError(f"git could not be started ({exc.strerror or exc})") from None
        listing, check = started
        deadline = time.monotonic() + timeout
        # check-ignore reads paths, but a leading ":" would start pathspec magic
        data = b"".join(os.fsencode("./" + rel if rel.startswith(":") else rel) + b"\0"
                        for rel in rels)
        try:
            out_check, err_check = check.communicate(data, timeout=timeout)
            out_list, err_list = listing.communicate(
                timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise GitError(f"git did not answer within {timeout:g} s") from None
        except OSError as exc:  # the pipe broke: git died while reading the paths
            raise GitError(f"git failed ({exc.strerror or exc})") from None
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for stream in (proc.stdout, proc.stderr, proc.stdin):
                if stream is not None:
                    stream.close()
    if listing.returncode != 0:
        raise GitError(f"git ls-files failed: {_message(err_list)}")
    if check.returncode not in (0, 1):  # 1: nothing ignored
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
