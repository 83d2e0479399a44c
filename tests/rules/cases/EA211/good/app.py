"""Tag incoming support e-mails with Claude."""
from pathlib import Path

from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv(Path(__file__).resolve().parent / "config" / ".env")

client = Anthropic()
