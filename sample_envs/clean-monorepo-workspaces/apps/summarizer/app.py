"""Nightly batch: summarise yesterday's chat transcripts."""

import json
import os
import sys

import anthropic
from dotenv import load_dotenv

load_dotenv()  # apps/summarizer/.env (searched from this file's folder)

client = anthropic.Anthropic()
BATCH_SIZE = int(os.environ.get("BATCH_SIZE", "20"))


def main(path: str) -> None:
    with open(path, encoding="utf-8") as fh:
        transcripts = [json.loads(line) for line in fh]
    for start in range(0, len(transcripts), BATCH_SIZE):
        for t in transcripts[start:start + BATCH_SIZE]:
            message = client.messages.create(
                model="claude-haiku-4-5",
                max_tokens=400,
                messages=[{"role": "user", "content": f"Summarise:\n\n{t['text']}"}],
            )
            print(json.dumps({"id": t["id"], "summary": message.content[0].text}))


if __name__ == "__main__":
    main(sys.argv[1])
