"""Behind a gateway: its alias is not checked, a claude typo is a warning."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()
