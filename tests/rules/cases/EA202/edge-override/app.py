"""Answer support questions with Claude; the file must win over whatever the shell exports."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv(override=True)
client = Anthropic()
