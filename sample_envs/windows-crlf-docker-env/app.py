"""Invoice extraction worker: pulls PDFs from the queue, asks Claude for the line items."""

import os

import anthropic

client = anthropic.Anthropic()  # environment from docker.env (container) or run-local.sh
QUEUE = os.environ["QUEUE_NAME"]


def extract(pdf_text: str) -> str:
    message = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=2000,
        messages=[{"role": "user", "content": f"List the invoice line items as CSV:\n\n{pdf_text}"}],
    )
    return message.content[0].text
