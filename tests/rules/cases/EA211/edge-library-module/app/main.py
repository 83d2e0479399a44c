"""Nightly triage job (python -m app.main, from the repository root)."""
from anthropic import Anthropic
from lib.loader import settings  # noqa: F401 - imported for its side effect

client = Anthropic()
