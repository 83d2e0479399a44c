"""Support bot for the help-desk widget."""

import os

import anthropic
from dotenv import load_dotenv

load_dotenv()
client = anthropic.Anthropic()

SYSTEM = f"You are {os.environ.get('BOT_NAME', 'a helpful assistant')}. Be brief and kind."


def answer(question: str) -> str:
    reply = client.messages.create(
        model=os.environ.get("ANTHROPIC_MODEL", "claude-sonnet-4-6"),
        max_tokens=500,
        system=SYSTEM,
        messages=[{"role": "user", "content": question}],
    )
    return reply.content[0].text
