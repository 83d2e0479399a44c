"""Write .env from the secrets export (`vault kv get -format=json ...` > secrets.json)."""

import json

with open("secrets.json", encoding="utf-8") as fh:
    secrets = json.load(fh)["data"]

with open(".env", "w", encoding="utf-8") as out:
    out.write("# Written by scripts/bootstrap_env.py from the team's secrets export\n")
    out.write(f"ANTHROPIC_MODEL={secrets['model']}\n")
    # json.dumps keeps the escapes of the stored value (it was saved with `echo`, so it ends
    # in a newline): the line becomes ANTHROPIC_API_KEY="sk-ant-...\n"
    out.write(f"ANTHROPIC_API_KEY={json.dumps(secrets['anthropic_api_key'])}\n")
