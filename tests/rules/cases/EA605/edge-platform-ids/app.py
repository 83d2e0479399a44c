"""Bedrock and Vertex IDs are left alone."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()
