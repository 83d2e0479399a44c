from anthropic import Anthropic


def summarise(text: str, client: Anthropic = Anthropic()) -> str:  # noqa: B008 (def time)
    return client.messages.create(model="claude-haiku-4-5", max_tokens=200,
                                  messages=[{"role": "user", "content": text}]).content[0].text
