"""Draft release notes with Claude Opus."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()
