"""Summarise a file with Claude (2023)."""
import sys

from anthropic import AI_PROMPT, HUMAN_PROMPT, Anthropic

client = Anthropic()


def summarise(text: str) -> str:
    # the old API: prompt strings and max_tokens_to_sample
    completion = client.completions.create(
        model="claude-2",
        max_tokens_to_sample=300,
        prompt=f"{HUMAN_PROMPT} Summarise:\n{text}{AI_PROMPT}",
    )
    return completion.completion


if __name__ == "__main__":
    print(summarise(open(sys.argv[1]).read()))
