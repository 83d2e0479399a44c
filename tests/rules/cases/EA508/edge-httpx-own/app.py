"""Health check, then Claude."""
import httpx
from anthropic import Anthropic

session = httpx.Client(timeout=httpx.Timeout(3.0))
client = Anthropic(timeout=30.0)

if __name__ == "__main__":
    session.get("http://localhost:8080/health")
    print(client.models.list())
