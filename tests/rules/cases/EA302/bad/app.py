"""Answer support questions with Claude."""
from dotenv import load_dotenv

load_dotenv()
import anthropic  # noqa: E402

client = anthropic.Anthropic()
