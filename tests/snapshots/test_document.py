"""``envaudit.snapshots.document``: the snapshot a scan becomes, checked against the schema
file with the reference validator (``jsonschema``) and with envaudit's own."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from envaudit.host import Container, container, distribution, host_facts
from envaudit.redact import value_fp
from envaudit.snapshots import KIND, SCHEMA_VERSION
from envaudit.snapshots.document import (
    NAME_VARIABLES,
    SALT_CHECK_TEXT,
    EnvironmentName,
    environment_name,
)
from envaudit.snapshots.load import check, schema

from .build import KEY_A, KEY_B, document, project, text

jsonschema = pytest.importorskip("jsonschema")
SAMPLES = Path(__file__).resolve().parents[2] / "sample_envs"


def _validate(doc: dict) -> None:
    jsonschema.Draft202012Validator(schema()).validate(doc)
    check(doc, "doc")


def test_the_schema_file_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    assert schema()["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert schema()["properties"]["kind"]["const"] == KIND


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.iterdir()
                                          if (p / "expected.toml").is_file()))
def test_every_sample_project_makes_a_valid_snapshot(sample: str) -> None:
    from test_sample_envs import options_for

    from envaudit import engine
    from envaudit.snapshots.document import snapshot_text

    from .build import HOST

    report = engine.audit(engine.collect(options_for(sample)))
    doc = json.loads(snapshot_text(report, HOST, None))
    _validate(doc)
    assert doc["kind"] == KIND and doc["schema_version"] == SCHEMA_VERSION
    assert doc["summary"] == report.summary()
    assert len(doc["findings"]) == len(report.findings)


def test_a_snapshot_holds_hints_and_fingerprints_never_values(tmp_path: Path) -> None:
    root = project(tmp_path / "app", {".env": f"ANTHROPIC_API_KEY={KEY_A}\n"
                                              "HTTPS_PROXY=http://u:Pr0xy-Secret-77@proxy:3128\n"})
    written = text(root, {"ANTHROPIC_AUTH_TOKEN": KEY_B}, name="dev")
    doc = json.loads(written)
    _validate(doc)
    for secret in (KEY_A, KEY_B, KEY_A[13:60], KEY_B[40:90], "Pr0xy-Secret-77"):
        assert secret not in written
    entry = next(v for v in doc["variables"] if v["name"] == "ANTHROPIC_API_KEY")
    assert entry["winner"]["python-dotenv"]["value_fp"] == value_fp(KEY_A)
    assert entry["winner"]["python-dotenv"]["shown"].startswith("sk-ant-api03-…")


def test_the_snapshot_records_what_diff_compares(tmp_path: Path) -> None:
    root = project(tmp_path / "app", {".env": "ANTHROPIC_MODEL=claude-sonnet-4-6\n",
                                      ".env.example": "ANTHROPIC_API_KEY=\n"})
    (root / ".env").chmod(0o640)
    doc = document(root, {"ANTHROPIC_API_KEY": KEY_A}, name="staging")
    assert doc["name"] == "staging" and doc["name_source"] == "--name"
    assert doc["audited"] == {"kind": "process", "pids": []}
    files = {f["path"]: f for f in doc["files"]}
    assert files[".env"]["mode"] == "0640" and files[".env"]["role"] == "env"
    assert files[".env"]["readings"] == {"python-dotenv": "ok"}
    assert files[".env.example"]["role"] == "example"
    assert doc["packages"]["declared"][0]["path"] == "requirements.txt"
    assert {r["name"] for r in doc["packages"]["declared"][0]["ranges"]} == {
        "anthropic", "python-dotenv"}
    assert doc["host"]["hostname"] == "test-host"
    assert doc["fingerprints"] == {"salt": "default", "check": value_fp(SALT_CHECK_TEXT)}


def test_the_files_only_snapshot_says_so(tmp_path: Path) -> None:
    root = project(tmp_path / "app", {".env": f"ANTHROPIC_API_KEY={KEY_A}\n"})
    doc = document(root, None)
    assert doc["audited"] == {"kind": "none", "pids": []}
    _validate(doc)


def test_a_custom_salt_is_recorded_without_revealing_it(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path / "app", {".env": f"ANTHROPIC_API_KEY={KEY_A}\n"})
    monkeypatch.setenv("ENVAUDIT_SALT", "team-salt-Xy7")
    doc = document(root, {})
    assert doc["fingerprints"]["salt"] == "ENVAUDIT_SALT"
    assert doc["fingerprints"]["check"] != value_fp(SALT_CHECK_TEXT, b"envaudit-v1")
    assert "team-salt-Xy7" not in json.dumps(doc)


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, None),
    ({"NODE_ENV": "production"}, EnvironmentName("production", "NODE_ENV")),
    ({"NODE_ENV": "production", "APP_ENV": "staging"}, EnvironmentName("staging", "APP_ENV")),
    ({"ENVAUDIT_ENVIRONMENT": "eu-prod", "APP_ENV": "staging"},
     EnvironmentName("eu-prod", "ENVAUDIT_ENVIRONMENT")),
    ({"APP_ENV": "  "}, None),
    ({"APP_ENV": "bad\x1bname"}, None),
    ({"APP_ENV": "x" * 100}, EnvironmentName("x" * 64, "APP_ENV")),
])
def test_environment_name_from_the_audited_environment(environ: dict[str, str],
                                                       expected: EnvironmentName | None) -> None:
    assert environment_name(None, environ) == expected


def test_name_option_wins_and_none_environ_is_files_only() -> None:
    assert environment_name(" prod ", {"APP_ENV": "dev"}) == EnvironmentName("prod", "--name")
    assert environment_name(None, None) is None
    assert NAME_VARIABLES[0] == "ENVAUDIT_ENVIRONMENT" and NAME_VARIABLES[-1] == "NODE_ENV"


def test_container_marks(tmp_path: Path) -> None:
    assert container({}, str(tmp_path)) is None
    assert container({"KUBERNETES_SERVICE_HOST": "10.0.0.1"}, str(tmp_path)) == Container(
        "kubernetes", "KUBERNETES_SERVICE_HOST is set")
    assert container({"container": "podman"}, str(tmp_path)).kind == "podman"
    (tmp_path / "proc" / "1").mkdir(parents=True)
    (tmp_path / "proc" / "1" / "cgroup").write_text("12:pids:/docker/0123abcd\n")
    assert container({}, str(tmp_path)) == Container("docker", "/proc/1/cgroup names docker")
    (tmp_path / "proc" / "1" / "cgroup").write_text("0::/\n")  # cgroup v2 says nothing
    assert container({}, str(tmp_path)) is None
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / ".containerenv").write_text("")
    assert container({}, str(tmp_path)).kind == "podman"
    (tmp_path / ".dockerenv").write_text("")
    assert container({}, str(tmp_path)) == Container("docker", "/.dockerenv exists")


def test_distribution_reads_os_release(tmp_path: Path) -> None:
    assert distribution(str(tmp_path)) is None
    (tmp_path / "usr" / "lib").mkdir(parents=True)
    (tmp_path / "usr" / "lib" / "os-release").write_text('NAME=Alpine\nPRETTY_NAME="Alpine '
                                                        'Linux v3.20"\n')
    assert distribution(str(tmp_path)) == "Alpine Linux v3.20"
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "os-release").write_bytes(b"PRETTY_NAME='Debian \xff 12'\n")
    assert distribution(str(tmp_path)) == "Debian \ufffd 12"


def test_host_facts_of_this_machine() -> None:
    host = host_facts(now="2026-12-06T00:00:00Z")
    assert host.time == "2026-12-06T00:00:00Z"
    assert host.envaudit and host.python.split()[0] == sys.version.split()[0]
    assert set(host.to_json()) == {"system", "machine", "distribution", "hostname", "container",
                                   "python", "envaudit", "time"}
    assert len(host_facts().time) == 20
