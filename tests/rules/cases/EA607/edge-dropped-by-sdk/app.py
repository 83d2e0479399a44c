"""Retired on 2026-11-30; anthropic 2.15+ no longer lists it."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()
