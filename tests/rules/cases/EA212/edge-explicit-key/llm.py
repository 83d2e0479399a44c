from anthropic import Anthropic
from settings import ANTHROPIC_KEY

client = Anthropic(api_key=ANTHROPIC_KEY)  # the key is passed: the environment is not read
