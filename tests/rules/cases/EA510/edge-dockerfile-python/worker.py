"""Queue worker."""
import anthropic

client = anthropic.Anthropic()
