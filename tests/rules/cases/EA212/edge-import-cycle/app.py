"""Webhook handlers for the ticket bot."""
# ruff: noqa: I001 (the import order is the bug this case shows)
import handlers  # noqa: F401 - registers the handlers
from dotenv import load_dotenv

load_dotenv()
