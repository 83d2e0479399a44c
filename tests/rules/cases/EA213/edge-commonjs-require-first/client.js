const Anthropic = require('@anthropic-ai/sdk');

module.exports = { client: new Anthropic() };
