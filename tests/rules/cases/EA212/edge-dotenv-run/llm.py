"""The shared Claude client."""
from anthropic import Anthropic

client = Anthropic()  # reads ANTHROPIC_API_KEY now
