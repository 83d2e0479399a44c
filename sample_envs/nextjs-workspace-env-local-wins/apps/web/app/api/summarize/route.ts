import Anthropic from "@anthropic-ai/sdk";

// Next.js loads apps/web/.env* into process.env before this module runs.
const client = new Anthropic();

export async function POST(request: Request): Promise<Response> {
  const { text } = await request.json();
  const message = await client.messages.create({
    model: process.env.ANTHROPIC_MODEL ?? "claude-sonnet-4-6",
    max_tokens: 512,
    messages: [{ role: "user", content: `Summarize this support ticket:\n\n${text}` }],
  });
  return Response.json(message.content);
}
