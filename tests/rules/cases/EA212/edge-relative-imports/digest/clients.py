from anthropic import AsyncAnthropic

claude = AsyncAnthropic()
