"""``python -m envaudit.inventory``: the scan's inventory collectors alone, on a small project.

The command is run as a process (as ``benchmarks/bench.py`` times it), and its records are
compared with those of a full collection (``engine.collect`` with every collector): the same
code path must give the same environments, ``node_modules`` and lock files.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from envaudit import engine
from envaudit.collectors.base import CollectOptions
from envaudit.inventory.__main__ import inventory, main


def _venv(env: Path, packages: dict[str, str]) -> Path:
    site = env / "lib" / "python3.12" / "site-packages"
    site.mkdir(parents=True)
    (env / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.12.4\n")
    for name, version in packages.items():
        info = site / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.3\nName: {name}\n"
                                       f"Version: {version}\n\ndescription\n")
    return env


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with a ``.venv``, a deeper venv, npm's hidden lockfile and two pinning files."""
    root = tmp_path / "app"
    _venv(root / ".venv", {"anthropic": "0.39.0", "httpx": "0.28.1", "numpy": "2.0.0"})
    _venv(root / "services" / "api" / ".venv", {"anthropic": "2.17.0", "httpx2": "2.17.0"})
    (root / "package.json").write_text(json.dumps(
        {"name": "app", "dependencies": {"@anthropic-ai/sdk": "^0.39.0", "left-pad": "1"}}))
    lock = {"name": "app", "lockfileVersion": 3, "packages": {
        "": {"name": "app"},
        "node_modules/@anthropic-ai/sdk": {"version": "0.39.0"},
        "node_modules/left-pad": {"version": "1.3.0"}}}
    (root / "node_modules").mkdir()
    (root / "node_modules" / ".package-lock.json").write_text(json.dumps(lock, indent=2))
    (root / "package-lock.json").write_text(json.dumps(lock, indent=2))
    (root / "requirements.txt").write_text("anthropic==0.39.0\nnumpy==2.0.0\n")
    return root


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "envaudit.inventory", *args],
                          capture_output=True, text=True, timeout=120, check=False, env=env)


def test_the_command_prints_the_inventory(project: Path, clean_environ: dict[str, str]) -> None:
    proc = _run("--no-process-env", "--json", str(project), env=clean_environ)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["root"] == str(project)
    assert [(e["path"], e["origin"], e["python"]) for e in doc["python_envs"]] == [
        (".venv", ".venv in the project", "3.12.4")]
    assert [(p["name"], p["version"]) for p in doc["python_envs"][0]["packages"]] == [
        ("anthropic", "0.39.0"), ("httpx", "0.28.1")]
    assert [(m["folder"], [(p["name"], p["version"], p["path"]) for p in m["packages"]])
            for m in doc["node_modules"]] == [
        (".", [("@anthropic-ai/sdk", "0.39.0", "node_modules/@anthropic-ai/sdk")])]
    declared = {d["path"]: (d["ecosystem"], [(p["name"], p["version"]) for p in d["pins"]])
                for d in doc["declared"]}  # (package.json's ranges, when they are read too)
    assert declared["requirements.txt"] == ("python", [("anthropic", "0.39.0")])
    assert declared["package-lock.json"] == ("npm", [("@anthropic-ai/sdk", "0.39.0")])
    assert doc["skipped"] == []

    # a deeper venv is read when named, as `scan --python` names it
    deeper = project / "services" / "api" / ".venv"
    proc = _run("--no-process-env", "--python", str(deeper), str(project), env=clean_environ)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == (f"envaudit inventory · {project} · 2 Python environments (4 relevant "
                        "distributions) · 1 node_modules (1 relevant packages) · "
                        f"{len(declared)} files declaring versions · 0 skipped")
    assert lines[1] == ("  python .venv (.venv in the project; Python 3.12.4): anthropic "
                        "0.39.0, httpx 0.28.1")
    assert lines[2] == (f"  python services/api/.venv (--python {deeper / 'bin' / 'python'}; "
                        "Python 3.12.4): anthropic 2.17.0, httpx2 2.17.0")
    assert lines[3] == "  node_modules of .: @anthropic-ai/sdk 0.39.0"


def test_the_records_are_the_scan_s(project: Path, clean_environ: dict[str, str]) -> None:
    """The same records as a full collection (which may also read the deeper venv, met by the
    dotenv walk: only the environments the inventory read are compared)."""
    mine = inventory(str(project), process_env=False)
    scan = engine.collect(CollectOptions(root=str(project), process_env=False,
                                         environ=clean_environ))
    paths = {e.path for e in mine.python_envs}
    assert paths == {".venv"}
    assert mine.python_envs == tuple(e for e in scan.python_envs if e.path in paths)
    assert mine.node_modules == scan.node_modules
    assert mine.declared == scan.declared
    assert [s for s in mine.skipped if s.source == "package"] == [
        s for s in scan.skipped if s.source == "package"]


@pytest.mark.parametrize("args", [["nowhere"], ["--python", "nowhere", "."],
                                  ["--python", ".", "."], ["--pid", "-1", "."]])
def test_bad_arguments_exit_2(args: list[str], tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)  # "." is a folder without pyvenv.cfg
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert "python -m envaudit.inventory: error:" in capsys.readouterr().err
