"""Summarise support tickets with Claude."""
from anthropic import Anthropic
from dotenv import load_dotenv

load_dotenv()
client = Anthropic()

EXAMPLE = "sk-ant-api03-kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkAA"
DOC_KEY = "sk-ant-api03-FAKE-DOCS-EXAMPLE-0000-FAKE-DOCS-EXAMPLE-0000-FAKE-DOCS-EXAMPLE-0000-FAKE-DOCS-EXAMPLE-0000-FAA"
AWS_DOC = "AKIAIOSFODNN7EXAMPLE"
TASKS = ["task-runner", "disk-usage", "risk-score"]
PLACEHOLDER = "sk-ant-api03-your-key-here"
