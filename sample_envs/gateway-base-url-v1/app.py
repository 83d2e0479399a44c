"""Answer questions about the internal wiki, through the platform team's LLM gateway."""

import os

import anthropic
from dotenv import load_dotenv

load_dotenv()

client = anthropic.Anthropic()


def answer(question: str) -> str:
    message = client.messages.create(
        model=os.environ["ANTHROPIC_MODEL"],
        max_tokens=1024,
        messages=[{"role": "user", "content": question}],
    )
    return message.content[0].text


if __name__ == "__main__":
    print(answer("Where is the on-call rota?"))
