"""``envaudit.loaders.compose_project`` on real YAML written into ``tmp_path``.

* file discovery, env_file and environment forms with their lines, typed YAML values, missing
  required/optional env files, malformed YAML and other refused projects, override files;
* the measured compose precedence experiment (``precedence.json``) reproduced;
* when the real docker compose is installed: the same projects through ``config --format json``.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envaudit.loaders import compose_project as cp

from . import compose_real, compose_truth

needs_compose = pytest.mark.skipif(compose_real.find() is None, reason=compose_real.skip_reason())


def write(folder: Path, files: Mapping[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return folder


def load(folder: Path, environ: Mapping[str, str] | None = None) -> cp.ComposeProject:
    project = cp.load_project(folder, environ or {})
    assert isinstance(project, cp.ComposeProject), project
    return project


def resolve(folder: Path, environ: Mapping[str, str], name: str = "s"
            ) -> cp.ServiceEnvironment:
    dotenv = cp.read_project_dotenv(folder, environ)
    assert dotenv.error is None
    project = cp.load_project(folder, environ)
    assert isinstance(project, cp.ComposeProject), project
    service = project.service(name)
    assert service is not None
    return cp.service_environment(project, service, environ, dotenv.values)


# --------------------------------------------------------------------------- discovery


def test_discovery_order_and_warnings(tmp_path: Path) -> None:
    write(tmp_path, {"docker-compose.yaml": "services: {}\n",
                     "docker-compose.yml": "services: {}\n",
                     "compose.override.yaml": "services: {}\n",
                     "docker-compose.override.yml": "services: {}\n"})
    files, warnings = cp.find_compose_files(tmp_path)
    assert [os.path.basename(p) for p in files] == ["docker-compose.yml", "compose.override.yaml"]
    assert len(warnings) == 2
    (tmp_path / "compose.yml").write_text("services: {}\n")
    assert os.path.basename(cp.find_compose_files(tmp_path)[0][0]) == "compose.yml"


def test_discovery_in_parents_only_when_asked(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "services: {}\n"})
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert cp.find_compose_files(sub) == ((), ())
    assert cp.find_compose_files(sub, search_parents=True)[0] == (str(tmp_path / "compose.yaml"),)
    error = cp.load_project(sub, {})
    assert isinstance(error, cp.ComposeProjectError) and error.kind == "not_found"


# --------------------------------------------------------------------------- forms and lines

FORMS = """
services:
  one:
    image: x
    env_file: one.env
    environment:
      A: plain
      B:
      C: "3.10"
      D: 3.10
      E: 1000000.0
      F: yes
      G: 0x1F
      H: ${SHELL_K}-$$literal
  two:
    image: x
    env_file:
      - first.env
      - path: ./second.env
        required: false
      - path: raw.env
        format: raw
    environment:
      - LIST_A=1
      - LIST_BARE
      - LIST_EMPTY=
"""


def test_env_file_and_environment_forms_with_lines(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": FORMS})
    project = load(tmp_path, {"SHELL_K": "k"})
    one, two = project.services
    assert (one.name, one.line, two.name, two.line) == ("one", 2, "two", 14)
    assert [(r.path, r.required, r.format, r.line) for r in one.env_files] == [
        ("one.env", True, None, 4)]
    assert one.env_files[0].resolved == str(tmp_path / "one.env")
    assert [(e.key, e.value, e.line, e.yaml_type) for e in one.environment] == [
        ("A", "plain", 6, "str"), ("B", None, 7, "null"), ("C", "3.10", 8, "str"),
        ("D", "3.1", 9, "float"), ("E", "1e+06", 10, "float"), ("F", "yes", 11, "str"),
        ("G", "31", 12, "int"), ("H", "k-$literal", 13, "str")]
    assert [(r.path, r.required, r.format, r.line) for r in two.env_files] == [
        ("first.env", True, None, 17), ("./second.env", False, None, 18),
        ("raw.env", True, "raw", 20)]
    assert [(e.key, e.value, e.line, e.form) for e in two.environment] == [
        ("LIST_A", "1", 23, "list"), ("LIST_BARE", None, 24, "list"),
        ("LIST_EMPTY", "", 25, "list")]


def test_missing_required_and_optional_env_files(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": """
        services:
          s:
            image: x
            env_file:
              - path: optional.env
                required: false
              - present.env
        """, "present.env": "K=v\n"})
    env = resolve(tmp_path, {})
    assert env.error is None and env.values() == {"K": "v"}
    assert env.readings[0][1] is None
    (tmp_path / "present.env").unlink()
    missing = resolve(tmp_path, {})
    assert missing.error is not None and missing.error.kind == "env_file_missing"
    assert missing.error.line == 7 and missing.variables == ()


def test_env_file_refused_by_compose_fails_the_service(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "services:\n  s:\n    image: x\n    env_file: bad.env\n",
                     "bad.env": "OK=1\nKEY='unterminated\n"})
    env = resolve(tmp_path, {})
    assert env.error is not None and env.error.kind == "env_file_rejected"
    assert env.error.line == 2 and env.error.path == str(tmp_path / "bad.env")


def test_list_name_ending_in_a_space_byte(tmp_path: Path) -> None:
    """compose tests the name's last BYTE: 'à' (C3 A0) ends in NBSP's byte and is refused."""
    write(tmp_path, {"compose.yaml": "services:\n  s:\n    image: x\n    environment:\n"
                                     "      - \u00e0=1\n"})
    error = cp.load_project(tmp_path, {})
    assert isinstance(error, cp.ComposeProjectError) and error.kind == "invalid_environment"
    assert error.line == 5


@pytest.mark.parametrize(("text", "kind", "line"), [
    ("services:\n  s: [\n", "yaml", 3),
    ("services:\n  s:\n    image: x\n   bad: indent\n", "yaml", 4),
    ("- a\n- b\n", "not_mapping", 1),
    ("services: [a, b]\n", "invalid_services", 1),
    ("services:\n  s: text\n", "invalid_service", 2),
    ("services:\n  s:\n    env_file: {path: 1, other: 2}\n", "invalid_env_file", 3),
    ("services:\n  s:\n    env_file: [{required: false}]\n", "invalid_env_file", 3),
    ("services:\n  s:\n    environment: text\n", "invalid_environment", 3),
    ("services:\n  s:\n    environment: [1]\n", "invalid_environment", 3),
    ("services:\n  s:\n    environment: {A: [1]}\n", "invalid_environment", 3),
    ("services:\n  s:\n    environment: {A: 2001-12-14}\n", "invalid_environment", 3),
    ("services:\n  s:\n    environment: {A: '${NOPE:?set it}'}\n", "interpolation", 3),
])
def test_refused_projects_are_error_values(tmp_path: Path, text: str, kind: str, line: int
                                           ) -> None:
    write(tmp_path, {"compose.yaml": text})
    error = cp.load_project(tmp_path, {})
    assert isinstance(error, cp.ComposeProjectError), error
    assert (error.kind, error.line) == (kind, line), error
    assert "set it" not in error.message


def test_compose_file_that_is_a_folder_or_too_large(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "compose.yaml").mkdir()
    error = cp.load_project(tmp_path, {})
    assert isinstance(error, cp.ComposeProjectError) and error.kind == "is_directory"
    other = tmp_path / "big"
    write(other, {"compose.yaml": "services: {}\n" + "# filler\n" * 100})
    monkeypatch.setattr(cp, "MAX_COMPOSE_BYTES", 64)
    error = cp.load_project(other, {})
    assert isinstance(error, cp.ComposeProjectError) and error.kind == "too_large"


def test_deeply_nested_yaml_is_an_error_value(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "x: " + "[" * 5000 + "]" * 5000 + "\n"})
    result = cp.load_project(tmp_path, {})
    assert isinstance(result, (cp.ComposeProject, cp.ComposeProjectError))


@pytest.mark.parametrize(("text", "kind"), [
    ("services:\n", "invalid_services"),
    ("services:\n  s:\n", "invalid_service"),
    ("services:\n  s:\n    image: x\n    env_file:\n", "invalid_env_file"),
    ("services:\n  s:\n    image: x\n    environment:\n", "invalid_environment"),
    ("", "empty"),
    ("# only a comment\n", "empty"),
])
def test_empty_sections_are_refused(tmp_path: Path, text: str, kind: str) -> None:
    """compose v2.40.3 refuses each of these (checked with the real binary)."""
    write(tmp_path, {"compose.yaml": text})
    error = cp.load_project(tmp_path, {})
    assert isinstance(error, cp.ComposeProjectError) and error.kind == kind, error


def test_no_services_key_is_fine(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "x-a: 1\n"})
    assert load(tmp_path).services == ()


def test_merge_keys_and_multiple_documents(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": """
        x-common: &common
          environment:
            SHARED: from_anchor
        services:
          s:
            <<: *common
            image: x
        ---
        services:
          s:
            environment:
              SECOND_DOC: "1"
        """})
    service = load(tmp_path).services[0]
    assert [(e.key, e.value) for e in service.environment] == [
        ("SHARED", "from_anchor"), ("SECOND_DOC", "1")]


# --------------------------------------------------------------------------- overrides

BASE = """
services:
  s:
    image: x
    env_file: [a.env, b.env]
    environment:
      A: base
      B: base
"""


@pytest.mark.parametrize(("override", "env_files", "environment"), [
    ("services:\n  s:\n    env_file: [c.env, a.env]\n    environment: [B=over, C=over]\n",
     ["a.env", "b.env", "c.env"], {"A": "base", "B": "over", "C": "over"}),
    ("services:\n  s:\n    env_file: !reset []\n    environment: !override {Z: z}\n",
     [], {"Z": "z"}),
    ("services:\n  t:\n    image: y\n", ["a.env", "b.env"], {"A": "base", "B": "base"}),
])
def test_override_file_merge(tmp_path: Path, override: str, env_files: list[str],
                             environment: dict[str, str]) -> None:
    write(tmp_path, {"compose.yaml": BASE, "compose.override.yaml": override,
                     "a.env": "FA=1\n", "b.env": "FB=1\n", "c.env": "FC=1\n"})
    project = load(tmp_path)
    assert [os.path.basename(p) for p in project.files] == ["compose.yaml", "compose.override.yaml"]
    service = project.service("s")
    assert service is not None
    assert [r.path for r in service.env_files] == env_files
    assert {e.key: e.value for e in service.environment} == environment
    if env_files == ["a.env", "b.env", "c.env"]:
        # a.env is re-declared by the override: the later entry (line 4 there) takes its place
        assert os.path.basename(service.env_files[0].source) == "compose.override.yaml"


# --------------------------------------------------------------------------- project .env


def test_project_dotenv_and_its_switch(tmp_path: Path) -> None:
    write(tmp_path, {".env": "A=${SHELL_K}\nB=${A}-b\nSHELL_K=from_file\n"})
    dotenv = cp.read_project_dotenv(tmp_path, {"SHELL_K": "sh"})
    assert dict(dotenv.values) == {"A": "sh", "B": "sh-b", "SHELL_K": "from_file"}
    assert cp.read_project_dotenv(tmp_path, {"COMPOSE_DISABLE_ENV_FILE": "true"}).path is None
    bad = cp.read_project_dotenv(tmp_path, {"COMPOSE_DISABLE_ENV_FILE": "maybe"})
    assert bad.error is not None and bad.error.kind == "invalid_setting"
    (tmp_path / ".env").write_text("A='never closed\n")
    refused = cp.read_project_dotenv(tmp_path, {})
    assert refused.error is not None and refused.error.line == 1


# --------------------------------------------------------------------------- measured precedence


@pytest.mark.parametrize("run", sorted(compose_truth.precedence()["docker_compose"]["runs"]))
def test_measured_compose_precedence(tmp_path: Path, run: str) -> None:
    measured = compose_truth.precedence()["docker_compose"]
    write(tmp_path, measured["files"])
    environ = measured["runs"][run]["environ"]
    env = resolve(tmp_path, environ)
    assert env.error is None
    assert env.values() == measured["runs"][run]["result"]["stdout"]
    origins = {v.key: (v.origin, os.path.basename(v.path), v.line) for v in env.variables}
    assert origins["K"] == ("env_file", "b.env", 1)  # the later env_file wins
    assert origins["FROM_ENVIRONMENT"] == ("environment", "compose.yaml", 6)
    assert origins["SHELLKEY"] == ("env_file", "a.env", 4)  # the shell never overrides


# --------------------------------------------------------------------------- real compose

REAL_PROJECTS: list[tuple[dict[str, str], dict[str, str]]] = [
    ({"compose.yaml": FORMS.replace("  one:", "  s:").replace("two:", "t:"),
      "one.env": "O=${B}-${SHELL_K}\nB=from_file\n", "first.env": "X=1\n",
      "raw.env": "R='raw'\n"}, {"SHELL_K": "k", "B": "shell_b"}),
    ({"compose.yaml": BASE, "compose.override.yaml":
      "services:\n  s:\n    env_file: [c.env, a.env]\n    environment: [B=over, C=over]\n",
      "a.env": "FA=1\nB=from_a\n", "b.env": "FB=${FA}\n", "c.env": "FC=1\nFA=2\n",
      ".env": "P=from_project\n"}, {}),
    ({"compose.yaml": "services:\n  s:\n    image: x\n    env_file: [a.env]\n"
                      "    environment: {M: '${P:-d}', N: 0o17, O: 1e21, Q: -0.0, R: 1_000}\n",
      "a.env": "A=${M}\nB=${P}\nC\n", ".env": "P=proj\nC=proj_c\n"}, {"P": ""}),
]


@needs_compose
@pytest.mark.parametrize("index", range(len(REAL_PROJECTS)))
def test_real_compose_projects(tmp_path: Path, index: int) -> None:
    files, environ = REAL_PROJECTS[index]
    write(tmp_path, files)
    run = compose_real.config(tmp_path, environ, home=tmp_path)
    assert run.services is not None, run.error
    project = load(tmp_path, environ)
    dotenv = cp.read_project_dotenv(tmp_path, environ)
    for service in project.services:
        env = cp.service_environment(project, service, environ, dotenv.values)
        assert env.error is None
        assert env.values() == (run.services[service.name].get("environment") or {})


REFUSED_TEXTS = [
    "services:\n  s: [\n",
    "services: [a, b]\n",
    "services:\n  s: text\n",
    "services:\n",
    "services:\n  s:\n",
    "",
    "services:\n  s:\n    image: x\n    env_file: {path: a.env, other: 2}\n",
    "services:\n  s:\n    image: x\n    env_file: [{required: false}]\n",
    "services:\n  s:\n    image: x\n    env_file:\n",
    "services:\n  s:\n    image: x\n    environment: text\n",
    "services:\n  s:\n    image: x\n    environment:\n",
    "services:\n  s:\n    image: x\n    environment: [1]\n",
    "services:\n  s:\n    image: x\n    environment: {A: [1]}\n",
    "services:\n  s:\n    image: x\n    environment: {A: 2001-12-14}\n",
    "services:\n  s:\n    image: x\n    environment: {A: '${NOPE:?set it}'}\n",
    "services:\n  s:\n    image: x\n    environment: ['\u00e0=1']\n",
    "services:\n  s:\n    image: x\n    environment:\n      A: a\n      A: b\n",
    "services:\n  s:\n    image: x\n    image: y\n",
]


@needs_compose
@pytest.mark.parametrize("text", REFUSED_TEXTS)
def test_real_compose_refuses_what_we_refuse(tmp_path: Path, text: str) -> None:
    write(tmp_path, {"compose.yaml": text})
    assert isinstance(cp.load_project(tmp_path, {}), cp.ComposeProjectError)
    run = compose_real.config(tmp_path, {}, home=tmp_path)
    assert run.services is None


def test_an_escape_pyyaml_cannot_decode_is_malformed_yaml(tmp_path: Path) -> None:
    """PyYAML raises ``ValueError`` (not a ``YAMLError``) on ``"\\U00110000"``: the project is
    refused with a reason, ``load_project`` never raises."""
    path = tmp_path / "compose.yaml"
    path.write_bytes(b'services:\n  web:\n    environment:\n      A: "\\U00110000"\n')
    result = cp.load_project(tmp_path, {})
    assert isinstance(result, cp.ComposeProjectError)
    assert (result.kind, result.message) == (
        "yaml", "malformed YAML: a character escape names no Unicode character")


@pytest.mark.parametrize(("text", "line", "message"), [
    ("services:\n  s:\n    env_file: .env\n    environment:\n      APP_TOKEN: a\n"
     "      APP_TOKEN: b\n", 6, "mapping key 'APP_TOKEN' already defined at line 5"),
    ("services:\n  s:\n    env_file: a.env\n    env_file: b.env\n", 4,
     "mapping key 'env_file' already defined at line 3"),
    ("services:\n  s:\n    image: x\n    environment:\n      '1': a\n      1: b\n", 6,
     "mapping key '1' already defined at line 5"),  # the same text, whatever the quoting
    ("x-env: &e {A: 1}\nservices:\n  s:\n    image: x\n    <<: *e\n    <<: *e\n", 6,
     "mapping key '<<' already defined at line 5"),
    ("services:\n  s:\n    image: x\n    environment:\n      sk-ant-api03-ab cd: a\n"
     "      sk-ant-api03-ab cd: b\n", 6, "a mapping key already defined at line 5"),
])
def test_a_key_written_twice_in_one_mapping_is_refused(tmp_path: Path, text: str, line: int,
                                                       message: str) -> None:
    """compose decodes with yaml.v3's unique-keys check and refuses the file (``line 6: mapping
    key "APP_TOKEN" already defined at line 5``); a key that is not a plain name is not quoted
    (it could be a pasted value)."""
    write(tmp_path, {"compose.yaml": text})
    error = cp.load_project(tmp_path, {})
    assert isinstance(error, cp.ComposeProjectError)
    assert (error.kind, error.line, error.message) == ("yaml", line, message)


def test_the_same_key_in_two_mappings_or_a_list_twice_is_not_a_duplicate(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": """
        services:
          a:
            image: x
            environment: {A: 1}
          b:
            image: x
            environment: [A=1, A=2]
        """})
    assert [s.name for s in load(tmp_path).services] == ["a", "b"]


def test_extends_in_the_same_file_inherits_env_file_and_environment(tmp_path: Path) -> None:
    """compose-go ``ApplyExtends``: the base's env_file entries come first (the service's are
    appended, duplicates dropped), its environment is merged by name (the service wins), and a
    chain of extends is followed."""
    write(tmp_path, {"compose.yaml": """
        x-base: &unused {}
        services:
          common:
            image: x
            env_file: common.env
            environment: {ANTHROPIC_MODEL: claude-3-haiku-20240307, LOG: info}
          worker:
            extends: common
            environment: {ANTHROPIC_MODEL: claude-sonnet-4-5}
          api:
            extends: {service: worker}
            env_file: [api.env, common.env]
        """})
    services = {s.name: s for s in load(tmp_path).services}
    assert [r.path for r in services["worker"].env_files] == ["common.env"]
    assert {e.key: e.value for e in services["worker"].environment} == {
        "ANTHROPIC_MODEL": "claude-sonnet-4-5", "LOG": "info"}
    assert [r.path for r in services["api"].env_files] == ["common.env", "api.env"]
    assert {e.key: e.value for e in services["api"].environment} == {
        "ANTHROPIC_MODEL": "claude-sonnet-4-5", "LOG": "info"}


def test_extends_from_another_file_resolves_its_paths_from_that_file(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": """
        services:
          bot:
            extends: {file: shared/base.yaml, service: llm}
            environment: [ANTHROPIC_MODEL=claude-sonnet-4-5]
        """})
    write(tmp_path / "shared", {"base.yaml": """
        services:
          llm:
            image: x
            env_file: llm.env
            environment: [ANTHROPIC_BASE_URL=https://gw.example.com]
        """})
    (bot,) = load(tmp_path).services
    assert [r.resolved for r in bot.env_files] == [str(tmp_path / "shared" / "llm.env")]
    assert [(e.key, e.source) for e in bot.environment] == [
        ("ANTHROPIC_BASE_URL", str(tmp_path / "shared" / "base.yaml")),
        ("ANTHROPIC_MODEL", str(tmp_path / "compose.yaml"))]


@pytest.mark.parametrize(("services", "files", "message"), [
    ("  a:\n    extends: nope\n", {},
     "service 'a' extends 'nope', which this file does not define"),
    ("  a:\n    extends: b\n  b:\n    extends: a\n", {},
     "service 'b': extends loops back to 'a'"),
    ("  a:\n    extends: {file: base.yaml, service: b}\n", {},
     "the file extends names does not exist"),
    ("  a:\n    extends: {file: base.yaml, service: c}\n",
     {"base.yaml": "services:\n  b:\n    image: x\n"},
     "service 'a' extends 'c', which that file does not define"),
    ("  a:\n    extends: {file: base.yaml}\n", {}, "service 'a': extends has no 'service'"),
])
def test_a_broken_extends_is_refused(tmp_path: Path, services: str, files: dict[str, str],
                                     message: str) -> None:
    write(tmp_path, {"compose.yaml": "services:\n" + services, **files})
    error = cp.load_project(tmp_path, {})
    assert isinstance(error, cp.ComposeProjectError)
    assert error.message == message


def test_include_imports_services_from_a_project_of_their_own(tmp_path: Path) -> None:
    """compose-go ``ApplyInclude``: the included files' relative paths start from their own
    folder, they are interpolated with the shell, the including project's .env, then their own
    folder's .env; the including file's definition of a service merges on top."""
    write(tmp_path, {"compose.yaml": """
        include:
          - path: llm/compose.yaml
        services:
          bot:
            environment: {ANTHROPIC_MODEL: claude-sonnet-4-5}
        """, ".env": "SHARED=from-root\n"})
    write(tmp_path / "llm", {"compose.yaml": """
        services:
          bot:
            image: x
            env_file: bot.env
            environment:
              ANTHROPIC_MODEL: claude-3-haiku-20240307
              ANTHROPIC_BASE_URL: https://${GATEWAY}/${SHARED}
        """, ".env": "GATEWAY=gw.example.com\nSHARED=from-llm\n"})
    (bot,) = load(tmp_path).services
    assert [r.resolved for r in bot.env_files] == [str(tmp_path / "llm" / "bot.env")]
    assert {e.key: e.value for e in bot.environment} == {
        "ANTHROPIC_MODEL": "claude-sonnet-4-5",
        "ANTHROPIC_BASE_URL": "https://gw.example.com/from-root"}


@pytest.mark.parametrize(("files", "message"), [
    ({"compose.yaml": "include: [other.yaml]\nservices:\n  a:\n    image: x\n"},
     "an included compose file does not exist"),
    ({"compose.yaml": "include: [other.yaml]\nservices:\n  a:\n    image: x\n",
      "other.yaml": "include: [compose.yaml]\nservices:\n  b:\n    image: x\n"},
     "include loops back to compose.yaml"),
    ({"compose.yaml": "include: other.yaml\nservices:\n  a:\n    image: x\n"},
     "include must be a list"),
    ({"compose.yaml": "include:\n  - path: other.yaml\n    env_file: missing.env\n"
                      "services:\n  a:\n    image: x\n",
      "other.yaml": "services:\n  b:\n    image: x\n"},
     "an env_file of include does not exist"),
])
def test_a_broken_include_is_refused(tmp_path: Path, files: dict[str, str],
                                     message: str) -> None:
    write(tmp_path, files)
    error = cp.load_project(tmp_path, {})
    assert isinstance(error, cp.ComposeProjectError)
    assert error.message == message


def test_written_environment_reads_every_entry_of_any_compose_file(tmp_path: Path) -> None:
    """What the traceback scrub adds: duplicates, list items, and lines of a file that is not
    YAML at all."""
    write(tmp_path, {"compose.yaml": """
        services:
          s:
            environment:
              TOKEN: one
              TOKEN: two
          t:
            environment: [PASSWORD=three]
        """, "bad.yaml": "services: [\n  - 'SECRET=four'\n  KEY: \"five\"\n"})
    assert sorted(cp.written_environment(tmp_path / "compose.yaml")) == [
        ("PASSWORD", "three"), ("TOKEN", "one"), ("TOKEN", "two")]
    assert ("SECRET", "four") in cp.written_environment(tmp_path / "bad.yaml")
    assert ("KEY", "five") in cp.written_environment(tmp_path / "bad.yaml")
    assert cp.written_environment(tmp_path / "missing.yaml") == []


@given(st.lists(st.sampled_from(["", ".", "..", "a", "b.env", "c d", "~"]), max_size=6),
       st.sampled_from(["", "/", "//", "///"]), st.booleans())
def test_pure_path_is_pathlib_s_rendering(parts: list[str], lead: str, trailing: bool) -> None:
    """``pure_path`` renders a path as ``str(PurePosixPath(path))`` does (without importing
    ``pathlib`` on a scan)."""
    from pathlib import PurePosixPath

    text = lead + "/".join(parts) + ("/" if trailing else "")
    assert cp.pure_path(text) == str(PurePosixPath(text))
