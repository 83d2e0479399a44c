"""Summarise the day's incidents."""
from dotenv import load_dotenv

load_dotenv()  # first: the client below reads the key when llm.py is imported

from llm import client  # noqa: E402


def main() -> None:
    print(client.messages.create(model="claude-sonnet-4-6", max_tokens=300,
                                 messages=[{"role": "user", "content": "Summarise."}]))


if __name__ == "__main__":
    main()
