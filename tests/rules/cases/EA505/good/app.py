"""Nightly report summaries with Claude."""
import anthropic

client = anthropic.Anthropic()
