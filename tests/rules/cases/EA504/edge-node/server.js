const Anthropic = require("@anthropic-ai/sdk");

const base = process.env.ANTHROPIC_BASE_URL || "https://api.anthropic.com";

async function complete(prompt) {
  const res = await fetch(`${base}/v1/complete`, {
    method: "POST",
    headers: { "x-api-key": process.env.ANTHROPIC_API_KEY, "content-type": "application/json" },
    body: JSON.stringify({ model: "claude-instant-v1", max_tokens_to_sample: 200, prompt }),
  });
  return (await res.json()).completion;
}

module.exports = { complete, Anthropic };
