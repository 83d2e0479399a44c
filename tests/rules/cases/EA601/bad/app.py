"""Answer support questions through the company gateway (its docs show /v1)."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()
