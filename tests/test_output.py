"""``envaudit.output``: the self-check before writing, atomic file writes, collected secrets."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from factories import API_KEY, make_file, make_snapshot

from envaudit import output
from envaudit.errors import LeakError, OutputError
from envaudit.output import atomic_write, collect_secrets, write_report
from envaudit.redact import SecretSet


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".envaudit-")]


def test_atomic_write_writes_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    atomic_write(str(target), "ü\n")
    assert target.read_bytes() == "ü\n".encode()
    assert _leftovers(tmp_path) == []


def test_atomic_write_gives_the_mode_open_would(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write(str(tmp_path / "new.txt"), "x")
        assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644
        existing = tmp_path / "existing.txt"
        existing.write_text("old")
        existing.chmod(0o640)
        atomic_write(str(existing), "new")
        assert stat.S_IMODE(existing.stat().st_mode) == 0o640
        assert existing.read_text() == "new"
    finally:
        os.umask(old)


@pytest.mark.parametrize("where", ["missing/report.json", "a-file/report.json"])
def test_atomic_write_into_an_impossible_folder_is_one_clear_error(tmp_path: Path,
                                                                   where: str) -> None:
    (tmp_path / "a-file").write_text("")
    with pytest.raises(OutputError) as err:
        atomic_write(str(tmp_path / where), "text")
    assert str(err.value).startswith(f"cannot write {tmp_path / where}: ")
    assert "\n" not in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_a_failed_rename_keeps_the_old_file_and_removes_the_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.txt"
    target.write_text("previous report")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "replace", refuse)
    with pytest.raises(OutputError, match="No space left on device"):
        atomic_write(str(target), "new report")
    assert target.read_text() == "previous report"
    assert _leftovers(tmp_path) == []


def test_dev_null_stays_a_device(tmp_path: Path) -> None:
    # Renaming a temporary file over /dev/null replaces the device with a file when run as
    # root: a device (or FIFO) is written in place.
    before = os.stat(os.devnull)
    atomic_write(os.devnull, "report\n")
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_a_fifo_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    atomic_write(str(fifo), "through the pipe\n")
    reader.join(timeout=10)
    assert got == [b"through the pipe\n"] and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert _leftovers(tmp_path) == []


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "reports" / "latest.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "report.json"
    link.symlink_to(real)
    atomic_write(str(link), "new")
    assert link.is_symlink() and real.read_text() == "new"
    assert _leftovers(real.parent) == []


def test_write_report_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    write_report("hello\n", None, SecretSet())
    write_report("dash\n", "-", SecretSet())
    assert capsys.readouterr().out == "hello\ndash\n"


def test_write_report_refuses_a_leak_before_writing_anything(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    secrets = SecretSet()
    secrets.add("ANTHROPIC_API_KEY", API_KEY)
    target = tmp_path / "r.txt"
    for where in (None, str(target)):
        with pytest.raises(LeakError) as err:
            write_report(f"key: {API_KEY}\n", where, secrets)
        assert API_KEY not in str(err.value)
    assert capsys.readouterr().out == ""
    assert not target.exists() and _leftovers(tmp_path) == []


def test_collect_secrets_reads_process_files_and_environ() -> None:
    snap = make_snapshot(
        [make_file(".env", {"DB_PASSWORD": "file-password-1", "ANTHROPIC_MODEL": "claude-x"}),
         make_file(".env.example", {"APP_TOKEN": "example-token-1"}, role="example")],
        {"ANTHROPIC_API_KEY": API_KEY, "HTTPS_PROXY": "http://u:proxy-pass-1@p:1",
         "PWD": "/project"},
    )
    secrets = collect_secrets(snap, {"OUTSIDE_SECRET": "environ-secret-1"})
    for value in (API_KEY, "file-password-1", "example-token-1", "proxy-pass-1",
                  "environ-secret-1"):
        assert value in secrets
    for value in ("claude-x", "/project"):
        assert value not in secrets
