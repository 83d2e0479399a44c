"""``envaudit.inventory.declared``: exact pins from lock and requirements files, ranges from
manifests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envaudit.inventory.declared import read_declared
from envaudit.model import DeclaredPin


def pins(path: Path) -> list[tuple[str, str, int | None]]:
    found = read_declared(str(path))
    assert found.problem is None, found.problem
    return [(p.name, p.version, p.line) for p in found.declared.pins]


def ranges(path: Path) -> list[tuple[str, str, str, int | None]]:
    found = read_declared(str(path))
    assert found.problem is None, found.problem
    return [(r.name, r.spec, r.syntax, r.line) for r in found.declared.ranges]


def test_pyproject_pep621_groups_and_poetry(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[project]\nname = "bot"\ndependencies = [\n  "anthropic>=2.0,<3",\n'
        '  "httpx==0.28.1",\n  "numpy>=2",\n  "python-dotenv",\n]\n'
        '[project.optional-dependencies]\nproxy = ["socksio~=1.0"]\n'
        '[dependency-groups]\ndev = ["pydantic>=2.7", {include-group = "x"}]\n'
        '[tool.poetry.dependencies]\npython = "^3.10"\nanthropic = "^2.10"\n'
        'httpx2 = {version = "~2.16", extras = ["socks"]}\ncertifi = "2025.1.31"\n'
        '[tool.poetry.group.test.dependencies]\nrequests = ">=2.31,<3"\n')
    assert pins(path) == [("httpx", "0.28.1", 5), ("certifi", "2025.1.31", 17)]
    assert ranges(path) == [
        ("anthropic", ">=2.0,<3", "pep440", 4), ("socksio", "~=1.0", "pep440", 10),
        ("pydantic", ">=2.7", "pep440", 12), ("anthropic", "^2.10", "poetry", 15),
        ("httpx2", "~2.16", "poetry", 16), ("requests", ">=2.31,<3", "poetry", 19)]


def test_requirements_ranges_and_package_json(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        "anthropic>=0.40,<1\nhttpx==0.28.1\nrequests\n-e .\n# certifi>=1\n")
    assert ranges(tmp_path / "requirements.txt") == [("anthropic", ">=0.40,<1", "pep440", 1)]
    (tmp_path / "package.json").write_text(json.dumps({
        "name": "web", "dependencies": {"@anthropic-ai/sdk": "^1.10.0", "react": "^19"},
        "devDependencies": {"dotenv": "17.2.1", "undici": "workspace:*"}}, indent=2))
    assert pins(tmp_path / "package.json") == [("dotenv", "17.2.1", 8)]
    assert ranges(tmp_path / "package.json") == [
        ("@anthropic-ai/sdk", "^1.10.0", "npm", 4), ("undici", "workspace:*", "npm", 9)]


def test_uv_and_poetry_locks(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text(
        'version = 1\n\n[[package]]\nname = "anthropic"\nversion = "2.12.0"\n\n'
        '[[package]]\nname = "numpy"\nversion = "2.0.0"\n\n'
        '[[package]]\nname = "Python_Dotenv"\nversion = "1.2.4"\n')
    assert pins(tmp_path / "uv.lock") == [("anthropic", "2.12.0", 4),
                                          ("python-dotenv", "1.2.4", 12)]
    (tmp_path / "poetry.lock").write_text(
        '[[package]]\nname = "httpx"\nversion = "0.28.1"\ndescription = "x"\n\n'
        '[metadata]\nlock-version = "2.0"\n')
    assert pins(tmp_path / "poetry.lock") == [("httpx", "0.28.1", 2)]


def test_pipfile_lock_requirements_and_package_lock(tmp_path: Path) -> None:
    (tmp_path / "Pipfile.lock").write_text(json.dumps({
        "default": {"anthropic": {"version": "==0.39.0"}, "httpx": {"version": "*"}},
        "develop": {"certifi": {"version": "==2024.2.2"}}}, indent=2))
    assert [p[:2] for p in pins(tmp_path / "Pipfile.lock")] == [
        ("anthropic", "0.39.0"), ("certifi", "2024.2.2")]
    (tmp_path / "requirements.txt").write_text(
        "# pinned\n-r base.txt\nanthropic[bedrock]==0.39.0 ; python_version >= '3.8'\n"
        "httpx>=0.28\nrequests===2.32.3\n--hash=sha256:abc\nnumpy==2.0\n")
    assert pins(tmp_path / "requirements.txt") == [("anthropic", "0.39.0", 3),
                                                   ("requests", "2.32.3", 5)]
    (tmp_path / "package-lock.json").write_text(json.dumps({"packages": {
        "": {"name": "x"}, "node_modules/@anthropic-ai/sdk": {"version": "1.2.0"},
        "node_modules/a/node_modules/dotenv": {"version": "16.0.0"},
        "node_modules/dotenv": {"version": "17.2.1"}}}, indent=2))
    assert [p[:2] for p in pins(tmp_path / "package-lock.json")] == [
        ("@anthropic-ai/sdk", "1.2.0"), ("dotenv", "17.2.1")]


@pytest.mark.parametrize(("name", "data", "problem"), [
    ("uv.lock", b"[[package]\nname=", "not valid TOML"),
    ("Pipfile.lock", b"{not json", "not valid JSON"),
    ("package-lock.json", b"[1, 2]", "not valid JSON"),
    ("requirements.txt", b"\xff\xfeanthropic==1\n", "not UTF-8"),
    ("pyproject.toml", b"[project\n", "not valid TOML"),
    ("package.json", b"{", "not valid JSON"),
])
def test_a_corrupt_file_is_a_problem(tmp_path: Path, name: str, data: bytes,
                                     problem: str) -> None:
    (tmp_path / name).write_bytes(data)
    found = read_declared(str(tmp_path / name))
    assert found.problem is not None and found.problem.startswith(problem)
    assert found.declared.pins == ()


def test_a_corrupt_lock_file_is_a_skip_and_the_scan_goes_on(tmp_path: Path) -> None:
    from envaudit import engine
    from envaudit.collectors.base import CollectOptions

    (tmp_path / "uv.lock").write_text("[[package]\n")
    (tmp_path / ".env").write_text("ANTHROPIC_MODEL=claude-sonnet-4-5\n")
    snapshot = engine.collect(CollectOptions(str(tmp_path), process_env=False))
    assert [(s.path, s.reason[:16]) for s in snapshot.skipped] == [("uv.lock", "not valid TOML (")]
    assert snapshot.declared == ()
    assert DeclaredPin("a", "1").line is None
