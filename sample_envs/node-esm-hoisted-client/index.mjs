// Post the stand-up summary: `npm run standup`.
import { client, model } from './client.mjs';
import dotenv from 'dotenv';

dotenv.config({ quiet: true }); // too late: client.mjs was evaluated before this line

const message = await client.messages.create({
  model,
  max_tokens: 400,
  messages: [{ role: 'user', content: `Summarise yesterday's commits for the stand-up:\n${process.argv[2] ?? 'fix: empty config crashes the CLI'}` }],
});
console.log(message.content[0].text);
