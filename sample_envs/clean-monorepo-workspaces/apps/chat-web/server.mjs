// Chat backend: POST /chat streams Claude's answer. Run from apps/chat-web (npm workspaces do).
import 'dotenv/config';
import { createServer } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import { systemPrompt } from '@acme/prompts';

const client = new Anthropic();

createServer(async (req, res) => {
  if (req.method !== 'POST' || req.url !== '/chat') return res.writeHead(404).end();
  let body = '';
  for await (const chunk of req) body += chunk;
  const { messages } = JSON.parse(body);
  const stream = client.messages.stream({
    model: 'claude-sonnet-4-6',
    max_tokens: 2048,
    system: systemPrompt('chat'),
    messages,
  });
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  stream.on('text', (text) => res.write(text));
  await stream.finalMessage();
  res.end();
}).listen(Number(process.env.PORT ?? 3000));
