"""Summarise support tickets with Claude."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()

# e.g. ANTHROPIC_API_KEY=sk-ant-api03-FAKE-COMMENT-EXAMPLE-0000-FAKE-COMMENT-EXAMPLE-0000-FAKE-COMMENT-EXAMPLE-0000-FAKE-COMMENT-EXAA
