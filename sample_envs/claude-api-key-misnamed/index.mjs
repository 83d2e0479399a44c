// Commit-message helper: suggests a message for the staged diff.
import 'dotenv/config';
import Anthropic from '@anthropic-ai/sdk';
import { execFileSync } from 'node:child_process';

const client = new Anthropic(); // reads ANTHROPIC_API_KEY, not CLAUDE_API_KEY
const diff = execFileSync('git', ['diff', '--cached'], { encoding: 'utf8' });

const message = await client.messages.create({
  model: process.env.CLAUDE_MODEL ?? 'claude-sonnet-4-6',
  max_tokens: 200,
  messages: [{ role: 'user', content: `Suggest a one-line commit message for:\n${diff}` }],
});
console.log(message.content[0].text);
