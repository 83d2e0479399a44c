"""Call Claude through the corporate proxy."""
import httpx
from anthropic import Anthropic

client = Anthropic(http_client=httpx.Client(proxy="http://proxy.corp.example:3128"))

if __name__ == "__main__":
    print(client.models.list())
