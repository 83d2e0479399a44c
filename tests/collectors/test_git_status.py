"""The git collector (EA701) against real git repositories made in a temporary folder: tracked,
ignored, not ignored, tracked although ignored, a root inside a repository, and every way git
can fail to answer (no git, no repository, a corrupt one, one owned by another user, a hang)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from envaudit import engine
from envaudit.collectors.base import CollectOptions
from envaudit.collectors.git_status import (
    GitError,
    _run,
    ask_git,
    git_environment,
    run_all,
    work_tree,
)
from envaudit.model import GitFile, Skip, Snapshot

from .helpers import write

GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")

KEY = "sk-ant-api03-" + "FAKE-GIT-EXAMPLE-0000-" * 4 + "FAKE-AA"
SECRET_ENV = f"ANTHROPIC_API_KEY={KEY}\n"


def environ(home: Path) -> dict[str, str]:
    """envaudit's environment in these tests: the machine's PATH, a HOME of its own (no user
    configuration of the machine running the tests)."""
    return {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(home),
            "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str) -> None:
    """Run git in ``repo`` with a throw-away identity."""
    assert GIT is not None
    subprocess.run([GIT, "-c", "user.name=T", "-c", "user.email=t@example.invalid",
                    "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                   cwd=repo, env=environ(repo.parent), check=True, capture_output=True)


def scan(root: Path, env: dict[str, str] | None = None, **kwargs: object) -> Snapshot:
    """The real pipeline over ``root`` (no process environment, offline)."""
    return engine.collect(CollectOptions(root=str(root), process_env=False, offline=True,
                                         environ=env or environ(root.parent),
                                         **kwargs))  # type: ignore[arg-type]


def git_skips(snapshot: Snapshot) -> list[Skip]:
    return [s for s in snapshot.skipped if s.source == "git"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty repository."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    return root


def test_tracked_ignored_not_ignored_and_tracked_although_ignored(repo: Path) -> None:
    write(repo, ".gitignore", ".env\n")
    write(repo, ".env", SECRET_ENV)                  # ignored, then force-added: tracked
    write(repo, ".env.production", SECRET_ENV)      # committed with `git add .`
    write(repo, ".env.staging", SECRET_ENV)         # not ignored, not added
    write(repo, "sub/.env", SECRET_ENV)             # ignored (the pattern has no slash)
    git(repo, "add", ".gitignore", ".env.production")
    git(repo, "add", "-f", ".env")
    git(repo, "commit", "-q", "-m", "x")
    snapshot = scan(repo)
    assert git_skips(snapshot) == []
    assert snapshot.git is not None and snapshot.git.worktree == str(repo)
    assert snapshot.git.files == (
        GitFile(".env", True, ".gitignore:1", ".env"),
        GitFile(".env.production", True),
        GitFile(".env.staging", False),
        GitFile("sub/.env", False, ".gitignore:1", ".env"),
    )


def test_staged_counts_as_tracked(repo: Path) -> None:
    write(repo, ".env", SECRET_ENV)
    git(repo, "add", ".env")  # not committed yet: the next commit carries it
    assert scan(repo).git.files == (GitFile(".env", True),)  # type: ignore[union-attr]


def test_negation_directory_rule_and_info_exclude(repo: Path) -> None:
    write(repo, ".gitignore", ".env*\n!.env.production\nconfig/\n")
    write(repo, ".git/info/exclude", "local.env\n")
    write(repo, ".env.production", SECRET_ENV)
    write(repo, "config/.env", SECRET_ENV)
    write(repo, "local.env", SECRET_ENV)
    files = {f.path: f for f in scan(repo).git.files}  # type: ignore[union-attr]
    assert files[".env.production"] == GitFile(".env.production", False)  # "!" un-ignores it
    assert files["config/.env"] == GitFile("config/.env", False, ".gitignore:3", "config/")
    assert files["local.env"] == GitFile("local.env", False, ".git/info/exclude:1", "local.env")


def test_global_excludes_file_of_the_user(repo: Path) -> None:
    """``git add .`` honours the user's core.excludesFile: so does the collector."""
    home = repo.parent
    write(home, ".gitignore_global", ".env\n")
    write(home, ".gitconfig", f"[core]\n\texcludesFile = {home / '.gitignore_global'}\n")
    write(repo, ".env", SECRET_ENV)
    (found,) = scan(repo).git.files  # type: ignore[union-attr]
    assert not found.tracked and found.pattern == ".env"
    assert found.ignored_by == f"{home / '.gitignore_global'}:1"


def test_root_nested_inside_the_repository(repo: Path) -> None:
    write(repo, ".gitignore", "/.env\n")  # anchored to the top: services/api/.env is not
    write(repo, ".env", SECRET_ENV)
    write(repo, "services/api/.env", SECRET_ENV)
    write(repo, "services/api/.env.local", SECRET_ENV)
    git(repo, "add", "services/api/.env")
    snapshot = scan(repo / "services" / "api")
    assert snapshot.git is not None and snapshot.git.worktree == str(repo)
    assert snapshot.git.files == (GitFile(".env", True), GitFile(".env.local", False))


def test_wildcards_in_folder_names_are_literal(repo: Path) -> None:
    """The root's path goes into a wildcard pathspec: ``*``, ``?`` and ``[`` in it are escaped
    (``a*`` must not also match ``ab``)."""
    write(repo, "a*[1]/.env", SECRET_ENV)
    write(repo, "ab[1]/.env", SECRET_ENV)
    git(repo, "add", "ab[1]/.env")
    assert scan(repo / "a*[1]").git.files == (GitFile(".env", False),)  # type: ignore[union-attr]
    assert scan(repo / "ab[1]").git.files == (GitFile(".env", True),)  # type: ignore[union-attr]


def test_explicit_files_outside_the_root_and_outside_the_work_tree(repo: Path,
                                                                   tmp_path: Path) -> None:
    write(repo, "app/.gitkeep", "")
    shared = write(repo, "shared.env", SECRET_ENV)      # in the repository, above the root
    elsewhere = write(tmp_path, "prod.env", SECRET_ENV)  # in no repository
    git(repo, "add", "shared.env")
    snapshot = scan(repo / "app", env_files=(str(shared), str(elsewhere)))
    assert snapshot.git is not None
    assert snapshot.git.files == (GitFile(str(shared), True),)
    assert snapshot.git.outside == (str(elsewhere),)


def test_example_files_symlinks_and_files_without_secrets_are_not_asked_about(
        repo: Path) -> None:
    write(repo, ".env.example", "ANTHROPIC_API_KEY=sk-ant-api03-...\n")
    write(repo, ".env", "ANTHROPIC_MODEL=claude-sonnet-4-6\nDB_PASSWORD=\nTOKEN=changeme\n")
    write(repo, "real.env", SECRET_ENV)
    os.symlink("real.env", repo / ".env.local")
    assert scan(repo).git.files == (GitFile("real.env", False),)  # type: ignore[union-attr]


def test_no_secret_no_git(tmp_path: Path) -> None:
    """Without a file holding a secret, git is not asked (nothing recorded, not even that the
    root is not in a repository); nor when EA701 is not run."""
    root = tmp_path / "plain"
    write(root, ".env", "LOG_LEVEL=debug\n")
    snapshot = scan(root)
    assert snapshot.git is None and git_skips(snapshot) == []
    write(root, ".env", SECRET_ENV)
    snapshot = scan(root, git=False)
    assert snapshot.git is None and git_skips(snapshot) == []


def test_not_a_repository(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    write(root, ".env", SECRET_ENV)
    snapshot = scan(root)
    assert snapshot.git is None
    (skip,) = git_skips(snapshot)
    assert "not inside a git work tree" in skip.reason and "EA701" in skip.reason


def test_git_missing_from_path(repo: Path, tmp_path: Path) -> None:
    write(repo, ".env", SECRET_ENV)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    snapshot = scan(repo, env={"PATH": str(empty), "HOME": str(tmp_path)})
    assert snapshot.git is None
    (skip,) = git_skips(snapshot)
    assert skip.reason.startswith("no git executable on PATH")


def test_garbage_head(repo: Path) -> None:
    write(repo, ".env", SECRET_ENV)
    write(repo, ".git/HEAD", "\x00\x01 garbage\n")
    snapshot = scan(repo)
    assert snapshot.git is None
    (skip,) = git_skips(snapshot)
    assert "not a git repository" in skip.reason and skip.path == str(repo)


def test_garbage_index(repo: Path) -> None:
    write(repo, ".env", SECRET_ENV)
    write(repo, ".git/index", b"DIRC\x00\x00\x00\x02garbage garbage garbage")
    snapshot = scan(repo)
    assert snapshot.git is None
    (skip,) = git_skips(snapshot)
    assert skip.reason.startswith("git ls-files failed:") and "index" in skip.reason


def test_gitfile_pointing_nowhere(tmp_path: Path) -> None:
    """A worktree's or submodule's ``.git`` file naming a missing folder."""
    root = tmp_path / "wt"
    write(root, ".git", "gitdir: /nonexistent/worktrees/wt\n")
    write(root, ".env", SECRET_ENV)
    snapshot = scan(root)
    assert snapshot.git is None
    (skip,) = git_skips(snapshot)
    assert "git ls-files failed" in skip.reason or "check-ignore failed" in skip.reason


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="needs root to give the repository to another user")
def test_repository_of_another_user(repo: Path) -> None:
    """git refuses a repository another user owns ("dubious ownership"): a skip, never a
    bypass (no safe.directory is passed)."""
    write(repo, ".env", SECRET_ENV)
    os.chown(repo, 65534, 65534)
    snapshot = scan(repo)
    assert snapshot.git is None
    (skip,) = git_skips(snapshot)
    assert "dubious ownership" in skip.reason


def test_repository_variables_of_a_hook_are_not_followed(repo: Path, tmp_path: Path) -> None:
    """A pre-commit hook runs with GIT_DIR / GIT_INDEX_FILE set (possibly relative): git is
    asked about the work tree holding the root, not the repository those name."""
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    write(repo, ".env", SECRET_ENV)
    git(repo, "add", ".env")
    env = {**environ(tmp_path), "GIT_DIR": str(other / ".git"), "GIT_INDEX_FILE": "nope",
           "GIT_WORK_TREE": str(other)}
    assert scan(repo, env=env).git.files == (GitFile(".env", True),)  # type: ignore[union-attr]
    kept = git_environment({"GIT_DIR": "x", "GIT_CONFIG_COUNT": "1", "LANG": "de_DE.UTF-8"})
    assert "GIT_DIR" not in kept and kept["GIT_CONFIG_COUNT"] == "1"
    assert kept["GIT_OPTIONAL_LOCKS"] == "0" and kept["GIT_TERMINAL_PROMPT"] == "0"
    assert kept["LC_ALL"] == "C" and "LANG" not in kept


def test_git_never_writes(repo: Path) -> None:
    """GIT_OPTIONAL_LOCKS=0 and read-only commands: the index is not rewritten."""
    write(repo, ".env", SECRET_ENV)
    git(repo, "add", ".env")
    index = repo / ".git" / "index"
    before = index.stat().st_mtime_ns, index.read_bytes()
    os.utime(repo / ".env")  # a stale stat would make `git status` refresh the index
    scan(repo)
    assert (index.stat().st_mtime_ns, index.read_bytes()) == before
    assert not (repo / ".git" / "index.lock").exists()


def test_a_hanging_git_times_out(repo: Path, tmp_path: Path) -> None:
    """A git that never answers (a hung network file system) is killed at the deadline."""
    fake = tmp_path / "slow-bin" / "git"
    write(fake.parent, "git", f"#!{sys.executable}\nimport time\ntime.sleep(30)\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(GitError, match=r"did not answer within 0\.3 s"):
        ask_git(str(fake), str(repo), [".env"], "", environ(tmp_path), timeout=0.3)


def test_work_tree_is_found_upwards(repo: Path, tmp_path: Path) -> None:
    (repo / "a" / "b").mkdir(parents=True)
    assert work_tree(str(repo / "a" / "b")) == str(repo)
    assert work_tree(str(repo)) == str(repo)
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    assert work_tree(str(lonely)) not in (str(lonely), str(repo))


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0


def test_run_all_streams_large_input_and_output_without_deadlock() -> None:
    """Input larger than a pipe holds, while the command writes as much back (``cat``): the
    writes and reads interleave; no descriptor is left open."""
    cat = shutil.which("cat")
    if cat is None:
        pytest.skip("no cat")
    data = os.urandom(1 << 20)
    before = _open_fds()
    git = GIT or "git"
    (code, out, err), (code2, out2, _) = run_all([([cat], data), ([git, "--version"], b"")],
                                                 dict(os.environ))
    assert (code, out, err) == (0, data, b"") and code2 == 0 and out2.startswith(b"git version")
    assert _open_fds() == before


def test_run_all_and_its_fallback_report_failures(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-git")
    before = _open_fds()
    git = GIT or "git"
    with pytest.raises(GitError, match="could not be started"):
        run_all([([git, "--version"], b""), ([missing], b"x")], {})
    assert _open_fds() == before
    with pytest.raises(GitError, match="could not be started"):
        _run([missing], b"", {}, time.monotonic() + 5, 5)
    code, out, _ = _run([git, "--version"], b"", dict(os.environ), time.monotonic() + 5, 5)
    assert code == 0 and out.startswith(b"git version")
