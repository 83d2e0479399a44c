"""Claude on Amazon Bedrock: boto3's credential chain, no Anthropic key."""
from anthropic import AnthropicBedrock

client = AnthropicBedrock()
