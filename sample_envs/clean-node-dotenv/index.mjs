// Draft release notes for the last tag with Claude.
import 'dotenv/config'; // first: ES imports are hoisted, so .env must load before anything else
import Anthropic from '@anthropic-ai/sdk';
import { readFile } from 'node:fs/promises';

const client = new Anthropic(); // reads ANTHROPIC_API_KEY
const model = process.env.RELEASE_NOTES_MODEL ?? 'claude-haiku-4-5';

const changes = await readFile(process.argv[2] ?? 'CHANGES.txt', 'utf8');
const message = await client.messages.create({
  model,
  max_tokens: 1024,
  messages: [{
    role: 'user',
    content: `Write user-facing release notes for ${process.env.GITHUB_REPO}:\n\n${changes}`,
  }],
});
console.log(message.content[0].text);
