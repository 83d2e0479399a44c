"""Write the quarterly customer report in one call."""

import os

import anthropic
from dotenv import load_dotenv

load_dotenv()

client = anthropic.Anthropic()


def quarterly_report(notes: str) -> str:
    message = client.messages.create(
        model=os.environ["ANTHROPIC_MODEL"],
        max_tokens=int(os.environ.get("ANTHROPIC_MAX_TOKENS", "8192")),
        messages=[{"role": "user", "content": f"Write the quarterly report from:\n{notes}"}],
    )
    return message.content[0].text
