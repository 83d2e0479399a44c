// The Claude client shared by the stand-up bot's commands.
import Anthropic from '@anthropic-ai/sdk';

export const model = process.env.STANDUP_MODEL ?? 'claude-haiku-4-5';
export const client = new Anthropic({ maxRetries: 0 }); // reads ANTHROPIC_API_KEY now
