"""Summarise a file with Claude."""
import sys

from anthropic import Anthropic

client = Anthropic()


def summarise(text: str) -> str:
    message = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=300,
        messages=[{"role": "user", "content": f"Summarise:\n{text}"}],
    )
    return message.content[0].text


if __name__ == "__main__":
    print(summarise(open(sys.argv[1]).read()))
