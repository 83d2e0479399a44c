"""Label incoming GitHub issues with Claude: `python triage.py < issue.txt`."""

import os
import sys

import anthropic

MODEL = os.environ.get("ANTHROPIC_MODEL", "claude-haiku-4-5")
LABELS = os.environ.get("TRIAGE_LABELS", "bug,question").split(",")

client = anthropic.Anthropic()  # reads ANTHROPIC_API_KEY from os.environ (not from .env)


def triage(issue: str) -> str:
    message = client.messages.create(
        model=MODEL,
        max_tokens=20,
        messages=[{
            "role": "user",
            "content": f"Answer with one label out of {', '.join(LABELS)}.\n\n{issue}",
        }],
    )
    return message.content[0].text.strip()


if __name__ == "__main__":
    print(triage(sys.stdin.read()))
