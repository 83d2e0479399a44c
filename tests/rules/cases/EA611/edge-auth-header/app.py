"""The gateway's own token in a custom header (never shown)."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()
