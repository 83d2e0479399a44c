"""The project's own source: dotenv load calls, SDK client constructions and their order.

The analysis (``envaudit.source``) imports ``ast`` and tree-sitter only when a file needs
parsing, and this module imports the analysis only when it runs: ``envaudit --version`` and a
scan of a tree without entry points pay nothing for it.
"""

from __future__ import annotations

from collections.abc import Iterator

from envaudit.collectors.base import CollectOptions, Collector, Fact, ProviderHint
from envaudit.model import Skip


class SourceCodeCollector(Collector):
    """Yields one ``CodeFacts`` (``envaudit.source.facts``) per run, plus a ``Skip`` for each
    source file the analysis needed and could not read or parse."""

    name = "source-code"
    phase = 0  # the load calls and imports it finds say which loaders are in use

    def collect(self, options: CollectOptions) -> Iterator[Fact]:
        """Analyse the source under ``options.root``."""
        from envaudit.source.analyse import analyse

        try:
            facts = analyse(options.root)
        except RecursionError:  # pragma: no cover - the walks are iterative; a last resort
            yield Skip("code", "source analysis stopped: nesting too deep")
            return
        for skipped in facts.skipped:
            yield Skip("code", skipped.reason, path=skipped.path)
        for manifest in facts.sdk_manifests:
            yield ProviderHint(f"{manifest} declares an Anthropic SDK")
        yield facts  # type: ignore[misc]
