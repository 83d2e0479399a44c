"""Draft replies to GitHub issues with Claude: `python app.py "issue text"`."""

import sys

from dotenv import load_dotenv

load_dotenv()  # first: llm.py reads ANTHROPIC_API_KEY when it is imported, just below

from llm import MODEL, client  # noqa: E402


def main(issue: str) -> None:
    message = client.messages.create(
        model=MODEL,
        max_tokens=400,
        messages=[{"role": "user", "content": f"Draft a friendly reply to this issue:\n\n{issue}"}],
    )
    print(message.content[0].text)


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "The CLI crashes when the config file is empty.")
