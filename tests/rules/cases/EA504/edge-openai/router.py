"""Send a prompt to either provider."""
import anthropic
import openai

claude = anthropic.Anthropic()
gpt = openai.OpenAI()


def ask(provider: str, prompt: str) -> str:
    if provider == "openai":
        return gpt.completions.create(model="gpt-3.5-turbo-instruct", prompt=prompt).choices[0].text
    reply = claude.messages.create(model="claude-sonnet-4-6", max_tokens=256,
                                   messages=[{"role": "user", "content": prompt}])
    return reply.content[0].text


if __name__ == "__main__":
    print(ask("anthropic", "hi"))
