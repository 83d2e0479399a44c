"""``envaudit.collectors.dotenv_files``: each file read as python-dotenv and docker read it,
which loaders use it, explicit files, interpolation sources, byte-level issues, and the files
that cannot be read (each a ``Skip`` with a reason, never an exception, never a hang)."""

from __future__ import annotations

import codecs
import errno
import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loaders.test_python_dotenv import dotenv_files as dotenv_bytes

from envaudit.collectors import fileio
from envaudit.collectors.base import CollectOptions, ComposeRead
from envaudit.collectors.dotenv_files import (
    MAX_FILE_BYTES,
    DotenvFilesCollector,
    encoding_issues,
    loaders_for,
    read_contents,
    read_file,
    read_generic,
    read_python_dotenv,
)
from envaudit.loaders import BUILT_IN, LOADERS, reader
from envaudit.loaders.docker_env_file import MAX_LINE_BYTES
from envaudit.model import (
    COMPOSE,
    DOCKER_ENV_FILE,
    NEXTJS,
    PYTHON_DOTENV,
    DotenvFile,
    FileReading,
    Location,
    Skip,
)

from .helpers import options, write

BOTH = (PYTHON_DOTENV, DOCKER_ENV_FILE)


def collect(opts: CollectOptions) -> list[DotenvFile | Skip]:
    facts = list(DotenvFilesCollector().collect(opts))
    assert all(isinstance(f, (DotenvFile, Skip)) for f in facts)
    return facts  # type: ignore[return-value]


def files(opts: CollectOptions) -> dict[str, DotenvFile]:
    return {f.path: f for f in collect(opts) if isinstance(f, DotenvFile)}


def values(reading: FileReading | None) -> list[tuple[str, str | None]]:
    assert reading is not None
    return [(d.name, d.value) for d in reading.definitions]


def one(fact: object) -> DotenvFile:
    assert isinstance(fact, DotenvFile), fact
    return fact


# --------------------------------------------------------------------------- readings


def test_a_dotenv_file_is_read_by_python_dotenv(tree: Path) -> None:
    write(tree, ".env", "A='quoted'\nexport B=2\nC=x # note\n")
    f = files(options(tree))[".env"]
    assert [r.loader for r in f.readings] == [PYTHON_DOTENV]
    py = f.reading(PYTHON_DOTENV)
    assert py is not None and py.status == "ok"
    assert values(py) == [("A", "quoted"), ("B", "2"), ("C", "x")]
    assert [d.location.line for d in py.definitions] == [1, 2, 3]
    assert {d.location.path for d in py.definitions} == {".env"}
    assert {d.loader for d in py.definitions} == {PYTHON_DOTENV}


def test_a_file_docker_reads_gets_both_readings(tree: Path) -> None:
    write(tree, "app.env", "A='quoted'\nexport B=2\nC=x # note\n")
    f = files(options(tree))["app.env"]
    assert [r.loader for r in f.readings] == [PYTHON_DOTENV, DOCKER_ENV_FILE]
    docker = f.reading(DOCKER_ENV_FILE)
    assert docker is not None and docker.status == "file-rejected"
    assert docker.error_line == 2 and docker.definitions == ()
    assert docker.error and "white space" in docker.error


@pytest.mark.parametrize(("content", "line", "end_line", "lost"), [
    ('A=1\nB="open\nC=3\nD="4"\nE=5\n', 2, 4, ("B", "C", "D")),  # the quote swallows C
    ("A=1\nB: x\nC=3\n", 2, 2, ()),                         # docker refuses "B: x": unknown
    ('A=1\nB="x" junk\nC=3\n', 2, 2, ("B",)),                # one line lost
])
def test_a_dropped_statement_names_what_is_lost(
    tree: Path, content: str, line: int, end_line: int, lost: tuple[str, ...]
) -> None:
    write(tree, ".env", content)
    py = files(options(tree, all_variables=False))[".env"].reading(PYTHON_DOTENV)
    assert py is not None and len(py.dropped) == 1
    dropped = py.dropped[0]
    assert (dropped.line, dropped.lost_keys) == (line, lost)
    assert dropped.end_line == (end_line if lost else line)


def test_docker_reads_values_verbatim(tree: Path) -> None:
    write(tree, "app.env", "A='quoted'\nC=x # note\nD= v\n")
    f = files(options(tree))["app.env"]
    docker = f.reading(DOCKER_ENV_FILE)
    assert docker is not None and docker.status == "ok"
    assert values(docker) == [("A", "'quoted'"), ("C", "x # note"), ("D", " v")]
    assert {d.loader for d in docker.definitions} == {DOCKER_ENV_FILE}
    assert values(f.reading(PYTHON_DOTENV)) == [("A", "quoted"), ("C", "x"), ("D", "v")]


def test_python_dotenv_dropped_statements_are_recorded(tree: Path) -> None:
    write(tree, ".env", 'GOOD=1\nBAD="open\nKEY: value\n')
    py = files(options(tree))[".env"].reading(PYTHON_DOTENV)
    assert py is not None and py.status == "ok"
    assert values(py) == [("GOOD", "1")]
    assert [d.line for d in py.dropped] == [2, 3]   # as python-dotenv's two warnings
    assert "closing double quote" in py.dropped[0].reason


def test_python_dotenv_rejects_a_file_it_cannot_decode(tree: Path) -> None:
    write(tree, "app.env", b"A=1\nB=caf\xe9\n")
    f = files(options(tree))["app.env"]
    py = f.reading(PYTHON_DOTENV)
    assert py is not None and py.status == "file-rejected" and py.error_line == 2
    assert py.error and "UnicodeDecodeError" in py.error
    docker = f.reading(DOCKER_ENV_FILE)
    assert docker is not None and docker.status == "file-rejected" and docker.error_line == 2


def test_file_metadata(tree: Path) -> None:
    path = write(tree, "sub/.env.local", "A=1\n")
    path.chmod(0o640)
    f = files(options(tree))["sub/.env.local"]
    assert f.abspath == str(path)
    assert f.origin == "discovered" and f.role == "env"
    assert f.size == 4 and f.mode == 0o640
    assert f.symlink_target is None and f.issues == ()


# --------------------------------------------------------------------------- loaders_for


@pytest.mark.parametrize(("name", "origin", "chosen", "expected"), [
    (".env", "discovered", None, (PYTHON_DOTENV,)),
    (".env.local", "discovered", None, (PYTHON_DOTENV,)),
    (".env.production", "discovered", None, (PYTHON_DOTENV,)),
    (".env.example", "discovered", None, (PYTHON_DOTENV,)),
    ("docker.env", "discovered", None, BOTH),          # NAME.env: docker --env-file style
    ("prod.env", "discovered", None, BOTH),
    (".env", "explicit", None, BOTH),                  # named with --env-file
    ("settings", "explicit", None, BOTH),
    (".env", "config", None, BOTH),                    # env-files in [tool.envaudit]
    (".env", "discovered", (DOCKER_ENV_FILE,), (DOCKER_ENV_FILE,)),   # --loader wins
    ("prod.env", "discovered", (PYTHON_DOTENV,), (PYTHON_DOTENV,)),
    ("x", "explicit", BOTH, BOTH),
])
def test_loaders_for(name: str, origin: str, chosen: tuple[str, ...] | None,
                     expected: tuple[str, ...]) -> None:
    assert loaders_for(name, origin, CollectOptions(root="/p", loaders=chosen)) == expected


@pytest.mark.parametrize(("name", "origin", "named", "expected"), [
    (".env", "discovered", True, (PYTHON_DOTENV, COMPOSE)),   # an env_file entry names it
    (".env", "discovered", False, (PYTHON_DOTENV,)),          # compose reads no other file
    ("docker.env", "discovered", True, (PYTHON_DOTENV, COMPOSE, DOCKER_ENV_FILE)),
    ("app.vars", "compose", True, (COMPOSE,)),                # only compose reads it
    ("prod.env", "explicit", False, (PYTHON_DOTENV, COMPOSE, DOCKER_ENV_FILE)),
])
def test_loaders_for_compose(name: str, origin: str, named: bool,
                             expected: tuple[str, ...]) -> None:
    opts = CollectOptions(root="/p", loaders_in_use=(PYTHON_DOTENV, COMPOSE))
    assert loaders_for(name, origin, opts, compose=named) == expected


@pytest.mark.parametrize(("name", "folder", "folders", "expected"), [
    (".env.local", "apps/web", {NEXTJS: frozenset({"apps/web"})}, (PYTHON_DOTENV, NEXTJS)),
    (".env", "apps/web", {NEXTJS: frozenset({"apps/web"})}, (PYTHON_DOTENV, NEXTJS)),
    (".env.local", "apps/api", {NEXTJS: frozenset({"apps/web"})}, (PYTHON_DOTENV,)),
    (".env.local", "", {NEXTJS: frozenset({"apps/web"})}, (PYTHON_DOTENV,)),  # not the root's
    (".env.example", "apps/web", {NEXTJS: frozenset({"apps/web"})}, (PYTHON_DOTENV,)),
    (".env.local", "", None, (PYTHON_DOTENV, NEXTJS)),      # code not analysed: the root's
    (".env.local", "apps/web", None, (PYTHON_DOTENV,)),
])
def test_loaders_for_a_framework_reads_its_workspace_s_files(
        name: str, folder: str, folders: dict[str, frozenset[str]] | None,
        expected: tuple[str, ...]) -> None:
    """Next.js (Vite, dotenv-flow) reads the ``.env`` family of the folder whose package.json
    declares it (``CollectOptions.convention_folders``), whichever workspace that is."""
    opts = CollectOptions(root="/p", loaders_in_use=(PYTHON_DOTENV, NEXTJS),
                          convention_folders=folders)
    assert loaders_for(name, "discovered", opts, folder=folder) == expected


def test_format_raw_is_read_whole(tree: Path) -> None:
    """A file compose reads with format: raw (docker's rules, which refuse a whole file for a
    line python-dotenv reads) is never read as a subset of its kept lines."""
    data = b"export OTHER=1\nANTHROPIC_MODEL='x'\n"
    location = Location("dotenv", "app.env")
    keep = {"ANTHROPIC_MODEL"}.__and__
    _, _, subset, _ = read_python_dotenv(data, {}, location, keep)
    assert subset is not None
    raw = ComposeRead("compose.yaml:3 (service a)", raw=True)
    reading = read_generic(COMPOSE, data, {}, location, keep, subset, raw)
    assert reading is not None and reading.status == "file-rejected"
    plain = read_generic(COMPOSE, data, {}, location, keep, subset,
                         ComposeRead("compose.yaml:3 (service a)"))
    assert plain is not None and values(plain) == [("ANTHROPIC_MODEL", "x")]


def test_loaders_reach_the_collected_files(tree: Path) -> None:
    write(tree, ".env")
    write(tree, "docker.env")
    extra = write(tree, "deploy/settings", "A=1\n")
    got = files(options(tree, env_files=(str(extra),)))
    assert {p: f.loaders for p, f in got.items()} == {
        ".env": (PYTHON_DOTENV,), "docker.env": BOTH, "deploy/settings": BOTH}
    assert got["deploy/settings"].origin == "explicit"


# --------------------------------------------------------------------------- explicit files


def test_explicit_file_under_the_root_is_read_once_as_explicit(tree: Path) -> None:
    env = write(tree, ".env", "A=1\n")
    write(tree, ".env.local", "B=2\n")
    facts = collect(options(tree, env_files=(str(env),)))
    assert [(one(f).path, one(f).origin) for f in facts] == [
        (".env.local", "discovered"), (".env", "explicit")]


def test_explicit_file_named_twice_is_read_once(tree: Path) -> None:
    env = write(tree, "prod.env", "A=1\n")
    facts = collect(options(tree, env_files=(str(env), str(env))))
    assert [(one(f).path, one(f).origin) for f in facts] == [("prod.env", "explicit")]


def test_explicit_file_through_a_symlink_dedups_the_discovered_target(
        tree: Path, tmp_path: Path) -> None:
    env = write(tree, "deploy/prod.env", "A=1\n")
    link = tmp_path / "prod-link.env"
    link.symlink_to(env)
    facts = collect(options(tree, env_files=(str(link),)))
    assert [(one(f).path, one(f).origin, one(f).symlink_target) for f in facts] == [
        (str(link), "explicit", str(env))]


def test_a_discovered_symlink_stays_beside_its_explicit_target(tree: Path) -> None:
    target = write(tree, "prod.env", "A=1\n")
    (tree / ".env").symlink_to("prod.env")
    facts = collect(options(tree, env_files=(str(target),)))
    assert [(one(f).path, one(f).origin) for f in facts] == [
        (".env", "discovered"), ("prod.env", "explicit")]


def test_explicit_file_outside_the_root_keeps_its_absolute_path(
        tree: Path, tmp_path: Path) -> None:
    outside = write(tmp_path, "ci/prod.env", "A=1\n")
    f = one(collect(options(tree, env_files=(str(outside),)))[-1])
    assert f.path == str(outside) and f.origin == "explicit" and f.loaders == BOTH


def test_explicit_files_come_last_in_the_order_given(tree: Path) -> None:
    write(tree, ".env")
    a = write(tree, "b.txt")
    b = write(tree, "a.txt")
    facts = collect(options(tree, env_files=(str(a), str(b))))
    assert [one(f).path for f in facts] == [".env", "b.txt", "a.txt"]


# --------------------------------------------------------------------------- interpolation


def test_interpolation_uses_the_process_environment_when_collected(tree: Path) -> None:
    write(tree, "app.env", "URL=${HOST_FROM_ENV}/v1\nBARE\n")
    environ = {"HOST_FROM_ENV": "https://proxy.example", "BARE": "from-cli"}
    f = files(options(tree, environ=environ, process_env=True))["app.env"]
    assert values(f.reading(PYTHON_DOTENV)) == [("URL", "https://proxy.example/v1"),
                                                ("BARE", None)]
    # docker: no interpolation; a bare key takes the docker CLI's environment
    assert values(f.reading(DOCKER_ENV_FILE)) == [("URL", "${HOST_FROM_ENV}/v1"),
                                                  ("BARE", "from-cli")]


def test_interpolation_ignores_the_process_environment_when_not_collected(tree: Path) -> None:
    write(tree, "app.env", "URL=${HOST_FROM_ENV}/v1\nBARE\n")
    environ = {"HOST_FROM_ENV": "https://proxy.example", "BARE": "from-cli"}
    f = files(options(tree, environ=environ, process_env=False))["app.env"]
    assert values(f.reading(PYTHON_DOTENV)) == [("URL", "/v1"), ("BARE", None)]
    assert values(f.reading(DOCKER_ENV_FILE)) == [("URL", "${HOST_FROM_ENV}/v1")]


def test_interpolation_prefers_the_files_own_earlier_keys(tree: Path) -> None:
    write(tree, ".env", "HOST=file\nURL=${HOST}/x\n")
    f = files(options(tree, environ={"HOST": "process"}))[".env"]
    assert values(f.reading(PYTHON_DOTENV)) == [("HOST", "file"), ("URL", "file/x")]


# --------------------------------------------------------------------------- encoding issues


def kinds(data: bytes) -> list[tuple[str, int | None]]:
    return [(i.kind, i.line) for i in encoding_issues(data)]


TEXT = "ANTHROPIC_API_KEY=sk-ant-api03-xyz\nANTHROPIC_MODEL=claude\n"


@pytest.mark.parametrize("data", [
    codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
    codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
    TEXT.encode("utf-16-le"),                          # no BOM
    TEXT.encode("utf-16-be"),
    TEXT.encode("utf-16"),                             # native order, with BOM
    "CLÉ=valeur\nĀ=1\n".encode("utf-16-le"),           # a few non-ASCII characters
], ids=["le-bom", "be-bom", "le", "be", "native", "le-latin"])
def test_utf16(data: bytes) -> None:
    assert kinds(data) == [("utf-16", 1)]


def test_utf16_says_which_byte_order() -> None:
    assert "UTF-16 LE" in encoding_issues(TEXT.encode("utf-16-le"))[0].detail
    assert "PowerShell" in encoding_issues(TEXT.encode("utf-16-le"))[0].detail
    assert "UTF-16 BE" in encoding_issues(TEXT.encode("utf-16-be"))[0].detail


def test_invalid_utf8_points_at_its_line() -> None:
    data = b"A=1\nB=2\nC=caf\xe9\nD=\xff\n"
    issues = encoding_issues(data)
    assert [(i.kind, i.line) for i in issues] == [("invalid-utf-8", 3)]
    assert "0xe9" in issues[0].detail


def test_binary() -> None:
    data = bytes(range(256)) * 8
    issues = encoding_issues(data)
    assert [(i.kind, i.line) for i in issues] == [("binary", None)]


def test_binary_that_looks_like_a_png() -> None:
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(200)) * 3
    assert kinds(data) == [("binary", None)]


def test_nul_points_at_its_line() -> None:
    assert kinds(b"A=1\nB=x\x00y\nC=3\n") == [("nul", 2)]


def test_invalid_utf8_and_nul_are_both_reported() -> None:
    assert kinds(b"A=\xe9\nB=\x00\n") == [("invalid-utf-8", 1), ("nul", 2)]


def test_long_line_points_at_its_line() -> None:
    data = b"A=1\nB=" + b"x" * 70_000 + b"\nC=3\n"
    issues = encoding_issues(data)
    assert [(i.kind, i.line) for i in issues] == [("long-line", 2)]
    assert "70,002 bytes" in issues[0].detail


@pytest.mark.parametrize(("length", "reported"), [
    (MAX_LINE_BYTES - 1, False), (MAX_LINE_BYTES, True)])
def test_long_line_limit_is_docker_s(length: int, reported: bool) -> None:
    line = b"K=" + b"v" * (length - 2)
    assert len(line) == length
    assert kinds(line + b"\n") == ([("long-line", 1)] if reported else [])
    assert kinds(b"A=1\r\n" + line) == ([("long-line", 2)] if reported else [])  # last line


def test_only_the_first_long_line_is_reported() -> None:
    big = b"K=" + b"v" * MAX_LINE_BYTES
    assert kinds(b"\n".join([b"A=1", big, b"B=2", big])) == [("long-line", 2)]


@pytest.mark.parametrize("data", [
    b"", b"\n", TEXT.encode(), "CLÉ=valeur\nEMOJI=\U0001f600\n".encode(),
    b"\xef\xbb\xbfA=1\r\nB=2\r\n", b"A=1\rB=2\r", b"TAB=\t\x0b\x0c\n",
    ("K=" + "v" * 60_000 + "\n").encode() * 3,
], ids=["empty", "newline", "ascii", "utf8", "bom-crlf", "cr", "controls", "long-but-under"])
def test_clean_files_have_no_issues(data: bytes) -> None:
    assert kinds(data) == []


def test_issues_reach_the_collected_file(tree: Path) -> None:
    write(tree, ".env", TEXT.encode("utf-16"))
    f = files(options(tree))[".env"]
    assert [i.kind for i in f.issues] == ["utf-16"]
    py = f.reading(PYTHON_DOTENV)
    assert py is not None and py.status == "file-rejected"


# --------------------------------------------------------------------------- size


def test_a_file_over_the_limit_is_not_read(tree: Path) -> None:
    with open(tree / ".env", "wb") as fh:   # sparse: no disk used
        fh.truncate(MAX_FILE_BYTES + 1)
    f = files(options(tree))[".env"]
    assert [(i.kind, i.line) for i in f.issues] == [("too-large", None)]
    assert f.readings == () and f.size == MAX_FILE_BYTES + 1
    assert "MiB" in f.issues[0].detail


def test_a_file_at_the_limit_is_read(tree: Path) -> None:
    line = b"K=" + b"v" * 1021 + b"\n"   # 1 KiB lines
    write(tree, "app.env", line * (MAX_FILE_BYTES // len(line)))
    f = files(options(tree))["app.env"]
    assert f.issues == () and len(f.readings) == 2


def test_limit_is_a_few_mib_at_most() -> None:
    # Bounded memory: the scan of a large tree must stay under 40 MiB of RSS.
    assert 64 * 1024 <= MAX_FILE_BYTES <= 4 * 1024 * 1024


def test_read_regular_stops_at_the_limit_when_the_file_grows(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tree, ".env", b"A=1\n" * 100)
    real_fstat = os.fstat

    def shrunk_fstat(fd: int) -> os.stat_result:  # the file grew after fstat()
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, *st[1:6], 4, *st[7:]))

    monkeypatch.setattr(os, "fstat", shrunk_fstat)
    assert fileio.read_regular(str(path), 40)[1] is None
    assert fileio.read_regular(str(path), 400)[1] == b"A=1\n" * 100


# --------------------------------------------------------------------------- unreadable files


def skip_of(fact: object) -> Skip:
    assert isinstance(fact, Skip), fact
    assert fact.source == "dotenv"
    return fact


def test_fifo_is_skipped_without_blocking(tree: Path, no_hang: None) -> None:
    os.mkfifo(tree / ".env")
    write(tree, ".env.local", "A=1\n")
    facts = collect(options(tree))
    assert skip_of(facts[0]).path == ".env" and "FIFO" in facts[0].reason  # type: ignore[union-attr]
    assert one(facts[1]).path == ".env.local"


def test_fifo_given_with_env_file_is_skipped_without_blocking(tree: Path, no_hang: None) -> None:
    fifo = tree / "pipe"
    os.mkfifo(fifo)
    facts = collect(options(tree, env_files=(str(fifo),)))
    assert [(skip_of(f).path, "FIFO" in skip_of(f).reason) for f in facts] == [("pipe", True)]


def test_fifo_swapped_in_after_the_stat_is_not_read(
        tree: Path, monkeypatch: pytest.MonkeyPatch, no_hang: None) -> None:
    fifo = tree / ".env"
    os.mkfifo(fifo)
    regular = write(tree, "regular", "A=1\n")
    real_stat = os.stat
    monkeypatch.setattr(os, "stat", lambda p, *a, **k: real_stat(regular))
    with pytest.raises(fileio.NotRegularFile, match="FIFO"):
        fileio.read_regular(str(fifo), MAX_FILE_BYTES)   # O_NONBLOCK: open() returns at once
    fact = read_file(str(fifo), "discovered", options(tree), {})
    assert "FIFO" in skip_of(fact).reason


def test_a_folder_given_with_env_file_is_skipped(tree: Path) -> None:
    (tree / "conf").mkdir()
    facts = collect(options(tree, env_files=(str(tree / "conf"),)))
    assert [(skip_of(f).path, skip_of(f).reason) for f in facts] == [
        ("conf", "a folder, not a file: not read")]


def test_a_device_is_not_opened(tree: Path) -> None:
    device = "/dev/zero"
    if not os.path.exists(device) or not stat.S_ISCHR(os.stat(device).st_mode):
        pytest.skip(f"{device} is not a character device here")
    (tree / ".env").symlink_to(device)
    fact = skip_of(collect(options(tree))[0])
    assert fact.reason == f"a device, not a file: not read (symlink to {device})"


def test_dangling_symlink(tree: Path) -> None:
    (tree / ".env").symlink_to("missing.env")
    assert [(skip_of(f).path, skip_of(f).reason) for f in collect(options(tree))] == [
        (".env", "dangling symlink to missing.env")]


def test_symlink_loop(tree: Path) -> None:
    (tree / ".env").symlink_to(".env")
    (tree / "a.env").symlink_to("b.env")
    (tree / "b.env").symlink_to("a.env")
    write(tree, ".env.local")
    facts = collect(options(tree))
    assert [(f.path, f.reason if isinstance(f, Skip) else "read") for f in facts] == [
        (".env", "symlink loop"), (".env.local", "read"), ("a.env", "symlink loop"),
        ("b.env", "symlink loop")]


def test_a_file_that_vanishes_after_discovery(tree: Path) -> None:
    path = write(tree, ".env")
    path.unlink()
    fact = read_file(str(path), "discovered", options(tree), {})
    assert skip_of(fact).reason == "vanished before it could be read"


def test_a_missing_explicit_file(tree: Path) -> None:
    facts = collect(options(tree, env_files=(str(tree / "nope.env"),)))
    assert [(skip_of(f).path, skip_of(f).reason) for f in facts] == [("nope.env", "no such file")]


def test_an_unreadable_file_is_a_skip(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = write(tree, ".env", "A=1\n")
    write(tree, ".env.local", "B=2\n")
    real_open = os.open

    def refusing_open(path: str, flags: int, *args: int) -> int:
        if path == str(locked):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refusing_open)
    facts = collect(options(tree))
    assert skip_of(facts[0]) == Skip("dotenv", "not readable: Permission denied", path=".env")
    assert values(one(facts[1]).reading(PYTHON_DOTENV)) == [("B", "2")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file (see test_bad_input)")
def test_an_unreadable_file_for_real(tree: Path) -> None:  # pragma: no cover - non-root only
    locked = write(tree, ".env", "A=1\n")
    locked.chmod(0)
    try:
        fact = skip_of(collect(options(tree))[0])
    finally:
        locked.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert fact.reason == "not readable: Permission denied"


# --------------------------------------------------------------------------- subsets

_GENERIC = [ld for ld in LOADERS if ld not in BUILT_IN and reader(ld) is not None]


@pytest.mark.skipif(not _GENERIC, reason="no loader model besides python-dotenv and docker")
@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=dotenv_bytes(), pick=st.sets(st.sampled_from(["A", "B", "C", "KEY", "export"])))
def test_a_subset_reads_like_the_whole_file(data: bytes, pick: set[str]) -> None:
    """Reading only a simple file's kept statements gives every other loader the same
    assignments (values and original lines) as reading the whole file and filtering."""
    environ = {"A": "from_env", "EMPTY": ""}
    location = Location("dotenv", ".env")
    _, _, subset, _ = read_python_dotenv(data, environ, location, pick.__and__)
    if subset is None:
        return
    for loader in _GENERIC:
        whole = read_generic(loader, data, environ, location, pick.__and__)
        part = read_generic(loader, data, environ, location, pick.__and__, subset)
        assert whole is not None and part is not None
        assert part.status == whole.status, loader
        assert [(d.name, d.value, d.location.line) for d in part.definitions] == [
            (d.name, d.value, d.location.line) for d in whole.definitions], loader
    # read together, the loaders share work (dotenv-expand's reading may be node dotenv's)
    together, _ = read_contents(data, (PYTHON_DOTENV, *_GENERIC), environ, location,
                                pick.__and__)
    for reading in together[1:]:
        alone = read_generic(reading.loader, data, environ, location, pick.__and__)
        assert alone is not None
        assert (reading.status, reading.definitions) == (alone.status, alone.definitions), (
            reading.loader)


_KEYS = st.sampled_from(["A", "B", "C", "KEY", "export", "D_1"])
_VALUE = st.text(alphabet="ab #\t'\"=:é\\", max_size=8)
_SIMPLE = st.one_of(
    st.builds(lambda e, k, s, v: f"{e}{k}{s}={v}", st.sampled_from(["", "export ", "  "]), _KEYS,
              st.sampled_from(["", " ", "\t"]), _VALUE),
    st.builds(lambda k, q, v, c: f"{k}={q}{v}{q}{c}", _KEYS, st.sampled_from(["'", '"']),
              st.text(alphabet="ab #=é", max_size=6), st.sampled_from(["", " # c", "  "])),
    st.sampled_from(["", "# comment", "   ", "#A=1"]),
)


@pytest.mark.skipif(not _GENERIC, reason="no loader model besides python-dotenv and docker")
@settings(max_examples=300, deadline=None, database=None)
@given(lines=st.lists(_SIMPLE, max_size=8), pick=st.sets(_KEYS))
def test_a_simple_files_subset_reads_like_the_whole_file(lines: list[str], pick: set[str]) -> None:
    test_a_subset_reads_like_the_whole_file.hypothesis.inner_test(  # type: ignore[attr-defined]
        data="\n".join(lines).encode("utf-8"), pick=pick)
