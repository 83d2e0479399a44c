# One-time setup on a new machine (Windows PowerShell 5.1).
$key = Read-Host "Paste your Anthropic API key"
"ANTHROPIC_API_KEY=$key" > .env
"ANTHROPIC_MODEL=claude-sonnet-4-6" >> .env
python -m venv .venv
.\.venv\Scripts\pip install -r requirements.txt
