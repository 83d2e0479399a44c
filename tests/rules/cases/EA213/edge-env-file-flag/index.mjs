import { client } from './client.mjs';
import dotenv from 'dotenv';

dotenv.config(); // redundant: node --env-file loaded .env before any module ran

console.log(await client.models.list());
