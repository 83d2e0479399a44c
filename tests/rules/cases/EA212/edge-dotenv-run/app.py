"""The web app; the Procfile loads .env before Python starts (dotenv run)."""
# ruff: noqa: I001 (harmless here: dotenv run loaded .env before any import)
from flask import Flask

from llm import client  # noqa: F401 - used by the routes
from dotenv import load_dotenv

load_dotenv()  # a no-op in production: dotenv run already set everything
app = Flask(__name__)
