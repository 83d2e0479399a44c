"""Quick edge cases of the pure helpers behind the EA1xx rules, and severities the golden files
do not show."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit.catalogue import credentials
from envaudit.rules.credentials import (
    anthropic_kind,
    article,
    core,
    describe_whitespace,
    diagnose_shape,
    foreign_kind,
    is_placeholder,
)
from envaudit.variables import misnamed_target

from .casefiles import CASES, Case, run
from .make_binary_cases import admin_key, api_key, fill, oauth_token

KEY = api_key("HELPERS")


@pytest.mark.parametrize(
    "value, expected",
    [
        (KEY, KEY),
        (f"  {KEY}\n", KEY),
        (f'"{KEY}"', KEY),
        (f"\"'{KEY}'\"", KEY),
        (f"`{KEY}`", KEY),
        (f'"{KEY}', KEY),  # unbalanced
        (f"\u201c{KEY}\u201d", KEY),  # typographic quotes
        (f"\u2018{KEY}\u2019", KEY),
        (f"\u200b{KEY}\u00a0", KEY),  # zero-width space, no-break space
        (f"\ufeff{KEY}", KEY),  # byte-order mark
        ("a b", "a b"),  # inner white space stays
        ("\"'\"", ""),
        ("", ""),
    ],
)
def test_core(value: str, expected: str) -> None:
    assert core(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (KEY[:-1], "107 characters instead of 108 (truncated), it does not end in 'AA'"),
        (KEY + "A", "109 characters instead of 108 (padded or pasted twice)"),
        (KEY + KEY, "216 characters instead of 108 (padded or pasted twice)"),
        (KEY[:50] + "+" + KEY[51:], "characters outside A-Z a-z 0-9 _ - ('+')"),
        (KEY[:50] + "." + KEY[51:-2] + "/A", "characters outside A-Z a-z 0-9 _ - ('.' '/'), "
                                             "it does not end in 'AA'"),
        (KEY + "\\n", "it ends with a literal backslash escape ('\\n' or '\\r': single quotes and "
                      "docker --env-file do not decode escapes), 110 characters instead of 108 "
                      "(padded or pasted twice)"),
        (admin_key("HELPERS")[:-2], "108 characters instead of 110 (truncated), it does not "
                                    "end in 'AA'"),
        ("sk-ant-oat01-" + fill("SHORT", 5), "only 5 characters after sk-ant-oat01- (40 or more "
                                             "expected)"),
        ("sk-ant-oat01-" + fill("DOT", 50) + ".", "characters outside A-Z a-z 0-9 _ - ('.')"),
        ("sk-ant-api04-" + fill("KIND", 95),
         "unknown key kind 'sk-ant-api04-' (known: sk-ant-api03-, sk-ant-admin01-, "
         "sk-ant-oat01-)"),
        ("sk-ant-" + fill("NOKIND", 95),
         "no key kind follows 'sk-ant-' (known: sk-ant-api03-, sk-ant-admin01-, sk-ant-oat01-)"),
    ],
)
def test_diagnose_shape(value: str, expected: str) -> None:
    assert diagnose_shape(value) == expected


@pytest.mark.parametrize("secret_part", ["Xy3k9", "q8WzT0", "abcdefgh", "AB12"])
def test_diagnose_shape_never_quotes_the_random_part(secret_part: str) -> None:
    # "sk-ant-Xy3k9-…": the segment after sk-ant- is not a kind, it may be the secret itself.
    text = f"sk-ant-{secret_part}-{fill('RANDOM', 90)}"
    assert secret_part not in diagnose_shape(text)


@pytest.mark.parametrize(
    "value, should_flag",
    [
        ("sk-ant-your-key-here", True),
        ("sk-ant-api03-...", True),
        ("sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", True),
        ("sk-ant-api03-<paste your key>", True),
        ("sk-ant-xxx", True),
        ("your-api-key", True),
        ("YOUR_ANTHROPIC_API_KEY", True),
        ("your-api-key-here", True),
        ("<ANTHROPIC_API_KEY>", True),
        ("[REDACTED]", True),
        ("{{ anthropic_api_key }}", True),
        ("%ANTHROPIC_API_KEY%", True),
        ("xxx", True),
        ("XXXXXXXX", True),
        ("changeme", True),
        ("change-me", True),
        ("TODO", True),
        ("...", True),
        ("\u2026", True),
        ("  changeme  ", True),
        ('"your-api-key"', True),
        # Real keys, whatever their random part spells, are never placeholders.
        (KEY, False),
        (f"sk-ant-api03-xxx{fill('TODO-xxx', 90)}AA", False),
        (f"sk-ant-api03-My{fill('todo', 91)}AA", False),
        (f"sk-ant-api03-yourQ3{fill('Zk9-xT', 80)}", False),  # truncated real key: EA107's
        (f"sk-ant-api03-xxxQ3{fill('Zk9-xT', 80)}", False),
        (oauth_token("HELPERS"), False),
        ("sk-proj-" + fill("OPENAI", 100), False),
        ("my-database-password-123", False),
        ("hunter2", False),
        ("", False),
    ],
)
def test_is_placeholder(value: str, should_flag: bool) -> None:
    assert is_placeholder(value) is should_flag


@pytest.mark.parametrize(
    "name, expected",
    [
        ("CLAUDE_API_KEY", "ANTHROPIC_API_KEY"),
        ("ANTHROPIC_KEY", "ANTHROPIC_API_KEY"),
        ("anthropic_api_key", "ANTHROPIC_API_KEY"),
        ("Anthropic_Api_Key", "ANTHROPIC_API_KEY"),
        ("anthropic-api-key", "ANTHROPIC_API_KEY"),
        ("ANTROPIC_API_KEY", "ANTHROPIC_API_KEY"),
        ("ANTHROPIC_API_KEYS", "ANTHROPIC_API_KEY"),
        ("ANTHROPIC_APIKEY", "ANTHROPIC_API_KEY"),
        ("VITE_ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY"),
        ("NEXT_PUBLIC_ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY"),
        ("VITE_CLAUDE_API_KEY", "ANTHROPIC_API_KEY"),
        ("anthropic_auth_token", "ANTHROPIC_AUTH_TOKEN"),
        ("aws_access_key_id", "AWS_ACCESS_KEY_ID"),
        ("ANTHROPIC_API_KEY", None),
        ("ANTHROPIC_AUTH_TOKEN", None),
        ("ANTHROPIC_ADMIN_KEY", None),
        ("ANTHROPIC_API_KEY_FILE", None),
        ("ANTHROPIC_API_URL", None),
        ("ANTHROPIC_BASE_URL", None),
        ("ANTHROPIC_BEDROCK_BASE_URL", None),
        ("ANTHROPIC_MODEL", None),
        ("OPENAI_API_KEY", None),
        ("GROQ_API_KEY", None),
    ],
)
def test_misnamed_target(name: str, expected: str | None) -> None:
    assert misnamed_target(name) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (KEY + "\n", "ends with a newline"),
        (KEY + "\r", "ends with a carriage return (CR)"),
        (KEY + "\r\n", "ends with a newline"),
        (KEY + " ", "ends with a space"),
        (KEY + "\t", "ends with a tab"),
        (KEY + "\x0b", "ends with a vertical tab"),
        (" " + KEY, "starts with a space"),
        ("\t" + KEY, "starts with a tab"),
        (KEY[:50] + "\n" + KEY[50:], "contains a line break"),
        (KEY[:50] + "\r" + KEY[50:], "contains a line break"),
        (KEY + "\x00", "contains a NUL byte"),
        (KEY, None),
        ("", None),
        (KEY[:50] + " " + KEY[50:], None),  # inner space: a malformed key (EA107), no header error
        (KEY + "\u00a0", None),  # no-break space: EA105's
    ],
)
def test_describe_whitespace(value: str, expected: str | None) -> None:
    assert describe_whitespace(value) == expected


@pytest.mark.parametrize(
    "case_id, severities",
    [
        ("EA108/bad", ["error"]),
        ("EA108/edge-api-key-as-auth-token", ["warning"]),  # works with anthropic >= 2.0
        ("EA205/bad", ["warning"]),  # python-dotenv drops the line
        ("EA205/edge-docker-export", ["error"]),  # docker refuses the whole file
        ("EA206/edge-long-line", ["error", "warning"]),  # docker.env, then python-only .env
        ("EA110/bad", ["warning"]),
        ("EA111/bad", ["warning"]),
        ("EA113/bad", ["warning"]),
    ],
)
def test_severity(case_id: str, severities: list[str]) -> None:
    rule_id, name = case_id.split("/")
    report = run(Case(rule_id, CASES / rule_id / name))
    assert [f.severity.label for f in report.findings] == severities


@pytest.mark.parametrize(
    "label, expected",
    [("Anthropic API key", "an"), ("OpenAI project key", "an"), ("xAI key", "an"),
     ("AWS access key id", "an"), ("Groq key", "a"), ("Google API key", "a"),
     ("Hugging Face token", "a"), ("GitHub token", "a")],
)
def test_article(label: str, expected: str) -> None:
    assert article(label) == expected


# ---------------------------------------------------------------- remembered classifiers


def _first_is_placeholder(value: str) -> bool:
    """``is_placeholder`` as first written: the formats first, each pattern from the catalogue."""
    cat = credentials()
    text = core(value)
    if not text:
        return False
    if any(f.pattern.fullmatch(text) for f in cat.anthropic):
        return False
    if not text.startswith("sk-ant-") and cat.any_foreign.fullmatch(text) and any(
            f.pattern.fullmatch(text) for f in cat.foreign):
        return False
    if cat.placeholders.fullmatch(text) is None:
        return False
    if text.startswith("sk-ant-"):
        kind = re.match(r"sk-ant-([a-z]{2,8}[0-9]{2})-", text)
        body = text[kind.end():] if kind else text[len("sk-ant-"):]
        classes = sum((any(c.isupper() for c in body), any(c.islower() for c in body),
                       any(c.isdigit() for c in body)))
        return not (len(body) >= 32 and len(set(body)) >= 12 and classes >= 2)
    return True


SHAPES = st.sampled_from(["", "sk-ant-api03-", "sk-ant-oat01-", "sk-ant-", "sk-proj-", "sk-",
                          "AKIA", "your-", "<", "xxx", " ", '"'])


@settings(max_examples=400, deadline=None)
@given(head=SHAPES, body=st.text("aZ9_-x.*<>… \"'", max_size=100))
def test_remembered_classifiers_agree_with_the_catalogue(head: str, body: str) -> None:
    value = head + body
    cat = credentials()
    assert anthropic_kind(value) == next(
        (f for f in cat.anthropic if f.pattern.fullmatch(value)), None)
    expected_foreign = None if value.startswith("sk-ant-") else next(
        (f for f in cat.foreign if f.pattern.fullmatch(value)), None)
    assert foreign_kind(value) == expected_foreign
    assert is_placeholder(value) == _first_is_placeholder(value)
