const PROMPTS = {
  chat: 'You are Acme\'s support assistant. Answer briefly and link to the docs when you can.',
};

export function systemPrompt(name) {
  return PROMPTS[name];
}
