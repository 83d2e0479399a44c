"""Write the dotenv files of the sample projects, byte for byte (fake keys, CRLF, UTF-16 ...).

Every fake credential has the real shape (an API key is ``sk-ant-api03-`` + 93 characters of
``[A-Za-z0-9_-]`` + ``AA`` = 108 characters) but is spelled with ``FAKE`` / ``EXAMPLE`` / ``0``
runs, so nobody can mistake it for a live key. Exact lengths are asserted here, not counted by
hand. Run from anywhere:

    python sample_envs/make_env_files.py          # rewrite the files
    python sample_envs/make_env_files.py --keys   # print the fake keys (for expected.toml [env])

``tests/test_sample_envs.py`` checks that the files on disk are exactly what this script writes.
The app sources, manifests, READMEs and ``expected.toml`` files are written by hand.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")


def _fill(tag: str, length: int) -> str:
    """``length`` characters of ``FAKE-<tag>-EXAMPLE-0000-`` runs (key alphabet only)."""
    unit = f"FAKE-{tag}-EXAMPLE-0000-"
    text = (unit * (length // len(unit) + 1))[:length]
    assert _ALPHABET.fullmatch(text), tag
    return text


def api_key(tag: str) -> str:
    """A fake Anthropic API key: 108 characters, ``sk-ant-api03-`` ... ``AA``."""
    key = "sk-ant-api03-" + _fill(tag, 93) + "AA"
    assert len(key) == 108 and re.fullmatch(r"sk-ant-api03-[A-Za-z0-9_-]{93}AA", key)
    return key


def admin_key(tag: str) -> str:
    """A fake Anthropic Admin API key: 110 characters, ``sk-ant-admin01-`` ... ``AA``."""
    key = "sk-ant-admin01-" + _fill(tag, 93) + "AA"
    assert len(key) == 110 and re.fullmatch(r"sk-ant-admin01-[A-Za-z0-9_-]{93}AA", key)
    return key


def oauth_token(tag: str) -> str:
    """A fake Claude OAuth access token (``claude setup-token``): 108 characters."""
    token = "sk-ant-oat01-" + _fill(tag, 93) + "AA"
    assert len(token) == 108
    return token


def openai_project_key(tag: str) -> str:
    """A fake OpenAI project key: ``sk-proj-`` + 156 characters (164, like the real ones)."""
    key = "sk-proj-" + _fill(tag, 156)
    assert len(key) == 164
    return key


def truncated(key: str, lost: int) -> str:
    """``key`` with its last ``lost`` characters cut off (a partial copy)."""
    out = key[:-lost]
    assert len(out) == len(key) - lost and not out.endswith("AA")
    return out


# The keys, one per story (so that no two projects share one).
KEYS = {
    "clean-fastapi-dotenv": api_key("FASTAPI"),
    "clean-node-dotenv": api_key("NODE"),
    "clean-docker-env-file": api_key("DOCKER"),
    "clean-monorepo-workspaces/chat-web": api_key("CHATWEB"),
    "clean-monorepo-workspaces/summarizer": api_key("SUMMARIZER"),
    "python-newline-key": api_key("NEWLINE"),
    "windows-crlf-docker-env": api_key("CRLF"),
    "docker-run-quoted-key": api_key("QUOTED"),
    "smart-quotes-from-chat": api_key("SMARTQUOTE"),
    "truncated-key": truncated(api_key("TRUNCATED"), 3),
    "admin-key-as-api-key": admin_key("ADMIN"),
    "openai-key-swapped/anthropic": api_key("SWAPPED"),
    "openai-key-swapped/openai": openai_project_key("OPENAI"),
    "claude-api-key-misnamed": api_key("MISNAMED"),
    "auth-token-and-api-key/key": api_key("KEYANDTOKEN"),
    "auth-token-and-api-key/token": oauth_token("OAUTH"),
    "powershell-utf16-env": api_key("UTF16"),
    "unterminated-quote-swallows-key": api_key("UNTERMINATED"),
    "devcontainer-empty-key": api_key("DEVCONTAINER"),
    "rotated-key-env-local/old": api_key("REVOKED-2025"),
    "rotated-key-env-local/new": api_key("ROTATED-2026"),
    "python-client-before-load-dotenv": api_key("ISSUEBOT"),
    "python-load-dotenv-fixed": api_key("ISSUEFIX"),
    "node-esm-hoisted-client": api_key("STANDUP"),
    "node-esm-dotenv-config-first": api_key("STANDFIX"),
    "python-dotenv-never-loaded": api_key("TRIAGE"),
    "compose-environment-overrides-env-file/old": api_key("COMPOSE-PINNED"),
    "compose-environment-overrides-env-file/new": api_key("COMPOSE-ROTATED"),
    "gateway-base-url-v1": api_key("GATEWAYV1"),
    "retired-model-haiku-latest": api_key("RETIRED"),
    "max-tokens-non-streaming": api_key("LONGREPORT"),
    "tls-proxy-requests-ca-bundle": api_key("TLSPROXY"),
    "proxy-case-conflict-lowercase-wins": api_key("PROXYCASE"),
    "egress-locked-no-proxy-api": api_key("EGRESS"),
}


def _text(*lines: str, eol: str = "\n") -> bytes:
    return "".join(line + eol for line in lines).encode("utf-8")


def files() -> dict[str, bytes]:
    """Relative path (under sample_envs/) -> exact bytes."""
    k = KEYS
    out: dict[str, bytes] = {}

    # ------------------------------------------------------------------ clean projects
    out["clean-fastapi-dotenv/.env"] = _text(
        "# Local settings for the support summariser. Not committed (see .gitignore).",
        f"ANTHROPIC_API_KEY={k['clean-fastapi-dotenv']}",
        "SUMMARY_MODEL=claude-sonnet-4-6",
        "SUMMARY_MAX_TOKENS=1024",
        "LOG_LEVEL=debug",
    )
    out["clean-fastapi-dotenv/.env.example"] = _text(
        "# Copy to .env and fill in. Keys: Console -> Settings -> API keys.",
        "ANTHROPIC_API_KEY=sk-ant-your-key-here",
        "SUMMARY_MODEL=claude-sonnet-4-6",
        "SUMMARY_MAX_TOKENS=1024",
        "LOG_LEVEL=info",
    )
    out["clean-node-dotenv/.env"] = _text(
        f"ANTHROPIC_API_KEY={k['clean-node-dotenv']}",
        "GITHUB_REPO=acme/widgets",
        "RELEASE_NOTES_MODEL=claude-haiku-4-5",
    )
    out["clean-node-dotenv/.env.example"] = _text(
        "ANTHROPIC_API_KEY=",
        "GITHUB_REPO=acme/widgets",
        "RELEASE_NOTES_MODEL=claude-haiku-4-5",
    )
    out["clean-docker-env-file/docker.env"] = _text(
        "# Given to: docker run --env-file docker.env  (and compose env_file).",
        "# docker takes values verbatim: no quotes, no spaces around '=', no 'export'.",
        f"ANTHROPIC_API_KEY={k['clean-docker-env-file']}",
        "DIGEST_MODEL=claude-haiku-4-5",
        "DIGEST_HOUR=7",
        "PORT=8080",
    )
    out["clean-docker-env-file/.env"] = _text(
        "# docker compose project settings (interpolation only; never reaches the container)",
        "COMPOSE_PROJECT_NAME=digest",
        "IMAGE_TAG=1.4.2",
    )
    out["clean-monorepo-workspaces/apps/chat-web/.env"] = _text(
        f"ANTHROPIC_API_KEY={k['clean-monorepo-workspaces/chat-web']}",
        "PORT=3000",
    )
    out["clean-monorepo-workspaces/apps/chat-web/.env.example"] = _text(
        "ANTHROPIC_API_KEY=",
        "PORT=3000",
    )
    out["clean-monorepo-workspaces/apps/summarizer/.env"] = _text(
        f"ANTHROPIC_API_KEY={k['clean-monorepo-workspaces/summarizer']}",
        "BATCH_SIZE=20",
    )
    out["clean-monorepo-workspaces/apps/summarizer/.env.example"] = _text(
        "ANTHROPIC_API_KEY=",
        "BATCH_SIZE=20",
    )

    # ------------------------------------------------------------------ broken projects
    # EA103: a literal \n inside double quotes; python-dotenv turns it into a real newline.
    out["python-newline-key/.env"] = _text(
        "# Written by scripts/bootstrap_env.py from the team's secrets export",
        "ANTHROPIC_MODEL=claude-sonnet-4-6",
        f'ANTHROPIC_API_KEY="{k["python-newline-key"]}\\n"',
    )
    # CRLF: saved on Windows; docker drops the CR, `set -a; . deploy/docker.env` keeps it.
    out["windows-crlf-docker-env/deploy/docker.env"] = _text(
        f"ANTHROPIC_API_KEY={k['windows-crlf-docker-env']}",
        "QUEUE_NAME=invoices",
        "LOG_LEVEL=info",
        eol="\r\n",
    )
    # EA104: fine for load_dotenv(), quotes kept by `docker run --env-file .env`.
    out["docker-run-quoted-key/.env"] = _text(
        "# Local: load_dotenv() reads this file.",
        "# Prod: docker run --env-file .env acme/triage (see Makefile)",
        f'ANTHROPIC_API_KEY="{k["docker-run-quoted-key"]}"',
        "TRIAGE_MODEL=claude-haiku-4-5",
    )
    # EA105: typographic quotes added by the chat client.
    out["smart-quotes-from-chat/.env"] = _text(
        "# key from @maria in #ml-platform",
        f"ANTHROPIC_API_KEY=\u201c{k['smart-quotes-from-chat']}\u201d",
        "DIGEST_CHANNEL=ml-platform",
    )
    # EA106: `cp .env.example .env`, never filled in.
    example = _text(
        "# Copy this file to .env and put your key in it.",
        "ANTHROPIC_API_KEY=sk-ant-your-key-here",
        "NEWSLETTER_MODEL=claude-sonnet-4-6",
    )
    out["example-copied-placeholder/.env.example"] = example
    out["example-copied-placeholder/.env"] = example
    # EA107: the last three characters did not make it into the copy.
    out["truncated-key/.env"] = _text(
        f"ANTHROPIC_API_KEY={k['truncated-key']}",
        "STANDUP_CHANNEL=eng-standup",
    )
    # EA108: an Admin API key where an API key belongs.
    out["admin-key-as-api-key/.env"] = _text(
        "# created in the Console (Settings -> Admin keys)",
        f"ANTHROPIC_API_KEY={k['admin-key-as-api-key']}",
        "REPORT_MODEL=claude-sonnet-4-6",
    )
    # EA109: the two provider keys pasted into each other's line.
    out["openai-key-swapped/.env"] = _text(
        "# Provider keys for the eval harness",
        f"OPENAI_API_KEY={k['openai-key-swapped/anthropic']}",
        f"ANTHROPIC_API_KEY={k['openai-key-swapped/openai']}",
        "EVAL_MODELS=claude-sonnet-4-6,gpt-5-mini",
    )
    # EA112: a tutorial's variable name; the SDK reads ANTHROPIC_API_KEY.
    out["claude-api-key-misnamed/.env"] = _text(
        f"CLAUDE_API_KEY={k['claude-api-key-misnamed']}",
        "CLAUDE_MODEL=claude-sonnet-4-6",
    )
    out["auth-token-and-api-key/.env"] = _text(
        f"ANTHROPIC_API_KEY={k['auth-token-and-api-key/key']}",
        "BRIEFING_MODEL=claude-sonnet-4-6",
    )
    # EA206: Windows PowerShell 5 `>` / Out-File writes UTF-16 LE with a BOM and CRLF.
    out["powershell-utf16-env/.env"] = (
        "\ufeff"
        + f"ANTHROPIC_API_KEY={k['powershell-utf16-env']}\r\n"
        + "ANTHROPIC_MODEL=claude-sonnet-4-6\r\n"
    ).encode("utf-16-le")
    # EA205: the quote opened on line 2 closes on line 5 and swallows the key.
    out["unterminated-quote-swallows-key/.env"] = _text(
        "# Acme support bot",
        "BOT_NAME='Acme Helper",
        f"ANTHROPIC_API_KEY={k['unterminated-quote-swallows-key']}",
        "ANTHROPIC_MODEL=claude-sonnet-4-6",
        "BOT_GREETING='Hi! How can I help?'",
    )
    out["unterminated-quote-swallows-key/.env.example"] = _text(
        "BOT_NAME='Acme Helper'",
        "ANTHROPIC_API_KEY=",
        "ANTHROPIC_MODEL=claude-sonnet-4-6",
        "BOT_GREETING='Hi! How can I help?'",
    )
    out["devcontainer-empty-key/.env"] = _text(
        f"ANTHROPIC_API_KEY={k['devcontainer-empty-key']}",
        "TRIAGE_LABELS=bug,question,feature",
    )
    # EA113: the key was rotated in .env; the old one in .env.local still wins.
    out["rotated-key-env-local/.env"] = _text(
        "# rotated 2026-03-02 after the leak (old key revoked)",
        f"ANTHROPIC_API_KEY={k['rotated-key-env-local/new']}",
        "DIGEST_MODEL=claude-haiku-4-5",
    )
    out["rotated-key-env-local/.env.local"] = _text(
        "# my local overrides (not committed)",
        f"ANTHROPIC_API_KEY={k['rotated-key-env-local/old']}",
        "DEBUG=digest:*",
    )
    # EA212 / EA213: the key is right; the client is built before the file loads.
    for name, model in (("python-client-before-load-dotenv", "ISSUE_BOT_MODEL"),
                        ("python-load-dotenv-fixed", "ISSUE_BOT_MODEL"),
                        ("node-esm-hoisted-client", "STANDUP_MODEL"),
                        ("node-esm-dotenv-config-first", "STANDUP_MODEL")):
        out[f"{name}/.env"] = _text(f"ANTHROPIC_API_KEY={k[name]}", f"{model}=claude-haiku-4-5")
    # EA209: a good key in a .env file that nothing loads (no python-dotenv anywhere).
    out["python-dotenv-never-loaded/.env"] = _text(
        "# cp .env.example .env, then paste your key (Console -> Settings -> API keys)",
        f"ANTHROPIC_API_KEY={k['python-dotenv-never-loaded']}",
        "ANTHROPIC_MODEL=claude-haiku-4-5",
        "TRIAGE_LABELS=bug,question,feature-request",
    )
    out["python-dotenv-never-loaded/.env.example"] = _text(
        "# cp .env.example .env, then paste your key (Console -> Settings -> API keys)",
        "ANTHROPIC_API_KEY=",
        "ANTHROPIC_MODEL=claude-haiku-4-5",
        "TRIAGE_LABELS=bug,question,feature-request",
    )
    # EA113: the key was rotated in .env, compose's environment: still pins the revoked one and
    # beats env_file (the compose file carries a key, so it is written here too).
    project = "compose-environment-overrides-env-file"
    out[f"{project}/.env"] = _text(
        "# rotated 2026-03-02 after the leak (old key revoked)",
        f"ANTHROPIC_API_KEY={k[project + '/new']}",
        "DIGEST_MODEL=claude-haiku-4-5",
    )
    out[f"{project}/compose.yaml"] = _text(
        "services:",
        "  digest:",
        "    image: python:3.12-slim",
        "    working_dir: /app",
        "    volumes: [\".:/app\"]",
        "    command: sh -c \"pip install -q -r requirements.txt && python digest.py\"",
        "    env_file: .env",
        "    environment:",
        "      # TODO remove: pinned while debugging the staging outage",
        f"      ANTHROPIC_API_KEY: {k[project + '/old']}",
        "      DIGEST_HOUR: \"7\"",
    )
    # EA601: the gateway's docs show its URL with /v1, which the SDK appends again.
    out["gateway-base-url-v1/.env"] = _text(
        f"ANTHROPIC_API_KEY={k['gateway-base-url-v1']}",
        "# the platform team's gateway (URL from its onboarding page)",
        "ANTHROPIC_BASE_URL=https://llm-gateway.example.com/anthropic/v1",
        "ANTHROPIC_MODEL=claude-sonnet-4-6",
    )
    # EA607: a -latest alias from a 2025 tutorial, retired on February 19th, 2026.
    out["retired-model-haiku-latest/.env"] = _text(
        f"ANTHROPIC_API_KEY={k['retired-model-haiku-latest']}",
        "ANTHROPIC_MODEL=claude-3-5-haiku-latest",
        "MAIL_LABELS=billing,outage,sales,other",
    )
    # EA610: 64k tokens asked for in one non-streaming messages.create() call.
    out["max-tokens-non-streaming/.env"] = _text(
        f"ANTHROPIC_API_KEY={k['max-tokens-non-streaming']}",
        "ANTHROPIC_MODEL=claude-sonnet-4-6",
        "# long quarterly reports: give the model room",
        "ANTHROPIC_MAX_TOKENS=64000",
    )
    # EA404: the TLS-inspecting proxy's CA is given to requests only.
    out["tls-proxy-requests-ca-bundle/.env"] = _text(
        "# Office network: every HTTPS connection goes through the TLS-inspecting proxy.",
        f"ANTHROPIC_API_KEY={k['tls-proxy-requests-ca-bundle']}",
        "HTTPS_PROXY=http://proxy.corp.example:3128",
        "REQUESTS_CA_BUNDLE=certs/corp-proxy-ca.pem",
    )
    # EA304: the proxy moved; the shell profile still exports the old lower-case variable.
    out["proxy-case-conflict-lowercase-wins/.env"] = _text(
        f"ANTHROPIC_API_KEY={k['proxy-case-conflict-lowercase-wins']}",
        "ANTHROPIC_MODEL=claude-sonnet-4-6",
    )
    # EA307: the cluster's NO_PROXY template lets the API host bypass the egress proxy.
    out["egress-locked-no-proxy-api/deploy/app.env"] = _text(
        f"ANTHROPIC_API_KEY={k['egress-locked-no-proxy-api']}",
        "HTTPS_PROXY=http://egress-proxy.internal.example:3128",
        "NO_PROXY=localhost,127.0.0.1,.svc.cluster.local,.internal.example,.anthropic.com",
    )
    return out


def write(root: Path = HERE) -> list[Path]:
    """Write every file under ``root``; return the paths written."""
    written = []
    for rel, data in files().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


if __name__ == "__main__":
    if "--keys" in sys.argv[1:]:
        for name, key in KEYS.items():
            print(f"{name}: {key}")
    else:
        for path in write():
            print(path.relative_to(HERE))
