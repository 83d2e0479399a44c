"""Morning briefing: summarise the calendar and unread mail subjects."""

import os

import anthropic
from dotenv import load_dotenv

load_dotenv()
client = anthropic.Anthropic()


def briefing(calendar: str, subjects: str) -> str:
    reply = client.messages.create(
        model=os.environ.get("BRIEFING_MODEL", "claude-sonnet-4-6"),
        max_tokens=600,
        messages=[{"role": "user", "content": f"Brief me.\nCalendar:\n{calendar}\nMail:\n{subjects}"}],
    )
    return reply.content[0].text
