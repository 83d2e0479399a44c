"""Post a daily digest of the support queue, written by Claude: `python digest.py`."""

import os

from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()  # never replaces a variable that is already set (compose's environment: sets it)
client = Anthropic(max_retries=0)
MODEL = os.environ.get("DIGEST_MODEL", "claude-haiku-4-5")


def main() -> None:
    message = client.messages.create(
        model=MODEL,
        max_tokens=500,
        messages=[{"role": "user", "content": "Summarise today's support tickets in 5 bullets."}],
    )
    print(message.content[0].text)


if __name__ == "__main__":
    main()
