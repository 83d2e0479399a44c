"""Shared settings: loads .env, searched from lib/ (finds ./.env, not app/.env)."""
import os

from dotenv import load_dotenv

load_dotenv()
settings = {"model": os.environ.get("ANTHROPIC_MODEL", "claude-sonnet-4-6")}
