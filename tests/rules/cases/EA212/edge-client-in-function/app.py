"""Summarise the day's incidents."""
# ruff: noqa: I001 (imported before load_dotenv() on purpose: nothing is built yet)
from llm import get_client
from dotenv import load_dotenv

load_dotenv()


def main() -> None:
    get_client().messages.create(model="claude-sonnet-4-6", max_tokens=300,
                                 messages=[{"role": "user", "content": "Summarise."}])


if __name__ == "__main__":
    main()
