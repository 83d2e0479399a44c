"""Ask Claude for a haiku about the build status (the team's smoke test)."""

import os

import anthropic
from dotenv import load_dotenv

load_dotenv()

client = anthropic.Anthropic()
message = client.messages.create(
    model=os.environ.get("ANTHROPIC_MODEL", "claude-sonnet-4-6"),
    max_tokens=200,
    messages=[{"role": "user", "content": "Write a haiku about a green CI build."}],
)
print(message.content[0].text)
