"""Draft release notes with Claude Opus 4.5."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()
