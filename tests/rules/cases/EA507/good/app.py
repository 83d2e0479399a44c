"""Tag incoming tickets with Claude."""
import anthropic

client = anthropic.Anthropic()
