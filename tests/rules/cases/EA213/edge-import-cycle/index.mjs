import { registry } from './registry.mjs';
import dotenv from 'dotenv';

dotenv.config();
console.log(registry.size);
