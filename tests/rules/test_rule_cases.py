"""The rule cases, the main test of the rules (style guide 9.7).

Every folder ``tests/rules/cases/<ID>/<case>/`` is a small project run through the real pipeline
(``engine.collect`` then ``engine.audit``); its findings must equal ``<case>.expected``.
``bad`` must raise findings of the documented rule only (at least one), ``good`` none at all.
``pytest --update-golden`` rewrites the ``.expected`` files; review the diff before committing.
"""

from __future__ import annotations

import json

import pytest

from envaudit.redact import SecretSet
from envaudit.rules import RULES_BY_ID

from . import make_binary_cases
from .casefiles import CASES, Case, all_cases, case_config, render, run

CASE_LIST = all_cases()


@pytest.mark.parametrize("case", CASE_LIST, ids=[c.id for c in CASE_LIST])
def test_case(case: Case, update_golden: bool) -> None:
    report = run(case)
    text = render(report)

    for finding in report.findings:
        assert "\n" not in finding.message and "\r" not in finding.message, finding.rule_id
        assert finding.fix and "\n" not in finding.fix, finding.rule_id

    # No finding may carry a value the case defines as a secret (raw, escaped or repr'd).
    secrets = SecretSet()
    for f in report.snapshot.files:
        for reading in f.readings:
            secrets.add_all((d.name, d.value) for d in reading.definitions)
    secrets.add_all((d.name, d.value) for d in report.snapshot.process or ())
    secrets.add_all((d.name, d.value) for d in report.snapshot.own_credentials or ())
    for table in case_config(case).get("process", []):  # what the case's processes hold
        secrets.add_all((k, str(v)) for k, v in table.get("env", {}).items())
        secrets.add_all(("COMMAND_LINE_SECRET", str(arg)) for arg in table.get("argv", []))
    for service in report.snapshot.compose:
        secrets.add_all((d.name, d.value) for d in service.environment)
    secrets.check(text)
    secrets.check(json.dumps([[f.fix, f.details] for f in report.findings]))

    if case.name == "bad":
        fired = sorted({f.rule_id for f in report.findings})
        assert fired == [case.rule_id], f"bad must raise {case.rule_id} only, got {fired}"
    elif case.name == "good":
        assert text == "", "good must raise nothing"

    if update_golden:
        case.expected_path.write_text(text, encoding="utf-8")
        return
    assert case.expected_path.is_file(), f"{case.expected_path.name} missing: --update-golden"
    assert text == case.expected_path.read_text(encoding="utf-8")


def test_every_expected_file_has_a_case() -> None:
    folders = {c.expected_path for c in CASE_LIST}
    orphans = [p.relative_to(CASES).as_posix() for p in CASES.glob("*/*.expected")
               if p not in folders]
    assert orphans == []


def test_case_folders_are_named_by_rule_and_kind() -> None:
    for case in CASE_LIST:
        assert case.rule_id in RULES_BY_ID, case.id
        assert case.name in ("bad", "good") or case.name.startswith("edge-"), case.id


def test_binary_case_files_are_current() -> None:
    stale = [rel for rel, data in make_binary_cases.files().items()
             if not (CASES / rel).is_file() or (CASES / rel).read_bytes() != data]
    assert stale == [], "run `python tests/rules/make_binary_cases.py`"
