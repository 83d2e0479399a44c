"""Daily digest worker. Configuration comes from the container's environment (docker.env)."""

import os
import sys

import anthropic

client = anthropic.Anthropic()  # ANTHROPIC_API_KEY from docker run --env-file docker.env
MODEL = os.environ.get("DIGEST_MODEL", "claude-haiku-4-5")


def digest(text: str) -> str:
    message = client.messages.create(
        model=MODEL,
        max_tokens=800,
        messages=[{"role": "user", "content": f"Write a five-bullet digest of:\n\n{text}"}],
    )
    return message.content[0].text


if __name__ == "__main__":
    print(digest(sys.stdin.read()))
