"""Monthly cost report: explain the usage CSV in plain words."""

import os
import sys

import anthropic
from dotenv import load_dotenv

load_dotenv()
client = anthropic.Anthropic()

with open(sys.argv[1], encoding="utf-8") as fh:
    usage_csv = fh.read()

reply = client.messages.create(
    model=os.environ.get("REPORT_MODEL", "claude-sonnet-4-6"),
    max_tokens=1200,
    messages=[{"role": "user", "content": f"Explain this month's API usage:\n\n{usage_csv}"}],
)
print(reply.content[0].text)
