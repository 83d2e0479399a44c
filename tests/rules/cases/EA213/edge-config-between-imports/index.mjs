import dotenv from 'dotenv';
dotenv.config(); // looks first, but every import below is evaluated before this line
import { client } from './client.mjs';

console.log(await client.models.list());
