"""Summarise support tickets with Claude: `python app.py < ticket.txt`."""
import sys

import anthropic

client = anthropic.Anthropic()  # reads ANTHROPIC_API_KEY from os.environ, never from .env


def summarise(ticket: str) -> str:
    message = client.messages.create(
        model="claude-haiku-4-5", max_tokens=300,
        messages=[{"role": "user", "content": f"Summarise this ticket:\n\n{ticket}"}],
    )
    return message.content[0].text


if __name__ == "__main__":
    print(summarise(sys.stdin.read()))
