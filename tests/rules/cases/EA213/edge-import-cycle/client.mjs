import Anthropic from '@anthropic-ai/sdk';
import { registry } from './registry.mjs';

export const client = new Anthropic();
registry.set('claude', client);
