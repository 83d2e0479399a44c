"""``envaudit.variables``: the filter that keeps only the variables a rule reads changes no
finding and no row of the effective-configuration table, in any rule case or sample project."""

from __future__ import annotations

import pytest
from rules.casefiles import Case, all_cases, line_of, started
from test_sample_envs import PROJECTS, options_for

from envaudit import engine
from envaudit.effective import rows
from envaudit.variables import TABLE_VARIABLES, relevant


def _outcome(opts: engine.CollectOptions) -> tuple[list[str], list[object]]:
    report = engine.audit(engine.collect(opts))
    return [line_of(f) for f in report.findings], rows(report.view())


@pytest.mark.parametrize("case", all_cases(), ids=lambda c: c.id)
def test_rule_case_is_the_same_with_every_variable_kept(case: Case) -> None:
    with started(case) as opts:
        assert not opts.all_variables
        assert _outcome(opts) == _outcome(opts._replace(all_variables=True))


@pytest.mark.parametrize("project", PROJECTS)
def test_sample_project_is_the_same_with_every_variable_kept(project: str) -> None:
    opts = options_for(project)
    assert _outcome(opts) == _outcome(opts._replace(all_variables=True))


@pytest.mark.parametrize("name", [
    *TABLE_VARIABLES, "ANTHROPIC_ANYTHING", "CLAUDE_CODE_USE_BEDROCK", "AWS_ACCESS_KEY_ID",
    "ANTHROPIC_FEDERATION_RULE_ID", "CLAUDE_API_KEY", "anthropic_api_key", "ANTROPIC_API_KEY",
    "VITE_ANTHROPIC_API_KEY", "NEXT_PUBLIC_CLAUDE_KEY",
])
def test_relevant_names(name: str) -> None:
    assert relevant(name)


@pytest.mark.parametrize("name", ["PATH", "DATABASE_URL", "OPENAI_API_KEY", "SECRET_KEY", "A"])
def test_irrelevant_names(name: str) -> None:
    assert not relevant(name)
