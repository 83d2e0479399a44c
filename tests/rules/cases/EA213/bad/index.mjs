import { client } from './client.mjs';
import dotenv from 'dotenv';

dotenv.config(); // runs after client.mjs: ES imports are evaluated first

const message = await client.messages.create({
  model: 'claude-haiku-4-5', max_tokens: 300,
  messages: [{ role: 'user', content: 'Write the stand-up summary.' }],
});
console.log(message.content[0].text);
