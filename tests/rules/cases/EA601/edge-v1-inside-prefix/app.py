"""A gateway whose own prefix has v1 in the middle: fine."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()
