"""``envaudit.exposure`` (what a file must not expose) and the proof that EA701-EA704 never
show a value: the real CLI on a project with written keys, in every format."""

from __future__ import annotations

import json
import random
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit.catalogue import credentials
from envaudit.collectors.base import CollectOptions
from envaudit.collectors.dotenv_files import read_file
from envaudit.exposure import credential_kind, credentials_in, is_file_secret, needles
from envaudit.model import DotenvFile

_KEY_CHARS = string.ascii_letters + string.digits + "_-"
_FORMATS = ("text", "json", "markdown", "sarif")


def looks_real(prefix: str, length: int, alphabet: str = _KEY_CHARS, suffix: str = "",
               seed: int = 0) -> str:
    """A key of random characters (made at test time: none is committed)."""
    rng = random.Random(f"{prefix}{seed}")
    return prefix + "".join(rng.choice(alphabet) for _ in range(length)) + suffix


API_KEY = looks_real("sk-ant-api03-", 93, suffix="AA")
ADMIN_KEY = looks_real("sk-ant-admin01-", 93, suffix="AA", seed=1)
GITHUB = looks_real("ghp_", 36, string.ascii_letters + string.digits)
AWS = looks_real("AKIA", 16, string.ascii_uppercase + string.digits)


@pytest.mark.parametrize(("value", "kind"), [
    (API_KEY, "Anthropic API key"),
    (f'"{API_KEY}"', "Anthropic API key"),
    (ADMIN_KEY, "Anthropic Admin API key"),
    (looks_real("sk-ant-oat01-", 60), "Anthropic OAuth access token"),
    (API_KEY[:70], "Anthropic credential"),          # truncated: still an Anthropic secret
    (GITHUB, "GitHub token"),
    (AWS, "AWS access key id"),
    (looks_real("sk-proj-", 48, string.ascii_letters + string.digits), "OpenAI project key"),
])
def test_real_looking_credentials(value: str, kind: str) -> None:
    assert credential_kind(value) == kind


@pytest.mark.parametrize("value", [
    "sk-ant-api03-" + "k" * 93 + "AA",                # one letter repeated
    "sk-ant-api03-" + "ab12" * 23 + "aAA",            # a short run repeated
    "sk-ant-api03-" + "FAKE-KEY-EXAMPLE-0000-" * 4 + "FAKE-AA",  # this project's fakes
    API_KEY[:50] + "EXAMPLE" + API_KEY[57:],          # a marker word anywhere
    "AKIAIOSFODNN7EXAMPLE",                           # AWS's documented example
    "sk-ant-api03-...", "sk-ant-your-key-here", "your-api-key", "", "changeme",
    "sk-ant-api03-short", "ghp_short", "not a key at all",
])
def test_not_real_looking(value: str) -> None:
    assert credential_kind(value) is None


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_format_starts_with_a_needle(data: st.DataObject) -> None:
    """The literal starts EA704 searches for cover every value of every format (the
    ``needles`` of credentials.toml must follow its patterns)."""
    cat = credentials()
    fmt = data.draw(st.sampled_from(cat.anthropic + cat.foreign))
    value = data.draw(st.from_regex(fmt.regex, fullmatch=True))
    assert any(value.encode().startswith(n) for n in needles()), (fmt.label, value)


def test_credentials_in_bytes() -> None:
    data = (f"# config\nA = '{API_KEY}'\n\nsteps = ['task-runner', 'disk-usage']\n"
            f"B = {GITHUB!r}  # \xe9\n").encode("latin-1")
    assert [(line, kind) for line, kind, _ in credentials_in(data)] == [
        (2, "Anthropic API key"), (5, "GitHub token")]
    assert list(credentials_in(b"no needle here: ask, risk, disk")) == []


@pytest.mark.parametrize(("name", "value", "secret"), [
    ("ANTHROPIC_API_KEY", API_KEY, True),
    ("DB_PASSWORD", "hunter2", True),
    ("DATABASE_URL", "postgres://app:pw-123456@db/app", True),
    ("DATABASE_URL", "postgres://db/app", False),
    ("DB_PASSWORD", "", False),
    ("SESSION_SECRET", "changeme", False),
    ("ANTHROPIC_API_KEY", "sk-ant-api03-...", False),
    ("LOG_LEVEL", "debug", False),
    ("PASSWORD_FILE", "/run/secrets/db", False),
])
def test_file_secrets(name: str, value: str, secret: bool) -> None:
    assert is_file_secret(name, value) is secret


def _read(path: Path, all_variables: bool) -> DotenvFile:
    fact = read_file(str(path), "discovered",
                     CollectOptions(root=str(path.parent), all_variables=all_variables), {})
    assert isinstance(fact, DotenvFile)
    return fact


def test_file_secrets_do_not_depend_on_the_name_filter(tmp_path: Path) -> None:
    """The filter of ``envaudit.variables`` keeps ANTHROPIC_* only, yet the secrets found are
    the same as with every variable kept, and the definitions are still filtered."""
    env = tmp_path / ".env"
    env.write_text(f"ANTHROPIC_API_KEY={API_KEY}\nDB_PASSWORD=s3cret-pass\nPLAIN={GITHUB}\n"
                   "DATABASE_URL=postgres://u:pw-99@db/x\nTOKEN=${FROM_SHELL}\nLOG=debug\n"
                   "SMTP_PASSWORD=\n", encoding="utf-8")
    example = tmp_path / ".env.example"
    example.write_text(f"PLAIN={GITHUB}\nANTHROPIC_API_KEY=sk-ant-api03-...\n", encoding="utf-8")
    for path in (env, example):
        filtered, every = _read(path, False), _read(path, True)
        assert filtered.secrets == every.secrets
    assert [(s.name, s.line) for s in _read(env, False).secrets] == [
        ("ANTHROPIC_API_KEY", 1), ("DB_PASSWORD", 2), ("DATABASE_URL", 4)]
    assert [d.name for d in _read(env, False).readings[0].definitions] == ["ANTHROPIC_API_KEY"]
    (found,) = _read(example, False).secrets
    assert (found.name, found.line, found.kind) == ("PLAIN", 1, "GitHub token")
    assert found.hint is not None and GITHUB not in found.hint


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_no_value_in_any_output_format(tmp_path: Path, clean_environ: dict[str, str]) -> None:
    """EA701-EA704 fire on a project with keys written everywhere, through the real CLI, and
    no key (nor a dozen of its characters) appears in any format."""
    root = tmp_path / "app"
    root.mkdir()
    files = {
        ".env": f"ANTHROPIC_API_KEY={API_KEY}\nDB_PASSWORD=Str0ng-Db-Passw0rd\n",
        ".env.example": f"ANTHROPIC_ADMIN_KEY={ADMIN_KEY}\n",
        "app.py": ("from anthropic import Anthropic\nfrom dotenv import load_dotenv\n\n"
                   f"load_dotenv()\nclient = Anthropic(api_key='{API_KEY}')\n"),
        "requirements.txt": "anthropic\npython-dotenv\n",
        "Dockerfile": f"FROM python:3.12\nENV GH_TOKEN={GITHUB}\nCMD python app.py\n",
        "config.json": json.dumps({"aws": {"key": AWS}}) + "\n",
    }
    for rel, text in files.items():
        (root / rel).write_text(text, encoding="utf-8")
    git_env = {**clean_environ, "GIT_CONFIG_NOSYSTEM": "1"}
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.name=T", "-c", "user.email=t@example.invalid", "-c",
                  "commit.gpgsign=false", "commit", "-q", "-m", "x"]):
        subprocess.run(["git", *args], cwd=root, env=git_env, check=True, capture_output=True)
    secrets = [API_KEY, ADMIN_KEY, GITHUB, AWS, "Str0ng-Db-Passw0rd"]
    # pieces of each key's random part (a hint shows its prefix and last 4 characters)
    public = {API_KEY: 13, ADMIN_KEY: 15, GITHUB: 4, AWS: 4}
    slices = [s[i:i + 10] for s, start in public.items() for i in range(start, len(s) - 14, 5)]
    assert len(slices) > 20 and all(len(piece) == 10 for piece in slices)
    for fmt in _FORMATS:
        proc = subprocess.run([sys.executable, "-m", "envaudit", "scan", str(root),
                               "--format", fmt, "--no-process-env", "--offline", "-v"],
                              capture_output=True, text=True, env=clean_environ, timeout=120,
                              check=False)
        assert proc.returncode == 1, proc.stderr
        out = proc.stdout + proc.stderr
        for rule in ("EA701", "EA702", "EA703", "EA704"):
            assert rule in out, (fmt, rule)
        assert [s for s in secrets + slices if s in out] == [], fmt
