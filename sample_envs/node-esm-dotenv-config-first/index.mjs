// Post the stand-up summary: `npm run standup`.
import 'dotenv/config'; // first: evaluated before client.mjs builds the client
import { client, model } from './client.mjs';

const message = await client.messages.create({
  model,
  max_tokens: 400,
  messages: [{ role: 'user', content: `Summarise yesterday's commits for the stand-up:\n${process.argv[2] ?? 'fix: empty config crashes the CLI'}` }],
});
console.log(message.content[0].text);
