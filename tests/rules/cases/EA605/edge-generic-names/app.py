"""MODEL holds another provider's model; LLM_MODEL a Claude typo."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()
