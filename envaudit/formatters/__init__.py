"""Output formats. ``FORMATTERS`` maps each ``OutputFormat`` to its formatter."""

from __future__ import annotations

import enum

from envaudit.formatters.base import Formatter, RenderOptions
from envaudit.formatters.json_format import JsonFormatter
from envaudit.formatters.markdown import MarkdownFormatter
from envaudit.formatters.sarif import SarifFormatter
from envaudit.formatters.text import TextFormatter


class OutputFormat(str, enum.Enum):
    """``--format`` choices."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    SARIF = "sarif"


FORMATTERS: dict[OutputFormat, Formatter] = {
    OutputFormat.TEXT: TextFormatter(),
    OutputFormat.JSON: JsonFormatter(),
    OutputFormat.MARKDOWN: MarkdownFormatter(),
    OutputFormat.SARIF: SarifFormatter(),
}

__all__ = ["FORMATTERS", "Formatter", "OutputFormat", "RenderOptions"]
