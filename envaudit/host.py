"""Facts about the machine envaudit runs on, for snapshots and bug-ticket reports: the OS, the
container it runs in (if any), the interpreter, envaudit's version and the time.

Each fact is read from a file or the ``os`` module, never by running a program: a snapshot
taken in a deploy container costs no more than a scan.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from envaudit import __version__
from envaudit.record import Record

#: ``/proc/1/cgroup`` (cgroup v1) and ``/proc/self/mountinfo`` words that name a container
#: runtime, in the order they are tried.
_CGROUP_WORDS = (("kubepods", "kubernetes"), ("docker", "docker"), ("libpod", "podman"),
                 ("containerd", "containerd"), ("lxc", "lxc"))


class Container(Record):
    """The container envaudit runs in."""

    kind: str
    """``docker``, ``podman``, ``kubernetes``, ``containerd``, ``lxc`` or ``container``."""
    evidence: str
    """What says so (``/.dockerenv exists``, ``KUBERNETES_SERVICE_HOST is set``)."""


class Host(Record):
    """The machine, as a snapshot records it."""

    system: str
    """``Linux 6.1.0`` (``uname`` system and release)."""
    machine: str
    """``x86_64``."""
    distribution: str | None
    """``/etc/os-release``'s ``PRETTY_NAME`` (``Debian GNU/Linux 12 (bookworm)``)."""
    hostname: str
    """The host name (a container's is its id)."""
    container: Container | None
    """The container envaudit runs in; ``None``: none detected."""
    python: str
    """envaudit's own interpreter (``3.11.7 (cpython)``); the app's are in the inventory."""
    envaudit: str
    """envaudit's version."""
    time: str
    """When the facts were taken, UTC, ISO 8601 to the second (``2026-12-06T17:51:01Z``)."""

    def to_json(self) -> dict[str, object]:
        """The snapshot's ``host`` object."""
        return {
            "system": self.system, "machine": self.machine,
            "distribution": self.distribution, "hostname": self.hostname,
            "container": (None if self.container is None else
                          {"kind": self.container.kind, "evidence": self.container.evidence}),
            "python": self.python, "envaudit": self.envaudit, "time": self.time,
        }


def _read(path: str, limit: int = 65536) -> str | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(limit).decode("utf-8", "replace")
    except OSError:
        return None


def distribution(root: str = "/") -> str | None:
    """``PRETTY_NAME`` of ``/etc/os-release`` (else ``/usr/lib/os-release``), unquoted."""
    for path in ("etc/os-release", "usr/lib/os-release"):
        text = _read(os.path.join(root, path))
        if text is None:
            continue
        for line in text.splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip() == "PRETTY_NAME":
                value = value.strip()
                if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                    value = value[1:-1]
                return value or None
        return None
    return None


def container(environ: Mapping[str, str], root: str = "/") -> Container | None:
    """The container runtime envaudit runs under, from its marks: ``/.dockerenv`` (docker),
    ``/run/.containerenv`` (podman), ``KUBERNETES_SERVICE_HOST`` (a pod), the ``container``
    variable (systemd's convention: podman, lxc, systemd-nspawn set it), then the cgroup of
    PID 1 (cgroup v1 names the runtime; v2 shows ``0::/``, which says nothing)."""
    if environ.get("KUBERNETES_SERVICE_HOST"):
        return Container("kubernetes", "KUBERNETES_SERVICE_HOST is set")
    if os.path.exists(os.path.join(root, ".dockerenv")):
        return Container("docker", "/.dockerenv exists")
    if os.path.exists(os.path.join(root, "run/.containerenv")):
        return Container("podman", "/run/.containerenv exists")
    named = environ.get("container")
    if named:
        return Container(named if named.isidentifier() else "container",
                         "the container variable is set")
    cgroup = _read(os.path.join(root, "proc/1/cgroup")) or ""
    for word, kind in _CGROUP_WORDS:
        if word in cgroup:
            return Container(kind, f"/proc/1/cgroup names {word}")
    return None


def _utc_now() -> str:
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def host_facts(environ: Mapping[str, str] | None = None, *, now: str | None = None) -> Host:
    """This machine's facts; ``now`` pins the time (tests, golden files)."""
    environ = os.environ if environ is None else environ
    if hasattr(os, "uname"):
        uname = os.uname()
        system, release, machine, node = uname.sysname, uname.release, uname.machine, uname.nodename
    else:  # pragma: no cover - Windows
        import platform

        system, release, machine, node = (platform.system(), platform.release(),
                                          platform.machine(), platform.node())
    return Host(
        system=f"{system} {release}", machine=machine, distribution=distribution(),
        hostname=node, container=container(environ),
        python=f"{sys.version.split()[0]} ({sys.implementation.name})",
        envaudit=__version__, time=now or _utc_now(),
    )
