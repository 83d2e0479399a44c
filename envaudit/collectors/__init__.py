"""Collectors: each reads one part of the world into facts. ``ALL_COLLECTORS`` is the registry."""

from __future__ import annotations

from envaudit.collectors.base import Collector
from envaudit.collectors.compose_files import ComposeCollector
from envaudit.collectors.dotenv_files import DotenvFilesCollector
from envaudit.collectors.git_status import GitStatusCollector
from envaudit.collectors.manifests import ManifestCollector
from envaudit.collectors.pid_env import PidEnvCollector
from envaudit.collectors.process_env import ProcessEnvCollector
from envaudit.collectors.python_envs import (
    DeclaredVersionsCollector,
    NodeModulesCollector,
    PythonEnvsCollector,
)
from envaudit.collectors.releases import ReleasesCollector
from envaudit.collectors.runtimes import RuntimesCollector
from envaudit.collectors.source_code import SourceCodeCollector

#: In the order they run within a phase (``Collector.phase``: 0 before 1).
ALL_COLLECTORS: tuple[Collector, ...] = (
    PidEnvCollector(),  # first: the compose and dotenv readings interpolate with its environment
    ManifestCollector(),
    SourceCodeCollector(),
    ComposeCollector(),  # after the source analysis: it looks where that one's listing saw files
    # the inventories run while the dotenv walk's helper process is still listing folders
    PythonEnvsCollector(),
    NodeModulesCollector(),
    ReleasesCollector(),  # asks the indexes in the background while the files are read
    DeclaredVersionsCollector(),
    RuntimesCollector(),
    DotenvFilesCollector(),
    ProcessEnvCollector(),
    GitStatusCollector(),  # phase 2: asks git about the dotenv files read
)
