"""Batch worker."""
import anthropic
from httpx import Timeout

TIMEOUT = Timeout(60.0, connect=5.0)
client = anthropic.Anthropic()


def run(prompt: str) -> str:
    reply = client.messages.create(model="claude-sonnet-4-6", max_tokens=100,
                                   messages=[{"role": "user", "content": prompt}],
                                   timeout=TIMEOUT)
    return reply.content[0].text


if __name__ == "__main__":
    print(run("hi"))
