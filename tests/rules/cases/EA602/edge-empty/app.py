"""A template line left empty: the Python SDK takes it as set."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()
