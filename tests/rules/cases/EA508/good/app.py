"""Call Claude through the corporate proxy."""
import anthropic
import httpx  # used elsewhere for plain HTTP

client = anthropic.Anthropic(
    http_client=anthropic.DefaultHttpxClient(proxy="http://proxy.corp.example:3128"))
health = httpx.get("http://localhost:8080/health", timeout=httpx.Timeout(2.0))

if __name__ == "__main__":
    print(client.models.list())
