"""Answer support tickets with Claude."""
from anthropic import Anthropic

client = Anthropic()
