import 'dotenv/config';
import Anthropic from '@anthropic-ai/sdk';

export const client = new Anthropic();
