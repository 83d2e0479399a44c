"""Started as `cd config && python ../app.py`: the working directory's .env is meant."""
from anthropic import Anthropic
from dotenv import find_dotenv, load_dotenv

load_dotenv(find_dotenv(usecwd=True))

client = Anthropic()
