"""Support-ticket summariser: POST /summarise -> a three-line summary from Claude."""

import os

import anthropic
from dotenv import load_dotenv
from fastapi import FastAPI
from pydantic import BaseModel

load_dotenv()  # before the client is built; finds the .env next to this file

client = anthropic.Anthropic()  # reads ANTHROPIC_API_KEY
app = FastAPI(title="support-summariser")

MODEL = os.environ.get("SUMMARY_MODEL", "claude-sonnet-4-6")
MAX_TOKENS = int(os.environ.get("SUMMARY_MAX_TOKENS", "1024"))


class Ticket(BaseModel):
    subject: str
    body: str


@app.post("/summarise")
def summarise(ticket: Ticket) -> dict[str, str]:
    message = client.messages.create(
        model=MODEL,
        max_tokens=MAX_TOKENS,
        messages=[{
            "role": "user",
            "content": f"Summarise this support ticket in three lines.\n\n"
                       f"Subject: {ticket.subject}\n\n{ticket.body}",
        }],
    )
    return {"summary": message.content[0].text}
