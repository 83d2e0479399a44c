"""The ``source-code`` collector in the pipeline: one ``CodeFacts`` into ``Snapshot.code``,
skips as ``Skip`` facts, the rules' messages, and nothing heavy imported at start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from envaudit import engine
from envaudit.collectors import ALL_COLLECTORS
from envaudit.collectors.base import CollectOptions, ProviderHint
from envaudit.collectors.source_code import SourceCodeCollector
from envaudit.model import Skip
from envaudit.source.facts import CodeFacts

from .conftest import Write

KEY = "sk-ant-api03-" + "FAKE-COLLECTOR-EXAMPLE-0000-" * 3 + "FAKE-COLLECTOR-EXAMPLE-0" + "AA"


def test_registered_once() -> None:
    assert sum(isinstance(c, SourceCodeCollector) for c in ALL_COLLECTORS) == 1


def test_yields_one_code_facts_and_the_skips(root: Path, write: Write) -> None:
    write("app.py", "import broken\nfrom dotenv import load_dotenv\nload_dotenv()\n")
    write("broken.py", "import anthropic\nclient = anthropic.Anthropic(\n")
    facts = list(SourceCodeCollector().collect(CollectOptions(root=str(root))))
    assert [type(f).__name__ for f in facts] == ["Skip", "CodeFacts"]
    skip = facts[0]
    assert isinstance(skip, Skip) and skip.to_json() == {
        "source": "code", "path": "broken.py",
        "reason": "unparsable Python: syntax error at line 2"}
    snapshot = engine.collect(CollectOptions(root=str(root), process_env=False))
    assert isinstance(snapshot.code, CodeFacts)
    assert [ld.location.display() for ld in snapshot.code.loads] == ["app.py:3"]
    assert skip in snapshot.skipped


def test_rules_name_both_places_and_the_entry_point_never_a_value(root: Path,
                                                                  write: Write) -> None:
    write(".env", f"ANTHROPIC_API_KEY={KEY}\n")
    write("requirements.txt", "anthropic\npython-dotenv\n")
    write("llm.py", "from anthropic import Anthropic\nclient = Anthropic()\n")
    write("app.py", "from llm import client\nfrom dotenv import load_dotenv\nload_dotenv()\n")
    report = engine.audit(engine.collect(CollectOptions(root=str(root), process_env=False)))
    found = [f for f in report.findings if f.rule_id == "EA212"]
    assert len(found) == 1
    message = found[0].message
    assert "llm.py:2" in message and "app.py:3" in message and "python app.py" in message
    assert found[0].location.display() == "llm.py:2"
    for f in report.findings:
        assert KEY not in f.message and KEY not in f.fix and KEY[20:60] not in f.message


def test_each_workspace_manifest_says_its_loaders_and_the_sdk(root: Path, write: Write) -> None:
    """A workspace's package.json (not only the root's) makes its framework a loader in use for
    its folder's files, and one naming the SDK is evidence the provider is in use."""
    write("package.json", '{"private": true, "workspaces": ["apps/*"]}\n')
    write("apps/web/package.json",
          '{"dependencies": {"next": "16.0.0", "@anthropic-ai/sdk": "^0.68.0"}}\n')
    write("apps/web/.env.local", "ANTHROPIC_MODEL=claude-opus-4-1\n")
    write("apps/admin/package.json", '{"devDependencies": {"vite": "^7.0.0"}}\n')
    facts = list(SourceCodeCollector().collect(CollectOptions(root=str(root))))
    code = facts[-1]
    assert isinstance(code, CodeFacts)
    assert [(p.loader, p.folder, p.reason) for p in code.package_loaders] == [
        ("vite", "apps/admin", "apps/admin/package.json devDependencies has vite"),
        ("nextjs", "apps/web", "apps/web/package.json dependencies has next")]
    assert code.sdk_manifests == ("apps/web/package.json",)
    assert ProviderHint("apps/web/package.json declares an Anthropic SDK") in facts
    snapshot = engine.collect(CollectOptions(root=str(root), process_env=False))
    assert snapshot.loaders == ("nextjs", "vite")
    assert {f.path: f.loaders for f in snapshot.files} == {"apps/web/.env.local": ("nextjs",)}
    assert "apps/web/package.json declares an Anthropic SDK" in snapshot.provider_hints


def test_search_scope_groups_entry_points(root: Path, write: Write) -> None:
    write("config/.env", f"ANTHROPIC_API_KEY={KEY}\n")
    write("lib/settings.py", "from dotenv import load_dotenv\nload_dotenv()\n")
    write("lib/__init__.py", "")
    write("app.py", "from lib import settings\n")
    write("main.py", "from lib import settings\n")
    report = engine.audit(engine.collect(CollectOptions(root=str(root), process_env=False)))
    found = [f for f in report.findings if f.rule_id == "EA211"]
    assert [f.location.display() for f in found] == ["lib/settings.py:2"]
    assert "config/.env is not loaded" in found[0].message


def test_start_up_imports_nothing_of_the_analysis() -> None:
    code = ("import sys, envaudit.cli, envaudit.engine; "
            "print(sorted(m for m in sys.modules if m.startswith(('envaudit.source.', "
            "'tree_sitter'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parent.parent.parent)
    assert out.stdout.strip() == "[]"


def test_commands_in_messages_hide_inline_values(root: Path, write: Write) -> None:
    write(".env", f"ANTHROPIC_API_KEY={KEY}\n")
    write("package.json", '{"type": "module", "scripts": {"start": '
                          f'"ANTHROPIC_API_KEY={KEY} node --env-file-if-exists=.env index.mjs"'
                          ', "dev": "DEBUG=1 node index.mjs"}}\n')
    write("client.mjs", "import Anthropic from '@anthropic-ai/sdk';\n"
                        "export const c = new Anthropic();\n")
    write("index.mjs", "import { c } from './client.mjs';\nimport dotenv from 'dotenv';\n"
                       "dotenv.config();\n")
    from envaudit.source.analyse import analyse

    facts = analyse(str(root))
    hows = [e.how for e in facts.entry_points]
    assert hows == ["package.json scripts.start: ANTHROPIC_API_KEY=… node "
                    "--env-file-if-exists=.env index.mjs"]
    assert all(KEY not in h for h in hows)
