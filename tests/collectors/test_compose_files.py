"""``envaudit.collectors.compose_files``: the compose projects of the top folders, the env files
their services name (and how compose reads each), their ``environment:`` entries, and what
compose would refuse (each a ``Skip`` with a one-line reason, never an exception); then the
dotenv collector reading those files with the ``compose`` loader.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from envaudit.collectors import compose_files
from envaudit.collectors.base import CollectOptions, ComposeFacts, ComposeRead, Fact
from envaudit.collectors.compose_files import ComposeCollector, compose_folders, names_env_files
from envaudit.collectors.dotenv_files import DotenvFilesCollector
from envaudit.loaders import compose_project
from envaudit.model import (
    COMPOSE,
    DOCKER_ENV_FILE,
    PYTHON_DOTENV,
    ComposeService,
    Definition,
    DotenvFile,
    LoaderUse,
    Location,
    Skip,
)

from .helpers import options, write


def compose(root: Path, text: str, name: str = "compose.yaml") -> Path:
    return write(root, name, textwrap.dedent(text))


def facts(opts: CollectOptions) -> list[Fact]:
    return list(ComposeCollector().collect(opts))


def found(opts: CollectOptions) -> ComposeFacts:
    (out,) = [f for f in facts(opts) if isinstance(f, ComposeFacts)]
    return out


def skips(opts: CollectOptions) -> list[Skip]:
    return [f for f in facts(opts) if isinstance(f, Skip)]


def uses(opts: CollectOptions) -> list[LoaderUse]:
    return [f for f in facts(opts) if isinstance(f, LoaderUse)]


def where(root: Path, rel: str) -> str:
    return os.path.normpath(os.path.join(root, rel))


# --------------------------------------------------------------------------- the project


def test_services_env_files_and_environment(tree: Path) -> None:
    compose(tree, """\
        services:
          web:
            build: .
            env_file:
              - .env
              - path: config/app.vars
              - path: optional.env
                required: false
            environment:
              ANTHROPIC_MODEL: ${MODEL:-claude-haiku-4-5}
              ANTHROPIC_BASE_URL:
              LOG_LEVEL: info
          worker:
            image: acme/worker
        """)
    write(tree, ".env", "MODEL=claude-sonnet-4-6\nANTHROPIC_BASE_URL=https://gw.example\n")
    write(tree, "config/app.vars", "ANTHROPIC_API_KEY=x\n")
    opts = options(tree, all_variables=False)
    got = found(opts)
    web = ComposeService("web", "compose.yaml", (".env", "config/app.vars"), (
        # interpolated from the project .env; a bare name takes the project .env's value
        Definition("ANTHROPIC_MODEL", "claude-sonnet-4-6",
                   Location("compose", "compose.yaml", 10), COMPOSE),
        Definition("ANTHROPIC_BASE_URL", "https://gw.example",
                   Location("compose", "compose.yaml", 11), COMPOSE),
    ))  # LOG_LEVEL is read by no rule: not kept
    assert got.services == (web, ComposeService("worker", "compose.yaml", (), ()))
    assert set(got.env_files) == {where(tree, ".env"), where(tree, "config/app.vars")}
    read = got.env_files[where(tree, "config/app.vars")]
    assert read.named_by == "compose.yaml:6 (service web)" and not read.raw
    assert read.project_env == {"MODEL": "claude-sonnet-4-6",
                                "ANTHROPIC_BASE_URL": "https://gw.example"}
    assert read.service_environment["LOG_LEVEL"] == "info"
    assert uses(opts) == [LoaderUse(COMPOSE, "compose.yaml:5 service 'web' has env_file .env")]
    assert skips(opts) == []  # a missing optional file is fine


def test_the_shell_wins_over_the_project_env_for_interpolation(tree: Path) -> None:
    compose(tree, """\
        services:
          web:
            env_file: .env
            environment:
              - ANTHROPIC_MODEL
              - ANTHROPIC_BASE_URL=${BASE}
        """)
    write(tree, ".env", "ANTHROPIC_MODEL=from-dotenv\nBASE=https://dotenv.example\n")
    environ = {"ANTHROPIC_MODEL": "from-shell", "BASE": "https://shell.example"}
    (web,) = found(options(tree, environ=environ)).services
    assert [(d.name, d.value) for d in web.environment] == [
        ("ANTHROPIC_MODEL", "from-shell"), ("ANTHROPIC_BASE_URL", "https://shell.example")]
    # --no-process-env: the shell is unknown, the project .env feeds both
    (web,) = found(options(tree, environ=environ, process_env=False)).services
    assert [(d.name, d.value) for d in web.environment] == [
        ("ANTHROPIC_MODEL", "from-dotenv"), ("ANTHROPIC_BASE_URL", "https://dotenv.example")]


def test_a_bare_name_nothing_defines_has_no_value(tree: Path) -> None:
    compose(tree, "services:\n  web:\n    env_file: a.env\n    environment: [ANTHROPIC_MODEL]\n")
    write(tree, "a.env")
    (web,) = found(options(tree)).services
    assert [(d.name, d.value) for d in web.environment] == [("ANTHROPIC_MODEL", None)]


def test_format_raw(tree: Path) -> None:
    compose(tree, """\
        services:
          a:
            env_file: [{path: raw.env, format: raw}, both.env]
          b:
            env_file: [{path: both.env, format: raw}]
        """)
    write(tree, "raw.env")
    write(tree, "both.env")
    opts = options(tree)
    got = found(opts).env_files
    assert got[where(tree, "raw.env")].raw is True
    # named raw by b and not by a: read the default way, and a skip says what is not modelled
    assert got[where(tree, "both.env")].raw is False
    (skip,) = skips(opts)
    assert skip.path == "both.env"
    assert skip.reason.startswith("read with compose's default (dotenv) rules only, as service "
                                  "a reads it: service b names it with format: raw")


def test_an_unknown_format_is_refused(tree: Path) -> None:
    compose(tree, "services:\n  a:\n    env_file: [{path: a.env, format: ini}]\n")
    write(tree, "a.env")
    (skip,) = skips(options(tree))
    assert skip.path == "a.env" and "format 'ini'" in skip.reason
    assert found(options(tree)).env_files == {}


def test_a_missing_required_env_file_is_one_skip(tree: Path) -> None:
    compose(tree, """\
        services:
          a:
            env_file: [secrets.env, {path: local.env, required: false}]
          b:
            env_file: secrets.env
        """)
    opts = options(tree)
    (skip,) = skips(opts)
    assert skip == Skip("compose", "no such file, and compose.yaml:3 (service a) requires it (so "
                                   "do 1 more entries): docker compose refuses to start the "
                                   "project (`required: false` makes it optional)",
                        path="secrets.env")
    assert found(opts).env_files == {}
    assert [u.loader for u in uses(opts)] == [COMPOSE]  # env_file entries exist all the same


def test_an_env_file_that_is_a_folder(tree: Path) -> None:
    compose(tree, "services:\n  a:\n    env_file: conf\n")
    (tree / "conf").mkdir()
    (skip,) = skips(options(tree))
    assert skip.path == "conf" and skip.reason.startswith("a folder, not a file")


@pytest.mark.parametrize(("text", "reason"), [
    ("services:\n  a:\n    env_file: [.env\n", "malformed YAML: expected ',' or ']', but got "
                                                "'<stream end>' (line 4)"),
    ("services:\n  a:\n    env_file: 3\n    environment: {A: [1]}\n", "environment values must "
                                                                      "be strings"),
    ("services:\n  a:\n    env_file: .env\n    environment:\n      A: ${MISSING:?no}\n",
     "required variable MISSING is missing a value"),
    ("- env_file\n", "the top level of a compose file must be a mapping"),
])
def test_a_project_compose_refuses_is_a_skip(tree: Path, text: str, reason: str) -> None:
    compose(tree, text)
    got = facts(options(tree))
    (skip,) = got
    assert isinstance(skip, Skip) and skip.path == "compose.yaml", got
    assert skip.reason.startswith(reason)
    assert skip.reason.endswith(": docker compose refuses this project; its env_file and "
                                "environment: entries are not audited")


def test_an_unreadable_project_env_is_a_skip(tree: Path) -> None:
    compose(tree, "services:\n  a:\n    env_file: a.env\n")
    write(tree, "a.env")
    write(tree, ".env", "BAD'KEY=1\n")
    (skip,) = skips(options(tree))
    assert skip.path == ".env" and "refuses the env file" in skip.reason


def test_a_fifo_named_like_a_compose_file_does_not_block(tree: Path, no_hang: None) -> None:
    os.mkfifo(tree / "compose.yaml")
    (skip,) = facts(options(tree))
    assert isinstance(skip, Skip) and "not a regular file" in skip.reason


def test_a_fifo_project_env_does_not_block(tree: Path, no_hang: None) -> None:
    compose(tree, "services:\n  a:\n    env_file: a.env\n")
    write(tree, "a.env")
    os.mkfifo(tree / ".env")
    (skip,) = skips(options(tree))
    assert skip.path == ".env" and "not a regular file" in skip.reason


def test_several_compose_files_say_which_one_compose_uses(tree: Path) -> None:
    compose(tree, "services:\n  a:\n    env_file: a.env\n")
    compose(tree, "services:\n  b:\n    env_file: b.env\n", "docker-compose.yml")
    write(tree, "a.env")
    opts = options(tree)
    (skip,) = skips(opts)
    assert skip.path == "compose.yaml" and "compose uses compose.yaml" in skip.reason
    assert [s.name for s in found(opts).services] == ["a"]


def test_an_override_file_is_merged(tree: Path) -> None:
    compose(tree, "services:\n  a:\n    env_file: a.env\n")
    compose(tree, "services:\n  a:\n    env_file: b.env\n", "compose.override.yaml")
    write(tree, "a.env")
    write(tree, "b.env")
    (a,) = found(options(tree)).services
    assert a.env_files == ("a.env", "b.env")


def test_env_files_outside_the_root_keep_their_absolute_path(tmp_path: Path) -> None:
    root = tmp_path / "app"
    compose(root, "services:\n  a:\n    env_file: ../shared.env\n")
    write(tmp_path, "shared.env")
    (a,) = found(options(root)).services
    assert a.env_files == (str(tmp_path / "shared.env"),)


# --------------------------------------------------------------------------- when to look


def test_no_compose_file_means_no_facts(tree: Path) -> None:
    write(tree, ".env")
    assert facts(options(tree)) == []


def test_a_compose_file_without_env_file_is_not_parsed(tree: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    compose(tree, "services:\n  a:\n    environment: [ANTHROPIC_MODEL=x]\n    image: [broken\n")
    monkeypatch.setattr(compose_files._Projects, "read", _never)
    assert not names_env_files(str(tree), {})
    assert facts(options(tree)) == []


def test_compose_file_in_the_project_env_replaces_the_default_files(tree: Path) -> None:
    """``COMPOSE_FILE=compose.yaml:deploy/compose.prod.yaml`` in the project ``.env``: compose
    reads those files (no override file); relative env_file paths start from the first file's
    folder, in every file."""
    compose(tree, "services:\n  api:\n    image: api\n")
    compose(tree, "services:\n  api:\n    env_file: dev.env\n", "compose.override.yaml")
    compose(tree / "deploy", "services:\n  api:\n    env_file: deploy/prod.env\n",
            "compose.prod.yaml")
    write(tree, ".env", "COMPOSE_FILE=compose.yaml:deploy/compose.prod.yaml\n")
    write(tree, "deploy/prod.env", "ANTHROPIC_MODEL=claude-sonnet-4-5\n")
    write(tree, "dev.env", "ANTHROPIC_MODEL=claude-3-haiku-20240307\n")
    assert names_env_files(str(tree), {})  # compose.yaml alone names no env file
    out = found(options(tree))
    assert [s.env_files for s in out.services] == [("deploy/prod.env",)]
    assert list(out.env_files) == [where(tree, "deploy/prod.env")]
    # the shell's COMPOSE_FILE wins over the project .env's; COMPOSE_PATH_SEPARATOR splits it
    shell = {"COMPOSE_FILE": "compose.yaml;compose.override.yaml", "COMPOSE_PATH_SEPARATOR": ";"}
    out = found(options(tree, environ=shell))
    assert [s.env_files for s in out.services] == [("dev.env",)]


def test_the_first_compose_file_s_folder_is_the_project_folder(tree: Path) -> None:
    compose(tree, "services:\n  api:\n    image: api\n")
    compose(tree / "deploy", "services:\n  api:\n    image: api\n    env_file: prod.env\n",
            "compose.prod.yaml")
    write(tree, "deploy/prod.env", "ANTHROPIC_MODEL=claude-sonnet-4-5\n")
    out = found(options(tree, environ={"COMPOSE_FILE": "deploy/compose.prod.yaml"}))
    assert [s.env_files for s in out.services] == [("deploy/prod.env",)]


def test_a_missing_compose_file_named_in_compose_file_is_a_skip(tree: Path) -> None:
    compose(tree, "services:\n  api:\n    env_file: .env\n")
    write(tree, ".env", "COMPOSE_FILE=compose.yaml:compose.prod.yaml\n")
    (skip,) = skips(options(tree))
    assert skip.path == "compose.prod.yaml"
    assert "docker compose refuses this project" in skip.reason


@pytest.mark.parametrize(("environment", "shell", "reason"), [
    ("ANTHROPIC_API_KEY: ${ANTHROPIC_API_KEY}", {},
     "compose.yaml:5 service 'bot' takes ANTHROPIC_API_KEY from the project .env"),
    ("- ANTHROPIC_API_KEY", {},  # a bare name: the shell's, else the project .env's
     "compose.yaml:5 service 'bot' takes ANTHROPIC_API_KEY from the project .env"),
    ("- KEY=$${ANTHROPIC_API_KEY}", {}, None),      # $$ is a literal dollar
    ("ANTHROPIC_MODEL: claude-sonnet-4-5", {}, None),  # nothing from the project .env
    ("ANTHROPIC_API_KEY: ${ANTHROPIC_API_KEY}", {"ANTHROPIC_API_KEY": "from-shell"}, None),
])
def test_environment_taken_from_the_project_env_makes_compose_a_loader(
        tree: Path, environment: str, shell: dict[str, str], reason: str | None) -> None:
    """Without env_file, compose still reads the project .env for ``${NAME}`` and bare names:
    the container gets its values, so compose is a loader in use (and EA209 stays silent)."""
    compose(tree, f"services:\n  bot:\n    build: .\n    environment:\n      {environment}\n")
    write(tree, ".env", "ANTHROPIC_API_KEY=sk-ant-api03-x\n")
    assert names_env_files(str(tree), shell)
    assert [u.reason for u in uses(options(tree, environ=shell))] == (
        [reason] if reason else [])


def test_environment_without_a_project_env_does_not_load_the_model(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compose(tree, "services:\n  bot:\n    environment: [ANTHROPIC_API_KEY]\n")
    monkeypatch.setattr(compose_files._Projects, "read", _never)
    assert not names_env_files(str(tree), {})
    assert facts(options(tree)) == []


def test_included_services_and_their_env_files_are_read(tree: Path) -> None:
    compose(tree, "include:\n  - llm/compose.yaml\nservices:\n  web:\n    env_file: .env\n")
    compose(tree / "llm", "services:\n  bot:\n    env_file: bot.env\n")
    write(tree, ".env", "ANTHROPIC_MODEL=claude-sonnet-4-5\n")
    write(tree, "llm/bot.env", "ANTHROPIC_API_KEY=sk-ant-api03-x\n")
    out = found(options(tree))
    assert {s.name: s.env_files for s in out.services} == {
        "bot": ("llm/bot.env",), "web": (".env",)}
    assert skips(options(tree)) == []


def _collect(tree: Path) -> tuple[list[Fact], ComposeFacts | None]:
    """The compose collector as the engine runs it: after the source analysis."""
    from envaudit.source.analyse import analyse

    code = analyse(str(tree))
    out = facts(options(tree, compose_folders=code.compose_folders,
                        compose_commands=code.compose_commands))
    return out, next((f for f in out if isinstance(f, ComposeFacts)), None)


def test_a_script_s_docker_compose_f_project_is_read_too(tree: Path) -> None:
    """``docker compose -f compose.prod.yaml up`` in package.json scripts: that project (its
    own env files) is read besides the default one; the first file's folder is its folder."""
    compose(tree, "services:\n  api:\n    env_file: .env\n")
    compose(tree / "deploy", "services:\n  api:\n    env_file: prod.env\n", "compose.prod.yaml")
    write(tree, ".env", "ANTHROPIC_MODEL=claude-3-haiku-20240307\n")
    write(tree, "deploy/prod.env", "ANTHROPIC_MODEL=claude-sonnet-4-5\n")
    write(tree, "package.json", '{"scripts": {"deploy": '
          '"docker compose -f deploy/compose.prod.yaml up -d", "dev": "docker compose up"}}\n')
    out, found_ = _collect(tree)
    assert found_ is not None
    assert [(s.name, s.file, s.env_files) for s in found_.services] == [
        ("api", "compose.yaml", (".env",)),
        ("api", "deploy/compose.prod.yaml", ("deploy/prod.env",))]
    assert sorted(found_.env_files) == [where(tree, ".env"), where(tree, "deploy/prod.env")]


def test_a_makefile_s_compose_command_with_env_file(tree: Path) -> None:
    """``docker compose --env-file .env.prod -f compose.yaml -f compose.prod.yaml`` in a
    Makefile recipe: the env file replaces the project .env for interpolation."""
    compose(tree, "services:\n  api:\n    image: x\n")
    compose(tree, "services:\n  api:\n    environment:\n      - ANTHROPIC_MODEL=${MODEL}\n",
            "compose.prod.yaml")
    write(tree, ".env", "MODEL=claude-3-haiku-20240307\n")
    write(tree, ".env.prod", "MODEL=claude-sonnet-4-5\n")
    write(tree, "Makefile", "deploy:\n\t@docker compose --env-file .env.prod -f compose.yaml "
                            "-f compose.prod.yaml up -d\n")
    out, found_ = _collect(tree)
    assert found_ is not None
    (api,) = found_.services
    assert [(d.name, d.value) for d in api.environment] == [
        ("ANTHROPIC_MODEL", "claude-sonnet-4-5")]
    assert [u.reason for u in out if isinstance(u, LoaderUse)] == [
        "Makefile deploy: docker compose --env-file .env.prod -f compose.yaml -f "
        "compose.prod.yaml up -d: compose.prod.yaml:4 service 'api' takes MODEL from "
        ".env.prod"]


def test_a_dev_container_s_compose_file_is_read(tree: Path) -> None:
    """``.devcontainer/docker-compose.yml`` (VS Code, Codespaces) is the only hidden folder
    looked in: its env_file is what the dev container gets."""
    compose(tree / ".devcontainer", "services:\n  dev:\n    env_file: ../.env\n",
            "docker-compose.yml")
    compose(tree / ".cache", "services:\n  x:\n    env_file: x.env\n")
    write(tree, ".env", "ANTHROPIC_MODEL=claude-sonnet-4-5\n")
    _, found_ = _collect(tree)
    assert found_ is not None
    assert [(s.name, s.file, s.env_files) for s in found_.services] == [
        ("dev", ".devcontainer/docker-compose.yml", (".env",))]


def _never(*args: object) -> None:
    raise AssertionError("the compose model was loaded")


def test_the_source_analysis_listing_is_where_to_look(tree: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    compose(tree, "services:\n  a:\n    env_file: a.env\n")
    compose(tree / "deploy", "services:\n  b:\n    env_file: b.env\n")
    write(tree, "deploy/b.env")
    write(tree, "a.env")
    assert compose_folders(options(tree, compose_folders=("deploy",))) == [str(tree / "deploy")]
    (b,) = found(options(tree, compose_folders=("deploy",))).services
    assert b == ComposeService("b", "deploy/compose.yaml", ("deploy/b.env",), ())
    # listed, nothing found: not even a stat
    monkeypatch.setattr(os.path, "lexists", _never)
    assert facts(options(tree, compose_folders=())) == []


def test_without_the_listing_the_root_is_checked(tree: Path) -> None:
    compose(tree / "deploy", "services:\n  b:\n    env_file: b.env\n")
    assert compose_folders(options(tree)) == []
    compose(tree, "services:\n  a:\n    env_file: a.env\n", "docker-compose.yaml")
    assert compose_folders(options(tree)) == [str(tree)]


def test_the_file_names_are_the_models() -> None:
    assert compose_files.COMPOSE_FILE_NAMES == compose_project.COMPOSE_FILE_NAMES
    assert compose_files.OVERRIDE_FILE_NAMES == compose_project.OVERRIDE_FILE_NAMES


# --------------------------------------------------------------------------- the dotenv collector


def read(opts: CollectOptions) -> dict[str, DotenvFile]:
    out = {}
    for fact in DotenvFilesCollector().collect(opts):
        assert isinstance(fact, DotenvFile), fact
        out[fact.path] = fact
    return out


def test_compose_reads_the_files_it_names(tree: Path) -> None:
    write(tree, ".env", "MODEL=local\nANTHROPIC_MODEL=${MODEL}\n")
    write(tree, "docker.env", "ANTHROPIC_MODEL='single quoted'\n")
    write(tree, "config/app.vars", 'ANTHROPIC_BASE_URL="https://${HOST}/v1"\n')
    write(tree, ".env.example", "ANTHROPIC_MODEL=claude\n")
    reads = {
        where(tree, ".env"): ComposeRead("compose.yaml:3 (service a)"),
        where(tree, "docker.env"): ComposeRead("compose.yaml:4 (service a)", raw=True),
        where(tree, "config/app.vars"): ComposeRead(
            "compose.yaml:5 (service a)", service_environment={"HOST": "gw.example"}),
        where(tree, ".env.example"): ComposeRead("compose.yaml:6 (service a)"),
    }
    got = read(options(tree, environ={"MODEL": "shell"}, loaders_in_use=(PYTHON_DOTENV, COMPOSE),
                       compose_env_files=reads))
    assert {p: (f.origin, f.role, f.loaders) for p, f in got.items()} == {
        ".env": ("discovered", "env", (PYTHON_DOTENV, COMPOSE)),
        ".env.example": ("discovered", "env", (PYTHON_DOTENV, COMPOSE)),  # compose loads it
        "docker.env": ("discovered", "env", (PYTHON_DOTENV, COMPOSE, DOCKER_ENV_FILE)),
        "config/app.vars": ("compose", "env", (COMPOSE,)),  # the walk does not find it
    }

    def value(path: str, loader: str = COMPOSE) -> str | None:
        reading = got[path].reading(loader)
        assert reading is not None and reading.status == "ok", reading
        return {d.name: d.value for d in reading.definitions}[
            "ANTHROPIC_BASE_URL" if path.endswith(".vars") else "ANTHROPIC_MODEL"]

    # compose looks names up in the shell before the file's own keys; python-dotenv does not
    assert value(".env") == "shell" and value(".env", PYTHON_DOTENV) == "local"
    assert value("docker.env") == "'single quoted'"  # format: raw: docker's verbatim value
    assert value("config/app.vars") == "https://gw.example/v1"  # environment: feeds ${HOST}


def test_a_compose_env_file_given_with_env_file_too_is_read_once(tree: Path) -> None:
    path = write(tree, "config/app.vars", "ANTHROPIC_MODEL=x\n")
    reads = {where(tree, "config/app.vars"): ComposeRead("compose.yaml:3 (service a)")}
    got = read(options(tree, env_files=(str(path),), loaders_in_use=(PYTHON_DOTENV, COMPOSE),
                       compose_env_files=reads))
    assert [(f.path, f.origin) for f in got.values()] == [("config/app.vars", "explicit")]


def test_a_missing_compose_env_file_is_a_dotenv_skip(tree: Path) -> None:
    reads = {where(tree, "gone.vars"): ComposeRead("compose.yaml:3 (service a)")}
    got = list(DotenvFilesCollector().collect(options(
        tree, loaders_in_use=(PYTHON_DOTENV, COMPOSE), compose_env_files=reads)))
    assert got == [Skip("dotenv", "no such file", path="gone.vars")]


def test_a_scan_of_a_compose_project_imports_neither_pathlib_nor_pyyaml(tmp_path: Path) -> None:
    """Start-up: ``pathlib`` (≈ 2.5 ms with ``urllib.parse`` and ``ipaddress``) and PyYAML
    (≈ 9 ms) stay out of a scan whose compose file is plain block YAML. Run with ``-S`` and the
    import path spelled out, so that no ``.pth`` hook (an editable install's finder imports
    ``pathlib``) is in the way."""
    import site
    import subprocess
    import sys

    compose(tmp_path, """\
        services:
          web:
            build: .
            env_file:
              - .env
            environment:
              - LOG_LEVEL=info
        """)
    write(tmp_path, ".env", "ANTHROPIC_BASE_URL=http://localhost:4010\n")
    repo = str(Path(compose_files.__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([repo, *site.getsitepackages()])}
    proc = subprocess.run(
        [sys.executable, "-S", "-X", "importtime", "-m", "envaudit", "scan", "--no-process-env",
         "--format", "json", "-o", str(tmp_path / "out.json"), str(tmp_path)],
        capture_output=True, text=True, env=env, timeout=60, check=False)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time:")}
    assert "envaudit.loaders.compose_project" in imported  # the compose model did run
    assert not imported & {"pathlib", "yaml"}, sorted(imported & {"pathlib", "yaml"})
