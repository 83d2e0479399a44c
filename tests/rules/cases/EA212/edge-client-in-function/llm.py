"""The Claude client, built on first use."""
from functools import lru_cache

from anthropic import Anthropic


@lru_cache(maxsize=1)
def get_client() -> Anthropic:
    return Anthropic()  # runs when called, after load_dotenv()
