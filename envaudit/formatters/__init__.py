"""Output formats. ``FORMATTERS`` maps each ``OutputFormat`` to its formatter."""

from __future__ import annotations

import enum
import importlib
from collections.abc import Iterator, Mapping

from envaudit.formatters.base import Formatter, RenderOptions


class OutputFormat(str, enum.Enum):
    """``--format`` choices."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    SARIF = "sarif"


#: Each format's formatter class, as ``(module, class name)``: the registry.
FORMATTER_CLASSES: dict[OutputFormat, tuple[str, str]] = {
    OutputFormat.TEXT: ("envaudit.formatters.text", "TextFormatter"),
    OutputFormat.JSON: ("envaudit.formatters.json_format", "JsonFormatter"),
    OutputFormat.MARKDOWN: ("envaudit.formatters.markdown", "MarkdownFormatter"),
    OutputFormat.SARIF: ("envaudit.formatters.sarif", "SarifFormatter"),
}


class _Formatters(Mapping[OutputFormat, Formatter]):
    """``FORMATTER_CLASSES`` instantiated on first use: a run imports the one module it
    renders with (SARIF's pulls in pathlib and urllib, start-up time every scan would pay)."""

    def __init__(self) -> None:
        self._made: dict[OutputFormat, Formatter] = {}

    def __getitem__(self, fmt: OutputFormat) -> Formatter:
        fmt = OutputFormat(fmt)
        made = self._made.get(fmt)
        if made is None:
            module, name = FORMATTER_CLASSES[fmt]
            made = self._made[fmt] = getattr(importlib.import_module(module), name)()
        return made

    def __iter__(self) -> Iterator[OutputFormat]:
        return iter(FORMATTER_CLASSES)

    def __len__(self) -> int:
        return len(FORMATTER_CLASSES)


FORMATTERS: Mapping[OutputFormat, Formatter] = _Formatters()

__all__ = ["FORMATTERS", "FORMATTER_CLASSES", "Formatter", "OutputFormat", "RenderOptions"]
