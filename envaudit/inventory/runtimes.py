"""The runtime versions a project runs on or names: the ``node`` on the app's PATH (read from
the headers installed beside it, else asked once with a time limit), ``.nvmrc``,
``.node-version`` and ``.python-version`` files, and a Dockerfile's final ``FROM python:…`` /
``FROM node:…``. Never raises: what cannot be read is a reason string."""

from __future__ import annotations

import os

from envaudit.lazyre import lazy

#: How long ``node --version`` may take.
NODE_SECONDS = 3.0
#: The version files read, with the runtime they name.
VERSION_FILES = ((".nvmrc", "node"), (".node-version", "node"), (".python-version", "python"))

_NODE_HEADER = lazy(rb"#define\s+NODE_(MAJOR|MINOR|PATCH)_VERSION\s+(\d+)")
_VERSION = lazy(r"v?(\d+(?:\.\d+){0,2})(?![\w.])")
_IMAGE = lazy(r"(?:[\w.-]+(?::\d+)?/)*(python|node|pypy)(?::([\w.-]+))?(?:@\S+)?$")
_TAG_VERSION = lazy(r"(\d+(?:\.\d+){0,2})")


def node_version(node: str) -> tuple[str, str] | str:
    """``(version, how it was learnt)`` of a ``node`` binary: ``<prefix>/include/node/
    node_version.h`` beside it (official builds, nvm, Debian's with its headers), else one run of
    ``node --version`` bounded by ``NODE_SECONDS``; a reason when neither answers."""
    prefix = os.path.dirname(os.path.dirname(os.path.realpath(node)))
    try:
        with open(os.path.join(prefix, "include", "node", "node_version.h"), "rb") as fh:
            parts = dict(_NODE_HEADER.findall(fh.read(64 * 1024)))
        if {b"MAJOR", b"MINOR", b"PATCH"} <= parts.keys():
            return (f"{int(parts[b'MAJOR'])}.{int(parts[b'MINOR'])}.{int(parts[b'PATCH'])}",
                    "node_version.h")
    except OSError:
        pass
    import subprocess

    try:
        proc = subprocess.run([node, "--version"], capture_output=True, timeout=NODE_SECONDS,
                              check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return f"did not answer within {NODE_SECONDS:g} s"
    except OSError as exc:
        return f"cannot be run ({exc.strerror or type(exc).__name__})"
    m = _VERSION.fullmatch(proc.stdout.decode("ascii", "replace").strip())
    if proc.returncode != 0 or m is None:
        return "did not say its version"
    return m.group(1), "node --version"


def version_file(data: bytes) -> str | None:
    """The version a ``.nvmrc`` / ``.node-version`` / ``.python-version`` names (its first
    word, ``v`` dropped): ``None`` for an alias (``lts/iron``, ``node``, ``system``) or garbage."""
    words = data[:4096].decode("utf-8", "replace").split()
    if not words:
        return None
    m = _VERSION.fullmatch(words[0])
    return m.group(1) if m is not None else None


def dockerfile_runtime(text: str) -> tuple[str, str, str, int] | None:
    """``(kind, version, image as written, line)`` of the image a Dockerfile's final stage runs
    (``FROM python:3.9-slim``, ``FROM node:18-alpine``; a stage named earlier is followed to its
    image): ``None`` when it is another image, has no version tag, or uses an ``ARG``."""
    stages: dict[str, tuple[str, int]] = {}
    last: tuple[str, int] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        words = raw.split()
        if not words or words[0].upper() != "FROM":
            continue
        words = [w for w in words[1:] if not w.startswith("--")]
        if not words:
            continue
        image = words[0]
        if image.lower() in stages:
            image, number = stages[image.lower()]
        if len(words) >= 3 and words[1].upper() == "AS":
            stages[words[2].lower()] = (image, number)
        last = (image, number)
    if last is None or "$" in last[0]:
        return None
    m = _IMAGE.fullmatch(last[0])
    if m is None or m.group(1) == "pypy" or not m.group(2):
        return None
    found = _TAG_VERSION.match(m.group(2))  # 3.9-slim, 18.20-alpine; not lts, latest
    if found is None:
        return None
    return m.group(1), found.group(1), last[0], last[1]
