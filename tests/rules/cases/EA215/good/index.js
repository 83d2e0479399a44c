import dotenv from 'dotenv';
import { expand } from 'dotenv-expand';
import Anthropic from '@anthropic-ai/sdk';

expand(dotenv.config());
const client = new Anthropic();
