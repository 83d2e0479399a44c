"""A WebSocket URL copied from the gateway's console."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()
