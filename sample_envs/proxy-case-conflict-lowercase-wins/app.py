"""Summarise the week's merged pull requests into release notes."""

import os

import anthropic
from dotenv import load_dotenv

load_dotenv()

client = anthropic.Anthropic()


def release_notes(changes: str) -> str:
    message = client.messages.create(
        model=os.environ["ANTHROPIC_MODEL"],
        max_tokens=1024,
        messages=[{"role": "user", "content": f"Write release notes for:\n{changes}"}],
    )
    return message.content[0].text


if __name__ == "__main__":
    print(release_notes("- fix login redirect\n- faster search"))
