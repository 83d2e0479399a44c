"""The CA files and folders the app's TLS variables name, read once each (``envaudit.tls``).

Runs after the other collectors (``engine.collect`` calls ``ca_files`` with what they found):
every definition of a CA variable in the process environment, a ``--pid`` environment or a
dotenv file read by a loader that runs on this machine names a path; each distinct path is
read once. Files only docker or compose read are left out: their paths are the container's,
not this machine's. Nothing is imported or read when no CA variable is set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from envaudit.model import COMPOSE, DOCKER_ENV_FILE, Definition, DotenvFile, PidEnvironment

if TYPE_CHECKING:
    from envaudit.tls import CaFile

#: Variables naming a CA file, and the one naming a folder of hashed certificates.
CA_FILE_VARIABLES = ("SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE",
                     "CURL_CA_BUNDLE")
CA_DIR_VARIABLE = "SSL_CERT_DIR"
CA_VARIABLES = (*CA_FILE_VARIABLES, CA_DIR_VARIABLE)
#: Loaders whose files describe a container, whose paths this machine does not have.
CONTAINER_LOADERS = frozenset({COMPOSE, DOCKER_ENV_FILE})


def host_definitions(files: Iterable[DotenvFile], process: Sequence[Definition] | None,
                     pids: Iterable[PidEnvironment]) -> Iterable[Definition]:
    """Every definition of a CA variable whose path is one on this machine."""
    for environment in pids:
        yield from (d for d in environment.definitions if d.name in CA_VARIABLES)
    yield from (d for d in process or () if d.name in CA_VARIABLES)
    for f in files:
        if f.role != "env":
            continue
        for reading in f.readings:
            if reading.loader in CONTAINER_LOADERS:
                continue
            yield from (d for d in reading.definitions if d.name in CA_VARIABLES)


def ca_files(root: str, files: Iterable[DotenvFile], process: Sequence[Definition] | None,
             pids: Iterable[PidEnvironment]) -> tuple[CaFile, ...]:
    """What each distinct path named by a CA variable holds (``Snapshot.ca_files``)."""
    wanted: dict[tuple[str, bool], None] = {}
    for d in host_definitions(files, process, pids):
        if d.value and d.value.strip() == d.value:
            wanted[(d.value, d.name == CA_DIR_VARIABLE)] = None
    if not wanted:
        return ()
    from envaudit.tls import _now, read_ca

    now = _now()
    return tuple(read_ca(path, root, folder=folder, now=now) for path, folder in wanted)
