import Anthropic from '@anthropic-ai/sdk';

export const anthropic: Anthropic = new Anthropic({ maxRetries: 2 });
