"""Weekly channel digest for #ml-platform."""

import anthropic
from dotenv import load_dotenv

load_dotenv()
client = anthropic.Anthropic()


def digest(messages: list[str]) -> str:
    reply = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=700,
        messages=[{"role": "user", "content": "Digest this week's messages:\n" + "\n".join(messages)}],
    )
    return reply.content[0].text
