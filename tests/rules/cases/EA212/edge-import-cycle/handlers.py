"""Handlers use the client; llm imports handlers back for its registry (a cycle)."""
import llm  # noqa: F401 - registers the Claude handler

HANDLERS = {}
