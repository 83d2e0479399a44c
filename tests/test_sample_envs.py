"""The sample projects in ``sample_envs/``: each one's ``expected.toml`` is the truth.

Every project is a small, realistic app (source, manifest, ``.gitignore``, dotenv files, a README
telling the story). ``expected.toml`` says how to audit it and exactly which findings must come
out, as ``"RULE path:line"`` (or ``"RULE process environment"``), nothing more, nothing less:

* ``[env]`` (optional): the process environment to audit with; absent = ``--no-process-env``;
* ``[options]`` (optional): ``env-files`` (relative to the project), ``loaders``, ``provider``;
* ``findings``: the findings that SHOULD fire. Clean projects have ``findings = []``.

A project whose audit does not match what SHOULD happen is not "fixed" by editing its
expectation: it is listed in ``KNOWN_DISCREPANCIES`` (strict xfail, so the fix is noticed) and
reported.

EA701 and EA702 are not run (``NOT_RUN``): whether git tracks a project's ``.env`` and the
file's mode are facts of envaudit's own checkout, not of the projects' stories (their ``.env``
files are force-added to envaudit's repository, and git checks every file out 0644 or 0600 as
the umask says). The rule cases build those facts on purpose (``tests/rules/casefiles.py``).
"""

from __future__ import annotations

import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from envaudit import engine
from envaudit.catalogue import load_toml
from envaudit.collectors.base import CollectOptions
from envaudit.model import Location

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_envs"
PROJECTS = sorted(p.name for p in SAMPLES.iterdir() if (p / "expected.toml").is_file())

#: The README's demo project (`envaudit scan sample_envs/python-newline-key`, exit 1).
DEMO = "python-newline-key"
#: A clean project for the CLI's exit-0 check.
CLEAN = "clean-fastapi-dotenv"

#: Projects whose audit differs from what SHOULD happen today: project -> what is wrong.
KNOWN_DISCREPANCIES: dict[str, str] = {}

#: Rules not run on the samples (module docstring).
NOT_RUN = ("EA701", "EA702")

_MANIFESTS = ("pyproject.toml", "requirements.txt", "package.json")
_SOURCES = (".py", ".mjs", ".js", ".ts")


def expected(project: str) -> dict[str, Any]:
    """The parsed ``expected.toml`` of ``project``."""
    return load_toml(SAMPLES / project / "expected.toml")


def options_for(project: str) -> CollectOptions:
    """What the CLI would build for this project's ``[env]`` and ``[options]``."""
    spec = expected(project)
    root = SAMPLES / project
    env = spec.get("env")
    opts = spec.get("options", {})
    loaders = opts.get("loaders")
    environ = dict(env) if env is not None else {}
    if "PATH" in environ:  # scenery: not this machine's interpreters (tests/rules/casefiles.py)
        environ["PATH"] = str(root / ".no-such-bin")
    return CollectOptions(
        root=str(root),
        environ=environ,
        process_env=env is not None,
        env_files=tuple(str(root / p) for p in opts.get("env-files", [])),
        loaders=tuple(loaders) if loaders else None,
        provider=opts.get("provider"),
        today="2026-12-06",  # the end-of-life rules' clock: expectations must not age
        git=False,  # NOT_RUN
    )


def audit(project: str) -> set[str]:
    """``"RULE location"`` for every finding of the real pipeline on ``project``."""
    snapshot = engine.collect(options_for(project))
    report = engine.audit(snapshot, engine.select_rules(ignore=NOT_RUN))
    return {f"{f.rule_id} {f.location.display()}" for f in report.findings}


def _param(project: str) -> Any:
    reason = KNOWN_DISCREPANCIES.get(project)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(project, marks=marks, id=project)


@pytest.mark.parametrize("project", [_param(p) for p in PROJECTS])
def test_findings_match_expected(project: str) -> None:
    want = set(expected(project)["findings"])
    got = audit(project)
    assert got == want, (f"{project}: missing {sorted(want - got)}, "
                         f"unexpected {sorted(got - want)}")


def test_enough_projects_clean_and_broken() -> None:
    clean = [p for p in PROJECTS if not expected(p)["findings"]]
    broken = [p for p in PROJECTS if expected(p)["findings"]]
    assert len(PROJECTS) >= 12 and len(clean) >= 3 and len(broken) >= 9
    assert DEMO in broken and CLEAN in clean


def test_expected_files_are_well_formed() -> None:
    finding = re.compile(r"EA\d{3} (?:process environment|[^\s:]+:\d+)")
    for project in PROJECTS:
        spec = expected(project)
        assert set(spec) <= {"env", "options", "findings"}, project
        assert set(spec.get("options", {})) <= {"env-files", "loaders", "provider"}, project
        for item in spec["findings"]:
            assert finding.fullmatch(item), f"{project}: {item!r}"
        for rel in spec.get("options", {}).get("env-files", []):
            assert (SAMPLES / project / rel).is_file(), f"{project}: {rel}"


@pytest.mark.parametrize("project", PROJECTS)
def test_project_looks_real(project: str) -> None:
    """A README with the story, a manifest declaring the SDK, app source, a .gitignore."""
    root = SAMPLES / project
    readme = (root / "README.md").read_text(encoding="utf-8").strip().splitlines()
    assert readme[0].startswith(f"# {project}")
    story = [line for line in readme[1:] if line.strip()]
    assert 3 <= len(story) <= 6, f"{project}: the story takes {len(story)} lines"
    assert (root / ".gitignore").is_file()
    files = [p for p in root.rglob("*") if p.is_file()]
    manifests = [p for p in files if p.name in _MANIFESTS]
    assert any(re.search(r'"?(?:anthropic|@anthropic-ai/sdk)["\s>=<~^]',
                         p.read_text(encoding="utf-8")) for p in manifests), project
    assert any(p.suffix in _SOURCES and p.name != "make_env_files.py" for p in files), project


_KEY = re.compile(r"sk-ant-(?:api03|admin01|oat01)-[A-Za-z0-9_-]+")


def test_fake_keys_are_fake_and_shaped() -> None:
    """Every sk-ant- credential is spelled FAKE/EXAMPLE; API keys have the real 108-char shape
    except the one the truncated-key story cuts short."""
    seen = 0
    for path in SAMPLES.rglob("*"):
        if not path.is_file() or path.suffix not in ("", ".toml", ".env", ".local", ".example"):
            continue
        data = path.read_bytes()
        text = data.decode("utf-16") if data.startswith(b"\xff\xfe") else data.decode("utf-8")
        for key in _KEY.findall(text):
            seen += 1
            assert "FAKE" in key and "EXAMPLE" in key, path
            if key.startswith("sk-ant-api03-") and "TRUNCATED" not in key:
                assert len(key) == 108 and key.endswith("AA"), (path, len(key))
            if key.startswith("sk-ant-admin01-"):
                assert len(key) == 110 and key.endswith("AA"), path
    assert seen >= 15


def test_dotenv_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    """The exact bytes (CRLF, UTF-16, quotes, key lengths) come from make_env_files.py."""
    # run_path, not import: no __pycache__ left in sample_envs/ (which is committed with -f)
    generator = runpy.run_path(str(SAMPLES / "make_env_files.py"))
    for rel, data in generator["files"]().items():
        assert (SAMPLES / rel).read_bytes() == data, f"{rel}: rerun make_env_files.py"


def _cli(project: str) -> tuple[int, dict[str, Any]]:
    spec = expected(project)
    args = [sys.executable, "-m", "envaudit", "scan", str(SAMPLES / project), "--format", "json",
            "--ignore", ",".join(NOT_RUN)]
    for rel in spec.get("options", {}).get("env-files", []):
        args += ["--env-file", str(SAMPLES / project / rel)]
    env = spec.get("env")
    if env is None:
        args.append("--no-process-env")
        run_env = dict(os.environ)
    else:
        run_env = dict(env)  # exactly the project's environment (python -m finds envaudit in cwd)
        if "PATH" in run_env:  # scenery, as in options_for
            run_env["PATH"] = str(SAMPLES / project / ".no-such-bin")
    proc = subprocess.run(args, cwd=REPO, env=run_env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _cli_findings(report: dict[str, Any]) -> set[str]:
    return {f"{f['id']} {Location(**f['location']).display()}" for f in report["findings"]}


def test_cli_broken_demo_exits_1() -> None:
    code, report = _cli(DEMO)
    assert code == 1
    assert _cli_findings(report) == set(expected(DEMO)["findings"])


def test_cli_clean_project_exits_0() -> None:
    code, report = _cli(CLEAN)
    assert code == 0
    assert report["findings"] == []
