"""``envaudit.diff``: what differs between environments, each kind of row, its severity, the
findings new and resolved, and the ``--only``/``--ignore`` filter. Every snapshot is made
through the real pipeline from a project written in the test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from snapshots.build import KEY_A, KEY_B, loaded, project

from envaudit.diff import VariableFilter, compare, environment_class
from envaudit.model import Severity
from envaudit.snapshots.load import Loaded, load_document

ASSETS = Path(__file__).resolve().parent / "assets" / "snapshots"


def _rows(comparison, section: str = "variables") -> dict[str, tuple[str, Severity, str]]:
    return {d.subject: (d.kind, d.severity, d.note) for d in comparison.differences
            if d.section == section}


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return project(tmp_path / "app", {".env": "ANTHROPIC_MODEL=claude-sonnet-4-6\n"})


def test_a_snapshot_compared_with_itself_has_no_differences(app: Path) -> None:
    a = loaded(app, "a.json", {"ANTHROPIC_API_KEY": KEY_A})
    comparison = compare([a, a._replace(label="b.json")])
    assert comparison.differences == () and comparison.changes == ()
    assert comparison.findings == () and comparison.notes == ()
    assert "ANTHROPIC_MODEL" in comparison.same and "ANTHROPIC_API_KEY" in comparison.same
    assert not comparison.threshold_reached("info")


def test_each_fixture_compared_with_itself() -> None:
    from envaudit.snapshots.load import read

    for name in ("dev", "staging", "prod", "report-v1", "report-v1-minimal"):
        snap = read(str(ASSETS / f"{name}.json"))
        comparison = compare([snap, snap._replace(label="again")])
        assert comparison.differences == () and comparison.changes == (), name


def test_a_credential_set_in_one_environment_only_is_an_error(app: Path) -> None:
    comparison = compare([loaded(app, "dev", {"ANTHROPIC_API_KEY": KEY_A}),
                          loaded(app, "prod", {})])
    assert _rows(comparison)["ANTHROPIC_API_KEY"] == (
        "only-in", Severity.ERROR, "only in dev; not set in prod")
    assert comparison.threshold_reached("error")


def test_a_setting_in_one_environment_only_is_a_warning(app: Path) -> None:
    comparison = compare([loaded(app, "dev", {}),
                          loaded(app, "prod", {"ANTHROPIC_BASE_URL": "https://gw.internal"})])
    assert _rows(comparison)["ANTHROPIC_BASE_URL"][:2] == ("only-in", Severity.WARNING)
    cells = next(d.cells for d in comparison.differences if d.subject == "ANTHROPIC_BASE_URL")
    assert [c.shown for c in cells] == ["(not set)", "https://gw.internal"]
    assert cells[1].source == "process environment"
    assert not comparison.threshold_reached("error") and comparison.threshold_reached("warning")


def test_different_values_compare_by_fingerprint(app: Path) -> None:
    comparison = compare([loaded(app, "dev", {"ANTHROPIC_API_KEY": KEY_A,
                                              "ANTHROPIC_MODEL": "claude-opus-4-6"}),
                          loaded(app, "prod", {"ANTHROPIC_API_KEY": KEY_B})])
    rows = _rows(comparison)
    assert rows["ANTHROPIC_API_KEY"] == ("value", Severity.INFO, "different credentials")
    assert rows["ANTHROPIC_MODEL"] == ("value", Severity.WARNING, "different values")
    cells = next(d.cells for d in comparison.differences if d.subject == "ANTHROPIC_MODEL")
    assert [(c.shown, c.source) for c in cells] == [
        ("claude-opus-4-6", "process environment"), ("claude-sonnet-4-6", ".env:1")]


def test_the_same_value_from_another_source(tmp_path: Path) -> None:
    dev = project(tmp_path / "dev", {".env": f"ANTHROPIC_API_KEY={KEY_A}\n"})
    prod = project(tmp_path / "prod", {})
    comparison = compare([loaded(dev, "dev", {}), loaded(prod, "prod",
                                                         {"ANTHROPIC_API_KEY": KEY_A})])
    assert _rows(comparison)["ANTHROPIC_API_KEY"] == (
        "source", Severity.INFO, "same value, from different sources")


def test_a_loader_that_ends_with_another_value(tmp_path: Path) -> None:
    """Both environments load .env with python-dotenv and read docker.env with docker's
    rules; in prod the quotes make docker's value differ while python-dotenv's agrees."""
    dev = project(tmp_path / "dev", {".env": "ANTHROPIC_MODEL=claude-sonnet-4-6\n",
                                     "docker.env": "ANTHROPIC_MODEL=claude-sonnet-4-6\n"})
    prod = project(tmp_path / "prod", {".env": "ANTHROPIC_MODEL=claude-sonnet-4-6\n",
                                       "docker.env": 'ANTHROPIC_MODEL="claude-sonnet-4-6"\n'})
    opts = {"env_files": (), "loaders": ("python-dotenv", "docker-env-file")}
    a = loaded(dev, "dev", None, env_files=(str(dev / "docker.env"),),
               loaders=opts["loaders"])
    b = loaded(prod, "prod", None, env_files=(str(prod / "docker.env"),),
               loaders=opts["loaders"])
    assert _rows(compare([a, b]))["ANTHROPIC_MODEL"] == (
        "loader-outcome", Severity.WARNING, "docker-env-file ends with different values")


def test_a_file_a_loader_rejects_in_one_environment(tmp_path: Path) -> None:
    dev = project(tmp_path / "dev", {"docker.env": "ANTHROPIC_MODEL=claude-sonnet-4-6\n"})
    prod = project(tmp_path / "prod", {"docker.env": "ANTHROPIC_MODEL=claude-sonnet-4-6\n"
                                                     "BAD LINE=x\n"})
    kw = {"loaders": ("docker-env-file",)}
    a = loaded(dev, "dev", None, env_files=(str(dev / "docker.env"),), **kw)
    b = loaded(prod, "prod", None, env_files=(str(prod / "docker.env"),), **kw)
    rows = _rows(compare([a, b]), "files")
    assert rows == {"docker.env (docker-env-file)": (
        "loader-outcome", Severity.WARNING, "docker-env-file rejects it in prod")}


def test_packages_and_runtimes(tmp_path: Path) -> None:
    def venv(root: Path, version: str, python: str) -> Path:
        site = root / ".venv" / "lib" / f"python{python}" / "site-packages"
        dist = site / f"anthropic-{version}.dist-info"
        dist.mkdir(parents=True)
        (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: anthropic\n"
                                       f"Version: {version}\n")
        (root / ".venv" / "pyvenv.cfg").write_text(f"home = /usr/bin\nversion = {python}.4\n")
        return root

    dev = venv(project(tmp_path / "dev", {}), "2.17.0", "3.12")
    prod = venv(project(tmp_path / "prod", {}), "0.50.0", "3.11")
    comparison = compare([loaded(dev, "dev", {}), loaded(prod, "prod", {})])
    packages = {d.subject: d for d in comparison.differences if d.section == "packages"}
    sdk = packages["anthropic (python)"]
    assert (sdk.kind, sdk.severity) == ("version", Severity.WARNING)
    assert [(c.shown, c.source) for c in sdk.cells] == [("2.17.0", ".venv"), ("0.50.0", ".venv")]
    runtimes = {d.subject: d for d in comparison.differences if d.section == "runtimes"}
    assert [c.shown for c in runtimes["Python"].cells] == ["3.12.4", "3.11.4"]
    assert runtimes["Python"].severity == Severity.INFO


def test_the_route_to_the_api(app: Path) -> None:
    comparison = compare([loaded(app, "dev", {}),
                          loaded(app, "prod", {"HTTPS_PROXY": "http://proxy.internal:3128"})])
    network = _rows(comparison, "network")
    assert network["curl route"] == ("route", Severity.WARNING, "the route to the API differs")
    cells = next(d.cells for d in comparison.differences if d.subject == "curl route")
    assert [c.shown for c in cells] == [
        "direct to https://api.anthropic.com",
        "via http://proxy.internal:3128 to https://api.anthropic.com"]
    assert _rows(comparison)["HTTPS_PROXY"][:2] == ("only-in", Severity.WARNING)


def test_findings_new_and_resolved_against_the_first(app: Path) -> None:
    base = loaded(app, "baseline.json", {"ANTHROPIC_API_KEY": KEY_A})
    live = loaded(app, "live", {"ANTHROPIC_API_KEY": KEY_A + " "})
    comparison = compare([base, live])
    assert [(c.change, c.label, c.finding["id"]) for c in comparison.changes] == [
        ("new", "live", "EA103")]
    assert comparison.threshold_reached("error")
    assert not comparison.threshold_reached("never")
    back = compare([live, base])
    assert [(c.change, c.finding["id"]) for c in back.changes] == [("resolved", "EA103")]
    assert not back.threshold_reached("info") or back.differences


def test_three_environments_are_columns(tmp_path: Path) -> None:
    app = project(tmp_path / "app", {})
    snaps = [loaded(app, n, {"ANTHROPIC_API_KEY": k})
             for n, k in (("dev", KEY_A), ("staging", KEY_A), ("prod", KEY_B))]
    comparison = compare(snaps)
    row = next(d for d in comparison.differences if d.subject == "ANTHROPIC_API_KEY")
    assert len(row.cells) == 3 and row.cells[0].key == row.cells[1].key != row.cells[2].key
    assert [f.rule_id for f in comparison.findings] == ["EA706"]


def test_only_and_ignore_by_variable_pattern(app: Path) -> None:
    a = loaded(app, "dev", {"ANTHROPIC_API_KEY": KEY_A, "HTTPS_PROXY": "http://p:3128"})
    b = loaded(app, "prod", {"ANTHROPIC_BASE_URL": "https://gw.internal"})
    everything = set(_rows(compare([a, b])))
    assert everything == {"ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "HTTPS_PROXY"}
    assert set(_rows(compare([a, b], VariableFilter(only=("ANTHROPIC_*",))))) == {
        "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"}
    assert set(_rows(compare([a, b], VariableFilter(ignore=("*_PROXY", "*KEY"))))) == {
        "ANTHROPIC_BASE_URL"}
    filtered = compare([a, b], VariableFilter(ignore=("ANTHROPIC_API_KEY",)))
    assert all(c.finding.get("variable") != "ANTHROPIC_API_KEY" for c in filtered.changes)


def test_different_salts_are_noted_and_ea706_stays_silent(app: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    dev = loaded(app, "dev.json", {"ANTHROPIC_API_KEY": KEY_A})
    monkeypatch.setenv("ENVAUDIT_SALT", "another-salt")
    prod = loaded(app, "prod.json", {"ANTHROPIC_API_KEY": KEY_A})
    comparison = compare([dev, prod])
    assert any("different ENVAUDIT_SALT" in n for n in comparison.notes)
    assert comparison.findings == ()


def test_an_upgraded_report_is_compared_where_it_can_be() -> None:
    from envaudit.snapshots.load import read

    report = read(str(ASSETS / "report-v1.json"))
    assert report.read_as == 1 and report.document["upgraded_from"] == 1
    prod = read(str(ASSETS / "prod.json"))
    comparison = compare([report, prod])
    assert comparison.differences == () and comparison.changes == ()
    assert any("does not record host, files, packages and runtimes" in n
               for n in comparison.notes)


@pytest.mark.parametrize(("name", "known_only", "expected"), [
    ("prod", False, "production"), ("Production", False, "production"),
    ("eu-prod-2", False, "production"), ("prod-eu.json", True, "production"),
    ("dev", False, "development"), ("local", True, "development"),
    ("UAT", False, "staging"), ("ci", False, "test"),
    ("customer-a", False, "customer-a"), ("customer-a", True, None),
    ("baseline", True, None), (None, False, None), ("", False, None), ("--", False, None),
])
def test_environment_class(name: str | None, known_only: bool, expected: str | None) -> None:
    assert environment_class(name, known_only) == expected


@given(names=st.lists(st.from_regex(r"[A-Z][A-Z0-9_]{0,12}", fullmatch=True), max_size=6),
       only=st.lists(st.sampled_from(["*", "A*", "*_KEY", "ANTHROPIC_*", "[AB]*"]), max_size=2),
       ignore=st.lists(st.sampled_from(["*", "B*", "*_URL", "?"]), max_size=2))
def test_variable_filter_is_only_minus_ignore(names: list[str], only: list[str],
                                              ignore: list[str]) -> None:
    import fnmatch

    keep = VariableFilter(tuple(only), tuple(ignore))
    for name in names:
        wanted = (not only or any(fnmatch.fnmatchcase(name, p) for p in only)) and not any(
            fnmatch.fnmatchcase(name, p) for p in ignore)
        assert keep(name) == wanted


def _doc_with(variables: list[dict]) -> Loaded:
    doc = json.loads((ASSETS / "dev.json").read_text(encoding="utf-8"))
    doc["variables"] = variables
    return load_document(doc, "x")


def test_a_bare_key_and_an_unset_variable_differ() -> None:
    bare = {"name": "ANTHROPIC_MODEL", "sources": [], "winner": {"python-dotenv": {
        "location": {"source": "dotenv", "path": ".env", "line": 1}, "shown": "(no value)",
        "value_fp": None}}}
    unset = {"name": "ANTHROPIC_MODEL", "sources": [], "winner": {"python-dotenv": None}}
    comparison = compare([_doc_with([bare]), _doc_with([unset])])
    assert _rows(comparison)["ANTHROPIC_MODEL"][0] == "only-in"
