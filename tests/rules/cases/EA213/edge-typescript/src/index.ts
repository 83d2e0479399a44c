import { anthropic } from './llm.js';
import * as dotenv from 'dotenv';

dotenv.config();

const models = await anthropic.models.list();
console.log(models.data.map((m: { id: string }) => m.id));
