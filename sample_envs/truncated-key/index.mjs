// Stand-up bot: turns yesterday's commits into a stand-up update.
import 'dotenv/config';
import Anthropic from '@anthropic-ai/sdk';
import { execFileSync } from 'node:child_process';

const client = new Anthropic();
const log = execFileSync('git', ['log', '--since=yesterday', '--oneline'], { encoding: 'utf8' });

const message = await client.messages.create({
  model: 'claude-haiku-4-5',
  max_tokens: 300,
  messages: [{ role: 'user', content: `Write my stand-up update from these commits:\n${log}` }],
});
console.log(`[#${process.env.STANDUP_CHANNEL}]`, message.content[0].text);
