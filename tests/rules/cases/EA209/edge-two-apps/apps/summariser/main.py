"""Nightly ticket summaries."""
from anthropic import Anthropic

client = Anthropic()
