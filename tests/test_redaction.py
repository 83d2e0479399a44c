"""Redaction (spec cli.md "Redaction and value fingerprints"): no secret reaches any output.

* units: which values are secrets, ``hint``, ``value_fp`` against a direct HMAC, URL passwords,
  the self-check (``SecretSet.check``) and traceback scrubbing;
* the CLI refuses (exit 2, one line without the secret) when a formatter leaks;
* a hypothesis property: random credentials planted in ``.env``, ``.env.local``, a docker env
  file given with ``--env-file``, a compose file's ``environment:``, an env file only compose
  reads and the process environment never appear, whole or as any
  12-character piece of their secret part, in stdout, stderr or written files of any command,
  any format, with and without ``-o`` and ``-v``, nor on the error paths.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from click.testing import CliRunner, Result
from factories import API_KEY, findings_report, fragments
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envaudit import engine
from envaudit.cli import main
from envaudit.errors import LeakError
from envaudit.formatters import FORMATTERS, OutputFormat, RenderOptions
from envaudit.output import collect_secrets
from envaudit.redact import (
    SecretSet,
    find_forms,
    hint,
    is_secret,
    looks_like_credential,
    redact_url,
    salt,
    scrub_text,
    show,
    url_password,
    url_passwords,
    value_fp,
)

# ---------------------------------------------------------------- hint and value_fp


def test_hint_has_the_spec_example_shape() -> None:
    key = "sk-ant-api03-" + "Q" * 91 + "x9AA"
    assert len(key) == 108
    assert hint(key) == f"sk-ant-api03-…x9AA (108 chars, fp {value_fp(key)})"
    assert re.fullmatch(r"sk-ant-api03-…x9AA \(108 chars, fp [0-9a-f]{16}\)", hint(key))


@pytest.mark.parametrize("value, expected", [
    ("hunter2hunter2", "… (14 chars, fp {fp})"),  # < 20 chars: no last 4
    ("p" * 19 + "Z", "…pppZ (20 chars, fp {fp})"),
    ("sk-ant-admin01-" + "a" * 91 + "bcAA", "sk-ant-admin01-…bcAA (110 chars, fp {fp})"),
    ("sk-ant-oat01-" + "t" * 60, "sk-ant-oat01-…tttt (73 chars, fp {fp})"),
    ("sk-proj-" + "o" * 40, "sk-proj-…oooo (48 chars, fp {fp})"),
    ('"sk-ant-api03-' + "k" * 93 + 'AA"', '"sk-ant-api03-…kAA" (110 chars, fp {fp})'),
    ("sk-ant-api03-" + "k" * 93 + "AA\n", "sk-ant-api03-…kAA\\n (109 chars, fp {fp})"),
    (" sk-ant-api03-" + "k" * 93 + "AA", " sk-ant-api03-…kkAA (109 chars, fp {fp})"),
])
def test_hint(value: str, expected: str) -> None:
    assert hint(value) == expected.format(fp=value_fp(value))


def _direct_fp(value: str, key: str) -> str:
    data = value.encode("utf-8", "surrogateescape")
    return hmac.new(key.encode("utf-8"), data, hashlib.sha256).hexdigest()[:16]


@pytest.mark.parametrize("value", [API_KEY, "", "é–ü密", "bytes \udcff\udcfe undecodable"])
def test_value_fp_is_the_spec_hmac(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENVAUDIT_SALT", raising=False)
    assert value_fp(value) == _direct_fp(value, "envaudit-v1")
    monkeypatch.setenv("ENVAUDIT_SALT", "team-salt")
    assert value_fp(value) == _direct_fp(value, "team-salt")
    assert re.fullmatch(r"[0-9a-f]{16}", value_fp(value))


def test_value_fp_same_value_same_salt_same_fp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVAUDIT_SALT", "a")
    first = value_fp(API_KEY)
    assert value_fp(API_KEY) == first
    assert value_fp(API_KEY + "x") != first
    monkeypatch.setenv("ENVAUDIT_SALT", "b")
    assert value_fp(API_KEY) != first


# ---------------------------------------------------------------- classification

SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PWD", "CREDENTIAL", "AUTH",
                "PRIVATE", "DSN", "COOKIE", "SESSION")


@pytest.mark.parametrize("word", SECRET_WORDS)
def test_secret_by_name(word: str) -> None:
    for name in (word, f"APP_{word}", f"{word.lower()}_value", f"MY{word}S"):
        assert is_secret(name, "plain-looking-value")
        assert show(name, "plain-looking-value").startswith("… (19 chars, fp ")


@pytest.mark.parametrize("value", [
    "sk-ant-api03-" + "a" * 93 + "AA",
    "sk-ant-admin01-" + "a" * 93 + "AA",
    "sk-ant-oat01-" + "a" * 50,
    "sk-ant-api03-short",  # malformed Anthropic keys are secrets too
    "sk-proj-" + "a1B2" * 10,
    "AKIA" + "A1B2C3D4E5F6G7H8",
    "ghp_" + "a" * 36,
    '"sk-proj-' + "a1B2" * 10 + '"\n',
    "x-api-key: sk-ant-api03-" + "b" * 93 + "AA",
])
def test_secret_by_value_format_under_any_name(value: str) -> None:
    assert looks_like_credential(value)
    assert is_secret("SOME_SETTING", value)
    assert value not in show("SOME_SETTING", value)


@pytest.mark.parametrize("value, password", [
    ("postgres://u:PASSw0rd@h/db", "PASSw0rd"),
    ("http://user:p@ss@proxy:3128", "p@ss"),
    ("https://x-access-token:tok3n@github.com/o/r.git", "tok3n"),
    ('"redis://:s3cret@cache:6379/0"', "s3cret"),
    ("https://ghp_" + "a" * 36 + "@github.com/o/r", "ghp_" + "a" * 36),
])
def test_url_passwords(value: str, password: str) -> None:
    assert url_password(value) == password
    assert password not in show("UPSTREAM", value)
    assert "***" in redact_url(value)


def test_several_url_passwords_in_one_value() -> None:
    value = "a://u:one111@h1,b://v:two222@h2"
    assert url_passwords(value) == ["one111", "two222"]
    assert redact_url(value) == "a://u:***@h1,b://v:***@h2"


@pytest.mark.parametrize("name, value", [
    ("ANTHROPIC_MODEL", "claude-sonnet-4-5"),
    ("ANTHROPIC_BASE_URL", "https://gw.example.com/anthropic"),
    ("HTTPS_PROXY", "http://proxy.corp:3128"),
    ("NO_PROXY", "localhost,.corp"),
    ("SSL_CERT_FILE", "/etc/ssl/certs/corp-bundle.pem"),
    ("PWD", "/home/dev/project"),
    ("OLDPWD", "/home/dev"),
    ("SSH_AUTH_SOCK", "/tmp/ssh-XXXX/agent.42"),
    ("GOOGLE_APPLICATION_CREDENTIALS", "/home/dev/gcp.json"),
    ("POSTGRES_PASSWORD_FILE", "/run/secrets/db"),
    ("NODE_EXTRA_CA_CERTS", "C:\\certs\\corp.pem"),
])
def test_non_secret_values_are_shown_in_full(name: str, value: str) -> None:
    assert not is_secret(name, value)
    assert show(name, value) == value


def test_a_path_named_variable_holding_a_key_is_still_secret() -> None:
    assert is_secret("KEY_FILE", "sk-ant-api03-" + "a" * 93 + "AA")
    assert is_secret("DB_PASSWORD_FILE", "not a path")


def test_show_escapes_control_and_invisible_characters() -> None:
    assert show("ANTHROPIC_MODEL", "claude\n") == "claude\\n"
    assert show("ANTHROPIC_MODEL", "clau\u200bde") == "clau\\u200bde"
    assert show("ANTHROPIC_MODEL", "") == '""'
    assert show("ANTHROPIC_MODEL", None) == "(no value)"


# ---------------------------------------------------------------- self-check and scrubbing


def test_self_check_finds_raw_and_escaped_forms() -> None:
    secrets = SecretSet()
    value = 'pa"ss\nwörd-123456'
    secrets.add("DB_PASSWORD", value)
    for text in (value, json.dumps(value), json.dumps(value, ensure_ascii=False), repr(value),
                 value.strip()):
        with pytest.raises(LeakError) as err:
            secrets.check(f"report: {text}")
        assert value not in str(err.value) and "wörd" not in str(err.value)
    secrets.check(hint(value))


@settings(max_examples=300, deadline=None)
@given(secret=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x17f),
                      min_size=12, max_size=60),
       before=st.text(max_size=80), after=st.text(max_size=80))
def test_self_check_finds_a_secret_at_any_offset(secret: str, before: str, after: str) -> None:
    # The check indexes every 8th window of the text: every position and length must still
    # be caught.
    secrets = SecretSet()
    secrets.add("DB_PASSWORD", secret)
    with pytest.raises(LeakError):
        secrets.check(before + secret + after)


#: Few characters, multi-byte ones and a lone surrogate among them: forms and texts collide
#: often, and windows cut through UTF-8 sequences.
SMALL_ALPHABET = "abAB01-_\"\\\n é–€密\U0001f511\ud800"


#: Generic secrets with the characters that have escaped forms (quote, backslash, newline).
SECRET_ALPHABET = "abcXYZ012!%&()*+,-./:;<>?@[]^_{|}~éüß密–’€\"\\\n"


def _planted_text(draw: Callable[[st.SearchStrategy[Any]], Any], forms: list[str],
                  alphabet: str) -> str:
    """Random text with some of ``forms``, and pieces of others, planted at random offsets."""
    pieces = [draw(st.text(alphabet, max_size=40))]
    for form in forms:
        kind = draw(st.sampled_from(["whole", "head", "tail", "none"]))
        cut = draw(st.integers(0, len(form)))
        pieces.append({"whole": form, "head": form[:cut], "tail": form[cut:], "none": ""}[kind])
        pieces.append(draw(st.text(alphabet, max_size=12)))
    return "".join(pieces)


@st.composite
def forms_and_text(draw: st.DrawFn) -> tuple[list[str], str]:
    """Up to 40 strings (so both widths and the direct search run) and a text."""
    alphabet = draw(st.sampled_from([SMALL_ALPHABET, "ab", ALNUM + "é"]))
    forms = draw(st.lists(st.text(alphabet, max_size=30), max_size=40))
    return forms, _planted_text(draw, forms, alphabet)


def _reference_find(forms: list[str], text: str) -> set[str]:
    return {f for f in forms if f in text}


@settings(max_examples=400, deadline=None)
@given(case=forms_and_text())
def test_find_forms_is_a_search_for_each_form(case: tuple[list[str], str]) -> None:
    forms, text = case
    assert find_forms(forms, text) == _reference_find(forms, text)


@settings(max_examples=100, deadline=None)
@given(secrets=st.lists(st.text(SECRET_ALPHABET, min_size=12, max_size=60),
                        min_size=1, max_size=30, unique=True),
       data=st.data())
def test_leaked_is_the_first_secret_any_form_of_which_is_in_the_text(
        secrets: list[str], data: st.DataObject) -> None:
    collected = SecretSet()
    collected.add_all(("DB_PASSWORD", s) for s in secrets)
    forms = [f for fs in collected._forms.values() for f in fs]
    text = _planted_text(data.draw, data.draw(st.permutations(forms)), SECRET_ALPHABET)
    expected = next((secret for secret, fs in collected._forms.items()
                     if any(f in text for f in fs)), None)
    assert collected.leaked(text) == expected
    if expected is None:
        collected.check(text)
    else:
        with pytest.raises(LeakError, match=f"fp {value_fp(expected)}"):
            collected.check(text)


def test_find_forms_in_a_large_text() -> None:
    # thousands of key-shaped forms against a report-sized text: each planted one is found,
    # wherever it starts relative to the windows, and nothing else
    forms = [f"sk-ant-api03-{i:05d}" + "Qz_9" * 20 + f"{i:04d}AA" for i in range(3000)]
    filler = "".join(f'{{"path": "apps/a{i}/.env", "shown": "sk-ant-api03-…{i:04d}AA"}}\n'
                     for i in range(6000))
    planted = [forms[i] for i in (0, 17, 1234, 2999)]
    text = filler[:1001] + planted[0] + filler[1001:50003] + planted[1] + "é" + planted[2] \
        + filler[50003:] + planted[3]
    assert find_forms(forms, text) == set(planted)
    assert find_forms(forms, filler) == set()
    assert find_forms(["short", "x" * 9], "a short text") == {"short"}


def test_hint_and_show_take_the_salt_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVAUDIT_SALT", "per-run")
    key = salt()
    assert hint(API_KEY, key) == hint(API_KEY)
    assert show("ANTHROPIC_API_KEY", API_KEY, key) == show("ANTHROPIC_API_KEY", API_KEY)
    assert hint(API_KEY, b"other") != hint(API_KEY)


def test_self_check_ignores_short_and_non_secret_values() -> None:
    secrets = SecretSet()
    secrets.add_all([("DEBUG_TOKEN", "1"), ("ANTHROPIC_MODEL", "claude-sonnet-4-5"),
                     ("PWD", "/project")])
    assert len(secrets) == 0
    secrets.check("1 claude-sonnet-4-5 /project")


def test_a_credential_pasted_as_a_name_is_collected() -> None:
    secrets = SecretSet()
    secrets.add("sk-ant-api03-" + "n" * 93 + "AA", None)
    assert len(secrets) == 1


def test_scrub_hides_collected_secrets_and_credential_shapes() -> None:
    secrets = SecretSet()
    secrets.add("SESSION_SECRET", "zq-9Lm-44-Tt-secret")
    text = ("ValueError: zq-9Lm-44-Tt-secret and 'zq-9Lm-44-Tt-secret' and "
            "b'Bearer sk-ant-api03-abcdefghijklmnop' via http://u:pr0xypass@proxy")
    out = secrets.scrub(text)
    for leaked in ("zq-9Lm-44-Tt-secret", "abcdefghijklmnop", "pr0xypass"):
        assert leaked not in out
    assert "fp " in out and "http://u:***@proxy" in out
    assert scrub_text("nothing secret here") == "nothing secret here"


def test_golden_fixture_passes_the_self_check_in_every_format() -> None:
    report = findings_report()
    secrets = collect_secrets(report.snapshot)
    assert len(secrets) >= 4
    for fmt in OutputFormat:
        secrets.check(FORMATTERS[fmt].render(report, RenderOptions(verbose=True)))


# ---------------------------------------------------------------- the CLI refuses a leak


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_a_leaking_formatter_makes_the_cli_refuse(runner: CliRunner, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-ant-api03-" + "L" * 91 + "k9AA"
    (tmp_path / ".env").write_text(f"ANTHROPIC_API_KEY={secret}\n")
    formatter = FORMATTERS[OutputFormat.JSON]
    monkeypatch.setattr(type(formatter), "render",
                        lambda self, report, options: f'{{"leak": "{secret}"}}\n')
    out = tmp_path / "report.json"
    for args in (["--format", "json"], ["--format", "json", "-o", str(out)]):
        result = runner.invoke(main, ["scan", str(tmp_path), *args])
        assert result.exit_code == 2
        assert result.stdout == ""
        (line,) = _lines(result.stderr)
        assert line.startswith("envaudit: error: refusing to write the report")
        assert f"fp {value_fp(secret)}" in line
        assert secret not in line and "LLLLLLLLLLLL" not in line
    assert not out.exists() and os.listdir(tmp_path) == [".env"]


# ---------------------------------------------------------------- the property

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
KEY_ALPHABET = ALNUM + "_-"
#: Generic secrets: printable ASCII without quotes, backslash, '$', '#' and '=' (which the
#: loaders interpret), plus non-ASCII letters and symbols.
GENERIC_ALPHABET = ALNUM + "!%&()*+,-./:;<>?@[]^_{|}~" + "éüßøñ密码–’€"


def _own_text_pieces() -> frozenset[str]:
    """Every 12-character piece of envaudit's own source and data: text a report may contain
    for reasons of its own (hypothesis feeds string constants of the code under test into
    generated text, and a "secret" holding ``ker-env-file`` proves nothing)."""
    package = Path(engine.__file__).parent
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(package.rglob("*"))
                     if p.suffix in (".py", ".toml"))
    return frozenset(text[i:i + 12] for i in range(len(text) - 11))


OWN_TEXT = _own_text_pieces()


def _diverse(alphabet: str, size: int) -> st.SearchStrategy[str]:
    """``size`` characters that start with 12 distinct ones and share no 12-character piece
    with envaudit's own text, as a real credential's random part does not."""
    head = st.permutations(list(alphabet)).map(lambda p: "".join(p[:12]))
    body = st.tuples(head, st.text(alphabet, min_size=size - 12, max_size=size - 12)).map(
        lambda t: t[0] + t[1])
    return body.filter(lambda b: not any(b[i:i + 12] in OWN_TEXT for i in range(len(b) - 11)))


@dataclass(frozen=True)
class Planted:
    """A credential as planted: where, under which name, the value, its secret part."""

    site: str
    name: str
    value: str
    secret: str


def _wrap(value: str, style: str) -> str:
    return {"plain": value, "newline": value + "\n", "quoted": f'"{value}"',
            "spaces": f" {value} ", "nonascii": value + "’"}[style]


@st.composite
def credentials(draw: st.DrawFn) -> tuple[str, str, str]:
    """(name, value, secret part): every kind of credential the spec names."""
    kind = draw(st.sampled_from(["api", "admin", "oauth", "openai", "generic", "url", "proxy",
                                 "pasted"]))
    if kind in ("api", "admin"):
        body = draw(_diverse(KEY_ALPHABET, 93)) + "AA"
        prefix = "sk-ant-api03-" if kind == "api" else "sk-ant-admin01-"
        name = draw(st.sampled_from(["ANTHROPIC_API_KEY", "ANTHROPIC_ADMIN_KEY", "CLAUDE_KEY",
                                     "LLM_SETTING", "ANTHROPIC_MODEL"]))
        return name, prefix + body, body
    if kind == "oauth":
        body = draw(_diverse(KEY_ALPHABET, draw(st.integers(40, 90))))
        return (draw(st.sampled_from(["ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN",
                                      "SOMETHING"])), "sk-ant-oat01-" + body, body)
    if kind == "openai":
        body = draw(_diverse(KEY_ALPHABET, draw(st.integers(20, 80))))
        return (draw(st.sampled_from(["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "LLM"])),
                "sk-proj-" + body, body)
    if kind == "generic":
        body = draw(_diverse(GENERIC_ALPHABET, draw(st.integers(12, 40))))
        word = draw(st.sampled_from(["TOKEN", "PASSWORD", "SECRET", "API_KEY", "SESSION"]))
        return f"APP_{word}", body, body
    if kind in ("url", "proxy"):
        password = draw(_diverse(ALNUM + "-_.~!*", draw(st.integers(12, 30))))
        if kind == "url":
            name = draw(st.sampled_from(["DATABASE_URL", "REDIS_URL", "UPSTREAM"]))
            return name, f"postgres://app:{password}@db.internal:5432/app", password
        name = draw(st.sampled_from(["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "ALL_PROXY"]))
        # unencoded characters that cut the URL or split it twice (EA301, EA305): the password
        # as the writer meant it is still a secret
        password += draw(st.sampled_from(["", "#x9", "@x9", "/x9", "?x9"]))
        return name, f"http://proxyuser:{password}@proxy.internal:3128", password
    body = draw(_diverse(KEY_ALPHABET, 93)) + "AA"
    return "", "sk-ant-api03-" + body, body  # pasted on a line of its own


@st.composite
def plantings(draw: st.DrawFn) -> list[Planted]:
    out = []
    for name, value, secret in draw(st.lists(credentials(), min_size=1, max_size=4)):
        site = draw(st.sampled_from([".env", ".env.local", "docker", "process", "compose",
                                     "compose-file"]))
        if site in ("process", "compose") and any(p.site == site and p.name == name
                                                  for p in out):
            site = ".env"  # one value per name there: a second would replace the first
        if not name:
            out.append(Planted(".env" if site in ("process", "compose") else site, "", value,
                               secret))
            continue
        style = draw(st.sampled_from(["plain", "newline", "quoted", "spaces", "nonascii"]))
        if site == "docker" and style == "newline":
            style = "plain"  # a docker env file has no way to write a newline in a value
        out.append(Planted(site, name, _wrap(value, style), secret))
    return out


def _dotenv_line(p: Planted) -> str:
    if not p.name:
        return p.value
    escaped = p.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'{p.name}="{escaped}"'


@contextmanager
def _project(planted: list[Planted]) -> Iterator[tuple[Path, Path, dict[str, str]]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "app"
        root.mkdir()
        deploy = Path(tmp) / "deploy.env"
        lines: dict[str, list[str]] = {".env": ["ANTHROPIC_MODEL=claude-sonnet-4-5"],
                                       ".env.local": [], "docker": [], "compose-file": [],
                                       "compose": ["      ANTHROPIC_LOG: info"]}
        environ = {}
        for p in planted:
            if p.site == "process":
                environ[p.name] = p.value
            elif p.site == "docker":
                lines["docker"].append(f"{p.name}={p.value}" if p.name else p.value)
            elif p.site == "compose":  # a JSON string is a YAML double-quoted scalar
                lines["compose"].append(f"      {p.name}: {json.dumps(p.value)}")
            else:
                lines[p.site].append(_dotenv_line(p))
        (root / ".env").write_text("\n".join(lines[".env"]) + "\n", encoding="utf-8")
        (root / ".env.local").write_text("\n".join(lines[".env.local"]) + "\n", encoding="utf-8")
        deploy.write_text("\n".join(lines["docker"]) + "\n", encoding="utf-8")
        # compose reads config/app.vars (not a dotenv name: only compose reads it) and has its
        # own environment: entries
        (root / "config").mkdir()
        (root / "config" / "app.vars").write_text("\n".join(lines["compose-file"]) + "\n",
                                                  encoding="utf-8")
        (root / "compose.yaml").write_text(
            "services:\n  app:\n    env_file: [.env, config/app.vars]\n    environment:\n"
            + "\n".join(lines["compose"]) + "\n", encoding="utf-8")
        yield root, deploy, environ


def _assert_hidden(planted: list[Planted], where: str, text: str) -> None:
    for p in planted:
        assert p.value.strip() not in text, f"{p.name or 'pasted key'} leaked in {where}"
        leaked = sorted(f for f in fragments(p.secret) if f in text)
        assert not leaked, f"{p.name or 'pasted key'}: {leaked[0]!r} leaked in {where}"


def _assert_one_error_line(result: Result) -> None:
    assert result.exit_code == 2, result.stderr
    assert len(_lines(result.stderr)) >= 1
    assert _lines(result.stderr)[-1].startswith("envaudit: error: ")


FORMATS = ["text", "json", "markdown", "sarif"]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(planted=plantings())
def test_no_planted_secret_reaches_any_output(planted: list[Planted], runner: CliRunner) -> None:
    with _project(planted) as (root, deploy, environ):
        base = ["scan", str(root), "--env-file", str(deploy)]
        runs: list[tuple[str, Result, Path | None]] = []
        for fmt in FORMATS:
            runs.append((fmt, runner.invoke(main, [*base, "--format", fmt], env=environ), None))
            out = root.parent / f"report.{fmt}"
            runs.append((f"{fmt} -o", runner.invoke(main, [*base, "--format", fmt, "-o",
                                                          str(out)], env=environ), out))
        runs.append(("-v", runner.invoke(main, [*base, "-v"], env=environ), None))
        runs.append(("no command", runner.invoke(main, ["--env-file", str(deploy), str(root)],
                                                 env=environ), None))
        # snapshots (JSON to stdout and to a file, Markdown), then diffs of the file against
        # `live` (the same project audited again) in every diff format
        snap = root.parent / "snap.json"
        snap_args = ["snapshot", str(root), "--env-file", str(deploy)]
        runs.append(("snapshot -o", runner.invoke(main, [*snap_args, "-o", str(snap)],
                                                  env=environ), snap))
        runs.append(("snapshot", runner.invoke(main, snap_args, env=environ), None))
        runs.append(("snapshot markdown", runner.invoke(main, [*snap_args, "--format",
                                                               "markdown"], env=environ), None))
        runs.extend((f"diff {fmt}", runner.invoke(main, [
            "diff", str(snap), "live", "--project", str(root), "--env-file", str(deploy),
            "--format", fmt, "-v"], env=environ), None) for fmt in ("text", "json", "markdown"))
        for name, result, written in runs:
            assert result.exit_code in (0, 1), (name, result.stderr)
            _assert_hidden(planted, f"{name} stdout", result.stdout)
            _assert_hidden(planted, f"{name} stderr", result.stderr)
            if written is not None:
                _assert_hidden(planted, f"{name} file", written.read_text(encoding="utf-8"))
        for args in (["rules"], ["rules", "EA103"], ["rules", "--format", "markdown"]):
            result = runner.invoke(main, args, env=environ)
            assert result.exit_code == 0
            _assert_hidden(planted, " ".join(args), result.stdout + result.stderr)

        # error paths: an unwritable -o, and an internal error whose message quotes every value
        result = runner.invoke(main, [*base, "-o", str(root / "missing" / "r.json")], env=environ)
        _assert_one_error_line(result)
        _assert_hidden(planted, "unwritable -o", result.stdout + result.stderr)
        boom = RuntimeError("boom: " + " | ".join(repr(p.value) for p in planted))
        for verbose in ([], ["-v"]):
            with mock.patch.object(engine, "audit", side_effect=boom):
                result = runner.invoke(main, [*base, *verbose], env=environ)
            _assert_one_error_line(result)
            assert "RuntimeError" in result.stderr
            _assert_hidden(planted, f"internal error {verbose}", result.stdout + result.stderr)


def test_pid_secrets_stay_hidden_in_every_format_and_traceback(runner: CliRunner,
                                                                tmp_path: Path) -> None:
    """Secrets in a ``--pid`` process's environment: every variable a rule reads and every
    other one (a traceback re-reads them), in every format, ``-o``, and an internal error."""
    from processes import running

    key = "sk-ant-api03-" + "Pd3_" * 23 + "kAA"
    password = "Pid-Proxy-Passw0rd-91"
    other = "Unrelated-Db-Secret-4455"
    (tmp_path / ".env").write_text("ANTHROPIC_MODEL=claude-sonnet-4-5\n", encoding="utf-8")
    environ = {"ANTHROPIC_API_KEY": key, "HTTPS_PROXY": f"http://u:{password}@proxy:3128",
               "DB_PASSWORD": other}
    secrets = (key, key[13:25], key[50:62], password, other)
    with running(environ) as pid:
        base = ["scan", str(tmp_path), "--pid", str(pid)]
        for fmt in FORMATS:
            result = runner.invoke(main, [*base, "--format", fmt, "-v"])
            assert result.exit_code in (0, 1), result.stderr
            out = tmp_path.parent / f"pid-report.{fmt}"
            runner.invoke(main, [*base, "--format", fmt, "-o", str(out)])
            for text in (result.stdout, result.stderr, out.read_text(encoding="utf-8")):
                assert not [s for s in secrets if s in text], fmt
        boom = RuntimeError("boom: " + " | ".join(environ.values()))
        with mock.patch.object(engine, "collect", side_effect=boom):
            result = runner.invoke(main, [*base, "-v"])
    _assert_one_error_line(result)
    assert "Traceback" in result.stderr
    assert not [s for s in secrets if s in result.stdout + result.stderr]


def test_process_secrets_stay_hidden_in_a_real_subprocess(tmp_path: Path,
                                                          clean_environ: dict[str, str]) -> None:
    key = "sk-ant-api03-" + "Rz8_" * 23 + "qAA"
    password = "Sub-Process-Passw0rd-77"
    (tmp_path / ".env").write_text(f'ANTHROPIC_API_KEY="{key}\\n"\n', encoding="utf-8")
    env = {**clean_environ, "ANTHROPIC_AUTH_TOKEN": "sk-ant-oat01-" + key[13:70],
           "HTTPS_PROXY": f"http://u:{password}@proxy:3128", "DB_PASSWORD": password}
    for fmt in FORMATS:
        proc = subprocess.run([sys.executable, "-m", "envaudit", "scan", str(tmp_path),
                               "--format", fmt, "-v"], capture_output=True, text=True, env=env,
                              timeout=60, check=False)
        assert proc.returncode == 1, proc.stderr
        for secret in (key, key[13:25], key[40:52], password, password[:12]):
            assert secret not in proc.stdout + proc.stderr


@settings(max_examples=200, deadline=None)
@given(key=st.binary(max_size=150), message=st.binary(max_size=300))
def test_hmac_sha256_is_the_standard_one(key: bytes, message: bytes) -> None:
    import hashlib
    import hmac

    from envaudit.redact import hmac_sha256

    assert hmac_sha256(key, message) == hmac.new(key, message, hashlib.sha256).digest()


@pytest.mark.parametrize(("name", "secret"), [
    ("MAX_TOKENS", False), ("ANTHROPIC_MAX_TOKENS", False),
    ("CLAUDE_CODE_MAX_OUTPUT_TOKENS", False), ("MAX_THINKING_TOKENS", False),
    ("TOKEN_LIMIT", False), ("ANTHROPIC_AUTH_TOKEN", True), ("GITHUB_TOKEN", True),
    ("SLACK_TOKENS", True), ("MAX_TOKENS_API_KEY", True), ("MAX_TOKENS_SECRET", True),
])
def test_a_token_count_is_not_a_secret_by_its_name(name: str, secret: bool) -> None:
    """MAX_TOKENS=4096 names what is counted: the report shows the number (EA609, EA610). A
    credential-shaped value in it is still a secret by its value."""
    from envaudit.redact import is_secret_name, show

    assert is_secret_name(name) is secret
    if not secret:
        assert show(name, "4096") == "4096"
        assert API_KEY not in show(name, API_KEY)


# ---------------------------------------------------------------- the bug-ticket report


def test_the_markdown_reports_sections_hold_no_secret(runner: CliRunner, tmp_path: Path) -> None:
    """Secrets where the Markdown report's own sections read (issue 6): the sources table (every
    value of every source), the SDK table, the network path (proxy URLs with an unencoded '#'
    in the password, a base URL with a password, the full route table), the TLS line, the
    skipped items and the host; folded or not, ``-q``, ``-v``, ``-o`` (a <details> block is
    folded, not left out: its text is in the file)."""
    key = "sk-ant-api03-" + "Md7_" * 23 + "wAA"
    token = "sk-ant-oat01-" + "Tk9-" * 15
    proxy_password, lower_password = "Prx-Pass#w0rd-3141", "Lower-Proxy-Pw-2718"
    base_password, header_key = "Base-Url-Passw0rd-1618", "sk-ant-api03-" + "Hd4_" * 23 + "hAA"
    root = tmp_path / "app"
    site = root / ".venv" / "lib" / "python3.12" / "site-packages"
    site.mkdir(parents=True)
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.12.4\n")
    for name, version in (("anthropic", "2.17.0"), ("httpx2", "2.17.0"), ("requests", "2.34.2")):
        info = site / f"{name}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.3\nName: {name}\nVersion: {version}\n")
    (root / "app.py").write_text("from dotenv import load_dotenv\nload_dotenv()\n")
    (root / ".env").write_text(
        f'ANTHROPIC_API_KEY="{key}\\n"\n'
        f"HTTPS_PROXY=http://alice:{proxy_password}@proxy.internal:3128\n"
        f"ANTHROPIC_BASE_URL=https://gw:{base_password}@gateway.internal/anthropic\n"
        f'ANTHROPIC_CUSTOM_HEADERS="X-Api-Key: {header_key}"\n'
        "SSL_CERT_FILE=certs/corp.pem\nNO_PROXY=localhost\n", encoding="utf-8")
    (root / ".env.local").write_text(f"ANTHROPIC_API_KEY={key[:-3]}xAA\n", encoding="utf-8")
    environ = {"ANTHROPIC_AUTH_TOKEN": token,
               "https_proxy": f"http://bob:{lower_password}@proxy.internal:3128"}
    secrets = (key, token, proxy_password, lower_password, base_password, header_key)
    out = tmp_path / "report.md"
    texts = []
    for args in ([], ["-q"], ["-v"], ["-o", str(out)]):
        result = runner.invoke(main, ["scan", str(root), "--format", "markdown", *args],
                               env=environ)
        assert result.exit_code in (0, 1), result.stderr
        texts += [result.stdout, result.stderr]
    texts.append(out.read_text(encoding="utf-8"))
    report = texts[0]
    for heading in ("### Findings", "### Effective configuration", "### SDK and runtime versions",
                    "### Network path", "### What could not be checked", "### Host",
                    "Every source of each variable", "Every route"):
        assert heading in report
    assert "http://bob:***@proxy.internal:3128" in report  # the route, password hidden
    for text in texts:
        for secret in secrets:
            assert secret not in text
            assert not {f for f in fragments(secret) if f in text}, secret


@pytest.mark.parametrize("name", ["SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE",
                                  "NODE_EXTRA_CA_CERTS"])
def test_a_key_pasted_into_a_ca_variable_is_shown_as_a_hint(runner: CliRunner, tmp_path: Path,
                                                            name: str) -> None:
    """A CA variable holds a path, shown in full; a credential pasted there is not a path: the
    TLS rules and the effective table show its hint (the self-check used to refuse the report,
    exit 2)."""
    key = "sk-ant-api03-" + "Ca7_" * 23 + "kAA"
    (tmp_path / ".env").write_text("ANTHROPIC_MODEL=claude-sonnet-4-6\n", encoding="utf-8")
    for fmt in FORMATS:
        result = runner.invoke(main, ["scan", str(tmp_path), "--format", fmt],
                               env={name: key, "ANTHROPIC_API_KEY": "sk-ant-api03-" + "x" * 95})
        assert result.exit_code in (0, 1), result.stderr
        assert key not in result.stdout and key[13:40] not in result.stdout
        if fmt == "text":
            assert "sk-ant-api03-…" in result.stdout
