"""Issue triage: label new GitHub issues with Claude."""

import os

import anthropic
from dotenv import load_dotenv

load_dotenv()  # local runs; in the container the variables come from --env-file

client = anthropic.Anthropic()
MODEL = os.environ.get("TRIAGE_MODEL", "claude-haiku-4-5")


def label(title: str, body: str) -> str:
    message = client.messages.create(
        model=MODEL,
        max_tokens=20,
        messages=[{"role": "user", "content": f"One label (bug/question/feature) for:\n{title}\n{body}"}],
    )
    return message.content[0].text.strip()
