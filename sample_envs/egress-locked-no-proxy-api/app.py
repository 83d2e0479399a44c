"""Label incoming support tickets with Claude (runs in the cluster, behind the egress proxy)."""

import anthropic

client = anthropic.Anthropic()


def label(ticket: str) -> str:
    message = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=16,
        messages=[{"role": "user", "content": f"One word label for: {ticket}"}],
    )
    return message.content[0].text


if __name__ == "__main__":
    print(label("The invoice PDF is empty"))
