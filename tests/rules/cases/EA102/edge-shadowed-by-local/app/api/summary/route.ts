import Anthropic from "@anthropic-ai/sdk";

export async function POST(request: Request): Promise<Response> {
  const client = new Anthropic();
  const { text } = await request.json();
  const message = await client.messages.create({
    model: "claude-sonnet-4-5",
    max_tokens: 512,
    messages: [{ role: "user", content: `Summarise this ticket: ${text}` }],
  });
  return Response.json(message);
}
