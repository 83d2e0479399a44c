// `npm start` runs node --env-file=.env: node loads the file before this module runs.
import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic();
const message = await client.messages.create({
  model: 'claude-haiku-4-5', max_tokens: 300,
  messages: [{ role: 'user', content: 'Write the release notes.' }],
});
console.log(message.content[0].text);
