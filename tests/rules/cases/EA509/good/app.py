"""Answer support questions with Claude, through the company gateway."""
from dotenv import load_dotenv

load_dotenv()
import anthropic  # noqa: E402

client = anthropic.Anthropic()
