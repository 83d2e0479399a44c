"""Run the same prompts against each model in EVAL_MODELS and print the answers side by side."""

import os

import anthropic
import openai
from dotenv import load_dotenv

load_dotenv()

claude = anthropic.Anthropic()
gpt = openai.OpenAI()

PROMPTS = ["Explain a mutex to a new hire in two sentences.", "What is 17 * 23? Answer only."]


def ask(model: str, prompt: str) -> str:
    if model.startswith("claude-"):
        reply = claude.messages.create(
            model=model, max_tokens=300, messages=[{"role": "user", "content": prompt}])
        return reply.content[0].text
    chat = gpt.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}])
    return chat.choices[0].message.content or ""


for prompt in PROMPTS:
    for model in os.environ["EVAL_MODELS"].split(","):
        print(f"--- {model}: {ask(model, prompt)}")
