"""The mailer service: .env sits next to this file, which calls load_dotenv()."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()

client = Anthropic()
