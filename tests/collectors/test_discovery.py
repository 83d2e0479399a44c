"""``envaudit.collectors.discovery``: which files the walk finds, what it prunes, what it never
follows, and in which order, on real trees built in ``tmp_path``."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

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
