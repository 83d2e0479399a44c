"""Summarise support tickets with Claude: `python app.py < ticket.txt`."""
import sys

import anthropic
from dotenv import load_dotenv

load_dotenv()  # .env -> os.environ, before the client is built
client = anthropic.Anthropic()


def summarise(ticket: str) -> str:
    message = client.messages.create(
        model="claude-haiku-4-5", max_tokens=300,
        messages=[{"role": "user", "content": f"Summarise this ticket:\n\n{ticket}"}],
    )
    return message.content[0].text


if __name__ == "__main__":
    print(summarise(sys.stdin.read()))
