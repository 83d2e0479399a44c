"""Tag incoming support e-mails with Claude."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()  # searches app.py's folder and up: config/.env is never found

client = Anthropic()
