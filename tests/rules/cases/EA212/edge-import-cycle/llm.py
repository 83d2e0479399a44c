"""The client, registered with the handlers."""
import handlers
from anthropic import Anthropic

client = Anthropic()
handlers.HANDLERS["claude"] = client
