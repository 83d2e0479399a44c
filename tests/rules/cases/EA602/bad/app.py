"""Point the SDK at the local LiteLLM proxy."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()
