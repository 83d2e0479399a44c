import Anthropic from "@anthropic-ai/sdk";

const anthropic = new Anthropic();

export async function summarise(text) {
  const msg = await anthropic.messages.create({
    model: "claude-sonnet-4-6",
    max_tokens: 256,
    messages: [{ role: "user", content: text }],
  });
  return msg.content[0].text;
}
