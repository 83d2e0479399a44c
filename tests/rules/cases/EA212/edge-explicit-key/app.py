# ruff: noqa: I001 (harmless here: the client is given its key)
from llm import client  # noqa: F401 - used by the routes
from dotenv import load_dotenv

load_dotenv()
