"""envaudit: audit what an app calling the Anthropic API will really see in its environment."""

__version__ = "0.1.0"
