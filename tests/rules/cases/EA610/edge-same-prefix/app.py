"""ANTHROPIC_SUMMARY_MAX_TOKENS goes with ANTHROPIC_SUMMARY_MODEL."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()
