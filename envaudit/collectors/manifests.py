"""Cheap evidence that the project uses the Anthropic SDK: its root manifests name it."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from envaudit.collectors.base import CollectOptions, Collector, Fact, ProviderHint
from envaudit.collectors.fileio import NotRegularFile, read_regular

_MANIFESTS = {
    "pyproject.toml": re.compile(r"""["']anthropic(?:\[[^\]]*\])?\s*(?:[<>=!~;"'\s]|$)"""),
    "requirements.txt": re.compile(r"(?mi)^\s*anthropic(?:\[[^\]]*\])?\s*(?:[<>=!~;#]|$)"),
    "Pipfile": re.compile(r"(?mi)^\s*anthropic\s*="),
    "package.json": re.compile(r'"@anthropic-ai/(?:sdk|claude-agent-sdk|bedrock-sdk|vertex-sdk)"'),
}
_MAX_BYTES = 1024 * 1024


class ManifestCollector(Collector):
    """Reads only the root's ``pyproject.toml``, ``requirements.txt``, ``Pipfile``,
    ``package.json``; the SDK inventory (installed versions) is a separate collector."""

    name = "manifests"

    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        """Yield a ``ProviderHint`` per manifest that names an Anthropic SDK."""
        for filename, pattern in _MANIFESTS.items():
            path = os.path.join(options.root, filename)
            try:  # never open() a FIFO or a device named like a manifest: it can block
                _, data = read_regular(path, _MAX_BYTES)
            except (OSError, NotRegularFile):
                continue
            if data is not None and pattern.search(data.decode("utf-8", "replace")):
                yield ProviderHint(f"{filename} declares an Anthropic SDK")
