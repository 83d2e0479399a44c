"""`digest` console script."""
import asyncio

from .clients import claude


def main() -> None:
    from dotenv import load_dotenv

    load_dotenv()  # runs when main() is called: after digest.clients was imported
    asyncio.run(claude.messages.create(model="claude-haiku-4-5", max_tokens=200,
                                       messages=[{"role": "user", "content": "hi"}]))
