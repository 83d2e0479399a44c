"""Summarise support tickets with Claude."""
import anthropic

client = anthropic.Anthropic()
