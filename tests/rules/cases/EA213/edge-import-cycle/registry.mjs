import { client } from './client.mjs'; // a cycle: client.mjs imports this module too

export const registry = new Map();
export const defaultClient = () => client;
