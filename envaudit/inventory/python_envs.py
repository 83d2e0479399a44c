"""The distributions installed in a Python environment, read from disk.

An environment is a folder with ``pyvenv.cfg`` (a venv, virtualenv, uv or Poetry environment) or
the site-packages folders an interpreter reports. Its distributions are the ``*.dist-info``
folders (wheels: ``NAME-VERSION.dist-info/METADATA``), ``*.egg-info`` folders or files
(``PKG-INFO``) and ``*.egg-link`` files (``setup.py develop``) of its site-packages. Only the
distributions in ``RELEVANT`` have their metadata read (the header block, at most
:data:`MAX_METADATA_BYTES`); a folder name alone is never trusted for a version when METADATA
disagrees. Nothing is imported and nothing is run: a broken file is a problem string, never an
exception.
"""

from __future__ import annotations

import os
import re
import stat

from envaudit.record import Record

#: The distributions whose versions the rules and the effective configuration read (PEP 503
#: normalised names).
RELEVANT = frozenset((
    "anthropic", "httpx", "httpx2", "httpcore", "httpcore2", "socksio", "truststore", "certifi",
    "requests", "python-dotenv", "pydantic", "langchain-anthropic", "claude-agent-sdk", "openai",
    "anthropic-bedrock", "anthropic-vertex",
))
#: The most of a METADATA / PKG-INFO file read (the headers come first; a description may be
#: megabytes long).
MAX_METADATA_BYTES = 64 * 1024
_NORMALISE = re.compile(r"[-_.]+")
_RELEASE = re.compile(r"\s*v?(\d+(?:\.\d+)*)")


class Distribution(Record):
    """One installed distribution."""

    name: str
    """PEP 503 normalised name (``python-dotenv``)."""
    version: str | None
    """As METADATA says (``None``: it says none)."""
    path: str
    """The ``.dist-info`` / ``.egg-info`` / ``.egg-link`` path."""


class SiteReading(Record):
    """What one site-packages folder holds, as far as ``RELEVANT`` goes."""

    distributions: tuple[Distribution, ...]
    problems: tuple[tuple[str, str], ...] = ()
    """``(path, what is wrong)`` for each unreadable or broken record."""


def normalise(name: str) -> str:
    """PEP 503: runs of ``-``, ``_`` and ``.`` become ``-``, lower case."""
    return _NORMALISE.sub("-", name).lower()


def release(version: str | None) -> tuple[int, ...] | None:
    """The release numbers a version starts with (``0.39.0rc1`` -> ``(0, 39, 0)``), padded to
    three; ``None`` when it starts with none."""
    m = _RELEASE.match(version or "")
    if m is None:
        return None
    parts = tuple(int(p) for p in m.group(1).split("."))
    return parts + (0,) * (3 - len(parts))


def _headers(data: bytes) -> dict[str, str]:
    """The first value of each header of a METADATA / PKG-INFO text (RFC 822 style: until the
    first blank line; continuation lines ignored)."""
    out: dict[str, str] = {}
    for raw in data.decode("utf-8", "replace").splitlines():
        if not raw.strip():
            break
        if raw[:1] in (" ", "\t"):
            continue
        key, sep, value = raw.partition(":")
        if sep:
            out.setdefault(key.strip().lower(), value.strip())
    return out


def _read_head(path: str) -> bytes | str:
    """The first ``MAX_METADATA_BYTES`` of a regular file, or why it cannot be read (a FIFO or
    a device is never opened for reading: it could block)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return "not a regular file"
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return "not a regular file"
            return fh.read(MAX_METADATA_BYTES)
    except OSError as exc:
        return exc.strerror or type(exc).__name__


def _record(site: str, entry: str, wanted: frozenset[str]) -> Distribution | str | None:
    """The distribution a site-packages entry records (``None``: not one, or not wanted; a
    string: what is wrong with it)."""
    if entry.endswith(".dist-info"):
        stem, meta = entry[:-len(".dist-info")], "METADATA"
    elif entry.endswith(".egg-info"):
        stem, meta = entry[:-len(".egg-info")], "PKG-INFO"
    elif entry.endswith(".egg-link"):
        stem, meta = entry[:-len(".egg-link")], ""
    else:
        return None
    name = normalise(stem.split("-", 1)[0])
    if name not in wanted:
        return None
    path = os.path.join(site, entry)
    if not meta:  # an egg-link: a develop install, its metadata in the project it points at
        head = _read_head(path)
        if isinstance(head, str):
            return f"cannot read the egg-link ({head})"
        target = head.decode("utf-8", "replace").splitlines()[0].strip() if head.strip() else ""
        target = os.path.join(site, target) if target else ""
        if not target or not os.path.isdir(target):
            return "an egg-link to a folder that does not exist"
        infos = sorted(e for e in os.listdir(target) if e.endswith(".egg-info")
                       and normalise(e[:-len(".egg-info")].split("-", 1)[0]) == name)
        if not infos:
            return "an egg-link to a folder without its .egg-info"
        found = _record(target, infos[0], wanted)
        return found._replace(path=path) if isinstance(found, Distribution) else found
    meta_path = os.path.join(path, meta) if os.path.isdir(path) else path
    head = _read_head(meta_path)
    if isinstance(head, str):
        return f"cannot read its {meta} ({head})"
    headers = _headers(head)
    version = headers.get("version") or None
    if version is None:
        return f"its {meta} gives no Version"
    return Distribution(normalise(headers.get("name") or name), version, path)


def read_site(site: str, wanted: frozenset[str] = RELEVANT) -> SiteReading:
    """The ``wanted`` distributions of one site-packages folder; never raises."""
    try:
        entries = sorted(os.listdir(site))
    except OSError as exc:
        return SiteReading((), ((site, f"cannot list it ({exc.strerror or exc})"),))
    found: list[Distribution] = []
    problems: list[tuple[str, str]] = []
    for entry in entries:
        try:
            record = _record(site, entry, wanted)
        except (OSError, UnicodeError, IndexError) as exc:
            record = f"cannot read it ({type(exc).__name__})"
        if isinstance(record, str):
            problems.append((os.path.join(site, entry), record))
        elif record is not None:
            found.append(record)
    return SiteReading(tuple(found), tuple(problems))


def site_folders(env: str) -> list[str]:
    """The site-packages folders of a venv-style environment: ``lib/pythonX.Y/site-packages``
    (and ``lib64``), ``Lib/site-packages`` on Windows."""
    out: list[str] = []
    for lib in ("lib", "lib64"):
        try:
            names = sorted(os.listdir(os.path.join(env, lib)))
        except OSError:
            continue
        for name in names:
            site = os.path.join(env, lib, name, "site-packages")
            if name.startswith(("python", "pypy")) and os.path.isdir(site):
                if os.path.realpath(site) not in map(os.path.realpath, out):
                    out.append(site)
    windows = os.path.join(env, "Lib", "site-packages")
    if os.path.isdir(windows) and os.path.realpath(windows) not in map(os.path.realpath, out):
        out.append(windows)
    return out


def pyvenv_version(env: str) -> str | None:
    """The Python version ``pyvenv.cfg`` records (``version`` or ``version_info``)."""
    head = _read_head(os.path.join(env, "pyvenv.cfg"))
    if isinstance(head, str):
        return None
    for raw in head.decode("utf-8", "replace").splitlines():
        key, sep, value = raw.partition("=")
        if sep and key.strip().lower() in ("version", "version_info"):
            return value.strip() or None
    return None


_CONDA_PYTHON = re.compile(r"python-(\d+\.\d+(?:\.\d+)?)-")
_PATCHLEVEL = re.compile(rb'#define\s+PY_VERSION\s+"([^"]+)"')
_VERSIONED = re.compile(r"python(\d+\.\d+)$")


def conda_version(prefix: str) -> str | None:
    """The Python version of a conda prefix, from its ``conda-meta/python-X.Y.Z-BUILD.json``."""
    try:
        names = os.listdir(os.path.join(prefix, "conda-meta"))
    except OSError:
        return None
    for name in sorted(names):
        m = _CONDA_PYTHON.match(name)
        if m is not None and name.endswith(".json"):
            return m.group(1)
    return None


def static_layout(python: str) -> tuple[str, list[str]] | None:
    """``(version, site-packages folders)`` of an interpreter outside a venv, from the files
    around it, without running it: a binary ``<prefix>/bin/pythonX.Y`` (or ``python3`` beside
    exactly one ``<prefix>/lib/pythonX.Y/os.py``) has its packages in
    ``<prefix>/lib/pythonX.Y/site-packages`` (Debian's ``dist-packages`` for ``/usr``), and its
    full version in ``<prefix>/include/pythonX.Y/patchlevel.h`` when the headers are installed
    (else ``X.Y``). ``None`` for a script (a pyenv or asdf shim, a wrapper) or another layout:
    the caller then asks the interpreter."""
    real = os.path.realpath(python)
    head = _read_head(real)
    if isinstance(head, str) or head[:2] == b"#!":
        return None
    prefix = os.path.dirname(os.path.dirname(real))
    lib = os.path.join(prefix, "lib")
    m = _VERSIONED.search(os.path.basename(real))
    if m is not None:
        minor = m.group(1)
    else:
        try:
            stdlibs = [n[len("python"):] for n in os.listdir(lib) if _VERSIONED.match(n)
                       and os.path.isfile(os.path.join(lib, n, "os.py"))]
        except OSError:
            return None
        if len(stdlibs) != 1:
            return None
        minor = stdlibs[0]
    stdlib = os.path.join(lib, f"python{minor}")
    if not os.path.isfile(os.path.join(stdlib, "os.py")):
        return None
    version = minor
    level = _read_head(os.path.join(prefix, "include", f"python{minor}", "patchlevel.h"))
    if not isinstance(level, str) and (found := _PATCHLEVEL.search(level)) is not None:
        version = found.group(1).decode("ascii", "replace")
    sites = [os.path.join(stdlib, "site-packages")]
    if prefix == "/usr":  # Debian and Ubuntu: pip's and apt's folders
        sites = [f"/usr/local/lib/python{minor}/dist-packages", "/usr/lib/python3/dist-packages"]
    return version, [s for s in sites if os.path.isdir(s)]
