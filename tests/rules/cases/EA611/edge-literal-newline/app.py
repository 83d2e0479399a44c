"""Single quotes keep \n literal: one header, not two."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()
