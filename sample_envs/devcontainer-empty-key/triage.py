"""Label incoming tickets with one of TRIAGE_LABELS."""

import os

import anthropic
from dotenv import load_dotenv

load_dotenv()  # does not override variables that already exist, even empty ones
client = anthropic.Anthropic()
LABELS = os.environ.get("TRIAGE_LABELS", "bug,question").split(",")


def triage(ticket: str) -> str:
    reply = client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=10,
        messages=[{"role": "user", "content": f"Pick one of {LABELS} for:\n{ticket}"}],
    )
    return reply.content[0].text.strip()
