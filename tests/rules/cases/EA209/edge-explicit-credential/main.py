"""Summarise support tickets with Claude."""
import anthropic
from settings import settings

client = anthropic.Anthropic(api_key=settings.anthropic_api_key)
