"""Nightly digest: fetch the day's incidents from the intranet, summarise them with Claude."""

import anthropic
import requests
from dotenv import load_dotenv

load_dotenv()  # HTTPS_PROXY and REQUESTS_CA_BUNDLE come from .env

client = anthropic.Anthropic()


def digest() -> str:
    incidents = requests.get("https://status.corp.example/api/incidents", timeout=10).json()
    reply = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=512,
        messages=[{"role": "user", "content": f"Summarise for the on-call: {incidents}"}],
    )
    return reply.content[0].text


if __name__ == "__main__":
    print(digest())
