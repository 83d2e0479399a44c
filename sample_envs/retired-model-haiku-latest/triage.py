"""Label incoming support mail with the cheap model."""

import os

from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()

LABELS = os.environ.get("MAIL_LABELS", "other").split(",")
client = Anthropic()


def label(subject: str, body: str) -> str:
    reply = client.messages.create(
        model=os.environ.get("ANTHROPIC_MODEL", "claude-haiku-4-5"),
        max_tokens=10,
        messages=[{"role": "user", "content": f"One of {LABELS} for:\n{subject}\n\n{body}"}],
    )
    return reply.content[0].text.strip()
