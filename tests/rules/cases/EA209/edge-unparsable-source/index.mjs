// A merge left this file broken: envaudit cannot tell whether it loads .env.
<<<<<<< HEAD
import 'dotenv/config';
=======
import { config } from '@dotenvx/dotenvx';
config();
>>>>>>> feature/dotenvx
import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic();
