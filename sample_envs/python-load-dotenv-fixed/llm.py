"""The Claude client shared by the issue bot's commands."""

import os

from anthropic import Anthropic

MODEL = os.environ.get("ISSUE_BOT_MODEL", "claude-haiku-4-5")
client = Anthropic(max_retries=0)  # reads ANTHROPIC_API_KEY now, when llm is imported
