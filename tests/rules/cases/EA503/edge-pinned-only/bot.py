"""Answer support tickets."""
import anthropic

client = anthropic.Anthropic()


def answer(ticket: str) -> str:
    reply = client.messages.create(
        model="claude-sonnet-4-6", max_tokens=512,
        messages=[{"role": "user", "content": ticket}],
    )
    return reply.content[0].text


if __name__ == "__main__":
    print(answer("hello"))
