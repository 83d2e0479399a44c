"""Summarise support tickets with Claude."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()
