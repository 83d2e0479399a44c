# ruff: noqa: I001 (the import order is the bug this case shows)
from summarise import summarise
from dotenv import load_dotenv

load_dotenv()
print(summarise("Hello"))
