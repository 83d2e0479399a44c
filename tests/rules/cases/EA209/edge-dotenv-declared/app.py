"""Summarise support tickets with Claude: `dotenv run -- python app.py < ticket.txt`."""
import sys

import anthropic

client = anthropic.Anthropic()  # the key is in os.environ: `dotenv run` loaded .env first
print(client.messages.create(
    model="claude-haiku-4-5", max_tokens=300,
    messages=[{"role": "user", "content": f"Summarise this ticket:\n\n{sys.stdin.read()}"}],
).content[0].text)
