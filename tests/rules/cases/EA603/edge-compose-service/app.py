"""A LiteLLM sidecar on the compose network: a warning."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()
