"""Reading a file that may be anything: never block on a FIFO, never read a device, never hold
more than a bounded number of bytes in memory."""

from __future__ import annotations

import os
import stat

#: ``open`` flags: ``O_NONBLOCK`` so that a FIFO swapped in after the ``stat`` cannot hang the
#: ``open`` (nor the ``read``); ``O_NOCTTY`` so that a terminal never becomes ours.
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


#: ``file_kind`` of a FIFO.
FIFO = "a FIFO (named pipe)"


class NotRegularFile(Exception):
    """The path names a folder, a FIFO, a socket or a device (``kind`` says which)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def file_kind(st_mode: int) -> str | None:
    """A word for what a non-regular file is, or ``None`` for a regular file."""
    if stat.S_ISREG(st_mode):
        return None
    if stat.S_ISDIR(st_mode):
        return "a folder"
    if stat.S_ISFIFO(st_mode):
        return FIFO
    if stat.S_ISSOCK(st_mode):
        return "a socket"
    if stat.S_ISCHR(st_mode) or stat.S_ISBLK(st_mode):
        return "a device"
    return "not a regular file"


def read_regular(
    path: str, limit: int, *, seen_regular: bool = False
) -> tuple[os.stat_result, bytes | None]:
    """``(stat, content)`` of the regular file at ``path`` (symlinks followed).

    The content is ``None`` when the file holds more than ``limit`` bytes: it is then not read
    (and never more than ``limit + 1`` bytes are, should it grow while being read). Raises
    ``NotRegularFile`` for anything else than a regular file, which is never opened (opening a
    device can have side effects, reading a FIFO blocks until a writer comes), and ``OSError``.

    ``seen_regular``: a directory listing just said ``path`` is a regular file, not a symlink;
    it is then opened without following symlinks and without a ``stat`` first (the ``fstat``
    after opening still checks it).
    """
    if seen_regular:
        try:
            fd = os.open(path, _OPEN_FLAGS | getattr(os, "O_NOFOLLOW", 0))
        except OSError:  # replaced since it was listed (by a symlink, say): the careful way
            return read_regular(path, limit)
    else:
        kind = file_kind(os.stat(path).st_mode)
        if kind is not None:
            raise NotRegularFile(kind)
        fd = os.open(path, _OPEN_FLAGS)
    try:
        st = os.fstat(fd)  # the file opened, which may not be the one stat()ed a moment ago
        kind = file_kind(st.st_mode)
        if kind is not None:
            raise NotRegularFile(kind)
        if st.st_size > limit:
            return st, None
        chunks: list[bytes] = []
        total = 0
        want = st.st_size + 1  # one more byte than expected: EOF, or the file grew
        while True:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                return st, None
            want = min(limit + 1 - total, 1 << 16)
    finally:
        os.close(fd)
    return st, chunks[0] if len(chunks) == 1 else b"".join(chunks)
