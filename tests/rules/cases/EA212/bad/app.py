"""Summarise the day's incidents."""
# ruff: noqa: I001 (the import order is the bug this case shows)
from llm import client
from dotenv import load_dotenv

load_dotenv()  # too late: llm.py already built the client


def main() -> None:
    print(client.messages.create(model="claude-sonnet-4-6", max_tokens=300,
                                 messages=[{"role": "user", "content": "Summarise."}]))


if __name__ == "__main__":
    main()
