"""``envaudit.inventory.ranges`` against the reference implementations: PEP 440 against
``packaging`` (pip's own), npm ranges against npm's bundled ``semver`` run by the real node (when
node and npm are installed)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit.inventory.ranges import (
    npm_satisfies,
    pep440_satisfies,
    poetry_satisfies,
    requirement_spec,
)

packaging_version = pytest.importorskip("packaging.version")
packaging_specifiers = pytest.importorskip("packaging.specifiers")

# ---------------------------------------------------------------------------------- PEP 440


@pytest.mark.parametrize(("version", "spec", "expected"), [
    ("2.17.0", ">=2.0", True), ("1.17.0", ">=2.0", False), ("2.17.0", ">=2.0,<2.17", False),
    ("0.40.0", "~=0.40", True), ("1.0.0", "~=0.40", False), ("0.40.3", "~=0.40.0", True),
    ("0.41.0", "~=0.40.0", False), ("2.17.0", "==2.*", True), ("2.17.0", "!=2.17.*", False),
    ("2.17.0", "", True), ("2.0", "==2.0.0", True), ("2.17.0", "===2.17.0", True),
    ("2.18.0rc1", ">=2.0", None), ("2.17.0", ">=two", None), ("2.17.0", ">=2.0;", None),
])
def test_pep440(version: str, spec: str, expected: bool | None) -> None:
    assert pep440_satisfies(version, spec) is expected


_RELEASE = st.lists(st.integers(0, 12), min_size=1, max_size=3).map(
    lambda parts: ".".join(map(str, parts)))
_SUFFIX = st.sampled_from(["", "", "", "a1", "b2", "rc1", ".post1", ".dev3", "rc1.dev1",
                           ".post2.dev1"])
_TARGET = st.builds(lambda r, s: r + s, _RELEASE, _SUFFIX)
_OP = st.sampled_from(["==", "!=", ">=", "<=", ">", "<", "~="])


@settings(max_examples=600, deadline=None)
@given(_RELEASE, st.lists(st.tuples(_OP, _TARGET, st.booleans()), min_size=1, max_size=3))
def test_pep440_agrees_with_packaging(version: str,
                                      clauses: list[tuple[str, str, bool]]) -> None:
    parts = []
    for op, target, star in clauses:
        if op in ("==", "!=") and star and target.replace(".", "").isdigit():
            target += ".*"
        if op == "~=" and "." not in target.split("a")[0].split("b")[0].split("r")[0]:
            target += ".0"
        parts.append(op + target)
    spec = ",".join(parts)
    ours = pep440_satisfies(version, spec)
    if ours is None:
        return
    try:
        parsed = packaging_specifiers.SpecifierSet(spec)
    except packaging_specifiers.InvalidSpecifier:
        return  # (the strategy can write ~=0a1, which PEP 440 forbids)
    theirs = parsed.contains(
        packaging_version.Version(version), prereleases=False)
    assert ours == theirs, spec


@pytest.mark.parametrize(("line", "expected"), [
    ("anthropic>=0.40", ("anthropic", ">=0.40")),
    ("anthropic[bedrock] >= 0.40, <1 ; python_version >= '3.10'", ("anthropic", ">= 0.40, <1")),
    ("anthropic (>=2.0)", ("anthropic", ">=2.0")),
    ("anthropic", ("anthropic", "")),
    ("anthropic @ git+https://example.invalid/anthropic.git", None),
    ("-e .", None),
])
def test_requirement_spec(line: str, expected: object) -> None:
    assert requirement_spec(line) == expected


# -------------------------------------------------------------------------------------- npm


@pytest.mark.parametrize(("version", "spec", "expected"), [
    ("1.10.0", "^1.10.0", True), ("0.50.1", "^1.10.0", False), ("0.50.1", "^0.50.0", True),
    ("0.51.0", "^0.50.0", False), ("0.0.4", "^0.0.3", False), ("1.12.0", "~1.10.0", False),
    ("1.10.9", "~1.10", True), ("2.0.0", "1.x || 2", True), ("1.5.0", "1 - 2.3", True),
    ("2.3.1", "1 - 2.3", True), ("2.4.0", "1 - 2.3", False), ("1.10.0", ">=1 <1.10", False),
    ("1.10.0", "*", True), ("1.10.0", "", True), ("1.10.0", "latest", None),
    ("1.10.0", "workspace:*", None), ("1.10.0", "file:../sdk", None),
    ("1.10.0-beta.1", "^1.0.0", None), ("1.10.0", "^1.10.0-beta.1", None),
])
def test_npm(version: str, spec: str, expected: bool | None) -> None:
    assert npm_satisfies(version, spec) is expected


def _npm_semver() -> str | None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return None
    try:
        root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=60,
                              check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    semver = Path(root) / "npm" / "node_modules" / "semver"
    return str(semver) if (semver / "package.json").is_file() else None


_PARTIAL = st.builds(lambda a, b, c, n: ".".join([str(a), str(b), str(c)][:n]),
                     st.integers(0, 3), st.integers(0, 3), st.integers(0, 3),
                     st.integers(1, 3))
_COMP = st.builds(lambda op, v: op + v, st.sampled_from(["", "^", "~", ">=", "<", ">", "<=",
                                                         "="]), _PARTIAL)
_RANGE = st.one_of(
    st.lists(_COMP, min_size=1, max_size=2).map(" ".join),
    st.builds(lambda a, b: f"{a} - {b}", _PARTIAL, _PARTIAL),
    st.builds(lambda a, b: f"{a} || {b}", _COMP, _COMP),
    st.sampled_from(["*", "x", "1.x", "0.x", "1.2.x", "^0.x", "~0"]),
)


def test_npm_agrees_with_npm_s_semver(tmp_path: Path) -> None:
    semver = _npm_semver()
    if semver is None:
        pytest.skip("node and npm (with its bundled semver) are not installed")
    examples: list[tuple[str, str]] = []

    @settings(max_examples=500, deadline=None, database=None)
    @given(_PARTIAL.filter(lambda v: v.count(".") == 2), _RANGE)
    def gather(version: str, spec: str) -> None:
        examples.append((version, spec))

    gather()
    script = tmp_path / "check.js"
    script.write_text(
        f"const semver = require({json.dumps(semver)});\n"
        "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "console.log(JSON.stringify(cases.map(([v, r]) => semver.satisfies(v, r))));\n")
    node = shutil.which("node")
    assert node is not None
    proc = subprocess.run([node, str(script)], input=json.dumps(examples), capture_output=True,
                          text=True, timeout=60, check=True)
    theirs = json.loads(proc.stdout)
    wrong = [(v, r, ours, t) for (v, r), t in zip(examples, theirs)
             if (ours := npm_satisfies(v, r)) is not None and ours != t]
    assert wrong == []


def test_poetry() -> None:
    assert poetry_satisfies("1.17.0", "^1.0") is True
    assert poetry_satisfies("2.0.0", "^1.0") is False
    assert poetry_satisfies("0.40.1", "~0.40") is True
    assert poetry_satisfies("2.17.0", ">=2.0,<3.0") is True
    assert poetry_satisfies("2.17.0", ">=2.0 <2.10") is False
    assert poetry_satisfies("2.17.0", "2.17.0") is True
    assert poetry_satisfies("2.17.0", "^1.0 || ^2.0") is True
    assert poetry_satisfies("2.17.0", "*") is True
    assert poetry_satisfies("2.17.0", "~=2.16") is True


@given(st.text(max_size=40), st.text(max_size=40))
def test_never_raise(version: str, spec: str) -> None:
    pep440_satisfies(version, spec)
    npm_satisfies(version, spec)
    poetry_satisfies(version, spec)
    requirement_spec(spec)
