"""Claude Opus 4.1 on Bedrock: the SDK's own non-streaming limit is 8192."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()
