"""EA209 (``envaudit.rules.dotenv_loading``): what its case folders cannot show — the engine's
loader reasons it reads, the variables it counts, and the setups it does not see yet."""

from __future__ import annotations

from pathlib import Path

import pytest

from envaudit import engine
from envaudit.collectors.base import CollectOptions
from envaudit.context import AuditContext
from envaudit.model import DOCKER_ENV_FILE, PYTHON_DOTENV, Snapshot
from envaudit.rules.dotenv_loading import (
    ASSUMED_PREFIX,
    DOCKER_STYLE_FILES,
    _is_provider,
    _provider_variables,
)

from .make_binary_cases import api_key

KEY = api_key("LOADING")
APP = "import anthropic\n\nclient = anthropic.Anthropic()\n"


def _project(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _collect(root: Path) -> Snapshot:
    return engine.collect(CollectOptions(root=str(root), process_env=False))


def _ea209(root: Path) -> list[str]:
    report = engine.audit(_collect(root))
    return [f.location.display() for f in report.findings if f.rule_id == "EA209"]


def test_the_engine_still_writes_the_reasons_the_rule_reads(tmp_path: Path) -> None:
    """The rule tells an assumption from evidence by these ``LoaderUse`` reasons."""
    root = _project(tmp_path, {"app.py": APP, ".env": f"ANTHROPIC_API_KEY={KEY}\n",
                               "deploy/prod.env": "ANTHROPIC_MODEL=claude-haiku-4-5\n"})
    uses = {(u.loader, u.reason) for u in _collect(root).loader_uses}
    assert any(ld == PYTHON_DOTENV and r.startswith(ASSUMED_PREFIX) for ld, r in uses), uses
    assert (DOCKER_ENV_FILE, DOCKER_STYLE_FILES) in uses
    assert _ea209(root) == [".env:1"]  # prod.env is docker-style: not this rule's business


def test_a_docker_run_env_file_script_is_evidence(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app.py": APP, ".env": f"ANTHROPIC_API_KEY={KEY}\n",
                               "Makefile": "run:\n\tdocker run --env-file .env acme/app\n"})
    assert _ea209(root) == []


def test_an_example_file_and_an_empty_value_do_not_count(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app.py": APP, ".env": "ANTHROPIC_API_KEY=\n",
                               ".env.example": "ANTHROPIC_API_KEY=sk-ant-your-key-here\n"})
    assert _ea209(root) == []


def test_compose_env_file_is_evidence(tmp_path: Path) -> None:
    compose = "services:\n  app:\n    build: .\n    env_file: .env\n"
    root = _project(tmp_path, {"app.py": APP, ".env": f"ANTHROPIC_API_KEY={KEY}\n",
                               "compose.yaml": compose})
    assert _ea209(root) == []


@pytest.mark.parametrize(
    "name, provider_in_use, expected",
    [
        ("ANTHROPIC_API_KEY", True, True),
        ("ANTHROPIC_AUTH_TOKEN", True, True),
        ("ANTHROPIC_BASE_URL", True, True),
        ("ANTHROPIC_MODEL", True, True),
        ("CLAUDE_API_KEY", True, True),  # misnamed, still the provider's (EA112 says so)
        ("ANTHROPIC_FOUNDRY_API_KEY", True, True),
        ("AWS_ACCESS_KEY_ID", True, True),  # a platform credential, when Anthropic is in use
        ("AWS_ACCESS_KEY_ID", False, False),  # else everybody's variable
        ("CLOUD_ML_REGION", True, True),
        ("HTTPS_PROXY", True, False),  # proxies and CA files serve every tool
        ("SSL_CERT_FILE", True, False),
        ("DATABASE_URL", True, False),
        ("OPENAI_API_KEY", True, False),
    ],
)
def test_provider_variables(name: str, provider_in_use: bool, expected: bool) -> None:
    hints = ("--provider anthropic",) if provider_in_use else ()
    ctx = AuditContext(Snapshot(root="/x", provider_hints=hints))
    assert _is_provider(name, _provider_variables(ctx)) is expected
