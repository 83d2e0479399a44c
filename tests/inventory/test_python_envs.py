"""``envaudit.inventory.python_envs`` and the ``python-envs`` collector.

The reader is checked against a real venv (made with ``python -m venv``, pip included, no
network): every distribution in it, read from disk, has the version the venv's own interpreter
reports through ``importlib.metadata``. Broken records are built by hand.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from envaudit.cli import main
from envaudit.collectors import python_envs as collector
from envaudit.collectors.base import CollectOptions
from envaudit.inventory import python_envs as inv
from envaudit.model import Package, PythonEnvironment, Skip


def dist(site: Path, name: str, version: str | None, *, kind: str = "dist-info",
         metadata: str | None = None) -> Path:
    """A ``NAME-VERSION.dist-info/METADATA`` (or ``.egg-info/PKG-INFO``) record."""
    folder = site / f"{name.replace('-', '_')}-{version or '0'}.{kind}"
    folder.mkdir(parents=True)
    text = metadata if metadata is not None else (
        f"Metadata-Version: 2.3\nName: {name}\n" + (f"Version: {version}\n" if version else "")
        + "\nlong description\nVersion: 9.9.9\n")
    (folder / ("METADATA" if kind == "dist-info" else "PKG-INFO")).write_text(text)
    return folder


def venv(root: Path, packages: dict[str, str], python: str = "3.12") -> Path:
    env = root / ".venv"
    site = env / "lib" / f"python{python}" / "site-packages"
    site.mkdir(parents=True)
    (env / "pyvenv.cfg").write_text(f"home = /usr/bin\nversion = {python}.4\n")
    for name, version in packages.items():
        dist(site, name, version)
    return env


@pytest.fixture(scope="module")
def real_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    env = tmp_path_factory.mktemp("real") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, timeout=120,
                   capture_output=True)
    return env


def test_agrees_with_the_venv_s_own_importlib_metadata(real_venv: Path) -> None:
    python = real_venv / "bin" / "python"
    proc = subprocess.run(
        [str(python), "-I", "-c", "import importlib.metadata as m, json; print(json.dumps("
         "{d.metadata['Name']: d.version for d in m.distributions()}))"],
        capture_output=True, text=True, check=True, timeout=60)
    truth = {inv.normalise(k): v for k, v in json.loads(proc.stdout).items()}
    assert truth  # pip, at least
    found: dict[str, str | None] = {}
    for site in inv.site_folders(str(real_venv)):
        reading = inv.read_site(site, frozenset(truth))
        assert reading.problems == ()
        found.update((d.name, d.version) for d in reading.distributions)
    assert found == truth
    assert inv.pyvenv_version(str(real_venv)) == ".".join(map(str, sys.version_info[:3]))


def test_an_interpreter_outside_a_venv_says_where_its_packages_are() -> None:
    answer = collector.ask_interpreter(sys.executable)
    assert not isinstance(answer, str)
    version, sites = answer
    assert version == ".".join(map(str, sys.version_info[:3]))
    assert sites and all(os.path.isabs(s) for s in sites)


@pytest.mark.parametrize(("version", "expected"), [
    ("0.39.0", (0, 39, 0)), ("0.40", (0, 40, 0)), ("2.12.0rc1", (2, 12, 0)),
    ("1!2.0", (1, 0, 0)), ("v1.2.3.4", (1, 2, 3, 4)), ("", None), (None, None), ("abc", None),
])
def test_release(version: str | None, expected: tuple[int, ...] | None) -> None:
    assert inv.release(version) == expected


def test_broken_records_are_problems_not_exceptions(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    dist(site, "anthropic", None)                                     # no Version header
    dist(site, "httpx", "0.28.1", metadata="")                        # empty METADATA
    (site / "certifi-2024.1.1.dist-info").mkdir()                     # no METADATA at all
    (site / "pydantic-2.0.dist-info").mkdir()
    (site / "pydantic-2.0.dist-info" / "METADATA").mkdir()            # a folder named METADATA
    os.mkfifo(site / "openai-1.0.egg-info")                           # a FIFO: never opened
    (site / "requests.egg-link").write_text("/nonexistent/requests\n.\n")
    dist(site, "truststore", "0.10.0")
    dist(site, "numpy", "2.0.0")                                      # not relevant: not read
    (site / "numpy-2.0.0.dist-info" / "METADATA").chmod(0)
    reading = inv.read_site(str(site))
    assert [(d.name, d.version) for d in reading.distributions] == [("truststore", "0.10.0")]
    problems = {os.path.basename(p): why for p, why in reading.problems}
    assert problems == {
        "anthropic-0.dist-info": "its METADATA gives no Version",
        "certifi-2024.1.1.dist-info": "cannot read its METADATA (No such file or directory)",
        "httpx-0.28.1.dist-info": "its METADATA gives no Version",
        "openai-1.0.egg-info": "cannot read its PKG-INFO (not a regular file)",
        "pydantic-2.0.dist-info": "cannot read its METADATA (not a regular file)",
        "requests.egg-link": "an egg-link to a folder that does not exist",
    }
    assert stat.S_ISFIFO(os.stat(site / "openai-1.0.egg-info").st_mode)


def test_egg_info_and_egg_link_records(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    dist(site, "python-dotenv", "1.0.1", kind="egg-info")
    project = tmp_path / "src" / "anthropic"
    dist(project, "anthropic", "0.39.0", kind="egg-info")
    (site / "anthropic.egg-link").write_text(f"{project}\n.\n")
    egg_file = site / "certifi-2024.2.2-py3.12.egg-info"       # the single-file form
    egg_file.write_text("Metadata-Version: 1.1\nName: certifi\nVersion: 2024.2.2\n")
    reading = inv.read_site(str(site))
    assert reading.problems == ()
    assert sorted((d.name, d.version, os.path.basename(d.path))
                  for d in reading.distributions) == [
        ("anthropic", "0.39.0", "anthropic.egg-link"),
        ("certifi", "2024.2.2", "certifi-2024.2.2-py3.12.egg-info"),
        ("python-dotenv", "1.0.1", "python_dotenv-1.0.1.egg-info")]


def test_only_the_metadata_head_is_read(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    folder = dist(site, "anthropic", "0.40.0")
    with open(folder / "METADATA", "a") as fh:
        fh.write("x" * (inv.MAX_METADATA_BYTES * 4))
    (found,) = inv.read_site(str(site)).distributions
    assert found.version == "0.40.0"


# --------------------------------------------------------------------------- the collector


def _envs(opts: CollectOptions) -> tuple[list[PythonEnvironment], list[Skip]]:
    facts = list(collector.PythonEnvsCollector().collect(opts))
    return ([f for f in facts if isinstance(f, PythonEnvironment)],
            [f for f in facts if isinstance(f, Skip)])


def test_project_venv_virtual_env_and_python_are_read_once_each(tmp_path: Path,
                                                                real_venv: Path) -> None:
    root = tmp_path / "app"
    env = venv(root, {"anthropic": "0.39.0", "httpx": "0.28.1", "numpy": "2.0"})
    opts = CollectOptions(str(root), environ={"VIRTUAL_ENV": str(env)},
                          pythons=(str(real_venv / "bin" / "python"),))
    envs, skips = _envs(opts)
    assert skips == []
    assert [(e.path, e.origin, e.python) for e in envs] == [
        (".venv", "VIRTUAL_ENV", "3.12.4"),
        (str(real_venv), f"--python {real_venv / 'bin' / 'python'}",
         ".".join(map(str, sys.version_info[:3])))]
    assert envs[0].packages == (
        Package("anthropic", "0.39.0", ".venv/lib/python3.12/site-packages/"
                                       "anthropic-0.39.0.dist-info"),
        Package("httpx", "0.28.1", ".venv/lib/python3.12/site-packages/httpx-0.28.1.dist-info"))


def test_an_interpreter_that_hangs_or_fails_is_a_skip(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    hangs, fails, garbage = tmp_path / "hangs", tmp_path / "fails", tmp_path / "garbage"
    hangs.write_text("#!/bin/sh\nsleep 30\n")
    fails.write_text("#!/bin/sh\necho boom >&2\nexit 3\n")
    garbage.write_text("#!/bin/sh\necho not json\n")
    for script in (hangs, fails, garbage):
        script.chmod(0o755)
    monkeypatch.setattr(collector, "INTERPRETER_SECONDS", 0.5)
    envs, skips = _envs(CollectOptions(str(tmp_path), pythons=(str(hangs), str(fails),
                                                               str(garbage))))
    assert envs == []
    assert [s.reason for s in skips] == [
        "the interpreter did not answer within 0.5 s: its packages are not inventoried",
        "the interpreter exited with status 3: its packages are not inventoried",
        "the interpreter answered something that is not its version and site-packages: its "
        "packages are not inventoried"]


def test_cli_python_option(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(main, ["scan", str(tmp_path), "--python", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("no such file or folder")
    env = venv(tmp_path, {"anthropic": "0.39.0", "httpx": "0.28.1"})
    result = runner.invoke(main, ["scan", str(tmp_path), "--python", str(env), "--format",
                                  "json"])
    report = json.loads(result.stdout)
    # EA501 from the bundled release data: the suite runs offline (tests/conftest.py)
    assert [f["id"] for f in report["findings"] if f["id"].startswith("EA5")] == ["EA502",
                                                                                 "EA501"]
    result = runner.invoke(main, ["scan", str(tmp_path), "-v"])
    assert ("  python .venv (.venv in the project; Python 3.12.4): anthropic 0.39.0, "
            "httpx 0.28.1") in result.stdout.splitlines()


@pytest.mark.parametrize("share_at", [1, 64])
def test_venvs_deeper_in_the_project_are_met_by_the_walk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, share_at: int) -> None:
    """Any folder holding pyvenv.cfg is an environment, whatever its name and depth; the walk
    (shared with its helper process or not) finds it, and .venv is not read twice."""
    from envaudit import engine
    from envaudit.collectors import discovery

    root = tmp_path / "mono"
    venv(root, {"anthropic": "2.17.0"})
    venv(root / "services" / "api", {"anthropic": "1.17.0"}, python="3.11")
    worker = venv(root / "services" / "worker", {"httpx": "0.28.1"})
    worker.rename(root / "services" / "worker" / "pyenv")
    broken = venv(root / "tools", {})
    dist(broken / "lib" / "python3.12" / "site-packages", "anthropic", None)
    for name in "abcdefgh":  # folders enough for the helper at SHARE_AT = 1
        (root / "pkgs" / name).mkdir(parents=True)
    monkeypatch.setattr(discovery, "SHARE_AT", share_at)
    snap = engine.collect(CollectOptions(str(root), process_env=False))
    assert [(e.path, e.origin, e.python, [(p.name, p.version) for p in e.packages])
            for e in snap.python_envs] == [
        (".venv", ".venv in the project", "3.12.4", [("anthropic", "2.17.0")]),
        ("services/api/.venv", "pyvenv.cfg in the project", "3.11.4", [("anthropic", "1.17.0")]),
        ("services/worker/pyenv", "pyvenv.cfg in the project", "3.12.4", [("httpx", "0.28.1")]),
        ("tools/.venv", "pyvenv.cfg in the project", "3.12.4", []),
    ]
    assert [(s.path, s.reason) for s in snap.skipped if s.source == "package"] == [
        ("tools/.venv/lib/python3.12/site-packages/anthropic-0.dist-info",
         "its METADATA gives no Version: not inventoried")]


# ------------------------------------------------------------------ interpreters on the PATH

_ELF = b"\x7fELF\x02\x01\x01" + b"\0" * 57  # what a real interpreter binary starts with


def _prefix(base: Path, minor: str = "3.12", patch: str | None = "3.12.7",
            name: str | None = None) -> Path:
    """A Python installed at ``base`` (``bin/pythonX.Y``, the standard library, headers)."""
    (base / "bin").mkdir(parents=True)
    binary = base / "bin" / f"python{minor}"
    binary.write_bytes(_ELF)
    binary.chmod(0o755)
    (base / "bin" / (name or "python3")).symlink_to(binary.name)
    (base / "lib" / f"python{minor}" / "site-packages").mkdir(parents=True)
    (base / "lib" / f"python{minor}" / "os.py").write_text("")
    if patch is not None:
        (base / "include" / f"python{minor}").mkdir(parents=True)
        (base / "include" / f"python{minor}" / "patchlevel.h").write_text(
            f'#define PY_MINOR_VERSION 12\n#define PY_VERSION      "{patch}"\n')
    return base


def test_static_layout(tmp_path: Path) -> None:
    prefix = _prefix(tmp_path / "opt" / "py")
    site = str(prefix / "lib" / "python3.12" / "site-packages")
    assert inv.static_layout(str(prefix / "bin" / "python3")) == ("3.12.7", [site])
    no_headers = _prefix(tmp_path / "other", patch=None)
    assert inv.static_layout(str(no_headers / "bin" / "python3.12"))[0] == "3.12"
    script = tmp_path / "wrapper"
    script.write_text("#!/bin/sh\nexec python3 \"$@\"\n")
    assert inv.static_layout(str(script)) is None  # a shim or wrapper: asked instead
    assert inv.static_layout(str(tmp_path / "missing")) is None
    (prefix / "lib" / "python3.12" / "os.py").unlink()  # not a layout it knows
    assert inv.static_layout(str(prefix / "bin" / "python3")) is None


def test_the_app_path_s_interpreters_when_the_project_has_no_environment(
        tmp_path: Path) -> None:
    """python3 and python on the app's PATH: a system-style prefix read from its files (no
    subprocess), a venv's interpreter as that venv, each once; not looked at when the project
    has an environment of its own."""
    system = _prefix(tmp_path / "usr-local")
    dist(system / "lib" / "python3.12" / "site-packages", "anthropic", "2.17.0")
    other = venv(tmp_path / "elsewhere", {"anthropic": "1.17.0"})
    (other / "bin").mkdir()
    (other / "bin" / "python").symlink_to(system / "bin" / "python3.12")
    root = tmp_path / "app"
    root.mkdir()
    path = f"{system / 'bin'}:{other / 'bin'}"
    node_only = tmp_path / "web"
    node_only.mkdir()
    (node_only / "package.json").write_text("{}")
    assert _envs(CollectOptions(str(node_only), environ={"PATH": path})) == ([], [])
    (root / "bot.py").write_text("import anthropic\n")  # a Python project: PATH is looked at
    envs, skips = _envs(CollectOptions(str(root), environ={"PATH": path}))
    assert skips == []
    assert [(e.path, e.origin, e.python, [(p.name, p.version) for p in e.packages])
            for e in envs] == [
        (str(system / "bin" / "python3"), "python3 on PATH", "3.12.7", [("anthropic", "2.17.0")]),
        (str(other), "python on PATH", "3.12.4", [("anthropic", "1.17.0")])]
    venv(root, {"anthropic": "2.17.0"})
    envs, _ = _envs(CollectOptions(str(root), environ={"PATH": path}))
    assert [e.path for e in envs] == [".venv"]
    assert _envs(CollectOptions(str(tmp_path / "empty"), environ={}))[0] == []


def test_a_pyenv_shim_is_read_as_the_interpreter_pyenv_picks(tmp_path: Path) -> None:
    pyenv = tmp_path / ".pyenv"
    (pyenv / "shims").mkdir(parents=True)
    for name in ("python3", "python"):
        shim = pyenv / "shims" / name
        shim.write_text("#!/usr/bin/env bash\nexec pyenv exec \"$@\"\n")
        shim.chmod(0o755)
    _prefix(pyenv / "versions" / "3.11.9", minor="3.11", patch="3.11.9")
    (pyenv / "versions" / "3.11.9" / "bin" / "python").symlink_to("python3.11")
    _prefix(pyenv / "versions" / "3.12.7")
    (pyenv / "version").write_text("3.11.9\n")
    root = tmp_path / "app"
    (root / "sub").mkdir(parents=True)
    for folder in (root, root / "sub"):
        (folder / "requirements.txt").write_text("anthropic\n")
    environ = {"PATH": str(pyenv / "shims")}
    versions = [e.python for e in _envs(CollectOptions(str(root / "sub"), environ=environ))[0]]
    assert versions == ["3.11.9"]  # pyenv's global version; python and python3 are one
    (root / ".python-version").write_text("3.12.7\n")  # the project's, found from a subfolder
    versions = [e.python for e in _envs(CollectOptions(str(root / "sub"), environ=environ))[0]]
    assert versions == ["3.12.7"]
    environ["PYENV_VERSION"] = "3.11.9:3.12.7"
    assert [e.python for e in _envs(CollectOptions(str(root), environ=environ))[0]] == ["3.11.9"]


def test_conda_prefix(tmp_path: Path) -> None:
    conda = _prefix(tmp_path / "miniconda" / "envs" / "bot", minor="3.11", patch=None)
    (conda / "conda-meta").mkdir()
    (conda / "conda-meta" / "python-3.11.10-hc5c86c4_1_cpython.json").write_text("{}")
    (conda / "conda-meta" / "pip-24.2-pyh8b19718_1.json").write_text("{}")
    dist(conda / "lib" / "python3.11" / "site-packages", "anthropic", "0.125.0")
    root = tmp_path / "app"
    root.mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'bot'\n")
    for environ in ({"CONDA_PREFIX": str(conda)}, {"PATH": str(conda / "bin")}):
        envs, _ = _envs(CollectOptions(str(root), environ=environ))
        assert [(e.path, e.python, [p.version for p in e.packages]) for e in envs] == [
            (str(conda), "3.11.10", ["0.125.0"])]
    assert inv.conda_version(str(tmp_path)) is None


def test_the_model_catalogue_is_read_until_one_is_read_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """catalogue_for takes the first catalogue read whole: once one is, the other environments'
    SDK files are not read (one that could not be read does not count)."""
    from envaudit import engine
    from envaudit.inventory import models
    from envaudit.model import ModelCatalogue

    calls: list[str] = []

    def fake(distributions: object, shown: str) -> ModelCatalogue:
        calls.append(shown)
        reason = "cannot read it" if shown == ".venv" else None
        return ModelCatalogue(f"anthropic at {shown}", ("claude-x",), reason=reason)

    monkeypatch.setattr(models, "python_catalogue", fake)
    root = tmp_path / "mono"
    for where in (root, root / "services" / "a", root / "services" / "b"):
        venv(where, {"anthropic": "2.17.0"})
    snap = engine.collect(CollectOptions(str(root), process_env=False))
    assert calls == [".venv", "services/a/.venv"]
    assert [(e.path, e.models is not None) for e in snap.python_envs] == [
        (".venv", True), ("services/a/.venv", True), ("services/b/.venv", False)]
    assert models.catalogue_for(snap).source == "anthropic at services/a/.venv"
