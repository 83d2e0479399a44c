"""Meeting-notes cleaner: turns a raw transcript into minutes."""

import os
import sys

import anthropic
from dotenv import load_dotenv

load_dotenv()
client = anthropic.Anthropic()

with open(sys.argv[1], encoding="utf-8") as fh:
    transcript = fh.read()

minutes = client.messages.create(
    model=os.environ.get("ANTHROPIC_MODEL", "claude-sonnet-4-6"),
    max_tokens=1500,
    messages=[{"role": "user", "content": f"Write minutes for this meeting:\n\n{transcript}"}],
)
print(minutes.content[0].text)
