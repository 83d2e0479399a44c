"""``envaudit.cmdline``: which arguments of a command line show a secret, and the command line
with each replaced by its hint."""

from __future__ import annotations

import pytest

from envaudit.cmdline import describe, find_secrets, redact
from envaudit.model import CommandSecret
from envaudit.redact import hint

KEY = "sk-ant-api03-" + "Cmd7Line_" * 10 + "qrs" + "AA"
GITHUB = "ghp_" + "A1b2C3d4E5" * 3 + "f6G7h8"


@pytest.mark.parametrize("argv, expected", [
    (["python", "app.py", "--api-key", KEY], [(3, "option-value", KEY)]),
    (["python", "app.py", f"--api-key={KEY}"], [(2, "option-value", KEY)]),
    (["app", "--anthropic-api-key", KEY], [(2, "option-value", KEY)]),
    (["app", "--client-secret", "s3cr3t-Value-42"], [(2, "option-value", "s3cr3t-Value-42")]),
    (["app", "--password", "hunter2hunter2"], [(2, "option-value", "hunter2hunter2")]),
    (["env", f"ANTHROPIC_API_KEY={KEY}", "python", "x.py"], [(1, "assignment", KEY)]),
    (["docker", "run", "-e", "DB_PASSWORD=correct-horse-battery", "img"],
     [(3, "assignment", "correct-horse-battery")]),
    (["curl", "-H", "Authorization: Bearer abcdefghijklmnop", "https://api.example.com"],
     [(2, "header", "abcdefghijklmnop")]),
    (["curl", "-H", f"x-api-key: {KEY}"], [(2, "header", KEY)]),
    (["psql", "postgres://app:FAKE-db-Passw0rd@db/app"],
     [(1, "url-password", "FAKE-db-Passw0rd")]),
    (["tool", f"--config={KEY}"], [(1, "credential", KEY)]),
    (["git", "clone", f"https://{GITHUB}@github.example.com/x.git"],
     [(2, "url-password", GITHUB)]),
    (["node", "server.js", f"{KEY},{KEY}"],
     [(2, "credential", KEY), (2, "credential", KEY)]),
])
def test_secrets_are_found_with_their_index_and_kind(argv: list[str],
                                                     expected: list[tuple[int, str, str]]
                                                     ) -> None:
    assert find_secrets(argv) == tuple(CommandSecret(i, kind, hint(value))
                                       for i, kind, value in expected)


@pytest.mark.parametrize("argv", [
    ["gunicorn", "app:app", "--workers", "4", "--bind", "0.0.0.0:8000"],
    ["app", "--auth-type", "bearer", "--token-limit", "4096", "--max-tokens", "1024"],
    ["app", "--key", "/run/secrets/tls.key", "--keyfile", "server.pem"],
    ["app", "--token", "none", "--password", "true", "--secret", "short"],
    ["app", "--api-key"],  # the value is missing: nothing to hide
    ["app", "--api-key", "--verbose"],
    ["env", "PATH=/usr/bin", "HOME=/home/app", "python", "x.py"],
    ["python", "-c", "import os; os.environ['ANTHROPIC_API_KEY']"],
    ["curl", "https://proxy.example.com:3128"],
])
def test_ordinary_arguments_are_not_secrets(argv: list[str]) -> None:
    assert find_secrets(argv) == ()
    assert redact(argv)[0] == " ".join(argv)


def test_the_value_of_one_of_the_process_s_own_secrets_is_found_anywhere() -> None:
    argv = ["app", "--db", "s3cr3t-from-env!", "--label", "release-2026-12"]
    environ = {"DB_PASSWORD": "s3cr3t-from-env!", "RELEASE": "release-2026-12"}
    assert find_secrets(argv, environ) == (
        CommandSecret(2, "environment-value", hint("s3cr3t-from-env!")),)


def test_redact_replaces_each_secret_by_its_hint_and_keeps_the_rest() -> None:
    argv = ["python", "app.py", f"--api-key={KEY}", "--url",
            "postgres://app:FAKE-db-Passw0rd@db/app", "-H", "Authorization: Bearer abcdefghijk"]
    text, secrets, raw = redact(argv)
    assert text == (f"python app.py --api-key={hint(KEY)} --url "
                    f"postgres://app:{hint('FAKE-db-Passw0rd')}@db/app -H "
                    f"Authorization: Bearer {hint('abcdefghijk')}")
    assert [s.index for s in secrets] == [2, 4, 6]
    assert raw == [KEY, "FAKE-db-Passw0rd", "abcdefghijk"]
    for value in raw:
        assert value not in text


def test_control_characters_are_escaped_so_a_command_stays_on_one_line() -> None:
    text, _, _ = redact(["app", "--name", "two\nlines"])
    assert text == "app --name two\\nlines"


def test_describe_never_quotes_the_secret() -> None:
    secret = find_secrets(["app", "--token", KEY])[0]
    assert describe(secret) == "argument 2 is the value of a secret option"
    assert KEY not in describe(secret)
