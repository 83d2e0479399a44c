// Daily digest of the #incidents channel export.
import dotenv from 'dotenv';
import Anthropic from '@anthropic-ai/sdk';
import { readFile } from 'node:fs/promises';

dotenv.config({ path: ['.env.local', '.env'] }); // the first file that sets a key wins

const client = new Anthropic(); // built after config(), in the same module
const log = await readFile(process.argv[2] ?? 'incidents.json', 'utf8');
const message = await client.messages.create({
  model: process.env.DIGEST_MODEL ?? 'claude-haiku-4-5',
  max_tokens: 800,
  messages: [{ role: 'user', content: `Digest these incidents:\n${log}` }],
});
console.log(message.content[0].text);
