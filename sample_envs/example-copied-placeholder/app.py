"""Draft the weekly newsletter from the changelog."""

import os

import anthropic
from dotenv import load_dotenv

load_dotenv()
client = anthropic.Anthropic()

with open("CHANGELOG.md", encoding="utf-8") as fh:
    changelog = fh.read()

draft = client.messages.create(
    model=os.environ.get("NEWSLETTER_MODEL", "claude-sonnet-4-6"),
    max_tokens=1500,
    messages=[{"role": "user", "content": f"Draft a friendly newsletter from:\n\n{changelog}"}],
)
print(draft.content[0].text)
