"""Summarise support tickets with Claude."""
import os

from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
# TODO: remove the fallback before release
client = Anthropic(api_key=os.environ.get("ANTHROPIC_API_KEY", "{{real-key:api03:fallback}}"))
