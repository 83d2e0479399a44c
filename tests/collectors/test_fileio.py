"""``envaudit.collectors.fileio.read_regular``: bounded reads that never block and never open a
device, including when the walk already saw a regular file (``seen_regular``) and the file was
swapped since."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from envaudit.collectors.fileio import FIFO, NotRegularFile, read_regular


@pytest.mark.parametrize("seen_regular", [False, True])
def test_reads_a_regular_file(tmp_path: Path, seen_regular: bool) -> None:
    path = tmp_path / ".env"
    path.write_bytes(b"A=1\n")
    st, data = read_regular(str(path), 100, seen_regular=seen_regular)
    assert data == b"A=1\n" and st.st_size == 4


@pytest.mark.parametrize("seen_regular", [False, True])
def test_a_file_over_the_limit_is_not_read(tmp_path: Path, seen_regular: bool) -> None:
    path = tmp_path / ".env"
    path.write_bytes(b"A=1\n" * 10)
    assert read_regular(str(path), 39, seen_regular=seen_regular)[1] is None


@pytest.mark.parametrize("seen_regular", [False, True])
def test_a_fifo_is_never_read(tmp_path: Path, seen_regular: bool) -> None:
    # With seen_regular the FIFO (swapped in after the listing) is opened without blocking,
    # then refused by fstat.
    path = tmp_path / ".env"
    os.mkfifo(path)
    with pytest.raises(NotRegularFile) as err:
        read_regular(str(path), 100, seen_regular=seen_regular)
    assert err.value.kind == FIFO


def test_a_file_swapped_for_a_symlink_is_read_the_careful_way(tmp_path: Path) -> None:
    target = tmp_path / "real.env"
    target.write_bytes(b"B=2\n")
    link = tmp_path / ".env"
    link.symlink_to(target)
    assert read_regular(str(link), 100, seen_regular=True)[1] == b"B=2\n"
    (tmp_path / "dir").mkdir()
    link.unlink()
    link.symlink_to(tmp_path / "dir")
    with pytest.raises(NotRegularFile):
        read_regular(str(link), 100, seen_regular=True)
