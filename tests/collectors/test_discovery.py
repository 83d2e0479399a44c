"""``envaudit.collectors.discovery``: which files the walk finds, what it prunes, what it never
follows, and in which order, on real trees built in ``tmp_path``."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import pickle
import signal
import struct
import tempfile
import termios
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit.collectors import discovery
from envaudit.collectors.discovery import (
    FOLDER_NAMED_ENV,
    PRUNED_DIRS,
    display_path,
    is_dotenv_name,
    printable,
    role_of,
    walk,
    walk_and_read,
)
from envaudit.collectors.dotenv_files import DotenvFilesCollector
from envaudit.errors import CollectorError
from envaudit.model import DotenvFile, Skip

from .helpers import options, write


def found(root: Path) -> list[str]:
    """The walk's files, relative to ``root``, in walk order."""
    files, _ = walk(str(root))
    return [os.path.relpath(f.abspath, root) for f in files]


def skips(root: Path) -> list[Skip]:
    return walk(str(root))[1]


# --------------------------------------------------------------------------- names and roles


@pytest.mark.parametrize("name", [
    ".env", ".env.local", ".env.development", ".env.production.local", ".env.test",
    ".env.example", ".env.sample", ".env.template", ".env.dist", ".env.docker",
    "docker.env", "app.env", "prod.env", "web-1.env",
])
def test_dotenv_names_are_matched(name: str) -> None:
    assert is_dotenv_name(name)


@pytest.mark.parametrize("name", [
    ".envrc",                                                          # direnv: a shell script
    ".env.swp", ".env.swo", ".env.local.swx", ".env~", ".env.local~",  # editor files
    ".env.gpg", ".env.age", ".env.enc", ".env.asc", "prod.env.pgp",    # encrypted copies
    "x.env.swp", "env", "environment", ".environment", ".envs", "env.txt", ".env-local",
    "foo.envx", "dotenv", ".env_local",
])
def test_other_names_are_not_matched(name: str) -> None:
    assert not is_dotenv_name(name)


@pytest.mark.parametrize(("name", "role"), [
    (".env", "env"),
    (".env.local", "env"),
    (".env.production", "env"),
    ("docker.env", "env"),
    (".env.example", "example"),
    (".env.local.example", "example"),
    (".env.sample", "example"),
    (".env.template", "example"),
    (".env.dist", "example"),
    (".env.EXAMPLE", "example"),
    ("example.env", "example"),
    ("sample.env", "example"),
    ("env.template.env", "example"),
    (".env.tpl", "example"),
    ("myexampleapp.env", "env"),      # a word, not a substring
    (".env.distributed", "env"),
])
def test_role(name: str, role: str) -> None:
    assert role_of(name) == role


def test_roles_reach_the_collected_files(tree: Path) -> None:
    for name in (".env", ".env.example", ".env.sample", ".env.template", ".env.dist"):
        write(tree, name)
    roles = {f.path: f.role for f in DotenvFilesCollector().collect(options(tree))
             if isinstance(f, DotenvFile)}
    assert roles == {".env": "env", ".env.dist": "example", ".env.example": "example",
                     ".env.sample": "example", ".env.template": "example"}


# --------------------------------------------------------------------------- what is found


def test_finds_every_kind_of_dotenv_file(tree: Path) -> None:
    for rel in (".env", ".env.local", ".env.production", ".env.example", "docker.env",
                "config/app.env", "deploy/.env.prod", "a/b/c/.env"):
        write(tree, rel)
    for rel in (".envrc", ".env.swp", ".env~", "README.md", "env", "settings.py",
                "config/.env.local.swp"):
        write(tree, rel)
    assert found(tree) == [
        ".env", ".env.example", ".env.local", ".env.production", "docker.env",
        "a/b/c/.env", "config/app.env", "deploy/.env.prod",
    ]
    assert skips(tree) == []


def test_gitignored_files_are_found(tree: Path) -> None:
    write(tree, ".gitignore", ".env\n*.env\n.env.*\n")
    write(tree, ".env")
    write(tree, ".env.local")
    write(tree, "prod.env")
    assert found(tree) == [".env", ".env.local", "prod.env"]


def test_envrc_and_swap_files_are_not_found(tree: Path) -> None:
    write(tree, ".envrc", "dotenv_if_exists .env.local\n")
    write(tree, ".env.swp", b"b0VIM 8.2\x00\x00")
    assert found(tree) == []


@pytest.mark.parametrize("pruned", sorted(PRUNED_DIRS))
def test_pruned_folders_are_not_walked(tree: Path, pruned: str) -> None:
    write(tree, f"{pruned}/.env")
    write(tree, f"{pruned}/deep/er/.env")
    write(tree, f"app/{pruned}/.env")
    write(tree, "app/.env")
    assert found(tree) == ["app/.env"]


@pytest.mark.parametrize("pruned", [".git", "node_modules", "__pycache__", "site-packages"])
def test_issue_named_prunes(pruned: str) -> None:
    assert pruned in PRUNED_DIRS


@pytest.mark.parametrize("venv", [".venv", "venv", "env", ".env", "my-project-py311", "x"])
def test_virtual_environments_are_pruned_whatever_their_name(tree: Path, venv: str) -> None:
    write(tree, f"{venv}/pyvenv.cfg", "home = /usr/bin\n")
    write(tree, f"{venv}/.env")
    write(tree, f"{venv}/lib/python3.11/site-packages/pkg/.env")
    write(tree, f"{venv}/src/.env")
    write(tree, ".env.local")
    assert found(tree) == [".env.local"]
    assert skips(tree) == []  # not reported either (not even a venv named .env)


def test_a_nested_virtual_environment_is_pruned(tree: Path) -> None:
    write(tree, "services/api/.venv/pyvenv.cfg")
    write(tree, "services/api/.venv/.env")
    write(tree, "services/api/.env")
    assert found(tree) == ["services/api/.env"]


def test_the_root_is_walked_even_when_it_is_a_virtual_environment(tree: Path) -> None:
    write(tree, "pyvenv.cfg")
    write(tree, ".env")
    assert found(tree) == [".env"]


def test_a_folder_named_dotenv_is_walked_into_and_reported(tree: Path) -> None:
    write(tree, ".env/dev.env")
    write(tree, ".env/prod.env")
    write(tree, ".env/notes.txt")
    assert found(tree) == [".env/dev.env", ".env/prod.env"]
    assert skips(tree) == [Skip("dotenv", FOLDER_NAMED_ENV, path=".env")]


def test_folder_named_like_a_dotenv_file_other_than_dotenv_is_walked_silently(tree: Path) -> None:
    write(tree, ".env.d/base.env")
    write(tree, "config.env/x.env")
    assert found(tree) == [".env.d/base.env", "config.env/x.env"]
    assert skips(tree) == []


# --------------------------------------------------------------------------- symlinks


def test_directory_symlinks_are_not_followed(tree: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, ".env")
    write(tree, "real/.env")
    (tree / "linked").symlink_to(outside, target_is_directory=True)
    (tree / "alias").symlink_to(tree / "real", target_is_directory=True)
    assert found(tree) == ["real/.env"]


def test_a_symlink_loop_does_not_loop(tree: Path) -> None:
    write(tree, ".env")
    write(tree, "sub/.env")
    (tree / "a").symlink_to(".", target_is_directory=True)
    (tree / "sub" / "up").symlink_to("..", target_is_directory=True)
    (tree / "sub" / "b").symlink_to("c")
    (tree / "sub" / "c").symlink_to("b")
    assert found(tree) == [".env", "sub/.env"]
    assert skips(tree) == []


def test_symlinked_dotenv_file_is_found_as_a_symlink(tree: Path, tmp_path: Path) -> None:
    target = write(tmp_path, "secrets/prod.env", "ANTHROPIC_MODEL=claude\n")
    (tree / ".env").symlink_to(target)
    write(tree, ".env.local")
    files, _ = walk(str(tree))
    assert [(os.path.basename(f.abspath), f.symlink) for f in files] == [
        (".env", True), (".env.local", False)]


def test_symlinked_dotenv_file_records_its_target(tree: Path, tmp_path: Path) -> None:
    target = write(tmp_path, "secrets/prod.env", "ANTHROPIC_MODEL=claude\n")
    (tree / ".env").symlink_to(target)
    write(tree, "shared.env")
    (tree / ".env.local").symlink_to("shared.env")
    facts = {f.path: f for f in DotenvFilesCollector().collect(options(tree))
             if isinstance(f, DotenvFile)}
    assert facts[".env"].symlink_target == str(target)
    assert facts[".env.local"].symlink_target == "shared.env"  # as written, relative
    assert facts["shared.env"].symlink_target is None
    assert [d.value for d in facts[".env"].readings[0].definitions] == ["claude"]


def test_a_dotenv_symlink_to_a_folder_is_not_followed(tree: Path, tmp_path: Path) -> None:
    write(tmp_path / "elsewhere", ".env")
    (tree / ".env").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    files, _ = walk(str(tree))
    assert [(os.path.basename(f.abspath), f.symlink) for f in files] == [(".env", True)]
    facts = list(DotenvFilesCollector().collect(options(tree)))
    assert len(facts) == 1 and isinstance(facts[0], Skip)
    assert facts[0].path == ".env" and "a folder" in facts[0].reason
    assert str(tmp_path / "elsewhere") in facts[0].reason


# --------------------------------------------------------------------------- order


def test_order_is_deterministic_and_depth_first(tree: Path) -> None:
    rels = ["z/.env", ".env.local", "b/.env", "a/z/.env", ".env", "a/.env", "a/b.env",
            "A/.env", "prod.env", "a/a/.env"]
    for rel in rels:
        write(tree, rel)
    expected = [".env", ".env.local", "prod.env", "A/.env", "a/.env", "a/b.env", "a/a/.env",
                "a/z/.env", "b/.env", "z/.env"]
    assert found(tree) == expected
    assert found(tree) == expected


def test_order_does_not_depend_on_creation_order(tmp_path: Path) -> None:
    rels = ["c/.env", "a/.env", ".env.b", ".env.a", "b/x.env", "b/a.env"]
    results = []
    for i, order in enumerate((rels, list(reversed(rels)))):
        root = tmp_path / f"t{i}"
        for rel in order:
            write(root, rel)
        results.append(found(root))
    assert results[0] == results[1] == [".env.a", ".env.b", "a/.env", "b/a.env", "b/x.env",
                                        "c/.env"]


# --------------------------------------------------------------------------- shared walk


def _wide_tree(root: Path) -> None:
    """Folders enough to share at SHARE_AT = 4, with files, a venv, a .env folder, pruned
    folders and a few levels of depth."""
    for top in "abcdefgh":
        write(root, f"{top}/.env")
        write(root, f"{top}/{top}1/x.env")
        write(root, f"{top}/{top}1/deep/.env.local")
        write(root, f"{top}/node_modules/.env")
    write(root, "c/venv/pyvenv.cfg", "home = /usr\n")
    write(root, "c/venv/.env")
    write(root, "i/.env/inner.env")
    write(root, ".env")


@pytest.mark.parametrize("share_at", [1, 4, 9])
def test_a_shared_walk_finds_the_same_in_the_same_order(
        tree: Path, monkeypatch: pytest.MonkeyPatch, share_at: int) -> None:
    _wide_tree(tree)
    alone = walk(str(tree), share=False)
    monkeypatch.setattr(discovery, "SHARE_AT", share_at)
    assert walk(str(tree), share=True) == alone
    assert len(alone[0]) == 26 and len(alone[1]) == 1


def test_a_failed_helper_process_is_replaced_by_walking_its_share_here(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _wide_tree(tree)
    alone = walk(str(tree), share=False)
    parent, real = os.getpid(), discovery._Walker.walk

    def walk_or_die(self: discovery._Walker, folders: list[str]) -> None:
        if os.getpid() != parent:
            raise RuntimeError("the helper process fails")
        real(self, folders)

    monkeypatch.setattr(discovery, "SHARE_AT", 4)
    monkeypatch.setattr(discovery._Walker, "walk", walk_or_die)
    assert walk(str(tree), share=True) == alone


def _content(item: discovery.Found) -> bytes:
    return Path(item.abspath).read_bytes()


def test_files_are_read_by_the_process_that_found_them(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _wide_tree(tree)
    alone = walk_and_read(str(tree), _content, share=False)
    pids: set[int] = set()

    def content_and_pid(item: discovery.Found) -> tuple[bytes, int]:
        return _content(item), os.getpid()

    monkeypatch.setattr(discovery, "SHARE_AT", 4)
    shared, skipped = walk_and_read(str(tree), content_and_pid, share=True)
    assert [(f, r[0] if r else None) for f, r in shared] == alone[0] and skipped == alone[1]
    pids = {r[1] for _, r in shared if r}
    assert len(pids) == 2 and os.getpid() in pids


def test_a_helper_that_fails_to_read_is_replaced(tree: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _wide_tree(tree)
    alone = walk_and_read(str(tree), _content, share=False)
    parent = os.getpid()

    def read_or_die(item: discovery.Found) -> bytes:
        if os.getpid() != parent:
            raise RuntimeError("the helper process fails")
        return _content(item)

    monkeypatch.setattr(discovery, "SHARE_AT", 4)
    assert walk_and_read(str(tree), read_or_die, share=True) == alone


def test_the_collector_reads_the_same_with_a_helper(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _wide_tree(tree)
    write(tree, "e/.env", 'ANTHROPIC_API_KEY="open\nB=2\n')
    alone = list(DotenvFilesCollector().collect(options(tree)))
    monkeypatch.setattr(discovery, "SHARE_AT", 4)
    monkeypatch.setattr(discovery, "_can_share", lambda: True)
    assert list(DotenvFilesCollector().collect(options(tree))) == alone


def test_a_walk_begun_reads_with_the_argument_it_is_finished_with(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The helper process starts before the reader is known (the engine begins the walk before
    phase 0) and reads with the argument ``finish`` sends it."""
    _wide_tree(tree)
    monkeypatch.setattr(discovery, "SHARE_AT", 4)

    def make_reader(suffix: str) -> Callable[[discovery.Found], tuple[bytes, int]]:
        return lambda item: (_content(item) + suffix.encode(), os.getpid())

    begun = discovery.Walk(str(tree), make_reader, share=True)
    shared, _ = begun.finish("!")
    assert {r[0][-1:] for _, r in shared if r} == {b"!"}
    assert len({r[1] for _, r in shared if r}) == 2


def test_a_walk_given_up_leaves_no_process_behind(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _wide_tree(tree)
    monkeypatch.setattr(discovery, "SHARE_AT", 4)
    begun = discovery.Walk(str(tree), lambda _: _content, share=True)
    assert begun._child is not None
    pid = begun._child[0]
    begun.close()
    with pytest.raises(ProcessLookupError):  # exited and reaped
        os.kill(pid, 0)
    begun.close()  # twice is harmless


def test_an_argument_that_cannot_be_sent_is_read_here(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _wide_tree(tree)
    alone = walk_and_read(str(tree), _content, share=False)
    monkeypatch.setattr(discovery, "SHARE_AT", 4)
    unpicklable = lambda: None  # noqa: E731 - a local function does not pickle
    begun = discovery.Walk(str(tree), lambda _: _content, share=True)
    assert begun.finish(unpicklable) == alone


def test_sharing_is_for_linux_with_two_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discovery.sys, "platform", "darwin")
    assert not discovery._can_share()


# --------------------------------------------------------------------------- the chunk queue


def _many_tree(root: Path, count: int = 40) -> None:
    """``count`` top folders (SHARE_AT = 4 shares at the first level), each with files, some
    with a nested folder, a skip (a folder named ``.env``) and pruned folders."""
    for i in range(count):
        top = f"p{i:02d}"
        write(root, f"{top}/.env/inner.env" if i % 7 == 0 else f"{top}/.env")
        write(root, f"{top}/x.env")
        if i % 3 == 0:
            write(root, f"{top}/deep/er/.env.local")
        write(root, f"{top}/node_modules/.env")
    write(root, ".env")


def _queued(begun: discovery.Walk[Any, Any]) -> int:
    """How many chunks are still in the queue (bytes in the pipe)."""
    assert begun._child is not None
    size = fcntl.ioctl(begun._child.queue, termios.FIONREAD, b"\0\0\0\0")
    return int(struct.unpack("i", size)[0])


def _wait_for_queue(begun: discovery.Walk[Any, Any], left: int) -> None:
    """Wait (10 s at most) until the helper has claimed all but ``left`` queued chunks."""
    deadline = time.monotonic() + 10
    while _queued(begun) > left:
        assert time.monotonic() < deadline, "the helper claims no chunks"
        time.sleep(0.001)


def _walks_first(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    """Make the helper walk ``count`` chunks (or all there are) before it waits for the
    argument, whatever the files found: a split known in advance."""
    monkeypatch.setattr(discovery, "_walked_enough",
                        lambda unread, first, walked, queued: walked >= count)


def _reader_and_pid(_: object) -> Callable[[discovery.Found], tuple[bytes, int]]:
    return lambda item: (_content(item), os.getpid())


def test_chunks_deal_every_folder_once() -> None:
    level = [f"/r/{name}" for name in "hgfedcba"]
    chunks = discovery._chunks(level, 3)
    assert chunks == [["/r/a", "/r/d", "/r/g"], ["/r/b", "/r/e", "/r/h"], ["/r/c", "/r/f"]]


def _helper_stops_claiming_once_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the helper claim no chunk once it has the argument (as if the parent were always
    quicker to the queue), so that the split is known: the helper's early share, the rest
    here."""
    parent, reading = os.getpid(), []
    real_start, real_claim = discovery._start_reading, discovery._claim

    def start_reading(*args: Any) -> bool:
        reading.append(True)  # in the helper's memory
        return real_start(*args)

    def claim(queue: int) -> int | None:
        return None if os.getpid() != parent and reading else real_claim(queue)

    monkeypatch.setattr(discovery, "_start_reading", start_reading)
    monkeypatch.setattr(discovery, "_claim", claim)


def test_both_processes_claim_chunks(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The helper walks while phase 0 runs (here: up to its early share), the parent claims
    what is left once ``finish`` is called; each reads what it walked; the order is a single
    process's."""
    _many_tree(tree)
    alone = walk_and_read(str(tree), _content, share=False)
    monkeypatch.setattr(discovery, "SHARE_AT", 4)
    monkeypatch.setattr(discovery, "CHUNKS", 8)
    _walks_first(monkeypatch, 5)
    _helper_stops_claiming_once_reading(monkeypatch)
    begun = discovery.Walk(str(tree), _reader_and_pid, share=True)
    _wait_for_queue(begun, 3)
    shared, skipped = begun.finish(None)
    assert begun.chunks_walked == (3, 5)
    assert [(f, r[0] if r else None) for f, r in shared] == alone[0] and skipped == alone[1]
    by: dict[int, list[discovery.Found]] = {}
    for item, reading in shared:
        by.setdefault(reading[1], []).append(item)
    assert len(by) == 2
    # chunks are dealt from the sorted level: chunk i holds p{i}, p{i + 8}, ...
    assert {os.path.relpath(f.abspath, tree).split("/")[0] for f in by[os.getpid()]} == {
        ".env", *(f"p{i:02d}" for i in range(40) if i % 8 >= 5)}


@pytest.mark.parametrize(("unread", "first_files", "walked", "queued", "enough"), [
    (0, 0, 3, 1, False),     # nothing to read yet: walk on
    (10, 0, 5, 3, True),     # 10 to read here > 3 chunks of 2 files there
    (10, 5, 5, 3, False),    # ... but the parent also has 5 files of the first levels
    (10, 0, 2, 6, False),    # fewer chunks walked than queued
    (12, 0, 4, 0, True),     # nothing queued
])
def test_when_the_helper_has_walked_enough(unread: int, first_files: int, walked: int,
                                           queued: int, enough: bool) -> None:
    assert discovery._walked_enough(unread, first_files, walked, queued) is enough


def _expected_stop(root: Path, chunks: list[list[str]], first_files: int) -> int:
    """After how many chunks the helper waits for the argument (``_walked_enough``)."""
    walker = discovery._Walker(str(root))
    for count, chunk in enumerate(chunks, 1):
        walker.walk(chunk)
        if discovery._walked_enough(len(walker.found), first_files, count, len(chunks) - count):
            return count
    return len(chunks)


def test_the_helper_stops_walking_before_the_argument(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before the argument, the helper walks no more than it can read while the parent reads
    the rest: it stops with chunks still queued."""
    _many_tree(tree)
    alone = walk_and_read(str(tree), _content, share=False)
    monkeypatch.setattr(discovery, "SHARE_AT", 4)
    monkeypatch.setattr(discovery, "CHUNKS", 8)
    begun = discovery.Walk(str(tree), lambda _: _content, share=True)
    stop = _expected_stop(tree, begun._chunks, 1)  # the parent has the root's .env
    assert 1 < stop < 8
    _wait_for_queue(begun, 8 - stop)
    time.sleep(0.05)
    assert _queued(begun) == 8 - stop  # it waits for the argument
    assert begun.finish(None) == alone
    assert begun.chunks_walked[1] >= stop


def test_the_helper_may_walk_everything_before_the_argument(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A phase 0 longer than the whole walk, and more files in the first levels than in the
    chunks: the helper walks everything before the argument, the parent finds the queue empty
    and reads the first levels' files, the helper the rest."""
    _many_tree(tree)
    for i in range(200):  # plenty for the parent to read meanwhile: the helper walks on
        write(tree, f".env.{i:03d}")
    alone = walk_and_read(str(tree), _content, share=False)
    monkeypatch.setattr(discovery, "SHARE_AT", 4)
    monkeypatch.setattr(discovery, "CHUNKS", 8)
    begun = discovery.Walk(str(tree), _reader_and_pid, share=True)
    _wait_for_queue(begun, 0)
    shared, skipped = begun.finish(None)
    assert begun.chunks_walked == (0, 8)
    assert [(f, r[0] if r else None) for f, r in shared] == alone[0] and skipped == alone[1]
    here = [f for f, r in shared if r and r[1] == os.getpid()]
    assert len(here) == 201 and all(os.path.dirname(f.abspath) == str(tree) for f in here)


def _claimed_walk(tree: Path, monkeypatch: pytest.MonkeyPatch,
                  read: Callable[[discovery.Found], bytes]) -> tuple[discovery.Walk[Any, bytes],
                                                                     tuple[Any, Any]]:
    """A shared walk of the many-folder tree (8 chunks) whose helper has claimed chunks (it
    walks 5 first and 3 are left in the queue), and the single-process result to compare."""
    _many_tree(tree)
    alone = walk_and_read(str(tree), _content, share=False)
    monkeypatch.setattr(discovery, "SHARE_AT", 4)
    monkeypatch.setattr(discovery, "CHUNKS", 8)
    _walks_first(monkeypatch, 5)
    begun = discovery.Walk(str(tree), lambda _: read, share=True)
    _wait_for_queue(begun, 3)
    return begun, alone


def test_a_helper_killed_after_claiming_chunks_is_replaced(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    begun, alone = _claimed_walk(tree, monkeypatch, _content)
    assert begun._child is not None
    os.kill(begun._child.pid, signal.SIGKILL)
    assert begun.finish(None) == alone
    assert begun.chunks_walked == (8, 0)


def test_a_helper_failing_to_read_after_claiming_chunks_is_replaced(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()

    def read_or_die(item: discovery.Found) -> bytes:
        if os.getpid() != parent:
            raise RuntimeError("the helper process fails")
        return _content(item)

    begun, alone = _claimed_walk(tree, monkeypatch, read_or_die)
    assert begun.finish(None) == alone
    assert begun.chunks_walked == (8, 0)


def test_an_argument_that_cannot_be_sent_after_claims_is_read_here(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    begun, alone = _claimed_walk(tree, monkeypatch, _content)
    assert begun._child is not None
    pid = begun._child.pid
    unpicklable = lambda: None  # noqa: E731 - a local function does not pickle
    assert begun.finish(unpicklable) == alone
    assert begun.chunks_walked == (8, 0)
    with pytest.raises(ProcessLookupError):  # the helper left, and was reaped
        os.kill(pid, 0)


def _fake_helper(records: list[object]) -> Callable[..., bool]:
    """A helper that claims nothing and sends ``records`` (pickled one after the other), then
    says it succeeded."""

    def helper(root: str, chunks: list[list[str]], queue: int, arg_read: int, res_write: int,
               make_reader: object) -> bool:
        with os.fdopen(res_write, "wb") as out:
            for record in records:
                pickle.dump(record, out)
            out.write(b"\x80\x05" if records == ["truncated"] else b"")
        return True

    return helper


@pytest.mark.parametrize("records", [
    ["truncated"],                 # not a pickle stream that ends
    [[]],                          # results, and no closing (chunks walked, skips)
    [[], ([0, 1, 2], [])],         # says it walked chunks it never claimed
    [],                            # nothing at all
])
def test_a_helper_whose_results_do_not_add_up_is_replaced(
        tree: Path, monkeypatch: pytest.MonkeyPatch, records: list[object]) -> None:
    _wide_tree(tree)
    alone = walk_and_read(str(tree), _content, share=False)
    monkeypatch.setattr(discovery, "SHARE_AT", 4)
    monkeypatch.setattr(discovery, "_help", _fake_helper(records))
    begun = discovery.Walk(str(tree), lambda _: _content, share=True)
    assert begun.finish(None) == alone
    assert begun.chunks_walked == (9, 0)


def test_a_helper_given_up_while_it_waits_for_the_argument_is_reaped(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _many_tree(tree)
    monkeypatch.setattr(discovery, "SHARE_AT", 4)
    monkeypatch.setattr(discovery, "CHUNKS", 8)
    _walks_first(monkeypatch, 5)
    begun = discovery.Walk(str(tree), lambda _: _content, share=True)
    _wait_for_queue(begun, 3)
    assert begun._child is not None
    pid = begun._child.pid
    begun.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_an_error_while_reading_here_reaps_the_helper(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _many_tree(tree)
    parent = os.getpid()

    def fail_here(item: discovery.Found) -> bytes:
        if os.getpid() == parent:
            raise RuntimeError("a bug in the reader")
        return _content(item)

    monkeypatch.setattr(discovery, "SHARE_AT", 4)
    begun = discovery.Walk(str(tree), lambda _: fail_here, share=True)
    assert begun._child is not None
    pid = begun._child.pid
    with pytest.raises(RuntimeError, match="a bug in the reader"):
        begun.finish(None)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


_NAMES = st.sampled_from(["a", "b", "B", "c", ".env", "node_modules", "venv", "z"])
_FILES = st.sampled_from([".env", ".env.local", "x.env", ".env.example", "README.md",
                          "pyvenv.cfg", ".env.swp"])


@settings(max_examples=40, deadline=None)
@given(paths=st.lists(st.tuples(st.lists(_NAMES, min_size=1, max_size=3), _FILES),
                      min_size=1, max_size=30),
       share_at=st.integers(1, 6), chunks=st.integers(1, 6),
       helper_first=st.none() | st.integers(1, 6))
def test_a_shared_walk_of_any_tree_is_a_single_walk(
        paths: list[tuple[list[str], str]], share_at: int, chunks: int,
        helper_first: int | None) -> None:
    """On generated trees, with chunks claimed by both processes (the helper walking some
    first, or racing the parent), the files, readings and skips and their order are those of a
    walk in one process."""
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        root = Path(tmp)
        for folders, name in paths:
            with contextlib.suppress(OSError):  # a file where a folder is wanted, or the reverse
                write(root, "/".join([*folders, name]))
        alone = walk_and_read(str(root), _content, share=False)
        patch.setattr(discovery, "SHARE_AT", share_at)
        patch.setattr(discovery, "CHUNKS", chunks)
        if helper_first is not None:
            _walks_first(patch, helper_first)
        begun = discovery.Walk(str(root), lambda _: _content, share=True)
        if helper_first is not None and begun._child is not None:
            _wait_for_queue(begun, max(0, len(begun._chunks) - helper_first))
        assert begun.finish(None) == alone
        here, there = begun.chunks_walked
        assert here + there == len(begun._chunks)


# --------------------------------------------------------------------------- unreadable


def _refuse_scandir(monkeypatch: pytest.MonkeyPatch, refused: Path) -> None:
    real = os.scandir

    def scandir(path: str) -> object:
        if os.path.abspath(path) == str(refused):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_folder_is_a_skip_and_the_rest_is_walked(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tree, "locked/.env")
    write(tree, "open/.env")
    write(tree, ".env")
    _refuse_scandir(monkeypatch, tree / "locked")
    assert found(tree) == [".env", "open/.env"]
    assert skips(tree) == [Skip("dotenv", "folder not readable: Permission denied",
                                path="locked")]


def test_an_unreadable_root_is_an_error(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tree, ".env")
    _refuse_scandir(monkeypatch, tree)
    with pytest.raises(CollectorError, match="folder not readable: Permission denied"):
        walk(str(tree))


# --------------------------------------------------------------------------- display paths


@pytest.mark.parametrize(("rel", "shown"), [
    (".env", ".env"),
    ("a/b/.env", "a/b/.env"),
    ("..env", "..env"),          # starts with "..", but lies under the root
    ("...env", "...env"),
])
def test_display_path_under_the_root(tree: Path, rel: str, shown: str) -> None:
    assert display_path(str(tree / rel), str(tree)) == shown


def test_display_path_outside_the_root(tree: Path, tmp_path: Path) -> None:
    outside = str(tmp_path / "elsewhere" / ".env")
    assert display_path(outside, str(tree)) == outside
    assert display_path(str(tmp_path), str(tree)) == str(tmp_path)


def test_a_file_named_dotdot_env_is_shown_relative(tree: Path) -> None:
    write(tree, "..env")
    facts = [f for f in DotenvFilesCollector().collect(options(tree)) if isinstance(f, DotenvFile)]
    assert [f.path for f in facts] == ["..env"]


@pytest.mark.parametrize(("name", "shown"), [
    (".env", ".env"),
    ("caf\u00e9.env", "caf\u00e9.env"),            # printable non-ASCII stays
    ("caf\udce9.env", "caf\\xe9.env"),             # an undecodable byte (os.fsdecode)
    ("new\nline.env", "new\\nline.env"),           # cannot break a report's lines
    ("tab\t.env", "tab\\t.env"),
    ("\u200b.env", "\\u200b.env"),                 # an invisible character shows
    ("red\x1b[31m.env", "red\\x1b[31m.env"),       # no terminal escapes
])
def test_printable(name: str, shown: str) -> None:
    assert printable(name) == shown


def test_odd_file_names_are_found_and_shown_printable(tree: Path) -> None:
    (tree / os.fsdecode(b"caf\xe9.env")).write_text("A=1\n")
    (tree / "new\nline.env").write_text("A=1\n")
    (tree / "sub\x1b").mkdir()
    (tree / "sub\x1b" / ".env").symlink_to("gone\n")
    facts = list(DotenvFilesCollector().collect(options(tree)))
    paths = sorted(f.path or "" for f in facts if isinstance(f, (DotenvFile, Skip)))
    assert paths == ["caf\\xe9.env", "new\\nline.env", "sub\\x1b/.env"]
    skip = [f for f in facts if isinstance(f, Skip)]
    assert [s.reason for s in skip] == ["dangling symlink to gone\\n"]
    files = {f.path: f for f in facts if isinstance(f, DotenvFile)}
    assert files["caf\\xe9.env"].abspath == str(tree / os.fsdecode(b"caf\xe9.env"))
