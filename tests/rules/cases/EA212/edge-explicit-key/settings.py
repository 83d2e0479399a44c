import json

with open("secrets.json", encoding="utf-8") as fh:
    ANTHROPIC_KEY = json.load(fh)["anthropic"]
